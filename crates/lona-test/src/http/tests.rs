//! Tests of the HTTP response parser.

use super::parse_response;

#[test]
fn a_response_with_content_length_and_a_cookie() {
    let raw = b"HTTP/1.1 200 OK\r\ncontent-type: text/html\r\nSet-Cookie: lona_session=abc; Path=/; HttpOnly\r\ncontent-length: 5\r\n\r\nhello, and more";
    let result = parse_response(raw).expect("parses");
    assert_eq!(result.status, 200);
    assert_eq!(result.body, "hello");
    assert_eq!(result.header("Content-Type"), Some("text/html"));
    assert_eq!(result.cookie(), Some("lona_session=abc"));
}

#[test]
fn a_chunked_response() {
    let raw = b"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n404 \r\n9;x=y\r\nNot Found\r\n0\r\n\r\n";
    let result = parse_response(raw).expect("parses");
    assert_eq!(
        (result.status, result.body.as_str()),
        (404, "404 Not Found")
    );
    assert_eq!(result.cookie(), None);
}

#[test]
fn garbage_is_none() {
    assert!(parse_response(b"").is_none());
    assert!(parse_response(b"SMTP 220\r\n\r\n").is_none());
    assert!(parse_response(b"HTTP/1.1 abc\r\n\r\n").is_none());
    assert!(parse_response(b"HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\nshort").is_none());
}
