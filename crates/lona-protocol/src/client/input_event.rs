//! Decoding the payload of an INPUT_EVENT: the event type and its data (click, change, submit,
//! focus, blur, custom), and the node infos.

use std::str::FromStr;

use lona_html::NodeId;

use crate::codes::InputEventType;

use super::decode::{fixed, string, to_value};
use super::error::Path;
use super::expected::*;
use super::{
    ChangeValue, ClickData, DecodeError, EventKind, Found, InputEvent, Json, NodeInfo, SubmitField,
};

pub(super) fn decode_input_event(value: &Json, at: &Path<'_>) -> Result<InputEvent, DecodeError> {
    let [event_id, event_type, data, node, target] = fixed::<5>(value, at, INPUT_EVENT_PAYLOAD)?;
    let event_id = event_id
        .as_u64()
        .ok_or_else(|| at.index(0).found(EVENT_ID, event_id))?;
    let type_at = at.index(1);
    let data_at = at.index(2);
    let kind = match event_type {
        // Custom events are sent by name; an empty name names nothing.
        Json::String(name) if !name.is_empty() => EventKind::Custom {
            name: name.clone(),
            data: to_value(data),
        },
        Json::Number(n) => match n.as_u64().and_then(InputEventType::from_code) {
            Some(InputEventType::Click) => EventKind::Click(decode_click(data, &data_at)?),
            Some(InputEventType::Change) => EventKind::Change(decode_change(data, &data_at)?),
            Some(kind @ (InputEventType::Focus | InputEventType::Blur)) => {
                if !data.as_array().is_some_and(Vec::is_empty) {
                    return Err(data_at.found(NO_DATA, data));
                }
                if kind == InputEventType::Focus {
                    EventKind::Focus
                } else {
                    EventKind::Blur
                }
            }
            Some(InputEventType::Submit) => EventKind::Submit(decode_submit(data, &data_at)?),
            Some(InputEventType::Custom) | None => {
                return Err(type_at.found(EVENT_TYPE, event_type));
            }
        },
        _ => return Err(type_at.found(EVENT_TYPE, event_type)),
    };
    Ok(InputEvent {
        event_id,
        kind,
        node: decode_node_info(node, &at.index(3))?,
        target: decode_node_info(target, &at.index(4))?,
    })
}

fn decode_click(value: &Json, at: &Path<'_>) -> Result<ClickData, DecodeError> {
    let entries = value
        .as_object()
        .ok_or_else(|| at.found(CLICK_DATA, value))?;
    // Keys the client does not send today are ignored, so that it can add some.
    let flag = |key: &'static str| -> Result<bool, DecodeError> {
        match entries.get(key) {
            Some(Json::Bool(b)) => Ok(*b),
            Some(other) => Err(at.key(key).found(CLICK_BOOL, other)),
            None => Err(at.key(key).error(CLICK_BOOL, Found::Missing)),
        }
    };
    let number = |key: &'static str| -> Result<f64, DecodeError> {
        match entries.get(key) {
            Some(Json::Number(n)) => n.as_f64().ok_or_else(|| {
                at.key(key)
                    .error(CLICK_NUMBER, Found::Number(n.to_string()))
            }),
            Some(other) => Err(at.key(key).found(CLICK_NUMBER, other)),
            None => Err(at.key(key).error(CLICK_NUMBER, Found::Missing)),
        }
    };
    Ok(ClickData {
        alt_key: flag("alt_key")?,
        shift_key: flag("shift_key")?,
        meta_key: flag("meta_key")?,
        ctrl_key: flag("ctrl_key")?,
        // Lona's client reads `offsetWidth`/`offsetHeight`, which SVG elements lack, so a click
        // on SVG arrives without them: a missing size is 0, a wrongly typed one an error.
        node_width: entries
            .get("node_width")
            .map_or(Ok(0.0), |_| number("node_width"))?,
        node_height: entries
            .get("node_height")
            .map_or(Ok(0.0), |_| number("node_height"))?,
        x: number("x")?,
        y: number("y")?,
    })
}

fn decode_change(value: &Json, at: &Path<'_>) -> Result<ChangeValue, DecodeError> {
    match value {
        Json::String(s) => Ok(ChangeValue::Text(s.clone())),
        Json::Bool(b) => Ok(ChangeValue::Checked(*b)),
        Json::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                item.as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(|| at.index(i).found(OPTION_INDEX, item))
            })
            .collect::<Result<_, _>>()
            .map(ChangeValue::Selected),
        _ => Err(at.found(CHANGE_VALUE, value)),
    }
}

fn decode_submit(value: &Json, at: &Path<'_>) -> Result<Vec<SubmitField>, DecodeError> {
    let items = value
        .as_array()
        .ok_or_else(|| at.found(SUBMIT_DATA, value))?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let item_at = at.index(i);
            let [name, node_id, value] = fixed::<3>(item, &item_at, SUBMIT_FIELD)?;
            let node_id = match node_id {
                Json::Null => None,
                Json::String(s) => Some(
                    NodeId::from_str(s).map_err(|_| item_at.index(1).found(NODE_ID, node_id))?,
                ),
                _ => return Err(item_at.index(1).found(NODE_ID, node_id)),
            };
            Ok(SubmitField {
                name: string(name, &item_at.index(0), SUBMIT_NAME)?,
                node_id,
                value: decode_change(value, &item_at.index(2))?,
            })
        })
        .collect()
}

fn decode_node_info(value: &Json, at: &Path<'_>) -> Result<NodeInfo, DecodeError> {
    let [node_id, tag_name, id, class] = fixed::<4>(value, at, NODE_INFO)?;
    let node_id = match node_id {
        Json::Null => None,
        Json::String(s) => {
            Some(NodeId::from_str(s).map_err(|_| at.index(0).found(NODE_ID, node_id))?)
        }
        _ => return Err(at.index(0).found(NODE_ID, node_id)),
    };
    let optional = |value: &Json, index: usize| match value {
        Json::Null => Ok(None),
        Json::String(s) => Ok(Some(s.clone())),
        _ => Err(at.index(index).found(NODE_STRING, value)),
    };
    Ok(NodeInfo {
        node_id,
        tag_name: optional(tag_name, 1)?,
        id: optional(id, 2)?,
        class: optional(class, 3)?,
    })
}
