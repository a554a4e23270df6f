//! A view outlives its socket in Chromium: the network is cut through `lona-test`'s fault
//! proxy, the user goes on clicking, and when the network is back the page resumes the same
//! running view, with the clicks made offline and the text half typed before the cut.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use lona::prelude::*;
use lona_test::{Direction, FaultProxy};

use super::support::{app, run};

/// A counter and a text input; counts how often `handle_request` ran.
struct Counter {
    starts: Arc<AtomicUsize>,
}

impl View for Counter {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        self.starts.fetch_add(1, Ordering::SeqCst);
        let count = Live::new_in(tags::span().with_id("count"), 0);
        let plus = tags::button().with_id("plus").with("+1");
        let name = TextInput::new().with_id("name");
        let html = tags::div().with((&count, " ", &plus, " ", &name));
        cx.on_click(&plus, move |_, _| count.update(|n| *n += 1));
        Ok(html.into())
    }
}

#[test]
fn clicks_made_offline_and_half_typed_text_survive_a_cut_socket() {
    let starts = Arc::new(AtomicUsize::new(0));
    let mut app = app();
    app.view("/", {
        let starts = Arc::clone(&starts);
        move |_| Counter {
            starts: Arc::clone(&starts),
        }
    });
    run(app, async |page| {
        let proxy = FaultProxy::start(page.server().local_addr())?;
        proxy.latency(Direction::Both, std::time::Duration::from_millis(10));
        page.client().goto(&proxy.url("/")).await?;
        page.wait_text("#count", "0").await?;
        for n in 1..=7 {
            page.click("#plus").await?;
            page.wait_text("#count", &n.to_string()).await?;
        }
        page.wait_until(
            "the window to be on the acknowledged stream",
            "return window.lona_context.state().windows[0].ack_mode === true;",
            Vec::new(),
        )
        .await?;
        // A marker that a page reload would lose.
        page.eval(
            "window.lonaTestMarker = 'same page'; return true;",
            Vec::new(),
        )
        .await?;
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
        assert_eq!(starts.load(Ordering::SeqCst), 1, "handle_request ran once");
        let metrics = page.server().metrics();
        assert!(
            metrics.resume.replayed + metrics.resume.full_tree >= 1,
            "{:?}",
            metrics.resume
        );
        Ok(())
    });
}
