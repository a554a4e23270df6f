//! Forms submitted in the view: `await_submit` and `on_submit` get every field typed, the
//! tree agrees with them before anything runs, and a form nobody listens to refuses submits.

use lona_html::forms::{Checkbox, Select, Submitted, TextInput};
use lona_html::tags::{div, form, input, p};
use lona_html::{Event, Node};
use lona_protocol::client::{ChangeValue, EventKind, InputEvent as WireEvent, SubmitField};

use crate::{
    AsyncContext, AsyncView, Context, EventOutcome, Flow, Request, Response, View, ViewFactory,
    ViewResult,
};

use super::support::{
    Probe, W1, browser, event_lists, eventually, mentions, session, small_runtime, start,
    until_data, wire_event,
};

/// The nodes of a form: 0 form, 1 name, 2 agree, 3 size, 4 outside the form, 5 message.
fn submit_form(probe: &Probe) -> (Node, Node) {
    let name = TextInput::new().with_name("name");
    let agree = Checkbox::new().with_name("agree");
    let size = Select::new()
        .with_name("size")
        .with_option("s", "Small")
        .with_option("l", "Large");
    let the_form = form()
        .with_child(&name)
        .with_child(&agree)
        .with_child(&size)
        .with_child(input().with_attr("type", "submit").with_attr("name", "go"));
    let outside = TextInput::new().with_name("outside");
    let message = p().with_text("waiting");
    let root = div()
        .with_child(&the_form)
        .with_child(&outside)
        .with_child(&message);
    probe.nodes.lock().extend([
        the_form,
        name.into_node(),
        agree.into_node(),
        size.into_node(),
        outside.into_node(),
        message.clone(),
    ]);
    (root, message)
}

fn submit_on(probe: &Probe, event_id: u64) -> WireEvent {
    let field = |name: &str, index: usize, value| SubmitField {
        name: name.to_owned(),
        node_id: Some(probe.node(index).id()),
        value,
    };
    let fields = vec![
        field("name", 1, ChangeValue::Text("Ada".into())),
        field("agree", 2, ChangeValue::Checked(true)),
        field("size", 3, ChangeValue::Selected(vec![1])),
        // Not in the form: a browser would not send it, and it changes nothing.
        field("outside", 4, ChangeValue::Text("sneaky".into())),
        SubmitField {
            name: "go".to_owned(),
            node_id: None,
            value: ChangeValue::Text("Submit".into()),
        },
    ];
    wire_event(&probe.node(0), event_id, EventKind::Submit(fields))
}

/// What a view saw of a submit: the typed fields and the handles' values.
fn describe(submitted: &Submitted, probe: &Probe) -> String {
    let name = TextInput::from_node(probe.node(1)).expect("a text input");
    let agree = Checkbox::from_node(probe.node(2)).expect("a checkbox");
    let size = Select::from_node(probe.node(3)).expect("a select");
    let outside = TextInput::from_node(probe.node(4)).expect("a text input");
    format!(
        "name={:?} agree={} size={:?} go={:?} outside={:?} | typed {:?} {:?} {:?} | tree {:?} {} {:?} {:?}",
        submitted.text("name"),
        submitted.checked("agree"),
        submitted.selected("size"),
        submitted.text("go"),
        submitted.text("outside"),
        submitted.get(&name),
        submitted.get(&agree),
        submitted.get(&size),
        name.value(),
        agree.value(),
        size.value(),
        outside.value(),
    )
}

const SEEN: &str = "name=Some(\"Ada\") agree=true size=[\"l\"] go=Some(\"Submit\") outside=None \
    | typed Some(\"Ada\") Some(true) Some([\"l\"]) | tree \"Ada\" true Some(\"l\") \"\"";

struct AwaitingSubmit {
    probe: Probe,
}

impl View for AwaitingSubmit {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let (root, message) = submit_form(&self.probe);
        cx.show(&root)?;
        let submitted = cx.await_submit(&self.probe.node(0))?;
        self.probe.log(describe(&submitted, &self.probe));
        message.set_text("thanks");
        cx.show(&root)?;
        Ok(Response::Empty)
    }
}

