//! Non-interactive routes: the body read (bounded) and handed to an HTTP handler on the worker
//! pool or on tokio, or a non-interactive view run once; and the hyper response built from what
//! they answer, with files streamed and validated as static files are.

use std::net::SocketAddr;
use std::sync::Arc;

use http_body_util::{BodyExt, Limited};
use hyper::body::Bytes;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request as HyperRequest, Response, StatusCode};
use lona_protocol::client::{PostData, PostValue};
use lona_runtime::{Request, Response as ViewResponse, ViewFactory, percent_decode};

use crate::request_body::RequestBody;
use crate::response::{Body, Conditions, HttpResponse, full};
use crate::session::new_session_id;
use crate::state::State;
use crate::target::Target;

/// A non-interactive route: the body is read (bounded), then a sync handler runs on the
/// worker pool, never behind parked views, or an async one on tokio.
pub(super) async fn http_route(
    state: Arc<State>,
    request: HyperRequest<RequestBody>,
    target: Target,
    route: Option<Arc<str>>,
    args: Vec<(String, String)>,
    peer: SocketAddr,
) -> Response<Body> {
    let head = request.method() == Method::HEAD;
    let session = state.session(&request).unwrap_or_else(new_session_id);
    let url = request.uri().to_string();
    let (parts, body) = request.into_parts();
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let body = crate::body_timeout::TimedBody::new(
        body,
        state.settings.body_idle_timeout,
        state.runtime.clone(),
    );
    let body = match Limited::new(body, state.settings.max_body_size)
        .collect()
        .await
    {
        Ok(body) => body.to_bytes(),
        Err(error) if crate::body_timeout::is_timeout(&*error) => {
            return state.request_timeout();
        }
        Err(_) => return state.error_page(StatusCode::PAYLOAD_TOO_LARGE),
    };
    let mut lona_request = Request::new(url, session).with_method(parts.method.as_str());
    lona_request.match_info = args;
    lona_request.route = route;
    lona_request.interactive = false;
    if is_form {
        lona_request.post = parse_form(&body);
    }
    if let Target::Page(factory) = &target {
        let decided = state
            .middlewares
            .decide(|m| m.handle_view_request(&mut lona_request));
        let mut response = match decided {
            crate::Decision::Pass => return run_page(&state, factory, lona_request, head).await,
            crate::Decision::Forbid => state.error_page(StatusCode::FORBIDDEN),
            crate::Decision::Answer(answer) => build_response(&state, page_response(answer), None),
        };
        if head {
            *response.body_mut() = full(Bytes::new());
        }
        return response;
    }
    let conditions = Conditions::of(&parts.method, &parts.headers);
    let https = state.proxies.client(peer, &parts.headers).https;
    let rotation = crate::handler::Rotation::default();
    let request = crate::handler::HttpRequest {
        request: lona_request,
        headers: parts.headers,
        body,
        #[cfg(feature = "templates")]
        templates: state.templates.clone(),
        state: state.runtime.state().clone(),
        rotation: rotation.clone(),
    };
    let answer = match target {
        Target::Http(handler) => {
            let (tx, rx) = tokio::sync::oneshot::channel();
            // A panic is left to the pool, which counts it in `lona_pool_panics_total` and
            // logs it; the dropped sender makes this request a 500.
            let job = move || {
                let _ = tx.send(handler(&request));
            };
            if state.runtime.worker_pool().try_submit(job).is_err() {
                return state.error_page(StatusCode::SERVICE_UNAVAILABLE);
            }
            rx.await.ok()
        }
        Target::AsyncHttp(handler) => {
            // A task of its own, so that a panic is caught as a join error; it is counted
            // with the worker pool's, where the sync handlers' panics are.
            match tokio::spawn(handler(request)).await {
                Ok(answer) => Some(answer),
                Err(error) => {
                    if error.is_panic() {
                        state.runtime.worker_pool().record_panic();
                        let panic = lona_runtime::panic_message(error.into_panic().as_ref());
                        tracing::error!(
                            panic = %lona_runtime::Untrusted(&panic),
                            "an async HTTP handler panicked"
                        );
                    }
                    return state.error_page(StatusCode::INTERNAL_SERVER_ERROR);
                }
            }
        }
        Target::View(..) | Target::Page(_) => None,
    };
    let Some(answer) = answer else {
        // Logged where it was caught.
        return state.error_page(StatusCode::INTERNAL_SERVER_ERROR);
    };
    let mut response = build_response(&state, answer, Some(&conditions));
    // The handler asked for a new session id (a login): the browser gets its cookie.
    if let Some(session) = rotation.take()
        && let Ok(cookie) = HeaderValue::from_str(&state.sessions.set_cookie(&session, https))
    {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    if head {
        *response.body_mut() = full(Bytes::new());
    }
    response
}

/// What a view's answer is over plain HTTP: a tree is a whole page, both redirects are 302.
fn page_response(response: ViewResponse) -> HttpResponse {
    match response {
        ViewResponse::Empty => HttpResponse::html(String::new()),
        ViewResponse::Node(node) => HttpResponse::node(&node),
        ViewResponse::RawHtml(html) => HttpResponse::html(html),
        ViewResponse::Redirect(url) | ViewResponse::HttpRedirect(url) => {
            HttpResponse::redirect(&url)
        }
    }
}

/// A non-interactive view: run once on the runtime pool; its tree becomes the page.
async fn run_page(
    state: &State,
    factory: &ViewFactory,
    request: Request,
    head: bool,
) -> Response<Body> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    // Rendered on the view's thread, before its cleanup takes the tree apart.
    let done = move |outcome: Result<ViewResponse, u16>| {
        let _ = tx.send(outcome.map(page_response));
    };
    // Busy or shutting down: either way, not now.
    if state.runtime.run_once(factory, request, done).is_err() {
        return state.error_page(StatusCode::SERVICE_UNAVAILABLE);
    }
    let mut response = match rx.await {
        Ok(Ok(answer)) => build_response(state, answer, None),
        Ok(Err(status)) => state
            .error_page(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)),
        Err(_) => state.error_page(StatusCode::INTERNAL_SERVER_ERROR),
    };
    if head {
        *response.body_mut() = full(Bytes::new());
    }
    response
}

