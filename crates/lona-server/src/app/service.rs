//! `App::into_service`: the app as a tower service on the caller's tokio runtime, to mount in
//! an axum `Router` (`fallback_service`, `nest_service`) on the port the axum app serves.
//!
//! Requests go through the same [`crate::http::handle`] as on lona's own listener: the Host
//! and Origin checks, sessions, limits and the WebSocket upgrade (hyper's, which axum's server
//! keeps in the request's extensions) are the same code.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::ConnectInfo;
use hyper::body::Bytes;

use crate::app::App;
use crate::error::BoxError;
use crate::request_body::RequestBody;
use crate::server::Launched;
use crate::state::State;

/// The peer when the embedding server does not say (no `ConnectInfo<SocketAddr>`): every
/// client is then this one address, for the per-address limits as for the views.
const UNKNOWN_PEER: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED), 0);

impl App {
    /// Starts the app on the caller's tokio runtime as a tower [`Service`](tower_service::Service)
    /// (feature `axum`), for an axum app that serves lona's pages, sockets and files beside
    /// its own routes on one port: mount it with `Router::fallback_service` (or
    /// `nest_service`). The startup hooks, the channel broker and the background tasks start
    /// here; [`LonaService::shutdown`] stops them, as `Server::shutdown` does.
    ///
    /// The app sees each request as it would on its own listener: the same Host and Origin
    /// checks, sessions, body limits and timeouts, error pages and WebSocket upgrade. The
    /// client's address is axum's `ConnectInfo<SocketAddr>`: serve the router with
    /// `into_make_service_with_connect_info::<SocketAddr>()`. Without it every client is
    /// `0.0.0.0`, so the per-address limits (`max_views_per_ip`...) are shared by all of them,
    /// and `trusted_proxies` cannot match the proxy in front. Connection-level limits
    /// (`max_connections`, `header_read_timeout`, `keep_alive_timeout`) belong to the server
    /// that accepts the connections, axum's.
    ///
    /// ```no_run
    /// use axum::{Router, routing::get};
    ///
    /// # async fn run(app: lona_server::App) -> lona_server::Result<()> {
    /// let lona = app.into_service().await?;
    /// let router = Router::new()
    ///     .route("/api/hello", get(|| async { "hello" }))
    ///     .fallback_service(lona.clone());
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
    /// axum::serve(
    ///     listener,
    ///     router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    /// )
    /// .with_graceful_shutdown(async {
    ///     let _ = tokio::signal::ctrl_c().await;
    /// })
    /// .await?;
    /// lona.shutdown().await;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`App::spawn`], but for binding. It must be awaited inside a tokio runtime.
    pub async fn into_service(self) -> crate::Result<LonaService> {
        let wired = self.wire_here()?;
        let (state, launched) = wired.launch_here(None).await?;
        Ok(LonaService {
            inner: Arc::new(Inner {
                state,
                launched: tokio::sync::Mutex::new(Some(launched)),
            }),
        })
    }
}

/// A lona app as a tower service ([`App::into_service`]): cheap to clone (axum clones it per
/// request). When the last clone is dropped without [`LonaService::shutdown`], the app shuts
/// down in the background.
#[derive(Clone)]
pub struct LonaService {
    inner: Arc<Inner>,
}

struct Inner {
    state: Arc<State>,
    /// Taken by the first shutdown; dropped with the last clone, which stops the app too.
    launched: tokio::sync::Mutex<Option<Launched>>,
}

impl std::fmt::Debug for LonaService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LonaService").finish_non_exhaustive()
    }
}

impl LonaService {
    /// Shuts the app down and completes when it is done: background tasks are signalled and
    /// joined (within `task_shutdown_timeout`), views stopped (`on_stop` runs), sockets closed
    /// with "going away", middlewares' `on_shutdown` run. Call it after the axum server
    /// returns; requests that still come are refused as during any shutdown. Later calls wait
    /// for the first.
    pub async fn shutdown(&self) {
        let mut launched = self.inner.launched.lock().await;
        if let Some(launched) = launched.take() {
            launched.stop().await;
        }
    }

    /// The view runtime's counters, as [`crate::Server::metrics`].
    pub fn metrics(&self) -> lona_runtime::RuntimeMetrics {
        self.inner.state.runtime.metrics()
    }
}

impl<B> tower_service::Service<hyper::Request<B>> for LonaService
where
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = axum::response::Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: hyper::Request<B>) -> Self::Future {
        let peer = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(UNKNOWN_PEER, |info| info.0);
        let request = request.map(RequestBody::other);
        let state = Arc::clone(&self.inner.state);
        Box::pin(async move {
            let response = crate::http::handle(state, request, peer).await;
            Ok(response.map(axum::body::Body::new))
        })
    }
}
