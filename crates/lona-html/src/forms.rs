//! Form controls whose values go both ways: Lona's form nodes (`TextInput`, `TextArea`,
//! `NumberInput`, `CheckBox`, `RadioGroup`/`RadioButton`, `Select2`/`Option2`, `Submit`).
//!
//! Each control is a typed handle around a [`Node`]: it dereferences to the node (so every
//! node method works and `&control` goes wherever a node does), converts into a node for tree
//! building, and adds what the control means: `value()` and `set_value()`, typed.
//!
//! Where a value lives is where the browser client looks for it, so that the server tree and
//! the page agree:
//!
//! | Control | Element | Value | Default event |
//! |---|---|---|---|
//! | [`TextInput`] | `<input type="text">` | the `value` attribute | `Change { delay_ms: 300 }` |
//! | [`TextArea`] | `<textarea>` | the `value` attribute | `Change { delay_ms: 300 }` |
//! | [`NumberInput`] | `<input type="number">` | the `value` attribute, read as `f64` | `Change { delay_ms: 300 }` |
//! | [`Checkbox`] | `<input type="checkbox">` | the boolean `checked` attribute | `CHANGE` |
//! | [`RadioButton`] | `<input type="radio">` | the boolean `checked` attribute | `CHANGE` |
//! | [`RadioGroup`] | `<div role="radiogroup">` | the `value` of its checked radio | none |
//! | [`Select`] | `<select>` (`multiple` or not) | the `selected` attributes of its options | `CHANGE` |
//! | [`Submit`] | `<input type="submit">` | none: it submits its form | none |
//!
//! The client sets `value`, `checked` and `selected` as DOM properties, which is what a page
//! shows; the attributes only give the initial state.
//!
//! When a browser sends a change of a control, the runtime applies it to the server tree with
//! [`apply_client_value`] before anything else sees the event, marked with the window as the
//! issuer (see [`crate::Document::with_issuer`]): the window that typed the value does not get
//! it back (which would move its cursor), every other window showing the view does. This
//! works for every `input`, `textarea` and `select` of a view, also those built with
//! [`crate::tags`] or parsed from HTML; the typed handles only make reading and writing easy.
//!
//! This file holds what every control shares (the client values, the handle macros and the
//! attribute helpers); each family of controls has its own file.
//!
//! ```
//! use lona_html::forms::{Checkbox, RadioGroup, Select, TextInput};
//! use lona_html::tags::div;
//!
//! let name = TextInput::new().with_name("name").with_value("Ada");
//! let agree = Checkbox::new().with_name("agree");
//! let color = RadioGroup::new().with_name("color").with_radio("red", "Red").with_radio("blue", "Blue");
//! let sizes = Select::multiple().with_option("s", "Small").with_option("l", "Large");
//! let form = div().with_child(&name).with_child(&agree).with_child(&color).with_child(&sizes);
//!
//! assert_eq!(name.value(), "Ada");
//! assert!(!agree.value());
//! color.set_value(Some("blue"));
//! assert_eq!(color.value().as_deref(), Some("blue"));
//! sizes.set_values(["s", "l"]);
//! assert_eq!(sizes.values(), ["s", "l"]);
//! # let _ = form;
//! ```

use crate::{AttrValue, Node};

mod submitted;

pub use submitted::{FieldValue, Submitted, SubmittedControl, SubmittedField};

/// The debounce delay of the change events of text controls, as Lona's `input_delay`.
pub const TEXT_INPUT_DELAY_MS: u32 = 300;

/// The attribute that marks a [`RadioGroup`] and holds the name its radios share.
pub const RADIO_GROUP_ATTRIBUTE: &str = "data-lona-radio-group";

/// A value as a browser reports it in a change event (the runtime converts the protocol's
/// `ChangeValue` into it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientValue<'a> {
    /// The value of a text-like input or a textarea.
    Text(&'a str),
    /// Whether a checkbox or radio button is checked.
    Checked(bool),
    /// The indexes of the selected options of a select, in the order of its options.
    Selected(&'a [u32]),
}

/// What a node is as a form control, by tag and `type`, as the browser sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// An `input` with a text value: text, number, email, password, date, range...
    Text,
    TextArea,
    Checkbox,
    Radio,
    Select,
}

