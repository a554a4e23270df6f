//! Messages from the browser client to the server: their types, strict decoding with
//! [`decode_client`], and encoding with [`ClientMessage::encode`] for test clients.
//!
//! Decoding is total: any text gives a [`Frame`] or a [`DecodeError`] that says what was
//! expected where, and never panics. The frame size is checked first, then the nesting depth by a
//! cheap scan, so that a hostile frame never reaches the JSON parser's recursion. Only then is the
//! JSON parsed and walked with precise checks (lona-features.md 2.1, 2.2 and row 66).

use std::fmt;
use std::str::FromStr;

use lona_html::{NodeId, Value};

use crate::codes::{InputEventType, Method};
use crate::ids::{RuntimeId, WindowId};
use crate::{PREFIX, json};

#[cfg(test)]
mod garbage;
#[cfg(test)]
mod tests;

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

/// Bounds on what [`decode_client_with`] accepts, checked before the JSON is parsed.
///
/// More limits may come, so start from [`DecodeLimits::default`] and set the fields to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeLimits {
    /// The largest frame in bytes, custom frames included. Default 1 MiB.
    pub max_frame_bytes: usize,
    /// The deepest nesting of JSON arrays and objects; the frame's own array is level 1.
    /// Default 32, well below the parser's own recursion limit of 128.
    pub max_depth: usize,
}

impl Default for DecodeLimits {
    fn default() -> DecodeLimits {
        DecodeLimits {
            max_frame_bytes: 1024 * 1024,
            max_depth: 32,
        }
    }
}

/// Why a frame is not a valid client message: where in the frame, what was expected there, and
/// what was found.
///
/// The display reads like
/// `invalid lona message at frame[0]: expected window id (a non-negative integer up to
/// 4294967295), found the string "1"`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DecodeError {
    /// Where in the frame: `frame` for the whole frame, then `[index]` for array items and
    /// `.key` (or `["key"]` for keys that are not plain words) for object entries, as in
    /// `frame[3][2].x`.
    pub path: String,
    /// What was expected there.
    pub expected: &'static str,
    /// What was found instead.
    pub found: Found,
}

impl DecodeError {
    /// Whether the frame was larger than [`DecodeLimits::max_frame_bytes`]; a server closes the
    /// socket with 1009 (message too big) for this.
    pub fn is_too_large(&self) -> bool {
        matches!(self.found, Found::TooLarge { .. })
    }

    /// Whether the frame was nested deeper than [`DecodeLimits::max_depth`].
    pub fn is_too_deep(&self) -> bool {
        matches!(self.found, Found::TooDeep { .. })
    }

    /// Whether the text after the `lona:` prefix was not JSON at all.
    pub fn is_not_json(&self) -> bool {
        matches!(self.found, Found::NotJson(_))
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid lona message at {}: expected {}, found {}",
            self.path, self.expected, self.found
        )
    }
}

impl std::error::Error for DecodeError {}

/// What a [`DecodeError`] found where something else was expected.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Found {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as the parser read it.
    Number(String),
    /// A string, cut to its first 32 characters followed by `…` if it is longer, so that a log
    /// line stays short.
    String(String),
    /// An array with this many items.
    Array(usize),
    /// An object.
    Object,
    /// Nothing: an object key is missing.
    Missing,
    /// A frame of `bytes` bytes, over the limit.
    TooLarge {
        /// The size of the frame.
        bytes: usize,
        /// The limit it broke.
        limit: usize,
    },
    /// Arrays and objects nested deeper than the limit.
    TooDeep {
        /// The limit it broke.
        limit: usize,
    },
    /// Text that is not JSON, with the parser's message.
    NotJson(String),
}

/// How many characters of a string [`Found::String`] keeps.
const FOUND_STRING_CHARS: usize = 32;

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Found::Null => f.write_str("null"),
            Found::Bool(b) => write!(f, "{b}"),
            Found::Number(n) => write!(f, "the number {n}"),
            Found::String(s) => {
                // Written as JSON so that control characters cannot garble a log line.
                let mut quoted = String::new();
                json::write_str(&mut quoted, s);
                write!(f, "the string {quoted}")
            }
            Found::Array(1) => f.write_str("an array of 1 item"),
            Found::Array(n) => write!(f, "an array of {n} items"),
            Found::Object => f.write_str("an object"),
            Found::Missing => f.write_str("nothing (the key is missing)"),
            Found::TooLarge { bytes, limit } => {
                write!(f, "{bytes} bytes (the limit is {limit})")
            }
            Found::TooDeep { limit } => write!(f, "nesting deeper than {limit} levels"),
            Found::NotJson(message) => write!(f, "invalid JSON ({message})"),
        }
    }
}

