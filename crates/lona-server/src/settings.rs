//! `Settings`: what an app configures, with Lona's setting names where Lona has one: the
//! table of fields, their defaults, and the one list of names the rest is built from.
//! Loading them from TOML files and the environment, and printing them, is in [`load`].
//!
//! Settings are set in code, then in TOML files applied in order, then by `LONA_*` environment
//! variables; each layer overrides the one before. They are read once, before the server
//! starts: the running server never looks at them again (the seeds' Web-SIG letter).

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// The settings of an app. Field names follow Lona's settings (`MAX_RUNTIME_THREADS` is
/// `max_runtime_threads`), lower-cased.
#[derive(Clone)]
#[non_exhaustive]
pub struct Settings {
    /// Threads for blocking views (Lona's `MAX_RUNTIME_THREADS`).
    pub max_runtime_threads: usize,
    /// Blocking views that may wait for a thread before new ones get "server busy".
    pub max_runtime_queue: usize,
    /// Threads for event handlers and non-interactive routes (`MAX_WORKER_THREADS`).
    pub max_worker_threads: usize,
    /// Threads for static file lookups (`MAX_STATIC_THREADS`).
    pub max_static_threads: usize,
    /// The default page title (Lona's frontend `title`).
    pub title: String,
    /// Seconds between client pings; 0 disables them (`CLIENT_PING_INTERVAL`).
    pub client_ping_interval: u64,
    /// Seconds the client waits for VIEW_START before it shows a notice
    /// (`CLIENT_VIEW_START_TIMEOUT`).
    pub client_view_start_timeout: u64,
    /// Seconds the client waits for an event's ACK before it shows a notice
    /// (`CLIENT_INPUT_EVENT_TIMEOUT`).
    pub client_input_event_timeout: u64,
    /// Whether the client reconnects after losing the socket (`CLIENT_AUTO_RECONNECT`).
    pub client_auto_reconnect: bool,
    /// Milliseconds before the first reconnect attempt (`CLIENT_AUTO_RECONNECT_TIMEOUT`); it
    /// doubles up to 30 s.
    pub client_auto_reconnect_timeout: u64,
    /// Development: the browser reloads the page when its socket opens again, so that a
    /// restarted server's new code, templates and static files show without a manual reload
    /// (`run-server --live-reload`). Reconnects are tried every
    /// `client_auto_reconnect_timeout`, without backoff.
    pub live_reload: bool,
    /// Development: a slow, lossy network simulated on the server's WebSockets, as
    /// `latency=100ms,jitter=20ms,loss=0.01` (every key optional): each write waits the
    /// latency and a draw of the jitter, and each frame has the loss's probability of cutting
    /// the connection instead (docs/operations.md#simulating-a-bad-network). `None`: a plain
    /// network. A value that does not parse stops startup; refused in a release build unless
    /// `net_sim_in_release` is set too.
    pub net_sim: Option<String>,
    /// Lets `net_sim` run in a release build (a debug build always may): there a simulation
    /// left on by a stray variable would slow and cut every visitor's page, so it takes both.
    pub net_sim_in_release: bool,
    /// The session cookie (`SESSIONS_KEY_NAME`).
    pub session_cookie_name: String,
    /// Mark the session cookie `Secure` always. Without it the cookie is `Secure` when a
    /// trusted proxy (`trusted_proxies`) says the request came over HTTPS.
    pub session_cookie_secure: bool,
    /// Origins allowed to open the WebSocket besides the page's own host, e.g.
    /// `https://example.org`. Anything else gets 403.
    pub allowed_origins: Vec<String>,
    /// Where static files are served (`STATIC_URL_PREFIX`).
    pub static_url_prefix: String,
    /// The app's static folders, searched in order before the client's files (`STATIC_DIRS`).
    pub static_dirs: Vec<std::path::PathBuf>,
    /// Whether the app serves static files itself (`STATIC_FILES_SERVE`); turn it off when a
    /// reverse proxy serves the output of `collect-static`.
    pub static_files_serve: bool,
    /// Declared static files to link even if declared off (`STATIC_FILES_ENABLED`).
    pub static_files_enabled: Vec<String>,
    /// Declared static files never to link or serve (`STATIC_FILES_DISABLED`).
    pub static_files_disabled: Vec<String>,
    /// The largest WebSocket message accepted, in bytes; a bigger one closes the socket with
    /// 1009.
    pub max_message_size: usize,
    /// The largest request body a non-interactive route reads, in bytes; a bigger one gets 413.
    pub max_body_size: usize,
    /// Where upload buckets are served (Lona's `BUCKETS_URL_PREFIX`); `/` turns them off.
    pub bucket_url_prefix: String,
    /// The folder that holds the buckets' folders; the system's temporary folder if `None`.
    pub bucket_dir: Option<std::path::PathBuf>,
    /// Malformed messages in a row after which a socket is closed with 1008.
    pub max_malformed_messages: u32,
    /// How long graceful shutdown waits for connections to close.
    pub shutdown_timeout: Duration,
    /// How long shutdown waits, in all, for the background tasks (`App::task`) to return
    /// once signalled; a task still running then is logged and left.
    pub task_shutdown_timeout: Duration,
    /// Backlog (frames and patches) from which a slow client's updates are merged.
    pub outbox_merge_at: usize,
    /// Backlog at which a slow client is disconnected (it reconnects and re-attaches).
    pub outbox_close_at: usize,
    /// A Redis server that carries channel messages between processes, e.g.
    /// `redis://127.0.0.1:6379/`. When set, the server connects at startup (and fails to start
    /// if it cannot) and registers `Channels` over a [`crate::RedisBroker`] as app state,
    /// replacing any `Channels` registered in code.
    pub channel_broker_url: Option<String>,
    /// The unix socket of the admin shell (`--shell-server-url file://PATH`); `None` runs no
    /// shell server. Given as a `file://` URL in files and the environment.
    pub shell_server_url: Option<PathBuf>,
    /// The path of the Prometheus text endpoint, e.g. `/metrics`; `None` serves none. It is on
    /// the app's own port, so a reverse proxy (or a middleware) must keep it from the public.
    pub metrics_url_prefix: Option<String>,
    /// Addresses of the reverse proxies in front of the app, as IPs or CIDR ranges
    /// (`127.0.0.1`, `10.0.0.0/8`, `::1`). Only a request from one of them is believed when
    /// its `X-Forwarded-For` names the client's address (which the per-address limits count)
    /// and its `X-Forwarded-Proto` says `https` (which makes the session cookie `Secure`).
    /// Empty: every peer is the client itself.
    pub trusted_proxies: Vec<String>,
    /// How often the server checks whether the allocator holds much freed memory (after a
    /// storm of views or connections has passed) and gives it back to the OS; zero never does.
    pub memory_trim_interval: Duration,
    /// The key that signs session cookies (HMAC-SHA256), at least 32 characters. `None`: a
    /// random key per process, so sessions do not survive a restart, and several processes
    /// behind one proxy must share a key. Keep it out of version control (set it with
    /// `LONA_SESSION_SECRET`); changing it logs every browser out.
    pub session_secret: Option<String>,
    /// How long a session cookie lives: the cookie gets `Max-Age` and the server refuses
    /// (with a fresh session) a cookie signed longer ago. `None`: a browser-session cookie
    /// that the server accepts for as long as its key is the same.
    pub session_cookie_max_age: Option<Duration>,
    /// Client errors (`CLIENT_ERROR`) one socket may have logged per minute; past it they are
    /// dropped (neither logged nor shown) and one line later says how many were.
    pub max_client_errors_per_minute: u32,
    /// Windows one socket may open (distinct window ids it sent VIEW for). Past it the
    /// socket is closed with 1008 "limit reached": a page holds one window per Lona window
    /// on it, a handful at most, so only a hostile or broken client gets there, and closing
    /// frees everything it holds. (The browser client reconnects with backoff and re-sends
    /// VIEW for its windows, which stays under the limit for any real page.)
    pub max_windows_per_socket: usize,
    /// VIEW requests per second one socket may send, as a token bucket that holds twice as
    /// many (a reconnect re-sends VIEW for every window at once; a user navigates a few times
    /// a second at most). Past it the socket is closed with 1008 "rate limit exceeded"
    /// rather than shown an error page per request, which would cost a view each. 0 turns
    /// the limit off.
    pub max_view_requests_per_second: u32,
    /// Input events per second one socket may send, as a token bucket that holds twice as
    /// many: a human clicks a few times a second, typing and widgets send more. Past it the
    /// socket is closed with 1008 "rate limit exceeded": dropping events instead would leave
    /// the client waiting for acknowledgements that never come. 0 turns the limit off.
    pub max_events_per_second: u32,
    /// Views one session may hold at once (all its tabs and windows, daemons included). A
    /// view past it is not started; its window shows the 429 page.
    pub max_views_per_session: usize,
    /// Views one client address may hold at once, whatever its sessions (each cookie-less
    /// socket is a session of its own). Behind `trusted_proxies` the forwarded address
    /// counts. A view past it shows the 429 page. Generous: many users can share an address.
    pub max_views_per_ip: usize,
    /// The share of the runtime pool one session may hold, in percent of
    /// `max_runtime_threads` (at least one thread): its blocking views running or queued. A
    /// blocking view past it shows the 503 "server busy" page at once, so one visitor cannot
    /// take every thread from the others.
    pub max_runtime_share: usize,
    /// A daemon view left without a window this long is stopped (a cookie-less socket's
    /// daemon can never be re-attached); 0 keeps daemons forever.
    pub daemon_idle_timeout: Duration,
    /// How long the view of a window in the acknowledged stream (docs/protocol.md) stays
    /// detached and running after its socket closed, waiting for the browser to resume it.
    pub resume_grace: Duration,
    /// The bound, in bytes, of each acknowledged window's replay buffer; past it a resume
    /// sends the whole tree once instead of the missed frames.
    pub replay_buffer_bytes: usize,
    /// Whether the GET of an interactive page starts its view and answers the page with the
    /// view's first tree in it (docs/protocol.md, "First paint"). Only pages of lona's own
    /// frontend template get it; an app's own template never does.
    pub first_paint: bool,
    /// How long the GET of a page waits for its view's first tree; past it the page goes out
    /// empty, as without a first paint, and the view still waits for its window.
    pub first_paint_timeout: Duration,
    /// How long a view started for a page's first paint waits for the page's socket to adopt
    /// it; then it stops (`on_stop` and `on_cleanup` run).
    pub first_paint_adopt_timeout: Duration,
    /// Daemon views one session may hold. At the cap, the session's daemon that has been
    /// without a window longest is stopped to make room for a new one; if every one shows in
    /// a window, the new view is not made a daemon (it ends with its window).
    pub max_daemons_per_session: usize,
    /// Broadcast views (`RouteName::broadcast`) that may run at once, each URL one. At the
    /// cap, the one unwatched longest is stopped to make room; if every one has a watcher,
    /// the new URL's window gets the 429 page.
    pub max_broadcast_views: usize,
    /// How long a request's head (request line and headers) may take to arrive once a
    /// connection waits for one; a slower one (slowloris) is closed. hyper's timer also runs
    /// while a keep-alive connection waits for its next request, so no connection stays idle
    /// longer than this, whatever `keep_alive_timeout` says.
    pub header_read_timeout: Duration,
    /// How long a keep-alive connection may stay idle between requests before it is closed.
    pub keep_alive_timeout: Duration,
    /// How long a request body may stall between two chunks before the request gets 408 and
    /// its connection is closed (forms, non-interactive routes, uploads).
    pub body_idle_timeout: Duration,
    /// How long a new WebSocket may go without asking for a view (its first VIEW message)
    /// before it is closed with 1008.
    pub websocket_handshake_timeout: Duration,
    /// How often the server pings each WebSocket (browsers answer by themselves).
    pub websocket_ping_interval: Duration,
    /// How long a WebSocket may send nothing at all (no pong, no message) before it is closed
    /// with 1001 "no answer to ping".
    pub websocket_liveness_timeout: Duration,
    /// Open TCP connections (WebSockets included); a new one beyond it gets a plain 503 and is
    /// closed. Lowered at startup to fit the process's file limit, with a reserve.
    pub max_connections: usize,
    /// Open TCP connections per peer address; a new one beyond it gets a plain 503 and is
    /// closed. Not applied to `trusted_proxies`, whose clients are known only from their
    /// headers.
    pub max_connections_per_ip: usize,
    /// Host names the app answers to (Django's `ALLOWED_HOSTS`): `example.org` exactly,
    /// `.example.org` for it and its subdomains, `*` for any. IP addresses and `localhost` are
    /// always allowed (they cannot be DNS rebinding); any other Host gets 400. The port is
    /// ignored.
    pub allowed_hosts: Vec<String>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            max_runtime_threads: 6,
            max_runtime_queue: 100,
            max_worker_threads: 4,
            max_static_threads: 4,
            title: "Lona".to_owned(),
            client_ping_interval: 60,
            client_view_start_timeout: 2,
            client_input_event_timeout: 2,
            client_auto_reconnect: true,
            client_auto_reconnect_timeout: 1000,
            live_reload: false,
            net_sim: None,
            net_sim_in_release: false,
            session_cookie_name: "lona_session".to_owned(),
            session_cookie_secure: false,
            allowed_origins: Vec::new(),
            static_url_prefix: "/static/".to_owned(),
            static_dirs: Vec::new(),
            static_files_serve: true,
            static_files_enabled: Vec::new(),
            static_files_disabled: Vec::new(),
            max_message_size: 1024 * 1024,
            max_body_size: 1024 * 1024,
            bucket_url_prefix: "/buckets/".to_owned(),
            bucket_dir: None,
            max_malformed_messages: 10,
            shutdown_timeout: Duration::from_secs(10),
            task_shutdown_timeout: Duration::from_secs(5),
            outbox_merge_at: 64,
            outbox_close_at: 1024,
            channel_broker_url: None,
            shell_server_url: None,
            metrics_url_prefix: None,
            trusted_proxies: Vec::new(),
            memory_trim_interval: Duration::from_secs(10),
            session_secret: None,
            session_cookie_max_age: None,
            max_client_errors_per_minute: 10,
            max_windows_per_socket: 32,
            max_view_requests_per_second: 20,
            max_events_per_second: 100,
            max_views_per_session: 100,
            max_views_per_ip: 1000,
            max_runtime_share: 50,
            daemon_idle_timeout: Duration::from_secs(900),
            // A phone switching networks or a laptop lid closed for a coffee; Blazor keeps 3
            // minutes. Detached views still count toward the per-session view limits.
            resume_grace: Duration::from_secs(120),
            replay_buffer_bytes: 262_144,
            first_paint: true,
            // A view that shows at all shows within a few milliseconds of its start; 50 ms
            // caps what a slow one adds to its page's answer below one wide-area round trip,
            // less than the socket's way to the same tree costs (script, socket, VIEW).
            first_paint_timeout: Duration::from_millis(50),
            // The page's script loads and its socket opens within a second or two even on a
            // slow link; past 10 s the visitor has likely gone, and the view holds a view
            // slot (a thread, if blocking) for nothing.
            first_paint_adopt_timeout: Duration::from_secs(10),
            max_daemons_per_session: 10,
            max_broadcast_views: 1000,
            header_read_timeout: Duration::from_secs(10),
            keep_alive_timeout: Duration::from_secs(5),
            body_idle_timeout: Duration::from_secs(10),
            websocket_handshake_timeout: Duration::from_secs(10),
            websocket_ping_interval: Duration::from_secs(20),
            websocket_liveness_timeout: Duration::from_secs(60),
            max_connections: 10_000,
            max_connections_per_ip: 256,
            allowed_hosts: Vec::new(),
        }
    }
}

