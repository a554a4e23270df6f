//! An app's own admin page from the per-view accounting (docs/operations.md, "Per-view
//! accounting"): a counter on `/`, and on `/admin` a table of every running view,
//! the largest estimated memory first, with its events, 99th-percentile event-to-flush
//! latency and bytes sent; `#refresh` reads them again.
//!
//! The page shows every view's path and shortened session: a real app serves it to admins
//! only (a middleware that checks `Request::user`).
//!
//! `cargo run -p examples --example admin`, then open http://127.0.0.1:8080/ in a few tabs,
//! click, and open http://127.0.0.1:8080/admin.

use lona::metrics::ViewStats;
use lona::prelude::*;
use lona::view::ViewHandle;

/// A counter: each click on `#plus` raises the number in `#count`.
#[derive(Debug)]
pub struct Counter;

impl View for Counter {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let count = Live::new_in(tags::span().with_id("count"), 0);
        let plus = tags::button().with_id("plus").with("+1");
        let html = tags::div().with((&count, " ", &plus));
        cx.on_click(&plus, move |_, _| count.update(|n| *n += 1));
        Ok(html.into())
    }
}

/// The admin page: `#views` holds one `<tr>` per view (its id in `data-view`).
#[derive(Debug)]
pub struct Admin;

/// One view's row: id, path, session, state, events, p99 bound, bytes sent, memory.
fn row(view: &ViewStats) -> Node {
    let p99 = match view.latency.quantile(0.99) {
        None => "-".to_owned(),
        Some(bound) if bound == std::time::Duration::MAX => "> 1 s".to_owned(),
        Some(bound) => format!("≤ {bound:?}"),
    };
    tags::tr()
        .with_attr("data-view", view.id.0.to_string())
        .with((
            tags::td().with(view.id.0),
            tags::td().with(view.path.as_str()),
            tags::td().with_class("session").with(view.session.as_str()),
            tags::td().with(view.state.name()),
            tags::td().with_class("events").with(view.events),
            tags::td().with(p99),
            tags::td().with(view.bytes_sent),
            tags::td().with_class("memory").with(view.memory.total()),
        ))
}

/// Every view's row, the largest estimated memory first.
fn rows(cx: &ViewHandle) -> Vec<Node> {
    let mut views = cx.all_view_stats();
    views.sort_by_key(|view| std::cmp::Reverse(view.memory.total()));
    views.iter().map(row).collect()
}

impl View for Admin {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let header = tags::tr().with(
            [
                "id", "path", "session", "state", "events", "p99", "sent", "memory",
            ]
            .map(|name| tags::th().with(name)),
        );
        let body = tags::tbody().with_id("views").with(rows(cx));
        let refresh = tags::button().with_id("refresh").with("Refresh");
        let html = tags::div().with((
            tags::h1().with("Views"),
            &refresh,
            tags::table().with((tags::thead().with(header), &body)),
        ));
        cx.on_click(&refresh, move |cx, _| body.set_children(rows(cx)));
        Ok(html.into())
    }
}

/// The app: the counter on `/`, the admin page on `/admin`.
pub fn app() -> App {
    let mut app = App::new();
    app.view("/", |_request| Counter);
    app.view("/admin", |_request| Admin);
    app
}

/// Runs the example with its command line: on 127.0.0.1:8080, or
/// `-- run-server --host H --port P`.
pub fn main() -> lona::Result<()> {
    app().main()
}
