//! Decoding a client frame: the checks before parsing, then the walk over the frame with
//! precise errors, and the helpers every part of the walk uses.

use lona_html::Value;

use crate::PREFIX;
use crate::codes::Method;
use crate::ids::{RuntimeId, WindowId};

use super::error::Path;
use super::expected::*;
use super::input_event::decode_input_event;
use super::limits::nesting_exceeds;
use super::{
    ClientMessage, DecodeError, DecodeLimits, Found, Frame, Json, PostData, PostValue,
    is_resume_token,
};

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

fn decode_message(value: &Json) -> Result<ClientMessage, DecodeError> {
    let root = Path::ROOT;
    let [window, runtime, method, payload] = fixed::<4>(value, &root, FRAME)?;
    let (window_at, runtime_at, method_at, payload_at) =
        (root.index(0), root.index(1), root.index(2), root.index(3));

    let code = method
        .as_u64()
        .ok_or_else(|| method_at.found(METHOD, method))?;
    let method = match Method::from_code(code) {
        Some(
            m @ (Method::View
            | Method::InputEvent
            | Method::ClientError
            | Method::Ping
            | Method::Ack
            | Method::Resume),
        ) => m,
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
            let (url, post_data, options) = match payload.as_array().map(Vec::as_slice) {
                Some([url, post_data]) => (url, post_data, None),
                Some([url, post_data, options]) => (url, post_data, Some(options)),
                _ => return Err(payload_at.found(VIEW_PAYLOAD, payload)),
            };
            let url = string(url, &payload_at.index(0), URL)?;
            let post_data = decode_post_data(post_data, &payload_at.index(1))?;
            let (ack, adopt) = match options {
                None => (false, None),
                Some(options) => {
                    let options = options
                        .as_object()
                        .ok_or_else(|| payload_at.index(2).found(VIEW_OPTIONS, options))?;
                    // Other keys are for later extensions; a client may send them to any server.
                    let ack = options.get("ack").and_then(Json::as_u64) == Some(1);
                    // A token of another shape is ignored: the window gets a fresh view, never
                    // nothing.
                    let adopt = options
                        .get("adopt")
                        .and_then(Json::as_str)
                        .filter(|t| is_resume_token(t))
                        .map(str::to_owned);
                    (ack, adopt)
                }
            };
            Ok(ClientMessage::View {
                window,
                url,
                post_data,
                ack,
                adopt,
            })
        }
        Method::Ack => {
            let runtime = runtime_id(runtime, &runtime_at, RUNTIME_ID)?;
            let seq = payload
                .as_u64()
                .ok_or_else(|| payload_at.found(SEQ, payload))?;
            Ok(ClientMessage::Ack {
                window,
                runtime,
                seq,
            })
        }
        Method::Resume => {
            let runtime = runtime_id(runtime, &runtime_at, RUNTIME_ID)?;
            // Three elements: a page loaded before PROTOCOL_VERSION 4 (docs/protocol.md).
            let (url, seq, token, last_event) = match payload.as_array().map(Vec::as_slice) {
                Some([url, seq, token]) => (url, seq, token, None),
                Some([url, seq, token, last_event]) => (url, seq, token, Some(last_event)),
                _ => return Err(payload_at.found(RESUME_PAYLOAD, payload)),
            };
            let url = string(url, &payload_at.index(0), URL)?;
            let seq = seq
                .as_u64()
                .ok_or_else(|| payload_at.index(1).found(SEQ, seq))?;
            let token = token
                .as_str()
                .filter(|t| is_resume_token(t))
                .ok_or_else(|| payload_at.index(2).found(RESUME_TOKEN, token))?
                .to_owned();
            let last_event = last_event
                .map(|id| {
                    id.as_u64()
                        .ok_or_else(|| payload_at.index(3).found(EVENT_ID, id))
                })
                .transpose()?;
            Ok(ClientMessage::Resume {
                window,
                runtime,
                url,
                seq,
                token,
                last_event,
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

/// The items of an array of exactly `N` items.
pub(super) fn fixed<'v, const N: usize>(
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

pub(super) fn string(
    value: &Json,
    at: &Path<'_>,
    expected: &'static str,
) -> Result<String, DecodeError> {
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
pub(super) fn to_value(value: &Json) -> Value {
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
