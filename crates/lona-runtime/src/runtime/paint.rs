//! First paint (docs/protocol.md, "First paint (negotiated)"): the view of a page started for
//! the HTTP GET that loads it, detached from any socket from the start as a resumable view is
//! after its socket closed (its output goes to its stream's buffer). The server puts its first
//! tree into the page with a single-use adopt token; the socket's VIEW that brings the token
//! back adopts the running view instead of starting a second one. Unadopted, the view stops
//! after `first_paint_adopt_timeout` (the daemons' expiry timer, as a resume's grace).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use lona_html::RenderOptions;
use lona_protocol::{RuntimeId, ServerMessage, WindowId};
use parking_lot::Mutex;

use super::factory::ViewFactory;
use super::start::{Mode, StartError, Started};
use super::{Runtime, ViewShared};
use crate::ack_stream::{AckStream, constant_time_eq, new_token};
use crate::connection::{Connection, OutboxLimits, Outgoing, SessionId};
use crate::view::Request;

/// A painted view waiting for its window.
struct Pending {
    token: String,
    view: RuntimeId,
    stream: Arc<AckStream>,
}

/// The painted views waiting for their windows, by session, and the counters.
#[derive(Default)]
pub(crate) struct Paints {
    pending: Mutex<HashMap<SessionId, Vec<Pending>>>,
    started: AtomicU64,
    served: AtomicU64,
    adopted: AtomicU64,
    refused: AtomicU64,
    expired: AtomicU64,
}

impl Paints {
    /// Takes the session's pending view whose token is `token`. Every token of the session is
    /// compared in full and in constant time, so the time taken tells nothing about a token.
    fn take(&self, session: &SessionId, token: &str) -> Option<Pending> {
        let mut pending = self.pending.lock();
        let list = pending.get_mut(session)?;
        let mut found = None;
        for (i, entry) in list.iter().enumerate() {
            if constant_time_eq(entry.token.as_bytes(), token.as_bytes()) {
                found = Some(i);
            }
        }
        let entry = found.map(|i| list.swap_remove(i));
        if list.is_empty() {
            pending.remove(session);
        }
        entry
    }

    /// Takes the pending entry of the view `view`: whoever takes it (an adoption, the expiry
    /// timer, the view's removal) is the only one to act on it.
    pub(crate) fn take_view(&self, session: &SessionId, view: RuntimeId) -> Option<Arc<AckStream>> {
        let mut pending = self.pending.lock();
        let list = pending.get_mut(session)?;
        let index = list.iter().position(|entry| entry.view == view)?;
        let entry = list.swap_remove(index);
        if list.is_empty() {
            pending.remove(session);
        }
        Some(entry.stream)
    }
}

/// A view started for a first paint.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PaintStart {
    /// The view.
    pub runtime: RuntimeId,
    /// The adopt token for the page: 22 characters of base64url, single use, bound to the
    /// request's session.
    pub token: String,
}

/// What a view started for a first paint has to show, so far.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PaintState {
    /// Nothing yet: it has neither shown a tree nor finished.
    Pending,
    /// Its tree, rendered (escaped, with `data-lona-node-id`s).
    Tree(String),
    /// Nothing to paint: it asked for a redirect, or finished without a tree (raw HTML, or
    /// nothing). It stays adoptable: its window gets the redirect, as without a first paint.
    Unpainted,
    /// It stopped, or is no longer there.
    Gone,
}

/// First paint in numbers, for the metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PaintMetrics {
    /// Views started for a page and not yet adopted.
    pub pending: usize,
    /// Views started for a first paint.
    pub started: u64,
    /// Pages answered with a view's tree in them.
    pub served: u64,
    /// Views adopted by their window.
    pub adopted: u64,
    /// Adopt tokens that matched no pending view of the socket's session (used already,
    /// another session's, expired, made up): those windows got a fresh view.
    pub refused: u64,
    /// Views nobody adopted within `first_paint_adopt_timeout`, stopped.
    pub expired: u64,
}

/// An adopt token that matches no pending view of the session; the caller starts a fresh view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdoptRefused;

impl Runtime {
    /// Starts the view of `request` for a first paint of its page, in `window` (the window the
    /// page's client will ask in), detached from any socket: its output goes to the buffer of
    /// its acknowledged stream and `wake` runs at each frame, so that the caller can look at
    /// [`Runtime::paint_state`]. The view counts toward the per-visitor view limits (`client`
    /// is the browser's address) like any other. `None` if the session's daemon view for the
    /// route would take the window: the page's socket re-attaches to it as usual.
    ///
    /// # Errors
    ///
    /// As [`Runtime::start_view`]; the caller serves the page without a first paint.
    pub fn start_paint(
        &self,
        factory: &ViewFactory,
        request: Request,
        client: Option<IpAddr>,
        window: WindowId,
        wake: Arc<dyn Fn() + Send + Sync>,
    ) -> Result<Option<PaintStart>, StartError> {
        // A broadcast view is painted by none of its watchers: each page's socket joins it.
        if factory.is_broadcast() {
            return Ok(None);
        }
        let session = request.session.clone();
        // No socket ever reads it: the view's stream is detached from it from the start.
        let mut connection = Connection::new(session.clone(), OutboxLimits::default());
        if let Some(ip) = client {
            connection = connection.with_client_addr(ip);
        }
        let Started::Fresh(view) =
            self.start(factory, request, &connection, window, Mode::Paint(&wake))?
        else {
            return Ok(None);
        };
        let stream = view.attached.lock().iter().find_map(|a| a.stream.clone());
        let Some(stream) = stream else {
            return Ok(None);
        };
        let token = new_token();
        let paints = &self.inner.paints;
        paints
            .pending
            .lock()
            .entry(session)
            .or_default()
            .push(Pending {
                token: token.clone(),
                view: view.id,
                stream,
            });
        paints.started.fetch_add(1, Ordering::Relaxed);
        let timeout = self.inner.config.first_paint_adopt_timeout;
        view.expire_at(Instant::now() + timeout, |view| {
            view.end_paint();
            None
        });
        Ok(Some(PaintStart {
            runtime: view.id,
            token,
        }))
    }

