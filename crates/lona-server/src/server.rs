//! `Server`: a running app, and what can be asked of it while it runs (its address, counters,
//! views and sockets) until it shuts down, blocking the caller or not (`ShuttingDown`).

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use lona_runtime::RuntimeMetrics;
use tokio::sync::{oneshot, watch};

use crate::routing::ReverseError;
use crate::state::State;

/// A launched app: `stop` ends it, `done` finishes once the shutdown sequence has run.
pub(crate) struct Launched {
    pub(crate) stop: watch::Sender<bool>,
    pub(crate) done: tokio::task::JoinHandle<()>,
}

impl Launched {
    /// Stops the app and waits for its shutdown sequence (within the timeouts it applies).
    pub(crate) async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.done.await;
    }
}

/// A running app.
pub struct Server {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    done: Option<tokio::task::JoinHandle<()>>,
    state: Arc<State>,
    tokio: Option<tokio::runtime::Runtime>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// The running app: the accept loop's task `done` ends once `stop` is sent.
    pub(crate) fn new(
        addr: SocketAddr,
        launched: Launched,
        state: Arc<State>,
        tokio: tokio::runtime::Runtime,
    ) -> Server {
        Server {
            addr,
            stop: launched.stop,
            done: Some(launched.done),
            state,
            tokio: Some(tokio),
        }
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<address>/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The view runtime's counters.
    pub fn metrics(&self) -> RuntimeMetrics {
        self.state.runtime.metrics()
    }

    /// Every view the server holds, oldest first (see
    /// [`lona_runtime::ViewHandle::running_views`], which views use).
    pub fn views(&self) -> Vec<lona_runtime::ViewInfo> {
        self.state.runtime.views()
    }

    /// Every view's accounting, oldest first: events, latencies, bytes sent, estimated
    /// memory (docs/operations.md, "Per-view accounting").
    pub fn view_stats(&self) -> Vec<lona_runtime::ViewStats> {
        self.state.runtime.view_stats()
    }

    /// The open browser sockets, and how many distinct sessions they belong to (Lona's
    /// `get_connection_count` and `get_connected_user_count`, by session).
    pub fn connection_counts(&self) -> (usize, usize) {
        let open = self.state.open_sockets();
        let sessions: std::collections::HashSet<_> =
            open.iter().map(|c| c.session().clone()).collect();
        (open.len(), sessions.len())
    }

    /// Closes every browser socket (with 1001, going away) without stopping the server: views
    /// that are daemons keep running and their browsers re-attach when they reconnect; other
    /// views stop. For operators draining a process, and for tests of reconnection.
    pub fn disconnect_clients(&self) {
        self.state.close_sockets();
    }

    /// The path of the route named `name`.
    ///
    /// # Errors
    ///
    /// If there is no such route or an argument is missing.
    pub fn reverse(&self, name: &str, args: &[(&str, &str)]) -> Result<String, ReverseError> {
        self.state.router.reverse(name, args)
    }

    /// Blocks until the process gets SIGINT or SIGTERM.
    pub fn wait_for_signal(&self) {
        let Some(tokio) = &self.tokio else {
            return;
        };
        tokio.block_on(async {
            #[cfg(unix)]
            {
                use tokio::signal::unix::{SignalKind, signal};
                match signal(SignalKind::terminate()) {
                    Ok(mut terminate) => {
                        tokio::select! {
                            _ = tokio::signal::ctrl_c() => {}
                            _ = terminate.recv() => {}
                        }
                    }
                    Err(_) => {
                        let _ = tokio::signal::ctrl_c().await;
                    }
                }
            }
            #[cfg(not(unix))]
            {
                let _ = tokio::signal::ctrl_c().await;
            }
        });
        tracing::info!("shutting down");
    }

    /// Background tasks (`App::task`, `App::async_task`) that have panicked so far; each was
    /// logged, and the server went on.
    pub fn task_panics(&self) -> u64 {
        self.state.tasks.panics()
    }

    /// Shuts down and blocks until it is done: stops accepting, signals the background tasks
    /// and waits for them (up to `task_shutdown_timeout`), stops every view (`on_stop` runs),
    /// closes sockets with "going away" and waits up to `shutdown_timeout` for connections to
    /// end. From async code, await [`Server::begin_shutdown`] instead.
    pub fn shutdown(mut self) {
        self.begin().wait();
    }

    /// Starts shutting down, as [`Server::shutdown`], and returns at once. The shutdown runs
    /// on a thread of its own; the [`ShuttingDown`] returned completes when it is done, which
    /// async code awaits without blocking its executor (any executor: the server's runtime is
    /// not the caller's).
    ///
    /// ```no_run
    /// # async fn stop(server: lona_server::Server) {
    /// server.begin_shutdown().await;
    /// # }
    /// ```
    pub fn begin_shutdown(mut self) -> ShuttingDown {
        self.begin()
    }

    /// Sends the stop and hands the runtime to a shutdown thread, once; later calls (the drop
    /// after `begin_shutdown`) find nothing left to stop.
    fn begin(&mut self) -> ShuttingDown {
        let _ = self.stop.send(true);
        let (finished, done_signal) = oneshot::channel();
        let (Some(tokio), Some(done)) = (self.tokio.take(), self.done.take()) else {
            return ShuttingDown {
                done: done_signal,
                thread: None,
            };
        };
        let settings = &self.state.settings;
        let timeout =
            settings.task_shutdown_timeout + settings.shutdown_timeout + Duration::from_secs(1);
        // Waiting for, and dropping, a tokio runtime is not allowed on a thread that drives
        // one (a test's, the app's own, or the caller's of `begin_shutdown`), so it happens on
        // a thread of its own.
        let waiter = std::thread::Builder::new()
            .name("lona-shutdown".to_owned())
            .spawn(move || {
                let _ = tokio.block_on(async { tokio::time::timeout(timeout, done).await });
                tokio.shutdown_timeout(Duration::from_secs(1));
                let _ = finished.send(());
            });
        let thread = waiter
            .map_err(|error| tracing::error!(%error, "cannot start the shutdown thread"))
            .ok();
        ShuttingDown {
            done: done_signal,
            thread,
        }
    }
}

/// A shutdown under way ([`Server::begin_shutdown`]): a future that completes when the
/// server has shut down, or [`ShuttingDown::wait`] to block until then. Dropping it does not
/// stop the shutdown, which goes on in the background.
#[must_use = "the server shuts down in the background; await it, or `.wait()`, to know when it is done"]
#[derive(Debug)]
pub struct ShuttingDown {
    /// Resolves (or fails, if the shutdown thread is gone) when shutdown is done.
    done: oneshot::Receiver<()>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ShuttingDown {
    /// Blocks until the server has shut down: for sync code, where `.await` is not at hand.
    pub fn wait(mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Future for ShuttingDown {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // Sent, or dropped with the thread: either way it is over.
        Pin::new(&mut self.done).poll(cx).map(|_| ())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.begin().wait();
    }
}
