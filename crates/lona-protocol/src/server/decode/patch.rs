//! Decoding one patch `[node_id, PATCH_TYPE, OPERATION, ...args]` into a [`Patch`], with
//! errors at the argument that is wrong.

use lona_html::{AttrValue, Key, ListOp, MapOp, NodesOp, Patch, PatchOp, WidgetDataOp};

use super::{
    ATTRIBUTES, At, STRING, attribute_name, attribute_value, decode_node, node_id, string, strings,
    style_entries, to_value,
};
use crate::client::DecodeError;
use crate::json_tree::Json;
use crate::{Operation, PatchType};

const PATCH: &str = "a patch [node_id, PATCH_TYPE, OPERATION, ...args]";
const PATCH_TYPE: &str = "a PATCH_TYPE (601 to 606)";
const OPERATION: &str = "an OPERATION (701 to 706)";
const INDEX: &str = "a child index";
const LIST_INDEX: &str = "a list index";
const KEY: &str = "a key (a string or a non-negative index)";
const KEY_PATH: &str = "a key path (a list of keys)";
const LIST_OPERATIONS: &str = "an operation of ID_LIST and CLASS_LIST: ADD, REMOVE, CLEAR or RESET";
const STYLE_OPERATIONS: &str = "an operation of STYLE: SET, REMOVE, CLEAR or RESET";
const ATTRIBUTE_OPERATIONS: &str = "an operation of ATTRIBUTES: SET, REMOVE, CLEAR or RESET";
const NODES_OPERATIONS: &str = "an operation of NODES: INSERT, SET, REMOVE, CLEAR or RESET";
const WIDGET_DATA_OPERATIONS: &str =
    "an operation of WIDGET_DATA: SET, INSERT, REMOVE, CLEAR or RESET";

pub(super) fn decode_patch(patch: &Json, at: &At<'_>) -> Result<Patch, DecodeError> {
    let items = patch
        .as_array()
        .filter(|items| items.len() >= 3)
        .ok_or_else(|| at.found(PATCH, patch))?;
    let node = node_id(&items[0], &at.index(0))?;
    let patch_type = items[1]
        .as_u64()
        .and_then(PatchType::from_code)
        .ok_or_else(|| at.index(1).found(PATCH_TYPE, &items[1]))?;
    let operation = items[2]
        .as_u64()
        .and_then(Operation::from_code)
        .ok_or_else(|| at.index(2).found(OPERATION, &items[2]))?;
    let args = Args {
        items: &items[3..],
        patch,
        operation: &items[2],
        at,
    };
    let op = match patch_type {
        PatchType::IdList => PatchOp::IdList(list_op(operation, &args)?),
        PatchType::ClassList => PatchOp::ClassList(list_op(operation, &args)?),
        PatchType::Style => PatchOp::Style(style_op(operation, &args)?),
        PatchType::Attributes => PatchOp::Attributes(attributes_op(operation, &args)?),
        PatchType::Nodes => PatchOp::Nodes(nodes_op(operation, &args)?),
        PatchType::WidgetData => PatchOp::WidgetData(widget_data_op(operation, &args)?),
    };
    Ok(Patch::new(node, op))
}

/// The arguments of a patch: its items from index 3 on.
struct Args<'a> {
    items: &'a [Json],
    patch: &'a Json,
    operation: &'a Json,
    at: &'a At<'a>,
}

impl Args<'_> {
    /// Where argument `i` is: item `3 + i` of the patch.
    fn at(&self, i: usize) -> At<'_> {
        self.at.index(3 + i)
    }

    fn exact<const N: usize>(&self, expected: &'static str) -> Result<&[Json; N], DecodeError> {
        <&[Json; N]>::try_from(self.items).map_err(|_| self.at.found(expected, self.patch))
    }

    fn operation(&self, expected: &'static str) -> DecodeError {
        self.at.index(2).found(expected, self.operation)
    }
}

fn list_op(operation: Operation, args: &Args<'_>) -> Result<ListOp, DecodeError> {
    Ok(match operation {
        Operation::Add => {
            let [value] = args.exact::<1>("ADD value")?;
            ListOp::Add(string(value, &args.at(0), STRING)?)
        }
        Operation::Remove => {
            let [value] = args.exact::<1>("REMOVE value")?;
            ListOp::Remove(string(value, &args.at(0), STRING)?)
        }
        Operation::Clear => {
            args.exact::<0>("no arguments for CLEAR")?;
            ListOp::Clear
        }
        Operation::Reset => {
            let [values] = args.exact::<1>("RESET [values]")?;
            ListOp::Reset(strings(values, &args.at(0))?)
        }
        Operation::Set | Operation::Insert => return Err(args.operation(LIST_OPERATIONS)),
    })
}

fn style_op(operation: Operation, args: &Args<'_>) -> Result<MapOp<String>, DecodeError> {
    Ok(match operation {
        Operation::Set => {
            let [name, value] = args.exact::<2>("SET name, value")?;
            MapOp::Set(
                string(name, &args.at(0), "a property name")?,
                string(value, &args.at(1), "a property value (a string)")?,
            )
        }
        Operation::Remove => {
            let [name] = args.exact::<1>("REMOVE name")?;
            MapOp::Remove(string(name, &args.at(0), "a property name")?)
        }
        Operation::Clear => {
            args.exact::<0>("no arguments for CLEAR")?;
            MapOp::Clear
        }
        Operation::Reset => {
            let [entries] = args.exact::<1>("RESET {style}")?;
            MapOp::Reset(style_entries(entries, &args.at(0))?)
        }
        Operation::Add | Operation::Insert => return Err(args.operation(STYLE_OPERATIONS)),
    })
}

