//! `Bucket`, a view's handle on its uploads, and what its clones, the registry and the HTTP
//! side share (`Shared`: the folder, the files, the hooks). These types hold each other (a
//! hook is told the bucket, the bucket holds its hooks), so they live together, below the
//! registry that finds them and the builder that makes them.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};

use lona_runtime::{SessionId, ViewHandle};
use parking_lot::Mutex;

use crate::limits::BucketLimits;
use crate::names::encode_name;

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

/// A folder for a view's uploads (Lona's `Bucket`): files the browser posts to
/// [`Bucket::add_url`] land here, and it is deleted with everything in it when the view is
/// cleaned up. Cheap to clone; every clone is the same bucket.
///
/// ```no_run
/// use lona_html::tags;
/// use lona_runtime::{Context, Request, View, ViewResult};
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
///             .with((
///                 tags::input().with_attr("type", "file").with_attr("name", "files"),
///                 tags::input().with_attr("type", "submit"),
///             ));
///         let frame = tags::iframe().with_attr("name", "uploads").with_attr("hidden", "");
///         Ok(tags::div().with((form, frame, list)).into())
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

impl Bucket {
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

/// One stored file: the name the browser gave and the name on disk.
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    pub(crate) name: String,
    pub(crate) stored: String,
    pub(crate) size: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Files {
    pub(crate) list: Vec<Stored>,
    /// The number of the next stored name; names are never reused in a bucket.
    pub(crate) next: u64,
}

/// What the view's handles, the registry and the HTTP side share.
pub(crate) struct Shared {
    pub(crate) id: String,
    pub(crate) dir: PathBuf,
    pub(crate) prefix: String,
    pub(crate) session: SessionId,
    pub(crate) limits: BucketLimits,
    pub(crate) index: bool,
    pub(crate) files: Mutex<Files>,
    /// Adds and deletes run one at a time per bucket, as in Lona: an upload checks its limits
    /// against files that cannot change under it.
    pub(crate) writes: tokio::sync::Mutex<()>,
    pub(crate) closed: AtomicBool,
    pub(crate) hooks: Mutex<Option<Hooks>>,
    /// The registry's table, left when the bucket closes; gone with the registry.
    pub(crate) table: Weak<Table>,
}

impl Shared {
    pub(crate) fn path_of(&self, stored: &str) -> PathBuf {
        self.dir.join(stored)
    }

    pub(crate) fn lookup(&self, name: &str) -> Option<Stored> {
        self.files
            .lock()
            .list
            .iter()
            .find(|f| f.name == name)
            .cloned()
    }

    pub(crate) fn reserve_name(&self) -> String {
        let mut files = self.files.lock();
        files.next += 1;
        format!("upload-{:06}", files.next)
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Unregisters the bucket, drops its hooks and deletes its folder; the first call only.
    /// Runs on the worker pool (at the view's cleanup) or where the registry is dropped.
    pub(crate) fn close(&self) {
        if self.closed.swap(true, Ordering::AcqRel) {
            return;
        }
        let hooks = self.hooks.lock().take();
        drop(hooks);
        if let Some(table) = self.table.upgrade() {
            table.lock().remove(&self.id);
        }
        self.files.lock().list.clear();
        remove_dir(&self.dir);
    }
}

pub(crate) fn remove_dir(dir: &Path) {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => tracing::warn!(%error, dir = %dir.display(), "cannot delete a bucket"),
    }
}

/// The open buckets by id: the registry owns the table, a bucket points back to it weakly to
/// leave it when it closes.
pub(crate) type Table = Mutex<HashMap<String, Arc<Shared>>>;
