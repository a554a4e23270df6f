//! First paint (docs/protocol.md, "First paint (negotiated)"): the GET of an interactive page
//! starts the page's view as the socket's VIEW would (same session, same `Request`, the same
//! middleware hook), waits up to `first_paint_timeout` for its first tree and puts it, with
//! the adopt token, into the frontend page. The view then waits, detached, for the page's
//! client to adopt it (`lona_runtime::Runtime::adopt_view`).

use std::net::SocketAddr;
use std::sync::Arc;

use hyper::Request as HyperRequest;
use lona_protocol::WindowId;
use lona_runtime::{PaintState, Request, SessionId, ViewFactory};

use crate::frontend::FirstPaint;
use crate::request_body::RequestBody;
use crate::state::State;

/// The window our client's page asks in first (`LonaContext.setup` creates window 1).
pub(crate) const PAINT_WINDOW: WindowId = WindowId(1);

/// Starts the page's view for `session` and waits for its first tree (empty past the bound,
/// or for a view that redirects or shows raw HTML); `None` if there is no first paint for
/// this request (a middleware decided, a daemon takes the window, a limit).
pub(crate) async fn paint(
    state: &State,
    request: &HyperRequest<RequestBody>,
    factory: &ViewFactory,
    route: (Option<Arc<str>>, Vec<(String, String)>),
    session: &SessionId,
    peer: SocketAddr,
) -> Option<FirstPaint> {
    let client = state.proxies.client(peer, request.headers());
    let scheme = if client.https { "https" } else { "http" };
    let host = crate::host::host_of(request).unwrap_or("localhost");
    // The URL our client's VIEW would carry: `location.href`, but the fragment, which never
    // reaches a server.
    let url = format!("{scheme}://{host}{}", request.uri());
    let mut lona_request = Request::new(url, session.clone());
    // The middlewares see the view's request once, here; the adopting VIEW starts nothing.
    if !matches!(
        state
            .middlewares
            .decide(|m| m.handle_view_request(&mut lona_request)),
        crate::Decision::Pass
    ) {
        return None;
    }
    // What the socket's VIEW resolves from the path (a middleware may have changed it).
    match state.router.resolve(&lona_request.path) {
        Some(resolved) if matches!(resolved.target, crate::target::Target::View(..)) => {
            lona_request.match_info = resolved.args;
            lona_request.route = resolved.name.map(Arc::from);
        }
        _ => {
            lona_request.match_info = route.1;
            lona_request.route = route.0;
        }
    }
    let notify = Arc::new(tokio::sync::Notify::new());
    let wake = {
        let notify = Arc::clone(&notify);
        // `notify_one` keeps a permit when nobody waits yet: no frame's wake-up is lost.
        Arc::new(move || notify.notify_one()) as Arc<dyn Fn() + Send + Sync>
    };
    let started =
        state
            .runtime
            .start_paint(factory, lona_request, Some(client.ip), PAINT_WINDOW, wake);
    let start = match started {
        Ok(Some(start)) => start,
        Ok(None) => return None,
        Err(error) => {
            tracing::debug!(%error, "no first paint: the view did not start");
            return None;
        }
    };
    let deadline = tokio::time::Instant::now() + state.settings.first_paint_timeout;
    let html = loop {
        match state.runtime.paint_state(start.runtime) {
            PaintState::Pending => {
                if tokio::time::timeout_at(deadline, notify.notified())
                    .await
                    .is_err()
                {
                    // Too slow: the page goes out empty, and the view waits to be adopted.
                    break String::new();
                }
            }
            PaintState::Tree(html) => break html,
            // A redirect, or raw HTML: its window gets it from the view when it adopts it.
            PaintState::Unpainted => break String::new(),
            // Stopped already (a crash shows its error page as a tree first): nothing to adopt.
            PaintState::Gone => return None,
            _ => break String::new(),
        }
    };
    Some(FirstPaint {
        html,
        token: Some(start.token),
    })
}
