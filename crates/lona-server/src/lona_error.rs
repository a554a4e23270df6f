//! `Error`: one error type for an app's `main` (the facade's `lona::Error`), wrapping the typed
//! errors of the parts at or below the server, so that `App::main` can return it.
//!
//! Built like hyper's error: an opaque struct with `is_*` predicates. The `Display` text and the
//! `source()` types are not API; match on the predicates.

use std::fmt;

/// An error from any part of lona: what [`App::main`](crate::App::main),
/// [`App::run`](crate::App::run) and [`App::serve`](crate::App::serve) return, and what
/// `?` turns the parts' typed errors into.
///
/// ```no_run
/// fn main() -> lona_server::Result<()> {
///     let app = lona_server::App::new();
///     app.main()
/// }
/// ```
pub struct Error {
    kind: Kind,
    source: Box<dyn std::error::Error + Send + Sync>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Selector,
    Decode,
    NodeId,
    Server,
    Settings,
    Start,
    Io,
}

/// `Result` with [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A CSS selector did not parse.
    pub fn is_selector(&self) -> bool {
        self.kind == Kind::Selector
    }

    /// A message from a browser did not decode.
    pub fn is_decode(&self) -> bool {
        self.kind == Kind::Decode
    }

    /// A node id did not parse.
    pub fn is_node_id(&self) -> bool {
        self.kind == Kind::NodeId
    }

    /// The server could not start (a bad route or template, an address in use).
    pub fn is_server(&self) -> bool {
        self.kind == Kind::Server
    }

    /// Settings were refused: an unknown key or a wrong type in a settings file or a `LONA_*`
    /// environment variable. The message names the key and where
    /// it came from.
    pub fn is_settings(&self) -> bool {
        self.kind == Kind::Settings
    }

    /// A view could not start (the server is busy or shutting down).
    pub fn is_start(&self) -> bool {
        self.kind == Kind::Start
    }

    /// An I/O error of the app's own `main`: binding its listener, `axum::serve` (with
    /// [`App::serve`](crate::App::serve) and `App::into_service`,
    /// the caller binds).
    pub fn is_io(&self) -> bool {
        self.kind == Kind::Io
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("lona::Error")
            .field("kind", &self.kind)
            .field("source", &self.source)
            .finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.source, f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

impl From<lona_html::SelectorError> for Error {
    fn from(error: lona_html::SelectorError) -> Error {
        Error {
            kind: Kind::Selector,
            source: Box::new(error),
        }
    }
}

impl From<lona_protocol::client::DecodeError> for Error {
    fn from(error: lona_protocol::client::DecodeError) -> Error {
        Error {
            kind: Kind::Decode,
            source: Box::new(error),
        }
    }
}

impl From<lona_html::ParseNodeIdError> for Error {
    fn from(error: lona_html::ParseNodeIdError) -> Error {
        Error {
            kind: Kind::NodeId,
            source: Box::new(error),
        }
    }
}

impl From<crate::ServerError> for Error {
    fn from(error: crate::ServerError) -> Error {
        let kind = match error {
            crate::ServerError::Settings(_) => Kind::Settings,
            _ => Kind::Server,
        };
        Error {
            kind,
            source: Box::new(error),
        }
    }
}

impl From<crate::SettingsError> for Error {
    fn from(error: crate::SettingsError) -> Error {
        Error {
            kind: Kind::Settings,
            source: Box::new(error),
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(error: std::io::Error) -> Error {
        Error {
            kind: Kind::Io,
            source: Box::new(error),
        }
    }
}

impl From<lona_runtime::StartError> for Error {
    fn from(error: lona_runtime::StartError) -> Error {
        Error {
            kind: Kind::Start,
            source: Box::new(error),
        }
    }
}

#[cfg(test)]
mod tests;
