//! `Document`: the root of a view's tree, its one lock, and the patches recorded since the last
//! flush.
//!
//! Locking model. Each document has one re-entrant lock. Every change to a node of a document
//! takes it, records its patch and releases it, so single edits are atomic. A caller that needs
//! several edits to be atomic (read-modify-write from two threads) holds [`TreeLock`] from
//! [`Document::lock`] or [`crate::Node::lock`] around them. The lock is re-entrant so that the
//! node methods called inside such a block can take it again; it is a
//! `parking_lot::ReentrantMutex`, and its guard is not `Send`.
//!
//! Below the document lock every node has a short lock of its own that guards its fields. Node
//! locks are only ever nested top-down (parent before child), and no lock is held while user
//! code runs.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use parking_lot::ReentrantMutex;
use parking_lot::lock_api::ArcReentrantMutexGuard;
use parking_lot::{RawMutex, RawThreadId};

use crate::node::{Data, attach_subtree, detach_subtree};
use crate::{Issuer, Node, NodeId, Patch};

pub(crate) type DocCell = ReentrantMutex<RefCell<DocState>>;

/// What a document owns, under its lock.
pub(crate) struct DocState {
    pub(crate) root: Option<Node>,
    pub(crate) patches: Vec<Patch>,
    /// Every node of the tree by id, for resolving the ids that browsers send back.
    pub(crate) index: HashMap<NodeId, Node>,
    /// The issuer of the edits being made now, inside [`Document::with_issuer`].
    pub(crate) issuer: Option<Issuer>,
    /// The ids of the nodes that left the tree since they were last taken, once
    /// [`Document::record_departures`] asked for them.
    pub(crate) departed: Option<Vec<NodeId>>,
}

impl DocState {
    /// Lets the root's tree leave the document and drops what was pending for it.
    fn detach_root(&mut self) {
        if let Some(old) = self.root.take() {
            let mut data = old.0.data.lock();
            detach_subtree(&old, &mut data, self);
        }
        self.patches.clear();
        self.index.clear();
    }
}

/// A view's tree: a root node, the patches recorded since they were last taken, and the lock.
///
/// Cheap to clone; clones share the same document. Nodes point to their document weakly, so
/// a tree never keeps its document alive and no reference cycle forms.
#[derive(Clone)]
pub struct Document(pub(crate) Arc<DocCell>);

/// A held document lock; see the module docs. Empty for a node that is in no document.
///
/// The lock is held as long as the guard lives, so bind it to a named variable for the block
/// that must be atomic: `let _lock = node.lock();`. A bare `node.lock();` releases it at once,
/// and the compiler says so:
///
/// ```compile_fail
/// #![deny(unused_must_use)]
/// let node = lona_html::tags::span();
/// node.lock(); // error: unused `TreeLock` that must be used
/// ```
///
/// Beware `let _ = node.lock();`: the `_` pattern binds nothing, so that guard is dropped at
/// once too, and only rustc's `let_underscore_drop` lint (off by default) says so:
///
/// ```compile_fail
/// #![deny(let_underscore_drop)]
/// let node = lona_html::tags::span();
/// let _ = node.lock(); // error: non-binding let on a type that has a destructor
/// ```
///
/// `_lock` (any name) keeps the guard to the end of the block; [`crate::Node::locked`] is the
/// closure form that cannot be dropped too early, and a view's typed state needs neither
/// ([`crate::Live`] locks for its updates):
///
/// ```
/// #![deny(unused_must_use, let_underscore_drop)]
/// use lona_html::tags::{li, span, ul};
///
/// let (list, total) = (ul(), span());
/// let _lock = list.lock(); // the row and its count change together
/// list.append(li().with("milk"));
/// total.set_content(list.children().len());
/// # assert_eq!(total.text_content(), "1");
/// ```
#[must_use = "the lock is released at once unless the guard is kept: `let _lock = node.lock();`"]
pub struct TreeLock {
    guard: Option<ArcReentrantMutexGuard<RawMutex, RawThreadId, RefCell<DocState>>>,
}

impl TreeLock {
    pub(crate) fn none() -> TreeLock {
        TreeLock { guard: None }
    }

    pub(crate) fn of(doc: &Arc<DocCell>) -> TreeLock {
        TreeLock {
            guard: Some(doc.lock_arc()),
        }
    }