impl Found {
    fn of(value: &Json) -> Found {
        match value {
            Json::Null => Found::Null,
            Json::Bool(b) => Found::Bool(*b),
            Json::Number(n) => Found::Number(n.to_string()),
            Json::String(s) => Found::String(shorten(s)),
            Json::Array(items) => Found::Array(items.len()),
            Json::Object(_) => Found::Object,
        }
    }
}

/// Cuts a string from the client to [`FOUND_STRING_CHARS`] characters, marking the cut with `…`.
fn shorten(s: &str) -> String {
    let mut chars = s.char_indices();
    match chars.nth(FOUND_STRING_CHARS) {
        Some((end, _)) => {
            let mut short = s.get(..end).unwrap_or_default().to_owned();
            short.push('…');
            short
        }
        None => s.to_owned(),
    }
}

/// Decodes one text frame from the client with the default [`DecodeLimits`].
///
/// # Errors
///
/// Returns a [`DecodeError`] if the frame is too large, or starts with `lona:` but is not a
/// valid client message: not JSON, nested too deeply, or not of the shape lona-features.md 2.2
/// describes. Frames without the prefix are never an error unless too large.
pub fn decode_client(frame: &str) -> Result<Frame<'_>, DecodeError> {
    decode_client_with(frame, &DecodeLimits::default())
}

/// Decodes one text frame from the client within the given limits.
///
/// # Errors
///
/// As [`decode_client`].
pub fn decode_client_with<'a>(
    frame: &'a str,
    limits: &DecodeLimits,
) -> Result<Frame<'a>, DecodeError> {
    let root = Path::ROOT;
    if frame.len() > limits.max_frame_bytes {
        return Err(root.error(
            "a frame within the size limit",
            Found::TooLarge {
                bytes: frame.len(),
                limit: limits.max_frame_bytes,
            },
        ));
    }
    let Some(text) = frame.strip_prefix(PREFIX) else {
        return Ok(Frame::Custom(frame));
    };
    if nesting_exceeds(text, limits.max_depth) {
        return Err(root.error(
            "JSON nested within the depth limit",
            Found::TooDeep {
                limit: limits.max_depth,
            },
        ));
    }
    let value: Json = serde_json::from_str(text).map_err(|e| {
        root.error(
            "JSON after the `lona:` prefix",
            Found::NotJson(e.to_string()),
        )
    })?;
    decode_message(&value).map(Frame::Lona)
}

type Json = serde_json::Value;

