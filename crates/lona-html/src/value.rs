//! `Value`: the JSON-shaped data of widgets and custom input events, without a JSON dependency.
//!
//! `lona-html` knows no serde (tidy checks it), yet widget data and the data of custom input
//! events are JSON on the wire. This small enum carries them; `lona-protocol` reads and writes it.

use std::fmt;

/// A JSON-shaped value: what widget data and custom input events carry.
///
/// Maps keep insertion order, as Python dicts (and so Lona's widget data) do.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// `null`.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer that fits in an `i64`.
    Int(i64),
    /// Any other number. Non-finite floats are written as `null` on the wire.
    Float(f64),
    /// A string.
    String(String),
    /// An array.
    List(Vec<Value>),
    /// An object, in insertion order.
    Map(Vec<(String, Value)>),
}

/// One step of a path into a [`Value`]: a map key or a list index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    /// A key of a map.
    Name(String),
    /// An index into a list.
    Index(usize),
}

impl Value {
    /// Builds a map from `(key, value)` pairs, keeping their order.
    pub fn map<K: Into<String>, V: Into<Value>>(pairs: impl IntoIterator<Item = (K, V)>) -> Value {
        Value::Map(
            pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }

    /// Builds a list from values.
    pub fn list<V: Into<Value>>(items: impl IntoIterator<Item = V>) -> Value {
        Value::List(items.into_iter().map(Into::into).collect())
    }

    /// Returns the entry of a map by key, or the item of a list by index.
    pub fn get(&self, key: &Key) -> Option<&Value> {
        match (self, key) {
            (Value::Map(entries), Key::Name(name)) => {
                entries.iter().find(|(k, _)| k == name).map(|(_, v)| v)
            }
            (Value::List(items), Key::Index(index)) => items.get(*index),
            _ => None,
        }
    }

    /// Like [`Value::get`], but mutable.
    pub fn get_mut(&mut self, key: &Key) -> Option<&mut Value> {
        match (self, key) {
            (Value::Map(entries), Key::Name(name)) => {
                entries.iter_mut().find(|(k, _)| k == name).map(|(_, v)| v)
            }
            (Value::List(items), Key::Index(index)) => items.get_mut(*index),
            _ => None,
        }
    }

    /// Follows a path of keys from this value.
    pub fn get_path(&self, path: &[Key]) -> Option<&Value> {
        path.iter().try_fold(self, |value, key| value.get(key))
    }

    /// Follows a path of keys from this value, mutably.
    pub fn get_path_mut(&mut self, path: &[Key]) -> Option<&mut Value> {
        path.iter().try_fold(self, |value, key| value.get_mut(key))
    }

    /// Returns the string, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Returns the bool, if this is a bool.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// Returns the integer, if this is an integer.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// Returns the number as a float, if this is a number.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}

impl From<i32> for Value {
    fn from(i: i32) -> Value {
        Value::Int(i.into())
    }
}

impl From<u32> for Value {
    fn from(i: u32) -> Value {
        Value::Int(i.into())
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Value {
        Value::Float(f)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl<V: Into<Value>> From<Vec<V>> for Value {
    fn from(items: Vec<V>) -> Value {
        Value::list(items)
    }
}

impl<V: Into<Value>> From<Option<V>> for Value {
    fn from(value: Option<V>) -> Value {
        value.map_or(Value::Null, Into::into)
    }
}

impl From<&str> for Key {
    fn from(s: &str) -> Key {
        Key::Name(s.to_owned())
    }
}

impl From<String> for Key {
    fn from(s: String) -> Key {
        Key::Name(s)
    }
}

impl From<usize> for Key {
    fn from(i: usize) -> Key {
        Key::Index(i)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Name(name) => f.write_str(name),
            Key::Index(index) => write!(f, "{index}"),
        }
    }
}
