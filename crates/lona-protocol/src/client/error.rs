//! Why a frame is not a valid client message, and the path to where in the frame.

use std::fmt;

use crate::json;

use super::Json;

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
    ///
    /// [`DecodeLimits::max_frame_bytes`]: super::DecodeLimits::max_frame_bytes
    pub fn is_too_large(&self) -> bool {
        matches!(self.found, Found::TooLarge { .. })
    }

    /// Whether the frame was nested deeper than [`DecodeLimits::max_depth`].
    ///
    /// [`DecodeLimits::max_depth`]: super::DecodeLimits::max_depth
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
    /// A string found, cut as [`Found::String`] says; the server decoder's JSON tree uses it too.
    pub(crate) fn string(s: &str) -> Found {
        Found::String(shorten(s, FOUND_STRING_CHARS))
    }

    fn of(value: &Json) -> Found {
        match value {
            Json::Null => Found::Null,
            Json::Bool(b) => Found::Bool(*b),
            Json::Number(n) => Found::Number(n.to_string()),
            Json::String(s) => Found::string(s),
            Json::Array(items) => Found::Array(items.len()),
            Json::Object(_) => Found::Object,
        }
    }
}

/// Cuts `text` to `max` characters, marking the cut with `…`, so that an error message that
/// quotes a frame, a body or a string from the other side stays readable. The test kit's
/// errors use it too.
pub fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", text.get(..end).unwrap_or_default()),
        None => text.to_owned(),
    }
}

/// A position in the frame, as a chain of steps on the stack; it is only turned into text when
/// there is an error, so the successful path allocates nothing for it.
#[derive(Clone, Copy)]
pub(super) struct Path<'a> {
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
    pub(super) const ROOT: Path<'static> = Path {
        parent: None,
        step: Step::Root,
    };

    pub(super) fn index(&'a self, index: usize) -> Path<'a> {
        Path {
            parent: Some(self),
            step: Step::Index(index),
        }
    }

    pub(super) fn key(&'a self, key: &'a str) -> Path<'a> {
        Path {
            parent: Some(self),
            step: Step::Key(key),
        }
    }

    pub(super) fn error(&self, expected: &'static str, found: Found) -> DecodeError {
        DecodeError {
            path: self.render(),
            expected,
            found,
        }
    }

    pub(super) fn found(&self, expected: &'static str, value: &Json) -> DecodeError {
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
                    json::write_str(&mut out, &shorten(key, FOUND_STRING_CHARS));
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
