//! Answering one request from one cache [`Entry`]: choosing the representation, conditional
//! requests (304), `HEAD`, ranges (206, 416) and the body (memory, a held file, or a file
//! opened and checked against the entry's stamp).

use std::fs::File;
use std::io::{Seek, SeekFrom};
use std::sync::Arc;

use crate::cache::{Entry, Held, HeldFiles, Memory, Stamp, Variant};
use crate::http::{
    ACCEPT_RANGES, Body, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_RANGE,
    CONTENT_TYPE, ETAG, LAST_MODIFIED, RangeAsk, SharedBytes, StaticRequest, StaticResponse, VARY,
    X_CONTENT_TYPE_OPTIONS, encoding_weight, if_range_holds, none_match, parse_http_date,
    parse_range,
};

/// `Cache-Control` of hashed URLs: their bytes never change.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of plain URLs: cache, but revalidate with the `ETag` every time.
const NO_CACHE: &str = "no-cache";

/// What `answer` could do.
pub(crate) enum Answer {
    Response(StaticResponse),
    /// The body is on disk and the caller may not touch the file system.
    NeedsFile,
    /// The file on disk is not the one the entry describes.
    Stale,
}

/// What a request gets for one representation, by its conditional and range headers: the
/// rules static files follow, for any other file a server answers with
/// (`HttpResponse::file`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Validation {
    /// 304: `If-None-Match` holds one of our tags, or (without it) `If-Modified-Since` is not
    /// older than the file.
    NotModified,
    /// 200 with the whole body (also for `HEAD`, a range `If-Range` does not let through, and
    /// a malformed or multi-part `Range`).
    Whole,
    /// 206 with bytes `start..=end`.
    Part {
        /// The first byte.
        start: u64,
        /// The last byte, included.
        end: u64,
    },
    /// 416: the range starts past the end.
    Unsatisfiable,
}

/// Validates `request` against a representation of `len` bytes with `etag` and the
/// modification time `modified_secs` (seconds since the epoch).
pub fn validate(
    request: &StaticRequest<'_>,
    etag: &str,
    modified_secs: Option<u64>,
    len: u64,
) -> Validation {
    let not_modified = match (request.if_none_match, request.if_modified_since) {
        (Some(tags), _) => none_match(tags, etag),
        (None, Some(since)) => match (modified_secs, parse_http_date(since)) {
            (Some(modified), Some(since)) => modified <= since,
            _ => false,
        },
        (None, None) => false,
    };
    if not_modified {
        return Validation::NotModified;
    }
    if request.method == "HEAD" {
        return Validation::Whole;
    }
    let range = match request.range {
        Some(range)
            if request
                .if_range
                .is_none_or(|v| if_range_holds(v, etag, modified_secs)) =>
        {
            parse_range(range, len)
        }
        _ => RangeAsk::Whole,
    };
    match range {
        RangeAsk::Whole => Validation::Whole,
        RangeAsk::Part { start, end } => Validation::Part { start, end },
        RangeAsk::Unsatisfiable => Validation::Unsatisfiable,
    }
}

/// The validators of a file on disk, for answering it with [`validate`]: a strong `ETag`
/// from its length and modification time (as nginx makes them) and its `Last-Modified`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FileValidators {
    /// The `ETag`, quoted.
    pub etag: String,
    /// The modification time in seconds since the epoch, and as an HTTP date.
    pub modified: Option<(u64, String)>,
}

