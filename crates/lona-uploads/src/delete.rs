//! `POST <prefix><id>/delete`: deletes the file named by the form field `name` and runs
//! `on_delete`, on the worker pool.

use std::sync::Arc;

use http::header;
use http::{Request, Response};
use http_body_util::{BodyExt, Limited};
use lona_runtime::{Runtime, percent_decode};

use crate::answer::done;
use crate::body::{RequestBody, UploadBody};
use crate::bucket::Shared;
use crate::hooks::run_hook;
use crate::multipart::name_from_multipart;
use crate::refusal::Refusal;

/// The largest body of a delete request.
pub(crate) const DELETE_BODY_LIMIT: usize = 64 * 1024;

pub(crate) async fn delete(
    runtime: &Runtime,
    bucket: Arc<Shared>,
    request: Request<RequestBody>,
    redirect: Option<String>,
) -> Result<Response<UploadBody>, Refusal> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let name = if let Ok(boundary) = multer::parse_boundary(&content_type) {
        name_from_multipart(request.into_body(), boundary, DELETE_BODY_LIMIT).await?
    } else {
        let body = Limited::new(request.into_body(), DELETE_BODY_LIMIT)
            .collect()
            .await
            .map_err(|_| Refusal::Malformed("the form is too large".to_owned()))?
            .to_bytes();
        form_field(&body, "name")
    };
    let name = name.ok_or(Refusal::NoSuchFile)?;
    let _writes = bucket.writes.lock().await;
    let shared = Arc::clone(&bucket);
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job = move || {
        let removed = {
            let mut files = shared.files.lock();
            let index = files.list.iter().position(|f| f.name == name);
            index.map(|index| files.list.remove(index))
        };
        let Some(removed) = removed else {
            let _ = tx.send(Err(Refusal::NoSuchFile));
            return;
        };
        let _ = std::fs::remove_file(shared.path_of(&removed.stored));
        let names = vec![removed.name];
        let hooked = run_hook(&shared, &names, |hooks| hooks.on_delete.clone());
        let _ = tx.send(hooked.map(|()| names));
    };
    if runtime.worker_pool().try_submit(job).is_err() {
        return Err(Refusal::Busy);
    }
    let names = rx.await.map_err(|_| Refusal::Busy)??;
    Ok(done(&names, redirect))
}

/// The last value of the field `name` of a URL-encoded form, as a browser posts it.
fn form_field(body: &[u8], name: &str) -> Option<String> {
    String::from_utf8_lossy(body)
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
        .filter(|(field, _)| percent_decode(field) == name)
        .map(|(_, value)| percent_decode(value))
        .next_back()
}
