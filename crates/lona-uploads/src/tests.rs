//! Unit tests of the pieces of the bucket endpoints that browsers control: display names, URL
//! names, redirects, `Content-Disposition`, the owner check and the metered body.

use crate::limits::BucketLimits;
use crate::names::{MAX_NAME, decode_name, display_name, encode_name};
use crate::service::{content_disposition, redirect_target, same_secret};

#[test]
fn display_names_keep_what_the_browser_sent_minus_control_characters() {
    let cases = [
        ("report.pdf", Some("report.pdf")),
        ("../../etc/passwd", Some("../../etc/passwd")),
        ("a/b", Some("a/b")),
        ("..\\x", Some("..\\x")),
        ("  spaced  ", Some("spaced")),
        ("nul\0byte\n.txt", Some("nulbyte.txt")),
        ("evil\u{202E}txt.exe", Some("eviltxt.exe")),
        ("", None),
        ("\0\r\n", None),
        ("   ", None),
    ];
    for (raw, expected) in cases {
        assert_eq!(display_name(raw).as_deref(), expected, "{raw:?}");
    }
}

#[test]
fn display_names_are_cut_at_a_character_boundary() {
    let long = "é".repeat(200);
    let name = display_name(&long).expect("a name");
    assert!(name.len() <= MAX_NAME);
    assert_eq!(name.chars().count(), MAX_NAME / 2);
}

#[test]
fn names_survive_the_url_round_trip() {
    for name in [
        "plain.txt",
        "a b+c.txt",
        "../../etc/passwd",
        "ü/%2F?#&=",
        "add",
    ] {
        let encoded = encode_name(name);
        assert!(
            encoded
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)),
            "{encoded}"
        );
        assert_eq!(decode_name(&encoded).as_deref(), Some(name));
    }
    assert_eq!(decode_name("a+b").as_deref(), Some("a+b"));
    assert_eq!(decode_name("%zz"), None);
    assert_eq!(decode_name("%4"), None);
    assert_eq!(decode_name("%FF"), None);
}

#[test]
fn only_local_paths_are_redirect_targets() {
    let cases = [
        ("redirect=/page", Some("/page")),
        ("x=1&redirect=%2Fpage%3Fa%3D1", Some("/page?a=1")),
        ("redirect=//evil.example", None),
        ("redirect=/%5Cevil.example", None),
        ("redirect=https://evil.example/", None),
        ("redirect=/a%0D%0ASet-Cookie:x", None),
        ("", None),
    ];
    for (query, expected) in cases {
        assert_eq!(redirect_target(query).as_deref(), expected, "{query:?}");
    }
}

#[test]
fn images_are_inline_and_everything_else_is_a_download() {
    assert_eq!(
        content_disposition("cat.png", "image/png"),
        "inline; filename=\"cat.png\"; filename*=UTF-8''cat.png"
    );
    assert_eq!(
        content_disposition("logo.svg", "image/svg+xml"),
        "attachment; filename=\"logo.svg\"; filename*=UTF-8''logo.svg"
    );
    assert_eq!(
        content_disposition("we\"ird\\ näme.html", "text/html; charset=utf-8"),
        "attachment; filename=\"we_ird_ n_me.html\"; filename*=UTF-8''we%22ird%5C%20n%C3%A4me.html"
    );
}

#[test]
fn secrets_compare_by_content() {
    assert!(same_secret("abc", "abc"));
    assert!(!same_secret("abc", "abd"));
    assert!(!same_secret("abc", "abcd"));
    assert!(!same_secret("", "a"));
}

#[test]
fn default_limits_are_finite() {
    let limits = BucketLimits::default();
    assert_eq!(limits.max_files, 100);
    assert_eq!(limits.max_size, 64 * 1024 * 1024);
    assert!(limits.max_file_size <= limits.max_size);
}
