//! What a [`super::FaultProxy`] does to the bytes it forwards: the faults a test sets, and
//! the counters it reads back.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Which way through the proxy a fault applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// From the client to the upstream server (what a browser sends).
    Upstream,
    /// From the upstream server to the client (what a server sends).
    Downstream,
    /// Both ways.
    Both,
}

impl Direction {
    /// Whether the fault set for `self` touches the one-way `link`.
    pub(super) fn covers(self, link: Direction) -> bool {
        self == Direction::Both || self == link
    }
}

/// The faults of one way through the proxy. The default forwards at once, at full speed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Link {
    /// Added to every chunk's trip.
    pub latency: Duration,
    /// Up to this much more, drawn per chunk. A chunk never overtakes the one read before
    /// it (TCP does not reorder), so a chunk whose draw is shorter than its predecessor's
    /// waits for it.
    pub jitter: Duration,
    /// At most this many bytes per second, shared by every connection as one link would be;
    /// `None` for no limit.
    pub bytes_per_second: Option<u64>,
    /// Stop reading from the sending side, so its kernel buffers fill and its writes block
    /// at last, as a stalled peer looks. Bytes already read are still delivered.
    pub paused: bool,
}

/// Everything a [`super::FaultProxy`] does to its connections; the default is a perfect
/// link. Set it whole with [`super::FaultProxy::set_faults`] or a part with the proxy's
/// setters, at any time: open connections follow at once.
///
/// ```
/// use std::time::Duration;
/// use lona_test::{FaultProxy, Faults, Link};
///
/// # let upstream = std::net::TcpListener::bind("127.0.0.1:0")?;
/// let proxy = FaultProxy::start(upstream.local_addr()?)?;
/// // A far phone on a slow uplink.
/// let phone = Link {
///     latency: Duration::from_millis(150),
///     jitter: Duration::from_millis(50),
///     ..Link::default()
/// };
/// proxy.set_faults(Faults {
///     upstream: Link { bytes_per_second: Some(16 * 1024), ..phone },
///     downstream: phone,
///     ..Faults::default()
/// });
/// assert_eq!(proxy.faults().downstream.latency, Duration::from_millis(150));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    /// What the client sends.
    pub upstream: Link,
    /// What the server sends.
    pub downstream: Link,
    /// Forward nothing either way and close nothing, as a network that silently drops every
    /// packet: bytes wait (TCP retransmits them) until the link is restored. New connections
    /// are accepted (the proxy's kernel answers the handshake) but reach the upstream only
    /// then.
    pub blackhole: bool,
    /// Reset every new connection as soon as it is accepted, as a server that is down.
    pub refuse_new: bool,
    /// Cut every open connection this often ([`super::FaultProxy::cut_now`]).
    pub cut_every: Option<Duration>,
}

impl Faults {
    /// The faults of one way: `Upstream` or `Downstream`.
    pub(super) fn link(&self, way: Direction) -> &Link {
        match way {
            Direction::Downstream => &self.downstream,
            Direction::Upstream | Direction::Both => &self.upstream,
        }
    }

    /// Applies `change` to each link `direction` covers.
    pub(super) fn edit_links(&mut self, direction: Direction, mut change: impl FnMut(&mut Link)) {
        if direction.covers(Direction::Upstream) {
            change(&mut self.upstream);
        }
        if direction.covers(Direction::Downstream) {
            change(&mut self.downstream);
        }
    }

    /// Whether reading from the sending side of `way` has to wait.
    pub(super) fn holds_reads(&self, way: Direction) -> bool {
        self.blackhole || self.link(way).paused
    }
}

/// A snapshot of a [`super::FaultProxy`]'s counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProxyStats {
    /// Connections accepted and forwarded (refused ones not included).
    pub accepted: u64,
    /// Connections open now.
    pub open: u64,
    /// Connections closed by a cut ([`super::FaultProxy::cut_now`] or `cut_every`).
    pub cut: u64,
    /// Connections reset on arrival while new ones were refused.
    pub refused: u64,
    /// Bytes delivered to the upstream server.
    pub bytes_upstream: u64,
    /// Bytes delivered to clients.
    pub bytes_downstream: u64,
}

/// The live counters behind [`ProxyStats`].
#[derive(Debug, Default)]
pub(super) struct Counters {
    pub(super) accepted: AtomicU64,
    pub(super) open: AtomicU64,
    pub(super) cut: AtomicU64,
    pub(super) refused: AtomicU64,
    pub(super) bytes_upstream: AtomicU64,
    pub(super) bytes_downstream: AtomicU64,
}

impl Counters {
    pub(super) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub(super) fn remove(counter: &AtomicU64, n: u64) {
        counter.fetch_sub(n, Ordering::Relaxed);
    }

    pub(super) fn delivered(&self, way: Direction, n: usize) {
        let counter = match way {
            Direction::Downstream => &self.bytes_downstream,
            Direction::Upstream | Direction::Both => &self.bytes_upstream,
        };
        Counters::add(counter, u64::try_from(n).unwrap_or(u64::MAX));
    }

    pub(super) fn snapshot(&self) -> ProxyStats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        ProxyStats {
            accepted: get(&self.accepted),
            open: get(&self.open),
            cut: get(&self.cut),
            refused: get(&self.refused),
            bytes_upstream: get(&self.bytes_upstream),
            bytes_downstream: get(&self.bytes_downstream),
        }
    }
}
