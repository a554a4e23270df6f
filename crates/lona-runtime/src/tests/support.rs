//! What the runtime's tests share: fake browsers (connections and their frames, decoded by
//! lona-protocol so that no test knows the wire layout), a small runtime, the probe views
//! report to, and the views several areas use.

use std::sync::Arc;
use std::time::{Duration, Instant};

use lona_html::tags::{button, div, p, span};
use lona_html::{
    AttrValue, Content, EVENTS_ATTRIBUTE, Event, Key, ListOp, MapOp, Node, NodeId, NodesOp, Patch,
    PatchOp, Snapshot, Value, WidgetDataOp, parse_events_attribute,
};
use lona_protocol::client::{ClickData, EventKind, InputEvent as WireEvent, NodeInfo};
use lona_protocol::{
    DecodedHtml, DecodedServerMessage, RuntimeId, ServerFrame, WindowId, decode_server,
};
use parking_lot::Mutex;

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

/// A frame as a fake browser reads it: a protocol message, or the text of a custom frame.
#[derive(Debug)]
#[allow(
    clippy::large_enum_variant,
    reason = "nearly every frame is a message, as for lona-protocol's ServerFrame"
)]
pub(super) enum Read {
    Lona(DecodedServerMessage),
    Custom(String),
}

/// What a message of a connection is to a browser; `None` for a close.
pub(super) fn read(message: &Outgoing) -> Option<Read> {
    let text = message.encode()?;
    Some(
        match decode_server(&text).expect("a server frame that decodes") {
            ServerFrame::Lona(message) => Read::Lona(message),
            ServerFrame::Custom(custom) => Read::Custom(custom.to_owned()),
        },
    )
}

/// The next message, as a protocol message.
pub(super) fn message(conn: &Connection) -> DecodedServerMessage {
    match read(&next(conn)) {
        Some(Read::Lona(message)) => message,
        other => panic!("a protocol message, not {other:?}"),
    }
}

/// Skips messages until a DATA, and returns it.
pub(super) fn until_data(conn: &Connection) -> DecodedServerMessage {
    loop {
        let message = message(conn);
        if matches!(message, DecodedServerMessage::Data { .. }) {
            return message;
        }
    }
}

/// Skips messages until a VIEW_STOP, and returns the view runtime it stops.
pub(super) fn until_stop(conn: &Connection) -> RuntimeId {
    loop {
        if let DecodedServerMessage::ViewStop { runtime, .. } = message(conn) {
            return runtime;
        }
    }
}

/// The HTML of a DATA message, if it has any.
fn html(message: &DecodedServerMessage) -> Option<&DecodedHtml> {
    match message {
        DecodedServerMessage::Data { html, .. } => html.as_ref(),
        _ => None,
    }
}

/// The whole tree a DATA message with an HTML_TREE shows; fails the test for anything else.
pub(super) fn tree(message: &DecodedServerMessage) -> &Snapshot {
    match html(message) {
        Some(DecodedHtml::Tree(tree)) => tree,
        _ => panic!("an HTML_TREE: {message:?}"),
    }
}

/// The patches of a DATA message with an HTML_UPDATE; fails the test for anything else.
pub(super) fn patches(message: &DecodedServerMessage) -> &[Patch] {
    match html(message) {
        Some(DecodedHtml::Update(patches)) => patches,
        _ => panic!("an HTML_UPDATE: {message:?}"),
    }
}

/// Every node a message carries: its tree, or what its patches insert, each with its
/// descendants.
fn snapshots(message: &DecodedServerMessage) -> Vec<&Snapshot> {
    fn walk<'a>(node: &'a Snapshot, out: &mut Vec<&'a Snapshot>) {
        out.push(node);
        if let Content::Element(element) = node.content() {
            for child in element.children() {
                walk(child, out);
            }
        }
    }
    let mut out = Vec::new();
    match html(message) {
        Some(DecodedHtml::Tree(tree)) => walk(tree, &mut out),
        Some(DecodedHtml::Update(patches)) => {
            for patch in patches {
                match &patch.op {
                    PatchOp::Nodes(NodesOp::Insert(_, node) | NodesOp::Set(_, node)) => {
                        walk(node, &mut out);
                    }
                    PatchOp::Nodes(NodesOp::Reset(nodes)) => {
                        for node in nodes {
                            walk(node, &mut out);
                        }
                    }
                    _ => {}
                }
            }
        }
        Some(DecodedHtml::String(_)) | None => {}
    }
    out
}

/// The text nodes a message carries, in order.
pub(super) fn texts(message: &DecodedServerMessage) -> Vec<&str> {
    snapshots(message)
        .into_iter()
        .filter_map(|node| match node.content() {
            Content::Text(text) => Some(text.as_str()),
            Content::Element(_) => None,
        })
        .collect()
}

/// The event lists a message gives nodes: in its tree, inserted, or set as an attribute.
pub(super) fn event_lists(message: &DecodedServerMessage) -> Vec<Vec<Event>> {
    let mut lists: Vec<Vec<Event>> = snapshots(message)
        .into_iter()
        .filter_map(|node| match node.content() {
            Content::Element(element) => Some(element.events().to_vec()),
            Content::Text(_) => None,
        })
        .collect();
    if let Some(DecodedHtml::Update(patches)) = html(message) {
        for patch in patches {
            let set: Vec<(&str, &AttrValue)> = match &patch.op {
                PatchOp::Attributes(MapOp::Set(name, value)) => vec![(name, value)],
                PatchOp::Attributes(MapOp::Reset(entries)) => entries
                    .iter()
                    .map(|(name, value)| (name.as_str(), value))
                    .collect(),
                _ => Vec::new(),
            };
            lists.extend(
                set.into_iter()
                    .filter(|(name, _)| *name == EVENTS_ATTRIBUTE)
                    .map(|(_, value)| match value {
                        AttrValue::Str(codes) => parse_events_attribute(codes).unwrap_or_default(),
                        _ => Vec::new(),
                    }),
            );
        }
    }
    lists
}