struct AsyncAwaitingSubmit {
    probe: Probe,
}

impl AsyncView for AsyncAwaitingSubmit {
    async fn handle_request(&self, cx: &AsyncContext, _request: &Request) -> ViewResult {
        let (root, message) = submit_form(&self.probe);
        cx.show(&root)?;
        let submitted = cx.await_submit(&self.probe.node(0)).await?;
        self.probe.log(describe(&submitted, &self.probe));
        message.set_text("thanks");
        cx.show(&root)?;
        Ok(Response::Empty)
    }
}

/// Starts the view, waits for its form to be marked, submits it and checks what the view saw.
fn check_await_submit(factory: &ViewFactory, probe: &Probe) {
    let runtime = small_runtime();
    let conn = browser(&session("a"));
    let id = start(&runtime, factory, &conn, "http://localhost/");
    until_data(&conn);
    eventually("the form listens to submits", || {
        probe
            .nodes
            .lock()
            .first()
            .is_some_and(|form| form.events().to_vec().contains(&Event::Submit))
    });
    // The mark reaches the browser as the form's `data-lona-events`.
    let mark = until_data(&conn);
    assert!(
        event_lists(&mark)
            .iter()
            .any(|events| events.contains(&Event::Submit)),
        "the form is marked: {mark:?}"
    );
    assert_eq!(
        runtime.input_event(&conn, W1, id, submit_on(probe, 1)),
        EventOutcome::Accepted
    );
    eventually("the view saw the submit", || !probe.entries().is_empty());
    assert_eq!(probe.entries(), [SEEN]);
    runtime.shutdown();
}

#[test]
fn await_submit_gets_every_field_typed_and_the_tree_agrees() {
    let probe = Probe::default();
    let factory = {
        let probe = probe.clone();
        ViewFactory::blocking(move |_| AwaitingSubmit {
            probe: probe.clone(),
        })
    };
    check_await_submit(&factory, &probe);
}

#[test]
fn async_await_submit_gets_every_field_typed() {
    let probe = Probe::default();
    let factory = {
        let probe = probe.clone();
        ViewFactory::asynchronous(move |_| AsyncAwaitingSubmit {
            probe: probe.clone(),
        })
    };
    check_await_submit(&factory, &probe);
}

struct SubmitHandler {
    probe: Probe,
}

impl View for SubmitHandler {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let (root, message) = submit_form(&self.probe);
        let probe = self.probe.clone();
        cx.on_submit(&self.probe.node(0), move |_cx, submitted| {
            probe.log(describe(submitted, &probe));
            message.set_text("thanks");
            Flow::Handled
        });
        cx.show(&root)?;
        Ok(Response::Empty)
    }
}

#[test]
fn on_submit_runs_with_typed_fields_and_a_form_without_a_handler_refuses_submits() {
    let runtime = small_runtime();
    let probe = Probe::default();
    let factory = {
        let probe = probe.clone();
        ViewFactory::blocking(move |_| SubmitHandler {
            probe: probe.clone(),
        })
    };
    let conn = browser(&session("a"));
    let id = start(&runtime, &factory, &conn, "http://localhost/");
    let tree = until_data(&conn);
    assert!(
        event_lists(&tree).contains(&vec![Event::Submit]),
        "the form is marked: {tree:?}"
    );
    // A submit "from" a node without a handler (the message) is refused like any event.
    let mut stray = submit_on(&probe, 1);
    stray.node.node_id = Some(probe.node(5).id());
    assert_eq!(
        runtime.input_event(&conn, W1, id, stray),
        EventOutcome::NotListening
    );
    assert_eq!(
        runtime.input_event(&conn, W1, id, submit_on(&probe, 2)),
        EventOutcome::Accepted
    );
    eventually("the handler ran", || !probe.entries().is_empty());
    assert_eq!(probe.entries(), [SEEN]);
    let update = until_data(&conn);
    assert!(mentions(&update, "thanks"), "{update:?}");
    // The window that submitted does not get its own values back.
    assert!(!mentions(&update, "Ada"), "{update:?}");
    assert_eq!(runtime.metrics().events_rejected, 1);
    runtime.shutdown();
}
