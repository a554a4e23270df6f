//! `Settings`: what an app configures, with Lona's setting names where Lona has one, and
//! `SettingsError`: why settings from a TOML file or the environment were refused.
//!
//! Settings are set in code, then in TOML files applied in order, then by `LONA_*` environment
//! variables; each layer overrides the one before. They are read once, before the server
//! starts: the running server never looks at them again (the seeds' Web-SIG letter).

use std::fmt;
use std::path::{Path, PathBuf};
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
    /// Daemon views one session may hold. At the cap, the session's daemon that has been
    /// without a window longest is stopped to make room for a new one; if every one shows in
    /// a window, the new view is not made a daemon (it ends with its window).
    pub max_daemons_per_session: usize,
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
            max_daemons_per_session: 10,
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
            max_daemons_per_session,
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

/// Lona's names for settings whose field is named differently here; either name works.
const ALIASES: &[(&str, &str)] = &[
    ("sessions_key_name", "session_cookie_name"),
    ("buckets_url_prefix", "bucket_url_prefix"),
];

/// The prefix of the environment variables that set settings: `LONA_MAX_RUNTIME_THREADS=50`.
pub(crate) const ENV_PREFIX: &str = "LONA_";

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

    /// Applies the settings of a TOML document over these; `origin` names it in errors (a
    /// file's path). Keys are setting names in either case: `max_runtime_threads` or Lona's
    /// `MAX_RUNTIME_THREADS`. Durations are seconds (an integer or a float). Optional paths
    /// take `""` for "none".
    ///
    /// ```
    /// # use lona_server::Settings;
    /// let mut settings = Settings::default();
    /// settings.apply_toml("MAX_RUNTIME_THREADS = 50\nshutdown_timeout = 2.5", "deploy.toml")?;
    /// assert_eq!(settings.max_runtime_threads, 50);
    /// assert_eq!(settings.shutdown_timeout, std::time::Duration::from_millis(2500));
    /// # Ok::<(), lona_server::SettingsError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A document that is not TOML, an unknown key, or a value of the wrong type. Nothing is
    /// changed then.
    pub fn apply_toml(&mut self, text: &str, origin: &str) -> Result<(), SettingsError> {
        let table: toml::Table =
            text.parse()
                .map_err(|error: toml::de::Error| SettingsError::Syntax {
                    origin: origin.to_owned(),
                    message: error.message().to_owned(),
                })?;
        // Applied to a copy so that a bad key leaves the settings as they were.
        let mut next = self.clone();
        for (key, value) in &table {
            next.set(key, Input::Toml(value), origin)?;
        }
        *self = next;
        Ok(())
    }

    /// Reads the TOML file at `path` and applies it (see [`Settings::apply_toml`]).
    ///
    /// # Errors
    ///
    /// An unreadable file, or as [`Settings::apply_toml`], naming the file.
    pub fn load_file(&mut self, path: impl AsRef<Path>) -> Result<(), SettingsError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| SettingsError::Read {
            path: path.to_owned(),
            source,
        })?;
        self.apply_toml(&text, &path.display().to_string())
    }

    /// Applies the TOML files in order: a later file overrides an earlier one.
    ///
    /// # Errors
    ///
    /// As [`Settings::load_file`], for the first file that fails.
    pub fn load_files<P: AsRef<Path>>(
        &mut self,
        paths: impl IntoIterator<Item = P>,
    ) -> Result<(), SettingsError> {
        paths.into_iter().try_for_each(|path| self.load_file(path))
    }

    /// Applies the process's `LONA_*` environment variables (see [`Settings::apply_env`]).
    ///
    /// # Errors
    ///
    /// As [`Settings::apply_env`].
    pub fn load_env(&mut self) -> Result<(), SettingsError> {
        self.apply_env(std::env::vars_os().filter_map(|(name, value)| {
            // A variable that is not UTF-8 cannot be a setting of ours.
            Some((name.into_string().ok()?, value.into_string().ok()?))
        }))
    }

    /// Applies the variables named `LONA_` + a setting's name in upper case
    /// (`LONA_MAX_RUNTIME_THREADS=50`). Values are written as in TOML without quotes for
    /// strings: `50`, `true`, `2.5`, `Lona`; lists are comma-separated (`a.css,b.js`) or a TOML
    /// array. Other `LONA_*` variables are ignored: the prefix is shared with tools and tests
    /// (`LONA_ADDR`, `LONA_SKIP_BROWSER_TESTS`), so an unknown one is not an error.
    ///
    /// # Errors
    ///
    /// A value of the wrong type, naming the variable. Nothing is changed then.
    pub fn apply_env(
        &mut self,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<(), SettingsError> {
        let mut vars: Vec<_> = vars
            .into_iter()
            .filter_map(|(name, value)| {
                let key = name.strip_prefix(ENV_PREFIX)?.to_ascii_lowercase();
                (canonical(&key).is_some() && name.bytes().all(|b| !b.is_ascii_lowercase()))
                    .then_some((name, key, value))
            })
            .collect();
        // The environment has no order; sorting makes the first error reported stable.
        vars.sort();
        let mut next = self.clone();
        for (name, key, value) in &vars {
            next.set(
                key,
                Input::Env(value),
                &format!("environment variable {name}"),
            )?;
        }
        *self = next;
        Ok(())
    }

    /// The settings as a TOML document, every setting with its value, in declaration order;
    /// what `my-app settings` prints. Settings that are `None` are written as comments.
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        macro_rules! write_all {
            ($($field:ident),* $(,)?) => {$(
                let value = if stringify!($field) == "session_secret" {
                    // A secret is not printed: the output ends up in terminals and tickets.
                    None
                } else if stringify!($field) == "shell_server_url" {
                    self.shell_server_url
                        .as_ref()
                        .map(|path| toml::Value::String(format!("file://{}", path.display())))
                } else {
                    SettingValue::to_toml(&self.$field)
                };
                if stringify!($field) == "session_secret" && self.session_secret.is_some() {
                    out.push_str("# session_secret is set (not printed)\n");
                } else {
                    write_line(&mut out, stringify!($field), value);
                }
            )*};
        }
        for_each_setting!(write_all);
        out
    }

    fn set(&mut self, key: &str, input: Input<'_>, origin: &str) -> Result<(), SettingsError> {
        let Some(field) = canonical(&key.to_ascii_lowercase()) else {
            return Err(SettingsError::UnknownKey {
                key: key.to_owned(),
                origin: origin.to_owned(),
            });
        };
        let wrong_type = |expected: &'static str| SettingsError::WrongType {
            key: key.to_owned(),
            origin: origin.to_owned(),
            expected,
            found: input.describe(),
        };
        if field == "shell_server_url" {
            let url: Option<PathBuf> = input.read().ok_or_else(|| wrong_type("a file:// URL"))?;
            self.shell_server_url = match url {
                None => None,
                Some(url) => Some(
                    shell_socket_path(&url.to_string_lossy())
                        .ok_or_else(|| wrong_type("a file:// URL"))?,
                ),
            };
            return Ok(());
        }
        macro_rules! set_field {
            ($($field:ident),* $(,)?) => {
                match field {
                    $(stringify!($field) => {
                        self.$field = input
                            .read()
                            .ok_or_else(|| wrong_type(expected_of(&self.$field)))?;
                    })*
                    _ => unreachable!("canonical() returned a name the list does not have"),
                }
            };
        }
        for_each_setting!(set_field);
        Ok(())
    }
}

