//! What view code calls: [`Context`] (blocking views), [`AsyncContext`] (async views) and
//! [`EventContext`] (event hooks and node handlers), all thin handles on one view.
//!
//! The waits (`await_click`, `sleep`...) are futures written once, here. An async view awaits
//! them; a blocking view runs the same future with `block_on`. Both end with [`Stopped`] as soon
//! as the view is stopped, because every wait registers with the view's stop signal.

use std::future::Future;
use std::num::NonZeroU64;
use std::ops::Deref;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context as TaskContext, Poll, Waker};
use std::time::{Duration, Instant};

use lona_html::{Document, Event, Node};
use lona_protocol::InputEventType;

use crate::block_on::block_on;
use crate::runtime::{Handler, HandlerId, Pending, ViewShared};
use crate::stop::Stopped;
use crate::timer::Sleep;
use crate::view::{InputEvent, IntoFlow, Request};

/// The calls every kind of view code shares: showing HTML, the title, redirects, daemon mode,
/// node handlers. None of them blocks: messages go to the connections' outboxes.
#[derive(Clone)]
pub struct ViewHandle {
    pub(crate) shared: Arc<ViewShared>,
}

impl std::fmt::Debug for ViewHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ViewHandle")
            .field("runtime", &self.shared.id)
            .finish_non_exhaustive()
    }
}

impl ViewHandle {
    /// The request that started the view.
    pub fn request(&self) -> &Request {
        &self.shared.request
    }

    /// The view's document: its tree, its lock and its pending patches.
    pub fn document(&self) -> &Document {
        &self.shared.doc
    }

    /// Shows `root`. The first time, or after a root the browser cannot be patched from, the
    /// whole tree is sent; showing the same root again sends only the patches recorded since;
    /// showing a new root of the same kind sends the difference ([`lona_html::diff`]).
    ///
    /// # Errors
    ///
    /// [`Stopped`] once the view is stopped.
    ///
    /// # Panics
    ///
    /// If `root` has a parent: only a tree's root can be shown.
    pub fn show(&self, root: &Node) -> Result<(), Stopped> {
        self.shared.stop.check()?;
        self.shared.show(root);
        Ok(())
    }

    /// Sends the patches recorded since the last send (Lona's `show()` without argument).
    ///
    /// # Errors
    ///
    /// [`Stopped`] once the view is stopped.
    pub fn flush(&self) -> Result<(), Stopped> {
        self.shared.stop.check()?;
        self.shared.flush();
        Ok(())
    }

    /// Shows an HTML string as the window's `innerHTML`, unescaped: the caller vouches for it.
    ///
    /// # Errors
    ///
    /// [`Stopped`] once the view is stopped.
    pub fn show_raw_html(&self, html: &str) -> Result<(), Stopped> {
        self.shared.stop.check()?;
        self.shared.show_raw_html(html);
        Ok(())
    }

    /// Sets the document title, sent at once and with every later update.
    ///
    /// # Errors
    ///
    /// [`Stopped`] once the view is stopped.
    pub fn set_title(&self, title: &str) -> Result<(), Stopped> {
        self.shared.stop.check()?;
        self.shared.set_title(title);
        Ok(())
    }

    /// Navigates the view's windows inside the app (the browser sends a new VIEW).
    ///
    /// # Errors
    ///
    /// [`Stopped`] once the view is stopped.
    pub fn redirect(&self, url: &str) -> Result<(), Stopped> {
        self.shared.stop.check()?;
        self.shared.redirect(url, false);
        Ok(())
    }

    /// Loads `url` as a new page in the view's windows.
    ///
    /// # Errors
    ///
    /// [`Stopped`] once the view is stopped.
    pub fn http_redirect(&self, url: &str) -> Result<(), Stopped> {
        self.shared.stop.check()?;
        self.shared.redirect(url, true);
        Ok(())
    }

    /// Makes the view a daemon: it keeps running with no browser attached, and the same
    /// session re-attaches to it by opening the same route with the same URL arguments.
    ///
    /// Two limits bound daemons: one left without a window for `daemon_idle_timeout` is
    /// stopped, and a session may hold `max_daemons_per_session`. At that cap the session's
    /// daemon that has been without a window longest is stopped to make room; if every one
    /// shows in a window, this view is not made a daemon (it ends with its window).
    pub fn daemonize(&self) {
        self.shared.set_daemon(true);
    }

    /// Sets or clears daemon mode (see [`ViewHandle::daemonize`]).
    pub fn set_daemon(&self, daemon: bool) {
        self.shared.set_daemon(daemon);
    }

