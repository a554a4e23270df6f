//! The server's errors: why it could not start or run a command.

use std::fmt;

use crate::routing::RouteError;

/// The error type of a failed startup hook.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Why the server could not start.
#[derive(Debug)]
#[non_exhaustive]
pub enum ServerError {
    /// A route pattern is invalid; fix the pattern.
    Route(RouteError),
    /// A template does not compile; fix the template.
    #[cfg(feature = "templates")]
    Template(minijinja::Error),
    /// The address could not be bound: in use, or not ours.
    Bind(std::io::Error),
    /// The async runtime could not start.
    Io(std::io::Error),
    /// A middleware's startup hook failed.
    Startup(BoxError),
    /// The static files are misconfigured (a missing folder, a declared file no root has), or
    /// `collect-static` failed.
    Static(lona_static::StaticError),
    /// The channel broker of `channel_broker_url` could not connect: a bad URL, or a Redis
    /// server that is down or refuses us.
    ChannelBroker(std::io::Error),
    /// A settings file or environment variable was refused; the message names the key and
    /// where it came from.
    Settings(crate::settings::SettingsError),
    /// A command added with `App::shell_command` (the `shell` feature) has a name that is empty, holds a
    /// space, is built in, or was added twice.
    ShellCommand(String),
    /// A setting has a value of the right type that means nothing (`trusted_proxies` entry
    /// that is no address or range, say); the message names the setting and the value.
    InvalidSetting(String),
    /// A background task (`App::task`, `App::async_task`) has a name that is empty or holds a
    /// control character, or its thread could not be started.
    Task(String),
}

impl From<crate::settings::SettingsError> for ServerError {
    fn from(error: crate::settings::SettingsError) -> ServerError {
        ServerError::Settings(error)
    }
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerError::Route(error) => fmt::Display::fmt(error, f),
            #[cfg(feature = "templates")]
            ServerError::Template(error) => write!(f, "invalid template: {error}"),
            ServerError::Bind(error) => write!(f, "cannot listen: {error}"),
            ServerError::Io(error) => write!(f, "cannot start the async runtime: {error}"),
            ServerError::Static(error) => write!(f, "static files: {error}"),
            ServerError::Startup(error) => write!(f, "a middleware failed to start: {error}"),
            ServerError::ChannelBroker(error) => write!(f, "channel_broker_url: {error}"),
            ServerError::Settings(error) => fmt::Display::fmt(error, f),
            ServerError::ShellCommand(message) => write!(f, "admin shell: {message}"),
            ServerError::InvalidSetting(message) => write!(f, "invalid setting: {message}"),
            ServerError::Task(message) => write!(f, "background task: {message}"),
        }
    }
}

impl std::error::Error for ServerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ServerError::Route(error) => Some(error),
            #[cfg(feature = "templates")]
            ServerError::Template(error) => Some(error),
            ServerError::Bind(error)
            | ServerError::Io(error)
            | ServerError::ChannelBroker(error) => Some(error),
            ServerError::Static(error) => Some(error),
            ServerError::Startup(error) => Some(error.as_ref()),
            ServerError::Settings(error) => Some(error),
            ServerError::ShellCommand(_)
            | ServerError::InvalidSetting(_)
            | ServerError::Task(_) => None,
        }
    }
}
