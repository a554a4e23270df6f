//! `lona-bench runtime-idle`: memory per idle async view at the runtime level, for more views
//! than the machine's file limit allows sockets (100,000 where 20,000 files are allowed).
//!
//! Each view is the bench server's `/idle-async` page (a counter parked in `await_click`) on
//! its own fake connection: the runtime's `Connection` without a socket, drained as the
//! server's writer drains it, each with its own session, run as a task on tokio as the server
//! runs async views. What a socket adds (tungstenite, the reader and writer tasks, the kernel's
//! side aside) is `lona-bench idle`'s figure minus this one.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use lona::prelude::*;
use lona_protocol::WindowId;
use lona_runtime::{
    Connection, OutboxLimits, Runtime, RuntimeConfig, SessionId, Spawn, Task, ViewFactory,
};
use serde_json::json;

use crate::alloc_count;

/// The bench server's `/idle-async` view, which also counts the views parked in their wait.
struct IdleAsync {
    waiting: Arc<AtomicUsize>,
}

impl AsyncView for IdleAsync {
    async fn handle_request(&self, cx: &AsyncContext, _request: &Request) -> ViewResult {
        let count = tags::span().with_id("count").with_text("0");
        let plus = tags::button().with_id("plus").with_text("+1");
        cx.show(&tags::div().with_child(&count).with_child(&plus))?;
        self.waiting.fetch_add(1, Ordering::Release);
        cx.await_click(&[&plus]).await?;
        count.set_text("1");
        Ok(Response::Empty)
    }
}

/// Lends tokio's executor to the views, as the server does.
struct TokioSpawner(tokio::runtime::Handle);

impl Spawn for TokioSpawner {
    fn spawn(&self, task: Task) {
        self.0.spawn(task);
    }
}

/// Starts `views` idle views on fake connections and reports the resident memory (and the
/// live heap) they add, per view; with `sizes`, the allocations they hold by size.
pub(crate) async fn run(views: usize, sizes: bool) -> Result<serde_json::Value, String> {
    let pid = std::process::id();
    let by_size_before = alloc_count::live_by_size();
    let heap_before = alloc_count::live_bytes();
    let allocations_before = alloc_count::live_allocations();
    let rss_before = crate::resident_bytes(pid);
    let started = Instant::now();
    // The server's defaults, except the per-session and per-address counts: every view here
    // has its own session and no address, as behind one trusted proxy.
    let runtime = Runtime::with_spawner(
        RuntimeConfig::default(),
        Arc::new(TokioSpawner(tokio::runtime::Handle::current())),
    );
    let waiting = Arc::new(AtomicUsize::new(0));
    let factory = {
        let waiting = Arc::clone(&waiting);
        ViewFactory::asynchronous(move |_| IdleAsync {
            waiting: Arc::clone(&waiting),
        })
    };
    let mut connections = Vec::with_capacity(views);
    let mut errors = 0u64;
    for i in 0..views {
        let session = SessionId::new(format!("{i:032x}"));
        let connection = Connection::new(session.clone(), OutboxLimits::default());
        let request = Request::new("http://127.0.0.1:8080/idle-async", session);
        match runtime.start_view(&factory, request, &connection, WindowId(1)) {
            Ok(_) => connections.push(connection),
            Err(_) => errors += 1,
        }
        if i % 1000 == 999 {
            // Let the views run as they start, as they would behind a socket.
            drain(&connections[connections.len().saturating_sub(1000)..]);
            tokio::task::yield_now().await;
        }
    }
    let deadline = Instant::now() + Duration::from_secs(300);
    while waiting.load(Ordering::Acquire) < connections.len() {
        if Instant::now() >= deadline {
            return Err("the views did not all start".to_owned());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // A server writes frames out as they come; drop them as it would.
    drain(&connections);
    let connect_seconds = started.elapsed().as_secs_f64();
    let rss_after = crate::resident_bytes(pid);
    let heap_after = alloc_count::live_bytes();
    let allocations_after = alloc_count::live_allocations();
    let by_size_after = alloc_count::live_by_size();
    let opened = connections.len().max(1) as f64;
    let mut report = json!({
        "views": connections.len(),
        "errors": errors,
        "connect_seconds": connect_seconds,
        "rss_before": rss_before,
        "rss_after": rss_after,
        "bytes_per_view": (rss_after - rss_before) / opened,
        "heap_bytes_per_view": heap_after.saturating_sub(heap_before) as f64 / opened,
        "allocations_per_view": allocations_after.saturating_sub(allocations_before) as f64 / opened,
    });
    if sizes {
        report["allocations_by_size"] = held_by_size(&by_size_before, &by_size_after, opened);
    }
    for connection in &connections {
        runtime.connection_closed(connection);
    }
    runtime.shutdown();
    Ok(report)
}

/// The allocations held per view by size (`"size": count per view`), sizes held by at least
/// one view in ten; the last size class counts everything at or above it.
fn held_by_size(before: &[usize], after: &[usize], views: f64) -> serde_json::Value {
    let mut held = serde_json::Map::new();
    for (size, (before, after)) in before.iter().zip(after).enumerate() {
        let per_view = after.saturating_sub(*before) as f64 / views;
        if per_view >= 0.1 {
            held.insert(size.to_string(), json!((per_view * 100.0).round() / 100.0));
        }
    }
    serde_json::Value::Object(held)
}

fn drain(connections: &[Arc<Connection>]) {
    for connection in connections {
        while connection.try_next().is_some() {}
    }
}
