//! Decoding what the server sends, for clients written in Rust (the test kit, the load
//! generator): [`decode_server`] turns a frame into a [`DecodedServerMessage`] whose trees are
//! [`Snapshot`]s and whose patches are [`Patch`]es, the types the server encoded them from.
//!
//! Decoding is strict and total, as for client frames: any text gives a [`ServerFrame`] or a
//! [`DecodeError`] that says what was expected where (`frame[3][1][1][0][2]`), never a panic.
//! A decoded value is always one the tree could hold: tag and attribute names render safely,
//! `data-lona-events` lists known events.
//!
//! # Map order
//!
//! JSON objects on the wire (attributes, style, widget data) are maps: the order of their
//! entries carries no meaning (docs/protocol.md, "Map order"). The server writes them in
//! insertion order and this decoder keeps the order it reads, so a decoded tree renders as the
//! browser's does and `decode(encode(m))` gives `m` back entry for entry; a consumer must not
//! give the order a meaning beyond that. A key that comes twice keeps its first place and its
//! last value, as `JSON.parse` does.
//!
//! # Where the wire says more than a `Patch`
//!
//! Two forms the server never writes decode to the patch they mean: an attribute set to
//! `null` (the client removes it) is [`MapOp::Remove`], and a WIDGET_DATA RESET at a non-empty
//! key path is the [`WidgetDataOp::Set`] of that path's last key.

use lona_html::{
    AttrValue, EVENTS_ATTRIBUTE, Element, Namespace, NodeId, Patch, Snapshot, Value,
    is_valid_attribute_name, parse_events_attribute,
};

use super::{Html, ResumeFailure, ServerMessage};
use crate::client::{DecodeError, Found};
use crate::json_tree::{self, Json, ParseError};
use crate::{DataType, Method, NodeType, PREFIX, RuntimeId, WindowId};

/// The deepest nesting of arrays and objects a server frame may have: a tree of
/// [`lona_html::MAX_PARSE_DEPTH`] levels takes two per level (a spec and its child list), plus
/// a few for the frame around it.
pub const MAX_SERVER_DEPTH: usize = 2 * lona_html::MAX_PARSE_DEPTH + 16;

/// One text frame from the server.
#[derive(Debug, Clone, PartialEq)]
#[allow(
    clippy::large_enum_variant,
    reason = "nearly every frame is a message; boxing it would cost an allocation per frame"
)]
pub enum ServerFrame<'a> {
    /// A protocol message: the frame started with `lona:`.
    Lona(DecodedServerMessage),
    /// A frame without the `lona:` prefix, sent by a middleware.
    Custom(&'a str),
}

/// A message from the server, decoded: [`ServerMessage`] with owned data.
#[derive(Debug, Clone, PartialEq)]
pub enum DecodedServerMessage {
    /// VIEW_START.
    ViewStart {
        /// The window.
        window: WindowId,
        /// The new view runtime.
        runtime: RuntimeId,
        /// The resume token, in the acknowledged stream.
        resume: Option<String>,
    },
    /// VIEW_STOP.
    ViewStop {
        /// The window.
        window: WindowId,
        /// The view runtime.
        runtime: RuntimeId,
    },
    /// INPUT_EVENT_ACK.
    InputEventAck {
        /// The window.
        window: WindowId,
        /// The view runtime.
        runtime: RuntimeId,
        /// The acknowledged event.
        event_id: u64,
    },
    /// REDIRECT.
    Redirect {
        /// The window.
        window: WindowId,
        /// The view runtime, if any.
        runtime: Option<RuntimeId>,
        /// The target as sent.
        url: String,
    },
    /// HTTP_REDIRECT.
    HttpRedirect {
        /// The window.
        window: WindowId,
        /// The view runtime, if any.
        runtime: Option<RuntimeId>,
        /// The target as sent.
        url: String,
    },
    /// PONG.
    Pong,
    /// DATA.
    Data {
        /// The window.
        window: WindowId,
        /// The view runtime.
        runtime: RuntimeId,
        /// The title; empty leaves the document's title alone.
        title: String,
        /// What to render, if anything.
        html: Option<DecodedHtml>,
    },
    /// RESUMED.
    Resumed {
        /// The window.
        window: WindowId,
        /// The view runtime.
        runtime: RuntimeId,
        /// The last sequence number the server sent the window.
        seq: u64,
        /// The id of the last input event of the window the server received (0 for none).
        event: u64,
    },
    /// RESUME_FAILED.
    ResumeFailed {
        /// The window.
        window: WindowId,
        /// Why.
        reason: ResumeFailure,
    },
}

