//! Benchmarks of the view runtime, in process with a fake connection: submit-to-start latency
//! on a pool, and a click's way through the worker pool to the flushed patch.

use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lona_html::Node;
use lona_protocol::WindowId;
use lona_protocol::client::{ClickData, EventKind, InputEvent, NodeInfo};
use lona_runtime::{
    Connection, Context, OutboxLimits, Outgoing, Pool, PoolConfig, Request, Response, Runtime,
    RuntimeConfig, SessionId, View, ViewFactory, ViewResult,
};
use parking_lot::Mutex;

fn submit_to_start(c: &mut Criterion) {
    let pool = Pool::new(PoolConfig {
        name: "bench".to_owned(),
        threads: 2,
        queue: 1024,
    });
    let (tx, rx) = crossbeam_channel::bounded::<()>(1);
    c.bench_function("runtime/submit_to_start/1", |b| {
        b.iter(|| {
            let tx = tx.clone();
            pool.try_submit(move || {
                let _ = tx.send(());
            })
            .map_err(|_| "queue full")
            .expect("room");
            rx.recv().expect("the job ran");
        })
    });
    pool.shutdown();
}

/// The counter of `examples/click_handler.rs` (one patch per click), which hands its `#plus`
/// button to the benchmark so that it can send clicks on it.
struct Counter {
    button: Arc<Mutex<Option<Node>>>,
}

impl View for Counter {
    fn handle_request(&self, cx: &Context, request: &Request) -> ViewResult {
        let response = examples::click_handler::Counter.handle_request(cx, request)?;
        if let Response::Node(root) = &response {
            *self.button.lock() = root.query_selector("#plus").ok().flatten();
        }
        Ok(response)
    }
}

fn click(node: &Node, event_id: u64) -> InputEvent {
    let info = NodeInfo {
        node_id: Some(node.id()),
        ..NodeInfo::default()
    };
    InputEvent {
        event_id,
        kind: EventKind::Click(ClickData::default()),
        node: info.clone(),
        target: info,
    }
}

/// Drains the connection until `wanted` updates have arrived.
fn wait_for_updates(conn: &Connection, wanted: usize) {
    let mut seen = 0;
    while seen < wanted {
        match conn.try_next() {
            Some(Outgoing::Update { .. }) => seen += 1,
            Some(_) => {}
            None => std::thread::yield_now(),
        }
    }
}

fn click_to_patch(c: &mut Criterion) {
    let runtime = Runtime::new(RuntimeConfig::default());
    let slot = Arc::new(Mutex::new(None));
    let factory = {
        let slot = Arc::clone(&slot);
        ViewFactory::blocking(move |_| Counter {
            button: Arc::clone(&slot),
        })
    };
    let session = SessionId::new("bench");
    let conn = Connection::new(
        session.clone(),
        OutboxLimits {
            merge_at: usize::MAX,
            close_at: usize::MAX,
        },
    );
    let id = runtime
        .start_view(
            &factory,
            Request::new("http://localhost/", session),
            &conn,
            WindowId(1),
        )
        .expect("starts");
    let button = loop {
        if let Some(button) = slot.lock().clone() {
            break button;
        }
        std::thread::yield_now();
    };
    // VIEW_START, the tree and VIEW_STOP: the view is ready for clicks.
    while conn.queued() < 3 {
        std::thread::yield_now();
    }
    while conn.try_next().is_some() {}
    let mut event_id = 0;
    c.bench_function("runtime/click_to_patch/1", |b| {
        b.iter(|| {
            event_id += 1;
            runtime.input_event(&conn, WindowId(1), id, click(&button, event_id));
            wait_for_updates(&conn, 1);
        })
    });
    let mut group = c.benchmark_group("runtime");
    group.throughput(Throughput::Elements(1000));
    group.bench_function("dispatch_throughput/1000", |b| {
        b.iter(|| {
            for _ in 0..1000 {
                event_id += 1;
                runtime.input_event(&conn, WindowId(1), id, click(&button, event_id));
            }
            wait_for_updates(&conn, 1000);
        })
    });
    group.finish();
    runtime.shutdown();
}

criterion_group!(benches, submit_to_start, click_to_patch);
criterion_main!(benches);