    /// Whether this guard holds a document lock (false for a detached tree).
    pub fn is_held(&self) -> bool {
        self.guard.is_some()
    }
}

impl fmt::Debug for TreeLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TreeLock")
            .field("held", &self.is_held())
            .finish()
    }
}

impl Default for Document {
    fn default() -> Document {
        Document::new()
    }
}

impl Document {
    /// An empty document without a root.
    pub fn new() -> Document {
        Document(Arc::new(ReentrantMutex::new(RefCell::new(DocState {
            root: None,
            patches: Vec::new(),
            index: HashMap::new(),
            issuer: None,
            departed: None,
        }))))
    }

    /// Takes the document lock, for several edits that must be atomic together.
    pub fn lock(&self) -> TreeLock {
        TreeLock::of(&self.0)
    }

    /// The root node, if one is set.
    pub fn root(&self) -> Option<Node> {
        self.0.lock().borrow().root.clone()
    }

    /// Makes `root` the root of this document and drops all pending patches: the caller sends
    /// the whole tree next. The previous root leaves the document and records nothing anymore.
    ///
    /// If `root` was the root of another document, it leaves that one.
    ///
    /// # Panics
    ///
    /// If `root` has a parent: only a tree's root can be a document's root.
    pub fn set_root(&self, root: &Node) {
        // Leave the other document first, under its own lock only.
        if let Some(other) = root.document()
            && !Arc::ptr_eq(&other.0, &self.0)
        {
            other.clear_root();
        }
        let guard = self.0.lock();
        let mut state = guard.borrow_mut();
        state.detach_root();
        let weak = Arc::downgrade(&self.0);
        let mut data = root.0.data.lock();
        assert!(
            data.parent.upgrade().is_none(),
            "node {} has a parent: only a root node can be a document's root",
            root.id(),
        );
        attach_subtree(root, &mut data, &weak, &mut state.index);
        drop(data);
        state.root = Some(root.clone());
    }

    /// Removes the root: the tree leaves the document and pending patches are dropped.
    pub fn clear_root(&self) {
        self.0.lock().borrow_mut().detach_root();
    }

    /// Takes the patches recorded since the last call, in the order they happened.
    ///
    /// O(number of changes), never O(tree size).
    pub fn take_patches(&self) -> Vec<Patch> {
        std::mem::take(&mut self.0.lock().borrow_mut().patches)
    }

