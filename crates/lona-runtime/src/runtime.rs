//! `Runtime`: the pools, the running views, and the entry points the server calls when a
//! browser starts a view, sends an event or goes away.
//!
//! Threading, in one place:
//! - a blocking view's `handle_request` runs on the runtime pool, one thread per running view;
//! - an async view's `handle_request` is a task on the [`Spawn`] executor (the server's);
//! - input events of one view are queued in its mailbox and handled in order by one job at a
//!   time on the worker pool; different views (even in one browser tab) run in parallel;
//! - `on_cleanup` runs on the worker pool; nothing waits for a view that ignores its stop.
//!
//! Sending never blocks: messages go to each connection's bounded outbox.
//!
//! This file holds what the parts share: the [`Runtime`] handle and its state, and
//! `ViewShared`, one running view. The parts, each an `impl` of those on one concern:
//! `config` (sizes, error page), `factory` (making views, driving either kind), `handlers` (node handlers and their removal), `start`
//! (starting, detaching and stopping views from outside), `lifecycle` (a view's start, end,
//! stop and cleanup), `output` (what a view sends its windows), `dispatch` (input events in
//! Lona's order), `daemon` (daemon views, the runtime-pool share, and the expiry timer a
//! detached window's grace uses too), `resume` (the acknowledged stream: grace and resume),
//! `paint` (views started for a page's first paint, adopted by its window), `broadcast` (one
//! view watched by every session, its patches encoded once), `report` (metrics and the list
//! of views) and `accounting` (each view's events, latencies, bytes and memory).

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Instant;

use lona_html::{Document, Issuer};
use lona_protocol::{RuntimeId, WindowId};
use parking_lot::Mutex;

use crate::ack_stream::AckStream;
use crate::connection::{Connection, Outgoing, SessionId};
use crate::context::Waiter;
use crate::histogram::Histogram;
use crate::limits::LimitCounters;
use crate::pool::{Pool, PoolConfig};
use crate::quota::Quotas;
use crate::spawn::{PoolSpawner, Spawn};
use crate::state::{AppState, ServerState};
use crate::stop::StopSignal;
use crate::view::{InputEvent, Request};

mod accounting;
mod broadcast;
mod config;
mod daemon;
mod dispatch;
mod factory;
mod handlers;
mod lifecycle;
mod output;
mod paint;
mod report;
mod resume;
mod start;

pub use accounting::{
    LATENCY_BUCKETS, LatencyHistogram, MEMORY_BUCKETS, MemoryEstimate, NODE_BYTES, SentMeter,
    ViewStats, ViewTotals,
};
pub use broadcast::BroadcastMetrics;
pub use config::{ErrorPage, RuntimeConfig};
pub use dispatch::EventOutcome;
use factory::DynView;
pub use factory::ViewFactory;
pub use handlers::HandlerId;
pub(crate) use handlers::{Handler, Handlers};
pub use paint::{AdoptRefused, PaintMetrics, PaintStart, PaintState};
pub use report::{RuntimeMetrics, ViewInfo, ViewState};
pub use resume::{AckAboveSent, ResumeMetrics};
pub use start::StartError;

#[derive(Default)]
pub(crate) struct Waiters {
    pub(crate) list: Vec<Waiter>,
    pub(crate) next: u64,
}

/// Where a view's output goes: one window of one connection.
#[derive(Clone)]
struct Attachment {
    connection: Arc<Connection>,
    window: WindowId,
    /// Marks the patches that only mirror what this window shows already (see `flush`).
    issuer: Issuer,
    /// The acknowledged stream, if the window asked for it; while it is detached, the
    /// connection above is the closed one it had, and output goes to the stream's buffer.
    stream: Option<Arc<AckStream>>,
    /// Whether the window got its VIEW_START: a watcher joining a broadcast view that has
    /// not begun yet gets it from the join, never twice.
    view_started: bool,
}

