//! `Node`: a cheap, thread-safe handle to an element or a text node, with the whole editing API.
//!
//! Every change goes through [`Node::edit`], which takes the document lock (if the node is in a
//! document), then the node's own lock, applies the change and records its [`Patch`]. Changes to
//! nodes in no document record nothing, as in Lona.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Weak};

use parking_lot::Mutex;

use crate::content::{
    Content, EVENTS_ATTRIBUTE, Element, IGNORE_ATTRIBUTE, RAW_HTML_KEY, RAW_HTML_WIDGET,
    WIDGET_DATA_EVENT, Widget,
};
use crate::document::{DocCell, DocState, Document, TreeLock, same_doc};
use crate::patch::{ListOp, MapOp, NodesOp, PatchOp, WidgetDataOp};
use crate::{AttrValue, Event, Key, Namespace, NodeId, Patch, Snapshot, TreeNode, Value};

/// A handle to a node of an HTML tree: an element, a text or a raw HTML node.
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
            detach_subtree(child, child_data, &mut state.index);
        }
    }
}

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
fn attach_and_snapshot(
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
            Content::Element(snapshot_element(element, ns, children))
        }
    };
    Snapshot {
        id: node.id(),
        content,
    }
}

/// Clears the document of a subtree and removes it from the index.
pub(crate) fn detach_subtree(node: &Node, data: &mut Data, index: &mut HashMap<NodeId, Node>) {
    data.doc = Weak::new();
    index.remove(&node.id());
    if let Content::Element(element) = &data.content {
        for child in &element.children {
            let mut child_data = child.0.data.lock();
            detach_subtree(child, &mut child_data, index);
        }
    }
}

fn snapshot_element(
    element: &Element<Node>,
    ns: Namespace,
    children: Vec<Snapshot>,
) -> Element<Snapshot> {
    Element {
        namespace: Some(ns),
        tag: element.tag.clone(),
        ids: element.ids.clone(),
        classes: element.classes.clone(),
        style: element.style.clone(),
        attributes: element.attributes.clone(),
        events: element.events.clone(),
        widget: element.widget.clone(),
        children,
    }
}

pub(crate) fn snapshot_in(node: &Node, inherited: &Namespace) -> Snapshot {
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
            Content::Element(snapshot_element(element, ns, children))
        }
    };
    Snapshot { id, content }
}

/// Construction and identity.
impl Node {
    fn from_content(content: Content<Node>) -> Node {
        LIVE_NODES.fetch_add(1, Ordering::Relaxed);
        Node(Arc::new(Inner {
            id: AtomicU64::new(NodeId::next().get()),
            data: Mutex::new(Data {
                content,
                parent: Weak::new(),
                doc: Weak::new(),
                key: None,
            }),
        }))
    }

    /// A new element from finished parts, without children.
    pub(crate) fn from_element(element: Element<Node>) -> Node {
        Node::from_content(Content::Element(element))
    }

    /// Appends a fresh, parentless node to a node of a tree that is in no document, without
    /// the checks and the recording of [`Node::append`]. For builders such as the parser.
    pub(crate) fn push_fresh_child(&self, child: Node) {
        child.0.data.lock().parent = Arc::downgrade(&self.0);
        let mut data = self.0.data.lock();
        debug_assert!(
            data.doc.strong_count() == 0,
            "push_fresh_child on a document's tree"
        );
        if let Content::Element(element) = &mut data.content {
            element.children.push(child);
        }
    }

    /// A new element that inherits its namespace from its parent (HTML at the root).
    ///
    /// The functions in [`crate::tags`] build the standard elements.
    pub fn element(tag: impl Into<Cow<'static, str>>) -> Node {
        Node::from_content(Content::Element(Element::new(None, tag.into())))
    }

    /// A new element in the given namespace.
    pub fn element_ns(namespace: Namespace, tag: impl Into<Cow<'static, str>>) -> Node {
        Node::from_content(Content::Element(Element::new(Some(namespace), tag.into())))
    }

    /// A new text node. Its text is always escaped when rendered and sent as text.
    pub fn text(text: impl Into<String>) -> Node {
        Node::from_content(Content::Text(text.into()))
    }

    /// A `<div>` whose inner HTML is `html`, unescaped, exactly as given.
    ///
    /// The name says it: this is the one way to put markup from a string into a page without
    /// parsing it, and it must never carry text a user controls. On the wire it is Lona's
    /// `RawHTML`, a `div` with the `lona.RawHtmlWidget` widget that sets `innerHTML`.
    /// Set the markup again with [`Node::set_raw_html`].
    pub fn raw_html(html: impl Into<String>) -> Node {
        let node = Node::element("div");
        node.edit(|e| {
            e.element().widget = Some(Box::new(Widget {
                name: RAW_HTML_WIDGET.to_owned(),
                data: Value::map([(RAW_HTML_KEY, Value::String(html.into()))]),
            }));
        });
        node
    }

    /// The node's id.
    pub fn id(&self) -> NodeId {
        NodeId::from_raw(self.0.id.load(Ordering::Relaxed))
    }

    pub(crate) fn set_id(&self, id: NodeId) {
        self.0.id.store(id.get(), Ordering::Relaxed);
    }

    /// A handle that does not keep the node alive.
    pub fn downgrade(&self) -> WeakNode {
        WeakNode(Arc::downgrade(&self.0))
    }

