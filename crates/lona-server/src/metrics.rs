//! The Prometheus text endpoint (`metrics_url_prefix`): the runtime's counters and the open
//! sockets in the text exposition format 0.0.4.
//!
//! The format is written by hand: it is a dozen lines of `name{labels} value`, and a client
//! crate would bring a registry and its own atomics for numbers the runtime already keeps.

use std::fmt::Write as _;

use lona_runtime::{
    CLICK_BUCKETS, HistogramSnapshot, MEMORY_BUCKETS, PoolMetrics, RuntimeMetrics, ViewTotals,
};

/// The `Content-Type` of the text exposition format.
pub(crate) const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// One per-pool metric: name, type, help, and how to read it from a pool's snapshot.
type PoolLine = (
    &'static str,
    &'static str,
    &'static str,
    fn(&PoolMetrics) -> u64,
);

/// What the server counts itself, beside the runtime's metrics.
#[derive(Debug, Default)]
pub(crate) struct ServerCounters {
    /// Open browser sockets.
    pub(crate) connections: usize,
    /// Failed accepts of a TCP connection.
    pub(crate) accept_errors: u64,
    /// Times freed memory was returned to the OS.
    pub(crate) memory_trims: u64,
    /// Background tasks that panicked.
    pub(crate) task_panics: u64,
}

/// The exposition of the runtime's `metrics` and the server's own `counters`.
pub(crate) fn render(metrics: &RuntimeMetrics, counters: &ServerCounters) -> String {
    let mut out = String::with_capacity(4096);
    let pools: [(&str, &PoolMetrics); 3] = [
        ("runtime", &metrics.runtime_pool),
        ("worker", &metrics.worker_pool),
        ("static", &metrics.static_pool),
    ];
    let pool_lines: [PoolLine; 5] = [
        ("lona_pool_threads", "gauge", "Threads of the pool.", |p| {
            count(p.threads)
        }),
        (
            "lona_pool_busy",
            "gauge",
            "Threads running a job now.",
            |p| count(p.busy),
        ),
        (
            "lona_pool_queued",
            "gauge",
            "Jobs waiting for a thread.",
            |p| count(p.queued),
        ),
        (
            "lona_pool_jobs_done_total",
            "counter",
            "Jobs finished, panicked ones included.",
            |p| p.done,
        ),
        (
            "lona_pool_panics_total",
            "counter",
            "Jobs that panicked.",
            |p| p.panics,
        ),
    ];
    for (name, kind, help, value) in pool_lines {
        header(&mut out, name, kind, help);
        for (pool, metrics) in pools {
            let _ = writeln!(out, "{name}{{pool=\"{pool}\"}} {}", value(metrics));
        }
    }
    let singles: [(&str, &str, &str, u64); 18] = [
        (
            "lona_views_open",
            "gauge",
            "Views running or attached (stopped ones not yet cleaned up included).",
            count(metrics.views),
        ),
        (
            "lona_views_daemons",
            "gauge",
            "Open views that are daemons.",
            count(metrics.daemons),
        ),
        (
            "lona_views_stuck",
            "gauge",
            "Stopped views whose handle_request ignored the stop for longer than stuck_after.",
            count(metrics.stuck),
        ),
        (
            "lona_connections_open",
            "gauge",
            "Open browser WebSockets.",
            count(counters.connections),
        ),
        (
            "lona_events_dispatched_total",
            "counter",
            "Input events handled.",
            metrics.events_dispatched,
        ),
        (
            "lona_events_rejected_total",
            "counter",
            "Input events refused (unknown view, not attached, not listening).",
            metrics.events_rejected,
        ),
        (
            "lona_view_panics_total",
            "counter",
            "Panics caught in view code.",
            metrics.view_panics,
        ),
        (
            "lona_accept_errors_total",
            "counter",
            "Failed accepts of a TCP connection (out of file descriptors and the like).",
            counters.accept_errors,
        ),
        (
            "lona_memory_trims_total",
            "counter",
            "Times freed memory was given back to the OS (memory_trim_interval).",
            counters.memory_trims,
        ),
        (
            "lona_task_panics_total",
            "counter",
            "Background tasks (App::task, App::async_task) that panicked.",
            counters.task_panics,
        ),
        (
            "lona_windows_detached",
            "gauge",
            "Windows of the acknowledged stream whose socket closed, within resume_grace.",
            count(metrics.resume.detached_windows),
        ),
        (
            "lona_resume_replayed_bytes_total",
            "counter",
            "Bytes of frames replayed to resumed windows.",
            metrics.resume.replayed_bytes,
        ),
        (
            "lona_events_duplicate_total",
            "counter",
            "Input events of acknowledged windows dropped as duplicates (sent again after a resume, had arrived).",
            metrics.resume.duplicate_events,
        ),
        (
            "lona_first_paints_pending",
            "gauge",
            "Views started for a page's first paint, waiting for its socket to adopt them.",
            count(metrics.paint.pending),
        ),
        (
            "lona_broadcast_views",
            "gauge",
            "Broadcast views running (one per URL of a broadcast route).",
            metrics.broadcast.instances,
        ),
        (
            "lona_broadcast_watchers",
            "gauge",
            "Windows watching a broadcast view.",
            metrics.broadcast.watchers,
        ),
        (
            "lona_broadcast_frames_encoded_total",
            "counter",
            "Patch-batch frames encoded once for several windows of one view.",
            metrics.broadcast.frames_encoded,
        ),
        (
            "lona_broadcast_frames_shared_total",
            "counter",
            "Frames a window got as the same bytes as another window (encodings saved).",
            metrics.broadcast.frames_shared,
        ),
    ];
    for (name, kind, help, value) in singles {
        header(&mut out, name, kind, help);
        let _ = writeln!(out, "{name} {value}");
    }
    let name = "lona_resumes_total";
    header(
        &mut out,
        name,
        "counter",
        "RESUMEs, by outcome: the missed frames replayed, the whole tree sent, or failed.",
    );
    for (outcome, n) in [
        ("replayed", metrics.resume.replayed),
        ("full_tree", metrics.resume.full_tree),
        ("failed", metrics.resume.failed),
    ] {
        let _ = writeln!(out, "{name}{{outcome=\"{outcome}\"}} {n}");
    }
    let name = "lona_first_paints_total";
    header(
        &mut out,
        name,
        "counter",
        "First paints, by outcome: views started for a page, pages served with a tree, views adopted by their window, adopt tokens refused (used, another session's, expired), views expired unadopted.",
    );
    for (outcome, n) in [
        ("started", metrics.paint.started),
        ("served", metrics.paint.served),
        ("adopted", metrics.paint.adopted),
        ("refused", metrics.paint.refused),
        ("expired", metrics.paint.expired),
    ] {
        let _ = writeln!(out, "{name}{{outcome=\"{outcome}\"}} {n}");
    }
    let name = "lona_limits_tripped_total";
    header(
        &mut out,
        name,
        "counter",
        "Requests, sockets and views refused or closed by a limit, by the setting that sets it.",
    );
    for (limit, tripped) in metrics.limits_tripped.iter() {
        let _ = writeln!(out, "{name}{{limit=\"{}\"}} {tripped}", limit.name());
    }
    seconds_histogram(
        &mut out,
        "lona_click_roundtrip_seconds",
        "Time from a click's INPUT_EVENT reaching the runtime to its patches being sent.",
        &metrics.click_roundtrip,
    );
    view_totals(&mut out, &metrics.view_totals);
    out
}

