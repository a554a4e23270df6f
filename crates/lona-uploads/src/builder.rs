//! `BucketBuilder`, how a view makes its `Bucket`: the folder created, the bucket
//! registered, and deleted again when the view is cleaned up; `BucketError` when it cannot be.

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use lona_runtime::ViewHandle;
use parking_lot::Mutex;

use crate::bucket::{Bucket, BucketEvent, Files, Hook, Hooks, Shared};
use crate::limits::BucketLimits;
use crate::registry::Registry;

/// Why a bucket could not be made.
#[derive(Debug)]
#[non_exhaustive]
pub enum BucketError {
    /// The view is not served by a `lona_server::App` (there is no bucket registry in its app
    /// state): buckets need the server that answers their URLs.
    NoServer,
    /// The bucket's folder could not be created: check that `Settings::bucket_dir` (or the
    /// system's temporary folder) exists and is writable.
    Io(std::io::Error),
}

impl fmt::Display for BucketError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BucketError::NoServer => f.write_str("buckets need a view served by lona's App"),
            BucketError::Io(error) => write!(f, "cannot create the bucket's folder: {error}"),
        }
    }
}

impl std::error::Error for BucketError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BucketError::NoServer => None,
            BucketError::Io(error) => Some(error),
        }
    }
}

/// Deletes the bucket when the view is cleaned up (kept with `keep_until_cleanup`).
pub(crate) struct Guard(Arc<Shared>);

impl Drop for Guard {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// Makes a [`Bucket`] with hooks or without an index; see [`Bucket::builder`].
#[derive(Default)]
pub struct BucketBuilder {
    limits: BucketLimits,
    no_index: bool,
    on_add: Option<Hook>,
    on_delete: Option<Hook>,
}

impl fmt::Debug for BucketBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BucketBuilder")
            .field("limits", &self.limits)
            .field("index", &!self.no_index)
            .field("on_add", &self.on_add.is_some())
            .field("on_delete", &self.on_delete.is_some())
            .finish()
    }
}

impl BucketBuilder {
    /// The limits; [`BucketLimits::default`] if not set.
    pub fn limits(&mut self, limits: BucketLimits) -> &mut Self {
        self.limits = limits;
        self
    }

    /// Whether `GET` of [`Bucket::index_url`] lists the files with add and delete forms (Lona's
    /// `index`); on by default. Without it the index answers 404.
    pub fn index(&mut self, index: bool) -> &mut Self {
        self.no_index = !index;
        self
    }

    /// Runs `hook` after every successful upload, with the names of the files it added (Lona's
    /// `on_add`). The hook runs on a worker-pool thread, before the upload is answered; what it
    /// changes in the view's tree is sent when it returns. A hook that panics makes the upload
    /// answer 500; its files stay.
    pub fn on_add(&mut self, hook: impl Fn(&BucketEvent<'_>) + Send + Sync + 'static) -> &mut Self {
        self.on_add = Some(Arc::new(hook));
        self
    }

    /// Runs `hook` after a file was deleted through [`Bucket::delete_url`], with its name
    /// (Lona's `on_delete`); on a worker-pool thread, as [`BucketBuilder::on_add`].
    pub fn on_delete(
        &mut self,
        hook: impl Fn(&BucketEvent<'_>) + Send + Sync + 'static,
    ) -> &mut Self {
        self.on_delete = Some(Arc::new(hook));
        self
    }

    /// Makes the bucket for the view of `cx` (a [`lona_runtime::Context`],
    /// [`lona_runtime::AsyncContext`] or [`lona_runtime::EventContext`]): creates its private
    /// folder (mode 0700) and registers it with the server. Only the session of the view's
    /// request may use it. The hooks are taken out of the builder.
    ///
    /// Creating the folder is a quick blocking call; from an async view it runs on the
    /// executor's thread.
    ///
    /// # Errors
    ///
    /// [`BucketError::NoServer`] if the view does not run in a `lona_server::App`;
    /// [`BucketError::Io`] if the folder cannot be created.
    pub fn build(&mut self, cx: &ViewHandle) -> Result<Bucket, BucketError> {
        let registry = cx.state::<Registry>().ok_or(BucketError::NoServer)?;
        let id = (registry.new_id)();
        let dir = registry.dir.join(format!("lona-bucket-{id}"));
        create_private_dir(&registry.dir, &dir).map_err(BucketError::Io)?;
        let shared = Arc::new(Shared {
            id: id.clone(),
            dir,
            prefix: registry.prefix.clone(),
            session: cx.request().session.clone(),
            limits: self.limits,
            index: !self.no_index,
            files: Mutex::new(Files::default()),
            writes: tokio::sync::Mutex::new(()),
            closed: AtomicBool::new(false),
            hooks: Mutex::new(Some(Hooks {
                view: cx.clone(),
                on_add: self.on_add.take(),
                on_delete: self.on_delete.take(),
            })),
            table: Arc::downgrade(&registry.buckets),
        });
        registry.buckets.lock().insert(id, Arc::clone(&shared));
        // A view that is cleaned up already drops the guard at once: the bucket closes.
        cx.keep_until_cleanup(Guard(Arc::clone(&shared)));
        Ok(Bucket { shared })
    }
}

fn create_private_dir(base: &Path, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(base)?;
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(dir)
}

// Beside the builder they hand out, so that `bucket` stays below it.
impl Bucket {
    /// A bucket for the view of `cx` with `limits`, an index and no hooks (Lona's
    /// `Bucket(request, max_files, max_size)`); see [`BucketBuilder::build`].
    ///
    /// # Errors
    ///
    /// As [`BucketBuilder::build`].
    pub fn new(cx: &ViewHandle, limits: BucketLimits) -> Result<Bucket, BucketError> {
        Bucket::builder().limits(limits).build(cx)
    }

    /// A builder, for hooks and the index switch.
    pub fn builder() -> BucketBuilder {
        BucketBuilder::default()
    }
}
