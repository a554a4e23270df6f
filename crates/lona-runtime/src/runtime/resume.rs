//! The acknowledged stream's life in the runtime: a window whose socket closed is detached,
//! not stopped, for `resume_grace` (the timer is the daemons' expiry timer,
//! `ViewShared::expire_at`); a RESUME on a new socket re-attaches it and replays what the
//! browser missed, or sends the whole tree once; ACKs trim the replay buffer.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use lona_html::Node;
use lona_protocol::{Html, ResumeFailure, RuntimeId, ServerMessage, WindowId};

use super::{Runtime, ViewShared};
use crate::ack_stream::Catchup;
use crate::connection::{Connection, Outgoing};

/// The acknowledged stream's counters.
#[derive(Debug, Default)]
pub(crate) struct ResumeCounters {
    replayed: AtomicU64,
    full_tree: AtomicU64,
    failed: AtomicU64,
    replayed_bytes: AtomicU64,
    duplicate_events: AtomicU64,
}

/// The acknowledged stream in numbers, for the metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResumeMetrics {
    /// Windows whose socket closed, waiting for a RESUME within `resume_grace`.
    pub detached_windows: usize,
    /// Resumes answered with a replay of the missed frames.
    pub replayed: u64,
    /// Resumes answered with the whole tree (the replay buffer had a gap).
    pub full_tree: u64,
    /// Resumes refused or too late (RESUME_FAILED).
    pub failed: u64,
    /// Bytes of frames replayed.
    pub replayed_bytes: u64,
    /// Input events of acknowledged windows dropped as duplicates: their id was at or below
    /// the last one received (a resend of an event that had arrived).
    pub duplicate_events: u64,
}

/// An ACK for a number the server never sent: a malformed message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AckAboveSent;

impl Runtime {
    /// Detaches the acknowledged windows of a closed connection, whose views keep running for
    /// `resume_grace`. Under each view's attachments' lock, so no output slips between the
    /// outbox and the buffer.
    pub(super) fn detach_acked(&self, connection: &Arc<Connection>) {
        let grace = self.inner.config.resume_grace;
        for view in self.views_of(connection) {
            if view.stop.reason().is_some() {
                continue;
            }
            let mut timers = Vec::new();
            for attachment in view.attached.lock().iter() {
                let Some(stream) = &attachment.stream else {
                    continue;
                };
                if attachment.connection.id() != connection.id() || stream.is_detached() {
                    continue;
                }
                connection.remove_stream(stream, true);
                timers.push((Arc::downgrade(stream), stream.detach()));
            }
            for (stream, detach) in timers {
                // Weakly: a stream whose view ended (or resumed and left) before the grace
                // did goes at once, with its replay buffer, not when the timer fires.
                view.expire_at(Instant::now() + grace, move |view| {
                    if let Some(stream) = stream.upgrade() {
                        view.end_grace(&stream, detach);
                    }
                    None
                });
            }
        }
    }

