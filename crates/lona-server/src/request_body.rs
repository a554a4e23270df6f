//! `RequestBody`: the body of a request the server answers: hyper's own, on lona's listener
//! (`App::spawn`, `App::serve`), or another server's, boxed (`App::into_service`, in axum).

use std::pin::Pin;
use std::task::{Context, Poll};

use hyper::body::{Body, Bytes, Frame, Incoming, SizeHint};

use crate::error::BoxError;

/// A request body, whichever server read the request.
#[derive(Debug)]
pub(crate) enum RequestBody {
    /// Read by lona's own hyper connection.
    Hyper(Incoming),
    /// Read by another server (axum's). In a mutex only so that the request is `Sync`, as
    /// hyper's is: it is polled through `&mut`, which takes no lock.
    #[cfg(feature = "axum")]
    Other(parking_lot::Mutex<http_body_util::combinators::UnsyncBoxBody<Bytes, BoxError>>),
}

impl RequestBody {
    /// Another server's body, boxed.
    #[cfg(feature = "axum")]
    pub(crate) fn other<B>(body: B) -> RequestBody
    where
        B: Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        use http_body_util::BodyExt as _;
        RequestBody::Other(parking_lot::Mutex::new(
            body.map_err(Into::into).boxed_unsync(),
        ))
    }
}

impl Body for RequestBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match self.get_mut() {
            RequestBody::Hyper(body) => Pin::new(body)
                .poll_frame(cx)
                .map(|frame| frame.map(|frame| frame.map_err(Into::into))),
            #[cfg(feature = "axum")]
            RequestBody::Other(body) => Pin::new(body.get_mut()).poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            RequestBody::Hyper(body) => body.is_end_stream(),
            #[cfg(feature = "axum")]
            RequestBody::Other(body) => body.lock().is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            RequestBody::Hyper(body) => body.size_hint(),
            #[cfg(feature = "axum")]
            RequestBody::Other(body) => body.lock().size_hint(),
        }
    }
}
