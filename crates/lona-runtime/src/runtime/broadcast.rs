//! Broadcast views (`docs/routes-responses-templates.md#broadcast-views`): one instance per route and URL
//! arguments, watched by the windows of any session. Started by its first watcher, it is a
//! daemon from the start (it waits `daemon_idle_timeout` for a next watcher), it is nobody's
//! (no session's view count or runtime share holds it), and `max_broadcast_views` bounds how
//! many run. A patch batch is encoded once per window id and its bytes shared by every
//! watcher's outbox ([`SharedFrames`]).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use lona_html::Patch;
use lona_protocol::{Html, RuntimeId, ServerMessage, WindowId};
use parking_lot::Mutex;

use super::start::StartError;
use super::{ReattachKey, Runtime, ViewShared};
use crate::limits::Limit;
use crate::stop::StopReason;
use crate::view::Request;

/// A runtime's broadcast views and their counters.
#[derive(Default)]
pub(super) struct Broadcasts {
    /// The running broadcast views, also in the runtime's map of every view: a watcher's VIEW
    /// looks here, among at most `max_broadcast_views`, not through every view. Changed only
    /// under the views' lock (taken first), so both maps agree for whoever holds it.
    running: Mutex<HashMap<RuntimeId, Arc<ViewShared>>>,
    /// Patch-batch frames encoded for several windows at once.
    encoded: AtomicU64,
    /// Frames handed to a window as bytes another window's outbox holds too.
    shared: AtomicU64,
}

impl Broadcasts {
    /// The running instance that a watcher with `key` joins, if any.
    pub(super) fn find(&self, key: &ReattachKey<'_>) -> Option<Arc<ViewShared>> {
        self.running
            .lock()
            .values()
            .find(|v| v.stop.reason().is_none() && v.reattach_key() == *key)
            .cloned()
    }

    /// Lists a new instance; the caller holds the views' lock and inserts it there too.
    pub(super) fn insert(&self, view: &Arc<ViewShared>) {
        self.running.lock().insert(view.id, Arc::clone(view));
    }

    /// Unlists a gone view; the caller holds the views' lock, and the view's entry there,
    /// so this is never the last reference (which may run user code when it drops).
    pub(super) fn remove(&self, id: RuntimeId) {
        self.running.lock().remove(&id);
    }

    /// The running instances that have not been told to stop.
    fn live(&self) -> Vec<Arc<ViewShared>> {
        self.running
            .lock()
            .values()
            .filter(|v| v.stop.reason().is_none())
            .cloned()
            .collect()
    }
}

/// What the broadcast views are doing (aggregates only).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BroadcastMetrics {
    /// Broadcast views running.
    pub instances: u64,
    /// Windows watching them.
    pub watchers: u64,
    /// Patch-batch frames encoded once for several windows (of any view shown in more than
    /// one window: a broadcast's watchers, a daemon's tabs).
    pub frames_encoded: u64,
    /// Frames a window got as the same bytes as another window: encodings saved.
    pub frames_shared: u64,
}

/// The frames of one patch batch, encoded at most once per window id, lazily: only windows
/// that get the whole batch (no issuer filtered out) take one.
pub(super) struct SharedFrames<'a> {
    enabled: bool,
    runtime: RuntimeId,
    title: &'a str,
    pub(super) patches: &'a Arc<Vec<Patch>>,
    /// Usually one entry: browsers show a view in window 1.
    frames: Vec<(WindowId, Bytes)>,
    handed: u64,
}

impl<'a> SharedFrames<'a> {
    /// `enabled`: whether several windows may take a frame (else each writer encodes its own,
    /// as for a view in one window, at no cost here).
    pub(super) fn new(
        enabled: bool,
        runtime: RuntimeId,
        title: &'a str,
        patches: &'a Arc<Vec<Patch>>,
    ) -> SharedFrames<'a> {
        SharedFrames {
            enabled,
            runtime,
            title,
            patches,
            frames: Vec::new(),
            handed: 0,
        }
    }

    /// The frame for `window`, encoded by the first window of that id.
    pub(super) fn get(&mut self, window: WindowId) -> Option<Bytes> {
        if !self.enabled {
            return None;
        }
        self.handed += 1;
        if let Some((_, frame)) = self.frames.iter().find(|(w, _)| *w == window) {
            return Some(frame.clone());
        }
        let frame = Bytes::from(
            ServerMessage::Data {
                window,
                runtime: self.runtime,
                title: self.title,
                html: Some(Html::Update(self.patches)),
            }
            .encode(),
        );
        self.frames.push((window, frame.clone()));
        Some(frame)
    }

    /// Adds what was encoded and shared to the view's runtime's counters.
    pub(super) fn count(&self, view: &ViewShared) {
        if self.frames.is_empty() {
            return;
        }
        if let Some(runtime) = view.runtime.upgrade() {
            let encoded = self.frames.len() as u64;
            let counters = &runtime.broadcasts;
            counters.encoded.fetch_add(encoded, Ordering::Relaxed);
            counters
                .shared
                .fetch_add(self.handed.saturating_sub(encoded), Ordering::Relaxed);
        }
    }
}

impl ViewShared {
    /// Gives back the acknowledged streams its attachments added to their connections: for a
    /// view that is dropped unlaunched (another first watcher's instance won).
    pub(super) fn forget_streams(&self) {
        for attachment in self.attached.lock().drain(..) {
            if let Some(stream) = &attachment.stream {
                attachment.connection.remove_stream(stream, false);
            }
        }
    }
}

impl Runtime {
    /// Whether one more broadcast view may start under `max_broadcast_views`. At the cap, the
    /// instance that has had no watcher longest is stopped to make room (URLs nobody watches
    /// are what a client visiting `/doc/1`, `/doc/2`... leaves behind); if every instance has
    /// watchers, the new one is refused. Either way the limit trips.
    pub(super) fn admit_broadcast(&self, request: &Request) -> Result<(), StartError> {
        let max = self.inner.config.max_broadcast_views;
        let mut running = self.inner.broadcasts.live();
        if running.len() < max {
            return Ok(());
        }
        self.trip(Limit::BroadcastViews);
        // A watched instance is never the one stopped, whatever its idle time says.
        running.retain(|v| v.attached.lock().is_empty());
        match super::daemon::idle_longest(&running) {
            Some(oldest) => {
                tracing::warn!(target: "lona::view", view = oldest.id.0, "stopping the broadcast view unwatched longest: max_broadcast_views reached");
                oldest.stop_view(StopReason::ServerStop);
                Ok(())
            }
            None => {
                tracing::warn!(target: "lona::view", path = %crate::untrusted::Untrusted(&request.path), "a broadcast view was refused: max_broadcast_views reached, every one watched");
                Err(StartError::LimitReached(Limit::BroadcastViews))
            }
        }
    }

    /// How many views the broadcast index lists, stopped ones included: the tests' check
    /// that a gone instance leaves it.
    #[cfg(test)]
    pub(crate) fn broadcast_index_len(&self) -> usize {
        self.inner.broadcasts.running.lock().len()
    }

    /// What the broadcast views are doing.
    pub fn broadcast_metrics(&self) -> BroadcastMetrics {
        let (instances, watchers) = self
            .inner
            .broadcasts
            .live()
            .iter()
            .fold((0, 0), |(instances, watchers), v| {
                (instances + 1, watchers + v.attached.lock().len() as u64)
            });
        let counters = &self.inner.broadcasts;
        BroadcastMetrics {
            instances,
            watchers,
            frames_encoded: counters.encoded.load(Ordering::Relaxed),
            frames_shared: counters.shared.load(Ordering::Relaxed),
        }
    }
}
