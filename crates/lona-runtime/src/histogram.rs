//! `Histogram`: a fixed-bucket latency histogram of atomic counters, cheap enough to observe
//! on the event hot path (one relaxed add per bucket hit, no lock).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The upper bounds, in seconds, of the click round-trip buckets (`+Inf` comes on top). From
/// half a millisecond (a local click) to five seconds (a view that blocks): Prometheus needs
/// fixed bounds, and these cover both a healthy app and one to look into.
pub const CLICK_BUCKETS: [f64; 13] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// A snapshot of a latency histogram (`RuntimeMetrics::click_roundtrip`): per-bucket counts
/// (not cumulative; the last one is the overflow above the largest bound), the number of
/// observations and their sum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HistogramSnapshot {
    /// Observations per bucket of [`CLICK_BUCKETS`], then those above the last bound.
    pub buckets: [u64; CLICK_BUCKETS.len() + 1],
    /// All observations.
    pub count: u64,
    /// Their sum, in nanoseconds (an integer, so that it can be an atomic).
    pub sum_nanos: u64,
}

impl HistogramSnapshot {
    /// The sum of the observations, in seconds.
    pub fn sum_seconds(&self) -> f64 {
        // Precision loss only past 2^53 ns (104 days of summed latency): fine for a metric.
        #[allow(clippy::cast_precision_loss)]
        let nanos = self.sum_nanos as f64;
        nanos / 1e9
    }
}

/// A latency histogram over [`CLICK_BUCKETS`].
#[derive(Debug, Default)]
pub(crate) struct Histogram {
    buckets: [AtomicU64; CLICK_BUCKETS.len() + 1],
    count: AtomicU64,
    sum_nanos: AtomicU64,
}

impl Histogram {
    pub(crate) fn observe(&self, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        let index = CLICK_BUCKETS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(CLICK_BUCKETS.len());
        self.buckets[index].fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
        // Counted last, so that a reader never sees more observations than bucket hits.
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> HistogramSnapshot {
        let count = self.count.load(Ordering::Relaxed);
        HistogramSnapshot {
            buckets: std::array::from_fn(|i| self.buckets[i].load(Ordering::Relaxed)),
            count,
            sum_nanos: self.sum_nanos.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn observations_land_in_their_bucket() {
        let histogram = Histogram::default();
        histogram.observe(Duration::from_micros(100));
        histogram.observe(Duration::from_micros(500));
        histogram.observe(Duration::from_millis(3));
        histogram.observe(Duration::from_secs(10));
        let snapshot = histogram.snapshot();
        assert_eq!(snapshot.count, 4);
        assert_eq!(snapshot.buckets[0], 2, "0.5 ms is inclusive");
        assert_eq!(snapshot.buckets[3], 1, "3 ms is in the 5 ms bucket");
        assert_eq!(snapshot.buckets[CLICK_BUCKETS.len()], 1, "overflow");
        assert_eq!(snapshot.sum_nanos, 10_003_600_000);
    }
}
