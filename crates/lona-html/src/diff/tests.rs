//! Tests of `diff`: exact patches for keyed moves, and the property that applying `diff(a, b)`
//! to `a` gives `b`, node ids included.

use proptest::prelude::*;

use crate::tags::{div, li, p, span, ul};
use crate::test_support::Dom;
use crate::{Document, Event, Node, NodesOp, PatchOp, Value, diff};

fn keyed_list(keys: &[&str]) -> Node {
    ul().with_children(keys.iter().map(|k| li().with_key(*k).with_text(*k)))
}

/// The patches of `diff(old, new)` with node ids replaced by the keys of the old list items.
fn describe(old: &Node, new: &Node) -> Vec<String> {
    let names: Vec<(crate::NodeId, String)> = old
        .children()
        .iter()
        .map(|c| (c.id(), c.key().unwrap_or_default()))
        .collect();
    let name = |id: crate::NodeId| {
        names
            .iter()
            .find(|(i, _)| *i == id)
            .map_or_else(|| "new".to_owned(), |(_, n)| n.clone())
    };
    diff(old, new)
        .expect("same root tag")
        .into_iter()
        .map(|patch| match patch.op {
            PatchOp::Nodes(NodesOp::Remove(id)) => format!("remove {}", name(id)),
            PatchOp::Nodes(NodesOp::Insert(index, snapshot)) => {
                format!("insert {} at {index}", name(snapshot.id()))
            }
            other => format!("{other:?}"),
        })
        .collect()
}

#[test]
fn a_keyed_child_moves_with_its_id_and_the_rest_stays() {
    let old = keyed_list(&["a", "b", "c", "d", "e"]);
    let new = keyed_list(&["a", "c", "d", "e", "b"]);
    assert_eq!(describe(&old, &new), ["remove b", "insert b at 4"]);
    // The moved node and those that stayed kept their ids.
    let ids = |n: &Node| n.children().iter().map(Node::id).collect::<Vec<_>>();
    let old_ids = ids(&old);
    assert_eq!(
        ids(&new),
        [old_ids[0], old_ids[2], old_ids[3], old_ids[4], old_ids[1]]
    );
}

#[test]
fn keyed_insert_and_remove_touch_only_those_children() {
    let old = keyed_list(&["a", "b", "c"]);
    let new = keyed_list(&["x", "a", "c"]);
    assert_eq!(describe(&old, &new), ["remove b", "insert new at 0"]);
}

#[test]
fn unchanged_trees_give_no_patches_and_different_roots_give_none() {
    let old = div().with_child(p().with_text("x"));
    let new = div().with_child(p().with_text("x"));
    assert_eq!(diff(&old, &new), Some(Vec::new()));
    assert_eq!(diff(&old, &span()), None);
    assert_eq!(diff(&old, &old), Some(Vec::new()));
}

#[test]
fn changed_text_is_replaced_in_place_with_the_same_id() {
    let old = div().with_text("before");
    let new = div().with_text("after");
    let patches = diff(&old, &new).expect("same root");
    assert_eq!(patches.len(), 1);
    let PatchOp::Nodes(NodesOp::Set(0, snapshot)) = &patches[0].op else {
        panic!("expected a set, got {patches:?}");
    };
    assert_eq!(snapshot.id(), old.child(0).expect("text").id());
}

#[test]
fn morph_root_sends_patches_and_resolves_old_ids_to_new_nodes() {
    let button = || crate::tags::button().with_key("go").with_text("Go");
    let old = div().with_child(p().with_text("0")).with_child(button());
    let doc = Document::new();
    doc.set_root(&old);
    let clicked_id = old.child(1).expect("button").id();

    let new_button = button();
    let new = div().with_child(p().with_text("1")).with_child(&new_button);
    assert!(doc.morph_root(&new));
    assert_eq!(doc.take_patches().len(), 1);
    // A click on the element the browser still has reaches the new button.
    assert_eq!(doc.node(clicked_id), Some(new_button));
    assert!(old.document().is_none());
}

#[derive(Debug, Clone)]
enum Spec {
    Text(u8),
    Element {
        tag: u8,
        key: Option<u8>,
        classes: Vec<u8>,
        attrs: Vec<(u8, u8)>,
        style: Vec<(u8, u8)>,
        click: bool,
        widget: Option<u8>,
        children: Vec<Spec>,
    },
}

fn word(n: u8) -> &'static str {
    ["a", "b", "c", "d"][usize::from(n) % 4]
}