/// Calls `$m!` with every setting's field name, in the order of the struct: the one list that
/// loading, printing and the docs test share, so a new field cannot be forgotten in one of them.
macro_rules! for_each_setting {
    ($m:ident) => {
        $m!(
            max_runtime_threads,
            max_runtime_queue,
            max_worker_threads,
            max_static_threads,
            title,
            client_ping_interval,
            client_view_start_timeout,
            client_input_event_timeout,
            client_auto_reconnect,
            client_auto_reconnect_timeout,
            live_reload,
            net_sim,
            net_sim_in_release,
            session_cookie_name,
            session_cookie_secure,
            allowed_origins,
            static_url_prefix,
            static_dirs,
            static_files_serve,
            static_files_enabled,
            static_files_disabled,
            max_message_size,
            max_body_size,
            bucket_url_prefix,
            bucket_dir,
            max_malformed_messages,
            shutdown_timeout,
            task_shutdown_timeout,
            outbox_merge_at,
            outbox_close_at,
            channel_broker_url,
            shell_server_url,
            metrics_url_prefix,
            trusted_proxies,
            memory_trim_interval,
            session_secret,
            session_cookie_max_age,
            max_client_errors_per_minute,
            max_windows_per_socket,
            max_view_requests_per_second,
            max_events_per_second,
            max_views_per_session,
            max_views_per_ip,
            max_runtime_share,
            daemon_idle_timeout,
            resume_grace,
            replay_buffer_bytes,
            first_paint,
            first_paint_timeout,
            first_paint_adopt_timeout,
            max_daemons_per_session,
            max_broadcast_views,
            header_read_timeout,
            keep_alive_timeout,
            body_idle_timeout,
            websocket_handshake_timeout,
            websocket_ping_interval,
            websocket_liveness_timeout,
            max_connections,
            max_connections_per_ip,
            allowed_hosts,
        )
    };
}

