//! First paint (docs/protocol.md, "First paint (negotiated)"): the GET of an interactive page
//! carries its view's first tree, escaped, and an adopt token; the page's socket adopts that
//! view, so `handle_request` runs once. A token used twice, by another session or after its
//! expiry gets a fresh view, never an error; a view slower than the bound leaves the page
//! empty and still runs once.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender, unbounded};
use lona::prelude::*;
use lona_test::{HttpResult, Session, TestClient, TestServer};

use crate::resume::eventually;

#[derive(Default)]
struct Counts {
    started: AtomicUsize,
    stopped: AtomicUsize,
    cleaned_up: AtomicUsize,
}

/// Shows a text that needs escaping and a button that counts clicks; counts its starts.
struct Counted {
    counts: Arc<Counts>,
}

impl View for Counted {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let n = self.counts.started.fetch_add(1, Ordering::SeqCst) + 1;
        let clicks = tags::span().with_id("clicks").with_text("0");
        let button = tags::button().with_id("more").with_text("more");
        {
            let clicks = clicks.clone();
            let count = AtomicUsize::new(0);
            cx.on_click(&button, move |_cx, _event| {
                let n = count.fetch_add(1, Ordering::SeqCst) + 1;
                clicks.set_text(n.to_string());
            });
        }
        let root = tags::div()
            .with_child(
                tags::p()
                    .with_id("greeting")
                    .with_text("Tom & <Jerry> says \"hi\""),
            )
            .with_child(tags::p().with_id("start").with_text(n.to_string()))
            .with_child(&clicks)
            .with_child(&button);
        cx.show(&root)?;
        Ok(Response::Empty)
    }

    fn on_stop(&self, _reason: Option<&StopReason>) {
        self.counts.stopped.fetch_add(1, Ordering::SeqCst);
    }

    fn on_cleanup(&self) {
        self.counts.cleaned_up.fetch_add(1, Ordering::SeqCst);
    }
}

/// Shows nothing until the test opens its gate.
struct Slow {
    counts: Arc<Counts>,
    gate: Receiver<()>,
}

impl View for Slow {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        self.counts.started.fetch_add(1, Ordering::SeqCst);
        loop {
            match self.gate.recv_timeout(Duration::from_millis(20)) {
                Ok(()) => break,
                // Short waits, so that a stop is seen; the test never waits on this timeout.
                Err(_) => cx.sleep(Duration::ZERO)?,
            }
        }
        cx.show(&tags::p().with_id("late").with_text("late"))?;
        Ok(Response::Empty)
    }
}

/// Another page, for a socket to open on.
struct Other;

impl View for Other {
    fn handle_request(&self, _cx: &Context, _request: &Request) -> ViewResult {
        Ok(Response::Node(tags::p().with_text("other")))
    }
}

struct Setup {
    server: TestServer,
    counts: Arc<Counts>,
    gate: Sender<()>,
}

fn setup(settings: impl FnOnce(&mut lona::Settings)) -> Setup {
    let counts = Arc::new(Counts::default());
    let (gate, opened) = unbounded();
    let mut app = App::new();
    settings(&mut app.settings);
    {
        let counts = Arc::clone(&counts);
        app.view("/counted", move |_| Counted {
            counts: Arc::clone(&counts),
        });
    }
    {
        let counts = Arc::clone(&counts);
        app.view("/slow", move |_| Slow {
            counts: Arc::clone(&counts),
            gate: opened.clone(),
        });
    }
    app.view("/other", |_| Other);
    Setup {
        server: TestServer::start(app),
        counts,
        gate,
    }
}

/// The page's adopt token.
fn token(page: &HttpResult) -> String {
    lona_protocol::adopt_token_in_page(&page.body)
        .expect("the page has an adopt token")
        .to_owned()
}

/// What `#lona` holds in the page.
fn painted(page: &HttpResult) -> &str {
    let start = page.body.find("<div id=\"lona\">").expect("the root") + 15;
    let end = start + page.body[start..].find("</div>\n").expect("the root's end");
    &page.body[start..end]
}

impl Setup {
    fn starts(&self) -> usize {
        self.counts.started.load(Ordering::SeqCst)
    }

    /// A socket of the page's session, showing `/other` in window 1.
    fn socket(&self, page: &HttpResult) -> TestClient {
        let session = Session::from_cookie(page.cookie().expect("a new session's cookie"));
        self.server
            .open_socket_with_session("/other", &session)
            .expect("the socket opens")
    }