    /// What the view `runtime`, started by [`Runtime::start_paint`], has to paint now. A tree
    /// is rendered under the document lock, so it is one state of the tree; a tree returned
    /// counts as a first paint served.
    pub fn paint_state(&self, runtime: RuntimeId) -> PaintState {
        let view = self.inner.views.lock().get(&runtime).cloned();
        let Some(view) = view.filter(|v| v.stop.reason().is_none()) else {
            return PaintState::Gone;
        };
        let _doc = view.doc.lock();
        let redirected = view.attached.lock().iter().any(|a| {
            a.stream.as_ref().is_some_and(|stream| {
                stream
                    .paint_watch()
                    .as_ref()
                    .is_some_and(|w| w.redirect.is_some())
            })
        });
        if redirected {
            return PaintState::Unpainted;
        }
        if let Some(root) = view.doc.root() {
            self.inner.paints.served.fetch_add(1, Ordering::Relaxed);
            return PaintState::Tree(root.to_html_with(RenderOptions { node_ids: true }));
        }
        if view.lifecycle.lock().finished {
            return PaintState::Unpainted;
        }
        PaintState::Pending
    }

    /// VIEW with an adopt token: attaches `window` of `connection` to the painted view the
    /// token names, as a window joins a daemon: VIEW_START (with a resume token if `ack`),
    /// the current tree and title (or the raw HTML it showed instead), then the redirect it
    /// asked for and VIEW_STOP if it has finished. The window's earlier view goes, as for any VIEW.
    ///
    /// # Errors
    ///
    /// [`AdoptRefused`] (counted) if no pending view of the socket's session has this token:
    /// adopted already, another session's, expired, stopped or made up. Nothing is sent; the
    /// caller starts a fresh view.
    pub fn adopt_view(
        &self,
        connection: &Arc<Connection>,
        window: WindowId,
        token: &str,
        ack: bool,
    ) -> Result<RuntimeId, AdoptRefused> {
        let paints = &self.inner.paints;
        let refuse = || {
            paints.refused.fetch_add(1, Ordering::Relaxed);
            AdoptRefused
        };
        let Some(entry) = paints.take(connection.session(), token) else {
            return Err(refuse());
        };
        let view = self.inner.views.lock().get(&entry.view).cloned();
        let Some(view) = view.filter(|v| v.stop.reason().is_none()) else {
            return Err(refuse());
        };
        self.detach_window(connection, window);
        // Under the document lock: no patch may leave between the detached window going and
        // the new one getting the tree.
        let _doc = view.doc.lock();
        let (redirect, raw_html) = entry
            .stream
            .paint_watch()
            .take()
            .map_or((None, None), |w| (w.redirect, w.raw_html));
        view.attached.lock().retain(|a| {
            !a.stream
                .as_ref()
                .is_some_and(|s| Arc::ptr_eq(s, &entry.stream))
        });
        // The window gets its VIEW_START from the re-attach; the view must not send another.
        view.lifecycle.lock().view_start_sent = true;
        view.reattach(connection, window, ack);
        // Raw HTML is shown where no tree is: the re-attach sent none.
        if let Some(html) = raw_html.filter(|_| view.doc.root().is_none()) {
            let title = view.title.lock().clone();
            connection.send(Outgoing::Frame(
                ServerMessage::Data {
                    window,
                    runtime: view.id,
                    title: &title,
                    html: Some(lona_protocol::Html::String(&html)),
                }
                .encode(),
            ));
        }
        if let Some((url, http)) = redirect {
            connection.send(Outgoing::Frame(view.redirect_frame(window, &url, http)));
        }
        if view.lifecycle.lock().finished {
            let runtime = view.id;
            connection.send(Outgoing::Frame(
                ServerMessage::ViewStop { window, runtime }.encode(),
            ));
        }
        paints.adopted.fetch_add(1, Ordering::Relaxed);
        tracing::debug!(target: "lona::view", view = view.id.0, "a window adopted its painted view");
        Ok(view.id)
    }

    pub(super) fn paint_metrics(&self) -> PaintMetrics {
        let paints = &self.inner.paints;
        PaintMetrics {
            pending: paints.pending.lock().values().map(Vec::len).sum(),
            started: paints.started.load(Ordering::Relaxed),
            served: paints.served.load(Ordering::Relaxed),
            adopted: paints.adopted.load(Ordering::Relaxed),
            refused: paints.refused.load(Ordering::Relaxed),
            expired: paints.expired.load(Ordering::Relaxed),
        }
    }
}

impl ViewShared {
    /// The adopt timeout is over: unless a window adopted the view, its detached window goes,
    /// and the view with it when it was the last, as a resume's grace ends.
    fn end_paint(self: &Arc<Self>) {
        let Some(runtime) = self.runtime() else {
            return;
        };
        let paints = &runtime.inner.paints;
        let Some(stream) = paints.take_view(&self.request.session, self.id) else {
            return;
        };
        paints.expired.fetch_add(1, Ordering::Relaxed);
        let now_empty = {
            let mut attached = self.attached.lock();
            attached.retain(|a| !a.stream.as_ref().is_some_and(|s| Arc::ptr_eq(s, &stream)));
            self.note_windowless(&attached)
        };
        tracing::debug!(target: "lona::view", view = self.id.0, "a painted view was not adopted in time");
        if now_empty {
            self.lost_last_window();
        }
    }
}
