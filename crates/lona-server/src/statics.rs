//! Serving static files through `lona-static`: a file the cache holds is answered on the tokio
//! worker from memory; anything that needs the file system runs on the static pool, and a file
//! body is read one chunk per job there, so a slow client never holds a static thread.

use std::io::{Read, Seek};
use std::sync::Arc;

use futures_util::stream;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::{Bytes, Frame};
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Request as HyperRequest, Response, StatusCode, header};
use lona_runtime::Pool;
use lona_static::{
    Body as StaticBody, EmbeddedFile, StaticFile, StaticFiles, StaticRequest, StaticResponse,
};

use crate::request_body::RequestBody;
use crate::response::{Body, full};
use crate::settings::Settings;
use crate::state::State;

/// How much of a file one job reads: big enough that a large file costs few hops to the static
/// pool.
const CHUNK: usize = 512 * 1024;

/// Files up to this size are served from memory (bounded by `CACHE_TOTAL` in all): a 1 MB file
/// from memory keeps up with nginx's sendfile, streaming it in chunks does not.
const CACHE_PER_FILE: u64 = 1024 * 1024;

/// The memory the static cache may use in all.
const CACHE_TOTAL: usize = 64 * 1024 * 1024;

/// The app's static files: its folders, then the client's embedded files under `lona/`.
pub(crate) fn build(
    settings: &Settings,
    declared: &[StaticFile],
    embedded: &[EmbeddedFile],
) -> Result<StaticFiles, lona_static::StaticError> {
    let mut builder = StaticFiles::builder();
    builder
        .url_prefix(settings.static_url_prefix.clone())
        .serve(settings.static_files_serve)
        .cache_limits(CACHE_PER_FILE, CACHE_TOTAL);
    for dir in &settings.static_dirs {
        builder.add_dir(dir.clone());
    }
    // The app's own files first: a name in both sets is the app's.
    builder.add_embedded("", embedded.iter().copied());
    builder.add_embedded(
        "lona/",
        lona_client::ASSETS
            .iter()
            .map(|a| EmbeddedFile::from_text(a.path, a.content_type, a.body)),
    );
    for file in declared {
        builder.declare(file.clone());
    }
    for name in &settings.static_files_enabled {
        builder.enable(name.clone());
    }
    for name in &settings.static_files_disabled {
        builder.disable(name.clone());
    }
    builder.build()
}

/// The owned parts of a request that `lona-static` reads, so they can move to the static pool.
struct Owned {
    method: String,
    path: String,
    headers: Vec<(&'static str, String)>,
}

impl Owned {
    fn of(request: &HyperRequest<RequestBody>) -> Owned {
        let names = [
            "if-none-match",
            "if-modified-since",
            "if-range",
            "range",
            "accept-encoding",
        ];
        let headers = names
            .into_iter()
            .filter_map(|name| {
                let value = request.headers().get(name)?.to_str().ok()?;
                Some((name, value.to_owned()))
            })
            .collect();
        Owned {
            method: request.method().as_str().to_owned(),
            path: request.uri().path().to_owned(),
            headers,
        }
    }

    fn request(&self) -> StaticRequest<'_> {
        self.headers.iter().fold(
            StaticRequest::new(&self.method, &self.path),
            |r, (name, value)| r.header(name, value),
        )
    }
}

