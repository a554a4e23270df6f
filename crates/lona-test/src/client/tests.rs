//! Tests of URL resolution for navigation.

use super::resolve;

#[test]
fn urls_resolve_against_the_window_url() {
    let base = "http://127.0.0.1:9/a/b?x=1";
    assert_eq!(resolve(base, "http://h/z"), "http://h/z");
    assert_eq!(resolve(base, "/other"), "http://127.0.0.1:9/other");
    assert_eq!(resolve(base, "c"), "http://127.0.0.1:9/a/c");
    assert_eq!(resolve(base, "?y=2"), "http://127.0.0.1:9/a/b?y=2");
    assert_eq!(resolve("http://127.0.0.1:9", "c"), "http://127.0.0.1:9/c");
}
