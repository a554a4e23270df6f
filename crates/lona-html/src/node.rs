//! `Node`: a cheap, thread-safe handle to an element or a text node, with the whole editing API.
//!
//! Every change goes through [`Node::edit`], which takes the document lock (if the node is in a
//! document), then the node's own lock, applies the change and records its [`Patch`]. Changes to
//! nodes in no document record nothing, as in Lona.
//!
//! This file holds the handle, its data and the edit context; the editing API is spread over
//! the submodules, one concern each: construction and identity, children, builder methods, and
//! one file per typed part of an element (lists, style, attributes, events, widget data).

use std::fmt;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Weak};

use parking_lot::Mutex;

use crate::content::{Content, Element};
use crate::document::{DocCell, DocState, same_doc};
use crate::patch::PatchOp;
use crate::{Namespace, NodeId, Patch, Snapshot, TreeNode};

mod attributes;
mod builder;
mod children;
mod events;
mod identity;
mod lists;
mod style;
mod subtree;
mod widget_data;

pub use attributes::{Attributes, is_valid_attribute_name};
pub use events::Events;
pub use lists::{ClassList, IdList};
pub use style::Style;
pub(crate) use style::parse_declarations;
use subtree::{attach_and_snapshot, snapshot_in};
pub(crate) use subtree::{attach_subtree, detach_subtree, snapshot_data};
pub use widget_data::WidgetData;

/// A handle to a node of an HTML tree: an element, a text or a raw HTML node.
///
/// Build a tree in one expression with the [`crate::tags`] functions and [`Node::with`], which
/// takes the children as a tuple, an array, a `Vec`, an iterator, an `Option`, a node or text
/// (see [`crate::IntoChildren`]); keep a handle to each node you change later:
///
/// ```
/// use lona_html::tags::{button, div, h1, li, span, ul};
///
/// let count = span().with(0);
/// let plus = button().with("+1");
/// let root = div().with((h1().with("Counter"), &count, " ", &plus));
/// let list = ul().with(["a", "b"].map(|item| li().with(item)));
///
/// count.set_content(1);
/// assert_eq!(root.text_content(), "Counter1 +1");
/// assert_eq!(list.to_html(), "<ul><li>a</li><li>b</li></ul>");
/// ```
///
/// The one-child builders ([`Node::with_child`], [`Node::with_text`]) and the editing methods
/// ([`Node::append`], [`Node::set_text`]) do the same one child at a time.
///
/// Handles are cheap to clone (one reference count) and `Send + Sync`: a view's request thread
/// and an event handler on another thread may both hold and change the same node. Equality is
/// identity: two handles are equal when they name the same node, never because two nodes look
/// alike (Lona compares structurally, which makes `await_click(button)` match the wrong button).
///
/// A node has at most one parent. Appending a node that already has a parent moves it.
///
/// Methods that only make sense for elements (children, attributes, lists, style, events,
/// widget data) panic on a text node; that is a programming error, not an input error.
#[derive(Clone)]
pub struct Node(pub(crate) Arc<Inner>);

pub(crate) struct Inner {
    id: AtomicU64,
    pub(crate) data: Mutex<Data>,
}

pub(crate) struct Data {
    pub(crate) content: Content<Node>,
    pub(crate) parent: Weak<Inner>,
    pub(crate) doc: Weak<DocCell>,
    pub(crate) key: Option<Arc<str>>,
}

static LIVE_NODES: AtomicUsize = AtomicUsize::new(0);

/// The number of nodes alive in this process, for leak tests.
pub fn live_nodes() -> usize {
    LIVE_NODES.load(Ordering::Relaxed)
}

impl Drop for Inner {
    fn drop(&mut self) {
        LIVE_NODES.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Drop for Data {
    /// Drops deep trees without recursion, so a very deep tree cannot overflow the stack.
    fn drop(&mut self) {
        let Content::Element(element) = &mut self.content else {
            return;
        };
        let mut stack = std::mem::take(&mut element.children);
        while let Some(node) = stack.pop() {
            if let Some(inner) = Arc::into_inner(node.0) {
                let mut data = inner.data.lock();
                if let Content::Element(element) = &mut data.content {
                    stack.append(&mut element.children);
                }
            }
        }
    }
}

/// A handle that does not keep its node alive; [`WeakNode::upgrade`] gives the node back while
/// something else still holds it. For caches, and for tests that check a tree was freed.
#[derive(Clone)]
pub struct WeakNode(Weak<Inner>);

impl WeakNode {
    /// The node, if it is still alive.
    pub fn upgrade(&self) -> Option<Node> {
        self.0.upgrade().map(Node)
    }
}

impl fmt::Debug for WeakNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.strong_count() > 0 {
            "WeakNode(alive)"
        } else {
            "WeakNode(dropped)"
        })
    }
}

