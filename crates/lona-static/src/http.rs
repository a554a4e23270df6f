//! The framework-agnostic HTTP types ([`StaticRequest`], [`StaticResponse`], [`Body`]) and the
//! parsers of the request headers we honour: `Accept-Encoding`, `If-None-Match`, `If-Range`
//! and `Range`.
//!
//! Header parsing is total: a malformed header is treated as absent (for `Range`, as RFC 9110
//! allows) and never becomes an error.

use std::fs::File;
use std::sync::Arc;
use std::time::SystemTime;

/// A request for a static file, as the server sees it: borrowed from its own request type.
///
/// `path` is the URL path **with** the URL prefix (`/static/lona/lona.js`), still
/// percent-encoded, without the query (anything from a `?` or `#` on is ignored anyway). The
/// header fields hold the first value of each header; a server that receives a header twice
/// may join the values with `, `.
///
/// ```
/// use lona_static::StaticRequest;
///
/// let request = StaticRequest::get("/static/app.css")
///     .header("If-None-Match", "\"abc\"")
///     .header("Accept-Encoding", "gzip, br");
/// assert_eq!(request.if_none_match, Some("\"abc\""));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct StaticRequest<'a> {
    /// The method, e.g. `GET` (case-sensitive, as in HTTP).
    pub method: &'a str,
    /// The URL path with the prefix, without the query.
    pub path: &'a str,
    /// `If-None-Match`.
    pub if_none_match: Option<&'a str>,
    /// `If-Modified-Since`.
    pub if_modified_since: Option<&'a str>,
    /// `If-Range`.
    pub if_range: Option<&'a str>,
    /// `Range`.
    pub range: Option<&'a str>,
    /// `Accept-Encoding`.
    pub accept_encoding: Option<&'a str>,
}

