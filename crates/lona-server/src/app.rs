//! `App`: the app being set up, a plain list of calls that add routes, middlewares,
//! templates, static files, state and shell commands. Starting it is in [`spawn`], running it
//! from `main` in [`run`]; the running app is a [`crate::Server`].

use std::sync::Arc;

use lona_runtime::{AsyncView, Request, View, ViewFactory};

use crate::error::ServerError;
use crate::handler::{HttpFuture, HttpRequest};
use crate::middleware::{Hooked, Middlewares};
use crate::response::HttpResponse;
use crate::routing::{Pattern, Router};
use crate::settings::Settings;
use crate::tasks::{TaskContext, TaskSpec};
// The admin shell names route kinds through here.
pub(crate) use crate::target::Target;

/// An app: its routes, settings and templates. A whole app is one `main.rs`:
///
/// ```no_run
/// use lona_server::App;
/// use lona_runtime::{Context, Request, Response, View, ViewResult};
/// use lona_html::tags::h1;
///
/// struct Hello;
///
/// impl View for Hello {
///     fn handle_request(&self, _cx: &Context, _request: &Request) -> ViewResult {
///         Ok(Response::Node(h1().with_text("Hello")))
///     }
/// }
///
/// let mut app = App::new();
/// app.view("/", |_| Hello);
/// app.run("127.0.0.1:8080").expect("the server runs");
/// ```
pub struct App {
    /// The settings; change them before `run`.
    pub settings: Settings,
    router: Router<Target>,
    #[cfg(feature = "templates")]
    templates: crate::frontend::TemplateConfig,
    static_files: Vec<lona_static::StaticFile>,
    /// Files given in code with [`App::add_static_file`].
    embedded: Vec<lona_static::EmbeddedFile>,
    state: lona_runtime::AppState,
    middlewares: Vec<Arc<dyn crate::Middleware>>,
    /// Filled at start; views built before read it per request.
    middleware_slot: Arc<std::sync::OnceLock<Middlewares>>,
    /// The first mistake in setting the app up (a bad route pattern, a bad shell command
    /// name), reported by `spawn` so that setup reads as a plain list of calls.
    setup_error: Option<ServerError>,
    /// Where the admin shell listens, if anywhere ([`App::shell_socket`]).
    #[cfg(feature = "shell")]
    shell: Option<std::path::PathBuf>,
    /// Commands the app added to the admin shell ([`App::shell_command`]).
    #[cfg(feature = "shell")]
    shell_commands: Vec<crate::shell::CustomCommand>,
    /// Background tasks ([`App::task`], [`App::async_task`]), started once the server is up.
    tasks: Vec<crate::tasks::TaskSpec>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("settings", &self.settings)
            .field(
                "routes",
                &self
                    .router
                    .routes()
                    .map(|(p, n, _)| (p.as_str(), n))
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl Default for App {
    fn default() -> App {
        App::new()
    }
}

/// Configures the route just added: its name, and whether a view route is interactive.
#[derive(Debug)]
pub struct RouteName<'a> {
    /// `None` if the route's pattern did not compile (the error is reported at start).
    router: Option<&'a mut Router<Target>>,
}

impl RouteName<'_> {
    /// Gives the route a name, for [`crate::Server::reverse`] and `reverse()` in templates.
    pub fn name(mut self, name: &str) -> Self {
        if let Some(router) = self.router.as_deref_mut() {
            router.set_last_name(name.to_owned());
        }
        self
    }

    /// Lona's `interactive=False`: the view runs once per HTTP request, on the runtime pool,
    /// and its response (the tree it returns, or the one it showed last) is the page; no
    /// frontend page, no client, no socket. A wait for input fails at once, since no browser
    /// will send any. Redirects become 302s and errors the 403/404/500 pages with their
    /// status. For JSON, files or custom headers, use [`App::http`]. Does nothing for other
    /// routes than views.
    pub fn interactive(mut self, interactive: bool) -> Self {
        let target = self.router.as_deref_mut().and_then(Router::last_target_mut);
        if let Some(target) = target
            && let Target::View(factory, _) | Target::Page(factory) = target
        {
            let factory = factory.clone();
            *target = if interactive {
                Target::View(factory, None)
            } else {
                Target::Page(factory)
            };
        }
        self
    }