    /// Sends VIEW of `/counted` in window 1 with `options`, and waits for its VIEW_START.
    fn view_with(&self, tab: &mut TestClient, options: &str) {
        let before = tab.window().view_starts();
        let url = self.server.url("/counted");
        tab.send_raw(&format!(r#"lona:[1,null,101,["{url}",{{}},{options}]]"#))
            .expect("sent");
        tab.wait_for(|w| w.view_starts() > before)
            .expect("VIEW_START");
    }
}

#[test]
fn the_page_of_an_interactive_route_carries_its_views_first_tree_escaped() {
    let s = setup(|_| {});
    let page = s.server.get("/counted").expect("the page loads");
    assert_eq!(page.status, 200);
    let html = painted(&page);
    assert!(
        html.contains(r#"<p data-lona-node-id=""#)
            && html.contains(r#" id="greeting">Tom &amp; &lt;Jerry&gt; says "hi"</p>"#),
        "{html}"
    );
    assert!(!page.body.contains("<Jerry>"), "escaped");
    assert!(html.contains(r#" id="start">1</p>"#), "{html}");
    token(&page);
    assert_eq!(s.starts(), 1);
    let paint = s.server.metrics().paint;
    assert_eq!((paint.started, paint.served, paint.pending), (1, 1, 1));
    // Waiting for its page's window is not a resumable window's grace.
    assert_eq!(s.server.metrics().resume.detached_windows, 0);
}

#[test]
fn the_test_kit_adopts_the_painted_view_which_runs_once_and_takes_clicks() {
    let s = setup(|_| {});
    let mut tab = s.server.open("/counted").expect("opens");
    tab.wait_for_node_text("#start", "1")
        .expect("the painted view");
    tab.click("#more").expect("clicked");
    tab.wait_for_node_text("#clicks", "1")
        .expect("the click counted");
    assert_eq!(s.starts(), 1, "handle_request ran once");
    let paint = s.server.metrics().paint;
    assert_eq!((paint.adopted, paint.refused, paint.pending), (1, 0, 0));
    // The adopted window is an ordinary one: leaving it stops the view.
    tab.close();
    eventually("the view stops with its window", || {
        s.counts.cleaned_up.load(Ordering::SeqCst) == 1
    });
}

#[test]
fn a_token_used_twice_gets_a_fresh_view_the_second_time() {
    let s = setup(|_| {});
    let page = s.server.get("/counted").expect("the page loads");
    let token = token(&page);
    let mut tab = s.socket(&page);
    s.view_with(&mut tab, &format!(r#"{{"ack":1,"adopt":"{token}"}}"#));
    tab.wait_for_node_text("#start", "1")
        .expect("the painted view");
    assert_eq!(s.starts(), 1);
    s.view_with(&mut tab, &format!(r#"{{"ack":1,"adopt":"{token}"}}"#));
    tab.wait_for_node_text("#start", "2").expect("a fresh view");
    assert_eq!(s.starts(), 2);
    let paint = s.server.metrics().paint;
    assert_eq!((paint.adopted, paint.refused), (1, 1));
}

#[test]
fn another_sessions_token_is_refused_with_a_fresh_view() {
    let s = setup(|_| {});
    let page = s.server.get("/counted").expect("the page loads");
    let token = token(&page);
    let stranger = s.server.get("/other").expect("another visitor");
    let mut tab = s.socket(&stranger);
    s.view_with(&mut tab, &format!(r#"{{"ack":1,"adopt":"{token}"}}"#));
    tab.wait_for_node_text("#start", "2").expect("a fresh view");
    assert_eq!(s.starts(), 2);
    let paint = s.server.metrics().paint;
    // Pending: the owner's page, and the stranger's own `/other`.
    assert_eq!((paint.adopted, paint.refused, paint.pending), (0, 1, 2));
    // The owner can still adopt it: the stranger's try took nothing.
    let mut owner = s.socket(&page);
    s.view_with(&mut owner, &format!(r#"{{"adopt":"{token}"}}"#));
    owner
        .wait_for_node_text("#start", "1")
        .expect("the painted view, in the plain protocol");
    assert_eq!(s.server.metrics().paint.adopted, 1);
}

#[test]
fn an_unadopted_view_stops_at_its_expiry_and_its_token_gets_a_fresh_view() {
    let s = setup(|settings| {
        settings.first_paint_adopt_timeout = Duration::from_millis(100);
    });
    let page = s.server.get("/counted").expect("the page loads");
    let token = token(&page);
    eventually("the unadopted view stops", || {
        s.counts.stopped.load(Ordering::SeqCst) == 1
            && s.counts.cleaned_up.load(Ordering::SeqCst) == 1
    });
    let paint = s.server.metrics().paint;
    assert_eq!((paint.expired, paint.pending), (1, 0));
    eventually("its view count is returned", || {
        s.server.metrics().views == 0
    });
    let mut tab = s.socket(&page);
    s.view_with(&mut tab, &format!(r#"{{"ack":1,"adopt":"{token}"}}"#));
    tab.wait_for_node_text("#start", "2").expect("a fresh view");
    assert_eq!(s.server.metrics().paint.refused, 1);
}

#[test]
fn a_view_slower_than_the_bound_leaves_the_page_empty_and_runs_once() {
    let s = setup(|settings| {
        settings.first_paint_timeout = Duration::from_millis(20);
    });
    let page = s.server.get("/slow").expect("the page loads");
    assert_eq!(painted(&page), "", "nothing painted");
    let token = token(&page);
    let mut tab = s.socket(&page);
    let before = tab.window().view_starts();
    let url = s.server.url("/slow");
    tab.send_raw(&format!(
        r#"lona:[1,null,101,["{url}",{{}},{{"ack":1,"adopt":"{token}"}}]]"#
    ))
    .expect("sent");
    tab.wait_for(|w| w.view_starts() > before)
        .expect("VIEW_START");
    s.gate.send(()).expect("the view waits");
    tab.wait_for_node_text("#late", "late")
        .expect("the late tree");
    assert_eq!(s.counts.started.load(Ordering::SeqCst), 1, "ran once");
    assert_eq!(s.server.metrics().paint.adopted, 1);
}

#[test]
fn pages_of_an_app_with_first_paint_off_are_empty() {
    let s = setup(|settings| settings.first_paint = false);
    let page = s.server.get("/counted").expect("the page loads");
    assert_eq!(painted(&page), "");
    assert!(!page.body.contains("\"adopt\""));
    let mut tab = s.server.open("/counted").expect("opens");
    tab.wait_for_node_text("#start", "1").expect("the view");
    assert_eq!(s.server.metrics().paint.started, 0);
}

#[test]
fn a_hostile_adopt_value_gets_a_fresh_view() {
    let s = setup(|_| {});
    let page = s.server.get("/other").expect("the page loads");
    let mut tab = s.socket(&page);
    for options in [
        r#"{"ack":1,"adopt":"AAAAAAAAAAAAAAAAAAAAAA"}"#,
        r#"{"ack":1,"adopt":"not a token"}"#,
        r#"{"ack":1,"adopt":["x"]}"#,
    ] {
        s.view_with(&mut tab, options);
    }
    // VIEW_START leaves before `handle_request` runs: its tree says when it did.
    tab.wait_for_node_text("#start", "3")
        .expect("three fresh views");
    assert_eq!(s.starts(), 3);
    // Only the well-formed one reached the lookup; the others were read as absent.
    assert_eq!(s.server.metrics().paint.refused, 1);
}

#[test]
fn page_loads_cannot_start_more_views_than_the_address_may_hold() {
    // Every load without a cookie is a new session: the address's quota is the bound.
    let s = setup(|settings| settings.max_views_per_ip = 2);
    let pages: Vec<HttpResult> = (0..4)
        .map(|_| s.server.get("/counted").expect("the page loads"))
        .collect();
    let with_token = pages
        .iter()
        .filter(|p| p.body.contains("\"adopt\""))
        .count();
    assert_eq!(with_token, 2, "two views painted, the others' pages empty");
    assert!(pages.iter().all(|p| p.status == 200));
    assert!(painted(&pages[3]).is_empty());
    let metrics = s.server.metrics();
    assert_eq!((metrics.views, metrics.paint.pending), (2, 2));
    assert_eq!(s.starts(), 2);
    // A refused paint is not a trip: the page's socket asks again, and that one counts.
    assert_eq!(
        metrics.limits_tripped.get(lona::metrics::Limit::ViewsPerIp),
        0
    );
}