impl Attachment {
    fn new(connection: &Arc<Connection>, window: WindowId) -> Attachment {
        // One token per attachment, never reused: a window that re-attaches is a new issuer.
        static NEXT_ISSUER: AtomicU64 = AtomicU64::new(1);
        Attachment {
            connection: Arc::clone(connection),
            window,
            issuer: Issuer::from_raw(NEXT_ISSUER.fetch_add(1, Ordering::Relaxed)),
            stream: None,
            view_started: false,
        }
    }

    /// The same, in the acknowledged stream of `runtime`: the connection numbers its frames.
    fn acked(
        connection: &Arc<Connection>,
        window: WindowId,
        runtime: RuntimeId,
        max_bytes: usize,
    ) -> Attachment {
        let stream = Arc::new(AckStream::new(window, runtime, max_bytes));
        connection.add_stream(Arc::clone(&stream));
        Attachment {
            stream: Some(stream),
            ..Attachment::new(connection, window)
        }
    }

    /// Sends a message to the window: into the connection's outbox, or, while the window's
    /// acknowledged stream is detached, numbered into its replay buffer.
    ///
    /// A frame's bytes are counted in `counters` here; an update's where it is encoded (its
    /// [`SentMeter`]), since only then are its bytes known.
    fn send(&self, message: Outgoing, counters: &accounting::ViewCounters) {
        let frame_bytes = match &message {
            Outgoing::Frame(frame) => frame.len(),
            _ => 0,
        };
        match &self.stream {
            Some(stream) if stream.is_detached() => {
                if let Some(frame) = message.encode() {
                    stream.stamp(frame);
                    counters.sent(frame_bytes);
                }
            }
            _ => {
                // Not counted if the connection refused it (closed).
                if self.connection.send(message) {
                    counters.sent(frame_bytes);
                }
            }
        }
    }
}

#[derive(Default)]
struct Lifecycle {
    started: bool,
    view_start_sent: bool,
    finished: bool,
    stopped_at: Option<Instant>,
    cleaned_up: bool,
}

/// Who may re-attach to a daemon: the same session, route and URL arguments; to a broadcast
/// view, anyone with the same route and URL arguments (`session` is `None`).
///
/// Borrowed from the request, a view's own taken from its request when it is compared: a copy
/// kept in every view would cost each idle view 64 bytes and its route's name again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ReattachKey<'a> {
    session: Option<&'a SessionId>,
    route: &'a str,
    match_info: &'a [(String, String)],
}

impl ReattachKey<'_> {
    fn of(request: &Request, broadcast: bool) -> ReattachKey<'_> {
        ReattachKey {
            session: (!broadcast).then_some(&request.session),
            route: request.route.as_deref().unwrap_or(&request.path),
            match_info: &request.match_info,
        }
    }
}

/// One running view: its tree, its connections, its waits, its handlers and its mailbox.
pub(crate) struct ViewShared {
    pub(crate) id: RuntimeId,
    pub(crate) request: Request,
    pub(crate) doc: Document,
    pub(crate) stop: StopSignal,
    pub(crate) waiters: Mutex<Waiters>,
    runtime: Weak<RuntimeInner>,
    view: Arc<dyn DynView>,
    title: Mutex<Arc<str>>,
    daemon: AtomicBool,
    attached: Mutex<Vec<Attachment>>,
    handlers: Mutex<Handlers>,
    /// Queued events, each with the moment it arrived, for the click round-trip histogram.
    mailbox: Mutex<VecDeque<(Instant, InputEvent)>>,
    draining: AtomicBool,
    lifecycle: Mutex<Lifecycle>,
    /// `false` for a view run once for an HTTP request ([`Runtime::run_once`]): it has no
    /// window, and its waits for input fail at once.
    pub(crate) interactive: bool,
    /// What few views use, allocated by the first that does (`Rare`): inline, it would cost
    /// every view 64 bytes. A leaf lock: taken under the attachments' lock, never around one.
    rare: Mutex<Option<Box<Rare>>>,
    /// When the view was created, for its age in the admin shell.
    created: Instant,
    /// Pending `await_*` calls and sleeps, for its state in the admin shell.
    pub(crate) pending: PendingWaits,
    /// The address of the browser that started it, counted by `max_views_per_ip`.
    client: Option<std::net::IpAddr>,
    /// Whether the per-session and per-address view counts hold it.
    counted: bool,
    /// Whether it holds a unit of its session's runtime-pool share.
    holds_share: AtomicBool,
    /// Its accounting: events, latencies, bytes sent (`accounting`).
    pub(crate) counters: accounting::ViewCounters,
    /// Itself, for the updates it queues to count their bytes where they are encoded.
    myself: Weak<ViewShared>,
    /// One instance watched by every session's windows (`broadcast.rs`); always a daemon.
    broadcast: bool,
}

