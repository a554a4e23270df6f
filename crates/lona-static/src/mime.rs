//! Content types by file extension, which types are worth compressing, and how a file is
//! named in a download (`Content-Disposition`).
//!
//! A compact table of our own instead of `mime_guess`: static files of a web app use a few
//! dozen types, text types need an explicit `charset=utf-8` (which `mime_guess` leaves out),
//! and the table costs no build script. Unknown extensions are `application/octet-stream`,
//! which together with `X-Content-Type-Options: nosniff` keeps browsers from guessing.

/// The type of files whose extension is not in the table.
pub(crate) const OCTET_STREAM: &str = "application/octet-stream";

/// Extension (lowercase) → content type. Sorted by extension for a binary search.
const TYPES: &[(&str, &str)] = &[
    ("aac", "audio/aac"),
    ("apng", "image/apng"),
    ("avif", "image/avif"),
    ("bmp", "image/bmp"),
    ("br", "application/x-brotli"),
    ("cjs", "text/javascript; charset=utf-8"),
    ("css", "text/css; charset=utf-8"),
    ("csv", "text/csv; charset=utf-8"),
    ("eot", "application/vnd.ms-fontobject"),
    ("flac", "audio/flac"),
    ("gif", "image/gif"),
    ("gz", "application/gzip"),
    ("htm", "text/html; charset=utf-8"),
    ("html", "text/html; charset=utf-8"),
    ("ico", "image/x-icon"),
    ("jpeg", "image/jpeg"),
    ("jpg", "image/jpeg"),
    ("js", "text/javascript; charset=utf-8"),
    ("json", "application/json"),
    ("jsonld", "application/ld+json"),
    ("m4a", "audio/mp4"),
    ("map", "application/json"),
    ("md", "text/markdown; charset=utf-8"),
    ("mjs", "text/javascript; charset=utf-8"),
    ("mp3", "audio/mpeg"),
    ("mp4", "video/mp4"),
    ("oga", "audio/ogg"),
    ("ogg", "audio/ogg"),
    ("ogv", "video/ogg"),
    ("opus", "audio/ogg"),
    ("otf", "font/otf"),
    ("pdf", "application/pdf"),
    ("png", "image/png"),
    ("svg", "image/svg+xml"),
    ("tar", "application/x-tar"),
    ("ttf", "font/ttf"),
    ("txt", "text/plain; charset=utf-8"),
    ("wasm", "application/wasm"),
    ("wav", "audio/wav"),
    ("weba", "audio/webm"),
    ("webm", "video/webm"),
    ("webmanifest", "application/manifest+json"),
    ("webp", "image/webp"),
    ("woff", "font/woff"),
    ("woff2", "font/woff2"),
    ("xml", "application/xml"),
    ("zip", "application/zip"),
    ("zst", "application/zstd"),
];

/// The content type for a file name, from its last extension (case-insensitive).
pub fn content_type(name: &str) -> &'static str {
    let file = name.rsplit('/').next().unwrap_or(name);
    let Some((_, ext)) = file.rsplit_once('.') else {
        return OCTET_STREAM;
    };
    if ext.len() > 16 {
        return OCTET_STREAM;
    }
    let ext = ext.to_ascii_lowercase();
    match TYPES.binary_search_by(|(e, _)| (*e).cmp(ext.as_str())) {
        Ok(index) => TYPES[index].1,
        Err(_) => OCTET_STREAM,
    }
}

/// Whether a response of this type may have a compressed variant, and so carries
/// `Vary: Accept-Encoding`: text, JSON, XML, SVG, JavaScript, WebAssembly and the font and icon
/// formats that are not compressed already.
pub(crate) fn is_compressible(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or(content_type)
        .trim()
        .to_ascii_lowercase();
    essence.starts_with("text/")
        || essence.ends_with("+json")
        || essence.ends_with("+xml")
        || matches!(
            essence.as_str(),
            "application/json"
                | "application/javascript"
                | "application/xml"
                | "application/wasm"
                | "font/ttf"
                | "font/otf"
                | "image/x-icon"
                | "application/vnd.ms-fontobject"
        )
}

/// Bytes that `filename*` (RFC 5987) and URL path segments carry percent-encoded: all but
/// letters, digits and `.-_`, which is safe in a header, in a path and in HTML alike.
pub const URL_ESCAPED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'.')
    .remove(b'-')
    .remove(b'_');

/// A `Content-Disposition` value of `kind` (`attachment` or `inline`) for `filename`: the name
/// reduced to safe characters in the plain parameter, and whole, percent-encoded, in
/// `filename*` (RFC 6266), so that no name can break out of the header.
pub fn content_disposition(kind: &str, filename: &str) -> String {
    let plain: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = percent_encoding::utf8_percent_encode(filename, URL_ESCAPED);
    format!("{kind}; filename=\"{plain}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests;
