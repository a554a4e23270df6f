//! The DOM of one window: a detached `lona_html` tree built from the wire's node specs, a map
//! between the server's node ids and the local nodes, and every HTML_UPDATE patch applied
//! through the `Node` API, as the browser client applies them to its DOM.
//!
//! The tree is in no `Document`, so the edits record nothing. Every input is checked before it
//! reaches a `Node` method that would panic on it (an unknown id, a text node where an element
//! is needed, a reserved attribute, a widget-data path that does not exist): a bad frame is a
//! [`Problem`], never a panic.

use std::borrow::Cow;
use std::collections::HashMap;
use std::str::FromStr;

use lona_html::{
    AttrValue, Content, EVENTS_ATTRIBUTE, Event, Key, Namespace, Node, NodeId, TreeNode, Value,
    is_valid_attribute_name, parse_html,
};
use lona_protocol::{NodeType, Operation, PatchType};

use crate::json::Json;

/// What went wrong where in a frame; the caller adds the frame itself.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Problem {
    pub(crate) at: String,
    pub(crate) expected: Cow<'static, str>,
    pub(crate) found: String,
}

/// A position in a frame, as a chain of steps on the stack; rendered only for an error.
#[derive(Clone, Copy)]
pub(crate) struct At<'a> {
    parent: Option<&'a At<'a>>,
    index: Option<usize>,
}

impl<'a> At<'a> {
    /// The whole frame.
    pub(crate) const FRAME: At<'static> = At {
        parent: None,
        index: None,
    };

    /// Item `index` of the array here.
    pub(crate) fn index(&'a self, index: usize) -> At<'a> {
        At {
            parent: Some(self),
            index: Some(index),
        }
    }

    pub(crate) fn render(&self) -> String {
        let mut steps = Vec::new();
        let mut at = Some(self);
        while let Some(step) = at {
            steps.extend(step.index);
            at = step.parent;
        }
        let mut out = String::from("frame");
        for index in steps.iter().rev() {
            out.push_str(&format!("[{index}]"));
        }
        out
    }

    /// "Expected `expected` here, found `value`."
    pub(crate) fn found(&self, expected: impl Into<Cow<'static, str>>, value: &Json) -> Problem {
        self.problem(expected, value.describe())
    }

    pub(crate) fn problem(
        &self,
        expected: impl Into<Cow<'static, str>>,
        found: impl Into<String>,
    ) -> Problem {
        Problem {
            at: self.render(),
            expected: expected.into(),
            found: found.into(),
        }
    }
}

/// The items of an array of exactly `N` items.
pub(crate) fn fixed<'j, const N: usize>(
    value: &'j Json,
    at: &At<'_>,
    expected: &'static str,
) -> Result<&'j [Json; N], Problem> {
    value
        .as_array()
        .and_then(|items| <&[Json; N]>::try_from(items).ok())
        .ok_or_else(|| at.found(expected, value))
}

fn string<'j>(value: &'j Json, at: &At<'_>, expected: &'static str) -> Result<&'j str, Problem> {
    value.as_str().ok_or_else(|| at.found(expected, value))
}

/// A server node id: a string of a decimal number without sign or leading zeros.
fn wire_id<'j>(value: &'j Json, at: &At<'_>) -> Result<&'j str, Problem> {
    const EXPECTED: &str = "a node id (a string of a decimal number)";
    let id = string(value, at, EXPECTED)?;
    match NodeId::from_str(id) {
        Ok(_) => Ok(id),
        Err(_) => Err(at.found(EXPECTED, value)),
    }
}

/// The DOM of a window.
#[derive(Debug, Default)]
pub(crate) struct Dom {
    root: Option<Node>,
    /// The string of DATA with HTML (501), and the nodes it parses into.
    raw: Option<(String, Vec<Node>)>,
    by_id: HashMap<String, Node>,
    ids: HashMap<Node, String>,
    /// How many patches were applied; the count after the last one that touched each element
    /// (its ids, attributes, widget data or children; not its classes or style, as in the
    /// browser client), so that a click can tell whether its target changed under the pointer.
    patches: u64,
    touched: HashMap<Node, u64>,
}

