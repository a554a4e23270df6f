//! `ClientState`: the browser client's protocol logic without I/O. Feed it the server's frames
//! with [`ClientState::receive`]; it keeps each window's view, title, redirects, ACKs and DOM,
//! and builds the frames a browser would send ([`ClientState::view`], [`ClientState::click`]...).
//!
//! It follows `lona-client`'s window logic: a VIEW forgets the window's runtime, VIEW_START
//! adopts the new one (clearing the DOM and restarting event ids at 1), REDIRECT and
//! HTTP_REDIRECT are taken before the runtime check, and DATA, INPUT_EVENT_ACK and VIEW_STOP of
//! any other runtime are ignored. Blocking (`lona_test::TestClient`) and async drivers (a load
//! generator) share it.

use std::collections::BTreeMap;
use std::str::FromStr;

use errors::DATA_AT;
pub use errors::{ClientError, EventError};

use crate::client::{
    ChangeValue, ClickData, ClientMessage, EventKind, InputEvent, NodeInfo, PostData,
};
use crate::{
    DecodedHtml, DecodedServerMessage, Method, ResumeFailure, RuntimeId, ServerFrame, WindowId,
    decode_server_with_seq,
};
use lona_html::forms::{self, ClientValue};
use lona_html::{Event, Key, Mirror, Node, NodeId, PatchPart, Value, WIDGET_DATA_EVENT};

/// What one received frame did.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Received {
    /// VIEW_START: the window adopted this runtime and cleared its DOM.
    ViewStart {
        /// The window.
        window: WindowId,
        /// The new runtime.
        runtime: RuntimeId,
    },
    /// VIEW_STOP of the window's view.
    ViewStop {
        /// The window.
        window: WindowId,
    },
    /// INPUT_EVENT_ACK of the window's view.
    Ack {
        /// The window.
        window: WindowId,
        /// The acknowledged event.
        event_id: u64,
    },
    /// DATA of the window's view, applied.
    Data {
        /// The window.
        window: WindowId,
    },
    /// REDIRECT: the server asks the window to navigate to `url` (not followed here).
    Redirect {
        /// The window.
        window: WindowId,
        /// The URL as sent.
        url: String,
    },
    /// HTTP_REDIRECT: the server asks the browser to load `url` as a new page.
    HttpRedirect {
        /// The window.
        window: WindowId,
        /// The URL as sent.
        url: String,
    },
    /// PONG.
    Pong,
    /// RESUMED (acknowledged stream): the window's view is attached again; the replay follows.
    /// The input events to send again are in [`ClientState::resends_due`].
    Resumed {
        /// The window.
        window: WindowId,
        /// The last sequence number the server had sent.
        seq: u64,
        /// The id of the last input event of the window the server had received.
        event: u64,
    },
    /// RESUME_FAILED (acknowledged stream): the window's view is gone; the window forgot it.
    ResumeFailed {
        /// The window.
        window: WindowId,
        /// Why.
        reason: ResumeFailure,
    },
    /// A frame of the acknowledged stream whose sequence number the window had applied
    /// already (a replay overlapping what arrived): dropped, as the spec says.
    Duplicate {
        /// The window.
        window: WindowId,
        /// The frame's sequence number.
        seq: u64,
    },
    /// A frame without the `lona:` prefix, kept in [`ClientState::custom_messages`].
    Custom,
    /// A DATA, INPUT_EVENT_ACK or VIEW_STOP of a runtime the window does not show (any more):
    /// ignored, as the browser client ignores it.
    Ignored {
        /// The window.
        window: WindowId,
        /// The frame's method.
        method: Method,
    },
}

/// An INPUT_EVENT frame, with what is needed to wait for its ACK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFrame {
    /// The window the event belongs to.
    pub window: WindowId,
    /// The event's id; the server acknowledges it with INPUT_EVENT_ACK.
    pub event_id: u64,
    /// The frame to send.
    pub frame: String,
}

/// What a client knows about one window.
#[derive(Debug, Default)]
pub struct Window {
    url: Option<String>,
    runtime: Option<RuntimeId>,
    view_starts: u64,
    stopped: bool,
    title: String,
    redirects: Vec<String>,
    http_redirects: Vec<String>,
    acks: Vec<u64>,
    next_event_id: u64,
    updates: u64,
    dom: Mirror,
    ack: ack::AckState,
    resumed: Option<Result<u64, ResumeFailure>>,
}

