//! The acknowledged stream end to end, through `lona_test::FaultProxy`: a cut socket leaves
//! its view running, a reconnect resumes it with exactly what was missed (or the whole tree
//! past the replay buffer), the grace's end stops the view and the next reconnect gets a fresh
//! one, and the socket's refusals of hostile RESUMEs and ACKs; and input events across a
//! cut: one lost with the socket is sent again, one that had arrived is never run twice.
//! Lona's plain client is unchanged: every other module's `TestServer::open` tabs speak it,
//! byte for byte.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, unbounded};
use lona::prelude::*;
use lona_test::{Direction, FaultProxy, TestClient, TestServer};
use parking_lot::Mutex;

pub(crate) const DEADLINE: Duration = Duration::from_secs(20);

/// What the ticker views report.
#[derive(Default)]
pub(crate) struct Counts {
    pub(crate) started: AtomicUsize,
    pub(crate) stopped: AtomicUsize,
    pub(crate) cleaned_up: AtomicUsize,
}

/// Shows `#n`, set to each number the test sends, one update each: a view that changes while
/// its browser is cut off.
pub(crate) struct Ticker {
    numbers: Receiver<u32>,
    counts: Arc<Counts>,
    shown: Arc<Mutex<Option<Node>>>,
}

impl View for Ticker {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        self.counts.started.fetch_add(1, Ordering::SeqCst);
        let n = tags::span().with_id("n").with_text("0");
        let root = tags::div().with_child(&n);
        cx.show(&root)?;
        *self.shown.lock() = Some(root.clone());
        loop {
            // Short waits, so that a stop is seen; the test never waits on this timeout.
            let next = self.numbers.recv_timeout(Duration::from_millis(20));
            match next {
                Ok(value) => {
                    n.set_text(value.to_string());
                    cx.show(&root)?;
                }
                Err(RecvTimeoutError::Timeout) => cx.sleep(Duration::ZERO)?,
                Err(RecvTimeoutError::Disconnected) => return Ok(Response::Empty),
            }
        }
    }

    fn on_stop(&self, _reason: Option<&StopReason>) {
        self.counts.stopped.fetch_add(1, Ordering::SeqCst);
    }

    fn on_cleanup(&self) {
        self.counts.cleaned_up.fetch_add(1, Ordering::SeqCst);
    }
}

/// A server with the ticker at `/ticker`, the fault proxy in front of it, and what the test
/// holds of the ticker.
pub(crate) struct Setup {
    pub(crate) server: TestServer,
    pub(crate) proxy: FaultProxy,
    pub(crate) numbers: Sender<u32>,
    pub(crate) counts: Arc<Counts>,
    pub(crate) shown: Arc<Mutex<Option<Node>>>,
}

/// An app with the ticker at `/ticker`: its views take their numbers from `numbers` and
/// report to `counts`, and the last one shown leaves its tree in `shown`.
pub(crate) fn ticker_app(
    numbers: &Receiver<u32>,
    counts: &Arc<Counts>,
    shown: &Arc<Mutex<Option<Node>>>,
) -> App {
    let mut app = App::new();
    let (numbers, counts, shown) = (numbers.clone(), Arc::clone(counts), Arc::clone(shown));
    app.view("/ticker", move |_| Ticker {
        numbers: numbers.clone(),
        counts: Arc::clone(&counts),
        shown: Arc::clone(&shown),
    });
    app
}

pub(crate) fn setup(settings: impl FnOnce(&mut lona::Settings)) -> Setup {
    let (tx, numbers) = unbounded();
    let counts = Arc::new(Counts::default());
    let shown = Arc::new(Mutex::new(None));
    let mut app = ticker_app(&numbers, &counts, &shown);
    settings(&mut app.settings);
    let server = TestServer::start(app);
    let proxy = FaultProxy::start(server.addr()).expect("the proxy starts");
    Setup {
        server,
        proxy,
        numbers: tx,
        counts,
        shown,
    }
}

impl Setup {
    pub(crate) fn open(&self) -> TestClient {
        TestClient::connect_acked(self.proxy.addr(), "/ticker", None, DEADLINE)
            .expect("the ticker opens")
    }

    /// The server's tree of the last view shown, as HTML.
    pub(crate) fn server_html(&self) -> String {
        server_html(&self.shown)
    }
}

/// The tree a ticker left in `shown`, as HTML.
pub(crate) fn server_html(shown: &Mutex<Option<Node>>) -> String {
    let shown = shown.lock();
    shown.as_ref().map(Node::to_html).unwrap_or_default()
}

