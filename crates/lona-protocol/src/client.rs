//! Messages from the browser client to the server: their types, strict decoding with
//! [`decode_client`], and encoding with [`ClientMessage::encode`] for test clients.
//!
//! Decoding is total: any text gives a [`Frame`] or a [`DecodeError`] that says what was
//! expected where, and never panics. The frame size is checked first, then the nesting depth by a
//! cheap scan, so that a hostile frame never reaches the JSON parser's recursion. Only then is the
//! JSON parsed and walked with precise checks (lona-features.md 2.1, 2.2 and row 66).
//!
//! The message types are here; decoding, its limits, its errors, the decoding of input events
//! and the encoding each have their own file.

use lona_html::{NodeId, Value};

use crate::codes::InputEventType;
use crate::ids::{RuntimeId, WindowId};

mod decode;
mod encode;
mod error;
mod expected;
mod input_event;
mod limits;

pub use decode::{decode_client, decode_client_with};
pub use error::{DecodeError, Found, shorten};
pub use limits::DecodeLimits;
pub(crate) use limits::nesting_exceeds;

#[cfg(test)]
mod garbage;
#[cfg(test)]
mod tests;

/// Parsed JSON, before it is checked.
type Json = serde_json::Value;

/// One text frame from the browser.
#[derive(Debug, Clone, PartialEq)]
#[allow(
    clippy::large_enum_variant,
    reason = "nearly every frame is a message; boxing it would cost an allocation per frame"
)]
pub enum Frame<'a> {
    /// A protocol message: the frame started with `lona:`.
    Lona(ClientMessage),
    /// A frame without the `lona:` prefix, passed through as is for middlewares.
    Custom(&'a str),
}

/// A protocol message from the client to the server.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientMessage {
    /// Start or navigate a view in a window (VIEW, 101).
    View {
        /// The window the view runs in.
        window: WindowId,
        /// The URL to show: what the client's window holds, usually path, query and fragment.
        url: String,
        /// The fields of a POST form; empty for every other navigation.
        post_data: PostData,
        /// Whether the client asks for the acknowledged stream (`{"ack":1}` as the payload's
        /// third element; docs/protocol.md, "The acknowledged stream"). Lona's own client never
        /// does.
        ack: bool,
        /// The adopt token of a page the server painted (`{"ack":1,"adopt":"TOKEN"}`, or
        /// `{"adopt":"TOKEN"}` in the plain protocol; docs/protocol.md, "First paint"): the
        /// server attaches the window to the view it started for that page instead of
        /// starting another. A value that is not a token's shape is read as absent.
        adopt: Option<String>,
    },
    /// An input event on a node of a running view (INPUT_EVENT, 102).
    InputEvent {
        /// The window of the view.
        window: WindowId,
        /// The runtime of the view the event belongs to.
        runtime: RuntimeId,
        /// The event.
        event: InputEvent,
    },
    /// The client failed; the server shows the 500 view (CLIENT_ERROR, 104).
    ClientError {
        /// The window that failed.
        window: WindowId,
        /// The runtime the window showed, if a view had started in it.
        runtime: Option<RuntimeId>,
        /// The JavaScript error with its stack.
        message: String,
    },
    /// Keep-alive (PING, 105); the server answers with PONG.
    Ping,
    /// Every message of the window up to `seq` is applied (ACK, 106; acknowledged stream only).
    Ack {
        /// The window.
        window: WindowId,
        /// The runtime of the window's view.
        runtime: RuntimeId,
        /// The sequence number of the last message the client applied.
        seq: u64,
    },
    /// Re-attach a detached view after a reconnect (RESUME, 107; acknowledged stream only).
    Resume {
        /// The window, as before the reconnect.
        window: WindowId,
        /// The runtime of the view to resume.
        runtime: RuntimeId,
        /// The window's URL, for the log and for a fresh view if the client must start one.
        url: String,
        /// The sequence number of the last message the client applied.
        seq: u64,
        /// The token of the view's VIEW_START: [`RESUME_TOKEN_LEN`] base64url characters.
        token: String,
        /// The id of the last input event the client sent the window's view (0 before any):
        /// the payload's 4th element. `None` for the 3-element RESUME of a page loaded from a
        /// server before `PROTOCOL_VERSION` 4, which resends nothing (docs/protocol.md).
        last_event: Option<u64>,
    },
}

/// The length of a resume token: 128 random bits in base64url without padding.
pub const RESUME_TOKEN_LEN: usize = 22;

