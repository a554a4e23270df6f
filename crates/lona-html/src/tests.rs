//! Tests of the node tree: editing and patch recording, escaping (XSS), selectors, parsing,
//! threads, and a property test that replaying recorded patches gives the current tree.

use std::sync::Arc;

use expect_test::expect;
use proptest::prelude::*;

use crate::tags::{a, button, div, input, li, p, script, span, style, textarea, ul};
use crate::test_support::Dom;
use crate::{
    AttrValue, Document, Event, Key, ListOp, MapOp, Namespace, Node, NodesOp, PatchOp, Value,
    parse_html,
};

fn doc_with(root: &Node) -> Document {
    let doc = Document::new();
    doc.set_root(root);
    doc
}

#[test]
fn node_handles_are_send_sync_and_cheap() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Node>();
    assert_send_sync::<Document>();
    assert_eq!(std::mem::size_of::<Node>(), std::mem::size_of::<usize>());
}

#[test]
fn equality_is_identity_not_structure() {
    let a = button().with_text("ok");
    let b = button().with_text("ok");
    assert_ne!(a, b);
    assert_eq!(a, a.clone());
}

#[test]
fn changes_of_detached_nodes_record_nothing() {
    let root = div();
    let doc = doc_with(&root);
    let detached = span().with_class("x");
    detached.set_text("hello");
    detached.attributes().set("title", "t");
    assert!(!doc.has_patches());
    root.append(&detached);
    let patches = doc.take_patches();
    assert_eq!(patches.len(), 1);
    let PatchOp::Nodes(NodesOp::Insert(0, snapshot)) = &patches[0].op else {
        panic!("expected an insert, got {patches:?}");
    };
    assert_eq!(snapshot.id(), detached.id());
    assert_eq!(
        snapshot.to_html_with(Default::default()),
        r#"<span class="x" title="t">hello</span>"#
    );
}

#[test]
fn setting_an_equal_value_records_nothing() {
    let root = div()
        .with_class("a")
        .with_attr("title", "t")
        .with_style("color", "red");
    let doc = doc_with(&root);
    root.class_list().add("a");
    root.attributes().set("title", "t");
    root.style().set("color", "red");
    root.events().remove(&Event::Click);
    root.class_list().remove("missing");
    assert!(!doc.has_patches());
}

#[test]
fn an_inserted_subtree_is_a_snapshot_and_later_changes_are_their_own_patches() {
    let root = div();
    let doc = doc_with(&root);
    let item = li().with_text("one");
    root.append(&item);
    item.set_text("two");
    let patches = doc.take_patches();
    assert_eq!(patches.len(), 2);
    let PatchOp::Nodes(NodesOp::Insert(_, snapshot)) = &patches[0].op else {
        panic!("expected an insert first");
    };
    // The snapshot shows the subtree as it was when inserted, not as it is now.
    assert_eq!(snapshot.to_html_with(Default::default()), "<li>one</li>");
    assert_eq!(patches[1].node_id, item.id());
}

#[test]
fn moving_a_node_removes_it_from_its_old_parent() {
    let first = ul();
    let second = ul();
    let item = li().with_text("x");
    first.append(&item);
    let root = div().with_child(&first).with_child(&second);
    let doc = doc_with(&root);
    second.append(&item);
    assert_eq!(first.child_count(), 0);
    assert_eq!(item.parent(), Some(second.clone()));
    let ops: Vec<_> = doc
        .take_patches()
        .into_iter()
        .map(|p| (p.node_id, p.op))
        .collect();
    assert!(
        matches!(&ops[0], (id, PatchOp::Nodes(NodesOp::Remove(removed))) if *id == first.id() && *removed == item.id())
    );
    assert!(matches!(&ops[1], (id, PatchOp::Nodes(NodesOp::Insert(0, _))) if *id == second.id()));
}

#[test]
#[should_panic(expected = "loop detected")]
fn a_node_cannot_become_its_own_descendant() {
    let outer = div();
    let inner = span();
    outer.append(&inner);
    inner.append(&outer);
}

#[test]
fn the_document_resolves_ids_of_its_own_nodes_only() {
    let inside = span();
    let root = div().with_child(&inside);
    let doc = doc_with(&root);
    let outside = span();
    assert_eq!(doc.node(inside.id()), Some(inside.clone()));
    assert_eq!(doc.node(outside.id()), None);
    root.remove_child(&inside);
    assert_eq!(doc.node(inside.id()), None);
    assert_eq!(inside.document().map(|d| d.ptr_eq(&doc)), None);
    assert_eq!(doc.node_count(), 1);
}