impl Window {
    /// The URL of the last VIEW sent for this window.
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }

    /// The runtime of the view the window shows; `None` before VIEW_START, and from a VIEW
    /// until the next VIEW_START.
    pub fn runtime(&self) -> Option<RuntimeId> {
        self.runtime
    }

    /// Whether a view runs in the window: VIEW_START came after the last VIEW.
    pub fn view_started(&self) -> bool {
        self.runtime.is_some()
    }

    /// Whether the current view's VIEW_STOP came (its `handle_request` returned).
    pub fn view_stopped(&self) -> bool {
        self.stopped
    }

    /// How many VIEW_STARTs the window got, re-attaches to daemons included.
    pub fn view_starts(&self) -> u64 {
        self.view_starts
    }

    /// The last non-empty title a DATA carried.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The URLs of every REDIRECT the window got, in order.
    pub fn redirects(&self) -> &[String] {
        &self.redirects
    }

    /// The URLs of every HTTP_REDIRECT the window got, in order.
    pub fn http_redirects(&self) -> &[String] {
        &self.http_redirects
    }

    /// The event ids the current view acknowledged, in order.
    pub fn acks(&self) -> &[u64] {
        &self.acks
    }

    /// Whether the current view acknowledged event `event_id`.
    pub fn is_acked(&self, event_id: u64) -> bool {
        self.acks.contains(&event_id)
    }

    /// How many DATA frames of the window's views were applied.
    pub fn updates(&self) -> u64 {
        self.updates
    }

    /// The root of the tree the window shows (HTML_TREE and its patches).
    pub fn root(&self) -> Option<&Node> {
        self.dom.root()
    }

    /// The HTML string the window shows, if the last DATA was HTML (501) rather than a tree.
    pub fn raw_html(&self) -> Option<&str> {
        self.dom.raw_html()
    }

    /// The node with this server id (`"12"`).
    pub fn node(&self, wire_id: &str) -> Option<&Node> {
        self.dom.node(NodeId::from_str(wire_id).ok()?)
    }

    /// The server id of a node of the window's tree.
    pub fn wire_id(&self, node: &Node) -> Option<&str> {
        self.dom.wire_id(node)
    }

    /// How many patches the window's DOM took (a whole tree or HTML string counts as one):
    /// a mark to pass to [`Window::patched_since`].
    pub fn patch_count(&self) -> u64 {
        self.dom.patch_count()
    }

    /// Whether a patch since the mark `patch_count` changed `node` (its ids, classes, style,
    /// attributes, widget data or children), or took it out of the window, as the browser
    /// client sees an element that changed under the pointer.
    pub fn patched_since(&self, node: &Node, patch_count: u64) -> bool {
        self.dom.wire_id(node).is_none()
            || self
                .dom
                .last_patched(node)
                .is_some_and(|last| last > patch_count)
    }

    /// How many nodes (with server ids) the window's tree holds.
    pub fn node_count(&self) -> usize {
        self.dom.len()
    }

    /// The window's content as HTML: the tree rendered with `to_html`, or the HTML string as
    /// sent; empty before any.
    pub fn html(&self) -> String {
        match (self.dom.root(), self.dom.raw_html()) {
            (Some(root), _) => root.to_html(),
            (None, Some(html)) => html.to_owned(),
            (None, None) => String::new(),
        }
    }

    /// The text of the window's content (the DOM's `textContent`).
    pub fn text(&self) -> String {
        self.dom
            .top_nodes()
            .iter()
            .map(Node::text_content)
            .collect()
    }

    /// The first node matching `selector`, the top-level node included; HTML strings are
    /// searched too, parsed with `lona_html::parse_html`. `lona_test::TestClient::query` is the
    /// same on the tab's window.
    ///
    /// # Panics
    ///
    /// If the selector does not parse: a test with a broken selector cannot pass (check one
    /// from elsewhere with `lona_html::Selector::parse` first).
    pub fn query(&self, selector: &str) -> Option<Node> {
        let selector = parse_selector(selector);
        self.dom.top_nodes().iter().find_map(|top| {
            if selector.matches(top) {
                Some(top.clone())
            } else {
                top.select_first(&selector)
            }
        })
    }

    /// Every node matching `selector`, in document order.
    ///
    /// # Panics
    ///
    /// As [`Window::query`].
    pub fn query_all(&self, selector: &str) -> Vec<Node> {
        let selector = parse_selector(selector);
        let mut found = Vec::new();
        for top in self.dom.top_nodes() {
            if selector.matches(top) {
                found.push(top.clone());
            }
            found.extend(top.select_all(&selector));
        }
        found
    }
}

