//! The short forms of view code: a view that ends with `Ok(tree.into())`, and handlers that
//! return `()` instead of `Flow::Handled`.

use lona_html::tags::{button, div, span};

use crate::{
    Context, EventContext, EventOutcome, Flow, InputEvent, Request, View, ViewFactory, ViewResult,
};

use super::support::{
    Probe, W1, browser, click_on, eventually, session, small_runtime, start, texts, until_data,
    until_stop,
};

/// Shows nothing itself: the tree it returns, converted into a `Response`, is what shows.
struct Returned;

impl View for Returned {
    fn handle_request(&self, _cx: &Context, _request: &Request) -> ViewResult {
        Ok(div().with_text("returned").into())
    }
}

#[test]
fn a_tree_returned_with_into_is_shown() {
    let runtime = small_runtime();
    let conn = browser(&session("a"));
    start(
        &runtime,
        &ViewFactory::blocking(|_| Returned),
        &conn,
        "http://localhost/",
    );
    assert_eq!(texts(&until_data(&conn)), ["returned"]);
    until_stop(&conn);
    runtime.shutdown();
}

/// A handler of each kind on nested nodes: the inner one returns `()`, the outer one a `Flow`.
struct UnitHandlers {
    probe: Probe,
}

impl View for UnitHandlers {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let unit = button().with_text("unit");
        let passing = span().with_text("passing");
        let root = div().with_child(&unit).with_child(&passing);
        let probe = self.probe.clone();
        cx.on_click(&unit, move |_, _| probe.log("unit handler"));
        let probe = self.probe.clone();
        cx.on_click(&passing, move |_, _| {
            probe.log("flow handler");
            Flow::Continue
        });
        self.probe.nodes.lock().extend([unit, passing]);
        cx.show(&root)?;
        cx.sleep(std::time::Duration::from_secs(60))?;
        Ok(root.into())
    }

    fn handle_input_event(&self, _cx: &EventContext, _event: &InputEvent) -> Flow {
        self.probe.log("view hook");
        Flow::Handled
    }
}

#[test]
fn a_handler_that_returns_unit_handles_the_event() {
    let runtime = small_runtime();
    let probe = Probe::default();
    let factory = {
        let probe = probe.clone();
        ViewFactory::blocking(move |_| UnitHandlers {
            probe: probe.clone(),
        })
    };
    let conn = browser(&session("a"));
    let id = start(&runtime, &factory, &conn, "http://localhost/");
    until_data(&conn);
    for (n, node) in [probe.node(0), probe.node(1)].iter().enumerate() {
        let outcome = runtime.input_event(&conn, W1, id, click_on(node, n as u64 + 1));
        assert_eq!(outcome, EventOutcome::Accepted);
        eventually("the click was handled", || {
            runtime.metrics().events_dispatched == n as u64 + 1
        });
    }
    // `()` stopped the first click at its handler; `Flow::Continue` passed the second on.
    assert_eq!(
        probe.entries(),
        ["unit handler", "flow handler", "view hook"]
    );
    runtime.shutdown();
}
