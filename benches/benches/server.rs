//! The server over loopback, beside a bare tungstenite echo server measured in the same run:
//! the round trip of a click (send INPUT_EVENT, receive the DATA with the patch) at p50 and
//! p99, and the server's resident memory per open idle view.
//!
//! Not a criterion bench: latencies are a distribution, memory is the server's RSS. The lona
//! server runs in a child process (this binary, started with `--serve-counter`), so its memory
//! is measured alone. Figures go to `target/bench-rows/server.tsv` for `cargo xtask bench`;
//! under `cargo test` (no `--bench`) a small smoke run writes nothing.
#![allow(
    clippy::print_stdout,
    reason = "a bench binary reports what it measured"
)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use lona::prelude::*;
use serde_json::Value as Json;
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{WebSocketStream, accept_async, client_async};

/// The click-handler counter: `handle_request` returns at once, the handler runs per click.
struct Counter;

impl View for Counter {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let count = tags::span().with_text("0");
        let plus = tags::button().with_text("+1");
        cx.on_click(&plus, {
            let count = count.clone();
            move |_cx, _event| {
                let _lock = count.lock();
                let n: u64 = count.text_content().parse().unwrap_or(0);
                count.set_text((n + 1).to_string());
                Flow::Handled
            }
        });
        Ok(Response::Node(
            tags::div().with_child(&count).with_child(&plus),
        ))
    }
}

/// The child process: serve the counter until stdin closes.
fn serve() {
    let mut app = App::new();
    app.view("/", |_| Counter);
    let server = app.spawn("127.0.0.1:0").expect("the bench server starts");
    println!("{}", server.local_addr());
    let mut rest = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut rest);
    server.shutdown();
}

type Socket = WebSocketStream<TcpStream>;

async fn connect(addr: &str) -> Socket {
    let stream = TcpStream::connect(addr).await.expect("connects");
    let (socket, _) = client_async(format!("ws://{addr}/"), stream)
        .await
        .expect("upgrades");
    socket
}

async fn frame(socket: &mut Socket) -> Json {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(30), socket.next())
            .await
            .expect("an answer in time")
            .expect("open")
            .expect("a message");
        if let Message::Text(text) = message
            && let Some(json) = text.as_str().strip_prefix("lona:")
        {
            return serde_json::from_str(json).expect("JSON");
        }
    }
}

/// Opens the counter view; returns the socket, the runtime id and the button's node id.
async fn open_view(addr: &str) -> (Socket, String, String) {
    let mut socket = connect(addr).await;
    let view = format!(r#"lona:[1,null,101,["http://{addr}/",null]]"#);
    socket.send(Message::text(view)).await.expect("sends");
    let mut runtime = String::new();
    loop {
        let frame = frame(&mut socket).await;
        if frame[2] == 204 {
            runtime = frame[1].as_str().unwrap_or_default().to_owned();
        }
        if frame[2] == 203 && frame[3][1][0] == 502 {
            // The button is the root's second child.
            let button = frame[3][1][1][8][1][1]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            return (socket, runtime, button);
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(index).copied().unwrap_or_default()
}

async fn click_round_trips(addr: &str, clicks: usize) -> Vec<Duration> {
    let (mut socket, runtime, button) = open_view(addr).await;
    let mut times = Vec::with_capacity(clicks);
    for event_id in 1..=clicks {
        let click = format!(
            r#"lona:[1,"{runtime}",102,[{event_id},301,{{"alt_key":false,"shift_key":false,"meta_key":false,"ctrl_key":false,"node_width":80,"node_height":24,"x":1,"y":1}},["{button}","BUTTON","",""],["{button}","BUTTON","",""]]]"#
        );
        let start = Instant::now();
        socket.send(Message::text(click)).await.expect("sends");
        while frame(&mut socket).await[2] != 203 {}
        times.push(start.elapsed());
    }
    times.sort();
    times
}

async fn echo_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let addr = listener.local_addr().expect("an address").to_string();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Ok(mut socket) = accept_async(stream).await else {
                    return;
                };
                while let Some(Ok(message)) = socket.next().await {
                    if message.is_text() && socket.send(message).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    addr
}

async fn echo_round_trips(addr: &str, messages: usize) -> Vec<Duration> {
    let mut socket = connect(addr).await;
    // The size of a click frame, so both carry the same bytes.
    let payload = "x".repeat(230);
    let mut times = Vec::with_capacity(messages);
    for _ in 0..messages {
        let start = Instant::now();
        socket
            .send(Message::text(payload.clone()))
            .await
            .expect("sends");
        let _ = socket.next().await;
        times.push(start.elapsed());
    }
    times.sort();
    times
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

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--serve-counter") {
        serve();
        return;
    }
    let bench = args.iter().any(|a| a == "--bench");
    let (clicks, views) = if bench { (2_000, 1_000) } else { (20, 10) };

    let exe = std::env::current_exe().expect("the bench knows its path");
    let mut child = Command::new(exe)
        .arg("--serve-counter")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the server process starts");
    let mut first_line = String::new();
    if let Some(stdout) = child.stdout.take() {
        let _ = BufReader::new(stdout).read_line(&mut first_line);
    }
    let addr = first_line.trim().to_owned();

    let tokio = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let (echo, lona, per_view) = tokio.block_on(async {
        let echo_addr = echo_server().await;
        let echo = echo_round_trips(&echo_addr, clicks).await;
        let lona = click_round_trips(&addr, clicks).await;
        let before = resident_bytes(child.id());
        let mut open = Vec::with_capacity(views);
        for _ in 0..views {
            open.push(open_view(&addr).await);
        }
        let after = resident_bytes(child.id());
        drop(open);
        (echo, lona, (after - before) / views as f64)
    });
    drop(child.stdin.take());
    let _ = child.wait();

    let nanos = |d: Duration| d.as_nanos() as f64;
    let (lona50, lona99) = (percentile(&lona, 0.5), percentile(&lona, 0.99));
    let (echo50, echo99) = (percentile(&echo, 0.5), percentile(&echo, 0.99));
    println!(
        "click round trip p50 {lona50:?} p99 {lona99:?} max {:?}",
        lona.last().copied().unwrap_or_default()
    );
    println!("echo round trip  p50 {echo50:?} p99 {echo99:?}");
    println!("server memory per open idle view ({views}): {per_view:.0} bytes");
    if bench {
        let rows = format!(
            "server/click_roundtrip_p50/{clicks}\t{}\tns\t{}\n\
             server/click_roundtrip_p99/{clicks}\t{}\tns\t{}\n\
             server/memory_per_open_view/{views}\t{per_view:.0}\tbytes\t\n",
            nanos(lona50),
            nanos(echo50),
            nanos(lona99),
            nanos(echo99),
        );
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-rows");
        let written = std::fs::create_dir_all(&dir)
            .and_then(|()| std::fs::write(dir.join("server.tsv"), rows));
        if let Err(error) = written {
            println!("could not write the bench rows: {error}");
        }
    }
}