/// Whether arrays and objects in `text` nest deeper than `max_depth`, counting brackets outside
/// JSON strings. It stops at the first bracket over the limit, so its cost is one pass at most.
/// Unbalanced or otherwise broken text is left to the parser to reject.
fn nesting_exceeds(text: &str, max_depth: usize) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    // Every byte compared is ASCII, and UTF-8 continuation bytes never are, so bytes suffice.
    for &b in text.as_bytes() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max_depth {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

// What each position holds, for the errors; kept in one place so that they read alike.
const FRAME: &str = "a 4-item array [window_id, runtime_id, method, payload]";
const METHOD: &str = "method (101 VIEW, 102 INPUT_EVENT, 104 CLIENT_ERROR or 105 PING)";
const SERVER_METHOD: &str = "a client method (101, 102, 104 or 105), not one the server sends";
const WINDOW_ID: &str = "window id (a non-negative integer up to 4294967295)";
const RUNTIME_ID: &str =
    "runtime id (a string of a decimal number without sign or leading zeros, up to 2^64-1)";
const RUNTIME_ID_OR_NULL: &str =
    "runtime id (a string of a decimal number without sign or leading zeros) or null";
const VIEW_RUNTIME_ID: &str = "null (VIEW is sent before the view has a runtime id)";
const PING_NULL: &str = "null (PING is exactly [null,null,105,null])";
const VIEW_PAYLOAD: &str = "VIEW payload [url, post_data]";
const URL: &str = "url (a string)";
const POST_DATA: &str = "post data (an object, or null for none)";
const POST_VALUE: &str = "form value (a string, or an array of strings)";
const POST_LIST_ITEM: &str = "form value (a string)";
const INPUT_EVENT_PAYLOAD: &str =
    "INPUT_EVENT payload [event_id, event_type, data, node_info, target_node_info]";
const EVENT_ID: &str = "event id (a non-negative integer)";
const EVENT_TYPE: &str = "event type (301 CLICK, 302 CHANGE, 304 FOCUS, 305 BLUR, 306 SUBMIT, \
                          or the name of a custom event as a non-empty string)";
const CLICK_DATA: &str = "click data (an object)";
const CLICK_BOOL: &str = "a bool (click modifier key)";
const CLICK_NUMBER: &str = "a number (click geometry)";
const CHANGE_VALUE: &str = "change value (a string, a bool, or an array of option indexes)";
const OPTION_INDEX: &str = "option index (a non-negative integer up to 4294967295)";
const SUBMIT_DATA: &str = "submit data (an array of fields [name, node_id, value])";
const SUBMIT_FIELD: &str = "submit field [name, node_id, value]";
const SUBMIT_NAME: &str = "field name (a string)";
const NO_DATA: &str = "an empty array (focus and blur carry no data)";
const NODE_INFO: &str = "node info [node_id, tag_name, id, class]";
const NODE_ID: &str = "node id (a string of a decimal number without sign or leading zeros) \
                       or null";
const NODE_STRING: &str = "a string or null";
const CLIENT_ERROR_PAYLOAD: &str = "CLIENT_ERROR payload [message]";
const ERROR_MESSAGE: &str = "error message (a string)";

fn decode_message(value: &Json) -> Result<ClientMessage, DecodeError> {
    let root = Path::ROOT;
    let [window, runtime, method, payload] = fixed::<4>(value, &root, FRAME)?;
    let (window_at, runtime_at, method_at, payload_at) =
        (root.index(0), root.index(1), root.index(2), root.index(3));

    let code = method
        .as_u64()
        .ok_or_else(|| method_at.found(METHOD, method))?;
    let method = match Method::from_code(code) {
        Some(m @ (Method::View | Method::InputEvent | Method::ClientError | Method::Ping)) => m,
        Some(_) => return Err(method_at.found(SERVER_METHOD, method)),
        None => return Err(method_at.found(METHOD, method)),
    };

    if method == Method::Ping {
        for (at, value) in [
            (&window_at, window),
            (&runtime_at, runtime),
            (&payload_at, payload),
        ] {
            if !value.is_null() {
                return Err(at.found(PING_NULL, value));
            }
        }
        return Ok(ClientMessage::Ping);
    }

    let window = window_id(window, &window_at)?;
    match method {
        Method::View => {
            if !runtime.is_null() {
                return Err(runtime_at.found(VIEW_RUNTIME_ID, runtime));
            }
            let [url, post_data] = fixed::<2>(payload, &payload_at, VIEW_PAYLOAD)?;
            let url = string(url, &payload_at.index(0), URL)?;
            let post_data = decode_post_data(post_data, &payload_at.index(1))?;
            Ok(ClientMessage::View {
                window,
                url,
                post_data,
            })
        }
        Method::InputEvent => {
            let runtime = runtime_id(runtime, &runtime_at, RUNTIME_ID)?;
            let event = decode_input_event(payload, &payload_at)?;
            Ok(ClientMessage::InputEvent {
                window,
                runtime,
                event,
            })
        }
        _ => {
            // Only CLIENT_ERROR is left: PING returned above, and the match on the code
            // admitted nothing else.
            let runtime = if runtime.is_null() {
                None
            } else {
                Some(runtime_id(runtime, &runtime_at, RUNTIME_ID_OR_NULL)?)
            };
            let [message] = fixed::<1>(payload, &payload_at, CLIENT_ERROR_PAYLOAD)?;
            let message = string(message, &payload_at.index(0), ERROR_MESSAGE)?;
            Ok(ClientMessage::ClientError {
                window,
                runtime,
                message,
            })
        }
    }
}

fn decode_post_data(value: &Json, at: &Path<'_>) -> Result<PostData, DecodeError> {
    // Lona's client sends `null` (an undefined post_data) for links, GET forms and the first
    // view, and an object only for POST forms; both mean the same to the view.
    if value.is_null() {
        return Ok(PostData::default());
    }
    let entries = value
        .as_object()
        .ok_or_else(|| at.found(POST_DATA, value))?;
    let mut fields = Vec::with_capacity(entries.len());
    for (key, item) in entries {
        let item_at = at.key(key);
        let item = match item {
            Json::String(s) => PostValue::Text(s.clone()),
            Json::Array(items) => PostValue::List(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| string(v, &item_at.index(i), POST_LIST_ITEM))
                    .collect::<Result<_, _>>()?,
            ),
            _ => return Err(item_at.found(POST_VALUE, item)),
        };
        fields.push((key.clone(), item));
    }
    Ok(PostData(fields))
}

