//! `Live<T>`: a typed value that a node shows, the way to keep a view's state. Handlers change
//! the value and the node follows; the read-modify-write is atomic without a lock by hand.

use std::fmt;
use std::sync::Arc;

use parking_lot::Mutex;

use crate::{IntoChildren, Node};

/// A value of the app's own type and the node that shows it.
///
/// The state of a view lives here, typed, instead of in the text of the DOM; every change
/// through [`Live::update`] or [`Live::set`] renders the node again, under the tree's lock, so
/// that two handlers running at once on the worker pool never lose an update and their
/// patches reach the browser in the order the values changed. `Live` is cheap to clone (clones
/// share the value), `Send` and `Sync`, so a handler closure takes it by `move`:
///
/// ```
/// use lona_html::Live;
/// use lona_html::tags::{button, div, h1};
///
/// let count = Live::new(0);
/// let plus = button().with("+1");
/// let root = div().with((h1().with("Counter"), &count, " ", &plus));
/// // In a view: `cx.on_click(&plus, move |_, _| count.update(|n| *n += 1));`
/// count.update(|n| *n += 1);
/// assert_eq!(count.get(), 1);
/// assert_eq!(root.to_html(), "<div><h1>Counter</h1><span>1</span> \
///     <button data-lona-events=\"301\">+1</button></div>");
/// ```
///
/// A value that is not one line of text says how it renders, as the children of its node:
///
/// ```
/// use lona_html::Live;
/// use lona_html::tags::{li, ul};
///
/// let todos = Live::new_with(ul(), vec!["milk"], |todos| {
///     todos.iter().map(|t| li().with(*t)).collect::<Vec<_>>()
/// });
/// todos.update(|todos| todos.push("bread"));
/// assert_eq!(todos.node().to_html(), "<ul><li>milk</li><li>bread</li></ul>");
/// ```
///
/// Rendering replaces the node's children, which suits a number, a line or a short list. A
/// long list whose rows have handlers of their own keeps its rows as nodes instead (see the
/// todo example), so that a change touches one row.
///
/// Locking: `update` holds the lock of the node's document while `f` runs and the node
/// renders, so `f` may edit other nodes of the same tree atomically with the value. `f` must
/// not wait for another thread that edits this tree. Updates of a `Live` whose node is in no
/// document yet are serialised by the value's own lock only.
pub struct Live<T> {
    inner: Arc<Inner<T>>,
}

struct Inner<T> {
    node: Node,
    value: Mutex<T>,
    render: Box<Render<T>>,
}

type Render<T> = dyn Fn(&T, &Node) + Send + Sync;

impl<T: fmt::Display + Send + 'static> Live<T> {
    /// `value`, shown as text in a new `<span>`.
    pub fn new(value: T) -> Live<T> {
        Live::new_in(crate::tags::span(), value)
    }

    /// `value`, shown as the text of `node` (whose children it replaces), for a node with
    /// its own tag, id or classes: `Live::new_in(span().with_id("count"), 0)`.
    pub fn new_in(node: impl Into<Node>, value: T) -> Live<T> {
        Live::build(node.into(), value, |value: &T, node: &Node| {
            let text = value.to_string();
            // An unchanged value sends nothing.
            if node.child_count() != 1 || node.text_content() != text {
                node.set_text(text);
            }
        })
    }
}