fn attributes_op(operation: Operation, args: &Args<'_>) -> Result<MapOp<AttrValue>, DecodeError> {
    Ok(match operation {
        Operation::Set => {
            let [name, value] = args.exact::<2>("SET name, value")?;
            let name = string(name, &args.at(0), "an attribute name")?;
            let name = attribute_name(&name, &args.at(0))?;
            match attribute_value(&name, value, &args.at(1))? {
                Some(value) => MapOp::Set(name, value),
                // The client removes an attribute set to null.
                None => MapOp::Remove(name),
            }
        }
        Operation::Remove => {
            let [name] = args.exact::<1>("REMOVE name")?;
            MapOp::Remove(string(name, &args.at(0), "an attribute name")?)
        }
        Operation::Clear => {
            args.exact::<0>("no arguments for CLEAR")?;
            MapOp::Clear
        }
        Operation::Reset => {
            let [entries] = args.exact::<1>("RESET {attributes}")?;
            let at = args.at(0);
            let entries = entries
                .as_object()
                .ok_or_else(|| at.found(ATTRIBUTES, entries))?;
            let mut reset = Vec::with_capacity(entries.len());
            for (name, value) in entries {
                let name = attribute_name(name, &at)?;
                if let Some(value) = attribute_value(&name, value, &at)? {
                    reset.push((name, value));
                }
            }
            MapOp::Reset(reset)
        }
        Operation::Add | Operation::Insert => return Err(args.operation(ATTRIBUTE_OPERATIONS)),
    })
}

fn nodes_op(operation: Operation, args: &Args<'_>) -> Result<NodesOp, DecodeError> {
    Ok(match operation {
        Operation::Insert | Operation::Set => {
            let [index, spec] = args.exact::<2>("INSERT or SET index, node_spec")?;
            let index = index
                .as_u64()
                .and_then(|i| usize::try_from(i).ok())
                .ok_or_else(|| args.at(0).found(INDEX, index))?;
            let snapshot = decode_node(spec, &args.at(1))?;
            if operation == Operation::Insert {
                NodesOp::Insert(index, snapshot)
            } else {
                NodesOp::Set(index, snapshot)
            }
        }
        Operation::Remove => {
            // By the child's id, wherever it is, as the client does.
            let [child] = args.exact::<1>("REMOVE child_node_id")?;
            NodesOp::Remove(node_id(child, &args.at(0))?)
        }
        Operation::Clear => {
            args.exact::<0>("no arguments for CLEAR")?;
            NodesOp::Clear
        }
        Operation::Reset => {
            let [specs] = args.exact::<1>("RESET [node_specs]")?;
            let at = args.at(0);
            let specs = specs
                .as_array()
                .ok_or_else(|| at.found("a list of node specs", specs))?;
            NodesOp::Reset(
                specs
                    .iter()
                    .enumerate()
                    .map(|(i, spec)| decode_node(spec, &at.index(i)))
                    .collect::<Result<_, _>>()?,
            )
        }
        Operation::Add => return Err(args.operation(NODES_OPERATIONS)),
    })
}

fn widget_data_op(operation: Operation, args: &Args<'_>) -> Result<WidgetDataOp, DecodeError> {
    let path_at = args.at(0);
    Ok(match operation {
        Operation::Set => {
            let [path, key, value] = args.exact::<3>("SET key_path, key, value")?;
            WidgetDataOp::Set {
                path: key_path(path, &path_at)?,
                key: key_of(key, &args.at(1))?,
                value: to_value(value),
            }
        }
        Operation::Insert => {
            let [path, index, value] = args.exact::<3>("INSERT key_path, index, value")?;
            WidgetDataOp::Insert {
                path: key_path(path, &path_at)?,
                index: index
                    .as_u64()
                    .and_then(|i| usize::try_from(i).ok())
                    .ok_or_else(|| args.at(1).found(LIST_INDEX, index))?,
                value: to_value(value),
            }
        }
        Operation::Remove => {
            let [path, key] = args.exact::<2>("REMOVE key_path, key")?;
            WidgetDataOp::Remove {
                path: key_path(path, &path_at)?,
                key: key_of(key, &args.at(1))?,
            }
        }
        Operation::Clear => {
            let [path] = args.exact::<1>("CLEAR key_path")?;
            WidgetDataOp::Clear {
                path: key_path(path, &path_at)?,
            }
        }
        Operation::Reset => {
            let [path, value] = args.exact::<2>("RESET key_path, value")?;
            let mut path = key_path(path, &path_at)?;
            match path.pop() {
                None => WidgetDataOp::Reset(to_value(value)),
                Some(key) => WidgetDataOp::Set {
                    path,
                    key,
                    value: to_value(value),
                },
            }
        }
        Operation::Add => return Err(args.operation(WIDGET_DATA_OPERATIONS)),
    })
}

fn key_of(value: &Json, at: &At<'_>) -> Result<Key, DecodeError> {
    match value {
        Json::String(name) => Ok(Key::Name(name.clone())),
        Json::Number(n) => n
            .as_u64()
            .and_then(|i| usize::try_from(i).ok())
            .map(Key::Index)
            .ok_or_else(|| at.found(KEY, value)),
        _ => Err(at.found(KEY, value)),
    }
}

fn key_path(value: &Json, at: &At<'_>) -> Result<Vec<Key>, DecodeError> {
    value
        .as_array()
        .ok_or_else(|| at.found(KEY_PATH, value))?
        .iter()
        .enumerate()
        .map(|(i, key)| key_of(key, &at.index(i)))
        .collect()
}
