//! `diff`: the patches that turn one tree into another, for views that build a fresh tree each
//! time instead of changing the one they showed.
//!
//! Children are matched by key first (see [`crate::Node::set_key`]), then unkeyed children by
//! position. Matched nodes of the new tree take over the ids of the old ones, so the browser's
//! elements keep answering to the same ids. Among matched children, the longest run that kept
//! its order stays; only the others move. Lona's protocol has no move operation, so a move is a
//! REMOVE plus an INSERT of the same node with the same id.

use parking_lot::MutexGuard;
use std::collections::HashMap;

use crate::content::{Content, EVENTS_ATTRIBUTE, Element, Widget};
use crate::node::{Data, snapshot_data};
use crate::patch::{ListOp, MapOp, NodesOp, PatchOp, WidgetDataOp};
use crate::{AttrValue, Namespace, Node, NodeId, Patch, Value};

/// The patches that turn `old` into `new`, or `None` if the roots themselves differ in kind,
/// tag, namespace or widget (then the whole tree must be sent), or are texts that differ.
///
/// Side effect by design: nodes of `new` that match a node of `old` take over its id.
/// Applying the patches in order to the tree `old` was gives `new`, ids included.
///
/// `diff` cannot fail. It never changes `old`.
///
/// Locking: `diff` holds the locks of the nodes it compares, old before new and parent before
/// child, for as long as it works below them; every node is locked once.
pub fn diff(old: &Node, new: &Node) -> Option<Vec<Patch>> {
    if old.ptr_eq(new) {
        return Some(Vec::new());
    }
    let _old_lock = old.lock();
    let _new_lock = new.lock();
    let old_ns = old.parent().map_or(Namespace::HTML, |p| p.namespace());
    let new_ns = new.parent().map_or(Namespace::HTML, |p| p.namespace());
    let old_data = old.0.data.lock();
    let new_data = new.0.data.lock();
    let old_sig = Signature::of(&old_data, &old_ns);
    if old_sig != Signature::of(&new_data, &new_ns) {
        return None;
    }
    new.set_id(old.id());
    let mut patches = Vec::new();
    match (&old_data.content, &new_data.content) {
        (Content::Element(o), Content::Element(n)) => {
            diff_elements(old.id(), o, n, old_sig.ns, &mut patches);
        }
        (Content::Text(a), Content::Text(b)) if a != b => return None,
        _ => {}
    }
    Some(patches)
}

/// What decides whether two nodes can be matched: kind, tag, resolved namespace, widget class.
/// Texts match any text; a different text is replaced in place. Borrowed from locked data, so
/// computing and comparing one allocates nothing.
#[derive(Debug, Clone, Copy)]
struct Signature<'a> {
    /// `None` for a text node.
    tag: Option<&'a str>,
    ns: &'a Namespace,
    widget: Option<&'a str>,
    key: Option<&'a str>,
}

impl<'a> Signature<'a> {
    fn of(data: &'a Data, inherited: &'a Namespace) -> Signature<'a> {
        let key = data.key.as_deref();
        match &data.content {
            Content::Text(_) => Signature {
                tag: None,
                ns: inherited,
                widget: None,
                key,
            },
            Content::Element(element) => Signature {
                tag: Some(&element.tag),
                ns: element.namespace_in(inherited),
                widget: element.widget().map(Widget::name),
                key,
            },
        }
    }

    /// Whether two nodes can be matched, keys aside.
    fn compatible(&self, other: &Signature<'_>) -> bool {
        same_str(self.tag, other.tag) && self.ns == other.ns && self.widget == other.widget
    }
}

impl PartialEq for Signature<'_> {
    fn eq(&self, other: &Signature<'_>) -> bool {
        self.compatible(other) && same_str(self.key, other.key)
    }
}

/// String equality with an address check first: tags of built trees are the same static
/// strings, so most comparisons end there.
fn same_str(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => {
            (a.len() == b.len() && std::ptr::eq(a.as_ptr(), b.as_ptr())) || a == b
        }
        (None, None) => true,
        _ => false,
    }
}

