//! The admin shell: a line protocol on a unix socket (mode 0600) that the running server
//! answers. Its client, `attach` (what `my-app shell` runs) and `request`, is in `lona-shell`.
//!
//! Lona's shell is a Python REPL on the live server. A Rust process has no REPL, so ours is a
//! fixed set of commands over the live objects (views, pools, sockets, routes...). It is
//! never served over TCP: only a local user who may open the socket file gets in. The
//! protocol is in `docs/shell.md`.

mod text;
mod views;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use lona_protocol::RuntimeId;
use serde_json::{Map, Value as Json, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader as AsyncBufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::watch;

use crate::state::State;
use crate::target::Target;

use self::text::to_text;

// The client is in `lona-shell` (feature `shell`); re-exported so `lona::server::shell::request`
// stays.
#[cfg(feature = "shell")]
pub use lona_shell::{attach, request};

/// The longest command line the shell reads; a longer one is refused and the connection
/// closed, so a stray `cat bigfile` cannot make the server buffer without bound.
pub const MAX_LINE: usize = 4096;

/// Shell connections served at once; more wait in the listen backlog. An operator needs a
/// few, and each holds a task and a buffer.
const MAX_CONNECTIONS: usize = 16;

/// The commands, with their one-line help, in the order `help` lists them.
const COMMANDS: &[(&str, &str)] = &[
    ("help", "this list"),
    (
        "info",
        "version, uptime, pid, pool sizes, open views and sockets",
    ),
    (
        "pools",
        "per pool: threads, busy, queued, done, panics; stuck views",
    ),
    (
        "views [--sort id|memory|events|latency|bytes] [--limit N]",
        "running views: id, route, path, session, age, daemon, state, windows, handlers, events, latency, bytes sent, memory",
    ),
    (
        "view VIEW_ID",
        "one view's accounting: events, latency histogram, bytes sent, memory by part",
    ),
    ("stop VIEW_ID", "stops one view; its windows get VIEW_STOP"),
    (
        "connections",
        "open browser sockets: id, session, queued messages",
    ),
    (
        "routes [PATH]",
        "routes in match order: pattern, name, kind; with a PATH, the route it takes",
    ),
    ("settings", "the settings the server runs with"),
    (
        "templates",
        "every template name and where it comes from: code, a folder, built in",
    ),
    (
        "buckets",
        "open upload buckets: id, session, files, bytes, limits",
    ),
    ("static", "static URL prefix, folders and every file served"),
    ("state", "the server state map (server.state) as JSON"),
    ("middlewares", "middlewares in the order they run"),
    (
        "channels",
        "channel subscriptions and counters, if the app registered Channels",
    ),
];

/// Whether `name` is a built-in command, which an app's own command may not shadow.
pub(crate) fn is_built_in(name: &str) -> bool {
    COMMANDS
        .iter()
        .any(|(command, _)| command.split_whitespace().next() == Some(name))
}

/// A command an app added with [`crate::App::shell_command`].
#[derive(Clone)]
pub(crate) struct CustomCommand {
    pub(crate) name: String,
    pub(crate) help: String,
    pub(crate) run: Arc<ShellHandler>,
}

/// The code of a command added with [`crate::App::shell_command`].
pub(crate) type ShellHandler = dyn Fn(&ShellCall<'_>) -> Result<Json, String> + Send + Sync;

/// What a command added with [`crate::App::shell_command`] gets: the words after its name,
/// and the app's state.
#[derive(Debug)]
pub struct ShellCall<'a> {
    args: &'a [String],
    state: &'a lona_runtime::AppState,
}

impl ShellCall<'_> {
    /// The words after the command's name, split at whitespace.
    pub fn args(&self) -> &[String] {
        self.args
    }

    /// The app state of type `T` (see [`crate::App::state`]).
    pub fn state<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        self.state.get::<T>()
    }
}

/// A socket file bound by the server, removed at shutdown if it is still ours.
pub(crate) struct ShellSocket {
    listener: std::os::unix::net::UnixListener,
    path: PathBuf,
    /// Device and inode of the socket file, so shutdown never removes a file that another
    /// process bound at the same path since.
    id: (u64, u64),
}

