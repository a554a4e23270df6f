//! `Connection`: one browser socket as the runtime sees it, with its bounded outbox.
//!
//! The runtime never writes to a socket: it pushes [`Outgoing`] messages into the connection's
//! outbox, which never blocks. The server drains the outbox (`poll_next`) and writes. Tests drain
//! it directly, so the whole runtime is testable without a network.
//!
//! The backlog is measured in items: one per frame, one per patch of an update. When a slow
//! client lets it grow to [`OutboxLimits::merge_at`], the queued patch updates are merged: a
//! later change of the same node's property replaces an earlier one. If it still reaches
//! [`OutboxLimits::close_at`], the connection is closed with [`CloseReason::Lagging`]; the
//! browser reconnects and gets a fresh full tree.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use bytes::Bytes;
use lona_html::{ListOp, MapOp, NodeId, NodesOp, Patch, PatchOp, Snapshot, WidgetDataOp};
use lona_protocol::{Html, RuntimeId, ServerMessage, WindowId};
use parking_lot::Mutex;

use crate::ack_stream::AckStream;
use crate::runtime::SentMeter;

/// Identifies a connection within the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnectionId(pub u64);

/// The session a connection belongs to (the session cookie); it decides who may re-attach to a
/// daemon view and whose events a view accepts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SessionId(pub Arc<str>);

impl SessionId {
    /// A session id from its cookie value.
    pub fn new(id: impl Into<Arc<str>>) -> SessionId {
        SessionId(id.into())
    }
}

/// How large an outbox may grow.
#[derive(Debug, Clone, Copy)]
pub struct OutboxLimits {
    /// From this many queued items (frames and patches) on, queued patch updates are merged.
    pub merge_at: usize,
    /// At this many queued items (after merging), the connection is closed.
    pub close_at: usize,
}

impl Default for OutboxLimits {
    fn default() -> OutboxLimits {
        OutboxLimits {
            merge_at: 64,
            close_at: 256,
        }
    }
}

/// Why a connection is closed by the server; the server maps each to a WebSocket close code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseReason {
    /// The client fell too far behind the view's updates.
    Lagging,
    /// The server is shutting down.
    ServerStop,
    /// The client sent a frame over the size limit.
    TooLarge,
    /// The client kept sending frames that are not the protocol.
    ProtocolError,
    /// The client broke the WebSocket framing (an unmasked frame, a reserved opcode...).
    InvalidFrame,
    /// The client sent a text frame that is not UTF-8.
    InvalidUtf8,
    /// The client sent more than a rate limit allows (events, VIEW requests...).
    RateLimited,
    /// The client asked for more than a limit allows (windows per socket...).
    LimitReached,
    /// The client stopped answering the server's pings.
    Unresponsive,
}

/// A message for the browser, not yet encoded.
#[derive(Debug, Clone)]
pub enum Outgoing {
    /// A finished frame.
    Frame(String),
    /// DATA with a title and patches: kept structured, so that queued updates can be merged.
    Update {
        /// The window.
        window: WindowId,
        /// The view.
        runtime: RuntimeId,
        /// The title to send along.
        title: Arc<str>,
        /// The patches, shared by every connection of the view.
        patches: Arc<Vec<Patch>>,
        /// Where its bytes are counted when it is encoded: its view's accounting.
        meter: SentMeter,
        /// The frame, encoded once for every window of this id that gets these patches (the
        /// watchers of a broadcast view, the tabs of a daemon): each writer sends the same
        /// bytes. `None`: its writer encodes it.
        shared: Option<Bytes>,
    },
    /// A frame written as is, never numbered by the acknowledged stream: RESUMED and a replay
    /// (numbered already), RESUME_FAILED (never numbered).
    Stamped(String),
    /// Close the connection.
    Close(CloseReason),
}