impl Dom {
    pub(crate) fn clear(&mut self) {
        self.root = None;
        self.raw = None;
        self.by_id.clear();
        self.ids.clear();
        self.touched.clear();
    }

    /// How many patches the DOM took so far (a whole new tree counts as one).
    pub(crate) fn patch_count(&self) -> u64 {
        self.patches
    }

    /// The patch count right after the last patch that touched `node`, if one did.
    pub(crate) fn last_patched(&self, node: &Node) -> Option<u64> {
        self.touched.get(node).copied()
    }

    fn touch(&mut self, node: &Node) {
        self.touched.insert(node.clone(), self.patches);
    }

    pub(crate) fn root(&self) -> Option<&Node> {
        self.root.as_ref()
    }

    pub(crate) fn raw_html(&self) -> Option<&str> {
        self.raw.as_ref().map(|(html, _)| html.as_str())
    }

    /// The top-level nodes the window shows: the root of a tree, or the nodes of an HTML string.
    pub(crate) fn top_nodes(&self) -> &[Node] {
        match (&self.root, &self.raw) {
            (Some(root), _) => std::slice::from_ref(root),
            (None, Some((_, nodes))) => nodes,
            (None, None) => &[],
        }
    }

    pub(crate) fn node(&self, id: &str) -> Option<&Node> {
        self.by_id.get(id)
    }

    pub(crate) fn wire_id(&self, node: &Node) -> Option<&str> {
        self.ids.get(node).map(String::as_str)
    }

    pub(crate) fn len(&self) -> usize {
        self.by_id.len()
    }

    /// DATA with HTML_TREE: the spec replaces the whole DOM.
    pub(crate) fn set_tree(&mut self, spec: &Json, at: &At<'_>) -> Result<(), Problem> {
        let mut fresh = Vec::new();
        let root = build(spec, at, &mut fresh)?;
        self.clear();
        self.patches += 1;
        self.register(fresh);
        self.root = Some(root);
        Ok(())
    }

    /// DATA with HTML: the string replaces the whole DOM, parsed for queries.
    pub(crate) fn set_raw(&mut self, html: &str) {
        self.clear();
        self.patches += 1;
        self.raw = Some((html.to_owned(), parse_html(html)));
    }

    /// DATA with HTML_UPDATE: applies the patches in order.
    pub(crate) fn apply_patches(&mut self, patches: &Json, at: &At<'_>) -> Result<(), Problem> {
        let list = patches
            .as_array()
            .ok_or_else(|| at.found("a list of patches", patches))?;
        for (i, patch) in list.iter().enumerate() {
            self.patches += 1;
            self.apply_patch(patch, &at.index(i))?;
        }
        Ok(())
    }

    fn known(&self, value: &Json, at: &At<'_>) -> Result<Node, Problem> {
        let id = wire_id(value, at)?;
        self.by_id
            .get(id)
            .cloned()
            .ok_or_else(|| at.found("the id of a node the window shows", value))
    }

    fn element(&self, value: &Json, at: &At<'_>) -> Result<Node, Problem> {
        let node = self.known(value, at)?;
        if node.is_text() {
            return Err(at.found("the id of an element, not of a text node", value));
        }
        Ok(node)
    }

    fn register(&mut self, fresh: Vec<(String, Node)>) {
        for (id, node) in fresh {
            if let Some(old) = self.by_id.insert(id.clone(), node.clone())
                && old != node
                && self.ids.get(&old) == Some(&id)
            {
                self.ids.remove(&old);
            }
            self.ids.insert(node, id);
        }
    }

    /// Forgets the ids of a subtree that left the DOM.
    fn unregister(&mut self, node: &Node) {
        let mut stack = vec![node.clone()];
        while let Some(node) = stack.pop() {
            self.touched.remove(&node);
            if let Some(id) = self.ids.remove(&node)
                && self.by_id.get(&id) == Some(&node)
            {
                self.by_id.remove(&id);
            }
            stack.extend(node.children());
        }
    }