    /// Makes the view route a broadcast (`docs/routes-responses-templates.md#broadcast-views`): one running view
    /// per URL (so `/doc/{id}` is one per document), started by its first watcher and watched
    /// by every window, of any session, that opens that URL. A late joiner gets the current
    /// tree; `handle_request` runs once; each patch batch is encoded once and the same bytes
    /// go to every socket. Every watcher's input reaches it, in order (`event.connection`
    /// says whose). It runs until `daemon_idle_timeout` passes without a watcher;
    /// `max_broadcast_views` bounds how many run. Its `Request` is its first watcher's: read
    /// nothing personal from it. Does nothing for other routes than views:
    /// `app.async_view("/score", |_| Score).broadcast();`
    pub fn broadcast(mut self) -> Self {
        let target = self.router.as_deref_mut().and_then(Router::last_target_mut);
        if let Some(Target::View(factory, _)) = target {
            *factory = factory.clone().broadcast();
        }
        self
    }
}

impl App {
    /// An app with default settings and no routes.
    pub fn new() -> App {
        App {
            settings: Settings::default(),
            router: Router::default(),
            #[cfg(feature = "templates")]
            templates: crate::frontend::TemplateConfig::default(),
            static_files: Vec::new(),
            embedded: Vec::new(),
            state: lona_runtime::AppState::default(),
            middlewares: Vec::new(),
            middleware_slot: Arc::new(std::sync::OnceLock::new()),
            setup_error: None,
            #[cfg(feature = "shell")]
            shell: None,
            #[cfg(feature = "shell")]
            shell_commands: Vec::new(),
            tasks: Vec::new(),
        }
    }

