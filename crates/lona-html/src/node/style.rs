//! The inline style of an element, and hiding a node with it.

use crate::patch::{MapOp, PatchOp};

use super::Node;

/// The inline style, and hiding with it.
impl Node {
    /// The inline style.
    pub fn style(&self) -> Style<'_> {
        Style(self)
    }

    /// Hides the node with the inline style `display: none`.
    pub fn hide(&self) {
        self.style().set("display", "none");
    }

    /// Undoes [`Node::hide`]: removes `display: none`, leaves any other display value alone.
    pub fn show(&self) {
        let _lock = self.lock();
        if self.style().get("display").as_deref() == Some("none") {
            self.style().remove("display");
        }
    }

    /// Whether the node is hidden by [`Node::hide`].
    pub fn is_hidden(&self) -> bool {
        self.style().get("display").as_deref() == Some("none")
    }
}

/// The inline style of an element: ordered properties, sent as STYLE patches.
///
/// CSS custom properties (`--name`) work like any other property.
#[derive(Debug, Clone, Copy)]
pub struct Style<'a>(&'a Node);

impl Style<'_> {
    /// Sets a property; setting the value it already has records nothing.
    pub fn set(&self, name: &str, value: &str) {
        self.0.edit(|e| {
            let style = &mut e.element().rare_mut().style;
            match style.iter_mut().find(|(k, _)| k == name) {
                Some((_, v)) if v == value => return,
                Some((_, v)) => *v = value.to_owned(),
                None => style.push((name.to_owned(), value.to_owned())),
            }
            e.record(PatchOp::Style(MapOp::Set(
                name.to_owned(),
                value.to_owned(),
            )));
        });
    }

    /// The value of a property.
    pub fn get(&self, name: &str) -> Option<String> {
        self.0.read(|e| {
            e.style()
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
    }

    /// Removes a property.
    pub fn remove(&self, name: &str) {
        self.0.edit(|e| {
            let Some(rare) = e.element().rare.as_deref_mut() else {
                return;
            };
            let style = &mut rare.style;
            let Some(index) = style.iter().position(|(k, _)| k == name) else {
                return;
            };
            style.remove(index);
            e.record(PatchOp::Style(MapOp::Remove(name.to_owned())));
        });
    }

    /// Removes all properties.
    pub fn clear(&self) {
        self.0.edit(|e| {
            let Some(rare) = e.element().rare.as_deref_mut() else {
                return;
            };
            if rare.style.is_empty() {
                return;
            }
            rare.style.clear();
            e.record(PatchOp::Style(MapOp::Clear));
        });
    }

    /// Replaces all properties.
    pub fn reset<K: AsRef<str>, V: AsRef<str>>(&self, entries: impl IntoIterator<Item = (K, V)>) {
        let mut style: Vec<(String, String)> = Vec::new();
        for (k, v) in entries {
            let (k, v) = (k.as_ref(), v.as_ref());
            match style.iter_mut().find(|(name, _)| name == k) {
                Some((_, value)) => v.clone_into(value),
                None => style.push((k.to_owned(), v.to_owned())),
            }
        }
        self.0.edit(|e| {
            if e.element().style() == style {
                return;
            }
            e.element().rare_mut().style = style.clone().into();
            e.record(PatchOp::Style(MapOp::Reset(style)));
        });
    }

    /// All properties, in order.
    pub fn to_vec(&self) -> Vec<(String, String)> {
        self.0.read(|e| e.style().to_vec())
    }

    /// Sets properties from a declaration string such as `"color: red; margin: 0"`.
    pub fn set_declarations(&self, declarations: &str) {
        let _lock = self.0.lock();
        for (name, value) in parse_declarations(declarations) {
            self.set(name, value);
        }
    }
}

/// Splits a CSS declaration list into `(property, value)` pairs. Not a CSS parser: it splits on
/// `;` and the first `:`, which is what inline `style` attributes hold in practice.
pub(crate) fn parse_declarations(declarations: &str) -> impl Iterator<Item = (&str, &str)> {
    declarations.split(';').filter_map(|declaration| {
        let (name, value) = declaration.split_once(':')?;
        let (name, value) = (name.trim(), value.trim());
        (!name.is_empty()).then_some((name, value))
    })
}
