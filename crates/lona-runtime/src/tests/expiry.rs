//! Detached views give their memory back: a thousand windows of the acknowledged stream lose
//! their sockets, nobody resumes them, and when `resume_grace` ends every view is stopped and
//! every trace of it is gone: the view objects dropped, their trees dropped, the closed
//! connections released, the per-session and per-address counts emptied, the gauge at zero.
//! Proved with drop counters and weak references, never with a timing or a memory figure.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use lona_html::WeakNode;
use lona_html::tags::{div, span};
use lona_protocol::{ResumeFailure, RuntimeId};
use parking_lot::Mutex;

use super::support::{W1, eventually, session};
use crate::{
    AsyncContext, AsyncView, Connection, Context, OutboxLimits, Request, Response, Runtime,
    RuntimeConfig, StopReason, View, ViewFactory, ViewResult,
};

const VIEWS: usize = 1_000;
/// Blocking views among them: each holds a runtime thread and a unit of its session's share
/// of the pool, so the third per-visitor map is filled (and must empty) too.
const BLOCKING: usize = 8;
const SESSIONS: usize = 20;
const ADDRESSES: u8 = 4;

/// What the views report, and what the test keeps of them without keeping them alive.
#[derive(Default)]
struct Ledger {
    stopped: AtomicUsize,
    cleaned_up: AtomicUsize,
    dropped: AtomicUsize,
    trees: Mutex<Vec<WeakNode>>,
}

/// A view's share of the ledger; its drop is the view object's drop.
struct Tracked(Arc<Ledger>);

impl Drop for Tracked {
    fn drop(&mut self) {
        self.0.dropped.fetch_add(1, Ordering::SeqCst);
    }
}

impl Tracked {
    /// A tree of some weight (so a leak would be a real one), handed to the ledger weakly.
    fn tree(&self) -> lona_html::Node {
        let root = div().with_id("root");
        for i in 0..10 {
            root.append(span().with_text(format!("line {i}")));
        }
        self.0.trees.lock().push(root.downgrade());
        root
    }

    fn stopped(&self) {
        self.0.stopped.fetch_add(1, Ordering::SeqCst);
    }

    fn cleaned_up(&self) {
        self.0.cleaned_up.fetch_add(1, Ordering::SeqCst);
    }
}

struct AsyncDetachable(Tracked);

impl AsyncView for AsyncDetachable {
    async fn handle_request(&self, cx: &AsyncContext, _request: &Request) -> ViewResult {
        cx.show(&self.0.tree())?;
        cx.await_input_event(&[]).await?;
        Ok(Response::Empty)
    }

    fn on_stop(&self, _reason: Option<&StopReason>) {
        self.0.stopped();
    }

    fn on_cleanup(&self) {
        self.0.cleaned_up();
    }
}

struct BlockingDetachable(Tracked);

impl View for BlockingDetachable {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        cx.show(&self.0.tree())?;
        cx.await_input_event(&[])?;
        Ok(Response::Empty)
    }

    fn on_stop(&self, _reason: Option<&StopReason>) {
        self.0.stopped();
    }

    fn on_cleanup(&self) {
        self.0.cleaned_up();
    }
}

#[test]
fn a_thousand_detached_views_expire_and_return_everything_they_held() {
    let grace = Duration::from_secs(2);
    let runtime = Runtime::new(RuntimeConfig {
        runtime_threads: BLOCKING,
        worker_threads: 2,
        resume_grace: grace,
        max_views_per_session: VIEWS,
        max_views_per_ip: VIEWS,
        max_runtime_share: 100,
        ..RuntimeConfig::default()
    });
    let ledger = Arc::new(Ledger::default());
    let async_views = {
        let ledger = Arc::clone(&ledger);
        ViewFactory::asynchronous(move |_| AsyncDetachable(Tracked(Arc::clone(&ledger))))
    };
    let blocking_views = {
        let ledger = Arc::clone(&ledger);
        ViewFactory::blocking(move |_| BlockingDetachable(Tracked(Arc::clone(&ledger))))
    };

    let mut sockets: Vec<Arc<Connection>> = Vec::with_capacity(VIEWS);
    let mut first: Option<RuntimeId> = None;
    for i in 0..VIEWS {
        let me = session(&format!("visitor-{}", i % SESSIONS));
        let host = u8::try_from(i % usize::from(ADDRESSES)).expect("a few addresses");
        let address = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1 + host));
        let socket = Connection::new(me.clone(), OutboxLimits::default()).with_client_addr(address);
        let factory = if i < BLOCKING {
            &blocking_views
        } else {
            &async_views
        };
        let request = Request::new("http://localhost/detachable", me);
        let id = runtime
            .start_view_acked(factory, request, &socket, W1)
            .expect("within every limit");
        first.get_or_insert(id);
        sockets.push(socket);
    }
    eventually("every view showed its tree", || {
        ledger.trees.lock().len() == VIEWS
    });
    let (sessions, addresses, on_pool) = runtime.quota_sizes();
    assert_eq!(
        (sessions, addresses, on_pool),
        (SESSIONS, usize::from(ADDRESSES), BLOCKING),
        "the per-visitor counts hold every visitor while the views run"
    );

    // Every socket drops; the views run on, detached, within the grace.
    for socket in &sockets {
        runtime.connection_closed(socket);
    }
    assert_eq!(runtime.metrics().resume.detached_windows, VIEWS);
    assert_eq!(runtime.view_count(), VIEWS);
    assert_eq!(ledger.stopped.load(Ordering::SeqCst), 0, "none stopped yet");
    let closed: Vec<Weak<Connection>> = sockets.iter().map(Arc::downgrade).collect();
    drop(sockets);

    // Nobody comes back: the grace ends for each.
    eventually("every view is gone", || runtime.view_count() == 0);
    eventually("every view's on_stop and on_cleanup ran", || {
        ledger.stopped.load(Ordering::SeqCst) == VIEWS
            && ledger.cleaned_up.load(Ordering::SeqCst) == VIEWS
    });
    eventually("every view object was dropped", || {
        ledger.dropped.load(Ordering::SeqCst) == VIEWS
    });
    eventually("every tree was dropped", || {
        ledger
            .trees
            .lock()
            .iter()
            .all(|tree| tree.upgrade().is_none())
    });
    eventually("the runtime holds no closed socket", || {
        closed.iter().all(|socket| socket.upgrade().is_none())
    });
    assert_eq!(runtime.metrics().resume.detached_windows, 0);
    assert_eq!(
        runtime.quota_sizes(),
        (0, 0, 0),
        "no session or address keeps an entry once its last view is gone"
    );

    // And a late RESUME finds nothing.
    let late = Connection::new(session("visitor-0"), OutboxLimits::default());
    let first = first.expect("views started");
    assert_eq!(
        runtime.resume_view(&late, W1, first, 2, "AAAAAAAAAAAAAAAAAAAAAA", None),
        Err(ResumeFailure::Expired)
    );
    runtime.shutdown();
}
