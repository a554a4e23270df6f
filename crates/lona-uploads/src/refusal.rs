//! `Refusal`: why a bucket request is refused, and the status and plain-text explanation the
//! browser gets for it.

use std::fmt;

use http::StatusCode;

/// Why a bucket request is refused; each becomes a status and a plain-text explanation.
#[derive(Debug)]
pub(crate) enum Refusal {
    NoBucket,
    OtherSession,
    NoSuchFile,
    NoIndex,
    Method,
    NotMultipart,
    Malformed(String),
    NoFile,
    TooManyFiles(usize),
    FileTooLarge(u64),
    TooLarge(u64),
    Busy,
    Io(std::io::Error),
    HookPanicked,
    /// The body stalled for `body_idle_timeout`.
    TimedOut,
}

impl Refusal {
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            Refusal::NoBucket | Refusal::NoSuchFile | Refusal::NoIndex => StatusCode::NOT_FOUND,
            Refusal::OtherSession => StatusCode::FORBIDDEN,
            Refusal::Method => StatusCode::METHOD_NOT_ALLOWED,
            Refusal::NotMultipart
            | Refusal::Malformed(_)
            | Refusal::NoFile
            | Refusal::TooManyFiles(_) => StatusCode::BAD_REQUEST,
            Refusal::FileTooLarge(_) | Refusal::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Refusal::Busy => StatusCode::SERVICE_UNAVAILABLE,
            Refusal::Io(_) | Refusal::HookPanicked => StatusCode::INTERNAL_SERVER_ERROR,
            Refusal::TimedOut => StatusCode::REQUEST_TIMEOUT,
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NoBucket => f.write_str("no such bucket"),
            Refusal::OtherSession => f.write_str("this bucket belongs to another session"),
            Refusal::NoSuchFile => f.write_str("no such file in this bucket"),
            Refusal::NoIndex => f.write_str("this bucket has no index"),
            Refusal::Method => f.write_str("method not allowed"),
            Refusal::NotMultipart => f.write_str("expected a multipart/form-data body"),
            Refusal::Malformed(why) => write!(f, "malformed multipart body: {why}"),
            Refusal::NoFile => f.write_str("the upload holds no file"),
            Refusal::TooManyFiles(max) => {
                write!(f, "too many files: this bucket holds at most {max}")
            }
            Refusal::FileTooLarge(max) => {
                write!(f, "file too large: at most {max} bytes per file")
            }
            Refusal::TooLarge(max) => {
                write!(f, "upload too large: this bucket holds at most {max} bytes")
            }
            Refusal::Busy => f.write_str("the server is busy, try again"),
            Refusal::Io(error) => write!(f, "cannot store the file: {error}"),
            Refusal::HookPanicked => f.write_str("the app failed to handle the upload"),
            Refusal::TimedOut => f.write_str("the upload stalled"),
        }
    }
}
