//! Tests of the server over real sockets on 127.0.0.1:0: pages and their status codes,
//! sessions, the Origin check, and the protocol on the socket, malformed input included.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use lona_html::tags::{button, div, p};
use lona_runtime::{Context, Flow, Request, Response, StopReason, View, ViewResult};
use serde_json::Value as Json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::{WebSocketStream, client_async};

use test_support::TempDir;

use crate::{App, HttpResponse, Server};

const DEADLINE: Duration = Duration::from_secs(20);

struct ButtonApp {
    stops: Arc<AtomicUsize>,
}

impl View for ButtonApp {
    fn handle_request(&self, cx: &Context, request: &Request) -> ViewResult {
        let message = p().with_id("message").with_text("Click the button");
        let button = button().with_id("button").with_text("Click me");
        cx.on_click(&button, {
            let message = message.clone();
            move |_, _| {
                message.set_text("Clicked by a handler");
                Flow::Handled
            }
        });
        let root = div().with_child(&message).with_child(&button);
        if request.arg("name").is_some() {
            message.set_text(format!("Hello {}", request.arg("name").unwrap_or_default()));
        }
        cx.show(&root)?;
        cx.sleep(Duration::from_secs(3600))?;
        Ok(Response::Empty)
    }

    fn on_stop(&self, _reason: Option<&StopReason>) {
        self.stops.fetch_add(1, Ordering::SeqCst);
    }
}

struct Panics;

impl View for Panics {
    fn handle_request(&self, _cx: &Context, _request: &Request) -> ViewResult {
        panic!("this view is broken");
    }
}

