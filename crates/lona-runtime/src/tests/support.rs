//! What the runtime's tests share: fake browsers (connections and their frames), a small
//! runtime, the probe views report to, and the views several areas use.

use std::sync::Arc;
use std::time::{Duration, Instant};

use lona_html::tags::{button, div, p, span};
use lona_html::{Node, NodeId};
use lona_protocol::client::{ClickData, EventKind, InputEvent as WireEvent, NodeInfo};
use lona_protocol::{RuntimeId, WindowId};
use parking_lot::Mutex;
use serde_json::Value as Json;

use crate::{
    AsyncContext, AsyncView, Connection, Context, Flow, OutboxLimits, Outgoing, Request, Response,
    Runtime, RuntimeConfig, SessionId, StopReason, View, ViewFactory, ViewResult,
};

pub(super) const DEADLINE: Duration = Duration::from_secs(20);
pub(super) const W1: WindowId = WindowId(1);

/// The next message of a connection, waiting for it to arrive.
pub(super) fn next(conn: &Connection) -> Outgoing {
    conn.next_timeout(DEADLINE)
        .expect("a message within the deadline")
}

/// The next frame as JSON (`[window, runtime, method, payload]`).
pub(super) fn frame(conn: &Connection) -> Json {
    let text = next(conn).encode().expect("a frame, not a close");
    serde_json::from_str(text.strip_prefix("lona:").expect("a lona frame")).expect("JSON")
}

/// Skips frames until one with `method`, and returns it.
pub(super) fn until(conn: &Connection, method: u64) -> Json {
    loop {
        let frame = frame(conn);
        if frame[2] == method {
            return frame;
        }
    }
}

pub(super) fn session(name: &str) -> SessionId {
    SessionId::new(name)
}

pub(super) fn browser(session: &SessionId) -> Arc<Connection> {
    Connection::new(session.clone(), OutboxLimits::default())
}

pub(super) fn small_runtime() -> Runtime {
    Runtime::new(RuntimeConfig {
        runtime_threads: 2,
        worker_threads: 2,
        ..RuntimeConfig::default()
    })
}

pub(super) fn click_on(node: &Node, event_id: u64) -> WireEvent {
    wire_event(node, event_id, EventKind::Click(ClickData::default()))
}

pub(super) fn click_id(id: NodeId, event_id: u64) -> WireEvent {
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

pub(super) fn start(
    runtime: &Runtime,
    factory: &ViewFactory,
    conn: &Arc<Connection>,
    url: &str,
) -> RuntimeId {
    let request = Request::new(url, conn.session().clone());
    runtime
        .start_view(factory, request, conn, W1)
        .expect("the view starts")
}

/// Nodes a test view hands to the test, and a log of what happened in which order.
#[derive(Clone, Default)]
pub(super) struct Probe {
    pub(super) nodes: Arc<Mutex<Vec<Node>>>,
    pub(super) log: Arc<Mutex<Vec<String>>>,
}

impl Probe {
    pub(super) fn log(&self, entry: impl Into<String>) {
        self.log.lock().push(entry.into());
    }

    pub(super) fn entries(&self) -> Vec<String> {
        self.log.lock().clone()
    }

    pub(super) fn node(&self, index: usize) -> Node {
        self.nodes.lock()[index].clone()
    }
}

/// Waits until `condition` holds, polling only as the runtime's state changes are cheap to read.
pub(super) fn eventually(what: &str, condition: impl Fn() -> bool) {
    let start = Instant::now();
    while !condition() {
        assert!(start.elapsed() < DEADLINE, "timed out waiting for: {what}");
        std::thread::yield_now();
    }
}

/// The seed's first app, as a blocking view: a button that, clicked, changes the text.
pub(super) struct ButtonApp {
    pub(super) probe: Probe,
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

/// What a [`Waiting`] view waits in.
#[derive(Clone, Copy, Debug)]
pub(super) enum Wait {
    Sleep,
    Click,
    Change,
    Focus,
    Blur,
    Any,
}

pub(super) const WAITS: [Wait; 6] = [
    Wait::Sleep,
    Wait::Click,
    Wait::Change,
    Wait::Focus,
    Wait::Blur,
    Wait::Any,
];

pub(super) struct Waiting {
    pub(super) wait: Wait,
    pub(super) probe: Probe,
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

    fn on_stop(&self, reason: Option<&StopReason>) {
        self.probe.log(format!("on_stop {reason:?}"));
    }

    fn on_cleanup(&self) {
        self.probe.log("on_cleanup");
    }
}

pub(super) struct AsyncWaiting {
    pub(super) wait: Wait,
    pub(super) probe: Probe,
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

    fn on_stop(&self, reason: Option<&StopReason>) {
        self.probe.log(format!("on_stop {reason:?}"));
    }

    fn on_cleanup(&self) {
        self.probe.log("on_cleanup");
    }
}

/// A daemon with a counter and a +1 button (its handler counts), the one counter of these tests.
pub(super) struct Counter {
    pub(super) probe: Probe,
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

/// An input event of `kind` on `node`, as the browser sends it.
pub(super) fn wire_event(node: &Node, event_id: u64, kind: EventKind) -> WireEvent {
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