    /// Whether both handles name the same node (the same as `==`).
    pub fn ptr_eq(&self, other: &Node) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// Whether this is a text node.
    pub fn is_text(&self) -> bool {
        matches!(self.0.data.lock().content, Content::Text(_))
    }

    /// Whether this is an element.
    pub fn is_element(&self) -> bool {
        !self.is_text()
    }

    /// The tag name of an element, `None` for a text node.
    pub fn tag(&self) -> Option<Cow<'static, str>> {
        match &self.0.data.lock().content {
            Content::Element(element) => Some(element.tag.clone()),
            Content::Text(_) => None,
        }
    }

    /// The namespace the element is in: its own, or inherited from the nearest ancestor.
    pub fn namespace(&self) -> Namespace {
        let mut current = Some(self.clone());
        while let Some(node) = current {
            let data = node.0.data.lock();
            if let Content::Element(Element {
                namespace: Some(ns),
                ..
            }) = &data.content
            {
                return ns.clone();
            }
            current = data.parent.upgrade().map(Node);
        }
        Namespace::HTML
    }

    /// The namespace children inherit, when a patch will need it; finding it walks up the
    /// tree, which building a detached tree should not pay for.
    fn namespace_if(&self, recording: bool) -> Namespace {
        if recording {
            self.namespace()
        } else {
            Namespace::HTML
        }
    }

    /// The parent node.
    pub fn parent(&self) -> Option<Node> {
        self.0.data.lock().parent.upgrade().map(Node)
    }

    /// The document this node's tree belongs to, if its root is a document's root.
    pub fn document(&self) -> Option<Document> {
        self.0.data.lock().doc.upgrade().map(Document::from_cell)
    }

    /// Takes the lock of this node's document, for several edits that must be atomic together.
    /// The guard is empty for a node in no document.
    pub fn lock(&self) -> TreeLock {
        loop {
            let Some(doc) = self.0.data.lock().doc.upgrade() else {
                return TreeLock::none();
            };
            let lock = TreeLock::of(&doc);
            // The node may have moved to another document before we got the lock.
            if same_doc(&self.0.data.lock(), &doc) {
                return lock;
            }
        }
    }

    /// A frozen copy of this subtree, with ids and resolved namespaces.
    pub fn snapshot(&self) -> Snapshot {
        let _lock = self.lock();
        let inherited = self.parent().map_or(Namespace::HTML, |p| p.namespace());
        snapshot_in(self, &inherited)
    }

    /// The key that [`crate::diff`] matches children by, if one is set. Keys are server-side only.
    pub fn key(&self) -> Option<String> {
        self.0.data.lock().key.as_deref().map(str::to_owned)
    }

    /// Sets the key that [`crate::diff`] matches children by. Not rendered, not sent.
    pub fn set_key(&self, key: impl Into<String>) {
        self.0.data.lock().key = Some(Arc::from(key.into()));
    }

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

/// Children.
impl Node {
    /// Appends a child; a string becomes a text node. A child with a parent is moved.
    ///
    /// # Panics
    ///
    /// If this is a text node, or if `child` is this node or one of its ancestors.
    pub fn append(&self, child: impl Into<Node>) {
        self.insert(usize::MAX, child);
    }

    /// Inserts a child before `index`; an index past the end appends. A child with a parent is
    /// moved.
    ///
    /// # Panics
    ///
    /// If this is a text node, or if `child` is this node or one of its ancestors.
    pub fn insert(&self, index: usize, child: impl Into<Node>) {
        let child = child.into();
        let lock = self.lock();
        self.assert_no_loop(&child);
        let ns = self.namespace_if(lock.is_held());
        loop {
            child.remove();
            let done = self.edit(|e| {
                let mut child_data = child.0.data.lock();
                if child_data.parent.strong_count() != 0 {
                    return false; // Another thread adopted it meanwhile; take it again.
                }
                let len = e.element().children.len();
                let index = index.min(len);
                let snapshot = e.attach(&child, &mut child_data, &ns);
                drop(child_data);
                e.element().children.insert(index, child.clone());
                if let Some(snapshot) = snapshot {
                    e.record(PatchOp::Nodes(NodesOp::Insert(index, snapshot)));
                }
                true
            });
            if done {
                return;
            }
        }
    }

    /// Appends several children.
    pub fn extend<C: Into<Node>>(&self, children: impl IntoIterator<Item = C>) {
        let _lock = self.lock();
        for child in children {
            self.append(child);
        }
    }

    /// Replaces the child at `index` and returns the old one.
    ///
    /// # Panics
    ///
    /// If this is a text node, if `index` is out of bounds, or if `child` is this node or one
    /// of its ancestors.
    pub fn replace_child(&self, index: usize, child: impl Into<Node>) -> Node {
        let child = child.into();
        let lock = self.lock();
        self.assert_no_loop(&child);
        let ns = self.namespace_if(lock.is_held());
        loop {
            child.remove();
            let old = self.edit(|e| {
                let len = e.element().children.len();
                assert!(
                    index < len,
                    "replace_child: index {index} out of bounds ({len})"
                );
                let mut child_data = child.0.data.lock();
                if child_data.parent.strong_count() != 0 {
                    return None;
                }
                let snapshot = e.attach(&child, &mut child_data, &ns);
                drop(child_data);
                let old = std::mem::replace(&mut e.element().children[index], child.clone());
                let mut old_data = old.0.data.lock();
                e.detach(&old, &mut old_data);
                drop(old_data);
                if let Some(snapshot) = snapshot {
                    e.record(PatchOp::Nodes(NodesOp::Set(index, snapshot)));
                }
                Some(old)
            });
            if let Some(old) = old {
                return old;
            }
        }
    }

