//! The grace of a detached view runs out in Chromium: the network is cut (through `lona-test`'s
//! fault proxy) for longer than `resume_grace`, the server stops the old view (`on_stop`,
//! `on_cleanup`), and when the network is back the page says so, in a notice of its own that
//! is not the "connection lost" one, and shows a fresh view: never a silent reset, never a
//! reload.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use lona::prelude::*;
use lona_test::FaultProxy;

use super::support::{Result, WAIT, app, fail, run};

#[derive(Default)]
struct Counts {
    starts: AtomicUsize,
    stopped: AtomicUsize,
    cleaned_up: AtomicUsize,
}

/// A counter that reports its lifecycle.
struct Counter {
    counts: Arc<Counts>,
}

impl View for Counter {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        self.counts.starts.fetch_add(1, Ordering::SeqCst);
        let count = Live::new_in(tags::span().with_id("count"), 0);
        let plus = tags::button().with_id("plus").with("+1");
        let html = tags::div().with((&count, " ", &plus));
        cx.on_click(&plus, move |_, _| count.update(|n| *n += 1));
        Ok(html.into())
    }

    fn on_stop(&self, _reason: Option<&StopReason>) {
        self.counts.stopped.fetch_add(1, Ordering::SeqCst);
    }

    fn on_cleanup(&self) {
        self.counts.cleaned_up.fetch_add(1, Ordering::SeqCst);
    }
}

/// Waits until the server side says `condition`, polling as the page waits do.
async fn until(what: &str, condition: impl Fn() -> bool) -> Result {
    let deadline = Instant::now() + WAIT;
    while !condition() {
        if Instant::now() >= deadline {
            return Err(fail(format!("timed out after {WAIT:?} waiting for {what}")));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(())
}

/// A script function: the text of the notice of `kind` (`disconnected`, `reset`), or null.
const NOTICE: &str = "function text(kind) { \
                      const e = document.querySelector('.lona-notice-' + kind); \
                      return e === null ? null : e.textContent; }";

#[test]
fn past_the_grace_the_page_says_the_view_expired_and_shows_a_fresh_one() {
    let counts = Arc::new(Counts::default());
    let mut app = app();
    app.settings.resume_grace = Duration::from_millis(300);
    app.view("/", {
        let counts = Arc::clone(&counts);
        move |_| Counter {
            counts: Arc::clone(&counts),
        }
    });
    run(app, async |page| {
        let proxy = FaultProxy::start(page.server().local_addr())?;
        page.client().goto(&proxy.url("/")).await?;
        page.wait_text("#count", "0").await?;
        for n in 1..=3 {
            page.click("#plus").await?;
            page.wait_text("#count", &n.to_string()).await?;
        }
        page.wait_until(
            "the window to be on the acknowledged stream",
            "return window.lona_context.state().windows[0].ack_mode === true;",
            Vec::new(),
        )
        .await?;
        page.eval(
            "window.lonaTestMarker = 'same page'; return true;",
            Vec::new(),
        )
        .await?;

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