/// Binds the shell socket at `path` with mode 0600 and no moment when it is reachable with a
/// wider mode: it is bound in a fresh private folder (mode 0700) beside `path`, set to 0600,
/// then renamed into place. A stale socket file at `path` is replaced only if nothing
/// answers on it; any other file there is an error.
pub(crate) fn bind(path: &Path) -> std::io::Result<ShellSocket> {
    use std::os::unix::fs::DirBuilderExt;
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        use std::os::unix::fs::FileTypeExt;
        if !meta.file_type().is_socket() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                format!("{} exists and is not a socket", path.display()),
            ));
        }
        if std::os::unix::net::UnixStream::connect(path).is_ok() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AddrInUse,
                format!("a server already listens on {}", path.display()),
            ));
        }
    }
    let name = path.file_name().ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("{} names no file", path.display()),
        )
    })?;
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let private = parent.join(format!(
        ".{}.{}.lona-shell",
        name.to_string_lossy(),
        std::process::id()
    ));
    std::fs::DirBuilder::new().mode(0o700).create(&private)?;
    let bound = (|| {
        let inner = private.join("s");
        let listener = std::os::unix::net::UnixListener::bind(&inner)?;
        std::fs::set_permissions(&inner, std::fs::Permissions::from_mode(0o600))?;
        // Atomic, and it replaces the stale socket checked above.
        std::fs::rename(&inner, path)?;
        Ok::<_, std::io::Error>(listener)
    })();
    let _ = std::fs::remove_dir_all(&private);
    let listener = bound?;
    listener.set_nonblocking(true)?;
    let meta = std::fs::symlink_metadata(path)?;
    Ok(ShellSocket {
        listener,
        path: path.to_owned(),
        id: (meta.dev(), meta.ino()),
    })
}

/// Serves shell connections until `stopped` changes, then removes the socket file. Each
/// connection is a tokio task: commands only read counters and lists under short locks, so
/// none blocks a tokio worker.
pub(crate) async fn serve(
    socket: ShellSocket,
    state: Arc<State>,
    commands: Arc<[CustomCommand]>,
    started: Instant,
    mut stopped: watch::Receiver<bool>,
) {
    let ShellSocket { listener, path, id } = socket;
    let listener = match UnixListener::from_std(listener) {
        Ok(listener) => listener,
        Err(error) => {
            tracing::error!(%error, "the admin shell cannot listen");
            return;
        }
    };
    tracing::info!(path = %path.display(), "admin shell listens");
    let mut connections = tokio::task::JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(error) => {
                        tracing::warn!(%error, "admin shell accept failed");
                        continue;
                    }
                };
                if connections.len() >= MAX_CONNECTIONS {
                    let mut stream = stream;
                    let _ = stream.write_all(b"error: too many shell connections\n\n").await;
                    continue;
                }
                let state = Arc::clone(&state);
                let commands = Arc::clone(&commands);
                connections.spawn(async move {
                    if let Err(error) = connection(stream, &state, &commands, started).await {
                        tracing::debug!(%error, "admin shell connection ended with an error");
                    }
                });
            }
            _ = stopped.changed() => break,
        }
    }
    // Dropping the set aborts the open shell connections.
    drop(connections);
    drop(listener);
    let ours = std::fs::symlink_metadata(&path).is_ok_and(|m| (m.dev(), m.ino()) == id);
    if ours && let Err(error) = std::fs::remove_file(&path) {
        tracing::warn!(%error, path = %path.display(), "cannot remove the admin shell socket");
    }
}