/// The socket path of a `file://PATH` URL, the only kind of shell server URL there is; `None`
/// for anything else (TCP would make the shell reachable from the network).
pub(crate) fn shell_socket_path(url: &str) -> Option<PathBuf> {
    let path = url.strip_prefix("file://")?;
    (!path.is_empty()).then(|| PathBuf::from(path))
}

/// The field a key names, through Lona's aliases; `key` is lower case.
fn canonical(key: &str) -> Option<&'static str> {
    if let Some(&(_, field)) = ALIASES.iter().find(|(alias, _)| *alias == key) {
        return Some(field);
    }
    Settings::names().iter().copied().find(|name| *name == key)
}

fn expected_of<T: SettingValue>(_: &T) -> &'static str {
    T::EXPECTED
}

fn write_line(out: &mut String, key: &str, value: Option<toml::Value>) {
    use std::fmt::Write as _;
    match value {
        Some(value) => {
            let _ = writeln!(out, "{key} = {value}");
        }
        None => {
            let _ = writeln!(out, "# {key} is not set");
        }
    }
}

/// Parses one TOML value (`50`, `[1, 2]`), as the right-hand side of a key.
fn parse_value(text: &str) -> Option<toml::Value> {
    let mut table: toml::Table = format!("value = {text}").parse().ok()?;
    table.remove("value")
}