/// The HTML part of a decoded DATA message.
#[derive(Debug, Clone, PartialEq)]
pub enum DecodedHtml {
    /// HTML (501): a string the client sets as `innerHTML`.
    String(String),
    /// HTML_TREE (502): the whole tree, with the server's node ids.
    Tree(Snapshot),
    /// HTML_UPDATE (503): patches, in order.
    Update(Vec<Patch>),
}

impl DecodedServerMessage {
    /// The message as the encoder takes it: `decode_server(&m.as_message().encode())` gives
    /// `m` back.
    pub fn as_message(&self) -> ServerMessage<'_> {
        match self {
            DecodedServerMessage::ViewStart {
                window,
                runtime,
                resume,
            } => ServerMessage::ViewStart {
                window: *window,
                runtime: *runtime,
                resume: resume.as_deref(),
            },
            DecodedServerMessage::Resumed {
                window,
                runtime,
                seq,
                event,
            } => ServerMessage::Resumed {
                window: *window,
                runtime: *runtime,
                seq: *seq,
                event: *event,
            },
            DecodedServerMessage::ResumeFailed { window, reason } => ServerMessage::ResumeFailed {
                window: *window,
                reason: *reason,
            },
            DecodedServerMessage::ViewStop { window, runtime } => ServerMessage::ViewStop {
                window: *window,
                runtime: *runtime,
            },
            DecodedServerMessage::InputEventAck {
                window,
                runtime,
                event_id,
            } => ServerMessage::InputEventAck {
                window: *window,
                runtime: *runtime,
                event_id: *event_id,
            },
            DecodedServerMessage::Redirect {
                window,
                runtime,
                url,
            } => ServerMessage::Redirect {
                window: *window,
                runtime: *runtime,
                url,
            },
            DecodedServerMessage::HttpRedirect {
                window,
                runtime,
                url,
            } => ServerMessage::HttpRedirect {
                window: *window,
                runtime: *runtime,
                url,
            },
            DecodedServerMessage::Pong => ServerMessage::Pong,
            DecodedServerMessage::Data {
                window,
                runtime,
                title,
                html,
            } => ServerMessage::Data {
                window: *window,
                runtime: *runtime,
                title,
                html: html.as_ref().map(|html| match html {
                    DecodedHtml::String(s) => Html::String(s),
                    DecodedHtml::Tree(snapshot) => Html::Snapshot(snapshot),
                    DecodedHtml::Update(patches) => Html::Update(patches),
                }),
            },
        }
    }
}

/// Decodes one text frame from the server.
///
/// # Errors
///
/// A [`DecodeError`] if the frame starts with `lona:` but is not a server message: not JSON,
/// nested deeper than [`MAX_SERVER_DEPTH`], or not of the shape docs/protocol.md describes.
pub fn decode_server(frame: &str) -> Result<ServerFrame<'_>, DecodeError> {
    decode_server_with_seq(frame).map(|(frame, _)| frame)
}

/// Decodes one text frame from the server with its sequence number: the 5th element the
/// acknowledged stream adds (docs/protocol.md), `None` in Lona's plain protocol and for custom
/// frames.
///
/// # Errors
///
/// As [`decode_server`].
pub fn decode_server_with_seq(frame: &str) -> Result<(ServerFrame<'_>, Option<u64>), DecodeError> {
    let Some(text) = frame.strip_prefix(PREFIX) else {
        return Ok((ServerFrame::Custom(frame), None));
    };
    let value = json_tree::parse(text, MAX_SERVER_DEPTH).map_err(|error| match error {
        ParseError::TooDeep => At::FRAME.error(
            "JSON nested within the depth limit",
            Found::TooDeep {
                limit: MAX_SERVER_DEPTH,
            },
        ),
        ParseError::NotJson(message) => {
            At::FRAME.error("JSON after the `lona:` prefix", Found::NotJson(message))
        }
    })?;
    decode_message(&value).map(|(message, seq)| (ServerFrame::Lona(message), seq))
}

