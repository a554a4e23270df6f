//! Per-view accounting: what each view handled, how fast, what it sent and what it holds
//! ([`ViewStats`], from [`Runtime::view_stats`] and [`crate::ViewHandle::view_stats`]), and
//! their sums for the metrics endpoint ([`ViewTotals`], in
//! [`RuntimeMetrics`](super::RuntimeMetrics)).
//!
//! Counting costs a few relaxed atomic adds on paths that run anyway (an event's end, an
//! update's encoding) and 96 bytes per view (its counters and a weak handle on itself), with
//! no allocation. Memory is estimated when asked: the tree's node count (kept by the
//! document's index) times a measured size per node, the queued outbox messages of the
//! view's windows, and its replay buffers.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use lona_protocol::RuntimeId;

use super::{Runtime, ViewShared, ViewState};
use crate::histogram::HistogramSnapshot;

/// How many buckets a view's latency histogram has: powers of two from 64 µs up to about one
/// second ([`LatencyHistogram::upper_bound`]), then the overflow.
pub const LATENCY_BUCKETS: usize = 16;

/// The upper bound of the first latency bucket, in microseconds; each next one doubles it.
const FIRST_BOUND_MICROS: u64 = 64;

/// The estimated heap size of one tree node: the node, its lock, its content and its entry in
/// the document's id index. Measured with a counting allocator over trees of 1,000 to 30,000
/// nodes: 347 to 367 bytes per node (`div > span > text` rows, buttons) when a node took 264
/// bytes; since the node takes 160 (issue 18), `div > span > text` rows with a button give
/// 202 to 218, where they gave 306 to 322 before, so the estimate drops by the same 104.
pub const NODE_BYTES: usize = 256;

/// The upper bounds, in bytes, of the buckets of the per-view memory histogram
/// (`lona_view_memory_bytes`); `+Inf` comes on top. From a small idle view to one holding
/// a large tree or a full outbox.
pub const MEMORY_BUCKETS: [u64; 6] = [4_096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304];

/// A view's counters, in its `ViewShared`: updated with relaxed atomics, no lock.
#[derive(Debug, Default)]
pub(crate) struct ViewCounters {
    events: AtomicU64,
    bytes_sent: AtomicU64,
    /// The tree's node count at its last flush, for when its lock is busy at a look.
    nodes: AtomicU32,
    latency: [AtomicU32; LATENCY_BUCKETS],
}

impl ViewCounters {
    /// One event handled, its patches queued `elapsed` after it arrived.
    pub(crate) fn event_flushed(&self, elapsed: Duration) {
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        let bucket = &self.latency[latency_bucket(micros)];
        // A bucket stops at its maximum rather than wrapping to zero (4 billion events).
        if bucket.load(Ordering::Relaxed) != u32::MAX {
            bucket.fetch_add(1, Ordering::Relaxed);
        }
        self.events.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn sent(&self, bytes: usize) {
        self.bytes_sent
            .fetch_add(u64::try_from(bytes).unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    pub(crate) fn bytes_sent(&self) -> u64 {
        self.bytes_sent.load(Ordering::Relaxed)
    }

    pub(crate) fn note_nodes(&self, nodes: usize) {
        self.nodes
            .store(u32::try_from(nodes).unwrap_or(u32::MAX), Ordering::Relaxed);
    }

    fn latency(&self) -> LatencyHistogram {
        LatencyHistogram {
            buckets: std::array::from_fn(|i| self.latency[i].load(Ordering::Relaxed)),
        }
    }
}

/// The bucket of a latency of `micros`: the first whose upper bound is at or above it.
fn latency_bucket(micros: u64) -> usize {
    if micros <= FIRST_BOUND_MICROS {
        return 0;
    }
    // The bound of bucket i is 64 << i: the bits of ceil(micros / 64) - 1, plus one.
    let above = (micros - 1) / FIRST_BOUND_MICROS;
    let bits = u64::BITS - above.leading_zeros();
    usize::try_from(bits).map_or(LATENCY_BUCKETS - 1, |b| b.min(LATENCY_BUCKETS - 1))
}

/// Where an update's bytes are counted: the view that queued it. Weak, so that a message
/// waiting in an outbox does not keep its view alive.
#[derive(Clone, Default)]
pub struct SentMeter(Option<Weak<ViewShared>>);

impl SentMeter {
    /// A meter that counts nowhere: for updates made outside a view (tests, tools).
    pub fn none() -> SentMeter {
        SentMeter(None)
    }

    pub(crate) fn of(view: &Weak<ViewShared>) -> SentMeter {
        SentMeter(Some(Weak::clone(view)))
    }

    pub(crate) fn count(&self, bytes: usize) {
        if let Some(view) = self.0.as_ref().and_then(Weak::upgrade) {
            view.counters.sent(bytes);
        }
    }
}

impl std::fmt::Debug for SentMeter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SentMeter")
    }
}

/// A view's event-to-flush latencies: from an input event reaching the runtime to its
/// patches being queued for the view's windows, handlers included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LatencyHistogram {
    /// Events per bucket (not cumulative); bucket `i` holds latencies up to
    /// [`LatencyHistogram::upper_bound`]`(i)`, the last one those above about one second.
    pub buckets: [u32; LATENCY_BUCKETS],
}

