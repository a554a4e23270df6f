//! Starting and ending views from outside them: the runtime's entry points for a view that
//! starts ([`Runtime::start_view`], [`Runtime::run_once`]), for windows and connections that go
//! away, for one view stopped by the admin shell, and for shutdown.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Instant;

use lona_html::Document;
use lona_protocol::{RuntimeId, ServerMessage, WindowId};
use parking_lot::Mutex;

use super::factory::{DynView, ViewFactory};
use super::{
    Attachment, Handlers, Lifecycle, PendingWaits, ReattachKey, Runtime, ViewShared, Waiters,
    accounting, short_session,
};
use crate::ack_stream::AckStream;
use crate::client_errors::report_suppressed;
use crate::connection::{CloseReason, Connection};
use crate::limits::Limit;
use crate::stop::{StopReason, StopSignal};
use crate::view::{Request, Response};

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

/// The running daemon of a session that a window with `key` joins, if any.
fn find_daemon(
    views: &std::collections::HashMap<RuntimeId, Arc<ViewShared>>,
    key: &ReattachKey<'_>,
) -> Option<Arc<ViewShared>> {
    views
        .values()
        .find(|v| v.is_daemon() && v.stop.reason().is_none() && v.reattach_key() == *key)
        .cloned()
}

/// How [`Runtime::start`] attaches the window.
pub(super) enum Mode<'a> {
    Plain,
    Acked,
    /// A first paint: the window's stream is detached from the start, its buffer takes the
    /// view's output, and the wake-up runs at each frame.
    Paint(&'a Arc<dyn Fn() + Send + Sync>),
}

/// What [`Runtime::start`] did.
pub(super) enum Started {
    /// A new view.
    Fresh(Arc<ViewShared>),
    /// The window re-attached to a daemon (or, for a first paint, would have).
    Daemon(RuntimeId),
    View(RuntimeId),
}

impl Started {
    fn id(self) -> RuntimeId {
        match self {
            Started::Fresh(view) => view.id,
            Started::Daemon(id) | Started::View(id) => id,
        }
    }
}

