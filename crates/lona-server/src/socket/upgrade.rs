//! The WebSocket upgrade: the Origin check, the handshake, and the socket's buffer limits.

use std::sync::Arc;

use hyper::body::Bytes;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request as HyperRequest, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};

use crate::request_body::RequestBody;
use crate::response::{Body, full};
use crate::session::new_session_id;
use crate::settings::Settings;
use crate::state::State;

/// Whether a request asks to become a WebSocket.
pub(crate) fn is_upgrade(request: &HyperRequest<RequestBody>) -> bool {
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

/// Answers a WebSocket upgrade (checking its Origin and version) and runs the socket once
/// hyper hands it over.
pub(crate) fn upgrade(
    state: Arc<State>,
    mut request: HyperRequest<RequestBody>,
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
                // Split here, not in `run`: an async fn keeps its arguments' room for its
                // whole life, and the whole socket is 328 bytes per open socket.
                super::run(
                    state,
                    futures_util::StreamExt::split(socket),
                    session,
                    client,
                )
                .await;
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
/// are small (a VIEW is about 100 bytes, a click about 250), so the read buffer is 256 bytes
/// (3 KiB less per idle view at 1 KiB than at 4 KiB, and 0.75 KiB less again at 256 bytes,
/// measured with 10,000 views). A larger frame costs no extra reads: once its header is read,
/// tungstenite reserves room for all of it. The limits are the app's.
fn socket_config(settings: &Settings) -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(256)
        .write_buffer_size(0)
        .max_write_buffer_size(settings.max_message_size * 4)
        .max_message_size(Some(settings.max_message_size))
        .max_frame_size(Some(settings.max_message_size))
}