impl LatencyHistogram {
    /// The upper bound of bucket `index`: 64 µs, 128 µs, ... 1.05 s; `None` for the last
    /// (the overflow) and past it.
    pub fn upper_bound(index: usize) -> Option<Duration> {
        (index < LATENCY_BUCKETS - 1).then(|| Duration::from_micros(FIRST_BOUND_MICROS << index))
    }

    /// The events counted.
    pub fn count(&self) -> u64 {
        self.buckets.iter().map(|&n| u64::from(n)).sum()
    }

    /// The upper bound of the bucket that holds the `q`-quantile (0.5 for the median):
    /// `None` with no events, [`Duration::MAX`] when it is in the overflow bucket.
    pub fn quantile(&self, q: f64) -> Option<Duration> {
        let count = self.count();
        if count == 0 {
            return None;
        }
        // The rank of the quantile, 1-based: at least the first event, at most the last.
        #[allow(
            clippy::cast_precision_loss,
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss
        )]
        let rank = ((q.clamp(0.0, 1.0) * count as f64).ceil() as u64).clamp(1, count);
        let mut seen = 0;
        for (index, &hits) in self.buckets.iter().enumerate() {
            seen += u64::from(hits);
            if seen >= rank {
                return Some(LatencyHistogram::upper_bound(index).unwrap_or(Duration::MAX));
            }
        }
        Some(Duration::MAX)
    }
}

/// What a view holds, estimated: the parts are measured or counted, the sizes per node and
/// per queued patch are estimates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MemoryEstimate {
    /// Nodes in its tree.
    pub nodes: usize,
    /// `nodes` times [`NODE_BYTES`].
    pub tree_bytes: usize,
    /// Messages queued in its windows' outboxes for it (one per frame, one per patch).
    pub outbox_items: usize,
    /// Their size as encoded for the wire.
    pub outbox_bytes: usize,
    /// Frames kept in its windows' replay buffers (the acknowledged stream), unacknowledged.
    pub replay_bytes: usize,
    /// The view's own record in the runtime (its `ViewShared`), a constant.
    pub view_bytes: usize,
}

impl MemoryEstimate {
    /// All of it.
    pub fn total(&self) -> usize {
        self.tree_bytes + self.outbox_bytes + self.replay_bytes + self.view_bytes
    }
}

/// One view's accounting, now ([`Runtime::view_stats`]).
#[derive(Debug, Clone)]
pub struct ViewStats {
    /// Its runtime id (the one on the wire).
    pub id: RuntimeId,
    /// The name of its route, if the route has one.
    pub route: Option<Arc<str>>,
    /// The path it was started for.
    pub path: String,
    /// Its session id's first 8 characters (and `…` if there were more), as the admin shell
    /// shows it: enough to tell sessions apart, not enough to take one over.
    pub session: String,
    /// Who is logged in there, as a middleware set `Request::user`.
    pub user: Option<Arc<str>>,
    /// How long ago it was created.
    pub age: Duration,
    /// What it is doing.
    pub state: ViewState,
    /// Whether it is a daemon (survives its windows).
    pub daemon: bool,
    /// How many windows show it, detached ones included.
    pub windows: usize,
    /// Of those, windows of the acknowledged stream whose socket closed (within their grace).
    pub detached_windows: usize,
    /// How many node handlers it holds.
    pub handlers: usize,
    /// Input events it handled.
    pub events: u64,
    /// Bytes of frames it sent to its windows, as encoded (before the acknowledged stream's
    /// sequence number): trees, patches, titles, redirects, custom messages. A view shown in
    /// two windows counts what went to each.
    pub bytes_sent: u64,
    /// Its events' event-to-flush latencies.
    pub latency: LatencyHistogram,
    /// What it holds.
    pub memory: MemoryEstimate,
}

