//! `POST <prefix><id>/add`: an upload streamed to disk on the static pool, checked against the
//! bucket's limits while it streams, committed on the worker pool where `on_add` runs; a
//! refused upload leaves nothing behind.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use http::header;
use http::{Request, Response};
use http_body::Body as _;
use lona_runtime::{Pool, Runtime};
use parking_lot::Mutex;

use crate::answer::done;
use crate::body::{RequestBody, UploadBody};
use crate::bucket::{Shared, Stored};
use crate::disk::{create_file, on_pool, remove_files, write};
use crate::hooks::run_hook;
use crate::multipart::{Metered, OVERHEAD, refusal_of};
use crate::names::display_name;
use crate::refusal::Refusal;

/// Bytes collected before one write job: few hops to the static pool, little memory per upload.
pub(crate) const WRITE_CHUNK: usize = 256 * 1024;

/// After a refused upload, how much of the rest of the body is read (and dropped) so that the
/// browser gets the answer instead of a reset connection, and for how long.
pub(crate) const DRAIN_LIMIT: u64 = 1024 * 1024;
pub(crate) const DRAIN_TIME: Duration = Duration::from_secs(2);

/// A file written by the upload in flight.
pub(crate) struct NewFile {
    name: String,
    stored: String,
    size: u64,
}

pub(crate) async fn add(
    runtime: &Runtime,
    bucket: Arc<Shared>,
    request: Request<RequestBody>,
    redirect: Option<String>,
) -> Result<Response<UploadBody>, Refusal> {
    let boundary = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            v.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("multipart/form-data"))
        })
        .and_then(|v| multer::parse_boundary(v).ok())
        .ok_or(Refusal::NotMultipart)?;
    let limits = bucket.limits;
    let stream_limit = limits.max_size.saturating_add(OVERHEAD);
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > stream_limit) {
        return Err(Refusal::TooLarge(limits.max_size));
    }
    let body = Arc::new(Mutex::new(request.into_body()));
    let pool = runtime.static_pool().clone();
    let outcome = {
        let _writes = bucket.writes.lock().await;
        let mut created = Vec::new();
        let received = receive(&bucket, &pool, &body, boundary, &mut created).await;
        let committed = match received {
            Ok(files) if files.is_empty() => Err(Refusal::NoFile),
            Ok(files) => commit(runtime, &bucket, files).await,
            Err(refusal) => Err(refusal),
        };
        if committed.is_err() {
            let paths = created.iter().map(|s| bucket.path_of(s)).collect();
            remove_files(&pool, paths).await;
        }
        committed
    };
    match outcome {
        Ok(names) => Ok(done(&names, redirect)),
        Err(refusal) => {
            drain(&body).await;
            Err(refusal)
        }
    }
}

