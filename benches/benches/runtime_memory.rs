//! Memory per idle view: how much resident memory a view costs while it waits for a click,
//! for async views (10,000 of them) and blocking views (1,000, one parked thread each).
//!
//! Not a criterion bench: it measures the process's resident set size (Linux
//! `/proc/self/statm`) before and after starting the views, and writes its figures to
//! `target/bench-rows/runtime_memory.tsv`, which `cargo xtask bench` adds to its table. Under
//! `cargo test` (no `--bench` argument) it runs a small smoke version and writes nothing.
//! The counted view is a small counter: a tree of five nodes, its connection and its outbox.
#![allow(
    clippy::print_stdout,
    reason = "a bench binary reports what it measured"
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use lona_html::tags::{button, div, span};
use lona_protocol::WindowId;
use lona_runtime::{
    AsyncContext, AsyncView, Connection, Context, OutboxLimits, Request, Response, Runtime,
    RuntimeConfig, SessionId, View, ViewFactory, ViewResult,
};

struct AsyncCounter {
    waiting: Arc<AtomicUsize>,
}

impl AsyncView for AsyncCounter {
    async fn handle_request(&self, cx: &AsyncContext, _request: &Request) -> ViewResult {
        let count = span().with_text("0");
        let plus = button().with_text("+1");
        cx.show(&div().with_child(&count).with_child(&plus))?;
        self.waiting.fetch_add(1, Ordering::Release);
        cx.await_click(&[&plus]).await?;
        count.set_text("1");
        Ok(Response::Empty)
    }
}

struct BlockingCounter {
    waiting: Arc<AtomicUsize>,
}

impl View for BlockingCounter {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let count = span().with_text("0");
        let plus = button().with_text("+1");
        cx.show(&div().with_child(&count).with_child(&plus))?;
        self.waiting.fetch_add(1, Ordering::Release);
        cx.await_click(&[&plus])?;
        count.set_text("1");
        Ok(Response::Empty)
    }
}

fn resident_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: usize = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

/// Starts a runtime and `n` views, and returns the resident bytes per view once all of them
/// wait. The runtime is counted too: for blocking views its threads are the main cost.
fn per_view(config: RuntimeConfig, factory: &ViewFactory, waiting: &AtomicUsize, n: usize) -> f64 {
    let before = resident_bytes();
    let runtime = Runtime::new(config);
    let connections: Vec<Arc<Connection>> = (0..n)
        .map(|i| {
            let session = SessionId::new(format!("session-{i}"));
            let conn = Connection::new(session.clone(), OutboxLimits::default());
            let request = Request::new("http://localhost/counter", session);
            runtime
                .start_view(factory, request, &conn, WindowId(1))
                .expect("the view starts");
            conn
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(120);
    while waiting.load(Ordering::Acquire) < n {
        assert!(Instant::now() < deadline, "views did not all start");
        std::thread::yield_now();
    }
    // A server writes frames out as they come; drop them as it would.
    for conn in &connections {
        while conn.try_next().is_some() {}
    }
    let after = resident_bytes();
    let figure = after.saturating_sub(before) as f64 / n as f64;
    for conn in &connections {
        runtime.connection_closed(conn);
    }
    runtime.shutdown();
    figure
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let (async_views, blocking_views) = if bench { (10_000, 1_000) } else { (100, 20) };

    let waiting = Arc::new(AtomicUsize::new(0));
    let factory = {
        let waiting = Arc::clone(&waiting);
        ViewFactory::asynchronous(move |_| AsyncCounter {
            waiting: Arc::clone(&waiting),
        })
    };
    let async_figure = per_view(RuntimeConfig::default(), &factory, &waiting, async_views);

    let waiting = Arc::new(AtomicUsize::new(0));
    let factory = {
        let waiting = Arc::clone(&waiting);
        ViewFactory::blocking(move |_| BlockingCounter {
            waiting: Arc::clone(&waiting),
        })
    };
    let config = RuntimeConfig {
        runtime_threads: blocking_views,
        // Views start faster than a loaded machine starts their threads; the ones waiting for
        // a thread must not be refused, or the figure would depend on the machine's load.
        runtime_queue: blocking_views,
        ..RuntimeConfig::default()
    };
    let blocking_figure = per_view(config, &factory, &waiting, blocking_views);

    println!("memory per idle async view ({async_views}): {async_figure:.0} bytes");
    println!("memory per idle blocking view ({blocking_views}): {blocking_figure:.0} bytes");
    if bench {
        let rows = format!(
            "runtime/memory_per_async_view/{async_views}\t{async_figure:.0}\tbytes\t{blocking_figure:.0}\n\
             runtime/memory_per_blocking_view/{blocking_views}\t{blocking_figure:.0}\tbytes\t\n"
        );
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-rows");
        let written = std::fs::create_dir_all(&dir)
            .and_then(|()| std::fs::write(dir.join("runtime_memory.tsv"), rows));
        if let Err(error) = written {
            println!("could not write the bench rows: {error}");
        }
    }
}