/// Every setting by name, but `session_secret`: `{:?}` of the settings ends up in logs and
/// panic messages, where a key that signs every session has no place.
impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("Settings");
        macro_rules! fields {
            ($($field:ident),* $(,)?) => {$(
                if stringify!($field) == "session_secret" {
                    let shown = self.session_secret.as_ref().map(|_| "(set, not shown)");
                    out.field("session_secret", &shown);
                } else {
                    out.field(stringify!($field), &self.$field);
                }
            )*};
        }
        for_each_setting!(fields);
        out.finish()
    }
}

impl Settings {
    /// The names of all settings, as fields and TOML keys (lower case), in declaration order.
    pub fn names() -> &'static [&'static str] {
        macro_rules! names {
            ($($field:ident),* $(,)?) => {
                &[$(stringify!($field)),*]
            };
        }
        for_each_setting!(names)
    }
}

/// The socket path of a `file://PATH` URL, the only kind of shell server URL there is; `None`
/// for anything else (TCP would make the shell reachable from the network).
pub(crate) fn shell_socket_path(url: &str) -> Option<PathBuf> {
    let path = url.strip_prefix("file://")?;
    (!path.is_empty()).then(|| PathBuf::from(path))
}

mod load;

pub use load::SettingsError;

#[cfg(test)]
mod tests;
