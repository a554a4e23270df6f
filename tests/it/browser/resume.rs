//! A view outlives its socket in Chromium: the network is cut through `lona-test`'s fault
//! proxy, the user goes on clicking, and when the network is back the page resumes the same
//! running view, with the clicks made offline and the text half typed before the cut; a click
//! the network swallowed is sent again, a click that had arrived is not, and each runs once.
//! Past the grace, the server stops the old view and the page says so, in a notice of its own
//! that is not the "connection lost" one, and shows a fresh view: never a silent reset, never
//! a reload.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, unbounded};
use lona::prelude::*;
use lona_test::{Direction, FaultProxy};
use parking_lot::Mutex;

use super::support::{Page, Result, WAIT, app, fail, run};

/// How often the counter's `handle_request`, click handler, `on_stop` and `on_cleanup` ran.
#[derive(Default)]
struct Counts {
    starts: AtomicUsize,
    clicks: AtomicUsize,
    stopped: AtomicUsize,
    cleaned_up: AtomicUsize,
}

/// A counter and a text input that report their lifecycle.
struct Counter {
    counts: Arc<Counts>,
}

impl View for Counter {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        self.counts.starts.fetch_add(1, Ordering::SeqCst);
        let count = Live::new_in(tags::span().with_id("count"), 0);
        let plus = tags::button().with_id("plus").with("+1");
        let name = TextInput::new().with_id("name");
        let html = tags::div().with((&count, " ", &plus, " ", &name));
        let counts = Arc::clone(&self.counts);
        cx.on_click(&plus, move |_, _| {
            counts.clicks.fetch_add(1, Ordering::SeqCst);
            count.update(|n| *n += 1);
        });
        Ok(html.into())
    }

    fn on_stop(&self, _reason: Option<&StopReason>) {
        self.counts.stopped.fetch_add(1, Ordering::SeqCst);
    }

    fn on_cleanup(&self) {
        self.counts.cleaned_up.fetch_add(1, Ordering::SeqCst);
    }
}

/// The counter app, with its counts.
fn counter_app() -> (App, Arc<Counts>) {
    let counts = Arc::new(Counts::default());
    let mut app = app();
    app.view("/", {
        let counts = Arc::clone(&counts);
        move |_| Counter {
            counts: Arc::clone(&counts),
        }
    });
    (app, counts)
}

/// Opens the counter through `proxy`, clicks it up to `clicks`, waits until the window is on
/// the acknowledged stream, and sets a marker that a page reload would lose.
async fn open_counter(page: &Page<'_>, proxy: &FaultProxy, clicks: usize) -> Result {
    page.client().goto(&proxy.url("/")).await?;
    page.wait_text("#count", "0").await?;
    for n in 1..=clicks {
        page.click("#plus").await?;
        page.wait_text("#count", &n.to_string()).await?;
    }
    page.wait_until(
        "the window to be on the acknowledged stream",
        &window_state("w.ack_mode === true"),
        Vec::new(),
    )
    .await?;
    page.eval(
        "window.lonaTestMarker = 'same page'; return true;",
        Vec::new(),
    )
    .await?;
    Ok(())
}

