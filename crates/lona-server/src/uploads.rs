//! The server's side of the uploads seam (cargo feature `uploads`): the bucket registry in the
//! runtime's app state, and requests under the bucket prefix routed to `lona-uploads` with the
//! session the cookie proves, the body under `body_idle_timeout`, and file answers streamed
//! on the static pool.

use std::sync::Arc;

use http_body_util::BodyExt as _;
use hyper::{Request, Response};
use lona_uploads::{BodyError, Registry, UploadBody};

use crate::body_timeout::{TimedBody, is_timeout};
use crate::request_body::RequestBody;
use crate::response::{Body, full};
use crate::settings::Settings;
use crate::state::State;

/// The registry the server's views make buckets in.
pub(crate) fn registry(settings: &Settings) -> Registry {
    let dir = settings
        .bucket_dir
        .clone()
        .unwrap_or_else(std::env::temp_dir);
    Registry::new(
        &settings.bucket_url_prefix,
        dir,
        crate::session::random_token,
    )
}

/// The registry, if `path` is a bucket URL.
pub(crate) fn mounted(state: &State, path: &str) -> Option<Arc<Registry>> {
    let registry = state.runtime.state().get::<Registry>()?;
    registry.handles(path).then_some(registry)
}

/// Answers a request under the bucket prefix.
pub(crate) async fn serve(
    state: Arc<State>,
    registry: Arc<Registry>,
    request: Request<RequestBody>,
) -> Response<Body> {
    let session = state.session(&request);
    let (timeout, runtime) = (state.settings.body_idle_timeout, state.runtime.clone());
    let request = request.map(|body| {
        TimedBody::new(body, timeout, runtime)
            .map_err(|error| {
                if is_timeout(&*error) {
                    BodyError::TimedOut
                } else {
                    BodyError::Broken(error)
                }
            })
            .boxed_unsync()
    });
    let response = registry.serve(&state.runtime, session, request).await;
    let pool = state.runtime.static_pool().clone();
    response.map(|body| match body {
        UploadBody::File { file, length } => crate::statics::stream_file(pool, file, 0, length),
        UploadBody::Bytes(bytes) => full(bytes),
    })
}
