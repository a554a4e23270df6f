//! The errors of `ClientState`: a server frame it cannot take, and an input event it cannot
//! build.

use std::fmt;

use lona_html::ApplyError;

use crate::client::shorten;
use crate::{DecodeError, WindowId};

/// A server frame that does not decode or cannot be applied: which frame, where in it, what was
/// expected there and what was found.
///
/// The display reads like `bad server frame lona:[1,"1",203,...]: at frame[3][1][0][1],
/// expected the id of a node the window shows, found the string "99"`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ClientError {
    /// The frame, cut to its first 300 characters.
    pub frame: String,
    /// Where in the frame: `frame`, then `[index]` for each step into an array.
    pub at: String,
    /// What was expected there.
    pub expected: String,
    /// What was found instead.
    pub found: String,
}

impl ClientError {
    /// A frame that does not decode.
    pub(super) fn decode(frame: &str, error: DecodeError) -> ClientError {
        ClientError {
            frame: shorten(frame, 300),
            at: error.path,
            expected: error.expected.to_owned(),
            found: error.found.to_string(),
        }
    }

    /// A frame that decodes but the window cannot take: `at` is where the tree or patch is.
    pub(super) fn apply(frame: &str, at: String, error: ApplyError) -> ClientError {
        ClientError {
            frame: shorten(frame, 300),
            at,
            expected: error.expected.to_owned(),
            found: error.found,
        }
    }
}

/// Where the HTML of a DATA frame is: `[window, runtime, 203, [title, [DATA_TYPE, here]]]`.
pub(super) const DATA_AT: &str = "frame[3][1][1]";

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "bad server frame {}: at {}, expected {}, found {}",
            self.frame, self.at, self.expected, self.found
        )
    }
}

impl std::error::Error for ClientError {}

/// Why an input event could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventError {
    /// The node is not in the DOM of any window (or it came from an HTML string, whose nodes
    /// have no ids).
    UnknownNode {
        /// The node, as `Debug` shows it.
        node: String,
    },
    /// The node's window has no running view: no VIEW_START since the last VIEW.
    NoView {
        /// The window.
        window: WindowId,
    },
    /// Neither the node nor (for bubbling events) an ancestor listens to the event, so a
    /// browser would not send it.
    NotListening {
        /// The node, as `Debug` shows it.
        node: String,
        /// The event's name.
        event: &'static str,
    },
}

impl fmt::Display for EventError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventError::UnknownNode { node } => {
                write!(f, "node {node} is not in the DOM of any window")
            }
            EventError::NoView { window } => write!(f, "window {window} has no running view"),
            EventError::NotListening { node, event } => write!(
                f,
                "neither node {node} nor an ancestor listens to {event} events"
            ),
        }
    }
}

impl std::error::Error for EventError {}
