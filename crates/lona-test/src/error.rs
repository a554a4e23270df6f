//! `TestError`: everything that can go wrong while a test drives a server, each with what the
//! window showed at that moment, so that a failing test explains itself.

use std::fmt;
use std::time::Duration;

use lona_html::SelectorError;

use lona_protocol::{ClientError, EventError, shorten};

/// How much of the window's HTML an error shows.
const HTML_SHOWN: usize = 2000;

/// An error of [`crate::TestServer`] or [`crate::TestClient`].
#[derive(Debug)]
#[non_exhaustive]
pub enum TestError {
    /// A socket failed (connect, read or write outside the WebSocket).
    Io {
        /// What was being done, e.g. `GET /`.
        what: String,
        /// The error.
        source: std::io::Error,
    },
    /// The page of an opened path did not load: its status is not 2xx, so a browser would
    /// not run the client there.
    Status {
        /// The path.
        path: String,
        /// The status code.
        status: u16,
        /// The body, cut short.
        body: String,
    },
    /// The WebSocket handshake failed (403 for a refused Origin, for example).
    Handshake {
        /// The path.
        path: String,
        /// The reason.
        message: String,
    },
    /// The WebSocket failed after the handshake.
    WebSocket(String),
    /// The server sent a frame the client cannot decode or apply.
    Protocol(ClientError),
    /// An input event could not be built (the node is gone, nothing listens to the event).
    Event(EventError),
    /// A selector does not parse.
    Selector(SelectorError),
    /// What was waited for did not happen in time.
    Timeout {
        /// What was waited for.
        waiting_for: String,
        /// How long.
        after: Duration,
        /// The window's HTML at the deadline.
        html: String,
        /// The last frames received, oldest first.
        recent_frames: Vec<String>,
    },
    /// The server closed the WebSocket while something was waited for.
    Closed {
        /// What was waited for.
        waiting_for: String,
        /// The close code and reason, if the server sent them.
        reason: String,
        /// The window's HTML when the socket closed.
        html: String,
    },
    /// [`crate::TestClient::follow_redirect`] found no REDIRECT to follow.
    NoRedirect,
}

impl TestError {
    /// Whether this is a [`TestError::Timeout`].
    pub fn is_timeout(&self) -> bool {
        matches!(self, TestError::Timeout { .. })
    }

    pub(crate) fn io(what: impl Into<String>, source: std::io::Error) -> TestError {
        TestError::Io {
            what: what.into(),
            source,
        }
    }
}

impl fmt::Display for TestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TestError::Io { what, source } => write!(f, "{what} failed: {source}"),
            TestError::Status { path, status, body } => write!(
                f,
                "GET {path} answered {status}, not a page with the client: {}",
                shorten(body, 300)
            ),
            TestError::Handshake { path, message } => {
                write!(f, "the WebSocket handshake on {path} failed: {message}")
            }
            TestError::WebSocket(message) => write!(f, "the WebSocket failed: {message}"),
            TestError::Protocol(error) => fmt::Display::fmt(error, f),
            TestError::Event(error) => fmt::Display::fmt(error, f),
            TestError::Selector(error) => fmt::Display::fmt(error, f),
            TestError::Timeout {
                waiting_for,
                after,
                html,
                recent_frames,
            } => {
                write!(
                    f,
                    "timed out after {after:?} waiting for {waiting_for}\nthe window shows: {}",
                    shorten(html, HTML_SHOWN)
                )?;
                if recent_frames.is_empty() {
                    f.write_str("\nno frame came")
                } else {
                    f.write_str("\nthe last frames:")?;
                    for frame in recent_frames {
                        write!(f, "\n  {frame}")?;
                    }
                    Ok(())
                }
            }
            TestError::Closed {
                waiting_for,
                reason,
                html,
            } => write!(
                f,
                "the server closed the socket ({reason}) while waiting for {waiting_for}\n\
                 the window shows: {}",
                shorten(html, HTML_SHOWN)
            ),
            TestError::NoRedirect => f.write_str("the window got no REDIRECT to follow"),
        }
    }
}

impl std::error::Error for TestError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TestError::Io { source, .. } => Some(source),
            TestError::Protocol(error) => Some(error),
            TestError::Event(error) => Some(error),
            TestError::Selector(error) => Some(error),
            _ => None,
        }
    }
}

impl From<ClientError> for TestError {
    fn from(error: ClientError) -> TestError {
        TestError::Protocol(error)
    }
}

impl From<EventError> for TestError {
    fn from(error: EventError) -> TestError {
        TestError::Event(error)
    }
}

impl From<SelectorError> for TestError {
    fn from(error: SelectorError) -> TestError {
        TestError::Selector(error)
    }
}
