//! `Patch`: one recorded change of a node, in exactly the patch types and operations of Lona's
//! protocol (ID_LIST, CLASS_LIST, STYLE, ATTRIBUTES, NODES, WIDGET_DATA with SET, RESET, ADD,
//! CLEAR, INSERT, REMOVE).
//!
//! Patches carry owned data: an inserted subtree is a [`Snapshot`] taken at the moment of the
//! insert, so later changes to it are their own patches and replaying the list in order gives
//! exactly the tree the server has.

use crate::{AttrValue, Key, NodeId, Snapshot, Value};

/// One change of one node. `lona-protocol` writes it as `[node_id, PATCH_TYPE, OPERATION, ...]`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Patch {
    /// The node the change applies to.
    pub node_id: NodeId,
    /// What changed.
    pub op: PatchOp,
    /// Who caused the change, if it only mirrors what one browser window shows already (Lona's
    /// issuer): the view does not send the patch to that window. Set for the edits made inside
    /// [`crate::Document::with_issuer`]; never sent on the wire.
    pub issuer: Option<Issuer>,
}

impl Patch {
    /// A patch of `node_id`, without an issuer.
    pub fn new(node_id: NodeId, op: PatchOp) -> Patch {
        Patch {
            node_id,
            op,
            issuer: None,
        }
    }

    /// The same patch with this issuer.
    #[must_use]
    pub fn with_issuer(mut self, issuer: Option<Issuer>) -> Patch {
        self.issuer = issuer;
        self
    }
}

/// An opaque token for the browser window that caused a change (Lona's issuer, a connection and
/// a window). The runtime hands one out per attached window; `lona-html` only carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Issuer(u64);

impl Issuer {
    /// An issuer from its raw number.
    pub const fn from_raw(raw: u64) -> Issuer {
        Issuer(raw)
    }

    /// The raw number.
    pub const fn get(self) -> u64 {
        self.0
    }
}

/// The patch type with its operation.
#[derive(Debug, Clone, PartialEq)]
pub enum PatchOp {
    /// PATCH_TYPE ID_LIST: the `id` attribute as a list.
    IdList(ListOp),
    /// PATCH_TYPE CLASS_LIST: the `class` attribute as a list.
    ClassList(ListOp),
    /// PATCH_TYPE STYLE: inline style properties.
    Style(MapOp<String>),
    /// PATCH_TYPE ATTRIBUTES: other attributes, including `data-lona-events`.
    Attributes(MapOp<AttrValue>),
    /// PATCH_TYPE NODES: the children.
    Nodes(NodesOp),
    /// PATCH_TYPE WIDGET_DATA: the data of the node's widget.
    WidgetData(WidgetDataOp),
}

/// Operations on the id list and the class list.
#[derive(Debug, Clone, PartialEq)]
pub enum ListOp {
    /// OPERATION ADD: append a value.
    Add(String),
    /// OPERATION REMOVE: remove a value.
    Remove(String),
    /// OPERATION CLEAR.
    Clear,
    /// OPERATION RESET: replace the whole list.
    Reset(Vec<String>),
}

/// Operations on the style and the attributes.
#[derive(Debug, Clone, PartialEq)]
pub enum MapOp<V> {
    /// OPERATION SET: set one entry.
    Set(String, V),
    /// OPERATION REMOVE: remove one entry.
    Remove(String),
    /// OPERATION CLEAR.
    Clear,
    /// OPERATION RESET: replace all entries.
    Reset(Vec<(String, V)>),
}

/// Operations on the children of a node.
#[derive(Debug, Clone, PartialEq)]
pub enum NodesOp {
    /// OPERATION INSERT: insert a subtree before the child at this index.
    Insert(usize, Snapshot),
    /// OPERATION SET: replace the child at this index.
    Set(usize, Snapshot),
    /// OPERATION REMOVE: remove the child with this id (by id, not index, as Lona does).
    Remove(NodeId),
    /// OPERATION CLEAR: remove all children.
    Clear,
    /// OPERATION RESET: replace all children.
    Reset(Vec<Snapshot>),
}

/// Operations on widget data, each at a key path into the data.
#[derive(Debug, Clone, PartialEq)]
pub enum WidgetDataOp {
    /// OPERATION SET: `data[path][key] = value`.
    Set {
        /// Where the container is.
        path: Vec<Key>,
        /// The key or index in the container.
        key: Key,
        /// The new value.
        value: Value,
    },
    /// OPERATION INSERT: insert `value` at `index` into the list at `path`.
    Insert {
        /// Where the list is.
        path: Vec<Key>,
        /// Where to insert.
        index: usize,
        /// The inserted value.
        value: Value,
    },
    /// OPERATION REMOVE: remove the entry `key` of the container at `path`.
    Remove {
        /// Where the container is.
        path: Vec<Key>,
        /// The key or index to remove.
        key: Key,
    },
    /// OPERATION CLEAR: empty the container at `path`.
    Clear {
        /// Where the container is.
        path: Vec<Key>,
    },
    /// OPERATION RESET: replace the whole data.
    Reset(Value),
}