/// The views' accounting summed up, for the metrics endpoint: no per-view label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ViewTotals {
    /// The open views' estimated memory ([`MemoryEstimate::total`]), summed.
    pub memory_bytes: u64,
    /// Open views per bucket of [`MEMORY_BUCKETS`] by estimated memory (not cumulative; the
    /// last one is above the largest bound).
    pub memory_histogram: [u64; MEMORY_BUCKETS.len() + 1],
    /// Nodes in the open views' trees.
    pub nodes: u64,
    /// Bytes all views sent to their windows since the start, gone views included.
    pub bytes_sent: u64,
    /// Every input event's event-to-flush latency, over all views.
    pub event_flush: HistogramSnapshot,
}

/// What the runtime keeps for the totals: gone views' bytes.
#[derive(Debug, Default)]
pub(crate) struct RetiredCounters {
    bytes_sent: AtomicU64,
}

impl RetiredCounters {
    /// Keeps a view's bytes when it goes; called under the views' lock, so that the totals,
    /// read under it too, never count a view twice or lose it.
    pub(crate) fn retire(&self, view: &ViewShared) {
        self.bytes_sent
            .fetch_add(view.counters.bytes_sent(), Ordering::Relaxed);
    }
}

impl ViewShared {
    /// The view's memory, estimated now. Takes the locks of its windows' outboxes and replay
    /// buffers one at a time, each for a walk of at most `close_at` queued messages, and the
    /// tree's lock only if it is free (else the count of its last flush).
    fn memory(&self) -> MemoryEstimate {
        let nodes = self
            .doc
            .try_node_count()
            .unwrap_or_else(|| self.counters.nodes.load(Ordering::Relaxed) as usize);
        let mut memory = MemoryEstimate {
            nodes,
            tree_bytes: nodes.saturating_mul(NODE_BYTES),
            view_bytes: std::mem::size_of::<ViewShared>(),
            ..MemoryEstimate::default()
        };
        let attached: Vec<_> = self
            .attached
            .lock()
            .iter()
            .map(|a| (Arc::clone(&a.connection), a.window, a.stream.clone()))
            .collect();
        for (connection, window, stream) in attached {
            let (items, bytes) = connection.queued_for(window, self.id);
            memory.outbox_items += items;
            memory.outbox_bytes += bytes;
            if let Some(stream) = stream {
                memory.replay_bytes += stream.buffered_bytes();
            }
        }
        memory
    }

    pub(crate) fn stats(&self) -> ViewStats {
        let (windows, detached_windows) = {
            let attached = self.attached.lock();
            let detached = attached
                .iter()
                .filter(|a| a.stream.as_ref().is_some_and(|s| s.is_detached()))
                .count();
            (attached.len(), detached)
        };
        ViewStats {
            id: self.id,
            route: self.request.route.clone(),
            path: self.request.path.clone(),
            session: shortened(&self.request.session.0),
            user: self.request.user.clone(),
            age: self.created.elapsed(),
            state: self.state(),
            daemon: self.is_daemon(),
            windows,
            detached_windows,
            handlers: self.handler_count(),
            events: self.counters.events.load(Ordering::Relaxed),
            bytes_sent: self.counters.bytes_sent(),
            latency: self.counters.latency(),
            memory: self.memory(),
        }
    }
}

/// A session id as the accounting shows it: its first 8 characters, `…` if there were more.
fn shortened(session: &str) -> String {
    let short: String = session.chars().take(8).collect();
    if short.len() < session.len() {
        format!("{short}…")
    } else {
        short
    }
}