/// The response for a handler's answer. A file answered with 200 is validated against
/// `conditions` as static files are: 304, 206 with the range, or 416.
pub(super) fn build_response(
    state: &State,
    answer: HttpResponse,
    conditions: Option<&Conditions>,
) -> Response<Body> {
    let mut status =
        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut file_headers: Vec<(header::HeaderName, String)> = Vec::new();
    let body = match answer.file.as_ref().map(|f| (f.file.lock().take(), f)) {
        Some((Some(file), body)) => {
            let validation = match conditions {
                Some(conditions) if status == StatusCode::OK => conditions.validate(body),
                _ => lona_static::Validation::Whole,
            };
            file_headers.push((header::ETAG, body.validators.etag.clone()));
            if let Some((_, date)) = &body.validators.modified {
                file_headers.push((header::LAST_MODIFIED, date.clone()));
            }
            file_headers.push((header::ACCEPT_RANGES, "bytes".to_owned()));
            let pool = state.runtime.static_pool().clone();
            let (start, length) = match validation {
                lona_static::Validation::NotModified => {
                    status = StatusCode::NOT_MODIFIED;
                    (0, None)
                }
                lona_static::Validation::Part { start, end } => {
                    status = StatusCode::PARTIAL_CONTENT;
                    let len = body.len;
                    file_headers
                        .push((header::CONTENT_RANGE, format!("bytes {start}-{end}/{len}")));
                    (start, Some(end - start + 1))
                }
                lona_static::Validation::Unsatisfiable => {
                    status = StatusCode::RANGE_NOT_SATISFIABLE;
                    let len = body.len;
                    file_headers.push((header::CONTENT_RANGE, format!("bytes */{len}")));
                    (0, Some(0))
                }
                _ => (0, Some(body.len)),
            };
            if let Some(length) = length {
                file_headers.push((header::CONTENT_LENGTH, length.to_string()));
            }
            match length {
                Some(length) if length > 0 => {
                    crate::statics::stream_file(pool, file, start, length)
                }
                _ => full(Bytes::new()),
            }
        }
        Some((None, _)) => {
            tracing::error!("a file response was sent twice");
            return state.error_page(StatusCode::INTERNAL_SERVER_ERROR);
        }
        None => full(answer.body),
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    for (name, value) in file_headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    // A file may be kept by the browser and revalidated with its ETag; nothing else a
    // handler answers is stored.
    let cache_control = if answer.file.is_some() {
        "private, no-cache"
    } else {
        "no-cache, no-store, must-revalidate"
    };
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    match HeaderValue::from_str(&answer.content_type) {
        Ok(value) => {
            headers.insert(header::CONTENT_TYPE, value);
        }
        Err(_) => return state.error_page(StatusCode::INTERNAL_SERVER_ERROR),
    }
    for (name, value) in &answer.headers {
        let (Ok(name), Ok(value)) = (
            header::HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) else {
            tracing::error!(%name, "a route returned an invalid header");
            return state.error_page(StatusCode::INTERNAL_SERVER_ERROR);
        };
        headers.insert(name, value);
    }
    response
}

/// Parses `application/x-www-form-urlencoded`; repeated names become lists.
pub(crate) fn parse_form(body: &[u8]) -> PostData {
    let text = String::from_utf8_lossy(body);
    let mut fields: Vec<(String, PostValue)> = Vec::new();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (name, value) = (percent_decode(name), percent_decode(value));
        match fields.iter_mut().find(|(n, _)| *n == name) {
            Some((_, PostValue::List(list))) => list.push(value),
            Some((_, slot)) => {
                if let PostValue::Text(first) = slot {
                    let first = std::mem::take(first);
                    *slot = PostValue::List(vec![first, value]);
                }
            }
            None => fields.push((name, PostValue::Text(value))),
        }
    }
    PostData(fields)
}
