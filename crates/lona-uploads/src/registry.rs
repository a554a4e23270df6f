//! The server's buckets by id (`Registry`, in the runtime's app state so that views find it).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use parking_lot::Mutex;

use crate::bucket::{Shared, Table};

/// The server's buckets by id, in the runtime's app state so that views find it.
pub struct Registry {
    pub(crate) prefix: String,
    pub(crate) dir: PathBuf,
    pub(crate) buckets: Arc<Table>,
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
            buckets: Arc::new(Mutex::new(HashMap::new())),
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
