//! The order of the frames `TestClient` sends when a test types and clicks: held debounced
//! changes go out before any other event, a press blurs the focused field, and a click on an
//! element patched since its press is dropped.

use lona::prelude::*;
use lona_html::forms::TextInput;
use lona_test::{TestClient, TestServer};

/// A name field (debounced by `delay` ms, or a plain change with 0; optionally listening to
/// blur) and a send button; each event the server gets is logged in `#log` with the field's
/// value, the last one also in `#echo`.
struct Form {
    delay: u32,
    blur: bool,
}

impl View for Form {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let name = TextInput::new().with_id("name").with_delay(self.delay);
        let send = tags::button().with_id("send").with_text("Send");
        let echo = tags::span().with_id("echo");
        let list = tags::ul().with_id("log");
        let record = |log: &Node, name: &TextInput, echo: &Node, what: &str| {
            let entry = format!("{what}:{}", name.value());
            log.append(tags::li().with_text(&entry));
            echo.set_text(entry);
        };
        let (log, input, shown) = (list.clone(), name.clone(), echo.clone());
        cx.on_change(&name, move |_cx, _event| {
            record(&log, &input, &shown, "change");
            Flow::Handled
        });
        if self.blur {
            let (log, input, shown) = (list.clone(), name.clone(), echo.clone());
            cx.on(&name, Event::Blur, move |_cx, _event| {
                record(&log, &input, &shown, "blur");
                Flow::Handled
            });
        }
        let (log, input, shown) = (list.clone(), name.clone(), echo.clone());
        cx.on_click(&send, move |_cx, _event| {
            record(&log, &input, &shown, "click");
            Flow::Handled
        });
        let root = tags::div()
            .with_child(name.node())
            .with_child(&send)
            .with_child(&echo)
            .with_child(&list);
        Ok(Response::Node(root))
    }
}

/// A blocking wizard: step 1 waits for any event of its name field or its Next button, then
/// step 2 shows two choice buttons; the diff reuses Next's element for the first one.
struct Wizard;

impl View for Wizard {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let name = TextInput::new().with_id("name").with_delay(0);
        let next = tags::button().with_class("step1").with_text("Next");
        let step1 = tags::div()
            .with_child(tags::h2().with_text("Step 1"))
            .with_child(name.node())
            .with_child(&next);
        cx.show(&step1)?;
        cx.await_input_event(&[&next, name.node()])?;
        let a = tags::button().with_class("choice").with_text("A");
        let b = tags::button().with_class("choice").with_text("B");
        let step2 = tags::div()
            .with_child(tags::h2().with_text("Step 2"))
            .with_child(&a)
            .with_child(&b);
        cx.show(&step2)?;
        let event = cx.await_click(&[&a, &b])?;
        let choice = if event.is_from(&a) { "A" } else { "B" };
        step2.append(tags::p().with_id("done").with_text(choice));
        Ok(Response::Node(step2))
    }
}

fn form_app(delay: u32, blur: bool) -> TestServer {
    let mut app = App::new();
    app.view("/", move |_request| Form { delay, blur });
    TestServer::start(app)
}

fn wizard_app() -> TestServer {
    let mut app = App::new();
    app.view("/", |_request| Wizard);
    TestServer::start(app)
}

/// The INPUT_EVENT types of the frames the client sent, in order.
fn sent_events(client: &TestClient) -> Vec<u16> {
    client
        .sent_frames()
        .iter()
        .filter_map(|frame| {
            let payload = frame.split_once(",102,[")?.1;
            let mut items = payload.splitn(3, ',');
            items.next()?;
            items.next()?.parse().ok()
        })
        .collect()
}

/// What the server logged, in order.
fn entries(client: &TestClient) -> Vec<String> {
    client
        .query_all("#log li")
        .iter()
        .map(Node::text_content)
        .collect()
}

#[test]
fn a_click_right_after_typing_sends_the_held_change_first() {
    let server = form_app(300, false);
    let mut client = server.open("/").expect("opens");
    client.type_text("#name", "Ada").expect("types");
    assert_eq!(
        sent_events(&client),
        Vec::<u16>::new(),
        "held for its delay"
    );
    assert_eq!(
        client
            .query("#name")
            .expect("the field")
            .attributes()
            .get("value")
            .map(|v| v.to_string())
            .as_deref(),
        Some("Ada")
    );
    client.click("#send").expect("clicks");
    assert_eq!(sent_events(&client), [302, 301]);
    client
        .wait_for_node_text("#echo", "click:Ada")
        .expect("the click saw the value");
    assert_eq!(entries(&client), ["change:Ada", "click:Ada"]);
}

#[test]
fn a_held_change_goes_out_when_its_delay_passes_while_the_test_waits() {
    let server = form_app(50, false);
    let mut client = server.open("/").expect("opens");
    client.type_text("#name", "Ada").expect("types");
    client
        .wait_for_node_text("#echo", "change:Ada")
        .expect("the change came after its delay");
    assert_eq!(sent_events(&client), [302]);
}

#[test]
fn typing_again_within_the_delay_sends_one_change_with_the_last_value() {
    let server = form_app(300, false);
    let mut client = server.open("/").expect("opens");
    client.type_text("#name", "Ad").expect("types");
    client.type_text("#name", "Ada").expect("types on");
    client.click("#send").expect("clicks");
    client
        .wait_for_node_text("#echo", "click:Ada")
        .expect("clicked");
    assert_eq!(sent_events(&client), [302, 301]);
    assert_eq!(entries(&client), ["change:Ada", "click:Ada"]);
}

#[test]
fn a_press_sends_the_focused_fields_change_then_its_blur_then_the_click() {
    let server = form_app(0, true);
    let mut client = server.open("/").expect("opens");
    client.type_text("#name", "Ada").expect("types");
    assert_eq!(sent_events(&client), Vec::<u16>::new(), "sent on blur");
    client.click("#send").expect("clicks");
    assert_eq!(sent_events(&client), [302, 305, 301]);
    client
        .wait_for_node_text("#echo", "click:Ada")
        .expect("clicked");
    assert_eq!(entries(&client), ["change:Ada", "blur:Ada", "click:Ada"]);
    assert_eq!(client.dropped_clicks(), 0);
}

#[test]
fn a_click_on_content_that_replaced_the_pressed_button_is_dropped() {
    let server = wizard_app();
    let mut client = server.open("/").expect("opens");
    client.type_text("#name", "Ada").expect("types");
    client.press(".step1").expect("presses Next");
    assert_eq!(sent_events(&client), [302], "the press blurred the field");
    client.wait_for_text("Step 2").expect("the change moved on");
    assert!(!client.release().expect("releases"), "the click is dropped");
    assert_eq!(sent_events(&client), [302]);
    assert_eq!(client.dropped_clicks(), 1);
    // The user clicks again, on what they now see.
    client.click(".choice").expect("clicks A");
    client.wait_for_node_text("#done", "A").expect("chosen");
}

#[test]
fn a_click_whose_element_did_not_change_since_the_press_is_sent() {
    let server = form_app(0, false);
    let mut client = server.open("/").expect("opens");
    client.press("#send").expect("presses");
    assert!(client.release().expect("releases"));
    assert_eq!(sent_events(&client), [301]);
}
