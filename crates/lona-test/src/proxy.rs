//! `FaultProxy`: a TCP proxy between a test's client and its server that injects network
//! faults (cuts, outages, latency, jitter, bandwidth, stalled reads) on command, while
//! connections are open.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;

mod connection;
mod faults;
mod pipe;
mod shared;

pub use faults::{Direction, Faults, Link, ProxyStats};
use shared::Shared;

/// A TCP proxy on `127.0.0.1:0` that forwards every connection to one upstream address,
/// byte for byte both ways, and breaks the network between them when told to.
///
/// It runs on a tokio runtime of its own, on a thread named `lona-fault-proxy`; its methods
/// are blocking and return once the fault applies (a cut has closed every connection when
/// [`FaultProxy::cut_now`] returns), so a test needs no sleep to know it took. They wait
/// only for the proxy's own thread, and briefly, so async tests (the browser suite's) may
/// call them too. Dropping the proxy resets every connection and stops it.
///
/// What each fault stands for:
///
/// - [`FaultProxy::cut_now`] and [`FaultProxy::cut_every`]: a connection dropped by the
///   network or a middlebox, noisily. Both peers get a TCP reset, not an orderly close (FIN):
///   a cut is not a peer that finished, and a FIN would tell a WebSocket peer "the other side
///   closed" where a reset tells "the connection broke" (a browser reports 1006 either way).
/// - [`FaultProxy::blackhole`] until [`FaultProxy::restore`]: a network that goes silent, as
///   most real drops are: nothing moves and nothing closes, so only timeouts and pings can
///   tell. Bytes sent meanwhile arrive after the restore, as TCP's retransmissions would.
/// - [`FaultProxy::refuse_new`]: an outage a client retries through: new connections are
///   accepted and reset at once (so a retry fails fast, as "connection refused"), open ones
///   go on.
/// - [`FaultProxy::latency`], [`FaultProxy::jitter`], [`FaultProxy::throttle`]: a slow or
///   far link, per direction. Bytes keep their order.
/// - [`FaultProxy::pause`]: a peer that stops reading; the sender's buffers fill and its
///   writes block, as a stalled client looks to a server.
///
/// # Example
///
/// A page opened through the proxy, then a cut: the tab sees its socket close.
///
/// ```
/// use lona::prelude::*;
/// use lona_test::{DEFAULT_TIMEOUT, FaultProxy, TestClient, TestServer};
///
/// struct Hello;
///
/// impl View for Hello {
///     fn handle_request(&self, _cx: &Context, _request: &Request) -> ViewResult {
///         Ok(tags::p().with_text("hello").into())
///     }
/// }
///
/// let mut app = App::new();
/// app.view("/", |_request| Hello);
/// let server = TestServer::start(app);
/// let proxy = FaultProxy::start(server.addr())?;
///
/// let mut client = TestClient::connect(proxy.addr(), "/", None, DEFAULT_TIMEOUT)?;
/// client.wait_for_text("hello")?;
/// proxy.cut_now();
/// assert!(client.wait_for(|_| false).is_err(), "the socket is closed");
/// assert_eq!(proxy.stats().open, 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    runtime: tokio::runtime::Handle,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl FaultProxy {
    /// Starts a proxy on `127.0.0.1:0` in front of `upstream`. Each accepted connection dials
    /// `upstream` anew; one it cannot reach is reset.
    ///
    /// # Errors
    ///
    /// If the runtime, the listening socket or the thread cannot be made.
    pub fn start(upstream: SocketAddr) -> io::Result<FaultProxy> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let listener = {
            let _entered = runtime.enter();
            TcpListener::from_std(listener)?
        };
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(upstream));
        let handle = runtime.handle().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("lona-fault-proxy".to_owned())
            .spawn({
                let shared = Arc::clone(&shared);
                move || {
                    runtime.block_on(async {
                        tokio::select! {
                            _ = stopped => {}
                            () = connection::accept(listener, Arc::clone(&shared)) => {}
                            () = connection::cut_timer(Arc::clone(&shared)) => {}
                        }
                        shared.cut_all().await;
                    });
                }
            })?;
        Ok(FaultProxy {
            addr,
            shared,
            runtime: handle,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The address clients connect to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The address every connection is forwarded to.
    pub fn upstream(&self) -> SocketAddr {
        self.shared.upstream
    }

    /// `http://127.0.0.1:<port><path>` on the proxy; a path without a leading `/` gets one.
    pub fn url(&self, path: &str) -> String {
        let slash = if path.starts_with('/') { "" } else { "/" };
        format!("http://{}{slash}{path}", self.addr)
    }

    /// The faults set now.
    pub fn faults(&self) -> Faults {
        self.shared.faults.borrow().clone()
    }

    /// Replaces every fault at once; `Faults::default()` is a perfect link again.
    pub fn set_faults(&self, faults: Faults) {
        self.shared.faults.send_replace(faults);
    }

    /// Resets every open connection, both sides, and returns once they are closed. New
    /// connections are accepted as before.
    pub fn cut_now(&self) {
        let tasks = self.shared.begin_cut();
        let (done, closed) = crossbeam_channel::bounded::<()>(1);
        self.runtime.spawn(async move {
            for task in tasks {
                let _ = task.await;
            }
            let _ = done.send(());
        });
        // An error means the runtime is gone, and its connections with it.
        let _ = closed.recv();
    }

    /// Cuts every open connection each `period`, from now on; `None` stops the cuts.
    pub fn cut_every(&self, period: Option<Duration>) {
        self.shared.faults.send_modify(|f| f.cut_every = period);
    }

    /// Forwards nothing either way, and closes nothing, until [`FaultProxy::restore`].
    pub fn blackhole(&self) {
        self.shared.faults.send_modify(|f| f.blackhole = true);
    }

    /// Ends a [`FaultProxy::blackhole`]: what was held moves on, in order.
    pub fn restore(&self) {
        self.shared.faults.send_modify(|f| f.blackhole = false);
    }

    /// While `refuse` holds, resets each new connection as soon as it is accepted; open
    /// connections go on.
    pub fn refuse_new(&self, refuse: bool) {
        self.shared.faults.send_modify(|f| f.refuse_new = refuse);
    }

    /// Delays every chunk going `direction` by `latency` (plus the jitter).
    pub fn latency(&self, direction: Direction, latency: Duration) {
        self.edit(direction, |link| link.latency = latency);
    }

    /// Adds up to `jitter` to each chunk's latency going `direction`, drawn per chunk; bytes
    /// keep their order.
    pub fn jitter(&self, direction: Direction, jitter: Duration) {
        self.edit(direction, |link| link.jitter = jitter);
    }

    /// Limits `direction` to `bytes_per_second` for all connections together; `None` lifts
    /// the limit.
    pub fn throttle(&self, direction: Direction, bytes_per_second: Option<u64>) {
        self.edit(direction, |link| link.bytes_per_second = bytes_per_second);
    }

    /// Stops reading from the peer that sends `direction` (the client for `Upstream`), so
    /// that its writes block once the buffers between are full.
    pub fn pause(&self, direction: Direction) {
        self.edit(direction, |link| link.paused = true);
    }

    /// Reads again after [`FaultProxy::pause`]; what was held is delivered.
    pub fn resume(&self, direction: Direction) {
        self.edit(direction, |link| link.paused = false);
    }

    /// The counters now.
    pub fn stats(&self) -> ProxyStats {
        self.shared.counters.snapshot()
    }

    fn edit(&self, direction: Direction, change: impl FnMut(&mut Link)) {
        self.shared
            .faults
            .send_modify(|f| f.edit_links(direction, change));
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            // A panic on the proxy's thread has been reported there already.
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests;
