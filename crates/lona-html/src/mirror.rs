//! `Mirror`: the tree a browser window shows, rebuilt from what the server sends and kept up to
//! date by applying [`Patch`]es as the browser client applies them. The one patch applier in
//! Rust: the test kit's windows and this crate's replay tests use it.
//!
//! The tree is a detached tree of [`Node`]s (in no `Document`, so the edits record nothing),
//! queried with the whole `Node` API; a map ties the server's node ids to the local nodes.
//! Every input is checked before it reaches a `Node` method that would panic on it (an unknown
//! id, a text node where an element is needed, a widget-data path that does not exist, a name
//! the tree cannot hold): a patch the window cannot take is an [`ApplyError`], never a panic.

use std::collections::HashMap;
use std::fmt;

use crate::content::{Content, EVENTS_ATTRIBUTE, parse_events_attribute};
use crate::{
    AttrValue, Event, Key, ListOp, MapOp, Namespace, Node, NodeId, NodesOp, Patch, PatchOp,
    Snapshot, TreeNode, Value, WidgetDataOp, is_valid_attribute_name, parse_html,
};

/// Where in a patch `[node_id, PATCH_TYPE, OPERATION, ...args]` an [`ApplyError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchPart {
    /// The node id the patch applies to.
    Node,
    /// Argument `i` (item `3 + i` of the patch on the wire).
    Arg(usize),
}

/// A patch (or a tree) the window cannot take: where, what was expected, what was found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApplyError {
    /// The part of the patch.
    pub part: PatchPart,
    /// What was expected there.
    pub expected: &'static str,
    /// What was found instead.
    pub found: String,
}

impl ApplyError {
    fn new(part: PatchPart, expected: &'static str, found: impl fmt::Display) -> ApplyError {
        ApplyError {
            part,
            expected,
            found: found.to_string(),
        }
    }
}

impl fmt::Display for ApplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "at {:?} of the patch, expected {}, found {}",
            self.part, self.expected, self.found
        )
    }
}

impl std::error::Error for ApplyError {}

const UNKNOWN_NODE: &str = "the id of a node the window shows";

/// Applies an ID_LIST or CLASS_LIST operation to `$list` (the two list types share no trait).
macro_rules! patch_list {
    ($list:expr, $op:expr) => {{
        let list = $list;
        match $op {
            ListOp::Add(value) => list.add(value),
            ListOp::Remove(value) => list.remove(value),
            ListOp::Clear => list.clear(),
            ListOp::Reset(values) => list.reset(values),
        }
    }};
}

/// The tree of one window, as the browser client holds it.
#[derive(Debug, Default)]
pub struct Mirror {
    root: Option<Node>,
    /// The string of DATA with HTML (501), and the nodes it parses into.
    raw: Option<(String, Vec<Node>)>,
    by_id: HashMap<NodeId, Node>,
    /// The server's id of each node, as the wire writes it.
    ids: HashMap<Node, String>,
    /// How many patches were applied; the count after the last one that touched each element
    /// (its ids, attributes, widget data or children; not its classes or style, as in the
    /// browser client), so that a click can tell whether its target changed under the pointer.
    patches: u64,
    touched: HashMap<Node, u64>,
}

impl Mirror {
    /// An empty window.
    pub fn new() -> Mirror {
        Mirror::default()
    }

    /// A window showing `tree`.
    ///
    /// # Errors
    ///
    /// As [`Mirror::set_tree`].
    pub fn from_snapshot(tree: &Snapshot) -> Result<Mirror, ApplyError> {
        let mut mirror = Mirror::new();
        mirror.set_tree(tree)?;
        Ok(mirror)
    }

    /// Empties the window (a new view starts).
    pub fn clear(&mut self) {
        self.root = None;
        self.raw = None;
        self.by_id.clear();
        self.ids.clear();
        self.touched.clear();
    }

    /// How many patches the window took so far (a whole new tree counts as one).
    pub fn patch_count(&self) -> u64 {
        self.patches
    }

    /// The patch count right after the last patch that touched `node`, if one did.
    pub fn last_patched(&self, node: &Node) -> Option<u64> {
        self.touched.get(node).copied()
    }

    fn touch(&mut self, node: &Node) {
        self.touched.insert(node.clone(), self.patches);
    }

    /// The root of the tree the window shows.
    pub fn root(&self) -> Option<&Node> {
        self.root.as_ref()
    }

