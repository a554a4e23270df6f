//! Tests of the runtime with fake connections: the frames a browser would receive, for every
//! lifecycle the issue names. Nothing sleeps to synchronise: tests wait for outbox messages
//! (with a generous deadline that only fails a hung test).

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, unbounded};
use lona_html::forms::{Checkbox, RadioGroup, Select, TextInput};
use lona_html::tags::{button, div, li, p, span, ul};
use lona_html::{Event, Node, NodeId, Value, WIDGET_DATA_EVENT, WeakNode};
use lona_protocol::client::{ChangeValue, ClickData, EventKind, InputEvent as WireEvent, NodeInfo};
use lona_protocol::{RuntimeId, WindowId};
use parking_lot::Mutex;
use serde_json::Value as Json;

use crate::{
    AsyncContext, AsyncView, Connection, Context, ErrorPage, EventContext, EventOutcome, Flow,
    InputEvent, OutboxLimits, Outgoing, Request, Response, Runtime, RuntimeConfig, SessionId,
    StartError, StopReason, Stopped, View, ViewError, ViewFactory, ViewHandle, ViewHooks,
    ViewResult, ViewState,
};

mod limits;
mod submit;

const DEADLINE: Duration = Duration::from_secs(20);
const W1: WindowId = WindowId(1);

/// The next message of a connection, waiting for it to arrive.
fn next(conn: &Connection) -> Outgoing {
    conn.next_timeout(DEADLINE)
        .expect("a message within the deadline")
}

/// The next frame as JSON (`[window, runtime, method, payload]`).
fn frame(conn: &Connection) -> Json {
    let text = next(conn).encode().expect("a frame, not a close");
    serde_json::from_str(text.strip_prefix("lona:").expect("a lona frame")).expect("JSON")
}

/// Skips frames until one with `method`, and returns it.
fn until(conn: &Connection, method: u64) -> Json {
    loop {
        let frame = frame(conn);
        if frame[2] == method {
            return frame;
        }
    }
}

fn session(name: &str) -> SessionId {
    SessionId::new(name)
}

fn browser(session: &SessionId) -> Arc<Connection> {
    Connection::new(session.clone(), OutboxLimits::default())
}

fn small_runtime() -> Runtime {
    Runtime::new(RuntimeConfig {
        runtime_threads: 2,
        worker_threads: 2,
        ..RuntimeConfig::default()
    })
}

fn click_on(node: &Node, event_id: u64) -> WireEvent {
    WireEvent {
        event_id,
        kind: EventKind::Click(ClickData::default()),
        node: NodeInfo {
            node_id: Some(node.id()),
            ..NodeInfo::default()
        },
        target: NodeInfo {
            node_id: Some(node.id()),
            ..NodeInfo::default()
        },
    }
}

fn click_id(id: NodeId, event_id: u64) -> WireEvent {
    WireEvent {
        event_id,
        kind: EventKind::Click(ClickData::default()),
        node: NodeInfo {
            node_id: Some(id),
            ..NodeInfo::default()
        },
        target: NodeInfo::default(),
    }
}

fn start(runtime: &Runtime, factory: &ViewFactory, conn: &Arc<Connection>, url: &str) -> RuntimeId {
    let request = Request::new(url, conn.session().clone());
    runtime
        .start_view(factory, request, conn, W1)
        .expect("the view starts")
}

/// Nodes a test view hands to the test, and a log of what happened in which order.
#[derive(Clone, Default)]
struct Probe {
    nodes: Arc<Mutex<Vec<Node>>>,
    log: Arc<Mutex<Vec<String>>>,
}

impl Probe {
    fn log(&self, entry: impl Into<String>) {
        self.log.lock().push(entry.into());
    }

    fn entries(&self) -> Vec<String> {
        self.log.lock().clone()
    }

    fn node(&self, index: usize) -> Node {
        self.nodes.lock()[index].clone()
    }
}

/// Waits until `condition` holds, polling only as the runtime's state changes are cheap to read.
fn eventually(what: &str, condition: impl Fn() -> bool) {
    let start = Instant::now();
    while !condition() {
        assert!(start.elapsed() < DEADLINE, "timed out waiting for: {what}");
        std::thread::yield_now();
    }
}

// The seed's first app, as a blocking view.

struct ButtonApp {
    probe: Probe,
}

impl View for ButtonApp {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let message = p().with_text("Click the button");
        let button = button().with_text("Click me");
        let root = div().with_child(&message).with_child(&button);
        self.probe
            .nodes
            .lock()
            .extend([button.clone(), message.clone()]);
        cx.show(&root)?;
        cx.await_click(&[&button])?;
        message.set_text("Button clicked");
        cx.show(&root)?;
        Ok(Response::Empty)
    }
}

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
        frame(&conn),
        serde_json::json!([1, id.0.to_string(), 204, null])
    );
    let tree = frame(&conn);
    assert_eq!(tree[2], 203);
    assert_eq!(tree[3][1][0], 502);
    let button = probe.node(0);
    assert_eq!(
        runtime.input_event(&conn, W1, id, click_on(&button, 1)),
        EventOutcome::Accepted
    );
    assert_eq!(
        frame(&conn),
        serde_json::json!([1, id.0.to_string(), 103, 1])
    );
    let update = until(&conn, 203);
    assert_eq!(update[3][1][0], 503);
    assert_eq!(update[3][1][1][0][3][0][2], "Button clicked");
    assert_eq!(until(&conn, 205)[2], 205);
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

    fn hooks(&self) -> &dyn ViewHooks {
        self
    }
}

impl ViewHooks for Ordered {
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
        until(&conn, 203);
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
    until(&conn, 203);
    runtime.input_event(&conn, W1, id, click_on(&probe.node(0), 1));
    // The first click ends the await and the view; the second finds no await.
    until(&conn, 205);
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
    until(&conn, 203);
    // A click on an identical-looking button does not satisfy the wait.
    runtime.input_event(&conn, W1, id, click_on(&probe.node(0), 1));
    eventually("the first click was handled", || {
        runtime.metrics().events_dispatched == 1
    });
    assert!(probe.entries().is_empty());
    runtime.input_event(&conn, W1, id, click_on(&probe.node(1), 2));
    until(&conn, 205);
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
    until(&owner, 203);
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

// Stop releases every kind of wait, in blocking and async views, and hooks run once.

#[derive(Clone, Copy, Debug)]
enum Wait {
    Sleep,
    Click,
    Change,
    Focus,
    Blur,
    Any,
}

const WAITS: [Wait; 6] = [
    Wait::Sleep,
    Wait::Click,
    Wait::Change,
    Wait::Focus,
    Wait::Blur,
    Wait::Any,
];

struct Waiting {
    wait: Wait,
    probe: Probe,
}

impl View for Waiting {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        cx.show(&div().with_text("waiting"))?;
        self.probe.log("waiting");
        let result = match self.wait {
            Wait::Sleep => cx.sleep(Duration::from_secs(3600)),
            Wait::Click => cx.await_click(&[]).map(drop),
            Wait::Change => cx.await_change(&[]).map(drop),
            Wait::Focus => cx.await_focus(&[]).map(drop),
            Wait::Blur => cx.await_blur(&[]).map(drop),
            Wait::Any => cx.await_input_event(&[]).map(drop),
        };
        self.probe.log(format!("woke: {result:?}"));
        result?;
        Ok(Response::Empty)
    }

    fn hooks(&self) -> &dyn ViewHooks {
        self
    }
}

impl ViewHooks for Waiting {
    fn on_stop(&self, reason: Option<&StopReason>) {
        self.probe.log(format!("on_stop {reason:?}"));
    }

    fn on_cleanup(&self) {
        self.probe.log("on_cleanup");
    }
}

struct AsyncWaiting {
    wait: Wait,
    probe: Probe,
}

impl AsyncView for AsyncWaiting {
    async fn handle_request(&self, cx: &AsyncContext, _request: &Request) -> ViewResult {
        cx.show(&div().with_text("waiting"))?;
        self.probe.log("waiting");
        let result = match self.wait {
            Wait::Sleep => cx.sleep(Duration::from_secs(3600)).await,
            Wait::Click => cx.await_click(&[]).await.map(drop),
            Wait::Change => cx.await_change(&[]).await.map(drop),
            Wait::Focus => cx.await_focus(&[]).await.map(drop),
            Wait::Blur => cx.await_blur(&[]).await.map(drop),
            Wait::Any => cx.await_input_event(&[]).await.map(drop),
        };
        self.probe.log(format!("woke: {result:?}"));
        result?;
        Ok(Response::Empty)
    }