pub(crate) async fn serve(
    state: Arc<State>,
    request: &HyperRequest<RequestBody>,
) -> Response<Body> {
    let owned = Owned::of(request);
    if let Some(answer) = state.statics.lookup_cached(&owned.request()) {
        return convert(&state, answer);
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    let statics = Arc::clone(&state.statics);
    let job = move || {
        let _ = tx.send(statics.respond(&owned.request()));
    };
    if state.runtime.static_pool().try_submit(job).is_err() {
        return state.error_page(StatusCode::SERVICE_UNAVAILABLE);
    }
    match rx.await {
        Ok(answer) => convert(&state, answer),
        Err(_) => state.error_page(StatusCode::INTERNAL_SERVER_ERROR),
    }
}

fn convert(state: &State, answer: StaticResponse) -> Response<Body> {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    // Errors get the app's error page, with the headers lona-static chose (`Allow`, ...).
    let mut response =
        if status == StatusCode::NOT_FOUND || status == StatusCode::METHOD_NOT_ALLOWED {
            state.error_page(status)
        } else {
            let body = match answer.body {
                StaticBody::Empty => full(Bytes::new()),
                StaticBody::Static(bytes) => full(Bytes::from_static(bytes)),
                StaticBody::Shared(bytes) => full(Bytes::from_owner(bytes)),
                StaticBody::File { file, length, .. } => {
                    stream_file(state.runtime.static_pool().clone(), file, 0, length)
                }
            };
            let mut response = Response::new(body);
            *response.status_mut() = status;
            response
        };
    let headers = response.headers_mut();
    for (name, value) in answer.headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
    if status == StatusCode::NOT_FOUND || status == StatusCode::METHOD_NOT_ALLOWED {
        // The error page's own type and length, not the file's.
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        headers.remove(header::CONTENT_LENGTH);
    }
    response
}

/// A body that reads `length` bytes of `file` from byte `start` on (the file is where it
/// is if `start` is 0), one chunk per static-pool job.
pub(crate) fn stream_file(pool: Pool, file: std::fs::File, start: u64, length: u64) -> Body {
    // The seek, if any, is done by the first job, off the I/O threads.
    let chunks = stream::unfold(Some((file, start, length)), move |state| {
        let pool = pool.clone();
        async move {
            let (mut file, seek_to, left) = state?;
            if left == 0 {
                return None;
            }
            let (tx, rx) = tokio::sync::oneshot::channel();
            pool.submit_continuation(move || {
                let want = usize::try_from(left).unwrap_or(CHUNK).min(CHUNK);
                // Read into spare capacity: zeroing half a megabyte first, per chunk, cost
                // as much as a tenth of the read.
                let mut chunk = Vec::with_capacity(want);
                let read = if seek_to > 0 {
                    file.seek(std::io::SeekFrom::Start(seek_to)).map(drop)
                } else {
                    Ok(())
                }
                .and_then(|()| (&mut file).take(want as u64).read_to_end(&mut chunk))
                .and_then(|read| {
                    // A file that shrank under us ends the body with an error, as before.
                    if read == want {
                        Ok(chunk)
                    } else {
                        Err(std::io::ErrorKind::UnexpectedEof.into())
                    }
                });
                let _ = tx.send((file, read));
            });
            match rx.await {
                Ok((file, Ok(chunk))) => {
                    let left = left - chunk.len() as u64;
                    Some((Ok(Frame::data(Bytes::from(chunk))), Some((file, 0, left))))
                }
                Ok((_, Err(error))) => Some((Err(error), None)),
                Err(_) => Some((Err(std::io::Error::other("the static pool is gone")), None)),
            }
        }
    });
    StreamBody::new(chunks).boxed()
}

#[cfg(test)]
mod tests {
    //! The streamed body of a big file, read straight into each chunk's buffer.

    use http_body_util::BodyExt;
    use lona_runtime::{Pool, PoolConfig};
    use test_support::TempDir;

    use super::{CHUNK, stream_file};

    fn pool() -> Pool {
        Pool::new(PoolConfig {
            name: "static-test".to_owned(),
            threads: 1,
            queue: 8,
        })
    }

    #[tokio::test]
    async fn a_file_streams_whole_over_several_chunks_and_from_an_offset() {
        let dir = TempDir::new("stream-file");
        let bytes: Vec<u8> = (0..CHUNK * 2 + 7).map(|i| (i % 251) as u8).collect();
        let path = dir.write("big.bin", &bytes);
        let whole = stream_file(
            pool(),
            std::fs::File::open(&path).expect("the file opens"),
            0,
            bytes.len() as u64,
        );
        let whole = whole.collect().await.expect("the whole file").to_bytes();
        assert!(whole == bytes, "the body is the file");
        let tail = stream_file(
            pool(),
            std::fs::File::open(&path).expect("the file opens"),
            10,
            20,
        );
        let tail = tail.collect().await.expect("a part").to_bytes();
        assert!(tail == bytes[10..30], "the body is bytes 10 to 29");
    }

    /// A file that shrank since its length was taken ends the body with an error, never
    /// with a short body under the announced length or with zeros.
    #[tokio::test]
    async fn a_file_that_shrank_ends_the_body_with_an_error() {
        let dir = TempDir::new("stream-file-shrank");
        let path = dir.write("short.bin", [7; 1000]);
        let body = stream_file(
            pool(),
            std::fs::File::open(&path).expect("the file opens"),
            0,
            2000,
        );
        assert!(body.collect().await.is_err());
    }
}
