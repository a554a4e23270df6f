//! The plain attributes of an element, the check of attribute names, and the `ignore` flag
//! stored as an attribute.

use crate::AttrValue;
use crate::content::{EVENTS_ATTRIBUTE, IGNORE_ATTRIBUTE};
use crate::patch::{MapOp, PatchOp};

use super::{Node, parse_declarations};

/// The attributes, and the `ignore` flag kept in them.
impl Node {
    /// The attributes other than id, class, style and events.
    pub fn attributes(&self) -> Attributes<'_> {
        Attributes(self)
    }

    /// Marks the node as ignored by the browser client (`data-lona-ignore`, Lona's `ignore`):
    /// the client attaches no input-event handlers to it or to anything inside it, so a link
    /// in it is a plain browser navigation and a form a plain browser submit, and when the
    /// client re-renders it while the server sends no children, the content the page put there
    /// (a JavaScript library's, say) stays. Patches the server sends for the node still apply.
    pub fn ignore(&self) {
        self.attributes().set(IGNORE_ATTRIBUTE, true);
    }

    /// Undoes [`Node::ignore`].
    pub fn unignore(&self) {
        self.attributes().remove(IGNORE_ATTRIBUTE);
    }

    /// Whether the node is marked with [`Node::ignore`].
    pub fn is_ignored(&self) -> bool {
        self.attributes()
            .get(IGNORE_ATTRIBUTE)
            .is_some_and(|v| v != AttrValue::Bool(false))
    }
}

/// The attributes of an element other than id, class, style and `data-lona-events`, which
/// have their own typed parts. Sent as ATTRIBUTES patches.
#[derive(Debug, Clone, Copy)]
pub struct Attributes<'a>(&'a Node);

/// The attributes the framework owns: user code cannot set them as plain attributes.
const RESERVED_ATTRIBUTES: [&str; 2] = [EVENTS_ATTRIBUTE, "data-lona-node-id"];

/// Whether `name` is a valid attribute name: the HTML syntax minus anything that could break
/// out of the attribute when rendered.
pub fn is_valid_attribute_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().all(|c| {
            !c.is_control()
                && !c.is_whitespace()
                && !matches!(c, '"' | '\'' | '>' | '<' | '/' | '=' | '`')
                && !('\u{FDD0}'..='\u{FDEF}').contains(&c)
        })
}

impl Attributes<'_> {
    /// Sets an attribute; setting the value it already has records nothing.
    ///
    /// `id`, `class` and `style` go to their typed parts (`"a b"` sets two classes, a style
    /// string is split into properties), as in HTML.
    ///
    /// # Panics
    ///
    /// If `name` is not a valid attribute name (see [`is_valid_attribute_name`]), or is one
    /// the framework owns (`data-lona-events`, `data-lona-node-id`).
    pub fn set(&self, name: &str, value: impl Into<AttrValue>) {
        let value = value.into();
        match name {
            "id" => return self.0.id_list().reset(value.to_string().split_whitespace()),
            "class" => {
                return self
                    .0
                    .class_list()
                    .reset(value.to_string().split_whitespace());
            }
            "style" => return self.0.style().reset(parse_declarations(&value.to_string())),
            _ => {}
        }
        assert!(
            is_valid_attribute_name(name),
            "invalid attribute name {name:?}"
        );
        assert!(
            !RESERVED_ATTRIBUTES.contains(&name),
            "attribute {name:?} belongs to the framework; use Node::events() for events"
        );
        self.0.edit(|e| {
            let attributes = &mut e.element().rare_mut().attributes;
            match attributes.iter_mut().find(|(k, _)| k == name) {
                Some((_, v)) if *v == value => return,
                Some((_, v)) => *v = value.clone(),
                None => attributes.push((name.to_owned(), value.clone())),
            }
            e.record(PatchOp::Attributes(MapOp::Set(name.to_owned(), value)));
        });
    }

    /// The value of an attribute.
    pub fn get(&self, name: &str) -> Option<AttrValue> {
        self.0.read(|e| {
            e.attributes()
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
    }

    /// Whether the attribute is set.
    pub fn contains(&self, name: &str) -> bool {
        self.0
            .read(|e| e.attributes().iter().any(|(k, _)| k == name))
    }

    /// Removes an attribute.
    pub fn remove(&self, name: &str) {
        self.0.edit(|e| {
            let Some(rare) = e.element().rare.as_deref_mut() else {
                return;
            };
            let attributes = &mut rare.attributes;
            let Some(index) = attributes.iter().position(|(k, _)| k == name) else {
                return;
            };
            attributes.remove(index);
            e.record(PatchOp::Attributes(MapOp::Remove(name.to_owned())));
        });
    }

    /// Removes all attributes (the events stay: they are not plain attributes).
    pub fn clear(&self) {
        self.0.edit(|e| {
            let Some(rare) = e.element().rare.as_deref_mut() else {
                return;
            };
            if rare.attributes.is_empty() {
                return;
            }
            rare.attributes.clear();
            match e.element().events_attribute() {
                // CLEAR would drop the events attribute on the client too: send a RESET.
                Some(events) => {
                    let reset = vec![(EVENTS_ATTRIBUTE.to_owned(), AttrValue::Str(events))];
                    e.record(PatchOp::Attributes(MapOp::Reset(reset)));
                }
                None => e.record(PatchOp::Attributes(MapOp::Clear)),
            }
        });
    }

    /// All attributes, in order, without id, class, style and events.
    pub fn to_vec(&self) -> Vec<(String, AttrValue)> {
        self.0.read(|e| e.attributes().to_vec())
    }
}
