//! `App::serve`: serving on a listener the caller bound, on the caller's tokio runtime, until
//! a graceful-shutdown signal completes or the future is dropped ([`Serve`], shaped like
//! `axum::serve`).

use std::future::{Future, IntoFuture, Pending};
use std::pin::Pin;

use crate::app::App;
use crate::error::ServerError;

impl App {
    /// Serves on `listener` on the caller's tokio runtime (no runtime of lona's own), as
    /// `axum::serve` does: await it, optionally after
    /// [`.with_graceful_shutdown(signal)`](Serve::with_graceful_shutdown).
    ///
    /// When the signal completes, the app shuts down as [`Server::shutdown`](crate::Server::shutdown)
    /// does (background tasks are signalled and joined, views stopped with `on_stop`, sockets
    /// closed with "going away") and the future completes. Without a signal it serves until
    /// the future is dropped; the same shutdown then runs in the background on the runtime.
    /// Views on blocking threads still run on lona's own pools. The command line and the
    /// `LONA_*` variables are not read: set [`App::settings`] in code.
    ///
    /// ```no_run
    /// # async fn run() -> lona_server::Result<()> {
    /// let mut app = lona_server::App::new();
    /// app.http("/", |_request| lona_server::HttpResponse::text("hello"));
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
    /// app.serve(listener)
    ///     .with_graceful_shutdown(async {
    ///         let _ = tokio::signal::ctrl_c().await;
    ///     })
    ///     .await
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`App::spawn`], when it starts; the startup hooks and the channel broker's connection
    /// run on the awaiting task. It panics if awaited outside a tokio runtime.
    pub fn serve(self, listener: tokio::net::TcpListener) -> Serve {
        Serve {
            app: self,
            listener,
            signal: std::future::pending(),
        }
    }
}

/// The future of [`App::serve`] (await it), with its graceful-shutdown signal.
#[must_use = "nothing is served until this is awaited"]
pub struct Serve<S = Pending<()>> {
    app: App,
    listener: tokio::net::TcpListener,
    signal: S,
}

impl<S> std::fmt::Debug for Serve<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Serve")
            .field("listener", &self.listener)
            .finish_non_exhaustive()
    }
}

impl<S> Serve<S> {
    /// Shuts down gracefully once `signal` completes (Ctrl-C, a channel, a test's trigger);
    /// the awaited future completes when the shutdown is done.
    pub fn with_graceful_shutdown<F>(self, signal: F) -> Serve<F>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        Serve {
            app: self.app,
            listener: self.listener,
            signal,
        }
    }
}

impl<S> IntoFuture for Serve<S>
where
    S: Future<Output = ()> + Send + 'static,
{
    type Output = crate::Result<()>;
    type IntoFuture = Pin<Box<dyn Future<Output = crate::Result<()>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        let Serve {
            app,
            listener,
            signal,
        } = self;
        Box::pin(async move {
            let local_addr = listener.local_addr().map_err(ServerError::Bind)?;
            let wired = app.wire_here()?;
            // Dropping `launched` (this future dropped) drops the stop sender, which stops
            // the app as sending does.
            let (_state, launched) = wired.launch_here(Some(listener)).await?;
            tracing::info!(%local_addr, "lona serves");
            signal.await;
            tracing::info!("shutting down");
            launched.stop().await;
            Ok(())
        })
    }
}