fn decode_input_event(value: &Json, at: &Path<'_>) -> Result<InputEvent, DecodeError> {
    let [event_id, event_type, data, node, target] = fixed::<5>(value, at, INPUT_EVENT_PAYLOAD)?;
    let event_id = event_id
        .as_u64()
        .ok_or_else(|| at.index(0).found(EVENT_ID, event_id))?;
    let type_at = at.index(1);
    let data_at = at.index(2);
    let kind = match event_type {
        // Custom events are sent by name; an empty name names nothing.
        Json::String(name) if !name.is_empty() => EventKind::Custom {
            name: name.clone(),
            data: to_value(data),
        },
        Json::Number(n) => match n.as_u64().and_then(InputEventType::from_code) {
            Some(InputEventType::Click) => EventKind::Click(decode_click(data, &data_at)?),
            Some(InputEventType::Change) => EventKind::Change(decode_change(data, &data_at)?),
            Some(kind @ (InputEventType::Focus | InputEventType::Blur)) => {
                if !data.as_array().is_some_and(Vec::is_empty) {
                    return Err(data_at.found(NO_DATA, data));
                }
                if kind == InputEventType::Focus {
                    EventKind::Focus
                } else {
                    EventKind::Blur
                }
            }
            Some(InputEventType::Submit) => EventKind::Submit(decode_submit(data, &data_at)?),
            Some(InputEventType::Custom) | None => {
                return Err(type_at.found(EVENT_TYPE, event_type));
            }
        },
        _ => return Err(type_at.found(EVENT_TYPE, event_type)),
    };
    Ok(InputEvent {
        event_id,
        kind,
        node: decode_node_info(node, &at.index(3))?,
        target: decode_node_info(target, &at.index(4))?,
    })
}

fn decode_click(value: &Json, at: &Path<'_>) -> Result<ClickData, DecodeError> {
    let entries = value
        .as_object()
        .ok_or_else(|| at.found(CLICK_DATA, value))?;
    // Keys the client does not send today are ignored, so that it can add some.
    let flag = |key: &'static str| -> Result<bool, DecodeError> {
        match entries.get(key) {
            Some(Json::Bool(b)) => Ok(*b),
            Some(other) => Err(at.key(key).found(CLICK_BOOL, other)),
            None => Err(at.key(key).error(CLICK_BOOL, Found::Missing)),
        }
    };
    let number = |key: &'static str| -> Result<f64, DecodeError> {
        match entries.get(key) {
            Some(Json::Number(n)) => n.as_f64().ok_or_else(|| {
                at.key(key)
                    .error(CLICK_NUMBER, Found::Number(n.to_string()))
            }),
            Some(other) => Err(at.key(key).found(CLICK_NUMBER, other)),
            None => Err(at.key(key).error(CLICK_NUMBER, Found::Missing)),
        }
    };
    Ok(ClickData {
        alt_key: flag("alt_key")?,
        shift_key: flag("shift_key")?,
        meta_key: flag("meta_key")?,
        ctrl_key: flag("ctrl_key")?,
        // Lona's client reads `offsetWidth`/`offsetHeight`, which SVG elements lack, so a click
        // on SVG arrives without them: a missing size is 0, a wrongly typed one an error.
        node_width: entries
            .get("node_width")
            .map_or(Ok(0.0), |_| number("node_width"))?,
        node_height: entries
            .get("node_height")
            .map_or(Ok(0.0), |_| number("node_height"))?,
        x: number("x")?,
        y: number("y")?,
    })
}