/// The per-view accounting, summed over the views: no view's id or session is a label, so
/// that thousands of views add no series.
fn view_totals(out: &mut String, totals: &ViewTotals) {
    let name = "lona_view_memory_bytes";
    header(
        out,
        name,
        "histogram",
        "Open views by estimated memory (tree nodes, queued outbox, replay buffers); _sum is all of it.",
    );
    let mut cumulative = 0;
    for (bound, views) in MEMORY_BUCKETS.iter().zip(totals.memory_histogram) {
        cumulative += views;
        let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {cumulative}");
    }
    let count: u64 = totals.memory_histogram.iter().sum();
    let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
    let _ = writeln!(out, "{name}_sum {}", totals.memory_bytes);
    let _ = writeln!(out, "{name}_count {count}");
    for (name, kind, help, value) in [
        (
            "lona_view_tree_nodes",
            "gauge",
            "Nodes in the open views' trees.",
            totals.nodes,
        ),
        (
            "lona_view_sent_bytes_total",
            "counter",
            "Bytes of frames views sent to their windows (trees, patches, titles...), gone views included.",
            totals.bytes_sent,
        ),
    ] {
        header(out, name, kind, help);
        let _ = writeln!(out, "{name} {value}");
    }
    seconds_histogram(
        out,
        "lona_event_flush_seconds",
        "Time from any input event reaching the runtime to its patches being queued, over all views.",
        &totals.event_flush,
    );
}

