//! The answers of the server: [`HttpResponse`], what a non-interactive route or a middleware
//! answers, and the body type and helpers every part that writes a hyper response shares.

use std::sync::Arc;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Response, StatusCode};

use lona_static::content_disposition;

/// The answer of a non-interactive route (or of a middleware's HTTP hook).
#[derive(Debug, Clone)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The `Content-Type`.
    pub content_type: String,
    /// Extra headers. They come in addition to the defaults (`Cache-Control: no-store`...);
    /// a header given here replaces the default of the same name.
    pub headers: Vec<(String, String)>,
    /// The body (empty for [`HttpResponse::file`], whose body is streamed from the file).
    pub body: Vec<u8>,
    /// A file streamed as the body instead of `body`.
    pub(crate) file: Option<FileBody>,
}

/// An open file to stream; shared by clones of a response, and sent once.
#[derive(Debug, Clone)]
pub(crate) struct FileBody {
    pub(crate) file: Arc<parking_lot::Mutex<Option<std::fs::File>>>,
    pub(crate) len: u64,
    /// For conditional and range requests, which file responses honour as static files do.
    pub(crate) validators: lona_static::FileValidators,
}

/// The request headers a file response is validated against (`If-None-Match`,
/// `If-Modified-Since`, `Range`, `If-Range`), kept while the handler runs.
#[derive(Debug, Default)]
pub(crate) struct Conditions {
    method: Method,
    headers: Vec<(&'static str, String)>,
}

impl Conditions {
    pub(crate) fn of(method: &Method, headers: &hyper::HeaderMap) -> Conditions {
        let headers = ["if-none-match", "if-modified-since", "range", "if-range"]
            .into_iter()
            .filter_map(|name| Some((name, headers.get(name)?.to_str().ok()?.to_owned())))
            .collect();
        // Nothing is allocated for a request without these headers, the usual case.
        Conditions {
            method: method.clone(),
            headers,
        }
    }

    pub(crate) fn validate(&self, file: &FileBody) -> lona_static::Validation {
        let mut request = lona_static::StaticRequest::new(self.method.as_str(), "");
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        let modified = file.validators.modified.as_ref().map(|(secs, _)| *secs);
        lona_static::validate(&request, &file.validators.etag, modified, file.len)
    }
}

impl HttpResponse {
    /// An HTML page. The caller vouches for the markup: for a node tree use
    /// [`HttpResponse::node`], which escapes text.
    pub fn html(body: impl Into<String>) -> HttpResponse {
        HttpResponse::with_type("text/html; charset=utf-8", body.into().into_bytes())
    }

    /// A node tree rendered as an HTML page (Lona's non-interactive node response), text and
    /// attributes escaped.
    pub fn node(node: &lona_html::Node) -> HttpResponse {
        HttpResponse::html(format!("<!DOCTYPE html>\n{}", node.to_html()))
    }

    /// Plain text.
    pub fn text(body: impl Into<String>) -> HttpResponse {
        HttpResponse::with_type("text/plain; charset=utf-8", body.into().into_bytes())
    }

    /// A JSON document, already serialized.
    pub fn json(body: impl Into<String>) -> HttpResponse {
        HttpResponse::with_type("application/json", body.into().into_bytes())
    }

    /// A value serialized as JSON (Lona's `JsonResponse`).
    ///
    /// # Errors
    ///
    /// If serde cannot serialize the value (a map with non-string keys, say).
    pub fn json_value(value: &impl serde::Serialize) -> Result<HttpResponse, serde_json::Error> {
        Ok(HttpResponse::with_type(
            "application/json",
            serde_json::to_vec(value)?,
        ))
    }

    /// Bytes of any type.
    pub fn with_type(content_type: &str, body: Vec<u8>) -> HttpResponse {
        HttpResponse {
            status: 200,
            content_type: content_type.to_owned(),
            headers: Vec::new(),
            body,
            file: None,
        }
    }

    /// A file from disk (Lona's `FileResponse`), streamed in chunks on the static pool, with
    /// the content type of its extension. Use [`HttpResponse::download`] to make the browser
    /// save it. The path is the caller's: never build it from request input.
    ///
    /// # Errors
    ///
    /// If the file cannot be opened or is not a regular file.
    pub fn file(path: impl AsRef<std::path::Path>) -> std::io::Result<HttpResponse> {
        let path = path.as_ref();
        let file = std::fs::File::open(path)?;
        let meta = file.metadata()?;
        if !meta.is_file() {
            return Err(std::io::Error::other("not a regular file"));
        }
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let mut response = HttpResponse::with_type(lona_static::content_type(name), Vec::new());
        response.file = Some(FileBody {
            file: Arc::new(parking_lot::Mutex::new(Some(file))),
            len: meta.len(),
            validators: lona_static::FileValidators::of(&meta),
        });
        Ok(response)
    }

    /// The same response as an attachment the browser saves as `filename`
    /// (`Content-Disposition`). The name is reduced to safe characters for the plain
    /// parameter and given whole, percent-encoded, in `filename*`.
    #[must_use]
    pub fn download(self, filename: &str) -> HttpResponse {
        self.header(
            "Content-Disposition",
            &content_disposition("attachment", filename),
        )
    }

    /// A redirect (302) to `location`.
    pub fn redirect(location: &str) -> HttpResponse {
        let mut response = HttpResponse::text("");
        response.status = 302;
        response
            .headers
            .push(("Location".to_owned(), location.to_owned()));
        response
    }

    /// The same response with another status.
    #[must_use]
    pub fn status(mut self, status: u16) -> HttpResponse {
        self.status = status;
        self
    }

    /// The same response with one more header.
    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> HttpResponse {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// A response body: whole bytes, or a stream of file chunks.
pub(crate) type Body = http_body_util::combinators::BoxBody<Bytes, std::io::Error>;

/// A body of whole bytes.
pub(crate) fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

/// A response of whole bytes with its type, marked `nosniff`.
pub(crate) fn of(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Bytes>,
) -> Response<Body> {
    let mut response = Response::new(full(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}