/// Parses a selector a test wrote.
fn parse_selector(selector: &str) -> lona_html::Selector {
    lona_html::Selector::parse(selector).unwrap_or_else(|error| panic!("{error}: {selector:?}"))
}

impl Window {
    /// Applies a DATA of the window's view; a bad patch stops the update, and the patches
    /// before it stay applied, as in the browser.
    fn apply_data(
        &mut self,
        frame: &str,
        title: &str,
        html: Option<&DecodedHtml>,
    ) -> Result<(), ClientError> {
        if !title.is_empty() {
            title.clone_into(&mut self.title);
        }
        match html {
            None => {}
            Some(DecodedHtml::String(html)) => self.dom.set_html(html),
            Some(DecodedHtml::Tree(tree)) => self
                .dom
                .set_tree(tree)
                .map_err(|error| ClientError::apply(frame, DATA_AT.to_owned(), error))?,
            Some(DecodedHtml::Update(patches)) => {
                for (i, patch) in patches.iter().enumerate() {
                    self.dom.apply(patch).map_err(|error| {
                        let item = match error.part {
                            PatchPart::Arg(arg) => 3 + arg,
                            _ => 0,
                        };
                        ClientError::apply(frame, format!("{DATA_AT}[{i}][{item}]"), error)
                    })?;
                }
            }
        }
        self.updates += 1;
        Ok(())
    }
}

/// The protocol state of one browser page (one socket): its windows, PONGs and custom
/// messages. No I/O: the caller moves frames between it and a socket.
///
/// ```
/// use lona_protocol::{ClientState, WindowId};
///
/// let mut state = ClientState::new();
/// let view = state.view(WindowId(1), "http://127.0.0.1/");
/// assert_eq!(view, r#"lona:[1,null,101,["http://127.0.0.1/",{}]]"#);
///
/// state.receive(r#"lona:[1,"7",204,null]"#)?;
/// state.receive(r#"lona:[1,"7",203,["Hi",[502,[401,"3","","button",["go"],[],{},{"data-lona-events":"301"},[[402,"4","Go"]],"",null]]]]"#)?;
/// let window = state.window(WindowId(1)).expect("the window");
/// assert_eq!(window.html(), r#"<button id="go" data-lona-events="301">Go</button>"#);
///
/// let button = window.query("#go").expect("the button");
/// let click = state.click(&button)?;
/// assert_eq!(click.event_id, 1);
/// assert!(click.frame.starts_with(r#"lona:[1,"7",102,[1,301,{"alt_key":false,"#));
/// assert!(click.frame.ends_with(r#"["3","BUTTON","go",""],["3","BUTTON","go",""]]]"#));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Default)]
pub struct ClientState {
    windows: BTreeMap<WindowId, Window>,
    pongs: u64,
    custom: Vec<String>,
}

impl ClientState {
    /// A page with no windows yet.
    pub fn new() -> ClientState {
        ClientState::default()
    }

    /// The window with this id, once a frame for it was sent or received.
    pub fn window(&self, window: WindowId) -> Option<&Window> {
        self.windows.get(&window)
    }

    /// Every window, by id.
    pub fn windows(&self) -> impl Iterator<Item = (WindowId, &Window)> {
        self.windows.iter().map(|(id, window)| (*id, window))
    }

    /// How many PONGs came.
    pub fn pongs(&self) -> u64 {
        self.pongs
    }

    /// The frames without the `lona:` prefix that came, in order.
    pub fn custom_messages(&self) -> &[String] {
        &self.custom
    }

    /// Takes the custom messages, so that a long-running client does not keep them all.
    pub fn take_custom_messages(&mut self) -> Vec<String> {
        std::mem::take(&mut self.custom)
    }

