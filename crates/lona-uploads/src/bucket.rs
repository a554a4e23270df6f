//! `Bucket`, the view's side of uploads: a private folder per view, made with a
//! `BucketBuilder` and deleted when the view is cleaned up, with its URLs and its hooks.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use lona_runtime::ViewHandle;
use parking_lot::Mutex;

use crate::limits::BucketLimits;
use crate::names::encode_name;
use crate::registry::{Files, Registry, Shared};

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

/// What an `on_add` or `on_delete` hook is told.
#[derive(Debug)]
#[non_exhaustive]
pub struct BucketEvent<'a> {
    /// The view that owns the bucket: what the hook changes in its tree is sent when the hook
    /// returns.
    pub view: &'a ViewHandle,
    /// The bucket.
    pub bucket: &'a Bucket,
    /// The display names of the files added or deleted, in the order of the request.
    pub names: &'a [String],
}

/// A hook of a bucket.
pub(crate) type Hook = Arc<dyn Fn(&BucketEvent<'_>) + Send + Sync>;

/// The view's handle and the hooks; dropped when the bucket closes, which breaks the cycle of
/// a hook that holds its own bucket or view.
#[derive(Clone)]
pub(crate) struct Hooks {
    pub(crate) view: ViewHandle,
    pub(crate) on_add: Option<Hook>,
    pub(crate) on_delete: Option<Hook>,
}

/// Deletes the bucket when the view is cleaned up (kept with `keep_until_cleanup`).
pub(crate) struct Guard(Arc<Shared>);

impl Drop for Guard {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// A folder for a view's uploads (Lona's `Bucket`): files the browser posts to
/// [`Bucket::add_url`] land here, and it is deleted with everything in it when the view is
/// cleaned up. Cheap to clone; every clone is the same bucket.
///
/// ```no_run
/// use lona_html::tags;
/// use lona_runtime::{Context, Request, Response, View, ViewResult};
/// use lona_uploads::{Bucket, BucketLimits};
///
/// struct Upload;
///
/// impl View for Upload {
///     fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
///         let list = tags::ul();
///         let bucket = Bucket::builder()
///             .limits(BucketLimits::default().with_max_files(10))
///             .on_add({
///                 let list = list.clone();
///                 move |event| {
///                     for name in event.names {
///                         list.append(tags::li().with_text(name.as_str()));
///                     }
///                 }
///             })
///             .build(cx)?;
///         // An iframe target keeps the page (and the view) while the form posts.
///         let form = tags::form()
///             .with_attr("action", bucket.add_url())
///             .with_attr("method", "post")
///             .with_attr("enctype", "multipart/form-data")
///             .with_attr("target", "uploads")
///             .with_child(tags::input().with_attr("type", "file").with_attr("name", "files"))
///             .with_child(tags::input().with_attr("type", "submit"));
///         let frame = tags::iframe().with_attr("name", "uploads").with_attr("hidden", "");
///         Ok(Response::Node(tags::div().with_child(form).with_child(frame).with_child(list)))
///     }
/// }
/// ```
#[derive(Clone)]
pub struct Bucket {
    pub(crate) shared: Arc<Shared>,
}

impl fmt::Debug for Bucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bucket")
            .field("id", &self.shared.id)
            .field("dir", &self.shared.dir)
            .field("limits", &self.shared.limits)
            .field("closed", &self.shared.is_closed())
            .finish_non_exhaustive()
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
            registry: Arc::downgrade(&registry),
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

    /// The bucket's id: 32 random characters, the part of its URLs nobody can guess.
    pub fn id(&self) -> &str {
        &self.shared.id
    }

    /// The bucket's folder (Lona's `get_path()`). Files in it have generated names; use
    /// [`Bucket::path`] to find one by the name the browser gave.
    pub fn dir(&self) -> &Path {
        &self.shared.dir
    }

    /// The limits.
    pub fn limits(&self) -> BucketLimits {
        self.shared.limits
    }

    /// The names of the files, as the browser gave them (cleaned of control characters), in
    /// the order they were added (Lona's `get_file_names()`).
    pub fn file_names(&self) -> Vec<String> {
        let files = self.shared.files.lock();
        files.list.iter().map(|f| f.name.clone()).collect()
    }

    /// Where the file the browser named `name` is stored (Lona's `get_path(name)`), if there is
    /// one. The path is always inside [`Bucket::dir`], whatever the name.
    pub fn path(&self, name: &str) -> Option<PathBuf> {
        let stored = self.shared.lookup(name)?;
        Some(self.shared.path_of(&stored.stored))
    }

    /// The bytes all files take (Lona's `get_size()`).
    pub fn size(&self) -> u64 {
        self.shared.files.lock().list.iter().map(|f| f.size).sum()
    }

    /// The URL that serves the file named `name` (Lona's `get_url(name)`), the name
    /// percent-encoded.
    pub fn url(&self, name: &str) -> String {
        format!("{}{}", self.index_url(), encode_name(name))
    }

    /// The URL of the bucket's index page (Lona's `get_url()`).
    pub fn index_url(&self) -> String {
        format!("{}{}/", self.shared.prefix, self.shared.id)
    }

    /// The URL a `multipart/form-data` form posts files to (Lona's `get_add_url()`).
    pub fn add_url(&self) -> String {
        format!("{}add", self.index_url())
    }

    /// The URL a form posts a `name` field to, to delete that file (Lona's
    /// `get_delete_url()`).
    pub fn delete_url(&self) -> String {
        format!("{}delete", self.index_url())
    }

    /// Whether the bucket is closed: its view was cleaned up and its folder deleted.
    pub fn is_closed(&self) -> bool {
        self.shared.is_closed()
    }
}
