//! End-to-end tests of the test kit against real apps on `127.0.0.1:0`: the seed's button,
//! the click-handler counter, a daemon shared by two tabs, an async view, a form, redirects,
//! links, a panicking view, unknown paths, and what a failing wait reports.

mod event_order;

use std::time::Duration;

use lona::prelude::*;
use lona_protocol::client::EventKind;
use lona_test::{TestError, TestServer};

/// The seed's first app: `handle_request` blocks in `await_click`.
struct Seed;

impl View for Seed {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let message = tags::div().with_text("Button not clicked");
        let button = tags::button().with_text("Click me!");
        let html = tags::div()
            .with_child(tags::h1().with_text("Click the button!"))
            .with_child(&message)
            .with_child(&button);
        cx.show(&html)?;
        let event = cx.await_click(&[&button])?;
        if event.is_from(&button) {
            message.set_text("Button clicked");
        }
        Ok(Response::Node(html))
    }
}

/// The README's counter: a click handler on the worker pool; `daemon` makes it a daemon.
struct Counter {
    daemon: bool,
}

impl View for Counter {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        if self.daemon {
            cx.daemonize();
        }
        let count = tags::span().with_id("count").with_text("0");
        let plus = tags::button().with_id("plus").with_text("+1");
        cx.on_click(&plus, {
            let count = count.clone();
            move |_cx, _event| {
                let _lock = count.lock();
                let n: u64 = count.text_content().parse().unwrap_or(0);
                count.set_text((n + 1).to_string());
                Flow::Handled
            }
        });
        cx.set_title("Counter")?;
        let html = tags::div()
            .with_child(tags::h1().with_text("Counter"))
            .with_child(&count)
            .with_child(" ")
            .with_child(&plus);
        Ok(Response::Node(html))
    }
}

struct AsyncClicker;

impl AsyncView for AsyncClicker {
    async fn handle_request(&self, cx: &AsyncContext, _request: &Request) -> ViewResult {
        let message = tags::p().with_id("message").with_text("waiting");
        let button = tags::button().with_id("go").with_text("Go");
        let root = tags::div().with_child(&message).with_child(&button);
        cx.show(&root)?;
        cx.await_click(&[&button]).await?;
        message.set_text("async clicked");
        Ok(Response::Node(root))
    }
}

/// A text input, a checkbox and a select; each output shows the last `ChangeValue` it got.
struct Form;

impl View for Form {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let name = tags::input().with_id("name").with_attr("type", "text");
        let subscribe = tags::input()
            .with_id("subscribe")
            .with_attr("type", "checkbox");
        let color = tags::select().with_id("color").with_children(
            ["red", "green", "blue"].map(|c| tags::option().with_attr("value", c).with_text(c)),
        );
        let root = tags::div();
        for (input, out) in [
            (&name, "name-out"),
            (&subscribe, "subscribe-out"),
            (&color, "color-out"),
        ] {
            let target = tags::span().with_id(out).with_text("-");
            cx.on(input, Event::Change { delay_ms: 300 }, {
                let target = target.clone();
                move |_cx, event| {
                    target.set_text(format!("{:?}", event.value()));
                    Flow::Handled
                }
            });
            root.append(tags::p().with_child(input).with_child(target));
        }
        Ok(Response::Node(root))
    }
}

/// Logs the focus, blur and custom events of a field.
struct Events;

impl View for Events {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let field = tags::input().with_id("field");
        let log = tags::p().with_id("log");
        for event in [
            Event::Focus,
            Event::Blur,
            Event::Custom("picked".to_owned()),
        ] {
            let log = log.clone();
            cx.on(&field, event, move |_cx, event| {
                let _lock = log.lock();
                let entry = match &event.kind {
                    EventKind::Custom { name, data } => format!("{name}={data:?}"),
                    kind => kind.name().to_owned(),
                };
                log.set_text(format!("{}{entry};", log.text_content()));
                Flow::Handled
            });
        }
        Ok(Response::Node(
            tags::div().with_child(field).with_child(log),
        ))
    }
}

struct Redirects;

impl View for Redirects {
    fn handle_request(&self, _cx: &Context, _request: &Request) -> ViewResult {
        Ok(Response::Redirect("/other".to_owned()))
    }
}

struct Other;

impl View for Other {
    fn handle_request(&self, _cx: &Context, request: &Request) -> ViewResult {
        Ok(Response::Node(
            tags::div()
                .with_child(tags::h1().with_text("Other page"))
                .with_child(
                    tags::p()
                        .with_id("query")
                        .with_text(request.query("q").unwrap_or("")),
                )
                .with_child(
                    tags::a()
                        .with_attr("href", "/other?q=linked")
                        .with_text("again"),
                ),
        ))
    }
}