    /// Removes `child` from this node's children; `false` if it is not a child.
    pub fn remove_child(&self, child: &Node) -> bool {
        self.edit(|e| {
            let Some(index) = e.element().children.iter().position(|c| c.ptr_eq(child)) else {
                return false;
            };
            let removed = e.element().children.remove(index);
            let mut data = removed.0.data.lock();
            e.detach(&removed, &mut data);
            drop(data);
            e.record(PatchOp::Nodes(NodesOp::Remove(removed.id())));
            true
        })
    }

    /// Removes and returns the child at `index`, `None` if there is none.
    pub fn remove_at(&self, index: usize) -> Option<Node> {
        self.edit(|e| {
            if index >= e.element().children.len() {
                return None;
            }
            let removed = e.element().children.remove(index);
            let mut data = removed.0.data.lock();
            e.detach(&removed, &mut data);
            drop(data);
            e.record(PatchOp::Nodes(NodesOp::Remove(removed.id())));
            Some(removed)
        })
    }

    /// Detaches this node from its parent; `false` if it has none.
    pub fn remove(&self) -> bool {
        loop {
            let Some(parent) = self.parent() else {
                return false;
            };
            if parent.remove_child(self) {
                return true;
            }
            // The parent changed between reading it and removing: look again.
        }
    }

    /// Removes all children.
    pub fn clear(&self) {
        self.edit(|e| {
            let children = std::mem::take(&mut e.element().children);
            if children.is_empty() {
                return;
            }
            for child in &children {
                let mut data = child.0.data.lock();
                e.detach(child, &mut data);
            }
            e.record(PatchOp::Nodes(NodesOp::Clear));
        });
    }

    /// Replaces all children with `children`, as one RESET patch.
    ///
    /// # Panics
    ///
    /// If this is a text node, or if a child is this node or one of its ancestors.
    pub fn set_children<C: Into<Node>>(&self, children: impl IntoIterator<Item = C>) {
        let children: Vec<Node> = children.into_iter().map(Into::into).collect();
        let lock = self.lock();
        for child in &children {
            self.assert_no_loop(child);
        }
        let ns = self.namespace_if(lock.is_held());
        loop {
            for child in &children {
                if child.parent().is_some_and(|p| !p.ptr_eq(self)) {
                    child.remove();
                }
            }
            let done = self.edit(|e| {
                let old = std::mem::take(&mut e.element().children);
                for child in &old {
                    let mut data = child.0.data.lock();
                    e.detach(child, &mut data);
                }
                let parentless = children
                    .iter()
                    .all(|c| c.0.data.lock().parent.strong_count() == 0);
                if !parentless {
                    // Put the old children back and retry: another thread adopted one of ours.
                    for child in &old {
                        let mut data = child.0.data.lock();
                        e.attach(child, &mut data, &ns);
                    }
                    e.element().children = old;
                    return false;
                }
                let mut snapshots = Vec::with_capacity(children.len());
                let mut seen = Vec::with_capacity(children.len());
                for child in &children {
                    // The same node twice would be two places for one node: keep the first.
                    if seen.iter().any(|s: &Node| s.ptr_eq(child)) {
                        continue;
                    }
                    seen.push(child.clone());
                }
                for child in &seen {
                    let mut data = child.0.data.lock();
                    snapshots.extend(e.attach(child, &mut data, &ns));
                }
                e.element().children = seen;
                if e.recording() {
                    e.record(PatchOp::Nodes(NodesOp::Reset(snapshots)));
                }
                true
            });
            if done {
                return;
            }
        }
    }

    /// The children, as handles.
    pub fn children(&self) -> Vec<Node> {
        match &self.0.data.lock().content {
            Content::Element(element) => element.children.clone(),
            Content::Text(_) => Vec::new(),
        }
    }

    /// The child at `index`.
    pub fn child(&self, index: usize) -> Option<Node> {
        match &self.0.data.lock().content {
            Content::Element(element) => element.children.get(index).cloned(),
            Content::Text(_) => None,
        }
    }

    /// The number of children.
    pub fn child_count(&self) -> usize {
        match &self.0.data.lock().content {
            Content::Element(element) => element.children.len(),
            Content::Text(_) => 0,
        }
    }

    /// The position of `child` among this node's children.
    pub fn index_of(&self, child: &Node) -> Option<usize> {
        match &self.0.data.lock().content {
            Content::Element(element) => element.children.iter().position(|c| c.ptr_eq(child)),
            Content::Text(_) => None,
        }
    }

    /// Whether `other` is this node or one of its descendants.
    pub fn contains(&self, other: &Node) -> bool {
        let mut current = Some(other.clone());
        while let Some(node) = current {
            if node.ptr_eq(self) {
                return true;
            }
            current = node.parent();
        }
        false
    }

    /// Replaces the children with one text node.
    pub fn set_text(&self, text: impl Into<String>) {
        self.set_children([Node::text(text)]);
    }

