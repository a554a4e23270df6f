//! The server's buckets by id (`Registry`, in the runtime's app state so that views find it),
//! and what a bucket's handles, the registry and the HTTP side share (`Shared`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};

use lona_runtime::SessionId;
use parking_lot::Mutex;

use crate::bucket::Hooks;
use crate::limits::BucketLimits;

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
    pub(crate) registry: Weak<Registry>,
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
        if let Some(registry) = self.registry.upgrade() {
            registry.buckets.lock().remove(&self.id);
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

/// The server's buckets by id, in the runtime's app state so that views find it.
pub struct Registry {
    pub(crate) prefix: String,
    pub(crate) dir: PathBuf,
    pub(crate) buckets: Mutex<HashMap<String, Arc<Shared>>>,
    pub(crate) new_id: fn() -> String,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("prefix", &self.prefix)
            .field("dir", &self.dir)
            .field("buckets", &self.buckets.lock().len())
            .finish_non_exhaustive()
    }
}

impl Registry {
    /// A registry for buckets served under `url_prefix` (`Settings::bucket_url_prefix`; `/`
    /// turns buckets off) with their folders in `dir`; `new_id` makes a bucket's secret id
    /// (the server's session-grade random token).
    pub fn new(url_prefix: &str, dir: PathBuf, new_id: fn() -> String) -> Registry {
        let mut prefix = url_prefix.to_owned();
        if !prefix.ends_with('/') {
            prefix.push('/');
        }
        Registry {
            prefix,
            dir,
            new_id,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn get(&self, id: &str) -> Option<Arc<Shared>> {
        self.buckets.lock().get(id).cloned()
    }

    /// The open buckets for the admin shell's `buckets`, by id: a shortened id and session
    /// (both are secrets), the files and bytes held, and the limits.
    pub fn listing(&self) -> serde_json::Value {
        let mut buckets: Vec<Arc<Shared>> = self.buckets.lock().values().cloned().collect();
        buckets.sort_by(|a, b| a.id.cmp(&b.id));
        let short = |secret: &str| secret.chars().take(8).collect::<String>() + "…";
        serde_json::Value::Array(
            buckets
                .iter()
                .map(|bucket| {
                    let files = bucket.files.lock();
                    serde_json::json!({
                        "id": short(&bucket.id),
                        "session": short(&bucket.session.0),
                        "files": files.list.len(),
                        "bytes": files.list.iter().map(|f| f.size).sum::<u64>(),
                        "max_files": bucket.limits.max_files,
                        "max_size": bucket.limits.max_size,
                        "max_file_size": bucket.limits.max_file_size,
                        "folder": bucket.dir.display().to_string(),
                    })
                })
                .collect(),
        )
    }
}

impl Drop for Registry {
    /// A server that goes away takes its buckets' folders with it, even those of views that
    /// were never cleaned up.
    fn drop(&mut self) {
        let buckets = std::mem::take(&mut *self.buckets.lock());
        for bucket in buckets.values() {
            bucket.close();
        }
    }
}
