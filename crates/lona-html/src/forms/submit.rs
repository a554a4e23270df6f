//! `Submit`: the button that submits its form.

use crate::{AttrValue, Event, Node};

use super::{flag, set_flag, text_attribute};

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
