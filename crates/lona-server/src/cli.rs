//! The command line of an app's own binary, parsed with clap: `Command` is what was asked for
//! (`run-server`, `collect-static`, `routes`, `settings`, `shell`), `CommandLineError` why the arguments
//! did not parse. [`crate::App::main`] runs it.

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// What the command line asked for. Without a subcommand the app runs the server, so that
/// `cargo run` of an app serves it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Command {
    /// `run-server [--host H] [--port P] [-s FILES...] [--shell-server-url file://PATH]
    /// [--live-reload]`: serves the app until SIGINT or SIGTERM.
    RunServer {
        /// Overrides the host of the app's default address.
        host: Option<String>,
        /// Overrides the port of the app's default address.
        port: Option<u16>,
        /// TOML settings files, applied in order.
        settings: Vec<PathBuf>,
        /// The admin shell's unix socket, from `file://PATH`.
        shell_server_url: Option<PathBuf>,
        /// Turns on [`crate::Settings::live_reload`].
        live_reload: bool,
    },
    /// `collect-static DEST [--clean] [--dry-run] [--silent] [-s FILES...]`: copies the
    /// static files into `DEST`, printing each step.
    CollectStatic {
        /// The folder to fill.
        dest: PathBuf,
        /// Empty `dest` first.
        clean: bool,
        /// Print what would be done, do nothing.
        dry_run: bool,
        /// Print only the summary line.
        silent: bool,
        /// TOML settings files, applied in order.
        settings: Vec<PathBuf>,
    },
    /// `routes [-s FILES...]`: prints each route's pattern, name and kind.
    Routes {
        /// TOML settings files, applied in order.
        settings: Vec<PathBuf>,
    },
    /// `settings [-s FILES...]`: prints the effective settings as TOML.
    Settings {
        /// TOML settings files, applied in order.
        settings: Vec<PathBuf>,
    },
    /// `shell file://PATH [--json] [COMMAND...]` (the `shell` feature): attaches to a running server's admin shell,
    /// with line editing and history, or runs one command and prints its answer.
    #[cfg(feature = "shell")]
    Shell {
        /// The server's admin socket, from `file://PATH`.
        socket: PathBuf,
        /// Answers as JSON.
        json: bool,
        /// The one command to run; `None` attaches interactively.
        command: Option<String>,
    },
}

impl Command {
    /// Parses a command line; the first item is the program's name, as in `std::env::args_os`.
    ///
    /// ```
    /// # use lona_server::Command;
    /// let command = Command::parse_from(["my-app", "run-server", "--port", "9000"])?;
    /// assert!(matches!(command, Command::RunServer { port: Some(9000), .. }));
    /// # Ok::<(), lona_server::CommandLineError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Arguments that do not parse, and `--help`, whose text is the error's message; see
    /// [`CommandLineError::exit`].
    pub fn parse_from<I, T>(args: I) -> Result<Command, CommandLineError>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let cli = Cli::try_parse_from(args).map_err(CommandLineError)?;
        Ok(match cli.command {
            None => Command::RunServer {
                host: None,
                port: None,
                settings: Vec::new(),
                shell_server_url: None,
                live_reload: false,
            },
            Some(Sub::RunServer {
                host,
                port,
                files,
                shell_server_url,
                live_reload,
            }) => Command::RunServer {
                host,
                port,
                settings: files.settings,
                shell_server_url,
                live_reload,
            },
            Some(Sub::CollectStatic {
                dest,
                clean,
                dry_run,
                silent,
                files,
            }) => Command::CollectStatic {
                dest,
                clean,
                dry_run,
                silent,
                settings: files.settings,
            },
            Some(Sub::Routes { files }) => Command::Routes {
                settings: files.settings,
            },
            Some(Sub::Settings { files }) => Command::Settings {
                settings: files.settings,
            },
            #[cfg(feature = "shell")]
            Some(Sub::Shell { url, json, command }) => Command::Shell {
                socket: url,
                json,
                command: (!command.is_empty()).then(|| command.join(" ")),
            },
        })
    }

    /// The settings files the command names.
    pub fn settings_files(&self) -> &[PathBuf] {
        match self {
            Command::RunServer { settings, .. }
            | Command::CollectStatic { settings, .. }
            | Command::Routes { settings }
            | Command::Settings { settings } => settings,
            #[cfg(feature = "shell")]
            Command::Shell { .. } => &[],
        }
    }
}

