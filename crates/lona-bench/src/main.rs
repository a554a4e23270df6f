//! `lona-bench`: a load generator that speaks the Lona protocol. It loads pages (taking the
//! session cookie), opens views over their own WebSockets, clicks at a rate, and measures every
//! round trip (INPUT_EVENT sent to the DATA with the patch received) into an HDR histogram.
//! It also measures memory per idle view, HTTP requests per second, a broadcast view's fan-out
//! to thousands of sockets, and a bare echo server.
//!
//! Every run is bounded in count and time and only targets loopback addresses. Each command
//! prints one JSON object, for `cargo xtask bench` and for people.
#![allow(
    clippy::print_stdout,
    reason = "a command-line tool prints its results"
)]

mod alloc_count;
mod attack;
mod broadcast;
mod first_paint;
mod resume;
mod runtime_idle;
mod view;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use futures_util::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use lona_protocol::WindowId;
use serde_json::json;
use tokio::net::TcpStream;
use tokio::sync::Mutex;
use tokio_tungstenite::client_async;
use tokio_tungstenite::tungstenite::Message;

use crate::view::View;

/// Counts the live heap, for `runtime-idle`'s heap per view.
#[global_allocator]
static ALLOCATOR: alloc_count::Counting = alloc_count::Counting;

#[derive(Parser)]
#[command(about = "Load generator for lona servers (loopback only)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Open views and click a node, measuring each click's round trip.
    Click {
        /// The server (a loopback address).
        #[arg(long)]
        addr: SocketAddr,
        /// The page whose view is clicked.
        #[arg(long, default_value = "/")]
        path: String,
        /// The CSS selector of the node to click.
        #[arg(long, default_value = "#plus", value_parser = selector)]
        selector: String,
        /// Views, each on its own WebSocket with its own session.
        #[arg(long, default_value_t = 1)]
        views: usize,
        /// Clicks per view; with `--rate 0` they follow each other as fast as answers come.
        #[arg(long, default_value_t = 2000)]
        clicks: u64,
        /// Clicks per second per view (0: back to back).
        #[arg(long, default_value_t = 0.0)]
        rate: f64,
        /// Stop after this many seconds whatever the count (a bound, also for soak runs).
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// A click unanswered after this long counts as a timeout.
        #[arg(long, default_value_t = 5000)]
        timeout_ms: u64,
        /// The server's process id, to report its resident memory per open view.
        #[arg(long)]
        pid: Option<u32>,
    },
    /// Open views that wait, and report the server's resident memory per view.
    Idle {
        /// The server (a loopback address).
        #[arg(long)]
        addr: SocketAddr,
        /// The page of the waiting view.
        #[arg(long, default_value = "/idle-async")]
        path: String,
        /// How many views.
        #[arg(long, default_value_t = 1000)]
        views: usize,
        /// The server's process id.
        #[arg(long)]
        pid: u32,
    },
    /// Request a page over keep-alive connections and count requests per second.
    Http {
        /// The server (a loopback address).
        #[arg(long)]
        addr: SocketAddr,
        /// The page.
        #[arg(long, default_value = "/hello")]
        path: String,
        /// Concurrent connections.
        #[arg(long, default_value_t = 16)]
        connections: usize,
        /// How long to run.
        #[arg(long, default_value_t = 5)]
        seconds: u64,
    },
    /// Attack the server as a hostile client would (`cargo xtask soak`).
    Attack {
        /// What the attack does.
        #[arg(value_enum)]
        kind: attack::Kind,
        /// The server (a loopback address).
        #[arg(long)]
        addr: SocketAddr,
        /// The page attacked.
        #[arg(long, default_value = "/hello")]
        path: String,
        /// Connections, views or messages.
        #[arg(long, default_value_t = 1000)]
        count: usize,
        /// Bytes per message (client-errors).
        #[arg(long, default_value_t = 1024 * 1024)]
        size: usize,
        /// How long connections are held (a bound for every attack).
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        /// The server's process id, to report its resident memory.
        #[arg(long)]
        pid: Option<u32>,
    },
    /// Resume one acknowledged view after cuts: the time from the new socket to the DOM
    /// consistent, beside a click's round trip, and the bytes of a resume beside the start's.
    Resume {
        /// The server (a loopback address).
        #[arg(long)]
        addr: SocketAddr,
        /// The page of the view.
        #[arg(long, default_value = "/")]
        path: String,
        /// The CSS selector of the node to click.
        #[arg(long, default_value = "#plus", value_parser = selector)]
        selector: String,
        /// The CSS selector of the node showing the number each click raises.
        #[arg(long, default_value = "#count", value_parser = selector)]
        counter: String,
        /// Clicks measured before the cuts.
        #[arg(long, default_value_t = 500)]
        clicks: u64,
        /// Cuts, each with a click sent right before it.
        #[arg(long, default_value_t = 200)]
        cuts: u64,
    },
    /// Time a page's first content, with the server's first paint or without it
    /// (`LONA_FIRST_PAINT=false`): the page's GET and the socket's tree, one load at a time.
    FirstPaint {
        /// The server (a loopback address).
        #[arg(long)]
        addr: SocketAddr,
        /// The page.
        #[arg(long, default_value = "/")]
        path: String,
        /// Page loads, one after the other.
        #[arg(long, default_value_t = 200)]
        loads: u64,
    },
    /// Report the server's resident memory per detached view of the acknowledged stream.
    Detached {
        /// The server (a loopback address).
        #[arg(long)]
        addr: SocketAddr,
        /// The page of the views.
        #[arg(long, default_value = "/idle-async")]
        path: String,
        /// The server's Prometheus page (`metrics_url_prefix`).
        #[arg(long, default_value = "/metrics")]
        metrics: String,
        /// Views per batch (two batches are opened and cut).
        #[arg(long, default_value_t = 1000)]
        views: usize,
        /// The server's process id.
        #[arg(long)]
        pid: u32,
    },
    /// Start idle async views on fake connections in this process (no sockets) and report the
    /// resident memory per view: the runtime's part of `idle`, past the file limit.
    RuntimeIdle {
        /// How many views.
        #[arg(long, default_value_t = 100_000)]
        views: usize,
        /// Also list the allocations the views hold, by size: how many per view of each size.
        #[arg(long)]
        sizes: bool,
    },
    /// Measure a bare WebSocket echo server's round trip, the floor of `click`.
    Echo {
        /// The echo server (a loopback address).
        #[arg(long)]
        addr: SocketAddr,
        /// Messages, one after the other.
        #[arg(long, default_value_t = 2000)]
        messages: u64,
        /// Bytes per message (a click frame is about 230).
        #[arg(long, default_value_t = 230)]
        size: usize,
        /// The echo server's process id, to report its CPU time per message.
        #[arg(long)]
        pid: Option<u32>,
    },
    /// Watch one broadcast view from many sockets: the time from a click to the last
    /// socket's frame, and the server's CPU time per delivered update.
    Broadcast {
        /// The server (a loopback address).
        #[arg(long)]
        addr: SocketAddr,
        /// The broadcast page, with a `#plus` button.
        #[arg(long, default_value = "/broadcast")]
        path: String,
        /// Watching sockets, beside the one that clicks.
        #[arg(long, default_value_t = 1000)]
        watchers: usize,
        /// Clicks, one at a time, each waiting for every watcher's frame.
        #[arg(long, default_value_t = 100)]
        updates: u64,
        /// The server's process id, to report its CPU time per delivered update.
        #[arg(long)]
        pid: Option<u32>,
    },
}

