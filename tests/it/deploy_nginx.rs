//! The deployment of docs/deployment.md, run for real: Redis, two lona servers sharing channels
//! through it, `collect-static` output, and nginx in front with the site file of
//! docs/deployment/nginx.conf rendered with the test's ports and folders, so docs and test
//! cannot drift apart.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use lona::prelude::*;
use lona::statics::StaticFile;
use lona_test::{Session, TestClient};

use crate::nginx::{SKIP_VAR, free_port, nginx_binary, run_nginx};
use crate::redis::Redis;
use crate::temp::Temp;

pub(crate) const TIMEOUT: Duration = Duration::from_secs(10);
const SITE: &str = include_str!("../../docs/deployment/nginx.conf");

/// Shows which process runs it, lists what arrives on `deploy.*`; `#send` publishes.
struct Whoami {
    process: &'static str,
}

impl View for Whoami {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let channels = cx.channels().ok_or(ViewError::NotFound)?;
        let lines = tags::ul().with_id("lines");
        let send = tags::button().with_id("send").with_text("Send");
        let root = tags::div()
            .with_child(tags::p().with_id("process").with_text(self.process))
            .with_child(&lines)
            .with_child(&send);
        cx.subscribe(&channels, "deploy.*", move |_view, message| {
            lines.append(tags::li().with_text(message.data.as_str().unwrap_or("?")));
        });
        let process = self.process;
        cx.on_click(&send, move |_cx, _event| {
            channels.publish("deploy.news", format!("from {process};"));
            Flow::Handled
        });
        Ok(Response::Node(root))
    }
}

/// One of the two processes, as the shared settings file configures it.
pub(crate) fn build_app(process: &'static str, redis: &Redis, statics: &Path) -> App {
    let mut app = App::new();
    app.settings.channel_broker_url = Some(redis.url());
    // nginx serves the collected files; a request for one that reaches lona is a bug.
    app.settings.static_files_serve = false;
    app.settings.static_dirs = vec![statics.to_path_buf()];
    app.static_file(StaticFile::css("app", "app.css"));
    app.view("/", move |_| Whoami { process });
    app.http("/whoami", move |_| HttpResponse::text(process));
    app
}

/// Redis and the two processes that share it, started as the docs deploy them, with the
/// static files collected (`my-app collect-static DEST --clean`) for the proxy to serve.
pub(crate) struct TwoProcesses {
    /// Kept running for the processes' channels.
    pub(crate) _redis: Redis,
    /// The app's static folder, which the processes were built with.
    pub(crate) _sources: Temp,
    pub(crate) collected: Temp,
    pub(crate) manifest: lona::statics::Manifest,
    pub(crate) a: lona::Server,
    pub(crate) b: lona::Server,
}

/// Starts [`TwoProcesses`], with temporary folders named after `name`; `None` if the Redis
/// tests are skipped.
pub(crate) fn start_two_processes(name: &str) -> Option<TwoProcesses> {
    let redis = Redis::start()?;
    let sources = Temp::new(&format!("{name}-src"));
    sources.write("app.css", "body { margin: 0; }");
    let collected = Temp::new(&format!("{name}-static"));
    let manifest = build_app("process-a", &redis, sources.path())
        .collect_static(collected.path(), true)
        .expect("collect-static works");
    let a = build_app("process-a", &redis, sources.path())
        .spawn("127.0.0.1:0")
        .expect("process a starts");
    let b = build_app("process-b", &redis, sources.path())
        .spawn("127.0.0.1:0")
        .expect("process b starts");
    Some(TwoProcesses {
        _redis: redis,
        _sources: sources,
        collected,
        manifest,
        a,
        b,
    })
}

/// docs/deployment/nginx.conf with the test's addresses and folders; every placeholder must
/// be there, or the docs changed shape and this test with them.
fn render_site(backends: [SocketAddr; 2], port: u16, collected: &Path) -> String {
    let replacements = [
        ("127.0.0.1:8101", backends[0].to_string()),
        ("127.0.0.1:8102", backends[1].to_string()),
        ("listen 80;", format!("listen 127.0.0.1:{port};")),
        ("/srv/my-app/static/", format!("{}/", collected.display())),
    ];
    let mut site = SITE.to_owned();
    for (from, to) in replacements {
        assert!(
            site.contains(from),
            "docs/deployment/nginx.conf lost `{from}`"
        );
        site = site.replace(from, &to);
    }
    site
}

/// A GET on its own connection: status, head (lower-cased), body.
pub(crate) fn get(addr: SocketAddr, path: &str, cookie: Option<&str>) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect_timeout(&addr, TIMEOUT).expect("connects");
    stream
        .set_read_timeout(Some(TIMEOUT))
        .expect("sets a timeout");
    let cookie = cookie
        .map(|c| format!("Cookie: {c}\r\n"))
        .unwrap_or_default();
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{cookie}Connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).expect("writes");
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .expect("reads the answer in time");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(raw.len(), |at| at + 4);
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head, raw[split..].to_vec())
}

