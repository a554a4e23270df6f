//! Selectors: what they match, and the errors of unsupported ones.

use crate::{Node, parse_html};

fn sample_tree() -> Node {
    let html = r#"<div id="app" class="page"><ul class="list"><li class="item first" data-k="1">a</li>
        <li class="item">b</li></ul><p><a href="/x" class="item">link</a></p><input disabled></div>"#;
    parse_html(html).remove(0)
}

fn tags_of(nodes: &[Node]) -> Vec<String> {
    nodes
        .iter()
        .map(|n| format!("{}{}", n.tag().unwrap_or_default(), n.text_content()))
        .collect()
}

#[test]
fn selectors_match_tag_id_class_attribute_and_combinators() {
    let root = sample_tree();
    let q = |s: &str| tags_of(&root.query_selector_all(s).expect("valid selector"));
    assert_eq!(q("li"), ["lia", "lib"]);
    assert_eq!(q(".item"), ["lia", "lib", "alink"]);
    assert_eq!(q("li.item.first"), ["lia"]);
    assert_eq!(q("[data-k=1]"), ["lia"]);
    assert_eq!(q("[data-k='1']"), ["lia"]);
    assert_eq!(q("[href]"), ["alink"]);
    assert_eq!(q("[disabled]"), ["input"]);
    assert_eq!(q("ul .item"), ["lia", "lib"]);
    assert_eq!(q("div > .item"), Vec::<String>::new());
    assert_eq!(q("p > a.item"), ["alink"]);
    assert_eq!(q("#app p a"), ["alink"]);
    assert_eq!(q("li, a"), ["lia", "lib", "alink"]);
    assert_eq!(q("*.first"), ["lia"]);
    let first = root.query_selector("li").expect("valid").expect("found");
    assert_eq!(first.closest(".page").expect("valid"), Some(root.clone()));
    assert_eq!(first.closest("li").expect("valid"), Some(first));
}

#[test]
fn unsupported_selectors_are_errors_with_a_position() {
    for (selector, position) in [
        ("a + b", 2),
        ("a:hover", 1),
        ("[x", 2),
        ("", 0),
        ("a,", 2),
        ("#", 1),
        ("a ~ b", 2),
    ] {
        let error = crate::Selector::parse(selector).expect_err(selector);
        assert_eq!(error.position, position, "{selector}: {error}");
    }
}