    fn hooks(&self) -> &dyn ViewHooks {
        self
    }
}

impl ViewHooks for AsyncWaiting {
    fn on_stop(&self, reason: Option<&StopReason>) {
        self.probe.log(format!("on_stop {reason:?}"));
    }

    fn on_cleanup(&self) {
        self.probe.log("on_cleanup");
    }
}

fn check_stop_releases(factory: &ViewFactory, probe: &Probe, wait: Wait) {
    let runtime = small_runtime();
    let conn = browser(&session("a"));
    let _id = start(&runtime, factory, &conn, "http://localhost/");
    until(&conn, 203);
    eventually("the view waits", || {
        probe.entries().contains(&"waiting".to_owned())
    });
    runtime.connection_closed(&conn);
    eventually("the view ended and was removed", || {
        runtime.view_count() == 0
    });
    let entries = probe.entries();
    assert!(
        entries.contains(&"woke: Err(Stopped(UserAbort))".to_owned()),
        "{wait:?}: {entries:?}"
    );
    assert_eq!(
        entries.iter().filter(|e| e.starts_with("on_stop")).count(),
        1,
        "{wait:?}: {entries:?}"
    );
    assert!(
        entries.contains(&"on_stop Some(UserAbort)".to_owned()),
        "{wait:?}: {entries:?}"
    );
    assert_eq!(
        entries.iter().filter(|e| *e == "on_cleanup").count(),
        1,
        "{wait:?}: {entries:?}"
    );
    runtime.shutdown();
}

#[test]
fn closing_the_connection_releases_every_blocking_wait() {
    for wait in WAITS {
        let probe = Probe::default();
        let factory = {
            let probe = probe.clone();
            ViewFactory::blocking(move |_| Waiting {
                wait,
                probe: probe.clone(),
            })
        };
        check_stop_releases(&factory, &probe, wait);
    }
}

#[test]
fn closing_the_connection_releases_every_async_wait() {
    for wait in WAITS {
        let probe = Probe::default();
        let factory = {
            let probe = probe.clone();
            ViewFactory::asynchronous(move |_| AsyncWaiting {
                wait,
                probe: probe.clone(),
            })
        };
        check_stop_releases(&factory, &probe, wait);
    }
}

#[test]
fn navigating_the_window_stops_the_previous_view() {
    let runtime = small_runtime();
    let probe = Probe::default();
    let factory = {
        let probe = probe.clone();
        ViewFactory::blocking(move |_| Waiting {
            wait: Wait::Click,
            probe: probe.clone(),
        })
    };
    let conn = browser(&session("a"));
    start(&runtime, &factory, &conn, "http://localhost/one");
    eventually("the view waits", || {
        probe.entries().contains(&"waiting".to_owned())
    });
    start(&runtime, &factory, &conn, "http://localhost/two");
    eventually("the first view stopped", || {
        probe
            .entries()
            .contains(&"on_stop Some(UserAbort)".to_owned())
    });
    runtime.shutdown();
}

// A view that ignores its stop is reported as stuck, and nothing waits for it.

struct Stubborn {
    release: Receiver<()>,
}

impl View for Stubborn {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        cx.show(&div())?;
        // Blocks outside the context: the stop cannot reach it.
        let _ = self.release.recv();
        Ok(Response::Empty)
    }
}

#[test]
fn a_view_that_ignores_its_stop_is_counted_as_stuck_and_not_waited_for() {
    let runtime = Runtime::new(RuntimeConfig {
        runtime_threads: 1,
        worker_threads: 1,
        stuck_after: Duration::ZERO,
        ..RuntimeConfig::default()
    });
    let (release, receiver) = unbounded::<()>();
    let factory = ViewFactory::blocking(move |_| Stubborn {
        release: receiver.clone(),
    });
    let conn = browser(&session("a"));
    start(&runtime, &factory, &conn, "http://localhost/");
    until(&conn, 203);
    runtime.connection_closed(&conn);
    eventually("the view is reported stuck", || {
        runtime.metrics().stuck == 1
    });
    release.send(()).expect("the view listens");
    eventually("the view finished and was removed", || {
        runtime.view_count() == 0
    });
    assert_eq!(runtime.metrics().stuck, 0);
    runtime.shutdown();
}

// Panics in each hook: the view shows a 500 page, the pools keep their threads, others go on.

#[derive(Clone, Copy, PartialEq, Debug)]
enum PanicIn {
    Request,
    Root,
    Handler,
    Event,
    OnStop,
    OnCleanup,
}

struct Panicky {
    at: PanicIn,
    probe: Probe,
}

impl View for Panicky {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        assert!(self.at != PanicIn::Request, "boom in handle_request");
        let button = button().with_text("go");
        let at = self.at;
        cx.on_click(&button, move |_, _| {
            assert!(at != PanicIn::Handler, "boom in a node handler");
            Flow::Continue
        });
        self.probe.nodes.lock().push(button.clone());
        cx.show(&div().with_child(&button))?;
        cx.await_click(&[&button])?;
        Ok(Response::Empty)
    }

    fn hooks(&self) -> &dyn ViewHooks {
        self
    }
}

impl ViewHooks for Panicky {
    fn handle_input_event_root(&self, _cx: &EventContext, _event: &InputEvent) -> Flow {
        assert!(self.at != PanicIn::Root, "boom in the root hook");
        Flow::Continue
    }

    fn handle_input_event(&self, _cx: &EventContext, _event: &InputEvent) -> Flow {
        assert!(self.at != PanicIn::Event, "boom in handle_input_event");
        Flow::Continue
    }

    fn on_stop(&self, _reason: Option<&StopReason>) {
        self.probe.log("on_stop");
        assert!(self.at != PanicIn::OnStop, "boom in on_stop");
    }

    fn on_cleanup(&self) {
        self.probe.log("on_cleanup");
        assert!(self.at != PanicIn::OnCleanup, "boom in on_cleanup");
    }
}

fn shows_500(conn: &Connection) -> bool {
    loop {
        let Some(message) = conn.try_next() else {
            return false;
        };
        if message
            .encode()
            .is_some_and(|f| f.contains("500 Internal Error"))
        {
            return true;
        }
    }
}

#[test]
fn a_panic_in_any_hook_is_contained_and_the_runtime_keeps_serving() {
    let runtime = small_runtime();
    for at in [
        PanicIn::Request,
        PanicIn::Root,
        PanicIn::Handler,
        PanicIn::Event,
        PanicIn::OnStop,
        PanicIn::OnCleanup,
    ] {
        let probe = Probe::default();
        let factory = {
            let probe = probe.clone();
            ViewFactory::blocking(move |_| Panicky {
                at,
                probe: probe.clone(),
            })
        };
        let conn = browser(&session("a"));
        let id = start(&runtime, &factory, &conn, "http://localhost/");
        match at {
            PanicIn::Request => {
                eventually("the 500 page", || shows_500(&conn));
            }
            PanicIn::Root | PanicIn::Handler => {
                until(&conn, 203);
                runtime.input_event(&conn, W1, id, click_on(&probe.node(0), 1));
                eventually("the 500 page", || shows_500(&conn));
            }
            PanicIn::Event => {
                // The await takes the click before handle_input_event would; a second click
                // after the view finished reaches the hook.
                until(&conn, 203);
                runtime.input_event(&conn, W1, id, click_on(&probe.node(0), 1));
                until(&conn, 205);
                runtime.input_event(&conn, W1, id, click_on(&probe.node(0), 2));
                eventually("the 500 page", || shows_500(&conn));
            }
            PanicIn::OnStop | PanicIn::OnCleanup => {
                until(&conn, 203);
                runtime.connection_closed(&conn);
                eventually("the view was removed", || runtime.view_count() == 0);
                let entries = probe.entries();
                assert!(
                    entries.contains(&"on_stop".to_owned())
                        && entries.contains(&"on_cleanup".to_owned()),
                    "{at:?}"
                );
            }
        }
        runtime.connection_closed(&conn);
        eventually("the view was removed", || runtime.view_count() == 0);
    }
    // Every panic was caught; the pools kept their threads, and a new view still works.
    assert!(
        runtime.metrics().view_panics >= 5,
        "{:?}",
        runtime.metrics()
    );
    let probe = Probe::default();
    let factory = {
        let probe = probe.clone();
        ViewFactory::blocking(move |_| ButtonApp {
            probe: probe.clone(),
        })
    };
    let conn = browser(&session("b"));
    let id = start(&runtime, &factory, &conn, "http://localhost/");
    until(&conn, 203);
    runtime.input_event(&conn, W1, id, click_on(&probe.node(0), 1));
    until(&conn, 205);
    assert_eq!(runtime.metrics().runtime_pool.threads, 2);
    runtime.shutdown();
}