impl<'a> StaticRequest<'a> {
    /// A request with no conditional, range or encoding headers.
    pub fn new(method: &'a str, path: &'a str) -> StaticRequest<'a> {
        StaticRequest {
            method,
            path,
            ..StaticRequest::default()
        }
    }

    /// A `GET` request.
    pub fn get(path: &'a str) -> StaticRequest<'a> {
        StaticRequest::new("GET", path)
    }

    /// A `HEAD` request.
    pub fn head(path: &'a str) -> StaticRequest<'a> {
        StaticRequest::new("HEAD", path)
    }

    /// The same request with one more header; the name is case-insensitive and headers this
    /// crate does not use are ignored, so a server can feed every header through here.
    #[must_use]
    pub fn header(mut self, name: &str, value: &'a str) -> StaticRequest<'a> {
        let slot = if name.eq_ignore_ascii_case("if-none-match") {
            &mut self.if_none_match
        } else if name.eq_ignore_ascii_case("if-modified-since") {
            &mut self.if_modified_since
        } else if name.eq_ignore_ascii_case("if-range") {
            &mut self.if_range
        } else if name.eq_ignore_ascii_case("range") {
            &mut self.range
        } else if name.eq_ignore_ascii_case("accept-encoding") {
            &mut self.accept_encoding
        } else {
            return self;
        };
        if slot.is_none() {
            *slot = Some(value);
        }
        self
    }
}

/// The answer to a [`StaticRequest`]: a status, headers and a body.
///
/// Header names are lowercase (`content-type`), ready for `HeaderName::from_static`. The
/// server adds `Date` and may replace the body of an error status (404, 405, 416) with its
/// own error page.
#[derive(Debug)]
#[non_exhaustive]
pub struct StaticResponse {
    /// The status code: 200, 206, 304, 404, 405 or 416.
    pub status: u16,
    /// The headers, lowercase names.
    pub headers: Vec<(&'static str, String)>,
    /// The body; [`Body::Empty`] for `HEAD` and 304.
    pub body: Body,
}

impl StaticResponse {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The plain `404: Not found` answer (Lona's text) that every refusal gives.
    pub(crate) fn not_found(method: &str) -> StaticResponse {
        StaticResponse::plain(404, method, b"404: Not found")
    }

    /// `405` with `Allow: GET, HEAD`.
    pub(crate) fn method_not_allowed() -> StaticResponse {
        let mut response = StaticResponse::plain(405, "GET", b"405: Method Not Allowed");
        response.headers.push((ALLOW, "GET, HEAD".to_owned()));
        response
    }

    fn plain(status: u16, method: &str, text: &'static [u8]) -> StaticResponse {
        let body = if method == "HEAD" {
            Body::Empty
        } else {
            Body::Static(text)
        };
        StaticResponse {
            status,
            headers: vec![
                (CONTENT_TYPE, "text/plain; charset=utf-8".to_owned()),
                (CONTENT_LENGTH, text.len().to_string()),
                (X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            ],
            body,
        }
    }
}

/// The body of a [`StaticResponse`]. Not `#[non_exhaustive]` on purpose: the server must
/// handle every kind of body, and a new one should fail its build rather than fall into a
/// wildcard arm.
#[derive(Debug)]
pub enum Body {
    /// No body (`HEAD`, 304, 416).
    Empty,
    /// Bytes that live as long as the program: embedded files.
    Static(&'static [u8]),
    /// Bytes from the in-memory cache, shared without copying.
    Shared(SharedBytes),
    /// A range of an open file, to stream. The file's cursor is already at `offset`; read
    /// `length` bytes from there (or use `offset` with positioned reads). Read it off the
    /// async workers: it is a blocking file.
    File {
        /// The open file.
        file: File,
        /// Where the body starts in the file.
        offset: u64,
        /// How many bytes the body has.
        length: u64,
    },
}

impl Body {
    /// The number of bytes the body has.
    pub fn len(&self) -> u64 {
        match self {
            Body::Empty => 0,
            Body::Static(bytes) => bytes.len() as u64,
            Body::Shared(bytes) => bytes.as_ref().len() as u64,
            Body::File { length, .. } => *length,
        }
    }

    /// Whether the body has no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes, if they are in memory (every body but [`Body::File`]).
    pub fn as_slice(&self) -> Option<&[u8]> {
        match self {
            Body::Empty => Some(&[]),
            Body::Static(bytes) => Some(bytes),
            Body::Shared(bytes) => Some(bytes.as_ref()),
            Body::File { .. } => None,
        }
    }
}

/// A slice of bytes shared with the cache (`Arc<[u8]>` plus a range), cheap to clone.
///
/// It implements `AsRef<[u8]>`, so hyper's `Bytes::from_owner` takes it without a copy.
#[derive(Clone)]
pub struct SharedBytes {
    bytes: Arc<[u8]>,
    start: usize,
    end: usize,
}

impl SharedBytes {
    /// `bytes[start..end]`; the range is clamped to the bytes.
    pub(crate) fn new(bytes: Arc<[u8]>, start: usize, end: usize) -> SharedBytes {
        let end = end.min(bytes.len());
        let start = start.min(end);
        SharedBytes { bytes, start, end }
    }
}

impl AsRef<[u8]> for SharedBytes {
    fn as_ref(&self) -> &[u8] {
        self.bytes.get(self.start..self.end).unwrap_or_default()
    }
}

impl std::fmt::Debug for SharedBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedBytes")
            .field("len", &(self.end - self.start))
            .finish()
    }
}

pub(crate) const ACCEPT_RANGES: &str = "accept-ranges";
pub(crate) const ALLOW: &str = "allow";
pub(crate) const CACHE_CONTROL: &str = "cache-control";
pub(crate) const CONTENT_ENCODING: &str = "content-encoding";
pub(crate) const CONTENT_LENGTH: &str = "content-length";
pub(crate) const CONTENT_RANGE: &str = "content-range";
pub(crate) const CONTENT_TYPE: &str = "content-type";
pub(crate) const ETAG: &str = "etag";
pub(crate) const LAST_MODIFIED: &str = "last-modified";
pub(crate) const VARY: &str = "vary";
pub(crate) const X_CONTENT_TYPE_OPTIONS: &str = "x-content-type-options";

/// A content coding we serve from a precompressed sibling file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    /// The file itself.
    Identity,
    /// `file.br`.
    Brotli,
    /// `file.gz`.
    Gzip,
}

impl Encoding {
    /// The sibling encodings, in the order of preference when the client weighs them equally.
    pub(crate) const SIBLINGS: [Encoding; 2] = [Encoding::Brotli, Encoding::Gzip];

    /// The suffix of the sibling file.
    pub(crate) fn suffix(self) -> &'static str {
        match self {
            Encoding::Identity => "",
            Encoding::Brotli => ".br",
            Encoding::Gzip => ".gz",
        }
    }

    /// The `Content-Encoding` value.
    pub(crate) fn header(self) -> Option<&'static str> {
        match self {
            Encoding::Identity => None,
            Encoding::Brotli => Some("br"),
            Encoding::Gzip => Some("gzip"),
        }
    }
}

/// The weight (`q`, in thousandths) `Accept-Encoding` gives `encoding`; 0 means "not
/// acceptable". A coding not listed takes the weight of `*`, or 0.
pub(crate) fn encoding_weight(accept: &str, encoding: Encoding) -> u16 {
    let names: &[&str] = match encoding {
        Encoding::Identity => return 1000,
        Encoding::Brotli => &["br"],
        Encoding::Gzip => &["gzip", "x-gzip"],
    };
    let mut star = None;
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or("").trim();
        if name.is_empty() {
            continue;
        }
        let mut weight = Some(1000);
        for param in parts {
            if let Some((key, value)) = param.split_once('=')
                && key.trim().eq_ignore_ascii_case("q")
            {
                weight = parse_qvalue(value.trim());
            }
        }
        // A malformed weight makes the coding unacceptable rather than preferred.
        let weight = weight.unwrap_or(0);
        if names.iter().any(|n| name.eq_ignore_ascii_case(n)) {
            return weight;
        }
        if name == "*" {
            star = Some(weight);
        }
    }
    star.unwrap_or(0)
}

