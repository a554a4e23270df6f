//! Per-view accounting against what a fake browser receives: events and their latencies,
//! the bytes of every frame the view sent, and memory that grows with the tree, with a slow
//! window's outbox and with the replay buffer.

use std::sync::Arc;

use lona_html::tags::{button, div, li, ul};
use lona_protocol::{DecodedServerMessage, RuntimeId, ServerFrame, decode_server};

use super::resume::ticker;
use super::support::{Probe, W1, browser, click_on, eventually, next, session, small_runtime};
use crate::{
    Connection, Context, Flow, NODE_BYTES, Request, Response, View, ViewFactory, ViewResult,
    ViewStats,
};

/// A list and a button; each click adds `rows` items (two nodes each) to the list.
struct Rows {
    rows: usize,
    probe: Probe,
}

impl View for Rows {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let list = ul();
        let more = button().with_text("more");
        let rows = self.rows;
        cx.on_click(&more, {
            let list = list.clone();
            move |_, _| {
                for i in 0..rows {
                    list.append(li().with_text(i.to_string()));
                }
                Flow::Handled
            }
        });
        self.probe.nodes.lock().push(more.clone());
        Ok(div().with_child(&list).with_child(&more).into())
    }
}

fn rows(rows: usize, probe: &Probe) -> ViewFactory {
    let probe = probe.clone();
    ViewFactory::blocking(move |_| Rows {
        rows,
        probe: probe.clone(),
    })
}

/// Reads every queued message of `conn` until `until` says stop, and returns the bytes of the
/// frames that are the view's output (everything but the input events' ACKs, which the
/// runtime sends for the connection) and whether `until` was met.
fn read_output(conn: &Connection, mut until: impl FnMut(&DecodedServerMessage) -> bool) -> usize {
    let mut bytes = 0;
    loop {
        let frame = next(conn).encode().expect("a frame, not a close");
        let Ok(ServerFrame::Lona(message)) = decode_server(&frame) else {
            panic!("a protocol frame: {frame}");
        };
        if !matches!(message, DecodedServerMessage::InputEventAck { .. }) {
            bytes += frame.len();
        }
        if until(&message) {
            return bytes;
        }
    }
}

fn is_data(message: &DecodedServerMessage) -> bool {
    matches!(message, DecodedServerMessage::Data { .. })
}

/// The end of a start whose `handle_request` returned: VIEW_START, DATA, VIEW_STOP (its
/// handlers live on).
fn is_stop(message: &DecodedServerMessage) -> bool {
    matches!(message, DecodedServerMessage::ViewStop { .. })
}

fn stats(runtime: &crate::Runtime, id: RuntimeId) -> ViewStats {
    runtime.view_stats_of(id).expect("the view runs")
}

#[test]
fn events_latencies_and_bytes_are_counted_per_view() {
    let runtime = small_runtime();
    let probe = Probe::default();
    let factory = rows(1, &probe);
    let conn = browser(&session("accounting-events"));
    let id = super::support::start(&runtime, &factory, &conn, "http://localhost/rows");
    let mut received = read_output(&conn, is_stop);
    let more = probe.node(0);
    assert_eq!(stats(&runtime, id).events, 0);
    for event_id in 1..=5 {
        runtime.input_event(&conn, W1, id, click_on(&more, event_id));
        received += read_output(&conn, is_data);
    }
    eventually("five events counted", || stats(&runtime, id).events == 5);
    let view = stats(&runtime, id);
    assert_eq!(view.latency.count(), 5, "one latency per event");
    assert!(view.latency.quantile(0.5).is_some());
    assert_eq!(
        view.bytes_sent,
        u64::try_from(received).expect("small"),
        "the bytes the browser received from the view"
    );
    // A second view's counters are its own.
    let other = browser(&session("accounting-other"));
    let other_id = super::support::start(&runtime, &factory, &other, "http://localhost/rows");
    let other_bytes = read_output(&other, is_stop);
    assert_eq!(stats(&runtime, other_id).events, 0);
    let totals = runtime.metrics().view_totals;
    assert_eq!(totals.event_flush.count, 5);
    assert_eq!(
        totals.bytes_sent,
        u64::try_from(received + other_bytes).expect("small")
    );
    // A view that goes leaves its bytes in the total.
    runtime.connection_closed(&other);
    eventually("the other view went", || {
        runtime.view_stats_of(other_id).is_none()
    });
    assert_eq!(
        runtime.view_totals().bytes_sent,
        u64::try_from(received + other_bytes).expect("small")
    );
    let listed: Vec<RuntimeId> = runtime.view_stats().iter().map(|v| v.id).collect();
    assert_eq!(listed, vec![id]);
    assert!(stats(&runtime, id).session.starts_with("accounti"));
    assert!(stats(&runtime, id).session.ends_with('…'), "shortened");
    runtime.shutdown();
}

