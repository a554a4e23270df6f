//! The acknowledged stream under load (docs/protocol.md): how long a window takes to resume
//! its running view after a cut, beside one click's round trip on the same view; the bytes a
//! resume costs beside the page's whole tree; and the server's memory per detached view.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use lona_protocol::WindowId;
use serde_json::json;
use tokio::net::TcpStream;

use crate::view::View;
use crate::{check_loopback, histogram, resident_bytes};

/// How long one step (a view's start, a resume, a click) may take before the run fails.
const STEP: Duration = Duration::from_secs(30);

impl View {
    /// A view in window 1 that asks for the acknowledged stream, with its first tree.
    async fn open_acked(addr: SocketAddr, path: &str) -> Result<View, String> {
        let mut view = View::connect(addr, path, None).await?;
        view.state.ask_acked(WindowId(1));
        view.start(addr, path).await?;
        Ok(view)
    }

    /// Sends the ACKs due, as the browser client does before an event.
    async fn send_acks(&mut self) -> Result<(), String> {
        for frame in self.state.acks_due() {
            self.send(frame).await?;
        }
        Ok(())
    }

    /// Opens a new socket of the same visitor in place of the old one, resumes window 1, and
    /// waits for RESUMED and the replay. Returns when the new socket was open (its handshake
    /// done); `bytes_received` counts from there.
    async fn resume(&mut self, addr: SocketAddr, path: &str) -> Result<Instant, String> {
        let fresh = View::socket(addr, path, self.cookie.clone(), None).await?;
        self.socket = fresh.socket;
        self.bytes_received = 0;
        let opened = Instant::now();
        for frame in self.state.resumes() {
            self.send(frame).await?;
        }
        self.until(STEP, |state| {
            state
                .window(WindowId(1))
                .is_some_and(|w| w.last_resume().is_some())
        })
        .await?;
        let window = self.state.window(WindowId(1)).ok_or("no window")?;
        let last = match window.last_resume() {
            Some(Ok(last)) => last,
            other => return Err(format!("the resume failed: {other:?}")),
        };
        self.until(STEP, |state| {
            state
                .window(WindowId(1))
                .is_some_and(|w| w.applied_seq() >= last)
        })
        .await?;
        Ok(opened)
    }

    /// The text of the node `selector` names in window 1.
    fn text_of(&self, selector: &str) -> Option<String> {
        self.state
            .window(WindowId(1))
            .and_then(|w| w.query(selector))
            .map(|node| node.text_content())
    }
}

/// Clicks `selector` on one acknowledged view `clicks` times (its round trip), then `cuts`
/// times sends a click, lets its answer reach the socket unread, and closes the socket without
/// a close frame (a cut), opens a new one and resumes: from the new socket's open to the DOM
/// showing the click, which only the replay can bring. `counter` names the node whose number
/// each click raises by one.
pub(crate) async fn resume(
    addr: SocketAddr,
    path: &str,
    selector: &str,
    counter: &str,
    clicks: u64,
    cuts: u64,
) -> Result<serde_json::Value, String> {
    check_loopback(addr)?;
    let mut view = View::open_acked(addr, path).await?;
    let start_bytes = view.bytes_received;
    let target = view
        .state
        .window(WindowId(1))
        .and_then(|w| w.query(selector))
        .ok_or_else(|| format!("no {selector} on {path}"))?;
    let mut expected: u64 = view
        .text_of(counter)
        .and_then(|text| text.trim().parse().ok())
        .ok_or_else(|| format!("{counter} shows no number"))?;

    let mut click_times = histogram();
    for _ in 0..clicks {
        view.send_acks().await?;
        let frame = view.state.click(&target).map_err(|e| e.to_string())?;
        let started = Instant::now();
        view.send(frame.frame).await?;
        expected += 1;
        let want = expected.to_string();
        while view.text_of(counter).as_deref() != Some(want.as_str()) {
            view.next_update(STEP).await?;
        }
        record(&mut click_times, started.elapsed());
    }

    let mut resume_times = histogram();
    let mut resume_bytes = 0u64;
    for _ in 0..cuts {
        view.send_acks().await?;
        let frame = view.state.click(&target).map_err(|e| e.to_string())?;
        view.send(frame.frame).await?;
        expected += 1;
        // The server's answer reaching the socket says the click was handled; the client never
        // reads it, so the resume must bring it.
        let mut byte = [0u8; 1];
        tokio::time::timeout(STEP, view.socket.get_ref().peek(&mut byte))
            .await
            .map_err(|_| "no answer to the click before the cut")?
            .map_err(|e| e.to_string())?;
        // The cut: the TCP connection closes under the WebSocket, no close frame.
        cut(&mut view).await;
        let opened = view.resume(addr, path).await?;
        let want = expected.to_string();
        while view.text_of(counter).as_deref() != Some(want.as_str()) {
            view.next_update(STEP).await?;
        }
        record(&mut resume_times, opened.elapsed());
        resume_bytes += view.bytes_received;
    }
    Ok(json!({
        "clicks": clicks,
        "cuts": cuts,
        "click_p50_ns": click_times.value_at_quantile(0.5),
        "click_p99_ns": click_times.value_at_quantile(0.99),
        "resume_p50_ns": resume_times.value_at_quantile(0.5),
        "resume_p99_ns": resume_times.value_at_quantile(0.99),
        "start_bytes": start_bytes,
        "resume_bytes": resume_bytes as f64 / cuts.max(1) as f64,
    }))
}

