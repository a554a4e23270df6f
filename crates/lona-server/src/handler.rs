//! Non-interactive routes: the [`HttpRequest`] a handler gets (the raw HTTP request with
//! Lona's request data) and the handler types, sync ones for the worker pool and async ones
//! for tokio (Lona's HTTP pass-through views).

use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;
use std::sync::Arc;

use hyper::HeaderMap;
use hyper::body::Bytes;
use lona_runtime::{AppState, Request, ServerState};

use crate::frontend::Templates;
use crate::http::HttpResponse;

/// An HTTP request to a non-interactive route: the method, headers and body as they came,
/// and the [`Request`] a view would get (path, query, route arguments, form fields, session),
/// which it dereferences to.
pub struct HttpRequest {
    pub(crate) request: Request,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) templates: Templates,
    pub(crate) state: AppState,
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
    pub fn templates(&self) -> &Templates {
        &self.templates
    }

    /// A value registered with [`crate::App::state`].
    pub fn state<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        self.state.get::<T>()
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