/// A value as given in a TOML file or in an environment variable.
#[derive(Debug, Clone, Copy)]
enum Input<'a> {
    Toml(&'a toml::Value),
    Env(&'a str),
}

impl Input<'_> {
    fn read<T: SettingValue>(self) -> Option<T> {
        match self {
            Input::Toml(value) => T::from_toml(value),
            Input::Env(text) => T::from_env(text),
        }
    }

    /// What was found instead, for the error message.
    fn describe(self) -> String {
        match self {
            Input::Toml(value) => format!("{} {value}", value.type_str()),
            Input::Env(text) => format!("{text:?}"),
        }
    }
}

/// A type a setting can have: how it is read from TOML and from an environment variable, and
/// written back as TOML.
trait SettingValue: Sized {
    /// What the error says was expected.
    const EXPECTED: &'static str;
    fn from_toml(value: &toml::Value) -> Option<Self>;
    fn from_env(text: &str) -> Option<Self> {
        // Most values are written in the environment as they would be in TOML.
        Self::from_toml(&parse_value(text)?)
    }
    /// `None` for a value TOML cannot hold (an absent optional).
    fn to_toml(&self) -> Option<toml::Value>;
}

macro_rules! unsigned {
    ($($ty:ty),*) => {$(
        impl SettingValue for $ty {
            const EXPECTED: &'static str = "a non-negative integer";
            fn from_toml(value: &toml::Value) -> Option<Self> {
                value.as_integer().and_then(|n| <$ty>::try_from(n).ok())
            }
            fn from_env(text: &str) -> Option<Self> {
                text.trim().parse().ok()
            }
            fn to_toml(&self) -> Option<toml::Value> {
                // Values beyond i64 cannot be written; none of ours come near.
                i64::try_from(*self).ok().map(toml::Value::Integer)
            }
        }
    )*};
}
unsigned!(usize, u64, u32);

impl SettingValue for bool {
    const EXPECTED: &'static str = "true or false";
    fn from_toml(value: &toml::Value) -> Option<Self> {
        value.as_bool()
    }
    fn from_env(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Some(true),
            "false" | "0" | "no" | "off" => Some(false),
            _ => None,
        }
    }
    fn to_toml(&self) -> Option<toml::Value> {
        Some(toml::Value::Boolean(*self))
    }
}

impl SettingValue for String {
    const EXPECTED: &'static str = "a string";
    fn from_toml(value: &toml::Value) -> Option<Self> {
        value.as_str().map(str::to_owned)
    }
    fn from_env(text: &str) -> Option<Self> {
        Some(text.to_owned())
    }
    fn to_toml(&self) -> Option<toml::Value> {
        Some(toml::Value::String(self.clone()))
    }
}

impl SettingValue for PathBuf {
    const EXPECTED: &'static str = "a path";
    fn from_toml(value: &toml::Value) -> Option<Self> {
        value.as_str().map(PathBuf::from)
    }
    fn from_env(text: &str) -> Option<Self> {
        Some(PathBuf::from(text))
    }
    fn to_toml(&self) -> Option<toml::Value> {
        Some(toml::Value::String(self.display().to_string()))
    }
}

impl SettingValue for Option<PathBuf> {
    const EXPECTED: &'static str = "a path, or \"\" for none";
    fn from_toml(value: &toml::Value) -> Option<Self> {
        let text = value.as_str()?;
        Some((!text.is_empty()).then(|| PathBuf::from(text)))
    }
    fn from_env(text: &str) -> Option<Self> {
        Some((!text.is_empty()).then(|| PathBuf::from(text)))
    }
    fn to_toml(&self) -> Option<toml::Value> {
        self.as_ref().and_then(SettingValue::to_toml)
    }
}