struct Panics;

impl View for Panics {
    fn handle_request(&self, _cx: &Context, _request: &Request) -> ViewResult {
        panic!("this view is broken on purpose");
    }
}

fn app() -> App {
    let mut app = App::new();
    app.settings.max_runtime_threads = 4;
    app.settings.max_worker_threads = 2;
    app.settings.max_static_threads = 1;
    app.view("/", |_| Seed);
    app.view("/counter", |_| Counter { daemon: false });
    app.view("/daemon", |_| Counter { daemon: true });
    app.async_view("/async", |_| AsyncClicker);
    app.view("/form", |_| Form);
    app.view("/events", |_| Events);
    app.view("/go", |_| Redirects);
    app.view("/other", |_| Other);
    app.view("/broken", |_| Panics);
    app.http("/api", |_| HttpResponse::json("{}"));
    app
}

type Result = std::result::Result<(), TestError>;

#[test]
fn the_seed_button_app_waits_for_its_click() -> Result {
    let server = TestServer::start(app());
    let mut client = server.open("/")?;
    client.wait_for_text("Button not clicked")?;
    assert!(
        !client.window().view_stopped(),
        "handle_request waits in await_click"
    );
    client.click("button")?;
    client.wait_for_text("Button clicked")?;
    client.wait_for(|w| w.view_stopped())?;
    assert_eq!(
        client.html(),
        r#"<div><h1>Click the button!</h1><div>Button clicked</div><button data-lona-events="301">Click me!</button></div>"#
    );
    Ok(())
}

#[test]
fn the_counter_counts_three_clicks() -> Result {
    let server = TestServer::start(app());
    let mut client = server.open("/counter")?;
    for _ in 0..3 {
        client.click("#plus")?;
    }
    assert_eq!(client.window().acks(), [1, 2, 3]);
    client.wait_for_node_text("#count", "3")?;
    assert_eq!(client.text("#count").as_deref(), Some("3"));
    assert_eq!(client.title(), "Counter");
    Ok(())
}

#[test]
fn a_daemon_is_shared_by_two_tabs_and_outlives_them() -> Result {
    let server = TestServer::start(app());
    let mut first = server.open("/daemon")?;
    // The tree comes after `daemonize`: from now on a second tab re-attaches.
    first.wait_for_node_text("#count", "0")?;
    let mut second = first.open_tab("/daemon")?;
    second.wait_for_node_text("#count", "0")?;
    assert_eq!(first.window().runtime(), second.window().runtime());

    first.click("#plus")?;
    first.wait_for_node_text("#count", "1")?;
    second.wait_for_node_text("#count", "1")?;
    second.click("#plus")?;
    first.wait_for_node_text("#count", "2")?;
    second.wait_for_node_text("#count", "2")?;

    let session = first.session();
    first.close();
    second.close();
    let mut again = server.open_with_session("/daemon", &session)?;
    again.wait_for_node_text("#count", "2")?;
    again.click("#plus")?;
    again.wait_for_node_text("#count", "3")?;
    assert_eq!(server.metrics().daemons, 1);

    // Another browser (another session) gets a view of its own.
    let mut stranger = server.open("/daemon")?;
    stranger.wait_for_node_text("#count", "0")?;
    assert_ne!(stranger.window().runtime(), again.window().runtime());
    Ok(())
}

#[test]
fn an_async_view_waits_without_a_thread() -> Result {
    let server = TestServer::start(app());
    let mut client = server.open("/async")?;
    client.wait_for_node_text("#message", "waiting")?;
    client.click("#go")?;
    client.wait_for_node_text("#message", "async clicked")?;
    client.wait_for(|w| w.view_stopped())?;
    Ok(())
}

