//! How a runtime is sized and configured: [`RuntimeConfig`] and the [`ErrorPage`] a window
//! shows when its view fails.

use std::sync::Arc;
use std::time::Duration;

use lona_html::Node;
use lona_html::tags::{div, h1};

use crate::connection::OutboxLimits;
use crate::state::AppState;

/// Sizes and limits of a runtime.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// Threads for blocking views' `handle_request` (Lona's `MAX_RUNTIME_THREADS`).
    pub runtime_threads: usize,
    /// Blocking views that may wait for a runtime thread; past this, starting a view is
    /// refused with [`StartError::Busy`](crate::StartError::Busy).
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
    /// Values every view reaches with `cx.state::<T>()`; a [`ServerState`](crate::ServerState) is always there.
    pub state: AppState,
    /// What a window shows when its view fails: forbidden, not found or crashed.
    pub error_page: ErrorPage,
    /// Client errors (`CLIENT_ERROR`) one connection may have logged per minute; past it they
    /// are dropped, one line later says how many, and [`Limit::ClientErrorRate`](crate::Limit::ClientErrorRate) trips.
    pub max_client_errors_per_minute: u32,
    /// Views one session may hold at once (`max_views_per_session`); past it,
    /// [`Runtime::start_view`](crate::Runtime::start_view) refuses with [`StartError::LimitReached`](crate::StartError::LimitReached).
    pub max_views_per_session: usize,
    /// Views one client address may hold at once (`max_views_per_ip`), counted for
    /// connections the server gave an address ([`Connection::with_client_addr`](crate::Connection::with_client_addr)).
    pub max_views_per_ip: usize,
    /// The share of the runtime pool one session may hold, in percent of `runtime_threads`
    /// (at least one thread): its blocking views running or queued, stopped ones not
    /// counted. Below 100, one session cannot take every thread, so others still start.
    pub max_runtime_share: usize,
    /// A daemon view left without a window this long is stopped; zero keeps it forever.
    pub daemon_idle_timeout: Duration,
    /// How long the view of an acknowledged-stream window whose socket closed stays detached,
    /// running, waiting for a RESUME, before it stops as a closed window's view does.
    pub resume_grace: Duration,
    /// The bound, in bytes of encoded frames, of each acknowledged window's replay buffer.
    pub replay_buffer_bytes: usize,
    /// How long a view started for a page's first paint ([`Runtime::start_paint`]) waits for
    /// its window to adopt it before it stops.
    ///
    /// [`Runtime::start_paint`]: crate::Runtime::start_paint
    pub first_paint_adopt_timeout: Duration,
    /// Daemon views one session may hold; see [`crate::ViewHandle::set_daemon`] for what
    /// happens past it.
    pub max_daemons_per_session: usize,
    /// Broadcast views that may run at once (`max_broadcast_views`); see
    /// [`crate::ViewFactory::broadcast`] for what happens past it.
    pub max_broadcast_views: usize,
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
            // A phone switching networks or a laptop lid closed for a coffee; Blazor keeps 3
            // minutes. Each detached view still counts toward the per-session view limits.
            resume_grace: Duration::from_secs(120),
            replay_buffer_bytes: 262_144,
            // The page's script loads and its socket opens within a second or two even on a
            // slow link; past 10 s the visitor has most likely gone, and the view holds a
            // view-count slot (and, blocking, a thread) for nothing.
            first_paint_adopt_timeout: Duration::from_secs(10),
            max_daemons_per_session: 10,
            // A scoreboard per match, a document per open file: a busy app's worth, while a
            // client that visits `/doc/1`, `/doc/2`... holds a bounded table (unwatched
            // instances make room for new ones).
            max_broadcast_views: 1000,
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

/// The built-in error page for a status.
pub(super) fn builtin_error_page(status: u16) -> Node {
    let title = match status {
        403 => "403 Forbidden",
        404 => "404 Not Found",
        _ => "500 Internal Error",
    };
    div()
        .with_class("lona-error")
        .with_child(h1().with_text(title))
}