/// Which process answers `/whoami` for this cookie through nginx.
fn whoami(nginx: SocketAddr, cookie: &str) -> String {
    let (status, _, body) = get(nginx, "/whoami", Some(cookie));
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let body = String::from_utf8_lossy(&body);
    ["process-a", "process-b"]
        .into_iter()
        .find(|p| body.contains(p))
        .unwrap_or_else(|| panic!("no process in {body}"))
        .to_owned()
}

pub(crate) fn process_of(client: &mut TestClient) -> String {
    client
        .wait_for_selector("#process")
        .expect("the view shows");
    client.text("#process").unwrap_or_default()
}

#[test]
fn two_processes_behind_nginx_stick_share_channels_and_survive_one_stopping() {
    let Some(binary) = nginx_binary() else {
        assert!(
            std::env::var(SKIP_VAR).is_ok_and(|v| v == "1"),
            "install nginx (apt-get install nginx), or set {SKIP_VAR}=1 to skip"
        );
        return;
    };
    let Some(TwoProcesses {
        _redis,
        _sources,
        collected,
        manifest,
        a,
        b,
    }) = start_two_processes("deploy")
    else {
        return;
    };
    let prefix = Temp::new("deploy-nginx");
    let port = free_port();
    let site = render_site([a.local_addr(), b.local_addr()], port, collected.path());
    let _nginx = run_nginx(&binary, prefix.path(), port, &site);
    let nginx = SocketAddr::from(([127, 0, 0, 1], port));

    // Static files: nginx serves them from the collected folder (lona does not serve them),
    // hashed names with a long cache.
    let hashed = manifest.hashed("app.css").expect("app.css is collected");
    let (status, head, body) = get(nginx, &format!("/static/{hashed}"), None);
    assert_eq!(status, 200, "{head}");
    assert_eq!(body, b"body { margin: 0; }");
    assert!(head.contains("immutable"), "{head}");
    let (status, head, _) = get(nginx, "/static/app.css", None);
    assert_eq!(status, 200, "{head}");
    assert!(!head.contains("immutable"), "{head}");
    let (status, _, _) = get(a.local_addr(), &format!("/static/{hashed}"), None);
    assert_ne!(status, 200, "lona served a static file itself");

    // Sessions chosen by cookie until one lands on each process.
    let mut on = std::collections::BTreeMap::new();
    for n in 0..200u32 {
        let cookie = format!("lona_session={n:032}");
        on.entry(whoami(nginx, &cookie)).or_insert(cookie);
        if on.len() == 2 {
            break;
        }
    }
    let (Some(cookie_a), Some(cookie_b)) = (on.get("process-a"), on.get("process-b")) else {
        panic!("200 sessions all landed on one process: {on:?}");
    };

    // A session sticks: its page loads and its WebSockets all reach one process.
    for _ in 0..5 {
        assert_eq!(whoami(nginx, cookie_a), "process-a");
        assert_eq!(whoami(nginx, cookie_b), "process-b");
    }
    let open = |cookie: &str| {
        TestClient::connect(nginx, "/", Some(&Session::from_cookie(cookie)), TIMEOUT)
            .expect("a tab opens through nginx")
    };
    let mut ada = open(cookie_a);
    let mut bob = open(cookie_b);
    assert_eq!(process_of(&mut ada), "process-a");
    assert_eq!(process_of(&mut bob), "process-b");
    let mut ada_again = ada.open_tab("/").expect("a second tab opens");
    assert_eq!(process_of(&mut ada_again), "process-a");
    assert_eq!(ada.session().cookie(), Some(cookie_a.as_str()));

    // A message published in process A reaches the view in process B through Redis.
    ada.wait_for_selector("#send").expect("ada's view");
    bob.wait_for_selector("#send").expect("bob's view");
    ada.click("#send").expect("ada publishes");
    bob.wait_for_node_text("#lines", "from process-a;")
        .expect("the message crosses to process b");
    bob.click("#send").expect("bob answers");
    ada.wait_for_node_text("#lines", "from process-a;from process-b;")
        .expect("the answer crosses back");

    // Process A stops: its tabs see their socket close (no hang), and the session reconnects
    // through nginx to a fresh view on process B.
    a.shutdown();
    let started = Instant::now();
    ada.wait_for_text("never shown")
        .expect_err("the view of a stopped process shows nothing more");
    assert!(started.elapsed() < TIMEOUT * 2, "the closed socket hung");
    let mut ada = open(cookie_a);
    assert_eq!(process_of(&mut ada), "process-b");
    assert!(
        ada.text("#lines").unwrap_or_default().is_empty(),
        "the view is a fresh one"
    );
    assert_eq!(whoami(nginx, cookie_a), "process-b");
    assert_eq!(whoami(nginx, cookie_b), "process-b");
    b.shutdown();
}
