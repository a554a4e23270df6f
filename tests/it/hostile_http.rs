//! Hostile clients at the connection layer, on real sockets: slow heads (slowloris), idle
//! keep-alives, stalled bodies, silent WebSockets and peers that never answer pings are closed;
//! the connection caps answer 503; protocol errors get their close codes; unknown Hosts,
//! foreign Origins and odd methods are refused; and a clean client clicks on through all of it.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use lona::metrics::Limit;
use lona::prelude::*;
use lona_test::TestServer;

use examples::click_handler::Counter;

/// How long a test waits for something that should happen within a short timeout.
const DEADLINE: Duration = Duration::from_secs(5);

fn app() -> App {
    let mut app = App::new();
    app.view("/", |_| Counter);
    app.http("/plain", |_| HttpResponse::text("plain"));
    app.http("/echo", |request| {
        HttpResponse::text(String::from_utf8_lossy(request.body()).into_owned())
    });
    app
}

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("the server accepts");
    stream
        .set_read_timeout(Some(DEADLINE))
        .expect("a read timeout");
    stream
}

/// Reads until the server closes the connection; `Err` with what was read if it did not
/// within [`DEADLINE`].
fn read_until_closed(stream: &mut TcpStream) -> Result<String, String> {
    let started = Instant::now();
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return Ok(String::from_utf8_lossy(&raw).into_owned()),
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            Err(error) if error.kind() == ErrorKind::ConnectionReset => {
                return Ok(String::from_utf8_lossy(&raw).into_owned());
            }
            Err(error) if error.kind() == ErrorKind::Interrupted => {}
            Err(error) => {
                return Err(format!(
                    "not closed ({error}) after {:?}: {:?}",
                    started.elapsed(),
                    String::from_utf8_lossy(&raw)
                ));
            }
        }
    }
}

/// Clicks `#plus` and waits for the count to reach `n`.
fn click_to(client: &mut lona_test::TestClient, n: u64) {
    client.click("#plus").expect("a click");
    client
        .wait_for_node_text("#count", &n.to_string())
        .expect("the click's patch arrives");
}

