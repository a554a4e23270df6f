//! `TimedBody`: a request body each chunk of which must arrive within `body_idle_timeout`, so
//! that a client that stops sending in the middle of a body cannot hold a request (and its
//! handler, upload lock and memory) forever.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::body::{Body, Bytes, Frame, SizeHint};
use lona_runtime::{Limit, Runtime};

use crate::request_body::RequestBody;
use tokio::time::{Instant, Sleep};

/// What reading a [`TimedBody`] fails with: hyper's error, or [`BodyTimedOut`].
type BodyError = Box<dyn std::error::Error + Send + Sync>;

/// A request body that fails with [`BodyTimedOut`] when no chunk arrives for the timeout.
pub(crate) struct TimedBody {
    body: RequestBody,
    timeout: Duration,
    /// Made at the first wait: most bodies (a GET's, a small form's) are read whole at once,
    /// and a timer for each would cost every request an allocation.
    sleep: Option<Pin<Box<Sleep>>>,
    /// Whether the last poll was pending: the clock runs only while the reader waits for the
    /// client, not while the reader is busy with what it got (writing an upload to disk).
    waiting: bool,
    runtime: Runtime,
    timed_out: bool,
}

impl TimedBody {
    pub(crate) fn new(body: RequestBody, timeout: Duration, runtime: Runtime) -> TimedBody {
        TimedBody {
            body,
            timeout,
            sleep: None,
            waiting: false,
            runtime,
            timed_out: false,
        }
    }
}

/// The body stalled for longer than `body_idle_timeout`; the answer is 408.
#[derive(Debug)]
pub(crate) struct BodyTimedOut;

impl std::fmt::Display for BodyTimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the request body stalled (body_idle_timeout)")
    }
}

impl std::error::Error for BodyTimedOut {}

/// Whether `error` (or what it wraps) is a stalled body.
pub(crate) fn is_timeout(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(error) = current {
        if error.is::<BodyTimedOut>() {
            return true;
        }
        current = error.source();
    }
    false
}

impl Body for TimedBody {
    type Data = Bytes;
    type Error = BodyError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        if this.timed_out {
            return Poll::Ready(Some(Err(Box::new(BodyTimedOut))));
        }
        match Pin::new(&mut this.body).poll_frame(cx) {
            Poll::Ready(frame) => {
                this.waiting = false;
                Poll::Ready(frame)
            }
            Poll::Pending => {
                if !this.waiting {
                    this.waiting = true;
                    let deadline = Instant::now() + this.timeout;
                    match &mut this.sleep {
                        Some(sleep) => sleep.as_mut().reset(deadline),
                        None => this.sleep = Some(Box::pin(tokio::time::sleep_until(deadline))),
                    }
                }
                this.poll_deadline(cx)
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

impl TimedBody {
    /// The deadline's side of a pending poll.
    fn poll_deadline(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BodyError>>> {
        let Some(sleep) = self.sleep.as_mut() else {
            return Poll::Pending;
        };
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => {
                self.timed_out = true;
                self.runtime.trip(Limit::BodyTimeout);
                Poll::Ready(Some(Err(Box::new(BodyTimedOut))))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}
