//! The id list and the class list of an element: ordered sets, sent as ID_LIST and
//! CLASS_LIST patches.

use crate::patch::{ListOp, PatchOp};

use super::Node;

/// The id and class lists of an element.
impl Node {
    /// The id list (the `id` attribute as a list).
    pub fn id_list(&self) -> IdList<'_> {
        IdList(self)
    }

    /// The class list.
    pub fn class_list(&self) -> ClassList<'_> {
        ClassList(self)
    }

    /// Whether the id list contains `id`.
    pub fn has_id(&self, id: &str) -> bool {
        self.id_list().contains(id)
    }

    /// Whether the class list contains `class`.
    pub fn has_class(&self, class: &str) -> bool {
        self.class_list().contains(class)
    }
}

macro_rules! list_part {
    ($(#[$doc:meta])* $name:ident, $field:ident, $variant:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name<'a>(&'a Node);

        impl $name<'_> {
            /// Adds a value at the end; nothing happens if it is already there.
            pub fn add(&self, value: &str) {
                self.0.edit(|e| {
                    if e.element().$field.iter().any(|v| v == value) {
                        return;
                    }
                    e.element().$field.push(value.to_owned());
                    e.record(PatchOp::$variant(ListOp::Add(value.to_owned())));
                });
            }

            /// Removes a value; nothing happens if it is not there.
            pub fn remove(&self, value: &str) {
                self.0.edit(|e| {
                    let list = &mut e.element().$field;
                    let Some(index) = list.iter().position(|v| v == value) else {
                        return;
                    };
                    list.remove(index);
                    e.record(PatchOp::$variant(ListOp::Remove(value.to_owned())));
                });
            }

            /// Adds the value if it is missing, removes it if it is there.
            pub fn toggle(&self, value: &str) {
                let _lock = self.0.lock();
                if self.contains(value) {
                    self.remove(value);
                } else {
                    self.add(value);
                }
            }

            /// Removes all values.
            pub fn clear(&self) {
                self.0.edit(|e| {
                    if e.element().$field.is_empty() {
                        return;
                    }
                    e.element().$field.clear();
                    e.record(PatchOp::$variant(ListOp::Clear));
                });
            }

            /// Replaces all values (duplicates are dropped).
            pub fn reset<S: AsRef<str>>(&self, values: impl IntoIterator<Item = S>) {
                let mut list = Vec::new();
                for value in values {
                    let value = value.as_ref();
                    if !list.iter().any(|v| v == value) {
                        list.push(value.to_owned());
                    }
                }
                self.0.edit(|e| {
                    if e.element().$field == list {
                        return;
                    }
                    e.element().$field = list.clone().into();
                    e.record(PatchOp::$variant(ListOp::Reset(list)));
                });
            }

            /// Whether the list contains `value`.
            pub fn contains(&self, value: &str) -> bool {
                self.0.read(|e| e.$field.iter().any(|v| v == value))
            }

            /// The values, in order.
            pub fn to_vec(&self) -> Vec<String> {
                self.0.read(|e| e.$field.to_vec())
            }

            /// The number of values.
            pub fn len(&self) -> usize {
                self.0.read(|e| e.$field.len())
            }

            /// Whether the list is empty.
            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }
        }
    };
}

list_part!(
    /// The id list of an element: an ordered set, sent as ID_LIST patches.
    IdList, ids, IdList
);
list_part!(
    /// The class list of an element: an ordered set, sent as CLASS_LIST patches.
    ClassList, classes, ClassList
);
