//! Path validation: the one function every lookup goes through ([`RelPath::from_url`] and its
//! twin for names given by the app, [`RelPath::from_name`]), plus percent-encoding for the URLs
//! we hand out and the `name.<hash>.ext` form of hashed URLs.
//!
//! A [`RelPath`] is a list of plain segments joined by `/`: no `.` or `..`, no empty segment,
//! no segment starting with `.` (dotfiles are never served), no `/`, `\`, `:`, NUL or control
//! character inside a segment, valid UTF-8. Code downstream trusts it and only joins it to a
//! root; the check that the joined path does not leave the root through a symlink happens at
//! lookup time (`canonicalize`), in `files.rs`.

use std::path::{Path, PathBuf};

/// Longest URL path (after the prefix) we look at; longer requests are refused, so a request
/// cannot make us canonicalize kilobytes of path. Real static paths are far shorter.
pub(crate) const MAX_PATH_LEN: usize = 1024;

/// Longest segment: the usual file-name limit of file systems (ext4, APFS, NTFS).
const MAX_SEGMENT_LEN: usize = 255;

/// Hex digits of the content hash in a hashed URL (64 bits: collisions between two versions of
/// one file are out of reach).
pub(crate) const URL_HASH_LEN: usize = 16;

/// A validated path relative to a root: plain segments joined by `/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct RelPath(String);

impl RelPath {
    /// Validates the path of a request URL, after the URL prefix and without the query:
    /// percent-decodes each segment once and checks it. `None` means "refuse" (answer 404).
    pub(crate) fn from_url(raw: &str) -> Option<RelPath> {
        RelPath::parse(raw, true)
    }

    /// Validates a name given by the application (an embedded file, a declared file, an
    /// argument of `hashed_url`): the same checks, without percent-decoding.
    pub(crate) fn from_name(name: &str) -> Option<RelPath> {
        RelPath::parse(name, false)
    }

    /// The one validation function. Empty segments (`a//b`, a trailing `/`, an empty path) are
    /// refused rather than collapsed, so every file has exactly one URL (and one cache entry).
    fn parse(raw: &str, decode: bool) -> Option<RelPath> {
        if raw.is_empty() || raw.len() > MAX_PATH_LEN {
            return None;
        }
        let mut out = String::with_capacity(raw.len());
        for (index, segment) in raw.split('/').enumerate() {
            if index > 0 {
                out.push('/');
            }
            if decode && segment.contains('%') {
                let decoded = percent_decode(segment)?;
                check_segment(&decoded)?;
                out.push_str(&decoded);
            } else {
                check_segment(segment)?;
                out.push_str(segment);
            }
        }
        Some(RelPath(out))
    }

    /// The path as `/`-separated text, e.g. `lona/lona.js`.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// The segments, in order.
    pub(crate) fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('/')
    }

    /// `root` joined with every segment (never an absolute path or a parent: the segments are
    /// plain names).
    pub(crate) fn join_to(&self, root: &Path) -> PathBuf {
        let mut path = root.to_path_buf();
        for segment in self.segments() {
            path.push(segment);
        }
        path
    }

    /// The same path with `suffix` appended to the last segment (`app.js` + `.br`). The
    /// result is valid: the suffix is a plain extension.
    pub(crate) fn with_suffix(&self, suffix: &str) -> RelPath {
        RelPath(format!("{}{suffix}", self.0))
    }

    /// The hashed form: `name.<hash>.ext`, or `name.<hash>` if the last segment has no
    /// extension. `hash` is [`URL_HASH_LEN`] lowercase hex digits.
    pub(crate) fn hashed(&self, hash: &str) -> String {
        let (dir, file) = match self.0.rfind('/') {
            Some(at) => self.0.split_at(at + 1),
            None => ("", self.0.as_str()),
        };
        match file.rfind('.') {
            Some(dot) => format!("{dir}{}.{hash}{}", &file[..dot], &file[dot..]),
            None => format!("{dir}{file}.{hash}"),
        }
    }

    /// If the last segment looks hashed (`name.<16 hex>.ext` or `name.<16 hex>`), the plain
    /// path and the hash. Only a shape test: the caller checks the hash against the file.
    pub(crate) fn split_hash(&self) -> Option<(RelPath, &str)> {
        let (dir, file) = match self.0.rfind('/') {
            Some(at) => self.0.split_at(at + 1),
            None => ("", self.0.as_str()),
        };
        let parts: Vec<&str> = file.split('.').collect();
        let (hash, plain_file) = match parts.as_slice() {
            [name, hash] if is_url_hash(hash) => (*hash, (*name).to_owned()),
            [.., hash, ext] if parts.len() >= 3 && is_url_hash(hash) => {
                let name = parts[..parts.len() - 2].join(".");
                (*hash, format!("{name}.{ext}"))
            }
            _ => return None,
        };
        let plain = RelPath::from_name(&format!("{dir}{plain_file}"))?;
        Some((plain, hash))
    }
}

fn is_url_hash(text: &str) -> bool {
    text.len() == URL_HASH_LEN && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Checks one (decoded) segment; `None` refuses it.
fn check_segment(segment: &str) -> Option<()> {
    if segment.is_empty() || segment.len() > MAX_SEGMENT_LEN {
        return None;
    }
    // Dotfiles and `.`/`..` in one test: `.git`, `.env` and `.htaccess` are never served.
    if segment.starts_with('.') {
        return None;
    }
    // `/` can only be here after decoding (`%2f`); `\` is a separator on Windows; `:` is a
    // drive letter (`C:`) or an NTFS stream (`file:stream`) on Windows and keeps the output
    // of collect-static portable; NUL and control characters never belong in a file name.
    if segment
        .chars()
        .any(|c| matches!(c, '/' | '\\' | ':') || c.is_control())
    {
        return None;
    }
    if cfg!(windows) && windows_reserved(segment) {
        return None;
    }
    Some(())
}

/// Names Windows maps to devices (`CON`, `nul.txt`) and names it silently rewrites (a
/// trailing dot or space): refused there, as tower-http does.
fn windows_reserved(segment: &str) -> bool {
    if segment.ends_with(['.', ' ']) {
        return true;
    }
    let stem = segment.split('.').next().unwrap_or(segment);
    let upper = stem.to_ascii_uppercase();
    matches!(upper.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((upper.starts_with("COM") || upper.starts_with("LPT"))
            && upper.len() == 4
            && upper.as_bytes()[3].is_ascii_digit())
}

/// Strict percent-decoding of one segment: every `%` must start two hex digits and the result
/// must be UTF-8. Decodes once: `%252e` becomes the text `%2e`, never `.`.
fn percent_decode(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let high = hex_value(*bytes.get(i + 1)?)?;
            let low = hex_value(*bytes.get(i + 2)?)?;
            out.push(high << 4 | low);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// Percent-encodes a relative path for a URL: segments keep their `/`; everything but
/// unreserved characters (RFC 3986) and a few safe sub-delimiters is encoded.
pub(crate) fn percent_encode_path(path: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'-' | b'.' | b'_' | b'~' | b'/' | b'!' | b'$' | b'(' | b')' | b'*' | b',' | b'@'
            );
        if keep {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 15)]));
        }
    }
    out
}

#[cfg(test)]
mod tests;