    fn apply_patch(&mut self, patch: &Json, at: &At<'_>) -> Result<(), Problem> {
        const PATCH: &str = "a patch [node_id, PATCH_TYPE, OPERATION, ...args]";
        let items = patch
            .as_array()
            .filter(|items| items.len() >= 3)
            .ok_or_else(|| at.found(PATCH, patch))?;
        let patch_type = items[1]
            .as_u64()
            .and_then(PatchType::from_code)
            .ok_or_else(|| at.index(1).found("a PATCH_TYPE (601 to 606)", &items[1]))?;
        let operation = items[2]
            .as_u64()
            .and_then(Operation::from_code)
            .ok_or_else(|| at.index(2).found("an OPERATION (701 to 706)", &items[2]))?;
        let args = Args {
            items: &items[3..],
            at,
        };
        match patch_type {
            PatchType::Nodes => self.patch_nodes(&items[0], operation, &args),
            PatchType::IdList | PatchType::ClassList => {
                let node = self.element(&items[0], &at.index(0))?;
                // As the browser client: a class or style change (a button turning "active"
                // while pressed) does not make a click stale; new ids, attributes, widget data
                // or children do.
                if patch_type == PatchType::IdList {
                    self.touch(&node);
                }
                patch_list(&node, patch_type == PatchType::IdList, operation, &args)
            }
            PatchType::Style => {
                let node = self.element(&items[0], &at.index(0))?;
                patch_style(&node, operation, &args)
            }
            PatchType::Attributes => {
                let node = self.element(&items[0], &at.index(0))?;
                self.touch(&node);
                patch_attributes(&node, operation, &args)
            }
            PatchType::WidgetData => {
                let node = self.element(&items[0], &at.index(0))?;
                self.touch(&node);
                patch_widget_data(&node, &items[0], operation, &args)
            }
        }
    }

    fn patch_nodes(
        &mut self,
        id: &Json,
        operation: Operation,
        args: &Args<'_>,
    ) -> Result<(), Problem> {
        match operation {
            Operation::Remove => {
                // By the child's id, wherever it is, as the client does.
                let [child] = args.exact::<1>("REMOVE child_node_id")?;
                let node = self.known(child, &args.at(0))?;
                if let Some(parent) = node.parent() {
                    self.touch(&parent);
                }
                if self.root.as_ref() == Some(&node) {
                    self.root = None;
                } else {
                    node.remove();
                }
                self.unregister(&node);
                Ok(())
            }
            Operation::Insert | Operation::Set => {
                let parent = self.element(id, &args.parent(0))?;
                self.touch(&parent);
                let [index, spec] = args.exact::<2>("INSERT or SET index, node_spec")?;
                let index = index
                    .as_u64()
                    .and_then(|i| usize::try_from(i).ok())
                    .ok_or_else(|| args.at(0).found("a child index", index))?;
                let mut fresh = Vec::new();
                let node = build(spec, &args.at(1), &mut fresh)?;
                if operation == Operation::Set && index < parent.child_count() {
                    let old = parent.replace_child(index, node);
                    self.unregister(&old);
                } else {
                    // INSERT past the end, or SET of a missing child, appends.
                    parent.insert(index, node);
                }
                self.register(fresh);
                Ok(())
            }
            Operation::Clear => {
                let parent = self.element(id, &args.parent(0))?;
                self.touch(&parent);
                args.exact::<0>("no arguments for CLEAR")?;
                let old = parent.children();
                parent.clear();
                for child in &old {
                    self.unregister(child);
                }
                Ok(())
            }
            Operation::Reset => {
                let parent = self.element(id, &args.parent(0))?;
                self.touch(&parent);
                let [specs] = args.exact::<1>("RESET [node_specs]")?;
                let list = specs
                    .as_array()
                    .ok_or_else(|| args.at(0).found("a list of node specs", specs))?;
                let at = args.at(0);
                let mut fresh = Vec::new();
                let children = list
                    .iter()
                    .enumerate()
                    .map(|(i, spec)| build(spec, &at.index(i), &mut fresh))
                    .collect::<Result<Vec<Node>, Problem>>()?;
                let old = parent.children();
                parent.set_children(children);
                for child in &old {
                    self.unregister(child);
                }
                self.register(fresh);
                Ok(())
            }
            Operation::Add => Err(args.operation("NODES: INSERT, SET, REMOVE, CLEAR or RESET")),
        }
    }
}

