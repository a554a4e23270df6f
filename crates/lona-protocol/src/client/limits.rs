//! The bounds checked before a frame's JSON is parsed: its size, and its nesting depth by a
//! cheap scan.

/// Bounds on what [`decode_client_with`] accepts, checked before the JSON is parsed.
///
/// More limits may come, so start from [`DecodeLimits::default`] and set the fields to change.
///
/// [`decode_client_with`]: super::decode_client_with
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

/// Whether arrays and objects in `text` nest deeper than `max_depth`, counting brackets outside
/// JSON strings. It stops at the first bracket over the limit, so its cost is one pass at most.
/// Unbalanced or otherwise broken text is left to the parser to reject. Server frames decoded
/// by a Rust client are checked with it as well.
pub(crate) fn nesting_exceeds(text: &str, max_depth: usize) -> bool {
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
