//! The views a window shows in place of a route's: an error page, or what a middleware
//! answered for the view.

use lona_html::tags::{div, h1};
use lona_runtime::{
    AsyncContext, AsyncView, Request, Response, ViewError, ViewFactory, ViewResult,
};

/// Shows the error page of a status in the window: 403 when a middleware refuses, 404 for an
/// unknown path, 429 when the visitor holds too many views, 503 when every view thread (or
/// the visitor's share of them) is busy.
pub(crate) struct ErrorView(pub(crate) u16);

/// A view that answers what a middleware decided in its place.
pub(crate) struct AnsweredView(pub(crate) Response);

impl AsyncView for AnsweredView {
    async fn handle_request(&self, _cx: &AsyncContext, _request: &Request) -> ViewResult {
        Ok(self.0.clone())
    }
}

impl AsyncView for ErrorView {
    async fn handle_request(&self, _cx: &AsyncContext, _request: &Request) -> ViewResult {
        match self.0 {
            403 => Err(ViewError::Forbidden),
            404 => Err(ViewError::NotFound),
            429 => Ok(Response::Node(div().with_class("lona-error").with_child(
                h1().with_text("429 Too many pages open: close some and try again"),
            ))),
            status => {
                let title = format!("{status} Server busy: please try again in a moment");
                Ok(Response::Node(
                    div()
                        .with_class("lona-error")
                        .with_child(h1().with_text(title)),
                ))
            }
        }
    }
}

/// A view that only shows an error page; async, so it needs no runtime thread (which is what
/// a "server busy" page must not need), and exempt from the per-visitor view limits, so a
/// visitor over them still sees why. Its number is bounded by `max_windows_per_socket`.
pub(crate) fn error_view(status: u16) -> ViewFactory {
    ViewFactory::asynchronous(move |_| ErrorView(status)).exempt_from_limits()
}