#[test]
fn a_form_sends_text_checked_and_selected_values() -> Result {
    let server = TestServer::start(app());
    let mut client = server.open("/form")?;
    client.change("#name", ChangeValue::Text("Ann".to_owned()))?;
    client.change("#subscribe", ChangeValue::Checked(true))?;
    client.change("#color", ChangeValue::Selected(vec![2]))?;
    client.wait_for_node_text("#name-out", r#"Some(Text("Ann"))"#)?;
    client.wait_for_node_text("#subscribe-out", "Some(Checked(true))")?;
    client.wait_for_node_text("#color-out", "Some(Selected([2]))")?;
    Ok(())
}

#[test]
fn a_redirect_is_recorded_and_navigate_follows_it() -> Result {
    let server = TestServer::start(app());
    let mut client = server.open("/go")?;
    client.wait_for(|w| !w.redirects().is_empty())?;
    assert_eq!(client.window().redirects(), ["/other"]);
    assert_eq!(
        client.window().text(),
        "",
        "the redirect is not followed on its own"
    );
    client.navigate("/other?q=navigated")?;
    client.wait_for_node_text("#query", "navigated")?;
    client.follow_redirect()?;
    client.wait_for_node_text("#query", "")?;
    assert_eq!(client.window().url(), Some(server.url("/other").as_str()));
    assert_eq!(client.window().view_starts(), 3);

    // A link without a click handler navigates, as in a browser.
    client.click("a")?;
    client.wait_for_node_text("#query", "linked")?;

    // A non-interactive route becomes an HTTP_REDIRECT.
    client.navigate("/api")?;
    assert_eq!(client.window().http_redirects(), [server.url("/api")]);
    Ok(())
}

#[test]
fn a_panicking_view_shows_500_and_the_server_goes_on() -> Result {
    let server = TestServer::start(app());
    let mut broken = server.open("/broken")?;
    broken.wait_for_text("500 Internal Error")?;
    assert!(
        !broken.html().contains("on purpose"),
        "the panic stays in the log"
    );
    assert_eq!(server.metrics().view_panics, 1);

    let mut client = server.open("/counter")?;
    client.click("#plus")?;
    client.wait_for_node_text("#count", "1")?;
    Ok(())
}

#[test]
fn an_unknown_path_is_a_404_page_and_a_404_in_the_window() -> Result {
    let server = TestServer::start(app());
    let page = server.get("/nowhere")?;
    assert_eq!(page.status, 404);
    assert!(page.body.contains("404 Not Found"));
    match server.open("/nowhere") {
        Err(TestError::Status { status: 404, .. }) => {}
        other => panic!("a browser gets no client on a 404 page: {other:?}"),
    }
    let mut client = server.open("/counter")?;
    client.navigate("/nowhere")?;
    client.wait_for_text("404 Not Found")?;
    assert!(client.query("#plus").is_none());
    Ok(())
}

#[test]
fn the_page_sets_a_session_cookie_and_the_socket_answers_pings() -> Result {
    let server = TestServer::start(app());
    let page = server.get("/counter")?;
    assert_eq!(page.status, 200);
    let cookie = page.cookie().expect("a session cookie");
    assert!(cookie.starts_with("lona_session="), "{cookie}");
    let mut client = server.open("/counter")?;
    assert!(
        client.session().cookie().is_some_and(|c| c != cookie),
        "a new session"
    );
    client.ping()?;
    client.ping()?;
    assert_eq!(client.state().pongs(), 2);
    Ok(())
}

#[test]
fn a_wait_that_fails_shows_the_window_and_never_hangs() -> Result {
    let server = TestServer::start(app());
    let mut client = server.open("/counter")?;
    client.wait_for_node_text("#count", "0")?;
    client.set_timeout(Duration::from_millis(200));
    let error = client.wait_for_text("never shown").expect_err("a timeout");
    assert!(error.is_timeout());
    let message = error.to_string();
    assert!(
        message.contains(r#"waiting for the text "never shown""#),
        "{message}"
    );
    assert!(
        message.contains(r#"<span id="count">0</span>"#),
        "{message}"
    );
    assert!(message.contains("the last frames:"), "{message}");

    // Nothing listens to clicks on the heading.
    let error = client.click("h1").expect_err("not listening");
    assert!(error.to_string().contains("listens to click"), "{error}");
    Ok(())
}

#[test]
fn a_socket_closed_by_the_server_ends_a_wait_at_once() -> Result {
    let server = TestServer::start(app());
    let mut client = server.open("/counter")?;
    client.wait_for_node_text("#count", "0")?;
    server.server().disconnect_clients();
    match client.wait_for_text("never shown") {
        Err(TestError::Closed { reason, .. }) => assert!(reason.starts_with("1001"), "{reason}"),
        other => panic!("expected Closed: {other:?}"),
    }
    Ok(())
}

#[test]
fn focus_blur_and_custom_events_reach_their_handlers() -> Result {
    let server = TestServer::start(app());
    let mut client = server.open("/events")?;
    client.focus("#field")?;
    client.wait_for_node_text("#log", "focus;")?;
    client.blur("#field")?;
    client.custom("#field", "picked", Value::map([("id", 7)]))?;
    client.wait_for_node_text("#log", r#"focus;blur;picked=Map([("id", Int(7))]);"#)?;
    assert_eq!(client.window().acks(), [1, 2, 3]);

    // A client error shows the 500 page in the window.
    let frame = client
        .state()
        .client_error(lona_protocol::WindowId(1), "TypeError: x is undefined");
    client.send_raw(&frame)?;
    client.wait_for_text("500 Internal Error")?;
    Ok(())
}
