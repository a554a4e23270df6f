//! Reading server frames into a JSON tree whose objects keep their entries in the order they
//! were read, so that a decoded tree lists attributes, style and widget data in wire order.
//!
//! serde_json parses; this module only chooses the tree. serde_json's own `Value` sorts object
//! keys (the workspace does not enable `preserve_order`, which would change how client frames
//! decode). Nesting is checked by a scan before parsing, so the parser's recursion stays
//! bounded even with its own recursion limit off (a deep tree is deeper than its default 128).

use std::fmt;

use serde::Deserialize;
use serde::de::{self, MapAccess, SeqAccess, Visitor};

use crate::client::{Found, nesting_exceeds};

/// A parsed JSON value; objects keep their keys in the order read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Json>),
    /// Entries in the order read. A key that comes twice keeps its first place and takes its
    /// last value, as `JSON.parse` does in the browser.
    Object(Vec<(String, Json)>),
}

impl Json {
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn as_u64(&self) -> Option<u64> {
        match self {
            Json::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    pub(crate) fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    pub(crate) fn as_object(&self) -> Option<&[(String, Json)]> {
        match self {
            Json::Object(entries) => Some(entries),
            _ => None,
        }
    }

    pub(crate) fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    /// What an error found here.
    pub(crate) fn found(&self) -> Found {
        match self {
            Json::Null => Found::Null,
            Json::Bool(b) => Found::Bool(*b),
            Json::Number(n) => Found::Number(n.to_string()),
            Json::String(s) => Found::string(s),
            Json::Array(items) => Found::Array(items.len()),
            Json::Object(_) => Found::Object,
        }
    }
}

/// Parses `text`, or says why it is not JSON nested within `max_depth` levels.
pub(crate) fn parse(text: &str, max_depth: usize) -> Result<Json, ParseError> {
    if nesting_exceeds(text, max_depth) {
        return Err(ParseError::TooDeep);
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    // The scan above bounds the recursion; the parser's own limit (128) is below a deep tree.
    deserializer.disable_recursion_limit();
    let value = Json::deserialize(&mut deserializer)
        .and_then(|value| deserializer.end().map(|()| value))
        .map_err(|error| ParseError::NotJson(error.to_string()))?;
    Ok(value)
}

/// Why text did not parse.
#[derive(Debug)]
pub(crate) enum ParseError {
    TooDeep,
    NotJson(String),
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Json, E> {
        Ok(Json::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Json, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Json, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_f64<E: de::Error>(self, x: f64) -> Result<Json, E> {
        serde_json::Number::from_f64(x)
            .map(Json::Number)
            .ok_or_else(|| E::custom("a number that is not finite"))
    }

    fn visit_str<E>(self, s: &str) -> Result<Json, E> {
        Ok(Json::String(s.to_owned()))
    }

    fn visit_string<E>(self, s: String) -> Result<Json, E> {
        Ok(Json::String(s))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut entries: Vec<(String, Json)> = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, Json>()? {
            // Objects on the wire are small (attributes, style); a scan beats a map here.
            match entries.iter_mut().find(|(k, _)| *k == key) {
                Some((_, old)) => *old = value,
                None => entries.push((key, value)),
            }
        }
        Ok(Json::Object(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::{Json, ParseError, parse};

    #[test]
    fn objects_keep_their_order_and_a_repeated_key_its_first_place() {
        let value = parse(r#"{"b":1,"a":{"z":null,"y":[]},"b":2}"#, 8).unwrap();
        let Json::Object(entries) = value else {
            panic!("an object");
        };
        let keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["b", "a"]);
        assert_eq!(entries[0].1, Json::Number(2.into()));
    }

    #[test]
    fn depth_is_checked_before_parsing() {
        let ok = format!("{}{}", "[".repeat(300), "]".repeat(300));
        assert!(parse(&ok, 300).is_ok());
        let deep = format!("{}{}", "[".repeat(301), "]".repeat(301));
        assert!(matches!(parse(&deep, 300), Err(ParseError::TooDeep)));
        assert!(matches!(parse("[1,", 8), Err(ParseError::NotJson(_))));
        assert!(matches!(parse("[1] x", 8), Err(ParseError::NotJson(_))));
    }
}
