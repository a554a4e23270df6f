//! A tiny DOM that replays patches the way the browser client does, for property tests:
//! replaying what a tree recorded (or what `diff` produced) must give the tree as it is now.

use crate::content::{Content, EVENTS_ATTRIBUTE};
use crate::{
    AttrValue, Key, ListOp, MapOp, NodeId, NodesOp, Patch, PatchOp, Snapshot, Value, WidgetDataOp,
};

/// A node of the replaying DOM; compare with [`Dom::normalized`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Dom {
    pub(crate) id: NodeId,
    pub(crate) kind: DomKind,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum DomKind {
    Text(String),
    Element {
        ns: String,
        tag: String,
        ids: Vec<String>,
        classes: Vec<String>,
        style: Vec<(String, String)>,
        /// Attributes as the browser holds them, `data-lona-events` included.
        attributes: Vec<(String, AttrValue)>,
        widget: Option<(String, Value)>,
        children: Vec<Dom>,
    },
}

impl Dom {
    pub(crate) fn from_snapshot(snapshot: &Snapshot) -> Dom {
        let kind = match snapshot.content() {
            Content::Text(text) => DomKind::Text(text.clone()),
            Content::Element(element) => {
                let mut attributes = element.attributes().to_vec();
                if let Some(events) = element.events_attribute() {
                    attributes.push((EVENTS_ATTRIBUTE.to_owned(), AttrValue::Str(events)));
                }
                DomKind::Element {
                    ns: element
                        .own_namespace()
                        .map_or(String::new(), |ns| ns.as_str().to_owned()),
                    tag: element.tag().to_owned(),
                    ids: element.ids().to_vec(),
                    classes: element.classes().to_vec(),
                    style: element.style().to_vec(),
                    attributes,
                    widget: element
                        .widget()
                        .map(|w| (w.name().to_owned(), w.data().clone())),
                    children: element.children().iter().map(Dom::from_snapshot).collect(),
                }
            }
        };
        Dom {
            id: snapshot.id(),
            kind,
        }
    }

    /// The same DOM with attributes sorted by name: attribute order means nothing to a browser.
    pub(crate) fn normalized(mut self) -> Dom {
        if let DomKind::Element {
            attributes,
            children,
            ..
        } = &mut self.kind
        {
            attributes.sort_by(|a, b| a.0.cmp(&b.0));
            *children = std::mem::take(children)
                .into_iter()
                .map(Dom::normalized)
                .collect();
        }
        self
    }

    fn find(&mut self, id: NodeId) -> Option<&mut Dom> {
        if self.id == id {
            return Some(self);
        }
        match &mut self.kind {
            DomKind::Element { children, .. } => children.iter_mut().find_map(|c| c.find(id)),
            DomKind::Text(_) => None,
        }
    }

    /// Applies patches in order, as the client does; panics on a patch the client could not
    /// apply (an unknown node id, an index out of range).
    pub(crate) fn apply(&mut self, patches: &[Patch]) {
        for patch in patches {
            let node = self
                .find(patch.node_id)
                .unwrap_or_else(|| panic!("patch for unknown node {}: {patch:?}", patch.node_id));
            let DomKind::Element {
                ids,
                classes,
                style,
                attributes,
                widget,
                children,
                ..
            } = &mut node.kind
            else {
                panic!("patch for text node {}", patch.node_id);
            };
            match &patch.op {
                PatchOp::IdList(op) => apply_list(ids, op),
                PatchOp::ClassList(op) => apply_list(classes, op),
                PatchOp::Style(op) => apply_map(style, op),
                PatchOp::Attributes(op) => apply_map(attributes, op),
                PatchOp::Nodes(op) => match op {
                    NodesOp::Insert(index, snapshot) => {
                        assert!(
                            *index <= children.len(),
                            "insert at {index} of {}",
                            children.len()
                        );
                        children.insert(*index, Dom::from_snapshot(snapshot));
                    }
                    NodesOp::Set(index, snapshot) => {
                        children[*index] = Dom::from_snapshot(snapshot);
                    }
                    NodesOp::Remove(id) => {
                        let index = children
                            .iter()
                            .position(|c| c.id == *id)
                            .unwrap_or_else(|| panic!("remove of unknown child {id}"));
                        children.remove(index);
                    }
                    NodesOp::Clear => children.clear(),
                    NodesOp::Reset(snapshots) => {
                        *children = snapshots.iter().map(Dom::from_snapshot).collect();
                    }
                },
                PatchOp::WidgetData(op) => {
                    let data = &mut widget.get_or_insert_with(|| (String::new(), Value::Null)).1;
                    apply_widget_data(data, op);
                }
            }
        }
    }
}

fn apply_list(list: &mut Vec<String>, op: &ListOp) {
    match op {
        ListOp::Add(value) => {
            if !list.contains(value) {
                list.push(value.clone());
            }
        }
        ListOp::Remove(value) => list.retain(|v| v != value),
        ListOp::Clear => list.clear(),
        ListOp::Reset(values) => values.clone_into(list),
    }
}

fn apply_map<V: Clone>(map: &mut Vec<(String, V)>, op: &MapOp<V>) {
    match op {
        MapOp::Set(key, value) => match map.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => *v = value.clone(),
            None => map.push((key.clone(), value.clone())),
        },
        MapOp::Remove(key) => map.retain(|(k, _)| k != key),
        MapOp::Clear => map.clear(),
        MapOp::Reset(entries) => entries.clone_into(map),
    }
}

fn apply_widget_data(data: &mut Value, op: &WidgetDataOp) {
    match op {
        WidgetDataOp::Reset(value) => *data = value.clone(),
        WidgetDataOp::Set { path, key, value } => {
            match (data.get_path_mut(path).expect("path exists"), key) {
                (Value::Map(entries), Key::Name(name)) => {
                    match entries.iter_mut().find(|(k, _)| k == name) {
                        Some((_, v)) => *v = value.clone(),
                        None => entries.push((name.clone(), value.clone())),
                    }
                }
                (Value::List(items), Key::Index(index)) => items[*index] = value.clone(),
                (container, key) => panic!("set {key} on {container:?}"),
            }
        }
        WidgetDataOp::Insert { path, index, value } => {
            match data.get_path_mut(path).expect("path exists") {
                Value::List(items) => items.insert(*index, value.clone()),
                other => panic!("insert into {other:?}"),
            }
        }
        WidgetDataOp::Remove { path, key } => {
            match (data.get_path_mut(path).expect("path exists"), key) {
                (Value::Map(entries), Key::Name(name)) => entries.retain(|(k, _)| k != name),
                (Value::List(items), Key::Index(index)) => {
                    items.remove(*index);
                }
                (container, key) => panic!("remove {key} from {container:?}"),
            }
        }
        WidgetDataOp::Clear { path } => match data.get_path_mut(path).expect("path exists") {
            Value::Map(entries) => entries.clear(),
            Value::List(items) => items.clear(),
            other => panic!("clear {other:?}"),
        },
    }
}
