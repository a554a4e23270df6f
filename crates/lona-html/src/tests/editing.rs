//! Editing a tree and the patches it records: identity, children, attributes, events, lists,
//! style, namespaces and the `ignore` flag.

use crate::tags::{button, div, input, li, span, ul};
use crate::{AttrValue, Document, Event, ListOp, MapOp, Namespace, Node, NodesOp, PatchOp};

use super::doc_with;

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
fn the_node_count_can_be_read_without_waiting_for_the_lock() {
    let root = div().with((span().with("a"), span()));
    let doc = doc_with(&root);
    assert_eq!(doc.try_node_count(), Some(4));
    {
        // Held by this thread: the lock is re-entrant.
        let _lock = doc.lock();
        assert_eq!(doc.try_node_count(), Some(4));
        // Held by another thread: no wait, no answer.
        let other = doc.clone();
        let seen = std::thread::Builder::new()
            .name("try-node-count".to_owned())
            .spawn(move || other.try_node_count())
            .expect("a thread starts")
            .join()
            .expect("the thread ends");
        assert_eq!(seen, None);
    }
    root.append(span());
    assert_eq!(doc.try_node_count(), Some(5));
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
fn svg_descendants_inherit_the_namespace() {
    let circle = Node::element("circle");
    let svg = crate::tags::svg().with_child(&circle);
    assert_eq!(circle.namespace(), Namespace::SVG);
    assert_eq!(svg.to_html(), "<svg><circle/></svg>");
    circle.remove();
    assert_eq!(circle.namespace(), Namespace::HTML);
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

#[test]
fn ignored_nodes_carry_data_lona_ignore() {
    let node = div().with_ignore();
    assert!(node.is_ignored());
    assert_eq!(node.to_html(), "<div data-lona-ignore></div>");
    node.unignore();
    assert!(!node.is_ignored());
    node.ignore();
    assert!(node.is_ignored());
}
