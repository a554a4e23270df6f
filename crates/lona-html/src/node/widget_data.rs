//! The data of an element's widget: changed in place, sent as WIDGET_DATA patches, and
//! changed by the browser only through a checked path; raw HTML nodes keep their markup there.

use crate::content::{RAW_HTML_KEY, Widget};
use crate::patch::{PatchOp, WidgetDataOp};
use crate::{Key, Value};

use super::{Edit, Node};

/// The widget data, and the markup of raw HTML nodes kept in it.
impl Node {
    /// The widget data.
    pub fn widget_data(&self) -> WidgetData<'_> {
        WidgetData(self)
    }

    /// Sets the markup of a node made by [`Node::raw_html`]: one WIDGET_DATA patch.
    ///
    /// # Panics
    ///
    /// If this node was not made by [`Node::raw_html`].
    pub fn set_raw_html(&self, html: impl Into<String>) {
        let html = html.into();
        self.edit(|e| {
            let element = e.element();
            assert!(
                element.raw_html().is_some(),
                "set_raw_html: node {} is not a raw HTML node",
                e.node.id()
            );
            let widget = element.widget_mut().expect("raw HTML nodes have a widget");
            let key = Key::from(RAW_HTML_KEY);
            if let Some(value) = widget.data.get_mut(&key) {
                *value = Value::String(html.clone());
            }
            e.record(PatchOp::WidgetData(WidgetDataOp::Set {
                path: Vec::new(),
                key,
                value: Value::String(html),
            }));
        });
    }
}

/// The data of an element's widget: JSON-shaped, changed in place and sent as WIDGET_DATA
/// patches. Paths are lists of [`Key`]s from the top of the data.
#[derive(Debug, Clone, Copy)]
pub struct WidgetData<'a>(&'a Node);