/// The arguments of a patch (its items from index 3 on).
struct Args<'a> {
    items: &'a [Json],
    at: &'a At<'a>,
}

impl Args<'_> {
    /// Where argument `i` is: item `3 + i` of the patch.
    fn at(&self, i: usize) -> At<'_> {
        self.at.index(3 + i)
    }

    /// Where item `i` of the patch itself is.
    fn parent(&self, i: usize) -> At<'_> {
        self.at.index(i)
    }

    fn exact<const N: usize>(&self, expected: &'static str) -> Result<&[Json; N], Problem> {
        <&[Json; N]>::try_from(self.items).map_err(|_| {
            self.at
                .problem(expected, format!("{} argument(s)", self.items.len()))
        })
    }

    fn operation(&self, expected: &'static str) -> Problem {
        self.at
            .index(2)
            .problem(format!("an operation of {expected}"), "another operation")
    }
}

/// Applies an ID_LIST or CLASS_LIST operation to `$list` (the two list types share no trait).
macro_rules! patch_list {
    ($list:expr, $operation:expr, $args:expr) => {{
        let (list, args) = ($list, $args);
        match $operation {
            Operation::Add => {
                let [value] = args.exact::<1>("ADD value")?;
                list.add(string(value, &args.at(0), "a string")?);
            }
            Operation::Remove => {
                let [value] = args.exact::<1>("REMOVE value")?;
                list.remove(string(value, &args.at(0), "a string")?);
            }
            Operation::Clear => {
                args.exact::<0>("no arguments for CLEAR")?;
                list.clear();
            }
            Operation::Reset => {
                let [values] = args.exact::<1>("RESET [values]")?;
                list.reset(strings(values, &args.at(0))?);
            }
            Operation::Set | Operation::Insert => {
                return Err(args.operation("ID_LIST and CLASS_LIST: ADD, REMOVE, CLEAR or RESET"));
            }
        }
        Ok(())
    }};
}

fn patch_list(
    node: &Node,
    ids: bool,
    operation: Operation,
    args: &Args<'_>,
) -> Result<(), Problem> {
    if ids {
        patch_list!(node.id_list(), operation, args)
    } else {
        patch_list!(node.class_list(), operation, args)
    }
}

fn patch_style(node: &Node, operation: Operation, args: &Args<'_>) -> Result<(), Problem> {
    let style = node.style();
    match operation {
        Operation::Set => {
            let [name, value] = args.exact::<2>("SET name, value")?;
            style.set(
                string(name, &args.at(0), "a property name")?,
                string(value, &args.at(1), "a property value (a string)")?,
            );
        }
        Operation::Remove => {
            let [name] = args.exact::<1>("REMOVE name")?;
            style.remove(string(name, &args.at(0), "a property name")?);
        }
        Operation::Clear => {
            args.exact::<0>("no arguments for CLEAR")?;
            style.clear();
        }
        Operation::Reset => {
            let [entries] = args.exact::<1>("RESET {style}")?;
            style.reset(style_entries(entries, &args.at(0))?);
        }
        Operation::Add | Operation::Insert => {
            return Err(args.operation("STYLE: SET, REMOVE, CLEAR or RESET"));
        }
    }
    Ok(())
}

fn patch_attributes(node: &Node, operation: Operation, args: &Args<'_>) -> Result<(), Problem> {
    match operation {
        Operation::Set => {
            let [name, value] = args.exact::<2>("SET name, value")?;
            let name = string(name, &args.at(0), "an attribute name")?;
            set_attribute(node, name, value, &args.at(1), &args.at(0))
        }
        Operation::Remove => {
            let [name] = args.exact::<1>("REMOVE name")?;
            remove_attribute(node, string(name, &args.at(0), "an attribute name")?);
            Ok(())
        }
        Operation::Clear => {
            // The client removes every attribute but id, class and style: the events too.
            args.exact::<0>("no arguments for CLEAR")?;
            node.attributes().clear();
            node.events().clear();
            Ok(())
        }
        Operation::Reset => {
            let [entries] = args.exact::<1>("RESET {attributes}")?;
            let at = args.at(0);
            let entries = entries
                .as_object()
                .ok_or_else(|| at.found("an object of attributes", entries))?;
            node.attributes().clear();
            node.events().clear();
            for (name, value) in entries {
                set_attribute(node, name, value, &at, &at)?;
            }
            Ok(())
        }
        Operation::Add | Operation::Insert => {
            Err(args.operation("ATTRIBUTES: SET, REMOVE, CLEAR or RESET"))
        }
    }
}

