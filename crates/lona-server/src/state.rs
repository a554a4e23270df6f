//! What every request handler shares: the settings, the routes, the templates, the runtime,
//! the open sockets and connections, the background tasks; and the answers every part gives alike (the error pages,
//! the session of a request and its cookie).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use hyper::header::{self, HeaderValue};
use hyper::{Request as HyperRequest, Response, StatusCode};
use lona_runtime::{CloseReason, Connection, ConnectionId, Runtime, SessionId};

use crate::frontend::Templates;
use crate::response::Body;
use crate::routing::Router;
use crate::settings::Settings;
use crate::target::Target;

/// What every request handler shares.
pub(crate) struct State {
    pub(crate) settings: Settings,
    /// `trusted_proxies`, parsed: whose `X-Forwarded-*` headers are believed.
    pub(crate) proxies: crate::client_addr::TrustedProxies,
    pub(crate) router: Router<Target>,
    pub(crate) templates: Templates,
    pub(crate) runtime: Runtime,
    pub(crate) sockets: Sockets,
    pub(crate) statics: Arc<lona_static::StaticFiles>,
    pub(crate) middlewares: crate::middleware::Middlewares,
    /// The channels the server built from `channel_broker_url`, to shut down with it.
    pub(crate) channels: Option<lona_channels::Channels>,
    /// The key that signs session cookies, and the cookie's settings.
    pub(crate) sessions: crate::session::Sessions,
    /// The open TCP connections and their caps.
    pub(crate) connections: Arc<crate::connections::Connections>,
    /// The app's background tasks, started once the server is up.
    pub(crate) tasks: crate::tasks::Tasks,
    /// `net_sim`, parsed and permitted: the bad network the sockets simulate, if any.
    pub(crate) net_sim: Option<crate::net_sim::NetSim>,
}

/// The open WebSockets, so that shutdown can close those no view holds and wait for all.
#[derive(Default)]
pub(crate) struct Sockets {
    open: parking_lot::Mutex<HashMap<ConnectionId, Arc<Connection>>>,
    closed: tokio::sync::Notify,
}

impl State {
    pub(crate) fn register_socket(&self, connection: &Arc<Connection>) {
        self.sockets
            .open
            .lock()
            .insert(connection.id(), Arc::clone(connection));
    }

    pub(crate) fn unregister_socket(&self, connection: &Connection) {
        let mut open = self.sockets.open.lock();
        open.remove(&connection.id());
        if open.is_empty() {
            self.sockets.closed.notify_waiters();
        }
    }

    /// How many browser sockets are open, for the metrics.
    pub(crate) fn open_socket_count(&self) -> usize {
        self.sockets.open.lock().len()
    }

    /// The open browser sockets, for the admin shell.
    pub(crate) fn open_sockets(&self) -> Vec<Arc<Connection>> {
        self.sockets.open.lock().values().cloned().collect()
    }

    pub(crate) fn close_sockets(&self) {
        for connection in self.sockets.open.lock().values() {
            connection.close(CloseReason::ServerStop);
        }
    }

    pub(crate) async fn sockets_closed(&self) {
        loop {
            let notified = self.sockets.closed.notified();
            if self.sockets.open.lock().is_empty() {
                return;
            }
            notified.await;
        }
    }
}

impl State {
    pub(crate) fn error_page(&self, status: StatusCode) -> Response<Body> {
        let reason = status.canonical_reason().unwrap_or("Error");
        let html = self
            .templates
            .error(status.as_u16(), reason)
            .unwrap_or_else(|error| {
                tracing::error!(%error, "the error template failed");
                format!("{} {reason}", status.as_u16())
            });
        let mut response = crate::response::of(status, "text/html; charset=utf-8", html);
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }

    /// The answer to a request whose body stalled (`body_idle_timeout`): 408, and the
    /// connection is closed, since the rest of the body may still come.
    pub(crate) fn request_timeout(&self) -> Response<Body> {
        let mut response = self.error_page(StatusCode::REQUEST_TIMEOUT);
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        response
    }

    /// The session of a request's cookie, if the server issued it (signed, not expired):
    /// a cookie made up by a client, however well-formed, names no session.
    pub(crate) fn session<B>(&self, request: &HyperRequest<B>) -> Option<SessionId> {
        let cookie = request
            .headers()
            .get(header::COOKIE)
            .and_then(|v| v.to_str().ok());
        self.sessions.session_of_cookies(cookie)
    }

    /// The `Set-Cookie` header for `session`, `Secure` when the request came over HTTPS
    /// (by a trusted proxy's word) or `session_cookie_secure` is set.
    pub(crate) fn session_cookie(
        &self,
        session: &SessionId,
        peer: SocketAddr,
        headers: &hyper::HeaderMap,
    ) -> Option<HeaderValue> {
        let https = self.proxies.client(peer, headers).https;
        HeaderValue::from_str(&self.sessions.set_cookie(session, https)).ok()
    }
}
