//! A daemon view shared by two tabs: open the page in two tabs of one browser and click in
//! either; both show the same count. Reload, or close both tabs and come back: the view kept
//! running and you re-attach to it. Another browser (another session) gets its own view.
//!
//! `cargo run -p examples --example daemon`, then open http://127.0.0.1:8080/ twice

use std::sync::atomic::{AtomicU64, Ordering};

use lona::prelude::*;

/// One counter per session, shared by every tab of the browser and kept while none is open:
/// each click on `#plus` raises `#count`.
#[derive(Debug)]
pub struct SharedCounter;

impl View for SharedCounter {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        cx.daemonize();
        let count = tags::span().with_id("count").with(0);
        let plus = tags::button().with_id("plus").with("+1");
        let html = tags::div().with((
            tags::h1().with("One counter, every tab"),
            &count,
            " ",
            &plus,
        ));
        // The number is typed state the handler owns; the tree only shows it. A view handles
        // its events one at a time, in order, whichever tab sent them.
        let clicks = AtomicU64::new(0);
        cx.on_click(&plus, move |_cx, _event| {
            count.set_content(clicks.fetch_add(1, Ordering::Relaxed) + 1);
        });
        Ok(html.into())
    }
}

/// The app: the shared counter on `/`.
pub fn app() -> App {
    let mut app = App::new();
    app.view("/", |_request| SharedCounter);
    app
}

/// Runs the example on `LONA_ADDR` (127.0.0.1:8080 unless set).
pub fn main() -> lona::Result<()> {
    let addr = std::env::var("LONA_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".to_owned());
    app().run(&addr)?;
    Ok(())
}
