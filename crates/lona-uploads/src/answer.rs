//! The plain answers of the bucket endpoints: a text body with the headers every bucket answer
//! carries, and the answer to a successful add or delete.

use http::header::{self, HeaderValue};
use http::{Response, StatusCode};

use crate::body::UploadBody;

/// A plain-text answer with `status`.
pub(crate) fn text(status: StatusCode, body: String) -> Response<UploadBody> {
    let mut response = Response::new(UploadBody::Bytes(body.into()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    common_headers(headers);
    response
}

/// What every bucket answer carries: uploads are private, never cached or sniffed.
pub(crate) fn common_headers(headers: &mut http::HeaderMap) {
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
}

/// The answer to a successful add or delete: a redirect if asked for one, else the names, one
/// per line.
pub(crate) fn done(names: &[String], redirect: Option<String>) -> Response<UploadBody> {
    let Some(location) = redirect.and_then(|r| HeaderValue::from_str(&r).ok()) else {
        let mut body = names.join("\n");
        body.push('\n');
        return text(StatusCode::OK, body);
    };
    let mut response = text(StatusCode::FOUND, String::new());
    response.headers_mut().insert(header::LOCATION, location);
    response
}
