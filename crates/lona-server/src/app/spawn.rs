//! Starting an app: [`App::spawn`] checks the setup, then wires each subsystem in turn
//! (middlewares, static files, templates, the channel broker, the listener, tokio, the admin
//! shell, proxies and sessions, the view runtime) into the shared [`State`], serves, and
//! starts the background tasks. `App::serve` and `App::service` wire the same way on the
//! caller's tokio runtime ([`Wired`], [`launch`]). The shutdown sequence lives here too, since
//! it undoes the same wiring in reverse.

use std::net::{SocketAddr, TcpListener as StdListener};
use std::sync::Arc;

use lona_runtime::{ErrorPage, OutboxLimits, Runtime, RuntimeConfig, Spawn, Task};
use tokio::sync::watch;

use crate::app::App;
use crate::client_addr::TrustedProxies;
use crate::connections::Connections;
use crate::error::ServerError;
use crate::frontend::Templates;
use crate::middleware::Middlewares;
#[cfg(feature = "templates")]
use crate::routing::Router;
use crate::server::{Launched, Server};
use crate::session::Sessions;
use crate::settings::Settings;
use crate::state::{Sockets, State};
use crate::tasks::{TaskSpec, Tasks};

impl App {
    /// Starts serving on `addr` (use port 0 for any free port) on threads of its own, and
    /// returns at once.
    ///
    /// # Errors
    ///
    /// A bad route pattern or template, or a socket that cannot be bound.
    pub fn spawn(mut self, addr: &str) -> Result<Server, ServerError> {
        let parts = self.start_parts()?;
        let (listener, local_addr) = bind(addr)?;
        let tokio = start_tokio()?;
        let handle = tokio.handle().clone();
        let wired = self.wire(parts, &handle)?;
        let listener = {
            let _guard = tokio.enter();
            tokio::net::TcpListener::from_std(listener).map_err(ServerError::Bind)?
        };
        let Wired {
            state,
            shell,
            tasks,
        } = wired;
        let launched = launch(&state, &handle, Some(listener), shell);
        tracing::info!(%local_addr, "lona serves");
        let server = Server::new(local_addr, launched, Arc::clone(&state), tokio);
        start_tasks(server, &state, &handle, tasks)
    }

    /// The steps before the port opens, whoever opens it: the setup is checked, the startup
    /// hooks run, static files, templates and the channel broker are ready.
    fn start_parts(&mut self) -> Result<Parts, ServerError> {
        self.check_setup()?;
        crate::logging::install_panic_hook();
        let middlewares = self.start_middlewares()?;
        let statics = Arc::new(self.static_files()?);
        let templates = self.build_templates(&statics)?;
        let channels = self.connect_channel_broker()?;
        Ok(Parts {
            middlewares,
            statics,
            templates,
            channels,
        })
    }

    /// The rest of the wiring, on `tokio` (lona's own runtime, or the caller's): the admin
    /// shell, proxies, sessions, the view runtime, and the shared [`State`].
    pub(super) fn wire(
        mut self,
        parts: Parts,
        tokio: &tokio::runtime::Handle,
    ) -> Result<Wired, ServerError> {
        let Parts {
            middlewares,
            statics,
            templates,
            channels,
        } = parts;
        let shell = self.bind_shell()?;
        let proxies = trusted_proxies(&self.settings)?;
        let sessions = sessions(&self.settings)?;
        let net_sim = net_sim(&self.settings)?;
        let runtime = self.start_runtime(&templates, tokio);
        let connections = connection_caps(&self.settings);
        let tasks = std::mem::take(&mut self.tasks);
        let state = Arc::new(State {
            settings: self.settings,
            proxies,
            router: self.router,
            templates,
            runtime,
            sockets: Sockets::default(),
            statics,
            middlewares,
            channels,
            sessions,
            connections,
            tasks: Tasks::default(),
            net_sim,
        });
        Ok(Wired {
            state,
            shell,
            tasks,
        })
    }

    /// Everything up to serving, on the caller's tokio runtime (`App::serve`, `App::service`).
    pub(super) fn wire_here(mut self) -> Result<Wired, ServerError> {
        let tokio = tokio::runtime::Handle::try_current().map_err(|error| {
            ServerError::Io(std::io::Error::other(format!(
                "App::serve and App::service run inside a tokio runtime: {error}"
            )))
        })?;
        let parts = self.start_parts()?;
        self.wire(parts, &tokio)
    }

