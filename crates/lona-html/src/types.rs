//! The small value types of the tree: node ids, namespaces, attribute values and events.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};

/// The identity of a node on the wire: unique within the process, short when printed.
///
/// Ids come from one process-wide counter, so a node keeps its id when it moves between trees
/// and two live nodes never share one. [`crate::diff`] is the one exception by design: a node
/// of a freshly built tree takes over the id of the node it replaces, so that the browser's
/// element keeps answering to the same id.
///
/// Security does not rest on ids being secret: the server scopes every event to the view and
/// session that own the node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(u64);

static NEXT_NODE_ID: AtomicU64 = AtomicU64::new(1);

impl NodeId {
    /// Takes the next id from the process-wide counter.
    pub fn next() -> NodeId {
        NodeId(NEXT_NODE_ID.fetch_add(1, Ordering::Relaxed))
    }

    /// Wraps a raw id, for decoding ids that came back from a browser and for tests.
    pub const fn from_raw(raw: u64) -> NodeId {
        NodeId(raw)
    }

    /// The raw number.
    pub const fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// The error of parsing a [`NodeId`] from a string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseNodeIdError;

impl fmt::Display for ParseNodeIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a node id is a decimal number without sign or leading zeros")
    }
}

impl std::error::Error for ParseNodeIdError {}

impl FromStr for NodeId {
    type Err = ParseNodeIdError;

    fn from_str(s: &str) -> Result<NodeId, ParseNodeIdError> {
        // Only the canonical form we print is accepted, so that one node has one spelling.
        let canonical = !s.is_empty()
            && s.bytes().all(|b| b.is_ascii_digit())
            && (s == "0" || !s.starts_with('0'));
        if !canonical {
            return Err(ParseNodeIdError);
        }
        s.parse().map(NodeId).map_err(|_| ParseNodeIdError)
    }
}

/// The XML namespace of an element. HTML is the empty string, as on the wire.
#[derive(Debug, Clone, Eq)]
pub struct Namespace(Cow<'static, str>);

impl std::hash::Hash for Namespace {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialEq for Namespace {
    fn eq(&self, other: &Namespace) -> bool {
        // Namespaces are compared for every node a diff matches: most are the same static
        // string, so compare addresses before bytes.
        let (a, b) = (self.as_str(), other.as_str());
        (a.len() == b.len() && std::ptr::eq(a.as_ptr(), b.as_ptr())) || a == b
    }
}

impl Namespace {
    /// The HTML namespace, written as `""` on the wire.
    pub const HTML: Namespace = Namespace(Cow::Borrowed(""));
    /// The SVG namespace.
    pub const SVG: Namespace = Namespace(Cow::Borrowed("http://www.w3.org/2000/svg"));
    /// The MathML namespace.
    pub const MATHML: Namespace = Namespace(Cow::Borrowed("http://www.w3.org/1998/Math/MathML"));

    /// A namespace from its URI; the empty string is HTML.
    pub fn new(uri: impl Into<Cow<'static, str>>) -> Namespace {
        Namespace(uri.into())
    }

    /// The namespace URI (`""` for HTML).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is the HTML namespace.
    pub fn is_html(&self) -> bool {
        self.0.is_empty()
    }
}

/// The value of an attribute: a string, a bool or a number, as in Lona.
///
/// A `Bool(true)` renders as the bare attribute name and `Bool(false)` is left out of the HTML,
/// which is how boolean attributes like `disabled` work.
#[derive(Debug, Clone, PartialEq)]
pub enum AttrValue {
    /// A string value.
    Str(String),
    /// A boolean attribute.
    Bool(bool),
    /// An integer value.
    Int(i64),
    /// A float value.
    Float(f64),
}

impl AttrValue {
    /// The string value, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            AttrValue::Str(s) => Some(s),
            _ => None,
        }
    }
}

impl fmt::Display for AttrValue {
    /// The value as the browser sees it in the attribute (`true` for a present boolean).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AttrValue::Str(s) => f.write_str(s),
            AttrValue::Bool(b) => write!(f, "{b}"),
            AttrValue::Int(i) => write!(f, "{i}"),
            AttrValue::Float(x) => write!(f, "{x}"),
        }
    }
}