    /// Applies one text frame from the server.
    ///
    /// # Errors
    ///
    /// A [`ClientError`] if the frame is not a valid server message (nothing changes then), or
    /// is a patch the DOM cannot take (an unknown node id, a widget-data path that does not
    /// exist...): the patches before the bad one stay applied, as in the browser.
    pub fn receive(&mut self, frame: &str) -> Result<Received, ClientError> {
        let message = match decode_server_with_seq(frame) {
            Ok((ServerFrame::Lona(message), seq)) => {
                if let Some(duplicate) = self.take_seq(&message, seq) {
                    return Ok(duplicate);
                }
                message
            }
            Ok((ServerFrame::Custom(text), _)) => {
                self.custom.push(text.to_owned());
                return Ok(Received::Custom);
            }
            Err(error) => return Err(ClientError::decode(frame, error)),
        };
        let (window, runtime, method) = match &message {
            DecodedServerMessage::Pong => {
                self.pongs += 1;
                return Ok(Received::Pong);
            }
            DecodedServerMessage::Redirect { window, url, .. } => {
                let state = self.windows.entry(*window).or_default();
                state.redirects.push(url.clone());
                return Ok(Received::Redirect {
                    window: *window,
                    url: url.clone(),
                });
            }
            DecodedServerMessage::HttpRedirect { window, url, .. } => {
                let state = self.windows.entry(*window).or_default();
                state.http_redirects.push(url.clone());
                return Ok(Received::HttpRedirect {
                    window: *window,
                    url: url.clone(),
                });
            }
            DecodedServerMessage::ViewStart {
                window,
                runtime,
                resume,
            } => {
                let state = self.windows.entry(*window).or_default();
                state.ack.forget_events();
                state.ack.token.clone_from(resume);
                state.runtime = Some(*runtime);
                state.view_starts += 1;
                state.stopped = false;
                state.acks.clear();
                state.next_event_id = 1;
                state.dom.clear();
                return Ok(Received::ViewStart {
                    window: *window,
                    runtime: *runtime,
                });
            }
            DecodedServerMessage::Resumed {
                window, seq, event, ..
            } => {
                let state = self.windows.entry(*window).or_default();
                state.resumed = Some(Ok(*seq));
                state.ack.resumed(*event);
                // New events must be above what the server has, or it drops them.
                state.next_event_id = state.next_event_id.max(event.saturating_add(1));
                return Ok(Received::Resumed {
                    window: *window,
                    seq: *seq,
                    event: *event,
                });
            }
            DecodedServerMessage::ResumeFailed { window, reason } => {
                let state = self.windows.entry(*window).or_default();
                state.runtime = None;
                state.ack.restart();
                state.resumed = Some(Err(*reason));
                return Ok(Received::ResumeFailed {
                    window: *window,
                    reason: *reason,
                });
            }
            DecodedServerMessage::ViewStop { window, runtime } => {
                (*window, *runtime, Method::ViewStop)
            }
            DecodedServerMessage::InputEventAck {
                window, runtime, ..
            } => (*window, *runtime, Method::InputEventAck),
            DecodedServerMessage::Data {
                window, runtime, ..
            } => (*window, *runtime, Method::Data),
        };
        let state = self.windows.entry(window).or_default();
        if state.runtime != Some(runtime) {
            return Ok(Received::Ignored { window, method });
        }
        match message {
            DecodedServerMessage::ViewStop { .. } => {
                state.stopped = true;
                Ok(Received::ViewStop { window })
            }
            DecodedServerMessage::InputEventAck { event_id, .. } => {
                state.acks.push(event_id);
                state.ack.confirm(event_id);
                Ok(Received::Ack { window, event_id })
            }
            DecodedServerMessage::Data { title, html, .. } => {
                state.apply_data(frame, &title, html.as_ref())?;
                Ok(Received::Data { window })
            }
            // Every other message returned above.
            _ => Ok(Received::Ignored { window, method }),
        }
    }

    /// VIEW: navigates `window` to `url` (an absolute URL, as browsers send). The window
    /// forgets its runtime until the next VIEW_START, so the old view's frames are ignored.
    pub fn view(&mut self, window: WindowId, url: &str) -> String {
        self.view_with_post(window, url, PostData::default())
    }

    /// VIEW with the fields of a submitted POST form.
    pub fn view_with_post(&mut self, window: WindowId, url: &str, post_data: PostData) -> String {
        self.view_adopting(window, url, post_data, None)
    }

