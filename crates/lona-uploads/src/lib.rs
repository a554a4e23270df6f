//! Uploads, Lona's buckets: a private folder per view that the browser fills with
//! `multipart/form-data` posts, and the HTTP endpoints that add, delete, list and serve its
//! files.
//!
//! A view makes a [`Bucket`]; the bucket lives until the view is cleaned up, then its folder is
//! deleted. Its URLs, under `Settings::bucket_url_prefix` (`/buckets/`):
//!
//! | Request | Answer |
//! |---|---|
//! | `POST <prefix><id>/add` | Stores every file of a multipart body; 200, or 302 with `?redirect=/path` |
//! | `POST <prefix><id>/delete` | Deletes the file named by the form field `name` |
//! | `GET <prefix><id>/` | An HTML index with add and delete forms, if the bucket has one |
//! | `GET <prefix><id>/<name>` | The file, with its content type |
//!
//! What Lona gets wrong and this crate does not (Lona's quirk Q7): the id is 190 random bits,
//! not a request id and a uuid1; only the session that made the bucket may use it (403 for any
//! other); and a browser's file name is only ever a display name: files are stored under
//! generated names, so `../../etc/passwd` is a name like any other.
//!
//! Uploads stream to disk as they arrive, one bounded buffer at a time, on the static pool; the
//! limits are checked while streaming, and a refused upload leaves nothing behind.
//!
//! The server mounts the HTTP side through a small seam: it puts a [`Registry`] in the
//! runtime's app state (views find it there), and routes every request under the prefix to
//! [`Registry::serve`] with the session it verified; the answer's [`UploadBody`] is bytes or a
//! file for the server to stream. This crate opens no socket and knows no HTTP server.

mod answer;
mod body;
mod bucket;
mod builder;
mod delete;
mod disk;
mod hooks;
mod limits;
mod multipart;
mod names;
mod refusal;
mod registry;
mod service;
mod upload;

pub use crate::body::{BodyError, RequestBody, UploadBody};
pub use crate::bucket::{Bucket, BucketEvent};
pub use crate::builder::{BucketBuilder, BucketError};
pub use crate::limits::BucketLimits;
pub use crate::registry::Registry;

#[cfg(test)]
mod tests;