/// A latency histogram over [`CLICK_BUCKETS`], cumulative as Prometheus reads it.
fn seconds_histogram(out: &mut String, name: &str, help: &str, histogram: &HistogramSnapshot) {
    header(out, name, "histogram", help);
    let mut cumulative = 0;
    for (bound, hits) in CLICK_BUCKETS.iter().zip(histogram.buckets) {
        cumulative += hits;
        let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {cumulative}");
    }
    // +Inf is the count itself, so that the two always agree even while an event is observed.
    let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {}", histogram.count);
    let _ = writeln!(out, "{name}_sum {}", histogram.sum_seconds());
    let _ = writeln!(out, "{name}_count {}", histogram.count);
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_format_has_every_metric() {
        let mut metrics = RuntimeMetrics {
            views: 2,
            daemons: 1,
            events_dispatched: 7,
            ..RuntimeMetrics::default()
        };
        metrics.worker_pool = PoolMetrics {
            threads: 4,
            busy: 1,
            queued: 0,
            done: 9,
            panics: 1,
        };
        metrics.click_roundtrip.buckets[0] = 2;
        metrics.click_roundtrip.buckets[CLICK_BUCKETS.len()] = 1;
        metrics.click_roundtrip.count = 3;
        metrics.click_roundtrip.sum_nanos = 6_000_500_000;
        metrics.view_totals.memory_histogram[0] = 1;
        metrics.view_totals.memory_histogram[2] = 1;
        metrics.view_totals.memory_bytes = 40_000;
        metrics.view_totals.nodes = 90;
        metrics.view_totals.bytes_sent = 12_345;
        metrics.view_totals.event_flush.buckets[1] = 6;
        metrics.view_totals.event_flush.buckets[4] = 1;
        metrics.view_totals.event_flush.count = 7;
        metrics.view_totals.event_flush.sum_nanos = 10_000_000;
        let counters = ServerCounters {
            connections: 3,
            accept_errors: 4,
            memory_trims: 2,
            task_panics: 1,
        };
        let text = render(&metrics, &counters);
        expect_test::expect_file!["metrics_golden.txt"].assert_eq(&text);
        // Every sample line is `name{labels} number`, and every name has its TYPE.
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let (name, value) = line.rsplit_once(' ').expect("a sample line has a value");
            assert!(value.parse::<f64>().is_ok(), "{line}");
            let base = name.split('{').next().unwrap_or(name);
            let family = ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|s| base.strip_suffix(s))
                .filter(|f| text.contains(&format!("# TYPE {f} histogram")))
                .unwrap_or(base);
            assert!(text.contains(&format!("# TYPE {family} ")), "{line}");
        }
    }

    /// Waits for a click that never comes: an idle view.
    struct Idle;

    impl lona_runtime::AsyncView for Idle {
        async fn handle_request(
            &self,
            cx: &lona_runtime::AsyncContext,
            _request: &lona_runtime::Request,
        ) -> lona_runtime::ViewResult {
            cx.show(&lona_html::tags::div().with_text("idle"))?;
            cx.await_click(&[]).await?;
            Ok(lona_runtime::Response::Empty)
        }
    }

    #[test]
    fn thousands_of_views_add_no_series() {
        use lona_runtime::{Connection, OutboxLimits, Request, Runtime, SessionId, ViewFactory};
        let runtime = Runtime::new(lona_runtime::RuntimeConfig::default());
        let factory = ViewFactory::asynchronous(|_| Idle);
        let start = |i: usize| {
            let conn = Connection::new(SessionId::new(format!("s{i}")), OutboxLimits::default());
            let request = Request::new("http://localhost/", conn.session().clone());
            runtime
                .start_view(&factory, request, &conn, lona_protocol::WindowId(1))
                .expect("the view starts");
            conn
        };
        // Every sample's name and labels: the series Prometheus would store.
        let series = |views: usize| {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
            // Each idle view shows a div and its text.
            while runtime.metrics().view_totals.nodes < 2 * views as u64 {
                assert!(
                    std::time::Instant::now() < deadline,
                    "views show their tree"
                );
                std::thread::yield_now();
            }
            let text = render(&runtime.metrics(), &ServerCounters::default());
            let names: Vec<String> = text
                .lines()
                .filter(|line| !line.starts_with('#'))
                .map(|line| {
                    line.rsplit_once(' ')
                        .map_or(line, |(name, _)| name)
                        .to_owned()
                })
                .collect();
            (names, text)
        };
        let mut connections = vec![start(0)];
        let (one, _) = series(1);
        connections.extend((1..2_000).map(start));
        let (many, text) = series(2_000);
        assert_eq!(one, many, "2,000 views, the same series as one");
        assert!(text.contains("lona_views_open 2000"), "{text}");
        assert!(text.contains("lona_view_memory_bytes_count 2000"), "{text}");
        assert!(!text.contains("s1999"), "no session is a label");
        runtime.shutdown();
        drop(connections);
    }
}