impl SettingValue for Option<String> {
    const EXPECTED: &'static str = "a string, or \"\" for none";
    fn from_toml(value: &toml::Value) -> Option<Self> {
        let text = value.as_str()?;
        Some((!text.is_empty()).then(|| text.to_owned()))
    }
    fn from_env(text: &str) -> Option<Self> {
        Some((!text.is_empty()).then(|| text.to_owned()))
    }
    fn to_toml(&self) -> Option<toml::Value> {
        self.clone().map(toml::Value::String)
    }
}

impl<T: SettingValue> SettingValue for Vec<T> {
    const EXPECTED: &'static str = "an array";
    fn from_toml(value: &toml::Value) -> Option<Self> {
        value.as_array()?.iter().map(T::from_toml).collect()
    }
    fn from_env(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.starts_with('[') {
            return Self::from_toml(&parse_value(text)?);
        }
        // Comma-separated is what a shell user types; empty means an empty list.
        text.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(T::from_env)
            .collect()
    }
    fn to_toml(&self) -> Option<toml::Value> {
        self.iter()
            .map(T::to_toml)
            .collect::<Option<_>>()
            .map(toml::Value::Array)
    }
}

impl SettingValue for Option<Duration> {
    const EXPECTED: &'static str = "a number of seconds, or \"\" for none";
    fn from_toml(value: &toml::Value) -> Option<Self> {
        match value {
            toml::Value::String(text) if text.is_empty() => Some(None),
            _ => Duration::from_toml(value).map(Some),
        }
    }
    fn from_env(text: &str) -> Option<Self> {
        if text.trim().is_empty() {
            return Some(None);
        }
        Duration::from_env(text).map(Some)
    }
    fn to_toml(&self) -> Option<toml::Value> {
        self.as_ref().and_then(SettingValue::to_toml)
    }
}

impl SettingValue for Duration {
    const EXPECTED: &'static str = "a number of seconds";
    fn from_toml(value: &toml::Value) -> Option<Self> {
        let seconds = match value {
            toml::Value::Integer(n) => *n as f64,
            toml::Value::Float(x) => *x,
            _ => return None,
        };
        Duration::try_from_secs_f64(seconds).ok()
    }
    fn from_env(text: &str) -> Option<Self> {
        Duration::try_from_secs_f64(text.trim().parse().ok()?).ok()
    }
    fn to_toml(&self) -> Option<toml::Value> {
        Some(if self.subsec_nanos() == 0 {
            i64::try_from(self.as_secs())
                .map_or(toml::Value::Float(self.as_secs_f64()), toml::Value::Integer)
        } else {
            toml::Value::Float(self.as_secs_f64())
        })
    }
}

/// Why settings from a file or the environment were refused. The server does not start.
#[derive(Debug)]
#[non_exhaustive]
pub enum SettingsError {
    /// A settings file could not be read; check the path given with `-s`.
    Read {
        /// The file.
        path: PathBuf,
        /// Why it could not be read.
        source: std::io::Error,
    },
    /// A settings file is not valid TOML; fix the line the message names.
    Syntax {
        /// The file.
        origin: String,
        /// The TOML parser's message.
        message: String,
    },
    /// A key is not a setting (a typo, or a Lona setting lona has no use for); remove or
    /// rename it.
    UnknownKey {
        /// The key as written.
        key: String,
        /// The file, or `environment variable LONA_...`.
        origin: String,
    },
    /// A setting has a value of the wrong type; fix the value.
    WrongType {
        /// The key as written.
        key: String,
        /// The file, or `environment variable LONA_...`.
        origin: String,
        /// What the setting takes.
        expected: &'static str,
        /// What was given.
        found: String,
    },
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SettingsError::Read { path, source } => {
                write!(f, "cannot read settings file {}: {source}", path.display())
            }
            SettingsError::Syntax { origin, message } => {
                write!(f, "{origin} is not valid TOML: {}", message.trim_end())
            }
            SettingsError::UnknownKey { key, origin } => {
                write!(f, "unknown setting `{key}` in {origin}")
            }
            SettingsError::WrongType {
                key,
                origin,
                expected,
                found,
            } => write!(
                f,
                "setting `{key}` in {origin}: expected {expected}, found {found}"
            ),
        }
    }
}

impl std::error::Error for SettingsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SettingsError::Read { source, .. } => Some(source),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
