//! Count to ten: a loop with `sleep` and `show`, Lona's classic. Close the tab mid-count and
//! the view stops at once: `sleep` returns `Stopped`, and `?` ends the loop.
//!
//! `cargo run -p examples --example count_to_ten`, then open http://127.0.0.1:8080/

use std::time::Duration;

use lona::prelude::*;

/// Counts to ten in `#counter`, one a second.
#[derive(Debug)]
pub struct CountToTen;

impl View for CountToTen {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let counter = tags::span().with_id("counter").with(0);
        let html = tags::div().with((tags::h1().with("Counting to ten"), &counter));
        cx.show(&html)?;
        for i in 1..=10 {
            cx.sleep(Duration::from_secs(1))?;
            counter.set_content(i);
            cx.show(&html)?;
        }
        counter.set_text("10: done");
        Ok(html.into())
    }
}

/// The app: the count on `/`.
pub fn app() -> App {
    let mut app = App::new();
    app.view("/", |_request| CountToTen);
    app
}

/// Runs the example with its command line: on 127.0.0.1:8080, or
/// `-- run-server --host H --port P`.
pub fn main() -> lona::Result<()> {
    app().main()
}