    /// The first mistake made while setting the app up, or two routes of the same name.
    fn check_setup(&mut self) -> Result<(), ServerError> {
        if let Some(error) = self.setup_error.take() {
            return Err(error);
        }
        if let Some(name) = self.router.duplicate_name() {
            return Err(ServerError::Route(crate::RouteError {
                pattern: name.to_owned(),
                message: "two routes have this name; names must be unique".to_owned(),
            }));
        }
        Ok(())
    }

    /// Runs the startup hooks, before the port opens: a misconfigured app fails here. The
    /// views built from then on see the middlewares.
    fn start_middlewares(&mut self) -> Result<Middlewares, ServerError> {
        for middleware in &self.middlewares {
            middleware.on_startup().map_err(ServerError::Startup)?;
        }
        let middlewares = Middlewares(Arc::new(std::mem::take(&mut self.middlewares)));
        let _ = self.middleware_slot.set(middlewares.clone());
        Ok(middlewares)
    }

    /// The templates, compiled now so that a broken one fails at start; `reverse()` in them
    /// sees the route names.
    #[cfg(feature = "templates")]
    fn build_templates(
        &mut self,
        statics: &Arc<lona_static::StaticFiles>,
    ) -> Result<Templates, ServerError> {
        let mut names = Router::default();
        for (pattern, name, _) in self.router.routes() {
            names.add(pattern.clone(), name.map(str::to_owned), ());
        }
        Templates::new(
            std::mem::take(&mut self.templates),
            &self.settings,
            names,
            Arc::clone(statics),
        )
        .map_err(ServerError::Template)
    }

    /// The built-in pages (no template engine in this build).
    #[cfg(not(feature = "templates"))]
    fn build_templates(
        &mut self,
        statics: &Arc<lona_static::StaticFiles>,
    ) -> Result<Templates, ServerError> {
        Ok(Templates::new(Arc::clone(statics)))
    }

    /// Channels across processes: Redis must be reachable before the port opens, or the
    /// process would serve views that silently miss the others' messages.
    ///
    /// Every app has channels, as every Lona app does: an app that registered none gets a
    /// local broker (whose threads start with its first use), so `cx.channels()` cannot fail
    /// for a missing setup. Channels the server built are shut down with it; the app's own
    /// are the app's to shut down.
    fn connect_channel_broker(&mut self) -> Result<Option<lona_channels::Channels>, ServerError> {
        let channels = match &self.settings.channel_broker_url {
            Some(url) => redis_channels(url).map_err(ServerError::ChannelBroker)?,
            None if self.state.get::<lona_channels::Channels>().is_some() => return Ok(None),
            None => lona_channels::Channels::local(),
        };
        self.state = std::mem::take(&mut self.state).with(channels.clone());
        Ok(Some(channels))
    }

    /// The admin shell's socket, bound before the server serves, with the app's commands.
    #[cfg(feature = "shell")]
    fn bind_shell(&mut self) -> Result<Option<Shell>, ServerError> {
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
        let commands: Arc<[crate::shell::CustomCommand]> =
            std::mem::take(&mut self.shell_commands).into();
        Ok(shell.map(|socket| Shell { socket, commands }))
    }

    /// No admin shell in this build: a `shell_server_url` that asks for one is refused.
    #[cfg(not(feature = "shell"))]
    fn bind_shell(&mut self) -> Result<Option<Shell>, ServerError> {
        match self.settings.shell_server_url {
            Some(_) => Err(ServerError::InvalidSetting(
                "shell_server_url: this build has no admin shell (the `shell` feature)".to_owned(),
            )),
            None => Ok(None),
        }
    }

    /// The view runtime, its pools sized by the settings, its state holding what views reach
    /// with `cx.state::<T>()`, async views run on `tokio`.
    fn start_runtime(&mut self, templates: &Templates, tokio: &tokio::runtime::Handle) -> Runtime {
        let settings = &self.settings;
        Runtime::with_spawner(
            RuntimeConfig {
                runtime_threads: settings.max_runtime_threads,
                runtime_queue: settings.max_runtime_queue,
                worker_threads: settings.max_worker_threads,
                static_threads: settings.max_static_threads,
                outbox: OutboxLimits {
                    merge_at: settings.outbox_merge_at,
                    close_at: settings.outbox_close_at,
                },
                state: with_uploads(
                    app_state(std::mem::take(&mut self.state), templates),
                    settings,
                )
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
                resume_grace: settings.resume_grace,
                first_paint_adopt_timeout: settings.first_paint_adopt_timeout,
                replay_buffer_bytes: settings.replay_buffer_bytes,
                max_daemons_per_session: settings.max_daemons_per_session,
                max_broadcast_views: settings.max_broadcast_views,
                ..RuntimeConfig::default()
            },
            Arc::new(TokioSpawner(tokio.clone())),
        )
    }
}

