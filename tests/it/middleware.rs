//! Middlewares see every stage Lona gives them: startup and shutdown, HTTP requests,
//! connections, custom WebSocket messages, view requests, and the stop and cleanup of views;
//! each hook may pass, answer or refuse, and the first one that does not pass decides.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use std::time::Duration;

use lona::prelude::*;
use lona::server::{BoxError, ConnectionInfo, Decision, HttpRequestInfo, Middleware, ServerError};
use lona_test::TestServer;

const WAIT: Duration = Duration::from_secs(10);

struct Hello;

impl View for Hello {
    fn handle_request(&self, _cx: &Context, request: &Request) -> ViewResult {
        Ok(Response::Node(
            tags::h1().with_text(format!("Hello from {}", request.path)),
        ))
    }
}

/// Answers `/health` itself, refuses `/admin...` and page loads that carry `x-blocked`,
/// echoes custom socket messages and redirects `/old` views to `/new`.
#[derive(Default)]
struct Gatekeeper {
    events: Option<crossbeam_channel::Sender<String>>,
}

impl Gatekeeper {
    fn log(&self, event: String) {
        if let Some(events) = &self.events {
            let _ = events.send(event);
        }
    }
}

impl Middleware for Gatekeeper {
    fn handle_http_request(&self, request: &HttpRequestInfo<'_>) -> Decision<HttpResponse> {
        match request.path {
            "/health" => Decision::Answer(HttpResponse::text("ok")),
            path if path.starts_with("/admin") => Decision::Forbid,
            _ => Decision::Pass,
        }
    }

    fn handle_connection(&self, connection: &ConnectionInfo<'_>) -> Decision<()> {
        if connection
            .headers
            .iter()
            .any(|(name, _)| *name == "x-blocked")
        {
            Decision::Forbid
        } else {
            Decision::Pass
        }
    }

    fn handle_websocket_message(&self, _session: &str, message: &str) -> Decision<String> {
        match message.strip_prefix("echo:") {
            Some(rest) => Decision::Answer(format!("echoed:{rest}")),
            None => Decision::Pass,
        }
    }

    fn handle_view_request(&self, request: &mut Request) -> Decision<Response> {
        match request.path.as_str() {
            "/old" => Decision::Answer(Response::Redirect("/new".to_owned())),
            "/maintenance" | "/page/maintenance" => Decision::Answer(Response::Node(
                tags::p()
                    .with_id("maintenance")
                    .with_text("Back in five minutes"),
            )),
            "/secret" | "/page/secret" => Decision::Forbid,
            _ => Decision::Pass,
        }
    }

    fn on_view_stop(&self, request: &Request, reason: Option<&StopReason>) {
        self.log(format!("stop {} {}", request.path, reason.is_some()));
    }

    fn on_view_cleanup(&self, request: &Request) {
        self.log(format!("cleanup {}", request.path));
    }
}

fn app_with(gatekeeper: Gatekeeper) -> App {
    let mut app = App::new();
    app.middleware(gatekeeper);
    app.view(lona::server::MATCH_ALL, |_| Hello);
    app
}

#[test]
fn an_http_hook_answers_or_refuses_before_routing() {
    let server = TestServer::start(app_with(Gatekeeper::default()));
    let health = server.get("/health").expect("GET /health");
    assert_eq!((health.status, health.body.as_str()), (200, "ok"));

    let admin = server.get("/admin/users").expect("GET /admin/users");
    assert_eq!(admin.status, 403, "{}", admin.body);
    assert!(admin.body.contains("403"), "{}", admin.body);

    let page = server.get("/anything").expect("GET /anything");
    assert_eq!(page.status, 200, "{}", page.body);
}

#[test]
fn a_connection_hook_refuses_page_loads_and_sockets() {
    let server = TestServer::start(app_with(Gatekeeper::default()));
    let refused = server
        .request("GET", "/", &[("x-blocked", "1")], b"")
        .expect("GET / with x-blocked");
    assert_eq!(refused.status, 403, "{}", refused.body);

    let upgrade = server
        .request(
            "GET",
            "/",
            &[
                ("x-blocked", "1"),
                ("upgrade", "websocket"),
                ("sec-websocket-version", "13"),
                ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
            ],
            b"",
        )
        .expect("upgrade with x-blocked");
    assert_eq!(
        upgrade.status, 403,
        "the socket is not opened: {}",
        upgrade.body
    );
}

#[test]
fn custom_socket_messages_reach_the_middleware_and_its_answer_comes_back() {
    let server = TestServer::start(app_with(Gatekeeper::default()));
    let mut client = server.open("/").expect("opens /");
    client
        .wait_for_text("Hello from /")
        .expect("the view renders");

    client
        .send_raw("echo:hi there")
        .expect("sends a custom message");
    let answers = client.wait_for_custom_messages().expect("an answer");
    assert_eq!(answers, ["echoed:hi there"]);

    // A message no middleware wants is dropped; the socket stays usable.
    client.send_raw("unknown").expect("sends");
    client.ping().expect("the socket still answers");
    assert!(client.state().custom_messages().is_empty());
}

