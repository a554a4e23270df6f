//! Static files an app configures: the CSS and JavaScript its pages declare
//! ([`StaticFile`]), and what `collect-static` copies for a reverse proxy ([`Manifest`]).

pub use lona_static::{
    CollectOptions, CollectStep, FileKind, Manifest, SortOrder, StaticError, StaticFile,
    StaticFiles,
};
