//! Tests of the outbox's merge rules: a later patch replaces an earlier one only when it
//! overwrites it completely, and an insert that a later patch needs is kept.

use std::sync::Arc;

use lona_html::tags::{li, span};
use lona_html::{AttrValue, ListOp, MapOp, NodeId, NodesOp, Patch, PatchOp};
use lona_protocol::{RuntimeId, WindowId};

use super::{Connection, OutboxLimits, Outgoing, SessionId, drop_superseded};

fn id(n: u64) -> NodeId {
    NodeId::from_raw(n)
}

fn attr(node: u64, name: &str, value: &str) -> Patch {
    Patch::new(
        id(node),
        PatchOp::Attributes(MapOp::Set(
            name.to_owned(),
            AttrValue::Str(value.to_owned()),
        )),
    )
}

#[test]
fn a_later_set_of_the_same_entry_replaces_the_earlier_one() {
    let patches = vec![
        attr(1, "title", "a"),
        attr(1, "alt", "x"),
        attr(1, "title", "b"),
        attr(2, "title", "c"),
    ];
    let kept = drop_superseded(patches);
    assert_eq!(
        kept,
        vec![
            attr(1, "alt", "x"),
            attr(1, "title", "b"),
            attr(2, "title", "c")
        ]
    );
}

#[test]
fn a_reset_replaces_every_earlier_change_of_that_property() {
    let add = |v: &str| Patch::new(id(1), PatchOp::ClassList(ListOp::Add(v.to_owned())));
    let reset = Patch::new(
        id(1),
        PatchOp::ClassList(ListOp::Reset(vec!["z".to_owned()])),
    );
    let kept = drop_superseded(vec![add("a"), add("b"), reset.clone(), add("c")]);
    assert_eq!(kept, vec![reset, add("c")]);
}

#[test]
fn an_insert_that_a_later_patch_needs_is_kept() {
    let child = li().with_text("x");
    let insert = Patch::new(id(1), PatchOp::Nodes(NodesOp::Insert(0, child.snapshot())));
    let touch = attr(child.id().get(), "title", "t");
    let reset = Patch::new(
        id(1),
        PatchOp::Nodes(NodesOp::Reset(vec![span().snapshot()])),
    );
    let kept = drop_superseded(vec![insert.clone(), touch.clone(), reset.clone()]);
    assert_eq!(kept, vec![insert, touch, reset.clone()]);
    // Without the patch that needs it, the insert goes.
    let insert = Patch::new(id(1), PatchOp::Nodes(NodesOp::Insert(0, li().snapshot())));
    assert_eq!(drop_superseded(vec![insert, reset.clone()]), vec![reset]);
}

#[test]
fn frames_keep_their_order_around_merged_updates() {
    let conn = Connection::new(
        SessionId::new("s"),
        OutboxLimits {
            merge_at: 4,
            close_at: 100,
        },
    );
    let update = |value: &str| Outgoing::Update {
        window: WindowId(1),
        runtime: RuntimeId(1),
        title: Arc::from(""),
        patches: Arc::new(vec![attr(1, "title", value)]),
        meter: crate::SentMeter::none(),
        shared: None,
    };
    conn.send(Outgoing::Frame("first".to_owned()));
    conn.send(update("a"));
    conn.send(update("b"));
    conn.send(Outgoing::Frame("last".to_owned()));
    let order: Vec<String> = std::iter::from_fn(|| conn.try_next())
        .map(|m| match m {
            Outgoing::Frame(f) | Outgoing::Stamped(f) => f,
            Outgoing::Update { patches, .. } => format!("update x{}", patches.len()),
            Outgoing::Close(_) => "close".to_owned(),
        })
        .collect();
    assert_eq!(order, ["first", "update x1", "last"]);
}

#[test]
fn a_drained_outbox_keeps_no_room_for_the_next_burst() {
    let conn = Connection::new(SessionId::new("s"), OutboxLimits::default());
    let capacity = || conn.state.lock().queue.capacity();
    for i in 0..5 {
        conn.send(Outgoing::Frame(format!("frame {i}")));
    }
    assert!(capacity() >= 5);
    // Drained by a test or a tool: the buffer goes with the last message.
    assert_eq!(std::iter::from_fn(|| conn.try_next()).count(), 5);
    assert_eq!(capacity(), 0, "an idle socket holds no empty buffer");
    // Drained by the socket's writer: the buffer goes when the writer finds nothing more.
    for i in 0..5 {
        conn.send(Outgoing::Frame(format!("frame {i}")));
    }
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let mut written = 0;
    while conn.poll_next(&mut cx).is_ready() {
        written += 1;
    }
    assert_eq!(written, 5);
    assert_eq!(capacity(), 0, "the writer's last poll frees it");
    // And the next burst is queued as before.
    assert!(conn.send(Outgoing::Frame("again".to_owned())));
    assert!(matches!(conn.try_next(), Some(Outgoing::Frame(frame)) if frame == "again"));
}
