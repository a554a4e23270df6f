//! What a running server reports about itself ([`Server::metrics`](crate::Server::metrics)):
//! its pools, views, click round trips, and how often each limit refused something.

pub use lona_runtime::{HistogramSnapshot, Limit, LimitsTripped, PoolMetrics, RuntimeMetrics};
