//! `Checkbox`: a boolean value in the `checked` attribute.

use crate::{AttrValue, Event, Node};

use super::{Kind, flag, kind, set_flag, text_attribute};

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
