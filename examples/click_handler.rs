//! The README's version of the first app: a counter whose button has a click handler. The
//! handler runs on the worker pool; what it changes is sent when it returns, and the view's
//! `handle_request` has long returned.
//!
//! `cargo run -p examples --example click_handler`, then open http://127.0.0.1:8080/

use lona::prelude::*;

/// A counter: each click on `#plus` raises the number in `#count`, in a handler on the worker
/// pool.
#[derive(Debug)]
pub struct Counter;

impl View for Counter {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let count = tags::span().with_id("count").with(0);
        let plus = tags::button().with_id("plus").with("+1");
        cx.on_click(&plus, {
            let count = count.clone();
            move |_cx, _event| {
                // Read-modify-write from several threads: hold the tree's lock.
                let _lock = count.lock();
                let n: u64 = count.text_content().parse().unwrap_or(0);
                count.set_content(n + 1);
            }
        });
        let html = tags::div().with((tags::h1().with("Counter"), &count, " ", &plus));
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
