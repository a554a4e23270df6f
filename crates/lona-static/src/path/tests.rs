//! Tests of `path.rs`: the validation function on its own (the table against real roots, with
//! symlinks, is in `tests/it/paths.rs`), hashed names and percent-encoding.

use super::{RelPath, percent_decode, percent_encode_path};

#[test]
fn from_url_decodes_once_and_keeps_plain_segments() {
    let cases: &[(&str, Option<&str>)] = &[
        ("file.txt", Some("file.txt")),
        ("dir/nested.css", Some("dir/nested.css")),
        ("with%20space.txt", Some("with space.txt")),
        ("%C3%BCber.txt", Some("über.txt")),
        ("100%25.txt", Some("100%.txt")),
        // Double encoding decodes once: the name is the text `%2e%2e`, not `..`.
        ("%252e%252e/x", Some("%2e%2e/x")),
        ("a+b.txt", Some("a+b.txt")),
        ("", None),
        ("/", None),
        ("/etc/passwd", None),
        ("a//b", None),
        ("dir/", None),
        ("..", None),
        ("../x", None),
        ("a/../b", None),
        (".", None),
        ("./a", None),
        ("%2e%2e/x", None),
        ("%2E%2E/x", None),
        ("%2e/x", None),
        (".hidden", None),
        ("dir/.git/config", None),
        ("%2ehidden", None),
        ("a%2fb", None),
        ("a%2Fb", None),
        ("a\\b", None),
        ("a%5cb", None),
        ("a%00b", None),
        ("a\0b", None),
        ("a%09b", None),
        ("C:", None),
        ("c:/windows", None),
        ("C%3a/windows", None),
        ("file:stream", None),
        ("%", None),
        ("%2", None),
        ("%zz", None),
        ("%C3%28", None),
        ("%FF", None),
    ];
    for (raw, expected) in cases {
        let got = RelPath::from_url(raw);
        assert_eq!(
            got.as_ref().map(RelPath::as_str),
            *expected,
            "from_url({raw:?})"
        );
    }
}

#[test]
fn from_name_does_not_decode() {
    assert_eq!(
        RelPath::from_name("100%.txt").map(|p| p.0),
        Some("100%.txt".to_owned())
    );
    assert_eq!(
        RelPath::from_name("a%2fb").map(|p| p.0),
        Some("a%2fb".to_owned())
    );
    assert!(RelPath::from_name("a/../b").is_none());
}

#[test]
fn long_paths_and_segments_are_refused() {
    assert!(RelPath::from_url(&"a".repeat(255)).is_some());
    assert!(RelPath::from_url(&"a".repeat(256)).is_none());
    let deep = "d/".repeat(511) + "f";
    assert_eq!(deep.len(), 1023);
    assert!(RelPath::from_url(&deep).is_some());
    assert!(RelPath::from_url(&("d/".repeat(600) + "f")).is_none());
}

#[test]
fn percent_decode_is_strict() {
    assert_eq!(percent_decode("a%41%62").as_deref(), Some("aAb"));
    assert_eq!(percent_decode("%e2%82%ac").as_deref(), Some("€"));
    assert_eq!(percent_decode("%4"), None);
    assert_eq!(percent_decode("%g0"), None);
    assert_eq!(percent_decode("%80"), None);
}

#[test]
fn hashed_names_insert_the_hash_before_the_last_extension() {
    let hash = "0123456789abcdef";
    let cases = [
        ("app.js", "app.0123456789abcdef.js"),
        ("lona/lona.css", "lona/lona.0123456789abcdef.css"),
        ("archive.tar.gz", "archive.tar.0123456789abcdef.gz"),
        ("LICENSE", "LICENSE.0123456789abcdef"),
        ("v1.2/notes", "v1.2/notes.0123456789abcdef"),
    ];
    for (plain, hashed) in cases {
        let rel = RelPath::from_name(plain).expect("valid");
        assert_eq!(rel.hashed(hash), hashed);
        let back = RelPath::from_name(hashed).expect("valid");
        let (plain_back, hash_back) = back.split_hash().expect("looks hashed");
        assert_eq!((plain_back.as_str(), hash_back), (plain, hash));
    }
}

#[test]
fn split_hash_only_takes_sixteen_lowercase_hex_digits() {
    for name in [
        "app.js",
        "app.0123456789ABCDEF.js",
        "app.0123456789abcde.js",
        "app.0123456789abcdef0.js",
        "app.0123456789abcdeg.js",
        "0123456789abcdef",
    ] {
        let rel = RelPath::from_name(name).expect("valid");
        assert!(rel.split_hash().is_none(), "{name}");
    }
}

#[test]
fn percent_encoding_round_trips_through_validation() {
    for name in [
        "with space.txt",
        "über/naïve.css",
        "100%.txt",
        "quote\"'<>&.js",
        "a+b=c;d.txt",
        "plain-name_1.2~x.js",
    ] {
        let encoded = percent_encode_path(name);
        assert!(
            !encoded.contains([' ', '"', '\'', '<', '>', '&']),
            "{encoded}"
        );
        let decoded = RelPath::from_url(&encoded).expect("valid");
        assert_eq!(decoded.as_str(), name);
    }
    assert_eq!(percent_encode_path("a b/c.js"), "a%20b/c.js");
}