fn app(stops: &Arc<AtomicUsize>) -> App {
    let mut app = App::new();
    let stops_for_view = Arc::clone(stops);
    app.view("/", move |_| ButtonApp {
        stops: Arc::clone(&stops_for_view),
    })
    .name("home");
    let stops_for_user = Arc::clone(stops);
    app.view("/user/<name>/", move |_| ButtonApp {
        stops: Arc::clone(&stops_for_user),
    })
    .name("user");
    app.view("/broken", |_| Panics);
    app.http("/api/<id:[0-9]+>", |request: &crate::HttpRequest| {
        HttpResponse::json(format!(r#"{{"id":{}}}"#, request.arg("id").unwrap_or("0")))
    });
    app.settings.max_malformed_messages = 3;
    app.settings.max_message_size = 64 * 1024;
    app
}

fn start() -> (Server, Arc<AtomicUsize>) {
    let stops = Arc::new(AtomicUsize::new(0));
    let server = app(&stops).spawn("127.0.0.1:0").expect("the server starts");
    (server, stops)
}

/// A raw HTTP/1.1 request; returns the status, the headers (lower-case names) and the body.
async fn http(server: &Server, request: &str) -> (u16, Vec<(String, String)>, String) {
    let mut stream = TcpStream::connect(server.local_addr())
        .await
        .expect("connects");
    stream.write_all(request.as_bytes()).await.expect("writes");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("reads");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers, body.to_owned())
}

fn get(path: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

type Socket = WebSocketStream<TcpStream>;

async fn socket(server: &Server, path: &str, origin: Option<&str>) -> Result<Socket, String> {
    let url = format!("ws://{}{path}", server.local_addr());
    let mut request = url.into_client_request().map_err(|e| e.to_string())?;
    if let Some(origin) = origin {
        request
            .headers_mut()
            .insert("Origin", origin.parse().map_err(|_| "origin")?);
    }
    request.headers_mut().insert(
        "Cookie",
        "lona_session=abcdefghijklmnopqrstuvwxyz012345"
            .parse()
            .map_err(|_| "cookie")?,
    );
    let stream = TcpStream::connect(server.local_addr())
        .await
        .map_err(|e| e.to_string())?;
    client_async(request, stream)
        .await
        .map(|(socket, _)| socket)
        .map_err(|e| e.to_string())
}

async fn next(socket: &mut Socket) -> Message {
    tokio::time::timeout(DEADLINE, socket.next())
        .await
        .expect("a message in time")
        .expect("the socket is open")
        .expect("a message")
}

/// The next `lona:` frame as JSON.
async fn frame(socket: &mut Socket) -> Json {
    loop {
        if let Message::Text(text) = next(socket).await {
            let text = text.as_str();
            return serde_json::from_str(text.strip_prefix("lona:").expect("a lona frame"))
                .expect("JSON");
        }
    }
}

async fn until(socket: &mut Socket, method: u64) -> Json {
    loop {
        let frame = frame(socket).await;
        if frame[2] == method {
            return frame;
        }
    }
}

async fn send(socket: &mut Socket, text: &str) {
    socket
        .send(Message::text(text.to_owned()))
        .await
        .expect("sends");
}

/// Finds the wire id of the element with `id_attr` in a node spec.
fn find_id(spec: &Json, id_attr: &str) -> Option<String> {
    if spec[0] == 401
        && spec[4]
            .as_array()
            .is_some_and(|ids| ids.iter().any(|i| i == id_attr))
    {
        return spec[1].as_str().map(str::to_owned);
    }
    spec.get(8)?
        .as_array()?
        .iter()
        .find_map(|child| find_id(child, id_attr))
}

#[tokio::test]
async fn an_interactive_route_serves_the_frontend_page_with_a_session_cookie() {
    let (server, _) = start();
    let (status, headers, body) = http(&server, &get("/")).await;
    assert_eq!(status, 200);
    assert!(header(&headers, "content-type").is_some_and(|v| v.starts_with("text/html")));
    let cookie = header(&headers, "set-cookie").expect("a session cookie");
    assert!(
        cookie.starts_with("lona_session=")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax")
    );
    assert!(header(&headers, "cache-control").is_some_and(|v| v.contains("no-store")));
    // The view's first tree is painted into the window (docs/protocol.md, "First paint").
    assert!(body.contains(r#"<div id="lona"><"#), "{body}");
    assert!(body.contains(r#""adopt":""#), "{body}");
    assert!(
        body.contains(r#"Lona.setProtocol({"METHOD":{"VIEW":101"#),
        "{body}"
    );
    assert!(
        body.contains(r#"import { Lona } from "/static/lona/lona.js";"#),
        "{body}"
    );
    // A browser that has its cookie gets no new one.
    let value = cookie.split(';').next().expect("name=value");
    let with_cookie = get_with("/", &format!("Cookie: {value}\r\n"));
    let (_, headers, _) = http(&server, &with_cookie).await;
    assert_eq!(header(&headers, "set-cookie"), None);
    // A well-formed id the server did not issue is not adopted: a new session and cookie.
    let made_up = get_with(
        "/",
        "Cookie: lona_session=abcdefghijklmnopqrstuvwxyz012345\r\n",
    );
    let (_, headers, _) = http(&server, &made_up).await;
    let fresh = header(&headers, "set-cookie").expect("a new session cookie");
    assert!(!fresh.starts_with("lona_session=abcdefghijklmnopqrstuvwxyz012345"));
    server.shutdown();
}

#[tokio::test]
async fn unknown_paths_are_404_with_a_404_status_and_routes_answer_with_theirs() {
    let (server, _) = start();
    let (status, _, body) = http(&server, &get("/nothing/here")).await;
    assert_eq!(status, 404);
    assert!(body.contains("404 Not Found"));
    let (status, headers, body) = http(&server, &get("/api/42")).await;
    assert_eq!((status, body.as_str()), (200, r#"{"id":42}"#));
    assert_eq!(header(&headers, "content-type"), Some("application/json"));
    let (status, _, _) = http(&server, &get("/api/x")).await;
    assert_eq!(status, 404);
    assert_eq!(
        server.reverse("user", &[("name", "ann")]),
        Ok("/user/ann/".to_owned())
    );
    server.shutdown();
}

#[tokio::test]
async fn a_websocket_from_another_origin_is_refused_with_403() {
    let (server, _) = start();
    let refused = socket(&server, "/", Some("http://evil.example")).await;
    assert!(
        refused.is_err_and(|e| e.contains("403")),
        "cross-origin sockets are refused"
    );
    let host = format!("http://{}", server.local_addr());
    assert!(
        socket(&server, "/", Some(&host)).await.is_ok(),
        "same-origin sockets are fine"
    );
    server.shutdown();
}

#[tokio::test]
async fn the_socket_speaks_the_protocol_view_click_ping() {
    let (server, _) = start();
    let mut ws = socket(&server, "/", None).await.expect("opens");
    let url = format!("http://{}/user/ann/", server.local_addr());
    send(&mut ws, &format!(r#"lona:[1,null,101,["{url}",null]]"#)).await;
    let start = frame(&mut ws).await;
    assert_eq!(start[2], 204);
    let runtime = start[1].as_str().expect("a runtime id").to_owned();
    let tree = until(&mut ws, 203).await;
    assert!(tree.to_string().contains("Hello ann"), "{tree}");
    let button = find_id(&tree[3][1][1], "button").expect("the button");

    let click = format!(
        r#"lona:[1,"{runtime}",102,[1,301,{{"alt_key":false,"shift_key":false,"meta_key":false,"ctrl_key":false,"node_width":80,"node_height":24,"x":1,"y":1}},["{button}","BUTTON","button",""],["{button}","BUTTON","button",""]]]"#
    );
    send(&mut ws, &click).await;
    assert_eq!(
        frame(&mut ws).await,
        serde_json::json!([1, runtime, 103, 1])
    );
    let update = until(&mut ws, 203).await;
    assert!(
        update.to_string().contains("Clicked by a handler"),
        "{update}"
    );

    send(&mut ws, "lona:[null,null,105,null]").await;
    assert_eq!(
        until(&mut ws, 206).await,
        serde_json::json!([null, null, 206, null])
    );
    server.shutdown();
}

#[tokio::test]
async fn a_view_of_a_non_interactive_route_becomes_an_http_redirect_and_unknown_paths_show_404() {
    let (server, _) = start();
    let mut ws = socket(&server, "/", None).await.expect("opens");
    let api = format!("http://{}/api/7", server.local_addr());
    send(&mut ws, &format!(r#"lona:[1,null,101,["{api}",null]]"#)).await;
    assert_eq!(frame(&mut ws).await, serde_json::json!([1, null, 202, api]));
    let nowhere = format!("http://{}/nowhere", server.local_addr());
    send(&mut ws, &format!(r#"lona:[1,null,101,["{nowhere}",null]]"#)).await;
    let page = until(&mut ws, 203).await;
    assert!(page.to_string().contains("404 Not Found"), "{page}");
    server.shutdown();
}

struct Greeting(&'static str);

struct Greets;

impl View for Greets {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let greeting = cx.state::<Greeting>().map_or("no greeting", |g| g.0);
        Ok(p().with_text(greeting).into())
    }
}

#[tokio::test]
async fn state_registered_in_an_arc_is_found_by_its_own_type() {
    let mut app = App::new();
    app.state(Arc::new(Greeting("hello from an Arc")));
    app.view("/greeting", |_| Greets).interactive(false);
    let server = app.spawn("127.0.0.1:0").expect("the server starts");
    let (status, _, body) = http(&server, &get("/greeting")).await;
    assert_eq!(status, 200);
    assert!(body.contains("hello from an Arc"), "{body}");
    server.shutdown();
}

#[tokio::test]
async fn garbage_closes_only_that_socket_with_1008_and_others_keep_working() {
    let (server, _) = start();
    let mut good = socket(&server, "/", None).await.expect("opens");
    let mut bad = socket(&server, "/", None).await.expect("opens");
    let url = format!("http://{}/", server.local_addr());
    send(&mut good, &format!(r#"lona:[1,null,101,["{url}",null]]"#)).await;
    until(&mut good, 203).await;
    for garbage in ["lona:[", "lona:{\"a\":1}", "lona:[1,\"x\",102,[]]"] {
        send(&mut bad, garbage).await;
    }
    let closed = loop {
        if let Message::Close(frame) = next(&mut bad).await {
            break frame;
        }
    };
    assert_eq!(closed.map(|f| f.code), Some(CloseCode::Policy));
    send(&mut good, "lona:[null,null,105,null]").await;
    assert_eq!(until(&mut good, 206).await[2], 206);
    server.shutdown();
}

#[tokio::test]
async fn an_oversized_message_closes_the_socket_with_1009() {
    let (server, _) = start();
    let mut ws = socket(&server, "/", None).await.expect("opens");
    let huge = format!("lona:[1,null,101,[\"{}\",null]]", "x".repeat(128 * 1024));
    let _ = ws.send(Message::text(huge)).await;
    let closed = loop {
        match tokio::time::timeout(DEADLINE, ws.next())
            .await
            .expect("an answer in time")
        {
            Some(Ok(Message::Close(frame))) => break frame,
            Some(Ok(_)) => {}
            Some(Err(_)) | None => break None,
        }
    };
    assert_eq!(closed.map(|f| f.code), Some(CloseCode::Size));
    server.shutdown();
}

#[tokio::test]
async fn a_panicking_view_shows_500_and_the_next_page_load_works() {
    let (server, _) = start();
    let mut ws = socket(&server, "/", None).await.expect("opens");
    let broken = format!("http://{}/broken", server.local_addr());
    send(&mut ws, &format!(r#"lona:[1,null,101,["{broken}",null]]"#)).await;
    let page = until(&mut ws, 203).await;
    assert!(page.to_string().contains("500 Internal Error"), "{page}");
    assert!(
        !page.to_string().contains("this view is broken"),
        "the panic stays in the log"
    );
    let (status, _, _) = http(&server, &get("/")).await;
    assert_eq!(status, 200);
    server.shutdown();
}

#[tokio::test]
async fn shutdown_stops_views_and_closes_sockets_going_away() {
    let (server, stops) = start();
    let mut ws = socket(&server, "/", None).await.expect("opens");
    let url = format!("http://{}/", server.local_addr());
    send(&mut ws, &format!(r#"lona:[1,null,101,["{url}",null]]"#)).await;
    until(&mut ws, 203).await;
    let shutdown = tokio::task::spawn_blocking(move || server.shutdown());
    let closed = loop {
        if let Message::Close(frame) = next(&mut ws).await {
            break frame;
        }
    };
    assert_eq!(closed.map(|f| f.code), Some(CloseCode::Away));
    shutdown.await.expect("shutdown finished");
    assert_eq!(stops.load(Ordering::SeqCst), 1, "on_stop ran");
}

// Static files through the server: the client's files, an app folder, conditional and range
// requests, streaming of big files, and paths that try to leave the root.

/// A folder with the static folder `static/` and, beside it, a secret no path may reach.
struct StaticDir(TempDir);

impl StaticDir {
    /// The static folder.
    fn root(&self) -> std::path::PathBuf {
        self.0.join("static")
    }
}

fn static_dir() -> StaticDir {
    let dir = TempDir::new("server-static");
    dir.write("static/css/app.css", "body { color: red; }");
    let big: Vec<u8> = (0..3 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
    dir.write("static/big.bin", big);
    dir.write("lona-secret.txt", "secret");
    StaticDir(dir)
}

fn static_app(dir: &StaticDir) -> App {
    let mut app = App::new();
    app.view("/", |_| Panics);
    app.settings.static_dirs = vec![dir.root()];
    app.static_file(lona_static::StaticFile::css("app", "css/app.css"));
    app
}

fn get_with(path: &str, headers: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n{headers}Connection: close\r\n\r\n")
}

#[tokio::test]
async fn the_client_and_app_files_are_served_with_validators_and_ranges() {
    let dir = static_dir();
    let server = static_app(&dir).spawn("127.0.0.1:0").expect("starts");
    let (status, headers, body) = http(&server, &get("/static/lona/lona.js")).await;
    assert_eq!(status, 200);
    assert!(header(&headers, "content-type").is_some_and(|t| t.contains("javascript")));
    assert!(body.contains("LonaContext"));

    let (status, headers, body) = http(&server, &get("/static/css/app.css")).await;
    assert_eq!((status, body.as_str()), (200, "body { color: red; }"));
    let etag = header(&headers, "etag").expect("an ETag").to_owned();
    let (status, _, body) = http(
        &server,
        &get_with("/static/css/app.css", &format!("If-None-Match: {etag}\r\n")),
    )
    .await;
    assert_eq!((status, body.as_str()), (304, ""));
    let (status, headers, body) = http(
        &server,
        &get_with("/static/css/app.css", "Range: bytes=0-3\r\n"),
    )
    .await;
    assert_eq!((status, body.as_str()), (206, "body"));
    assert_eq!(header(&headers, "content-range"), Some("bytes 0-3/20"));

    // The frontend page links the declared file by its hashed, immutable URL.
    let (_, _, page) = http(&server, &get("/")).await;
    let start = page
        .find("href=\"/static/css/app.")
        .expect("the declared stylesheet is linked");
    let hashed = &page[start + 6..];
    let hashed = &hashed[..hashed.find('"').expect("a closing quote")];
    let (status, headers, _) = http(&server, &get(hashed)).await;
    assert_eq!(status, 200);
    assert!(header(&headers, "cache-control").is_some_and(|c| c.contains("immutable")));
    server.shutdown();
}

#[tokio::test]
async fn a_big_file_streams_whole_and_in_ranges() {
    let dir = static_dir();
    let server = static_app(&dir).spawn("127.0.0.1:0").expect("starts");
    let expected = std::fs::read(dir.root().join("big.bin")).expect("reads");
    let mut stream = TcpStream::connect(server.local_addr())
        .await
        .expect("connects");
    stream
        .write_all(get("/static/big.bin").as_bytes())
        .await
        .expect("writes");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("reads");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("headers end")
        + 4;
    assert_eq!(raw[split..].len(), expected.len());
    assert!(
        raw[split..] == expected[..],
        "the streamed bytes are the file's"
    );

    let mut stream = TcpStream::connect(server.local_addr())
        .await
        .expect("connects");
    let range = get_with("/static/big.bin", "Range: bytes=1048570-1048579\r\n");
    stream.write_all(range.as_bytes()).await.expect("writes");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("reads");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("headers end")
        + 4;
    assert!(raw.starts_with(b"HTTP/1.1 206"));
    assert_eq!(raw[split..], expected[1_048_570..1_048_580]);
    server.shutdown();
}

#[tokio::test]
async fn paths_that_leave_the_static_root_are_404() {
    let dir = static_dir();
    let server = static_app(&dir).spawn("127.0.0.1:0").expect("starts");
    for path in [
        "/static/../lona-secret.txt",
        "/static/%2e%2e/lona-secret.txt",
        "/static/css/..%2f..%2flona-secret.txt",
        "/static/..%5clona-secret.txt",
        "/static/css/app.css%00",
        "/static/.hidden",
        "/static/css/",
    ] {
        let (status, _, body) = http(&server, &get(path)).await;
        assert_eq!(status, 404, "{path}");
        assert!(!body.contains("secret"), "{path}");
    }
    server.shutdown();
}

#[tokio::test]
async fn a_proxy_deployment_turns_static_serving_off() {
    let dir = static_dir();
    let mut app = static_app(&dir);
    app.settings.static_files_serve = false;
    let server = app.spawn("127.0.0.1:0").expect("starts");
    let (status, _, _) = http(&server, &get("/static/css/app.css")).await;
    assert_eq!(status, 404);
    server.shutdown();
}