impl From<&str> for AttrValue {
    fn from(s: &str) -> AttrValue {
        AttrValue::Str(s.to_owned())
    }
}

impl From<String> for AttrValue {
    fn from(s: String) -> AttrValue {
        AttrValue::Str(s)
    }
}

impl From<&String> for AttrValue {
    fn from(s: &String) -> AttrValue {
        AttrValue::Str(s.clone())
    }
}

impl From<bool> for AttrValue {
    fn from(b: bool) -> AttrValue {
        AttrValue::Bool(b)
    }
}

impl From<i64> for AttrValue {
    fn from(i: i64) -> AttrValue {
        AttrValue::Int(i)
    }
}

impl From<i32> for AttrValue {
    fn from(i: i32) -> AttrValue {
        AttrValue::Int(i.into())
    }
}

impl From<u32> for AttrValue {
    fn from(i: u32) -> AttrValue {
        AttrValue::Int(i.into())
    }
}

impl From<usize> for AttrValue {
    fn from(i: usize) -> AttrValue {
        i64::try_from(i).map_or(AttrValue::Float(i as f64), AttrValue::Int)
    }
}

impl From<f64> for AttrValue {
    fn from(x: f64) -> AttrValue {
        AttrValue::Float(x)
    }
}

/// An input event a node listens to.
///
/// The standard events render into the node's `data-lona-events` attribute exactly as Lona
/// writes it: codes joined by `;`, a change event with a debounce delay as `302:300`.
/// Custom events are fired by widgets, not by DOM handlers, so they are kept on the server
/// only: they tell the server which custom events this node accepts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Event {
    /// `click`, code 301.
    Click,
    /// `change`, code 302; with a delay the client debounces `input` events by that many ms.
    Change {
        /// Debounce delay in milliseconds; 0 uses the DOM `change` event.
        delay_ms: u32,
    },
    /// `focus`, code 304.
    Focus,
    /// `blur`, code 305.
    Blur,
    /// `submit` of a form handled in the view, code 306 (our extension: Lona's own client
    /// ignores the code and submits such a form as a navigation).
    Submit,
    /// A custom event by name, fired by a widget.
    Custom(String),
}

impl Event {
    /// Code of the click event type on the wire.
    pub const CLICK_CODE: u16 = 301;
    /// Code of the change event type on the wire.
    pub const CHANGE_CODE: u16 = 302;
    /// Code of custom events on the wire.
    pub const CUSTOM_CODE: u16 = 303;
    /// Code of the focus event type on the wire.
    pub const FOCUS_CODE: u16 = 304;
    /// Code of the blur event type on the wire.
    pub const BLUR_CODE: u16 = 305;
    /// Code of the submit event type on the wire (our extension).
    pub const SUBMIT_CODE: u16 = 306;

    /// A change event without debounce.
    pub const CHANGE: Event = Event::Change { delay_ms: 0 };

    /// The event type code on the wire.
    pub fn code(&self) -> u16 {
        match self {
            Event::Click => Event::CLICK_CODE,
            Event::Change { .. } => Event::CHANGE_CODE,
            Event::Custom(_) => Event::CUSTOM_CODE,
            Event::Focus => Event::FOCUS_CODE,
            Event::Blur => Event::BLUR_CODE,
            Event::Submit => Event::SUBMIT_CODE,
        }
    }

    /// The event name as user code sees it: `click`, `change`, `focus`, `blur`, `submit` or
    /// the custom name.
    pub fn name(&self) -> &str {
        match self {
            Event::Click => "click",
            Event::Change { .. } => "change",
            Event::Focus => "focus",
            Event::Blur => "blur",
            Event::Submit => "submit",
            Event::Custom(name) => name,
        }
    }

    /// Whether two events are of the same type, whatever their debounce delay.
    pub fn same_type(&self, other: &Event) -> bool {
        match (self, other) {
            (Event::Custom(a), Event::Custom(b)) => a == b,
            _ => self.code() == other.code(),
        }
    }
}
