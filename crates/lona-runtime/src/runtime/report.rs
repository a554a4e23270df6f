//! What the runtime tells about itself: its counters ([`RuntimeMetrics`]), the views it holds
//! ([`ViewInfo`]) and what each is doing ([`ViewState`]).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use lona_protocol::RuntimeId;

use super::{Runtime, ViewShared};
use crate::connection::SessionId;
use crate::histogram::HistogramSnapshot;
use crate::limits::{Limit, LimitsTripped};
use crate::pool::PoolMetrics;
use crate::stop::StopReason;

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
    /// The acknowledged stream: detached windows, resumes, replayed bytes.
    pub resume: super::ResumeMetrics,
    /// First paint: views started for a page, served, adopted, refused, expired.
    pub paint: super::PaintMetrics,
    /// The views' accounting summed up: memory, nodes, bytes sent, event-to-flush latency.
    pub view_totals: super::ViewTotals,
    /// Broadcast views: instances, watchers, frames encoded once and shared.
    pub broadcast: super::BroadcastMetrics,
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
    pub(super) fn state(&self) -> ViewState {
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
}

impl Runtime {
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
        // Before the views' lock, which it takes itself.
        let resume = self.resume_metrics();
        let paint = self.paint_metrics();
        let view_totals = self.view_totals();
        let broadcast = self.broadcast_metrics();
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
            resume,
            paint,
            view_totals,
            broadcast,
        }
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
                handlers: view.handler_count(),
            })
            .collect();
        views.sort_by_key(|view| view.id.0);
        views
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
    /// How many node handlers it holds (they go when their nodes leave its document).
    pub handlers: usize,
}