fn main() {
    let cli = Cli::parse();
    // Thousands of sockets from one process: past the usual soft limit of 1,024, so the soft
    // `RLIMIT_NOFILE` goes up to the hard one. If it cannot, the bench still runs and a socket
    // past the limit fails with its own error.
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let tokio = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(tokio) => tokio,
        Err(error) => {
            println!(
                "{}",
                json!({ "error": format!("cannot start tokio: {error}") })
            );
            std::process::exit(1);
        }
    };
    let result = tokio.block_on(async {
        match cli.command {
            Command::Click {
                addr,
                path,
                selector,
                views,
                clicks,
                rate,
                seconds,
                timeout_ms,
                pid,
            } => {
                let plan = ClickPlan {
                    addr,
                    path,
                    selector,
                    clicks,
                    rate,
                    deadline: Instant::now() + Duration::from_secs(seconds),
                    timeout: Duration::from_millis(timeout_ms),
                };
                click(plan, views, pid).await
            }
            Command::Idle {
                addr,
                path,
                views,
                pid,
            } => idle(addr, &path, views, pid).await,
            Command::Http {
                addr,
                path,
                connections,
                seconds,
            } => http(addr, &path, connections, Duration::from_secs(seconds)).await,
            Command::RuntimeIdle { views, sizes } => runtime_idle::run(views, sizes).await,
            Command::Echo {
                addr,
                messages,
                size,
                pid,
            } => echo(addr, messages, size, pid).await,
            Command::Broadcast {
                addr,
                path,
                watchers,
                updates,
                pid,
            } => {
                broadcast::run(broadcast::Plan {
                    addr,
                    path,
                    watchers,
                    updates,
                    pid,
                })
                .await
            }
            Command::Resume {
                addr,
                path,
                selector,
                counter,
                clicks,
                cuts,
            } => resume::resume(addr, &path, &selector, &counter, clicks, cuts).await,
            Command::FirstPaint { addr, path, loads } => first_paint::run(addr, &path, loads).await,
            Command::Detached {
                addr,
                path,
                metrics,
                views,
                pid,
            } => resume::detached(addr, &path, &metrics, views, pid).await,
            Command::Attack {
                kind,
                addr,
                path,
                count,
                size,
                seconds,
                pid,
            } => {
                attack::run(attack::Plan {
                    kind,
                    addr,
                    path,
                    count,
                    size,
                    seconds,
                    pid,
                })
                .await
            }
        }
    });
    match result {
        Ok(report) => println!("{report}"),
        Err(error) => {
            println!("{}", json!({ "error": error }));
            std::process::exit(1);
        }
    }
}

