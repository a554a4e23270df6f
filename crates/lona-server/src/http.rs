//! Answering HTTP requests: the client's files, the WebSocket upgrade (with its Origin check),
//! the frontend page of interactive routes, non-interactive routes, and error pages with their
//! real status codes (Lona serves its 404 page as 200).

use std::net::SocketAddr;
use std::sync::Arc;

use http_body_util::{BodyExt, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request as HyperRequest, Response, StatusCode};
use hyper_util::rt::TokioIo;
use lona_protocol::client::{PostData, PostValue};
use lona_runtime::{Request, Response as ViewResponse, ViewFactory, percent_decode};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};

use crate::response::{Conditions, HttpResponse};
use crate::session::new_session_id;
use crate::settings::Settings;
use crate::target::Target;
// Uploads and the admin shell reach these through here.
pub(crate) use crate::response::{Body, URL_ESCAPED, content_disposition, full};
pub(crate) use crate::state::State;

/// Answers one request and writes its request line (`lona::http`).
pub(crate) async fn handle(
    state: Arc<State>,
    request: HyperRequest<Incoming>,
    peer: SocketAddr,
) -> Response<Body> {
    let started = std::time::Instant::now();
    let method = request.method().clone();
    // The path only: a query may carry tokens that have no place in a log.
    let path = request.uri().path().to_owned();
    let response = answer(state, request, &path, peer).await;
    crate::logging::request_line(
        method.as_str(),
        &path,
        response.status().as_u16(),
        started.elapsed(),
        peer,
    );
    response
}

async fn answer(
    state: Arc<State>,
    request: HyperRequest<Incoming>,
    path: &str,
    peer: SocketAddr,
) -> Response<Body> {
    if !crate::host::host_allowed(&state.settings.allowed_hosts, &request) {
        state.runtime.trip(lona_runtime::Limit::Host);
        let host = crate::host::host_of(&request).unwrap_or_default();
        tracing::debug!(
            host = %lona_runtime::Untrusted(host),
            "refused a request for a host the app does not serve"
        );
        return state.error_page(StatusCode::BAD_REQUEST);
    }
    if state.statics.handles(path) {
        return crate::statics::serve(state, &request).await;
    }
    let websocket = is_websocket_upgrade(&request);
    if !state.middlewares.is_empty()
        && let Some(answer) = ask_middlewares(&state, &request, websocket)
    {
        return answer;
    }
    if websocket {
        let client = state.proxies.client(peer, request.headers());
        return upgrade(state, request, client);
    }
    // After the middlewares, so that one can Forbid it (it is on the app's own port), and
    // before the routes, so that no route can shadow it.
    if state.settings.metrics_url_prefix.as_deref() == Some(path)
        && matches!(*request.method(), Method::GET | Method::HEAD)
    {
        let counters = crate::metrics::ServerCounters {
            connections: state.open_socket_count(),
            accept_errors: state.connections.accept_errors(),
            memory_trims: crate::memory::TRIMS.load(std::sync::atomic::Ordering::Relaxed),
        };
        let text = crate::metrics::render(&state.runtime.metrics(), &counters);
        let mut response = crate::response::of(StatusCode::OK, crate::metrics::CONTENT_TYPE, text);
        if request.method() == Method::HEAD {
            *response.body_mut() = full(Bytes::new());
        }
        return response;
    }
    // Session handoffs: before the routes, so that no route can shadow them.
    if path == crate::session::SESSION_HANDOFF_PATH {
        return session_handoff(&state, &request, peer);
    }
    // Uploads: after the middlewares (which may refuse them), before the routes.
    if crate::buckets::handles(&state, path) {
        return crate::buckets::serve(state, request).await;
    }
    let Some(route) = state.router.resolve(path) else {
        return state.error_page(StatusCode::NOT_FOUND);
    };
    // A view page is read (GET, HEAD) or posted to (Lona lets a POST land on it); TRACE,
    // PROPFIND and made-up methods are not for it. `App::http` routes see every method.
    if matches!(route.target, Target::View(..) | Target::Page(_))
        && !matches!(*request.method(), Method::GET | Method::HEAD | Method::POST)
    {
        let mut response = state.error_page(StatusCode::METHOD_NOT_ALLOWED);
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD, POST"));
        return response;
    }
    match route.target {
        Target::View(_, frontend) => {
            let template = frontend.as_deref().unwrap_or("lona/frontend.html");
            frontend_page(&state, &request, template, peer)
        }
        Target::Http(_) | Target::AsyncHttp(_) | Target::Page(_) => {
            let target = route.target.clone();
            let name = route.name.map(Arc::from);
            let args = route.args;
            http_route(Arc::clone(&state), request, target, name, args, peer).await
        }
    }
}