#[test]
fn errors_from_handle_request_show_the_matching_error_page() {
    struct Failing(u16);
    impl View for Failing {
        fn handle_request(&self, _cx: &Context, _request: &Request) -> ViewResult {
            match self.0 {
                403 => Err(ViewError::Forbidden),
                404 => Err(ViewError::NotFound),
                _ => Err(std::io::Error::other("disk on fire").into()),
            }
        }
    }
    let runtime = small_runtime();
    for (status, text) in [
        (403, "403 Forbidden"),
        (404, "404 Not Found"),
        (500, "500 Internal Error"),
    ] {
        let factory = ViewFactory::blocking(move |_| Failing(status));
        let conn = browser(&session("a"));
        start(&runtime, &factory, &conn, "http://localhost/");
        let page = until(&conn, 203).to_string();
        assert!(page.contains(text), "{page}");
        assert!(
            !page.contains("disk on fire"),
            "internal errors stay in the log"
        );
    }
    runtime.shutdown();
}

#[test]
fn the_error_page_comes_from_the_config_and_a_broken_one_falls_back() {
    struct Missing;
    impl View for Missing {
        fn handle_request(&self, _cx: &Context, _request: &Request) -> ViewResult {
            Err(ViewError::NotFound)
        }
    }
    let factory = ViewFactory::blocking(|_| Missing);
    let runtime = Runtime::new(RuntimeConfig {
        error_page: ErrorPage::new(|status| p().with_text(format!("custom {status}"))),
        ..RuntimeConfig::default()
    });
    let conn = browser(&session("a"));
    start(&runtime, &factory, &conn, "http://localhost/");
    let page = until(&conn, 203).to_string();
    assert!(page.contains("custom 404"), "{page}");
    runtime.shutdown();

    let runtime = Runtime::new(RuntimeConfig {
        error_page: ErrorPage::new(|_| panic!("broken error page")),
        ..RuntimeConfig::default()
    });
    let conn = browser(&session("a"));
    start(&runtime, &factory, &conn, "http://localhost/");
    let page = until(&conn, 203).to_string();
    assert!(page.contains("404 Not Found"), "{page}");
    runtime.shutdown();
}

#[test]
fn crash_shows_the_500_page_counts_a_panic_and_stops_the_view() {
    struct Handing {
        handles: Sender<ViewHandle>,
        probe: Probe,
    }
    impl View for Handing {
        fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
            cx.show(&div().with_text("running"))?;
            let _ = self.handles.send(ViewHandle::clone(cx));
            let result = cx.sleep(Duration::from_secs(3600));
            self.probe.log(format!("woke: {result:?}"));
            result?;
            Ok(Response::Empty)
        }
    }
    let probe = Probe::default();
    let (handles, handle) = unbounded();
    let factory = {
        let probe = probe.clone();
        ViewFactory::blocking(move |_| Handing {
            handles: handles.clone(),
            probe: probe.clone(),
        })
    };
    let runtime = small_runtime();
    let conn = browser(&session("a"));
    start(&runtime, &factory, &conn, "http://localhost/");
    assert!(until(&conn, 203).to_string().contains("running"));
    let handle = handle.recv().expect("the view hands out its handle");

    handle.crash("a channel handler panicked");
    let page = until(&conn, 203).to_string();
    assert!(page.contains("500 Internal Error"), "{page}");
    assert!(handle.is_stopped());
    eventually("the view ended", || runtime.view_count() == 0);
    assert!(
        probe
            .entries()
            .contains(&"woke: Err(Stopped(Crashed))".to_owned()),
        "{:?}",
        probe.entries()
    );
    assert_eq!(runtime.metrics().view_panics, 1);
    // A second crash of a stopped view changes nothing.
    handle.crash("again");
    assert_eq!(runtime.metrics().view_panics, 1);
    runtime.shutdown();
}

/// A view run once: what `run_once` hands back, and what the view logged.
fn run_once(runtime: &Runtime, factory: &ViewFactory) -> Result<Response, u16> {
    let (tx, rx) = unbounded();
    runtime
        .run_once(
            factory,
            Request::new("http://localhost/page", session("a")),
            move |outcome| {
                let _ = tx.send(outcome);
            },
        )
        .expect("the pool takes the job");
    rx.recv_timeout(DEADLINE).expect("the run ends")
}

#[derive(Clone, Copy)]
enum Once {
    Returns,
    Shows,
    Forbids,
    Panics,
    Waits,
}

struct OnceView {
    what: Once,
    probe: Probe,
}

impl View for OnceView {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        match self.what {
            Once::Returns => Ok(Response::Node(p().with_text("returned"))),
            Once::Shows => {
                cx.show(&p().with_text("shown"))?;
                Ok(Response::Empty)
            }
            Once::Forbids => Err(ViewError::Forbidden),
            Once::Panics => panic!("a non-interactive view panics"),
            Once::Waits => {
                let waited = cx.await_click(&[]);
                self.probe.log(format!("waited: {waited:?}"));
                waited?;
                Ok(Response::Empty)
            }
        }
    }

    fn hooks(&self) -> &dyn ViewHooks {
        self
    }
}

impl ViewHooks for OnceView {
    fn on_stop(&self, reason: Option<&StopReason>) {
        self.probe.log(format!("on_stop {reason:?}"));
    }

    fn on_cleanup(&self) {
        self.probe.log("on_cleanup");
    }
}

#[test]
fn run_once_answers_with_the_returned_or_shown_tree_or_an_error_status() {
    let runtime = small_runtime();
    let probe = Probe::default();
    let factory = |what: Once| {
        let probe = probe.clone();
        ViewFactory::blocking(move |_| OnceView {
            what,
            probe: probe.clone(),
        })
    };
    let text = |outcome: Result<Response, u16>| match outcome {
        Ok(Response::Node(node)) => node.text_content(),
        other => panic!("a tree, not {other:?}"),
    };
    assert_eq!(
        text(run_once(&runtime, &factory(Once::Returns))),
        "returned"
    );
    assert_eq!(text(run_once(&runtime, &factory(Once::Shows))), "shown");
    assert_eq!(run_once(&runtime, &factory(Once::Forbids)).err(), Some(403));
    assert_eq!(run_once(&runtime, &factory(Once::Panics)).err(), Some(500));
    assert_eq!(runtime.metrics().view_panics, 1);
    // A wait for input can never end without a browser: it fails at once, the run is a 500.
    assert_eq!(run_once(&runtime, &factory(Once::Waits)).err(), Some(500));
    eventually("the hooks of the last run", || {
        probe
            .entries()
            .iter()
            .filter(|e| *e == "on_cleanup")
            .count()
            == 5
    });
    let entries = probe.entries();
    assert!(
        entries.contains(&"waited: Err(Stopped(NotInteractive))".to_owned()),
        "{entries:?}"
    );
    assert_eq!(
        entries.iter().filter(|e| *e == "on_stop None").count(),
        5,
        "{entries:?}"
    );
    assert_eq!(runtime.view_count(), 0, "runs are never listed as views");
    runtime.shutdown();
}

#[test]
fn run_once_runs_async_views_too() {
    struct Greets;
    impl AsyncView for Greets {
        async fn handle_request(&self, cx: &AsyncContext, _request: &Request) -> ViewResult {
            cx.sleep(Duration::from_millis(1)).await?;
            let waited = cx.await_click(&[]).await;
            assert!(matches!(waited, Err(Stopped(StopReason::NotInteractive))));
            Ok(Response::Node(p().with_text("async page")))
        }
    }
    let runtime = small_runtime();
    let outcome = run_once(&runtime, &ViewFactory::asynchronous(|_| Greets));
    match outcome {
        Ok(Response::Node(node)) => assert_eq!(node.text_content(), "async page"),
        other => panic!("a tree, not {other:?}"),
    }
    runtime.shutdown();
}