    /// The text of this node and all its descendants, concatenated (the DOM's `textContent`).
    pub fn text_content(&self) -> String {
        fn walk(node: &Node, out: &mut String) {
            node.visit(|_, content| match content {
                Content::Text(text) => out.push_str(text),
                Content::Element(element) => {
                    for child in &element.children {
                        walk(child, out);
                    }
                }
            });
        }
        let _lock = self.lock();
        let mut out = String::new();
        walk(self, &mut out);
        out
    }

    /// Hides the node with the inline style `display: none`.
    pub fn hide(&self) {
        self.style().set("display", "none");
    }

    /// Undoes [`Node::hide`]: removes `display: none`, leaves any other display value alone.
    pub fn show(&self) {
        let _lock = self.lock();
        if self.style().get("display").as_deref() == Some("none") {
            self.style().remove("display");
        }
    }

    /// Marks the node as ignored by the browser client (`data-lona-ignore`, Lona's `ignore`):
    /// the client attaches no input-event handlers to it or to anything inside it, so a link
    /// in it is a plain browser navigation and a form a plain browser submit, and when the
    /// client re-renders it while the server sends no children, the content the page put there
    /// (a JavaScript library's, say) stays. Patches the server sends for the node still apply.
    pub fn ignore(&self) {
        self.attributes().set(IGNORE_ATTRIBUTE, true);
    }

    /// Undoes [`Node::ignore`].
    pub fn unignore(&self) {
        self.attributes().remove(IGNORE_ATTRIBUTE);
    }

    /// Whether the node is marked with [`Node::ignore`].
    pub fn is_ignored(&self) -> bool {
        self.attributes()
            .get(IGNORE_ATTRIBUTE)
            .is_some_and(|v| v != AttrValue::Bool(false))
    }

    /// Whether the node is hidden by [`Node::hide`].
    pub fn is_hidden(&self) -> bool {
        self.style().get("display").as_deref() == Some("none")
    }

    /// Sets the markup of a node made by [`Node::raw_html`]: one WIDGET_DATA patch.
    ///
    /// # Panics
    ///
    /// If this node was not made by [`Node::raw_html`].
    pub fn set_raw_html(&self, html: impl Into<String>) {
        let html = html.into();
        self.edit(|e| {
            let element = e.element();
            assert!(
                element.raw_html().is_some(),
                "set_raw_html: node {} is not a raw HTML node",
                e.node.id()
            );
            let widget = element
                .widget
                .as_deref_mut()
                .expect("raw HTML nodes have a widget");
            let key = Key::from(RAW_HTML_KEY);
            if let Some(value) = widget.data.get_mut(&key) {
                *value = Value::String(html.clone());
            }
            e.record(PatchOp::WidgetData(WidgetDataOp::Set {
                path: Vec::new(),
                key,
                value: Value::String(html),
            }));
        });
    }

    fn assert_no_loop(&self, child: &Node) {
        // Only a node with children can be an ancestor: building trees top-down stays O(1).
        let is_leaf = child.child_count() == 0;
        assert!(
            !(child.ptr_eq(self) || !is_leaf && child.contains(self)),
            "loop detected: node {} cannot become a child of itself or of its descendant {}",
            child.id(),
            self.id(),
        );
    }
}

/// Builder methods: each changes the node (recording patches if it is in a document) and
/// returns it, for building trees in one expression.
impl Node {
    /// Adds ids; a string with spaces adds each word.
    pub fn with_id(self, ids: &str) -> Node {
        for id in ids.split_whitespace() {
            self.id_list().add(id);
        }
        self
    }

    /// Adds classes; a string with spaces adds each word.
    pub fn with_class(self, classes: &str) -> Node {
        for class in classes.split_whitespace() {
            self.class_list().add(class);
        }
        self
    }

    /// Sets a style property.
    pub fn with_style(self, name: &str, value: &str) -> Node {
        self.style().set(name, value);
        self
    }

    /// Sets an attribute (see [`Attributes::set`] for `id`, `class` and `style`).
    pub fn with_attr(self, name: &str, value: impl Into<AttrValue>) -> Node {
        self.attributes().set(name, value);
        self
    }

    /// Adds an event the node listens to.
    pub fn with_event(self, event: Event) -> Node {
        self.events().add(event);
        self
    }

    /// Appends a child; a string becomes a text node.
    pub fn with_child(self, child: impl Into<Node>) -> Node {
        self.append(child);
        self
    }

    /// Appends children.
    pub fn with_children<C: Into<Node>>(self, children: impl IntoIterator<Item = C>) -> Node {
        self.extend(children);
        self
    }

    /// Replaces the children with a text node.
    pub fn with_text(self, text: impl Into<String>) -> Node {
        self.set_text(text);
        self
    }

    /// Sets the key that [`crate::diff`] matches children by.
    pub fn with_key(self, key: impl Into<String>) -> Node {
        self.set_key(key);
        self
    }

    /// Marks the node as ignored by the browser client; see [`Node::ignore`].
    pub fn with_ignore(self) -> Node {
        self.ignore();
        self
    }

