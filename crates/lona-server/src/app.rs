//! `App`: routes, settings and templates; `Server`: the app running on a socket.

use std::net::{SocketAddr, TcpListener as StdListener};
use std::sync::Arc;
use std::time::Duration;

use lona_runtime::{
    AsyncView, ErrorPage, OutboxLimits, Request, Runtime, RuntimeConfig, RuntimeMetrics, Spawn,
    Task, View, ViewFactory,
};
use tokio::sync::watch;

use crate::cli::Command;
use crate::error::ServerError;
use crate::frontend::{TemplateConfig, Templates};
use crate::handler::{HttpFuture, HttpRequest};
use crate::middleware::{Hooked, Middlewares};
use crate::response::HttpResponse;
use crate::routing::{Pattern, Router};
use crate::settings::Settings;
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
    templates: TemplateConfig,
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
    shell: Option<std::path::PathBuf>,
    /// Commands the app added to the admin shell ([`App::shell_command`]).
    shell_commands: Vec<crate::shell::CustomCommand>,
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
    /// Gives the route a name, for [`Server::reverse`] and `reverse()` in templates.
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

    /// Lona's per-route `frontend_view`: a plain GET of this interactive route gets the page
    /// rendered from `template` instead of `lona/frontend.html`. It sees what that one sees
    /// (see [`crate::FRONTEND_TEMPLATE`]), so it usually `extends` it and fills its blocks.
    pub fn frontend(mut self, template: &str) -> Self {
        let target = self.router.as_deref_mut().and_then(Router::last_target_mut);
        if let Some(Target::View(_, frontend)) = target {
            *frontend = Some(Arc::from(template));
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
            templates: TemplateConfig::default(),
            static_files: Vec::new(),
            embedded: Vec::new(),
            state: lona_runtime::AppState::default(),
            middlewares: Vec::new(),
            middleware_slot: Arc::new(std::sync::OnceLock::new()),
            setup_error: None,
            shell: None,
            shell_commands: Vec::new(),
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

    /// Adds a template by name, or overrides one: `lona/frontend.html` (the page that loads
    /// the client), `lona/error.html` (the error pages). It wins over template folders.
    /// Autoescape is on.
    pub fn template(&mut self, name: &str, source: &str) {
        self.templates
            .sources
            .push((name.to_owned(), source.to_owned()));
    }

    /// Adds a template folder (Lona's `TEMPLATE_DIRS`): searched after the templates given
    /// with [`App::template`] and the folders added before, and before the built-in
    /// templates, which it may override. Names are paths inside the folder
    /// (`pages/home.html`); names that would leave it are not found.
    pub fn template_dir(&mut self, dir: impl Into<std::path::PathBuf>) {
        self.templates.dirs.push(dir.into());
    }

    /// Makes `value` visible in every template as `name` (Lona's `TEMPLATE_EXTRA_CONTEXT`).
    pub fn template_global(&mut self, name: &str, value: impl serde::Serialize) {
        let name = name.to_owned();
        let value = minijinja::Value::from(minijinja::value::Serde(value));
        self.templates
            .setup
            .push(Box::new(move |env| env.add_global(name, value)));
    }

    /// Adds a template filter (Lona's `TEMPLATE_EXTRA_FILTERS`), e.g.
    /// `app.template_filter("shout", |s: String| s.to_uppercase())`, used as
    /// `{{ name|shout }}`. Any function minijinja accepts as a filter will do.
    pub fn template_filter<F, Rv, Args>(&mut self, name: &str, filter: F)
    where
        F: minijinja::functions::Function<Rv, Args> + Send + Sync + 'static,
        Rv: minijinja::value::FunctionResult,
        Args: for<'a> minijinja::value::FunctionArgs<'a>,
    {
        let name = name.to_owned();
        self.templates
            .setup
            .push(Box::new(move |env| env.add_filter(name, filter)));
    }

    /// Changes the template environment in any other way minijinja allows (functions,
    /// tests, syntax), before the app starts.
    pub fn configure_templates(
        &mut self,
        setup: impl FnOnce(&mut minijinja::Environment<'static>) + Send + 'static,
    ) {
        self.templates.setup.push(Box::new(setup));
    }

    /// Registers a value every view reaches with `cx.state::<T>()` (a database pool, a
    /// channel broker...); one per type. A `ServerState` map (Lona's `server.state`) is
    /// always there; register one here to seed it (Lona's `INITIAL_SERVER_STATE`).
    pub fn state<T: Send + Sync + 'static>(&mut self, value: T) {
        self.state = std::mem::take(&mut self.state).with(value);
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

    /// Serves the admin shell on a unix socket at `path` while the server runs (Lona's
    /// `--shell-server-url file://PATH`): the socket file gets mode 0600, a stale one is
    /// replaced if nothing listens on it, and it is removed at shutdown. Attach with
    /// [`crate::shell::attach`]; `docs/shell.md` lists the commands. There is no TCP variant.
    pub fn shell_socket(&mut self, path: impl Into<std::path::PathBuf>) {
        self.shell = Some(path.into());
    }

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

    /// Starts serving on `addr` (use port 0 for any free port) on threads of its own, and
    /// returns at once.
    ///
    /// # Errors
    ///
    /// A bad route pattern or template, or a socket that cannot be bound.
    pub fn spawn(mut self, addr: &str) -> Result<Server, ServerError> {
        if let Some(error) = self.setup_error {
            return Err(error);
        }
        if let Some(name) = self.router.duplicate_name() {
            return Err(ServerError::Route(crate::RouteError {
                pattern: name.to_owned(),
                message: "two routes have this name; names must be unique".to_owned(),
            }));
        }
        crate::logging::install_panic_hook();
        // Startup hooks run before the port opens: a misconfigured app fails here.
        for middleware in &self.middlewares {
            middleware.on_startup().map_err(ServerError::Startup)?;
        }
        let middlewares = Middlewares(Arc::new(std::mem::take(&mut self.middlewares)));
        let _ = self.middleware_slot.set(middlewares.clone());
        let statics = Arc::new(self.static_files()?);
        let mut names = Router::default();
        for (pattern, name, _) in self.router.routes() {
            names.add(pattern.clone(), name.map(str::to_owned), ());
        }
        let templates = Templates::new(
            std::mem::take(&mut self.templates),
            &self.settings,
            names,
            Arc::clone(&statics),
        )
        .map_err(ServerError::Template)?;
        // Channels across processes: Redis must be reachable before the port opens, or the
        // process would serve views that silently miss the others' messages.
        let channels = match &self.settings.channel_broker_url {
            Some(url) => {
                let broker =
                    crate::RedisBroker::connect(url).map_err(ServerError::ChannelBroker)?;
                let channels = lona_channels::Channels::new(broker);
                self.state = std::mem::take(&mut self.state).with(channels.clone());
                Some(channels)
            }
            None => None,
        };
        let listener = StdListener::bind(addr).map_err(ServerError::Bind)?;
        listener.set_nonblocking(true).map_err(ServerError::Bind)?;
        let local_addr = listener.local_addr().map_err(ServerError::Bind)?;
        // Set in code, or by `shell_server_url` (a settings file, the environment or
        // `run-server --shell-server-url`); code wins.
        let shell_path = self
            .shell
            .clone()
            .or_else(|| self.settings.shell_server_url.clone());
        let shell = match &shell_path {
            Some(path) => Some(crate::shell::bind(path).map_err(ServerError::Bind)?),
            None => None,
        };
        let shell_commands: Arc<[crate::shell::CustomCommand]> =
            std::mem::take(&mut self.shell_commands).into();
        let tokio = tokio::runtime::Builder::new_multi_thread()
            .thread_name("lona-io")
            .enable_all()
            .build()
            .map_err(ServerError::Io)?;
        let settings = self.settings;
        let (max_connections, max_connections_per_ip) =
            (settings.max_connections, settings.max_connections_per_ip);
        let proxies = crate::client_addr::TrustedProxies::parse(&settings.trusted_proxies)
            .map_err(|bad| {
                ServerError::InvalidSetting(format!(
                    "trusted_proxies: `{}` is not an IP address or a CIDR range",
                    bad.0
                ))
            })?;
        let sessions = crate::session::Sessions::new(&settings).map_err(|_| {
            ServerError::InvalidSetting(format!(
                "session_secret: shorter than {} characters",
                crate::session::MIN_SECRET_LEN
            ))
        })?;
        let runtime = Runtime::with_spawner(
            RuntimeConfig {
                runtime_threads: settings.max_runtime_threads,
                runtime_queue: settings.max_runtime_queue,
                worker_threads: settings.max_worker_threads,
                static_threads: settings.max_static_threads,
                outbox: OutboxLimits {
                    merge_at: settings.outbox_merge_at,
                    close_at: settings.outbox_close_at,
                },
                // Views render templates with `cx.state::<Templates>()`.
                state: self
                    .state
                    .with(templates.clone())
                    .with(crate::buckets::Registry::new(&settings))
                    .with(crate::session::Handoffs::default()),
                error_page: {
                    let templates = templates.clone();
                    ErrorPage::new(move |status| templates.error_view(status))
                },
                max_client_errors_per_minute: settings.max_client_errors_per_minute,
                max_views_per_session: settings.max_views_per_session,
                max_views_per_ip: settings.max_views_per_ip,
                max_runtime_share: settings.max_runtime_share,
                daemon_idle_timeout: settings.daemon_idle_timeout,
                max_daemons_per_session: settings.max_daemons_per_session,
                ..RuntimeConfig::default()
            },
            Arc::new(TokioSpawner(tokio.handle().clone())),
        );
        let state = Arc::new(crate::state::State {
            settings,
            proxies,
            router: self.router,
            templates,
            runtime,
            sockets: crate::state::Sockets::default(),
            statics,
            middlewares,
            channels,
            sessions,
            connections: Arc::new(crate::connections::Connections::new(
                crate::connections::fit_to_file_limit(max_connections),
                max_connections_per_ip,
            )),
        });
        let (stop, stopped) = watch::channel(false);
        let listener = {
            let _guard = tokio.enter();
            tokio::net::TcpListener::from_std(listener).map_err(ServerError::Bind)?
        };
        let shell = shell.map(|shell| {
            tokio.spawn(crate::shell::serve(
                shell,
                Arc::clone(&state),
                shell_commands,
                std::time::Instant::now(),
                stopped.clone(),
            ))
        });
        tokio.spawn(crate::memory::trim_periodically(
            state.settings.memory_trim_interval,
            stopped.clone(),
        ));
        let accept = accept_loop(listener, Arc::clone(&state), stopped);
        let done = tokio.spawn(async move {
            accept.await;
            // The shell's socket file is removed before shutdown returns.
            if let Some(shell) = shell {
                let _ = shell.await;
            }
        });
        tracing::info!(%local_addr, "lona serves");
        Ok(Server {
            addr: local_addr,
            stop,
            done: Some(done),
            state,
            tokio: Some(tokio),
        })
    }

    /// Runs the app's command line (see [`App::execute`]), serving on `127.0.0.1:8080`
    /// unless `run-server --host/--port` say otherwise: a whole app's `main` ends with
    /// `app.main()`.
    ///
    /// ```text
    /// my-app                                   # serves on 127.0.0.1:8080
    /// my-app run-server --host 0.0.0.0 --port 9000 -s settings.toml deployment.toml
    /// my-app collect-static /srv/static --clean -s settings.toml
    /// my-app routes
    /// my-app settings -s settings.toml         # the effective settings, as TOML
    /// ```
    ///
    /// # Errors
    ///
    /// As [`App::execute`]. Arguments that do not parse print clap's usage message and exit
    /// the process with status 2 (`--help` prints the help and exits with 0), as command line
    /// tools do.
    pub fn main(self) -> Result<(), ServerError> {
        self.run(DEFAULT_ADDR)
    }

    /// As [`App::main`], with `addr` as the address `run-server` listens on by default:
    /// `my-app` alone serves on `addr`. Use [`App::spawn`] to serve without looking at the
    /// command line or the environment.
    ///
    /// # Errors
    ///
    /// As [`App::main`].
    pub fn run(self, addr: &str) -> Result<(), ServerError> {
        let command = Command::parse_from(std::env::args_os()).unwrap_or_else(|error| error.exit());
        self.execute(command, addr, &mut std::io::stdout().lock())
    }

    /// Runs a parsed command. Settings are applied first, once: the settings files the command
    /// names, in order, over the settings set in code, then the `LONA_*` environment variables
    /// (see [`Settings::apply_env`]), then `--shell-server-url` and `--live-reload`.
    ///
    /// - `run-server` serves on `default_addr`, or its `--host`/`--port`, until SIGINT or
    ///   SIGTERM, then shuts down gracefully: views are stopped (`on_stop` runs) and sockets are
    ///   closed with "going away".
    /// - `collect-static DEST [--clean]` runs [`App::collect_static`].
    /// - `routes` writes [`App::routes_table`] to `out`.
    /// - `settings` writes the effective settings to `out` as TOML ([`Settings::to_toml`]).
    ///
    /// # Errors
    ///
    /// A settings file or variable that is refused, a write to `out` that fails, or as
    /// [`App::spawn`] and [`App::collect_static`].
    pub fn execute(
        mut self,
        command: Command,
        default_addr: &str,
        out: &mut dyn std::io::Write,
    ) -> Result<(), ServerError> {
        self.settings.load_files(command.settings_files())?;
        self.settings.load_env()?;
        match command {
            Command::RunServer {
                host,
                port,
                shell_server_url,
                live_reload,
                ..
            } => {
                if shell_server_url.is_some() {
                    self.settings.shell_server_url = shell_server_url;
                }
                if live_reload {
                    self.settings.live_reload = true;
                }
                let addr = listen_addr(default_addr, host.as_deref(), port);
                let server = self.spawn(&addr)?;
                writeln!(out, "lona: serving on {} (Ctrl-C stops)", server.url())
                    .map_err(ServerError::Io)?;
                server.wait_for_signal();
                server.shutdown();
            }
            Command::CollectStatic {
                dest,
                clean,
                dry_run,
                silent,
                ..
            } => {
                let options = lona_static::CollectOptions::default()
                    .clean(clean)
                    .dry_run(dry_run);
                // Each step as Lona prints it (`rm PATH`, `cp SOURCE TARGET`), unless
                // --silent; the first write error is kept and reported after.
                let mut written = Ok(());
                let manifest = self.collect_static_with(&dest, options, &mut |step| {
                    if !silent && written.is_ok() {
                        written = writeln!(out, "{step}");
                    }
                })?;
                written.map_err(ServerError::Io)?;
                let done = if dry_run {
                    "would collect (dry run, nothing changed)"
                } else {
                    "collected"
                };
                writeln!(
                    out,
                    "lona: {done} {} static files into {}",
                    manifest.files.len(),
                    dest.display()
                )
                .map_err(ServerError::Io)?;
            }
            Command::Routes { .. } => out
                .write_all(self.routes_table().as_bytes())
                .map_err(ServerError::Io)?,
            Command::Settings { .. } => out
                .write_all(self.settings.to_toml().as_bytes())
                .map_err(ServerError::Io)?,
            Command::Shell {
                socket,
                json,
                command,
            } => {
                crate::shell::attach(&socket, command.as_deref(), json).map_err(ServerError::Io)?
            }
        }
        Ok(())
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

/// The address `run` and `main` serve on when nothing says otherwise, as Lona's `localhost:8080`.
const DEFAULT_ADDR: &str = "127.0.0.1:8080";

/// `default_addr` with its host or port replaced by `--host`/`--port`.
pub(crate) fn listen_addr(default_addr: &str, host: Option<&str>, port: Option<u16>) -> String {
    if host.is_none() && port.is_none() {
        return default_addr.to_owned();
    }
    let (default_host, default_port) = default_addr
        .rsplit_once(':')
        .unwrap_or((default_addr, "8080"));
    let host = host.unwrap_or(default_host);
    let port = port.map_or_else(|| default_port.to_owned(), |port| port.to_string());
    // A bare IPv6 address needs brackets before a port.
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

async fn accept_loop(
    listener: tokio::net::TcpListener,
    state: Arc<crate::state::State>,
    stopped: watch::Receiver<bool>,
) {
    let mut connections = crate::conn::accept_loop(listener, Arc::clone(&state), stopped).await;
    // Channels before views, as Lona does, so that messages already sent still reach them.
    if let Some(channels) = state.channels.clone() {
        let timeout = state.settings.shutdown_timeout;
        let _ = tokio::task::spawn_blocking(move || channels.shutdown(timeout)).await;
    }
    // Views first: their sockets get a going-away close, then every other socket, then HTTP
    // connections wind down.
    state.runtime.shutdown();
    state.close_sockets();
    for middleware in state.middlewares.0.iter() {
        middleware.on_shutdown();
    }
    let timeout = state.settings.shutdown_timeout;
    let drained = async {
        while connections.join_next().await.is_some() {}
        state.sockets_closed().await;
    };
    if tokio::time::timeout(timeout, drained).await.is_err() {
        tracing::warn!(
            ?timeout,
            "connections still open after the shutdown timeout"
        );
    }
}

/// Lends tokio's executor to async views.
struct TokioSpawner(tokio::runtime::Handle);

impl Spawn for TokioSpawner {
    fn spawn(&self, task: Task) {
        self.0.spawn(task);
    }
}

/// A running app.
pub struct Server {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    done: Option<tokio::task::JoinHandle<()>>,
    state: Arc<crate::state::State>,
    tokio: Option<tokio::runtime::Runtime>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<address>/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The view runtime's counters.
    pub fn metrics(&self) -> RuntimeMetrics {
        self.state.runtime.metrics()
    }

    /// Every view the server holds, oldest first (see
    /// [`lona_runtime::ViewHandle::running_views`], which views use).
    pub fn views(&self) -> Vec<lona_runtime::ViewInfo> {
        self.state.runtime.views()
    }

    /// The open browser sockets, and how many distinct sessions they belong to (Lona's
    /// `get_connection_count` and `get_connected_user_count`, by session).
    pub fn connection_counts(&self) -> (usize, usize) {
        let open = self.state.open_sockets();
        let sessions: std::collections::HashSet<_> =
            open.iter().map(|c| c.session().clone()).collect();
        (open.len(), sessions.len())
    }

    /// Closes every browser socket (with 1001, going away) without stopping the server: views
    /// that are daemons keep running and their browsers re-attach when they reconnect; other
    /// views stop. For operators draining a process, and for tests of reconnection.
    pub fn disconnect_clients(&self) {
        self.state.close_sockets();
    }

    /// The path of the route named `name`.
    ///
    /// # Errors
    ///
    /// If there is no such route or an argument is missing.
    pub fn reverse(
        &self,
        name: &str,
        args: &[(&str, &str)],
    ) -> Result<String, crate::ReverseError> {
        self.state.router.reverse(name, args)
    }

    /// Blocks until the process gets SIGINT or SIGTERM.
    pub fn wait_for_signal(&self) {
        let Some(tokio) = &self.tokio else {
            return;
        };
        tokio.block_on(async {
            #[cfg(unix)]
            {
                use tokio::signal::unix::{SignalKind, signal};
                match signal(SignalKind::terminate()) {
                    Ok(mut terminate) => {
                        tokio::select! {
                            _ = tokio::signal::ctrl_c() => {}
                            _ = terminate.recv() => {}
                        }
                    }
                    Err(_) => {
                        let _ = tokio::signal::ctrl_c().await;
                    }
                }
            }
            #[cfg(not(unix))]
            {
                let _ = tokio::signal::ctrl_c().await;
            }
        });
        tracing::info!("shutting down");
    }

    /// Stops accepting, stops every view (`on_stop` runs), closes sockets with "going away"
    /// and waits up to `shutdown_timeout` for connections to end.
    pub fn shutdown(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        let _ = self.stop.send(true);
        let (Some(tokio), Some(done)) = (self.tokio.take(), self.done.take()) else {
            return;
        };
        let timeout = self.state.settings.shutdown_timeout + Duration::from_secs(1);
        // Waiting for, and dropping, a tokio runtime is not allowed on a thread that drives
        // one (a test's or the app's own), so it happens on a thread of its own.
        let waiter = std::thread::Builder::new()
            .name("lona-shutdown".to_owned())
            .spawn(move || {
                let _ = tokio.block_on(async { tokio::time::timeout(timeout, done).await });
                tokio.shutdown_timeout(Duration::from_secs(1));
            });
        match waiter {
            Ok(waiter) => {
                let _ = waiter.join();
            }
            Err(error) => tracing::error!(%error, "cannot start the shutdown thread"),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop_now();
    }
}
