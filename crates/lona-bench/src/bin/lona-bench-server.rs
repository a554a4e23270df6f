//! The app the load generator measures: a counter whose button has a click handler (`/`), the
//! same counter above a 100-row table (`/page`, a page of some weight for the resume bytes), a
//! view parked in `await_click` as an async view (`/idle-async`) and as a blocking view
//! (`/idle-blocking`), a non-interactive hello page (`/hello` from a handler on the worker pool,
//! `/hello-async` from one on the I/O threads), a daemon view (`/daemon`), the counter as a
//! broadcast view every socket watches (`/broadcast`), and static files from the folder
//! in `LONA_BENCH_STATIC_DIR` under `/static/`. Prints its address on the first line of stdout
//! and serves until stdin closes.
#![allow(
    clippy::print_stdout,
    reason = "the address is the one line a bench runner reads"
)]

use std::io::Read;

use lona::prelude::*;

struct Counter;

impl View for Counter {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let count = Live::new_in(tags::span().with_id("count"), 0_u64);
        let plus = tags::button().with_id("plus").with("+1");
        let html = tags::div().with((&count, &plus));
        cx.on_click(&plus, move |_, _| count.update(|n| *n += 1));
        Ok(html.into())
    }
}

/// The counter above a table of 100 rows: what a resume costs beside a whole tree shows on a
/// page of some weight.
struct Page;

impl View for Page {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let count = Live::new_in(tags::span().with_id("count"), 0_u64);
        let plus = tags::button().with_id("plus").with("+1");
        let rows = (1..=100).map(|n| {
            tags::tr().with((
                tags::td().with(n),
                tags::td().with(format!("Row {n} of the report")),
                tags::td().with(n * 37 % 1000),
            ))
        });
        let html = tags::div().with((&count, &plus, tags::table().with(rows)));
        cx.on_click(&plus, move |_, _| count.update(|n| *n += 1));
        Ok(html.into())
    }
}

/// A small counter page that waits for a click without a thread; as a daemon (`/daemon`) it
/// outlives its socket and waits for its session to come back (what `cargo xtask soak` leaves
/// behind with cookie-less sockets).
struct IdleAsync {
    daemon: bool,
}

impl AsyncView for IdleAsync {
    async fn handle_request(&self, cx: &AsyncContext, _request: &Request) -> ViewResult {
        if self.daemon {
            cx.daemonize();
        }
        let count = tags::span().with_id("count").with_text("0");
        let plus = tags::button().with_id("plus").with_text("+1");
        cx.show(&tags::div().with_child(&count).with_child(&plus))?;
        cx.await_click(&[&plus]).await?;
        count.set_text("1");
        Ok(Response::Empty)
    }
}

/// The same page waiting on a runtime thread.
struct IdleBlocking;

impl View for IdleBlocking {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let count = tags::span().with_id("count").with_text("0");
        let plus = tags::button().with_id("plus").with_text("+1");
        cx.show(&tags::div().with_child(&count).with_child(&plus))?;
        cx.await_click(&[&plus])?;
        count.set_text("1");
        Ok(Response::Empty)
    }
}

fn main() -> lona::Result<()> {
    // A log only when asked for (`cargo xtask soak` measures what attacks write to it).
    if std::env::var_os("RUST_LOG").is_some() {
        lona::init_logging();
    }
    let runtime_threads = std::env::var("LONA_BENCH_RUNTIME_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    let mut app = App::new();
    app.settings.max_runtime_threads = runtime_threads;
    // `LONA_BENCH_LIMITS=deployment`: every limit and timeout at its default, as a deployment
    // load-tested from one machine would run: only the caps that count one address (and the
    // process's connection cap, 10,000 by default, which 10,000 views fill) are raised, since
    // every view of the load generator comes from 127.0.0.1.
    let deployment = std::env::var("LONA_BENCH_LIMITS").is_ok_and(|v| v == "deployment");
    if deployment {
        app.settings.max_views_per_ip = 30_000;
        app.settings.max_connections_per_ip = 30_000;
        app.settings.max_connections = 30_000;
    }
    let lifted = std::env::var_os("LONA_BENCH_DEFAULT_LIMITS").is_none() && !deployment;
    if lifted {
        app.settings.max_runtime_queue = 100_000;
    }
    // The load generator opens every view from one address and clicks as fast as answers
    // come: lift the per-visitor limits, or the benchmark measures them instead.
    // `cargo xtask soak` keeps the defaults: it measures them.
    if lifted {
        app.settings.max_views_per_ip = usize::MAX;
        app.settings.max_view_requests_per_second = 0;
        app.settings.max_events_per_second = 0;
        app.settings.max_connections_per_ip = usize::MAX;
        app.settings.max_connections = 1_000_000;
        app.settings.max_views_per_session = usize::MAX;
    }
    if let Some(dir) = std::env::var_os("LONA_BENCH_STATIC_DIR") {
        app.settings.static_dirs = vec![dir.into()];
    }
    // `lona-bench detached` reads the detached-windows gauge.
    app.settings.metrics_url_prefix = Some("/metrics".to_owned());
    // `LONA_*` variables override the above, for experiments (`LONA_MAX_WORKER_THREADS=2`).
    app.settings.load_env()?;
    app.view("/", |_| Counter);
    app.view("/page", |_| Page);
    app.async_view("/idle-async", |_| IdleAsync { daemon: false });
    app.view("/idle-blocking", |_| IdleBlocking);
    app.async_view("/daemon", |_| IdleAsync { daemon: true });
    app.view("/broadcast", |_| Counter).broadcast();
    app.http("/hello", |_| HttpResponse::text("Hello, world!"));
    app.http_async("/hello-async", |_| async {
        HttpResponse::text("Hello, world!")
    });
    let server = app.spawn("127.0.0.1:0")?;
    println!("{}", server.local_addr());
    let mut rest = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut rest);
    server.shutdown();
    Ok(())
}