    /// Runs `f` with the document lock held and marks every patch it records in this document
    /// with `issuer` (Lona's issuer filtering): the view sends those patches to every window but
    /// the issuer's.
    ///
    /// Use it only for changes the issuing window shows already, such as a value the user just
    /// typed (echoing it back would move the cursor) or widget data its JavaScript just set. A
    /// change the window does not have yet, above all a change of children, must not be issued:
    /// that window would never see it. Edits of nodes in other documents are not marked.
    /// Scopes nest; the innermost issuer wins, and the previous one is back afterwards, also
    /// when `f` panics.
    pub fn with_issuer<R>(&self, issuer: Issuer, f: impl FnOnce() -> R) -> R {
        struct Restore<'a> {
            doc: &'a Document,
            previous: Option<Issuer>,
        }
        impl Drop for Restore<'_> {
            fn drop(&mut self) {
                self.doc.0.lock().borrow_mut().issuer = self.previous;
            }
        }
        // The lock is held for the whole scope, so no other thread records into this document
        // meanwhile: only `f`'s edits carry the issuer.
        let _lock = self.lock();
        let previous = self.0.lock().borrow_mut().issuer.replace(issuer);
        let _restore = Restore {
            doc: self,
            previous,
        };
        f()
    }

    /// From now on, remembers the id of every node that leaves this document's tree (removed,
    /// replaced, or with the old root), for [`Document::take_departed`].
    ///
    /// Off by default so that a document nobody asks keeps no list. The view runtime turns it
    /// on to drop the event handlers of nodes that left.
    pub fn record_departures(&self) {
        let guard = self.0.lock();
        let mut state = guard.borrow_mut();
        state.departed.get_or_insert_with(Vec::new);
    }

    /// The ids of the nodes that left the tree since the last call, in the order they left
    /// (empty unless [`Document::record_departures`] was called). A node that left and came
    /// back (a move) is listed too; [`Document::node`] tells whether it is in the tree now.
    ///
    /// ```
    /// use lona_html::{Document, tags::{div, li, ul}};
    ///
    /// let (milk, bread) = (li().with("milk"), li().with("bread"));
    /// let list = ul().with((&milk, &bread));
    /// let doc = Document::new();
    /// doc.record_departures();
    /// doc.set_root(&div().with(&list));
    /// list.remove_child(&milk);
    /// list.remove_child(&bread);
    /// list.append(&bread); // a move: out and back in
    /// let departed = doc.take_departed(); // with the rows' text nodes
    /// assert!(departed.contains(&milk.id()) && departed.contains(&bread.id()));
    /// assert!(doc.node(milk.id()).is_none() && doc.node(bread.id()).is_some());
    /// assert!(doc.take_departed().is_empty());
    /// ```
    pub fn take_departed(&self) -> Vec<NodeId> {
        let guard = self.0.lock();
        let mut state = guard.borrow_mut();
        state
            .departed
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// Whether changes are waiting to be taken.
    pub fn has_patches(&self) -> bool {
        !self.0.lock().borrow().patches.is_empty()
    }

    /// The node of this document with the given id, if there is one.
    ///
    /// This is how ids that a browser sends back become nodes; an id that is not in this
    /// document's tree, whatever else it names, gives `None`.
    pub fn node(&self, id: NodeId) -> Option<Node> {
        self.0.lock().borrow().index.get(&id).cloned()
    }

    /// The number of nodes in the tree.
    pub fn node_count(&self) -> usize {
        self.0.lock().borrow().index.len()
    }

    /// The number of nodes in the tree if its lock is free now (or held by this thread);
    /// `None` if another thread holds it. For a look from outside (the admin shell, metrics)
    /// that must not wait behind a view that keeps its tree locked.
    pub fn try_node_count(&self) -> Option<usize> {
        let guard = self.0.try_lock()?;
        let state = guard.try_borrow().ok()?;
        Some(state.index.len())
    }

    /// Replaces the root with `new_root`, sending the browser only the difference.
    ///
    /// If the old and new roots are compatible (same kind, tag, namespace and widget), the
    /// patches of [`crate::diff`] are appended to the pending patches, nodes of `new_root`
    /// take over the ids of the nodes they match, and `true` is returned. Otherwise the root
    /// is replaced as by [`Document::set_root`] and `false` says that the caller must send
    /// the whole tree.
    ///
    /// # Panics
    ///
    /// If `new_root` has a parent.
    pub fn morph_root(&self, new_root: &Node) -> bool {
        let _lock = self.lock();
        let Some(old_root) = self.root() else {
            self.set_root(new_root);
            return false;
        };
        if old_root.ptr_eq(new_root) {
            return true;
        }
        match crate::diff(&old_root, new_root) {
            Some(patches) => {
                // Keep what was pending: it describes changes to the old tree that the
                // browser has not seen yet, and the diff starts from the old tree as it is now.
                let pending = self.take_patches();
                self.set_root(new_root);
                let guard = self.0.lock();
                let mut state = guard.borrow_mut();
                state.patches = pending;
                state.patches.extend(patches);
                true
            }
            None => {
                self.set_root(new_root);
                false
            }
        }
    }

    pub(crate) fn from_cell(cell: Arc<DocCell>) -> Document {
        Document(cell)
    }

    /// Whether two handles name the same document.
    pub fn ptr_eq(&self, other: &Document) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl fmt::Debug for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Only what is cheap and cannot deadlock: a try-lock, not a lock.
        let mut out = f.debug_struct("Document");
        if let Some(guard) = self.0.try_lock()
            && let Ok(state) = guard.try_borrow()
        {
            out.field("root", &state.root.as_ref().map(Node::id));
            out.field("nodes", &state.index.len());
            out.field("pending_patches", &state.patches.len());
        }
        out.finish_non_exhaustive()
    }
}

// Used by `Data` to check which document a node belongs to without upgrading.
pub(crate) fn same_doc(data: &Data, doc: &Arc<DocCell>) -> bool {
    std::ptr::eq(data.doc.as_ptr(), Arc::as_ptr(doc))
}