#[test]
fn a_new_root_drops_pending_patches_and_detaches_the_old_tree() {
    let old = div();
    let doc = doc_with(&old);
    old.set_text("pending");
    let new = div();
    doc.set_root(&new);
    assert!(!doc.has_patches());
    old.set_text("ignored");
    assert!(!doc.has_patches());
    assert!(old.document().is_none());
}

#[test]
fn events_render_as_lonas_attribute() {
    let node = input().with_event(Event::Change { delay_ms: 300 });
    assert_eq!(node.to_html(), r#"<input data-lona-events="302:300">"#);
    node.events().add(Event::Click);
    node.events().add(Event::Custom("drop".to_owned()));
    assert_eq!(node.to_html(), r#"<input data-lona-events="302:300;301">"#);
    node.events().add(Event::CHANGE);
    assert_eq!(node.to_html(), r#"<input data-lona-events="301;302">"#);
    assert!(node.events().accepts(Event::CUSTOM_CODE, Some("drop")));
    assert!(!node.events().accepts(Event::FOCUS_CODE, None));
}

#[test]
fn events_changes_are_attribute_patches() {
    let node = div();
    let doc = doc_with(&node);
    node.events().add(Event::Click);
    node.events().add(Event::Custom("x".to_owned()));
    node.events().clear();
    let ops: Vec<_> = doc.take_patches().into_iter().map(|p| p.op).collect();
    assert_eq!(
        ops,
        vec![
            PatchOp::Attributes(MapOp::Set(
                "data-lona-events".to_owned(),
                AttrValue::Str("301".to_owned())
            )),
            PatchOp::Attributes(MapOp::Remove("data-lona-events".to_owned())),
        ]
    );
}

#[test]
fn id_class_and_style_attributes_go_to_their_typed_parts() {
    let node = div();
    node.attributes().set("class", "a b");
    node.attributes().set("id", "main");
    node.attributes().set("style", "color: red; margin: 0");
    assert_eq!(node.class_list().to_vec(), ["a", "b"]);
    assert!(node.has_id("main"));
    assert_eq!(node.style().get("margin").as_deref(), Some("0"));
    assert!(node.attributes().to_vec().is_empty());
}

#[test]
#[should_panic(expected = "invalid attribute name")]
fn attribute_names_that_could_break_out_are_refused() {
    div().attributes().set("x onclick=\"alert(1)\"", "");
}

#[test]
#[should_panic(expected = "belongs to the framework")]
fn the_events_attribute_cannot_be_set_as_a_plain_attribute() {
    div().attributes().set("data-lona-events", "301");
}

#[test]
fn hide_and_show_toggle_display_none() {
    let node = div().with_style("display", "flex");
    node.hide();
    assert!(node.is_hidden());
    node.show();
    assert_eq!(node.style().get("display"), None);
    let shown = div().with_style("display", "flex");
    shown.show();
    assert_eq!(shown.style().get("display").as_deref(), Some("flex"));
}

#[test]
fn text_content_concatenates_descendants() {
    let node = div()
        .with_child("a")
        .with_child(span().with_text("b"))
        .with_child("c");
    assert_eq!(node.text_content(), "abc");
    node.set_text("new");
    assert_eq!(node.text_content(), "new");
    assert_eq!(node.child_count(), 1);
}

#[test]
fn children_api_behaves_like_a_list() {
    let list = ul();
    let items: Vec<Node> = (0..4).map(|i| li().with_text(i.to_string())).collect();
    list.extend(items.iter());
    assert_eq!(list.index_of(&items[2]), Some(2));
    let removed = list.remove_at(0).expect("first child");
    assert_eq!(removed, items[0]);
    assert!(removed.parent().is_none());
    list.insert(1, &removed);
    assert_eq!(
        list.children(),
        vec![
            items[1].clone(),
            items[0].clone(),
            items[2].clone(),
            items[3].clone()
        ]
    );
    let old = list.replace_child(3, li().with_text("x"));
    assert_eq!(old, items[3]);
    assert!(!items[3].remove());
    assert!(items[2].remove());
    list.clear();
    assert_eq!(list.child_count(), 0);
}

#[test]
fn set_children_keeps_the_first_of_duplicates() {
    let node = div();
    let child = span();
    node.set_children([&child, &child]);
    assert_eq!(node.child_count(), 1);
}

#[test]
fn widget_data_changes_in_place_and_records_patches() {
    let node = div().with_widget("Chart", Value::map([("items", Value::list([1, 2]))]));
    let doc = doc_with(&node);
    let items = [Key::from("items")];
    node.widget_data().push(&items, 3);
    node.widget_data().set(&items, 0usize, 10);
    node.widget_data().set(&[], "label", "x");
    assert!(node.widget_data().remove(&items, 1usize));
    assert!(!node.widget_data().remove(&items, 99usize));
    expect![[r#"Map([("items", List([Int(10), Int(3)])), ("label", String("x"))])"#]]
        .assert_eq(&format!("{:?}", node.widget_data().get()));
    assert_eq!(doc.take_patches().len(), 4);
}

#[test]
fn raw_html_renders_unescaped_and_updates_as_widget_data() {
    let raw = Node::raw_html("<b>bold</b>");
    assert_eq!(raw.to_html(), "<div><b>bold</b></div>");
    let doc = doc_with(&raw);
    raw.set_raw_html("<i>x</i>");
    assert_eq!(raw.to_html(), "<div><i>x</i></div>");
    assert_eq!(doc.take_patches().len(), 1);
}

#[test]
fn svg_descendants_inherit_the_namespace() {
    let circle = Node::element("circle");
    let svg = crate::tags::svg().with_child(&circle);
    assert_eq!(circle.namespace(), Namespace::SVG);
    assert_eq!(svg.to_html(), "<svg><circle/></svg>");
    circle.remove();
    assert_eq!(circle.namespace(), Namespace::HTML);
}

// XSS: no string reaching a text node, an attribute value, a list or a style can change the
// structure of the rendered HTML.

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

// Selectors.

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

// Parsing.

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

// Threads.

#[test]
fn two_threads_edit_one_tree_and_every_change_is_recorded_once() {
    let list = ul();
    let root = div().with_child(&list);
    let doc = doc_with(&root);
    let before = Dom::from_snapshot(&root.snapshot());
    let handles: Vec<_> = (0..2)
        .map(|t| {
            let list = list.clone();
            std::thread::Builder::new()
                .name(format!("editor-{t}"))
                .spawn(move || {
                    for i in 0..300 {
                        let item = li().with_text(format!("{t}-{i}"));
                        list.append(&item);
                        item.class_list().add("x");
                        if i % 3 == 0 {
                            item.remove();
                        }
                    }
                })
                .expect("spawn")
        })
        .collect();
    for handle in handles {
        handle.join().expect("editor thread");
    }
    assert_eq!(list.child_count(), 2 * 200);
    let mut replayed = before;
    replayed.apply(&doc.take_patches());
    assert_eq!(
        replayed.normalized(),
        Dom::from_snapshot(&root.snapshot()).normalized()
    );
}

#[test]
fn the_tree_lock_makes_read_modify_write_atomic() {
    let counter = span().with_text("0");
    let root = div().with_child(&counter);
    let _doc = doc_with(&root);
    let counter = Arc::new(counter);
    let handles: Vec<_> = (0..2)
        .map(|t| {
            let counter = Arc::clone(&counter);
            std::thread::Builder::new()
                .name(format!("counter-{t}"))
                .spawn(move || {
                    for _ in 0..500 {
                        let _lock = counter.lock();
                        let n: u32 = counter.text_content().parse().expect("a number");
                        counter.set_text((n + 1).to_string());
                    }
                })
                .expect("spawn")
        })
        .collect();
    for handle in handles {
        handle.join().expect("counter thread");
    }
    assert_eq!(counter.text_content(), "1000");
}

#[test]
fn deep_trees_drop_without_overflowing_the_stack() {
    let root = div();
    let mut current = root.clone();
    for _ in 0..100_000 {
        let child = div();
        current.append(&child);
        current = child;
    }
    drop(current);
    drop(root);
}

// Property: replaying the recorded patches on the tree as it was gives the tree as it is.

#[derive(Debug, Clone)]
enum Op {
    Append(usize, u8),
    Insert(usize, usize, u8),
    RemoveChild(usize, usize),
    Move(usize, usize),
    SetText(usize, u8),
    Replace(usize, usize, u8),
    SetChildren(usize, u8),
    Clear(usize),
    Class(usize, u8, u8),
    Id(usize, u8, u8),
    Style(usize, u8, u8),
    Attr(usize, u8, u8),
    Events(usize, u8),
    Widget(usize, u8, u8),
}

fn word(n: u8) -> &'static str {
    ["a", "b", "c", "d", "e"][usize::from(n) % 5]
}

fn fresh(n: u8) -> Node {
    match n % 4 {
        0 => Node::text(word(n)),
        1 => span().with_class(word(n)),
        2 => div()
            .with_child(p().with_text(word(n)))
            .with_attr("title", word(n)),
        _ => button().with_text(word(n)),
    }
}

fn elements(root: &Node) -> Vec<Node> {
    let mut out = vec![root.clone()];
    let mut i = 0;
    while i < out.len() {
        let children: Vec<Node> = out[i]
            .children()
            .into_iter()
            .filter(Node::is_element)
            .collect();
        out.extend(children);
        i += 1;
    }
    out
}

fn apply_op(root: &Node, op: &Op) {
    let all = elements(root);
    let pick = |i: usize| all[i % all.len()].clone();
    match *op {
        Op::Append(n, k) => pick(n).append(fresh(k)),
        Op::Insert(n, i, k) => {
            let node = pick(n);
            node.insert(i % (node.child_count() + 1), fresh(k));
        }
        Op::RemoveChild(n, i) => {
            let node = pick(n);
            if let Some(child) = node.child(i % node.child_count().max(1)) {
                node.remove_child(&child);
            }
        }
        Op::Move(n, m) => {
            let (node, target) = (pick(n), pick(m));
            if !node.ptr_eq(root) && !node.contains(&target) {
                target.append(&node);
            }
        }
        Op::SetText(n, k) => {
            let node = pick(n);
            if !node.ptr_eq(root) {
                node.set_text(word(k));
            }
        }
        Op::Replace(n, i, k) => {
            let node = pick(n);
            if node.child_count() > 0 {
                node.replace_child(i % node.child_count(), fresh(k));
            }
        }
        Op::SetChildren(n, k) => pick(n).set_children([fresh(k), fresh(k.wrapping_add(1))]),
        Op::Clear(n) => {
            let node = pick(n);
            if !node.ptr_eq(root) {
                node.clear();
            }
        }
        Op::Class(n, which, v) => {
            let list = pick(n);
            match which % 4 {
                0 => list.class_list().add(word(v)),
                1 => list.class_list().remove(word(v)),
                2 => list.class_list().toggle(word(v)),
                _ => list.class_list().reset([word(v), word(v.wrapping_add(1))]),
            }
        }
        Op::Id(n, which, v) => {
            let node = pick(n);
            match which % 3 {
                0 => node.id_list().add(word(v)),
                1 => node.id_list().remove(word(v)),
                _ => node.id_list().clear(),
            }
        }
        Op::Style(n, which, v) => {
            let node = pick(n);
            match which % 4 {
                0 => node.style().set(word(v), word(v.wrapping_add(which))),
                1 => node.style().remove(word(v)),
                2 => node.style().clear(),
                _ => node.style().reset([(word(v), "1")]),
            }
        }
        Op::Attr(n, which, v) => {
            let node = pick(n);
            match which % 3 {
                0 => node.attributes().set(word(v), i64::from(which)),
                1 => node.attributes().remove(word(v)),
                _ => node.attributes().clear(),
            }
        }
        Op::Events(n, which) => {
            let node = pick(n);
            match which % 4 {
                0 => node.events().add(Event::Click),
                1 => node.events().add(Event::Change {
                    delay_ms: u32::from(which),
                }),
                2 => node.events().remove(&Event::Click),
                _ => node.events().clear(),
            }
        }
        Op::Widget(n, which, v) => {
            let node = pick(n);
            let items = [Key::from("items")];
            if node.widget_data().get().get(&Key::from("items")).is_none() {
                node.widget_data()
                    .reset(Value::map([("items", Value::list(Vec::<i64>::new()))]));
            }
            match which % 4 {
                0 => node.widget_data().push(&items, i64::from(v)),
                1 => {
                    node.widget_data().remove(&items, 0usize);
                }
                2 => node.widget_data().set(&[], word(v), i64::from(v)),
                _ => node.widget_data().clear(&items),
            }
        }
    }
}

fn any_op() -> impl Strategy<Value = Op> {
    let n = 0usize..64;
    prop_oneof![
        (n.clone(), any::<u8>()).prop_map(|(n, k)| Op::Append(n, k)),
        (n.clone(), 0usize..8, any::<u8>()).prop_map(|(n, i, k)| Op::Insert(n, i, k)),
        (n.clone(), 0usize..8).prop_map(|(n, i)| Op::RemoveChild(n, i)),
        (n.clone(), n.clone()).prop_map(|(n, m)| Op::Move(n, m)),
        (n.clone(), any::<u8>()).prop_map(|(n, k)| Op::SetText(n, k)),
        (n.clone(), 0usize..8, any::<u8>()).prop_map(|(n, i, k)| Op::Replace(n, i, k)),
        (n.clone(), any::<u8>()).prop_map(|(n, k)| Op::SetChildren(n, k)),
        n.clone().prop_map(Op::Clear),
        (n.clone(), any::<u8>(), any::<u8>()).prop_map(|(n, w, v)| Op::Class(n, w, v)),
        (n.clone(), any::<u8>(), any::<u8>()).prop_map(|(n, w, v)| Op::Id(n, w, v)),
        (n.clone(), any::<u8>(), any::<u8>()).prop_map(|(n, w, v)| Op::Style(n, w, v)),
        (n.clone(), any::<u8>(), any::<u8>()).prop_map(|(n, w, v)| Op::Attr(n, w, v)),
        (n.clone(), any::<u8>()).prop_map(|(n, w)| Op::Events(n, w)),
        (n, any::<u8>(), any::<u8>()).prop_map(|(n, w, v)| Op::Widget(n, w, v)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn replaying_recorded_patches_gives_the_current_tree(ops in prop::collection::vec(any_op(), 1..40)) {
        let root = div().with_child(ul().with_child(li().with_text("x")));
        let doc = doc_with(&root);
        let mut replayed = Dom::from_snapshot(&root.snapshot());
        for (i, op) in ops.iter().enumerate() {
            apply_op(&root, op);
            // Taking patches at random points must not lose or repeat any.
            if i % 7 == 3 {
                replayed.apply(&doc.take_patches());
            }
        }
        replayed.apply(&doc.take_patches());
        prop_assert_eq!(replayed.normalized(), Dom::from_snapshot(&root.snapshot()).normalized());
        prop_assert_eq!(doc.node_count(), count_nodes(&root));
    }

    /// Any text and attribute value survives rendering and parsing unchanged and alone.
    #[test]
    fn rendered_strings_parse_back_to_themselves(text in any::<String>(), value in any::<String>()) {
        // The HTML parser turns NUL and CR into other characters by design; they are not a
        // way out of the text, so leave them out of the comparison.
        let clean = |s: &str| s.replace(['\0', '\r'], "");
        let (text, value) = (clean(&text), clean(&value));
        let node = div().with_attr("title", value.as_str()).with_child(text.as_str());
        let parsed = parse_html(&node.to_html());
        prop_assert_eq!(parsed.len(), 1);
        let title = parsed[0].attributes().get("title");
        prop_assert_eq!(title.as_ref().and_then(AttrValue::as_str), Some(value.as_str()));
        prop_assert!(parsed[0].child_count() <= 1);
        prop_assert_eq!(parsed[0].text_content(), text);
    }
}

fn count_nodes(root: &Node) -> usize {
    1 + root.children().iter().map(count_nodes).sum::<usize>()
}

#[test]
fn list_ops_record_exact_patches() {
    let node = div();
    let doc = doc_with(&node);
    node.class_list().add("a");
    node.class_list().toggle("a");
    node.class_list().reset(["x", "y", "x"]);
    let ops: Vec<_> = doc.take_patches().into_iter().map(|p| p.op).collect();
    assert_eq!(
        ops,
        vec![
            PatchOp::ClassList(ListOp::Add("a".to_owned())),
            PatchOp::ClassList(ListOp::Remove("a".to_owned())),
            PatchOp::ClassList(ListOp::Reset(vec!["x".to_owned(), "y".to_owned()])),
        ]
    );
}
