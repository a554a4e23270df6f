//! The README's counter: typed state in a `Live` value that a `<span>` shows, and a click
//! handler that changes it. The handler runs on the worker pool; what it changes is sent when
//! it returns, and the view's `handle_request` has long returned.
//!
//! `cargo run -p examples --example click_handler`, then open http://127.0.0.1:8080/

use lona::prelude::*;

/// A counter: each click on `#plus` raises the number in `#count`.
#[derive(Debug)]
pub struct Counter;

impl View for Counter {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let count = Live::new_in(tags::span().with_id("count"), 0);
        let plus = tags::button().with_id("plus").with("+1");
        let html = tags::div().with((tags::h1().with("Counter"), &count, " ", &plus));
        cx.on_click(&plus, move |_, _| count.update(|n| *n += 1));
        Ok(html.into())
    }
}

/// The app: the counter on `/`.
pub fn app() -> App {
    let mut app = App::new();
    app.view("/", |_request| Counter);
    app
}

/// Runs the example with its command line: on 127.0.0.1:8080, or
/// `-- run-server --host H --port P`.
pub fn main() -> lona::Result<()> {
    app().main()
}
