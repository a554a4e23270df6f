//! Forms submitted in the view (LiveView's `phx-submit`): `on_submit` and `await_submit`.
//!
//! A form with a submit handler, or awaited, listens to `Event::Submit`; the browser client
//! then sends its fields as a SUBMIT input event instead of navigating. The runtime applies
//! the fields to the form's controls before anything sees the event (see
//! `ViewShared::apply_client_change`), so the handles' `value()` agrees with the `Submitted`.
//! Lona's own client does not know the event and submits such a form as a navigation.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use lona_html::forms::Submitted;
use lona_html::{Event, Node};
use lona_protocol::InputEventType;

use crate::block_on::block_on;
use crate::context::{AsyncContext, Context, EventContext, ViewHandle};
use crate::stop::Stopped;
use crate::view::{Flow, InputEvent, IntoFlow};

/// The future of [`AsyncContext::await_submit`].
pub type SubmitFuture = Pin<Box<dyn Future<Output = Result<Arc<Submitted>, Stopped>> + Send>>;

impl ViewHandle {
    /// Runs `handler` on a worker-pool thread whenever `form` is submitted, with the value of
    /// each of its controls, and makes the browser submit `form` in the view rather than
    /// navigate (a text input's Enter and a submit button alike). The values are already
    /// applied to the form's controls when `handler` runs.
    ///
    /// Only this crate's browser client knows the event: Lona's own client submits such a
    /// form as a navigation (a VIEW with the form's data), as it submits every form.
    ///
    /// Like every handler, it may return `()` (handled) or a [`Flow`] ([`IntoFlow`]).
    pub fn on_submit<R: IntoFlow>(
        &self,
        form: &Node,
        handler: impl Fn(&EventContext, &Submitted) -> R + Send + Sync + 'static,
    ) {
        self.on(form, Event::Submit, move |cx, event| {
            match event.submitted() {
                Some(submitted) => handler(cx, submitted).into_flow(),
                None => Flow::Continue,
            }
        });
    }
}

impl Context {
    /// Waits for `form` to be submitted and returns its fields. From the first call on, the
    /// browser submits `form` in the view instead of navigating; a submit that comes while
    /// nobody waits goes to `handle_input_event`.
    ///
    /// # Errors
    ///
    /// [`Stopped`] if the view is stopped first.
    pub fn await_submit(&self, form: &Node) -> Result<Arc<Submitted>, Stopped> {
        block_on(self.submit_future(form))
    }
}

impl AsyncContext {
    /// [`Context::await_submit`] for async views.
    ///
    /// # Errors
    ///
    /// [`Stopped`] if the view is stopped first.
    pub fn await_submit(&self, form: &Node) -> SubmitFuture {
        Box::pin(self.submit_future(form))
    }
}

impl ViewHandle {
    fn submit_future(
        &self,
        form: &Node,
    ) -> impl Future<Output = Result<Arc<Submitted>, Stopped>> + Send + 'static {
        // Adding it again records nothing.
        form.events().add(Event::Submit);
        // The mark goes to the browser now, not at the view's next flush.
        let flushed = self.flush();
        let wait = self.wait(Some(InputEventType::Submit), &[form]);
        async move {
            flushed?;
            let event: InputEvent = wait.await?;
            Ok(event.submitted_arc().unwrap_or_default())
        }
    }
}