/// Polls `tripped` until it is at least 1.
fn wait_for_trip(server: &TestServer, limit: Limit) {
    let started = Instant::now();
    while server.metrics().limits_tripped.get(limit) == 0 {
        assert!(
            started.elapsed() < DEADLINE,
            "{} never tripped",
            limit.name()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_slowloris_head_is_closed_while_a_clean_client_clicks_on() {
    let mut app = app();
    app.settings.header_read_timeout = Duration::from_millis(300);
    let server = TestServer::start(app);
    let mut clean = server.open("/").expect("the page opens");
    let mut slow = connect(server.addr());
    slow.write_all(b"GET / HTTP/1.1\r\nHo")
        .expect("the first bytes go out");
    click_to(&mut clean, 1);
    // One more header byte now and then, slower than the timeout allows for the whole head.
    let _ = slow.write_all(b"s");
    let closed = read_until_closed(&mut slow);
    assert!(closed.is_ok(), "the slow head stays open: {closed:?}");
    wait_for_trip(&server, Limit::HeaderTimeout);
    click_to(&mut clean, 2);
}

#[test]
fn an_idle_keep_alive_connection_is_closed() {
    let mut app = app();
    app.settings.keep_alive_timeout = Duration::from_millis(300);
    app.settings.header_read_timeout = Duration::from_secs(30);
    let server = TestServer::start(app);
    let mut idle = connect(server.addr());
    let request = format!("GET /plain HTTP/1.1\r\nHost: {}\r\n\r\n", server.addr());
    idle.write_all(request.as_bytes()).expect("the request");
    let answer = read_until_closed(&mut idle).expect("closed after the keep-alive timeout");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    wait_for_trip(&server, Limit::KeepAliveTimeout);
}

#[test]
fn a_stalled_body_gets_408_and_is_closed() {
    let mut app = app();
    app.settings.body_idle_timeout = Duration::from_millis(300);
    let server = TestServer::start(app);
    let mut stalled = connect(server.addr());
    let request = format!(
        "POST /echo HTTP/1.1\r\nHost: {}\r\nContent-Length: 100\r\n\r\n0123456789",
        server.addr()
    );
    stalled.write_all(request.as_bytes()).expect("the request");
    let answer = read_until_closed(&mut stalled).expect("closed after the body timeout");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    wait_for_trip(&server, Limit::BodyTimeout);
    // A body that arrives whole is still read.
    let echoed = server
        .request("POST", "/echo", &[], b"hello")
        .expect("the echo answers");
    assert_eq!(echoed.body, "hello");
}

/// A WebSocket opened by hand: the upgrade with `headers`, and the status line of the answer;
/// the stream is ready for frames when the status is 101.
pub(crate) fn websocket(addr: SocketAddr, headers: &[(&str, &str)]) -> (TcpStream, String) {
    let mut stream = connect(addr);
    let mut request = format!(
        "GET /ws HTTP/1.1\r\nHost: {addr}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).expect("the upgrade");
    // Byte by byte up to the end of the head, so that no frame is read with it.
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let status = head.lines().next().unwrap_or_default().to_owned();
    (stream, status)
}

/// One frame from the server (never masked): opcode and payload.
fn read_frame(stream: &mut TcpStream) -> std::io::Result<(u8, Vec<u8>)> {
    let mut head = [0u8; 2];
    stream.read_exact(&mut head)?;
    let mut len = u64::from(head[1] & 0x7f);
    if len == 126 {
        let mut ext = [0u8; 2];
        stream.read_exact(&mut ext)?;
        len = u64::from(u16::from_be_bytes(ext));
    } else if len == 127 {
        let mut ext = [0u8; 8];
        stream.read_exact(&mut ext)?;
        len = u64::from_be_bytes(ext);
    }
    let mut payload = vec![0u8; usize::try_from(len).unwrap_or(0)];
    stream.read_exact(&mut payload)?;
    Ok((head[0] & 0x0f, payload))
}

/// Reads frames until a close frame: its code and reason, and how many pings came before.
fn read_close(stream: &mut TcpStream) -> (u16, String, usize) {
    let mut pings = 0;
    loop {
        let (opcode, payload) = read_frame(stream).expect("a close frame before the deadline");
        match opcode {
            8 => {
                assert!(payload.len() >= 2, "a close frame without a code");
                let code = u16::from_be_bytes([payload[0], payload[1]]);
                let reason = String::from_utf8_lossy(&payload[2..]).into_owned();
                return (code, reason, pings);
            }
            9 => pings += 1,
            _ => {}
        }
    }
}

/// A client frame, masked (with a zero mask, which leaves the payload as it is) unless told.
fn client_frame(first: u8, payload: &[u8], masked: bool) -> Vec<u8> {
    let mut frame = vec![first];
    let len = u8::try_from(payload.len()).expect("a short payload");
    assert!(len < 126);
    if masked {
        frame.push(0x80 | len);
        frame.extend_from_slice(&[0, 0, 0, 0]);
    } else {
        frame.push(len);
    }
    frame.extend_from_slice(payload);
    frame
}

#[test]
fn a_websocket_that_asks_for_no_view_is_closed() {
    let mut app = app();
    app.settings.websocket_handshake_timeout = Duration::from_millis(300);
    let server = TestServer::start(app);
    let (mut socket, status) = websocket(server.addr(), &[]);
    assert!(status.contains("101"), "{status}");
    let (code, reason, _) = read_close(&mut socket);
    assert_eq!(code, 1008, "{reason}");
    wait_for_trip(&server, Limit::HandshakeTimeout);
    // A clean client is unaffected.
    let mut clean = server.open("/").expect("the page opens");
    click_to(&mut clean, 1);
}

#[test]
fn a_peer_that_never_answers_pings_is_closed() {
    let mut app = app();
    app.settings.websocket_ping_interval = Duration::from_millis(100);
    app.settings.websocket_liveness_timeout = Duration::from_millis(600);
    let server = TestServer::start(app);
    let (mut socket, status) = websocket(server.addr(), &[]);
    assert!(status.contains("101"), "{status}");
    let (code, reason, pings) = read_close(&mut socket);
    assert_eq!((code, reason.as_str()), (1001, "no answer to ping"));
    assert!(pings >= 1, "the server pinged before giving up");
    wait_for_trip(&server, Limit::Liveness);
    // A client that answers pings (as browsers do) stays connected past the timeout.
    let mut clean = server.open("/").expect("the page opens");
    let until = Instant::now() + Duration::from_millis(1200);
    let mut n = 0;
    while Instant::now() < until {
        n += 1;
        click_to(&mut clean, n);
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn websocket_protocol_errors_close_with_1002_and_1007() {
    let server = TestServer::start(app());
    let cases: [(&str, Vec<u8>, u16); 3] = [
        ("an unmasked frame", client_frame(0x81, b"hi", false), 1002),
        ("a reserved opcode", client_frame(0x83, b"hi", true), 1002),
        (
            "text that is not UTF-8",
            client_frame(0x81, &[0xff, 0xfe], true),
            1007,
        ),
    ];
    for (what, frame, expected) in cases {
        let (mut socket, status) = websocket(server.addr(), &[]);
        assert!(status.contains("101"), "{status}");
        socket.write_all(&frame).expect("the frame goes out");
        let (code, reason, _) = read_close(&mut socket);
        assert_eq!(code, expected, "{what}: {reason}");
    }
}

#[test]
fn the_origin_must_match_the_scheme_as_well_as_the_host() {
    let server = TestServer::start(app());
    let addr = server.addr();
    let same = format!("http://{addr}");
    let (_socket, status) = websocket(addr, &[("Origin", &same)]);
    assert!(status.contains("101"), "{status}");
    let other_scheme = format!("https://{addr}");
    let (_socket, status) = websocket(addr, &[("Origin", &other_scheme)]);
    assert!(status.contains("403"), "{status}");
}

/// The status of `GET path` sent with `Host: host` on a raw connection.
pub(crate) fn status_with_host(addr: SocketAddr, path: &str, host: &str) -> String {
    let mut stream = connect(addr);
    let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).expect("the request");
    let answer = read_until_closed(&mut stream).expect("an answer");
    answer.lines().next().unwrap_or_default().to_owned()
}

#[test]
fn an_unknown_host_gets_400_and_ip_addresses_and_localhost_pass() {
    let mut app = app();
    app.settings.allowed_hosts = vec!["app.test".to_owned(), ".example.org".to_owned()];
    let server = TestServer::start(app);
    let addr = server.addr();
    let port = addr.port();
    for host in [
        format!("127.0.0.1:{port}"),
        "127.0.0.1".to_owned(),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
        "app.test".to_owned(),
        "example.org".to_owned(),
        format!("www.Example.org:{port}"),
    ] {
        let status = status_with_host(addr, "/plain", &host);
        assert!(status.contains("200"), "{host}: {status}");
    }
    for host in ["evil.test", "app.test.evil.test", "notexample.org", "*"] {
        let status = status_with_host(addr, "/plain", host);
        assert!(status.contains("400"), "{host}: {status}");
    }
    wait_for_trip(&server, Limit::Host);
    // By default, only IP addresses and localhost.
    let server = TestServer::start(self::app());
    let status = status_with_host(server.addr(), "/", "rebound.attacker.test");
    assert!(status.contains("400"), "{status}");
    let status = status_with_host(server.addr(), "/", &format!("localhost:{port}"));
    assert!(status.contains("200"), "{status}");
}

#[test]
fn odd_methods_on_a_view_route_get_405() {
    let mut app = app();
    app.view("/page", |_| Counter).interactive(false);
    let server = TestServer::start(app);
    for path in ["/", "/page"] {
        for method in ["TRACE", "PROPFIND", "GETT", "DELETE"] {
            let answer = server.request(method, path, &[], b"").expect("an answer");
            assert_eq!(answer.status, 405, "{method} {path}");
            assert_eq!(answer.header("allow"), Some("GET, HEAD, POST"));
        }
        for method in ["GET", "POST"] {
            let answer = server.request(method, path, &[], b"").expect("an answer");
            assert_eq!(answer.status, 200, "{method} {path}");
        }
    }
    // `App::http` routes answer whatever method they like.
    let answer = server
        .request("DELETE", "/plain", &[], b"")
        .expect("an answer");
    assert_eq!(answer.status, 200);
}

/// The value of the sample line `name` (labels included) in an exposition.
fn sample(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|value| value.parse().ok())
}

#[test]
fn http_handler_panics_are_counted_on_the_worker_pool() {
    let mut app = app();
    app.settings.metrics_url_prefix = Some("/metrics".to_owned());
    app.http("/boom", |_| panic!("a sync handler panics"));
    app.http_async("/boom-async", |_| async {
        panic!("an async handler panics")
    });
    let server = TestServer::start(app);
    let panics = |server: &TestServer| {
        let text = server.get("/metrics").expect("the metrics page").body;
        sample(&text, "lona_pool_panics_total{pool=\"worker\"}").expect("the worker line")
    };
    // The pool counts a panic once the job has unwound, a moment after the 500 went out.
    let wait_for_panics = |n: f64| {
        let started = Instant::now();
        while panics(&server) < n {
            assert!(started.elapsed() < DEADLINE, "{n} panics never counted");
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(panics(&server), n);
    };
    assert_eq!(panics(&server), 0.0);
    assert_eq!(server.get("/boom").expect("an answer").status, 500);
    wait_for_panics(1.0);
    assert_eq!(server.get("/boom-async").expect("an answer").status, 500);
    wait_for_panics(2.0);
    assert_eq!(server.get("/plain").expect("an answer").status, 200);
}

/// Opens idle connections until a request on a new one gets 503 (the cap is reached);
/// returns that answer and the connections held.
fn fill_until_refused(addr: SocketAddr) -> (String, Vec<TcpStream>) {
    let mut held = Vec::new();
    for _ in 0..20 {
        held.push(connect(addr));
        let mut probe = connect(addr);
        let request = format!("GET /plain HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        let _ = probe.write_all(request.as_bytes());
        let answer = read_until_closed(&mut probe).expect("the probe is answered and closed");
        if answer.starts_with("HTTP/1.1 503") {
            return (answer, held);
        }
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
    panic!("no connection was refused");
}

#[test]
fn connections_beyond_the_cap_get_503_while_a_clean_client_clicks_on() {
    let mut app = app();
    app.settings.max_connections = 4;
    let server = TestServer::start(app);
    let mut clean = server.open("/").expect("the page opens");
    click_to(&mut clean, 1);
    let (answer, held) = fill_until_refused(server.addr());
    assert!(
        answer.to_ascii_lowercase().contains("connection: close"),
        "{answer}"
    );
    wait_for_trip(&server, Limit::Connections);
    click_to(&mut clean, 2);
    // Freed places are taken again.
    drop(held);
    let started = Instant::now();
    while server.get("/plain").ok().map(|a| a.status) != Some(200) {
        assert!(started.elapsed() < DEADLINE, "the server stays full");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn connections_beyond_the_cap_per_address_get_503() {
    let mut app = app();
    app.settings.max_connections_per_ip = 3;
    let server = TestServer::start(app);
    let (answer, _held) = fill_until_refused(server.addr());
    assert!(answer.contains("503"), "{answer}");
    wait_for_trip(&server, Limit::ConnectionsPerIp);
}

/// The accept loop when the process runs out of file descriptors: the `deployed-app` binary
/// under `prlimit --nofile=64`, flooded with connections it cannot all accept. It must back
/// off instead of spinning, log the failures a bounded number of times, and answer again once
/// the flood is gone.
#[test]
fn accept_failures_back_off_and_the_server_recovers_after_a_flood() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};

    let Some(prlimit) = test_support::installed(
        &["/usr/bin/prlimit", "/bin/prlimit"],
        "util-linux",
        "LONA_SKIP_PRLIMIT_TESTS",
    ) else {
        return;
    };
    let files = test_support::TempDir::new("accept-flood");
    files.write("src/app.css", "body { margin: 0; }");
    let log_path = files.path().join("stderr.log");
    let log = std::fs::File::create(&log_path).expect("a log file");
    let mut child = Command::new(prlimit)
        .arg("--nofile=64:64")
        .arg(env!("CARGO_BIN_EXE_deployed-app"))
        .args(["run-server", "--host", "127.0.0.1", "--port", "0"])
        // Held connections stay until the test lets go; the cap is lowered to fit 64 files.
        .env("LONA_HEADER_READ_TIMEOUT", "60")
        .env("LONA_METRICS_URL_PREFIX", "/metrics")
        .env("LONA_STATIC_DIRS", files.path().join("src"))
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log))
        .spawn()
        .expect("deployed-app starts under prlimit");
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut line = String::new();
    let _ = std::io::BufReader::new(stdout).read_line(&mut line);
    let addr: Option<SocketAddr> = line
        .strip_prefix("lona: serving on http://")
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|addr| addr.trim_end_matches('/').parse().ok());
    let Some(addr) = addr else {
        let _ = child.kill();
        panic!("deployed-app did not start: {line:?}");
    };
    let read_log = || std::fs::read_to_string(&log_path).unwrap_or_default();
    let failures = |log: &str| log.lines().filter(|l| l.contains("accept failed")).count();

    // The flood: connections that send nothing, more than the process has files for.
    let mut flood = Vec::new();
    // More than 64 files' worth, but fewer than the listen backlog holds besides, so that no
    // connect waits for a SYN to be retried.
    for _ in 0..120 {
        match TcpStream::connect_timeout(&addr, Duration::from_millis(500)) {
            Ok(stream) => flood.push(stream),
            Err(_) => break,
        }
    }
    let started = Instant::now();
    while failures(&read_log()) == 0 {
        assert!(
            started.elapsed() < DEADLINE,
            "accept never failed; log: {}",
            read_log()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    // Out of files for a while: a spinning loop would write thousands of lines by now.
    std::thread::sleep(Duration::from_millis(500));
    drop(flood);

    let started = Instant::now();
    let metrics = loop {
        if let Some(answer) = try_get(addr, "/metrics")
            && answer.starts_with("HTTP/1.1 200")
        {
            break answer;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the server does not answer after the flood"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let whoami = try_get(addr, "/whoami").expect("an answer");
    assert!(whoami.starts_with("HTTP/1.1 200"), "{whoami}");
    assert!(
        sample(&metrics, "lona_accept_errors_total").is_some_and(|n| n >= 1.0),
        "{metrics}"
    );
    test_support::terminate(&mut child);
    let log = read_log();
    assert!(
        failures(&log) <= 3,
        "{} accept-failure lines: {}",
        failures(&log),
        &log[..log.len().min(2000)]
    );
    assert!(log.contains("max_connections lowered"), "{log}");
}

/// `GET path` on a connection of its own: the whole answer, `None` if the connection fails.
fn try_get(addr: SocketAddr, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect_timeout(&addr, DEADLINE).ok()?;
    stream.set_read_timeout(Some(DEADLINE)).ok()?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).ok()?;
    read_until_closed(&mut stream).ok()
}

#[test]
fn a_trusted_proxy_is_not_held_to_the_cap_per_address() {
    let mut app = app();
    app.settings.max_connections_per_ip = 2;
    app.settings.trusted_proxies = vec!["127.0.0.1".to_owned()];
    let server = TestServer::start(app);
    let held: Vec<TcpStream> = (0..5).map(|_| connect(server.addr())).collect();
    let answer = try_get(server.addr(), "/plain").expect("an answer");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    drop(held);
}

#[test]
fn behind_a_proxy_that_says_https_the_origin_must_be_https() {
    let mut app = app();
    app.settings.trusted_proxies = vec!["127.0.0.1".to_owned()];
    let server = TestServer::start(app);
    let addr = server.addr();
    let https = format!("https://{addr}");
    let http = format!("http://{addr}");
    let proto = ("X-Forwarded-Proto", "https");
    let (_socket, status) = websocket(addr, &[("Origin", &https), proto]);
    assert!(status.contains("101"), "{status}");
    let (_socket, status) = websocket(addr, &[("Origin", &http), proto]);
    assert!(status.contains("403"), "{status}");
}