async fn connection(
    stream: UnixStream,
    state: &State,
    commands: &[CustomCommand],
    started: Instant,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut read = AsyncBufReader::new(read);
    let mut line = Vec::new();
    loop {
        line.clear();
        // One byte over the limit tells a too-long line from one exactly at it.
        let n = (&mut read)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut line)
            .await?;
        if n == 0 {
            return Ok(());
        }
        if line.last() != Some(&b'\n') && line.len() > MAX_LINE {
            let answer = Answer::error(format!("line longer than {MAX_LINE} bytes refused"));
            write.write_all(answer.encode(true).as_bytes()).await?;
            return Ok(());
        }
        let Ok(text) = std::str::from_utf8(&line) else {
            write
                .write_all(
                    Answer::error("the line is not UTF-8")
                        .encode(false)
                        .as_bytes(),
                )
                .await?;
            continue;
        };
        let (command, json) = parse_line(text.trim());
        let answer = match command {
            Ok(command) if command.is_empty() => continue,
            Ok(command) => {
                let mut words = command.split_whitespace();
                let name = words.next().unwrap_or_default();
                match commands.iter().find(|c| c.name == name) {
                    Some(custom) => {
                        let args = words.map(str::to_owned).collect();
                        run_custom(custom, args, state.runtime.state().clone()).await
                    }
                    None => run(&command, state, commands, started),
                }
            }
            Err(error) => Answer::error(error),
        };
        write.write_all(answer.encode(json).as_bytes()).await?;
    }
}

/// A request line: `COMMAND ARGS`, `json COMMAND ARGS`, or a JSON object
/// `{"command": "COMMAND ARGS", "json": true}`. Returns the command and whether the answer
/// is JSON.
fn parse_line(line: &str) -> (Result<String, String>, bool) {
    if line.starts_with('{') {
        let request: Json = match serde_json::from_str(line) {
            Ok(request) => request,
            Err(error) => return (Err(format!("bad JSON request: {error}")), true),
        };
        let json = request.get("json").and_then(Json::as_bool).unwrap_or(true);
        return match request.get("command").and_then(Json::as_str) {
            Some(command) => (Ok(command.trim().to_owned()), json),
            None => (
                Err("the JSON request has no \"command\" string".to_owned()),
                json,
            ),
        };
    }
    match line.strip_prefix("json ") {
        Some(rest) => (Ok(rest.trim().to_owned()), true),
        None if line == "json" => (Ok(String::new()), true),
        None => (Ok(line.to_owned()), false),
    }
}

/// One answer: a JSON value to show, or an error message.
struct Answer(Result<Json, String>);

impl Answer {
    fn error(message: impl Into<String>) -> Answer {
        Answer(Err(message.into()))
    }

    /// JSON: one line, `{"ok":true,"result":...}` or `{"ok":false,"error":"..."}`. Text: the
    /// result as readable lines (`error: ...` for an error), ended by an empty line, which
    /// the text itself never holds.
    fn encode(&self, json: bool) -> String {
        if json {
            let value = match &self.0 {
                Ok(result) => json!({"ok": true, "result": result}),
                Err(error) => json!({"ok": false, "error": error}),
            };
            return format!("{value}\n");
        }
        let text = match &self.0 {
            Ok(result) => to_text(result),
            Err(error) => format!("error: {error}"),
        };
        let mut out = String::with_capacity(text.len() + 2);
        for line in text.lines() {
            // An empty line ends the answer, so one inside it becomes a space.
            out.push_str(if line.is_empty() { " " } else { line });
            out.push('\n');
        }
        out.push('\n');
        out
    }
}

/// Runs an app's command on a blocking thread: it is the app's code, which may block or
/// panic, and neither may stall the I/O thread that serves the shell.
async fn run_custom(
    command: &CustomCommand,
    args: Vec<String>,
    app_state: lona_runtime::AppState,
) -> Answer {
    let run = Arc::clone(&command.run);
    let ran = tokio::task::spawn_blocking(move || {
        run(&ShellCall {
            args: &args,
            state: &app_state,
        })
    })
    .await;
    match ran {
        Ok(result) => Answer(result),
        Err(error) => {
            let name = &command.name;
            tracing::error!(command = %name, %error, "an admin shell command panicked");
            Answer::error(format!(
                "`{name}` panicked; the server's log has the message"
            ))
        }
    }
}