/// Arguments that did not parse, or a request for help: the message is clap's, usage included.
pub struct CommandLineError(clap::Error);

impl CommandLineError {
    /// Prints the message (help to stdout, errors to stderr) and exits the process: with 0 for
    /// `--help`, 2 for a usage error, as command line tools do.
    pub fn exit(&self) -> ! {
        self.0.exit()
    }

    /// Whether this is `--help` rather than a mistake.
    pub fn is_help(&self) -> bool {
        self.0.kind() == clap::error::ErrorKind::DisplayHelp
    }
}

impl fmt::Debug for CommandLineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CommandLineError")
            .field(&self.0.kind())
            .finish()
    }
}

impl fmt::Display for CommandLineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.render(), f)
    }
}

impl std::error::Error for CommandLineError {}

/// The clap grammar; private so that clap's types stay out of the API.
#[derive(Debug, Parser)]
#[command(
    about = "A lona app: serves it, or collects its static files, or shows its routes or settings"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Sub>,
}

#[derive(Debug, Args)]
struct SettingsFiles {
    /// TOML settings files, applied in order over the settings set in code (a later file
    /// wins); `LONA_*` environment variables override them all.
    #[arg(short = 's', long = "settings", value_name = "FILES", num_args = 1..)]
    settings: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Sub {
    /// Serve the app until SIGINT or SIGTERM (the default).
    RunServer {
        /// The host to listen on (default: the app's, usually 127.0.0.1).
        #[arg(long)]
        host: Option<String>,
        /// The port to listen on (default: the app's, usually 8080).
        #[arg(long)]
        port: Option<u16>,
        #[command(flatten)]
        files: SettingsFiles,
        /// The admin shell's unix socket.
        #[arg(long, value_name = "file://PATH", value_parser = parse_shell_server_url)]
        shell_server_url: Option<PathBuf>,
        /// Development: browsers reload the page when they reconnect after a restart (run
        /// under a watcher such as `cargo watch`).
        #[arg(long)]
        live_reload: bool,
    },
    /// Copy every static file into DEST, for a reverse proxy to serve.
    CollectStatic {
        /// The folder to fill; it must be empty unless --clean is given.
        dest: PathBuf,
        /// Empty DEST first.
        #[arg(long)]
        clean: bool,
        /// Print what would be removed and copied, change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print only the summary, not each `rm` and `cp`.
        #[arg(long)]
        silent: bool,
        #[command(flatten)]
        files: SettingsFiles,
    },
    /// Print each route: pattern, name and kind.
    Routes {
        #[command(flatten)]
        files: SettingsFiles,
    },
    /// Print the effective settings (code, then files, then environment) as TOML.
    Settings {
        #[command(flatten)]
        files: SettingsFiles,
    },
    /// Attach to a running server's admin shell, or run one command on it.
    #[cfg(feature = "shell")]
    Shell {
        /// The server's admin socket.
        #[arg(value_name = "file://PATH", value_parser = parse_shell_server_url)]
        url: PathBuf,
        /// Answer as JSON.
        #[arg(long)]
        json: bool,
        /// One command to run (e.g. `views`); without one, an interactive shell.
        command: Vec<String>,
    },
}

fn parse_shell_server_url(url: &str) -> Result<PathBuf, String> {
    crate::settings::shell_socket_path(url).ok_or_else(|| {
        "the shell server listens on a unix socket only: give file://PATH".to_owned()
    })
}

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

#[cfg(test)]
mod tests;
