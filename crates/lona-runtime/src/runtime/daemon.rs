//! The limits on daemon views: `max_daemons_per_session`, and `daemon_idle_timeout`, which
//! stops a daemon that has had no window for that long (a cookie-less socket's daemon can
//! never be re-attached, and would otherwise live forever). Also the release of a blocking
//! view's share of the runtime pool (`max_runtime_share`).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::{ViewShared, short_session};
use crate::limits::Limit;
use crate::stop::StopReason;
use crate::timer::Sleep;

/// A daemon's time without a window.
#[derive(Debug, Default)]
pub(super) struct Idle {
    /// Since when it has had no window; `None` while one shows it.
    pub(super) since: Option<Instant>,
    /// Whether an expiry timer is set (at most one per view).
    armed: bool,
}

/// Of `views`, the one that has had no window longest, if any has none: what a cap on
/// daemons or broadcast views stops to make room.
pub(super) fn idle_longest(views: &[Arc<ViewShared>]) -> Option<&Arc<ViewShared>> {
    views
        .iter()
        .filter_map(|v| v.idle_since().map(|since| (since, v)))
        .min_by_key(|(since, _)| *since)
        .map(|(_, view)| view)
}

impl ViewShared {
    /// Called under the attachments' lock once windows went: whether none is left. A daemon
    /// left without one says since when at once, still under the lock: nobody may see a daemon
    /// without a window that does not yet say since when (`max_daemons_per_session` picks the
    /// longest-detached by it).
    pub(super) fn note_windowless(&self, attached: &[super::Attachment]) -> bool {
        let empty = attached.is_empty();
        if empty && self.is_daemon() {
            self.rare().idle.since = Some(Instant::now());
        }
        empty
    }

    /// Its last window went: a daemon waits for another, any other view stops as a closed
    /// window's does.
    pub(super) fn lost_last_window(self: &Arc<Self>) {
        if self.is_daemon() {
            self.mark_idle();
        } else {
            self.stop_view(StopReason::UserAbort);
        }
    }

    pub(crate) fn set_daemon(self: &Arc<Self>, daemon: bool) {
        // A broadcast view is a daemon from its start to its end: it belongs to no session.
        if self.broadcast {
            return;
        }
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

    /// Whether this view may become a daemon under `max_daemons_per_session`. At the cap,
    /// the session's daemon that has been without a window longest is stopped to make room
    /// (the user left it; the new one is in use); if every daemon of the session shows in a
    /// window, none is taken from its user and this view stays an ordinary view instead.
    /// Either way the limit trips.
    pub(super) fn admit_daemon(&self) -> bool {
        let Some(runtime) = self.runtime.upgrade() else {
            return true;
        };
        let max = runtime.config.max_daemons_per_session;
        let daemons: Vec<Arc<ViewShared>> = runtime
            .views
            .lock()
            .values()
            .filter(|v| {
                v.id != self.id
                    && !v.broadcast
                    && v.request.session == self.request.session
                    && v.is_daemon()
                    && v.stop.reason().is_none()
            })
            .cloned()
            .collect();
        if daemons.len() < max {
            return true;
        }
        runtime.limits.trip(Limit::DaemonsPerSession);
        let session = short_session(&self.request.session);
        match idle_longest(&daemons) {
            Some(oldest) => {
                tracing::warn!(target: "lona::view", view = oldest.id.0, session, "stopping the session's longest-detached daemon: max_daemons_per_session reached");
                oldest.stop_view(StopReason::ServerStop);
                true
            }
            None => {
                tracing::warn!(target: "lona::view", view = self.id.0, session, "a view stays no daemon: max_daemons_per_session reached");
                false
            }
        }
    }

    /// Notes that a daemon has no window left, and has it stopped after
    /// `daemon_idle_timeout` unless a window re-attaches first.
    pub(super) fn mark_idle(self: &Arc<Self>) {
        let since = Instant::now();
        let arm = {
            let idle = &mut self.rare().idle;
            idle.since = Some(since);
            !std::mem::replace(&mut idle.armed, true)
        };
        let Some(runtime) = self.runtime.upgrade() else {
            return;
        };
        let timeout = runtime.config.daemon_idle_timeout;
        if timeout.is_zero() || !arm {
            // No expiry, or the timer set for an earlier detach looks again when it fires:
            // one timer per view however often its windows come and go.
            return;
        }
        self.expire_at(since + timeout, move |shared| {
            shared.expire_if_idle(timeout)
        });
    }

    /// The expiry timer of a view (a daemon's idle time, a detached window's grace): at
    /// `deadline`, `check` runs on the view and says when to look again, if ever. The timer
    /// thread wakes the task; it holds no thread while it waits, and only a weak reference, so
    /// a view stopped meanwhile is not kept alive by it.
    pub(super) fn expire_at(
        self: &Arc<Self>,
        deadline: Instant,
        check: impl Fn(&Arc<ViewShared>) -> Option<Instant> + Send + 'static,
    ) {
        let Some(runtime) = self.runtime.upgrade() else {
            return;
        };
        let view = Arc::downgrade(self);
        runtime.spawner.spawn(Box::pin(async move {
            let mut deadline = deadline;
            loop {
                Sleep::until(deadline).await;
                let Some(shared) = view.upgrade() else {
                    return;
                };
                match check(&shared) {
                    Some(next) => deadline = next,
                    None => return,
                }
            }
        }));
    }

    /// Stops the daemon if it has had no window for `timeout`. `Some(deadline)` if it has
    /// been idle for less: the timer is set again for then; `None` when the timer is done
    /// (expired, re-attached, or no daemon any more).
    fn expire_if_idle(self: &Arc<Self>, timeout: Duration) -> Option<Instant> {
        {
            // Under the attachments' lock, which a re-attaching window takes to clear `since`.
            let attached = self.attached.lock();
            let mut rare = self.rare();
            let idle = &mut rare.idle;
            let live = attached.is_empty() && self.is_daemon() && self.stop.reason().is_none();
            match idle.since {
                Some(since) if live => {
                    let deadline = since + timeout;
                    if Instant::now() < deadline {
                        return Some(deadline);
                    }
                }
                _ => {
                    idle.armed = false;
                    return None;
                }
            }
            idle.armed = false;
        }
        if let Some(runtime) = self.runtime.upgrade() {
            runtime.limits.trip(Limit::DaemonIdle);
        }
        tracing::info!(target: "lona::view", view = self.id.0, session = short_session(&self.request.session), "a daemon view without a window expired");
        self.stop_view(StopReason::ServerStop);
        None
    }

    /// Gives back the unit of its session's runtime-pool share the view holds, once.
    pub(super) fn release_share(&self) {
        if self.holds_share.swap(false, Ordering::AcqRel)
            && let Some(runtime) = self.runtime.upgrade()
        {
            runtime.quotas.release_runtime(&self.request.session);
        }
    }
}