fn kind(node: &Node) -> Option<Kind> {
    let tag = node.tag()?;
    let kind = if tag.eq_ignore_ascii_case("input") {
        let input_type = node
            .attributes()
            .get("type")
            .map(|t| t.to_string().to_ascii_lowercase());
        match input_type.as_deref() {
            Some("checkbox") => Kind::Checkbox,
            Some("radio") => Kind::Radio,
            // No value a user types: a file's value is a fake path, the rest are buttons.
            Some("file" | "submit" | "button" | "reset" | "image" | "hidden") => return None,
            _ => Kind::Text,
        }
    } else if tag.eq_ignore_ascii_case("textarea") {
        Kind::TextArea
    } else if tag.eq_ignore_ascii_case("select") {
        Kind::Select
    } else {
        return None;
    };
    node.namespace().is_html().then_some(kind)
}

fn is_tag(node: &Node, tag: &str) -> bool {
    node.tag().is_some_and(|t| t.eq_ignore_ascii_case(tag))
}

/// Whether a boolean attribute is on: present and not `false`.
fn flag(node: &Node, name: &str) -> bool {
    node.attributes()
        .get(name)
        .is_some_and(|v| v != AttrValue::Bool(false))
}

/// Turns a boolean attribute on (`true`) or removes it, recording a patch only on a change.
fn set_flag(node: &Node, name: &str, on: bool) {
    if on {
        if node.attributes().get(name) != Some(AttrValue::Bool(true)) {
            node.attributes().set(name, true);
        }
    } else {
        node.attributes().remove(name);
    }
}

fn text_attribute(node: &Node, name: &str) -> Option<String> {
    node.attributes().get(name).map(|v| v.to_string())
}

/// Sets the `value` attribute; an absent value counts as empty, so "" on a fresh input
/// records nothing.
fn set_text_value(node: &Node, value: &str) {
    let _lock = node.lock();
    if text_attribute(node, "value").as_deref().unwrap_or("") != value {
        node.attributes().set("value", value);
    }
}

/// Every descendant of `node` (not `node`), depth first, in document order.
fn descendants(node: &Node) -> Vec<Node> {
    let mut found = Vec::new();
    let mut stack: Vec<Node> = node.children().into_iter().rev().collect();
    while let Some(current) = stack.pop() {
        stack.extend(current.children().into_iter().rev());
        found.push(current);
    }
    found
}

/// Applies a value a browser sent for `node` to the server tree, as the browser shows it now:
/// the text of a text input or textarea, the state of a checkbox, a radio button (checking one
/// unchecks the radios of its group) or the options of a select. Returns whether `node` is a
/// control that takes this kind of value. A value for the wrong kind of control changes
/// nothing, and option indexes out of range are skipped, since the value comes from a browser.
///
/// The runtime calls this inside [`crate::Document::with_issuer`] for every change event
/// before the event reaches any handler.
pub fn apply_client_value(node: &Node, value: ClientValue<'_>) -> bool {
    let _lock = node.lock();
    match (kind(node), value) {
        (Some(Kind::Text | Kind::TextArea), ClientValue::Text(text)) => {
            set_text_value(node, text);
            true
        }
        (Some(Kind::Checkbox), ClientValue::Checked(checked)) => {
            set_flag(node, "checked", checked);
            true
        }
        (Some(Kind::Radio), ClientValue::Checked(checked)) => {
            RadioButton(node.clone()).set_checked(checked);
            true
        }
        (Some(Kind::Select), ClientValue::Selected(indexes)) => {
            let select = Select(node.clone());
            let multiple = select.is_multiple();
            let wanted: Vec<usize> = indexes
                .iter()
                .filter_map(|&i| usize::try_from(i).ok())
                .take(if multiple { usize::MAX } else { 1 })
                .collect();
            select.select_indexes(&wanted);
            true
        }
        _ => false,
    }
}