// What each position holds, for the errors; kept in one place so that they read alike.
const FRAME: &str = "a 4-item array [window_id, runtime_id, method, payload], or 5 with a seq";
const SEQ: &str = "a sequence number (a positive integer)";
const RESUME_PAYLOAD: &str = "null or {\"resume\": token}";
const RESUMED_STAMP: &str = "RESUMED stamped with the seq of its payload as 5th element";
const RESUMED_PAYLOAD: &str =
    "{\"seq\": n, \"event\": id}, n the frame's own sequence number, id an event id";
const RESUME_FAILURE: &str = "\"expired\" or \"refused\"";
const WINDOW_ID: &str = "a window id (a non-negative integer up to 4294967295) or null";
const RUNTIME_ID: &str =
    "a runtime id (a string of a decimal number without sign or leading zeros) or null";
const SERVER_METHOD: &str = "a server method (103, or 201 to 208)";
const PONG: &str = "exactly [null,null,206,null]";
const NO_PAYLOAD: &str = "null";
const EVENT_ID: &str = "an event id (a non-negative integer)";
const URL: &str = "the URL (a string)";
const DATA_PAYLOAD: &str = "[title, html]";
const TITLE: &str = "the title (a string)";
const HTML: &str = "null or [DATA_TYPE, data]";
const DATA_TYPE: &str = "a DATA_TYPE (501 HTML, 502 HTML_TREE or 503 HTML_UPDATE)";
const HTML_STRING: &str = "an HTML string";
const PATCHES: &str = "a list of patches";
const NODE_ID: &str = "a node id (a string of a decimal number)";
const SPEC: &str = "a node spec [401, id, ...] or [402, id, text]";
const LEGACY_WIDGET: &str = "a node spec of type 401 or 402 (403 is a legacy widget of client v1)";
const TEXT_SPEC: &str = "a text node spec [402, id, text]";
const TEXT: &str = "the text (a string)";
const ELEMENT_SPEC: &str = "an element spec [401, id, namespace, tag, [ids], [classes], \
                            {style}, {attributes}, [children], widget, widget_data]";
const NAMESPACE: &str = "a namespace (a string, \"\" for HTML)";
const TAG: &str = "a tag name";
const SAFE_TAG: &str = "a tag name without spaces, quotes, '<', '>', '/', '=' or '`'";
const STRINGS: &str = "a list of strings";
const STRING: &str = "a string";
const STYLE: &str = "an object of style properties";
const STYLE_VALUE: &str = "a string value for a style property";
const ATTRIBUTES: &str = "an object of attributes";
const ATTRIBUTE_NAME: &str = "an attribute name that renders safely and is not data-lona-node-id";
const ATTRIBUTE_VALUE: &str = "a value for an attribute: a string, a bool, a number or null";
const EVENTS: &str = "event codes joined by ';' (301, 302 or 302:<ms>, 304, 305), or false";
const CHILDREN: &str = "a list of child specs";
const WIDGET: &str = "a widget class name (\"\" for none)";

fn decode_message(value: &Json) -> Result<(DecodedServerMessage, Option<u64>), DecodeError> {
    let at = At::FRAME;
    let (message, seq) = match value.as_array() {
        Some([window, runtime, method, payload]) => ([window, runtime, method, payload], None),
        Some([window, runtime, method, payload, seq]) => (
            [window, runtime, method, payload],
            Some(
                seq.as_u64()
                    .filter(|&n| n > 0)
                    .ok_or_else(|| at.index(4).found(SEQ, seq))?,
            ),
        ),
        _ => return Err(at.found(FRAME, value)),
    };
    let message = decode_fields(value, message)?;
    match (&message, seq) {
        // PONG never carries a number; RESUMED always does, and it repeats its payload's.
        (DecodedServerMessage::Pong, Some(_)) => Err(at.found(PONG, value)),
        (DecodedServerMessage::Resumed { seq: payload, .. }, stamp) if stamp != Some(*payload) => {
            Err(at.found(RESUMED_STAMP, value))
        }
        _ => Ok((message, seq)),
    }
}