impl Runtime {
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
        self.start(factory, request, connection, window, Mode::Plain)
            .map(Started::id)
    }

    /// [`Runtime::start_view`] for a window that asked for the acknowledged stream (VIEW with
    /// `{"ack":1}`): the window's frames are numbered, VIEW_START carries a resume token, and
    /// when the socket closes the view is detached for `resume_grace` instead of stopped
    /// ([`Runtime::resume_view`]).
    ///
    /// # Errors
    ///
    /// As [`Runtime::start_view`].
    pub fn start_view_acked(
        &self,
        factory: &ViewFactory,
        request: Request,
        connection: &Arc<Connection>,
        window: WindowId,
    ) -> Result<RuntimeId, StartError> {
        self.start(factory, request, connection, window, Mode::Acked)
            .map(Started::id)
    }

    pub(super) fn start(
        &self,
        factory: &ViewFactory,
        request: Request,
        connection: &Arc<Connection>,
        window: WindowId,
        mode: Mode<'_>,
    ) -> Result<Started, StartError> {
        if self.inner.shutting_down.load(Ordering::Acquire) {
            return Err(StartError::ShuttingDown);
        }
        self.detach_window(connection, window);
        // A daemon is a counted view of its session: a session that holds none (a new
        // visitor, most starts) skips the look through every view, which would make starting
        // n views cost n² and hold the views' lock, which every event takes, for all of it.
        // A broadcast view belongs to no session: its watchers look among the broadcast
        // instances only.
        let key = ReattachKey::of(&request, factory.broadcast);
        let daemon = if factory.broadcast {
            self.inner.broadcasts.find(&key)
        } else if self.inner.quotas.holds_views(&request.session) {
            find_daemon(&self.inner.views.lock(), &key)
        } else {
            None
        };
        if let Some(daemon) = daemon {
            // A first paint would only be a copy of the daemon's tree: the socket's VIEW
            // re-attaches to it as usual.
            if matches!(mode, Mode::Paint(_)) {
                return Ok(Started::Daemon(daemon.id));
            }
            daemon.reattach(connection, window, matches!(mode, Mode::Acked));
            return Ok(Started::View(daemon.id));
        }
        let client = connection.client_addr();
        if factory.broadcast {
            self.admit_broadcast(&request)?;
        } else if !factory.exempt {
            let config = &self.inner.config;
            if let Err(limit) = self.inner.quotas.admit_view(
                &request.session,
                client,
                config.max_views_per_session,
                config.max_views_per_ip,
            ) {
                // A first paint refused is not counted: the page's socket asks again, and
                // that refusal is.
                if matches!(mode, Mode::Paint(_)) {
                    return Err(StartError::LimitReached(limit));
                }
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
        let setup = |fresh: &mut ViewShared| {
            fresh.client = client;
            fresh.counted = !factory.exempt && !factory.broadcast;
            // A broadcast view waits for its next watcher as a daemon does.
            *fresh.daemon.get_mut() = factory.broadcast;
            let bytes = self.inner.config.replay_buffer_bytes;
            match &mode {
                Mode::Plain => {}
                Mode::Acked => {
                    *fresh.attached.get_mut() =
                        vec![Attachment::acked(connection, window, fresh.id, bytes)];
                }
                // Detached from the start, as a resumable view whose socket closed: its output
                // goes to the stream's buffer until a window adopts it (`paint.rs`).
                Mode::Paint(wake) => {
                    let stream = Arc::new(AckStream::new(window, fresh.id, bytes));
                    stream.detach();
                    stream.watch_paint(Arc::clone(wake));
                    *fresh.attached.get_mut() = vec![Attachment {
                        stream: Some(stream),
                        ..Attachment::new(connection, window)
                    }];
                }
            }
        };
        let shared = self.new_view(
            &view,
            request,
            Some(Attachment::new(connection, window)),
            factory.broadcast,
            setup,
        );
        let id = shared.id;
        {
            let mut views = self.inner.views.lock();
            // Two first watchers of one broadcast URL at once: the later one watches the
            // earlier one's instance, and its own, never launched, goes.
            if factory.broadcast
                && let Some(running) = self.inner.broadcasts.find(&shared.reattach_key())
            {
                drop(views);
                shared.forget_streams();
                drop(shared);
                running.reattach(connection, window, matches!(mode, Mode::Acked));
                return Ok(Started::View(running.id));
            }
            if factory.broadcast {
                self.inner.broadcasts.insert(&shared);
            }
            views.insert(id, Arc::clone(&shared));
        }
        connection.note_view(id);
        if let Err(error) = view.launch(Arc::clone(&shared), &self.inner) {
            self.inner.remove_view(id);
            return Err(error);
        }
        Ok(Started::Fresh(shared))
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
        let shared = self.new_view(&view, request, None, false, |_| {});
        view.run_once(shared, &self.inner, Box::new(done))
    }

    /// The shared state of a new view; interactive if it starts in a window. `setup` sets
    /// what the caller adds before anyone else sees it.
    fn new_view(
        &self,
        view: &Arc<dyn DynView>,
        request: Request,
        window: Option<Attachment>,
        broadcast: bool,
        setup: impl FnOnce(&mut ViewShared),
    ) -> Arc<ViewShared> {
        Arc::new_cyclic(|myself| {
            let mut fresh = ViewShared {
                myself: Weak::clone(myself),
                counters: accounting::ViewCounters::default(),
                id: RuntimeId(self.inner.next_id.fetch_add(1, Ordering::Relaxed)),
                doc: {
                    // Its handlers go when their nodes leave it (`drop_departed_handlers`).
                    let doc = Document::new();
                    doc.record_departures();
                    doc
                },
                stop: StopSignal::default(),
                waiters: Mutex::new(Waiters::default()),
                runtime: Arc::downgrade(&self.inner),
                view: Arc::clone(view),
                title: Mutex::new(super::empty_title()),
                daemon: AtomicBool::new(false),
                interactive: window.is_some(),
                attached: Mutex::new(window.into_iter().collect()),
                handlers: Mutex::new(Handlers::default()),
                mailbox: Mutex::new(VecDeque::new()),
                draining: AtomicBool::new(false),
                lifecycle: Mutex::new(Lifecycle::default()),
                request,
                created: Instant::now(),
                pending: PendingWaits::default(),
                client: None,
                counted: false,
                holds_share: AtomicBool::new(false),
                rare: Mutex::new(None),
                broadcast,
            };
            setup(&mut fresh);
            fresh
        })
    }

    /// Detaches a window from the view it shows (the window navigates elsewhere); the view is
    /// stopped if no window is left and it is not a daemon.
    pub fn detach_window(&self, connection: &Arc<Connection>, window: WindowId) {
        self.detach_where(connection, |a| a.window == window);
    }

    /// Detaches every window of a closed connection; views left without a window stop unless
    /// they are daemons. A window in the acknowledged stream keeps its view for
    /// `resume_grace` instead (unless the server is shutting down).
    pub fn connection_closed(&self, connection: &Arc<Connection>) {
        report_suppressed(connection, connection.client_errors.take_suppressed());
        if !self.inner.shutting_down.load(Ordering::Acquire) {
            self.detach_acked(connection);
        }
        self.detach_where(connection, |a| {
            !a.stream.as_ref().is_some_and(|s| s.is_detached())
        });
    }

    /// The views `connection` noted as shown in its windows; ids of views that are gone are
    /// forgotten on the way. Closing a socket costs its own views, not every view's.
    pub(super) fn views_of(&self, connection: &Connection) -> Vec<Arc<ViewShared>> {
        let ids = connection.views();
        let mut views = Vec::with_capacity(ids.len());
        {
            let all = self.inner.views.lock();
            for id in ids {
                match all.get(&id) {
                    Some(view) => views.push(Arc::clone(view)),
                    None => connection.forget_view(id),
                }
            }
        }
        views
    }

    /// Detaches the windows of `connection` that `matches` accepts from the views they show;
    /// a view left without a window stops, or, as a daemon, waits for one.
    pub(super) fn detach_where(
        &self,
        connection: &Connection,
        matches: impl Fn(&Attachment) -> bool,
    ) {
        for view in self.views_of(connection) {
            let now_empty = {
                let mut attached = view.attached.lock();
                let before = attached.len();
                attached.retain(|a| {
                    let gone = a.connection.id() == connection.id() && matches(a);
                    if gone && let Some(stream) = &a.stream {
                        a.connection.remove_stream(stream, false);
                    }
                    !gone
                });
                // Under the attachments' lock, as a re-attach notes it under it.
                if !attached
                    .iter()
                    .any(|a| a.connection.id() == connection.id())
                {
                    connection.forget_view(view.id);
                }
                before != attached.len() && view.note_windowless(&attached)
            };
            if now_empty {
                view.lost_last_window();
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
