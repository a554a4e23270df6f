//! Middlewares with Lona's hooks: startup and shutdown, each HTTP request, each connection,
//! custom WebSocket messages, each view request, and the stop and cleanup of views.
//!
//! Middlewares run in the order they were added; at each hook the first one that does not
//! [`Decision::Pass`] decides. Hooks run on the thread that meets the event: startup and
//! shutdown on the caller of `spawn`/`shutdown`, HTTP and socket hooks on a tokio worker (keep
//! them short and non-blocking, or hand work to a pool), view hooks on the view's threads.

use std::sync::Arc;

use lona_runtime::{
    AsyncContext, AsyncView, Context, EventContext, Flow, InputEvent, Request, Response,
    StopReason, View, ViewResult,
};

use crate::error::BoxError;
use crate::response::HttpResponse;

/// What a hook decides.
#[derive(Debug)]
pub enum Decision<T> {
    /// Not this middleware's business: the next one, then the app, decide.
    Pass,
    /// Answer with this, skipping the rest.
    Answer(T),
    /// Refuse: 403 (the forbidden page, or a socket closed with 1008).
    Forbid,
}

/// What a middleware sees of an HTTP request.
#[derive(Debug)]
pub struct HttpRequestInfo<'a> {
    /// The method, e.g. `GET`.
    pub method: &'a str,
    /// The path.
    pub path: &'a str,
    /// The query string, without `?`.
    pub query: &'a str,
    /// The headers, lower-case names.
    pub headers: Vec<(&'a str, &'a str)>,
}

/// What a middleware sees of a new connection: a page load or a WebSocket.
#[derive(Debug)]
pub struct ConnectionInfo<'a> {
    /// The path it was opened on.
    pub path: &'a str,
    /// Whether it is a WebSocket.
    pub websocket: bool,
    /// The session id, if the browser has one.
    pub session: Option<&'a str>,
    /// The headers, lower-case names.
    pub headers: Vec<(&'a str, &'a str)>,
}

/// A middleware. Every hook has a default that passes, so a middleware implements only what
/// it needs.
pub trait Middleware: Send + Sync + 'static {
    /// The name the admin shell's `middlewares` command lists: the type's name unless
    /// overridden (a middleware built from a closure may want a clearer one).
    fn name(&self) -> &str {
        std::any::type_name::<Self>()
    }

    /// Runs before the port opens; an error stops the server from starting, so a
    /// misconfiguration (a database that does not answer) fails fast.
    ///
    /// # Errors
    ///
    /// Whatever keeps the app from serving.
    fn on_startup(&self) -> Result<(), BoxError> {
        Ok(())
    }

    /// Runs at shutdown, after the views were stopped.
    fn on_shutdown(&self) {}

    /// Runs for each HTTP request (not static files, not WebSocket frames); may answer it.
    fn handle_http_request(&self, request: &HttpRequestInfo<'_>) -> Decision<HttpResponse> {
        let _ = request;
        Decision::Pass
    }

    /// Runs when a page is loaded or a WebSocket opens; may refuse it.
    fn handle_connection(&self, connection: &ConnectionInfo<'_>) -> Decision<()> {
        let _ = connection;
        Decision::Pass
    }

    /// Runs for each custom (non-`lona:`) WebSocket message; an answer is sent back to the
    /// socket as a custom message.
    fn handle_websocket_message(&self, session: &str, message: &str) -> Decision<String> {
        let _ = (session, message);
        Decision::Pass
    }

    /// Runs before a view starts, interactive or not, with its request (which it may
    /// change); may refuse it (the 403 page) or answer in its place with what a view could
    /// return (Lona: the hook's value is treated as the view's return value): a tree, HTML,
    /// a redirect.
    fn handle_view_request(&self, request: &mut Request) -> Decision<Response> {
        let _ = request;
        Decision::Pass
    }

    /// Runs when a view's `handle_request` has ended, before the view's own `on_stop`.
    fn on_view_stop(&self, request: &Request, reason: Option<&StopReason>) {
        let _ = (request, reason);
    }

    /// Runs when a view is removed, before the view's own `on_cleanup`.
    fn on_view_cleanup(&self, request: &Request) {
        let _ = request;
    }
}

/// The app's middlewares in order.
#[derive(Clone, Default)]
pub(crate) struct Middlewares(pub(crate) Arc<Vec<Arc<dyn Middleware>>>);

impl Middlewares {
    /// The first decision that is not `Pass`.
    pub(crate) fn decide<T>(
        &self,
        mut hook: impl FnMut(&dyn Middleware) -> Decision<T>,
    ) -> Decision<T> {
        for middleware in self.0.iter() {
            match hook(middleware.as_ref()) {
                Decision::Pass => {}
                decided => return decided,
            }
        }
        Decision::Pass
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A view wrapped so that the middlewares' view hooks run around its own.
pub(crate) struct Hooked<V> {
    pub(crate) view: V,
    pub(crate) request: Request,
    pub(crate) middlewares: Middlewares,
}

/// The four hooks of a [`Hooked`] view of kind `$kind` ([`View`] or [`AsyncView`]): the
/// middlewares' part first, then the view's own, written once for both kinds.
macro_rules! hooked {
    ($kind:ident) => {
        fn handle_input_event_root(&self, cx: &EventContext, event: &InputEvent) -> Flow {
            <V as $kind>::handle_input_event_root(&self.view, cx, event)
        }

        fn handle_input_event(&self, cx: &EventContext, event: &InputEvent) -> Flow {
            <V as $kind>::handle_input_event(&self.view, cx, event)
        }

        fn on_stop(&self, reason: Option<&StopReason>) {
            for middleware in self.middlewares.0.iter() {
                middleware.on_view_stop(&self.request, reason);
            }
            <V as $kind>::on_stop(&self.view, reason);
        }

        fn on_cleanup(&self) {
            for middleware in self.middlewares.0.iter() {
                middleware.on_view_cleanup(&self.request);
            }
            <V as $kind>::on_cleanup(&self.view);
        }
    };
}

impl<V: View> View for Hooked<V> {
    fn handle_request(&self, cx: &Context, request: &Request) -> ViewResult {
        self.view.handle_request(cx, request)
    }

    hooked!(View);
}

impl<V: AsyncView> AsyncView for Hooked<V> {
    async fn handle_request(&self, cx: &AsyncContext, request: &Request) -> ViewResult {
        self.view.handle_request(cx, request).await
    }

    hooked!(AsyncView);
}

#[cfg(test)]
mod tests;