    /// Whether the view is a daemon.
    pub fn is_daemon(&self) -> bool {
        self.shared.is_daemon()
    }

    /// Whether the view has been stopped.
    pub fn is_stopped(&self) -> bool {
        self.shared.stop.reason().is_some()
    }

    /// Ends the view as if one of its handlers had panicked: the panic is counted, every
    /// window shows the 500 page and the view stops with [`crate::StopReason::Crashed`].
    /// For code that runs view callbacks outside the runtime's own handlers (channel
    /// subscriptions, upload callbacks) and catches their panics. Does nothing once stopped.
    pub fn crash(&self, what: &str) {
        self.shared.crash(what);
    }

    /// `Err(Stopped)` once the view is stopped: for loops that compute without waiting
    /// (Lona's `ping()`).
    ///
    /// # Errors
    ///
    /// [`Stopped`] once the view is stopped.
    pub fn check(&self) -> Result<(), Stopped> {
        self.shared.stop.check()
    }

    /// Runs `handler` on a worker-pool thread for every `event` that `node` receives, and makes
    /// `node` listen for it. Handlers run from the event's node up to the root; returning
    /// anything but [`Flow::Continue`](crate::Flow::Continue) stops the propagation. A handler
    /// that returns `()` handled the event ([`IntoFlow`]).
    ///
    /// Handlers belong to the view, not to the node, so a handler that captures its own node
    /// makes no reference cycle. They are dropped, with what they captured, when their node
    /// leaves the view's document (a deleted row's handlers go with the row; a node moved
    /// within one handler keeps them), when [`ViewHandle::remove_handler`] removes them, or
    /// when the view ends. A node that is put back into the document after its handlers were
    /// dropped needs them registered again; a panel that comes and goes keeps its handlers
    /// when it is hidden (`hidden` attribute) instead of removed.
    ///
    /// Returns the handler's id, for [`ViewHandle::remove_handler`].
    pub fn on<R: IntoFlow>(
        &self,
        node: &Node,
        event: Event,
        handler: impl Fn(&EventContext, &InputEvent) -> R + Send + Sync + 'static,
    ) -> HandlerId {
        let code = event.code();
        let name = match &event {
            Event::Custom(name) => Some(name.clone()),
            _ => None,
        };
        node.events().add(event);
        self.shared.add_handler(
            node.id(),
            Handler::new(
                code,
                name,
                Arc::new(move |cx: &EventContext, event: &InputEvent| {
                    handler(cx, event).into_flow()
                }),
            ),
        )
    }

    /// Removes one handler; `false` if it was removed already (or its node left the
    /// document). The node keeps listening for the event (its events are part of the tree),
    /// so its next events go to the other handlers, to `await_*` and to the view's hook.
    pub fn remove_handler(&self, handler: HandlerId) -> bool {
        self.shared.remove_handler(handler)
    }

    /// Removes every handler of `node`, and returns how many there were.
    pub fn remove_handlers(&self, node: &Node) -> usize {
        self.shared.remove_handlers(node.id())
    }

    /// How many node handlers the view holds now: for tests and the view's own accounting.
    pub fn handler_count(&self) -> usize {
        self.shared.handler_count()
    }

    /// This view's runtime id, the one on the wire and in [`ViewHandle::running_views`].
    pub fn id(&self) -> lona_protocol::RuntimeId {
        self.shared.id
    }

    /// Every view the runtime holds, oldest first, with its route, session, user and state:
    /// Lona's `server.get_views`, `get_running_views_count` and `view_is_already_running`
    /// are filters over it (by route, session or user; this view is the one whose id is
    /// [`ViewHandle::id`]). A snapshot, taken under one short lock.
    pub fn running_views(&self) -> Vec<crate::ViewInfo> {
        self.shared
            .runtime()
            .map(|runtime| runtime.views())
            .unwrap_or_default()
    }

    /// This view's accounting now: events handled, their event-to-flush latencies, bytes
    /// sent, estimated memory, state (docs/operations.md, "Per-view accounting").
    pub fn view_stats(&self) -> crate::ViewStats {
        self.shared.stats()
    }

    /// Every view's accounting, oldest first, with sessions shortened as the admin shell
    /// shows them: for an app's own admin page, which the app serves to admins only (it
    /// shows every view's path and user). Each view is looked at on its own, none waited for.
    pub fn all_view_stats(&self) -> Vec<crate::ViewStats> {
        self.shared
            .runtime()
            .map(|runtime| runtime.view_stats())
            .unwrap_or_default()
    }

