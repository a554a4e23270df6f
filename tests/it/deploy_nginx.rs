//! The deployment of docs/deployment.md, run for real: Redis, two lona servers sharing channels
//! through it, `collect-static` output, and nginx in front with the site file of
//! docs/deployment/nginx.conf rendered with the test's ports and folders, so docs and test
//! cannot drift apart. Through the same site, a cut between the browser and nginx resumes
//! the window's view on the server that runs it (the acknowledged stream).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use lona_test::{FaultProxy, Session, TestClient, TestError, TestServer};
use parking_lot::Mutex;

use crate::deployed::{
    TIMEOUT, TwoProcesses, get, issued_session, kill_under, process_of, shell, start_two_processes,
};
use crate::nginx::{free_port, nginx_binary, run_nginx};
use crate::resume::{Counts, eventually, server_html, ticker_app};
use test_support::TempDir;

const SITE: &str = include_str!("../../docs/deployment/nginx.conf");

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

#[test]
fn two_processes_behind_nginx_stick_share_channels_and_survive_one_being_killed() {
    let Some(binary) = nginx_binary() else {
        return;
    };
    let Some(TwoProcesses {
        _redis,
        _files,
        collected,
        hashed_css,
        mut a,
        mut b,
    }) = start_two_processes("deploy")
    else {
        return;
    };
    let prefix = TempDir::new("deploy-nginx");
    let port = free_port();
    let site = render_site([a.local_addr(), b.local_addr()], port, collected.path());
    let _nginx = run_nginx(&binary, prefix.path(), port, &site);
    let nginx = SocketAddr::from(([127, 0, 0, 1], port));

    // Static files: nginx serves them from the collected folder (lona does not serve them),
    // hashed names with a long cache.
    let (status, head, body) = get(nginx, &format!("/static/{hashed_css}"), None);
    assert_eq!(status, 200, "{head}");
    assert_eq!(body, b"body { margin: 0; }");
    assert!(head.contains("immutable"), "{head}");
    let (status, head, _) = get(nginx, "/static/app.css", None);
    assert_eq!(status, 200, "{head}");
    assert!(!head.contains("immutable"), "{head}");
    let (status, _, _) = get(a.local_addr(), &format!("/static/{hashed_css}"), None);
    assert_ne!(status, 200, "lona served a static file itself");

    // New sessions until one lands on each process (nginx hashes the cookie).
    let mut on = std::collections::BTreeMap::new();
    for _ in 0..200u32 {
        let cookie = issued_session(nginx, None);
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

    // Process A's admin shell lists the views of ada's two tabs, and only those.
    let views = shell(&a, "views");
    let views = views.as_array().expect("a list of views");
    assert_eq!(views.len(), 2, "{views:?}");
    assert!(views.iter().all(|v| v["path"] == "/"), "{views:?}");

    // Process A is killed (SIGKILL: no goodbye on any socket). Its tabs see their socket
    // close through nginx instead of hanging, and the session reconnects through nginx to a
    // fresh view on process B, where channels still work.
    kill_under(&mut a, &mut ada);
    let mut ada = open(cookie_a);
    assert_eq!(process_of(&mut ada), "process-b");
    assert!(
        ada.text("#lines").unwrap_or_default().is_empty(),
        "the view is a fresh one"
    );
    assert_eq!(whoami(nginx, cookie_a), "process-b");
    assert_eq!(whoami(nginx, cookie_b), "process-b");
    ada.click("#send").expect("ada publishes from process b");
    bob.wait_for_node_text("#lines", "from process-a;from process-b;from process-b;")
        .expect("bob's view on the survivor still gets messages");
    assert_eq!(shell(&b, "views").as_array().map(Vec::len), Some(2));

    // Process B is stopped as systemd stops it (SIGTERM): its tabs get "going away" (1001)
    // through nginx, it exits with status 0, and it removes its shell socket.
    let status = b.terminate();
    assert!(status.success(), "{status}");
    match bob.wait_for_text("never shown") {
        Err(TestError::Closed { reason, .. }) => {
            assert!(reason.starts_with("1001"), "closed with {reason}");
        }
        other => panic!("bob's socket should close with going away: {other:?}"),
    }
    assert!(!b.shell.exists(), "the shell socket is left behind");
}

#[test]
fn a_cut_between_the_browser_and_nginx_resumes_the_view_on_its_own_server() {
    let Some(binary) = nginx_binary() else {
        return;
    };
    let (numbers, receiver) = crossbeam_channel::unbounded();
    let counts = Arc::new(Counts::default());
    let shown = Arc::new(Mutex::new(None));
    // Two servers behind the docs' site, sharing the session key as the docs' processes do:
    // either takes the other's sessions, so only nginx's hash keeps a session on one.
    let secret = format!("resume-{}-test-secret-0123456789abcdef", std::process::id());
    let start = || {
        let mut app = ticker_app(&receiver, &counts, &shown);
        app.settings.session_secret = Some(secret.clone());
        // The tab's first GET has no cookie yet, so nginx's session hash may send it to the
        // other process than its socket: that process's painted ticker would then wait for
        // its window and take numbers from the shared channel (docs/deployment.md says why a
        // first visit may be painted twice behind a session hash). This test is about resume.
        app.settings.first_paint = false;
        TestServer::start(app)
    };
    let servers = [start(), start()];
    let collected = TempDir::new("resume-nginx-static");
    let prefix = TempDir::new("resume-nginx");
    let port = free_port();
    let site = render_site(
        [servers[0].addr(), servers[1].addr()],
        port,
        collected.path(),
    );
    let _nginx = run_nginx(&binary, prefix.path(), port, &site);
    let nginx = SocketAddr::from(([127, 0, 0, 1], port));
    // The network between the browser and nginx.
    let proxy = FaultProxy::start(nginx).expect("the proxy starts");

    let mut tab = TestClient::connect_acked(proxy.addr(), "/ticker", None, TIMEOUT)
        .expect("the ticker opens through nginx");
    numbers.send(7).expect("the view listens");
    tab.wait_for_node_text("#n", "7").expect("7 shown");
    let owner = servers
        .iter()
        .position(|s| s.metrics().views == 1)
        .expect("one server runs the view");
    let (own, other) = (&servers[owner], &servers[1 - owner]);
    assert_eq!(other.metrics().views, 0);
    let view = tab.window().runtime().expect("a view");

    proxy.cut_now();
    eventually("nginx closed the view's socket upstream", || {
        own.metrics().resume.detached_windows == 1
    });
    // The view runs on while the browser is away.
    numbers.send(8).expect("still running");
    eventually("the view showed 8", || server_html(&shown).contains(">8<"));

    assert_eq!(
        tab.reconnect().expect("reconnects through nginx"),
        None,
        "resumed"
    );
    assert_eq!(
        tab.text("#n").as_deref(),
        Some("8"),
        "the update made while cut off"
    );
    assert_eq!(tab.window().runtime(), Some(view), "the same view");
    assert_eq!(
        tab.html(),
        server_html(&shown),
        "the DOM is the server's tree"
    );
    assert_eq!(
        counts.started.load(Ordering::SeqCst),
        1,
        "handle_request ran once"
    );
    let resume = own.metrics().resume;
    assert_eq!(
        (resume.replayed, resume.failed, resume.detached_windows),
        (1, 0, 0)
    );
    assert!(resume.replayed_bytes > 0, "{resume:?}");
    assert_eq!(
        other.metrics().resume.failed,
        0,
        "no RESUME reached the other server"
    );
    assert_eq!(other.metrics().views, 0);
    numbers.send(9).expect("running");
    tab.wait_for_node_text("#n", "9")
        .expect("9 shown after the resume");
}