/// `qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )`, in thousandths.
fn parse_qvalue(text: &str) -> Option<u16> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut thousandths: u16 = 0;
    for (i, b) in frac.bytes().enumerate() {
        thousandths += u16::from(b - b'0') * [100, 10, 1][i];
    }
    match int {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

/// Whether `If-None-Match` matches `etag` (our strong tag, with quotes). `*` matches any
/// existing file. The comparison is the weak one, as RFC 9110 (13.1.2) asks for this header:
/// `W/"x"` matches `"x"`.
pub(crate) fn none_match(header: &str, etag: &str) -> bool {
    if header.trim() == "*" {
        return true;
    }
    let ours = etag.trim_start_matches("W/");
    entity_tags(header).any(|tag| tag.trim_start_matches("W/") == ours)
}

/// Whether `If-Range` lets the range through: a strong tag equal to ours, or a date equal to
/// our `Last-Modified`. Anything else (a weak tag, garbage, a date we lack) means "send the
/// whole file".
pub(crate) fn if_range_holds(header: &str, etag: &str, modified_secs: Option<u64>) -> bool {
    let header = header.trim();
    if header.starts_with('"') {
        return header == etag;
    }
    if header.starts_with("W/") {
        return false;
    }
    match (parse_http_date(header), modified_secs) {
        (Some(date), Some(modified)) => date == modified,
        _ => false,
    }
}

/// The entity tags of a list, with their quotes (and `W/`); stops at the first malformed one.
fn entity_tags(list: &str) -> impl Iterator<Item = &str> {
    let mut rest = list;
    std::iter::from_fn(move || {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            return None;
        }
        let start = rest;
        let body = rest.strip_prefix("W/").unwrap_or(rest);
        let after_quote = body.strip_prefix('"')?;
        let close = after_quote.find('"')?;
        let length = (start.len() - after_quote.len()) + close + 1;
        let tag = &start[..length];
        rest = &start[length..];
        Some(tag)
    })
}

/// Seconds since the epoch of an HTTP date, or `None` if it is malformed.
pub(crate) fn parse_http_date(text: &str) -> Option<u64> {
    let time = httpdate::parse_http_date(text.trim()).ok()?;
    time.duration_since(SystemTime::UNIX_EPOCH)
        .ok()
        .map(|d| d.as_secs())
}

/// What a `Range` header asks of a representation of `len` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RangeAsk {
    /// Send the whole representation (no header, a malformed one, or several ranges).
    Whole,
    /// Send bytes `start..=end`.
    Part { start: u64, end: u64 },
    /// 416: no byte of the range exists.
    Unsatisfiable,
}

/// Parses a single-range `Range` header (`bytes=a-b`, `bytes=a-`, `bytes=-n`). Several ranges
/// (`bytes=0-1,5-6`) give [`RangeAsk::Whole`]: a 200 with the whole file is always a correct
/// answer, and multipart bodies are rarely worth their cost.
pub(crate) fn parse_range(header: &str, len: u64) -> RangeAsk {
    let header = header.trim();
    let Some((unit, spec)) = header.split_once('=') else {
        return RangeAsk::Whole;
    };
    if !unit.trim().eq_ignore_ascii_case("bytes") || spec.contains(',') {
        return RangeAsk::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return RangeAsk::Whole;
    };
    let (first, last) = (first.trim(), last.trim());
    let number = |text: &str| -> Option<u64> {
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        text.parse().ok()
    };
    if first.is_empty() {
        // A suffix: the last n bytes.
        let Some(n) = number(last) else {
            return RangeAsk::Whole;
        };
        if n == 0 || len == 0 {
            return RangeAsk::Unsatisfiable;
        }
        return RangeAsk::Part {
            start: len.saturating_sub(n),
            end: len - 1,
        };
    }
    let Some(start) = number(first) else {
        return RangeAsk::Whole;
    };
    let end = if last.is_empty() {
        None
    } else {
        match number(last) {
            Some(end) if end >= start => Some(end),
            _ => return RangeAsk::Whole,
        }
    };
    if start >= len {
        return RangeAsk::Unsatisfiable;
    }
    RangeAsk::Part {
        start,
        end: end.map_or(len - 1, |end| end.min(len - 1)),
    }
}

#[cfg(test)]
mod tests;
