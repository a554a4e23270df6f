//! `diff`: the patches that turn one tree into another, for views that build a fresh tree each
//! time instead of changing the one they showed.
//!
//! Children are matched by key first (see [`crate::Node::set_key`]), then unkeyed children by
//! position. Matched nodes of the new tree take over the ids of the old ones, so the browser's
//! elements keep answering to the same ids. Among matched children, the longest run that kept
//! its order stays; only the others move. Lona's protocol has no move operation, so a move is a
//! REMOVE plus an INSERT of the same node with the same id.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::content::{Content, EVENTS_ATTRIBUTE, Element};
use crate::node::snapshot_in;
use crate::patch::{ListOp, MapOp, NodesOp, PatchOp, WidgetDataOp};
use crate::{AttrValue, Namespace, Node, Patch, TreeNode, Value};

/// The patches that turn `old` into `new`, or `None` if the roots themselves differ in kind,
/// tag, namespace or widget (then the whole tree must be sent), or are texts that differ.
///
/// Side effect by design: nodes of `new` that match a node of `old` take over its id.
/// Applying the patches in order to the tree `old` was gives `new`, ids included.
///
/// `diff` cannot fail. It never changes `old`.
pub fn diff(old: &Node, new: &Node) -> Option<Vec<Patch>> {
    if old.ptr_eq(new) {
        return Some(Vec::new());
    }
    let _old_lock = old.lock();
    let _new_lock = new.lock();
    let old_ns = old.parent().map_or(Namespace::HTML, |p| p.namespace());
    let new_ns = new.parent().map_or(Namespace::HTML, |p| p.namespace());
    let (old_sig, _) = signature(old, &old_ns);
    let (new_sig, _) = signature(new, &new_ns);
    if old_sig != new_sig {
        return None;
    }
    new.set_id(old.id());
    let mut patches = Vec::new();
    if let Signature::Element { ns, .. } = new_sig {
        diff_elements(old, new, &ns, &mut patches);
    }
    Some(patches)
}

/// What decides whether two nodes can be matched: kind, tag, resolved namespace, widget class.
/// Texts match any text; a different text is replaced in place.
#[derive(Debug, PartialEq)]
enum Signature {
    Text,
    Element {
        tag: Cow<'static, str>,
        ns: Namespace,
        widget: Option<String>,
    },
}

fn signature(node: &Node, inherited: &Namespace) -> (Signature, Option<String>) {
    let data = node.0.data.lock();
    let signature = match &data.content {
        Content::Text(_) => Signature::Text,
        Content::Element(element) => Signature::Element {
            tag: element.tag.clone(),
            ns: element.namespace_in(inherited).clone(),
            widget: element.widget().map(|w| w.name().to_owned()),
        },
    };
    (signature, data.key.as_deref().map(str::to_owned))
}

/// Emits the patches of two matched elements' own parts and recurses into their children.
fn diff_elements(old: &Node, new: &Node, ns: &Namespace, patches: &mut Vec<Patch>) {
    let id = old.id();
    let (old_children, new_children) = {
        let old_data = old.0.data.lock();
        let new_data = new.0.data.lock();
        let (Content::Element(o), Content::Element(n)) = (&old_data.content, &new_data.content)
        else {
            unreachable!("signatures matched, so both are elements");
        };
        let mut push = |op| patches.push(Patch::new(id, op));
        for op in list_ops(&o.ids, &n.ids) {
            push(PatchOp::IdList(op));
        }
        for op in list_ops(&o.classes, &n.classes) {
            push(PatchOp::ClassList(op));
        }
        for op in map_ops(&o.style, &n.style) {
            push(PatchOp::Style(op));
        }
        for op in map_ops(&effective_attributes(o), &effective_attributes(n)) {
            push(PatchOp::Attributes(op));
        }
        let widget_data = |e: &Element<Node>| e.widget().map(|w| w.data().clone());
        if widget_data(o) != widget_data(n) {
            push(PatchOp::WidgetData(WidgetDataOp::Reset(
                widget_data(n).unwrap_or(Value::Null),
            )));
        }
        (o.children.clone(), n.children.clone())
    };
    diff_children(id, &old_children, &new_children, ns, patches);
}