    /// The HTML string the window shows, if it was last given one rather than a tree.
    pub fn raw_html(&self) -> Option<&str> {
        self.raw.as_ref().map(|(html, _)| html.as_str())
    }

    /// The top-level nodes the window shows: the root of a tree, or the nodes of an HTML string.
    pub fn top_nodes(&self) -> &[Node] {
        match (&self.root, &self.raw) {
            (Some(root), _) => std::slice::from_ref(root),
            (None, Some((_, nodes))) => nodes,
            (None, None) => &[],
        }
    }

    /// The node with this server id.
    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.by_id.get(&id)
    }

    /// The server id of a node of the tree, as the wire writes it (`"12"`).
    pub fn wire_id(&self, node: &Node) -> Option<&str> {
        self.ids.get(node).map(String::as_str)
    }

    /// How many nodes with server ids the tree holds.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether the window shows no tree.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// The tree as a snapshot with the server's ids, to compare with the server's tree.
    pub fn snapshot(&self) -> Option<Snapshot> {
        let root = self.root.as_ref()?;
        let mut snapshot = root.snapshot();
        self.relabel(root, &mut snapshot);
        Some(snapshot)
    }

    /// Gives `snapshot` (taken of `node`) the server's ids.
    fn relabel(&self, node: &Node, snapshot: &mut Snapshot) {
        if let Some(id) = self.wire_id(node).and_then(|id| id.parse().ok()) {
            snapshot.id = id;
        }
        if let Content::Element(element) = &mut snapshot.content {
            for (child, child_snapshot) in node.children().iter().zip(&mut element.children) {
                self.relabel(child, child_snapshot);
            }
        }
    }

    /// DATA with HTML_TREE: `tree` replaces the whole window.
    ///
    /// # Errors
    ///
    /// If the tree holds an attribute the tree cannot hold (a decoded tree never does).
    pub fn set_tree(&mut self, tree: &Snapshot) -> Result<(), ApplyError> {
        let mut fresh = Vec::new();
        let root = build(tree, &mut fresh)?;
        self.clear();
        self.patches += 1;
        self.register(fresh);
        self.root = Some(root);
        Ok(())
    }

    /// DATA with HTML: the string replaces the whole window, parsed for queries.
    pub fn set_html(&mut self, html: &str) {
        self.clear();
        self.patches += 1;
        self.raw = Some((html.to_owned(), parse_html(html)));
    }

    /// Applies one patch, as the browser client does.
    ///
    /// # Errors
    ///
    /// If the window cannot take the patch: its node is unknown or a text node where an
    /// element is needed, the widget-data path does not exist... The window is unchanged then.
    pub fn apply(&mut self, patch: &Patch) -> Result<(), ApplyError> {
        self.patches += 1;
        let id = patch.node_id;
        match &patch.op {
            PatchOp::Nodes(op) => self.patch_nodes(id, op),
            PatchOp::IdList(op) => {
                let node = self.element(id)?;
                // As the browser client: a class or style change (a button turning "active"
                // while pressed) does not make a click stale; new ids, attributes, widget data
                // or children do.
                self.touch(&node);
                patch_list!(node.id_list(), op);
                Ok(())
            }
            PatchOp::ClassList(op) => {
                let node = self.element(id)?;
                patch_list!(node.class_list(), op);
                Ok(())
            }
            PatchOp::Style(op) => {
                let node = self.element(id)?;
                let style = node.style();
                match op {
                    MapOp::Set(name, value) => style.set(name, value),
                    MapOp::Remove(name) => style.remove(name),
                    MapOp::Clear => style.clear(),
                    MapOp::Reset(entries) => style.reset(entries.iter().map(|(k, v)| (k, v))),
                }
                Ok(())
            }
            PatchOp::Attributes(op) => {
                let node = self.element(id)?;
                self.touch(&node);
                patch_attributes(&node, op)
            }
            PatchOp::WidgetData(op) => {
                let node = self.element(id)?;
                self.touch(&node);
                patch_widget_data(&node, id, op)
            }
        }
    }

    fn known(&self, id: NodeId, part: PatchPart) -> Result<Node, ApplyError> {
        self.by_id
            .get(&id)
            .cloned()
            .ok_or_else(|| ApplyError::new(part, UNKNOWN_NODE, format_args!("node {id}")))
    }

    fn element(&self, id: NodeId) -> Result<Node, ApplyError> {
        let node = self.known(id, PatchPart::Node)?;
        if node.is_text() {
            return Err(ApplyError::new(
                PatchPart::Node,
                "the id of an element, not of a text node",
                format_args!("text node {id}"),
            ));
        }
        Ok(node)
    }

    fn register(&mut self, fresh: Vec<(NodeId, Node)>) {
        for (id, node) in fresh {
            let text = id.to_string();
            if let Some(old) = self.by_id.insert(id, node.clone())
                && old != node
                && self.ids.get(&old) == Some(&text)
            {
                self.ids.remove(&old);
            }
            self.ids.insert(node, text);
        }
    }

    /// Forgets the ids of a subtree that left the window.
    fn unregister(&mut self, node: &Node) {
        let mut stack = vec![node.clone()];
        while let Some(node) = stack.pop() {
            self.touched.remove(&node);
            if let Some(id) = self
                .ids
                .remove(&node)
                .and_then(|id| id.parse::<NodeId>().ok())
                && self.by_id.get(&id) == Some(&node)
            {
                self.by_id.remove(&id);
            }
            stack.extend(node.children());
        }
    }

    fn patch_nodes(&mut self, id: NodeId, op: &NodesOp) -> Result<(), ApplyError> {
        match op {
            NodesOp::Remove(child) => {
                // By the child's id, wherever it is, as the client does.
                let node = self.known(*child, PatchPart::Arg(0))?;
                if let Some(parent) = node.parent() {
                    self.touch(&parent);
                }
                if self.root.as_ref() == Some(&node) {
                    self.root = None;
                } else {
                    node.remove();
                }
                self.unregister(&node);
            }
            NodesOp::Insert(index, snapshot) | NodesOp::Set(index, snapshot) => {
                let parent = self.element(id)?;
                self.touch(&parent);
                let mut fresh = Vec::new();
                let node = build(snapshot, &mut fresh).map_err(|error| ApplyError {
                    part: PatchPart::Arg(1),
                    ..error
                })?;
                if matches!(op, NodesOp::Set(..)) && *index < parent.child_count() {
                    let old = parent.replace_child(*index, node);
                    self.unregister(&old);
                } else {
                    // INSERT past the end, or SET of a missing child, appends.
                    parent.insert(*index, node);
                }
                self.register(fresh);
            }
            NodesOp::Clear => {
                let parent = self.element(id)?;
                self.touch(&parent);
                let old = parent.children();
                parent.clear();
                for child in &old {
                    self.unregister(child);
                }
            }
            NodesOp::Reset(snapshots) => {
                let parent = self.element(id)?;
                self.touch(&parent);
                let mut fresh = Vec::new();
                let children = snapshots
                    .iter()
                    .map(|snapshot| build(snapshot, &mut fresh))
                    .collect::<Result<Vec<Node>, ApplyError>>()
                    .map_err(|error| ApplyError {
                        part: PatchPart::Arg(0),
                        ..error
                    })?;
                let old = parent.children();
                parent.set_children(children);
                for child in &old {
                    self.unregister(child);
                }
                self.register(fresh);
            }
        }
        Ok(())
    }
}

