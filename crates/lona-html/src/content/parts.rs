//! The compact parts of an element: exactly sized lists, the namespace as one byte, and the
//! box of the parts most elements never use.
//!
//! A view's tree is mostly plain elements and texts, and every node of it stays in memory as
//! long as the view lives (issue 18: memory per idle view, and a keyed diff that walks trees
//! larger than the cache). So an element keeps inline only what most elements have (tag, ids,
//! classes, children, namespace) and pays one pointer for style, attributes, events, a widget
//! and an uncommon namespace, which live in [`Rare`] once one of them is set.

use std::fmt;
use std::ops::{Deref, DerefMut};

use crate::content::Widget;
use crate::{AttrValue, Event, Namespace};

/// A list kept as an exactly sized boxed slice: two words inline, no allocation while empty,
/// and no spare capacity (a `Vec` keeps room for four entries after its first push).
///
/// Every change goes through a `Vec` and back; the callers scan the list before they change
/// it (an ordered set, a map by name), so the copy a change may cost does not change the
/// order of their work, and the lists are short.
#[derive(Clone, PartialEq)]
pub(crate) struct Slim<T>(Box<[T]>);

impl<T> Default for Slim<T> {
    fn default() -> Slim<T> {
        Slim(Box::default())
    }
}

impl<T> Slim<T> {
    /// Runs `f` on the list as a `Vec`, then stores it back without spare capacity.
    pub(crate) fn edit<R>(&mut self, f: impl FnOnce(&mut Vec<T>) -> R) -> R {
        let mut list = std::mem::take(&mut self.0).into_vec();
        let result = f(&mut list);
        self.0 = list.into_boxed_slice();
        result
    }

    /// Appends `value`, growing the allocation by exactly one entry.
    pub(crate) fn push(&mut self, value: T) {
        self.edit(|list| {
            list.reserve_exact(1);
            list.push(value);
        });
    }

    /// Removes and returns the entry at `index` (which must exist).
    pub(crate) fn remove(&mut self, index: usize) -> T {
        self.edit(|list| list.remove(index))
    }

    /// Keeps the entries for which `f` says `true`.
    pub(crate) fn retain(&mut self, f: impl FnMut(&T) -> bool) {
        self.edit(|list| list.retain(f));
    }

    /// Removes every entry and frees the allocation.
    pub(crate) fn clear(&mut self) {
        self.0 = Box::default();
    }
}

impl<T> Deref for Slim<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<T> DerefMut for Slim<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        &mut self.0
    }
}

impl<T> From<Vec<T>> for Slim<T> {
    fn from(list: Vec<T>) -> Slim<T> {
        Slim(list.into_boxed_slice())
    }
}

impl<T: PartialEq> PartialEq<Vec<T>> for Slim<T> {
    fn eq(&self, other: &Vec<T>) -> bool {
        *self.0 == **other
    }
}

impl<T: fmt::Debug> fmt::Debug for Slim<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The parts of an element that most elements leave empty, boxed together so that a plain
/// element pays one pointer for all of them. Allocated by the first of them set, kept after.
#[derive(Debug, Clone, Default)]
pub(crate) struct Rare {
    /// Set exactly when the element's [`NsSlot`] is [`NsSlot::Other`].
    pub(crate) namespace: Option<Namespace>,
    pub(crate) style: Slim<(String, String)>,
    pub(crate) attributes: Slim<(String, AttrValue)>,
    pub(crate) events: Slim<Event>,
    pub(crate) widget: Option<Box<Widget>>,
}

/// An element's own namespace in one byte: none (inherited), one of the three a page uses, or
/// another one, kept in [`Rare::namespace`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NsSlot {
    Inherit,
    Html,
    Svg,
    MathMl,
    Other,
}

// Statics, so that an element can lend its namespace out as a reference like any other part.
static HTML: Namespace = Namespace::HTML;
static SVG: Namespace = Namespace::SVG;
static MATHML: Namespace = Namespace::MATHML;

impl NsSlot {
    /// The slot of `namespace`; [`NsSlot::Other`] means it must be kept in [`Rare`].
    pub(crate) fn of(namespace: Option<&Namespace>) -> NsSlot {
        match namespace {
            None => NsSlot::Inherit,
            Some(ns) if ns.is_html() => NsSlot::Html,
            Some(ns) if *ns == SVG => NsSlot::Svg,
            Some(ns) if *ns == MATHML => NsSlot::MathMl,
            Some(_) => NsSlot::Other,
        }
    }

    /// The namespace of a slot other than [`NsSlot::Other`] (for which it gives `None`, as
    /// for [`NsSlot::Inherit`]).
    pub(crate) fn common(self) -> Option<&'static Namespace> {
        match self {
            NsSlot::Html => Some(&HTML),
            NsSlot::Svg => Some(&SVG),
            NsSlot::MathMl => Some(&MATHML),
            NsSlot::Inherit | NsSlot::Other => None,
        }
    }
}
