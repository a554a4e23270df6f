//! What a form submitted in the view hands its handler: every control's value, typed.

use super::{ClientValue, Kind, RadioGroup, Select, apply_client_value, flag, kind};
use crate::{Node, forms};

/// A control's value as submitted.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    /// The text of a text-like input, a textarea, a hidden input or a submit button.
    Text(String),
    /// A checkbox or radio button: whether it is checked, and the value it stands for (its
    /// `value` attribute, `on` without one).
    Checked {
        /// Whether it is checked.
        checked: bool,
        /// Its value.
        value: String,
    },
    /// The values of the selected options of a select, in order.
    Selected(Vec<String>),
}

/// One submitted control: its name, its node if it is in the tree, and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct SubmittedField {
    /// The control's `name`; empty if it has none.
    pub name: String,
    /// The control's node, if the browser named one of the form's nodes.
    pub node: Option<Node>,
    /// Its value.
    pub value: FieldValue,
}

/// The controls of a form submitted in the view, in document order.
///
/// The accessors by name read as a browser's form data would: [`Submitted::text`] is the
/// first value of a name (an unchecked checkbox or radio has none), [`Submitted::values`]
/// every value. [`Submitted::get`] takes a typed handle and gives its typed value.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Submitted {
    fields: Vec<SubmittedField>,
}

impl FieldValue {
    /// The values this field would put into a browser's form data.
    fn strings(&self) -> Vec<&str> {
        match self {
            FieldValue::Text(text) => vec![text],
            FieldValue::Checked { checked, value } => {
                if *checked {
                    vec![value]
                } else {
                    Vec::new()
                }
            }
            FieldValue::Selected(values) => values.iter().map(String::as_str).collect(),
        }
    }
}

impl Submitted {
    /// Applies the values a browser submitted for the controls of `form` to the server tree,
    /// as change events would (see [`apply_client_value`]), and returns them typed.
    ///
    /// A field whose node is not inside `form`, or is disabled, changes nothing and is left
    /// out: a browser does not submit either. A field without a node (an element the
    /// server did not make) keeps the value the browser sent; option indexes mean nothing
    /// without the select, so such a select is left out.
    pub fn apply(form: &Node, fields: &[(String, Option<Node>, ClientValue<'_>)]) -> Submitted {
        let _lock = form.lock();
        let mut out = Vec::with_capacity(fields.len());
        for (name, node, value) in fields {
            let field = match node {
                Some(node) if !form.contains(node) || node.ptr_eq(form) => continue,
                Some(node) if flag(node, "disabled") => continue,
                Some(node) => {
                    apply_client_value(node, *value);
                    typed(node, *value)
                }
                None => untyped(*value),
            };
            if let Some(value) = field {
                out.push(SubmittedField {
                    name: name.clone(),
                    node: node.clone(),
                    value,
                });
            }
        }
        Submitted { fields: out }
    }

    /// Every submitted field, in document order.
    pub fn fields(&self) -> &[SubmittedField] {
        &self.fields
    }

    /// The first value submitted under `name`: a text, the value of a checked checkbox or
    /// radio, the first selected option; `None` if there is none.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.named(name).flat_map(|f| f.value.strings()).next()
    }

    /// Every value submitted under `name`, in order, as a browser's form data has them.
    pub fn values(&self, name: &str) -> Vec<&str> {
        self.named(name).flat_map(|f| f.value.strings()).collect()
    }

    /// Whether a checkbox or radio named `name` was checked.
    pub fn checked(&self, name: &str) -> bool {
        self.named(name)
            .any(|f| matches!(f.value, FieldValue::Checked { checked: true, .. }))
    }

    /// The selected option values of the selects named `name`, in order.
    pub fn selected(&self, name: &str) -> Vec<&str> {
        self.named(name)
            .filter_map(|f| match &f.value {
                FieldValue::Selected(values) => Some(values.iter().map(String::as_str)),
                _ => None,
            })
            .flatten()
            .collect()
    }

    /// The typed value of one control, as submitted; `None` if the browser did not submit
    /// it (it is not in the form, or disabled).
    pub fn get<C: SubmittedControl>(&self, control: &C) -> Option<C::Value> {
        control.submitted(self)
    }

    fn named<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a SubmittedField> + use<'a> {
        let name = name.to_owned();
        self.fields.iter().filter(move |f| f.name == name)
    }

