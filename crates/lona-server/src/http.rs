//! Answering HTTP requests, in order: the host check, static files, the middlewares, the
//! hand-over of WebSocket upgrades to [`crate::socket`], metrics, session handoffs, uploads,
//! then the routes: the frontend page of interactive ones, [`routes`] for the others. Error
//! pages carry their real status codes (Lona serves its 404 page as 200).

use std::net::SocketAddr;
use std::sync::Arc;

use hyper::body::Bytes;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request as HyperRequest, Response, StatusCode};

use crate::request_body::RequestBody;
use crate::response::Conditions;
use crate::response::{Body, full};
use crate::session::new_session_id;
use crate::state::State;
use crate::target::Target;
use routes::{build_response, http_route};

/// Answers one request and writes its request line (`lona::http`).
pub(crate) async fn handle(
    state: Arc<State>,
    request: HyperRequest<RequestBody>,
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
    request: HyperRequest<RequestBody>,
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
    let websocket = crate::socket::is_upgrade(&request);
    if !state.middlewares.is_empty()
        && let Some(answer) = ask_middlewares(&state, &request, websocket)
    {
        return answer;
    }
    if websocket {
        let client = state.proxies.client(peer, request.headers());
        return crate::socket::upgrade(state, request, client);
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
            task_panics: state.tasks.panics(),
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
    #[cfg(feature = "uploads")]
    if let Some(registry) = crate::uploads::mounted(&state, path) {
        return Box::pin(crate::uploads::serve(state, registry, request)).await;
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
        Target::View(factory, frontend) => {
            let template = frontend
                .as_deref()
                .unwrap_or(crate::frontend::PAINTED_TEMPLATE);
            let factory = factory.clone();
            let route = (route.name.map(Arc::from), route.args);
            // Boxed, as uploads are: the first paint's future is large, and unboxed it would
            // make every request's future as large, copied as hyper moves it.
            Box::pin(frontend_page(
                &state,
                &request,
                template,
                peer,
                (factory, route),
            ))
            .await
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
    request: &HyperRequest<RequestBody>,
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
    request: &HyperRequest<RequestBody>,
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

/// The view a page shows and what its route resolved (name, arguments), for a first paint.
type PageView = (
    lona_runtime::ViewFactory,
    (Option<Arc<str>>, Vec<(String, String)>),
);

/// The frontend page of an interactive route; a GET of lona's own page gets a first paint
/// (`paint`) when `first_paint` is on.
async fn frontend_page(
    state: &State,
    request: &HyperRequest<RequestBody>,
    template: &str,
    peer: SocketAddr,
    (factory, route): PageView,
) -> Response<Body> {
    let (session, new) = match state.session(request) {
        Some(session) => (session, false),
        None => (new_session_id(), true),
    };
    let first_paint = if state.settings.first_paint
        && request.method() == Method::GET
        && state.templates.paints(template)
    {
        paint::paint(state, request, &factory, route, &session, peer).await
    } else {
        None
    };
    let page = crate::frontend::PageRequest {
        path: request.uri().path(),
        query: request.uri().query().unwrap_or_default(),
    };
    let rendered = state
        .templates
        .frontend(&state.settings, template, &page, first_paint.as_ref());
    let html = match rendered {
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

mod paint;
mod routes;

#[cfg(test)]
mod tests;