    /// Lets the node's JavaScript widget change the node's widget data: the node accepts the
    /// custom event [`WIDGET_DATA_EVENT`] (`{"path": [...], "value": ...}`), which the widget
    /// sends with `lona_window.set_widget_data(path, value)`, and the runtime applies it with
    /// [`WidgetData::apply_client_change`] before the event goes to handlers and waits.
    /// Without this call the browser cannot change a node's widget data.
    pub fn with_widget_sync(self) -> Node {
        self.events()
            .add(Event::Custom(WIDGET_DATA_EVENT.to_owned()));
        self
    }

    /// Sets a frontend widget: the JavaScript class the client instantiates on this element,
    /// and its data.
    ///
    /// The widget class reaches the browser with the node's next full serialization (when it
    /// is inserted or the tree is sent); set it while building the node. Later changes of the
    /// data go through [`Node::widget_data`] and are sent as patches.
    pub fn with_widget(self, name: &str, data: Value) -> Node {
        self.edit(|e| {
            e.element().widget = Some(Box::new(Widget {
                name: name.to_owned(),
                data,
            }));
        });
        self
    }
}

/// The typed parts of an element.
impl Node {
    /// The id list (the `id` attribute as a list).
    pub fn id_list(&self) -> IdList<'_> {
        IdList(self)
    }

    /// The class list.
    pub fn class_list(&self) -> ClassList<'_> {
        ClassList(self)
    }

    /// The inline style.
    pub fn style(&self) -> Style<'_> {
        Style(self)
    }

    /// The attributes other than id, class, style and events.
    pub fn attributes(&self) -> Attributes<'_> {
        Attributes(self)
    }

    /// The events this node listens to.
    pub fn events(&self) -> Events<'_> {
        Events(self)
    }

    /// The widget data.
    pub fn widget_data(&self) -> WidgetData<'_> {
        WidgetData(self)
    }

    /// Whether the id list contains `id`.
    pub fn has_id(&self, id: &str) -> bool {
        self.id_list().contains(id)
    }

    /// Whether the class list contains `class`.
    pub fn has_class(&self, class: &str) -> bool {
        self.class_list().contains(class)
    }
}

macro_rules! list_part {
    ($(#[$doc:meta])* $name:ident, $field:ident, $variant:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name<'a>(&'a Node);

        impl $name<'_> {
            /// Adds a value at the end; nothing happens if it is already there.
            pub fn add(&self, value: &str) {
                self.0.edit(|e| {
                    if e.element().$field.iter().any(|v| v == value) {
                        return;
                    }
                    e.element().$field.push(value.to_owned());
                    e.record(PatchOp::$variant(ListOp::Add(value.to_owned())));
                });
            }

            /// Removes a value; nothing happens if it is not there.
            pub fn remove(&self, value: &str) {
                self.0.edit(|e| {
                    let list = &mut e.element().$field;
                    let Some(index) = list.iter().position(|v| v == value) else {
                        return;
                    };
                    list.remove(index);
                    e.record(PatchOp::$variant(ListOp::Remove(value.to_owned())));
                });
            }

            /// Adds the value if it is missing, removes it if it is there.
            pub fn toggle(&self, value: &str) {
                let _lock = self.0.lock();
                if self.contains(value) {
                    self.remove(value);
                } else {
                    self.add(value);
                }
            }

            /// Removes all values.
            pub fn clear(&self) {
                self.0.edit(|e| {
                    if e.element().$field.is_empty() {
                        return;
                    }
                    e.element().$field.clear();
                    e.record(PatchOp::$variant(ListOp::Clear));
                });
            }

            /// Replaces all values (duplicates are dropped).
            pub fn reset<S: AsRef<str>>(&self, values: impl IntoIterator<Item = S>) {
                let mut list = Vec::new();
                for value in values {
                    let value = value.as_ref();
                    if !list.iter().any(|v| v == value) {
                        list.push(value.to_owned());
                    }
                }
                self.0.edit(|e| {
                    if e.element().$field == list {
                        return;
                    }
                    e.element().$field = list.clone();
                    e.record(PatchOp::$variant(ListOp::Reset(list)));
                });
            }

            /// Whether the list contains `value`.
            pub fn contains(&self, value: &str) -> bool {
                self.0.read(|e| e.$field.iter().any(|v| v == value))
            }

            /// The values, in order.
            pub fn to_vec(&self) -> Vec<String> {
                self.0.read(|e| e.$field.clone())
            }

            /// The number of values.
            pub fn len(&self) -> usize {
                self.0.read(|e| e.$field.len())
            }

            /// Whether the list is empty.
            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }
        }
    };
}

list_part!(
    /// The id list of an element: an ordered set, sent as ID_LIST patches.
    IdList, ids, IdList
);
list_part!(
    /// The class list of an element: an ordered set, sent as CLASS_LIST patches.
    ClassList, classes, ClassList
);

/// The inline style of an element: ordered properties, sent as STYLE patches.
///
/// CSS custom properties (`--name`) work like any other property.
#[derive(Debug, Clone, Copy)]
pub struct Style<'a>(&'a Node);

