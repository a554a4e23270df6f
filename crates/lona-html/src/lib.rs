//! The HTML node tree of lona: nodes, rendering, change tracking as patches, keyed diff,
//! selectors and parsing. Pure data: no I/O, no threads of its own, no serde.
//!
//! A view owns a [`Document`] whose root is a tree of [`Node`]s. Every change to a node of a
//! document records a [`Patch`] in the exact patch vocabulary of Lona's wire protocol; the view
//! takes them with [`Document::take_patches`] (O(changes)) and `lona-protocol` encodes them.
//! A view that rebuilds its tree instead calls [`Document::morph_root`], which uses [`diff`].
//!
//! ```
//! use lona_html::{Document, Event, tags::*};
//!
//! let message = p().with("Click the button");
//! let button = button().with("Click me");
//! let root = div().with((h1().with("Hello"), &message, &button));
//!
//! let doc = Document::new();
//! doc.set_root(&root);
//! message.set_text("Button <clicked>");
//!
//! assert_eq!(doc.take_patches().len(), 1);
//! assert_eq!(
//!     root.to_html(),
//!     "<div><h1>Hello</h1><p>Button &lt;clicked&gt;</p>\
//!      <button data-lona-events=\"301\">Click me</button></div>",
//! );
//! assert!(button.events().contains(&Event::Click));
//! ```
//!
//! [`Node::with`] takes children as one value: a node, text, or a tuple, array, iterator or
//! `Option` of them ([`IntoChildren`]).
//! Text is always escaped; markup from a string enters a tree only through [`parse_html`]
//! (a real HTML5 parser) or [`Node::raw_html`], both named for what they do.
//! The locking model is described on [`document`](crate::Document) and in ARCHITECTURE.md.

mod content;
mod diff;
mod document;
pub mod forms;
mod into_children;
mod live;
mod mirror;
mod node;
mod parse;
mod patch;
mod render;
mod selector;
pub mod tags;
mod types;
mod value;

pub use content::{
    Content, EVENTS_ATTRIBUTE, Element, IGNORE_ATTRIBUTE, RAW_HTML_KEY, RAW_HTML_WIDGET, Snapshot,
    TreeNode, WIDGET_DATA_EVENT, Widget, parse_events_attribute,
};
pub use diff::diff;
pub use document::{Document, TreeLock};
pub use into_children::{Each, IntoChildren, each};
pub use live::Live;
pub use mirror::{ApplyError, Mirror, PatchPart};
pub use node::{
    Attributes, ClassList, Events, IdList, Node, Style, WeakNode, WidgetData,
    is_valid_attribute_name, live_nodes,
};
pub use parse::{MAX_PARSE_DEPTH, parse_html};
pub use patch::{Issuer, ListOp, MapOp, NodesOp, Patch, PatchOp, WidgetDataOp};
pub use render::{RenderOptions, escape_attribute_into, escape_text_into};
pub use selector::{Selector, SelectorError};
pub use types::{AttrValue, Event, Namespace, NodeId, ParseNodeIdError};
pub use value::{Key, Value};

#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;
