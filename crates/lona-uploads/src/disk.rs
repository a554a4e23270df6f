//! The file-system work of uploads, each job on a pool of the runtime so that no tokio worker
//! blocks: creating, writing and removing stored files.

use std::path::{Path, PathBuf};

use lona_runtime::Pool;

use crate::refusal::Refusal;

/// Runs `job` on `pool` and waits for it without holding a tokio worker. `admit` submits it
/// under the queue bound (the first job of a request); later jobs of an admitted request are
/// continuations.
pub(crate) async fn on_pool<T: Send + 'static>(
    pool: &Pool,
    admit: bool,
    job: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Refusal> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job = move || {
        let _ = tx.send(job());
    };
    if admit {
        pool.try_submit(job).map_err(|_| Refusal::Busy)?;
    } else {
        pool.submit_continuation(job);
    }
    // A pool that shut down drops the job, and with it the sender.
    rx.await.map_err(|_| Refusal::Busy)
}

/// Removes files of an upload that did not make it, on the static pool.
pub(crate) async fn remove_files(pool: &Pool, paths: Vec<PathBuf>) {
    if paths.is_empty() {
        return;
    }
    let removed = on_pool(pool, false, move || {
        for path in paths {
            let _ = std::fs::remove_file(path);
        }
    })
    .await;
    if removed.is_err() {
        // The pool is gone: the server is stopping, and closing the bucket deletes its folder.
        tracing::debug!("could not remove a refused upload's files");
    }
}

pub(crate) fn create_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options.open(path)
}

/// Writes `buffer` to `file` on the static pool; hands both back, the buffer emptied.
pub(crate) async fn write(
    pool: &Pool,
    mut file: std::fs::File,
    mut buffer: Vec<u8>,
) -> Result<(std::fs::File, Vec<u8>), Refusal> {
    let written = on_pool(pool, false, move || {
        use std::io::Write as _;
        let result = file.write_all(&buffer);
        buffer.clear();
        result.map(|()| (file, buffer))
    })
    .await?;
    written.map_err(Refusal::Io)
}