/// Whether any string a message carries contains `needle`: its title, HTML, URL, texts, tag
/// names, ids, classes, style, attributes and widget data.
pub(super) fn mentions(message: &DecodedServerMessage, needle: &str) -> bool {
    let mut strings: Vec<&str> = Vec::new();
    match message {
        DecodedServerMessage::Data { title, html, .. } => {
            strings.push(title);
            match html {
                Some(DecodedHtml::String(html)) => strings.push(html),
                Some(DecodedHtml::Update(patches)) => {
                    for patch in patches {
                        patch_strings(&patch.op, &mut strings);
                    }
                }
                Some(DecodedHtml::Tree(_)) | None => {}
            }
            for node in snapshots(message) {
                node_strings(node, &mut strings);
            }
        }
        DecodedServerMessage::Redirect { url, .. }
        | DecodedServerMessage::HttpRedirect { url, .. } => strings.push(url),
        _ => {}
    }
    strings.iter().any(|s| s.contains(needle))
}

fn node_strings<'a>(node: &'a Snapshot, out: &mut Vec<&'a str>) {
    match node.content() {
        Content::Text(text) => out.push(text),
        Content::Element(element) => {
            out.push(element.tag());
            out.extend(element.ids().iter().map(String::as_str));
            out.extend(element.classes().iter().map(String::as_str));
            for (name, value) in element.style() {
                out.extend([name.as_str(), value.as_str()]);
            }
            for (name, value) in element.attributes() {
                attribute_strings(name, value, out);
            }
            if let Some(widget) = element.widget() {
                out.push(widget.name());
                value_strings(widget.data(), out);
            }
        }
    }
}

fn patch_strings<'a>(op: &'a PatchOp, out: &mut Vec<&'a str>) {
    match op {
        PatchOp::IdList(list) | PatchOp::ClassList(list) => match list {
            ListOp::Add(s) | ListOp::Remove(s) => out.push(s),
            ListOp::Reset(items) => out.extend(items.iter().map(String::as_str)),
            ListOp::Clear => {}
        },
        PatchOp::Style(map) => match map {
            MapOp::Set(name, value) => out.extend([name.as_str(), value.as_str()]),
            MapOp::Remove(name) => out.push(name),
            MapOp::Reset(entries) => {
                for (name, value) in entries {
                    out.extend([name.as_str(), value.as_str()]);
                }
            }
            MapOp::Clear => {}
        },
        PatchOp::Attributes(map) => match map {
            MapOp::Set(name, value) => attribute_strings(name, value, out),
            MapOp::Remove(name) => out.push(name),
            MapOp::Reset(entries) => {
                for (name, value) in entries {
                    attribute_strings(name, value, out);
                }
            }
            MapOp::Clear => {}
        },
        // The nodes a patch inserts are among the message's snapshots.
        PatchOp::Nodes(_) => {}
        PatchOp::WidgetData(op) => match op {
            WidgetDataOp::Set { path, key, value } => {
                key_strings(path.iter().chain([key]), out);
                value_strings(value, out);
            }
            WidgetDataOp::Insert { path, value, .. } => {
                key_strings(path.iter(), out);
                value_strings(value, out);
            }
            WidgetDataOp::Remove { path, key } => key_strings(path.iter().chain([key]), out),
            WidgetDataOp::Clear { path } => key_strings(path.iter(), out),
            WidgetDataOp::Reset(value) => value_strings(value, out),
        },
    }
}

fn attribute_strings<'a>(name: &'a str, value: &'a AttrValue, out: &mut Vec<&'a str>) {
    out.push(name);
    if let AttrValue::Str(value) = value {
        out.push(value);
    }
}

fn key_strings<'a>(keys: impl Iterator<Item = &'a Key>, out: &mut Vec<&'a str>) {
    out.extend(keys.filter_map(|key| match key {
        Key::Name(name) => Some(name.as_str()),
        Key::Index(_) => None,
    }));
}

fn value_strings<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::String(s) => out.push(s),
        Value::List(items) => {
            for item in items {
                value_strings(item, out);
            }
        }
        Value::Map(entries) => {
            for (key, value) in entries {
                out.push(key);
                value_strings(value, out);
            }
        }
        _ => {}
    }
}

pub(super) fn session(name: &str) -> SessionId {
    SessionId::new(name)
}

pub(super) fn browser(session: &SessionId) -> Arc<Connection> {
    Connection::new(session.clone(), OutboxLimits::default())
}

pub(super) fn small_runtime() -> Runtime {
    small_runtime_with(RuntimeConfig::default())
}

/// [`small_runtime`] with the rest of `config`.
pub(super) fn small_runtime_with(config: RuntimeConfig) -> Runtime {
    Runtime::new(RuntimeConfig {
        runtime_threads: 2,
        worker_threads: 2,
        ..config
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
