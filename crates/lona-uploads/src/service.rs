//! The HTTP side of buckets, and the seam through which the server mounts it: the server
//! routes every request under the bucket prefix to [`Registry::serve`] with the session it
//! verified, a [`RequestBody`] that says when it stalled, and streams the [`UploadBody`] back.

use std::sync::Arc;

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use lona_html::{Node, tags};
use lona_runtime::{Runtime, SessionId};

use crate::answer::{common_headers, text};
use crate::body::{RequestBody, UploadBody};
use crate::bucket::{Bucket, Shared};
use crate::disk::on_pool;
use crate::names::{decode_name, encode_name};
use crate::refusal::Refusal;
use crate::registry::Registry;

impl Registry {
    /// Whether `path` is a bucket URL: under the prefix, which `/` turns off.
    pub fn handles(&self, path: &str) -> bool {
        let bare = self.prefix.strip_suffix('/').unwrap_or(&self.prefix);
        !bare.is_empty()
            && path
                .strip_prefix(bare)
                .is_some_and(|rest| rest.starts_with('/'))
    }

    /// Answers a request under the bucket prefix. `session` is the session the request's
    /// cookie proves (the server checks the cookie); only the session that made a bucket may
    /// use it. Hooks run on `runtime`'s worker pool, files are read and written on its static
    /// pool.
    pub async fn serve(
        &self,
        runtime: &Runtime,
        session: Option<SessionId>,
        request: Request<RequestBody>,
    ) -> Response<UploadBody> {
        let head = request.method() == Method::HEAD;
        match self.answer(runtime, session, request).await {
            Ok(response) => response,
            Err(refusal) => {
                if let Refusal::Io(error) = &refusal {
                    tracing::error!(%error, "a bucket request failed");
                }
                let body = if head {
                    String::new()
                } else {
                    refusal.to_string()
                };
                let mut response = text(refusal.status(), body);
                if matches!(refusal, Refusal::TimedOut) {
                    // The rest of the body may still come: the connection cannot be reused.
                    response.headers_mut().insert(
                        header::CONNECTION,
                        header::HeaderValue::from_static("close"),
                    );
                }
                response
            }
        }
    }

    async fn answer(
        &self,
        runtime: &Runtime,
        session: Option<SessionId>,
        request: Request<RequestBody>,
    ) -> Result<Response<UploadBody>, Refusal> {
        let path = request.uri().path();
        let rest = path
            .strip_prefix(self.prefix.as_str())
            .ok_or(Refusal::NoBucket)?;
        let (id, tail) = rest.split_once('/').unwrap_or((rest, ""));
        let bucket = self.get(id).ok_or(Refusal::NoBucket)?;
        // The owner check comes before anything of the body is read.
        let owner = session.is_some_and(|session| same_secret(&session.0, &bucket.session.0));
        if !owner {
            return Err(Refusal::OtherSession);
        }
        let redirect = redirect_target(request.uri().query().unwrap_or_default());
        let method = request.method().clone();
        let tail = tail.to_owned();
        match (method, tail.as_str()) {
            (Method::POST, "add") => crate::upload::add(runtime, bucket, request, redirect).await,
            (Method::POST, "delete") => {
                crate::delete::delete(runtime, bucket, request, redirect).await
            }
            (Method::GET | Method::HEAD, "") => index(&bucket, request.method() == Method::HEAD),
            (Method::GET | Method::HEAD, name) => {
                let name = decode_name(name).ok_or(Refusal::NoSuchFile)?;
                file(runtime, &bucket, &name, request.method() == Method::HEAD).await
            }
            _ => Err(Refusal::Method),
        }
    }
}