fn decode_fields(
    value: &Json,
    [window, runtime, method, payload]: [&Json; 4],
) -> Result<DecodedServerMessage, DecodeError> {
    let at = At::FRAME;
    let window = match window {
        Json::Null => None,
        _ => Some(
            window
                .as_u64()
                .and_then(|w| u32::try_from(w).ok())
                .map(WindowId)
                .ok_or_else(|| at.index(0).found(WINDOW_ID, window))?,
        ),
    };
    let runtime = match runtime {
        Json::Null => None,
        _ => Some(
            runtime
                .as_str()
                .and_then(parse_canonical_u64)
                .map(RuntimeId)
                .ok_or_else(|| at.index(1).found(RUNTIME_ID, runtime))?,
        ),
    };
    let method = method
        .as_u64()
        .and_then(Method::from_code)
        .filter(|m| {
            !matches!(
                m,
                Method::View
                    | Method::InputEvent
                    | Method::ClientError
                    | Method::Ping
                    | Method::Ack
                    | Method::Resume
            )
        })
        .ok_or_else(|| at.index(2).found(SERVER_METHOD, method))?;
    if method == Method::Pong {
        if window.is_some() || runtime.is_some() || !payload.is_null() {
            return Err(at.found(PONG, value));
        }
        return Ok(DecodedServerMessage::Pong);
    }
    let window = window.ok_or_else(|| at.index(0).error(WINDOW_ID, Found::Null))?;
    let payload_at = at.index(3);
    if method == Method::ResumeFailed {
        if let Some(runtime) = runtime {
            return Err(at.index(1).error(
                "null (RESUME_FAILED names no runtime)",
                Found::string(&runtime.0.to_string()),
            ));
        }
        let reason = match payload.as_str() {
            Some("expired") => ResumeFailure::Expired,
            Some("refused") => ResumeFailure::Refused,
            _ => return Err(payload_at.found(RESUME_FAILURE, payload)),
        };
        return Ok(DecodedServerMessage::ResumeFailed { window, reason });
    }
    match method {
        Method::Redirect | Method::HttpRedirect => {
            let url = string(payload, &payload_at, URL)?;
            return Ok(if method == Method::Redirect {
                DecodedServerMessage::Redirect {
                    window,
                    runtime,
                    url,
                }
            } else {
                DecodedServerMessage::HttpRedirect {
                    window,
                    runtime,
                    url,
                }
            });
        }
        _ => {}
    }
    let runtime = runtime.ok_or_else(|| at.index(1).error(RUNTIME_ID, Found::Null))?;
    match method {
        Method::ViewStart => {
            let resume = match payload {
                Json::Null => None,
                _ => match payload.as_object() {
                    Some([(key, token)]) if key == "resume" => Some(
                        token
                            .as_str()
                            .filter(|t| crate::is_resume_token(t))
                            .ok_or_else(|| payload_at.found(RESUME_PAYLOAD, payload))?
                            .to_owned(),
                    ),
                    _ => return Err(payload_at.found(RESUME_PAYLOAD, payload)),
                },
            };
            Ok(DecodedServerMessage::ViewStart {
                window,
                runtime,
                resume,
            })
        }
        Method::ViewStop => {
            if !payload.is_null() {
                return Err(payload_at.found(NO_PAYLOAD, payload));
            }
            Ok(DecodedServerMessage::ViewStop { window, runtime })
        }
        Method::Resumed => {
            // Exactly the two keys, in either order: map order carries no meaning.
            let number = |key: &str| match payload.as_object() {
                Some(entries @ [_, _]) => entries
                    .iter()
                    .find(|(k, _)| k == key)
                    .and_then(|(_, value)| value.as_u64()),
                _ => None,
            };
            match (number("seq"), number("event")) {
                (Some(seq), Some(event)) => Ok(DecodedServerMessage::Resumed {
                    window,
                    runtime,
                    seq,
                    event,
                }),
                _ => Err(payload_at.found(RESUMED_PAYLOAD, payload)),
            }
        }
        Method::InputEventAck => Ok(DecodedServerMessage::InputEventAck {
            window,
            runtime,
            event_id: payload
                .as_u64()
                .ok_or_else(|| payload_at.found(EVENT_ID, payload))?,
        }),
        _ => {
            let [title, html] = fixed::<2>(payload, &payload_at, DATA_PAYLOAD)?;
            let title = string(title, &payload_at.index(0), TITLE)?;
            let html = match html {
                Json::Null => None,
                html => Some(decode_html(html, &payload_at.index(1))?),
            };
            Ok(DecodedServerMessage::Data {
                window,
                runtime,
                title,
                html,
            })
        }
    }
}