    /// RESUME: re-attaches the window `window` of `connection` to the detached view
    /// `runtime`, whose VIEW_START gave `token`, for a browser that applied everything up to
    /// `seq` and sent input events up to `last_event` (`None` from a page before protocol 4;
    /// the number is the browser's word, only logged: the server cannot tell an event lost on
    /// the way from an id never used). Sends RESUMED, with the id of the last input event of
    /// the window received, then the missed frames or the whole tree. A view still attached
    /// to another socket (a half-open one, or a second tab with a copied token and the same
    /// session) is taken over: the token and the session prove the same visitor.
    ///
    /// ```
    /// use std::time::Duration;
    /// use lona_protocol::{DecodedServerMessage, ServerFrame, WindowId, decode_server};
    /// use lona_runtime::{
    ///     Connection, Context, OutboxLimits, Request, Response, Runtime, RuntimeConfig,
    ///     SessionId, View, ViewFactory, ViewResult,
    /// };
    ///
    /// struct Hello;
    /// impl View for Hello {
    ///     fn handle_request(&self, cx: &Context, _: &Request) -> ViewResult {
    ///         cx.show(&lona_html::tags::p().with_text("hi"))?;
    ///         Ok(Response::Empty)
    ///     }
    /// }
    ///
    /// let runtime = Runtime::new(RuntimeConfig::default());
    /// let session = SessionId::new("s");
    /// let first = Connection::new(session.clone(), OutboxLimits::default());
    /// let request = Request::new("http://h/", session.clone());
    /// let factory = ViewFactory::blocking(|_| Hello);
    /// let id = runtime.start_view_acked(&factory, request, &first, WindowId(1))?;
    /// let frame = first.next_timeout(Duration::from_secs(5)).and_then(|m| m.encode());
    /// let Some(Ok(ServerFrame::Lona(DecodedServerMessage::ViewStart {
    ///     resume: Some(token),
    ///     ..
    /// }))) = frame.as_deref().map(decode_server)
    /// else {
    ///     panic!("VIEW_START with a token: {frame:?}")
    /// };
    ///
    /// runtime.connection_closed(&first); // detached, not stopped
    /// let second = Connection::new(session, OutboxLimits::default());
    /// runtime.resume_view(&second, WindowId(1), id, 1, &token, Some(0)).expect("resumed");
    /// assert_eq!(runtime.view_count(), 1);
    /// runtime.shutdown();
    /// # Ok::<(), lona_runtime::StartError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ResumeFailure::Expired`] if there is no such view (stopped, grace over, another
    /// process); [`ResumeFailure::Refused`] for a wrong token or another session. Nothing is
    /// sent then: the caller answers RESUME_FAILED.
    pub fn resume_view(
        &self,
        connection: &Arc<Connection>,
        window: WindowId,
        runtime: RuntimeId,
        seq: u64,
        token: &str,
        last_event: Option<u64>,
    ) -> Result<(), ResumeFailure> {
        let result = self.resume(connection, window, runtime, seq, token, last_event);
        if result.is_err() {
            self.inner.resume.failed.fetch_add(1, Ordering::Relaxed);
        }
        result
    }

    fn resume(
        &self,
        connection: &Arc<Connection>,
        window: WindowId,
        runtime: RuntimeId,
        seq: u64,
        token: &str,
        last_event: Option<u64>,
    ) -> Result<(), ResumeFailure> {
        let view = self.inner.views.lock().get(&runtime).cloned();
        let Some(view) = view.filter(|v| v.stop.reason().is_none()) else {
            return Err(ResumeFailure::Expired);
        };
        // A broadcast view's windows are any session's: the window's own session is checked
        // below, with its token.
        if !view.broadcast && view.request.session != *connection.session() {
            return Err(ResumeFailure::Refused);
        }
        // The window id may hold another view on this socket already; it goes, as for a VIEW.
        self.detach_where(connection, |a| {
            a.window == window && a.stream.as_ref().is_none_or(|s| !s.token_matches(token))
        });
        let _doc = view.doc.lock();
        let mut attached = view.attached.lock();
        let Some(attachment) = attached
            .iter_mut()
            .find(|a| a.stream.as_ref().is_some_and(|s| s.token_matches(token)))
            .filter(|a| a.connection.session() == connection.session())
        else {
            return Err(ResumeFailure::Refused);
        };
        let Some(stream) = attachment.stream.clone() else {
            return Err(ResumeFailure::Refused);
        };
        if !stream.is_detached() {
            attachment.connection.remove_stream(&stream, true);
            stream.detach();
        }
        attachment.connection = Arc::clone(connection);
        attachment.window = window;
        connection.note_view(view.id);
        let attached = stream.attach(seq);
        connection.send(Outgoing::Stamped(
            ServerMessage::Resumed {
                window,
                runtime,
                seq: attached.seq,
                event: attached.last_event,
            }
            .encode(),
        ));
        let counters = &self.inner.resume;
        match attached.catchup {
            Catchup::Replay(frames) => {
                counters.replayed.fetch_add(1, Ordering::Relaxed);
                for frame in frames {
                    counters
                        .replayed_bytes
                        .fetch_add(frame.len() as u64, Ordering::Relaxed);
                    connection.send(Outgoing::Stamped(frame));
                }
            }
            Catchup::FullTree => {
                counters.full_tree.fetch_add(1, Ordering::Relaxed);
                let title = view.title.lock().clone();
                let root: Option<Node> = view.doc.root();
                let part = root.map(|root| Html::Tree(&root).encode_part());
                let frame = ServerMessage::Data {
                    window,
                    runtime,
                    title: &title,
                    html: part.as_deref().map(Html::Encoded),
                }
                .encode();
                view.counters.sent(frame.len());
                connection.send(Outgoing::Stamped(stream.stamp_unkept(frame)));
            }
        }
        connection.add_stream(stream);
        tracing::debug!(
            target: "lona::view",
            view = runtime.0,
            received = attached.last_event,
            sent = last_event,
            "a window resumed its view"
        );
        Ok(())
    }