/// The app's state, with the templates: views render them with `cx.state::<Templates>()`.
#[cfg(feature = "templates")]
fn app_state(state: lona_runtime::AppState, templates: &Templates) -> lona_runtime::AppState {
    state.with(templates.clone())
}

/// The app's state (no templates to render in this build).
#[cfg(not(feature = "templates"))]
fn app_state(state: lona_runtime::AppState, _templates: &Templates) -> lona_runtime::AppState {
    state
}

/// What [`App::start_parts`] made ready before the port opens.
pub(super) struct Parts {
    middlewares: Middlewares,
    statics: Arc<lona_static::StaticFiles>,
    templates: Templates,
    channels: Option<lona_channels::Channels>,
}

/// An app wired on a tokio runtime, not yet serving: its state, its admin shell's socket, and
/// the background tasks to start once it serves.
pub(super) struct Wired {
    pub(super) state: Arc<State>,
    shell: Option<Shell>,
    pub(super) tasks: Vec<TaskSpec>,
}

impl Wired {
    /// Starts serving on `tokio` (see [`launch`]), then the background tasks; if a task cannot
    /// start, everything started is shut down again and the error returned.
    pub(super) async fn launch_here(
        self,
        listener: Option<tokio::net::TcpListener>,
    ) -> Result<(Arc<State>, Launched), ServerError> {
        let tokio = tokio::runtime::Handle::current();
        let Wired {
            state,
            shell,
            tasks,
        } = self;
        let launched = launch(&state, &tokio, listener, shell);
        match state.tasks.start(tasks, state.runtime.state(), &tokio) {
            Ok(()) => Ok((state, launched)),
            Err(error) => {
                launched.stop().await;
                Err(task_error(&error))
            }
        }
    }
}

/// The admin shell's bound socket and the commands it serves.
#[cfg(feature = "shell")]
struct Shell {
    socket: crate::shell::ShellSocket,
    commands: Arc<[crate::shell::CustomCommand]>,
}

/// No admin shell in this build.
#[cfg(not(feature = "shell"))]
enum Shell {}

/// The listening socket, non-blocking for tokio, and its address (the port, if 0 was asked).
fn bind(addr: &str) -> Result<(StdListener, SocketAddr), ServerError> {
    let listener = StdListener::bind(addr).map_err(ServerError::Bind)?;
    listener.set_nonblocking(true).map_err(ServerError::Bind)?;
    let local_addr = listener.local_addr().map_err(ServerError::Bind)?;
    Ok((listener, local_addr))
}

/// The tokio runtime that runs sockets, HTTP and async views.
fn start_tokio() -> Result<tokio::runtime::Runtime, ServerError> {
    tokio::runtime::Builder::new_multi_thread()
        .thread_name("lona-io")
        .enable_all()
        .build()
        .map_err(ServerError::Io)
}

/// `trusted_proxies`, parsed.
fn trusted_proxies(settings: &Settings) -> Result<TrustedProxies, ServerError> {
    TrustedProxies::parse(&settings.trusted_proxies).map_err(|bad| {
        ServerError::InvalidSetting(format!(
            "trusted_proxies: `{}` is not an IP address or a CIDR range",
            bad.0
        ))
    })
}

/// The key that signs session cookies.
fn sessions(settings: &Settings) -> Result<Sessions, ServerError> {
    Sessions::new(settings).map_err(|_| {
        ServerError::InvalidSetting(format!(
            "session_secret: shorter than {} characters",
            crate::session::MIN_SECRET_LEN
        ))
    })
}

/// `net_sim`, parsed, and refused in a release build unless `net_sim_in_release`; a
/// simulation that runs is logged as a warning, so nobody wonders why the app is slow.
fn net_sim(settings: &Settings) -> Result<Option<crate::net_sim::NetSim>, ServerError> {
    let Some(text) = settings.net_sim.as_deref() else {
        return Ok(None);
    };
    let sim: crate::net_sim::NetSim = text
        .parse()
        .map_err(|error| ServerError::InvalidSetting(format!("net_sim: {error}")))?;
    crate::net_sim::permitted(cfg!(debug_assertions), settings.net_sim_in_release)
        .map_err(ServerError::InvalidSetting)?;
    tracing::warn!(
        net_sim = %sim,
        "net_sim is set: the WebSockets simulate a slow, lossy network (a development setting)"
    );
    Ok(Some(sim))
}

/// The caps on open connections, fitted under the process's file limit.
fn connection_caps(settings: &Settings) -> Arc<Connections> {
    Arc::new(Connections::new(
        crate::connections::fit_to_file_limit(settings.max_connections),
        settings.max_connections_per_ip,
    ))
}

