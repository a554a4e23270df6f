//! Tests of the node tree: editing and patch recording, escaping (XSS), selectors, parsing,
//! threads, and a property test that replaying recorded patches gives the current tree.

use crate::{Document, Node};

mod concise;
mod editing;
mod escaping;
mod parsing;
mod replay;
mod selectors;
mod size;
mod threads;
mod widget_data;

/// A document whose root is `root`; shared by the tests of the whole crate.
pub(crate) fn doc_with(root: impl Into<Node>) -> Document {
    let doc = Document::new();
    doc.set_root(&root.into());
    doc
}
