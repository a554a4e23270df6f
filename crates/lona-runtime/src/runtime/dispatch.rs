//! Input events, from the frame to the hooks: the runtime checks and queues each event
//! ([`Runtime::input_event`]), and the view handles its mailbox in Lona's order (root hook,
//! node handlers up the tree, pending waits, `handle_input_event`), after applying what the
//! browser changed itself. Client errors come in here too.

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use lona_html::forms::{self, ClientValue, Submitted};
use lona_html::{Node, WIDGET_DATA_EVENT};
use lona_protocol::client::{ChangeValue, EventKind, InputEvent as WireEvent, SubmitField};
use lona_protocol::{Html, RuntimeId, ServerMessage, WindowId};

use super::{Runtime, ViewShared};
use crate::ack_stream::AckStream;
use crate::client_errors::{Admission, report_suppressed};
use crate::connection::{Connection, ConnectionId, Outgoing};
use crate::context::{EventContext, ViewHandle};
use crate::limits::Limit;
use crate::pool::panic_message;
use crate::stop::StopReason;
use crate::untrusted::Untrusted;
use crate::view::{Flow, InputEvent};

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
    /// The window is in the acknowledged stream and received an event with this id or a
    /// higher one before: a resend after a resume that had arrived. Acknowledged again, and
    /// no handler runs.
    Duplicate,
}

impl Runtime {
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
        let event_id = event.event_id;
        let outcome = self.accept_event(connection, window, runtime, event, received);
        match outcome {
            EventOutcome::Accepted => {}
            EventOutcome::Duplicate => {
                self.count_duplicate_event();
                tracing::debug!(
                    view = runtime.0,
                    event_id,
                    "a duplicate input event dropped"
                );
            }
            _ => {
                self.inner.events_rejected.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(?outcome, view = runtime.0, "input event refused");
            }
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
        let Some(stream) = view.attached_stream(connection.id(), window) else {
            return EventOutcome::NotAttached;
        };
        // ACK first, whatever happens next, so the browser does not wait on a refused event.
        connection.send(Outgoing::Frame(
            ServerMessage::InputEventAck {
                window,
                runtime,
                event_id: event.event_id,
            }
            .encode(),
        ));
        if stream.is_some_and(|stream| !stream.receive_event(event.event_id)) {
            return EventOutcome::Duplicate;
        }
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
        let Some(view) = view.filter(|v| v.is_attached(connection.id(), window)) else {
            return;
        };
        if !view.broadcast {
            view.show_error(500);
            return;
        }
        // One watcher's broken client must not take a broadcast view from every other
        // watcher: its window alone leaves the view and shows the error page.
        self.detach_window(connection, window);
        let page = self.inner.config.error_page.build(500);
        connection.send(Outgoing::Frame(
            ServerMessage::Data {
                window,
                runtime: view.id,
                title: "",
                html: Some(Html::Tree(&page)),
            }
            .encode(),
        ));
    }
}

impl ViewShared {
    /// Handles the queued events of this view, in order, one job at a time.
    fn drain(self: &Arc<Self>) {
        // A bounded batch, then the job goes to the back of the queue: a busy view cannot
        // starve the others.
        for _ in 0..64 {
            let Some((received, event)) = self.next_event() else {
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

    /// The next queued event. The mailbox's buffer goes once it is empty: a view that handled
    /// a click would keep room for four events (576 bytes) for as long as it sits idle.
    fn next_event(&self) -> Option<(Instant, InputEvent)> {
        let mut mailbox = self.mailbox.lock();
        let next = mailbox.pop_front();
        if next.is_none() && mailbox.capacity() > 0 {
            *mailbox = VecDeque::new();
        }
        next
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
        let elapsed = received.elapsed();
        self.counters.event_flushed(elapsed);
        if let Some(runtime) = self.runtime.upgrade() {
            if is_click {
                runtime.click_roundtrip.observe(elapsed);
            }
            runtime.event_flush.observe(elapsed);
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
            for handler in self.handlers_for(node.id(), &event.kind) {
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
        waiter.event = Some(Box::new(event.clone()));
        waiter.waker.wake_by_ref();
        true
    }

    fn redirect_one(&self, event: &InputEvent, url: &str, http: bool) {
        for attachment in self.attached.lock().iter() {
            if attachment.connection.id() == event.connection && attachment.window == event.window {
                let frame = self.redirect_frame(attachment.window, url, http);
                attachment.send(Outgoing::Frame(frame), &self.counters);
            }
        }
    }

    /// `None` if the window of `connection` is not attached to the view; else its
    /// acknowledged stream, if it has one.
    fn attached_stream(
        &self,
        connection: ConnectionId,
        window: WindowId,
    ) -> Option<Option<Arc<AckStream>>> {
        self.attached
            .lock()
            .iter()
            .find(|a| a.connection.id() == connection && a.window == window)
            .map(|a| a.stream.clone())
    }

    fn is_attached(&self, connection: ConnectionId, window: WindowId) -> bool {
        self.attached
            .lock()
            .iter()
            .any(|a| a.connection.id() == connection && a.window == window)
    }
}