    /// ACK: the browser applied the window's frames up to `seq`; their copies go.
    ///
    /// # Errors
    ///
    /// [`AckAboveSent`] if `seq` is above the last number sent: a malformed message.
    pub fn ack(
        &self,
        connection: &Arc<Connection>,
        window: WindowId,
        runtime: RuntimeId,
        seq: u64,
    ) -> Result<(), AckAboveSent> {
        let view = self.inner.views.lock().get(&runtime).cloned();
        let Some(view) = view else {
            // An ACK that crossed the view's end.
            return Ok(());
        };
        let stream = view
            .attached
            .lock()
            .iter()
            .find(|a| a.connection.id() == connection.id() && a.window == window)
            .and_then(|a| a.stream.clone());
        match stream {
            Some(stream) => stream.ack(seq).map_err(|()| AckAboveSent),
            None => Ok(()),
        }
    }

    pub(super) fn resume_metrics(&self) -> ResumeMetrics {
        let counters = &self.inner.resume;
        let detached_windows = self
            .inner
            .views
            .lock()
            .values()
            .map(|v| {
                v.attached
                    .lock()
                    .iter()
                    // A painted view waiting for its page's window is counted by the first
                    // paint's metrics, not here.
                    .filter(|a| {
                        a.stream
                            .as_ref()
                            .is_some_and(|s| s.is_detached() && s.paint_watch().is_none())
                    })
                    .count()
            })
            .sum();
        ResumeMetrics {
            detached_windows,
            replayed: counters.replayed.load(Ordering::Relaxed),
            full_tree: counters.full_tree.load(Ordering::Relaxed),
            failed: counters.failed.load(Ordering::Relaxed),
            replayed_bytes: counters.replayed_bytes.load(Ordering::Relaxed),
            duplicate_events: counters.duplicate_events.load(Ordering::Relaxed),
        }
    }

    pub(super) fn count_duplicate_event(&self) {
        self.inner
            .resume
            .duplicate_events
            .fetch_add(1, Ordering::Relaxed);
    }
}

impl ViewShared {
    /// The grace of a detached window is over: unless it resumed (or detached again since),
    /// the window goes, and the view with it when it was the last, as a closed window's does.
    fn end_grace(self: &Arc<Self>, stream: &Arc<crate::ack_stream::AckStream>, detach: u64) {
        let now_empty = {
            let mut attached = self.attached.lock();
            if !stream.detached_by(detach) {
                return;
            }
            attached.retain(|a| !a.stream.as_ref().is_some_and(|s| Arc::ptr_eq(s, stream)));
            self.note_windowless(&attached)
        };
        tracing::debug!(target: "lona::view", view = self.id.0, "a detached window's grace ended");
        if now_empty {
            self.lost_last_window();
        }
    }
}