fn run(line: &str, state: &State, commands: &[CustomCommand], started: Instant) -> Answer {
    let mut words = line.split_whitespace();
    let command = words.next().unwrap_or_default();
    let args: Vec<&str> = words.collect();
    let takes_no_args = |value: Json| {
        if args.is_empty() {
            Answer(Ok(value))
        } else {
            Answer::error(format!("`{command}` takes no arguments"))
        }
    };
    match command {
        "help" => takes_no_args(Json::Array(
            COMMANDS
                .iter()
                .map(|&(name, what)| (name, what))
                .chain(commands.iter().map(|c| (c.name.as_str(), c.help.as_str())))
                .map(|(name, what)| json!({"command": name, "does": what}))
                .collect(),
        )),
        "info" => takes_no_args(info(state, started)),
        "pools" => takes_no_args(pools(state)),
        "views" => views::views(state, &args),
        "view" => views::view(state, &args),
        "stop" => stop(state, &args),
        "connections" => takes_no_args(connections(state)),
        "routes" => match args.as_slice() {
            [] => Answer(Ok(routes(state))),
            [path] => route_of(state, path),
            _ => Answer::error("usage: routes [PATH]"),
        },
        "settings" => {
            takes_no_args(json!({"settings": format!("{:#?}", shown_settings(&state.settings))}))
        }
        "static" => {
            if args.is_empty() {
                statics(state)
            } else {
                Answer::error("`static` takes no arguments")
            }
        }
        "state" => takes_no_args(server_state(state)),
        "templates" => takes_no_args(Json::Array(
            state
                .templates
                .listing()
                .into_iter()
                .map(|(name, from)| json!({"template": name, "from": from}))
                .collect(),
        )),
        "buckets" => takes_no_args(buckets(state)),
        "channels" => {
            if args.is_empty() {
                channels(state)
            } else {
                Answer::error("`channels` takes no arguments")
            }
        }
        "middlewares" => takes_no_args(Json::Array(
            state
                .middlewares
                .0
                .iter()
                .map(|m| json!({"middleware": m.name()}))
                .collect(),
        )),
        _ => Answer::error(format!("unknown command `{command}`; `help` lists them")),
    }
}

fn info(state: &State, started: Instant) -> Json {
    let metrics = state.runtime.metrics();
    json!({
        "version": env!("CARGO_PKG_VERSION"),
        "pid": std::process::id(),
        "uptime_seconds": started.elapsed().as_secs(),
        "runtime_threads": metrics.runtime_pool.threads,
        "worker_threads": metrics.worker_pool.threads,
        "static_threads": metrics.static_pool.threads,
        "views": metrics.views,
        "daemons": metrics.daemons,
        "connections": state.open_sockets().len(),
    })
}

fn pools(state: &State) -> Json {
    let metrics = state.runtime.metrics();
    let pool = |name: &str, m: lona_runtime::PoolMetrics| {
        json!({
            "pool": name,
            "threads": m.threads,
            "busy": m.busy,
            "queued": m.queued,
            "done": m.done,
            "panics": m.panics,
        })
    };
    json!({
        "pools": [
            pool("runtime", metrics.runtime_pool),
            pool("worker", metrics.worker_pool),
            pool("static", metrics.static_pool),
        ],
        "stuck_views": metrics.stuck,
        "view_panics": metrics.view_panics,
        "events_dispatched": metrics.events_dispatched,
        "events_rejected": metrics.events_rejected,
    })
}

/// The settings as the shell shows them: the session key is not, it ends up in terminals and
/// tickets.
fn shown_settings(settings: &crate::Settings) -> crate::Settings {
    let mut shown = settings.clone();
    if shown.session_secret.is_some() {
        shown.session_secret = Some("(set, not shown)".to_owned());
    }
    shown
}

/// A session id cut to its first characters: enough to tell sessions apart, not enough to
/// hijack one from a copied screen.
fn short_session(session: &str) -> String {
    let short: String = session.chars().take(8).collect();
    if short.len() < session.len() {
        format!("{short}…")
    } else {
        short
    }
}

fn stop(state: &State, args: &[&str]) -> Answer {
    let [id] = args else {
        return Answer::error("usage: stop VIEW_ID");
    };
    let Ok(id) = id.parse::<u64>() else {
        return Answer::error(format!("`{id}` is not a view id (a number, see `views`)"));
    };
    if state.runtime.stop_view(RuntimeId(id)) {
        tracing::info!(view = id, "view stopped from the admin shell");
        Answer(Ok(json!({"stopped": id})))
    } else {
        Answer::error(format!("no running view {id}"))
    }
}