impl<T: Send + 'static> Live<T> {
    /// `value`, shown by `node` with the children that `render` makes of it; `render` runs
    /// now and after every change. What it returns owns its parts (collect an iterator over
    /// the value into a `Vec`).
    pub fn new_with<C: IntoChildren>(
        node: impl Into<Node>,
        value: T,
        render: impl Fn(&T) -> C + Send + Sync + 'static,
    ) -> Live<T> {
        Live::build(node.into(), value, move |value: &T, node: &Node| {
            node.set_content(render(value));
        })
    }

    fn build(node: Node, value: T, render: impl Fn(&T, &Node) + Send + Sync + 'static) -> Live<T> {
        render(&value, &node);
        Live {
            inner: Arc::new(Inner {
                node,
                value: Mutex::new(value),
                render: Box::new(render),
            }),
        }
    }

    /// Changes the value with `f` and renders the node again, atomically: no other update of
    /// this value or edit of this tree happens in between. Returns what `f` returns.
    pub fn update<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        // The tree's lock first, then the value's: every update takes them in this order.
        let _tree = self.inner.node.lock();
        let mut value = self.inner.value.lock();
        let out = f(&mut value);
        (self.inner.render)(&value, &self.inner.node);
        out
    }

    /// Replaces the value and renders the node again.
    pub fn set(&self, value: T) {
        self.update(|current| *current = value);
    }

    /// Runs `f` on the value as it is now, without rendering.
    pub fn read<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        f(&self.inner.value.lock())
    }

    /// A copy of the value.
    pub fn get(&self) -> T
    where
        T: Clone,
    {
        self.read(T::clone)
    }

    /// The node that shows the value, to put into a tree (`&live` is a child too).
    pub fn node(&self) -> &Node {
        &self.inner.node
    }
}

impl<T> Clone for Live<T> {
    fn clone(&self) -> Live<T> {
        Live {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Live<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("Live");
        out.field("node", &self.inner.node.id());
        // A try-lock: formatting inside `update` must not deadlock.
        match self.inner.value.try_lock() {
            Some(value) => out.field("value", &*value),
            None => out.field("value", &"<locked>"),
        };
        out.finish()
    }
}

impl<T> From<&Live<T>> for Node {
    fn from(live: &Live<T>) -> Node {
        live.inner.node.clone()
    }
}

impl<T> From<Live<T>> for Node {
    fn from(live: Live<T>) -> Node {
        live.inner.node.clone()
    }
}

#[cfg(test)]
mod tests {
    use std::thread;

    use super::Live;
    use crate::Document;
    use crate::tags::{div, li, span, ul};

    #[test]
    fn updates_from_many_threads_are_never_lost() {
        let count = Live::new_in(span().with_id("count"), 0u64);
        let doc = Document::new();
        doc.set_root(&div().with(&count));
        thread::scope(|scope| {
            for _ in 0..8 {
                scope.spawn(|| {
                    for _ in 0..500 {
                        count.update(|n| *n += 1);
                    }
                });
            }
        });
        assert_eq!(count.get(), 4000);
        assert_eq!(count.node().text_content(), "4000");
    }

    #[test]
    fn patches_follow_the_order_of_the_values() {
        let count = Live::new(0u32);
        let doc = Document::new();
        let root = div().with(&count);
        doc.set_root(&root);
        let mut mirror = crate::Mirror::from_snapshot(&root.snapshot()).unwrap();
        for n in 1..=3 {
            count.set(n);
        }
        count.set(3); // unchanged: no patch
        let patches = doc.take_patches();
        assert_eq!(patches.len(), 3);
        for patch in &patches {
            mirror.apply(patch).unwrap();
        }
        assert_eq!(
            mirror.root().unwrap().to_html(),
            "<div><span>3</span></div>"
        );
    }

    #[test]
    fn a_rendered_value_replaces_the_children_of_its_node() {
        let items = Live::new_with(ul(), vec![1, 2], |items| {
            items.iter().map(|i| li().with(*i)).collect::<Vec<_>>()
        });
        let doc = Document::new();
        doc.set_root(&div().with(&items));
        let removed = items.update(|items| items.remove(0));
        assert_eq!(removed, 1);
        assert_eq!(items.node().to_html(), "<ul><li>2</li></ul>");
        assert_eq!(items.read(Vec::len), 1);
    }

    #[test]
    fn update_may_edit_other_nodes_of_the_tree() {
        let label = span();
        let count = Live::new(0);
        let doc = Document::new();
        doc.set_root(&div().with((&label, &count)));
        count.update(|n| {
            *n = 2;
            label.set_text("two");
        });
        assert_eq!(
            doc.root().unwrap().to_html(),
            "<div><span>two</span><span>2</span></div>"
        );
    }
}
