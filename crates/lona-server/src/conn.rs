//! The TCP connection layer: the accept loop (with back-off when accepting fails, and the caps
//! of [`crate::connections`]), and serving one connection with hyper under the head and
//! keep-alive timeouts.
//!
//! A connection's slot is held by its socket ([`ConnIo`]), so that a connection that became a
//! WebSocket still counts until the socket closes.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper::body::{Frame, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use lona_runtime::Limit;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::watch;

use crate::connections::Slot;
use crate::response::Body;
use crate::state::State;

/// Back-off after a failed accept: doubles from the first to the last, reset by a success.
const ACCEPT_BACKOFF: (Duration, Duration) = (Duration::from_millis(5), Duration::from_secs(1));
/// A failing accept is logged at most once per this interval, with how many were not.
const ACCEPT_LOG_INTERVAL: Duration = Duration::from_secs(10);

/// What a connection has been doing, for the keep-alive timeout: hyper's own timer covers a
/// head that is slow to arrive, not the wait between requests.
#[derive(Debug)]
struct Activity {
    start: Instant,
    /// Requests whose response is not fully sent yet.
    in_flight: AtomicUsize,
    /// Milliseconds from `start` to when the last response was sent.
    idle_since: AtomicU64,
    /// Whether a response was sent (before that, the head timeout alone applies).
    served: AtomicBool,
    /// Whether bytes arrived since the last response (a next request is on its way).
    read_since_idle: AtomicBool,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            start: Instant::now(),
            in_flight: AtomicUsize::new(0),
            idle_since: AtomicU64::new(0),
            served: AtomicBool::new(false),
            read_since_idle: AtomicBool::new(false),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn request_started(&self) {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
    }

    fn response_sent(&self) {
        self.read_since_idle.store(false, Ordering::Release);
        self.idle_since.store(self.now(), Ordering::Release);
        self.served.store(true, Ordering::Release);
        self.in_flight.fetch_sub(1, Ordering::AcqRel);
    }

    /// Whether the connection waits between requests, with nothing of the next one read.
    fn idle(&self) -> bool {
        self.served.load(Ordering::Acquire)
            && self.in_flight.load(Ordering::Acquire) == 0
            && !self.read_since_idle.load(Ordering::Acquire)
    }

    /// Returns once the connection has been idle for `timeout`.
    async fn idle_for(&self, timeout: Duration) {
        let timeout_ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
        loop {
            let wait = if self.idle() {
                let idle_for = self
                    .now()
                    .saturating_sub(self.idle_since.load(Ordering::Acquire));
                if idle_for >= timeout_ms {
                    return;
                }
                Duration::from_millis(timeout_ms - idle_for)
            } else {
                // Busy: look again later (never in a tight loop, whatever the setting).
                timeout.max(Duration::from_millis(100))
            };
            tokio::time::sleep(wait).await;
        }
    }
}

/// The connection's socket: notes reads for the keep-alive timeout and holds the slot.
#[derive(Debug)]
pub(crate) struct ConnIo {
    stream: TcpStream,
    activity: Arc<Activity>,
    _slot: Slot,
}

impl AsyncRead for ConnIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.read_since_idle.store(true, Ordering::Release);
        }
        polled
    }
}

impl AsyncWrite for ConnIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// A response body that tells the connection's [`Activity`] when it is done (sent or
/// dropped).
struct Tracked {
    body: Body,
    activity: Arc<Activity>,
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.activity.response_sent();
    }
}

impl hyper::body::Body for Tracked {
    type Data = hyper::body::Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// Accepts connections until `stopped`, and returns the connections still being served.
pub(crate) async fn accept_loop(
    listener: tokio::net::TcpListener,
    state: Arc<State>,
    mut stopped: watch::Receiver<bool>,
) -> tokio::task::JoinSet<()> {
    let mut connections = tokio::task::JoinSet::new();
    let mut backoff = Duration::ZERO;
    let mut last_logged: Option<Instant> = None;
    let mut suppressed = 0u64;
    loop {
        // Reap finished connections so the set holds only live ones.
        while connections.try_join_next().is_some() {}
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stopped.changed() => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => {
                backoff = Duration::ZERO;
                accepted
            }
            Err(error) => {
                // Out of file descriptors and the like: retrying at once would spin a core
                // and flood the log, so wait, longer each time, and log once in a while.
                state.connections.accept_failed();
                backoff = if backoff.is_zero() {
                    ACCEPT_BACKOFF.0
                } else {
                    (backoff * 2).min(ACCEPT_BACKOFF.1)
                };
                if last_logged.is_none_or(|at| at.elapsed() >= ACCEPT_LOG_INTERVAL) {
                    tracing::warn!(%error, suppressed, ?backoff, "accept failed; backing off");
                    last_logged = Some(Instant::now());
                    suppressed = 0;
                } else {
                    suppressed += 1;
                }
                tokio::select! {
                    () = tokio::time::sleep(backoff) => continue,
                    _ = stopped.changed() => break,
                }
            }
        };
        let count_ip = !state.proxies.contains(peer.ip());
        let slot = match state.connections.admit(peer.ip(), count_ip) {
            Ok(slot) => slot,
            Err(limit) => {
                state.runtime.trip(limit);
                crate::connections::refuse(&state.connections, stream);
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        connections.spawn(serve(
            Arc::clone(&state),
            stream,
            peer,
            slot,
            stopped.clone(),
        ));
    }
    connections
}

/// Serves one connection with hyper until it ends, times out or the server stops.
async fn serve(
    state: Arc<State>,
    stream: TcpStream,
    peer: SocketAddr,
    slot: Slot,
    mut stop: watch::Receiver<bool>,
) {
    let activity = Arc::new(Activity::new());
    let io = ConnIo {
        stream,
        activity: Arc::clone(&activity),
        _slot: slot,
    };
    let service_state = Arc::clone(&state);
    let service_activity = Arc::clone(&activity);
    let service = hyper::service::service_fn(move |request| {
        let state = Arc::clone(&service_state);
        let activity = Arc::clone(&service_activity);
        activity.request_started();
        async move {
            let request = request.map(crate::request_body::RequestBody::Hyper);
            let response = crate::http::handle(state, request, peer).await;
            Ok::<_, std::convert::Infallible>(
                response.map(|body| http_body_util::BodyExt::boxed(Tracked { body, activity })),
            )
        }
    });
    let settings = &state.settings;
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(settings.header_read_timeout)
        .serve_connection(TokioIo::new(io), service)
        .with_upgrades();
    let mut connection = std::pin::pin!(connection);
    let outcome = tokio::select! {
        outcome = connection.as_mut() => outcome,
        () = activity.idle_for(settings.keep_alive_timeout) => {
            state.runtime.trip(Limit::KeepAliveTimeout);
            return;
        }
        _ = stop.changed() => {
            // Finish the request in flight, then close.
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(error) = outcome {
        if error.is_timeout() {
            // hyper's head timer also runs between requests: an idle connection it closes
            // is a keep-alive timeout, a half-sent head a header timeout.
            let limit = if activity.idle() {
                Limit::KeepAliveTimeout
            } else {
                Limit::HeaderTimeout
            };
            state.runtime.trip(limit);
        }
        tracing::debug!(%error, "http connection ended with an error");
    }
}
