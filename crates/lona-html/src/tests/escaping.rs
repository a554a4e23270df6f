//! Escaping (XSS): no string reaching a text node, an attribute value, a list or a style can
//! change the structure of the rendered HTML; and how attributes render.

use expect_test::expect;

use crate::tags::{div, input, script, span, style, textarea};
use crate::{Node, parse_html};

const XSS: &[&str] = &[
    "<script>alert(1)</script>",
    "\"><script>alert(1)</script>",
    "' onmouseover='alert(1)",
    "\" onmouseover=\"alert(1)",
    "</textarea><script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "&lt;script&gt;",
    "<!--",
    "]]><svg onload=alert(1)>",
];

#[test]
fn text_is_escaped() {
    for vector in XSS {
        let html = div().with_child(*vector).to_html();
        assert!(
            !html[5..].contains('<')
                || html.ends_with("</div>") && !html[5..html.len() - 6].contains('<'),
            "{html}"
        );
        let parsed = parse_html(&html);
        assert_eq!(parsed.len(), 1, "{html}");
        assert_eq!(parsed[0].text_content(), *vector, "{html}");
        assert_eq!(parsed[0].child_count(), 1, "{html}");
    }
}

#[test]
fn attribute_values_lists_and_styles_are_escaped() {
    for vector in XSS {
        let node = div()
            .with_attr("title", *vector)
            .with_class(&vector.replace(' ', "_"))
            .with_id(&vector.replace(' ', "_"))
            .with_style("--x", vector);
        let html = node.to_html();
        let parsed = parse_html(&html);
        assert_eq!(parsed.len(), 1, "{html}");
        let round = &parsed[0];
        assert_eq!(
            round
                .attributes()
                .get("title")
                .and_then(|v| v.as_str().map(str::to_owned))
                .as_deref(),
            Some(*vector),
            "{html}"
        );
        assert_eq!(
            round.class_list().to_vec(),
            node.class_list().to_vec(),
            "{html}"
        );
        assert_eq!(
            round.attributes().to_vec().len(),
            1,
            "no attribute was injected: {html}"
        );
        assert_eq!(round.child_count(), 0, "{html}");
    }
}

#[test]
fn script_and_style_text_cannot_close_their_element() {
    let node =
        div().with_child(script().with_child("var a = '</script><script>alert(1)</script>';<!--"));
    expect![[
        r#"<div><script>var a = '<\/script><script>alert(1)<\/script>';<\!--</script></div>"#
    ]]
    .assert_eq(&node.to_html());
    let parsed = parse_html(&node.to_html());
    assert_eq!(parsed[0].child_count(), 1);
    let css = style().with_child("</style><script>alert(1)</script>");
    assert_eq!(
        parse_html(&div().with_child(css).to_html())[0].child_count(),
        1
    );
}

#[test]
fn textarea_text_is_escaped_like_any_text() {
    let node = textarea().with_child("</textarea><b>x</b>");
    assert_eq!(
        node.to_html(),
        "<textarea>&lt;/textarea&gt;&lt;b&gt;x&lt;/b&gt;</textarea>"
    );
}

#[test]
fn strings_are_never_parsed_implicitly() {
    let node: Node = "<b>bold</b>".into();
    assert!(node.is_text());
    assert_eq!(
        div().with_child(node).to_html(),
        "<div>&lt;b&gt;bold&lt;/b&gt;</div>"
    );
}

#[test]
fn boolean_and_number_attributes_render_like_html() {
    let node = input()
        .with_attr("disabled", true)
        .with_attr("hidden", false)
        .with_attr("maxlength", 5)
        .with_attr("step", 0.5);
    assert_eq!(
        node.to_html(),
        r#"<input disabled maxlength="5" step="0.5">"#
    );
}

#[test]
fn node_ids_render_on_request() {
    let node = div().with_child(span());
    let html = node.to_html_with(crate::RenderOptions { node_ids: true });
    let expected = format!(
        r#"<div data-lona-node-id="{}"><span data-lona-node-id="{}"></span></div>"#,
        node.id(),
        node.child(0).map(|c| c.id()).expect("child")
    );
    assert_eq!(html, expected);
}
