//! `lona-bench attack KIND`: the hostile clients of `cargo xtask soak`, each bounded in count
//! and time and aimed only at a loopback server. They come from other loopback addresses than
//! the clean client (`127.0.1.N`), as attackers on other machines would, so that per-address
//! limits tell them apart.
//!
//! Each attack reports what it achieved (connections the server closed or refused, probes
//! that still got an answer, views left behind, the server's memory) as one JSON object.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::ValueEnum;
use lona_protocol::WindowId;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::{View, check_loopback, resident_bytes};

/// What an attack does.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum Kind {
    /// Connections that send their request head one byte every two seconds.
    Slowloris,
    /// Connections that make one request and then stay open, idle.
    Idle,
    /// Connections that send half a request head and wait; a probe loads a page meanwhile.
    HalfSent,
    /// One socket sends CLIENT_ERROR messages of `--size` bytes full of newlines.
    ClientErrors,
    /// One socket asks for `--count` views (windows 1..count) of `--path`; meanwhile a clean
    /// visitor opens the counter page (`/`) and clicks it.
    ViewFlood,
    /// Cookie-less sockets each start a daemon view of `--path` and leave.
    Daemons,
    /// `--count` views open at once, then all close: the server's memory before, at the peak,
    /// and for a minute after.
    Storm,
    /// A page load with a made-up session cookie: is it adopted?
    ForgedCookie,
}

/// The parameters of one attack.
pub(crate) struct Plan {
    pub(crate) kind: Kind,
    pub(crate) addr: SocketAddr,
    pub(crate) path: String,
    pub(crate) count: usize,
    pub(crate) size: usize,
    pub(crate) seconds: u64,
    pub(crate) pid: Option<u32>,
}

/// Runs one attack and reports it.
pub(crate) async fn run(plan: Plan) -> Result<serde_json::Value, String> {
    check_loopback(plan.addr)?;
    let deadline = Instant::now() + Duration::from_secs(plan.seconds);
    let rss_before = plan.pid.map(resident_bytes);
    let mut report = match plan.kind {
        Kind::Slowloris => hold_connections(&plan, deadline, Hold::Slowloris).await,
        Kind::Idle => hold_connections(&plan, deadline, Hold::KeepAlive).await,
        Kind::HalfSent => hold_connections(&plan, deadline, Hold::HalfSent).await,
        Kind::ClientErrors => client_errors(&plan).await?,
        Kind::ViewFlood => view_flood(&plan, deadline).await?,
        Kind::Daemons => daemons(&plan).await,
        Kind::Storm => storm(&plan).await?,
        Kind::ForgedCookie => forged_cookie(&plan).await?,
    };
    if let (Some(pid), Some(before), Some(object)) = (plan.pid, rss_before, report.as_object_mut())
    {
        object.insert("rss_before".to_owned(), json!(before));
        object.insert("rss_end".to_owned(), json!(resident_bytes(pid)));
    }
    Ok(report)
}

/// The attacker's n-th source address: 127.0.1.1 to 127.0.1.250, round robin.
fn source(n: usize) -> IpAddr {
    let last = u8::try_from(n % 250 + 1).unwrap_or(1);
    IpAddr::V4(Ipv4Addr::new(127, 0, 1, last))
}

