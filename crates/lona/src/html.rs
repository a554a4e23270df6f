//! The node tree a view shows: elements and text, their attributes, classes, styles and
//! events, the tag builders, form controls, HTML parsing and CSS selectors.
//!
//! A [`Node`] is a cheap handle: clones share the node, and every change to a node that is in
//! a view's tree reaches the browser. Build trees with [`tags`] and [`Node::with`], which
//! takes children as a tuple, array, iterator, `Option`, node or text ([`IntoChildren`]):
//! `div().with((h1().with("Counter"), &count, " ", &plus))`; or parse them with
//! [`parse_html`].

pub use lona_html::tags;
pub use lona_html::{
    AttrValue, Attributes, ClassList, Document, Each, Event, Events, IdList, IntoChildren, Key,
    Live, MAX_PARSE_DEPTH, Namespace, Node, NodeId, ParseNodeIdError, RenderOptions, Selector,
    SelectorError, Style, TreeLock, Value, WIDGET_DATA_EVENT, WeakNode, WidgetData, each,
    parse_html,
};

/// Form controls whose values go both ways: typed handles around `input`, `textarea` and
/// `select` nodes, and the typed fields of a submitted form.
///
/// What a browser types is in the server tree before any handler runs; what the server sets
/// shows in every window but the one that typed it. See `docs/forms-and-widgets.md`.
pub mod forms {
    pub use lona_html::forms::{
        Checkbox, FieldValue, NumberInput, RadioButton, RadioGroup, Select, Submit, Submitted,
        SubmittedControl, SubmittedField, TextArea, TextInput,
    };
}