    fn of(&self, node: &Node) -> Option<&FieldValue> {
        self.fields
            .iter()
            .find(|f| f.node.as_ref().is_some_and(|n| n.ptr_eq(node)))
            .map(|f| &f.value)
    }
}

/// A typed form control whose submitted value [`Submitted::get`] reads.
pub trait SubmittedControl {
    /// The control's value type, as its `value()` returns it.
    type Value;

    /// Its value in `submitted`.
    fn submitted(&self, submitted: &Submitted) -> Option<Self::Value>;
}

macro_rules! text_control {
    ($($name:ident),*) => {$(
        impl SubmittedControl for forms::$name {
            type Value = String;

            fn submitted(&self, submitted: &Submitted) -> Option<String> {
                match submitted.of(self)? {
                    FieldValue::Text(text) => Some(text.clone()),
                    _ => None,
                }
            }
        }
    )*};
}

text_control!(TextInput, TextArea);

impl SubmittedControl for forms::NumberInput {
    type Value = Option<f64>;

    fn submitted(&self, submitted: &Submitted) -> Option<Option<f64>> {
        match submitted.of(self)? {
            FieldValue::Text(text) => {
                Some(text.trim().parse().ok().filter(|x: &f64| x.is_finite()))
            }
            _ => None,
        }
    }
}

impl SubmittedControl for forms::Checkbox {
    type Value = bool;

    fn submitted(&self, submitted: &Submitted) -> Option<bool> {
        match submitted.of(self)? {
            FieldValue::Checked { checked, .. } => Some(*checked),
            _ => None,
        }
    }
}

impl SubmittedControl for forms::RadioButton {
    type Value = bool;

    fn submitted(&self, submitted: &Submitted) -> Option<bool> {
        match submitted.of(self)? {
            FieldValue::Checked { checked, .. } => Some(*checked),
            _ => None,
        }
    }
}

impl SubmittedControl for RadioGroup {
    /// The value of the checked radio, `None` inside if none is checked.
    type Value = Option<String>;

    fn submitted(&self, submitted: &Submitted) -> Option<Option<String>> {
        let mut any = false;
        for radio in self.radios() {
            if let Some(FieldValue::Checked { checked, value }) = submitted.of(&radio) {
                any = true;
                if *checked {
                    return Some(Some(value.clone()));
                }
            }
        }
        any.then_some(None)
    }
}

impl SubmittedControl for Select {
    type Value = Vec<String>;

    fn submitted(&self, submitted: &Submitted) -> Option<Vec<String>> {
        match submitted.of(self)? {
            FieldValue::Selected(values) => Some(values.clone()),
            _ => None,
        }
    }
}

/// The value of a control of the tree, read back after the browser's value was applied, so
/// that it is what the handles' `value()` says.
fn typed(node: &Node, sent: ClientValue<'_>) -> Option<FieldValue> {
    let value = match kind(node) {
        Some(Kind::Text | Kind::TextArea) => FieldValue::Text(
            node.attributes()
                .get("value")
                .map(|v| v.to_string())
                .unwrap_or_default(),
        ),
        Some(Kind::Checkbox | Kind::Radio) => FieldValue::Checked {
            checked: flag(node, "checked"),
            value: node
                .attributes()
                .get("value")
                .map_or_else(|| "on".to_owned(), |v| v.to_string()),
        },
        Some(Kind::Select) => FieldValue::Selected(Select(node.clone()).values()),
        // Hidden inputs and submit buttons: the server keeps no value the browser changes.
        None => return untyped(sent),
    };
    Some(value)
}

fn untyped(sent: ClientValue<'_>) -> Option<FieldValue> {
    match sent {
        ClientValue::Text(text) => Some(FieldValue::Text(text.to_owned())),
        ClientValue::Checked(checked) => Some(FieldValue::Checked {
            checked,
            value: "on".to_owned(),
        }),
        ClientValue::Selected(_) => None,
    }
}