async fn connect_from(n: usize, addr: SocketAddr) -> std::io::Result<TcpStream> {
    crate::connect(addr, Some(source(n))).await
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Hold {
    Slowloris,
    KeepAlive,
    HalfSent,
}

#[derive(Default)]
struct Held {
    opened: AtomicU64,
    connect_failed: AtomicU64,
    refused_503: AtomicU64,
    closed_by_server: AtomicU64,
    /// Sum of the seconds each closed connection lived, for the mean.
    closed_after_ms: AtomicU64,
}

/// Opens `count` connections that each misbehave per `hold` until the deadline; meanwhile a
/// probe from 127.0.0.1 loads `--path` every half second.
async fn hold_connections(plan: &Plan, deadline: Instant, hold: Hold) -> serde_json::Value {
    let held = Arc::new(Held::default());
    let mut tasks = tokio::task::JoinSet::new();
    let started = Instant::now();
    for n in 0..plan.count {
        let (held, addr, path) = (Arc::clone(&held), plan.addr, plan.path.clone());
        tasks.spawn(async move {
            let Ok(stream) = connect_from(n, addr).await else {
                held.connect_failed.fetch_add(1, Ordering::Relaxed);
                return;
            };
            held.opened.fetch_add(1, Ordering::Relaxed);
            let opened = Instant::now();
            match misbehave(stream, addr, &path, hold, deadline).await {
                Ending::Refused => {
                    held.refused_503.fetch_add(1, Ordering::Relaxed);
                }
                Ending::Closed => {
                    held.closed_by_server.fetch_add(1, Ordering::Relaxed);
                    let ms = u64::try_from(opened.elapsed().as_millis()).unwrap_or(u64::MAX);
                    held.closed_after_ms.fetch_add(ms, Ordering::Relaxed);
                }
                Ending::StillOpen => {}
            }
        });
        // Connect at about 2,000 a second, as a real flood ramps.
        if n % 100 == 99 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let opening = started.elapsed();
    let probes = probe_until(plan.addr, &plan.path, deadline).await;
    while tasks.join_next().await.is_some() {}
    let closed = held.closed_by_server.load(Ordering::Relaxed);
    json!({
        "opened": held.opened.load(Ordering::Relaxed),
        "connect_failed": held.connect_failed.load(Ordering::Relaxed),
        "refused_503": held.refused_503.load(Ordering::Relaxed),
        "closed_by_server": closed,
        "mean_seconds_to_close": held.closed_after_ms.load(Ordering::Relaxed) as f64
            / 1000.0 / closed.max(1) as f64,
        "opening_seconds": opening.as_secs_f64(),
        "probes_ok": probes.0,
        "probes_failed": probes.1,
    })
}

enum Ending {
    Refused,
    Closed,
    StillOpen,
}

async fn misbehave(
    mut stream: TcpStream,
    addr: SocketAddr,
    path: &str,
    hold: Hold,
    deadline: Instant,
) -> Ending {
    let head = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n");
    let mut buffer = vec![0u8; 4096];
    match hold {
        Hold::KeepAlive => {
            if stream
                .write_all(format!("{head}\r\n").as_bytes())
                .await
                .is_err()
            {
                return Ending::Closed;
            }
        }
        Hold::HalfSent => {
            if stream.write_all(head.as_bytes()).await.is_err() {
                return Ending::Closed;
            }
        }
        Hold::Slowloris => {}
    }
    let mut sent = 0;
    let mut answered = false;
    loop {
        let wait = if hold == Hold::Slowloris {
            deadline.min(Instant::now() + Duration::from_secs(2))
        } else {
            deadline
        };
        match tokio::time::timeout_at(wait.into(), stream.read(&mut buffer)).await {
            Ok(Ok(0) | Err(_)) => return Ending::Closed,
            Ok(Ok(n)) => {
                let text = String::from_utf8_lossy(&buffer[..n]);
                if !answered && text.starts_with("HTTP/1.1 503") {
                    return Ending::Refused;
                }
                // The answer to a keep-alive request; now idle.
                answered = true;
            }
            Err(_) if Instant::now() >= deadline => return Ending::StillOpen,
            Err(_) => {
                // Slowloris: the next byte of a head that never ends.
                let byte = head.as_bytes().get(sent).copied().unwrap_or(b'a');
                sent += 1;
                if stream.write_all(&[byte]).await.is_err() {
                    return Ending::Closed;
                }
            }
        }
    }
}

/// A clean visitor from 127.0.0.1 loads `path` on a new connection every half second until
/// the deadline; returns the answered and the failed loads (2 s without an answer fails).
async fn probe_until(addr: SocketAddr, path: &str, deadline: Instant) -> (u64, u64) {
    let (mut ok, mut failed) = (0, 0);
    while Instant::now() < deadline {
        let load = tokio::time::timeout(Duration::from_secs(2), crate::get(addr, path, None, None));
        match load.await {
            Ok(Ok(answer)) if answer.status == 200 => ok += 1,
            _ => failed += 1,
        }
        tokio::time::sleep_until((Instant::now() + Duration::from_millis(500)).into()).await;
    }
    (ok, failed)
}

/// One view, then `count` CLIENT_ERROR messages of `size` bytes with a forged log line in
/// each.
async fn client_errors(plan: &Plan) -> Result<serde_json::Value, String> {
    let mut view = View::open_from(plan.addr, &plan.path, Some(source(0))).await?;
    let line = "\n2026-01-01T00:00:00Z  INFO lona::http: request method=GET path=/admin\n";
    // Room for the frame around it and for the escapes of its newlines in JSON: a frame over
    // `max_message_size` would only close the socket.
    let size = plan.size / 16 * 15;
    let mut message = String::with_capacity(size);
    while message.len() + line.len() <= size {
        message.push_str(line);
    }
    let started = Instant::now();
    let mut sent = 0u64;
    for _ in 0..plan.count {
        let frame = view.state.client_error(WindowId(1), &message);
        if let Err(error) = view.send(frame).await {
            return Err(format!("client error {sent} not sent: {error}"));
        }
        sent += 1;
    }
    // A PING answered means every message before it was read.
    let answered = view.ping(Duration::from_secs(30)).await.is_ok();
    Ok(json!({
        "sent": sent,
        "message_bytes": message.len(),
        "seconds": started.elapsed().as_secs_f64(),
        "socket_open_after": answered,
    }))
}

/// One socket asks for `count` views; then a clean visitor opens the counter page and clicks.
async fn view_flood(plan: &Plan, deadline: Instant) -> Result<serde_json::Value, String> {
    let mut flood = View::connect(plan.addr, &plan.path, Some(source(0))).await?;
    let url = format!("http://{}{}", plan.addr, plan.path);
    let mut asked = 0u64;
    for window in 1..=plan.count {
        let window = WindowId(u32::try_from(window).unwrap_or(u32::MAX));
        let frame = flood.state.view(window, &url);
        if flood.send(frame).await.is_err() {
            break;
        }
        asked += 1;
    }
    // Whatever the flooder got, it keeps its socket open while the probe opens the counter
    // page (a blocking view too: it needs a runtime thread to start) and clicks it.
    let started = Instant::now();
    let probe = tokio::time::timeout_at(deadline.into(), View::open(plan.addr, "/")).await;
    let (probe_started, probe_busy, probe_clicked) = match probe {
        Ok(Ok(mut view)) => {
            let html = view.html();
            let busy = html.contains("503") || html.to_ascii_lowercase().contains("busy");
            let clicked = !busy && view.click_once("#plus", Duration::from_secs(5)).await;
            (true, busy, clicked)
        }
        _ => (false, false, false),
    };
    drop(flood);
    Ok(json!({
        "views_asked": asked,
        "probe_view_started": probe_started,
        "probe_got_busy_page": probe_busy,
        "probe_click_answered": probe_clicked,
        "probe_seconds": started.elapsed().as_secs_f64(),
    }))
}

/// `count` cookie-less sockets each start a view of `path` and close.
async fn daemons(plan: &Plan) -> serde_json::Value {
    let started = Instant::now();
    let (mut opened, mut failed) = (0u64, 0u64);
    for batch in (0..plan.count).collect::<Vec<_>>().chunks(100) {
        let views = batch
            .iter()
            .map(|n| View::open_without_cookie(plan.addr, &plan.path, Some(source(*n))));
        for result in futures_util::future::join_all(views).await {
            match result {
                Ok(view) => {
                    opened += 1;
                    drop(view);
                }
                Err(_) => failed += 1,
            }
        }
    }
    json!({
        "opened": opened,
        "failed": failed,
        "seconds": started.elapsed().as_secs_f64(),
    })
}

/// `count` views at once, then none: memory before, at the peak, right after, and each ten
/// seconds for a minute.
async fn storm(plan: &Plan) -> Result<serde_json::Value, String> {
    let pid = plan.pid.ok_or("storm needs --pid")?;
    let before = resident_bytes(pid);
    let mut open = Vec::with_capacity(plan.count);
    let mut failed = 0u64;
    for batch in (0..plan.count).collect::<Vec<_>>().chunks(100) {
        let views = batch
            .iter()
            .map(|n| View::open_from(plan.addr, &plan.path, Some(source(*n))));
        for result in futures_util::future::join_all(views).await {
            match result {
                Ok(view) => open.push(view),
                Err(_) => failed += 1,
            }
        }
    }
    let peak = resident_bytes(pid);
    let opened = open.len();
    drop(open);
    let mut after = Vec::new();
    for _ in 0..6 {
        tokio::time::sleep(Duration::from_secs(10)).await;
        after.push(resident_bytes(pid));
    }
    Ok(json!({
        "opened": opened,
        "failed": failed,
        "rss_storm_before": before,
        "rss_storm_peak": peak,
        "rss_every_10s_after": after,
    }))
}

/// A page load with a session cookie the server never issued.
async fn forged_cookie(plan: &Plan) -> Result<serde_json::Value, String> {
    let forged = "lona_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let answer = crate::get(plan.addr, &plan.path, Some(forged), None).await?;
    let (status, set_cookie) = (answer.status, answer.set_cookie);
    Ok(json!({
        "status": status,
        "new_cookie_issued": set_cookie.is_some(),
        "forged_id_adopted": set_cookie.is_none(),
    }))
}
