//! Writing compact JSON straight into a `String`: the one place that knows JSON string escaping
//! and number formatting, shared by every encoder of this crate.
//!
//! Output matches Python's `json.dumps(..., separators=(',', ':'))` as Lona writes it, except
//! that non-ASCII characters are written as UTF-8 instead of `\uXXXX` escapes (both are the same
//! JSON to every parser, and UTF-8 is shorter), and non-finite floats are written as `null`
//! (Python would write `NaN`, which is not JSON).

use lona_html::{AttrValue, Key, Value};

/// Appends `s` as a JSON string literal.
pub fn write_str(out: &mut String, s: &str) {
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0;
    // Every byte that needs escaping is ASCII, so these indexes are char boundaries.
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0x00..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if escape.is_empty() {
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends an unsigned integer.
pub fn write_u64(out: &mut String, n: u64) {
    out.push_str(itoa::Buffer::new().format(n));
}

/// Appends a signed integer.
pub fn write_i64(out: &mut String, n: i64) {
    out.push_str(itoa::Buffer::new().format(n));
}

/// Appends a float; `null` if it is not finite.
pub fn write_f64(out: &mut String, x: f64) {
    if x.is_finite() {
        out.push_str(ryu::Buffer::new().format_finite(x));
    } else {
        out.push_str("null");
    }
}

/// Appends a string, or `null`.
pub fn write_opt_str(out: &mut String, s: Option<&str>) {
    match s {
        Some(s) => write_str(out, s),
        None => out.push_str("null"),
    }
}

/// Appends a [`Value`].
pub fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => write_i64(out, *i),
        Value::Float(x) => write_f64(out, *x),
        Value::String(s) => write_str(out, s),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Map(entries) => {
            out.push('{');
            for (i, (key, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(out, key);
                out.push(':');
                write_value(out, item);
            }
            out.push('}');
        }
    }
}

/// Appends an attribute value as the JSON type it has (string, bool or number).
pub fn write_attr_value(out: &mut String, value: &AttrValue) {
    match value {
        AttrValue::Str(s) => write_str(out, s),
        AttrValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        AttrValue::Int(i) => write_i64(out, *i),
        AttrValue::Float(x) => write_f64(out, *x),
    }
}

/// Appends a widget-data key: a string or an index.
pub fn write_key(out: &mut String, key: &Key) {
    match key {
        Key::Name(name) => write_str(out, name),
        Key::Index(index) => write_u64(out, *index as u64),
    }
}

/// Appends a key path as a JSON array.
pub fn write_path(out: &mut String, path: &[Key]) {
    out.push('[');
    for (i, key) in path.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_key(out, key);
    }
    out.push(']');
}
