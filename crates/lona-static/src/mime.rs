//! Content types by file extension, and which types are worth compressing.
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

#[cfg(test)]
mod tests;