impl Outgoing {
    /// How much of the backlog this message is: one per frame, one per patch.
    fn weight(&self) -> usize {
        match self {
            Outgoing::Update { patches, .. } => patches.len().max(1),
            Outgoing::Frame(_) | Outgoing::Stamped(_) | Outgoing::Close(_) => 1,
        }
    }

    /// The text frame to write; `None` for [`Outgoing::Close`]. An update is encoded where it
    /// leaves (the socket's writer, or a replay buffer): its bytes are counted as sent by its
    /// view here. A shared frame is copied: the writer takes [`Outgoing::into_text`] instead.
    pub fn encode(&self) -> Option<String> {
        let frame = self.encode_uncounted();
        if let (Outgoing::Update { meter, .. }, Some(frame)) = (self, &frame) {
            meter.count(frame.len());
        }
        frame
    }

    /// The frame, not counted: for measuring what waits in an outbox.
    fn encode_uncounted(&self) -> Option<String> {
        match self {
            Outgoing::Frame(frame) | Outgoing::Stamped(frame) => Some(frame.clone()),
            Outgoing::Update {
                shared: Some(frame),
                ..
            } => std::str::from_utf8(frame).ok().map(str::to_owned),
            Outgoing::Update {
                window,
                runtime,
                title,
                patches,
                shared: None,
                ..
            } => Some(
                ServerMessage::Data {
                    window: *window,
                    runtime: *runtime,
                    title,
                    html: Some(Html::Update(patches)),
                }
                .encode(),
            ),
            Outgoing::Close(_) => None,
        }
    }

    /// The text frame to write, without a copy: a frame's own string, or the bytes an update
    /// shares with the other windows it went to. `None` for [`Outgoing::Close`].
    pub fn into_text(self) -> Option<FrameText> {
        match self {
            Outgoing::Frame(frame) | Outgoing::Stamped(frame) => Some(FrameText::Owned(frame)),
            Outgoing::Update {
                shared: Some(frame),
                meter,
                ..
            } => {
                meter.count(frame.len());
                Some(FrameText::Shared(frame))
            }
            update @ Outgoing::Update { .. } => update.encode().map(FrameText::Owned),
            Outgoing::Close(_) => None,
        }
    }
}

/// A text frame for the socket writer.
#[derive(Debug, Clone)]
pub enum FrameText {
    /// Encoded for this socket alone.
    Owned(String),
    /// The same UTF-8 bytes every watcher of a broadcast view writes (a reference count, no
    /// copy).
    Shared(Bytes),
}

/// One browser socket. Cheap to share (`Arc`); the server keeps one per socket.
pub struct Connection {
    id: ConnectionId,
    session: SessionId,
    limits: OutboxLimits,
    state: Mutex<OutboxState>,
    merges: AtomicU64,
    /// Its client errors in the current minute (`max_client_errors_per_minute`).
    pub(crate) client_errors: crate::client_errors::ClientErrorBudget,
    /// The browser's address (behind a trusted proxy, the forwarded one), which the
    /// per-address limits count; `None` for connections the server made no address for.
    client_addr: OnceLock<IpAddr>,
    /// The views shown in its windows (or detached from them), so that closing it looks at
    /// those views only, not at every view of the runtime.
    views: Mutex<Vec<RuntimeId>>,
}

#[derive(Default)]
struct OutboxState {
    queue: VecDeque<Outgoing>,
    /// The sum of the queued messages' weights.
    backlog: usize,
    waker: Option<Waker>,
    closed: bool,
    /// The acknowledged streams this connection writes, one per window at most: their frames
    /// are numbered as they leave the outbox. A list, not a map: a socket has few windows
    /// (`max_windows_per_socket`), and an empty list is half an empty map's size.
    streams: Vec<Arc<AckStream>>,
}

