//! The size of a node, pinned: a view's tree stays in memory as long as the view lives, and a
//! keyed diff of a long list is bound by how many nodes fit in the cache (issue 18).

use std::mem::size_of;

use crate::content::{Content, Element};
use crate::node::{Data, Inner};
use crate::tags::{div, span};
use crate::{Namespace, Node, Snapshot};

/// The heap block of one node: the `Arc`'s two counts, then [`Inner`]; 264 bytes before
/// issue 18's compaction (every part of an element inline).
const NODE_BLOCK: usize = 2 * size_of::<usize>() + size_of::<Inner>();

#[test]
fn a_node_stays_small() {
    // On 64-bit targets: an element is its tag, ids, classes, children, one pointer for the
    // rare parts and a byte of namespace; a text is as large (one enum).
    let element = size_of::<Element<Node>>();
    assert!(
        element <= 12 * size_of::<usize>(),
        "Element: {element} bytes"
    );
    assert!(
        size_of::<Content<Node>>() <= element,
        "Content: {} bytes",
        size_of::<Content<Node>>()
    );
    // The node adds its parent, document and key (`Data`), its lock and its id.
    let data = size_of::<Data>();
    assert!(
        data <= element + 4 * size_of::<usize>(),
        "Data: {data} bytes"
    );
    assert!(
        NODE_BLOCK <= 20 * size_of::<usize>(),
        "a node: {NODE_BLOCK} bytes"
    );
}

#[test]
fn plain_elements_box_no_rare_parts() {
    let count = span().with_id("count").with_class("big").with_text("0");
    let root = div().with_child(&count);
    for node in [&root, &count] {
        let data = node.0.data.lock();
        let Content::Element(element) = &data.content else {
            panic!("an element");
        };
        assert!(element.rare.is_none(), "{node:?}");
    }
    // Removing what was never there boxes nothing either.
    count.style().remove("color");
    count.attributes().clear();
    count.events().clear();
    let data = count.0.data.lock();
    let Content::Element(element) = &data.content else {
        panic!("an element");
    };
    assert!(element.rare.is_none());
}

#[test]
fn rare_parts_set_and_emptied_compare_as_never_set() {
    let plain: Element<Snapshot> = Element::resolved(Namespace::HTML, "button");
    let mut emptied = plain.clone();
    emptied
        .rare_mut()
        .style
        .push(("color".to_owned(), "red".to_owned()));
    assert_ne!(emptied, plain);
    emptied.rare_mut().style.clear();
    // Equal by their parts, though only one has its rare parts boxed.
    assert!(emptied.rare.is_some() && plain.rare.is_none());
    assert_eq!(emptied, plain);
    assert_eq!(format!("{emptied:?}"), format!("{plain:?}"));
}

#[test]
fn an_uncommon_namespace_is_kept_and_the_common_ones_are_not_boxed() {
    let svg: Element<Snapshot> = Element::resolved(
        Namespace::new("http://www.w3.org/2000/svg".to_owned()),
        "svg",
    );
    assert_eq!(svg.own_namespace(), Some(&Namespace::SVG));
    assert!(svg.rare.is_none());
    let other: Element<Snapshot> = Element::resolved(Namespace::new("urn:x-example"), "thing");
    assert_eq!(
        other.own_namespace().map(Namespace::as_str),
        Some("urn:x-example")
    );
    assert_eq!(
        other.namespace_in(&Namespace::HTML).as_str(),
        "urn:x-example"
    );
    let inherits: Element<Snapshot> = Element::new(None, "g".into());
    assert_eq!(inherits.namespace_in(&Namespace::SVG), &Namespace::SVG);
}
