//! `lona-bench broadcast`: one broadcast view watched by many sockets. It opens `watchers`
//! sockets on the broadcast page (cookie-less, so each is its own session), and one more
//! visitor, the trigger, who clicks; for each click it records the time from the click sent
//! to the LAST watcher's frame, and the server's CPU time per delivered update (its threads'
//! run time, over updates × sockets). Watchers only count their frames: the
//! load generator shares the cores with the server, and parsing ten thousand copies of a
//! patch would measure the client.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use lona_protocol::WindowId;
use serde_json::json;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use crate::view::View;
use crate::{check_loopback, histogram};

/// How long one update may take to reach every watcher before it counts as a timeout.
const UPDATE_TIMEOUT: Duration = Duration::from_secs(20);

pub(crate) struct Plan {
    pub(crate) addr: SocketAddr,
    pub(crate) path: String,
    pub(crate) watchers: usize,
    pub(crate) updates: u64,
    pub(crate) pid: Option<u32>,
}

pub(crate) async fn run(plan: Plan) -> Result<serde_json::Value, String> {
    check_loopback(plan.addr)?;
    let (addr, path) = (plan.addr, plan.path.as_str());
    let mut trigger = View::open(addr, path).await?;
    let target = trigger
        .state
        .window(WindowId(1))
        .and_then(|w| w.query("#plus"))
        .ok_or_else(|| format!("{path} shows no #plus"))?;

    // Per update, how many watchers have its frame; the last one reports when.
    let arrived: Arc<Vec<AtomicUsize>> =
        Arc::new((0..plan.updates).map(|_| AtomicUsize::new(0)).collect());
    let watching = Arc::new(AtomicUsize::new(usize::MAX));
    let extra_frames = Arc::new(AtomicU64::new(0));
    let (last_tx, mut last_rx) = mpsc::unbounded_channel::<(u64, Instant)>();
    let started = Instant::now();
    let mut opened = 0usize;
    let mut connect_errors = 0u64;
    let mut tasks = Vec::with_capacity(plan.watchers);
    for batch in (0..plan.watchers).collect::<Vec<_>>().chunks(100) {
        let handshakes = batch
            .iter()
            .map(|_| View::open_without_cookie(addr, path, None));
        for result in futures_util::future::join_all(handshakes).await {
            let Ok(view) = result else {
                connect_errors += 1;
                continue;
            };
            opened += 1;
            let (arrived, watching, extra, last_tx) = (
                Arc::clone(&arrived),
                Arc::clone(&watching),
                Arc::clone(&extra_frames),
                last_tx.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let mut socket = view.socket;
                let mut update = 0u64;
                while let Some(Ok(message)) = socket.next().await {
                    if !matches!(message, Message::Text(_)) {
                        continue;
                    }
                    match arrived.get(usize::try_from(update).unwrap_or(usize::MAX)) {
                        Some(count) => {
                            let n = count.fetch_add(1, Ordering::AcqRel) + 1;
                            if n == watching.load(Ordering::Acquire) {
                                let _ = last_tx.send((update, Instant::now()));
                            }
                        }
                        None => {
                            extra.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    update += 1;
                }
            }));
        }
    }
    let connect_seconds = started.elapsed().as_secs_f64();
    if opened == 0 {
        return Err("no watcher could open the broadcast view".to_owned());
    }
    watching.store(opened, Ordering::Release);

    let cpu_before = plan.pid.map(cpu_seconds);
    let mut latency = histogram();
    let mut timeouts = 0u64;
    let mut errors = 0u64;
    let run_started = Instant::now();
    for update in 0..plan.updates {
        let Ok(click) = trigger.state.click(&target) else {
            errors += 1;
            break;
        };
        let start = Instant::now();
        trigger.send(click.frame).await?;
        let deadline = tokio::time::Instant::now() + UPDATE_TIMEOUT;
        loop {
            match tokio::time::timeout_at(deadline, last_rx.recv()).await {
                Ok(Some((done, at))) if done == update => {
                    let nanos =
                        u64::try_from(at.duration_since(start).as_nanos()).unwrap_or(u64::MAX);
                    let _ = latency.record(nanos.max(1_000));
                    break;
                }
                // A late report of an update that timed out.
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => {
                    timeouts += 1;
                    break;
                }
            }
        }
        // The trigger watches too: its own copy keeps its client state current.
        if trigger.next_update(UPDATE_TIMEOUT).await.is_err() {
            errors += 1;
            break;
        }
    }
    let run_seconds = run_started.elapsed().as_secs_f64();
    let cpu = plan
        .pid
        .zip(cpu_before)
        .map(|(pid, before)| cpu_seconds(pid) - before);
    let delivered = plan.updates as f64 * (opened + 1) as f64;
    for task in &tasks {
        task.abort();
    }
    let ns = |q: f64| latency.value_at_quantile(q);
    Ok(json!({
        "watchers": opened,
        "connect_errors": connect_errors,
        "connect_seconds": connect_seconds,
        "updates": plan.updates,
        "timeouts": timeouts,
        "errors": errors,
        "extra_frames": extra_frames.load(Ordering::Relaxed),
        "run_seconds": run_seconds,
        "p50_ns": ns(0.5),
        "p90_ns": ns(0.9),
        "p99_ns": ns(0.99),
        "max_ns": latency.max(),
        "cpu_seconds": cpu,
        "cpu_ns_per_update": cpu.map(|cpu| cpu * 1e9 / delivered.max(1.0)),
    }))
}

/// The CPU time a process has used, in seconds: the sum of its threads' run time in
/// `/proc/PID/task/*/schedstat` (nanoseconds; a bench server's threads live as long as it
/// does), or, without schedstat, utime and stime of `/proc/PID/stat` (clock ticks of 10 ms,
/// too coarse for a few thousand messages).
pub(crate) fn cpu_seconds(pid: u32) -> f64 {
    let threads = std::fs::read_dir(format!("/proc/{pid}/task"))
        .map(|dir| {
            dir.filter_map(Result::ok)
                .filter_map(|task| std::fs::read_to_string(task.path().join("schedstat")).ok())
                .filter_map(|line| line.split_whitespace().next()?.parse::<f64>().ok())
                .sum::<f64>()
        })
        .unwrap_or(0.0);
    if threads > 0.0 {
        return threads / 1e9;
    }
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The command name, in parentheses, may hold spaces: the fields count from after it.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name;
    // Linux counts them at 100 ticks per second for user space.
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|i| fields.get(*i).and_then(|f| f.parse::<f64>().ok()))
        .sum();
    ticks / 100.0
}
