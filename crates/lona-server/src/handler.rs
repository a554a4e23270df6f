//! Non-interactive routes: the [`HttpRequest`] a handler gets (the raw HTTP request with
//! Lona's request data) and the handler types, sync ones for the worker pool and async ones
//! for tokio (Lona's HTTP pass-through views).

use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;
use std::sync::Arc;

use hyper::HeaderMap;
use hyper::body::Bytes;
use lona_runtime::{AppState, Request, ServerState, SessionId};

#[cfg(feature = "templates")]
use crate::frontend::Templates;
use crate::response::HttpResponse;

/// An HTTP request to a non-interactive route: the method, headers and body as they came,
/// and the [`Request`] a view would get (path, query, route arguments, form fields, session),
/// which it dereferences to.
pub struct HttpRequest {
    pub(crate) request: Request,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    #[cfg(feature = "templates")]
    pub(crate) templates: Templates,
    pub(crate) state: AppState,
    /// Where [`HttpRequest::rotate_session`] leaves the new id for the response's cookie.
    pub(crate) rotation: Rotation,
}

/// The new session id a handler asked for, shared with the server that answers the request
/// (an async handler takes the request by value, so the server keeps its own handle).
#[derive(Debug, Clone, Default)]
pub(crate) struct Rotation(Arc<parking_lot::Mutex<Option<SessionId>>>);

impl Rotation {
    pub(crate) fn take(&self) -> Option<SessionId> {
        self.0.lock().take()
    }
}

impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpRequest")
            .field("request", &self.request)
            .field("headers", &self.headers)
            .field("body", &self.body.len())
            .finish_non_exhaustive()
    }
}

impl Deref for HttpRequest {
    type Target = Request;

    fn deref(&self) -> &Request {
        &self.request
    }
}

impl HttpRequest {
    /// The Lona request: path, query, route arguments, form fields, session.
    pub fn request(&self) -> &Request {
        &self.request
    }

    /// The first value of a header (case-insensitive name), if it is visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// All headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body, read whole (up to `Settings::max_body_size`).
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body as UTF-8 text.
    ///
    /// # Errors
    ///
    /// If the body is not UTF-8.
    pub fn text(&self) -> Result<&str, std::str::Utf8Error> {
        std::str::from_utf8(&self.body)
    }

    /// The app's templates, to render a page.
    #[cfg(feature = "templates")]
    pub fn templates(&self) -> &Templates {
        &self.templates
    }

    /// A value registered with [`crate::App::state`].
    pub fn state<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        self.state.get::<T>()
    }

    /// Issues a new session id for this browser and returns it; the response sets the new
    /// session cookie. Call it where a user's privilege changes, at login (and logout), and
    /// keep what the login grants under the new id:
    ///
    /// ```
    /// # use std::collections::HashMap;
    /// # use std::sync::{Arc, Mutex};
    /// # use lona_server::{App, HttpRequest, HttpResponse};
    /// # fn check_password(_: &HttpRequest) -> Option<String> { None }
    /// # let logins = Arc::new(Mutex::new(HashMap::new()));
    /// # let mut app = App::new();
    /// app.http("/login", move |request| {
    ///     let Some(user) = check_password(request) else {
    ///         return HttpResponse::text("wrong password").status(403);
    ///     };
    ///     let session = request.rotate_session();
    ///     // Keyed by the new id, never by `request.session`.
    ///     logins.lock().unwrap().insert(session, user);
    ///     HttpResponse::redirect("/")
    /// });
    /// ```
    ///
    /// Without it, whoever knew the session id before the login (one planted in the browser
    /// with a cookie the server issued to the attacker, say) would share the login. The old
    /// id keeps its views, daemons and upload buckets, which the browser no longer reaches
    /// after the new cookie; `request.session` still names the old id. Calling it again
    /// replaces the id issued before.
    pub fn rotate_session(&self) -> SessionId {
        let session = crate::session::new_session_id();
        *self.rotation.0.lock() = Some(session.clone());
        session
    }

    /// The server's shared map (Lona's `server.state`).
    pub fn server_state(&self) -> Arc<ServerState> {
        self.state.get::<ServerState>().unwrap_or_default()
    }
}

/// A non-interactive route's handler, run on the worker pool.
pub type HttpHandler = dyn Fn(&HttpRequest) -> HttpResponse + Send + Sync;

/// The future of an async handler.
pub type HttpFuture = Pin<Box<dyn Future<Output = HttpResponse> + Send>>;

/// An async non-interactive route's handler, run on the server's tokio runtime (Lona's
/// coroutine pass-through views): it must not block.
pub type AsyncHttpHandler = dyn Fn(HttpRequest) -> HttpFuture + Send + Sync;