/// Checks a `--selector` once, so that the clickers' queries cannot meet a broken one.
fn selector(text: &str) -> Result<String, String> {
    lona::html::Selector::parse(text)
        .map(|_| text.to_owned())
        .map_err(|error| error.to_string())
}

fn check_loopback(addr: SocketAddr) -> Result<(), String> {
    if addr.ip().is_loopback() {
        Ok(())
    } else {
        Err(format!(
            "{addr} is not a loopback address: lona-bench only loads local servers"
        ))
    }
}

struct ClickPlan {
    addr: SocketAddr,
    path: String,
    selector: String,
    clicks: u64,
    rate: f64,
    deadline: Instant,
    timeout: Duration,
}

#[derive(Default)]
struct Tally {
    clicks: AtomicU64,
    errors: AtomicU64,
    timeouts: AtomicU64,
    update_bytes: AtomicU64,
}

fn histogram() -> Histogram<u64> {
    // One microsecond to one minute in nanoseconds, three significant digits: constant bounds
    // that hdrhistogram accepts.
    Histogram::new_with_bounds(1_000, 60_000_000_000, 3).expect("valid histogram bounds")
}

async fn click(
    mut plan: ClickPlan,
    views: usize,
    pid: Option<u32>,
) -> Result<serde_json::Value, String> {
    check_loopback(plan.addr)?;
    let rss_before = pid.map(resident_bytes);
    let started = Instant::now();
    // The clicking time starts once every view is open: 10,000 views take seconds to open,
    // which would otherwise eat into it.
    let clicking = plan.deadline.saturating_duration_since(started);
    let mut open = Vec::with_capacity(views);
    let mut connect_errors = 0u64;
    // Open in batches so thousands of views do not all handshake at once.
    for batch in (0..views).collect::<Vec<_>>().chunks(100) {
        let handshakes = batch.iter().map(|_| View::open(plan.addr, &plan.path));
        for result in futures_util::future::join_all(handshakes).await {
            match result {
                Ok(view) => open.push(view),
                Err(_) => connect_errors += 1,
            }
        }
    }
    let connect_time = started.elapsed();
    plan.deadline = Instant::now() + clicking;
    let rss_per_view = match (pid, rss_before) {
        (Some(pid), Some(before)) if !open.is_empty() => {
            Some((resident_bytes(pid) - before) / open.len() as f64)
        }
        _ => None,
    };

    let plan = Arc::new(plan);
    let tally = Arc::new(Tally::default());
    let histogram = Arc::new(Mutex::new(histogram()));
    let mut tasks = Vec::with_capacity(open.len());
    for (n, view) in open.into_iter().enumerate() {
        let (plan, tally, histogram) = (
            Arc::clone(&plan),
            Arc::clone(&tally),
            Arc::clone(&histogram),
        );
        tasks.push(tokio::spawn(async move {
            drive(view, n, &plan, &tally, &histogram).await;
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let histogram = histogram.lock().await;
    let clicks = tally.clicks.load(Ordering::Relaxed);
    let ns = |q: f64| histogram.value_at_quantile(q);
    Ok(json!({
        "views": views,
        "connect_errors": connect_errors,
        "connect_seconds": connect_time.as_secs_f64(),
        "connects_per_second": views as f64 / connect_time.as_secs_f64().max(1e-9),
        "clicks": clicks,
        "errors": tally.errors.load(Ordering::Relaxed),
        "timeouts": tally.timeouts.load(Ordering::Relaxed),
        "p50_ns": ns(0.5),
        "p90_ns": ns(0.9),
        "p99_ns": ns(0.99),
        "max_ns": histogram.max(),
        "bytes_per_update": tally.update_bytes.load(Ordering::Relaxed) as f64 / clicks.max(1) as f64,
        "rss_per_view": rss_per_view,
    }))
}

/// One view's clicks: at the plan's rate (spread over views by an offset), until the count or
/// the deadline.
async fn drive(
    mut view: View,
    n: usize,
    plan: &ClickPlan,
    tally: &Tally,
    histogram: &Mutex<Histogram<u64>>,
) {
    let Some(target) = view
        .state
        .window(WindowId(1))
        .and_then(|w| w.query(&plan.selector))
    else {
        tally.errors.fetch_add(1, Ordering::Relaxed);
        return;
    };
    let period = (plan.rate > 0.0).then(|| Duration::from_secs_f64(1.0 / plan.rate));
    if let Some(period) = period {
        // Spread the views' clicks over one period instead of clicking all at once.
        let offset = period.mul_f64((n % 1000) as f64 / 1000.0);
        tokio::time::sleep(offset).await;
    }
    let mut next = Instant::now();
    for _ in 0..plan.clicks {
        if Instant::now() >= plan.deadline {
            break;
        }
        let Ok(frame) = view.state.click(&target) else {
            tally.errors.fetch_add(1, Ordering::Relaxed);
            return;
        };
        let start = Instant::now();
        if view.send(frame.frame).await.is_err() {
            tally.errors.fetch_add(1, Ordering::Relaxed);
            return;
        }
        match view.next_update(plan.timeout).await {
            Ok(bytes) => {
                let nanos = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
                let _ = histogram.lock().await.record(nanos.max(1_000));
                tally.clicks.fetch_add(1, Ordering::Relaxed);
                tally
                    .update_bytes
                    .fetch_add(bytes as u64, Ordering::Relaxed);
            }
            Err(error) if error == "timeout" => {
                tally.timeouts.fetch_add(1, Ordering::Relaxed);
            }
            Err(_) => {
                tally.errors.fetch_add(1, Ordering::Relaxed);
                return;
            }
        }
        if let Some(period) = period {
            next += period;
            tokio::time::sleep_until(next.into()).await;
        }
    }
}

async fn idle(
    addr: SocketAddr,
    path: &str,
    views: usize,
    pid: u32,
) -> Result<serde_json::Value, String> {
    check_loopback(addr)?;
    let before = resident_bytes(pid);
    let started = Instant::now();
    let mut open = Vec::with_capacity(views);
    let mut errors = 0u64;
    for batch in (0..views).collect::<Vec<_>>().chunks(100) {
        let handshakes = batch.iter().map(|_| View::open(addr, path));
        for result in futures_util::future::join_all(handshakes).await {
            match result {
                Ok(view) => open.push(view),
                Err(_) => errors += 1,
            }
        }
    }
    let after = resident_bytes(pid);
    let opened = open.len();
    Ok(json!({
        "views": opened,
        "errors": errors,
        "connect_seconds": started.elapsed().as_secs_f64(),
        "rss_before": before,
        "rss_after": after,
        "bytes_per_view": (after - before) / opened.max(1) as f64,
    }))
}

async fn http(
    addr: SocketAddr,
    path: &str,
    connections: usize,
    duration: Duration,
) -> Result<serde_json::Value, String> {
    check_loopback(addr)?;
    let deadline = Instant::now() + duration;
    let requests = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (requests, errors, path) =
            (Arc::clone(&requests), Arc::clone(&errors), path.to_owned());
        tasks.push(tokio::spawn(async move {
            // A server may close a keep-alive connection after some requests (nginx's
            // `keepalive_requests`): reconnect, as a browser would.
            while Instant::now() < deadline {
                let Ok(stream) = TcpStream::connect(addr).await else {
                    errors.fetch_add(1, Ordering::Relaxed);
                    return;
                };
                let _ = stream.set_nodelay(true);
                let io = hyper_util::rt::TokioIo::new(stream);
                let Ok((mut sender, connection)) = hyper::client::conn::http1::handshake(io).await
                else {
                    errors.fetch_add(1, Ordering::Relaxed);
                    return;
                };
                tokio::spawn(connection);
                while Instant::now() < deadline {
                    let request = hyper::Request::get(path.as_str())
                        .header("Host", addr.to_string())
                        .body(http_body_util::Empty::<hyper::body::Bytes>::new());
                    let Ok(request) = request else {
                        errors.fetch_add(1, Ordering::Relaxed);
                        return;
                    };
                    match sender.send_request(request).await {
                        Ok(response) if response.status().is_success() => {
                            use http_body_util::BodyExt;
                            let _ = response.into_body().collect().await;
                            requests.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok(_) => {
                            errors.fetch_add(1, Ordering::Relaxed);
                            return;
                        }
                        // The connection closed: open another one.
                        Err(_) => break,
                    }
                }
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let requests = requests.load(Ordering::Relaxed);
    Ok(json!({
        "connections": connections,
        "requests": requests,
        "errors": errors.load(Ordering::Relaxed),
        "requests_per_second": requests as f64 / duration.as_secs_f64(),
    }))
}

async fn echo(
    addr: SocketAddr,
    messages: u64,
    size: usize,
    pid: Option<u32>,
) -> Result<serde_json::Value, String> {
    check_loopback(addr)?;
    let stream = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    let _ = stream.set_nodelay(true);
    let (mut socket, _) = client_async(format!("ws://{addr}/"), stream)
        .await
        .map_err(|e| e.to_string())?;
    let payload = "x".repeat(size);
    let mut histogram = histogram();
    let cpu_before = pid.map(broadcast::cpu_seconds);
    for _ in 0..messages {
        let start = Instant::now();
        socket
            .send(Message::text(payload.clone()))
            .await
            .map_err(|e| e.to_string())?;
        let _ = socket.next().await;
        let nanos = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        let _ = histogram.record(nanos.max(1_000));
    }
    let cpu = pid
        .zip(cpu_before)
        .map(|(pid, before)| broadcast::cpu_seconds(pid) - before);
    Ok(json!({
        "messages": messages,
        "cpu_ns_per_message": cpu.map(|cpu| cpu * 1e9 / messages.max(1) as f64),
        "p50_ns": histogram.value_at_quantile(0.5),
        "p90_ns": histogram.value_at_quantile(0.9),
        "p99_ns": histogram.value_at_quantile(0.99),
        "max_ns": histogram.max(),
    }))
}

fn resident_bytes(pid: u32) -> f64 {
    let statm = std::fs::read_to_string(format!("/proc/{pid}/statm")).unwrap_or_default();
    let pages: f64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0.0);
    pages * 4096.0
}