// Saturation: 1,000 blocking views on a pool of 4. None is lost; the worker pool (the HTTP
// path) is not affected.

struct Parked {
    release: Receiver<()>,
    started: Sender<()>,
}

impl View for Parked {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let _ = self.started.send(());
        cx.show(&div())?;
        let _ = self.release.recv();
        Ok(Response::Empty)
    }
}

#[test]
fn a_thousand_views_on_four_threads_queue_none_is_lost_and_the_worker_pool_stays_free() {
    let runtime = Runtime::new(RuntimeConfig {
        runtime_threads: 4,
        // Four run and 996 wait: exactly the thousand.
        runtime_queue: 996,
        worker_threads: 2,
        ..RuntimeConfig::default()
    });
    let (release, release_rx) = unbounded::<()>();
    let (started_tx, started) = unbounded::<()>();
    let factory = ViewFactory::blocking(move |_| Parked {
        release: release_rx.clone(),
        started: started_tx.clone(),
    });
    let conns: Vec<Arc<Connection>> = (0..1_000)
        .map(|i| browser(&session(&format!("s{i}"))))
        .collect();
    for conn in &conns {
        start(&runtime, &factory, conn, "http://localhost/");
    }
    // Four run; the rest were told they are queued.
    for _ in 0..4 {
        started.recv_timeout(DEADLINE).expect("four views start");
    }
    let queued = conns.iter().filter(|c| {
        std::iter::from_fn(|| c.try_next())
            .any(|m| m.encode().is_some_and(|f| f.contains("lona-queued")))
    });
    assert!(queued.count() >= 990, "queued views are told so");

    // A full runtime pool refuses with Busy instead of hanging.
    let extra = browser(&session("extra"));
    let refused = runtime.start_view(
        &factory,
        Request::new("http://localhost/", extra.session().clone()),
        &extra,
        W1,
    );
    assert_eq!(refused, Err(StartError::Busy));

    // The HTTP path (the worker pool) answers at once while all views are parked.
    let (answer, answered) = unbounded::<&str>();
    runtime
        .worker_pool()
        .try_submit(move || {
            let _ = answer.send("hello");
        })
        .expect("the worker pool takes HTTP work");
    assert_eq!(answered.recv_timeout(DEADLINE), Ok("hello"));

    // Releasing them one by one lets every view run: none was lost.
    for _ in 0..1_000 {
        release.send(()).expect("views listen");
    }
    for _ in 4..1_000 {
        started
            .recv_timeout(DEADLINE)
            .expect("every queued view starts");
    }
    runtime.shutdown();
}

#[test]
fn a_thousand_async_views_wait_at_once_without_holding_threads() {
    let runtime = Runtime::new(RuntimeConfig {
        runtime_threads: 1,
        worker_threads: 2,
        ..RuntimeConfig::default()
    });
    let probe = Probe::default();
    let factory = {
        let probe = probe.clone();
        ViewFactory::asynchronous(move |_| AsyncWaiting {
            wait: Wait::Click,
            probe: probe.clone(),
        })
    };
    let conns: Vec<Arc<Connection>> = (0..1_000)
        .map(|i| browser(&session(&format!("s{i}"))))
        .collect();
    for conn in &conns {
        start(&runtime, &factory, conn, "http://localhost/");
    }
    eventually("all wait", || {
        probe.entries().iter().filter(|e| *e == "waiting").count() == 1_000
    });
    assert_eq!(runtime.metrics().worker_pool.busy, 0);
    for conn in &conns {
        runtime.connection_closed(conn);
    }
    eventually("all ended", || runtime.view_count() == 0);
    runtime.shutdown();
}

// Daemon views.

struct Counter {
    probe: Probe,
}

impl View for Counter {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        cx.daemonize();
        let count = span().with_text("0");
        let plus = button().with_text("+1");
        let root = div().with_child(&count).with_child(&plus);
        cx.on_click(&plus, {
            let count = count.clone();
            move |_, _| {
                let _lock = count.lock();
                let n: u32 = count.text_content().parse().unwrap_or(0);
                count.set_text((n + 1).to_string());
                Flow::Handled
            }
        });
        self.probe.nodes.lock().extend([plus, count]);
        cx.show(&root)?;
        Ok(Response::Empty)
    }
}

