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

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use lona_html::forms::{self, ClientValue, Submitted};
use lona_html::tags::{div, h1};
use lona_html::{Document, Issuer, Node, NodeId, Patch, WIDGET_DATA_EVENT};
use lona_protocol::client::{ChangeValue, EventKind, InputEvent as WireEvent, SubmitField};
use lona_protocol::{Html, RuntimeId, ServerMessage, WindowId};
use parking_lot::Mutex;

use crate::client_errors::{Admission, report_suppressed};
use crate::connection::{CloseReason, Connection, ConnectionId, OutboxLimits, Outgoing, SessionId};
use crate::context::{AsyncContext, Context, EventContext, ViewHandle, Waiter};
use crate::histogram::{Histogram, HistogramSnapshot};
use crate::limits::{Limit, LimitCounters, LimitsTripped};
use crate::pool::{Pool, PoolConfig, PoolMetrics, panic_message};
use crate::quota::Quotas;
use crate::spawn::{CatchUnwind, PoolSpawner, Spawn};
use crate::state::{AppState, ServerState};
use crate::stop::{StopReason, StopSignal};
use crate::untrusted::Untrusted;
use crate::view::{
    AsyncView, Flow, InputEvent, Request, Response, View, ViewError, ViewHooks, ViewResult,
};

mod daemon;

/// Sizes and limits of a runtime.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// Threads for blocking views' `handle_request` (Lona's `MAX_RUNTIME_THREADS`).
    pub runtime_threads: usize,
    /// Blocking views that may wait for a runtime thread; past this, starting a view is
    /// refused with [`StartError::Busy`].
    pub runtime_queue: usize,
    /// Threads for event handlers, cleanup and non-interactive work (`MAX_WORKER_THREADS`).
    pub worker_threads: usize,
    /// Jobs that may wait for a worker thread.
    pub worker_queue: usize,
    /// Threads for static file lookups (`MAX_STATIC_THREADS`).
    pub static_threads: usize,
    /// Jobs that may wait for a static thread.
    pub static_queue: usize,
    /// How large a connection's outbox may grow.
    pub outbox: OutboxLimits,
    /// A stopped view whose `handle_request` has not returned after this long is reported as
    /// stuck in the metrics.
    pub stuck_after: Duration,
    /// Values every view reaches with `cx.state::<T>()`; a [`ServerState`] is always there.
    pub state: AppState,
    /// What a window shows when its view fails: forbidden, not found or crashed.
    pub error_page: ErrorPage,
    /// Client errors (`CLIENT_ERROR`) one connection may have logged per minute; past it they
    /// are dropped, one line later says how many, and [`Limit::ClientErrorRate`] trips.
    pub max_client_errors_per_minute: u32,
    /// Views one session may hold at once (`max_views_per_session`); past it,
    /// [`Runtime::start_view`] refuses with [`StartError::LimitReached`].
    pub max_views_per_session: usize,
    /// Views one client address may hold at once (`max_views_per_ip`), counted for
    /// connections the server gave an address ([`Connection::with_client_addr`]).
    pub max_views_per_ip: usize,
    /// The share of the runtime pool one session may hold, in percent of `runtime_threads`
    /// (at least one thread): its blocking views running or queued, stopped ones not
    /// counted. Below 100, one session cannot take every thread, so others still start.
    pub max_runtime_share: usize,
    /// A daemon view left without a window this long is stopped; zero keeps it forever.
    pub daemon_idle_timeout: Duration,
    /// Daemon views one session may hold; see [`crate::ViewHandle::set_daemon`] for what
    /// happens past it.
    pub max_daemons_per_session: usize,
}

/// Builds the tree a window shows in place of its view for an error status (403, 404,
/// 500). The server makes one from its overridable `lona/error.html` template; the default
/// is [`ErrorPage::builtin`].
#[derive(Clone)]
pub struct ErrorPage(Arc<dyn Fn(u16) -> Node + Send + Sync>);

impl ErrorPage {
    /// An error page built by `build` for each status.
    pub fn new(build: impl Fn(u16) -> Node + Send + Sync + 'static) -> ErrorPage {
        ErrorPage(Arc::new(build))
    }

    /// The built-in page: a `div.lona-error` with the status and its reason as heading.
    pub fn builtin() -> ErrorPage {
        ErrorPage::new(builtin_error_page)
    }

    /// The page for `status`.
    pub fn build(&self, status: u16) -> Node {
        (self.0)(status)
    }
}

impl Default for ErrorPage {
    fn default() -> ErrorPage {
        ErrorPage::builtin()
    }
}

impl std::fmt::Debug for ErrorPage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ErrorPage")
    }
}

impl Default for RuntimeConfig {
    fn default() -> RuntimeConfig {
        RuntimeConfig {
            runtime_threads: 6,
            runtime_queue: 100,
            worker_threads: 4,
            worker_queue: 10_000,
            static_threads: 4,
            static_queue: 1_000,
            outbox: OutboxLimits::default(),
            stuck_after: Duration::from_secs(5),
            state: AppState::default(),
            error_page: ErrorPage::default(),
            max_client_errors_per_minute: 10,
            max_views_per_session: 100,
            max_views_per_ip: 1000,
            // No share by default here: a runtime alone may be one user's (the server's
            // `max_runtime_share` setting defaults to 50).
            max_runtime_share: 100,
            daemon_idle_timeout: Duration::from_secs(900),
            max_daemons_per_session: 10,
        }
    }
}

impl RuntimeConfig {
    /// How many blocking views one session may have running or queued: `max_runtime_share`
    /// percent of the threads, at least one.
    pub fn runtime_share(&self) -> usize {
        (self.runtime_threads.saturating_mul(self.max_runtime_share) / 100).max(1)
    }
}

/// Why a view could not start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StartError {
    /// Every runtime thread is busy and the wait queue is full: answer "server busy" and let
    /// the user retry, rather than hang.
    Busy,
    /// The runtime is shutting down.
    ShuttingDown,
    /// A per-visitor limit refuses the view (`max_views_per_session`, `max_views_per_ip`,
    /// `max_runtime_share`); the trip is counted already. The caller answers with an error
    /// page; other visitors are not affected.
    LimitReached(Limit),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StartError::Busy => "the server is busy: every view thread is taken",
            StartError::ShuttingDown => "the server is shutting down",
            StartError::LimitReached(Limit::RuntimeShare) => {
                "this session holds its share of the view threads"
            }
            StartError::LimitReached(_) => "this visitor holds too many views",
        })
    }
}

impl std::error::Error for StartError {}

/// What became of an input event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventOutcome {
    /// Acknowledged and queued for its view.
    Accepted,
    /// No such view.
    UnknownView,
    /// The connection and window are not attached to that view.
    NotAttached,
    /// The event names no node of the view, or one that does not listen for it.
    NotListening,
}