fn decode_html(html: &Json, at: &At<'_>) -> Result<DecodedHtml, DecodeError> {
    let [data_type, data] = fixed::<2>(html, at, HTML)?;
    let data_at = at.index(1);
    match data_type.as_u64().and_then(DataType::from_code) {
        Some(DataType::Html) => string(data, &data_at, HTML_STRING).map(DecodedHtml::String),
        Some(DataType::HtmlTree) => decode_node(data, &data_at).map(DecodedHtml::Tree),
        Some(DataType::HtmlUpdate) => {
            let patches = data
                .as_array()
                .ok_or_else(|| data_at.found(PATCHES, data))?;
            patches
                .iter()
                .enumerate()
                .map(|(i, patch)| patch::decode_patch(patch, &data_at.index(i)))
                .collect::<Result<_, _>>()
                .map(DecodedHtml::Update)
        }
        None => Err(at.index(0).found(DATA_TYPE, data_type)),
    }
}

/// Decodes a node spec into a snapshot with the server's ids.
fn decode_node(spec: &Json, at: &At<'_>) -> Result<Snapshot, DecodeError> {
    let items = spec.as_array().ok_or_else(|| at.found(SPEC, spec))?;
    match items
        .first()
        .and_then(Json::as_u64)
        .and_then(NodeType::from_code)
    {
        Some(NodeType::TextNode) => {
            let [_, id, text] = fixed::<3>(spec, at, TEXT_SPEC)?;
            Ok(Snapshot::text(
                node_id(id, &at.index(1))?,
                string(text, &at.index(2), TEXT)?,
            ))
        }
        Some(NodeType::Node) => decode_element(spec, at),
        Some(NodeType::Widget) => Err(at.found(LEGACY_WIDGET, spec)),
        None => Err(at.found(SPEC, spec)),
    }
}

fn decode_element(spec: &Json, at: &At<'_>) -> Result<Snapshot, DecodeError> {
    let [
        _,
        id,
        namespace,
        tag,
        ids,
        classes,
        style,
        attributes,
        children,
        widget,
        widget_data,
    ] = fixed::<11>(spec, at, ELEMENT_SPEC)?;
    let id = node_id(id, &at.index(1))?;
    let namespace = known_namespace(string(namespace, &at.index(2), NAMESPACE)?);
    let tag = string(tag, &at.index(3), TAG)?;
    if !is_valid_attribute_name(&tag) {
        return Err(at.index(3).found(SAFE_TAG, &Json::String(tag)));
    }
    let attributes_at = at.index(7);
    let entries = attributes
        .as_object()
        .ok_or_else(|| attributes_at.found(ATTRIBUTES, attributes))?;
    let mut plain = Vec::with_capacity(entries.len());
    let mut events = Vec::new();
    for (name, value) in entries {
        let name = attribute_name(name, &attributes_at)?;
        match attribute_value(&name, value, &attributes_at)? {
            None => {}
            Some(AttrValue::Str(value)) if name == EVENTS_ATTRIBUTE => {
                events = parse_events_attribute(&value).unwrap_or_default();
            }
            Some(_) if name == EVENTS_ATTRIBUTE => events.clear(),
            Some(value) => plain.push((name, value)),
        }
    }
    let children_at = at.index(8);
    let children = children
        .as_array()
        .ok_or_else(|| children_at.found(CHILDREN, children))?
        .iter()
        .enumerate()
        .map(|(i, child)| decode_node(child, &children_at.index(i)))
        .collect::<Result<Vec<_>, _>>()?;
    let widget = string(widget, &at.index(9), WIDGET)?;
    let mut element = Element::resolved(namespace, tag)
        .with_ids(strings(ids, &at.index(4))?)
        .with_classes(strings(classes, &at.index(5))?)
        .with_style(style_entries(style, &at.index(6))?)
        .with_attributes(plain)
        .with_events(events)
        .with_children(children);
    if !widget.is_empty() || !widget_data.is_null() {
        element = element.with_widget(widget, to_value(widget_data));
    }
    Ok(Snapshot::element(id, element))
}

fn known_namespace(uri: String) -> Namespace {
    [Namespace::HTML, Namespace::SVG, Namespace::MATHML]
        .into_iter()
        .find(|known| known.as_str() == uri)
        .unwrap_or_else(|| Namespace::new(uri))
}

