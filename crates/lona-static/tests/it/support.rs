//! Fixtures: a temporary directory removed on drop, and helpers to read a response's body.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use lona_static::{Body, StaticResponse};

/// A fresh directory under the system temp dir, removed with its contents on drop.
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    pub(crate) fn new() -> TempDir {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let path =
            std::env::temp_dir().join(format!("lona-static-it-{}-{n}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `body` at `rel` (creating parent directories) and returns the path.
    pub(crate) fn write(&self, rel: &str, body: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create parent");
        }
        std::fs::write(&path, body).expect("write file");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The body's bytes, reading a file body as the server would.
pub(crate) fn body_bytes(response: StaticResponse) -> Vec<u8> {
    match response.body {
        Body::File {
            mut file, length, ..
        } => {
            let mut bytes = Vec::new();
            file.by_ref()
                .take(length)
                .read_to_end(&mut bytes)
                .expect("read body");
            bytes
        }
        body => body.as_slice().expect("in memory").to_vec(),
    }
}