pub(crate) fn eventually(what: &str, mut condition: impl FnMut() -> bool) {
    let start = Instant::now();
    while !condition() {
        assert!(start.elapsed() < DEADLINE, "timed out waiting for: {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_cut_socket_resumes_the_same_running_view_with_what_it_missed() {
    let s = setup(|_| {});
    let mut tab = s.open();
    s.numbers.send(7).expect("the view listens");
    tab.wait_for_node_text("#n", "7").expect("7 shown");

    s.proxy.cut_now();
    eventually("the window is detached", || {
        s.server.metrics().resume.detached_windows == 1
    });
    // The view keeps running while the browser is away.
    s.numbers.send(8).expect("still running");
    s.numbers.send(9).expect("still running");
    eventually("the view showed 9", || s.server_html().contains(">9<"));

    assert_eq!(tab.reconnect().expect("reconnects"), None, "resumed");
    assert_eq!(tab.text("#n").as_deref(), Some("9"));
    assert_eq!(tab.html(), s.server_html(), "the DOM is the server's tree");
    assert_eq!(
        s.counts.started.load(Ordering::SeqCst),
        1,
        "one handle_request"
    );
    let metrics = s.server.metrics().resume;
    assert_eq!((metrics.replayed, metrics.detached_windows), (1, 0));
    // And it goes on.
    s.numbers.send(10).expect("running");
    tab.wait_for_node_text("#n", "10").expect("10 shown");
}

#[test]
fn five_hundred_updates_while_cut_are_replayed_or_sent_as_one_tree() {
    for (buffer, replayed) in [(262_144, true), (2_000, false)] {
        let s = setup(|settings| settings.replay_buffer_bytes = buffer);
        let mut tab = s.open();
        s.proxy.cut_now();
        eventually("the window is detached", || {
            s.server.metrics().resume.detached_windows == 1
        });
        for n in 1..=500 {
            s.numbers.send(n).expect("running");
        }
        eventually("the view showed 500", || s.server_html().contains(">500<"));
        assert_eq!(tab.reconnect().expect("reconnects"), None);
        assert_eq!(tab.html(), s.server_html(), "buffer {buffer}");
        let metrics = s.server.metrics().resume;
        if replayed {
            assert_eq!(metrics.replayed, 1);
            assert!(metrics.replayed_bytes > 500 * 20, "{metrics:?}");
        } else {
            assert_eq!(
                (metrics.full_tree, metrics.replayed_bytes),
                (1, 0),
                "{metrics:?}"
            );
        }
    }
}

#[test]
fn past_the_grace_the_view_stops_and_the_tab_gets_a_fresh_one() {
    let s = setup(|settings| settings.resume_grace = Duration::from_millis(50));
    let mut tab = s.open();
    s.numbers.send(7).expect("running");
    tab.wait_for_node_text("#n", "7").expect("7 shown");
    s.proxy.cut_now();
    eventually("the old view's on_stop and on_cleanup ran", || {
        s.counts.cleaned_up.load(Ordering::SeqCst) == 1
            && s.counts.stopped.load(Ordering::SeqCst) == 1
    });
    assert_eq!(
        tab.reconnect().expect("reconnects"),
        Some(lona::view::ResumeFailure::Expired)
    );
    tab.wait_for_node_text("#n", "0").expect("a fresh view");
    assert_eq!(s.counts.started.load(Ordering::SeqCst), 2);
    assert_eq!(s.server.metrics().resume.failed, 1);
}

#[test]
fn hostile_resumes_and_acks_are_refused() {
    let s = setup(|settings| settings.max_malformed_messages = 1);
    let tab = s.open();
    let runtime = tab.window().runtime().expect("a view");
    let token = tab.window().resume_token().expect("a token").to_owned();
    let url = tab.window().url().expect("a url").to_owned();
    let session = tab.session();
    s.proxy.cut_now();
    eventually("the window is detached", || {
        s.server.metrics().resume.detached_windows == 1
    });
    let resume = |token: &str| format!(r#"lona:[1,"{}",107,["{url}",2,"{token}"]]"#, runtime.0);

    // A forged token, in the right session.
    let mut mine = s
        .server
        .open_socket_with_session("/ticker", &session)
        .expect("a tab of the session");
    mine.send_raw(&resume("AAAAAAAAAAAAAAAAAAAAAA"))
        .expect("sent");
    mine.wait_for(|w| w.last_resume().is_some())
        .expect("an answer");
    assert_eq!(
        mine.window().last_resume(),
        Some(Err(lona::view::ResumeFailure::Refused))
    );

    // The right token from another session.
    let mut theirs = s.server.open("/ticker").expect("another visitor");
    theirs.send_raw(&resume(&token)).expect("sent");
    theirs
        .wait_for(|w| w.last_resume().is_some())
        .expect("an answer");
    assert_eq!(
        theirs.window().last_resume(),
        Some(Err(lona::view::ResumeFailure::Refused))
    );

    // A RESUME flood: the VIEW rate limit closes the socket.
    let mut flood = s.server.open("/ticker").expect("a flooder");
    for _ in 0..200 {
        if flood.send_raw(&resume(&token)).is_err() {
            break;
        }
    }
    // Closed with 1008 "rate limit exceeded", or reset under the flood's later writes.
    let error = flood.wait_for(|_| false).expect_err("the socket closes");
    assert!(
        !matches!(error, lona_test::TestError::Timeout { .. }),
        "{error}"
    );
    assert_eq!(
        s.server
            .metrics()
            .limits_tripped
            .get(lona::metrics::Limit::ViewRate),
        1
    );

    // The real owner still resumes, then acknowledges a number never sent: malformed, and
    // with max_malformed_messages 1 the socket closes.
    let mut owner = s
        .server
        .open_socket_with_session("/ticker", &session)
        .expect("the owner");
    owner.send_raw(&resume(&token)).expect("sent");
    owner
        .wait_for(|w| matches!(w.last_resume(), Some(Ok(_))))
        .expect("resumed");
    owner
        .send_raw(&format!(r#"lona:[1,"{}",106,999999]"#, runtime.0))
        .expect("sent");
    let error = owner.wait_for(|_| false).expect_err("the socket closes");
    assert!(error.to_string().contains("1008"), "{error}");
}

#[test]
fn a_resume_takes_over_a_view_still_attached_elsewhere() {
    let s = setup(|_| {});
    let tab = s.open();
    let runtime = tab.window().runtime().expect("a view");
    let token = tab.window().resume_token().expect("a token").to_owned();
    let url = tab.window().url().expect("a url").to_owned();
    // No cut: the first socket is live (or half-open, which the server cannot tell apart).
    let mut second = s
        .server
        .open_socket_with_session("/ticker", &tab.session())
        .expect("a second socket of the session");
    second
        .send_raw(&format!(
            r#"lona:[1,"{}",107,["{url}",2,"{token}"]]"#,
            runtime.0
        ))
        .expect("sent");
    second
        .wait_for(|w| matches!(w.last_resume(), Some(Ok(_))))
        .expect("resumed: taken over");
    let view = |server: &TestServer| {
        server
            .server()
            .views()
            .into_iter()
            .find(|v| v.id == runtime)
            .expect("the resumed view runs")
    };
    assert_eq!(view(&s.server).windows, 1, "moved, not added");
    // The first socket closing now detaches nothing: the window is the second socket's.
    s.proxy.cut_now();
    eventually("the first socket is gone", || {
        s.server.server().connection_counts().0 == 1
    });
    assert_eq!(s.server.metrics().resume.detached_windows, 0);
    assert!(!view(&s.server).stopped);
}

/// A counter: `#count` shows how often `#plus` was clicked; `clicks` counts the handler's runs.
pub(crate) struct Counter {
    pub(crate) clicks: Arc<AtomicUsize>,
}

impl View for Counter {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let count = Live::new_in(tags::span().with_id("count"), 0);
        let plus = tags::button().with_id("plus").with("+1");
        let root = tags::div().with((&count, " ", &plus));
        let clicks = Arc::clone(&self.clicks);
        cx.on_click(&plus, move |_, _| {
            clicks.fetch_add(1, Ordering::SeqCst);
            count.update(|n| *n += 1);
        });
        Ok(root.into())
    }
}

/// A counter behind a fault proxy, and its tab on the acknowledged stream.
fn counter() -> (TestServer, FaultProxy, Arc<AtomicUsize>, TestClient) {
    let clicks = Arc::new(AtomicUsize::new(0));
    let mut app = App::new();
    {
        let clicks = Arc::clone(&clicks);
        app.view("/counter", move |_| Counter {
            clicks: Arc::clone(&clicks),
        });
    }
    let server = TestServer::start(app);
    let proxy = FaultProxy::start(server.addr()).expect("the proxy starts");
    let tab = TestClient::connect_acked(proxy.addr(), "/counter", None, DEADLINE)
        .expect("the counter opens");
    (server, proxy, clicks, tab)
}

/// The INPUT_EVENT frames the tab sent with this event id, in order.
fn sent_events(tab: &TestClient, event_id: u64) -> Vec<String> {
    let marker = format!(",102,[{event_id},");
    tab.sent_frames()
        .into_iter()
        .filter(|frame| frame.contains(&marker))
        .collect()
}

#[test]
fn a_click_lost_with_the_socket_is_sent_again_after_the_resume_and_counted_once() {
    let (server, proxy, clicks, mut tab) = counter();
    tab.click("#plus").expect("a first click");
    tab.wait_for_node_text("#count", "1").expect("counted");

    // The PONG proves everything the tab sent so far arrived: the link is quiet.
    tab.ping().expect("a quiet link");
    // The network stops carrying what the browser sends: the second click never arrives.
    proxy.pause(Direction::Upstream);
    let upstream = proxy.stats().bytes_upstream;
    assert_eq!(tab.click_unacknowledged("#plus").expect("sent"), 2);
    proxy.cut_now();
    assert_eq!(
        proxy.stats().bytes_upstream,
        upstream,
        "the click died with the socket"
    );
    eventually("the window is detached", || {
        server.metrics().resume.detached_windows == 1
    });
    proxy.resume(Direction::Upstream);

    assert_eq!(tab.reconnect().expect("reconnects"), None, "resumed");
    tab.wait_for_node_text("#count", "2")
        .expect("the click, sent again, counted");
    tab.wait_for(|w| w.unconfirmed_events().is_empty())
        .expect("and acknowledged");
    assert_eq!(sent_events(&tab, 2).len(), 2, "sent, then sent again");
    assert_eq!(clicks.load(Ordering::SeqCst), 2, "each click ran once");
    assert_eq!(server.metrics().resume.duplicate_events, 0);
    tab.click("#plus").expect("a third click");
    tab.wait_for_node_text("#count", "3").expect("ids go on");
}

#[test]
fn a_click_that_arrived_before_the_cut_is_not_sent_again_and_a_duplicate_never_runs() {
    let (server, proxy, clicks, mut tab) = counter();
    // The server's answers stop on the way: the click arrives, its ACK and update do not.
    proxy.pause(Direction::Downstream);
    assert_eq!(tab.click_unacknowledged("#plus").expect("sent"), 1);
    eventually("the server handled the click", || {
        clicks.load(Ordering::SeqCst) == 1
    });
    assert_eq!(
        tab.text("#count").as_deref(),
        Some("0"),
        "nothing came back"
    );
    proxy.cut_now();
    eventually("the window is detached", || {
        server.metrics().resume.detached_windows == 1
    });
    proxy.resume(Direction::Downstream);

    assert_eq!(tab.reconnect().expect("reconnects"), None, "resumed");
    assert!(
        matches!(tab.window().last_resume(), Some(Ok(_))),
        "{:?}",
        tab.window().last_resume()
    );
    tab.wait_for_node_text("#count", "1").expect("the replay");
    assert!(
        tab.window().unconfirmed_events().is_empty(),
        "RESUMED named it"
    );
    assert_eq!(sent_events(&tab, 1).len(), 1, "not sent again");
    assert_eq!(clicks.load(Ordering::SeqCst), 1);

    // A client that sends it again anyway (or one that raced the resume): acknowledged, and
    // dropped before any handler.
    let frame = sent_events(&tab, 1).remove(0);
    tab.send_raw(&frame).expect("sent again");
    tab.wait_for(|w| w.acks().iter().filter(|&&id| id == 1).count() == 2)
        .expect("acknowledged again");
    assert_eq!(server.metrics().resume.duplicate_events, 1);
    assert_eq!(server.metrics().events_rejected, 0);
    tab.click("#plus").expect("a second click");
    tab.wait_for_node_text("#count", "2")
        .expect("counted once each");
    assert_eq!(clicks.load(Ordering::SeqCst), 2);
}

#[test]
fn a_resume_with_a_garbage_last_event_id_is_malformed() {
    let s = setup(|settings| settings.max_malformed_messages = 1);
    let tab = s.open();
    let runtime = tab.window().runtime().expect("a view");
    let token = tab.window().resume_token().expect("a token").to_owned();
    let session = tab.session();
    s.proxy.cut_now();
    eventually("the window is detached", || {
        s.server.metrics().resume.detached_windows == 1
    });
    let mut owner = s
        .server
        .open_socket_with_session("/ticker", &session)
        .expect("the owner");
    owner
        .send_raw(&format!(
            r#"lona:[1,"{}",107,["/ticker",2,"{token}",-4]]"#,
            runtime.0
        ))
        .expect("sent");
    let error = owner.wait_for(|_| false).expect_err("the socket closes");
    assert!(error.to_string().contains("1008"), "{error}");
    assert_eq!(
        s.server.metrics().resume.detached_windows,
        1,
        "still waiting for its browser"
    );
}