    fn add(&mut self, pattern: &str, target: Target) -> RouteName<'_> {
        match Pattern::new(pattern) {
            Ok(pattern) => {
                self.router.add(pattern, None, target);
                RouteName {
                    router: Some(&mut self.router),
                }
            }
            Err(error) => {
                // Reported by `spawn`/`run`, so that route setup reads as a plain list.
                self.setup_error.get_or_insert(ServerError::Route(error));
                RouteName { router: None }
            }
        }
    }

    /// Adds an interactive route whose view is a blocking [`View`], built per request.
    pub fn view<V: View>(
        &mut self,
        pattern: &str,
        make: impl Fn(&Request) -> V + Send + Sync + 'static,
    ) -> RouteName<'_> {
        let slot = Arc::clone(&self.middleware_slot);
        let factory = ViewFactory::blocking(move |request| Hooked {
            view: make(request),
            request: request.clone(),
            middlewares: slot.get().cloned().unwrap_or_default(),
        });
        self.add(pattern, Target::View(factory, None))
    }

    /// Adds an interactive route whose view is an [`AsyncView`], built per request.
    pub fn async_view<V: AsyncView>(
        &mut self,
        pattern: &str,
        make: impl Fn(&Request) -> V + Send + Sync + 'static,
    ) -> RouteName<'_> {
        let slot = Arc::clone(&self.middleware_slot);
        let factory = ViewFactory::asynchronous(move |request| Hooked {
            view: make(request),
            request: request.clone(),
            middlewares: slot.get().cloned().unwrap_or_default(),
        });
        self.add(pattern, Target::View(factory, None))
    }

    /// Adds a middleware after the ones added before (see [`crate::Middleware`]).
    pub fn middleware(&mut self, middleware: impl crate::Middleware) {
        self.middlewares.push(Arc::new(middleware));
    }

    /// Adds a non-interactive route (Lona's `interactive=False` and `http_pass_through`):
    /// `handler` answers each HTTP request, whatever its method, on the worker pool, so it may
    /// block. It gets the raw request (method, headers, body) and Lona's request data.
    pub fn http(
        &mut self,
        pattern: &str,
        handler: impl Fn(&HttpRequest) -> HttpResponse + Send + Sync + 'static,
    ) -> RouteName<'_> {
        self.add(pattern, Target::Http(Arc::new(handler)))
    }

    /// Adds a non-interactive route answered by an async handler on the server's tokio
    /// runtime (Lona's coroutine pass-through views): for handlers that wait on I/O rather
    /// than block. It must not block: use [`App::http`] for blocking code.
    pub fn http_async<F>(
        &mut self,
        pattern: &str,
        handler: impl Fn(HttpRequest) -> F + Send + Sync + 'static,
    ) -> RouteName<'_>
    where
        F: std::future::Future<Output = HttpResponse> + Send + 'static,
    {
        let handler = move |request| -> HttpFuture { Box::pin(handler(request)) };
        self.add(pattern, Target::AsyncHttp(Arc::new(handler)))
    }

    /// Registers a value every view reaches with `cx.state::<T>()` (a database pool, a
    /// channel broker...); one per type. A `ServerState` map (Lona's `server.state`) is
    /// always there; register one here to seed it (Lona's `INITIAL_SERVER_STATE`).
    ///
    /// A value the app also keeps may come in an `Arc`: `app.state(Arc::new(pool))` is found
    /// by `cx.state::<Pool>()`, as that same `Arc`. (Stable Rust cannot tell `Arc<T>` from
    /// another `T` in a generic function, so it is the lookup that unwraps it.)
    pub fn state<T: Send + Sync + 'static>(&mut self, value: T) {
        self.state = std::mem::take(&mut self.state).with(value);
    }

    /// Adds a background task that lives as long as the server: a producer that publishes
    /// readings, a cache refresher, a queue consumer. `run` runs on a thread of its own
    /// (named `lona-task-NAME`), so it may block; it gets a [`TaskContext`] with the app's
    /// state and the shutdown signal.
    ///
    /// - It starts once the server is up: the middlewares' `on_startup` hooks succeeded and
    ///   the port is bound. A server that fails to start never starts it.
    /// - At shutdown its signal is raised before the views are stopped, and the server waits
    ///   up to `task_shutdown_timeout` (5 s) for it to return; a task that ignores the signal
    ///   is logged and left running, and shutdown goes on.
    /// - A panic in it is logged and counted (`lona_task_panics_total`,
    ///   [`crate::Server::task_panics`]); the server goes on.
    ///
    /// ```
    /// use std::time::Duration;
    /// use lona_server::App;
    ///
    /// let mut app = App::new();
    /// app.task("readings", |task| {
    ///     let Some(channels) = task.channels() else { return };
    ///     let mut reading = 0_i64;
    ///     // Sleeps a second, or returns `true` at once when the server shuts down.
    ///     while !task.wait(Duration::from_secs(1)) {
    ///         reading += 1;
    ///         channels.publish("dashboard.readings", reading);
    ///     }
    /// });
    /// ```
    ///
    /// A name that is empty or holds a control character makes [`App::spawn`] fail with
    /// [`ServerError::Task`].
    pub fn task(&mut self, name: &str, run: impl FnOnce(TaskContext) + Send + 'static) {
        if self.check_task_name(name) {
            self.tasks.push(TaskSpec::blocking(name, run));
        }
    }

    /// As [`App::task`], for a task that waits on I/O rather than blocks: the future `run`
    /// returns runs on the server's tokio runtime and must not block. It ends when it
    /// completes; race its work against [`TaskContext::cancelled`] to end at shutdown. One
    /// that is still running after `task_shutdown_timeout` is logged and aborted.
    ///
    /// ```
    /// use lona_server::App;
    ///
    /// let mut app = App::new();
    /// app.async_task("listener", |task| async move {
    ///     // ... start listening, then:
    ///     task.cancelled().await;
    ///     // ... let go of what it holds.
    /// });
    /// ```
    pub fn async_task<F>(&mut self, name: &str, run: impl FnOnce(TaskContext) -> F + Send + 'static)
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        if self.check_task_name(name) {
            self.tasks.push(TaskSpec::asynchronous(name, run));
        }
    }

    /// Whether `name` may name a task; if not, the mistake is kept for `spawn` to report.
    fn check_task_name(&mut self, name: &str) -> bool {
        match crate::tasks::check_name(name) {
            Ok(()) => true,
            Err(problem) => {
                self.setup_error.get_or_insert(ServerError::Task(problem));
                false
            }
        }
    }

    /// Declares a CSS or JavaScript file the app's pages need (Lona's `STATIC_FILES`): the
    /// frontend page links it, once, in a stable order, by its hashed URL.
    pub fn static_file(&mut self, file: lona_static::StaticFile) {
        self.static_files.push(file);
    }

    /// Serves `body`, compiled into the binary, as the static file `name` (Lona's
    /// `App.add_static_file(name, string=...)`): `app.add_static_file("app.css",
    /// include_str!("app.css"))` is at `/static/app.css`, typed by its extension, with a hashed
    /// URL for `static_url("app.css")`, and `collect-static` writes it. A file of the same name
    /// in `settings.static_dirs` wins, so a deployment can replace it.
    pub fn add_static_file(&mut self, name: &'static str, body: &'static str) {
        let content_type = lona_static::content_type(name);
        self.embedded.push(lona_static::EmbeddedFile::from_text(
            name,
            content_type,
            body,
        ));
    }

    #[cfg(feature = "shell")]
    /// Serves the admin shell on a unix socket at `path` while the server runs (Lona's
    /// `--shell-server-url file://PATH`): the socket file gets mode 0600, a stale one is
    /// replaced if nothing listens on it, and it is removed at shutdown. Attach with
    /// `lona_shell::attach`; `docs/shell.md` lists the commands. There is no TCP variant.
    pub fn shell_socket(&mut self, path: impl Into<std::path::PathBuf>) {
        self.shell = Some(path.into());
    }

    #[cfg(feature = "shell")]
    /// Adds a command to the admin shell (Lona's `COMMANDS` setting): `name ARGS...` runs
    /// `run` on a blocking thread with the arguments and the app's state, and its answer is
    /// shown as text or JSON like any other; `help` lists it with `help`, its help text. An
    /// `Err` is shown as an error; a panic is logged and answered as an error, and the shell
    /// goes on.
    ///
    /// ```
    /// # use lona_server::App;
    /// # use std::sync::atomic::{AtomicU64, Ordering};
    /// # struct Cache { hits: AtomicU64 }
    /// let mut app = App::new();
    /// app.state(Cache { hits: AtomicU64::new(0) });
    /// app.shell_command("cache", "cache hits; `cache reset` zeroes them", |call| {
    ///     let cache = call.state::<Cache>().ok_or("no cache")?;
    ///     match call.args() {
    ///         [] => Ok(serde_json::json!({"hits": cache.hits.load(Ordering::Relaxed)})),
    ///         [reset] if reset == "reset" => {
    ///             cache.hits.store(0, Ordering::Relaxed);
    ///             Ok(serde_json::json!("reset"))
    ///         }
    ///         _ => Err("usage: cache [reset]".to_owned()),
    ///     }
    /// });
    /// ```
    ///
    /// A name that is empty, holds whitespace, is built in or was added before makes
    /// [`App::spawn`] fail with [`ServerError::ShellCommand`].
    pub fn shell_command(
        &mut self,
        name: &str,
        help: &str,
        run: impl Fn(&crate::shell::ShellCall<'_>) -> Result<serde_json::Value, String>
        + Send
        + Sync
        + 'static,
    ) {
        let problem = if name.is_empty() || name.contains(char::is_whitespace) {
            Some(format!("`{name}` is not a command name (one word)"))
        } else if crate::shell::is_built_in(name) {
            Some(format!("`{name}` is a built-in command"))
        } else if self.shell_commands.iter().any(|c| c.name == name) {
            Some(format!("command `{name}` was added twice"))
        } else {
            None
        };
        if let Some(problem) = problem {
            self.setup_error
                .get_or_insert(ServerError::ShellCommand(problem));
            return;
        }
        self.shell_commands.push(crate::shell::CustomCommand {
            name: name.to_owned(),
            help: help.to_owned(),
            run: Arc::new(run),
        });
    }

    /// The app's static files as configured, for serving or collecting.
    ///
    /// # Errors
    ///
    /// A static folder that does not exist, or a declared file that no root has.
    pub fn static_files(&self) -> Result<lona_static::StaticFiles, ServerError> {
        crate::statics::build(&self.settings, &self.static_files, &self.embedded)
            .map_err(ServerError::Static)
    }

    /// Copies every static file the app would serve (its folders and the client's files),
    /// under their plain and hashed names, with a `manifest.json`, into `dest`: the document
    /// root for a reverse proxy that serves `/static/` itself. `dest` must be empty unless
    /// `clean` is set, which empties it first.
    ///
    /// # Errors
    ///
    /// As [`App::static_files`], a non-empty `dest` without `clean`, or an I/O error.
    pub fn collect_static(
        &self,
        dest: &std::path::Path,
        clean: bool,
    ) -> Result<lona_static::Manifest, ServerError> {
        self.static_files()?
            .collect(dest, clean)
            .map_err(ServerError::Static)
    }

    /// [`App::collect_static`] with options (`dry_run`: report, change nothing), reporting
    /// every step (`rm`, `cp`, the manifest) to `report` as it is done.
    ///
    /// # Errors
    ///
    /// As [`App::collect_static`].
    pub fn collect_static_with(
        &self,
        dest: &std::path::Path,
        options: lona_static::CollectOptions,
        report: &mut dyn FnMut(lona_static::CollectStep<'_>),
    ) -> Result<lona_static::Manifest, ServerError> {
        self.static_files()?
            .collect_with(dest, options, report)
            .map_err(ServerError::Static)
    }

    /// One line per route, in matching order: pattern, name (`-` if none) and kind
    /// (`interactive view`, `non-interactive view`, `http` or `http async`), in columns.
    pub fn routes_table(&self) -> String {
        let rows: Vec<(&str, &str, &str)> = self
            .router
            .routes()
            .map(|(pattern, name, target)| {
                let kind = match target {
                    Target::View(..) => "interactive view",
                    Target::Page(_) => "non-interactive view",
                    Target::Http(_) => "http",
                    Target::AsyncHttp(_) => "http async",
                };
                (pattern.as_str(), name.unwrap_or("-"), kind)
            })
            .collect();
        let width = |column: fn(&(&str, &str, &str)) -> usize, title: &str| {
            rows.iter()
                .map(column)
                .chain([title.len()])
                .max()
                .unwrap_or(0)
        };
        let pattern_width = width(|row| row.0.len(), "PATTERN");
        let name_width = width(|row| row.1.len(), "NAME");
        let mut table = String::new();
        for (pattern, name, kind) in [("PATTERN", "NAME", "KIND")].into_iter().chain(rows) {
            table.push_str(&format!(
                "{pattern:pattern_width$}  {name:name_width$}  {kind}\n"
            ));
        }
        table
    }
}

mod run;
mod serve;
#[cfg(feature = "axum")]
mod service;
mod spawn;

pub use serve::Serve;
#[cfg(feature = "axum")]
pub use service::LonaService;
#[cfg(feature = "templates")]
mod templates;
