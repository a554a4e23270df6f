//! Running an app from its `main`: `main` and `run` read the command line, `execute` runs
//! one of its subcommands (`Command`, the `cli` feature). Without the `cli` feature they serve
//! at once, as `my-app` alone does.

use crate::app::App;
#[cfg(feature = "cli")]
use crate::cli::Command;
use crate::error::ServerError;

impl App {
    /// Runs the app's command line (see `App::execute`, the `cli` feature), serving on `127.0.0.1:8080`
    /// unless `run-server --host/--port` say otherwise: `app.main()` is a whole app's `main`.
    ///
    /// ```no_run
    /// fn main() -> lona_server::Result<()> {
    ///     let mut app = lona_server::App::new();
    ///     app.http("/", |_request| lona_server::HttpResponse::text("hello"));
    ///     app.main()
    /// }
    /// ```
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
    /// As `App::execute`. Arguments that do not parse print clap's usage message and exit
    /// the process with status 2 (`--help` prints the help and exits with 0), as command line
    /// tools do.
    ///
    /// Without the `cli` feature the command line is not read: the `LONA_*` environment
    /// variables are applied and the app serves until SIGINT or SIGTERM.
    pub fn main(self) -> crate::Result<()> {
        self.run(DEFAULT_ADDR)
    }

    /// As [`App::main`], with `addr` as the address `run-server` listens on by default:
    /// `my-app` alone serves on `addr`. Use [`App::spawn`] to serve without looking at the
    /// command line or the environment.
    ///
    /// # Errors
    ///
    /// As [`App::main`].
    #[cfg(feature = "cli")]
    pub fn run(self, addr: &str) -> crate::Result<()> {
        let command = Command::parse_from(std::env::args_os()).unwrap_or_else(|error| error.exit());
        Ok(self.execute(command, addr, &mut std::io::stdout().lock())?)
    }

    /// As [`App::main`], with `addr` as the address it serves on.
    ///
    /// # Errors
    ///
    /// As [`App::main`].
    #[cfg(not(feature = "cli"))]
    pub fn run(mut self, addr: &str) -> crate::Result<()> {
        self.settings.load_env()?;
        Ok(self.serve_until_signal(addr, &mut std::io::stdout().lock())?)
    }

    /// Serves on `addr` until SIGINT or SIGTERM, then shuts down gracefully: views are stopped
    /// (`on_stop` runs) and sockets are closed with "going away".
    fn serve_until_signal(
        self,
        addr: &str,
        out: &mut dyn std::io::Write,
    ) -> Result<(), ServerError> {
        let server = self.spawn(addr)?;
        writeln!(out, "lona: serving on {} (Ctrl-C stops)", server.url())
            .map_err(ServerError::Io)?;
        server.wait_for_signal();
        server.shutdown();
        Ok(())
    }

    /// Runs a parsed command. Settings are applied first, once: the settings files the command
    /// names, in order, over the settings set in code, then the `LONA_*` environment variables
    /// (see [`crate::Settings::apply_env`]), then `--shell-server-url` and `--live-reload`.
    ///
    /// - `run-server` serves on `default_addr`, or its `--host`/`--port`, until SIGINT or
    ///   SIGTERM, then shuts down gracefully: views are stopped (`on_stop` runs) and sockets are
    ///   closed with "going away".
    /// - `collect-static DEST [--clean]` runs [`App::collect_static`].
    /// - `routes` writes [`App::routes_table`] to `out`.
    /// - `settings` writes the effective settings to `out` as TOML ([`crate::Settings::to_toml`]).
    ///
    /// # Errors
    ///
    /// A settings file or variable that is refused, a write to `out` that fails, or as
    /// [`App::spawn`] and [`App::collect_static`].
    #[cfg(feature = "cli")]
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
                let addr = crate::cli::listen_addr(default_addr, host.as_deref(), port);
                self.serve_until_signal(&addr, out)?;
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
            #[cfg(feature = "shell")]
            Command::Shell {
                socket,
                json,
                command,
            } => lona_shell::attach(&socket, command.as_deref(), json).map_err(ServerError::Io)?,
        }
        Ok(())
    }
}

/// The address `run` and `main` serve on when nothing says otherwise, as Lona's `localhost:8080`.
const DEFAULT_ADDR: &str = "127.0.0.1:8080";
