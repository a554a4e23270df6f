//! Radio buttons and their groups: checking one radio unchecks the others of its group.

use crate::{AttrValue, Event, Node};

use super::{
    Kind, RADIO_GROUP_ATTRIBUTE, descendants, flag, is_tag, kind, set_flag, text_attribute,
};

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
