//! The caps on open TCP connections, in all and per peer address, fitted under the process's
//! file limit; and the short 503 that answers a connection beyond them.
//!
//! A connection's place is held by its [`Slot`], so that a connection that became a WebSocket
//! still counts until the socket closes.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use lona_runtime::Limit;
use tokio::net::TcpStream;

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

    /// Counts a failed accept.
    pub(crate) fn accept_failed(&self) {
        self.accept_errors.fetch_add(1, Ordering::Relaxed);
    }

    /// A place for a connection from `ip`; `count_ip` is false for a trusted proxy, whose
    /// connections carry many clients.
    pub(crate) fn admit(self: &Arc<Self>, ip: IpAddr, count_ip: bool) -> Result<Slot, Limit> {
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
    // The soft limit up to the hard one (what the process may do without privileges).
    let Ok(files) = rlimit::increase_nofile_limit(u64::MAX) else {
        return wanted;
    };
    let files = usize::try_from(files).unwrap_or(usize::MAX);
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

/// Answers a connection beyond a cap with a plain 503 and closes it; the request is read for
/// a moment so that the client gets the answer rather than a reset.
pub(crate) fn refuse(connections: &Arc<Connections>, stream: TcpStream) {
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
