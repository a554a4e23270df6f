//! `Settings`: what an app configures, with Lona's setting names where Lona has one.

use std::time::Duration;

/// The settings of an app. Field names follow Lona's settings (`MAX_RUNTIME_THREADS` is
/// `max_runtime_threads`), lower-cased.
#[derive(Debug, Clone)]
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
    /// The session cookie (`SESSIONS_KEY_NAME`).
    pub session_cookie_name: String,
    /// Mark the session cookie `Secure` (set it when the site is served over HTTPS).
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
    /// Backlog (frames and patches) from which a slow client's updates are merged.
    pub outbox_merge_at: usize,
    /// Backlog at which a slow client is disconnected (it reconnects and re-attaches).
    pub outbox_close_at: usize,
    /// A Redis server that carries channel messages between processes, e.g.
    /// `redis://127.0.0.1:6379/`. When set, the server connects at startup (and fails to start
    /// if it cannot) and registers `Channels` over a [`crate::RedisBroker`] as app state,
    /// replacing any `Channels` registered in code.
    pub channel_broker_url: Option<String>,
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
            outbox_merge_at: 64,
            outbox_close_at: 1024,
            channel_broker_url: None,
        }
    }
}