/// A one-time URL of `rotate_session`: with the old session's cookie, a redirect to where the
/// view said, setting the new session's cookie; anything else is 403.
fn session_handoff(
    state: &State,
    request: &HyperRequest<Incoming>,
    peer: SocketAddr,
) -> Response<Body> {
    let taken = crate::session::token_of(request.uri().query()).and_then(|token| {
        let handoffs = state.runtime.state().get::<crate::session::Handoffs>()?;
        handoffs.take(token, state.session(request).as_ref())
    });
    let Some((session, next)) = taken else {
        return state.error_page(StatusCode::FORBIDDEN);
    };
    let (Some(cookie), Ok(location)) = (
        state.session_cookie(&session, peer, request.headers()),
        HeaderValue::from_str(&next),
    ) else {
        return state.error_page(StatusCode::INTERNAL_SERVER_ERROR);
    };
    let mut response = crate::response::of(StatusCode::FOUND, "text/plain; charset=utf-8", "");
    let headers = response.headers_mut();
    headers.insert(header::LOCATION, location);
    headers.insert(header::SET_COOKIE, cookie);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The HTTP-request and connection hooks; `Some` if a middleware answered or refused.
fn ask_middlewares(
    state: &State,
    request: &HyperRequest<Incoming>,
    websocket: bool,
) -> Option<Response<Body>> {
    use crate::middleware::{ConnectionInfo, Decision, HttpRequestInfo};
    let headers: Vec<(&str, &str)> = request
        .headers()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str(), v.to_str().ok()?)))
        .collect();
    if !websocket {
        let info = HttpRequestInfo {
            method: request.method().as_str(),
            path: request.uri().path(),
            query: request.uri().query().unwrap_or_default(),
            headers: headers.clone(),
        };
        match state.middlewares.decide(|m| m.handle_http_request(&info)) {
            Decision::Answer(answer) => {
                let conditions = Conditions::of(request.method(), request.headers());
                return Some(build_response(state, answer, Some(&conditions)));
            }
            Decision::Forbid => return Some(state.error_page(StatusCode::FORBIDDEN)),
            Decision::Pass => {}
        }
    }
    let session = state.session(request);
    let info = ConnectionInfo {
        path: request.uri().path(),
        websocket,
        session: session.as_ref().map(|s| &*s.0),
        headers,
    };
    match state.middlewares.decide(|m| m.handle_connection(&info)) {
        Decision::Forbid => Some(state.error_page(StatusCode::FORBIDDEN)),
        Decision::Answer(()) | Decision::Pass => None,
    }
}

fn frontend_page(
    state: &State,
    request: &HyperRequest<Incoming>,
    template: &str,
    peer: SocketAddr,
) -> Response<Body> {
    let (session, new) = match state.session(request) {
        Some(session) => (session, false),
        None => (new_session_id(), true),
    };
    let page = crate::frontend::PageRequest {
        path: request.uri().path(),
        query: request.uri().query().unwrap_or_default(),
    };
    let html = match state.templates.frontend(&state.settings, template, &page) {
        Ok(html) => html,
        Err(error) => {
            tracing::error!(%error, "the frontend template failed");
            return state.error_page(StatusCode::INTERNAL_SERVER_ERROR);
        }
    };
    let mut response = crate::response::of(StatusCode::OK, "text/html; charset=utf-8", html);
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, no-store, must-revalidate"),
    );
    if new && let Some(cookie) = state.session_cookie(&session, peer, request.headers()) {
        headers.insert(header::SET_COOKIE, cookie);
    }
    if request.method() == Method::HEAD {
        *response.body_mut() = full(Bytes::new());
    }
    response
}

/// A non-interactive route: the body is read (bounded), then a sync handler runs on the
/// worker pool, never behind parked views, or an async one on tokio.
async fn http_route(
    state: Arc<State>,
    request: HyperRequest<Incoming>,
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
fn build_response(
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

fn is_websocket_upgrade(request: &HyperRequest<Incoming>) -> bool {
    let has = |name: header::HeaderName, token: &str| {
        request
            .headers()
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|v| v.trim().eq_ignore_ascii_case(token))
    };
    request.method() == Method::GET
        && has(header::CONNECTION, "upgrade")
        && has(header::UPGRADE, "websocket")
}

fn upgrade(
    state: Arc<State>,
    mut request: HyperRequest<Incoming>,
    client: crate::client_addr::Client,
) -> Response<Body> {
    if !crate::host::origin_allowed(&state.settings.allowed_origins, &request, client.https) {
        tracing::warn!(client = %client.ip, "refused a WebSocket from another origin");
        return state.error_page(StatusCode::FORBIDDEN);
    }
    let version_ok = request
        .headers()
        .get(header::SEC_WEBSOCKET_VERSION)
        .is_some_and(|v| v == "13");
    let Some(key) = request.headers().get(header::SEC_WEBSOCKET_KEY).cloned() else {
        return state.error_page(StatusCode::BAD_REQUEST);
    };
    if !version_ok {
        let mut response = state.error_page(StatusCode::UPGRADE_REQUIRED);
        response.headers_mut().insert(
            header::SEC_WEBSOCKET_VERSION,
            HeaderValue::from_static("13"),
        );
        return response;
    }
    // A socket without our cookie still gets a session of its own; it just cannot re-attach.
    let session = state.session(&request).unwrap_or_else(new_session_id);
    let on_upgrade = hyper::upgrade::on(&mut request);
    tokio::spawn(async move {
        match on_upgrade.await {
            Ok(upgraded) => {
                let config = socket_config(&state.settings);
                let socket = WebSocketStream::from_raw_socket(
                    TokioIo::new(upgraded),
                    Role::Server,
                    Some(config),
                )
                .await;
                crate::socket::run(state, socket, session, client).await;
            }
            Err(error) => tracing::debug!(%error, "the WebSocket upgrade failed"),
        }
    });
    let mut response = Response::new(full(Bytes::new()));
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
    headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    if let Ok(accept) = HeaderValue::from_str(&derive_accept_key(key.as_bytes())) {
        headers.insert(header::SEC_WEBSOCKET_ACCEPT, accept);
    }
    response
}

/// tungstenite's buffers are 128 KiB by default, most of a connection's memory; our messages
/// are small (a click is about 250 bytes), so the read buffer is 1 KiB (3 KiB less per idle
/// view than 4 KiB, measured with 10,000 views) and the limits are the app's.
fn socket_config(settings: &Settings) -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(1024)
        .write_buffer_size(0)
        .max_write_buffer_size(settings.max_message_size * 4)
        .max_message_size(Some(settings.max_message_size))
        .max_frame_size(Some(settings.max_message_size))
}

#[cfg(test)]
mod tests;