impl WidgetData<'_> {
    fn data_mut<'e>(e: &'e mut Edit<'_>) -> &'e mut Value {
        let element = e.element();
        &mut element
            .rare_mut()
            .widget
            .get_or_insert_with(|| {
                Box::new(Widget {
                    name: String::new(),
                    data: Value::Null,
                })
            })
            .data
    }

    /// A copy of the whole data (`Null` if the node has no widget data).
    pub fn get(&self) -> Value {
        self.0
            .read(|e| e.widget().map_or(Value::Null, |w| w.data.clone()))
    }

    /// Replaces the whole data.
    pub fn reset(&self, value: Value) {
        self.0.edit(|e| {
            *Self::data_mut(e) = value.clone();
            e.record(PatchOp::WidgetData(WidgetDataOp::Reset(value)));
        });
    }

    /// Sets `data[path][key] = value`: a map entry (added if missing) or an existing list item.
    ///
    /// # Panics
    ///
    /// If `path` does not lead to a map (for a name key) or to a list with that index.
    pub fn set(&self, path: &[Key], key: impl Into<Key>, value: impl Into<Value>) {
        let (key, value) = (key.into(), value.into());
        self.0.edit(|e| {
            let container = Self::container(e, path);
            match (container, &key) {
                (Value::Map(entries), Key::Name(name)) => {
                    match entries.iter_mut().find(|(k, _)| k == name) {
                        Some((_, v)) => *v = value.clone(),
                        None => entries.push((name.clone(), value.clone())),
                    }
                }
                (Value::List(items), Key::Index(index)) if *index < items.len() => {
                    items[*index] = value.clone();
                }
                _ => panic!("widget data: no map or list item for {key} at {path:?}"),
            }
            e.record(PatchOp::WidgetData(WidgetDataOp::Set {
                path: path.to_vec(),
                key,
                value,
            }));
        });
    }

    /// Inserts `value` at `index` into the list at `path`; an index past the end appends.
    ///
    /// # Panics
    ///
    /// If `path` does not lead to a list.
    pub fn insert(&self, path: &[Key], index: usize, value: impl Into<Value>) {
        let value = value.into();
        self.0.edit(|e| {
            let Value::List(items) = Self::container(e, path) else {
                panic!("widget data: no list at {path:?}");
            };
            let index = index.min(items.len());
            items.insert(index, value.clone());
            e.record(PatchOp::WidgetData(WidgetDataOp::Insert {
                path: path.to_vec(),
                index,
                value,
            }));
        });
    }

    /// Appends `value` to the list at `path`.
    ///
    /// # Panics
    ///
    /// If `path` does not lead to a list.
    pub fn push(&self, path: &[Key], value: impl Into<Value>) {
        self.insert(path, usize::MAX, value);
    }

    /// Removes the entry `key` of the container at `path`; `false` if there is none.
    pub fn remove(&self, path: &[Key], key: impl Into<Key>) -> bool {
        let key = key.into();
        self.0.edit(|e| {
            let removed = match (Self::find(e, path), &key) {
                (Some(Value::Map(entries)), Key::Name(name)) => {
                    let before = entries.len();
                    entries.retain(|(k, _)| k != name);
                    entries.len() != before
                }
                (Some(Value::List(items)), Key::Index(index)) if *index < items.len() => {
                    items.remove(*index);
                    true
                }
                _ => false,
            };
            if removed {
                e.record(PatchOp::WidgetData(WidgetDataOp::Remove {
                    path: path.to_vec(),
                    key,
                }));
            }
            removed
        })
    }

    /// Empties the map or list at `path`.
    ///
    /// # Panics
    ///
    /// If `path` does not lead to a map or a list.
    pub fn clear(&self, path: &[Key]) {
        self.0.edit(|e| {
            match Self::container(e, path) {
                Value::Map(entries) => entries.clear(),
                Value::List(items) => items.clear(),
                _ => panic!("widget data: no map or list at {path:?}"),
            }
            e.record(PatchOp::WidgetData(WidgetDataOp::Clear {
                path: path.to_vec(),
            }));
        });
    }

    /// Replaces the value at `path`: the whole data for an empty path (a RESET), else the entry
    /// `path[last]` of the container at the rest of the path (a SET). A map entry may be new; a
    /// list item must exist. Returns `false` and changes nothing if the node has no widget or
    /// the path leads nowhere, so it is safe on paths a browser sent. Setting the value an
    /// entry has already records nothing.
    pub fn replace(&self, path: &[Key], value: impl Into<Value>) -> bool {
        let value = value.into();
        self.0.edit(|e| {
            let Some(widget) = e.element().widget_mut() else {
                return false;
            };
            let Some((key, parent)) = path.split_last() else {
                if widget.data != value {
                    widget.data = value.clone();
                    e.record(PatchOp::WidgetData(WidgetDataOp::Reset(value)));
                }
                return true;
            };
            let Some(container) = widget.data.get_path_mut(parent) else {
                return false;
            };
            let changed = match (container, key) {
                (Value::Map(entries), Key::Name(name)) => {
                    match entries.iter_mut().find(|(k, _)| k == name) {
                        Some((_, slot)) => std::mem::replace(slot, value.clone()) != value,
                        None => {
                            entries.push((name.clone(), value.clone()));
                            true
                        }
                    }
                }
                (Value::List(items), Key::Index(index)) if *index < items.len() => {
                    std::mem::replace(&mut items[*index], value.clone()) != value
                }
                _ => return false,
            };
            if !changed {
                return true;
            }
            e.record(PatchOp::WidgetData(WidgetDataOp::Set {
                path: parent.to_vec(),
                key: key.clone(),
                value,
            }));
            true
        })
    }

    /// Applies a change a JavaScript widget sent as the data of a [`WIDGET_DATA_EVENT`]:
    /// `{"path": [keys...], "value": any}`, where keys are strings (map keys) or non-negative
    /// integers (list indexes), as [`WidgetData::replace`]. Returns `false` and changes nothing
    /// for anything else: the data comes from a browser and is not trusted.
    ///
    /// [`WIDGET_DATA_EVENT`]: crate::WIDGET_DATA_EVENT
    pub fn apply_client_change(&self, change: &Value) -> bool {
        let (Some(Value::List(raw_path)), Some(value)) = (
            change.get(&Key::from("path")),
            change.get(&Key::from("value")),
        ) else {
            return false;
        };
        let path: Option<Vec<Key>> = raw_path
            .iter()
            .map(|key| match key {
                Value::String(name) => Some(Key::Name(name.clone())),
                Value::Int(index) => usize::try_from(*index).ok().map(Key::Index),
                _ => None,
            })
            .collect();
        path.is_some_and(|path| self.replace(&path, value.clone()))
    }

    fn find<'e>(e: &'e mut Edit<'_>, path: &[Key]) -> Option<&'e mut Value> {
        Self::data_mut(e).get_path_mut(path)
    }

    fn container<'e>(e: &'e mut Edit<'_>, path: &[Key]) -> &'e mut Value {
        let node = e.node.id();
        Self::data_mut(e)
            .get_path_mut(path)
            .unwrap_or_else(|| panic!("widget data of node {node}: no value at {path:?}"))
    }
}
