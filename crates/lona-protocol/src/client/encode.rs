//! Encoding client messages as the browser client sends them, byte for byte, for test clients
//! and load generators.

use crate::codes::Method;
use crate::ids::{RuntimeId, WindowId};
use crate::{PREFIX, json};

use super::{ChangeValue, ClientMessage, EventKind, InputEvent, NodeInfo, PostData, PostValue};

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
    ///
    /// [`Value`]: lona_html::Value
    pub fn encode_into(&self, out: &mut String) {
        out.push_str(PREFIX);
        out.push('[');
        match self {
            ClientMessage::View {
                window,
                url,
                post_data,
                ack,
                adopt,
            } => {
                head(out, Some(*window), None, Method::View);
                out.push('[');
                json::write_str(out, url);
                out.push(',');
                encode_post_data(out, post_data);
                match (ack, adopt) {
                    (ack, Some(token)) => {
                        out.push_str(if *ack { ",{\"ack\":1," } else { ",{" });
                        out.push_str("\"adopt\":");
                        json::write_str(out, token);
                        out.push('}');
                    }
                    (true, None) => out.push_str(",{\"ack\":1}"),
                    (false, None) => {}
                }
                out.push(']');
            }
            ClientMessage::Ack {
                window,
                runtime,
                seq,
            } => {
                head(out, Some(*window), Some(*runtime), Method::Ack);
                json::write_u64(out, *seq);
            }
            ClientMessage::Resume {
                window,
                runtime,
                url,
                seq,
                token,
                last_event,
            } => {
                head(out, Some(*window), Some(*runtime), Method::Resume);
                out.push('[');
                json::write_str(out, url);
                out.push(',');
                json::write_u64(out, *seq);
                out.push(',');
                json::write_str(out, token);
                if let Some(last_event) = last_event {
                    out.push(',');
                    json::write_u64(out, *last_event);
                }
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