fn connections(state: &State) -> Json {
    let mut open = state.open_sockets();
    open.sort_by_key(|c| c.id().0);
    Json::Array(
        open.iter()
            .map(|c| {
                json!({
                    "id": c.id().0,
                    "session": short_session(&c.session().0),
                    "queued": c.queued(),
                    "merges": c.merges(),
                    "closed": c.is_closed(),
                })
            })
            .collect(),
    )
}

fn route_kind(target: &Target) -> &'static str {
    match target {
        Target::View(..) => "view",
        Target::Page(_) => "view (not interactive)",
        Target::Http(_) => "http",
        Target::AsyncHttp(_) => "http (async)",
    }
}

fn routes(state: &State) -> Json {
    Json::Array(
        state
            .router
            .routes()
            .map(|(pattern, name, target)| {
                json!({"pattern": pattern.as_str(), "name": name, "kind": route_kind(target)})
            })
            .collect(),
    )
}

/// The route a path takes (Lona's `%lona_routes -r URL`), with its URL arguments.
fn route_of(state: &State, path: &str) -> Answer {
    // A whole URL works too: its path is what routes match.
    let path = path.split_once("://").map_or(path, |(_, rest)| {
        rest.find('/').map_or("/", |at| &rest[at..])
    });
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let found = state.router.routes().find_map(|(pattern, name, target)| {
        let args = pattern.matches(path)?;
        Some(json!({
            "pattern": pattern.as_str(),
            "name": name,
            "kind": route_kind(target),
            "args": args
                .into_iter()
                .map(|(name, value)| (name, Json::String(value)))
                .collect::<Map<String, Json>>(),
        }))
    });
    match found {
        Some(route) => Answer(Ok(route)),
        None => Answer::error(format!("no route matches {path}: it is answered with 404")),
    }
}

fn statics(state: &State) -> Answer {
    // Walks the static folders: small for an admin's look, and never on a view's thread.
    match state.statics.names() {
        Ok(files) => Answer(Ok(json!({
            "url_prefix": state.statics.url_prefix(),
            "dirs": state.settings.static_dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>(),
            "files": files,
        }))),
        Err(error) => Answer::error(format!("cannot list the static files: {error}")),
    }
}

fn channels(state: &State) -> Answer {
    // Channels are app state: the server puts local ones there unless the app has its own.
    let Some(channels) = state.runtime.state().get::<lona_channels::Channels>() else {
        return Answer::error("the app has no Channels");
    };
    let metrics = channels.metrics();
    Answer(Ok(json!({
        "published": metrics.published,
        "delivered": metrics.delivered,
        "dropped": metrics.dropped,
        "handler_panics": metrics.handler_panics,
        "queued": metrics.queued,
        "threads": metrics.threads,
        "subscriptions": channels
            .subscriptions()
            .into_iter()
            .map(|(pattern, count)| json!({"pattern": pattern, "subscriptions": count}))
            .collect::<Vec<_>>(),
    })))
}

fn server_state(state: &State) -> Json {
    let Some(server_state) = state.runtime.state().get::<lona_runtime::ServerState>() else {
        return Json::Object(Map::new());
    };
    let guard = server_state.lock();
    let mut map = Map::new();
    for key in guard.keys() {
        if let Some(value) = guard.get(&key) {
            map.insert(key, html_value(value));
        }
    }
    Json::Object(map)
}

fn html_value(value: &lona_html::Value) -> Json {
    use lona_html::Value;
    match value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Value::String(s) => Json::String(s.clone()),
        Value::List(items) => Json::Array(items.iter().map(html_value).collect()),
        Value::Map(pairs) => Json::Object(
            pairs
                .iter()
                .map(|(k, v)| (k.clone(), html_value(v)))
                .collect(),
        ),
    }
}

/// `buckets`: the open upload buckets (none without the `uploads` feature).
fn buckets(state: &State) -> Json {
    #[cfg(feature = "uploads")]
    if let Some(registry) = state.runtime.state().get::<lona_uploads::Registry>() {
        return registry.listing();
    }
    let _ = state;
    Json::Array(Vec::new())
}
