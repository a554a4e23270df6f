//! Input events in Lona's order: the seed's button app, the hooks and node handlers, waits
//! filtered by node identity, and the events the runtime refuses.

use lona_html::tags::{button, div, span};
use lona_html::{Content, NodeId, NodesOp, PatchOp};
use lona_protocol::{DecodedServerMessage, RuntimeId, WindowId};

use crate::{
    Context, EventContext, EventOutcome, Flow, InputEvent, Request, Response, View, ViewFactory,
    ViewResult,
};

use super::support::{
    ButtonApp, Probe, W1, browser, click_id, click_on, eventually, message, patches, session,
    small_runtime, start, tree, until_data, until_stop,
};

#[test]
fn the_button_app_shows_blocks_on_await_click_and_updates_after_the_click() {
    let runtime = small_runtime();
    let probe = Probe::default();
    let factory = {
        let probe = probe.clone();
        ViewFactory::blocking(move |_| ButtonApp {
            probe: probe.clone(),
        })
    };
    let conn = browser(&session("a"));
    let id = start(&runtime, &factory, &conn, "http://localhost/");
    assert_eq!(
        message(&conn),
        DecodedServerMessage::ViewStart {
            window: W1,
            runtime: id,
            resume: None,
        }
    );
    // Then the whole tree.
    tree(&message(&conn));
    let button = probe.node(0);
    assert_eq!(
        runtime.input_event(&conn, W1, id, click_on(&button, 1)),
        EventOutcome::Accepted
    );
    assert_eq!(
        message(&conn),
        DecodedServerMessage::InputEventAck {
            window: W1,
            runtime: id,
            event_id: 1
        }
    );
    let update = until_data(&conn);
    let PatchOp::Nodes(NodesOp::Reset(children)) = &patches(&update)[0].op else {
        panic!("the message's children reset: {update:?}");
    };
    assert!(
        matches!(children[0].content(), Content::Text(text) if text == "Button clicked"),
        "{update:?}"
    );
    until_stop(&conn);
    runtime.shutdown();
}

// Hooks run in Lona's order.

struct Ordered {
    probe: Probe,
    consume_at: Option<&'static str>,
}

impl View for Ordered {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let inner = span().with_text("inner");
        let outer = div().with_child(&inner);
        let root = div().with_child(&outer);
        let probe = self.probe.clone();
        let consume = self.consume_at;
        cx.on_click(&inner, move |_, _| {
            probe.log("inner handler");
            if consume == Some("inner") {
                Flow::Handled
            } else {
                Flow::Continue
            }
        });
        let probe = self.probe.clone();
        cx.on_click(&outer, move |_, _| {
            probe.log("outer handler");
            Flow::Continue
        });
        self.probe.nodes.lock().push(inner);
        cx.show(&root)?;
        let event = cx.await_input_event(&[])?;
        self.probe.log(format!("await got {}", event.name()));
        Ok(Response::Empty)
    }

    fn handle_input_event_root(&self, _cx: &EventContext, _event: &InputEvent) -> Flow {
        self.probe.log("root hook");
        Flow::Continue
    }

    fn handle_input_event(&self, _cx: &EventContext, _event: &InputEvent) -> Flow {
        self.probe.log("view hook");
        Flow::Continue
    }
}

#[test]
fn hooks_run_in_lonas_order_and_handlers_can_stop_propagation() {
    for consume in [None, Some("inner")] {
        let runtime = small_runtime();
        let probe = Probe::default();
        let factory = {
            let probe = probe.clone();
            ViewFactory::blocking(move |_| Ordered {
                probe: probe.clone(),
                consume_at: consume,
            })
        };
        let conn = browser(&session("a"));
        let id = start(&runtime, &factory, &conn, "http://localhost/");
        until_data(&conn);
        let outcome = runtime.input_event(&conn, W1, id, click_on(&probe.node(0), 1));
        assert_eq!(outcome, EventOutcome::Accepted);
        eventually("the click was handled", || {
            runtime.metrics().events_dispatched == 1
        });
        match consume {
            None => {
                // Nobody consumed it: the pending await takes it, so the view hook does not run.
                eventually("the await woke", || probe.entries().len() == 4);
                assert_eq!(
                    probe.entries(),
                    [
                        "root hook",
                        "inner handler",
                        "outer handler",
                        "await got click"
                    ]
                );
            }
            Some(_) => {
                // The inner handler consumed it: propagation and the await stop there.
                assert_eq!(probe.entries(), ["root hook", "inner handler"]);
            }
        }
        runtime.shutdown();
    }
}

