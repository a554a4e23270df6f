//! Concise trees: every shape of [`IntoChildren`] renders as its long form does, and appending
//! a tree built with `with` records the same patches as one built with `with_child`.

use std::collections::HashMap;

use crate::tags::{b, button, div, h1, li, p, span, text, ul};
use crate::{Document, IntoChildren, Node, each};

use super::doc_with;

/// The patches as text, with each node id replaced by the order of its first appearance, so
/// two equal sequences of edits on different nodes compare equal.
fn normalized(patches: &[crate::Patch]) -> String {
    let debug = format!("{patches:?}");
    let mut ids: HashMap<&str, usize> = HashMap::new();
    let mut out = String::new();
    let mut rest = debug.as_str();
    while let Some(at) = rest.find("NodeId(") {
        let (before, after) = rest.split_at(at + "NodeId(".len());
        out.push_str(before);
        let end = after.find(')').unwrap_or(after.len());
        let next = ids.len();
        let index = *ids.entry(&after[..end]).or_insert(next);
        out.push_str(&index.to_string());
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// What appending the tree `build` makes to a document's root records, normalized.
fn patches_of_appending(build: impl FnOnce() -> Node) -> String {
    let root = div();
    let doc = doc_with(&root);
    root.append(build());
    normalized(&doc.take_patches())
}

/// What `edit` records on a root that is in a document, normalized.
fn patches_of_editing(edit: impl FnOnce(&Node)) -> String {
    let root = div();
    let doc = doc_with(&root);
    edit(&root);
    normalized(&doc.take_patches())
}

fn counter_long() -> Node {
    div()
        .with_child(h1().with_text("Counter"))
        .with_child(span().with_id("count").with_text("0"))
        .with_child(" ")
        .with_child(button().with_id("plus").with_text("+1"))
}

fn counter_short() -> Node {
    div().with((
        h1().with("Counter"),
        span().with_id("count").with(0),
        " ",
        button().with_id("plus").with("+1"),
    ))
}

#[test]
fn the_short_counter_renders_and_records_as_the_long_one() {
    assert_eq!(counter_short().to_html(), counter_long().to_html());
    let short = patches_of_appending(counter_short);
    assert_eq!(short, patches_of_appending(counter_long));
    assert_eq!(short.matches("Insert").count(), 1, "{short}");
}

#[test]
fn with_on_a_node_in_a_document_records_one_insert_per_child_as_with_child_does() {
    let short = patches_of_editing(|root| {
        root.append_all((b().with("x"), "y", [p(), p()], Some(span()), None::<Node>));
    });
    let long = patches_of_editing(|root| {
        root.append(b().with_text("x"));
        root.append("y");
        root.append(p());
        root.append(p());
        root.append(span());
    });
    assert_eq!(short, long);
    assert_eq!(short.matches("Insert").count(), 5);
}

#[test]
fn set_content_is_one_reset_as_set_children() {
    let short = patches_of_editing(|root| root.set_content(("n = ", 42)));
    let long = patches_of_editing(|root| root.set_children([Node::text("n = "), "42".into()]));
    assert_eq!(short, long);
    assert_eq!(short.matches("Reset").count(), 1);
}

#[test]
fn every_shape_renders_its_children_in_order() {
    let items = vec![li().with("v1"), li().with("v2")];
    let shared = span().with("shared");
    let words = ["w1", "w2"];
    let tree = ul().with((
        li().with("tuple"),
        [li().with("a1"), li().with("a2")],
        items,
        words.iter().map(|w| li().with(*w)),
        (1..=2).map(|n| li().with(n)).filter(|_| true),
        Some(li().with("some")),
        None::<Node>,
        (),
        &shared,
        each("e1 e2".split(' ').map(|w| li().with(w))),
    ));
    assert_eq!(
        tree.to_html(),
        "<ul><li>tuple</li><li>a1</li><li>a2</li><li>v1</li><li>v2</li><li>w1</li><li>w2</li>\
         <li>1</li><li>2</li><li>some</li><span>shared</span><li>e1</li><li>e2</li></ul>"
    );
}

#[test]
fn text_numbers_and_references_become_escaped_text_nodes() {
    let owned = String::from("<owned>");
    let numbers = [7_u8, 8];
    let node = p().with((
        "<str>",
        &owned,
        owned.clone(),
        std::borrow::Cow::Borrowed("cow"),
        '&',
        -3_i64,
        1.5_f64,
        &numbers[..],
        text("<text>"),
    ));
    assert_eq!(
        node.to_html(),
        "<p>&lt;str&gt;&lt;owned&gt;&lt;owned&gt;cow&amp;-31.578&lt;text&gt;</p>"
    );
    // Each part is its own text node, never parsed as markup.
    assert_eq!(node.child_count(), 10);
    assert!(node.children().iter().all(Node::is_text));
}

#[test]
fn borrowed_nodes_stay_the_same_nodes() {
    let count = span().with(0);
    let nodes = vec![b(), b()];
    let root = div().with((&count, &nodes, &nodes[..0]));
    assert_eq!(root.child(0), Some(count.clone()));
    assert_eq!(root.children()[1..], nodes[..]);
    // `with` appends, so a node given twice moves to its last place, as `append` moves it.
    let moved = div().with((&count, "x", &count));
    assert_eq!(moved.to_html(), "<div>x<span>0</span></div>");
}

#[test]
fn a_component_is_a_child_through_from() {
    struct Badge(u32);
    impl From<Badge> for Node {
        fn from(badge: Badge) -> Node {
            span().with_class("badge").with(badge.0)
        }
    }
    let node = p().with(("Inbox ", Badge(3)));
    assert_eq!(
        node.to_html(),
        r#"<p>Inbox <span class="badge">3</span></p>"#
    );
}

#[test]
fn a_type_may_implement_into_children_for_several_nodes() {
    struct Pair(&'static str, &'static str);
    impl IntoChildren for Pair {
        fn for_each_child(self, add: &mut dyn FnMut(Node)) {
            (b().with(self.0), self.1).for_each_child(add);
        }
    }
    assert_eq!(
        p().with(Pair("Name:", " Ada")).to_html(),
        "<p><b>Name:</b> Ada</p>"
    );
}

#[test]
fn twelve_part_tuples_nest() {
    let node = div().with((1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, (12, 13, ("fourteen",))));
    assert_eq!(node.text_content(), "12345678910111213fourteen");
}

#[test]
fn a_built_tree_in_a_document_is_indexed() {
    let count = span().with(0);
    let root = div().with((h1().with("Counter"), &count));
    let doc = Document::new();
    doc.set_root(&root);
    assert_eq!(doc.node(count.id()), Some(count.clone()));
    count.set_content(1);
    assert_eq!(doc.take_patches().len(), 1);
    assert_eq!(root.text_content(), "Counter1");
}

#[test]
#[should_panic(expected = "loop detected")]
fn with_refuses_a_loop_as_append_does() {
    let inner = span();
    let outer = div().with(&inner);
    inner.append_all((b(), &outer));
}