macro_rules! handle {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        ///
        /// A handle: cheap to clone, equal when it names the same node. It dereferences to
        /// its [`Node`].
        #[derive(Clone, PartialEq, Eq, Hash)]
        pub struct $name(pub(super) Node);

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl std::ops::Deref for $name {
            type Target = Node;

            fn deref(&self) -> &Node {
                &self.0
            }
        }

        impl AsRef<Node> for $name {
            fn as_ref(&self) -> &Node {
                &self.0
            }
        }

        impl From<$name> for Node {
            fn from(control: $name) -> Node {
                control.0
            }
        }

        impl From<&$name> for Node {
            fn from(control: &$name) -> Node {
                control.0.clone()
            }
        }

        impl $name {
            /// The node.
            pub fn node(&self) -> &Node {
                &self.0
            }

            /// The node, giving up the typed handle.
            pub fn into_node(self) -> Node {
                self.0
            }

            /// Adds ids (see [`Node::with_id`]).
            #[must_use]
            pub fn with_id(self, ids: &str) -> Self {
                Self(self.0.with_id(ids))
            }

            /// Adds classes (see [`Node::with_class`]).
            #[must_use]
            pub fn with_class(self, classes: &str) -> Self {
                Self(self.0.with_class(classes))
            }

            /// Sets a style property.
            #[must_use]
            pub fn with_style(self, name: &str, value: &str) -> Self {
                Self(self.0.with_style(name, value))
            }

            /// Sets an attribute (see [`crate::Attributes::set`]).
            #[must_use]
            pub fn with_attr(self, name: &str, value: impl Into<AttrValue>) -> Self {
                Self(self.0.with_attr(name, value))
            }

            /// Adds an event the node listens to.
            #[must_use]
            pub fn with_event(self, event: Event) -> Self {
                Self(self.0.with_event(event))
            }

            /// Sets the key that [`crate::diff`] matches children by.
            #[must_use]
            pub fn with_key(self, key: impl Into<String>) -> Self {
                Self(self.0.with_key(key))
            }
        }
    };
}

macro_rules! control {
    ($name:ident) => {
        impl $name {
            /// Sets the `name` the control's value is submitted under in a form.
            #[must_use]
            pub fn with_name(self, name: &str) -> Self {
                self.0.attributes().set("name", name);
                self
            }

            /// The `name` attribute.
            pub fn name(&self) -> Option<String> {
                text_attribute(&self.0, "name")
            }

            /// Disables the control (or enables it again).
            #[must_use]
            pub fn with_disabled(self, disabled: bool) -> Self {
                self.set_disabled(disabled);
                self
            }

            /// Disables the control (or enables it again).
            pub fn set_disabled(&self, disabled: bool) {
                set_flag(&self.0, "disabled", disabled);
            }

            /// Whether the control is disabled.
            pub fn is_disabled(&self) -> bool {
                flag(&self.0, "disabled")
            }
        }
    };
}

macro_rules! text_control {
    ($name:ident) => {
        impl $name {
            /// Sets the text shown while the control is empty.
            #[must_use]
            pub fn with_placeholder(self, placeholder: &str) -> Self {
                self.0.attributes().set("placeholder", placeholder);
                self
            }

            /// Makes the control read-only (or writable again).
            #[must_use]
            pub fn with_readonly(self, readonly: bool) -> Self {
                self.set_readonly(readonly);
                self
            }

            /// Makes the control read-only (or writable again).
            pub fn set_readonly(&self, readonly: bool) {
                set_flag(&self.0, "readonly", readonly);
            }

            /// Whether the control is read-only.
            pub fn is_readonly(&self) -> bool {
                flag(&self.0, "readonly")
            }

            /// Sets the debounce of the change events: the browser sends the value once the
            /// user paused typing for `delay_ms` (0: when the control loses focus, the DOM's
            /// `change`).
            #[must_use]
            pub fn with_delay(self, delay_ms: u32) -> Self {
                self.0.events().add(Event::Change { delay_ms });
                self
            }
        }
    };
}

// After the macros, which the families' files use.
mod checkbox;
mod radio;
mod select;
mod submit;
mod text;

pub use checkbox::Checkbox;
pub use radio::{RadioButton, RadioGroup};
pub use select::Select;
pub use submit::Submit;
pub use text::{NumberInput, TextArea, TextInput};

#[cfg(test)]
mod tests;