#[test]
fn a_daemon_outlives_its_browser_and_the_same_session_reattaches_to_the_full_tree() {
    let runtime = small_runtime();
    let probe = Probe::default();
    let factory = {
        let probe = probe.clone();
        ViewFactory::blocking(move |_| Counter {
            probe: probe.clone(),
        })
    };
    let me = session("me");
    let first = browser(&me);
    let id = start(&runtime, &factory, &first, "http://localhost/counter");
    until(&first, 205);
    runtime.input_event(&first, W1, id, click_on(&probe.node(0), 1));
    until(&first, 203);
    runtime.connection_closed(&first);
    assert_eq!(
        runtime.view_count(),
        1,
        "a daemon keeps running with nobody attached"
    );

    // The same session on the same URL gets the same view, with the whole current tree.
    let again = browser(&me);
    assert_eq!(
        start(&runtime, &factory, &again, "http://localhost/counter"),
        id
    );
    assert_eq!(frame(&again)[2], 204);
    let tree = frame(&again);
    assert_eq!(tree[3][1][0], 502);
    assert!(
        tree.to_string().contains(r#"[402,"#) && tree.to_string().contains(r#""1"]"#),
        "{tree}"
    );

    // Another session gets its own view.
    let other = browser(&session("other"));
    assert_ne!(
        start(&runtime, &factory, &other, "http://localhost/counter"),
        id
    );
    runtime.shutdown();
}

#[test]
fn two_tabs_on_one_daemon_both_receive_its_patches() {
    let runtime = small_runtime();
    let probe = Probe::default();
    let factory = {
        let probe = probe.clone();
        ViewFactory::blocking(move |_| Counter {
            probe: probe.clone(),
        })
    };
    let me = session("me");
    let (tab1, tab2) = (browser(&me), browser(&me));
    let id = start(&runtime, &factory, &tab1, "http://localhost/counter");
    until(&tab1, 205);
    assert_eq!(
        start(&runtime, &factory, &tab2, "http://localhost/counter"),
        id
    );
    until(&tab2, 203);
    runtime.input_event(&tab2, W1, id, click_on(&probe.node(0), 1));
    for tab in [&tab1, &tab2] {
        let update = until(tab, 203);
        assert_eq!(update[3][1][0], 503, "{update}");
        assert!(update.to_string().contains(r#""1"]"#), "{update}");
    }
    // The ACK went to the tab that clicked only.
    assert!(
        std::iter::from_fn(|| tab1.try_next())
            .all(|m| !m.encode().unwrap_or_default().contains(",103,"))
    );
    runtime.shutdown();
}

// Outbox overflow: a client that does not read gets merged updates, then is closed.

struct Ticker {
    done: Sender<()>,
}

impl View for Ticker {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let count = span().with_text("0");
        let root = div().with_child(&count);
        cx.show(&root)?;
        for i in 1..=500 {
            count.set_text(i.to_string());
            cx.flush()?;
        }
        let _ = self.done.send(());
        Ok(Response::Empty)
    }
}

#[test]
fn a_slow_client_gets_merged_updates_and_a_client_too_far_behind_is_closed() {
    let runtime = small_runtime();
    let (done_tx, done) = unbounded();
    let factory = ViewFactory::blocking(move |_| Ticker {
        done: done_tx.clone(),
    });
    let conn = Connection::new(
        session("me"),
        OutboxLimits {
            merge_at: 8,
            close_at: 32,
        },
    );
    start(&runtime, &factory, &conn, "http://localhost/ticker");
    // The client reads nothing while the view sends 500 updates of the same text.
    done.recv_timeout(DEADLINE).expect("the view finished");
    assert!(conn.queued() < 32, "queued: {}", conn.queued());
    assert!(conn.merges() > 0);
    assert!(!conn.is_closed());
    // What the client finally reads ends with the latest text.
    let frames: Vec<String> = std::iter::from_fn(|| conn.try_next())
        .filter_map(|m| m.encode())
        .collect();
    let last_update = frames.iter().rev().find(|f| f.contains("[503,"));
    assert!(
        last_update.is_some_and(|f| f.contains(r#""500"]"#)),
        "{frames:?}"
    );
    runtime.shutdown();

    // Updates that cannot be merged (every one inserts a new node) close the connection.
    let conn = Connection::new(
        session("x"),
        OutboxLimits {
            merge_at: 8,
            close_at: 32,
        },
    );
    for i in 0..40u64 {
        let patch = lona_html::Patch::new(
            NodeId::from_raw(1),
            lona_html::PatchOp::Nodes(lona_html::NodesOp::Insert(
                0,
                li().with_text(i.to_string()).snapshot(),
            )),
        );
        conn.send(Outgoing::Update {
            window: W1,
            runtime: RuntimeId(1),
            title: Arc::from(""),
            patches: Arc::new(vec![patch]),
        });
    }
    assert!(conn.is_closed());
    assert!(matches!(
        next(&conn),
        Outgoing::Close(crate::CloseReason::Lagging)
    ));
}

// Concurrent edits of one tree from the request thread and event handlers.

struct Busy {
    probe: Probe,
    done: Sender<()>,
}

impl View for Busy {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let list = ul();
        let counter = span().with_text("0");
        let plus = button();
        let root = div()
            .with_child(&list)
            .with_child(&counter)
            .with_child(&plus);
        cx.on_click(&plus, {
            let (list, counter) = (list.clone(), counter.clone());
            move |_, _| {
                list.append(li().with_text("from a handler"));
                let _lock = counter.lock();
                let n: u32 = counter.text_content().parse().unwrap_or(0);
                counter.set_text((n + 1).to_string());
                Flow::Handled
            }
        });
        self.probe
            .nodes
            .lock()
            .extend([plus, counter.clone(), list.clone()]);
        cx.show(&root)?;
        for i in 0..500 {
            list.append(li().with_text(format!("from the view {i}")));
            {
                let _lock = counter.lock();
                let n: u32 = counter.text_content().parse().unwrap_or(0);
                counter.set_text((n + 1).to_string());
            }
            cx.flush()?;
        }
        let _ = self.done.send(());
        Ok(Response::Empty)
    }
}

#[test]
fn the_view_thread_and_event_handlers_edit_one_tree_at_once_without_losing_an_edit() {
    let runtime = Runtime::new(RuntimeConfig {
        runtime_threads: 2,
        worker_threads: 4,
        ..RuntimeConfig::default()
    });
    let probe = Probe::default();
    let (done_tx, done) = unbounded();
    let factory = {
        let probe = probe.clone();
        ViewFactory::blocking(move |_| Busy {
            probe: probe.clone(),
            done: done_tx.clone(),
        })
    };
    let conn = Connection::new(
        session("a"),
        OutboxLimits {
            merge_at: 100_000,
            close_at: 200_000,
        },
    );
    let id = start(&runtime, &factory, &conn, "http://localhost/");
    until(&conn, 203);
    let plus = probe.node(0);
    for event_id in 1..=500 {
        runtime.input_event(&conn, W1, id, click_on(&plus, event_id));
    }
    done.recv_timeout(DEADLINE)
        .expect("the view finished its loop");
    eventually("every click handled", || {
        runtime.metrics().events_dispatched == 500
    });
    assert_eq!(probe.node(1).text_content(), "1000");
    assert_eq!(probe.node(2).child_count(), 1000);
    runtime.shutdown();
}

// Handlers do not keep a tree alive: when the view ends, its nodes are freed.

struct Leaky {
    weak: Arc<Mutex<Vec<WeakNode>>>,
}

impl View for Leaky {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let button = button();
        let root = div().with_child(&button);
        // The handler captures its own node and the root: a cycle if handlers lived on nodes.
        cx.on_click(&button, {
            let (button, root) = (button.clone(), root.clone());
            move |_, _| {
                button.set_text("clicked");
                root.class_list().add("x");
                Flow::Handled
            }
        });
        self.weak
            .lock()
            .extend([root.downgrade(), button.downgrade()]);
        cx.show(&root)?;
        cx.await_click(&[])?;
        Ok(Response::Empty)
    }
}

#[test]
fn no_node_of_a_view_outlives_the_view() {
    let runtime = small_runtime();
    let weak = Arc::new(Mutex::new(Vec::new()));
    let factory = {
        let weak = Arc::clone(&weak);
        ViewFactory::blocking(move |_| Leaky {
            weak: Arc::clone(&weak),
        })
    };
    for blocking_finish in [true, false] {
        let conn = browser(&session("a"));
        let id = start(&runtime, &factory, &conn, "http://localhost/");
        until(&conn, 203);
        if blocking_finish {
            let button = weak.lock()[1].upgrade().expect("alive while the view runs");
            runtime.input_event(&conn, W1, id, click_on(&button, 1));
            until(&conn, 203);
        }
        runtime.connection_closed(&conn);
        eventually("the view was removed", || runtime.view_count() == 0);
        eventually("its nodes were freed", || {
            weak.lock().iter().all(|w| w.upgrade().is_none())
        });
        weak.lock().clear();
    }
    runtime.shutdown();
}

#[test]
fn shutdown_stops_every_view_and_closes_connections_with_a_reason() {
    let runtime = small_runtime();
    let probe = Probe::default();
    let factory = {
        let probe = probe.clone();
        ViewFactory::blocking(move |_| Waiting {
            wait: Wait::Click,
            probe: probe.clone(),
        })
    };
    let conn = browser(&session("a"));
    start(&runtime, &factory, &conn, "http://localhost/");
    eventually("the view waits", || {
        probe.entries().contains(&"waiting".to_owned())
    });
    runtime.shutdown();
    eventually("on_stop ran", || {
        probe
            .entries()
            .contains(&"on_stop Some(ServerStop)".to_owned())
    });
    let last = std::iter::from_fn(|| conn.try_next()).last();
    assert!(
        matches!(last, Some(Outgoing::Close(crate::CloseReason::ServerStop))),
        "{last:?}"
    );
    let again = browser(&session("b"));
    let refused = runtime.start_view(
        &factory,
        Request::new("http://localhost/", again.session().clone()),
        &again,
        W1,
    );
    assert_eq!(refused, Err(StartError::ShuttingDown));
}

#[test]
fn stop_view_tells_the_windows_and_stops_only_that_view() {
    let runtime = small_runtime();
    let probe = Probe::default();
    let factory = {
        let probe = probe.clone();
        ViewFactory::blocking(move |_| Waiting {
            wait: Wait::Click,
            probe: probe.clone(),
        })
    };
    let conn = browser(&session("a"));
    let other = browser(&session("b"));
    let id = start(&runtime, &factory, &conn, "http://localhost/");
    let kept = start(&runtime, &factory, &other, "http://localhost/");
    eventually("both views wait", || {
        probe.entries().iter().filter(|e| *e == "waiting").count() == 2
    });
    let listed: Vec<RuntimeId> = runtime.views().iter().map(|v| v.id).collect();
    assert_eq!(listed, [id, kept]);
    assert!(runtime.stop_view(id));
    assert!(
        !runtime.stop_view(id),
        "a stopped view is not stopped twice"
    );
    assert!(!runtime.stop_view(RuntimeId(999_999)));
    assert_eq!(until(&conn, 205)[1], id.0.to_string());
    eventually("on_stop ran", || {
        probe
            .entries()
            .contains(&"on_stop Some(ServerStop)".to_owned())
    });
    eventually("the stopped view is gone", || {
        runtime.views().iter().all(|v| v.id != id)
    });
    assert!(runtime.views().iter().any(|v| v.id == kept && !v.stopped));
    runtime.shutdown();
}

#[test]
fn views_report_whether_they_wait_for_input_or_sleep() {
    let runtime = small_runtime();
    let probe = Probe::default();
    let factory = |wait: fn() -> Wait, blocking: bool| {
        let probe = probe.clone();
        if blocking {
            ViewFactory::blocking(move |_| Waiting {
                wait: wait(),
                probe: probe.clone(),
            })
        } else {
            ViewFactory::asynchronous(move |_| AsyncWaiting {
                wait: wait(),
                probe: probe.clone(),
            })
        }
    };
    // One browser each: a second view in the same window would replace the first.
    let conns = [session("a"), session("b"), session("c")].map(|s| browser(&s));
    let factories = [
        factory(|| Wait::Click, true),
        factory(|| Wait::Sleep, true),
        factory(|| Wait::Any, false),
    ];
    let [clicking, sleeping, awaiting] =
        [0, 1, 2].map(|n| start(&runtime, &factories[n], &conns[n], "http://localhost/"));
    let state_of = |id: RuntimeId| {
        runtime
            .views()
            .into_iter()
            .find(|v| v.id == id)
            .map(|v| v.state)
    };
    for (id, state) in [
        (clicking, ViewState::WaitingForInput),
        (sleeping, ViewState::Sleeping),
        (awaiting, ViewState::WaitingForInput),
    ] {
        eventually(&format!("view {id} is {}", state.name()), || {
            state_of(id) == Some(state.clone())
        });
    }
    assert_eq!(ViewState::WaitingForInput.name(), "WAITING_FOR_INPUT");
    assert!(runtime.stop_view(sleeping));
    eventually("the stopped view says so until it is gone", || {
        matches!(
            state_of(sleeping),
            None | Some(ViewState::Stopped(StopReason::ServerStop))
        )
    });
    assert_eq!(state_of(clicking), Some(ViewState::WaitingForInput));
    runtime.shutdown();
}

#[test]
fn requests_parse_their_url() {
    let request = Request::new(
        "http://localhost:8080/search/?q=a+b&x=%C3%A9&bad=%zz#frag",
        session("s"),
    );
    assert_eq!(request.path, "/search/");
    assert_eq!(request.query("q"), Some("a b"));
    assert_eq!(request.query("x"), Some("é"));
    assert_eq!(request.query("bad"), Some("%zz"));
    assert_eq!(request.method(), "GET");
}

// Events of two views in one browser tab run in parallel (Lona serialises a whole socket).

struct Gate {
    probe: Probe,
    /// The first view's handler waits for this; the second view's handler opens it.
    wait: Option<Receiver<()>>,
    open: Option<Sender<()>>,
}

impl View for Gate {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let button = button();
        let wait = self.wait.clone();
        let open = self.open.clone();
        let probe = self.probe.clone();
        cx.on_click(&button, move |_, _| {
            if let Some(wait) = &wait {
                probe.log("slow handler waits");
                let released = wait.recv_timeout(DEADLINE).is_ok();
                probe.log(format!("slow handler released: {released}"));
            }
            if let Some(open) = &open {
                probe.log("fast handler runs");
                let _ = open.send(());
            }
            Flow::Handled
        });
        self.probe.nodes.lock().push(button.clone());
        Ok(Response::Node(div().with_child(&button)))
    }
}

#[test]
fn a_slow_handler_in_one_window_does_not_hold_up_another_window_of_the_same_tab() {
    let runtime = small_runtime();
    let (open, wait) = unbounded::<()>();
    // One log for both views, one node slot each.
    let probe = Probe::default();
    let slow_probe = Probe {
        nodes: Arc::default(),
        log: Arc::clone(&probe.log),
    };
    let fast_probe = Probe {
        nodes: Arc::default(),
        log: Arc::clone(&probe.log),
    };
    let slow = {
        let (probe, wait) = (slow_probe.clone(), wait);
        ViewFactory::blocking(move |_| Gate {
            probe: probe.clone(),
            wait: Some(wait.clone()),
            open: None,
        })
    };
    let fast = {
        let (probe, open) = (fast_probe.clone(), open);
        ViewFactory::blocking(move |_| Gate {
            probe: probe.clone(),
            wait: None,
            open: Some(open.clone()),
        })
    };
    let tab = browser(&session("a"));
    let (w1, w2) = (WindowId(1), WindowId(2));
    let slow_id = runtime
        .start_view(
            &slow,
            Request::new("http://localhost/slow", tab.session().clone()),
            &tab,
            w1,
        )
        .expect("starts");
    let fast_id = runtime
        .start_view(
            &fast,
            Request::new("http://localhost/fast", tab.session().clone()),
            &tab,
            w2,
        )
        .expect("starts");
    eventually("both views show their trees", || {
        !slow_probe.nodes.lock().is_empty() && !fast_probe.nodes.lock().is_empty()
    });
    let outcome = runtime.input_event(&tab, w1, slow_id, click_on(&slow_probe.node(0), 1));
    assert_eq!(outcome, EventOutcome::Accepted);
    eventually("the slow handler waits", || {
        probe.entries().contains(&"slow handler waits".to_owned())
    });
    runtime.input_event(&tab, w2, fast_id, click_on(&fast_probe.node(0), 1));
    eventually("the slow handler was released", || {
        probe
            .entries()
            .iter()
            .any(|e| e.starts_with("slow handler released"))
    });
    assert!(
        probe
            .entries()
            .contains(&"slow handler released: true".to_owned()),
        "{:?}",
        probe.entries()
    );
    runtime.shutdown();
}

// Kept guards end with the view; custom messages reach the windows as they are.

struct Keeper {
    dropped: Arc<Mutex<bool>>,
}

struct Guard(Arc<Mutex<bool>>);

impl Drop for Guard {
    fn drop(&mut self) {
        *self.0.lock() = true;
    }
}

impl View for Keeper {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        cx.keep_until_cleanup(Guard(Arc::clone(&self.dropped)));
        cx.show(&div())?;
        cx.send_custom("hello from the view")?;
        cx.send_custom("lona:[1,null,205,null]")?;
        cx.send_custom("the last message")?;
        cx.await_click(&[])?;
        Ok(Response::Empty)
    }
}