/// Attributes as the browser sees them: the plain ones plus `data-lona-events`.
fn effective_attributes(element: &Element<Node>) -> Vec<(String, AttrValue)> {
    let mut attributes = element.attributes.clone();
    if let Some(events) = element.events_attribute() {
        attributes.push((EVENTS_ATTRIBUTE.to_owned(), AttrValue::Str(events)));
    }
    attributes
}

/// ADD and REMOVE when they give exactly `new` (order included), else CLEAR or RESET.
fn list_ops(old: &[String], new: &[String]) -> Vec<ListOp> {
    if old == new {
        return Vec::new();
    }
    if new.is_empty() {
        return vec![ListOp::Clear];
    }
    let removed: Vec<&String> = old.iter().filter(|v| !new.contains(v)).collect();
    let added: Vec<&String> = new.iter().filter(|v| !old.contains(v)).collect();
    let kept = old.iter().filter(|v| new.contains(v));
    if kept.chain(added.iter().copied()).eq(new.iter()) {
        let removes = removed.into_iter().map(|v| ListOp::Remove(v.clone()));
        let adds = added.into_iter().map(|v| ListOp::Add(v.clone()));
        return removes.chain(adds).collect();
    }
    vec![ListOp::Reset(new.to_vec())]
}

/// SET and REMOVE when they give exactly `new` (order included), else CLEAR or RESET.
fn map_ops<V: Clone + PartialEq>(old: &[(String, V)], new: &[(String, V)]) -> Vec<MapOp<V>> {
    if old == new {
        return Vec::new();
    }
    if new.is_empty() {
        return vec![MapOp::Clear];
    }
    let mut ops = Vec::new();
    let mut simulated: Vec<(String, V)> = Vec::with_capacity(new.len());
    for (key, value) in old {
        if new.iter().any(|(k, _)| k == key) {
            simulated.push((key.clone(), value.clone()));
        } else {
            ops.push(MapOp::Remove(key.clone()));
        }
    }
    for (key, value) in new {
        match simulated.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) if v == value => {}
            Some((_, v)) => {
                *v = value.clone();
                ops.push(MapOp::Set(key.clone(), value.clone()));
            }
            None => {
                simulated.push((key.clone(), value.clone()));
                ops.push(MapOp::Set(key.clone(), value.clone()));
            }
        }
    }
    if simulated != new {
        return vec![MapOp::Reset(new.to_vec())];
    }
    ops
}

/// How a new child was matched.
#[derive(Clone, Copy)]
enum Fate {
    /// No old counterpart: inserted.
    New,
    /// Matched the old child at this index and stays in place.
    Stays(usize),
    /// Matched the old child at this index but moves.
    Moves(usize),
}

