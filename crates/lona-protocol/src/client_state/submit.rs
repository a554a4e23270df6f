//! The in-view submit of a form (SUBMIT, 306), as the browser client sends it for a form
//! whose `data-lona-events` lists it.

use crate::client::{ChangeValue, EventKind, SubmitField};
use lona_html::forms::Select;
use lona_html::{AttrValue, Event, Mirror, Node};

use super::{ClientState, EventError, InputFrame};

impl ClientState {
    /// Submits `form` in the view, as the browser client does for a form that listens to
    /// submits: every control of the form with its value (text, checked, option indexes) and
    /// `submitter`'s name and value, if it has a name. The event's target is `submitter`, or
    /// the form.
    ///
    /// # Errors
    ///
    /// [`EventError::NotListening`] if the form does not listen to submits (the browser
    /// client navigates then); else as [`ClientState::click`].
    pub fn submit(
        &mut self,
        form: &Node,
        submitter: Option<&Node>,
    ) -> Result<InputFrame, EventError> {
        let fields = self
            .windows
            .iter()
            .find_map(|(_, w)| {
                w.dom
                    .wire_id(form)
                    .map(|_| submit_fields(&w.dom, form, submitter))
            })
            .unwrap_or_default();
        let target = submitter.unwrap_or(form);
        if !form.events().contains(&Event::Submit) {
            return Err(EventError::NotListening {
                node: format!("{form:?}"),
                event: "submit",
            });
        }
        self.input(target, &Event::Submit, true, EventKind::Submit(fields))
    }
}

/// The fields of `form` as the browser client collects them: its `input`, `textarea` and
/// `select` elements in document order, without disabled ones, buttons and files; the
/// submitter's name and value if it has a name.
fn submit_fields(dom: &Mirror, form: &Node, submitter: Option<&Node>) -> Vec<SubmitField> {
    let attribute = |node: &Node, name: &str| node.attributes().get(name).map(|v| v.to_string());
    let flag = |node: &Node, name: &str| {
        node.attributes()
            .get(name)
            .is_some_and(|v| v != AttrValue::Bool(false))
    };
    let mut fields = Vec::new();
    let mut stack: Vec<Node> = form.children().into_iter().rev().collect();
    while let Some(node) = stack.pop() {
        stack.extend(node.children().into_iter().rev());
        if !node.is_element() || flag(&node, "disabled") {
            continue;
        }
        let is_submitter = submitter.is_some_and(|s| s.ptr_eq(&node));
        let value = match node.tag().unwrap_or_default().to_ascii_lowercase().as_str() {
            "input" => {
                let kind = attribute(&node, "type")
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                match kind.as_str() {
                    "checkbox" | "radio" => ChangeValue::Checked(flag(&node, "checked")),
                    "submit" | "button" | "reset" | "image" | "file" if !is_submitter => continue,
                    _ => ChangeValue::Text(attribute(&node, "value").unwrap_or_default()),
                }
            }
            "button" if is_submitter => {
                ChangeValue::Text(attribute(&node, "value").unwrap_or_default())
            }
            "textarea" => ChangeValue::Text(attribute(&node, "value").unwrap_or_default()),
            "select" => {
                let Some(select) = Select::from_node(node.clone()) else {
                    continue;
                };
                let options = select.options();
                let mut indexes: Vec<u32> = options
                    .iter()
                    .enumerate()
                    .filter(|(_, option)| flag(option, "selected"))
                    .filter_map(|(i, _)| u32::try_from(i).ok())
                    .collect();
                // A single select shows its first option when none is selected.
                if indexes.is_empty() && !select.is_multiple() && !options.is_empty() {
                    indexes.push(0);
                }
                ChangeValue::Selected(indexes)
            }
            _ => continue,
        };
        let name = attribute(&node, "name").unwrap_or_default();
        // A submitter without a name adds nothing, as in a browser's form data.
        if is_submitter && name.is_empty() {
            continue;
        }
        fields.push(SubmitField {
            name,
            node_id: dom.wire_id(&node).and_then(|id| id.parse().ok()),
            value,
        });
    }
    fields
}