/// The parts of a view that few views use (`ViewShared::rare`).
#[derive(Default)]
struct Rare {
    /// Since when a daemon has had no window, and whether its expiry timer is set.
    idle: daemon::Idle,
    /// Things the view holds until its cleanup (channel subscriptions, upload targets...).
    kept: Vec<Box<dyn std::any::Any + Send>>,
}

/// How many waits of each kind a view has pending; several at once in an async view.
#[derive(Debug, Default)]
pub(crate) struct PendingWaits {
    pub(crate) input: std::sync::atomic::AtomicU32,
    pub(crate) sleep: std::sync::atomic::AtomicU32,
}

/// Counts one pending wait while it lives.
pub(crate) struct Pending<'a>(&'a std::sync::atomic::AtomicU32);

impl<'a> Pending<'a> {
    pub(crate) fn new(count: &'a std::sync::atomic::AtomicU32) -> Pending<'a> {
        count.fetch_add(1, Ordering::Relaxed);
        Pending(count)
    }
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl ViewShared {
    /// Who may re-attach to it, if it is a daemon or a broadcast view.
    fn reattach_key(&self) -> ReattachKey<'_> {
        ReattachKey::of(&self.request, self.broadcast)
    }

    pub(crate) fn keep(&self, guard: Box<dyn std::any::Any + Send>) {
        if self.stop.reason().is_some() && self.lifecycle.lock().cleaned_up {
            // Cleaned up already: the guard ends now, as it would have at cleanup.
            drop(guard);
            return;
        }
        self.rare().kept.push(guard);
    }

    /// Its rare parts, allocated on first use.
    fn rare(&self) -> parking_lot::MappedMutexGuard<'_, Rare> {
        parking_lot::MutexGuard::map(self.rare.lock(), |rare| {
            &mut **rare.get_or_insert_with(Box::default)
        })
    }

    /// Since when a daemon has had no window (`None` while one shows it), allocating nothing.
    fn idle_since(&self) -> Option<Instant> {
        self.rare.lock().as_ref().and_then(|rare| rare.idle.since)
    }

    /// The runtime, if it is still there.
    pub(crate) fn runtime(&self) -> Option<Runtime> {
        self.runtime.upgrade().map(|inner| Runtime { inner })
    }

    pub(crate) fn app_state(&self) -> AppState {
        self.runtime
            .upgrade()
            .map(|runtime| runtime.config.state.clone())
            .unwrap_or_default()
    }
}

/// The title of a view that set none: one shared string, not an allocation per view.
fn empty_title() -> Arc<str> {
    static EMPTY: std::sync::LazyLock<Arc<str>> = std::sync::LazyLock::new(|| Arc::from(""));
    Arc::clone(&EMPTY)
}

/// The first 8 characters of a session id: enough to follow one session through the logs
/// without writing the whole cookie value, which is a credential, into them.
pub(crate) fn short_session(session: &SessionId) -> &str {
    let id = &*session.0;
    id.char_indices().nth(8).map_or(id, |(end, _)| &id[..end])
}

/// The runtime's state, shared by its handles and its views.
pub(crate) struct RuntimeInner {
    config: RuntimeConfig,
    runtime_pool: Pool,
    worker_pool: Pool,
    static_pool: Pool,
    spawner: Arc<dyn Spawn>,
    views: Mutex<HashMap<RuntimeId, Arc<ViewShared>>>,
    next_id: AtomicU64,
    shutting_down: AtomicBool,
    events_dispatched: AtomicU64,
    events_rejected: AtomicU64,
    view_panics: AtomicU64,
    click_roundtrip: Histogram,
    /// Every event's event-to-flush latency, over all views.
    event_flush: Histogram,
    /// What gone views counted, for the totals.
    retired: accounting::RetiredCounters,
    pub(crate) limits: LimitCounters,
    pub(crate) quotas: Quotas,
    resume: resume::ResumeCounters,
    paints: paint::Paints,
    broadcasts: broadcast::Broadcasts,
}