#[test]
fn the_view_hook_gets_events_nobody_else_took() {
    let runtime = small_runtime();
    let probe = Probe::default();
    let factory = {
        let probe = probe.clone();
        ViewFactory::blocking(move |_| Ordered {
            probe: probe.clone(),
            consume_at: None,
        })
    };
    let conn = browser(&session("a"));
    let id = start(&runtime, &factory, &conn, "http://localhost/");
    until_data(&conn);
    runtime.input_event(&conn, W1, id, click_on(&probe.node(0), 1));
    // The first click ends the await and the view; the second finds no await.
    until_stop(&conn);
    runtime.input_event(&conn, W1, id, click_on(&probe.node(0), 2));
    eventually("both clicks handled", || {
        runtime.metrics().events_dispatched == 2
    });
    assert_eq!(
        probe.entries()[4..],
        ["root hook", "inner handler", "outer handler", "view hook"]
    );
    runtime.shutdown();
}

// await_click filtered by node identity.

struct TwoButtons {
    probe: Probe,
}

impl View for TwoButtons {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let first = button().with_text("same");
        let second = button().with_text("same");
        let root = div().with_child(&first).with_child(&second);
        self.probe.nodes.lock().extend([first, second.clone()]);
        cx.show(&root)?;
        let event = cx.await_click(&[&second])?;
        self.probe.log(format!(
            "clicked {}",
            if event.is_from(&second) {
                "second"
            } else {
                "first"
            }
        ));
        Ok(Response::Empty)
    }
}

#[test]
fn await_click_with_nodes_waits_for_those_nodes_by_identity() {
    let runtime = small_runtime();
    let probe = Probe::default();
    let factory = {
        let probe = probe.clone();
        ViewFactory::blocking(move |_| TwoButtons {
            probe: probe.clone(),
        })
    };
    let conn = browser(&session("a"));
    let id = start(&runtime, &factory, &conn, "http://localhost/");
    until_data(&conn);
    // A click on an identical-looking button does not satisfy the wait.
    runtime.input_event(&conn, W1, id, click_on(&probe.node(0), 1));
    eventually("the first click was handled", || {
        runtime.metrics().events_dispatched == 1
    });
    assert!(probe.entries().is_empty());
    runtime.input_event(&conn, W1, id, click_on(&probe.node(1), 2));
    until_stop(&conn);
    assert_eq!(probe.entries(), ["clicked second"]);
    runtime.shutdown();
}

// Events are accepted only from attached connections, for nodes that exist and listen.

#[test]
fn events_for_other_views_sessions_or_silent_nodes_are_refused_and_counted() {
    let runtime = small_runtime();
    let probe = Probe::default();
    let factory = {
        let probe = probe.clone();
        ViewFactory::blocking(move |_| ButtonApp {
            probe: probe.clone(),
        })
    };
    let owner = browser(&session("owner"));
    let id = start(&runtime, &factory, &owner, "http://localhost/");
    until_data(&owner);
    let stranger = browser(&session("stranger"));
    let button = probe.node(0);
    let message = probe.node(1);
    assert_eq!(
        runtime.input_event(&stranger, W1, id, click_on(&button, 1)),
        EventOutcome::NotAttached
    );
    assert_eq!(
        runtime.input_event(&owner, WindowId(2), id, click_on(&button, 1)),
        EventOutcome::NotAttached
    );
    assert_eq!(
        runtime.input_event(&owner, W1, RuntimeId(999_999), click_on(&button, 1)),
        EventOutcome::UnknownView
    );
    assert_eq!(
        runtime.input_event(&owner, W1, id, click_on(&message, 1)),
        EventOutcome::NotListening
    );
    assert_eq!(
        runtime.input_event(&owner, W1, id, click_id(NodeId::from_raw(u64::MAX), 1)),
        EventOutcome::NotListening
    );
    assert!(stranger.try_next().is_none(), "nothing reaches a stranger");
    assert_eq!(runtime.metrics().events_rejected, 5);
    runtime.shutdown();
}
