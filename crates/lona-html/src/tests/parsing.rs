//! Parsing HTML into a tree: typed parts, repairs, whitespace, depth cap, templates.

use crate::tags::a;
use crate::{AttrValue, Namespace, Node, parse_html};

#[test]
fn parsing_maps_attributes_to_typed_parts_and_drops_framework_attributes() {
    let nodes = parse_html(
        r#"<button id="b" class="x y" style="color: red" data-lona-events="301" data-lona-node-id="7" title="t">Go</button>"#,
    );
    assert_eq!(nodes.len(), 1);
    let button = &nodes[0];
    assert_eq!(button.tag().as_deref(), Some("button"));
    assert!(button.has_id("b"));
    assert_eq!(button.class_list().to_vec(), ["x", "y"]);
    assert_eq!(button.style().get("color").as_deref(), Some("red"));
    assert!(
        button.events().to_vec().is_empty(),
        "parsed markup must not listen to events"
    );
    assert_eq!(
        button.attributes().to_vec(),
        [("title".to_owned(), AttrValue::Str("t".to_owned()))]
    );
}

#[test]
fn parsing_repairs_markup_like_a_browser_and_keeps_namespaces() {
    let nodes = parse_html("<p>one<p>two<svg viewBox='0 0 1 1'><circle r=1></circle></svg>");
    assert_eq!(nodes.len(), 2);
    let svg = nodes[1].query_selector("svg").expect("valid").expect("svg");
    assert_eq!(svg.namespace(), Namespace::SVG);
    assert!(svg.attributes().contains("viewBox"));
    let circle = svg.child(0).expect("circle");
    assert_eq!(circle.namespace(), Namespace::SVG);
}

#[test]
fn parsing_drops_indentation_but_keeps_spaces_and_pre() {
    let nodes = parse_html("<div>\n  <b>a</b> <i>b</i>\n</div><pre>\n  x\n</pre>");
    assert_eq!(nodes[0].child_count(), 3);
    assert_eq!(nodes[0].text_content(), "a b");
    assert_eq!(nodes[1].text_content(), "  x\n");
}

#[test]
fn parsing_caps_the_depth_of_deep_input() {
    let html = "<div>".repeat(2000) + "x";
    let nodes = parse_html(&html);
    let mut depth = 0;
    let mut current = nodes.first().cloned();
    while let Some(node) = current {
        depth += 1;
        current = node.child(0).filter(Node::is_element);
    }
    assert_eq!(depth, crate::MAX_PARSE_DEPTH);
    assert_eq!(nodes[0].text_content(), "x");
}

#[test]
fn template_contents_become_children() {
    let nodes = parse_html("<template><p>x</p></template>");
    assert_eq!(
        nodes[0].child(0).and_then(|c| c.tag()).as_deref(),
        Some("p")
    );
}

#[test]
fn links_keep_their_attributes() {
    let link = a().with_attr("href", "/next").with_text("next");
    assert_eq!(link.to_html(), r#"<a href="/next">next</a>"#);
}
