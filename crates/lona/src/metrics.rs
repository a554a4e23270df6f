//! What a running server reports about itself ([`Server::metrics`](crate::Server::metrics)):
//! its pools, views, click round trips, and how often each limit refused something; and each
//! view's accounting ([`Server::view_stats`](crate::Server::view_stats), and from a view,
//! `cx.view_stats()` and `cx.all_view_stats()`: docs/operations.md, "Per-view accounting").

pub use lona_runtime::{HistogramSnapshot, Limit, LimitsTripped, PoolMetrics, RuntimeMetrics};
pub use lona_runtime::{
    LATENCY_BUCKETS, LatencyHistogram, MEMORY_BUCKETS, MemoryEstimate, NODE_BYTES, ViewStats,
    ViewTotals,
};
