//! Tests of `mime.rs`.

use super::{OCTET_STREAM, TYPES, content_type, is_compressible};

#[test]
fn table_is_sorted_and_lowercase_for_binary_search() {
    for pair in TYPES.windows(2) {
        assert!(pair[0].0 < pair[1].0, "{} before {}", pair[0].0, pair[1].0);
    }
    for (ext, _) in TYPES {
        assert_eq!(*ext, ext.to_ascii_lowercase());
    }
}

#[test]
fn content_types_by_extension() {
    let cases = [
        ("lona/lona.js", "text/javascript; charset=utf-8"),
        ("app.MJS", "text/javascript; charset=utf-8"),
        ("style.css", "text/css; charset=utf-8"),
        ("index.html", "text/html; charset=utf-8"),
        ("data.json", "application/json"),
        ("logo.svg", "image/svg+xml"),
        ("photo.JPG", "image/jpeg"),
        ("font.woff2", "font/woff2"),
        ("module.wasm", "application/wasm"),
        ("app.js.gz", "application/gzip"),
        ("app.js.br", "application/x-brotli"),
        ("noext", OCTET_STREAM),
        ("dir.d/noext", OCTET_STREAM),
        ("file.unknown", OCTET_STREAM),
        ("trailing.", OCTET_STREAM),
    ];
    for (name, expected) in cases {
        assert_eq!(content_type(name), expected, "{name}");
    }
}

#[test]
fn compressible_types() {
    for compressible in [
        "text/css; charset=utf-8",
        "text/javascript; charset=utf-8",
        "application/json",
        "image/svg+xml",
        "application/manifest+json",
        "application/wasm",
        "TEXT/PLAIN",
    ] {
        assert!(is_compressible(compressible), "{compressible}");
    }
    for already in [
        "image/png",
        "image/jpeg",
        "font/woff2",
        "application/gzip",
        OCTET_STREAM,
    ] {
        assert!(!is_compressible(already), "{already}");
    }
}