/// Checks an attribute name from the wire: one the tree could hold.
fn attribute_name(name: &str, at: &At<'_>) -> Result<String, DecodeError> {
    if !is_valid_attribute_name(name) || name == "data-lona-node-id" {
        return Err(at.found(ATTRIBUTE_NAME, &Json::String(name.to_owned())));
    }
    Ok(name.to_owned())
}

/// An attribute value from the wire; `None` for `null`, which the client takes as a removal.
/// The events attribute must list known events (or be `false`, for none).
fn attribute_value(
    name: &str,
    value: &Json,
    at: &At<'_>,
) -> Result<Option<AttrValue>, DecodeError> {
    if name == EVENTS_ATTRIBUTE {
        return match value {
            Json::Null => Ok(None),
            Json::Bool(false) => Ok(Some(AttrValue::Bool(false))),
            Json::String(text) if parse_events_attribute(text).is_some() => {
                Ok(Some(AttrValue::Str(text.clone())))
            }
            _ => Err(at.found(EVENTS, value)),
        };
    }
    Ok(Some(match value {
        Json::Null => return Ok(None),
        Json::String(s) => AttrValue::Str(s.clone()),
        Json::Bool(b) => AttrValue::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => AttrValue::Int(i),
            None => AttrValue::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::Array(_) | Json::Object(_) => return Err(at.found(ATTRIBUTE_VALUE, value)),
    }))
}

fn strings(value: &Json, at: &At<'_>) -> Result<Vec<String>, DecodeError> {
    value
        .as_array()
        .ok_or_else(|| at.found(STRINGS, value))?
        .iter()
        .enumerate()
        .map(|(i, item)| string(item, &at.index(i), STRING))
        .collect()
}

fn style_entries(value: &Json, at: &At<'_>) -> Result<Vec<(String, String)>, DecodeError> {
    value
        .as_object()
        .ok_or_else(|| at.found(STYLE, value))?
        .iter()
        .map(|(name, value)| Ok((name.clone(), string(value, at, STYLE_VALUE)?)))
        .collect()
}

fn string(value: &Json, at: &At<'_>, expected: &'static str) -> Result<String, DecodeError> {
    value
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| at.found(expected, value))
}

/// A server node id: a string of a decimal number without sign or leading zeros.
fn node_id(value: &Json, at: &At<'_>) -> Result<NodeId, DecodeError> {
    value
        .as_str()
        .and_then(|id| id.parse().ok())
        .ok_or_else(|| at.found(NODE_ID, value))
}

/// Parses a decimal number in the one spelling the server writes.
fn parse_canonical_u64(s: &str) -> Option<u64> {
    s.parse::<NodeId>().ok().map(NodeId::get)
}

/// Widget data. Integers that fit an `i64` become `Int`, other numbers `Float`; maps keep the
/// order read.
fn to_value(value: &Json) -> Value {
    match value {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
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

/// The items of an array of exactly `N` items.
fn fixed<'v, const N: usize>(
    value: &'v Json,
    at: &At<'_>,
    expected: &'static str,
) -> Result<&'v [Json; N], DecodeError> {
    value
        .as_array()
        .and_then(|items| <&[Json; N]>::try_from(items).ok())
        .ok_or_else(|| at.found(expected, value))
}

/// A position in the frame, as a chain of array indexes on the stack; rendered as
/// `frame[3][1]` only for an error.
#[derive(Clone, Copy)]
struct At<'a> {
    parent: Option<&'a At<'a>>,
    index: Option<usize>,
}

impl<'a> At<'a> {
    const FRAME: At<'static> = At {
        parent: None,
        index: None,
    };

    fn index(&'a self, index: usize) -> At<'a> {
        At {
            parent: Some(self),
            index: Some(index),
        }
    }

    fn error(&self, expected: &'static str, found: Found) -> DecodeError {
        let mut steps = Vec::new();
        let mut at = Some(self);
        while let Some(step) = at {
            steps.extend(step.index);
            at = step.parent;
        }
        let mut path = String::from("frame");
        for index in steps.iter().rev() {
            path.push_str(&format!("[{index}]"));
        }
        DecodeError {
            path,
            expected,
            found,
        }
    }

    fn found(&self, expected: &'static str, value: &Json) -> DecodeError {
        self.error(expected, value.found())
    }
}

mod patch;
#[cfg(test)]
pub(crate) mod strategies;
#[cfg(test)]
mod tests;
