//! What a route leads to: an interactive view, a non-interactive view or an HTTP handler.

use std::sync::Arc;

use lona_runtime::ViewFactory;

use crate::handler::{AsyncHttpHandler, HttpHandler};

/// What a route leads to.
#[derive(Clone)]
pub(crate) enum Target {
    /// An interactive view: a plain GET gets the frontend page (the route's own template if
    /// it names one), the socket runs the view.
    View(ViewFactory, Option<Arc<str>>),
    /// A non-interactive view (`interactive(false)`): run once per HTTP request.
    Page(ViewFactory),
    /// A non-interactive handler, run for each HTTP request on the worker pool.
    Http(Arc<HttpHandler>),
    /// An async non-interactive handler, run for each HTTP request on tokio.
    AsyncHttp(Arc<AsyncHttpHandler>),
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Target::View(..) => "View",
            Target::Page(_) => "Page",
            Target::Http(_) => "Http",
            Target::AsyncHttp(_) => "AsyncHttp",
        })
    }
}
