//! Lona's four view hooks, written in a blocking view's `impl View` and in an async view's
//! `impl AsyncView`: the runtime calls each of them, for both kinds.

use std::time::Duration;

use lona_html::tags::{button, div};

use crate::{
    AsyncContext, AsyncView, Context, EventContext, EventOutcome, Flow, InputEvent, Request,
    Response, StopReason, View, ViewFactory, ViewResult,
};

use super::support::{
    Probe, W1, browser, click_on, eventually, session, small_runtime, start, until_data,
};

/// A blocking view with all four hooks: it shows a button nobody handles, then sleeps.
struct Hooks {
    probe: Probe,
}

impl View for Hooks {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let button = button().with_text("unhandled");
        self.probe.nodes.lock().push(button.clone());
        cx.show(&div().with_child(&button))?;
        cx.sleep(Duration::from_secs(3600))?;
        Ok(Response::Empty)
    }

    fn handle_input_event_root(&self, _cx: &EventContext, event: &InputEvent) -> Flow {
        self.probe.log(format!("root hook {}", event.name()));
        Flow::Continue
    }

    fn handle_input_event(&self, _cx: &EventContext, event: &InputEvent) -> Flow {
        self.probe.log(format!("view hook {}", event.name()));
        Flow::Handled
    }

    fn on_stop(&self, reason: Option<&StopReason>) {
        self.probe.log(format!("on_stop {reason:?}"));
    }

    fn on_cleanup(&self) {
        self.probe.log("on_cleanup");
    }
}

/// The same view, async.
struct AsyncHooks {
    probe: Probe,
}

impl AsyncView for AsyncHooks {
    async fn handle_request(&self, cx: &AsyncContext, _request: &Request) -> ViewResult {
        let button = button().with_text("unhandled");
        self.probe.nodes.lock().push(button.clone());
        cx.show(&div().with_child(&button))?;
        cx.sleep(Duration::from_secs(3600)).await?;
        Ok(Response::Empty)
    }

    fn handle_input_event_root(&self, _cx: &EventContext, event: &InputEvent) -> Flow {
        self.probe.log(format!("root hook {}", event.name()));
        Flow::Continue
    }

    fn handle_input_event(&self, _cx: &EventContext, event: &InputEvent) -> Flow {
        self.probe.log(format!("view hook {}", event.name()));
        Flow::Handled
    }

    fn on_stop(&self, reason: Option<&StopReason>) {
        self.probe.log(format!("on_stop {reason:?}"));
    }

    fn on_cleanup(&self) {
        self.probe.log("on_cleanup");
    }
}

/// Clicks the view's button, then closes the browser, and checks that each hook ran once.
fn check_every_hook_runs(factory: &ViewFactory, probe: &Probe) {
    let runtime = small_runtime();
    let conn = browser(&session("a"));
    let id = start(&runtime, factory, &conn, "http://localhost/");
    until_data(&conn);
    let outcome = runtime.input_event(&conn, W1, id, click_on(&probe.node(0), 1));
    assert_eq!(outcome, EventOutcome::Accepted);
    eventually("both event hooks ran", || probe.entries().len() == 2);
    assert_eq!(probe.entries(), ["root hook click", "view hook click"]);
    runtime.connection_closed(&conn);
    eventually("the view ended and was removed", || {
        runtime.view_count() == 0
    });
    eventually("the stop and cleanup hooks ran", || {
        probe.entries().len() == 4
    });
    let mut ends = probe.entries().split_off(2);
    // The cleanup runs on a worker as soon as the view stops, so it may come first.
    ends.sort();
    assert_eq!(ends, ["on_cleanup", "on_stop Some(UserAbort)"]);
    runtime.shutdown();
}

#[test]
fn a_blocking_view_gets_each_hook_it_writes_in_its_view_impl() {
    let probe = Probe::default();
    let factory = {
        let probe = probe.clone();
        ViewFactory::blocking(move |_| Hooks {
            probe: probe.clone(),
        })
    };
    check_every_hook_runs(&factory, &probe);
}

#[test]
fn an_async_view_gets_each_hook_it_writes_in_its_async_view_impl() {
    let probe = Probe::default();
    let factory = {
        let probe = probe.clone();
        ViewFactory::asynchronous(move |_| AsyncHooks {
            probe: probe.clone(),
        })
    };
    check_every_hook_runs(&factory, &probe);
}