    /// The app's value of type `T` (registered with the runtime's `AppState`, or `App::state`).
    pub fn state<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        self.shared.app_state().get::<T>()
    }

    /// The process's shared map (Lona's `server.state`).
    pub fn server_state(&self) -> Arc<crate::ServerState> {
        self.state::<crate::ServerState>().unwrap_or_default()
    }

    /// Keeps `guard` alive until the view is cleaned up, then drops it: how a channel
    /// subscription or an upload target ends with its view.
    pub fn keep_until_cleanup(&self, guard: impl Send + 'static) {
        self.shared.keep(Box::new(guard));
    }

    /// Sends a custom (non-`lona:`) message to the view's windows, for JavaScript handlers
    /// registered with `lona_context.add_message_handler` (Lona's `send_str`).
    ///
    /// # Errors
    ///
    /// [`Stopped`] once the view is stopped.
    pub fn send_custom(&self, message: &str) -> Result<(), Stopped> {
        self.shared.stop.check()?;
        // A `lona:` prefix would make the client read it as a protocol frame.
        if !message.starts_with(lona_protocol::PREFIX) {
            self.shared.send_custom(message);
        }
        Ok(())
    }

    /// Sends a custom message to every browser connection of the server that shows a view
    /// and that `filter` accepts, not only this view's windows (Lona's `send_str` with
    /// `broadcast=True` and `filter_connections`). Returns how many connections it went to;
    /// a message starting with `lona:` goes nowhere.
    ///
    /// # Errors
    ///
    /// [`Stopped`] once the view is stopped.
    pub fn broadcast_custom(
        &self,
        message: &str,
        filter: impl Fn(&crate::Connection) -> bool,
    ) -> Result<usize, Stopped> {
        self.shared.stop.check()?;
        Ok(self
            .shared
            .runtime()
            .map_or(0, |runtime| runtime.broadcast_custom(message, filter)))
    }

    /// [`ViewHandle::on`] for clicks.
    pub fn on_click<R: IntoFlow>(
        &self,
        node: &Node,
        handler: impl Fn(&EventContext, &InputEvent) -> R + Send + Sync + 'static,
    ) -> HandlerId {
        self.on(node, Event::Click, handler)
    }

    /// [`ViewHandle::on`] for changes. A node that listens to changes already keeps its
    /// debounce (a `lona_html::forms::TextInput` sends its value 300 ms after the user paused
    /// typing); any other node listens without debounce.
    ///
    /// The value of a form control is up to date when the handler runs: the runtime applies
    /// what the browser sent first (see `lona_html::forms`).
    pub fn on_change<R: IntoFlow>(
        &self,
        node: &Node,
        handler: impl Fn(&EventContext, &InputEvent) -> R + Send + Sync + 'static,
    ) -> HandlerId {
        let event = node
            .events()
            .to_vec()
            .into_iter()
            .find(|e| e.same_type(&Event::CHANGE))
            .unwrap_or(Event::CHANGE);
        self.on(node, event, handler)
    }

    pub(crate) fn wait(&self, want: Option<InputEventType>, nodes: &[&Node]) -> AwaitEvent {
        // Counted from here to the future's drop; `AwaitEvent`'s `Drop` takes it back.
        self.shared.pending.input.fetch_add(1, Ordering::Relaxed);
        AwaitEvent {
            shared: Arc::clone(&self.shared),
            want,
            nodes: WaitNodes::of(nodes),
            waiter: None,
            stop: None,
        }
    }
}

/// The context of a blocking view's `handle_request`. Its waits block the thread.
#[derive(Clone, Debug)]
pub struct Context {
    pub(crate) handle: ViewHandle,
}

impl Deref for Context {
    type Target = ViewHandle;

    fn deref(&self) -> &ViewHandle {
        &self.handle
    }
}

impl Context {
    /// Sleeps, unless the view is stopped first.
    ///
    /// # Errors
    ///
    /// [`Stopped`] if the view is stopped before the time is up.
    pub fn sleep(&self, duration: Duration) -> Result<(), Stopped> {
        block_on(sleep(&self.handle.shared, duration))
    }

    /// Waits for the next input event of any type; with `nodes`, only from one of them
    /// (matched by identity).
    ///
    /// # Errors
    ///
    /// [`Stopped`] if the view is stopped first.
    pub fn await_input_event(&self, nodes: &[&Node]) -> Result<InputEvent, Stopped> {
        block_on(self.handle.wait(None, nodes))
    }

    /// Waits for a click; with `nodes`, only on one of them (matched by identity).
    ///
    /// # Errors
    ///
    /// [`Stopped`] if the view is stopped first.
    pub fn await_click(&self, nodes: &[&Node]) -> Result<InputEvent, Stopped> {
        block_on(self.handle.wait(Some(InputEventType::Click), nodes))
    }

