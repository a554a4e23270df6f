//! Tests of `http.rs`: the header parsers, as tables.

use super::{
    Encoding, RangeAsk, StaticRequest, encoding_weight, if_range_holds, none_match, parse_qvalue,
    parse_range,
};

#[test]
fn ranges() {
    use RangeAsk::{Part, Unsatisfiable, Whole};
    let cases: &[(&str, u64, RangeAsk)] = &[
        ("bytes=0-99", 1000, Part { start: 0, end: 99 }),
        (
            "bytes=100-",
            1000,
            Part {
                start: 100,
                end: 999,
            },
        ),
        (
            "bytes=-100",
            1000,
            Part {
                start: 900,
                end: 999,
            },
        ),
        ("bytes=-5000", 1000, Part { start: 0, end: 999 }),
        (
            "bytes=900-5000",
            1000,
            Part {
                start: 900,
                end: 999,
            },
        ),
        (
            "bytes=999-999",
            1000,
            Part {
                start: 999,
                end: 999,
            },
        ),
        ("Bytes = 1-2", 1000, Part { start: 1, end: 2 }),
        ("bytes=1000-", 1000, Unsatisfiable),
        ("bytes=1000-2000", 1000, Unsatisfiable),
        ("bytes=-0", 1000, Unsatisfiable),
        ("bytes=0-", 0, Unsatisfiable),
        ("bytes=-1", 0, Unsatisfiable),
        // Malformed or unsupported: the whole file.
        ("bytes=5-1", 1000, Whole),
        ("bytes=0-1,5-6", 1000, Whole),
        ("bytes=a-b", 1000, Whole),
        ("bytes=-", 1000, Whole),
        ("bytes=+1-2", 1000, Whole),
        ("items=0-1", 1000, Whole),
        ("bytes 0-1", 1000, Whole),
        ("bytes=99999999999999999999999-", 1000, Whole),
        ("", 1000, Whole),
    ];
    for (header, len, expected) in cases {
        assert_eq!(parse_range(header, *len), *expected, "{header:?} of {len}");
    }
}

#[test]
fn accept_encoding_weights() {
    let cases: &[(&str, u16, u16)] = &[
        // (header, br, gzip)
        ("gzip, deflate, br", 1000, 1000),
        ("gzip", 0, 1000),
        ("br;q=0, gzip", 0, 1000),
        ("br;q=0.5, gzip;q=0.8", 500, 800),
        ("*", 1000, 1000),
        ("*;q=0.1, br;q=0", 0, 100),
        ("x-gzip", 0, 1000),
        ("GZIP;Q=1.0", 0, 1000),
        ("identity", 0, 0),
        ("br;q=2", 0, 0),
        ("br;q=0.0001", 0, 0),
        ("br;q=", 0, 0),
        ("", 0, 0),
        (" , ,br", 1000, 0),
    ];
    for (header, br, gzip) in cases {
        assert_eq!(
            (
                encoding_weight(header, Encoding::Brotli),
                encoding_weight(header, Encoding::Gzip)
            ),
            (*br, *gzip),
            "{header:?}"
        );
    }
    assert_eq!(encoding_weight("br;q=0", Encoding::Identity), 1000);
}

#[test]
fn qvalues() {
    assert_eq!(parse_qvalue("1"), Some(1000));
    assert_eq!(parse_qvalue("1.000"), Some(1000));
    assert_eq!(parse_qvalue("0.25"), Some(250));
    assert_eq!(parse_qvalue("0"), Some(0));
    assert_eq!(parse_qvalue("1.5"), None);
    assert_eq!(parse_qvalue("0.1234"), None);
    assert_eq!(parse_qvalue("-1"), None);
}

#[test]
fn if_none_match_uses_weak_comparison_and_star() {
    let ours = "\"abc\"";
    let cases = [
        ("\"abc\"", true),
        ("W/\"abc\"", true),
        ("\"x\", \"abc\"", true),
        ("\"x\",W/\"abc\"", true),
        ("*", true),
        ("\"abd\"", false),
        ("abc", false),
        ("\"a,b\", \"abc\"", true),
        ("\"unterminated", false),
        ("", false),
    ];
    for (header, expected) in cases {
        assert_eq!(none_match(header, ours), expected, "{header:?}");
    }
}

#[test]
fn if_range_needs_a_strong_match_or_the_exact_date() {
    let ours = "\"abc\"";
    let date = "Sun, 06 Nov 1994 08:49:37 GMT";
    let secs = 784_111_777;
    assert!(if_range_holds("\"abc\"", ours, Some(secs)));
    assert!(!if_range_holds("W/\"abc\"", ours, Some(secs)));
    assert!(!if_range_holds("\"abd\"", ours, Some(secs)));
    assert!(if_range_holds(date, ours, Some(secs)));
    assert!(!if_range_holds(date, ours, Some(secs + 1)));
    assert!(!if_range_holds(date, ours, None));
    assert!(!if_range_holds("garbage", ours, Some(secs)));
}

#[test]
fn request_header_builder_takes_the_first_value_of_known_headers() {
    let request = StaticRequest::get("/static/a.js")
        .header("RANGE", "bytes=0-1")
        .header("range", "bytes=5-6")
        .header("Accept-Encoding", "br")
        .header("If-Modified-Since", "date")
        .header("if-range", "\"x\"")
        .header("X-Other", "ignored");
    assert_eq!(request.range, Some("bytes=0-1"));
    assert_eq!(request.accept_encoding, Some("br"));
    assert_eq!(request.if_modified_since, Some("date"));
    assert_eq!(request.if_range, Some("\"x\""));
    assert_eq!(request.if_none_match, None);
    assert_eq!(StaticRequest::head("/x").method, "HEAD");
}