/// Counters of the whole runtime, now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RuntimeMetrics {
    /// The runtime pool.
    pub runtime_pool: PoolMetrics,
    /// The worker pool.
    pub worker_pool: PoolMetrics,
    /// The static pool.
    pub static_pool: PoolMetrics,
    /// Views running or attached.
    pub views: usize,
    /// Of those, daemons.
    pub daemons: usize,
    /// Stopped views whose `handle_request` ignored the stop for longer than `stuck_after`.
    pub stuck: usize,
    /// Input events handled.
    pub events_dispatched: u64,
    /// Input events refused (unknown view, not attached, not listening).
    pub events_rejected: u64,
    /// Panics caught in view code (pool panics are counted by the pools).
    pub view_panics: u64,
    /// Click round trips: from a click's INPUT_EVENT reaching [`Runtime::input_event`] to its
    /// patches being queued on the connections (after the handlers ran).
    pub click_roundtrip: HistogramSnapshot,
    /// How often each limit refused or closed something, every [`Limit`] listed.
    pub limits_tripped: LimitsTripped,
}

/// Builds a view for each request of a route.
#[derive(Clone)]
pub struct ViewFactory {
    make: Arc<MakeView>,
    /// Not counted by the per-session and per-address view limits (error pages).
    exempt: bool,
}

type MakeView = dyn Fn(&Request) -> Arc<dyn DynView> + Send + Sync;

impl std::fmt::Debug for ViewFactory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ViewFactory(..)")
    }
}

impl ViewFactory {
    /// A factory of blocking views.
    pub fn blocking<V: View>(make: impl Fn(&Request) -> V + Send + Sync + 'static) -> ViewFactory {
        ViewFactory {
            make: Arc::new(move |request| Arc::new(Blocking(make(request)))),
            exempt: false,
        }
    }

    /// A factory of async views.
    pub fn asynchronous<V: AsyncView>(
        make: impl Fn(&Request) -> V + Send + Sync + 'static,
    ) -> ViewFactory {
        ViewFactory {
            make: Arc::new(move |request| Arc::new(Async(make(request)))),
            exempt: false,
        }
    }

    /// The same factory, its views not counted by `max_views_per_session` and
    /// `max_views_per_ip`: for the pages the server shows in place of a refused view, which
    /// must reach a visitor who is over those limits. Use it only for async views that
    /// finish at once; their number is bounded by the windows of the visitor's sockets.
    pub fn exempt_from_limits(mut self) -> ViewFactory {
        self.exempt = true;
        self
    }
}

/// A view of either kind, as the runtime drives it.
pub(crate) trait DynView: Send + Sync + 'static {
    /// Starts `handle_request` on the right pool or executor.
    fn launch(
        self: Arc<Self>,
        shared: Arc<ViewShared>,
        runtime: &RuntimeInner,
    ) -> Result<(), StartError>;
    /// Runs `handle_request` once, non-interactively, then `done` with its result.
    fn run_once(
        self: Arc<Self>,
        shared: Arc<ViewShared>,
        runtime: &RuntimeInner,
        done: OnceDone,
    ) -> Result<(), StartError>;
    /// The view's hooks.
    fn hooks(&self) -> &dyn ViewHooks;
}

struct Blocking<V>(V);
struct Async<V>(V);

/// Where the result of a non-interactive run goes.
type OnceDone = Box<dyn FnOnce(Result<Response, u16>) + Send>;

impl<V: View> Blocking<V> {
    /// `handle_request` on this thread, a panic caught as its message.
    fn handle_request(&self, shared: &Arc<ViewShared>) -> Result<ViewResult, String> {
        let cx = Context {
            handle: ViewHandle {
                shared: Arc::clone(shared),
            },
        };
        catch_unwind(AssertUnwindSafe(|| {
            self.0.handle_request(&cx, &shared.request)
        }))
        .map_err(|panic| panic_message(panic.as_ref()))
    }
}

impl<V: AsyncView> Async<V> {
    /// `handle_request` as a future, a panic caught as its message.
    async fn handle_request(&self, shared: &Arc<ViewShared>) -> Result<ViewResult, String> {
        let cx = AsyncContext {
            handle: ViewHandle {
                shared: Arc::clone(shared),
            },
        };
        let future: std::pin::Pin<Box<dyn Future<Output = ViewResult> + Send + '_>> =
            Box::pin(self.0.handle_request(&cx, &shared.request));
        CatchUnwind(future).await
    }
}

impl<V: View> DynView for Blocking<V> {
    fn launch(
        self: Arc<Self>,
        shared: Arc<ViewShared>,
        runtime: &RuntimeInner,
    ) -> Result<(), StartError> {
        if !runtime
            .quotas
            .admit_runtime(&shared.request.session, runtime.config.runtime_share())
        {
            runtime.limits.trip(Limit::RuntimeShare);
            tracing::warn!(
                session = short_session(&shared.request.session),
                "a session asked for more than its share of the runtime pool"
            );
            return Err(StartError::LimitReached(Limit::RuntimeShare));
        }
        shared.holds_share.store(true, Ordering::Release);
        // Gives the share back when the job ends, or is dropped unrun (a full queue).
        let share = ShareRelease(Arc::clone(&shared));
        let saturated = runtime.runtime_pool.is_saturated();
        let job_shared = Arc::clone(&shared);
        let job = move || {
            let _share = share;
            if !job_shared.begin() {
                return;
            }
            let result = self.handle_request(&job_shared);
            job_shared.finish(result, |reason| self.0.hooks().on_stop(reason));
        };
        match runtime.runtime_pool.try_submit(job) {
            Ok(()) => {
                if saturated {
                    shared.tell_queued();
                }
                Ok(())
            }
            Err(_) => Err(StartError::Busy),
        }
    }

    fn run_once(
        self: Arc<Self>,
        shared: Arc<ViewShared>,
        runtime: &RuntimeInner,
        done: OnceDone,
    ) -> Result<(), StartError> {
        let job = move || {
            let result = self.handle_request(&shared);
            shared.finish_once(result, done, |reason| self.0.hooks().on_stop(reason));
        };
        runtime
            .runtime_pool
            .try_submit(job)
            .map_err(|_| StartError::Busy)
    }

    fn hooks(&self) -> &dyn ViewHooks {
        self.0.hooks()
    }
}

impl<V: AsyncView> DynView for Async<V> {
    fn launch(
        self: Arc<Self>,
        shared: Arc<ViewShared>,
        runtime: &RuntimeInner,
    ) -> Result<(), StartError> {
        let task = async move {
            if !shared.begin() {
                return;
            }
            let result = self.handle_request(&shared).await;
            shared.finish(result, |reason| self.0.hooks().on_stop(reason));
        };
        runtime.spawner.spawn(Box::pin(task));
        Ok(())
    }

    fn run_once(
        self: Arc<Self>,
        shared: Arc<ViewShared>,
        runtime: &RuntimeInner,
        done: OnceDone,
    ) -> Result<(), StartError> {
        let task = async move {
            let result = self.handle_request(&shared).await;
            shared.finish_once(result, done, |reason| self.0.hooks().on_stop(reason));
        };
        runtime.spawner.spawn(Box::pin(task));
        Ok(())
    }

    fn hooks(&self) -> &dyn ViewHooks {
        self.0.hooks()
    }
}

/// Releases a blocking view's share of the runtime pool when dropped.
struct ShareRelease(Arc<ViewShared>);

impl Drop for ShareRelease {
    fn drop(&mut self) {
        self.0.release_share();
    }
}