impl OutboxState {
    /// Frees the queue's buffer once the writer found it empty: an idle socket would keep
    /// room for the largest burst it ever queued (a view's start alone leaves four messages'
    /// room, 320 bytes), and most sockets are idle most of the time. The next burst
    /// allocates it again, once per burst, not per message.
    fn release_queue(&mut self) {
        if self.queue.capacity() > 0 {
            self.queue = VecDeque::new();
        }
    }
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("id", &self.id)
            .field("session", &self.session)
            .finish_non_exhaustive()
    }
}

static NEXT_CONNECTION: AtomicU64 = AtomicU64::new(1);

impl Connection {
    /// A new connection of `session`.
    pub fn new(session: SessionId, limits: OutboxLimits) -> Arc<Connection> {
        Arc::new(Connection {
            id: ConnectionId(NEXT_CONNECTION.fetch_add(1, Ordering::Relaxed)),
            session,
            limits,
            state: Mutex::new(OutboxState::default()),
            merges: AtomicU64::new(0),
            client_errors: crate::client_errors::ClientErrorBudget::default(),
            client_addr: OnceLock::new(),
            views: Mutex::new(Vec::new()),
        })
    }

    /// Notes that `view` shows in one of its windows.
    pub(crate) fn note_view(&self, view: RuntimeId) {
        let mut views = self.views.lock();
        if !views.contains(&view) {
            views.push(view);
        }
    }

    /// Forgets `view`: none of its windows shows it any more, or it is gone.
    pub(crate) fn forget_view(&self, view: RuntimeId) {
        self.views.lock().retain(|v| *v != view);
    }

    /// The views noted as shown in its windows.
    pub(crate) fn views(&self) -> Vec<RuntimeId> {
        self.views.lock().clone()
    }

    /// Sets the browser's address, which `max_views_per_ip` counts:
    /// `Connection::new(session, limits).with_client_addr(ip)`. Only the first address
    /// given sticks: a connection does not move.
    pub fn with_client_addr(self: Arc<Self>, ip: IpAddr) -> Arc<Connection> {
        let _ = self.client_addr.set(ip);
        self
    }

    /// The browser's address, if the server gave one.
    pub fn client_addr(&self) -> Option<IpAddr> {
        self.client_addr.get().copied()
    }

    /// The connection's id.
    pub fn id(&self) -> ConnectionId {
        self.id
    }

    /// The session it belongs to.
    pub fn session(&self) -> &SessionId {
        &self.session
    }

