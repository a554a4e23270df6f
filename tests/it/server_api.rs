//! What a view and the operator know of the running server (Lona's server API): every running
//! view with its route, session, user and state, so a view can tell that its session has it
//! open in another tab already, and the counts of sockets and sessions.

use lona::prelude::*;
use lona::server::{Decision, Middleware};
use std::future::IntoFuture as _;
use std::time::Duration;

use lona_test::TestServer;

/// Sets every view request's user from its session, as an authentication middleware sets the
/// logged-in user.
struct Login;

impl Middleware for Login {
    fn handle_view_request(&self, request: &mut Request) -> Decision<Response> {
        let user: String = request.session.0.chars().take(6).collect();
        request.user = Some(format!("user-{user}").into());
        Decision::Pass
    }
}

/// One editor per session: a second tab of the same session says where the first one is
/// instead of opening a second editor (Lona's `view_is_already_running`).
struct Editor;

impl View for Editor {
    fn handle_request(&self, cx: &Context, request: &Request) -> ViewResult {
        let elsewhere = cx.running_views().into_iter().find(|view| {
            view.id != cx.id()
                && view.route.as_deref() == Some("editor")
                && view.session == request.session
                && !view.stopped
        });
        let text = match elsewhere {
            Some(view) => format!("already open as view {}", view.id.0),
            None => "editing".to_owned(),
        };
        let button = tags::button().with_text("done");
        cx.show(
            &tags::div()
                .with_child(tags::p().with_id("status").with_text(text))
                .with_child(&button),
        )?;
        cx.await_click(&[&button])?;
        Ok(Response::Empty)
    }
}

#[test]
fn a_view_sees_the_running_views_and_the_server_counts_sockets_and_sessions() {
    let mut app = App::new();
    app.middleware(Login);
    app.view("/edit", |_| Editor).name("editor");
    let server = TestServer::start(app);

    let mut first = server.open("/edit").expect("the first tab opens");
    first
        .wait_for_node_text("#status", "editing")
        .expect("the first tab edits");
    let mut second = first.open_tab("/edit").expect("a second tab opens");
    let first_id = first.window().runtime().expect("the first view runs");
    second
        .wait_for_node_text("#status", &format!("already open as view {}", first_id.0))
        .expect("the second tab finds the first");
    let mut other = server.open("/edit").expect("another browser opens");
    other
        .wait_for_node_text("#status", "editing")
        .expect("another session edits");

    let views = server.server().views();
    assert_eq!(views.len(), 3, "{views:?}");
    let session = first.session().cookie().unwrap_or_default().to_owned();
    let ours = views
        .iter()
        // The cookie is `lona_session=ID.ISSUED.SIGNATURE`.
        .filter(|v| session.starts_with(&format!("lona_session={}.", v.session.0)))
        .count();
    assert_eq!(ours, 2, "two views of the first session");
    assert!(
        views.iter().all(|v| v
            .user
            .as_deref()
            .is_some_and(|u| u.starts_with("user-") && v.session.0.starts_with(&u[5..]))),
        "{views:?}"
    );
    assert_eq!(server.server().connection_counts(), (3, 2));
}

/// A counter whose stop and whose background task report to `events`.
fn reporting_counter(events: &crossbeam_channel::Sender<&'static str>) -> App {
    struct Counter {
        events: crossbeam_channel::Sender<&'static str>,
    }
    impl View for Counter {
        fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
            let count = tags::span().with_id("count").with(0);
            let plus = tags::button().with("+1");
            cx.on_click(&plus, {
                let count = count.clone();
                move |_cx, _event| {
                    let _lock = count.lock();
                    let n: u64 = count.text_content().parse().unwrap_or(0);
                    count.set_content(n + 1);
                }
            });
            // The view runs until it is stopped, as a page the user keeps open.
            let never = tags::button().with("never clicked");
            cx.show(&tags::div().with((&count, &plus, &never)))?;
            cx.await_click(&[&never])?;
            Ok(Response::Empty)
        }

        fn on_stop(&self, _reason: Option<&StopReason>) {
            let _ = self.events.send("view stopped");
        }
    }
    let mut app = App::new();
    let view_events = events.clone();
    app.view("/", move |_| Counter {
        events: view_events.clone(),
    });
    let task_events = events.clone();
    app.async_task("ticker", move |task| async move {
        task.cancelled().await;
        let _ = task_events.send("task joined");
    });
    app
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_runs_on_the_callers_runtime_until_its_shutdown_signal() {
    let (events, log) = crossbeam_channel::unbounded();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("the test binds its own listener");
    let addr = listener.local_addr().expect("its address");
    let (trigger, signal) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(
        reporting_counter(&events)
            .serve(listener)
            .with_graceful_shutdown(async {
                let _ = signal.await;
            })
            .into_future(),
    );
    // The test kit's client blocks: off this runtime's workers.
    let page = tokio::task::spawn_blocking(move || {
        let mut page = lona_test::TestClient::connect(addr, "/", None, Duration::from_secs(10))
            .expect("the page loads and its socket attaches");
        page.click("button").expect("a click on +1");
        page.wait_for_node_text("#count", "1")
            .expect("the click handler ran");
        page
    })
    .await
    .expect("the client ran");
    let early: Vec<_> = log.try_iter().collect();
    assert!(early.is_empty(), "nothing stopped while serving: {early:?}");

    let _ = trigger.send(());
    served
        .await
        .expect("the serving task ended")
        .expect("it served and shut down without error");
    // Both were done by the time the future completed.
    let seen: Vec<_> = log.try_iter().collect();
    assert!(seen.contains(&"task joined"), "{seen:?}");
    assert!(seen.contains(&"view stopped"), "{seen:?}");
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "the listener is closed"
    );
    drop(page);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_serve_future_stops_the_app_in_the_background() {
    let (events, log) = crossbeam_channel::unbounded();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("the test binds its own listener");
    let addr = listener.local_addr().expect("its address");
    let served = tokio::spawn(reporting_counter(&events).serve(listener).into_future());
    let page = tokio::task::spawn_blocking(move || {
        lona_test::TestClient::connect(addr, "/", None, Duration::from_secs(10))
            .expect("the page loads and its socket attaches")
    })
    .await
    .expect("the client ran");
    // No signal: it serves until the future is dropped.
    served.abort();
    let _ = served.await;
    let mut seen = Vec::new();
    while seen.len() < 2 {
        let event = tokio::task::block_in_place(|| log.recv_timeout(Duration::from_secs(10)))
            .expect("the shutdown runs on without the future");
        seen.push(event);
    }
    seen.sort_unstable();
    assert_eq!(seen, ["task joined", "view stopped"]);
    drop(page);
}
