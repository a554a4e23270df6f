//! The events an element listens to, rendered as its `data-lona-events` attribute.

use crate::content::EVENTS_ATTRIBUTE;
use crate::patch::{MapOp, PatchOp};
use crate::{AttrValue, Event};

use super::Node;

/// The events.
impl Node {
    /// The events this node listens to.
    pub fn events(&self) -> Events<'_> {
        Events(self)
    }
}

/// The events an element listens to, rendered as its `data-lona-events` attribute.
#[derive(Debug, Clone, Copy)]
pub struct Events<'a>(&'a Node);

impl Events<'_> {
    fn change(&self, f: impl FnOnce(&mut Vec<Event>) -> bool) {
        self.0.edit(|e| {
            let element = e.element();
            let before = element.events_attribute();
            // Removing from an element without events must not box its rare parts.
            let changed = match element.rare.as_deref_mut() {
                Some(rare) => rare.events.edit(f),
                None => {
                    let mut events = Vec::new();
                    let changed = f(&mut events);
                    if changed {
                        element.rare_mut().events = events.into();
                    }
                    changed
                }
            };
            if !changed {
                return;
            }
            let after = element.events_attribute();
            if before == after {
                return;
            }
            let op = match after {
                Some(value) => MapOp::Set(EVENTS_ATTRIBUTE.to_owned(), AttrValue::Str(value)),
                None => MapOp::Remove(EVENTS_ATTRIBUTE.to_owned()),
            };
            e.record(PatchOp::Attributes(op));
        });
    }

    /// Adds an event; an event of the same type is replaced (a new change delay wins).
    pub fn add(&self, event: Event) {
        self.change(|events| {
            if events.contains(&event) {
                return false;
            }
            events.retain(|e| !e.same_type(&event));
            events.push(event);
            true
        });
    }

    /// Removes the event of this type.
    pub fn remove(&self, event: &Event) {
        self.change(|events| {
            let before = events.len();
            events.retain(|e| !e.same_type(event));
            events.len() != before
        });
    }

    /// Removes all events.
    pub fn clear(&self) {
        self.change(|events| {
            let changed = !events.is_empty();
            events.clear();
            changed
        });
    }

    /// Whether the node listens to events of this type.
    pub fn contains(&self, event: &Event) -> bool {
        self.0
            .read(|e| e.events().iter().any(|x| x.same_type(event)))
    }

    /// Whether the node listens to the event with this wire code (or custom name).
    pub fn accepts(&self, code: u16, custom_name: Option<&str>) -> bool {
        self.0.read(|e| {
            e.events().iter().any(|x| match (x, custom_name) {
                (Event::Custom(name), Some(wanted)) => name == wanted,
                (Event::Custom(_), None) => false,
                (other, _) => other.code() == code,
            })
        })
    }

    /// The events, in order.
    pub fn to_vec(&self) -> Vec<Event> {
        self.0.read(|e| e.events().to_vec())
    }
}