/// The closure of a node handler.
pub(crate) type HandlerFn = dyn Fn(&EventContext, &InputEvent) -> Flow + Send + Sync;

/// A node handler registered with [`ViewHandle::on`].
#[derive(Clone)]
pub(crate) struct Handler {
    pub(crate) code: u16,
    pub(crate) name: Option<String>,
    pub(crate) call: Arc<HandlerFn>,
}

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
}

impl Attachment {
    fn new(connection: &Arc<Connection>, window: WindowId) -> Attachment {
        // One token per attachment, never reused: a window that re-attaches is a new issuer.
        static NEXT_ISSUER: AtomicU64 = AtomicU64::new(1);
        Attachment {
            connection: Arc::clone(connection),
            window,
            issuer: Issuer::from_raw(NEXT_ISSUER.fetch_add(1, Ordering::Relaxed)),
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

/// Who may re-attach to a daemon: the same session, route and URL arguments.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ReattachKey {
    session: SessionId,
    route: String,
    match_info: Vec<(String, String)>,
}

impl ReattachKey {
    fn of(request: &Request) -> ReattachKey {
        ReattachKey {
            session: request.session.clone(),
            route: request
                .route
                .as_deref()
                .map_or_else(|| request.path.clone(), str::to_owned),
            match_info: request.match_info.clone(),
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
    handlers: Mutex<HashMap<NodeId, Vec<Handler>>>,
    /// Queued events, each with the moment it arrived, for the click round-trip histogram.
    mailbox: Mutex<VecDeque<(Instant, InputEvent)>>,
    draining: AtomicBool,
    lifecycle: Mutex<Lifecycle>,
    reattach: ReattachKey,
    /// `false` for a view run once for an HTTP request ([`Runtime::run_once`]): it has no
    /// window, and its waits for input fail at once.
    pub(crate) interactive: bool,
    /// Things the view holds until its cleanup (channel subscriptions, upload targets...).
    kept: Mutex<Vec<Box<dyn std::any::Any + Send>>>,
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
    /// Since when a daemon has had no window, and whether its expiry timer is set.
    idle: Mutex<daemon::Idle>,
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

/// What a view is doing, as the admin shell shows it (Lona's view runtime states).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ViewState {
    /// Created, `handle_request` not yet called (waiting for a runtime thread).
    NotStarted,
    /// In `handle_request`, not waiting.
    Running,
    /// In an `await_*` call.
    WaitingForInput,
    /// In `sleep`.
    Sleeping,
    /// `handle_request` returned; a daemon or a view with handlers lives on.
    Finished,
    /// Stopped, for this reason; it is removed once its cleanup ran.
    Stopped(StopReason),
}

impl ViewState {
    /// The state's name in Lona's spelling: `RUNNING`, `WAITING_FOR_INPUT`,
    /// `STOPPED_BY_USER`...
    pub fn name(&self) -> &'static str {
        match self {
            ViewState::NotStarted => "NOT_STARTED",
            ViewState::Running => "RUNNING",
            ViewState::WaitingForInput => "WAITING_FOR_INPUT",
            ViewState::Sleeping => "SLEEPING",
            ViewState::Finished => "FINISHED",
            ViewState::Stopped(StopReason::UserAbort) => "STOPPED_BY_USER",
            ViewState::Stopped(StopReason::ServerStop) => "STOPPED_BY_SERVER",
            ViewState::Stopped(StopReason::Crashed) => "CRASHED",
            ViewState::Stopped(StopReason::NotInteractive) => "STOPPED_NOT_INTERACTIVE",
        }
    }
}

impl ViewShared {
    fn state(&self) -> ViewState {
        if let Some(reason) = self.stop.reason() {
            return ViewState::Stopped(reason);
        }
        let lifecycle = self.lifecycle.lock();
        if lifecycle.finished {
            ViewState::Finished
        } else if !lifecycle.started {
            ViewState::NotStarted
        } else if self.pending.input.load(Ordering::Relaxed) > 0 {
            ViewState::WaitingForInput
        } else if self.pending.sleep.load(Ordering::Relaxed) > 0 {
            ViewState::Sleeping
        } else {
            ViewState::Running
        }
    }

    fn send_all(&self, message: impl Fn(WindowId) -> Outgoing) {
        for attachment in self.attached.lock().iter() {
            attachment.connection.send(message(attachment.window));
        }
    }

    fn frame(
        &self,
        message: impl Fn(WindowId) -> ServerMessage<'static>,
    ) -> impl Fn(WindowId) -> Outgoing {
        move |window| Outgoing::Frame(message(window).encode())
    }

    /// Sends VIEW_START once; `false` if the view is stopped already (it never starts then).
    fn begin(&self) -> bool {
        if self.stop.reason().is_some() {
            return false;
        }
        let mut lifecycle = self.lifecycle.lock();
        if !lifecycle.started {
            self.log_start();
        }
        lifecycle.started = true;
        if !lifecycle.view_start_sent {
            lifecycle.view_start_sent = true;
            drop(lifecycle);
            let id = self.id;
            self.send_all(self.frame(move |window| ServerMessage::ViewStart {
                window,
                runtime: id,
            }));
        }
        true
    }

    /// The `lona::view` start line: info for a browser's view, debug for a non-interactive
    /// run, which the request line already reports.
    fn log_start(&self) {
        let route = self.request.route.as_deref().unwrap_or("");
        let session = short_session(&self.request.session);
        // The path is the browser's: a VIEW frame's URL says what it likes.
        let path = Untrusted(&self.request.path);
        if self.interactive {
            tracing::info!(target: "lona::view", view = self.id.0, route, %path, session, "view started");
        } else {
            tracing::debug!(target: "lona::view", view = self.id.0, route, %path, session, "view started");
        }
    }

    /// Tells the browser that the view waits for a runtime thread, so it shows that instead of
    /// "Waiting for Server..." timing out.
    fn tell_queued(&self) {
        let mut lifecycle = self.lifecycle.lock();
        if lifecycle.started || lifecycle.view_start_sent {
            return;
        }
        lifecycle.view_start_sent = true;
        drop(lifecycle);
        let id = self.id;
        self.send_all(self.frame(move |window| ServerMessage::ViewStart {
            window,
            runtime: id,
        }));
        let html = "<p class=\"lona-queued\">The server is busy; this page starts in a moment.</p>";
        let title = self.title.lock().clone();
        self.send_all(move |window| {
            Outgoing::Frame(
                ServerMessage::Data {
                    window,
                    runtime: id,
                    title: &title,
                    html: Some(Html::String(html)),
                }
                .encode(),
            )
        });
    }

    /// Ends `handle_request`: renders its response or error, sends VIEW_STOP, runs `on_stop`.
    fn finish(
        &self,
        result: Result<ViewResult, String>,
        on_stop: impl FnOnce(Option<&StopReason>),
    ) {
        let stopped = self.stop.reason().is_some();
        match result {
            // A stopped view has no window left to show anything in.
            Ok(_) if stopped => {}
            Ok(Ok(response)) => self.respond(response),
            Ok(Err(ViewError::Stopped(_))) => {}
            Ok(Err(ViewError::Forbidden)) => self.show_error(403),
            Ok(Err(ViewError::NotFound)) => self.show_error(404),
            Ok(Err(ViewError::Failed(error))) => {
                tracing::error!(view = self.id.0, %error, "a view failed");
                self.show_error(500);
            }
            Err(panic) => {
                self.count_panic();
                tracing::error!(view = self.id.0, %panic, "a view panicked");
                self.show_error(500);
            }
        }
        if self.stop.reason().is_none() {
            let id = self.id;
            self.send_all(self.frame(move |window| ServerMessage::ViewStop {
                window,
                runtime: id,
            }));
        }
        let reason = self.stop.reason();
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| on_stop(reason.as_ref()))) {
            self.count_panic();
            tracing::error!(view = self.id.0, panic = %panic_message(panic.as_ref()), "on_stop panicked");
        }
        let remove = {
            let mut lifecycle = self.lifecycle.lock();
            lifecycle.finished = true;
            lifecycle.cleaned_up
        };
        if remove && let Some(runtime) = self.runtime.upgrade() {
            runtime.remove_view(self.id);
        }
    }

    /// Ends a non-interactive run: hands the response (what was shown, if the view returned
    /// nothing) or the error status to `done`, then runs `on_stop` and the cleanup at once.
    fn finish_once(
        self: &Arc<Self>,
        result: Result<ViewResult, String>,
        done: OnceDone,
        on_stop: impl FnOnce(Option<&StopReason>),
    ) {
        let outcome = match result {
            Ok(Ok(Response::Empty)) => Ok(self.doc.root().map_or(Response::Empty, Response::Node)),
            Ok(Ok(response)) => Ok(response),
            Ok(Err(ViewError::Forbidden)) => Err(403),
            Ok(Err(ViewError::NotFound)) => Err(404),
            Ok(Err(ViewError::Stopped(reason))) => {
                tracing::error!(view = self.id.0, %reason, "a non-interactive view stopped");
                Err(500)
            }
            Ok(Err(ViewError::Failed(error))) => {
                tracing::error!(view = self.id.0, %error, "a view failed");
                Err(500)
            }
            Err(panic) => {
                self.count_panic();
                tracing::error!(view = self.id.0, %panic, "a view panicked");
                Err(500)
            }
        };
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| done(outcome))) {
            tracing::error!(panic = %panic_message(panic.as_ref()), "a non-interactive caller panicked");
        }
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| on_stop(None))) {
            self.count_panic();
            tracing::error!(view = self.id.0, panic = %panic_message(panic.as_ref()), "on_stop panicked");
        }
        self.stop.stop(StopReason::NotInteractive);
        self.lifecycle.lock().finished = true;
        self.cleanup();
    }

    fn respond(&self, response: Response) {
        if self.stop.reason().is_some() {
            return;
        }
        match response {
            Response::Empty => {}
            Response::Node(node) => self.show(&node),
            Response::RawHtml(html) => self.show_raw_html(&html),
            Response::Redirect(url) => self.redirect(&url, false),
            Response::HttpRedirect(url) => self.redirect(&url, true),
        }
    }

    pub(crate) fn show(&self, root: &Node) {
        let _lock = self.doc.lock();
        let current = self.doc.root();
        let patched = match current {
            Some(current) if current.ptr_eq(root) => true,
            Some(_) => self.doc.morph_root(root),
            None => {
                self.doc.set_root(root);
                false
            }
        };
        if patched {
            self.flush();
        } else {
            self.send_tree(root);
        }
    }

    /// Sends the whole tree, encoded once for every window. Called under the document lock,
    /// so no patch can overtake it.
    fn send_tree(&self, root: &Node) {
        let _ = self.doc.take_patches();
        let part = Html::Tree(root).encode_part();
        let title = self.title.lock().clone();
        let id = self.id;
        self.send_all(|window| {
            Outgoing::Frame(
                ServerMessage::Data {
                    window,
                    runtime: id,
                    title: &title,
                    html: Some(Html::Encoded(&part)),
                }
                .encode(),
            )
        });
    }

    /// Sends the pending patches to every window; taking and queueing happen under the
    /// document lock, so updates reach every browser in the order they were made.
    ///
    /// A patch with an issuer (Lona's issuer filtering) goes to every window but its issuer's:
    /// it mirrors what that window shows already, such as the value its user just typed.
    pub(crate) fn flush(&self) {
        let _lock = self.doc.lock();
        let patches = self.doc.take_patches();
        if patches.is_empty() {
            return;
        }
        let issued = patches.iter().any(|p| p.issuer.is_some());
        let patches = Arc::new(patches);
        let title = self.title.lock().clone();
        let runtime = self.id;
        for attachment in self.attached.lock().iter() {
            let mine = Some(attachment.issuer);
            let patches = if issued && patches.iter().any(|p| p.issuer == mine) {
                let others: Vec<Patch> = patches
                    .iter()
                    .filter(|p| p.issuer != mine)
                    .cloned()
                    .collect();
                if others.is_empty() {
                    continue;
                }
                Arc::new(others)
            } else {
                Arc::clone(&patches)
            };
            attachment.connection.send(Outgoing::Update {
                window: attachment.window,
                runtime,
                title: Arc::clone(&title),
                patches,
            });
        }
    }

    pub(crate) fn show_raw_html(&self, html: &str) {
        let _lock = self.doc.lock();
        self.doc.clear_root();
        let title = self.title.lock().clone();
        let id = self.id;
        self.send_all(|window| {
            Outgoing::Frame(
                ServerMessage::Data {
                    window,
                    runtime: id,
                    title: &title,
                    html: Some(Html::String(html)),
                }
                .encode(),
            )
        });
    }

    pub(crate) fn set_title(&self, title: &str) {
        let title: Arc<str> = Arc::from(title);
        *self.title.lock() = Arc::clone(&title);
        let id = self.id;
        self.send_all(|window| {
            Outgoing::Frame(
                ServerMessage::Data {
                    window,
                    runtime: id,
                    title: &title,
                    html: None,
                }
                .encode(),
            )
        });
    }

    pub(crate) fn redirect(&self, url: &str, http: bool) {
        self.send_all(|window| Outgoing::Frame(self.redirect_frame(window, url, http)));
    }

    /// REDIRECT (navigate in the app) or HTTP_REDIRECT (load a page) for one window.
    fn redirect_frame(&self, window: WindowId, url: &str, http: bool) -> String {
        let runtime = Some(self.id);
        let message = if http {
            ServerMessage::HttpRedirect {
                window,
                runtime,
                url,
            }
        } else {
            ServerMessage::Redirect {
                window,
                runtime,
                url,
            }
        };
        message.encode()
    }

    pub(crate) fn set_daemon(self: &Arc<Self>, daemon: bool) {
        if daemon && !self.is_daemon() && !self.admit_daemon() {
            return;
        }
        self.daemon.store(daemon, Ordering::Release);
        let windowless = self.attached.lock().is_empty();
        // A view that stops being a daemon with nobody attached ends now.
        if !daemon && windowless {
            self.stop_view(StopReason::UserAbort);
        }
        if daemon && windowless && self.interactive {
            self.mark_idle();
        }
    }

    pub(crate) fn is_daemon(&self) -> bool {
        self.daemon.load(Ordering::Acquire)
    }

    pub(crate) fn keep(&self, guard: Box<dyn std::any::Any + Send>) {
        if self.stop.reason().is_some() && self.lifecycle.lock().cleaned_up {
            // Cleaned up already: the guard ends now, as it would have at cleanup.
            drop(guard);
            return;
        }
        self.kept.lock().push(guard);
    }

    /// Sends a raw (non-`lona:`) message to every window: custom messages for JS handlers.
    pub(crate) fn send_custom(&self, message: &str) {
        self.send_all(|_| Outgoing::Frame(message.to_owned()));
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

    pub(crate) fn add_handler(&self, node: NodeId, handler: Handler) {
        self.handlers.lock().entry(node).or_default().push(handler);
    }

    fn count_panic(&self) {
        if let Some(runtime) = self.runtime.upgrade() {
            runtime.view_panics.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Shows an error page in every window, replacing the view's tree.
    fn show_error(&self, status: u16) {
        let page = match self.runtime.upgrade() {
            Some(runtime) => {
                let build = || runtime.config.error_page.build(status);
                // A broken user page must not take the built-in one down with it.
                catch_unwind(AssertUnwindSafe(build)).unwrap_or_else(|panic| {
                    tracing::error!(panic = %panic_message(panic.as_ref()), "the error page panicked");
                    builtin_error_page(status)
                })
            }
            None => builtin_error_page(status),
        };
        let _lock = self.doc.lock();
        self.doc.set_root(&page);
        self.send_tree(&page);
    }

    /// Treats the view as crashed: counts it with the panics, shows the 500 page in every
    /// window and stops it with [`StopReason::Crashed`], as a panicking handler would.
    pub(crate) fn crash(self: &Arc<Self>, what: &str) {
        if self.stop.reason().is_some() {
            return;
        }
        self.count_panic();
        tracing::error!(view = self.id.0, what, "the view crashed");
        self.show_error(500);
        self.stop_view(StopReason::Crashed);
    }

    /// Stops the view (first call only) and queues its cleanup on the worker pool. Nothing
    /// here waits for `handle_request` to notice.
    pub(crate) fn stop_view(self: &Arc<Self>, reason: StopReason) {
        // The variant name (`UserAbort`), which reads well in a log filter, not the sentence.
        let logged = format!("{reason:?}");
        if !self.stop.stop(reason) {
            return;
        }
        tracing::info!(
            target: "lona::view",
            view = self.id.0,
            route = self.request.route.as_deref().unwrap_or(""),
            session = short_session(&self.request.session),
            reason = %logged,
            age_ms = u64::try_from(self.created.elapsed().as_millis()).unwrap_or(u64::MAX),
            "view stopped"
        );
        self.lifecycle.lock().stopped_at = Some(Instant::now());
        // A stopped view no longer counts against its session's share, even while its
        // thread unwinds: navigating away and back must not find the share taken.
        self.release_share();
        let Some(runtime) = self.runtime.upgrade() else {
            return;
        };
        let shared = Arc::clone(self);
        runtime
            .worker_pool
            .submit_continuation(move || shared.cleanup());
    }

    fn cleanup(self: &Arc<Self>) {
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| self.view.hooks().on_cleanup())) {
            self.count_panic();
            tracing::error!(view = self.id.0, panic = %panic_message(panic.as_ref()), "on_cleanup panicked");
        }
        // Handlers, waits and kept guards may hold nodes and contexts: drop them so the tree
        // can go (a kept subscription ends here).
        self.handlers.lock().clear();
        let kept = std::mem::take(&mut *self.kept.lock());
        drop(kept);
        self.waiters.lock().list.clear();
        self.mailbox.lock().clear();
        self.attached.lock().clear();
        self.doc.clear_root();
        let remove = {
            let mut lifecycle = self.lifecycle.lock();
            lifecycle.cleaned_up = true;
            lifecycle.finished || !lifecycle.started
        };
        if remove && let Some(runtime) = self.runtime.upgrade() {
            runtime.remove_view(self.id);
        }
    }

    /// Handles the queued events of this view, in order, one job at a time.
    fn drain(self: &Arc<Self>) {
        // A bounded batch, then the job goes to the back of the queue: a busy view cannot
        // starve the others.
        for _ in 0..64 {
            let Some((received, event)) = self.mailbox.lock().pop_front() else {
                self.draining.store(false, Ordering::Release);
                // An event queued between the pop and the store must not be stranded.
                if !self.mailbox.lock().is_empty() && !self.draining.swap(true, Ordering::AcqRel) {
                    continue;
                }
                return;
            };
            self.dispatch(event, received);
        }
        if let Some(runtime) = self.runtime.upgrade() {
            let shared = Arc::clone(self);
            runtime
                .worker_pool
                .submit_continuation(move || shared.drain());
        }
    }

    /// Lona's order: the root hook, node handlers from the event's node up to the root, a
    /// pending `await_*`, then `handle_input_event`; then the patches are flushed.
    fn dispatch(self: &Arc<Self>, event: InputEvent, received: Instant) {
        if self.stop.reason().is_some() {
            return;
        }
        let cx = EventContext {
            handle: ViewHandle {
                shared: Arc::clone(self),
            },
        };
        let mut event = event;
        let is_click = matches!(event.kind, EventKind::Click(_));
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            self.apply_client_change(&mut event);
            self.run_handlers(&cx, &event)
        }));
        match outcome {
            Ok(flow) => {
                match flow {
                    Flow::Redirect(url) => self.redirect_one(&event, &url, false),
                    Flow::HttpRedirect(url) => self.redirect_one(&event, &url, true),
                    Flow::Continue | Flow::Handled => {}
                }
                self.flush();
            }
            Err(panic) => {
                self.count_panic();
                tracing::error!(view = self.id.0, panic = %panic_message(panic.as_ref()), "an event handler panicked");
                // The error page goes out before the stop, whose cleanup detaches the windows.
                self.show_error(500);
                self.stop_view(StopReason::Crashed);
            }
        }
        // Counted when done, so that "all events handled" means their effects are visible.
        if let Some(runtime) = self.runtime.upgrade() {
            if is_click {
                runtime.click_roundtrip.observe(received.elapsed());
            }
            runtime.events_dispatched.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// What the browser changed itself, the server applies before anyone sees the event: the
    /// value of a form control (`lona_html::forms::apply_client_value`) or, for the reserved
    /// custom event [`WIDGET_DATA_EVENT`], the node's widget data. The patches this makes are
    /// issued by the event's window, so that window does not get back what it shows already.
    ///
    /// A change of a radio in a `RadioGroup` is then delivered as a change of the group, with
    /// the group's value, as in Lona; the radio stays the target.
    fn apply_client_change(&self, event: &mut InputEvent) {
        let Some(node) = event.node.clone() else {
            return;
        };
        let issuer = self
            .attached
            .lock()
            .iter()
            .find(|a| a.connection.id() == event.connection && a.window == event.window)
            .map(|a| a.issuer);
        let apply = || match &event.kind {
            EventKind::Change(value) => {
                let value = match value {
                    ChangeValue::Text(text) => ClientValue::Text(text),
                    ChangeValue::Checked(checked) => ClientValue::Checked(*checked),
                    ChangeValue::Selected(indexes) => ClientValue::Selected(indexes),
                };
                forms::apply_client_value(&node, value);
                None
            }
            EventKind::Custom { name, data }
                if name == WIDGET_DATA_EVENT && !node.widget_data().apply_client_change(data) =>
            {
                tracing::debug!(view = self.id.0, node = %node.id(), "widget data change refused");
                None
            }
            EventKind::Submit(fields) => Some(Arc::new(self.apply_submit(&node, fields))),
            _ => None,
        };
        let submitted = match issuer {
            Some(issuer) => self.doc.with_issuer(issuer, apply),
            // The window left meanwhile: every window left gets the change.
            None => apply(),
        };
        if submitted.is_some() {
            event.submitted = submitted;
        }
        if let EventKind::Change(ChangeValue::Checked(_)) = &event.kind
            && forms::RadioButton::from_node(node.clone()).is_some()
            && let Some(group) = forms::RadioGroup::of(&node)
        {
            event.kind = EventKind::Change(ChangeValue::Text(group.value().unwrap_or_default()));
            event.node = Some(group.into_node());
            if event.target.is_none() {
                event.target = Some(node);
            }
        }
    }

    /// Applies a submit's fields to the controls of `form`, as change events of each would.
    /// A field naming a node the view no longer has is left out.
    fn apply_submit(&self, form: &Node, fields: &[SubmitField]) -> Submitted {
        let fields: Vec<_> = fields
            .iter()
            .filter_map(|field| {
                let node = match field.node_id {
                    Some(id) => Some(self.doc.node(id)?),
                    None => None,
                };
                let value = match &field.value {
                    ChangeValue::Text(text) => ClientValue::Text(text),
                    ChangeValue::Checked(checked) => ClientValue::Checked(*checked),
                    ChangeValue::Selected(indexes) => ClientValue::Selected(indexes),
                };
                Some((field.name.clone(), node, value))
            })
            .collect();
        Submitted::apply(form, &fields)
    }

    fn run_handlers(&self, cx: &EventContext, event: &InputEvent) -> Flow {
        let flow = self.view.hooks().handle_input_event_root(cx, event);
        if flow != Flow::Continue {
            return flow;
        }
        for node in &event.nodes {
            let handlers: Vec<Handler> = self
                .handlers
                .lock()
                .get(&node.id())
                .map(|list| {
                    list.iter()
                        .filter(|h| h.matches(&event.kind))
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            for handler in handlers {
                let flow = (handler.call)(cx, event);
                if flow != Flow::Continue {
                    return flow;
                }
            }
        }
        if self.deliver_to_waiter(event) {
            return Flow::Handled;
        }
        self.view.hooks().handle_input_event(cx, event)
    }

    /// Hands the event to the first wait that takes it, preferring waits for this event type
    /// over waits for any event, as Lona does.
    fn deliver_to_waiter(&self, event: &InputEvent) -> bool {
        let mut waiters = self.waiters.lock();
        let index = waiters
            .list
            .iter()
            .position(|w| w.want.is_some() && w.wants(event))
            .or_else(|| {
                waiters
                    .list
                    .iter()
                    .position(|w| w.want.is_none() && w.wants(event))
            });
        let Some(index) = index else {
            return false;
        };
        let waiter = &mut waiters.list[index];
        waiter.event = Some(event.clone());
        waiter.waker.wake_by_ref();
        true
    }

    fn redirect_one(&self, event: &InputEvent, url: &str, http: bool) {
        for attachment in self.attached.lock().iter() {
            if attachment.connection.id() == event.connection && attachment.window == event.window {
                let frame = self.redirect_frame(attachment.window, url, http);
                attachment.connection.send(Outgoing::Frame(frame));
            }
        }
    }

    fn is_attached(&self, connection: ConnectionId, window: WindowId) -> bool {
        self.attached
            .lock()
            .iter()
            .any(|a| a.connection.id() == connection && a.window == window)
    }

    /// Attaches a window that joins a running view: VIEW_START, then the whole current tree.
    fn reattach(&self, connection: &Arc<Connection>, window: WindowId) {
        let _lock = self.doc.lock();
        {
            let mut attached = self.attached.lock();
            attached.push(Attachment::new(connection, window));
            self.idle.lock().since = None;
        }
        connection.send(Outgoing::Frame(
            ServerMessage::ViewStart {
                window,
                runtime: self.id,
            }
            .encode(),
        ));
        let title = self.title.lock().clone();
        let html = self.doc.root().map(|root| Html::Tree(&root).encode_part());
        connection.send(Outgoing::Frame(
            ServerMessage::Data {
                window,
                runtime: self.id,
                title: &title,
                html: html.as_deref().map(Html::Encoded),
            }
            .encode(),
        ));
    }
}

impl Handler {
    fn matches(&self, kind: &EventKind) -> bool {
        match (kind, &self.name) {
            (EventKind::Custom { name, .. }, Some(wanted)) => name == wanted,
            (EventKind::Custom { .. }, None) => false,
            (other, _) => other.code() == self.code,
        }
    }
}

/// The built-in error page for a status.
fn builtin_error_page(status: u16) -> Node {
    let title = match status {
        403 => "403 Forbidden",
        404 => "404 Not Found",
        _ => "500 Internal Error",
    };
    div()
        .with_class("lona-error")
        .with_child(h1().with_text(title))
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
    pub(crate) limits: LimitCounters,
    pub(crate) quotas: Quotas,
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
            removed
        };
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
                limits: LimitCounters::default(),
                quotas: Quotas::default(),
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

    /// Starts the view of `request` in `window` of `connection`, or re-attaches the window to
    /// the session's daemon view for the same route and URL arguments. A view that ran in the
    /// window before is detached first (and stopped, if nothing else holds it).
    ///
    /// # Errors
    ///
    /// [`StartError::Busy`] if a blocking view can neither start nor queue; the caller answers
    /// "server busy". [`StartError::ShuttingDown`] during shutdown.
    pub fn start_view(
        &self,
        factory: &ViewFactory,
        request: Request,
        connection: &Arc<Connection>,
        window: WindowId,
    ) -> Result<RuntimeId, StartError> {
        if self.inner.shutting_down.load(Ordering::Acquire) {
            return Err(StartError::ShuttingDown);
        }
        self.detach_window(connection, window);
        let key = ReattachKey::of(&request);
        let daemon = self
            .inner
            .views
            .lock()
            .values()
            .find(|v| v.is_daemon() && v.stop.reason().is_none() && v.reattach == key)
            .cloned();
        if let Some(daemon) = daemon {
            daemon.reattach(connection, window);
            return Ok(daemon.id);
        }
        let client = connection.client_addr();
        if !factory.exempt {
            let config = &self.inner.config;
            if let Err(limit) = self.inner.quotas.admit_view(
                &request.session,
                client,
                config.max_views_per_session,
                config.max_views_per_ip,
            ) {
                self.trip(limit);
                tracing::warn!(
                    session = short_session(&request.session),
                    client = ?client,
                    limit = limit.name(),
                    "a view was refused: the visitor holds too many"
                );
                return Err(StartError::LimitReached(limit));
            }
        }
        let view = (factory.make)(&request);
        let mut shared = self.new_view(&view, request, Some(Attachment::new(connection, window)));
        if let Some(fresh) = Arc::get_mut(&mut shared) {
            fresh.client = client;
            fresh.counted = !factory.exempt;
        }
        let id = shared.id;
        self.inner.views.lock().insert(id, Arc::clone(&shared));
        if let Err(error) = view.launch(Arc::clone(&shared), &self.inner) {
            self.inner.remove_view(id);
            return Err(error);
        }
        Ok(id)
    }

    /// Runs the view of `request` once, non-interactively (Lona's `interactive=False`
    /// routes): `handle_request` runs on the runtime pool (an async view on the executor)
    /// with no window; `show` only sets the tree, a wait for input fails at once with
    /// [`StopReason::NotInteractive`], and `on_stop` and `on_cleanup` run right after.
    /// `done` gets the response (the tree shown last if the view returned
    /// [`Response::Empty`]) or the status of the error page to answer with (403, 404, 500).
    ///
    /// # Errors
    ///
    /// [`StartError::Busy`] if the runtime pool cannot take the job; `done` is not called.
    /// [`StartError::ShuttingDown`] during shutdown.
    pub fn run_once(
        &self,
        factory: &ViewFactory,
        request: Request,
        done: impl FnOnce(Result<Response, u16>) + Send + 'static,
    ) -> Result<(), StartError> {
        if self.inner.shutting_down.load(Ordering::Acquire) {
            return Err(StartError::ShuttingDown);
        }
        let view = (factory.make)(&request);
        let shared = self.new_view(&view, request, None);
        view.run_once(shared, &self.inner, Box::new(done))
    }

    /// The shared state of a new view; interactive if it starts in a window.
    fn new_view(
        &self,
        view: &Arc<dyn DynView>,
        request: Request,
        window: Option<Attachment>,
    ) -> Arc<ViewShared> {
        Arc::new(ViewShared {
            id: RuntimeId(self.inner.next_id.fetch_add(1, Ordering::Relaxed)),
            doc: Document::new(),
            stop: StopSignal::default(),
            waiters: Mutex::new(Waiters::default()),
            runtime: Arc::downgrade(&self.inner),
            view: Arc::clone(view),
            title: Mutex::new(Arc::from("")),
            daemon: AtomicBool::new(false),
            interactive: window.is_some(),
            attached: Mutex::new(window.into_iter().collect()),
            handlers: Mutex::new(HashMap::new()),
            mailbox: Mutex::new(VecDeque::new()),
            draining: AtomicBool::new(false),
            lifecycle: Mutex::new(Lifecycle::default()),
            reattach: ReattachKey::of(&request),
            request,
            kept: Mutex::new(Vec::new()),
            created: Instant::now(),
            pending: PendingWaits::default(),
            client: None,
            counted: false,
            holds_share: AtomicBool::new(false),
            idle: Mutex::new(daemon::Idle::default()),
        })
    }

    /// Handles an INPUT_EVENT: checks that the connection and window are attached to the view
    /// and that the node exists and listens, acknowledges it, and queues it for the view.
    pub fn input_event(
        &self,
        connection: &Arc<Connection>,
        window: WindowId,
        runtime: RuntimeId,
        event: WireEvent,
    ) -> EventOutcome {
        // The round trip starts here, once the frame is decoded: decoding is the socket's.
        let received = Instant::now();
        let outcome = self.accept_event(connection, window, runtime, event, received);
        if outcome != EventOutcome::Accepted {
            self.inner.events_rejected.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(?outcome, view = runtime.0, "input event refused");
        }
        outcome
    }

    fn accept_event(
        &self,
        connection: &Arc<Connection>,
        window: WindowId,
        runtime: RuntimeId,
        event: WireEvent,
        received: Instant,
    ) -> EventOutcome {
        let Some(view) = self.inner.views.lock().get(&runtime).cloned() else {
            return EventOutcome::UnknownView;
        };
        if !view.is_attached(connection.id(), window) {
            return EventOutcome::NotAttached;
        }
        // ACK first, whatever happens next, so the browser does not wait on a refused event.
        connection.send(Outgoing::Frame(
            ServerMessage::InputEventAck {
                window,
                runtime,
                event_id: event.event_id,
            }
            .encode(),
        ));
        let custom = match &event.kind {
            EventKind::Custom { name, .. } => Some(name.as_str()),
            _ => None,
        };
        let Some(node) = event.node.node_id.and_then(|id| view.doc.node(id)) else {
            return EventOutcome::NotListening;
        };
        if !node.events().accepts(event.kind.code(), custom) {
            return EventOutcome::NotListening;
        }
        let target = event.target.node_id.and_then(|id| view.doc.node(id));
        let mut nodes = Vec::new();
        let mut current = Some(node.clone());
        while let Some(n) = current {
            current = n.parent();
            nodes.push(n);
        }
        view.mailbox.lock().push_back((
            received,
            InputEvent {
                event_id: event.event_id,
                kind: event.kind,
                node: Some(node),
                target,
                nodes,
                window,
                connection: connection.id(),
                submitted: None,
            },
        ));
        if !view.draining.swap(true, Ordering::AcqRel) {
            self.inner
                .worker_pool
                .submit_continuation(move || view.drain());
        }
        EventOutcome::Accepted
    }

    /// Handles a CLIENT_ERROR: logs it and shows the 500 view in the view's windows.
    pub fn client_error(
        &self,
        connection: &Arc<Connection>,
        window: WindowId,
        runtime: Option<RuntimeId>,
        message: &str,
    ) {
        let budget = self.inner.config.max_client_errors_per_minute;
        match connection.client_errors.admit(budget, Instant::now()) {
            Admission::Admit { suppressed } => {
                report_suppressed(connection, suppressed);
                tracing::error!(
                    connection = connection.id().0,
                    message = %Untrusted(message),
                    "the browser client failed"
                );
            }
            // Dropped: neither logged nor shown, so a flood costs neither disk nor views.
            Admission::Drop { first } => {
                if first {
                    self.trip(Limit::ClientErrorRate);
                }
                return;
            }
        }
        let view = runtime.and_then(|id| self.inner.views.lock().get(&id).cloned());
        if let Some(view) = view.filter(|v| v.is_attached(connection.id(), window)) {
            view.show_error(500);
        }
    }

    /// Detaches a window from the view it shows (the window navigates elsewhere); the view is
    /// stopped if no window is left and it is not a daemon.
    pub fn detach_window(&self, connection: &Arc<Connection>, window: WindowId) {
        self.detach_where(|a| a.connection.id() == connection.id() && a.window == window);
    }

    /// Detaches every window of a closed connection; views left without a window stop unless
    /// they are daemons.
    pub fn connection_closed(&self, connection: &Arc<Connection>) {
        report_suppressed(connection, connection.client_errors.take_suppressed());
        self.detach_where(|a| a.connection.id() == connection.id());
    }

    fn detach_where(&self, matches: impl Fn(&Attachment) -> bool) {
        let views: Vec<Arc<ViewShared>> = self.inner.views.lock().values().cloned().collect();
        for view in views {
            let now_empty = {
                let mut attached = view.attached.lock();
                let before = attached.len();
                attached.retain(|a| !matches(a));
                let now_empty = before != attached.len() && attached.is_empty();
                if now_empty && view.is_daemon() {
                    // Under the attachments' lock: nobody may see a daemon without a window
                    // that does not yet say since when (`max_daemons_per_session` picks the
                    // longest-detached by it).
                    view.idle.lock().since = Some(Instant::now());
                }
                now_empty
            };
            if now_empty {
                if view.is_daemon() {
                    view.mark_idle();
                } else {
                    view.stop_view(StopReason::UserAbort);
                }
            }
        }
    }

    /// Stops every view with [`StopReason::ServerStop`], closes their connections with a
    /// going-away reason, and stops the pools. Threads of views that ignore the stop are left
    /// behind (and counted as stuck), never waited for.
    pub fn shutdown(&self) {
        self.inner.shutting_down.store(true, Ordering::Release);
        let views: Vec<Arc<ViewShared>> = self.inner.views.lock().values().cloned().collect();
        for view in &views {
            for attachment in view.attached.lock().iter() {
                attachment.connection.close(CloseReason::ServerStop);
            }
            view.stop_view(StopReason::ServerStop);
        }
        // Cleanup jobs are queued on the worker pool; its shutdown lets them finish. Runtime
        // threads are not joined: one may be stuck in a view that ignores its stop.
        self.inner.worker_pool.shutdown();
        self.inner.static_pool.shutdown();
        self.inner.runtime_pool.close();
    }

    /// Counts one refusal or close by `limit` (`lona_limits_tripped_total`). The server calls
    /// it for the limits it enforces itself, so that every limit is read from one metric.
    pub fn trip(&self, limit: Limit) {
        self.inner.limits.trip(limit);
    }

    /// The keys of the per-visitor counts (sessions with views, addresses, sessions on the
    /// pool), for tests that check they empty out.
    #[cfg(test)]
    pub(crate) fn quota_sizes(&self) -> (usize, usize, usize) {
        self.inner.quotas.sizes()
    }

    /// The counters, now.
    pub fn metrics(&self) -> RuntimeMetrics {
        let views = self.inner.views.lock();
        let stuck_after = self.inner.config.stuck_after;
        let stuck = views
            .values()
            .filter(|v| {
                let lifecycle = v.lifecycle.lock();
                lifecycle.started
                    && !lifecycle.finished
                    && lifecycle
                        .stopped_at
                        .is_some_and(|at| at.elapsed() >= stuck_after)
            })
            .count();
        RuntimeMetrics {
            runtime_pool: self.inner.runtime_pool.metrics(),
            worker_pool: self.inner.worker_pool.metrics(),
            static_pool: self.inner.static_pool.metrics(),
            views: views.len(),
            daemons: views.values().filter(|v| v.is_daemon()).count(),
            stuck,
            events_dispatched: self.inner.events_dispatched.load(Ordering::Relaxed),
            events_rejected: self.inner.events_rejected.load(Ordering::Relaxed),
            view_panics: self.inner.view_panics.load(Ordering::Relaxed),
            click_roundtrip: self.inner.click_roundtrip.snapshot(),
            limits_tripped: self.inner.limits.snapshot(),
        }
    }

    /// Sends a custom (non-`lona:`) message once to every connection that shows a view and
    /// that `filter` accepts (Lona's `send_str(broadcast=True, filter_connections=...)`).
    /// Returns how many connections it went to.
    pub fn broadcast_custom(&self, message: &str, filter: impl Fn(&Connection) -> bool) -> usize {
        // A `lona:` prefix would make the client read it as a protocol frame.
        if message.starts_with(lona_protocol::PREFIX) {
            return 0;
        }
        let views: Vec<Arc<ViewShared>> = self.inner.views.lock().values().cloned().collect();
        let mut seen = std::collections::HashSet::new();
        let mut sent = 0;
        for view in views {
            let connections: Vec<Arc<Connection>> = view
                .attached
                .lock()
                .iter()
                .map(|attachment| Arc::clone(&attachment.connection))
                .collect();
            for connection in connections {
                if seen.insert(connection.id()) && filter(&connection) {
                    connection.send(Outgoing::Frame(message.to_owned()));
                    sent += 1;
                }
            }
        }
        sent
    }

    /// The number of views the runtime holds (running, attached, or stopped and not finished).
    pub fn view_count(&self) -> usize {
        self.inner.views.lock().len()
    }

    /// What the runtime holds now, one entry per view, oldest first: for the admin shell,
    /// and for views ([`crate::ViewHandle::running_views`]).
    pub fn views(&self) -> Vec<ViewInfo> {
        let mut views: Vec<ViewInfo> = self
            .inner
            .views
            .lock()
            .values()
            .map(|view| ViewInfo {
                id: view.id,
                route: view.request.route.clone(),
                path: view.request.path.clone(),
                session: view.request.session.clone(),
                user: view.request.user.clone(),
                age: view.created.elapsed(),
                daemon: view.is_daemon(),
                stopped: view.stop.reason().is_some(),
                state: view.state(),
                windows: view.attached.lock().len(),
            })
            .collect();
        views.sort_by_key(|view| view.id.0);
        views
    }

    /// Stops one view from outside it (the admin shell's `stop`), as a server shutdown would
    /// stop it but without closing its sockets: its windows get VIEW_STOP, so the browser
    /// knows the page no longer answers, then the view is stopped with
    /// [`StopReason::ServerStop`] (its waits fail, `on_stop` and `on_cleanup` run). `false` if
    /// there is no such view or it was stopped already.
    pub fn stop_view(&self, id: RuntimeId) -> bool {
        let Some(view) = self.inner.views.lock().get(&id).cloned() else {
            return false;
        };
        if view.stop.reason().is_some() {
            return false;
        }
        // VIEW_STOP first: once stopped, the view sends nothing more, and its cleanup detaches
        // the windows, so this is the last moment they can be told.
        view.send_all(view.frame(move |window| ServerMessage::ViewStop {
            window,
            runtime: id,
        }));
        view.stop_view(StopReason::ServerStop);
        true
    }
}

/// One view as [`Runtime::views`] sees it.
#[derive(Debug, Clone)]
pub struct ViewInfo {
    /// Its runtime id (the one on the wire).
    pub id: RuntimeId,
    /// The name of its route, if the route has one.
    pub route: Option<Arc<str>>,
    /// The path it was started for.
    pub path: String,
    /// The session it belongs to.
    pub session: SessionId,
    /// Who is logged in there, as a middleware set `Request::user`.
    pub user: Option<Arc<str>>,
    /// How long ago it was created.
    pub age: Duration,
    /// Whether it is a daemon (survives its windows).
    pub daemon: bool,
    /// Whether it was stopped (and waits for its thread to notice, or for cleanup).
    pub stopped: bool,
    /// What it is doing.
    pub state: ViewState,
    /// How many windows show it.
    pub windows: usize,
}