/// Emits the patches of two matched elements' own parts and recurses into their children.
fn diff_elements(
    id: NodeId,
    o: &Element<Node>,
    n: &Element<Node>,
    ns: &Namespace,
    patches: &mut Vec<Patch>,
) {
    let mut push = |op| patches.push(Patch::new(id, op));
    for op in list_ops(&o.ids, &n.ids) {
        push(PatchOp::IdList(op));
    }
    for op in list_ops(&o.classes, &n.classes) {
        push(PatchOp::ClassList(op));
    }
    for op in map_ops(o.style(), n.style()) {
        push(PatchOp::Style(op));
    }
    // Compare in place first: building the browser's view of the attributes allocates.
    if o.attributes() != n.attributes() || o.events() != n.events() {
        for op in map_ops(&effective_attributes(o), &effective_attributes(n)) {
            push(PatchOp::Attributes(op));
        }
    }
    let (old_widget, new_widget) = (widget_data(o), widget_data(n));
    if old_widget != new_widget {
        let data = new_widget.cloned().unwrap_or(Value::Null);
        push(PatchOp::WidgetData(WidgetDataOp::Reset(data)));
    }
    diff_children(id, &o.children, &n.children, ns, patches);
}

fn widget_data(element: &Element<Node>) -> Option<&Value> {
    element.widget().map(|w| w.data())
}