    /// Queues a message; never blocks. Returns `false` if the connection is closed (also when
    /// this very message made it lag too far behind).
    pub fn send(&self, message: Outgoing) -> bool {
        let waker = {
            let mut state = self.state.lock();
            if state.closed {
                // An acknowledged window loses nothing: numbered into its buffer, the message
                // reaches the browser with the resume.
                let _ = stamp(&state.streams, message);
                return false;
            }
            state.backlog += message.weight();
            state.queue.push_back(message);
            if state.backlog >= self.limits.merge_at {
                merge_updates(&mut state.queue);
                state.backlog = state.queue.iter().map(Outgoing::weight).sum();
                self.merges.fetch_add(1, Ordering::Relaxed);
            }
            if state.backlog >= self.limits.close_at {
                tracing::warn!(
                    connection = self.id.0,
                    "closing a connection that lags behind"
                );
                for message in std::mem::take(&mut state.queue) {
                    let _ = stamp(&state.streams, message);
                }
                state.queue.push_back(Outgoing::Close(CloseReason::Lagging));
                state.backlog = 0;
                state.closed = true;
            }
            state.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
        !self.is_closed()
    }

    /// Closes the connection: queued messages are still drained, then `Close(reason)`.
    pub fn close(&self, reason: CloseReason) {
        let waker = {
            let mut state = self.state.lock();
            if state.closed {
                return;
            }
            state.queue.push_back(Outgoing::Close(reason));
            state.closed = true;
            state.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Whether no more messages are accepted.
    pub fn is_closed(&self) -> bool {
        self.state.lock().closed
    }

    /// The next queued message, if any (for the writer of this connection, and for tests).
    /// A message of an acknowledged stream comes encoded and numbered: this is where its
    /// sequence number is given, in the order the browser receives.
    pub fn try_next(&self) -> Option<Outgoing> {
        let mut state = self.state.lock();
        let Some(message) = state.queue.pop_front() else {
            state.release_queue();
            return None;
        };
        state.backlog = state.backlog.saturating_sub(message.weight());
        Some(stamp(&state.streams, message))
    }

    /// The next message, registering `cx`'s waker if there is none yet; numbered as for
    /// [`Connection::try_next`].
    pub fn poll_next(&self, cx: &mut Context<'_>) -> Poll<Outgoing> {
        let mut state = self.state.lock();
        match state.queue.pop_front() {
            Some(message) => {
                state.backlog = state.backlog.saturating_sub(message.weight());
                Poll::Ready(stamp(&state.streams, message))
            }
            None => {
                state.release_queue();
                state.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }

    /// The next message, waiting on this thread for at most `timeout`: for code that drives
    /// a connection without an async executor (tests, tools). `None` if none came in time.
    pub fn next_timeout(&self, timeout: Duration) -> Option<Outgoing> {
        let waker = Waker::from(Arc::new(crate::block_on::Unpark(std::thread::current())));
        let mut cx = Context::from_waker(&waker);
        let deadline = Instant::now() + timeout;
        loop {
            if let Poll::Ready(message) = self.poll_next(&mut cx) {
                return Some(message);
            }
            // A send between the poll and the park leaves the token set: park returns at once.
            std::thread::park_timeout(deadline.checked_duration_since(Instant::now())?);
        }
    }

    /// Writes `stream` from now on: its window's frames get numbers as they leave.
    pub(crate) fn add_stream(&self, stream: Arc<AckStream>) {
        let mut state = self.state.lock();
        state.streams.retain(|s| s.window != stream.window);
        state.streams.push(stream);
    }

    /// Stops writing `stream`. When the socket closed (`keep_queued`), the frames still queued
    /// for it are numbered and kept in its buffer, so that a resume replays them; they are
    /// not sent here any more. When the view left the window, they go as plain frames.
    pub(crate) fn remove_stream(&self, stream: &Arc<AckStream>, keep_queued: bool) {
        let mut state = self.state.lock();
        let Some(index) = state.streams.iter().position(|s| Arc::ptr_eq(s, stream)) else {
            return;
        };
        state.streams.swap_remove(index);
        if !keep_queued {
            return;
        }
        let mut kept = VecDeque::with_capacity(state.queue.len());
        for message in std::mem::take(&mut state.queue) {
            if let Some(frame) = stream_frame(stream, &message) {
                stream.stamp(frame);
            } else {
                kept.push_back(message);
            }
        }
        state.backlog = kept.iter().map(Outgoing::weight).sum();
        state.queue = kept;
    }

    /// What waits in the outbox for `window`'s view `runtime`: its backlog (frames plus
    /// patches) and the bytes those make once encoded. A walk of the queue under its lock,
    /// which `close_at` bounds: for the per-view accounting, not for a hot path.
    pub(crate) fn queued_for(&self, window: WindowId, runtime: RuntimeId) -> (usize, usize) {
        let state = self.state.lock();
        let mut items = 0;
        let mut bytes = 0;
        for message in &state.queue {
            let size = match message {
                Outgoing::Update {
                    window: w,
                    runtime: r,
                    ..
                } if *w == window && *r == runtime => {
                    message.encode_uncounted().map_or(0, |frame| frame.len())
                }
                Outgoing::Frame(frame) if frame_is_of(frame, window, runtime) => frame.len(),
                _ => continue,
            };
            items += message.weight();
            bytes += size;
        }
        (items, bytes)
    }

    /// The backlog: queued frames plus queued patches.
    pub fn queued(&self) -> usize {
        self.state.lock().backlog
    }

    /// How often queued updates were merged because the client was slow.
    pub fn merges(&self) -> u64 {
        self.merges.load(Ordering::Relaxed)
    }
}

/// Numbers a message of an acknowledged stream as it leaves the outbox.
fn stamp(streams: &[Arc<AckStream>], message: Outgoing) -> Outgoing {
    if streams.is_empty() {
        return message;
    }
    let window = match &message {
        Outgoing::Update { window, .. } => Some(*window),
        Outgoing::Frame(frame) => frame_window(frame),
        Outgoing::Stamped(_) | Outgoing::Close(_) => None,
    };
    match window.and_then(|w| streams.iter().find(|s| s.window == w)) {
        Some(stream) => match stream_frame(stream, &message) {
            Some(frame) => Outgoing::Stamped(stream.stamp(frame)),
            None => message,
        },
        None => message,
    }
}

/// The encoded frame of `message` if it belongs to `stream`: its window, and its runtime or
/// none (a redirect may name none). A frame of the window's previous view is not the stream's.
fn stream_frame(stream: &AckStream, message: &Outgoing) -> Option<String> {
    match message {
        Outgoing::Update {
            window, runtime, ..
        } if *window == stream.window && *runtime == stream.runtime => message.encode(),
        Outgoing::Frame(frame) => {
            frame_is_of(frame, stream.window, stream.runtime).then(|| frame.clone())
        }
        _ => None,
    }
}

/// Whether an encoded frame is for `window` and its view `runtime` or no view (a redirect
/// may name none).
fn frame_is_of(frame: &str, window: WindowId, runtime: RuntimeId) -> bool {
    let owner = || {
        let rest = frame
            .strip_prefix(lona_protocol::PREFIX)?
            .strip_prefix('[')?;
        let (w, rest) = rest.split_once(',')?;
        if w.parse::<u32>().ok()? != window.0 {
            return Some(false);
        }
        let r = rest.split_once(',')?.0;
        Some(
            r == "null"
                || r.strip_prefix('"')
                    .and_then(|r| r.strip_suffix('"'))
                    .and_then(|r| r.parse::<u64>().ok())
                    == Some(runtime.0),
        )
    };
    owner().unwrap_or(false)
}

/// The window of an encoded `lona:` frame; `None` for PONG and custom frames.
fn frame_window(frame: &str) -> Option<WindowId> {
    let rest = frame
        .strip_prefix(lona_protocol::PREFIX)?
        .strip_prefix('[')?;
    rest.split_once(',')?.0.parse().ok().map(WindowId)
}

/// Merges the patch updates of each (window, runtime) into its last update, dropping patches a
/// later patch makes pointless. Other messages keep their place.
fn merge_updates(queue: &mut VecDeque<Outgoing>) {
    let mut last_update: HashMap<(WindowId, RuntimeId), usize> = HashMap::new();
    let mut counts: HashMap<(WindowId, RuntimeId), usize> = HashMap::new();
    let mut merged: HashMap<(WindowId, RuntimeId), Vec<Patch>> = HashMap::new();
    for (index, message) in queue.iter().enumerate() {
        if let Outgoing::Update {
            window,
            runtime,
            patches,
            ..
        } = message
        {
            last_update.insert((*window, *runtime), index);
            *counts.entry((*window, *runtime)).or_default() += 1;
            merged
                .entry((*window, *runtime))
                .or_default()
                .extend(patches.iter().cloned());
        }
    }
    let mut index = 0;
    queue.retain_mut(|message| {
        let keep = match message {
            Outgoing::Update {
                window,
                runtime,
                patches,
                shared,
                ..
            } => {
                let key = (*window, *runtime);
                if last_update.get(&key) == Some(&index) {
                    let all = merged.remove(&key).unwrap_or_default();
                    let alone = counts.get(&key).is_none_or(|n| *n == 1);
                    // One update with a shared frame stays as it is, its frame still valid;
                    // patches of several are no longer the frame others share.
                    if !(alone && shared.is_some()) {
                        *shared = None;
                        *patches = Arc::new(drop_superseded(all));
                    }
                    true
                } else {
                    false
                }
            }
            _ => true,
        };
        index += 1;
        keep
    });
}

/// Drops each patch whose effect a later patch overwrites completely, keeping order otherwise.
fn drop_superseded(patches: Vec<Patch>) -> Vec<Patch> {
    let mut keep = vec![true; patches.len()];
    // Properties a kept later patch replaces entirely (a RESET or CLEAR of a class list, of a
    // style...), and single entries it sets (one attribute, one style property).
    let mut whole_set: HashSet<(NodeId, u8)> = HashSet::new();
    let mut entry_set: HashSet<(NodeId, u8, String)> = HashSet::new();
    // Ids that a kept later patch still needs: patches that insert them must stay.
    let mut needed: HashSet<NodeId> = HashSet::new();
    for (index, patch) in patches.iter().enumerate().rev() {
        let id = patch.node_id;
        let (kind, entry, whole) = classify(&patch.op);
        let superseded = whole_set.contains(&(id, kind))
            || entry
                .as_ref()
                .is_some_and(|e| entry_set.contains(&(id, kind, e.clone())));
        let inserts_needed = inserted_ids(&patch.op).any(|i| needed.contains(&i));
        if superseded && !inserts_needed {
            keep[index] = false;
            continue;
        }
        needed.insert(id);
        if whole {
            whole_set.insert((id, kind));
        }
        if let Some(entry) = entry {
            entry_set.insert((id, kind, entry));
        }
    }
    patches
        .into_iter()
        .zip(keep)
        .filter_map(|(patch, keep)| keep.then_some(patch))
        .collect()
}

/// The property a patch touches (a small number per patch type), the entry within it if it
/// touches one entry, and whether it replaces the property entirely.
fn classify(op: &PatchOp) -> (u8, Option<String>, bool) {
    match op {
        PatchOp::IdList(op) => (1, None, matches!(op, ListOp::Reset(_) | ListOp::Clear)),
        PatchOp::ClassList(op) => (2, None, matches!(op, ListOp::Reset(_) | ListOp::Clear)),
        PatchOp::Style(op) => map_class(3, op),
        PatchOp::Attributes(op) => map_class(4, op),
        // Only a full replacement of the children supersedes: inserts and removes shift indexes.
        PatchOp::Nodes(op) => (5, None, matches!(op, NodesOp::Reset(_) | NodesOp::Clear)),
        PatchOp::WidgetData(op) => (6, None, matches!(op, WidgetDataOp::Reset(_))),
    }
}

fn map_class<V>(kind: u8, op: &MapOp<V>) -> (u8, Option<String>, bool) {
    match op {
        MapOp::Set(name, _) | MapOp::Remove(name) => (kind, Some(name.clone()), false),
        MapOp::Clear | MapOp::Reset(_) => (kind, None, true),
    }
}

/// The ids a patch brings into the document (every node of an inserted subtree).
fn inserted_ids(op: &PatchOp) -> impl Iterator<Item = NodeId> + '_ {
    let snapshots: Vec<&Snapshot> = match op {
        PatchOp::Nodes(NodesOp::Insert(_, s) | NodesOp::Set(_, s)) => vec![s],
        PatchOp::Nodes(NodesOp::Reset(list)) => list.iter().collect(),
        _ => Vec::new(),
    };
    let mut ids = Vec::new();
    let mut stack = snapshots;
    while let Some(snapshot) = stack.pop() {
        ids.push(snapshot.id());
        if let lona_html::Content::Element(element) = snapshot.content() {
            stack.extend(element.children());
        }
    }
    ids.into_iter()
}

#[cfg(test)]
mod tests;