impl Style<'_> {
    /// Sets a property; setting the value it already has records nothing.
    pub fn set(&self, name: &str, value: &str) {
        self.0.edit(|e| {
            let style = &mut e.element().style;
            match style.iter_mut().find(|(k, _)| k == name) {
                Some((_, v)) if v == value => return,
                Some((_, v)) => *v = value.to_owned(),
                None => style.push((name.to_owned(), value.to_owned())),
            }
            e.record(PatchOp::Style(MapOp::Set(
                name.to_owned(),
                value.to_owned(),
            )));
        });
    }

    /// The value of a property.
    pub fn get(&self, name: &str) -> Option<String> {
        self.0.read(|e| {
            e.style
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
    }

    /// Removes a property.
    pub fn remove(&self, name: &str) {
        self.0.edit(|e| {
            let style = &mut e.element().style;
            let Some(index) = style.iter().position(|(k, _)| k == name) else {
                return;
            };
            style.remove(index);
            e.record(PatchOp::Style(MapOp::Remove(name.to_owned())));
        });
    }

    /// Removes all properties.
    pub fn clear(&self) {
        self.0.edit(|e| {
            if e.element().style.is_empty() {
                return;
            }
            e.element().style.clear();
            e.record(PatchOp::Style(MapOp::Clear));
        });
    }

    /// Replaces all properties.
    pub fn reset<K: AsRef<str>, V: AsRef<str>>(&self, entries: impl IntoIterator<Item = (K, V)>) {
        let mut style: Vec<(String, String)> = Vec::new();
        for (k, v) in entries {
            let (k, v) = (k.as_ref(), v.as_ref());
            match style.iter_mut().find(|(name, _)| name == k) {
                Some((_, value)) => v.clone_into(value),
                None => style.push((k.to_owned(), v.to_owned())),
            }
        }
        self.0.edit(|e| {
            if e.element().style == style {
                return;
            }
            e.element().style = style.clone();
            e.record(PatchOp::Style(MapOp::Reset(style)));
        });
    }

    /// All properties, in order.
    pub fn to_vec(&self) -> Vec<(String, String)> {
        self.0.read(|e| e.style.clone())
    }

    /// Sets properties from a declaration string such as `"color: red; margin: 0"`.
    pub fn set_declarations(&self, declarations: &str) {
        let _lock = self.0.lock();
        for (name, value) in parse_declarations(declarations) {
            self.set(name, value);
        }
    }
}

/// Splits a CSS declaration list into `(property, value)` pairs. Not a CSS parser: it splits on
/// `;` and the first `:`, which is what inline `style` attributes hold in practice.
pub(crate) fn parse_declarations(declarations: &str) -> impl Iterator<Item = (&str, &str)> {
    declarations.split(';').filter_map(|declaration| {
        let (name, value) = declaration.split_once(':')?;
        let (name, value) = (name.trim(), value.trim());
        (!name.is_empty()).then_some((name, value))
    })
}

/// The attributes of an element other than id, class, style and `data-lona-events`, which
/// have their own typed parts. Sent as ATTRIBUTES patches.
#[derive(Debug, Clone, Copy)]
pub struct Attributes<'a>(&'a Node);

/// The attributes the framework owns: user code cannot set them as plain attributes.
const RESERVED_ATTRIBUTES: [&str; 2] = [EVENTS_ATTRIBUTE, "data-lona-node-id"];

/// Whether `name` is a valid attribute name: the HTML syntax minus anything that could break
/// out of the attribute when rendered.
pub fn is_valid_attribute_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().all(|c| {
            !c.is_control()
                && !c.is_whitespace()
                && !matches!(c, '"' | '\'' | '>' | '<' | '/' | '=' | '`')
                && !('\u{FDD0}'..='\u{FDEF}').contains(&c)
        })
}

impl Attributes<'_> {
    /// Sets an attribute; setting the value it already has records nothing.
    ///
    /// `id`, `class` and `style` go to their typed parts (`"a b"` sets two classes, a style
    /// string is split into properties), as in HTML.
    ///
    /// # Panics
    ///
    /// If `name` is not a valid attribute name (see [`is_valid_attribute_name`]), or is one
    /// the framework owns (`data-lona-events`, `data-lona-node-id`).
    pub fn set(&self, name: &str, value: impl Into<AttrValue>) {
        let value = value.into();
        match name {
            "id" => return self.0.id_list().reset(value.to_string().split_whitespace()),
            "class" => {
                return self
                    .0
                    .class_list()
                    .reset(value.to_string().split_whitespace());
            }
            "style" => return self.0.style().reset(parse_declarations(&value.to_string())),
            _ => {}
        }
        assert!(
            is_valid_attribute_name(name),
            "invalid attribute name {name:?}"
        );
        assert!(
            !RESERVED_ATTRIBUTES.contains(&name),
            "attribute {name:?} belongs to the framework; use Node::events() for events"
        );
        self.0.edit(|e| {
            let attributes = &mut e.element().attributes;
            match attributes.iter_mut().find(|(k, _)| k == name) {
                Some((_, v)) if *v == value => return,
                Some((_, v)) => *v = value.clone(),
                None => attributes.push((name.to_owned(), value.clone())),
            }
            e.record(PatchOp::Attributes(MapOp::Set(name.to_owned(), value)));
        });
    }

    /// The value of an attribute.
    pub fn get(&self, name: &str) -> Option<AttrValue> {
        self.0.read(|e| {
            e.attributes
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
    }

    /// Whether the attribute is set.
    pub fn contains(&self, name: &str) -> bool {
        self.0.read(|e| e.attributes.iter().any(|(k, _)| k == name))
    }

    /// Removes an attribute.
    pub fn remove(&self, name: &str) {
        self.0.edit(|e| {
            let attributes = &mut e.element().attributes;
            let Some(index) = attributes.iter().position(|(k, _)| k == name) else {
                return;
            };
            attributes.remove(index);
            e.record(PatchOp::Attributes(MapOp::Remove(name.to_owned())));
        });
    }

    /// Removes all attributes (the events stay: they are not plain attributes).
    pub fn clear(&self) {
        self.0.edit(|e| {
            if e.element().attributes.is_empty() {
                return;
            }
            e.element().attributes.clear();
            match e.element().events_attribute() {
                // CLEAR would drop the events attribute on the client too: send a RESET.
                Some(events) => {
                    let reset = vec![(EVENTS_ATTRIBUTE.to_owned(), AttrValue::Str(events))];
                    e.record(PatchOp::Attributes(MapOp::Reset(reset)));
                }
                None => e.record(PatchOp::Attributes(MapOp::Clear)),
            }
        });
    }

    /// All attributes, in order, without id, class, style and events.
    pub fn to_vec(&self) -> Vec<(String, AttrValue)> {
        self.0.read(|e| e.attributes.clone())
    }
}

/// The events an element listens to, rendered as its `data-lona-events` attribute.
#[derive(Debug, Clone, Copy)]
pub struct Events<'a>(&'a Node);