/// Closes the view's TCP connection at once: no WebSocket close frame, as when a network
/// drops (the server sees the connection end and detaches the view).
async fn cut(view: &mut View) {
    let stream: &mut TcpStream = view.socket.get_mut();
    let _ = tokio::io::AsyncWriteExt::shutdown(stream).await;
}

fn record(histogram: &mut hdrhistogram::Histogram<u64>, elapsed: Duration) {
    let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
    let _ = histogram.record(nanos.max(1_000));
}

/// Opens `views` acknowledged views twice over and cuts each batch's sockets: the growth of the
/// server's resident memory from the first detached batch to the second, per view, is what a
/// detached view holds (its tree, its replay buffer, its timer), without the socket buffers,
/// which the second batch reuses. `metrics` is the server's Prometheus path, read until every
/// window of a batch is detached.
pub(crate) async fn detached(
    addr: SocketAddr,
    path: &str,
    metrics: &str,
    views: usize,
    pid: u32,
) -> Result<serde_json::Value, String> {
    check_loopback(addr)?;
    let before = resident_bytes(pid);
    let mut rss = Vec::new();
    for batch in 1..=2 {
        let mut open = Vec::with_capacity(views);
        for chunk in (0..views).collect::<Vec<_>>().chunks(100) {
            let handshakes = chunk.iter().map(|_| View::open_acked(addr, path));
            for result in futures_util::future::join_all(handshakes).await {
                open.push(result?);
            }
        }
        if batch == 1 {
            rss.push(resident_bytes(pid));
        }
        for view in &mut open {
            cut(view).await;
        }
        drop(open);
        let want = (batch * views) as f64;
        let deadline = Instant::now() + STEP;
        while detached_windows(addr, metrics).await? < want {
            if Instant::now() > deadline {
                return Err(format!("{want} windows never detached"));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        rss.push(resident_bytes(pid));
    }
    let open_rss = rss[0];
    let (first, second) = (rss[1], rss[2]);
    Ok(json!({
        "views": views,
        "rss_before": before,
        "bytes_per_open_view": (open_rss - before) / views.max(1) as f64,
        "bytes_per_detached_view": (second - first) / views.max(1) as f64,
    }))
}

/// The `lona_windows_detached` gauge of the server's metrics page.
async fn detached_windows(addr: SocketAddr, metrics: &str) -> Result<f64, String> {
    let body = crate::view::get_body(addr, metrics).await?;
    body.lines()
        .find_map(|line| line.strip_prefix("lona_windows_detached "))
        .and_then(|value| value.trim().parse().ok())
        .ok_or_else(|| format!("no lona_windows_detached on {metrics}"))
}
