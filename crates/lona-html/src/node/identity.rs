//! Construction and identity of a node: the constructors, its id, kind, tag, namespace,
//! parent, document, tree lock, snapshot and diff key.

use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};

use parking_lot::Mutex;

use crate::content::{Content, Element, RAW_HTML_KEY, RAW_HTML_WIDGET, Widget};
use crate::document::{Document, TreeLock, same_doc};
use crate::{Namespace, NodeId, Snapshot, Value};

use super::{Data, Inner, LIVE_NODES, Node, WeakNode, snapshot_in};

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
            e.element().rare_mut().widget = Some(Box::new(Widget {
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
            if let Content::Element(element) = &data.content
                && let Some(ns) = element.own_namespace()
            {
                return ns.clone();
            }
            current = data.parent.upgrade().map(Node);
        }
        Namespace::HTML
    }

    /// The namespace children inherit, when a patch will need it; finding it walks up the
    /// tree, which building a detached tree should not pay for.
    pub(super) fn namespace_if(&self, recording: bool) -> Namespace {
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

    /// Runs `f` with the lock of this node's document held: the closure form of
    /// [`Node::lock`], for several reads and edits that must be atomic together and that a
    /// [`crate::Live`] value does not cover. Unlike a guard, it cannot be dropped too early.
    ///
    /// ```
    /// use lona_html::tags::{li, span, ul};
    ///
    /// let list = ul();
    /// let total = span().with(0);
    /// // Add a row and its count together: no other handler sees one without the other.
    /// list.locked(|| {
    ///     list.append(li().with("milk"));
    ///     total.set_content(list.children().len());
    /// });
    /// assert_eq!(total.text_content(), "1");
    /// ```
    pub fn locked<R>(&self, f: impl FnOnce() -> R) -> R {
        let _lock = self.lock();
        f()
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
}