#[test]
fn kept_guards_end_at_cleanup_and_custom_messages_pass_through() {
    let runtime = small_runtime();
    let dropped = Arc::new(Mutex::new(false));
    let factory = {
        let dropped = Arc::clone(&dropped);
        ViewFactory::blocking(move |_| Keeper {
            dropped: Arc::clone(&dropped),
        })
    };
    let conn = browser(&session("a"));
    start(&runtime, &factory, &conn, "http://localhost/");
    // Everything the view sent, up to its last message: the view's thread sends them after
    // the test saw the first frames, so read until the last one arrives.
    let mut frames: Vec<String> = Vec::new();
    while frames.last().is_none_or(|f| f != "the last message") {
        frames.extend(next(&conn).encode());
    }
    assert!(
        frames.iter().any(|f| f == "hello from the view"),
        "{frames:?}"
    );
    assert!(
        !frames.iter().any(|f| f == "lona:[1,null,205,null]"),
        "a fake protocol frame is refused"
    );
    assert!(!*dropped.lock());
    runtime.connection_closed(&conn);
    eventually("the view was cleaned up", || runtime.view_count() == 0);
    assert!(*dropped.lock());
    runtime.shutdown();
}

#[test]
fn broadcast_custom_reaches_every_connection_once_that_the_filter_takes() {
    struct Shout;
    impl View for Shout {
        fn handle_request(&self, cx: &Context, request: &Request) -> ViewResult {
            cx.show(&div())?;
            if request.path == "/shout" {
                let sent = cx.broadcast_custom("to everyone but bob", |connection| {
                    &*connection.session().0 != "bob"
                })?;
                cx.send_custom(&format!("sent to {sent}"))?;
                assert_eq!(cx.broadcast_custom("lona:[1,null,205,null]", |_| true)?, 0);
            }
            Ok(Response::Empty)
        }
    }
    let runtime = small_runtime();
    let factory = ViewFactory::blocking(|_| Shout);
    let (ada, bob, eve) = (
        browser(&session("ada")),
        browser(&session("bob")),
        browser(&session("eve")),
    );
    start(&runtime, &factory, &ada, "http://localhost/");
    start(&runtime, &factory, &bob, "http://localhost/");
    // Eve shows two views in two windows: she still gets the message once.
    start(&runtime, &factory, &eve, "http://localhost/");
    runtime
        .start_view(
            &factory,
            Request::new("http://localhost/", session("eve")),
            &eve,
            WindowId(2),
        )
        .expect("a second window");
    for conn in [&ada, &bob, &eve] {
        until(conn, 205);
    }
    until(&eve, 205);
    // Zed's view broadcasts; zed shows a view too, so zed gets it as well.
    let zed = browser(&session("zed"));
    start(&runtime, &factory, &zed, "http://localhost/shout");
    let mut to_zed = Vec::new();
    loop {
        let text = next(&zed).encode().expect("a frame");
        match text.strip_prefix("lona:") {
            Some(json) if serde_json::from_str::<Json>(json).expect("JSON")[2] == 205 => break,
            Some(_) => {}
            None => to_zed.push(text),
        }
    }
    assert_eq!(to_zed, ["to everyone but bob", "sent to 3"]);
    // The broadcast went out before zed's VIEW_STOP, so it is queued for the others already.
    let custom = |conn: &Connection| -> Vec<String> {
        std::iter::from_fn(|| conn.try_next())
            .filter_map(|m| m.encode())
            .filter(|f| !f.starts_with("lona:"))
            .collect()
    };
    assert_eq!(custom(&ada), ["to everyone but bob"]);
    assert!(custom(&bob).is_empty(), "the filter left bob out");
    assert_eq!(custom(&eve), ["to everyone but bob"], "once per connection");
    runtime.shutdown();
}

