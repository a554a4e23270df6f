//! First paint in Chromium: the page arrives with its view's tree, the client adopts that
//! running view (its `handle_request` ran once), and the adopted view takes clicks.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use lona::prelude::*;

use super::support::{app, fail, run};

/// Counts its starts and the clicks on its button.
struct Clicker {
    starts: Arc<AtomicUsize>,
}

impl View for Clicker {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let n = self.starts.fetch_add(1, Ordering::SeqCst) + 1;
        let clicks = tags::span().with_id("clicks").with_text("0");
        let button = tags::button().with_id("more").with_text("more");
        let count = AtomicUsize::new(0);
        {
            let clicks = clicks.clone();
            cx.on_click(&button, move |_cx, _event| {
                let n = count.fetch_add(1, Ordering::SeqCst) + 1;
                clicks.set_text(n.to_string());
            });
        }
        let root = tags::div()
            .with_child(tags::p().with_id("start").with_text(n.to_string()))
            .with_child(&clicks)
            .with_child(&button);
        cx.show(&root)?;
        Ok(Response::Empty)
    }
}

#[test]
fn the_client_adopts_the_painted_view_which_runs_once_and_takes_clicks() {
    let starts = Arc::new(AtomicUsize::new(0));
    let mut app = app();
    {
        let starts = Arc::clone(&starts);
        app.view("/", move |_| Clicker {
            starts: Arc::clone(&starts),
        });
    }
    run(app, async |page| {
        page.open("/").await?;
        page.wait_until(
            "the window attached to a view",
            "const state = window.lona_context.state(); \
             return state.connected && state.windows[0].runtime_id !== null;",
            Vec::new(),
        )
        .await?;
        page.wait_text("#start", "1").await?;
        page.click("#more").await?;
        page.wait_text("#clicks", "1").await?;
        page.click("#more").await?;
        page.wait_text("#clicks", "2").await?;
        let started = starts.load(Ordering::SeqCst);
        if started != 1 {
            return Err(fail(format!("handle_request ran {started} times")));
        }
        let paint = page.server().metrics().paint;
        if (paint.served, paint.adopted, paint.refused) != (1, 1, 0) {
            return Err(fail(format!("first paint metrics: {paint:?}")));
        }
        // The painted elements were taken over, not built anew: the tree's nodes carry the
        // ids the page was painted with, and the page has one `#start` only.
        let count = page
            .eval(
                "return document.querySelectorAll('#lona #start').length;",
                Vec::new(),
            )
            .await?;
        if count != serde_json::json!(1) {
            return Err(fail(format!("#start elements: {count}")));
        }
        Ok(())
    });
}