#[test]
fn memory_grows_with_the_tree_and_a_slow_windows_outbox() {
    let runtime = small_runtime();
    let probe = Probe::default();
    let factory = rows(20, &probe);
    let conn = browser(&session("accounting-memory"));
    let id = super::support::start(&runtime, &factory, &conn, "http://localhost/rows");
    read_output(&conn, is_stop);
    let more = probe.node(0);
    let before = stats(&runtime, id).memory;
    // div, ul, button and its text.
    assert_eq!(before.nodes, 4);
    assert_eq!(before.tree_bytes, 4 * NODE_BYTES);
    assert_eq!((before.outbox_items, before.outbox_bytes), (0, 0));
    assert!(before.view_bytes > 0);

    // The browser reads nothing: the clicks' ACKs and patches wait in the outbox.
    for event_id in 1..=2 {
        runtime.input_event(&conn, W1, id, click_on(&more, event_id));
    }
    eventually("two events handled", || stats(&runtime, id).events == 2);
    let after = stats(&runtime, id).memory;
    assert_eq!(after.nodes, 4 + 2 * 20 * 2, "an li and its text per row");
    assert_eq!(after.tree_bytes, after.nodes * NODE_BYTES);
    assert_eq!(
        after.outbox_items,
        conn.queued(),
        "all of it is this view's"
    );
    assert!(after.outbox_items >= 2 * 20, "a patch per row at least");
    let mut queued = 0;
    while let Some(message) = conn.try_next() {
        queued += message.encode().map_or(0, |frame| frame.len());
    }
    assert_eq!(after.outbox_bytes, queued, "the queued frames' bytes");
    assert!(after.total() > before.total() + queued);
    let drained = stats(&runtime, id).memory;
    assert_eq!((drained.outbox_items, drained.outbox_bytes), (0, 0));
    assert_eq!(drained.total(), after.total() - queued);
    runtime.shutdown();
}

#[test]
fn memory_counts_the_unacknowledged_replay_buffer() {
    let runtime = small_runtime();
    let (factory, numbers) = ticker(&Probe::default());
    let conn = browser(&session("accounting-replay"));
    let request = Request::new("http://localhost/tick", conn.session().clone());
    let id = runtime
        .start_view_acked(&factory, request, &conn, W1)
        .expect("starts");
    // VIEW_START and the tree leave numbered; the browser acknowledges nothing.
    let mut stamped = 0;
    for _ in 0..2 {
        stamped += next(&conn).encode().map_or(0, |frame| frame.len());
    }
    assert_eq!(stats(&runtime, id).memory.replay_bytes, stamped);
    numbers.send(1).expect("the view listens");
    stamped += next(&conn).encode().map_or(0, |frame| frame.len());
    assert_eq!(stats(&runtime, id).memory.replay_bytes, stamped);

    // The socket goes: the window is detached, and what the view sends goes to the buffer.
    runtime.connection_closed(&conn);
    eventually("the window is detached", || {
        stats(&runtime, id).detached_windows == 1
    });
    let sent = stats(&runtime, id).bytes_sent;
    numbers.send(2).expect("the view listens");
    eventually("the update is counted as sent", || {
        stats(&runtime, id).bytes_sent > sent
    });
    let view = stats(&runtime, id);
    let update = usize::try_from(view.bytes_sent - sent).expect("small");
    assert!(
        view.memory.replay_bytes > stamped + update,
        "the buffer holds it, numbered"
    );
    assert_eq!(view.windows, 1);
    drop(numbers);
    runtime.shutdown();
}

#[test]
fn a_views_own_stats_and_the_list_are_there_for_its_code() {
    struct Own {
        seen: Arc<parking_lot::Mutex<Option<(ViewStats, usize)>>>,
    }
    impl View for Own {
        fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
            cx.show(&div().with_text("own"))?;
            *self.seen.lock() = Some((cx.view_stats(), cx.all_view_stats().len()));
            Ok(Response::Empty)
        }
    }
    let runtime = small_runtime();
    let seen = Arc::new(parking_lot::Mutex::new(None));
    let factory = ViewFactory::blocking({
        let seen = Arc::clone(&seen);
        move |_| Own {
            seen: Arc::clone(&seen),
        }
    });
    let conn = browser(&session("accounting-own"));
    let id = super::support::start(&runtime, &factory, &conn, "http://localhost/own");
    let received = read_output(&conn, is_data);
    eventually("the view looked", || seen.lock().is_some());
    let (own, listed) = seen.lock().clone().expect("seen");
    assert_eq!(own.id, id);
    assert_eq!(own.path, "/own");
    assert_eq!(own.memory.nodes, 2, "the div and its text");
    assert_eq!(
        own.bytes_sent,
        u64::try_from(received).expect("small"),
        "VIEW_START and the tree, counted as they were queued"
    );
    assert_eq!(listed, 1);
    runtime.shutdown();
}