// Forms and widgets: what the browser changed itself is applied on the server before the event
// is dispatched, and is not echoed to the window that changed it (Lona's issuer filtering).

fn wire_event(node: &Node, event_id: u64, kind: EventKind) -> WireEvent {
    let info = NodeInfo {
        node_id: Some(node.id()),
        ..NodeInfo::default()
    };
    WireEvent {
        event_id,
        kind,
        node: info.clone(),
        target: info,
    }
}

fn change_on(node: &Node, event_id: u64, value: ChangeValue) -> WireEvent {
    wire_event(node, event_id, EventKind::Change(value))
}

fn widget_change(node: &Node, event_id: u64, path: Value, value: Value) -> WireEvent {
    let data = Value::map([("path", path), ("value", value)]);
    let name = WIDGET_DATA_EVENT.to_owned();
    wire_event(node, event_id, EventKind::Custom { name, data })
}

/// The patches of a DATA frame with an HTML_UPDATE.
fn patches(update: &Json) -> Vec<Json> {
    assert_eq!(update[3][1][0], 503, "an HTML_UPDATE: {update}");
    update[3][1][1].as_array().expect("a patch list").clone()
}

/// Whether a patch list changes `node` at all.
fn touches(patches: &[Json], node: &Node) -> bool {
    patches.iter().any(|p| p[0] == node.id().to_string())
}

/// Reads frames until a DATA frame whose text contains `marker`; returns the patches of every
/// DATA frame read on the way, that one included.
fn patches_until(conn: &Connection, marker: &str) -> Vec<Json> {
    let mut seen = Vec::new();
    loop {
        let frame = frame(conn);
        if frame[2] != 203 {
            continue;
        }
        seen.extend(patches(&frame));
        if frame.to_string().contains(marker) {
            return seen;
        }
    }
}

/// The nodes of [`FormApp`], by name.
struct FormNodes {
    name: TextInput,
    shout: TextInput,
    agree: Checkbox,
    colors: RadioGroup,
    sizes: Select,
    counter: Node,
    locked: Node,
    echo: Node,
    mark: Node,
}

impl FormNodes {
    fn of(probe: &Probe) -> FormNodes {
        let node = |i: usize| probe.node(i);
        FormNodes {
            name: TextInput::from_node(node(0)).expect("a text input"),
            shout: TextInput::from_node(node(1)).expect("a text input"),
            agree: Checkbox::from_node(node(2)).expect("a checkbox"),
            colors: RadioGroup::from_node(node(3)).expect("a radio group"),
            sizes: Select::from_node(node(4)).expect("a select"),
            counter: node(5),
            locked: node(6),
            echo: node(7),
            mark: node(8),
        }
    }
}

/// A form whose handlers write what the server sees into `echo`; `mark` is clicked to fence
/// the frames of earlier events.
struct FormApp {
    probe: Probe,
    daemon: bool,
}

impl View for FormApp {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        if self.daemon {
            cx.daemonize();
        }
        let name = TextInput::new();
        let shout = TextInput::new();
        let agree = Checkbox::new();
        let colors = RadioGroup::new()
            .with_radio("red", "Red")
            .with_radio("green", "Green")
            .with_radio("blue", "Blue");
        let sizes = Select::multiple()
            .with_option("s", "S")
            .with_option("m", "M")
            .with_option("l", "L");
        let counter = div()
            .with_widget("Counter", Value::map([("count", 0)]))
            .with_widget_sync();
        let locked = div().with_widget("Counter", Value::map([("count", 0)]));
        let echo = span().with_text("-");
        let mark = button().with_text("mark");
        let say = |echo: &Node, text: String| {
            echo.set_text(text);
            Flow::Handled
        };
        cx.on_change(&name, {
            let (name, echo) = (name.clone(), echo.clone());
            move |_, _| say(&echo, format!("name={}", name.value()))
        });
        cx.on_change(&shout, {
            let shout = shout.clone();
            move |_, _| {
                shout.set_value(&shout.value().to_uppercase());
                Flow::Handled
            }
        });
        cx.on_change(&agree, {
            let (agree, echo) = (agree.clone(), echo.clone());
            move |_, _| say(&echo, format!("agree={}", agree.value()))
        });
        cx.on_change(&sizes, {
            let (sizes, echo) = (sizes.clone(), echo.clone());
            move |_, _| say(&echo, format!("sizes={}", sizes.values().join("+")))
        });
        cx.on(&counter, Event::Custom(WIDGET_DATA_EVENT.to_owned()), {
            let (counter, echo) = (counter.clone(), echo.clone());
            move |_, _| {
                let count = counter.widget_data().get();
                let count = count.get(&"count".into()).and_then(Value::as_i64);
                say(&echo, format!("count={count:?}"))
            }
        });
        cx.on_click(&mark, {
            let echo = echo.clone();
            move |_, event| say(&echo, format!("mark{}", event.event_id))
        });
        let root = div()
            .with_child(&name)
            .with_child(&shout)
            .with_child(&agree)
            .with_child(&colors)
            .with_child(&sizes)
            .with_child(&counter)
            .with_child(&locked)
            .with_child(&echo)
            .with_child(&mark);
        self.probe.nodes.lock().extend([
            name.into_node(),
            shout.into_node(),
            agree.into_node(),
            colors.clone().into_node(),
            sizes.into_node(),
            counter,
            locked,
            echo,
            mark,
        ]);
        // Changes of the radios come with the group as their node and its value as theirs.
        let describe = {
            let colors = colors.clone();
            move |how: &str, event: &InputEvent| {
                let target = event.target.as_ref().map(Node::id);
                let radios = colors.radios();
                let radio = radios.iter().find(|r| Some(r.id()) == target);
                format!(
                    "{how}: {:?} value {:?} from {:?}",
                    event.value(),
                    colors.value(),
                    radio.map(|r| r.value())
                )
            }
        };
        cx.on(&colors, Event::CHANGE, {
            let (probe, describe) = (self.probe.clone(), describe.clone());
            move |_, event| {
                probe.log(describe("handler", event));
                Flow::Continue
            }
        });
        cx.show(&root)?;
        let event = cx.await_change(&[&colors])?;
        self.probe.log(describe("await", &event));
        Ok(Response::Empty)
    }
}

fn form_app(daemon: bool) -> (ViewFactory, Probe) {
    let probe = Probe::default();
    let factory = {
        let probe = probe.clone();
        ViewFactory::blocking(move |_| FormApp {
            probe: probe.clone(),
            daemon,
        })
    };
    (factory, probe)
}

#[test]
fn a_typed_value_reaches_the_server_before_the_handlers_and_is_not_echoed() {
    let runtime = small_runtime();
    let (factory, probe) = form_app(false);
    let conn = browser(&session("a"));
    let id = start(&runtime, &factory, &conn, "http://localhost/form");
    until(&conn, 203);
    let nodes = FormNodes::of(&probe);
    let accepted = runtime.input_event(
        &conn,
        W1,
        id,
        change_on(&nodes.name, 1, ChangeValue::Text("Ada".into())),
    );
    assert_eq!(accepted, EventOutcome::Accepted);
    let seen = patches_until(&conn, "name=Ada");
    assert_eq!(nodes.name.value(), "Ada");
    assert!(touches(&seen, &nodes.echo));
    assert!(
        !touches(&seen, &nodes.name),
        "the typing window gets no echo: {seen:?}"
    );

    // A handler that changes the value sends its own value to the typing window.
    runtime.input_event(
        &conn,
        W1,
        id,
        change_on(&nodes.shout, 2, ChangeValue::Text("hey".into())),
    );
    let update = until(&conn, 203);
    let sent = patches(&update);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0][0], nodes.shout.id().to_string());
    assert_eq!(sent[0][4], "HEY");
    assert_eq!(nodes.shout.value(), "HEY");

    // A checkbox and a multiple select, the same way.
    runtime.input_event(
        &conn,
        W1,
        id,
        change_on(&nodes.agree, 3, ChangeValue::Checked(true)),
    );
    runtime.input_event(
        &conn,
        W1,
        id,
        change_on(&nodes.sizes, 4, ChangeValue::Selected(vec![0, 2])),
    );
    let seen = patches_until(&conn, "sizes=s+l");
    assert!(nodes.agree.value());
    assert_eq!(nodes.sizes.values(), ["s", "l"]);
    assert!(
        seen.iter().all(|p| p[0] == nodes.echo.id().to_string()),
        "{seen:?}"
    );
    runtime.shutdown();
}

