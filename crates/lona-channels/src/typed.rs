//! Typed messages: an app's own `serde` types as channel data. They travel as the JSON-shaped
//! [`Value`] every broker carries (a network broker writes it as JSON), so a typed publish
//! reaches untyped subscribers too, and the other way round.

use std::error::Error;
use std::fmt;

use lona_html::Value;
use lona_runtime::Untrusted;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::message::Message;

/// A message whose data was read into the subscriber's own type `T`: what
/// [`crate::Channels::subscribe_typed`] and [`crate::ViewChannels::subscribe_typed`] hand their
/// handler. The handler owns it, so it may move `data` on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedMessage<T> {
    /// The topic it was published to (a wildcard publish keeps its pattern here).
    pub topic: String,
    /// The data, deserialized.
    pub data: T,
}

/// Data that could not become channel data ([`to_value`]) or the subscriber's type
/// ([`from_value`]).
///
/// Its text may quote the data, which may have come from a browser: log it through
/// [`lona_runtime::Untrusted`].
#[derive(Debug)]
pub struct DataError {
    serializing: bool,
    error: serde_json::Error,
}

impl DataError {
    /// `true` if a value could not be serialized (a publish); `false` if data did not
    /// deserialize into the wanted type (a subscription).
    pub fn is_serialize(&self) -> bool {
        self.serializing
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.serializing {
            write!(f, "cannot serialize the message data: {}", self.error)
        } else {
            write!(
                f,
                "the message data is not of the wanted type: {}",
                self.error
            )
        }
    }
}

impl Error for DataError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.error)
    }
}

/// `data` as channel data: what it serializes to as JSON, with the fields of structs and maps
/// in their serialization order.
///
/// Fails only where JSON does: a map whose keys are not strings or numbers, or a `Serialize`
/// impl that fails. Integers beyond `i64` become floats, as everywhere in lona.
///
/// ```
/// use lona_channels::to_value;
/// use lona_html::Value;
///
/// #[derive(serde::Serialize)]
/// struct Score { home: u32, away: u32 }
///
/// let value = to_value(&Score { home: 3, away: 1 }).unwrap();
/// assert_eq!(value, Value::map([("home", 3), ("away", 1)]));
/// ```
pub fn to_value<T: Serialize + ?Sized>(data: &T) -> Result<Value, DataError> {
    let json = serde_json::to_string(data).map_err(|error| DataError {
        serializing: true,
        error,
    })?;
    value_from_json(json.as_bytes()).map_err(|DataError { error, .. }| DataError {
        serializing: true,
        error,
    })
}

/// Channel data read into `T`, as `serde_json` reads the data's JSON.
///
/// ```
/// use lona_channels::from_value;
/// use lona_html::Value;
///
/// #[derive(Debug, PartialEq, serde::Deserialize)]
/// struct Score { home: u32, away: u32 }
///
/// let value = Value::map([("home", 3), ("away", 1)]);
/// assert_eq!(from_value::<Score>(&value).unwrap(), Score { home: 3, away: 1 });
/// assert!(from_value::<Score>(&Value::from("3:1")).is_err());
/// ```
pub fn from_value<T: DeserializeOwned>(value: &Value) -> Result<T, DataError> {
    let mut json = String::new();
    lona_protocol::json::write_value(&mut json, value);
    serde_json::from_str(&json).map_err(|error| DataError {
        serializing: false,
        error,
    })
}

/// A [`Value`] read from JSON, its maps in their order (`serde_json::Value` would sort them);
/// how a network broker reads the data a peer wrote.
///
/// ```
/// use lona_channels::value_from_json;
/// use lona_html::Value;
///
/// let value = value_from_json(br#"{"b": 1, "a": [true, null]}"#).unwrap();
/// assert_eq!(
///     value,
///     Value::map([("b", Value::Int(1)), ("a", Value::list([Value::Bool(true), Value::Null]))])
/// );
/// ```
pub fn value_from_json(json: &[u8]) -> Result<Value, DataError> {
    serde_json::from_slice::<Ordered>(json)
        .map(|Ordered(value)| value)
        .map_err(|error| DataError {
            serializing: false,
            error,
        })
}

/// The message with its data read into `T`; `None`, logged, if the data is not a `T` (the
/// caller counts it in [`crate::ChannelsMetrics::mismatched`]). Never panics: the data may be
/// a browser's.
pub(crate) fn decode<T: DeserializeOwned>(
    message: &Message,
    pattern: &str,
) -> Option<TypedMessage<T>> {
    match from_value(&message.data) {
        Ok(data) => Some(TypedMessage {
            topic: message.topic.clone(),
            data,
        }),
        Err(error) => {
            tracing::warn!(
                topic = %Untrusted(&message.topic),
                pattern = %Untrusted(pattern),
                expected = std::any::type_name::<T>(),
                error = %Untrusted(&error.to_string()),
                "channels: skipped a message whose data is not the subscription's type"
            );
            None
        }
    }
}

/// A [`Value`] read from JSON with its maps in their order.
struct Ordered(Value);

impl<'de> serde::Deserialize<'de> for Ordered {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Ordered, D::Error> {
        deserializer.deserialize_any(OrderedVisitor).map(Ordered)
    }
}

struct OrderedVisitor;

impl<'de> serde::de::Visitor<'de> for OrderedVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JSON")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Int(n))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        // Integers past `i64` are floats, as `lona-protocol` reads them.
        Ok(i64::try_from(n).map_or(Value::Float(n as f64), Value::Int))
    }
    fn visit_f64<E>(self, x: f64) -> Result<Value, E> {
        Ok(Value::Float(x))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Ordered(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::List(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some((key, Ordered(value))) = map.next_entry::<String, Ordered>()? {
            entries.push((key, value));
        }
        Ok(Value::Map(entries))
    }
}

#[cfg(test)]
mod tests;