impl RuntimeInner {
    /// Takes a view out of the map, and out of the counts of its session and address.
    fn remove_view(&self, id: RuntimeId) {
        let removed = {
            let mut views = self.views.lock();
            // Released under the views' lock, so that whoever sees the view gone sees its
            // count gone too. The quotas' lock is a leaf: nothing takes another lock under it.
            let removed = views.remove(&id);
            if let Some(view) = removed.as_ref().filter(|view| view.counted) {
                self.quotas.release_view(&view.request.session, view.client);
            }
            if let Some(view) = &removed {
                self.retired.retire(view);
                if view.broadcast {
                    self.broadcasts.remove(id);
                }
            }
            removed
        };
        // A painted view that goes before its window adopted it leaves no token behind.
        if let Some(view) = &removed {
            let _ = self.paints.take_view(&view.request.session, id);
        }
        // Dropped after the lock: the last reference may drop what the view kept (user code).
        drop(removed);
    }
}

/// The view runtime: pools, running views, and the entry points the server calls.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<RuntimeInner>,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("metrics", &self.metrics())
            .finish_non_exhaustive()
    }
}

impl Runtime {
    /// A runtime whose async views run on its own worker pool.
    pub fn new(config: RuntimeConfig) -> Runtime {
        Runtime::build(config, None)
    }

    /// A runtime whose async views run on `spawner` (the server's executor).
    pub fn with_spawner(config: RuntimeConfig, spawner: Arc<dyn Spawn>) -> Runtime {
        Runtime::build(config, Some(spawner))
    }

    fn build(mut config: RuntimeConfig, spawner: Option<Arc<dyn Spawn>>) -> Runtime {
        if config.state.get::<ServerState>().is_none() {
            config.state = config.state.with(ServerState::default());
        }
        let pool = |name: &str, threads, queue| {
            Pool::new(PoolConfig {
                name: name.to_owned(),
                threads,
                queue,
            })
        };
        let runtime_pool = pool("runtime", config.runtime_threads, config.runtime_queue);
        let worker_pool = pool("worker", config.worker_threads, config.worker_queue);
        let static_pool = pool("static", config.static_threads, config.static_queue);
        let spawner = spawner
            .unwrap_or_else(|| Arc::new(PoolSpawner::new(worker_pool.clone())) as Arc<dyn Spawn>);
        Runtime {
            inner: Arc::new(RuntimeInner {
                config,
                runtime_pool,
                worker_pool,
                static_pool,
                spawner,
                views: Mutex::new(HashMap::new()),
                next_id: AtomicU64::new(1),
                shutting_down: AtomicBool::new(false),
                events_dispatched: AtomicU64::new(0),
                events_rejected: AtomicU64::new(0),
                view_panics: AtomicU64::new(0),
                click_roundtrip: Histogram::default(),
                event_flush: Histogram::default(),
                retired: accounting::RetiredCounters::default(),
                limits: LimitCounters::default(),
                quotas: Quotas::default(),
                resume: resume::ResumeCounters::default(),
                paints: paint::Paints::default(),
                broadcasts: broadcast::Broadcasts::default(),
            }),
        }
    }

    /// The app's state.
    pub fn state(&self) -> &AppState {
        &self.inner.config.state
    }

    /// The configuration.
    pub fn config(&self) -> &RuntimeConfig {
        &self.inner.config
    }

    /// The worker pool, for non-interactive work that must not wait behind views.
    pub fn worker_pool(&self) -> &Pool {
        &self.inner.worker_pool
    }

    /// The static pool, for file lookups.
    pub fn static_pool(&self) -> &Pool {
        &self.inner.static_pool
    }
}

#[cfg(test)]
mod sizes;
