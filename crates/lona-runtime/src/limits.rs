//! The limits that protect one visitor from another, and how often each has tripped: one
//! counter per [`Limit`], exported as `lona_limits_tripped_total{limit="..."}`.
//!
//! The runtime and the server trip limits in different places (a socket's event rate in the
//! server, a session's share of the runtime pool here); both count them on the runtime, so an
//! operator reads every refusal from one metric.

use std::sync::atomic::{AtomicU64, Ordering};

/// A limit that refused or closed something a client asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Limit {
    /// `max_connections`: a new TCP connection found the server full.
    Connections,
    /// `max_connections_per_ip`: one client address holds too many connections.
    ConnectionsPerIp,
    /// `header_read_timeout`: a request's head did not arrive in time (slowloris).
    HeaderTimeout,
    /// `body_idle_timeout`: a request body stalled.
    BodyTimeout,
    /// `keep_alive_timeout`: an idle keep-alive connection was closed.
    KeepAliveTimeout,
    /// `websocket_handshake_timeout`: an upgraded socket never became a WebSocket.
    HandshakeTimeout,
    /// `websocket_liveness_timeout`: a WebSocket peer stopped answering pings.
    Liveness,
    /// `allowed_hosts`: a request named a Host the app does not serve.
    Host,
    /// `max_windows_per_socket`: one socket asked for too many windows.
    WindowsPerSocket,
    /// `max_views_per_session`: one session holds too many views.
    ViewsPerSession,
    /// `max_views_per_ip`: one client address holds too many views.
    ViewsPerIp,
    /// `max_view_requests_per_second`: a socket sent VIEW too often.
    ViewRate,
    /// `max_events_per_second`: a socket sent input events too often.
    EventRate,
    /// `max_client_errors_per_minute`: a socket reported client errors too often.
    ClientErrorRate,
    /// `max_runtime_share`: one session asked for more than its share of the runtime pool.
    RuntimeShare,
    /// `max_daemons_per_session`: one session started too many daemon views.
    DaemonsPerSession,
    /// `daemon_idle_timeout`: a daemon view without a window expired.
    DaemonIdle,
    /// `max_broadcast_views`: a broadcast view could not start, or stopped an unwatched one.
    BroadcastViews,
}

impl Limit {
    /// Every limit, in the order the metrics list them.
    pub const ALL: [Limit; 18] = [
        Limit::Connections,
        Limit::ConnectionsPerIp,
        Limit::HeaderTimeout,
        Limit::BodyTimeout,
        Limit::KeepAliveTimeout,
        Limit::HandshakeTimeout,
        Limit::Liveness,
        Limit::Host,
        Limit::WindowsPerSocket,
        Limit::ViewsPerSession,
        Limit::ViewsPerIp,
        Limit::ViewRate,
        Limit::EventRate,
        Limit::ClientErrorRate,
        Limit::RuntimeShare,
        Limit::DaemonsPerSession,
        Limit::DaemonIdle,
        Limit::BroadcastViews,
    ];

    /// The metric label: the name of the setting that sets the limit.
    pub fn name(self) -> &'static str {
        match self {
            Limit::Connections => "max_connections",
            Limit::ConnectionsPerIp => "max_connections_per_ip",
            Limit::HeaderTimeout => "header_read_timeout",
            Limit::BodyTimeout => "body_idle_timeout",
            Limit::KeepAliveTimeout => "keep_alive_timeout",
            Limit::HandshakeTimeout => "websocket_handshake_timeout",
            Limit::Liveness => "websocket_liveness_timeout",
            Limit::Host => "allowed_hosts",
            Limit::WindowsPerSocket => "max_windows_per_socket",
            Limit::ViewsPerSession => "max_views_per_session",
            Limit::ViewsPerIp => "max_views_per_ip",
            Limit::ViewRate => "max_view_requests_per_second",
            Limit::EventRate => "max_events_per_second",
            Limit::ClientErrorRate => "max_client_errors_per_minute",
            Limit::RuntimeShare => "max_runtime_share",
            Limit::DaemonsPerSession => "max_daemons_per_session",
            Limit::DaemonIdle => "daemon_idle_timeout",
            Limit::BroadcastViews => "max_broadcast_views",
        }
    }

    fn index(self) -> usize {
        Limit::ALL
            .iter()
            .position(|limit| *limit == self)
            .unwrap_or_default()
    }
}

/// How often each limit tripped.
#[derive(Debug, Default)]
pub(crate) struct LimitCounters([AtomicU64; Limit::ALL.len()]);

impl LimitCounters {
    pub(crate) fn trip(&self, limit: Limit) {
        self.0[limit.index()].fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> LimitsTripped {
        LimitsTripped(std::array::from_fn(|i| self.0[i].load(Ordering::Relaxed)))
    }
}

/// How often each limit tripped, at one moment (part of `RuntimeMetrics`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LimitsTripped([u64; Limit::ALL.len()]);

impl LimitsTripped {
    /// How often `limit` tripped.
    pub fn get(&self, limit: Limit) -> u64 {
        self.0[limit.index()]
    }

    /// Every limit with its count, in [`Limit::ALL`]'s order.
    pub fn iter(&self) -> impl Iterator<Item = (Limit, u64)> + '_ {
        Limit::ALL.iter().map(|limit| (*limit, self.get(*limit)))
    }
}
