//! The TCP connection layer: the accept loop (with back-off when accepting fails), the caps on
//! open connections (in all and per peer address), and serving one connection with hyper under
//! the head and keep-alive timeouts.
//!
//! A connection's slot is held by its socket ([`ConnIo`]), so that a connection that became a
//! WebSocket still counts until the socket closes.

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
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

use crate::http::{Body, State};

/// Back-off after a failed accept: doubles from the first to the last, reset by a success.
const ACCEPT_BACKOFF: (Duration, Duration) = (Duration::from_millis(5), Duration::from_secs(1));
/// A failing accept is logged at most once per this interval, with how many were not.
const ACCEPT_LOG_INTERVAL: Duration = Duration::from_secs(10);
/// How long a refused connection is kept to read the client's request, so that the client
/// reads the 503 instead of a reset; and at most how many are kept at once.
const REFUSAL_LINGER: Duration = Duration::from_secs(1);
const MAX_LINGERING_REFUSALS: usize = 64;
/// The answer to a connection beyond a cap: written at once, whatever the client sends.
const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
Content-Type: text/plain; charset=utf-8\r\nContent-Length: 20\r\nRetry-After: 1\r\n\
Connection: close\r\n\r\nserver is too busy.\n";

/// The open connections, in all and per peer address, against their caps.
#[derive(Debug)]
pub(crate) struct Connections {
    open: AtomicUsize,
    per_ip: parking_lot::Mutex<HashMap<IpAddr, usize>>,
    max: usize,
    max_per_ip: usize,
    lingering: AtomicUsize,
    accept_errors: AtomicU64,
}

/// One admitted connection; frees its place when dropped.
#[derive(Debug)]
pub(crate) struct Slot {
    connections: Arc<Connections>,
    ip: Option<IpAddr>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.connections.open.fetch_sub(1, Ordering::AcqRel);
        if let Some(ip) = self.ip {
            let mut per_ip = self.connections.per_ip.lock();
            if let Some(count) = per_ip.get_mut(&ip) {
                *count -= 1;
                if *count == 0 {
                    per_ip.remove(&ip);
                }
            }
        }
    }
}

impl Connections {
    /// Caps of `max` connections (already fitted to the file limit) and `max_per_ip`.
    pub(crate) fn new(max: usize, max_per_ip: usize) -> Connections {
        Connections {
            open: AtomicUsize::new(0),
            per_ip: parking_lot::Mutex::new(HashMap::new()),
            max,
            max_per_ip,
            lingering: AtomicUsize::new(0),
            accept_errors: AtomicU64::new(0),
        }
    }

    /// How often accepting a connection failed (file limit reached and the like).
    pub(crate) fn accept_errors(&self) -> u64 {
        self.accept_errors.load(Ordering::Relaxed)
    }

    /// A place for a connection from `ip`; `count_ip` is false for a trusted proxy, whose
    /// connections carry many clients.
    fn admit(self: &Arc<Self>, ip: IpAddr, count_ip: bool) -> Result<Slot, Limit> {
        self.open
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |open| {
                (open < self.max).then_some(open + 1)
            })
            .map_err(|_| Limit::Connections)?;
        let mut slot = Slot {
            connections: Arc::clone(self),
            ip: None,
        };
        if count_ip {
            let mut per_ip = self.per_ip.lock();
            let count = per_ip.entry(ip).or_insert(0);
            if *count >= self.max_per_ip {
                return Err(Limit::ConnectionsPerIp);
            }
            *count += 1;
            slot.ip = Some(ip);
        }
        Ok(slot)
    }
}

/// `wanted` connections, fitted under the process's file limit with a reserve for everything
/// else the process opens (files it serves, Redis, logs, refused connections). The soft limit
/// is raised to the hard limit first.
pub(crate) fn fit_to_file_limit(wanted: usize) -> usize {
    let Some(files) = raise_file_limit() else {
        return wanted;
    };
    let reserve = (files / 4).clamp(16, 1024);
    let fitted = files.saturating_sub(reserve).max(1);
    if fitted < wanted {
        tracing::warn!(
            max_connections = fitted,
            wanted,
            file_limit = files,
            "max_connections lowered to fit the file limit (raise `ulimit -n` / LimitNOFILE)"
        );
        fitted
    } else {
        wanted
    }
}

/// Raises the soft `RLIMIT_NOFILE` to the hard one; the soft limit in force after, `None` if
/// unknown or unlimited.
#[cfg(unix)]
#[expect(
    unsafe_code,
    reason = "getrlimit/setrlimit have no safe wrapper in std"
)]
fn raise_file_limit() -> Option<usize> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, writable rlimit for the duration of the call.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return None;
    }
    if limit.rlim_cur < limit.rlim_max {
        let raised = libc::rlimit {
            rlim_cur: limit.rlim_max,
            rlim_max: limit.rlim_max,
        };
        // SAFETY: `raised` is a valid rlimit read by the call.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            limit.rlim_cur = limit.rlim_max;
        }
    }
    if limit.rlim_cur == libc::RLIM_INFINITY {
        return None;
    }
    usize::try_from(limit.rlim_cur).ok()
}

#[cfg(not(unix))]
fn raise_file_limit() -> Option<usize> {
    None
}

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
                state
                    .connections
                    .accept_errors
                    .fetch_add(1, Ordering::Relaxed);
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
                refuse(&state.connections, stream);
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

/// Answers a connection beyond a cap with a plain 503 and closes it; the request is read for
/// a moment so that the client gets the answer rather than a reset.
fn refuse(connections: &Arc<Connections>, stream: TcpStream) {
    // A fresh socket's send buffer is empty: the short answer goes out in one write.
    let _ = stream.try_write(BUSY);
    let admitted = connections
        .lingering
        .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
            (n < MAX_LINGERING_REFUSALS).then_some(n + 1)
        })
        .is_ok();
    if !admitted {
        return;
    }
    let connections = Arc::clone(connections);
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = stream;
        let _ = stream.shutdown().await;
        let drain = async {
            let mut buf = [0u8; 1024];
            let mut read = 0usize;
            while read < 64 * 1024 {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => read += n,
                }
            }
        };
        let _ = tokio::time::timeout(REFUSAL_LINGER, drain).await;
        connections.lingering.fetch_sub(1, Ordering::AcqRel);
    });
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