impl Events<'_> {
    fn change(&self, f: impl FnOnce(&mut Vec<Event>) -> bool) {
        self.0.edit(|e| {
            let element = e.element();
            let before = element.events_attribute();
            if !f(&mut element.events) {
                return;
            }
            let after = element.events_attribute();
            if before == after {
                return;
            }
            let op = match after {
                Some(value) => MapOp::Set(EVENTS_ATTRIBUTE.to_owned(), AttrValue::Str(value)),
                None => MapOp::Remove(EVENTS_ATTRIBUTE.to_owned()),
            };
            e.record(PatchOp::Attributes(op));
        });
    }

    /// Adds an event; an event of the same type is replaced (a new change delay wins).
    pub fn add(&self, event: Event) {
        self.change(|events| {
            if events.contains(&event) {
                return false;
            }
            events.retain(|e| !e.same_type(&event));
            events.push(event);
            true
        });
    }

    /// Removes the event of this type.
    pub fn remove(&self, event: &Event) {
        self.change(|events| {
            let before = events.len();
            events.retain(|e| !e.same_type(event));
            events.len() != before
        });
    }

    /// Removes all events.
    pub fn clear(&self) {
        self.change(|events| {
            let changed = !events.is_empty();
            events.clear();
            changed
        });
    }

    /// Whether the node listens to events of this type.
    pub fn contains(&self, event: &Event) -> bool {
        self.0.read(|e| e.events.iter().any(|x| x.same_type(event)))
    }

    /// Whether the node listens to the event with this wire code (or custom name).
    pub fn accepts(&self, code: u16, custom_name: Option<&str>) -> bool {
        self.0.read(|e| {
            e.events.iter().any(|x| match (x, custom_name) {
                (Event::Custom(name), Some(wanted)) => name == wanted,
                (Event::Custom(_), None) => false,
                (other, _) => other.code() == code,
            })
        })
    }

    /// The events, in order.
    pub fn to_vec(&self) -> Vec<Event> {
        self.0.read(|e| e.events.clone())
    }
}

/// The data of an element's widget: JSON-shaped, changed in place and sent as WIDGET_DATA
/// patches. Paths are lists of [`Key`]s from the top of the data.
#[derive(Debug, Clone, Copy)]
pub struct WidgetData<'a>(&'a Node);