fn patch_widget_data(
    node: &Node,
    id: &Json,
    operation: Operation,
    args: &Args<'_>,
) -> Result<(), Problem> {
    if !node.visit(|_, content| matches!(content, Content::Element(e) if e.widget().is_some())) {
        return Err(args.parent(0).found("the id of a node with a widget", id));
    }
    let data = node.widget_data();
    let current = data.get();
    let path_at = args.at(0);
    let container = |path: &[Key]| {
        current.get_path(path).ok_or_else(|| {
            path_at.problem(
                "a key path that exists in the widget data",
                format!("{path:?}"),
            )
        })
    };
    let list_or_map = |path: &[Key]| match container(path)? {
        Value::List(_) | Value::Map(_) => Ok(()),
        _ => Err(path_at.problem("the key path of a list or a map", format!("{path:?}"))),
    };
    match operation {
        Operation::Set => {
            let [path, key, value] = args.exact::<3>("SET key_path, key, value")?;
            let path = key_path(path, &path_at)?;
            let key = key_of(key, &args.at(1))?;
            check_slot(container(&path)?, &key, &args.at(1))?;
            data.set(&path, key, to_value(value));
        }
        Operation::Insert => {
            let [path, index, value] = args.exact::<3>("INSERT key_path, index, value")?;
            let path = key_path(path, &path_at)?;
            let index = index
                .as_u64()
                .and_then(|i| usize::try_from(i).ok())
                .ok_or_else(|| args.at(1).found("a list index", index))?;
            if !matches!(container(&path)?, Value::List(_)) {
                return Err(path_at.problem("the key path of a list", format!("{path:?}")));
            }
            data.insert(&path, index, to_value(value));
        }
        Operation::Remove => {
            let [path, key] = args.exact::<2>("REMOVE key_path, key")?;
            let path = key_path(path, &path_at)?;
            let key = key_of(key, &args.at(1))?;
            list_or_map(&path)?;
            data.remove(&path, key);
        }
        Operation::Clear => {
            let [path] = args.exact::<1>("CLEAR key_path")?;
            let path = key_path(path, &path_at)?;
            list_or_map(&path)?;
            data.clear(&path);
        }
        Operation::Reset => {
            let [path, value] = args.exact::<2>("RESET key_path, value")?;
            let path = key_path(path, &path_at)?;
            match path.split_last() {
                None => data.reset(to_value(value)),
                Some((key, parent)) => {
                    check_slot(container(parent)?, key, &path_at)?;
                    data.set(parent, key.clone(), to_value(value));
                }
            }
        }
        Operation::Add => {
            return Err(args.operation("WIDGET_DATA: SET, INSERT, REMOVE, CLEAR or RESET"));
        }
    }
    Ok(())
}

/// Whether `key` names a slot `WidgetData::set` can write in `container`: any key of a map, or
/// an existing index of a list.
fn check_slot(container: &Value, key: &Key, at: &At<'_>) -> Result<(), Problem> {
    match (container, key) {
        (Value::Map(_), Key::Name(_)) => Ok(()),
        (Value::List(items), Key::Index(index)) if *index < items.len() => Ok(()),
        _ => Err(at.problem(
            "a map key, or an index of a list item, at the key path",
            format!("{key:?}"),
        )),
    }
}

fn key_of(value: &Json, at: &At<'_>) -> Result<Key, Problem> {
    match value {
        Json::Str(name) => Ok(Key::Name(name.clone())),
        Json::Int(i) => usize::try_from(*i)
            .map(Key::Index)
            .map_err(|_| at.found("a key (a string or a non-negative index)", value)),
        _ => Err(at.found("a key (a string or a non-negative index)", value)),
    }
}

