//! [`StaticError`]: why setting up static files or collecting them failed. Answering a request
//! never fails; it gives a response.

use std::path::PathBuf;

/// Why [`Builder::build`](crate::Builder::build) or [`StaticFiles::collect`](crate::StaticFiles::collect)
/// failed. Each variant says what to fix.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StaticError {
    /// A static directory does not exist or is not a directory: create it or fix the path.
    #[error("static directory {path} is not a readable directory")]
    Root {
        /// The directory as given.
        path: PathBuf,
        /// What the file system said.
        #[source]
        source: std::io::Error,
    },
    /// The URL prefix must start and end with `/`, e.g. `/static/`.
    #[error("static url prefix {0:?} must start and end with '/'")]
    Prefix(String),
    /// An embedded file, declared file or name prefix is not a valid relative path (empty
    /// segments, `..`, dotfiles, `\`, `:` and control characters are refused): rename it.
    #[error("invalid static file name {0:?}")]
    Name(String),
    /// A declared file is in none of the roots: add its directory or embedded set, or fix its
    /// path.
    #[error("declared static file {name:?} ({path}) is in no static root")]
    Declared {
        /// The declared name.
        name: String,
        /// Its path relative to the roots.
        path: String,
    },
    /// The collect destination is not empty: pass `clean` to empty it first, or choose
    /// another directory.
    #[error("collect destination {0} is not empty")]
    NotEmpty(PathBuf),
    /// The collect destination is, contains or is inside a static directory, or is a
    /// symlink: collecting there would overwrite or delete the sources.
    #[error("collect destination {0} overlaps a static directory or is a symlink")]
    Destination(PathBuf),
    /// A static file would land on `manifest.json` at the top of the destination: rename it.
    #[error("a static file is named manifest.json, which collect writes itself")]
    ManifestClash,
    /// Reading a static file or writing the destination failed.
    #[error("i/o error on {path}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What the file system said.
        #[source]
        source: std::io::Error,
    },
}

impl StaticError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> StaticError {
        let path = path.into();
        move |source| StaticError::Io { path, source }
    }
}