/// Compares two secrets in a time that does not depend on where they differ.
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The `redirect` argument of a query, if it is a path on this site: `/...`, not `//host` or
/// `/\host` (which browsers read as another host), and without control characters.
pub(crate) fn redirect_target(query: &str) -> Option<String> {
    let value = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| *name == "redirect")
        .map(|(_, value)| lona_runtime::percent_decode(value))?;
    let local = value.starts_with('/')
        && !value.starts_with("//")
        && !value.contains('\\')
        && !value.chars().any(char::is_control);
    local.then_some(value)
}
/// The index page: the files with links and delete buttons, and a form that adds files. Built
/// as a tree, so every name is escaped.
fn index(bucket: &Arc<Shared>, head: bool) -> Result<Response<UploadBody>, Refusal> {
    if !bucket.index {
        return Err(Refusal::NoIndex);
    }
    let handle = Bucket {
        shared: Arc::clone(bucket),
    };
    let back = format!("?redirect={}", encode_name(&handle.index_url()));
    let list = tags::ul();
    for stored in bucket.files.lock().list.iter() {
        let delete = tags::form()
            .with_attr("method", "post")
            .with_attr("action", format!("{}{back}", handle.delete_url()))
            .with_attr("style", "display: inline")
            .with_child(
                tags::input()
                    .with_attr("type", "hidden")
                    .with_attr("name", "name")
                    .with_attr("value", stored.name.as_str()),
            )
            .with_child(
                Node::element("button")
                    .with_attr("type", "submit")
                    .with_text("Delete"),
            );
        list.append(
            tags::li()
                .with_child(
                    tags::a()
                        .with_attr("href", handle.url(&stored.name))
                        .with_text(stored.name.as_str()),
                )
                .with_child(format!(" ({} bytes) ", stored.size))
                .with_child(delete),
        );
    }
    let add = tags::form()
        .with_attr("method", "post")
        .with_attr("action", format!("{}{back}", handle.add_url()))
        .with_attr("enctype", "multipart/form-data")
        .with_child(
            tags::input()
                .with_attr("type", "file")
                .with_attr("name", "files")
                .with_attr("multiple", ""),
        )
        .with_child(
            Node::element("button")
                .with_attr("type", "submit")
                .with_text("Upload"),
        );
    let page = tags::html()
        .with_child(
            tags::head()
                .with_child(tags::meta().with_attr("charset", "utf-8"))
                .with_child(tags::title().with_text("Bucket")),
        )
        .with_child(
            tags::body()
                .with_child(tags::h1().with_text("Bucket"))
                .with_child(list)
                .with_child(add),
        );
    let html = if head {
        String::new()
    } else {
        format!("<!DOCTYPE html>\n{}", page.to_html())
    };
    let mut response = text(StatusCode::OK, html);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    Ok(response)
}

/// Serves one file, streamed from disk on the static pool.
async fn file(
    runtime: &Runtime,
    bucket: &Shared,
    name: &str,
    head: bool,
) -> Result<Response<UploadBody>, Refusal> {
    let stored = bucket.lookup(name).ok_or(Refusal::NoSuchFile)?;
    let path = bucket.path_of(&stored.stored);
    let pool = runtime.static_pool().clone();
    let opened = on_pool(&pool, true, move || {
        let file = std::fs::File::open(path)?;
        let length = file.metadata()?.len();
        Ok::<_, std::io::Error>((file, length))
    })
    .await?;
    // Deleted or replaced since the lookup: as if it had not been there.
    let (file, length) = opened.map_err(|_| Refusal::NoSuchFile)?;
    let body = if head {
        UploadBody::Bytes(Bytes::new())
    } else {
        UploadBody::File { file, length }
    };
    let content_type = lona_static::content_type(name);
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    if let Ok(value) = HeaderValue::from_str(&content_disposition(name, content_type)) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    // An upload is the user's content, not the app's: no script of it runs with the app's
    // origin, even when a browser is made to render it.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'; img-src 'self'; media-src 'self'"),
    );
    common_headers(headers);
    Ok(response)
}

/// `attachment` (a download) for everything but raster images, which browsers show `inline`;
/// SVG is a document that can carry scripts, so it is an attachment too.
pub(crate) fn content_disposition(name: &str, content_type: &str) -> String {
    let inline = content_type.starts_with("image/") && content_type != "image/svg+xml";
    lona_static::content_disposition(if inline { "inline" } else { "attachment" }, name)
}