/// Starts the admin shell, the memory trimmer and, given a listener, the accept loop on
/// `tokio`. The task in `done` runs until `stop` is sent (or dropped), then runs the shutdown
/// sequence ([`wind_down`]); without a listener (`App::service`, where another server
/// accepts) it only waits for the stop.
fn launch(
    state: &Arc<State>,
    tokio: &tokio::runtime::Handle,
    listener: Option<tokio::net::TcpListener>,
    shell: Option<Shell>,
) -> Launched {
    let (stop, mut stopped) = watch::channel(false);
    #[cfg(not(feature = "shell"))]
    let shell: Option<tokio::task::JoinHandle<()>> = shell.map(|never| match never {});
    #[cfg(feature = "shell")]
    let shell = shell.map(|shell| {
        tokio.spawn(crate::shell::serve(
            shell.socket,
            Arc::clone(state),
            shell.commands,
            std::time::Instant::now(),
            stopped.clone(),
        ))
    });
    tokio.spawn(crate::memory::trim_periodically(
        state.settings.memory_trim_interval,
        stopped.clone(),
    ));
    let state = Arc::clone(state);
    let done = tokio.spawn(async move {
        let connections = match listener {
            Some(listener) => crate::conn::accept_loop(listener, Arc::clone(&state), stopped).await,
            None => {
                // Sent or dropped: either way the app stops.
                let _ = stopped.wait_for(|stop| *stop).await;
                tokio::task::JoinSet::new()
            }
        };
        wind_down(&state, connections).await;
        // The shell's socket file is removed before shutdown returns.
        if let Some(shell) = shell {
            let _ = shell.await;
        }
    });
    Launched { stop, done }
}

/// Starts the background tasks, last: the startup hooks succeeded and the port is bound, so a
/// task never runs for a server that failed to start.
fn start_tasks(
    server: Server,
    state: &State,
    tokio: &tokio::runtime::Handle,
    tasks: Vec<TaskSpec>,
) -> Result<Server, ServerError> {
    match state.tasks.start(tasks, state.runtime.state(), tokio) {
        Ok(()) => Ok(server),
        Err(error) => {
            // The tasks started so far are signalled and waited for with the rest.
            server.shutdown();
            Err(task_error(&error))
        }
    }
}

/// A background task's thread that could not start.
fn task_error(error: &std::io::Error) -> ServerError {
    ServerError::Task(format!("cannot start its thread: {error}"))
}

/// The shutdown sequence, once accepting has stopped: background tasks (within
/// `task_shutdown_timeout`), channels, views, sockets, middlewares, and the `connections`
/// still open, within `shutdown_timeout`.
async fn wind_down(state: &State, mut connections: tokio::task::JoinSet<()>) {
    // Tasks first: they may publish to views and use what the middlewares set up, and their
    // last messages still go out on channels that are up.
    state.tasks.stop(state.settings.task_shutdown_timeout).await;
    // Channels before views, as Lona does, so that messages already sent still reach them.
    if let Some(channels) = state.channels.clone() {
        let timeout = state.settings.shutdown_timeout;
        let _ = tokio::task::spawn_blocking(move || channels.shutdown(timeout)).await;
    }
    // Views first: their sockets get a going-away close, then every other socket, then HTTP
    // connections wind down.
    // Joining the pools blocks: off the executor, which may be the caller's (`App::serve`)
    // and have a single thread.
    let runtime = state.runtime.clone();
    let _ = tokio::task::spawn_blocking(move || runtime.shutdown()).await;
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

/// `channel_broker_url`: channels over Redis, from `lona-redis` (cargo feature `redis`).
#[cfg(feature = "redis")]
fn redis_channels(url: &str) -> std::io::Result<lona_channels::Channels> {
    Ok(lona_channels::Channels::new(
        lona_redis::RedisBroker::connect(url)?,
    ))
}

/// `channel_broker_url` without the `redis` feature: refused, so that the process does not
/// serve views that silently miss the other processes' messages.
#[cfg(not(feature = "redis"))]
fn redis_channels(_url: &str) -> std::io::Result<lona_channels::Channels> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "lona was built without the `redis` feature",
    ))
}

/// The bucket registry in the app state, where views make buckets (cargo feature `uploads`).
#[cfg(feature = "uploads")]
fn with_uploads(state: lona_runtime::AppState, settings: &Settings) -> lona_runtime::AppState {
    state.with(crate::uploads::registry(settings))
}

/// Without the `uploads` feature there are no buckets: bucket URLs reach the routes.
#[cfg(not(feature = "uploads"))]
fn with_uploads(state: lona_runtime::AppState, _settings: &Settings) -> lona_runtime::AppState {
    state
}