fn key_path(value: &Json, at: &At<'_>) -> Result<Vec<Key>, Problem> {
    let items = value
        .as_array()
        .ok_or_else(|| at.found("a key path (a list of keys)", value))?;
    items
        .iter()
        .enumerate()
        .map(|(i, key)| key_of(key, &at.index(i)))
        .collect()
}

fn strings<'j>(value: &'j Json, at: &At<'_>) -> Result<Vec<&'j str>, Problem> {
    let items = value
        .as_array()
        .ok_or_else(|| at.found("a list of strings", value))?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| string(item, &at.index(i), "a string"))
        .collect()
}

fn style_entries<'j>(value: &'j Json, at: &At<'_>) -> Result<Vec<(&'j str, &'j str)>, Problem> {
    let entries = value
        .as_object()
        .ok_or_else(|| at.found("an object of style properties", value))?;
    entries
        .iter()
        .map(|(name, value)| {
            let value = value.as_str().ok_or_else(|| {
                at.found(format!("a string value for style property {name:?}"), value)
            })?;
            Ok((name.as_str(), value))
        })
        .collect()
}

/// Converts widget data or custom event data; maps keep their order.
pub(crate) fn to_value(value: &Json) -> Value {
    match value {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Int(i) => Value::Int(*i),
        Json::Float(x) => Value::Float(*x),
        Json::Str(s) => Value::String(s.clone()),
        Json::Array(items) => Value::List(items.iter().map(to_value).collect()),
        Json::Object(entries) => Value::Map(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), to_value(v)))
                .collect(),
        ),
    }
}

/// Parses a `data-lona-events` value: codes joined by `;`, a debounced change as `302:<ms>`.
pub(crate) fn parse_events(value: &str) -> Option<Vec<Event>> {
    let mut events = Vec::new();
    for part in value.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (code, delay) = match part.split_once(':') {
            Some((code, delay)) => (code, Some(delay.trim())),
            None => (part, None),
        };
        let event = match (code.trim().parse::<u16>().ok()?, delay) {
            (Event::CLICK_CODE, None) => Event::Click,
            (Event::CHANGE_CODE, None) => Event::CHANGE,
            (Event::CHANGE_CODE, Some(delay)) => Event::Change {
                delay_ms: delay.parse().ok()?,
            },
            (Event::FOCUS_CODE, None) => Event::Focus,
            (Event::BLUR_CODE, None) => Event::Blur,
            (Event::SUBMIT_CODE, None) => Event::Submit,
            _ => return None,
        };
        events.push(event);
    }
    Some(events)
}

/// Sets one attribute from the wire: `data-lona-events` becomes the node's events, `null`
/// removes the attribute (as the client does), and other values keep their JSON type.
fn set_attribute(
    node: &Node,
    name: &str,
    value: &Json,
    value_at: &At<'_>,
    name_at: &At<'_>,
) -> Result<(), Problem> {
    if *value == Json::Null {
        remove_attribute(node, name);
        return Ok(());
    }
    if name == EVENTS_ATTRIBUTE {
        const EXPECTED: &str =
            "event codes joined by ';' (301, 302 or 302:<ms>, 304, 305), or false";
        let events = match value {
            Json::Bool(false) => Vec::new(),
            Json::Str(text) => parse_events(text).ok_or_else(|| value_at.found(EXPECTED, value))?,
            _ => return Err(value_at.found(EXPECTED, value)),
        };
        let _lock = node.lock();
        node.events().clear();
        for event in events {
            node.events().add(event);
        }
        return Ok(());
    }
    if !is_valid_attribute_name(name) || name == "data-lona-node-id" {
        return Err(name_at.problem(
            "an attribute name that renders safely and is not data-lona-node-id",
            format!("{name:?}"),
        ));
    }
    let value = match value {
        Json::Str(s) => AttrValue::Str(s.clone()),
        Json::Bool(b) => AttrValue::Bool(*b),
        Json::Int(i) => AttrValue::Int(*i),
        Json::Float(x) => AttrValue::Float(*x),
        _ => {
            return Err(value_at.found(
                format!("a value for attribute {name:?}: a string, a bool, a number or null"),
                value,
            ));
        }
    };
    node.attributes().set(name, value);
    Ok(())
}

