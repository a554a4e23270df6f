//! The names of uploaded files: the display name kept of a browser's file name, and its
//! encoding in bucket URLs. A display name is never a path: files are stored under generated
//! names.

use lona_static::URL_ESCAPED;

/// The longest display name kept, in bytes.
pub(crate) const MAX_NAME: usize = 255;

/// Percent-encodes a display name for a URL path: everything but letters, digits and `.-_`.
pub(crate) fn encode_name(name: &str) -> String {
    percent_encoding::utf8_percent_encode(name, URL_ESCAPED).to_string()
}

/// Decodes a name from a URL path: `%XX` escapes only (a `+` is a plus here), `None` for a
/// broken escape or invalid UTF-8.
pub(crate) fn decode_name(encoded: &str) -> Option<String> {
    // The crate passes a broken escape through as it is; a name with one was never encoded
    // by `encode_name`, so it names no file.
    let broken = encoded.match_indices('%').any(|(i, _)| {
        encoded
            .get(i + 1..i + 3)
            .is_none_or(|hex| !hex.bytes().all(|b| b.is_ascii_hexdigit()))
    });
    if broken {
        return None;
    }
    let decoded = percent_encoding::percent_decode_str(encoded)
        .decode_utf8()
        .ok()?;
    Some(decoded.into_owned())
}

/// The display name kept for a browser's file name: without control characters and bidi
/// overrides (which could disguise a name), trimmed, at most [`MAX_NAME`] bytes; `None` if
/// nothing is left (a file input left empty sends an empty name).
pub(crate) fn display_name(raw: &str) -> Option<String> {
    let mut name = String::with_capacity(raw.len().min(MAX_NAME));
    for c in raw.trim().chars() {
        let bidi = matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        if c.is_control() || bidi {
            continue;
        }
        if name.len() + c.len_utf8() > MAX_NAME {
            break;
        }
        name.push(c);
    }
    let name = name.trim();
    (!name.is_empty()).then(|| name.to_owned())
}