/// Whether `token` has the shape of a resume token: exactly [`RESUME_TOKEN_LEN`] base64url
/// characters. The decoder refuses any other string, so that nothing longer reaches a lookup.
pub fn is_resume_token(token: &str) -> bool {
    token.len() == RESUME_TOKEN_LEN
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The adopt token of a frontend page the server painted (docs/protocol.md, "First paint"):
/// the `"adopt":"TOKEN"` of the page's context settings, if it is there and has a token's
/// shape. How a client that loads the page over plain HTTP (the test kit, the load generator)
/// finds what the browser client is handed.
pub fn adopt_token_in_page(page: &str) -> Option<&str> {
    const KEY: &str = "\"adopt\":\"";
    let start = page.find(KEY)? + KEY.len();
    let token = page.get(start..start + RESUME_TOKEN_LEN)?;
    is_resume_token(token).then_some(token)
}

/// The fields of a submitted POST form, in the order they are decoded.
///
/// Decoded fields come in key order, because the JSON object is read into a sorted map; the
/// browser's field order is not kept. A key appears at most once.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PostData(pub Vec<(String, PostValue)>);

/// The value of one form field.
#[derive(Debug, Clone, PartialEq)]
pub enum PostValue {
    /// A single value.
    Text(String),
    /// The values of a multiple select.
    List(Vec<String>),
}

/// An input event: what happened, and on which node.
#[derive(Debug, Clone, PartialEq)]
pub struct InputEvent {
    /// The id of the event, counting up from 1 per window; the server acknowledges it.
    pub event_id: u64,
    /// The type of the event with its data.
    pub kind: EventKind,
    /// The node whose handler fired.
    pub node: NodeInfo,
    /// The node the browser reported as the event's target (a child of `node`, or itself).
    pub target: NodeInfo,
}

/// The type of an input event, with the data the client sends for it.
#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    /// A click (301).
    Click(ClickData),
    /// A changed value (302).
    Change(ChangeValue),
    /// Focus (304).
    Focus,
    /// Blur (305).
    Blur,
    /// A form submitted in the view (306, our extension), with the value of each of its
    /// controls in document order.
    Submit(Vec<SubmitField>),
    /// A custom event, sent by name rather than by its code 303.
    Custom {
        /// The name the client gave, never empty.
        name: String,
        /// The data, any JSON. Decoded maps have their keys sorted.
        data: Value,
    },
}

impl EventKind {
    /// The `INPUT_EVENT_TYPE` code of this kind; 303 for custom events.
    pub fn code(&self) -> u16 {
        self.event_type().code()
    }

    /// The name of the event: `click`, `change`, `focus`, `blur`, or the custom event's name.
    pub fn name(&self) -> &str {
        match self {
            EventKind::Click(_) => "click",
            EventKind::Change(_) => "change",
            EventKind::Focus => "focus",
            EventKind::Blur => "blur",
            EventKind::Submit(_) => "submit",
            EventKind::Custom { name, .. } => name,
        }
    }

    fn event_type(&self) -> InputEventType {
        match self {
            EventKind::Click(_) => InputEventType::Click,
            EventKind::Change(_) => InputEventType::Change,
            EventKind::Focus => InputEventType::Focus,
            EventKind::Blur => InputEventType::Blur,
            EventKind::Submit(_) => InputEventType::Submit,
            EventKind::Custom { .. } => InputEventType::Custom,
        }
    }
}

/// The data of a click: modifier keys, the size of the clicked node, and where in it the click
/// landed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClickData {
    /// Whether Alt was held.
    pub alt_key: bool,
    /// Whether Shift was held.
    pub shift_key: bool,
    /// Whether Meta was held.
    pub meta_key: bool,
    /// Whether Ctrl was held.
    pub ctrl_key: bool,
    /// The node's `offsetWidth`.
    pub node_width: f64,
    /// The node's `offsetHeight`.
    pub node_height: f64,
    /// The event's `offsetX`.
    pub x: f64,
    /// The event's `offsetY`.
    pub y: f64,
}

/// The new value of a changed input.
#[derive(Debug, Clone, PartialEq)]
pub enum ChangeValue {
    /// The value of a text input, textarea or radio button.
    Text(String),
    /// Whether a checkbox is checked.
    Checked(bool),
    /// The indexes of the selected options of a select.
    Selected(Vec<u32>),
}

/// One control of a submitted form: `[name, node_id, value]` on the wire.
#[derive(Debug, Clone, PartialEq)]
pub struct SubmitField {
    /// The control's `name`; empty if it has none.
    pub name: String,
    /// The control's node id, `null` for an element the server did not make.
    pub node_id: Option<NodeId>,
    /// The control's value, as a change event of it would carry it.
    pub value: ChangeValue,
}

/// What the client tells about a node: `[node_id, TAGNAME, "id attr", "class attr"]`, each of
/// them possibly `null`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NodeInfo {
    /// The node's id in the tree (its `data-lona-node-id`).
    pub node_id: Option<NodeId>,
    /// The DOM `tagName`, upper case for HTML elements.
    pub tag_name: Option<String>,
    /// The `id` attribute; empty if the node has none.
    pub id: Option<String>,
    /// The `class` attribute; empty if the node has none.
    pub class: Option<String>,
}