#[test]
fn another_tab_of_a_daemon_gets_the_value_the_first_one_typed() {
    let runtime = small_runtime();
    let (factory, probe) = form_app(true);
    let me = session("me");
    let (typing, watching) = (browser(&me), browser(&me));
    let id = start(&runtime, &factory, &typing, "http://localhost/form");
    until(&typing, 203);
    assert_eq!(
        start(&runtime, &factory, &watching, "http://localhost/form"),
        id
    );
    until(&watching, 203);
    let nodes = FormNodes::of(&probe);

    runtime.input_event(
        &typing,
        W1,
        id,
        change_on(&nodes.name, 1, ChangeValue::Text("Grace".into())),
    );
    runtime.input_event(&typing, W1, id, click_on(&nodes.mark, 2));
    let typed = patches_until(&typing, "mark2");
    let watched = patches_until(&watching, "mark2");
    assert!(!touches(&typed, &nodes.name), "{typed:?}");
    let value = watched
        .iter()
        .find(|p| p[0] == nodes.name.id().to_string())
        .unwrap_or_else(|| panic!("the other tab gets the value: {watched:?}"));
    assert_eq!(value[3], "value");
    assert_eq!(value[4], "Grace");

    // A radio: the other tab gets the check and the uncheck, the clicking tab neither.
    let radios = nodes.colors.radios();
    runtime.input_event(
        &watching,
        W1,
        id,
        change_on(&radios[0], 3, ChangeValue::Checked(true)),
    );
    eventually("the view saw the first group change", || {
        probe.entries().len() == 2
    });
    runtime.input_event(
        &typing,
        W1,
        id,
        change_on(&radios[2], 4, ChangeValue::Checked(true)),
    );
    runtime.input_event(&typing, W1, id, click_on(&nodes.mark, 5));
    let typed = patches_until(&typing, "mark5");
    let watched = patches_until(&watching, "mark5");
    assert!(
        touches(&typed, &radios[0]),
        "checked in the other tab: {typed:?}"
    );
    assert!(!touches(&typed, &radios[2]), "{typed:?}");
    assert!(
        touches(&watched, &radios[0]) && touches(&watched, &radios[2]),
        "{watched:?}"
    );
    assert_eq!(nodes.colors.value().as_deref(), Some("blue"));
    eventually("the handler saw the second group change", || {
        probe.entries().len() == 3
    });
    assert_eq!(
        probe.entries(),
        [
            r#"handler: Some(Text("red")) value Some("red") from Some("red")"#,
            r#"await: Some(Text("red")) value Some("red") from Some("red")"#,
            r#"handler: Some(Text("blue")) value Some("blue") from Some("blue")"#,
        ]
    );
    runtime.shutdown();
}

#[test]
fn a_widget_changes_its_data_only_where_the_server_allows_it() {
    let runtime = small_runtime();
    let (factory, probe) = form_app(true);
    let me = session("me");
    let (clicking, watching) = (browser(&me), browser(&me));
    let id = start(&runtime, &factory, &clicking, "http://localhost/widgets");
    until(&clicking, 203);
    assert_eq!(
        start(&runtime, &factory, &watching, "http://localhost/widgets"),
        id
    );
    until(&watching, 203);
    let nodes = FormNodes::of(&probe);

    let path = || Value::list(["count"]);
    let event = widget_change(&nodes.counter, 1, path(), Value::Int(5));
    assert_eq!(
        runtime.input_event(&clicking, W1, id, event),
        EventOutcome::Accepted
    );
    let clicked = patches_until(&clicking, "count=Some(5)");
    let watched = patches_until(&watching, "count=Some(5)");
    assert!(!touches(&clicked, &nodes.counter), "{clicked:?}");
    let set = watched
        .iter()
        .find(|p| p[0] == nodes.counter.id().to_string())
        .unwrap_or_else(|| panic!("the other tab gets the data: {watched:?}"));
    assert_eq!(
        set.to_string(),
        format!(r#"["{}",606,701,[],"count",5]"#, nodes.counter.id())
    );

    // A change the data has no place for is refused; the event still reaches the handler.
    let bad = widget_change(
        &nodes.counter,
        2,
        Value::list(["no", "such"]),
        Value::Int(1),
    );
    runtime.input_event(&clicking, W1, id, bad);
    runtime.input_event(&clicking, W1, id, click_on(&nodes.mark, 3));
    let clicked = patches_until(&clicking, "mark3");
    assert!(!touches(&clicked, &nodes.counter));
    assert_eq!(
        nodes.counter.widget_data().get(),
        Value::map([("count", 5)])
    );

    // A node that did not opt in does not take widget data from the browser.
    let refused = widget_change(&nodes.locked, 4, path(), Value::Int(9));
    assert_eq!(
        runtime.input_event(&clicking, W1, id, refused),
        EventOutcome::NotListening
    );
    assert_eq!(nodes.locked.widget_data().get(), Value::map([("count", 0)]));
    runtime.shutdown();
}

/// The text of every event logged in this process from now on. Views log on pool threads, so a
/// thread-scoped subscriber would miss them: this installs a global one, once; other tests'
/// events land in the buffer too, which is why a test looks for its own view's id.
fn captured_logs() -> Arc<Mutex<Vec<u8>>> {
    #[derive(Clone)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    static LOGS: std::sync::OnceLock<Arc<Mutex<Vec<u8>>>> = std::sync::OnceLock::new();
    Arc::clone(LOGS.get_or_init(|| {
        let logs = Arc::new(Mutex::new(Vec::new()));
        let writer = Buffer(Arc::clone(&logs));
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_max_level(tracing::Level::INFO)
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .expect("no other test installs a global subscriber");
        logs
    }))
}

#[test]
fn view_start_and_stop_are_logged_with_id_session_and_reason() {
    let logs = captured_logs();
    let runtime = small_runtime();
    let probe = Probe::default();
    let factory = ViewFactory::blocking(move |_| Waiting {
        wait: Wait::Click,
        probe: probe.clone(),
    });
    let conn = browser(&session("0123456789abcdef"));
    let id = start(&runtime, &factory, &conn, "http://localhost/logged");
    // Other tests' views share ids (each runtime counts from 1) but not this session.
    let all = move || String::from_utf8_lossy(&logs.lock()).into_owned();
    let mine = || -> Vec<String> {
        all()
            .lines()
            .filter(|l| l.contains("session=\"01234567\""))
            .map(str::to_owned)
            .collect()
    };
    let started = format!(
        "lona::view: view started view={} route=\"\" path=/logged ",
        id.0
    );
    eventually("the start is logged", || {
        mine().iter().any(|l| l.contains(&started))
    });
    assert!(runtime.stop_view(id));
    let stopped = format!("lona::view: view stopped view={} ", id.0);
    eventually("the stop is logged", || {
        mine()
            .iter()
            .any(|l| l.contains(&stopped) && l.contains("reason=ServerStop"))
    });
    assert!(
        !all().contains("0123456789abcdef"),
        "the whole session id, a credential, is never logged"
    );
    runtime.shutdown();
}

#[test]
fn next_timeout_waits_for_a_message_and_gives_up_in_time() {
    let conn = browser(&session("a"));
    assert!(
        conn.next_timeout(Duration::from_millis(1)).is_none(),
        "nothing was sent"
    );
    let sender = Arc::clone(&conn);
    let sending = std::thread::Builder::new()
        .name("sender".to_owned())
        .spawn(move || sender.send(Outgoing::Frame("late".to_owned())))
        .expect("a sending thread");
    let message = conn.next_timeout(DEADLINE).expect("the message arrives");
    assert_eq!(message.encode().as_deref(), Some("late"));
    assert!(sending.join().expect("the sender"));
}
