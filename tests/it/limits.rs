//! The per-visitor limits end to end, over real sockets: one socket cannot take the runtime
//! pool from the others, and a socket over a window, VIEW-rate or event-rate limit is closed
//! with 1008 while another visitor goes on; the view caps per session and per address show
//! the 429 page; windowless daemons expire and a session's daemons are capped.

use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use examples::click_handler::Counter;
use lona::metrics::Limit;
use lona::prelude::*;
use lona::view::WindowId;
use lona_test::{ClientState, TestClient, TestError, TestServer};
use tungstenite::client::IntoClientRequest;
use tungstenite::http::HeaderValue;
use tungstenite::{Message, WebSocket};

const DEADLINE: Duration = Duration::from_secs(20);

/// Lona's model: a blocking view that holds its runtime thread until the click.
struct Blocking;

impl View for Blocking {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let go = tags::button().with_id("go").with_text("Go");
        let out = tags::span().with_id("out").with_text("waiting");
        let root = tags::div().with_child(&go).with_child(&out);
        cx.show(&root)?;
        cx.await_click(&[&go])?;
        out.set_text("clicked");
        Ok(Response::Node(root))
    }
}

/// A daemon page: `/daemon/<n>`, one daemon per session and `n`.
struct Daemon;

impl View for Daemon {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        cx.daemonize();
        cx.show(&tags::p().with_id("daemon").with_text("I live on"))?;
        Ok(Response::Empty)
    }
}

fn app(settings: impl FnOnce(&mut lona::Settings)) -> TestServer {
    let mut app = App::new();
    settings(&mut app.settings);
    app.view("/block", |_| Blocking);
    app.view("/clicks", |_| Counter);
    app.view("/daemon/<n>", |_| Daemon).name("daemon");
    app.view("/doc/<n>", |_| Counter).broadcast();
    TestServer::start(app)
}

fn tripped(server: &TestServer, limit: Limit) -> u64 {
    server.metrics().limits_tripped.get(limit)
}

