//! Tests of the answer's helpers; requests themselves run against real servers in `tests/`.

use super::HttpResult;

#[test]
fn the_cookie_is_the_name_value_pair_of_the_first_set_cookie() {
    let result = HttpResult {
        status: 200,
        headers: vec![
            ("content-type".to_owned(), "text/html".to_owned()),
            (
                "set-cookie".to_owned(),
                "lona_session=abc; Path=/; HttpOnly".to_owned(),
            ),
        ],
        body: String::new(),
    };
    assert_eq!(result.header("Content-Type"), Some("text/html"));
    assert_eq!(result.cookie(), Some("lona_session=abc"));
    let without = HttpResult {
        headers: vec![("set-cookie".to_owned(), "flag".to_owned())],
        ..result
    };
    assert_eq!(without.cookie(), None);
}