fn decode_change(value: &Json, at: &Path<'_>) -> Result<ChangeValue, DecodeError> {
    match value {
        Json::String(s) => Ok(ChangeValue::Text(s.clone())),
        Json::Bool(b) => Ok(ChangeValue::Checked(*b)),
        Json::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                item.as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(|| at.index(i).found(OPTION_INDEX, item))
            })
            .collect::<Result<_, _>>()
            .map(ChangeValue::Selected),
        _ => Err(at.found(CHANGE_VALUE, value)),
    }
}

fn decode_submit(value: &Json, at: &Path<'_>) -> Result<Vec<SubmitField>, DecodeError> {
    let items = value
        .as_array()
        .ok_or_else(|| at.found(SUBMIT_DATA, value))?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let item_at = at.index(i);
            let [name, node_id, value] = fixed::<3>(item, &item_at, SUBMIT_FIELD)?;
            let node_id = match node_id {
                Json::Null => None,
                Json::String(s) => Some(
                    NodeId::from_str(s).map_err(|_| item_at.index(1).found(NODE_ID, node_id))?,
                ),
                _ => return Err(item_at.index(1).found(NODE_ID, node_id)),
            };
            Ok(SubmitField {
                name: string(name, &item_at.index(0), SUBMIT_NAME)?,
                node_id,
                value: decode_change(value, &item_at.index(2))?,
            })
        })
        .collect()
}

fn decode_node_info(value: &Json, at: &Path<'_>) -> Result<NodeInfo, DecodeError> {
    let [node_id, tag_name, id, class] = fixed::<4>(value, at, NODE_INFO)?;
    let node_id = match node_id {
        Json::Null => None,
        Json::String(s) => {
            Some(NodeId::from_str(s).map_err(|_| at.index(0).found(NODE_ID, node_id))?)
        }
        _ => return Err(at.index(0).found(NODE_ID, node_id)),
    };
    let optional = |value: &Json, index: usize| match value {
        Json::Null => Ok(None),
        Json::String(s) => Ok(Some(s.clone())),
        _ => Err(at.index(index).found(NODE_STRING, value)),
    };
    Ok(NodeInfo {
        node_id,
        tag_name: optional(tag_name, 1)?,
        id: optional(id, 2)?,
        class: optional(class, 3)?,
    })
}

/// The items of an array of exactly `N` items.
fn fixed<'v, const N: usize>(
    value: &'v Json,
    at: &Path<'_>,
    expected: &'static str,
) -> Result<[&'v Json; N], DecodeError> {
    value
        .as_array()
        .and_then(|items| <&[Json; N]>::try_from(items.as_slice()).ok())
        .map(<[Json; N]>::each_ref)
        .ok_or_else(|| at.found(expected, value))
}

fn string(value: &Json, at: &Path<'_>, expected: &'static str) -> Result<String, DecodeError> {
    value
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| at.found(expected, value))
}

fn window_id(value: &Json, at: &Path<'_>) -> Result<WindowId, DecodeError> {
    value
        .as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .map(WindowId)
        .ok_or_else(|| at.found(WINDOW_ID, value))
}

fn runtime_id(
    value: &Json,
    at: &Path<'_>,
    expected: &'static str,
) -> Result<RuntimeId, DecodeError> {
    value
        .as_str()
        .and_then(parse_canonical_u64)
        .map(RuntimeId)
        .ok_or_else(|| at.found(expected, value))
}

/// Parses a decimal number only in the one spelling the server writes, so that one runtime has
/// one id on the wire: no sign, no leading zeros, no whitespace.
fn parse_canonical_u64(s: &str) -> Option<u64> {
    let canonical =
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    if canonical { s.parse().ok() } else { None }
}