    /// Waits for a change; with `nodes`, only of one of them.
    ///
    /// # Errors
    ///
    /// [`Stopped`] if the view is stopped first.
    pub fn await_change(&self, nodes: &[&Node]) -> Result<InputEvent, Stopped> {
        block_on(self.handle.wait(Some(InputEventType::Change), nodes))
    }

    /// Waits for a focus event; with `nodes`, only on one of them.
    ///
    /// # Errors
    ///
    /// [`Stopped`] if the view is stopped first.
    pub fn await_focus(&self, nodes: &[&Node]) -> Result<InputEvent, Stopped> {
        block_on(self.handle.wait(Some(InputEventType::Focus), nodes))
    }

    /// Waits for a blur event; with `nodes`, only on one of them.
    ///
    /// # Errors
    ///
    /// [`Stopped`] if the view is stopped first.
    pub fn await_blur(&self, nodes: &[&Node]) -> Result<InputEvent, Stopped> {
        block_on(self.handle.wait(Some(InputEventType::Blur), nodes))
    }
}

/// The context of an async view's `handle_request`. Its waits are futures; while they are
/// pending the view holds no thread.
#[derive(Clone, Debug)]
pub struct AsyncContext {
    pub(crate) handle: ViewHandle,
}

impl Deref for AsyncContext {
    type Target = ViewHandle;

    fn deref(&self) -> &ViewHandle {
        &self.handle
    }
}

/// The future of a wait for an input event.
pub type EventFuture = Pin<Box<dyn Future<Output = Result<InputEvent, Stopped>> + Send>>;

impl AsyncContext {
    /// Sleeps, unless the view is stopped first.
    ///
    /// # Errors
    ///
    /// [`Stopped`] if the view is stopped before the time is up.
    pub async fn sleep(&self, duration: Duration) -> Result<(), Stopped> {
        sleep(&self.handle.shared, duration).await
    }

    /// Waits for the next input event of any type; with `nodes`, only from one of them.
    ///
    /// # Errors
    ///
    /// [`Stopped`] if the view is stopped first.
    pub fn await_input_event(&self, nodes: &[&Node]) -> EventFuture {
        Box::pin(self.handle.wait(None, nodes))
    }

    /// Waits for a click; with `nodes`, only on one of them (matched by identity).
    ///
    /// # Errors
    ///
    /// [`Stopped`] if the view is stopped first.
    pub fn await_click(&self, nodes: &[&Node]) -> EventFuture {
        Box::pin(self.handle.wait(Some(InputEventType::Click), nodes))
    }

    /// Waits for a change; with `nodes`, only of one of them.
    ///
    /// # Errors
    ///
    /// [`Stopped`] if the view is stopped first.
    pub fn await_change(&self, nodes: &[&Node]) -> EventFuture {
        Box::pin(self.handle.wait(Some(InputEventType::Change), nodes))
    }

    /// Waits for a focus event; with `nodes`, only on one of them.
    ///
    /// # Errors
    ///
    /// [`Stopped`] if the view is stopped first.
    pub fn await_focus(&self, nodes: &[&Node]) -> EventFuture {
        Box::pin(self.handle.wait(Some(InputEventType::Focus), nodes))
    }

    /// Waits for a blur event; with `nodes`, only on one of them.
    ///
    /// # Errors
    ///
    /// [`Stopped`] if the view is stopped first.
    pub fn await_blur(&self, nodes: &[&Node]) -> EventFuture {
        Box::pin(self.handle.wait(Some(InputEventType::Blur), nodes))
    }
}

/// The context of input-event hooks and node handlers, which run on worker-pool threads. The
/// patches they make are sent when the event is done; they must not wait.
#[derive(Clone, Debug)]
pub struct EventContext {
    pub(crate) handle: ViewHandle,
}

impl Deref for EventContext {
    type Target = ViewHandle;

    fn deref(&self) -> &ViewHandle {
        &self.handle
    }
}

/// Sleeps until `duration` has passed or the view is stopped.
async fn sleep(shared: &ViewShared, duration: Duration) -> Result<(), Stopped> {
    let _sleeping = Pending::new(&shared.pending.sleep);
    let deadline = Instant::now() + duration;
    StopAware {
        shared,
        inner: Sleep::until(deadline),
        stop: None,
    }
    .await
}

/// Wraps a future so that it ends with [`Stopped`] when the view is stopped.
struct StopAware<'a, F> {
    shared: &'a ViewShared,
    inner: F,
    stop: Option<NonZeroU64>,
}

