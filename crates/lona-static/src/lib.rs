//! Static files for lona: directories and embedded file sets behind one URL prefix, served with
//! correct HTTP caching, ranges and precompressed variants, plus hashed URLs for cache busting,
//! the `<link>`/`<script>` tags of declared files, and collect-static for reverse proxies.
//!
//! This crate knows nothing of views, the protocol, tokio or hyper: a request comes in as a
//! borrowed [`StaticRequest`] and goes out as a [`StaticResponse`] whose [`Body`] is bytes in
//! memory or an open file to stream. The server calls [`StaticFiles::lookup_cached`] on its
//! async workers (memory only) and, when that says `None`, [`StaticFiles::respond`] on its
//! static pool (may touch the file system).
//!
//! ```
//! use lona_static::{EmbeddedFile, StaticFiles, StaticRequest};
//!
//! let files = StaticFiles::builder()
//!     .add_embedded("lona/", [EmbeddedFile::from_text("lona.js", "text/javascript", "1;")])
//!     .build()?;
//! let response = files.respond(&StaticRequest::get("/static/lona/lona.js"));
//! assert_eq!(response.status, 200);
//! assert_eq!(response.body.as_slice(), Some(&b"1;"[..]));
//! assert_eq!(files.respond(&StaticRequest::get("/static/lona/../x")).status, 404);
//! # Ok::<(), lona_static::StaticError>(())
//! ```
//!
//! Every path goes through one validation function (`path.rs`) and, for directories, a
//! canonicalization that refuses anything outside the root; see [`StaticFiles`] for every
//! case that answers 404.

mod answer;
mod cache;
mod collect;
mod declared;
mod embedded;
mod error;
mod files;
mod http;
mod mime;
mod path;

pub use crate::answer::{FileValidators, Validation, validate};
pub use crate::collect::{CollectOptions, CollectStep, MANIFEST_NAME, Manifest};
pub use crate::declared::{FileKind, SortOrder, StaticFile};
pub use crate::embedded::EmbeddedFile;
pub use crate::error::StaticError;
pub use crate::files::{Builder, StaticFiles};
pub use crate::http::{Body, SharedBytes, StaticRequest, StaticResponse};
pub use crate::mime::{URL_ESCAPED, content_disposition, content_type};