fn patch_attributes(node: &Node, op: &MapOp<AttrValue>) -> Result<(), ApplyError> {
    match op {
        MapOp::Set(name, value) => {
            set_attribute(node, name, value, PatchPart::Arg(0), PatchPart::Arg(1))
        }
        MapOp::Remove(name) => {
            remove_attribute(node, name);
            Ok(())
        }
        MapOp::Clear => {
            // The client removes every attribute but id, class and style: the events too.
            node.attributes().clear();
            node.events().clear();
            Ok(())
        }
        MapOp::Reset(entries) => {
            node.attributes().clear();
            node.events().clear();
            for (name, value) in entries {
                set_attribute(node, name, value, PatchPart::Arg(0), PatchPart::Arg(0))?;
            }
            Ok(())
        }
    }
}

fn patch_widget_data(node: &Node, id: NodeId, op: &WidgetDataOp) -> Result<(), ApplyError> {
    // A RESET gives any element widget data, as `WidgetData::reset` does on the server; every
    // other operation needs data with the path it names.
    if let WidgetDataOp::Reset(value) = op {
        node.widget_data().reset(value.clone());
        return Ok(());
    }
    if !node.visit(|_, content| matches!(content, Content::Element(e) if e.widget().is_some())) {
        return Err(ApplyError::new(
            PatchPart::Node,
            "the id of a node with a widget",
            format_args!("node {id} without a widget"),
        ));
    }
    let data = node.widget_data();
    let current = data.get();
    let path_error = |expected: &'static str, path: &[Key]| {
        ApplyError::new(PatchPart::Arg(0), expected, format_args!("{path:?}"))
    };
    let container = |path: &[Key]| {
        current
            .get_path(path)
            .ok_or_else(|| path_error("a key path that exists in the widget data", path))
    };
    let list_or_map = |path: &[Key]| match container(path)? {
        Value::List(_) | Value::Map(_) => Ok(()),
        _ => Err(path_error("the key path of a list or a map", path)),
    };
    match op {
        WidgetDataOp::Set { path, key, value } => {
            check_slot(container(path)?, key)?;
            data.set(path, key.clone(), value.clone());
        }
        WidgetDataOp::Insert { path, index, value } => {
            if !matches!(container(path)?, Value::List(_)) {
                return Err(path_error("the key path of a list", path));
            }
            data.insert(path, *index, value.clone());
        }
        WidgetDataOp::Remove { path, key } => {
            list_or_map(path)?;
            data.remove(path, key.clone());
        }
        WidgetDataOp::Clear { path } => {
            list_or_map(path)?;
            data.clear(path);
        }
        // Handled above.
        WidgetDataOp::Reset(_) => {}
    }
    Ok(())
}