/// Reads the multipart body and writes its files; `created` collects every stored name
/// written, so that the caller can remove them if the upload is refused. Returns the files to
/// commit, the later of two with the same name only.
pub(crate) async fn receive(
    bucket: &Shared,
    pool: &Pool,
    body: &Arc<Mutex<RequestBody>>,
    boundary: String,
    created: &mut Vec<String>,
) -> Result<Vec<NewFile>, Refusal> {
    let limits = bucket.limits;
    if bucket.is_closed() {
        return Err(Refusal::NoBucket);
    }
    let unparsed = Arc::new(AtomicU64::new(0));
    let stream = Metered {
        body: Arc::clone(body),
        yielded: false,
        unparsed: Arc::clone(&unparsed),
    };
    let size_limit =
        multer::SizeLimit::new().whole_stream(limits.max_size.saturating_add(OVERHEAD));
    let constraints = multer::Constraints::new().size_limit(size_limit);
    let mut multipart = multer::Multipart::with_constraints(stream, boundary, constraints);
    let existing: Vec<(String, u64)> = {
        let files = bucket.files.lock();
        files
            .list
            .iter()
            .map(|f| (f.name.clone(), f.size))
            .collect()
    };
    let mut count = existing.len();
    let mut total: u64 = existing.iter().map(|(_, size)| size).sum();
    let mut new_files: Vec<NewFile> = Vec::new();
    let mut first_job = true;
    while let Some(mut field) = multipart.next_field().await.map_err(refusal_of)? {
        unparsed.store(0, Ordering::Relaxed);
        let Some(name) = field.file_name().and_then(display_name) else {
            // A text field, or a file input left empty: read past it, keeping nothing.
            while field.chunk().await.map_err(refusal_of)?.is_some() {
                unparsed.store(0, Ordering::Relaxed);
            }
            continue;
        };
        // A name that is there already is replaced: the old file stops counting.
        if let Some(index) = new_files.iter().position(|f| f.name == name) {
            let earlier = new_files.remove(index);
            total -= earlier.size;
            count -= 1;
        } else if let Some((_, size)) = existing.iter().find(|(n, _)| *n == name) {
            total -= size;
            count -= 1;
        }
        count += 1;
        if count > limits.max_files {
            return Err(Refusal::TooManyFiles(limits.max_files));
        }
        let stored = bucket.reserve_name();
        let path = bucket.path_of(&stored);
        let mut file = on_pool(pool, first_job, move || create_file(&path))
            .await?
            .map_err(|error| {
                if error.kind() == std::io::ErrorKind::NotFound {
                    // The folder is gone: the view was cleaned up meanwhile.
                    Refusal::NoBucket
                } else {
                    Refusal::Io(error)
                }
            })?;
        first_job = false;
        created.push(stored.clone());
        let mut size: u64 = 0;
        let mut buffer = Vec::with_capacity(WRITE_CHUNK);
        while let Some(chunk) = field.chunk().await.map_err(refusal_of)? {
            unparsed.store(0, Ordering::Relaxed);
            size += chunk.len() as u64;
            if size > limits.max_file_size {
                return Err(Refusal::FileTooLarge(limits.max_file_size));
            }
            if total + size > limits.max_size {
                return Err(Refusal::TooLarge(limits.max_size));
            }
            buffer.extend_from_slice(&chunk);
            if buffer.len() >= WRITE_CHUNK {
                (file, buffer) = write(pool, file, buffer).await?;
            }
        }
        if !buffer.is_empty() {
            (file, _) = write(pool, file, buffer).await?;
        }
        // Closing a file does not block on Linux, but it is file-system work all the same.
        on_pool(pool, false, move || drop(file)).await?;
        total += size;
        new_files.push(NewFile { name, stored, size });
    }
    Ok(new_files)
}

/// Puts the upload's files into the bucket and runs `on_add`, on the worker pool (as Lona runs
/// its hooks), then flushes the view. Returns the names added.
pub(crate) async fn commit(
    runtime: &Runtime,
    bucket: &Arc<Shared>,
    new_files: Vec<NewFile>,
) -> Result<Vec<String>, Refusal> {
    let shared = Arc::clone(bucket);
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job = move || {
        let names: Vec<String> = new_files.iter().map(|f| f.name.clone()).collect();
        let replaced = {
            let mut files = shared.files.lock();
            // Checked under the lock `close` clears the list under: either this commit comes
            // first and `close` removes its files, or it sees the bucket closed.
            if shared.is_closed() {
                let _ = tx.send(Err(Refusal::NoBucket));
                return;
            }
            let mut replaced = Vec::new();
            for new in new_files {
                if let Some(index) = files.list.iter().position(|f| f.name == new.name) {
                    replaced.push(files.list.remove(index));
                }
                files.list.push(Stored {
                    name: new.name,
                    stored: new.stored,
                    size: new.size,
                });
            }
            replaced
        };
        for old in replaced {
            let _ = std::fs::remove_file(shared.path_of(&old.stored));
        }
        let hooked = run_hook(&shared, &names, |hooks| hooks.on_add.clone());
        let _ = tx.send(hooked.map(|()| names));
    };
    if runtime.worker_pool().try_submit(job).is_err() {
        return Err(Refusal::Busy);
    }
    rx.await.map_err(|_| Refusal::Busy)?
}
/// Reads what is left of a refused body, up to [`DRAIN_LIMIT`] bytes and [`DRAIN_TIME`], so
/// that the browser reads the answer instead of a reset connection.
pub(crate) async fn drain(body: &Arc<Mutex<RequestBody>>) {
    let read = async {
        let mut left = DRAIN_LIMIT;
        loop {
            let frame = std::future::poll_fn(|cx| Pin::new(&mut *body.lock()).poll_frame(cx));
            match frame.await {
                Some(Ok(frame)) => {
                    let len = frame.data_ref().map_or(0, |d| d.len() as u64);
                    if len >= left {
                        return;
                    }
                    left -= len;
                }
                Some(Err(_)) | None => return,
            }
        }
    };
    let _ = tokio::time::timeout(DRAIN_TIME, read).await;
}
