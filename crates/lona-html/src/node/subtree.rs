//! Walks over a locked subtree: attaching it to a document (setting its document and indexing
//! its nodes), detaching it, and snapshotting it with resolved namespaces.

use std::collections::HashMap;
use std::sync::Weak;

use crate::content::{Content, Element};
use crate::document::{DocCell, DocState};
use crate::{Namespace, NodeId, Snapshot};

use super::{Data, Node};

/// Sets the document of a subtree and indexes its nodes.
pub(crate) fn attach_subtree(
    node: &Node,
    data: &mut Data,
    doc: &Weak<DocCell>,
    index: &mut HashMap<NodeId, Node>,
) {
    data.doc = doc.clone();
    index.insert(node.id(), node.clone());
    if let Content::Element(element) = &data.content {
        for child in &element.children {
            let mut child_data = child.0.data.lock();
            attach_subtree(child, &mut child_data, doc, index);
        }
    }
}

/// Sets the document of a subtree, indexes it and snapshots it in the same walk.
pub(super) fn attach_and_snapshot(
    node: &Node,
    data: &mut Data,
    doc: &Weak<DocCell>,
    index: &mut HashMap<NodeId, Node>,
    inherited: &Namespace,
) -> Snapshot {
    data.doc = doc.clone();
    index.insert(node.id(), node.clone());
    let content = match &data.content {
        Content::Text(text) => Content::Text(text.clone()),
        Content::Element(element) => {
            let ns = element.namespace_in(inherited).clone();
            let children = element
                .children
                .iter()
                .map(|child| {
                    let mut child_data = child.0.data.lock();
                    attach_and_snapshot(child, &mut child_data, doc, index, &ns)
                })
                .collect();
            Content::Element(Element::copy_parts(element, ns, children))
        }
    };
    Snapshot {
        id: node.id(),
        content,
    }
}

/// Clears the document of a subtree, removes it from the index and, if the document keeps
/// them, records the ids that left (see [`crate::Document::take_departed`]).
pub(crate) fn detach_subtree(node: &Node, data: &mut Data, state: &mut DocState) {
    data.doc = Weak::new();
    state.index.remove(&node.id());
    if let Some(departed) = &mut state.departed {
        departed.push(node.id());
    }
    if let Content::Element(element) = &data.content {
        for child in &element.children {
            let mut child_data = child.0.data.lock();
            detach_subtree(child, &mut child_data, state);
        }
    }
}

pub(super) fn snapshot_in(node: &Node, inherited: &Namespace) -> Snapshot {
    snapshot_data(node.id(), &node.0.data.lock(), inherited)
}

/// Snapshots a node whose data the caller has locked (its children get locked here).
pub(crate) fn snapshot_data(id: NodeId, data: &Data, inherited: &Namespace) -> Snapshot {
    let content = match &data.content {
        Content::Text(text) => Content::Text(text.clone()),
        Content::Element(element) => {
            let ns = element.namespace_in(inherited).clone();
            let children = element
                .children
                .iter()
                .map(|child| snapshot_in(child, &ns))
                .collect();
            Content::Element(Element::copy_parts(element, ns, children))
        }
    };
    Snapshot { id, content }
}