impl Runtime {
    /// Every view's accounting, oldest first. The views' list is copied under its lock; each
    /// view is then looked at on its own (see [`MemoryEstimate`]), so a busy view holds up
    /// only its own line.
    pub fn view_stats(&self) -> Vec<ViewStats> {
        let mut views: Vec<Arc<ViewShared>> = self.inner.views.lock().values().cloned().collect();
        views.sort_by_key(|view| view.id.0);
        views.iter().map(|view| view.stats()).collect()
    }

    /// One view's accounting; `None` if the runtime holds no view `id`.
    pub fn view_stats_of(&self, id: RuntimeId) -> Option<ViewStats> {
        let view = self.inner.views.lock().get(&id).cloned()?;
        Some(view.stats())
    }

    /// The views' accounting summed up (it is in [`Runtime::metrics`] too).
    pub fn view_totals(&self) -> ViewTotals {
        let (views, bytes_sent) = {
            let views = self.inner.views.lock();
            let live: u64 = views.values().map(|v| v.counters.bytes_sent()).sum();
            let retired = self.inner.retired.bytes_sent.load(Ordering::Relaxed);
            (
                views.values().cloned().collect::<Vec<_>>(),
                live.saturating_add(retired),
            )
        };
        let mut totals = ViewTotals {
            bytes_sent,
            event_flush: self.inner.event_flush.snapshot(),
            ..ViewTotals::default()
        };
        for view in views {
            let memory = view.memory();
            let bytes = u64::try_from(memory.total()).unwrap_or(u64::MAX);
            totals.memory_bytes = totals.memory_bytes.saturating_add(bytes);
            totals.nodes += u64::try_from(memory.nodes).unwrap_or(u64::MAX);
            let bucket = MEMORY_BUCKETS
                .iter()
                .position(|bound| bytes <= *bound)
                .unwrap_or(MEMORY_BUCKETS.len());
            totals.memory_histogram[bucket] += 1;
        }
        totals
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latencies_land_in_their_power_of_two_bucket() {
        assert_eq!(latency_bucket(0), 0);
        assert_eq!(latency_bucket(64), 0, "64 µs is inclusive");
        assert_eq!(latency_bucket(65), 1);
        assert_eq!(latency_bucket(128), 1);
        assert_eq!(latency_bucket(129), 2);
        assert_eq!(
            latency_bucket(1_048_576),
            LATENCY_BUCKETS - 2,
            "about one second"
        );
        assert_eq!(latency_bucket(1_048_577), LATENCY_BUCKETS - 1, "overflow");
        assert_eq!(latency_bucket(u64::MAX), LATENCY_BUCKETS - 1);
        for index in 0..LATENCY_BUCKETS - 1 {
            let bound = LatencyHistogram::upper_bound(index).expect("a finite bucket");
            let micros = u64::try_from(bound.as_micros()).expect("small");
            assert_eq!(latency_bucket(micros), index, "the bound is in its bucket");
            assert_eq!(latency_bucket(micros + 1), index + 1, "past it, the next");
        }
    }

    #[test]
    fn quantiles_name_their_bucket_bound() {
        let mut histogram = LatencyHistogram::default();
        assert_eq!(histogram.quantile(0.5), None);
        histogram.buckets[0] = 9;
        histogram.buckets[3] = 1;
        assert_eq!(histogram.count(), 10);
        assert_eq!(histogram.quantile(0.5), Some(Duration::from_micros(64)));
        assert_eq!(histogram.quantile(0.9), Some(Duration::from_micros(64)));
        assert_eq!(histogram.quantile(0.99), Some(Duration::from_micros(512)));
        histogram.buckets[LATENCY_BUCKETS - 1] = 90;
        assert_eq!(histogram.quantile(0.99), Some(Duration::MAX));
    }

    #[test]
    fn a_view_stays_within_its_accounting_budget() {
        // The budget: about 100 bytes per view, no allocation; with the view's weak
        // handle to itself, which its updates' meters take.
        let size = std::mem::size_of::<ViewCounters>() + std::mem::size_of::<Weak<ViewShared>>();
        assert!(size <= 100, "{size}");
    }

    #[test]
    fn sessions_are_shortened() {
        assert_eq!(shortened("abcdefghijkl"), "abcdefgh…");
        assert_eq!(shortened("abc"), "abc");
        assert_eq!(shortened("ééééééééé"), "éééééééé…");
    }
}