fn diff_children(
    parent: crate::NodeId,
    old: &[Node],
    new: &[Node],
    ns: &Namespace,
    patches: &mut Vec<Patch>,
) {
    let push = |patches: &mut Vec<Patch>, op| patches.push(Patch::new(parent, PatchOp::Nodes(op)));
    if new.is_empty() {
        if !old.is_empty() {
            push(patches, NodesOp::Clear);
        }
        return;
    }
    let old_info: Vec<_> = old.iter().map(|n| signature(n, ns)).collect();
    let new_info: Vec<_> = new.iter().map(|n| signature(n, ns)).collect();

    // Match: keyed children by key, unkeyed ones by their order among the unkeyed.
    let mut old_used = vec![false; old.len()];
    let mut matched: Vec<Option<usize>> = vec![None; new.len()];
    // Children sharing a key are matched in order: the stacks are filled backwards, so each
    // pop gives the earliest unused one.
    let mut old_keyed: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, (_, key)) in old_info.iter().enumerate().rev() {
        if let Some(key) = key {
            old_keyed.entry(key).or_default().push(i);
        }
    }
    let old_unkeyed: Vec<usize> = (0..old.len())
        .filter(|&i| old_info[i].1.is_none())
        .collect();
    let mut next_unkeyed = 0;
    for (j, (sig, key)) in new_info.iter().enumerate() {
        let candidate = match key {
            Some(key) => old_keyed.get_mut(key.as_str()).and_then(Vec::pop),
            None => {
                let candidate = old_unkeyed.get(next_unkeyed).copied();
                next_unkeyed += 1;
                candidate
            }
        };
        if let Some(i) = candidate
            && old_info[i].0 == *sig
        {
            old_used[i] = true;
            matched[j] = Some(i);
        }
    }

    if matched.iter().all(Option::is_none) {
        let snapshots = new.iter().map(|n| snapshot_in(n, ns)).collect();
        push(patches, NodesOp::Reset(snapshots));
        return;
    }

    // Keep the longest run of matched children whose old order is increasing; move the rest.
    let sequence: Vec<(usize, usize)> = matched
        .iter()
        .enumerate()
        .filter_map(|(j, i)| i.map(|i| (j, i)))
        .collect();
    let mut stays = vec![false; sequence.len()];
    for position in longest_increasing(&sequence.iter().map(|&(_, i)| i).collect::<Vec<_>>()) {
        stays[position] = true;
    }
    let mut fates = vec![Fate::New; new.len()];
    for (position, &(j, i)) in sequence.iter().enumerate() {
        fates[j] = if stays[position] {
            Fate::Stays(i)
        } else {
            Fate::Moves(i)
        };
    }

    // Removals first, by id: unmatched old children, then the ones that move.
    for (i, child) in old.iter().enumerate() {
        if !old_used[i] {
            push(patches, NodesOp::Remove(child.id()));
        }
    }
    for fate in &fates {
        if let Fate::Moves(i) = fate {
            push(patches, NodesOp::Remove(old[*i].id()));
        }
    }

    // Now the client holds exactly the staying children, in order. Walk the new list: every
    // child before index j is in place when child j is handled.
    for (j, (child, fate)) in new.iter().zip(&fates).enumerate() {
        match *fate {
            Fate::New => push(patches, NodesOp::Insert(j, snapshot_in(child, ns))),
            Fate::Moves(i) => {
                adopt(&old[i], child, ns);
                push(patches, NodesOp::Insert(j, snapshot_in(child, ns)));
            }
            Fate::Stays(i) => {
                child.set_id(old[i].id());
                match &new_info[j].0 {
                    Signature::Text => {
                        if text_of(&old[i]) != text_of(child) {
                            push(patches, NodesOp::Set(j, snapshot_in(child, ns)));
                        }
                    }
                    Signature::Element { ns: child_ns, .. } => {
                        diff_elements(&old[i], child, child_ns, patches);
                    }
                }
            }
        }
    }
}

/// Gives `new`'s subtree the ids of its matches in `old`; the patches are not needed because
/// `new` is sent whole.
fn adopt(old: &Node, new: &Node, ns: &Namespace) {
    new.set_id(old.id());
    if let (Signature::Element { ns: child_ns, .. }, _) = signature(new, ns) {
        diff_elements(old, new, &child_ns, &mut Vec::new());
    }
}

fn text_of(node: &Node) -> Option<String> {
    node.visit(|_, content| match content {
        Content::Text(text) => Some(text.clone()),
        Content::Element(_) => None,
    })
}

/// Positions (into `values`) of one longest strictly increasing subsequence.
fn longest_increasing(values: &[usize]) -> Vec<usize> {
    // tails[k]: position of the smallest tail of an increasing run of length k + 1.
    let mut tails: Vec<usize> = Vec::new();
    let mut previous: Vec<Option<usize>> = vec![None; values.len()];
    for (position, &value) in values.iter().enumerate() {
        let k = tails.partition_point(|&t| values[t] < value);
        previous[position] = k.checked_sub(1).map(|k| tails[k]);
        if k == tails.len() {
            tails.push(position);
        } else {
            tails[k] = position;
        }
    }
    let mut run = Vec::with_capacity(tails.len());
    let mut current = tails.last().copied();
    while let Some(position) = current {
        run.push(position);
        current = previous[position];
    }
    run.reverse();
    run
}

#[cfg(test)]
mod tests;
