//! What an idle view holds, pinned so that it cannot grow back unnoticed: the sizes of the
//! records every view keeps, and the buffers an idle view must not keep
//! (docs/benchmarks.md, "Where an idle async view's memory goes"). The bounds are the sizes
//! on a 64-bit target when they were set; a change that needs more says so here.

use std::mem::size_of;
use std::time::{Duration, Instant};

use lona_html::tags::{button, div};
use lona_protocol::client::{ClickData, EventKind, InputEvent as WireEvent, NodeInfo};
use lona_protocol::{RuntimeId, WindowId};

use super::{Runtime, RuntimeConfig, ViewFactory, ViewShared};
use crate::connection::{Connection, OutboxLimits, SessionId};
use crate::context::{AsyncContext, AwaitEvent, Waiter};
use crate::view::{AsyncView, Request, ViewResult};

#[cfg(target_pointer_width = "64")]
#[test]
fn the_records_every_view_keeps_stay_small() {
    // 808 before issue 18's second pass: the re-attach key's copy (64) and the rare parts
    // (a daemon's idle time, kept guards: 48) went.
    let view = size_of::<ViewShared>();
    assert!(view <= 696, "ViewShared is {view} bytes");
    // The event a waiter receives is boxed: inline it made a waiter 184 bytes, and the list
    // of one waiter 736.
    let waiter = size_of::<Waiter>();
    assert!(waiter <= 64, "Waiter is {waiter} bytes");
    // Boxed in every idle async view (`EventFuture`).
    let wait = size_of::<AwaitEvent>();
    assert!(wait <= 56, "AwaitEvent is {wait} bytes");
    let connection = size_of::<Connection>();
    assert!(connection <= 240, "Connection is {connection} bytes");
}

/// Waits for clicks on its one button, forever: an idle view before and after a click.
struct Clicks;

impl AsyncView for Clicks {
    async fn handle_request(&self, cx: &AsyncContext, _request: &Request) -> ViewResult {
        let plus = button().with_id("plus").with_text("+1");
        cx.show(&div().with_child(&plus))?;
        loop {
            cx.await_click(&[&plus]).await?;
        }
    }
}

fn eventually(what: &str, condition: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        std::thread::yield_now();
    }
}

fn view(runtime: &Runtime, id: RuntimeId) -> std::sync::Arc<ViewShared> {
    let view = runtime.inner.views.lock().get(&id).cloned();
    view.expect("the view runs")
}

/// The one waiter's room, and the spare room of the mailbox.
fn room(view: &ViewShared) -> (usize, usize, usize) {
    let waiters = view.waiters.lock();
    (
        waiters.list.len(),
        waiters.list.capacity(),
        view.mailbox.lock().capacity(),
    )
}

#[test]
fn an_idle_view_keeps_room_for_one_wait_and_none_for_events() {
    let runtime = Runtime::new(RuntimeConfig::default());
    let connection = Connection::new(SessionId::new("idle"), OutboxLimits::default());
    let factory = ViewFactory::asynchronous(|_| Clicks);
    let request = Request::new("/", connection.session().clone());
    let id = runtime
        .start_view(&factory, request, &connection, WindowId(1))
        .expect("the view starts");
    let shared = view(&runtime, id);
    eventually("the view waits for a click", || room(&shared).0 == 1);
    assert_eq!(
        room(&shared),
        (1, 1, 0),
        "one waiter's room, an empty mailbox"
    );

    let plus = shared
        .doc
        .root()
        .and_then(|root| root.children().first().cloned())
        .expect("the button");
    for event_id in 1..=3 {
        runtime.input_event(
            &connection,
            WindowId(1),
            id,
            WireEvent {
                event_id,
                kind: EventKind::Click(ClickData::default()),
                node: NodeInfo {
                    node_id: Some(plus.id()),
                    ..NodeInfo::default()
                },
                target: NodeInfo::default(),
            },
        );
    }
    eventually("the clicks are handled and the view waits again", || {
        shared.stats().events == 3
            && !shared.draining.load(std::sync::atomic::Ordering::Acquire)
            && room(&shared).0 == 1
    });
    // The mailbox held the clicks; handled, it keeps no room for more.
    assert_eq!(room(&shared), (1, 1, 0), "after clicks, the same");
    drop(shared);
    runtime.connection_closed(&connection);
    runtime.shutdown();
}
