//! [`Hooked`] views of both kinds: each of the view's four hooks still runs, with the
//! middlewares' stop and cleanup hooks before the view's own.

use std::sync::Arc;
use std::time::{Duration, Instant};

use lona_html::Node;
use lona_html::tags::{button, div};
use lona_protocol::WindowId;
use lona_protocol::client::{ClickData, EventKind, InputEvent as WireEvent, NodeInfo};
use lona_runtime::{
    AsyncContext, AsyncView, Connection, Context, EventContext, EventOutcome, Flow, InputEvent,
    OutboxLimits, Request, Response, Runtime, RuntimeConfig, SessionId, StopReason, View,
    ViewFactory, ViewResult,
};
use parking_lot::Mutex;

use super::{Hooked, Middleware, Middlewares};

const DEADLINE: Duration = Duration::from_secs(20);
const W1: WindowId = WindowId(1);

/// What happened, in order, and the button the view showed.
#[derive(Clone, Default)]
struct Log {
    entries: Arc<Mutex<Vec<String>>>,
    button: Arc<Mutex<Option<Node>>>,
}

impl Log {
    fn push(&self, entry: impl Into<String>) {
        self.entries.lock().push(entry.into());
    }

    fn entries(&self) -> Vec<String> {
        self.entries.lock().clone()
    }

    fn eventually(&self, what: &str, condition: impl Fn(&[String]) -> bool) {
        let start = Instant::now();
        while !condition(&self.entries()) {
            assert!(start.elapsed() < DEADLINE, "timed out waiting for: {what}");
            std::thread::yield_now();
        }
    }
}

/// A middleware that logs the view hooks it gets.
struct Logging(Log);

impl Middleware for Logging {
    fn on_view_stop(&self, _request: &Request, reason: Option<&StopReason>) {
        self.0.push(format!("middleware stop {reason:?}"));
    }

    fn on_view_cleanup(&self, _request: &Request) {
        self.0.push("middleware cleanup");
    }
}

/// Writes the four hooks, logging, into a `View` or `AsyncView` impl.
macro_rules! logged_hooks {
    () => {
        fn handle_input_event_root(&self, _cx: &EventContext, event: &InputEvent) -> Flow {
            self.0.push(format!("root hook {}", event.name()));
            Flow::Continue
        }

        fn handle_input_event(&self, _cx: &EventContext, event: &InputEvent) -> Flow {
            self.0.push(format!("view hook {}", event.name()));
            Flow::Handled
        }

        fn on_stop(&self, reason: Option<&StopReason>) {
            self.0.push(format!("view stop {reason:?}"));
        }

        fn on_cleanup(&self) {
            self.0.push("view cleanup");
        }
    };
}

/// Shows a button nobody handles, then sleeps.
struct Blocking(Log);

impl View for Blocking {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let button = button().with_text("unhandled");
        cx.show(&div().with_child(&button))?;
        *self.0.button.lock() = Some(button);
        cx.sleep(Duration::from_secs(3600))?;
        Ok(Response::Empty)
    }

    logged_hooks!();
}

/// The same, async.
struct Async(Log);

impl AsyncView for Async {
    async fn handle_request(&self, cx: &AsyncContext, _request: &Request) -> ViewResult {
        let button = button().with_text("unhandled");
        cx.show(&div().with_child(&button))?;
        *self.0.button.lock() = Some(button);
        cx.sleep(Duration::from_secs(3600)).await?;
        Ok(Response::Empty)
    }

    logged_hooks!();
}

fn hooked<V>(view: V, request: &Request, log: &Log) -> Hooked<V> {
    let middleware: Arc<dyn Middleware> = Arc::new(Logging(log.clone()));
    Hooked {
        view,
        request: request.clone(),
        middlewares: Middlewares(Arc::new(vec![middleware])),
    }
}

/// Clicks the view's button, closes the browser, and checks what ran, in which order.
fn check_hooks_reach_the_view(factory: &ViewFactory, log: &Log) {
    let runtime = Runtime::new(RuntimeConfig {
        runtime_threads: 2,
        worker_threads: 2,
        ..RuntimeConfig::default()
    });
    let conn = Connection::new(SessionId::new("a"), OutboxLimits::default());
    let request = Request::new("http://localhost/", conn.session().clone());
    let id = runtime
        .start_view(factory, request, &conn, W1)
        .expect("the view starts");
    let start = Instant::now();
    let button = loop {
        if let Some(button) = log.button.lock().clone() {
            break button;
        }
        assert!(start.elapsed() < DEADLINE, "timed out waiting for the view");
        std::thread::yield_now();
    };
    let info = NodeInfo {
        node_id: Some(button.id()),
        ..NodeInfo::default()
    };
    let click = WireEvent {
        event_id: 1,
        kind: EventKind::Click(ClickData::default()),
        node: info.clone(),
        target: info,
    };
    assert_eq!(
        runtime.input_event(&conn, W1, id, click),
        EventOutcome::Accepted
    );
    log.eventually("both event hooks ran", |entries| entries.len() == 2);
    assert_eq!(log.entries(), ["root hook click", "view hook click"]);
    runtime.connection_closed(&conn);
    log.eventually("the stop and cleanup hooks ran", |entries| {
        entries.len() == 6
    });
    let entries = log.entries();
    let at = |entry: &str| {
        entries
            .iter()
            .position(|e| e == entry)
            .unwrap_or_else(|| panic!("{entry} in {entries:?}"))
    };
    assert!(at("middleware stop Some(UserAbort)") < at("view stop Some(UserAbort)"));
    assert!(at("middleware cleanup") < at("view cleanup"));
    runtime.shutdown();
}

#[test]
fn a_hooked_blocking_view_gets_its_own_hooks_after_the_middlewares() {
    let log = Log::default();
    let factory = {
        let log = log.clone();
        ViewFactory::blocking(move |request| hooked(Blocking(log.clone()), request, &log))
    };
    check_hooks_reach_the_view(&factory, &log);
}

#[test]
fn a_hooked_async_view_gets_its_own_hooks_after_the_middlewares() {
    let log = Log::default();
    let factory = {
        let log = log.clone();
        ViewFactory::asynchronous(move |request| hooked(Async(log.clone()), request, &log))
    };
    check_hooks_reach_the_view(&factory, &log);
}
