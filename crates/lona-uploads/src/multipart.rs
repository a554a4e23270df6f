//! Reading `multipart/form-data` bodies with multer, bounded: the body metered one frame at a
//! time, and multer's errors turned into what the browser is told.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context as TaskContext, Poll};

use bytes::Bytes;
use futures_util::Stream;
use http_body::Body as _;
use parking_lot::Mutex;

use crate::body::{RequestBody, is_timed_out};
use crate::refusal::Refusal;

/// Bytes the multipart parser may be fed without giving anything back (a part's headers that
/// never end): more is refused, so a body of endless headers cannot fill the memory. One frame
/// of hyper's is at most about 400 KiB, so a well-formed body never comes near.
const STALL_LIMIT: u64 = 1024 * 1024;

/// Bytes a multipart body may carry beyond its files: part headers, boundaries, text fields.
pub(crate) const OVERHEAD: u64 = 1024 * 1024;

/// What a multer error means for the browser.
pub(crate) fn refusal_of(error: multer::Error) -> Refusal {
    match error {
        multer::Error::StreamSizeExceeded { limit } => {
            Refusal::TooLarge(limit.saturating_sub(OVERHEAD))
        }
        multer::Error::StreamReadFailed(source) if is_timed_out(&*source) => Refusal::TimedOut,
        multer::Error::StreamReadFailed(source) => match source.downcast::<Stalled>() {
            Ok(_) => Refusal::Malformed("a part's headers do not end".to_owned()),
            // The browser went away or sent a broken body; nobody reads the answer.
            Err(source) => Refusal::Malformed(source.to_string()),
        },
        other => Refusal::Malformed(other.to_string()),
    }
}

/// The multipart parser read too much without finding the end of a part's headers.
#[derive(Debug)]
pub(crate) struct Stalled;

impl fmt::Display for Stalled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a part's headers do not end")
    }
}

impl std::error::Error for Stalled {}

/// The request body as the multipart parser reads it: one frame per poll, and at most
/// [`STALL_LIMIT`] bytes between two pieces of progress (`unparsed`, reset by the reader).
///
/// The parser pulls frames until the body is pending, so without the first rule a fast client
/// could push a whole socket buffer into the parser's memory at once; with it, the parser
/// holds at most one frame beyond what it returned, and the second rule bounds the headers it
/// waits on.
pub(crate) struct Metered {
    pub(crate) body: Arc<Mutex<RequestBody>>,
    pub(crate) yielded: bool,
    pub(crate) unparsed: Arc<AtomicU64>,
}

impl Stream for Metered {
    type Item = Result<Bytes, Box<dyn std::error::Error + Send + Sync>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.yielded {
            // Pending once after every frame ends the parser's read loop; the wake has it come
            // back for the next frame as soon as it has used this one.
            this.yielded = false;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        loop {
            let frame = match Pin::new(&mut *this.body.lock()).poll_frame(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(frame) => frame,
            };
            match frame {
                None => return Poll::Ready(None),
                Some(Err(error)) => return Poll::Ready(Some(Err(Box::new(error)))),
                Some(Ok(frame)) => {
                    // Trailers carry no data; read on.
                    let Ok(data) = frame.into_data() else {
                        continue;
                    };
                    let len = data.len() as u64;
                    let unparsed = this.unparsed.fetch_add(len, Ordering::Relaxed) + len;
                    if unparsed > STALL_LIMIT {
                        return Poll::Ready(Some(Err(Box::new(Stalled))));
                    }
                    this.yielded = true;
                    return Poll::Ready(Some(Ok(data)));
                }
            }
        }
    }
}

/// The `name` field of a small multipart form, of at most `limit` bytes.
pub(crate) async fn name_from_multipart(
    body: RequestBody,
    boundary: String,
    limit: usize,
) -> Result<Option<String>, Refusal> {
    let stream = http_body_util::BodyDataStream::new(body);
    let limit = multer::SizeLimit::new()
        .whole_stream(limit as u64)
        .per_field(4096);
    let constraints = multer::Constraints::new().size_limit(limit);
    let mut multipart = multer::Multipart::with_constraints(stream, boundary, constraints);
    let mut name = None;
    while let Some(field) = multipart.next_field().await.map_err(refusal_of)? {
        if field.name() == Some("name") && field.file_name().is_none() {
            name = Some(field.text().await.map_err(refusal_of)?);
        } else {
            // Small by the limits above; read and dropped.
            let _ = field.bytes().await.map_err(refusal_of)?;
        }
    }
    Ok(name)
}