#[test]
fn a_view_hook_redirects_or_refuses_a_view() {
    let server = TestServer::start(app_with(Gatekeeper::default()));
    let mut client = server.open("/secret").expect("opens /secret");
    client
        .wait_for_text("403")
        .expect("the forbidden page is shown in the window");
    assert!(
        !client.window().text().contains("Hello"),
        "{}",
        client.html()
    );

    client.navigate("/old").expect("navigates to /old");
    client
        .wait_for(|window| window.redirects().iter().any(|url| url == "/new"))
        .expect("a REDIRECT to /new");
    client.follow_redirect().expect("follows it");
    client
        .wait_for_text("Hello from /new")
        .expect("the new view renders");
}

#[test]
fn a_view_hook_answers_in_place_of_a_view_interactive_or_not() {
    let mut app = App::new();
    app.middleware(Gatekeeper::default());
    app.view("/page/<what>", |_| Hello).interactive(false);
    app.view(lona::server::MATCH_ALL, |_| Hello);
    let server = TestServer::start(app);

    let mut client = server.open("/maintenance").expect("opens /maintenance");
    client
        .wait_for_node_text("#maintenance", "Back in five minutes")
        .expect("the hook's tree is shown in the window");
    assert!(
        !client.window().text().contains("Hello"),
        "{}",
        client.html()
    );

    let page = server
        .get("/page/maintenance")
        .expect("GET /page/maintenance");
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("<p id=\"maintenance\">Back in five minutes</p>"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("Hello"), "{}", page.body);
    assert_eq!(server.get("/page/secret").expect("GET").status, 403);
    let hello = server.get("/page/hello").expect("GET /page/hello");
    assert!(
        hello.body.contains("Hello from /page/hello"),
        "{}",
        hello.body
    );
}

#[test]
fn view_stop_and_cleanup_hooks_run_for_each_view() {
    let (events, received) = crossbeam_channel::unbounded();
    let server = TestServer::start(app_with(Gatekeeper {
        events: Some(events),
    }));
    let client = server.open("/page").expect("opens /page");
    assert_eq!(
        received.recv_timeout(WAIT).expect("the stop hook runs"),
        "stop /page false",
        "handle_request returned without error",
    );
    client.close();
    assert_eq!(
        received.recv_timeout(WAIT).expect("the cleanup hook runs"),
        "cleanup /page"
    );
}

/// Counts startup and shutdown, and fails to start when asked to.
struct Lifecycle {
    started: Arc<AtomicUsize>,
    stopped: Arc<AtomicUsize>,
    fail: bool,
}

impl Middleware for Lifecycle {
    fn on_startup(&self) -> Result<(), BoxError> {
        self.started.fetch_add(1, Ordering::SeqCst);
        if self.fail {
            return Err("the database does not answer".into());
        }
        Ok(())
    }

    fn on_shutdown(&self) {
        self.stopped.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn startup_runs_before_serving_and_shutdown_after() {
    let started = Arc::new(AtomicUsize::new(0));
    let stopped = Arc::new(AtomicUsize::new(0));
    let mut app = App::new();
    app.middleware(Lifecycle {
        started: Arc::clone(&started),
        stopped: Arc::clone(&stopped),
        fail: false,
    });
    app.view("/", |_| Hello);
    let server = TestServer::start(app);
    assert_eq!(started.load(Ordering::SeqCst), 1);
    assert_eq!(stopped.load(Ordering::SeqCst), 0);
    server.shutdown();
    assert_eq!(stopped.load(Ordering::SeqCst), 1);
}

#[test]
fn a_failing_startup_hook_keeps_the_server_from_starting() {
    let mut app = App::new();
    let stopped = Arc::new(AtomicUsize::new(0));
    app.middleware(Lifecycle {
        started: Arc::new(AtomicUsize::new(0)),
        stopped: Arc::clone(&stopped),
        fail: true,
    });
    app.view("/", |_| Hello);
    let error = TestServer::try_start(app).expect_err("the server must not start");
    assert!(matches!(error, ServerError::Startup(_)), "{error}");
    assert!(
        error.to_string().contains("the database does not answer"),
        "{error}"
    );
    assert_eq!(stopped.load(Ordering::SeqCst), 0);
}

#[test]
fn two_routes_with_one_name_are_a_startup_error() {
    let mut app = App::new();
    app.view("/a", |_| Hello).name("page");
    app.view("/b", |_| Hello).name("page");
    let error = TestServer::try_start(app).expect_err("the server must not start");
    assert!(matches!(error, ServerError::Route(_)), "{error}");
    assert!(error.to_string().contains("page"), "{error}");
}

#[test]
fn the_first_middleware_that_decides_wins() {
    struct Answers(&'static str);
    impl Middleware for Answers {
        fn handle_http_request(&self, request: &HttpRequestInfo<'_>) -> Decision<HttpResponse> {
            if request.path == "/who" {
                Decision::Answer(HttpResponse::text(self.0))
            } else {
                Decision::Pass
            }
        }
    }
    let mut app = App::new();
    app.middleware(Gatekeeper::default());
    app.middleware(Answers("first"));
    app.middleware(Answers("second"));
    app.view("/", |_| Hello);
    let server = TestServer::start(app);
    assert_eq!(server.get("/who").expect("GET /who").body, "first");
    assert_eq!(server.get("/health").expect("GET /health").body, "ok");
}