/// Waits for `condition` until the deadline, polling.
fn eventually(what: &str, mut condition: impl FnMut() -> bool) {
    let start = Instant::now();
    while !condition() {
        assert!(start.elapsed() < DEADLINE, "timed out waiting for: {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Reads until the server closes the socket, and returns its close code and reason.
fn close_reason(client: &mut TestClient) -> String {
    match client.wait_for(|_| false) {
        Err(TestError::Closed { reason, .. }) => reason,
        other => panic!("expected the server to close the socket, got {other:?}"),
    }
}

/// Sends VIEW for windows `windows` of `path`, built by a client state of its own.
fn send_views(
    client: &mut TestClient,
    addr: SocketAddr,
    path: &str,
    windows: impl Iterator<Item = u32>,
) -> Result<(), TestError> {
    let mut frames = ClientState::new();
    for window in windows {
        client.send_raw(&frames.view(WindowId(window), &format!("http://{addr}{path}")))?;
    }
    Ok(())
}

/// An honest visitor: opens the blocking page and clicks, with no 503 on the way.
fn visit_and_click(server: &TestServer) {
    let mut visitor = server.open("/block").expect("the visitor's page opens");
    visitor
        .wait_for_selector("#go")
        .unwrap_or_else(|error| panic!("the visitor's view starts: {error}\n{}", visitor.html()));
    assert!(!visitor.html().contains("503"), "{}", visitor.html());
    visitor.click("#go").expect("the click is acknowledged");
    visitor
        .wait_for_node_text("#out", "clicked")
        .expect("the view answers the click");
    visitor.close();
}

#[test]
fn one_socket_sending_106_views_does_not_take_the_runtime_pool_from_others() {
    let server = app(|_| {});
    let addr = server.addr();
    let stop = Arc::new(AtomicBool::new(false));
    // The attacker fills windows 1..106 of one socket with blocking views, and reconnects
    // to do it again whenever it is closed, until the test is done.
    let attacker = {
        let stop = Arc::clone(&stop);
        std::thread::Builder::new()
            .name("attacker".to_owned())
            .spawn(move || {
                let mut closes = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let Ok(mut socket) = TestClient::connect(addr, "/block", None, DEADLINE) else {
                        continue;
                    };
                    // The server may close while frames are still on their way: then the write
                    // fails, or the read finds the connection reset before the close frame.
                    let _ = send_views(&mut socket, addr, "/block", 1..=106);
                    match socket.wait_for(|_| false) {
                        Err(TestError::Closed { reason, .. }) => closes.push(reason),
                        Err(TestError::WebSocket(_)) => {}
                        other => panic!("expected the server to close the socket, got {other:?}"),
                    }
                }
                closes
            })
            .expect("the attacker thread starts")
    };
    eventually("the attacker holds its share of the pool", || {
        tripped(&server, Limit::RuntimeShare) > 0
    });
    for _ in 0..3 {
        visit_and_click(&server);
    }
    stop.store(true, Ordering::Relaxed);
    let closes = attacker.join().expect("the attacker thread");
    assert!(
        closes
            .iter()
            .all(|reason| reason == "1008 limit reached" || reason == "connection closed"),
        "{closes:?}"
    );
    assert!(tripped(&server, Limit::WindowsPerSocket) >= 1);
}

#[test]
fn a_socket_over_max_windows_per_socket_is_closed_and_another_goes_on() {
    let server = app(|settings| settings.max_windows_per_socket = 3);
    let mut greedy = server.open("/clicks").expect("opens");
    send_views(&mut greedy, server.addr(), "/clicks", 2..=3).expect("sent");
    let mut other = server.open("/clicks").expect("another visitor");
    assert_eq!(
        tripped(&server, Limit::WindowsPerSocket),
        0,
        "three windows are allowed"
    );
    send_views(&mut greedy, server.addr(), "/clicks", 4..=4).expect("sent");
    assert_eq!(close_reason(&mut greedy), "1008 limit reached");
    assert_eq!(tripped(&server, Limit::WindowsPerSocket), 1);
    other.click("#plus").expect("the other visitor clicks");
    other
        .wait_for_node_text("#count", "1")
        .expect("and is answered");
}

#[test]
fn a_socket_over_max_view_requests_per_second_is_closed_and_another_goes_on() {
    // Two a second, four at once.
    let server = app(|settings| settings.max_view_requests_per_second = 2);
    let mut other = server.open("/clicks").expect("another visitor");
    let mut greedy = server.open("/clicks").expect("opens");
    // The same window, again and again: no window limit, only the rate.
    let mut frames = ClientState::new();
    let url = server.url("/clicks");
    let close = loop {
        if greedy.send_raw(&frames.view(WindowId(1), &url)).is_err() {
            break close_reason(&mut greedy);
        }
        if let Err(TestError::Closed { reason, .. }) = greedy.ping() {
            break reason;
        }
    };
    assert_eq!(close, "1008 rate limit exceeded");
    assert_eq!(tripped(&server, Limit::ViewRate), 1);
    other.click("#plus").expect("the other visitor clicks");
    other
        .wait_for_node_text("#count", "1")
        .expect("and is answered");
}

#[test]
fn a_socket_over_max_events_per_second_is_closed_and_an_honest_one_is_not() {
    // Five a second, ten at once.
    let server = app(|settings| settings.max_events_per_second = 5);
    let mut honest = server.open("/clicks").expect("an honest visitor");
    for n in 1..=5 {
        honest.click("#plus").expect("an honest click");
        honest
            .wait_for_node_text("#count", &n.to_string())
            .expect("answered");
    }
    let mut greedy = server.open("/clicks").expect("opens");
    let close = loop {
        match greedy.click("#plus") {
            Ok(()) => {}
            Err(TestError::Closed { reason, .. }) => break reason,
            Err(error) => panic!("{error}"),
        }
    };
    assert_eq!(close, "1008 rate limit exceeded");
    assert_eq!(tripped(&server, Limit::EventRate), 1);
    honest.click("#plus").expect("the honest visitor clicks on");
    honest.wait_for_node_text("#count", "6").expect("answered");
}

#[test]
fn a_session_over_max_views_per_session_sees_the_429_page_and_another_session_does_not() {
    let server = app(|settings| settings.max_views_per_session = 2);
    let first = server.open("/clicks").expect("first tab");
    let _second = first.open_tab("/clicks").expect("second tab");
    let mut third = first.open_tab("/clicks").expect("third tab");
    third.wait_for_text("429").expect("the third tab shows 429");
    assert!(third.query("#plus").is_none());
    assert_eq!(tripped(&server, Limit::ViewsPerSession), 1);
    let mut other = server.open("/clicks").expect("another session");
    other.click("#plus").expect("clicks");
    other.wait_for_node_text("#count", "1").expect("answered");
}

#[test]
fn one_address_over_max_views_per_ip_sees_the_429_page() {
    let server = app(|settings| settings.max_views_per_ip = 2);
    let _a = server.open("/clicks").expect("a");
    let _b = server.open("/clicks").expect("b");
    // A third session from the same address (every test client is 127.0.0.1).
    let mut c = server.open("/clicks").expect("c");
    c.wait_for_text("429").expect("the third session shows 429");
    assert_eq!(tripped(&server, Limit::ViewsPerIp), 1);
    drop(_a);
    // Once a view is gone, the address has room again.
    eventually("a's view is gone", || server.server().views().len() <= 2);
    let mut d = server.open("/clicks").expect("d");
    d.wait_for_selector("#plus").expect("room again");
}

/// A WebSocket without a session cookie, as a script opens it: it shows `path` in window 1
/// and returns once the view started.
fn cookieless(addr: SocketAddr, path: &str) -> WebSocket<TcpStream> {
    let stream = TcpStream::connect(addr).expect("connects");
    stream.set_read_timeout(Some(DEADLINE)).expect("timeout");
    let mut request = format!("ws://{addr}{path}")
        .into_client_request()
        .expect("a request");
    let origin = HeaderValue::from_str(&format!("http://{addr}")).expect("an origin");
    request.headers_mut().insert("Origin", origin);
    let (mut socket, _) = tungstenite::client::client(request, stream).expect("a WebSocket");
    let mut state = ClientState::new();
    let view = state.view(WindowId(1), &format!("http://{addr}{path}"));
    socket.send(Message::text(view)).expect("VIEW");
    while !state.window(WindowId(1)).is_some_and(|w| w.view_started()) {
        if let Message::Text(text) = socket.read().expect("a frame") {
            state.receive(text.as_str()).expect("a valid frame");
        }
    }
    socket
}

fn daemons(server: &TestServer, path: &str) -> usize {
    server
        .server()
        .views()
        .iter()
        .filter(|v| v.path == path && v.daemon && !v.stopped)
        .count()
}

#[test]
fn daemons_of_cookieless_sockets_expire_and_a_reattached_one_is_kept() {
    let server = app(|settings| settings.daemon_idle_timeout = Duration::from_secs(1));
    // Kept: a session that comes back to its daemon within the time, and stays.
    let first = server.open("/daemon/kept").expect("opens");
    let session = first.session();
    let daemon = first.window().runtime();
    first.close();
    let mut back = server
        .open_with_session("/daemon/kept", &session)
        .expect("comes back");
    back.wait_for_selector("#daemon")
        .expect("the daemon shows again");
    assert_eq!(back.window().runtime(), daemon, "the same daemon");

    // Gone: cookie-less sockets leave daemons nobody can re-attach.
    for _ in 0..20 {
        let mut socket = cookieless(server.addr(), "/daemon/gone");
        socket.close(None).expect("closes");
        let _ = socket.read();
    }
    eventually("the cookie-less sockets' daemons expire", || {
        daemons(&server, "/daemon/gone") == 0
    });
    assert_eq!(tripped(&server, Limit::DaemonIdle), 20);
    assert_eq!(
        daemons(&server, "/daemon/kept"),
        1,
        "the re-attached daemon is kept"
    );
    back.close();
    eventually("left again, it expires too", || {
        daemons(&server, "/daemon/kept") == 0
    });
}

#[test]
fn a_session_holds_at_most_max_daemons_per_session() {
    let server = app(|settings| settings.max_daemons_per_session = 2);
    let first = server.open("/daemon/1").expect("1");
    let session = first.session();
    first.close();
    eventually("daemon 1 is detached", || {
        server
            .server()
            .views()
            .iter()
            .any(|v| v.path == "/daemon/1" && v.windows == 0)
    });
    let mut second = server.open_with_session("/daemon/2", &session).expect("2");
    second
        .wait_for_selector("#daemon")
        .expect("daemon 2 is a daemon");
    second.close();
    eventually("daemon 2 is detached", || {
        server
            .server()
            .views()
            .iter()
            .any(|v| v.path == "/daemon/2" && v.windows == 0)
    });
    let mut third = server.open_with_session("/daemon/3", &session).expect("3");
    third
        .wait_for_selector("#daemon")
        .expect("daemon 3 is a daemon");
    // The longest-detached one made room.
    eventually("daemon 1 is stopped", || daemons(&server, "/daemon/1") == 0);
    assert_eq!(daemons(&server, "/daemon/2"), 1);
    assert_eq!(daemons(&server, "/daemon/3"), 1);
    assert_eq!(tripped(&server, Limit::DaemonsPerSession), 1);
    // Another session has its own allowance.
    let mut other = server.open("/daemon/1").expect("another session");
    other
        .wait_for_selector("#daemon")
        .expect("the other session's daemon shows");
    assert_eq!(daemons(&server, "/daemon/1"), 1);
}

#[test]
fn a_visitor_walking_broadcast_urls_cannot_grow_the_instances_past_max_broadcast_views() {
    let server = app(|settings| settings.max_broadcast_views = 2);
    // A hostile visitor walks /doc/1, /doc/2, ... in one window: each URL it leaves is
    // unwatched, and makes room for the next.
    let mut walker = server.open("/doc/1").expect("the first document");
    for n in 2..=20 {
        walker
            .navigate(&format!("/doc/{n}"))
            .expect("the next document");
        walker.wait_for_selector("#plus").expect("it shows");
        assert!(server.metrics().broadcast.instances <= 2);
    }
    assert!(tripped(&server, Limit::BroadcastViews) >= 18);
    // Two watched documents: a third URL is refused with the 429 page, the watched ones go on.
    let mut reader = server.open("/doc/1").expect("a reader of doc 1");
    let mut late = server.open("/doc/99").expect("the page opens");
    late.wait_for_text("429")
        .expect("a third document is refused");
    reader.click("#plus").expect("clicks");
    reader
        .wait_for_node_text("#count", "1")
        .expect("doc 1 still answers");
    walker.click("#plus").expect("clicks");
    walker
        .wait_for_node_text("#count", "1")
        .expect("doc 20 still answers");
}