/// Attributes as the browser sees them: the plain ones plus `data-lona-events`.
fn effective_attributes(element: &Element<Node>) -> Vec<(String, AttrValue)> {
    let mut attributes = element.attributes().to_vec();
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
    parent: NodeId,
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
    // One child each (a text in an element, most often): no bookkeeping at all.
    if let ([old_child], [new_child]) = (old, new) {
        let (old_data, new_data) = (old_child.0.data.lock(), new_child.0.data.lock());
        let (old_sig, new_sig) = (Signature::of(&old_data, ns), Signature::of(&new_data, ns));
        if old_sig == new_sig {
            new_child.set_id(old_child.id());
            diff_matched(
                parent,
                0,
                (old_child, &old_data),
                (new_child, &new_data),
                &new_sig,
                patches,
            );
            return;
        }
        drop((old_data, new_data));
    }

    // Every child is locked once, here, and stays locked while it is compared. Taking a lock is
    // an atomic write, which waits for its node's memory before the next one can start; a tree
    // just built is rarely in the cache, so plain reads of every lock first let those fetches
    // overlap (a quarter of a keyed diff of 1,000 children went to the serialised misses).
    warm(old);
    warm(new);
    let old_data: Vec<MutexGuard<'_, Data>> = old.iter().map(|n| n.0.data.lock()).collect();
    let new_data: Vec<MutexGuard<'_, Data>> = new.iter().map(|n| n.0.data.lock()).collect();
    warm_first_children(&old_data);
    warm_first_children(&new_data);
    let old_sigs: Vec<Signature<'_>> = old_data.iter().map(|d| Signature::of(d, ns)).collect();
    let new_sigs: Vec<Signature<'_>> = new_data.iter().map(|d| Signature::of(d, ns)).collect();

    // The common case, a list that kept its shape: match pairwise, nothing moves.
    if old_sigs == new_sigs {
        for j in 0..new.len() {
            new[j].set_id(old[j].id());
            let (old_child, new_child) = ((&old[j], &*old_data[j]), (&new[j], &*new_data[j]));
            diff_matched(parent, j, old_child, new_child, &new_sigs[j], patches);
        }
        return;
    }

    // Match: keyed children by key, unkeyed ones by their order among the unkeyed. Children
    // sharing a key are matched in order: the map holds the earliest unused old child of each
    // key, and `next_same_key` chains to the next one with that key.
    let mut old_used = vec![false; old.len()];
    let mut matched: Vec<Option<usize>> = vec![None; new.len()];
    // Keys may come from visitors (a chat's message ids, a shared list's names): the hash is
    // seeded per process, so nobody can pick keys that collide and make a diff quadratic.
    let mut old_keyed: HashMap<&str, Option<usize>, foldhash::fast::RandomState> =
        HashMap::with_capacity_and_hasher(old.len(), foldhash::fast::RandomState::default());
    let mut next_same_key: Vec<Option<usize>> = vec![None; old.len()];
    for (i, sig) in old_sigs.iter().enumerate().rev() {
        if let Some(key) = sig.key {
            next_same_key[i] = old_keyed.insert(key, Some(i)).flatten();
        }
    }
    let old_unkeyed: Vec<usize> = (0..old.len())
        .filter(|&i| old_sigs[i].key.is_none())
        .collect();
    let mut next_unkeyed = 0;
    for (j, sig) in new_sigs.iter().enumerate() {
        let candidate = match sig.key {
            Some(key) => old_keyed.get_mut(key).and_then(|head| {
                let i = head.take()?;
                *head = next_same_key[i];
                Some(i)
            }),
            None => {
                let candidate = old_unkeyed.get(next_unkeyed).copied();
                next_unkeyed += 1;
                candidate
            }
        };
        if let Some(i) = candidate
            && old_sigs[i].compatible(sig)
        {
            old_used[i] = true;
            matched[j] = Some(i);
        }
    }

    if matched.iter().all(Option::is_none) {
        let snapshots = (0..new.len()).map(|j| snapshot_data(new[j].id(), &new_data[j], ns));
        push(patches, NodesOp::Reset(snapshots.collect()));
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
    for (j, fate) in fates.iter().enumerate() {
        let new_child = (&new[j], &*new_data[j]);
        match *fate {
            Fate::New => push(
                patches,
                NodesOp::Insert(j, snapshot_data(new[j].id(), &new_data[j], ns)),
            ),
            Fate::Moves(i) => {
                // The moved subtree is sent whole; diffing it only hands over the old ids.
                new[j].set_id(old[i].id());
                diff_matched(
                    parent,
                    j,
                    (&old[i], &old_data[i]),
                    new_child,
                    &new_sigs[j],
                    &mut Vec::new(),
                );
                push(
                    patches,
                    NodesOp::Insert(j, snapshot_data(new[j].id(), &new_data[j], ns)),
                );
            }
            Fate::Stays(i) => {
                new[j].set_id(old[i].id());
                diff_matched(
                    parent,
                    j,
                    (&old[i], &old_data[i]),
                    new_child,
                    &new_sigs[j],
                    patches,
                );
            }
        }
    }
}

/// Reads every node's lock word, without taking it, to bring the nodes into the cache together.
fn warm(nodes: &[Node]) {
    let locked = nodes.iter().filter(|n| n.0.data.is_locked()).count();
    std::hint::black_box(locked);
}

/// [`warm`] for the first child of each locked element: the text of a list item, most often,
/// which the matched pair's own diff locks next.
fn warm_first_children(data: &[MutexGuard<'_, Data>]) {
    let locked = data
        .iter()
        .filter_map(|d| match &d.content {
            Content::Element(element) => element.children.first(),
            Content::Text(_) => None,
        })
        .filter(|n| n.0.data.is_locked())
        .count();
    std::hint::black_box(locked);
}

/// Diffs a matched pair (ids already handed over) that is child `j` of `parent`; the data of
/// both is locked by the caller.
fn diff_matched(
    parent: NodeId,
    j: usize,
    (old, old_data): (&Node, &Data),
    (new, new_data): (&Node, &Data),
    signature: &Signature<'_>,
    patches: &mut Vec<Patch>,
) {
    match (&old_data.content, &new_data.content) {
        (Content::Text(a), Content::Text(b)) => {
            if a != b {
                let op = NodesOp::Set(j, snapshot_data(new.id(), new_data, signature.ns));
                patches.push(Patch::new(parent, PatchOp::Nodes(op)));
            }
        }
        (Content::Element(o), Content::Element(n)) => {
            diff_elements(old.id(), o, n, signature.ns, patches);
        }
        _ => unreachable!("matched signatures have the same kind"),
    }
}

/// Positions (into `values`) of one longest strictly increasing subsequence.
fn longest_increasing(values: &[usize]) -> Vec<usize> {
    // tails[k]: position of the smallest tail of an increasing run of length k + 1, and
    // tail_values[k] its value (kept beside it so the search reads one array).
    let mut tails: Vec<usize> = Vec::new();
    let mut tail_values: Vec<usize> = Vec::new();
    let mut previous: Vec<Option<usize>> = vec![None; values.len()];
    for (position, &value) in values.iter().enumerate() {
        // Most of a list keeps its order, so most values extend the longest run: check that
        // before searching.
        let k = match tail_values.last() {
            Some(&last) if last >= value => tail_values.partition_point(|&t| t < value),
            _ => tails.len(),
        };
        previous[position] = k.checked_sub(1).map(|k| tails[k]);
        if k == tails.len() {
            tails.push(position);
            tail_values.push(value);
        } else {
            tails[k] = position;
            tail_values[k] = value;
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