impl<F: Future<Output = ()> + Unpin> Future for StopAware<'_, F> {
    type Output = Result<(), Stopped>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        if let Err(stopped) = this.shared.stop.register(&mut this.stop, cx.waker()) {
            return Poll::Ready(Err(stopped));
        }
        Pin::new(&mut this.inner).poll(cx).map(Ok)
    }
}

impl<F> Drop for StopAware<'_, F> {
    fn drop(&mut self) {
        self.shared.stop.unregister(self.stop);
    }
}

/// A pending `await_*`: registered with the view's waiters and its stop signal. Boxed in
/// every idle async view ([`EventFuture`]), so its ids are `NonZeroU64`: `None` costs nothing.
pub(crate) struct AwaitEvent {
    shared: Arc<ViewShared>,
    want: Option<InputEventType>,
    nodes: WaitNodes,
    waiter: Option<NonZeroU64>,
    stop: Option<NonZeroU64>,
}

/// The nodes a wait takes events from: any (none were given), one, or several. One is the
/// common case (`await_click(&[&button])`) and is kept inline: a `Vec` of one allocates.
pub(crate) enum WaitNodes {
    Any,
    One(Node),
    Several(Box<[Node]>),
}

impl WaitNodes {
    fn of(nodes: &[&Node]) -> WaitNodes {
        match nodes {
            [] => WaitNodes::Any,
            [one] => WaitNodes::One((*one).clone()),
            several => WaitNodes::Several(several.iter().map(|n| (*n).clone()).collect()),
        }
    }

    /// Whether `event` came from one of them (any event, for [`WaitNodes::Any`]).
    fn take(&self, event: &InputEvent) -> bool {
        match self {
            WaitNodes::Any => true,
            WaitNodes::One(node) => event.is_from(node),
            WaitNodes::Several(nodes) => nodes.iter().any(|n| event.is_from(n)),
        }
    }
}

/// A registered wait: which events it takes and where the event goes.
///
/// Every idle view holds one, so it is kept small: the event it receives is boxed (an
/// `InputEvent` is 128 bytes, and a `Vec` of waiters starts with room for four).
pub(crate) struct Waiter {
    pub(crate) id: NonZeroU64,
    pub(crate) want: Option<InputEventType>,
    pub(crate) nodes: WaitNodes,
    pub(crate) event: Option<Box<InputEvent>>,
    pub(crate) waker: Waker,
}

impl Waiter {
    /// Whether this wait takes `event`: the right type, and from one of its nodes if it has any.
    pub(crate) fn wants(&self, event: &InputEvent) -> bool {
        self.event.is_none()
            && self
                .want
                .is_none_or(|want| u64::from(want.code()) == u64::from(event.kind.code()))
            && self.nodes.take(event)
    }
}

impl Future for AwaitEvent {
    type Output = Result<InputEvent, Stopped>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        if !this.shared.interactive {
            return Poll::Ready(Err(Stopped(crate::StopReason::NotInteractive)));
        }
        {
            // The event is delivered under this lock, so checking and registering under it
            // cannot miss a delivery.
            let mut waiters = this.shared.waiters.lock();
            if let Some(id) = this.waiter {
                if let Some(index) = waiters.list.iter().position(|w| w.id == id) {
                    if let Some(event) = waiters.list[index].event.take() {
                        waiters.list.remove(index);
                        this.waiter = None;
                        return Poll::Ready(Ok(*event));
                    }
                    waiters.list[index].waker = cx.waker().clone();
                }
            } else if this.shared.stop.reason().is_none() {
                let id = crate::stop::next_id(&mut waiters.next);
                // Most views wait for one thing at a time: room for one, not `Vec`'s four.
                if waiters.list.capacity() == 0 {
                    waiters.list.reserve_exact(1);
                }
                waiters.list.push(Waiter {
                    id,
                    want: this.want,
                    nodes: std::mem::replace(&mut this.nodes, WaitNodes::Any),
                    event: None,
                    waker: cx.waker().clone(),
                });
                this.waiter = Some(id);
            }
        }
        if let Err(stopped) = this.shared.stop.register(&mut this.stop, cx.waker()) {
            return Poll::Ready(Err(stopped));
        }
        Poll::Pending
    }
}

impl Drop for AwaitEvent {
    fn drop(&mut self) {
        self.shared.pending.input.fetch_sub(1, Ordering::Relaxed);
        if let Some(id) = self.waiter {
            self.shared.waiters.lock().list.retain(|w| w.id != id);
        }
        self.shared.stop.unregister(self.stop);
    }
}
