//! lona inside an axum app (`App::into_service`, `examples/axum.rs`), through real sockets: the
//! axum route and the lona page share one port, the WebSocket attaches through axum's server,
//! the security checks still hold, and shutting down stops the views.

use std::net::SocketAddr;
use std::time::Duration;

use lona::prelude::*;
use lona::server::LonaService;

use crate::browser::support::http_request;
use crate::hostile_http::websocket;

/// The example's router with `lona` mounted, served by axum on a free port until `stop`
/// fires; the task ends once axum and lona have both shut down.
pub(crate) async fn serve_example(
    lona: LonaService,
) -> (
    SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    serve_router(lona, true).await
}

/// As [`serve_example`], telling lona each client's address through axum's `ConnectInfo` or
/// not.
async fn serve_router(
    lona: LonaService,
    connect_info: bool,
) -> (
    SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let addr = listener.local_addr().expect("its address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(async move {
        let router = examples::axum::router(lona.clone());
        let stopped = async {
            let _ = stopped.await;
        };
        let served = if connect_info {
            let service = router.into_make_service_with_connect_info::<SocketAddr>();
            axum::serve(listener, service)
                .with_graceful_shutdown(stopped)
                .await
        } else {
            axum::serve(listener, router)
                .with_graceful_shutdown(stopped)
                .await
        };
        served.expect("axum serves");
        lona.shutdown().await;
    });
    (addr, stop, served)
}

/// The example's counter, whose stop reports to `events`.
fn reporting_app(events: crossbeam_channel::Sender<&'static str>) -> App {
    struct Reporting(crossbeam_channel::Sender<&'static str>);
    impl View for Reporting {
        fn handle_request(&self, cx: &Context, request: &Request) -> ViewResult {
            let html = View::handle_request(&examples::axum::Counter, cx, request)?;
            if let Response::Node(node) = html {
                cx.show(&node)?;
            }
            // Up until the server stops it.
            let never = tags::button().with_id("never");
            cx.await_click(&[&never])?;
            Ok(Response::Empty)
        }

        fn on_stop(&self, _reason: Option<&StopReason>) {
            let _ = self.0.send("view stopped");
        }
    }
    let mut app = App::new();
    app.view("/", move |_| Reporting(events.clone()));
    app
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_axum_route_and_a_lona_view_share_one_port() {
    let (events, log) = crossbeam_channel::unbounded();
    let lona = reporting_app(events)
        .into_service()
        .await
        .expect("lona starts on this runtime");
    let (addr, stop, served) = serve_example(lona).await;

    let page = tokio::task::spawn_blocking(move || {
        let (status, response) =
            http_request(addr, "GET", "/api/time?label=test").expect("axum answers");
        assert_eq!(status, 200, "{response}");
        assert!(
            response.contains(r#""label":"test""#),
            "axum's Query and Json: {response}"
        );
        let mut page = lona_test::TestClient::connect(addr, "/", None, Duration::from_secs(10))
            .expect("lona's page loads and its socket attaches through axum");
        page.click("#plus").expect("a click");
        page.wait_for_node_text("#count", "1")
            .expect("the handler ran and its patch came back");
        let (status, _) = http_request(addr, "GET", "/nowhere").expect("lona answers");
        assert_eq!(status, 404, "lona's own 404 for paths nobody routes");
        page
    })
    .await
    .expect("the client ran");

    let _ = stop.send(());
    served.await.expect("axum and lona shut down");
    assert_eq!(
        log.try_recv(),
        Ok("view stopped"),
        "LonaService::shutdown stopped the view"
    );
    drop(page);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_axum_the_origin_and_host_checks_still_refuse() {
    let mut app = examples::axum::app();
    app.settings.allowed_hosts = vec!["example.org".to_owned()];
    let lona = app.into_service().await.expect("lona starts");
    let (addr, stop, served) = serve_example(lona).await;
    tokio::task::spawn_blocking(move || {
        let same = format!("http://{addr}");
        let (_socket, status) = websocket(addr, &[("Origin", &same)]);
        assert!(status.contains("101"), "same origin: {status}");
        let (_socket, status) = websocket(addr, &[("Origin", "http://evil.example")]);
        assert!(status.contains("403"), "another origin: {status}");
        let status = crate::hostile_http::status_with_host(addr, "/", "evil.example");
        assert!(status.contains("400"), "another host: {status}");
    })
    .await
    .expect("the checks ran");
    let _ = stop.send(());
    served.await.expect("shut down");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lona_sees_the_client_address_through_axums_connect_info_only() {
    for connect_info in [true, false] {
        let mut app = examples::axum::app();
        // A proxy on loopback says the browser came over HTTPS: believed only from a peer
        // lona knows to be that proxy.
        app.settings.trusted_proxies = vec!["127.0.0.1".to_owned()];
        let lona = app.into_service().await.expect("lona starts");
        let (addr, stop, served) = serve_router(lona, connect_info).await;
        let status = tokio::task::spawn_blocking(move || {
            let origin = format!("https://{addr}");
            let headers = [("Origin", origin.as_str()), ("X-Forwarded-Proto", "https")];
            websocket(addr, &headers).1
        })
        .await
        .expect("the socket was tried");
        let expected = if connect_info { "101" } else { "403" };
        assert!(
            status.contains(expected),
            "with ConnectInfo {connect_info}: {status}"
        );
        let _ = stop.send(());
        served.await.expect("shut down");
    }
}
