//! Tests of the JSON reader: order, escapes, numbers, depth and errors.

use super::{Json, MAX_DEPTH, parse};

#[test]
fn objects_keep_the_order_of_the_text() {
    let value = parse(r#"{"type":"text","value":"x","data-lona-events":"302:300"}"#).unwrap();
    let keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, _)| k.as_str())
        .collect();
    assert_eq!(keys, ["type", "value", "data-lona-events"]);
}

#[test]
fn scalars_numbers_and_escapes() {
    assert_eq!(parse(" null ").unwrap(), Json::Null);
    assert_eq!(parse("true").unwrap(), Json::Bool(true));
    assert_eq!(parse("-12").unwrap(), Json::Int(-12));
    assert_eq!(parse("1.5e2").unwrap(), Json::Float(150.0));
    assert_eq!(
        parse("18446744073709551616").unwrap(),
        Json::Float(18_446_744_073_709_551_616.0)
    );
    assert_eq!(
        parse(r#""a\"b\\c\/\n\t\u00e9\ud83d\ude00""#).unwrap(),
        Json::Str("a\"b\\c/\n\té😀".to_owned())
    );
    assert_eq!(parse("\"ü\"").unwrap(), Json::Str("ü".to_owned()));
    assert_eq!(
        parse(r#"{"a":1,"a":2}"#).unwrap(),
        Json::Object(vec![("a".to_owned(), Json::Int(2))])
    );
}

#[test]
fn bad_json_is_an_error_with_its_offset() {
    for (text, offset) in [
        ("", 0),
        ("[1,]", 3),
        ("[1 2]", 3),
        ("{\"a\" 1}", 5),
        ("01", 0),
        ("1.", 2),
        ("\"abc", 4),
        ("\"\\x\"", 2),
        ("\"\\ud800\"", 7),
        ("\"\u{1}\"", 1),
        ("nul", 0),
        ("[] x", 3),
        ("1e400", 0),
    ] {
        let error = parse(text).expect_err(text);
        assert_eq!(error.offset, offset, "{text:?}: {error}");
    }
}

#[test]
fn nesting_is_bounded() {
    let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    assert!(parse(&ok).is_ok());
    let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
    let error = parse(&deep).unwrap_err();
    assert!(error.to_string().contains("nested at most"), "{error}");
}