impl WidgetData<'_> {
    fn data_mut<'e>(e: &'e mut Edit<'_>) -> &'e mut Value {
        let element = e.element();
        &mut element
            .widget
            .get_or_insert_with(|| {
                Box::new(Widget {
                    name: String::new(),
                    data: Value::Null,
                })
            })
            .data
    }

    /// A copy of the whole data (`Null` if the node has no widget data).
    pub fn get(&self) -> Value {
        self.0
            .read(|e| e.widget.as_ref().map_or(Value::Null, |w| w.data.clone()))
    }

    /// Replaces the whole data.
    pub fn reset(&self, value: Value) {
        self.0.edit(|e| {
            *Self::data_mut(e) = value.clone();
            e.record(PatchOp::WidgetData(WidgetDataOp::Reset(value)));
        });
    }

    /// Sets `data[path][key] = value`: a map entry (added if missing) or an existing list item.
    ///
    /// # Panics
    ///
    /// If `path` does not lead to a map (for a name key) or to a list with that index.
    pub fn set(&self, path: &[Key], key: impl Into<Key>, value: impl Into<Value>) {
        let (key, value) = (key.into(), value.into());
        self.0.edit(|e| {
            let container = Self::container(e, path);
            match (container, &key) {
                (Value::Map(entries), Key::Name(name)) => {
                    match entries.iter_mut().find(|(k, _)| k == name) {
                        Some((_, v)) => *v = value.clone(),
                        None => entries.push((name.clone(), value.clone())),
                    }
                }
                (Value::List(items), Key::Index(index)) if *index < items.len() => {
                    items[*index] = value.clone();
                }
                _ => panic!("widget data: no map or list item for {key} at {path:?}"),
            }
            e.record(PatchOp::WidgetData(WidgetDataOp::Set {
                path: path.to_vec(),
                key,
                value,
            }));
        });
    }

    /// Inserts `value` at `index` into the list at `path`; an index past the end appends.
    ///
    /// # Panics
    ///
    /// If `path` does not lead to a list.
    pub fn insert(&self, path: &[Key], index: usize, value: impl Into<Value>) {
        let value = value.into();
        self.0.edit(|e| {
            let Value::List(items) = Self::container(e, path) else {
                panic!("widget data: no list at {path:?}");
            };
            let index = index.min(items.len());
            items.insert(index, value.clone());
            e.record(PatchOp::WidgetData(WidgetDataOp::Insert {
                path: path.to_vec(),
                index,
                value,
            }));
        });
    }

    /// Appends `value` to the list at `path`.
    ///
    /// # Panics
    ///
    /// If `path` does not lead to a list.
    pub fn push(&self, path: &[Key], value: impl Into<Value>) {
        self.insert(path, usize::MAX, value);
    }

    /// Removes the entry `key` of the container at `path`; `false` if there is none.
    pub fn remove(&self, path: &[Key], key: impl Into<Key>) -> bool {
        let key = key.into();
        self.0.edit(|e| {
            let removed = match (Self::find(e, path), &key) {
                (Some(Value::Map(entries)), Key::Name(name)) => {
                    let before = entries.len();
                    entries.retain(|(k, _)| k != name);
                    entries.len() != before
                }
                (Some(Value::List(items)), Key::Index(index)) if *index < items.len() => {
                    items.remove(*index);
                    true
                }
                _ => false,
            };
            if removed {
                e.record(PatchOp::WidgetData(WidgetDataOp::Remove {
                    path: path.to_vec(),
                    key,
                }));
            }
            removed
        })
    }

    /// Empties the map or list at `path`.
    ///
    /// # Panics
    ///
    /// If `path` does not lead to a map or a list.
    pub fn clear(&self, path: &[Key]) {
        self.0.edit(|e| {
            match Self::container(e, path) {
                Value::Map(entries) => entries.clear(),
                Value::List(items) => items.clear(),
                _ => panic!("widget data: no map or list at {path:?}"),
            }
            e.record(PatchOp::WidgetData(WidgetDataOp::Clear {
                path: path.to_vec(),
            }));
        });
    }

    /// Replaces the value at `path`: the whole data for an empty path (a RESET), else the entry
    /// `path[last]` of the container at the rest of the path (a SET). A map entry may be new; a
    /// list item must exist. Returns `false` and changes nothing if the node has no widget or
    /// the path leads nowhere, so it is safe on paths a browser sent. Setting the value an
    /// entry has already records nothing.
    pub fn replace(&self, path: &[Key], value: impl Into<Value>) -> bool {
        let value = value.into();
        self.0.edit(|e| {
            let Some(widget) = e.element().widget.as_deref_mut() else {
                return false;
            };
            let Some((key, parent)) = path.split_last() else {
                if widget.data != value {
                    widget.data = value.clone();
                    e.record(PatchOp::WidgetData(WidgetDataOp::Reset(value)));
                }
                return true;
            };
            let Some(container) = widget.data.get_path_mut(parent) else {
                return false;
            };
            let changed = match (container, key) {
                (Value::Map(entries), Key::Name(name)) => {
                    match entries.iter_mut().find(|(k, _)| k == name) {
                        Some((_, slot)) => std::mem::replace(slot, value.clone()) != value,
                        None => {
                            entries.push((name.clone(), value.clone()));
                            true
                        }
                    }
                }
                (Value::List(items), Key::Index(index)) if *index < items.len() => {
                    std::mem::replace(&mut items[*index], value.clone()) != value
                }
                _ => return false,
            };
            if !changed {
                return true;
            }
            e.record(PatchOp::WidgetData(WidgetDataOp::Set {
                path: parent.to_vec(),
                key: key.clone(),
                value,
            }));
            true
        })
    }

    /// Applies a change a JavaScript widget sent as the data of a [`WIDGET_DATA_EVENT`]:
    /// `{"path": [keys...], "value": any}`, where keys are strings (map keys) or non-negative
    /// integers (list indexes), as [`WidgetData::replace`]. Returns `false` and changes nothing
    /// for anything else: the data comes from a browser and is not trusted.
    pub fn apply_client_change(&self, change: &Value) -> bool {
        let (Some(Value::List(raw_path)), Some(value)) = (
            change.get(&Key::from("path")),
            change.get(&Key::from("value")),
        ) else {
            return false;
        };
        let path: Option<Vec<Key>> = raw_path
            .iter()
            .map(|key| match key {
                Value::String(name) => Some(Key::Name(name.clone())),
                Value::Int(index) => usize::try_from(*index).ok().map(Key::Index),
                _ => None,
            })
            .collect();
        path.is_some_and(|path| self.replace(&path, value.clone()))
    }

    fn find<'e>(e: &'e mut Edit<'_>, path: &[Key]) -> Option<&'e mut Value> {
        Self::data_mut(e).get_path_mut(path)
    }

    fn container<'e>(e: &'e mut Edit<'_>, path: &[Key]) -> &'e mut Value {
        let node = e.node.id();
        Self::data_mut(e)
            .get_path_mut(path)
            .unwrap_or_else(|| panic!("widget data of node {node}: no value at {path:?}"))
    }
}