    /// VIEW that adopts the view the server painted the page with, by the page's adopt token
    /// (docs/protocol.md, "First paint"); `None` is a plain VIEW.
    pub fn view_adopting(
        &mut self,
        window: WindowId,
        url: &str,
        post_data: PostData,
        adopt: Option<&str>,
    ) -> String {
        let state = self.windows.entry(window).or_default();
        state.url = Some(url.to_owned());
        state.runtime = None;
        state.ack.restart();
        ClientMessage::View {
            window,
            url: url.to_owned(),
            post_data,
            ack: state.ack.requested,
            adopt: adopt.map(str::to_owned),
        }
        .encode()
    }

    /// PING; the server answers with PONG.
    pub fn ping(&self) -> String {
        ClientMessage::Ping.encode()
    }

    /// CLIENT_ERROR: the client failed; the server shows the 500 page in the window.
    pub fn client_error(&self, window: WindowId, message: &str) -> String {
        ClientMessage::ClientError {
            window,
            runtime: self.windows.get(&window).and_then(|w| w.runtime),
            message: message.to_owned(),
        }
        .encode()
    }

    /// A click on `node`, as a browser reports it: the event goes to the innermost element,
    /// `node` or an ancestor, that listens to clicks, with `node` as its target. The click
    /// data is all zeros and no modifier key.
    ///
    /// # Errors
    ///
    /// If `node` is in no window, its window runs no view, or nothing listens to the click.
    pub fn click(&mut self, node: &Node) -> Result<InputFrame, EventError> {
        self.click_with(node, ClickData::default())
    }

    /// A click with the given data (modifier keys, sizes, position); see [`ClientState::click`].
    ///
    /// # Errors
    ///
    /// As [`ClientState::click`].
    pub fn click_with(&mut self, node: &Node, data: ClickData) -> Result<InputFrame, EventError> {
        self.input(node, &Event::Click, true, EventKind::Click(data))
    }

    /// A change of the value of `node` (an input, a textarea or a select), or of the nearest
    /// ancestor that listens to changes: a string for text, a bool for checkboxes and radio
    /// buttons, the selected option indexes for selects.
    ///
    /// As in a browser, the window's DOM shows the new value at once (checking a radio
    /// unchecks the others of its name), since the server does not send back to a window the
    /// value it typed (`lona_html::forms`).
    ///
    /// # Errors
    ///
    /// As [`ClientState::click`].
    pub fn change(&mut self, node: &Node, value: ChangeValue) -> Result<InputFrame, EventError> {
        let frame = self.input(node, &Event::CHANGE, true, EventKind::Change(value.clone()))?;
        let target = match node.parent() {
            Some(parent) if node.is_text() => parent,
            _ => node.clone(),
        };
        let value = match &value {
            ChangeValue::Text(text) => ClientValue::Text(text),
            ChangeValue::Checked(checked) => ClientValue::Checked(*checked),
            ChangeValue::Selected(indexes) => ClientValue::Selected(indexes),
        };
        forms::apply_client_value(&target, value);
        Ok(frame)
    }

    /// A widget on `node` changes its own data at `path` (`[]`: all of it), as its JavaScript
    /// does with `lona_window.set_widget_data(path, value)`: the window's copy changes at
    /// once, and the custom event [`WIDGET_DATA_EVENT`] carries `{path, value}` to the server.
    ///
    /// # Errors
    ///
    /// As [`ClientState::custom`], and [`EventError::NotListening`] if the widget data has no
    /// place at `path` (nothing is sent then).
    pub fn set_widget_data(
        &mut self,
        node: &Node,
        path: &[Key],
        value: Value,
    ) -> Result<InputFrame, EventError> {
        let keys = path
            .iter()
            .map(|key| match key {
                Key::Name(name) => Value::String(name.clone()),
                Key::Index(index) => i64::try_from(*index).map_or(Value::Null, Value::Int),
            })
            .collect();
        let data = Value::map([("path", Value::List(keys)), ("value", value.clone())]);
        let before = node.widget_data().get();
        if !node.widget_data().replace(path, value) {
            return Err(EventError::NotListening {
                node: format!("{node:?}"),
                event: "custom",
            });
        }
        // The window's tree is in no document: these edits record nothing.
        self.custom(node, WIDGET_DATA_EVENT, data)
            .inspect_err(|_| node.widget_data().reset(before))
    }

