//! Tests of Lona's route syntax, from Lona's own routing tests.

use super::{Pattern, ReverseError, Router};

fn router() -> Router<&'static str> {
    let mut router = Router::default();
    for (pattern, name, target) in [
        ("/", Some("home"), "home"),
        ("/user/<name>/", Some("user"), "user"),
        ("/item/<id:[0-9]+>(/)", Some("item"), "item"),
        ("/files/<path:.*>", Some("files"), "files"),
        ("/item/<slug>", None, "slug"),
    ] {
        router.add(
            Pattern::new(pattern).expect("valid"),
            name.map(str::to_owned),
            target,
        );
    }
    router
}

#[test]
fn routes_resolve_with_arguments_in_order() {
    let router = router();
    let resolve = |path| router.resolve(path).map(|r| (*r.target, r.args));
    assert_eq!(resolve("/"), Some(("home", vec![])));
    assert_eq!(
        resolve("/user/alice/"),
        Some(("user", vec![("name".into(), "alice".into())]))
    );
    assert_eq!(resolve("/user/alice"), None);
    assert_eq!(resolve("/user/a/b/"), None);
    assert_eq!(
        resolve("/item/42"),
        Some(("item", vec![("id".into(), "42".into())]))
    );
    assert_eq!(
        resolve("/item/42/"),
        Some(("item", vec![("id".into(), "42".into())]))
    );
    assert_eq!(
        resolve("/item/abc"),
        Some(("slug", vec![("slug".into(), "abc".into())]))
    );
    assert_eq!(
        resolve("/files/a/b.css"),
        Some(("files", vec![("path".into(), "a/b.css".into())]))
    );
    assert_eq!(resolve("/nothing"), None);
}

#[test]
fn literal_text_is_not_a_regular_expression() {
    let mut router = Router::default();
    router.add(Pattern::new("/a.b").expect("valid"), None, ());
    assert!(router.resolve("/a.b").is_some());
    assert!(router.resolve("/axb").is_none());
}

#[test]
fn named_routes_reverse_like_lona() {
    let router = router();
    assert_eq!(router.reverse("home", &[]), Ok("/".to_owned()));
    assert_eq!(
        router.reverse("user", &[("name", "bob")]),
        Ok("/user/bob/".to_owned())
    );
    assert_eq!(
        router.reverse("item", &[("id", "7")]),
        Ok("/item/7".to_owned())
    );
    assert_eq!(
        router.reverse("user", &[]),
        Err(ReverseError::MissingArg("name".to_owned()))
    );
    assert_eq!(
        router.reverse("nope", &[]),
        Err(ReverseError::NoRoute("nope".to_owned()))
    );
    assert_eq!(
        ReverseError::MissingArg("x".into()).to_string(),
        "missing URL arg: x"
    );
}

#[test]
fn bad_patterns_are_errors_that_name_the_pattern() {
    for bad in ["/a/<name", "/a/<>", "/<x>/<x>", "/<id:[0-9>"] {
        let error = Pattern::new(bad).expect_err(bad);
        assert!(error.to_string().contains(bad), "{error}");
    }
}

#[test]
fn arguments_are_percent_decoded_but_plus_stays() {
    let router = router();
    let resolved = router.resolve("/user/a%20b+c%2F%C3%A4/").expect("matches");
    assert_eq!(resolved.args, vec![("name".into(), "a b+c/ä".into())]);
}

/// Routes without arguments match by string comparison; they must answer as their regular
/// expression does, optional slash, dots, newlines and case included.
#[test]
fn literal_routes_match_exactly_as_their_regular_expression() {
    let paths = [
        "",
        "/",
        "//",
        "/a",
        "/a/",
        "/a//",
        "/A",
        "/a\n",
        "/a/\n",
        "/a.b",
        "/axb",
        "/a.b/",
        "/hello",
        "/hello/",
        "/hello-async",
        "x/a",
        "/a/b",
    ];
    for raw in ["/", "/a", "/a(/)", "/a/(/)", "/a.b(/)", "/hello", "(/)", ""] {
        let pattern = Pattern::new(raw).expect("valid");
        assert!(pattern.literal.is_some(), "{raw} is a literal route");
        for path in paths {
            assert_eq!(
                pattern.matches(path).is_some(),
                pattern.regex.is_match(path),
                "pattern {raw:?}, path {path:?}"
            );
        }
    }
}
