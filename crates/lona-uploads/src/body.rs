//! What crosses the seam with the server: the request body it hands in (`RequestBody`, which
//! says when it stalled) and the answer body it streams back (`UploadBody`).

use bytes::Bytes;

/// A request body as the server hands it to [`Registry::serve`](crate::Registry::serve).
pub type RequestBody = http_body_util::combinators::UnsyncBoxBody<Bytes, BodyError>;

/// Why reading a [`RequestBody`] failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum BodyError {
    /// No chunk came for the server's `body_idle_timeout`: the answer is 408.
    TimedOut,
    /// The connection broke or the body was malformed.
    Broken(Box<dyn std::error::Error + Send + Sync>),
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BodyError::TimedOut => f.write_str("the request body stalled (body_idle_timeout)"),
            BodyError::Broken(error) => std::fmt::Display::fmt(error, f),
        }
    }
}

impl std::error::Error for BodyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BodyError::TimedOut => None,
            BodyError::Broken(error) => Some(&**error),
        }
    }
}

/// Whether `error` (or what it wraps) is [`BodyError::TimedOut`].
pub(crate) fn is_timed_out(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(error) = current {
        if matches!(error.downcast_ref::<BodyError>(), Some(BodyError::TimedOut)) {
            return true;
        }
        current = error.source();
    }
    false
}

/// The body of a bucket answer: bytes, or a stored file the server streams (on its static
/// pool, as it streams static files). Exhaustive on purpose: a new kind must not compile in a
/// server that cannot send it.
#[derive(Debug)]
pub enum UploadBody {
    /// The whole body.
    Bytes(Bytes),
    /// The first `length` bytes of `file`.
    File {
        /// The open file, at its start.
        file: std::fs::File,
        /// Its length, as `Content-Length` says.
        length: u64,
    },
}