    /// Focus of `node`, which must listen to focus itself (the event does not bubble).
    ///
    /// # Errors
    ///
    /// As [`ClientState::click`].
    pub fn focus(&mut self, node: &Node) -> Result<InputFrame, EventError> {
        self.input(node, &Event::Focus, false, EventKind::Focus)
    }

    /// Blur of `node`, which must listen to blur itself (the event does not bubble).
    ///
    /// # Errors
    ///
    /// As [`ClientState::click`].
    pub fn blur(&mut self, node: &Node) -> Result<InputFrame, EventError> {
        self.input(node, &Event::Blur, false, EventKind::Blur)
    }

    /// A custom event, as a widget on `node` fires it. Custom events are not announced in
    /// the DOM (the server keeps them), so nothing is checked but the node and the view.
    ///
    /// # Errors
    ///
    /// If `node` is in no window or its window runs no view.
    pub fn custom(
        &mut self,
        node: &Node,
        name: &str,
        data: Value,
    ) -> Result<InputFrame, EventError> {
        let kind = EventKind::Custom {
            name: name.to_owned(),
            data,
        };
        self.input(node, &Event::Custom(name.to_owned()), false, kind)
    }

    fn input(
        &mut self,
        target: &Node,
        event: &Event,
        bubbles: bool,
        kind: EventKind,
    ) -> Result<InputFrame, EventError> {
        // Text is never an event target in a browser: its element is.
        let target = &match target.parent() {
            Some(parent) if target.is_text() => parent,
            _ => target.clone(),
        };
        let describe = || format!("{target:?}");
        let (window_id, state) = self
            .windows
            .iter_mut()
            .find(|(_, w)| w.dom.wire_id(target).is_some())
            .ok_or_else(|| EventError::UnknownNode { node: describe() })?;
        let runtime = state
            .runtime
            .ok_or(EventError::NoView { window: *window_id })?;
        let listener = if matches!(event, Event::Custom(_)) {
            Some(target.clone())
        } else {
            listener(&state.dom, target, event, bubbles)
        };
        let listener = listener.ok_or_else(|| EventError::NotListening {
            node: describe(),
            event: match event {
                Event::Click => "click",
                Event::Change { .. } => "change",
                Event::Focus => "focus",
                Event::Blur => "blur",
                Event::Submit => "submit",
                Event::Custom(_) => "custom",
            },
        })?;
        let event_id = state.next_event_id.max(1);
        state.next_event_id = event_id + 1;
        let frame = ClientMessage::InputEvent {
            window: *window_id,
            runtime,
            event: InputEvent {
                event_id,
                kind,
                node: node_info(&state.dom, &listener),
                target: node_info(&state.dom, target),
            },
        }
        .encode();
        let input = InputFrame {
            window: *window_id,
            event_id,
            frame,
        };
        state.ack.keep(&input);
        Ok(input)
    }
}

/// The element that gets `event` when it happens on `target`: `target` itself, or for a
/// bubbling event the nearest ancestor, that lists the event in its `data-lona-events`.
fn listener(dom: &Mirror, target: &Node, event: &Event, bubbles: bool) -> Option<Node> {
    let mut current = Some(target.clone());
    while let Some(node) = current {
        if node.is_element() && node.events().contains(event) && dom.wire_id(&node).is_some() {
            return Some(node);
        }
        if !bubbles && node.is_element() {
            return None;
        }
        current = node.parent();
    }
    None
}

/// `[node_id, TAGNAME, id attribute, class attribute]` as the browser sends it: the tag upper
/// case for HTML elements, `""` for a missing attribute, all `null` for a text node.
fn node_info(dom: &Mirror, node: &Node) -> NodeInfo {
    if node.is_text() {
        return NodeInfo::default();
    }
    let tag = node.tag().unwrap_or_default();
    let tag_name = if node.namespace().is_html() {
        tag.to_ascii_uppercase()
    } else {
        tag.into_owned()
    };
    NodeInfo {
        node_id: dom.wire_id(node).and_then(|id| NodeId::from_str(id).ok()),
        tag_name: Some(tag_name),
        id: Some(node.id_list().to_vec().join(" ")),
        class: Some(node.class_list().to_vec().join(" ")),
    }
}

mod ack;
#[cfg(test)]
mod error_tests;
mod errors;
#[cfg(test)]
mod garbage;
#[cfg(test)]
mod patch_tests;
mod submit;
#[cfg(test)]
mod tests;
