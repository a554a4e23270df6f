//! File uploads into a view: a [`Bucket`] gives a view an upload URL and tells it what
//! arrived, within its [`BucketLimits`].

pub use lona_server::{Bucket, BucketBuilder, BucketError, BucketEvent, BucketLimits};
