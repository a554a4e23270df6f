//! Properties: replaying the recorded patches on the tree as it was gives the tree as it is,
//! and rendered strings parse back to themselves.

use proptest::prelude::*;

use crate::tags::{button, div, li, p, span, ul};
use crate::test_support::Dom;
use crate::{AttrValue, Event, Key, Node, Value, parse_html};

use super::doc_with;

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