impl TreeNode for Node {
    fn visit<R>(&self, f: impl FnOnce(NodeId, &Content<Self>) -> R) -> R {
        let data = self.0.data.lock();
        f(self.id(), &data.content)
    }
}

impl PartialEq for Node {
    fn eq(&self, other: &Node) -> bool {
        self.ptr_eq(other)
    }
}

impl Eq for Node {}

impl std::hash::Hash for Node {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        Arc::as_ptr(&self.0).hash(state);
    }
}

impl fmt::Debug for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A try-lock: Debug must never deadlock, even inside an edit of this node.
        match self.0.data.try_lock() {
            Some(data) => match &data.content {
                Content::Element(e) => write!(f, "<{} #{}>", e.tag, self.id()),
                Content::Text(t) => write!(f, "{t:?} #{}", self.id()),
            },
            None => write!(f, "<locked #{}>", self.id()),
        }
    }
}

impl From<&str> for Node {
    /// A text node. A string is never parsed as HTML; see [`crate::parse_html`] for that.
    fn from(text: &str) -> Node {
        Node::text(text)
    }
}

impl From<String> for Node {
    /// A text node. A string is never parsed as HTML; see [`crate::parse_html`] for that.
    fn from(text: String) -> Node {
        Node::text(text)
    }
}

impl From<&Node> for Node {
    fn from(node: &Node) -> Node {
        node.clone()
    }
}

/// The edit context handed to closures run under [`Node::edit`].
pub(crate) struct Edit<'a> {
    pub(crate) node: &'a Node,
    pub(crate) data: &'a mut Data,
    pub(crate) doc: Option<(&'a Weak<DocCell>, &'a mut DocState)>,
}

impl Edit<'_> {
    /// Records a patch of the edited node, if it is in a document.
    fn record(&mut self, op: PatchOp) {
        if let Some((_, state)) = &mut self.doc {
            let patch = Patch::new(self.node.id(), op).with_issuer(state.issuer);
            state.patches.push(patch);
        }
    }

    fn recording(&self) -> bool {
        self.doc.is_some()
    }

    fn element(&mut self) -> &mut Element<Node> {
        match &mut self.data.content {
            Content::Element(element) => element,
            Content::Text(_) => panic!("node {} is a text node, not an element", self.node.id()),
        }
    }

    /// Attaches `child` (already without a parent, locked as `child_data`) below the edited
    /// node, and returns its snapshot if this edit records.
    fn attach(&mut self, child: &Node, child_data: &mut Data, ns: &Namespace) -> Option<Snapshot> {
        child_data.parent = Arc::downgrade(&self.node.0);
        match &mut self.doc {
            Some((weak, state)) => Some(attach_and_snapshot(
                child,
                child_data,
                weak,
                &mut state.index,
                ns,
            )),
            None => None,
        }
    }

    /// Detaches `child` (locked as `child_data`) from the edited node's tree.
    fn detach(&mut self, child: &Node, child_data: &mut Data) {
        child_data.parent = Weak::new();
        if let Some((_, state)) = &mut self.doc {
            detach_subtree(child, child_data, state);
        }
    }
}

/// Locked access, for the editing API in the submodules.
impl Node {
    /// Runs `f` on this node's locked data, under its document lock, recording patches.
    pub(crate) fn edit<R>(&self, f: impl FnOnce(&mut Edit<'_>) -> R) -> R {
        loop {
            let doc = self.0.data.lock().doc.upgrade();
            match doc {
                None => {
                    let mut data = self.0.data.lock();
                    if data.doc.strong_count() != 0 {
                        continue; // Attached to a document meanwhile: record this edit.
                    }
                    let mut edit = Edit {
                        node: self,
                        data: &mut data,
                        doc: None,
                    };
                    return f(&mut edit);
                }
                Some(doc) => {
                    let guard = doc.lock();
                    let mut data = self.0.data.lock();
                    if !same_doc(&data, &doc) {
                        continue; // Moved to another document before we got the lock.
                    }
                    let mut state = guard.borrow_mut();
                    let weak = Arc::downgrade(&doc);
                    let mut edit = Edit {
                        node: self,
                        data: &mut data,
                        doc: Some((&weak, &mut state)),
                    };
                    return f(&mut edit);
                }
            }
        }
    }

    /// Runs `f` on the element's content, read-only.
    fn read<R>(&self, f: impl FnOnce(&Element<Node>) -> R) -> R {
        match &self.0.data.lock().content {
            Content::Element(element) => f(element),
            Content::Text(_) => panic!("node {} is a text node, not an element", self.id()),
        }
    }
}