impl FileValidators {
    /// The validators of a file with this metadata.
    pub fn of(meta: &std::fs::Metadata) -> FileValidators {
        let modified = meta.modified().ok();
        let nanos = modified
            .and_then(|m| m.duration_since(std::time::SystemTime::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        FileValidators {
            etag: format!("\"{:x}-{nanos:x}\"", meta.len()),
            modified: modified
                .and_then(crate::cache::http_date)
                .map(|(secs, text)| (secs, text.into())),
        }
    }
}

/// Builds the answer for one entry. `held` are files opened while building the entry;
/// `may_open` says whether a file may be opened.
pub(crate) fn answer(
    request: &StaticRequest<'_>,
    entry: &Entry,
    hashed: bool,
    held: &mut HeldFiles,
    may_open: bool,
) -> Answer {
    let variant = choose_variant(entry, request.accept_encoding);
    let mut headers: Vec<(&'static str, String)> = Vec::with_capacity(10);
    headers.push((ETAG, variant.etag.to_string()));
    if let Some((_, text)) = &variant.modified {
        headers.push((LAST_MODIFIED, text.to_string()));
    }
    let cache_control = if hashed { IMMUTABLE } else { NO_CACHE };
    headers.push((CACHE_CONTROL, cache_control.to_owned()));
    if entry.compressible || entry.variants.len() > 1 {
        headers.push((VARY, "Accept-Encoding".to_owned()));
    }
    headers.push((X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()));

    let validation = validate(request, &variant.etag, modified_secs(variant), variant.len);
    if validation == Validation::NotModified {
        return Answer::Response(StaticResponse {
            status: 304,
            headers,
            body: Body::Empty,
        });
    }

    headers.push((CONTENT_TYPE, entry.content_type.to_owned()));
    headers.push((ACCEPT_RANGES, "bytes".to_owned()));
    if let Some(coding) = variant.encoding.header() {
        headers.push((CONTENT_ENCODING, coding.to_owned()));
    }
    let len = variant.len;
    if request.method == "HEAD" {
        headers.push((CONTENT_LENGTH, len.to_string()));
        return Answer::Response(StaticResponse {
            status: 200,
            headers,
            body: Body::Empty,
        });
    }
    let (status, start, length) = match validation {
        Validation::Whole | Validation::NotModified => (200, 0, len),
        Validation::Part { start, end } => {
            headers.push((CONTENT_RANGE, format!("bytes {start}-{end}/{len}")));
            (206, start, end - start + 1)
        }
        Validation::Unsatisfiable => {
            headers.push((CONTENT_RANGE, format!("bytes */{len}")));
            headers.push((CONTENT_LENGTH, "0".to_owned()));
            return Answer::Response(StaticResponse {
                status: 416,
                headers,
                body: Body::Empty,
            });
        }
    };
    let body = match body(variant, held, start, length, may_open) {
        Ok(body) => body,
        Err(answer) => return answer,
    };
    headers.push((CONTENT_LENGTH, length.to_string()));
    Answer::Response(StaticResponse {
        status,
        headers,
        body,
    })
}

fn modified_secs(variant: &Variant) -> Option<u64> {
    variant.modified.as_ref().map(|(secs, _)| *secs)
}

/// The representation to send: the acceptable sibling of highest weight (brotli on ties), else
/// the file itself.
fn choose_variant<'e>(entry: &'e Entry, accept: Option<&str>) -> &'e Variant {
    let identity = &entry.variants[0];
    let Some(accept) = accept else {
        return identity;
    };
    let mut best: Option<(&Variant, u16)> = None;
    for variant in &entry.variants[1..] {
        let weight = encoding_weight(accept, variant.encoding);
        if weight > 0 && best.is_none_or(|(_, w)| weight > w) {
            best = Some((variant, weight));
        }
    }
    best.map_or(identity, |(variant, _)| variant)
}

/// The body bytes `start..start + length` of `variant`: from the files held, from memory, or
/// from a newly opened file (checked against the entry's stamp).
fn body(
    variant: &Variant,
    held: &mut HeldFiles,
    start: u64,
    length: u64,
    may_open: bool,
) -> Result<Body, Answer> {
    // The range was checked against the variant's length; clamping only guards against a
    // file that shrank under us.
    let range = |len: usize| {
        let first = usize::try_from(start).unwrap_or(len).min(len);
        let last = usize::try_from(start.saturating_add(length))
            .unwrap_or(len)
            .min(len);
        (first, last)
    };
    if let Some(at) = held.iter().position(|(e, _)| *e == variant.encoding) {
        let (_, held) = held.swap_remove(at);
        return match held {
            Held::Bytes(bytes) => {
                let (start, end) = range(bytes.len());
                Ok(Body::Shared(SharedBytes::new(bytes, start, end)))
            }
            Held::File(mut file) => match file.seek(SeekFrom::Start(start)) {
                Ok(_) => Ok(Body::File {
                    file,
                    offset: start,
                    length,
                }),
                Err(_) => Err(Answer::Stale),
            },
        };
    }
    match &variant.memory {
        Some(Memory::Static(bytes)) => {
            let (start, end) = range(bytes.len());
            return Ok(Body::Static(&bytes[start..end]));
        }
        Some(Memory::Shared(bytes)) => {
            let (start, end) = range(bytes.len());
            return Ok(Body::Shared(SharedBytes::new(
                Arc::clone(bytes),
                start,
                end,
            )));
        }
        None => {}
    }
    let Some(disk) = &variant.disk else {
        return Err(Answer::Stale);
    };
    if !may_open {
        return Err(Answer::NeedsFile);
    }
    let opened = File::open(&disk.path).and_then(|file| {
        let meta = file.metadata()?;
        Ok((file, Stamp::of(&meta)))
    });
    match opened {
        Ok((mut file, stamp)) if stamp == disk.stamp => {
            if file.seek(SeekFrom::Start(start)).is_err() {
                return Err(Answer::Stale);
            }
            Ok(Body::File {
                file,
                offset: start,
                length,
            })
        }
        _ => Err(Answer::Stale),
    }
}
