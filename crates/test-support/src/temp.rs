//! Temporary folders for tests: unique per process, test and call, removed when dropped.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A fresh folder under the system temp dir, removed with its contents when dropped.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new empty folder; `name` makes it recognisable when a killed test leaves it behind.
    ///
    /// # Panics
    ///
    /// If the folder cannot be created.
    pub fn new(name: &str) -> TempDir {
        // Tests of one process run on several threads (a counter keeps them apart), and
        // several processes may run the same test at once (the pid and the clock do).
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_nanos());
        let path =
            std::env::temp_dir().join(format!("lona-{name}-{}-{n}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).expect("creates a temp dir");
        TempDir(path)
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// `relative` inside the folder (which need not exist).
    pub fn join(&self, relative: impl AsRef<Path>) -> PathBuf {
        self.0.join(relative)
    }

    /// Writes `contents` at `relative` inside the folder, creating subfolders, and returns
    /// the file's path.
    ///
    /// # Panics
    ///
    /// If the file cannot be written.
    pub fn write(&self, relative: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("creates a subfolder");
        }
        std::fs::write(&path, contents).expect("writes a file");
        path
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::TempDir;

    #[test]
    fn folders_are_distinct_and_removed_on_drop() {
        let first = TempDir::new("unit");
        let second = TempDir::new("unit");
        assert_ne!(first.path(), second.path());
        let file = first.write("a/b.txt", "hello");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "hello");
        let path = first.path().to_path_buf();
        drop(first);
        assert!(!path.exists());
    }
}