/// Whether `key` names a slot `WidgetData::set` can write in `container`: any key of a map, or
/// an existing index of a list.
fn check_slot(container: &Value, key: &Key) -> Result<(), ApplyError> {
    match (container, key) {
        (Value::Map(_), Key::Name(_)) => Ok(()),
        (Value::List(items), Key::Index(index)) if *index < items.len() => Ok(()),
        _ => Err(ApplyError::new(
            PatchPart::Arg(1),
            "a map key, or an index of a list item, at the key path",
            format_args!("{key:?}"),
        )),
    }
}

/// Sets one attribute as the client does: `data-lona-events` becomes the node's events
/// (`false` for none), and other values keep their type.
fn set_attribute(
    node: &Node,
    name: &str,
    value: &AttrValue,
    name_part: PatchPart,
    value_part: PatchPart,
) -> Result<(), ApplyError> {
    if name == EVENTS_ATTRIBUTE {
        let events = match value {
            AttrValue::Bool(false) => Some(Vec::new()),
            AttrValue::Str(text) => parse_events_attribute(text),
            _ => None,
        }
        .ok_or_else(|| {
            ApplyError::new(
                value_part,
                "event codes joined by ';' (301, 302 or 302:<ms>, 304, 305), or false",
                format_args!("{value:?}"),
            )
        })?;
        let _lock = node.lock();
        node.events().clear();
        for event in events {
            node.events().add(event);
        }
        return Ok(());
    }
    if !is_valid_attribute_name(name) || name == "data-lona-node-id" {
        return Err(ApplyError::new(
            name_part,
            "an attribute name that renders safely and is not data-lona-node-id",
            format_args!("{name:?}"),
        ));
    }
    node.attributes().set(name, value.clone());
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

/// Builds the subtree of a snapshot; the ids it carries are pushed to `fresh`, for the caller
/// to register once the subtree is in place.
fn build(snapshot: &Snapshot, fresh: &mut Vec<(NodeId, Node)>) -> Result<Node, ApplyError> {
    let node = match snapshot.content() {
        Content::Text(text) => Node::text(text.clone()),
        Content::Element(element) => {
            let namespace = element.own_namespace().cloned().unwrap_or(Namespace::HTML);
            let node = Node::element_ns(namespace, element.tag().to_owned());
            node.id_list().reset(element.ids());
            node.class_list().reset(element.classes());
            node.style()
                .reset(element.style().iter().map(|(k, v)| (k, v)));
            for (name, value) in element.attributes() {
                set_attribute(&node, name, value, PatchPart::Node, PatchPart::Node)?;
            }
            // Custom events stay on the server: the browser never sees them.
            for event in element.events() {
                if !matches!(event, Event::Custom(_)) {
                    node.events().add(event.clone());
                }
            }
            for child in element.children() {
                node.append(build(child, fresh)?);
            }
            match element.widget() {
                Some(widget) => node.with_widget(widget.name(), widget.data().clone()),
                None => node,
            }
        }
    };
    fresh.push((snapshot.id(), node.clone()));
    Ok(node)
}

#[cfg(test)]
mod tests;