/// Converts parsed JSON into a [`Value`]. Integers that fit an `i64` become `Int`, all other
/// numbers `Float`. Object keys arrive sorted, because the parser reads objects into a sorted map
/// (serde_json without `preserve_order`); custom event data is a JSON object to the view, so the
/// order carries no meaning. The recursion is bounded by the depth check before parsing.
fn to_value(value: &Json) -> Value {
    match value {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            // Always a number here: serde_json rejects numbers out of the f64 range.
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::String(s.clone()),
        Json::Array(items) => Value::List(items.iter().map(to_value).collect()),
        Json::Object(entries) => Value::Map(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), to_value(v)))
                .collect(),
        ),
    }
}

/// A position in the frame, as a chain of steps on the stack; it is only turned into text when
/// there is an error, so the successful path allocates nothing for it.
#[derive(Clone, Copy)]
struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    step: Step<'a>,
}

#[derive(Clone, Copy)]
enum Step<'a> {
    Root,
    Index(usize),
    Key(&'a str),
}

impl<'a> Path<'a> {
    const ROOT: Path<'static> = Path {
        parent: None,
        step: Step::Root,
    };

    fn index(&'a self, index: usize) -> Path<'a> {
        Path {
            parent: Some(self),
            step: Step::Index(index),
        }
    }

    fn key(&'a self, key: &'a str) -> Path<'a> {
        Path {
            parent: Some(self),
            step: Step::Key(key),
        }
    }

    fn error(&self, expected: &'static str, found: Found) -> DecodeError {
        DecodeError {
            path: self.render(),
            expected,
            found,
        }
    }

    fn found(&self, expected: &'static str, value: &Json) -> DecodeError {
        self.error(expected, Found::of(value))
    }

    fn render(&self) -> String {
        let mut steps = Vec::new();
        let mut at = Some(self);
        while let Some(path) = at {
            steps.push(path.step);
            at = path.parent;
        }
        let mut out = String::new();
        for step in steps.iter().rev() {
            match step {
                Step::Root => out.push_str("frame"),
                Step::Index(i) => {
                    out.push('[');
                    json::write_u64(&mut out, *i as u64);
                    out.push(']');
                }
                Step::Key(key) if is_plain_key(key) => {
                    out.push('.');
                    out.push_str(key);
                }
                Step::Key(key) => {
                    // Keys come from the client; a long one is cut so the path stays short.
                    out.push('[');
                    json::write_str(&mut out, &shorten(key));
                    out.push(']');
                }
            }
        }
        out
    }
}

/// Whether a key can be shown as `.key`: a short word of ASCII letters, digits, `_` and `-`.
fn is_plain_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= FOUND_STRING_CHARS
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl ClientMessage {
    /// The frame as the client sends it: `lona:` and compact JSON.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        self.encode_into(&mut out);
        out
    }

    /// Appends the frame to `out`.
    ///
    /// Decoding the result gives this message back, except that a decoded [`Value`] map has
    /// sorted keys, [`PostData`] has sorted unique keys, and non-finite floats turn into `null`,
    /// which does not decode back into a float.
    pub fn encode_into(&self, out: &mut String) {
        out.push_str(PREFIX);
        out.push('[');
        match self {
            ClientMessage::View {
                window,
                url,
                post_data,
            } => {
                head(out, Some(*window), None, Method::View);
                out.push('[');
                json::write_str(out, url);
                out.push(',');
                encode_post_data(out, post_data);
                out.push(']');
            }
            ClientMessage::InputEvent {
                window,
                runtime,
                event,
            } => {
                head(out, Some(*window), Some(*runtime), Method::InputEvent);
                encode_input_event(out, event);
            }
            ClientMessage::ClientError {
                window,
                runtime,
                message,
            } => {
                head(out, Some(*window), *runtime, Method::ClientError);
                out.push('[');
                json::write_str(out, message);
                out.push(']');
            }
            ClientMessage::Ping => {
                head(out, None, None, Method::Ping);
                out.push_str("null");
            }
        }
        out.push(']');
    }
}

/// Writes `window_id,runtime_id,method,`.
fn head(out: &mut String, window: Option<WindowId>, runtime: Option<RuntimeId>, method: Method) {
    match window {
        Some(window) => json::write_u64(out, window.0.into()),
        None => out.push_str("null"),
    }
    out.push(',');
    match runtime {
        Some(runtime) => {
            out.push('"');
            json::write_u64(out, runtime.0);
            out.push('"');
        }
        None => out.push_str("null"),
    }
    out.push(',');
    json::write_u64(out, method.code().into());
    out.push(',');
}

