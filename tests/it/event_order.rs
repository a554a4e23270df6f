//! The browser suite's event-order scenarios through `lona-test`, without a browser: a value
//! typed with the default delay reaches the server before the click right after it, and a
//! click whose button was replaced under the pointer by a blocking view's next step is not
//! delivered.

use std::sync::Arc;
use std::time::Duration;

use lona::html::forms::TextInput;
use lona::prelude::*;
use lona_test::TestServer;
use parking_lot::Mutex;

type Log = Arc<Mutex<Vec<String>>>;

fn push(log: &Log, entry: String) {
    log.lock().push(entry);
}

/// A text field with the default delay (300 ms) and a button; the server logs each change and
/// each click with the value it has when the event comes.
struct Typing {
    log: Log,
}

impl View for Typing {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let name = TextInput::new().with_id("name");
        let send = tags::button().with_id("send").with_text("Send");
        let seen = tags::span().with_id("seen");
        let (log, input) = (self.log.clone(), name.clone());
        cx.on_change(&name, move |_cx, _event| {
            push(&log, format!("change:{}", input.value()));
            Flow::Handled
        });
        let (log, input, shown) = (self.log.clone(), name.clone(), seen.clone());
        cx.on_click(&send, move |_cx, _event| {
            let value = input.value();
            push(&log, format!("click:{value}"));
            shown.set_text(value);
            Flow::Handled
        });
        let root = tags::div()
            .with_child(name.node())
            .with_child(&send)
            .with_child(&seen);
        Ok(Response::Node(root))
    }
}

/// The wizard: step 1 waits for an event of its name field (a plain change, sent on
/// blur) or of Next; step 2's first choice button takes Next's place.
struct Wizard {
    log: Log,
}

impl View for Wizard {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let name = TextInput::new().with_id("name").with_delay(0);
        let next = tags::button().with_class("next").with_text("Next");
        let step1 = tags::div()
            .with_child(tags::h2().with_text("Step 1"))
            .with_child(name.node())
            .with_child(&next);
        cx.show(&step1)?;
        cx.await_input_event(&[&next, name.node()])?;
        let first = tags::button().with_class("choice").with_text("First");
        let second = tags::button().with_class("choice").with_text("Second");
        let step2 = tags::div()
            .with_child(tags::h2().with_text("Step 2"))
            .with_child(&first)
            .with_child(&second);
        cx.show(&step2)?;
        let event = cx.await_click(&[&first, &second])?;
        let choice = if event.is_from(&first) {
            "first"
        } else {
            "second"
        };
        push(&self.log, format!("choice:{choice}"));
        step2.append(tags::p().with_id("chosen").with_text(choice));
        Ok(Response::Node(step2))
    }
}

#[test]
fn every_value_typed_with_the_default_delay_arrives_before_the_click_right_after_it() {
    let log = Log::default();
    let mut app = App::new();
    let views = log.clone();
    app.view("/", move |_request| Typing { log: views.clone() });
    let server = TestServer::start(app);
    let mut client = server.open("/").expect("opens");
    for i in 0..100 {
        let value = format!("value {i}");
        client.type_text("#name", &value).expect("types");
        client.click("#send").expect("clicks");
        client
            .wait_for_node_text("#seen", &value)
            .expect("the click saw the value typed before it");
    }
    let log = log.lock();
    let expected: Vec<String> = (0..100)
        .flat_map(|i| [format!("change:value {i}"), format!("click:value {i}")])
        .collect();
    assert_eq!(*log, expected);
}

#[test]
fn the_wizards_click_on_the_step_that_replaced_next_is_not_delivered() {
    let log = Log::default();
    let mut app = App::new();
    let views = log.clone();
    app.view("/", move |_request| Wizard { log: views.clone() });
    let server = TestServer::start(app);
    let mut client = server.open("/").expect("opens");
    // Long enough for a loaded machine's blocking view to show step 2 within the press.
    client.set_press_time(Duration::from_secs(1));
    client.type_text("#name", "Ada").expect("types");
    client.click(".next").expect("clicks Next");
    assert!(client.text("h2").is_some_and(|t| t == "Step 2"));
    assert_eq!(client.dropped_clicks(), 1, "the click on step 2 is dropped");
    // What the user clicks once they see step 2 is delivered.
    client.click(".choice").expect("clicks the first choice");
    client
        .wait_for_node_text("#chosen", "first")
        .expect("the choice is recorded");
    assert_eq!(*log.lock(), ["choice:first"]);
}
