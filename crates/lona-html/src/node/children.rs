//! The children of a node: inserting, moving, replacing and removing them (with the loop
//! check), reading them, and the text shortcuts built on them.

use crate::content::Content;
use crate::patch::{NodesOp, PatchOp};
use crate::{IntoChildren, TreeNode};

use super::Node;

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

    /// Appends children given in one value: a node, text, a number, or a tuple, array, `Vec`,
    /// iterator or `Option` of them (see [`IntoChildren`]). Each child is appended as by
    /// [`Node::append`], under one tree lock.
    ///
    /// ```
    /// use lona_html::tags::{li, ul};
    ///
    /// let list = ul();
    /// list.append_all((li().with("one"), ["two", "three"].map(|t| li().with(t))));
    /// assert_eq!(list.child_count(), 3);
    /// ```
    ///
    /// # Panics
    ///
    /// If this is a text node, or if a child is this node or one of its ancestors.
    pub fn append_all(&self, children: impl IntoChildren) {
        let _lock = self.lock();
        children.for_each_child(&mut |child| self.append(child));
    }

    /// Replaces all children with `children` (see [`IntoChildren`]), as one RESET patch like
    /// [`Node::set_children`]: `count.set_content(n)` shows a number.
    ///
    /// ```
    /// use lona_html::tags::{b, span};
    ///
    /// let count = span().with("0");
    /// count.set_content(("n = ", b().with(42)));
    /// assert_eq!(count.to_html(), "<span>n = <b>42</b></span>");
    /// ```
    ///
    /// # Panics
    ///
    /// If this is a text node, or if a child is this node or one of its ancestors.
    pub fn set_content(&self, children: impl IntoChildren) {
        let mut nodes = Vec::new();
        children.for_each_child(&mut |child| nodes.push(child));
        self.set_children(nodes);
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