fn encode_post_data(out: &mut String, post_data: &PostData) {
    out.push('{');
    for (i, (key, value)) in post_data.0.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json::write_str(out, key);
        out.push(':');
        match value {
            PostValue::Text(text) => json::write_str(out, text),
            PostValue::List(items) => {
                out.push('[');
                for (j, item) in items.iter().enumerate() {
                    if j > 0 {
                        out.push(',');
                    }
                    json::write_str(out, item);
                }
                out.push(']');
            }
        }
    }
    out.push('}');
}

fn encode_change(out: &mut String, value: &ChangeValue) {
    match value {
        ChangeValue::Text(text) => json::write_str(out, text),
        ChangeValue::Checked(b) => out.push_str(if *b { "true" } else { "false" }),
        ChangeValue::Selected(indexes) => {
            out.push('[');
            for (i, index) in indexes.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json::write_u64(out, (*index).into());
            }
            out.push(']');
        }
    }
}

fn encode_input_event(out: &mut String, event: &InputEvent) {
    out.push('[');
    json::write_u64(out, event.event_id);
    out.push(',');
    match &event.kind {
        EventKind::Custom { name, .. } => json::write_str(out, name),
        kind => json::write_u64(out, kind.code().into()),
    }
    out.push(',');
    match &event.kind {
        EventKind::Click(click) => {
            let flags = [
                ("alt_key", click.alt_key),
                ("shift_key", click.shift_key),
                ("meta_key", click.meta_key),
                ("ctrl_key", click.ctrl_key),
            ];
            let numbers = [
                ("node_width", click.node_width),
                ("node_height", click.node_height),
                ("x", click.x),
                ("y", click.y),
            ];
            out.push('{');
            for (key, flag) in flags {
                json::write_str(out, key);
                out.push(':');
                out.push_str(if flag { "true" } else { "false" });
                out.push(',');
            }
            for (i, (key, number)) in numbers.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json::write_str(out, key);
                out.push(':');
                write_js_number(out, number);
            }
            out.push('}');
        }
        EventKind::Change(value) => encode_change(out, value),
        EventKind::Submit(fields) => {
            out.push('[');
            for (i, field) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push('[');
                json::write_str(out, &field.name);
                out.push(',');
                match field.node_id {
                    Some(id) => json::write_str(out, &id.to_string()),
                    None => out.push_str("null"),
                }
                out.push(',');
                encode_change(out, &field.value);
                out.push(']');
            }
            out.push(']');
        }
        EventKind::Focus | EventKind::Blur => out.push_str("[]"),
        EventKind::Custom { data, .. } => json::write_value(out, data),
    }
    out.push(',');
    encode_node_info(out, &event.node);
    out.push(',');
    encode_node_info(out, &event.target);
    out.push(']');
}

/// Writes a number as JavaScript's `JSON.stringify` does for the values browsers report: whole
/// numbers without a fraction (`80`, not `80.0`), so that a click re-encodes byte for byte.
fn write_js_number(out: &mut String, x: f64) {
    // Whole floats in the u64 and i64 ranges convert exactly, and their integer form is what
    // browsers send. Negative zero keeps its float form, so that its sign survives.
    const U64_END: f64 = 18_446_744_073_709_551_616.0;
    const I64_START: f64 = -9_223_372_036_854_775_808.0;
    let whole = x.is_finite() && x.fract() == 0.0 && !(x == 0.0 && x.is_sign_negative());
    if whole && (0.0..U64_END).contains(&x) {
        json::write_u64(out, x as u64);
    } else if whole && (I64_START..0.0).contains(&x) {
        json::write_i64(out, x as i64);
    } else {
        json::write_f64(out, x);
    }
}

fn encode_node_info(out: &mut String, info: &NodeInfo) {
    out.push('[');
    match info.node_id {
        Some(id) => {
            out.push('"');
            json::write_u64(out, id.get());
            out.push('"');
        }
        None => out.push_str("null"),
    }
    for part in [&info.tag_name, &info.id, &info.class] {
        out.push(',');
        json::write_opt_str(out, part.as_deref());
    }
    out.push(']');
}