/// Polls a condition on the test's side (a view's count, the server's metrics) until it
/// holds, for at most the suite's wait.
async fn until(what: &str, mut condition: impl FnMut() -> bool) -> Result {
    let deadline = Instant::now() + WAIT;
    while !condition() {
        if Instant::now() >= deadline {
            return Err(fail(format!("timed out after {WAIT:?} waiting for {what}")));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(())
}

/// A condition on window 1's stream state (`lona_context.state().windows[0]`, as `w`).
fn window_state(condition: &str) -> String {
    format!("const w = window.lona_context.state().windows[0]; return {condition};")
}

#[test]
fn clicks_made_offline_and_half_typed_text_survive_a_cut_socket() {
    let (app, counts) = counter_app();
    run(app, async |page| {
        let proxy = FaultProxy::start(page.server().local_addr())?;
        proxy.latency(Direction::Both, std::time::Duration::from_millis(10));
        open_counter(page, &proxy, 7).await?;
        page.type_into("#name", "half").await?;

        // The network goes away, and stays away while the user clicks twice.
        proxy.refuse_new(true);
        proxy.cut_now();
        page.wait_until(
            "the disconnect notice",
            "return document.querySelector('.lona-notice-disconnected') !== null;",
            Vec::new(),
        )
        .await?;
        page.click("#plus").await?;
        page.click("#plus").await?;
        page.wait_until(
            "both clicks queued offline",
            "return window.lona_context.state().windows[0].queued >= 2;",
            Vec::new(),
        )
        .await?;
        assert_eq!(page.text("#count").await?.as_deref(), Some("7"));

        // The network is back: the client resumes the same view and sends what it queued.
        proxy.refuse_new(false);
        page.wait_text("#count", "9").await?;
        page.wait_until(
            "the notice gone and the page the same",
            "return document.querySelector('.lona-notice-disconnected') === null \
             && window.lonaTestMarker === 'same page' \
             && document.querySelector('#name').value === 'half';",
            Vec::new(),
        )
        .await?;
        assert_eq!(
            counts.starts.load(Ordering::SeqCst),
            1,
            "handle_request ran once"
        );
        let metrics = page.server().metrics();
        assert!(
            metrics.resume.replayed + metrics.resume.full_tree >= 1,
            "{:?}",
            metrics.resume
        );
        Ok(())
    });
}

#[test]
fn a_click_the_network_swallowed_is_sent_again_after_the_resume_and_counted_once() {
    let (app, counts) = counter_app();
    run(app, async |page| {
        let proxy = FaultProxy::start(page.server().local_addr())?;
        page.client().goto(&proxy.url("/")).await?;
        page.wait_text("#count", "0").await?;
        page.click("#plus").await?;
        page.wait_text("#count", "1").await?;
        page.wait_until(
            "the first click acknowledged, on the acknowledged stream",
            &window_state("w.ack_mode === true && w.last_sent === 1 && w.unconfirmed === 0"),
            Vec::new(),
        )
        .await?;

        // What the browser sends stops on the way: the click leaves the page, never arrives.
        proxy.pause(Direction::Upstream);
        let upstream = proxy.stats().bytes_upstream;
        page.click("#plus").await?;
        page.wait_until(
            "the second click sent and kept",
            &window_state("w.last_sent === 2 && w.unconfirmed === 1"),
            Vec::new(),
        )
        .await?;
        proxy.cut_now();
        // An ACK read just before the pause may still have been delivered; the click (some
        // 200 bytes) was not.
        let delivered = proxy.stats().bytes_upstream - upstream;
        if delivered >= 100 {
            return Err(fail(format!(
                "{delivered} bytes reached the server after the pause"
            )));
        }
        until("the window detached", || {
            page.server().metrics().resume.detached_windows == 1
        })
        .await?;
        assert_eq!(counts.clicks.load(Ordering::SeqCst), 1);
        proxy.resume(Direction::Upstream);

        // The page reconnects and resumes; RESUMED says the server has event 1, not 2.
        page.wait_text("#count", "2").await?;
        page.wait_until(
            "the click sent again acknowledged, and the notice gone",
            &window_state(
                "w.unconfirmed === 0 && w.resuming === false \
                 && document.querySelector('.lona-notice-disconnected') === null",
            ),
            Vec::new(),
        )
        .await?;
        assert_eq!(
            counts.clicks.load(Ordering::SeqCst),
            2,
            "each click ran once"
        );
        assert_eq!(
            counts.starts.load(Ordering::SeqCst),
            1,
            "handle_request ran once"
        );
        let metrics = page.server().metrics();
        assert_eq!(metrics.resume.duplicate_events, 0, "{:?}", metrics.resume);
        assert_eq!(metrics.resume.replayed + metrics.resume.full_tree, 1);
        page.click("#plus").await?;
        page.wait_text("#count", "3").await?;
        Ok(())
    });
}

#[test]
fn a_click_that_arrived_before_the_cut_is_not_sent_again() {
    let (app, counts) = counter_app();
    run(app, async |page| {
        let proxy = FaultProxy::start(page.server().local_addr())?;
        page.client().goto(&proxy.url("/")).await?;
        page.wait_text("#count", "0").await?;
        page.wait_until(
            "the window on the acknowledged stream",
            &window_state("w.ack_mode === true"),
            Vec::new(),
        )
        .await?;

        // What the server sends stops on the way: the click arrives, its answer does not.
        proxy.pause(Direction::Downstream);
        page.click("#plus").await?;
        until("the server handled the click", || {
            counts.clicks.load(Ordering::SeqCst) == 1
        })
        .await?;
        page.wait_until(
            "the click kept, unacknowledged",
            &window_state("w.last_sent === 1 && w.unconfirmed === 1"),
            Vec::new(),
        )
        .await?;
        proxy.cut_now();
        until("the window detached", || {
            page.server().metrics().resume.detached_windows == 1
        })
        .await?;
        proxy.resume(Direction::Downstream);

        page.wait_text("#count", "1").await?;
        page.wait_until(
            "resumed, nothing left to send again",
            &window_state("w.unconfirmed === 0 && w.resuming === false"),
            Vec::new(),
        )
        .await?;
        assert_eq!(counts.clicks.load(Ordering::SeqCst), 1, "ran once");
        assert_eq!(
            counts.starts.load(Ordering::SeqCst),
            1,
            "handle_request ran once"
        );
        let metrics = page.server().metrics();
        assert_eq!(
            metrics.resume.duplicate_events, 0,
            "RESUMED named it: not sent again"
        );
        page.click("#plus").await?;
        page.wait_text("#count", "2").await?;
        assert_eq!(counts.clicks.load(Ordering::SeqCst), 2);
        Ok(())
    });
}

/// Shows `#n`, set to each number the test sends, one update each; keeps its root for the test.
struct Ticker {
    numbers: Receiver<u32>,
    shown: Arc<Mutex<Option<Node>>>,
}

impl View for Ticker {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let n = tags::span().with_id("n").with_text("0");
        let root = tags::div().with_child(&n);
        cx.show(&root)?;
        *self.shown.lock() = Some(root.clone());
        loop {
            // Short waits, so that a stop is seen; the test never waits on this timeout.
            match self.numbers.recv_timeout(Duration::from_millis(20)) {
                Ok(value) => {
                    n.set_text(value.to_string());
                    cx.show(&root)?;
                }
                Err(RecvTimeoutError::Timeout) => cx.sleep(Duration::ZERO)?,
                Err(RecvTimeoutError::Disconnected) => return Ok(Response::Empty),
            }
        }
    }
}

#[test]
fn five_hundred_updates_lost_in_the_network_are_replayed_after_the_resume() {
    let (numbers, received) = unbounded();
    let shown = Arc::new(Mutex::new(None::<Node>));
    let mut app = app();
    app.view("/", {
        let shown = Arc::clone(&shown);
        move |_| Ticker {
            numbers: received.clone(),
            shown: Arc::clone(&shown),
        }
    });
    let server_text = || shown.lock().as_ref().map(Node::text_content);
    run(app, async |page| {
        let proxy = FaultProxy::start(page.server().local_addr())?;
        page.client().goto(&proxy.url("/")).await?;
        page.wait_text("#n", "0").await?;
        page.wait_until(
            "the window on the acknowledged stream",
            &window_state("w.ack_mode === true"),
            Vec::new(),
        )
        .await?;

        // The network goes silent: the server writes 500 updates that never arrive.
        proxy.blackhole();
        for n in 1..=500 {
            numbers.send(n).map_err(|e| fail(e.to_string()))?;
        }
        until("the view showed 500", || {
            server_text().as_deref() == Some("500")
        })
        .await?;
        proxy.cut_now();
        until("the window detached", || {
            page.server().metrics().resume.detached_windows == 1
        })
        .await?;
        proxy.restore();

        page.wait_text("#n", "500").await?;
        page.wait_until("resumed", &window_state("w.resuming === false"), Vec::new())
            .await?;
        let text = page
            .eval(
                "return document.querySelector('#lona').textContent;",
                Vec::new(),
            )
            .await?;
        assert_eq!(
            text.as_str(),
            server_text().as_deref(),
            "the DOM's text is the server's"
        );
        let metrics = page.server().metrics().resume;
        assert_eq!((metrics.replayed, metrics.full_tree), (1, 0), "{metrics:?}");
        assert!(metrics.replayed_bytes > 0, "{metrics:?}");
        Ok(())
    });
}

/// A script function: the text of the notice of `kind` (`disconnected`, `reset`), or null.
const NOTICE: &str = "function text(kind) { \
                      const e = document.querySelector('.lona-notice-' + kind); \
                      return e === null ? null : e.textContent; }";

#[test]
fn past_the_grace_the_page_says_the_view_expired_and_shows_a_fresh_one() {
    let (mut app, counts) = counter_app();
    app.settings.resume_grace = Duration::from_millis(300);
    run(app, async |page| {
        let proxy = FaultProxy::start(page.server().local_addr())?;
        open_counter(page, &proxy, 3).await?;

        // The network goes away and stays away past the grace: the page says "connection
        // lost" (the network), nothing about the view, which the server still runs.
        proxy.refuse_new(true);
        proxy.cut_now();
        page.wait_until(
            "the connection-lost notice, and no other",
            &format!(
                "{NOTICE} return text('disconnected') === 'Connection lost, reconnecting...' \
                 && text('reset') === null;"
            ),
            vec![],
        )
        .await?;
        until("the old view's on_stop and on_cleanup", || {
            counts.stopped.load(Ordering::SeqCst) == 1
                && counts.cleaned_up.load(Ordering::SeqCst) == 1
        })
        .await?;
        until("the view gone from the server", || {
            page.server().metrics().views == 0
        })
        .await?;
        assert_eq!(page.server().metrics().resume.detached_windows, 0);

        // The network is back: the RESUME finds nothing, and the page says the view expired,
        // in the reset notice, with the connection-lost one gone; a fresh view starts.
        proxy.refuse_new(false);
        page.wait_until(
            "the expired notice instead of the connection-lost one",
            &format!(
                "{NOTICE} const reset = text('reset'); \
                 return reset !== null && reset.includes('expired') \
                 && text('disconnected') === null;"
            ),
            vec![],
        )
        .await?;
        page.wait_text("#count", "0").await?;
        let marker = page
            .eval("return window.lonaTestMarker === 'same page';", Vec::new())
            .await?;
        assert_eq!(marker, serde_json::Value::Bool(true), "no page reload");
        assert_eq!(counts.starts.load(Ordering::SeqCst), 2, "a fresh view");
        let metrics = page.server().metrics();
        assert_eq!(metrics.resume.failed, 1, "{:?}", metrics.resume);
        assert_eq!(metrics.resume.replayed + metrics.resume.full_tree, 0);
        // The fresh view is a live one.
        page.click("#plus").await?;
        page.wait_text("#count", "1").await?;
        Ok(())
    });
}