fn build(spec: &Spec) -> Node {
    match spec {
        Spec::Text(t) => Node::text(word(*t)),
        Spec::Element {
            tag,
            key,
            classes,
            attrs,
            style,
            click,
            widget,
            children,
        } => {
            let mut node = Node::element(["div", "span", "p"][usize::from(*tag) % 3]);
            if let Some(key) = key {
                node.set_key(word(*key));
            }
            if let Some(w) = widget {
                node = node.with_widget("W", Value::map([("v", i64::from(*w % 2))]));
            }
            for class in classes {
                node.class_list().add(word(*class));
            }
            for (k, v) in attrs {
                node.attributes().set(word(*k), word(*v));
            }
            for (k, v) in style {
                node.style().set(word(*k), word(*v));
            }
            if *click {
                node.events().add(Event::Click);
            }
            for child in children {
                node.append(build(child));
            }
            node
        }
    }
}

fn any_spec() -> impl Strategy<Value = Spec> {
    let leaf = any::<u8>().prop_map(Spec::Text);
    leaf.prop_recursive(4, 40, 6, |inner| {
        (
            any::<u8>(),
            prop::option::of(0u8..6),
            prop::collection::vec(any::<u8>(), 0..3),
            prop::collection::vec((any::<u8>(), any::<u8>()), 0..3),
            prop::collection::vec((any::<u8>(), any::<u8>()), 0..2),
            any::<bool>(),
            prop::option::of(any::<u8>()),
            prop::collection::vec(inner, 0..6),
        )
            .prop_map(
                |(tag, key, classes, attrs, style, click, widget, children)| Spec::Element {
                    tag,
                    key,
                    classes,
                    attrs,
                    style,
                    click,
                    widget,
                    children,
                },
            )
    })
}

fn rooted(children: Vec<Spec>) -> Spec {
    Spec::Element {
        tag: 0,
        key: None,
        classes: Vec::new(),
        attrs: Vec::new(),
        style: Vec::new(),
        click: false,
        widget: None,
        children,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn applying_the_diff_to_the_old_tree_gives_the_new_tree(
        a in prop::collection::vec(any_spec(), 0..6),
        b in prop::collection::vec(any_spec(), 0..6),
    ) {
        let old = build(&rooted(a));
        let new = build(&rooted(b));
        let before = Dom::from_snapshot(&old.snapshot());
        let patches = diff(&old, &new).expect("both roots are divs");
        prop_assert_eq!(&Dom::from_snapshot(&old.snapshot()), &before, "diff changed the old tree");
        let mut dom = before;
        dom.apply(&patches);
        // Ids included: the new tree answers to the ids the browser has.
        prop_assert_eq!(dom.normalized(), Dom::from_snapshot(&new.snapshot()).normalized());
    }

    #[test]
    fn a_tree_diffed_against_its_own_rebuild_gives_no_patches(a in prop::collection::vec(any_spec(), 0..6)) {
        let spec = rooted(a);
        prop_assert_eq!(diff(&build(&spec), &build(&spec)), Some(Vec::new()));
    }
}

/// The length of a longest strictly increasing subsequence, by the quadratic textbook method.
fn longest_increasing_length(values: &[usize]) -> usize {
    let mut ending_at = vec![1; values.len()];
    for j in 0..values.len() {
        for i in 0..j {
            if values[i] < values[j] {
                ending_at[j] = ending_at[j].max(ending_at[i] + 1);
            }
        }
    }
    ending_at.into_iter().max().unwrap_or(0)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// The run search takes a shortcut when a value extends the longest run; the run must still
    /// be strictly increasing and as long as any (repeated values included).
    #[test]
    fn the_kept_run_is_a_longest_increasing_one(values in prop::collection::vec(0..20_usize, 0..40)) {
        let run = super::longest_increasing(&values);
        prop_assert!(run.windows(2).all(|w| w[0] < w[1] && values[w[0]] < values[w[1]]));
        prop_assert_eq!(run.len(), longest_increasing_length(&values));
    }
}

#[test]
fn a_mostly_sorted_run_keeps_everything_but_the_moved_values() {
    let values = [1, 2, 3, 0, 4, 5, 9, 6, 7, 8];
    let run = super::longest_increasing(&values);
    let kept: Vec<usize> = run.iter().map(|&p| values[p]).collect();
    assert_eq!(kept, [1, 2, 3, 4, 5, 6, 7, 8]);
}
