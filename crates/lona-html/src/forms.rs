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

use std::fmt;
use std::ops::Deref;

use crate::{AttrValue, Event, Node};

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
        pub struct $name(Node);

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl Deref for $name {
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

handle!(
    /// `<input type="text">` (Lona's `TextInput`): a string value in the `value` attribute,
    /// sent by the browser `300` ms after the user paused typing.
    TextInput
);
control!(TextInput);
text_control!(TextInput);

impl Default for TextInput {
    fn default() -> TextInput {
        TextInput::new()
    }
}

impl TextInput {
    /// An empty text input.
    pub fn new() -> TextInput {
        TextInput(
            Node::element("input")
                .with_attr("type", "text")
                .with_event(Event::Change {
                    delay_ms: TEXT_INPUT_DELAY_MS,
                }),
        )
    }

    /// The node as a text input, if it is an `input` with a text value (any type but
    /// checkbox, radio, file and the buttons).
    pub fn from_node(node: Node) -> Option<TextInput> {
        (kind(&node) == Some(Kind::Text)).then_some(TextInput(node))
    }

    /// Sets the value.
    #[must_use]
    pub fn with_value(self, value: &str) -> TextInput {
        self.set_value(value);
        self
    }

    /// The value: what the user typed last, or what the server set last.
    pub fn value(&self) -> String {
        text_attribute(&self.0, "value").unwrap_or_default()
    }

    /// Sets the value; the browser shows it.
    pub fn set_value(&self, value: &str) {
        set_text_value(&self.0, value);
    }
}

handle!(
    /// `<textarea>` (Lona's `TextArea`): like [`TextInput`], several lines.
    ///
    /// The value is the `value` attribute, which the client sets as the DOM property; a page
    /// rendered without the client (`Node::to_html`) shows an empty textarea.
    TextArea
);
control!(TextArea);
text_control!(TextArea);

impl Default for TextArea {
    fn default() -> TextArea {
        TextArea::new()
    }
}

impl TextArea {
    /// An empty textarea.
    pub fn new() -> TextArea {
        TextArea(Node::element("textarea").with_event(Event::Change {
            delay_ms: TEXT_INPUT_DELAY_MS,
        }))
    }

    /// The node as a textarea, if it is one.
    pub fn from_node(node: Node) -> Option<TextArea> {
        (kind(&node) == Some(Kind::TextArea)).then_some(TextArea(node))
    }

    /// Sets the value.
    #[must_use]
    pub fn with_value(self, value: &str) -> TextArea {
        self.set_value(value);
        self
    }

    /// The value.
    pub fn value(&self) -> String {
        text_attribute(&self.0, "value").unwrap_or_default()
    }

    /// Sets the value; the browser shows it.
    pub fn set_value(&self, value: &str) {
        set_text_value(&self.0, value);
    }
}

handle!(
    /// `<input type="number">` (Lona's `NumberInput`): a number or nothing, with optional
    /// `min`, `max` and `step` that [`NumberInput::is_valid`] checks.
    NumberInput
);
control!(NumberInput);
text_control!(NumberInput);

impl Default for NumberInput {
    fn default() -> NumberInput {
        NumberInput::new()
    }
}

/// A number as the `value`, `min`, `max` and `step` attributes hold it: the shortest form that
/// reads back the same (`2`, `0.1`, `-1.5`).
fn number_text(value: f64) -> String {
    format!("{value}")
}

impl NumberInput {
    /// An empty number input.
    pub fn new() -> NumberInput {
        NumberInput(
            Node::element("input")
                .with_attr("type", "number")
                .with_event(Event::Change {
                    delay_ms: TEXT_INPUT_DELAY_MS,
                }),
        )
    }

    /// The node as a number input, if it is an `input type="number"`.
    pub fn from_node(node: Node) -> Option<NumberInput> {
        let is_number = kind(&node) == Some(Kind::Text)
            && text_attribute(&node, "type").is_some_and(|t| t.eq_ignore_ascii_case("number"));
        is_number.then_some(NumberInput(node))
    }

    /// Sets the value.
    #[must_use]
    pub fn with_value(self, value: f64) -> NumberInput {
        self.set_value(Some(value));
        self
    }

    /// Sets the smallest valid value.
    #[must_use]
    pub fn with_min(self, min: f64) -> NumberInput {
        self.0.attributes().set("min", number_text(min));
        self
    }

    /// Sets the largest valid value.
    #[must_use]
    pub fn with_max(self, max: f64) -> NumberInput {
        self.0.attributes().set("max", number_text(max));
        self
    }

    /// Sets the step: valid values are `min` (or 0) plus a whole number of steps.
    #[must_use]
    pub fn with_step(self, step: f64) -> NumberInput {
        self.0.attributes().set("step", number_text(step));
        self
    }

    fn number_attribute(&self, name: &str) -> Option<f64> {
        text_attribute(&self.0, name)
            .and_then(|text| text.trim().parse::<f64>().ok())
            .filter(|n| n.is_finite())
    }

    /// The value as a number; `None` if the input is empty or does not hold a finite number
    /// (browsers send an empty value for input they cannot read as a number).
    pub fn value(&self) -> Option<f64> {
        self.number_attribute("value")
    }

    /// The value as text, as the browser sent it.
    pub fn raw_value(&self) -> String {
        text_attribute(&self.0, "value").unwrap_or_default()
    }

    /// Sets the value (`None` empties the input). A non-finite number empties it too.
    pub fn set_value(&self, value: Option<f64>) {
        let text = value
            .filter(|n| n.is_finite())
            .map(number_text)
            .unwrap_or_default();
        set_text_value(&self.0, &text);
    }

    /// The `min` attribute.
    pub fn min(&self) -> Option<f64> {
        self.number_attribute("min")
    }

    /// The `max` attribute.
    pub fn max(&self) -> Option<f64> {
        self.number_attribute("max")
    }

    /// The `step` attribute (`None` for `any` or none).
    pub fn step(&self) -> Option<f64> {
        self.number_attribute("step").filter(|s| *s > 0.0)
    }

    /// Whether the value is valid as HTML sees it: empty (unless `required`), or a number
    /// within `min` and `max` that is `min` (or 0) plus a whole number of `step`s.
    pub fn is_valid(&self) -> bool {
        let _lock = self.0.lock();
        let raw = self.raw_value();
        if raw.trim().is_empty() {
            return !flag(&self.0, "required");
        }
        let Some(value) = self.value() else {
            return false;
        };
        if self.min().is_some_and(|min| value < min) || self.max().is_some_and(|max| value > max) {
            return false;
        }
        self.step().is_none_or(|step| {
            let steps = (value - self.min().unwrap_or(0.0)) / step;
            (steps - steps.round()).abs() < 1e-9 * steps.abs().max(1.0)
        })
    }
}

handle!(
    /// `<input type="checkbox">` (Lona's `CheckBox`): a boolean value, the `checked` state.
    Checkbox
);
control!(Checkbox);

impl Default for Checkbox {
    fn default() -> Checkbox {
        Checkbox::new()
    }
}

impl Checkbox {
    /// An unchecked checkbox.
    pub fn new() -> Checkbox {
        Checkbox(
            Node::element("input")
                .with_attr("type", "checkbox")
                .with_event(Event::CHANGE),
        )
    }

    /// The node as a checkbox, if it is an `input type="checkbox"`.
    pub fn from_node(node: Node) -> Option<Checkbox> {
        (kind(&node) == Some(Kind::Checkbox)).then_some(Checkbox(node))
    }

    /// Checks or unchecks it.
    #[must_use]
    pub fn with_value(self, checked: bool) -> Checkbox {
        self.set_value(checked);
        self
    }

    /// Whether it is checked.
    pub fn value(&self) -> bool {
        flag(&self.0, "checked")
    }

    /// Checks or unchecks it; the browser shows it.
    pub fn set_value(&self, checked: bool) {
        set_flag(&self.0, "checked", checked);
    }
}

handle!(
    /// `<input type="radio">` (Lona's `RadioButton`): a value, and whether it is the checked
    /// one of the radios with its name.
    RadioButton
);
control!(RadioButton);

impl RadioButton {
    /// An unchecked radio button with this value. Put it into a [`RadioGroup`] with
    /// [`RadioGroup::add_radio`], or give it a name shared with its siblings.
    pub fn new(value: &str) -> RadioButton {
        RadioButton(
            Node::element("input")
                .with_attr("type", "radio")
                .with_attr("value", value)
                .with_event(Event::CHANGE),
        )
    }

    /// The node as a radio button, if it is an `input type="radio"`.
    pub fn from_node(node: Node) -> Option<RadioButton> {
        (kind(&node) == Some(Kind::Radio)).then_some(RadioButton(node))
    }

    /// The value the radio stands for (its `value` attribute; `on` without one, as in HTML).
    pub fn value(&self) -> String {
        text_attribute(&self.0, "value").unwrap_or_else(|| "on".to_owned())
    }

    /// Checks or unchecks it; see [`RadioButton::set_checked`].
    #[must_use]
    pub fn with_checked(self, checked: bool) -> RadioButton {
        self.set_checked(checked);
        self
    }

    /// Whether it is checked.
    pub fn is_checked(&self) -> bool {
        flag(&self.0, "checked")
    }

    /// Checks or unchecks it. Checking one unchecks the other radios with its name in its
    /// form (or, outside a form, in its tree), as a browser does.
    pub fn set_checked(&self, checked: bool) {
        let _lock = self.0.lock();
        if checked {
            for other in self.siblings() {
                set_flag(&other, "checked", false);
            }
        }
        set_flag(&self.0, "checked", checked);
    }

    /// The other radios of its group: the same `name`, in the same form or tree. A radio
    /// without a name is a group of its own.
    fn siblings(&self) -> Vec<Node> {
        let Some(name) = self.name().filter(|n| !n.is_empty()) else {
            return Vec::new();
        };
        let mut scope = self.0.clone();
        while let Some(parent) = scope.parent() {
            scope = parent;
            if is_tag(&scope, "form") {
                break;
            }
        }
        descendants(&scope)
            .into_iter()
            .filter(|node| {
                *node != self.0
                    && kind(node) == Some(Kind::Radio)
                    && text_attribute(node, "name").as_deref() == Some(name.as_str())
            })
            .collect()
    }
}

handle!(
    /// A group of radio buttons (Lona's `RadioGroup`): a `<div role="radiogroup">` whose radios
    /// share a name, and whose value is the value of its checked radio.
    ///
    /// When a browser checks one of its radios, the runtime unchecks the others and delivers
    /// the change event with the group as its node (`event.node`) and the group's value as its
    /// value (`ChangeValue::Text`); the radio is the event's target. So `await_change(&[&group])`
    /// and handlers on the group see every choice, as in Lona; handlers on the radios still run
    /// first.
    RadioGroup
);

impl Default for RadioGroup {
    fn default() -> RadioGroup {
        RadioGroup::new()
    }
}

impl RadioGroup {
    /// An empty group, named `lona-radio-<node id>` until [`RadioGroup::with_name`].
    pub fn new() -> RadioGroup {
        let node = Node::element("div").with_attr("role", "radiogroup");
        let name = format!("lona-radio-{}", node.id());
        RadioGroup(node.with_attr(RADIO_GROUP_ATTRIBUTE, name))
    }

    /// The node as a radio group, if it is one.
    pub fn from_node(node: Node) -> Option<RadioGroup> {
        (node.is_element() && node.attributes().contains(RADIO_GROUP_ATTRIBUTE))
            .then_some(RadioGroup(node))
    }

    /// The group `node` is in: itself or its nearest ancestor that is a group.
    pub fn of(node: &Node) -> Option<RadioGroup> {
        let mut current = Some(node.clone());
        while let Some(node) = current {
            if let Some(group) = RadioGroup::from_node(node.clone()) {
                return Some(group);
            }
            current = node.parent();
        }
        None
    }

    /// Names the group: the name its radios are submitted under in a form.
    #[must_use]
    pub fn with_name(self, name: &str) -> RadioGroup {
        self.set_name(name);
        self
    }

    /// Renames the group and its radios.
    pub fn set_name(&self, name: &str) {
        let _lock = self.0.lock();
        self.0.attributes().set(RADIO_GROUP_ATTRIBUTE, name);
        for radio in self.radios() {
            radio.attributes().set("name", name);
        }
    }

    /// The name its radios share.
    pub fn name(&self) -> String {
        text_attribute(&self.0, RADIO_GROUP_ATTRIBUTE).unwrap_or_default()
    }

    /// Appends a radio for `value` with a label: `<label><input type="radio"> label</label>`.
    pub fn add_radio(&self, value: &str, label: &str) -> RadioButton {
        let radio = RadioButton::new(value).with_name(&self.name());
        let label_node = Node::element("label")
            .with_child(&radio)
            .with_child(format!(" {label}"));
        self.0.append(label_node);
        radio
    }

    /// Appends a radio for `value` with a label.
    #[must_use]
    pub fn with_radio(self, value: &str, label: &str) -> RadioGroup {
        self.add_radio(value, label);
        self
    }

    /// The radios in the group, in document order.
    pub fn radios(&self) -> Vec<RadioButton> {
        descendants(&self.0)
            .into_iter()
            .filter_map(RadioButton::from_node)
            .collect()
    }

    /// The checked radio.
    pub fn checked_radio(&self) -> Option<RadioButton> {
        let _lock = self.0.lock();
        self.radios().into_iter().find(RadioButton::is_checked)
    }

    /// The value of the checked radio; `None` if none is checked.
    pub fn value(&self) -> Option<String> {
        self.checked_radio().map(|radio| radio.value())
    }

    /// Checks the radio with this value and unchecks the others; `None` unchecks all. Returns
    /// `false`, changing nothing, if no radio has the value.
    pub fn set_value(&self, value: Option<&str>) -> bool {
        let _lock = self.0.lock();
        let radios = self.radios();
        if let Some(value) = value
            && !radios.iter().any(|radio| radio.value() == value)
        {
            return false;
        }
        for radio in &radios {
            if Some(radio.value().as_str()) != value {
                set_flag(radio, "checked", false);
            }
        }
        if let Some(radio) = radios.iter().find(|r| Some(r.value().as_str()) == value) {
            radio.set_checked(true);
        }
        true
    }

    /// Checks the radio with this value; see [`RadioGroup::set_value`].
    #[must_use]
    pub fn with_value(self, value: &str) -> RadioGroup {
        self.set_value(Some(value));
        self
    }
}

handle!(
    /// `<select>`, single or `multiple` (Lona's `Select2` with `Option2`): options with string
    /// values; the value is the selected options' values.
    ///
    /// As in a browser, a single select with no selected option shows, and submits, its first
    /// option: [`Select::value`] says so too.
    Select
);
control!(Select);

impl Default for Select {
    fn default() -> Select {
        Select::new()
    }
}

/// The value of an option: its `value` attribute, or its text without one, as in HTML.
fn option_value(option: &Node) -> String {
    text_attribute(option, "value").unwrap_or_else(|| option.text_content().trim().to_owned())
}

impl Select {
    /// A select of one option at a time.
    pub fn new() -> Select {
        Select(Node::element("select").with_event(Event::CHANGE))
    }

    /// A select of any number of options (`multiple`).
    pub fn multiple() -> Select {
        Select(
            Node::element("select")
                .with_attr("multiple", true)
                .with_event(Event::CHANGE),
        )
    }

    /// The node as a select, if it is one.
    pub fn from_node(node: Node) -> Option<Select> {
        (kind(&node) == Some(Kind::Select)).then_some(Select(node))
    }

    /// Whether any number of options can be selected.
    pub fn is_multiple(&self) -> bool {
        flag(&self.0, "multiple")
    }

    /// Appends an option `<option value="value">label</option>` and returns it.
    pub fn add_option(&self, value: &str, label: &str) -> Node {
        let option = Node::element("option")
            .with_attr("value", value)
            .with_text(label);
        self.0.append(&option);
        option
    }

    /// Appends an option.
    #[must_use]
    pub fn with_option(self, value: &str, label: &str) -> Select {
        self.add_option(value, label);
        self
    }

    /// Appends options from `(value, label)` pairs.
    #[must_use]
    pub fn with_options<'a>(self, options: impl IntoIterator<Item = (&'a str, &'a str)>) -> Select {
        {
            let _lock = self.0.lock();
            for (value, label) in options {
                self.add_option(value, label);
            }
        }
        self
    }

    /// The options, in order (also those inside an `optgroup`): the order of the indexes a
    /// browser sends.
    pub fn options(&self) -> Vec<Node> {
        descendants(&self.0)
            .into_iter()
            .filter(|node| is_tag(node, "option"))
            .collect()
    }

    /// The values of the options, in order.
    pub fn option_values(&self) -> Vec<String> {
        let _lock = self.0.lock();
        self.options().iter().map(option_value).collect()
    }

    /// Removes the options with this value; `false` if there is none.
    pub fn remove_option(&self, value: &str) -> bool {
        let _lock = self.0.lock();
        let mut removed = false;
        for option in self.options() {
            if option_value(&option) == value {
                removed |= option.remove();
            }
        }
        removed
    }

    /// Removes every child.
    pub fn clear_options(&self) {
        self.0.clear();
    }

    /// The selected options, in order. A single select with none selected gives its first
    /// option, which is what the browser shows.
    pub fn selected_options(&self) -> Vec<Node> {
        let _lock = self.0.lock();
        let options = self.options();
        let selected: Vec<Node> = options
            .iter()
            .filter(|option| flag(option, "selected"))
            .cloned()
            .collect();
        match (self.is_multiple(), selected.is_empty()) {
            (false, true) => options.into_iter().take(1).collect(),
            // A browser keeps the last of several selected options of a single select.
            (false, false) => selected.into_iter().last().into_iter().collect(),
            (true, _) => selected,
        }
    }

    /// The value of the selected option (the first one of a multiple select); `None` without
    /// options, or for a multiple select with none selected.
    pub fn value(&self) -> Option<String> {
        self.selected_options().first().map(option_value)
    }

    /// The values of the selected options, in order.
    pub fn values(&self) -> Vec<String> {
        self.selected_options().iter().map(option_value).collect()
    }

    /// Selects the option with this value (a single select: only it) or, with `None`, none.
    /// Returns `false`, changing nothing, if no option has the value.
    pub fn set_value(&self, value: Option<&str>) -> bool {
        let _lock = self.0.lock();
        let values = self.option_values();
        let index = match value {
            Some(value) => match values.iter().position(|v| v == value) {
                Some(index) => Some(index),
                None => return false,
            },
            None => None,
        };
        self.select_indexes(&index.into_iter().collect::<Vec<_>>());
        true
    }

    /// Selects exactly the options with these values (a single select: the first of them
    /// that exists). Values without an option are skipped.
    pub fn set_values<'a>(&self, values: impl IntoIterator<Item = &'a str>) {
        let _lock = self.0.lock();
        let wanted: Vec<&str> = values.into_iter().collect();
        let mut indexes: Vec<usize> = self
            .option_values()
            .iter()
            .enumerate()
            .filter(|(_, value)| wanted.contains(&value.as_str()))
            .map(|(index, _)| index)
            .collect();
        if !self.is_multiple() {
            indexes.truncate(1);
        }
        self.select_indexes(&indexes);
    }

    /// Selects every option (of a multiple select; a single select selects its first).
    pub fn select_all(&self) {
        let _lock = self.0.lock();
        let count = self.options().len();
        let all: Vec<usize> = (0..count).collect();
        let indexes = if self.is_multiple() {
            &all[..]
        } else {
            &all[..count.min(1)]
        };
        self.select_indexes(indexes);
    }

    /// Selects no option.
    pub fn select_none(&self) {
        self.select_indexes(&[]);
    }

    /// The indexes of the selected options (see [`Select::selected_options`]).
    pub fn selected_indexes(&self) -> Vec<usize> {
        let _lock = self.0.lock();
        let selected = self.selected_options();
        self.options()
            .iter()
            .enumerate()
            .filter(|(_, option)| selected.contains(option))
            .map(|(index, _)| index)
            .collect()
    }

    /// Selects exactly the options at `indexes`; other indexes are ignored.
    fn select_indexes(&self, indexes: &[usize]) {
        let _lock = self.0.lock();
        for (index, option) in self.options().iter().enumerate() {
            set_flag(option, "selected", indexes.contains(&index));
        }
    }
}

handle!(
    /// `<input type="submit">` (Lona's `Submit`): the button that submits its form. It listens
    /// to no event of its own, so that the browser submits the form (the client turns that
    /// into a view with the fields, see `Request::post`).
    Submit
);
control!(Submit);

impl Submit {
    /// A submit button with this label.
    pub fn new(label: &str) -> Submit {
        Submit(
            Node::element("input")
                .with_attr("type", "submit")
                .with_attr("value", label),
        )
    }

    /// The label.
    pub fn label(&self) -> String {
        text_attribute(&self.0, "value").unwrap_or_default()
    }

    /// Sets the label.
    pub fn set_label(&self, label: &str) {
        self.0.attributes().set("value", label);
    }
}

#[cfg(test)]
mod tests;