fn remove_attribute(node: &Node, name: &str) {
    match name {
        EVENTS_ATTRIBUTE => node.events().clear(),
        "id" => node.id_list().clear(),
        "class" => node.class_list().clear(),
        "style" => node.style().clear(),
        _ => node.attributes().remove(name),
    }
}

fn namespace(uri: &str) -> Namespace {
    for known in [Namespace::HTML, Namespace::SVG, Namespace::MATHML] {
        if known.as_str() == uri {
            return known;
        }
    }
    Namespace::new(uri.to_owned())
}

/// Builds the subtree of a node spec; the ids it carries are pushed to `fresh`, for the caller
/// to register once the subtree is in place.
pub(crate) fn build(
    spec: &Json,
    at: &At<'_>,
    fresh: &mut Vec<(String, Node)>,
) -> Result<Node, Problem> {
    const SPEC: &str = "a node spec [401, id, ...] or [402, id, text]";
    let items = spec.as_array().ok_or_else(|| at.found(SPEC, spec))?;
    let kind = items
        .first()
        .and_then(Json::as_u64)
        .and_then(NodeType::from_code);
    match kind {
        Some(NodeType::TextNode) => {
            let [_, id, text] = fixed::<3>(spec, at, "a text node spec [402, id, text]")?;
            let id = wire_id(id, &at.index(1))?;
            let text = string(text, &at.index(2), "the text (a string)")?;
            let node = Node::text(text);
            fresh.push((id.to_owned(), node.clone()));
            Ok(node)
        }
        Some(NodeType::Node) => build_element(spec, at, fresh),
        Some(NodeType::Widget) => Err(at.found(
            "a node spec of type 401 or 402 (403 is a legacy widget of client v1)",
            spec,
        )),
        None => Err(at.found(SPEC, spec)),
    }
}

fn build_element(
    spec: &Json,
    at: &At<'_>,
    fresh: &mut Vec<(String, Node)>,
) -> Result<Node, Problem> {
    let [
        _,
        id,
        ns,
        tag,
        ids,
        classes,
        style,
        attributes,
        children,
        widget,
        widget_data,
    ] = fixed::<11>(
        spec,
        at,
        "an element spec [401, id, namespace, tag, [ids], [classes], {style}, \
             {attributes}, [children], widget, widget_data]",
    )?;
    let id = wire_id(id, &at.index(1))?;
    let ns = string(ns, &at.index(2), "a namespace (a string, \"\" for HTML)")?;
    let tag = string(tag, &at.index(3), "a tag name")?;
    if !is_valid_attribute_name(tag) {
        return Err(at.index(3).problem(
            "a tag name without spaces, quotes, '<', '>', '/', '=' or '`'",
            format!("{tag:?}"),
        ));
    }
    let node = Node::element_ns(namespace(ns), tag.to_owned());
    node.id_list().reset(strings(ids, &at.index(4))?);
    node.class_list().reset(strings(classes, &at.index(5))?);
    node.style().reset(style_entries(style, &at.index(6))?);
    let attributes_at = at.index(7);
    let attributes = attributes
        .as_object()
        .ok_or_else(|| attributes_at.found("an object of attributes", attributes))?;
    for (name, value) in attributes {
        set_attribute(&node, name, value, &attributes_at, &attributes_at)?;
    }
    let children_at = at.index(8);
    let children = children
        .as_array()
        .ok_or_else(|| children_at.found("a list of child specs", children))?;
    for (i, child) in children.iter().enumerate() {
        node.append(build(child, &children_at.index(i), fresh)?);
    }
    let widget = string(widget, &at.index(9), "a widget class name (\"\" for none)")?;
    let node = if widget.is_empty() && *widget_data == Json::Null {
        node
    } else {
        node.with_widget(widget, to_value(widget_data))
    };
    fresh.push((id.to_owned(), node.clone()));
    Ok(node)
}

#[cfg(test)]
mod tests;
