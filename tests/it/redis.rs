//! Channels across processes through a real Redis: two `Channels` on two `RedisBroker`s stand
//! for two processes, then two servers share one Redis through `channel_broker_url`. Each test
//! starts Debian's `redis-server` on a free loopback port and stops it after.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;
use lona::channels::RedisBroker;
use lona::channels::{Channels, Message, PublishOptions, TypedMessage};
use lona::prelude::*;
use lona::server::ServerError;
use lona_test::TestServer;

/// Set to `1` to skip these tests when `redis-server` is not installed.
const SKIP_VAR: &str = "LONA_SKIP_REDIS_TESTS";
const TIMEOUT: Duration = Duration::from_secs(10);

/// `redis-server` on a loopback port, with no persistence; stopped (SIGTERM) when dropped.
pub(crate) struct Redis {
    child: Child,
    /// The program, to start it again on the same port.
    binary: PathBuf,
    port: u16,
    stopped: bool,
}

impl Redis {
    /// Starts one, or `None` if it is not installed and the skip variable is set.
    ///
    /// # Panics
    ///
    /// If it is not installed (and not skipped), or does not answer PING in time.
    pub(crate) fn start() -> Option<Redis> {
        let binary = test_support::installed(
            &["/usr/bin/redis-server", "/usr/local/bin/redis-server"],
            "redis-server",
            SKIP_VAR,
        )?;
        // Redis cannot pick a free port itself: take one from the OS, release it, and try
        // again if another process took it meanwhile (redis-server then exits).
        for _ in 0..5 {
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("a free loopback port")
                .port();
            if let Some(redis) = Redis::start_on(&binary, port) {
                return Some(redis);
            }
        }
        panic!("redis-server did not start on any of five free ports");
    }

    /// Starts one on `port`; `None` if it exited (the port was taken).
    fn start_on(binary: &Path, port: u16) -> Option<Redis> {
        let child = Command::new(binary)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        let mut redis = Redis {
            child,
            binary: binary.to_path_buf(),
            port,
            stopped: false,
        };
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if redis.ping() {
                return Some(redis);
            }
            if redis.child.try_wait().ok().flatten().is_some() {
                return None;
            }
            assert!(
                Instant::now() < deadline,
                "redis-server did not answer PING"
            );
            std::thread::yield_now();
        }
    }

    pub(crate) fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    fn ping(&self) -> bool {
        self.command(&["PING"])
            .is_some_and(|reply| reply == "+PONG\r\n")
    }

    /// Sends one command on a fresh connection; its reply's first line.
    fn command(&self, args: &[&str]) -> Option<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        stream.set_read_timeout(Some(TIMEOUT)).ok()?;
        let mut frame = format!("*{}\r\n", args.len());
        for arg in args {
            frame.push_str(&format!("${}\r\n{arg}\r\n", arg.len()));
        }
        stream.write_all(frame.as_bytes()).ok()?;
        let mut reply = Vec::new();
        let mut byte = [0u8; 1];
        while !reply.ends_with(b"\r\n") {
            stream.read_exact(&mut byte).ok()?;
            reply.push(byte[0]);
        }
        String::from_utf8(reply).ok()
    }

    /// Stops it and starts it again on the same port: every client loses its connection.
    fn restart(&mut self) {
        self.stop();
        let restarted =
            Redis::start_on(&self.binary, self.port).expect("redis-server restarts on its port");
        *self = restarted;
    }

    fn stop(&mut self) {
        if std::mem::replace(&mut self.stopped, true) {
            return;
        }
        test_support::terminate(&mut self.child);
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Two processes' channels on one Redis.
fn two_processes(redis: &Redis) -> (Channels, Channels) {
    let connect = || Channels::new(RedisBroker::connect(&redis.url()).expect("connects"));
    (connect(), connect())
}

/// Subscribes `pattern` and returns what arrives as (topic, data).
fn listen(
    channels: &Channels,
    pattern: &str,
) -> (lona::channels::Subscription, Receiver<(String, Value)>) {
    let (sender, received) = crossbeam_channel::unbounded();
    let subscription = channels.subscribe(pattern, move |message: &Message| {
        let _ = sender.send((message.topic.clone(), message.data.clone()));
    });
    (subscription, received)
}

fn next(received: &Receiver<(String, Value)>, what: &str) -> (String, Value) {
    received
        .recv_timeout(TIMEOUT)
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

#[test]
fn a_publish_in_one_process_reaches_the_other_once_with_its_data() {
    let Some(redis) = Redis::start() else { return };
    let (a, b) = two_processes(&redis);
    let (_on_a, at_a) = listen(&a, "news.sport");
    let (_on_b, at_b) = listen(&b, "news.sport");
    let data = Value::map([
        ("score", Value::from("3:1")),
        ("minute", Value::Int(90)),
        ("tags", Value::list(["final", "home"])),
    ]);
    a.publish("news.sport", data.clone());
    a.publish("news.sport", "marker");
    for received in [&at_a, &at_b] {
        assert_eq!(
            next(received, "the message"),
            ("news.sport".to_owned(), data.clone())
        );
        // The publisher's process gets it once: its echo from Redis is skipped.
        assert_eq!(next(received, "the marker").1.as_str(), Some("marker"));
    }
    assert!(a.shutdown(TIMEOUT) && b.shutdown(TIMEOUT));
}

#[test]
fn wildcards_match_in_both_directions_across_processes() {
    let Some(redis) = Redis::start() else { return };
    let (a, b) = two_processes(&redis);
    let (_chat, chat) = listen(&b, "chat.*");
    let (_lobby, lobby) = listen(&b, "room.lobby");
    a.publish("chat.general", "to a wildcard subscription");
    a.publish("room.*", "from a wildcard publish");
    assert_eq!(next(&chat, "chat.general").0, "chat.general");
    let (topic, data) = next(&lobby, "room.*");
    assert_eq!(
        topic, "room.*",
        "a wildcard publish keeps its pattern as topic"
    );
    assert_eq!(data.as_str(), Some("from a wildcard publish"));
    assert!(a.shutdown(TIMEOUT) && b.shutdown(TIMEOUT));
}

#[test]
fn a_subscription_in_another_process_gets_1000_messages_in_order() {
    let Some(redis) = Redis::start() else { return };
    let (a, b) = two_processes(&redis);
    let (_seq, received) = listen(&b, "seq.*");
    let started = Instant::now();
    for n in 0..1000 {
        // Two topics, one order: the subscription sees the publisher's order across both.
        a.publish(
            if n % 2 == 0 { "seq.even" } else { "seq.odd" },
            Value::Int(n),
        );
    }
    for n in 0..1000 {
        assert_eq!(next(&received, "the next number").1, Value::Int(n));
    }
    let elapsed = started.elapsed();
    assert!(elapsed < TIMEOUT, "1000 messages took {elapsed:?}");
    assert_eq!(a.metrics().dropped + b.metrics().dropped, 0);
    assert!(a.shutdown(TIMEOUT) && b.shutdown(TIMEOUT));
}

#[test]
fn local_messages_stay_in_their_process() {
    let Some(redis) = Redis::start() else { return };
    let (a, b) = two_processes(&redis);
    let (_on_a, at_a) = listen(&a, "t");
    let (_on_b, at_b) = listen(&b, "t");
    a.publish_with("t", "only here", PublishOptions::new().local(true));
    a.publish("t", "everywhere");
    assert_eq!(
        next(&at_a, "the local message").1.as_str(),
        Some("only here")
    );
    assert_eq!(next(&at_a, "the other").1.as_str(), Some("everywhere"));
    assert_eq!(
        next(&at_b, "the message for everyone").1.as_str(),
        Some("everywhere"),
        "the local message never left process A"
    );
    assert!(a.shutdown(TIMEOUT) && b.shutdown(TIMEOUT));
}

#[test]
fn expired_and_unreadable_messages_are_dropped_and_counted() {
    let Some(redis) = Redis::start() else { return };
    let (a, b) = two_processes(&redis);
    let (_on_b, at_b) = listen(&b, "t");
    let (_on_a, at_a) = listen(&a, "t");
    // Expired before it leaves: process A does not send it.
    let expired = a.publish_with(
        "t",
        "stale",
        PublishOptions::new().expires_at(Instant::now()),
    );
    // Expired on arrival, as a process with no time left would send it; then garbage.
    let reply = redis.command(&[
        "PUBLISH",
        "lona:channels:t",
        r#"{"origin":"elsewhere","topic":"t","data":"late","expires_in_ms":0}"#,
    ]);
    assert_eq!(
        reply.as_deref(),
        Some(":2\r\n"),
        "both brokers are subscribed"
    );
    redis.command(&["PUBLISH", "lona:channels:t", "not json"]);
    redis.command(&["PUBLISH", "lona:channels:t", r#"{"data":"no topic"}"#]);
    a.publish("t", "marker");
    assert_eq!(next(&at_b, "the marker").1.as_str(), Some("marker"));
    // A's own broker handles its messages in publish order: once the marker is there, it
    // has dropped the expired one before it.
    assert_eq!(next(&at_a, "the marker at A").1.as_str(), Some("marker"));
    assert!(expired.is_dropped());
    // The late one and the two unreadable ones.
    assert_eq!(b.metrics().dropped, 3);
    assert!(a.shutdown(TIMEOUT) && b.shutdown(TIMEOUT));
}

#[test]
fn brokers_reconnect_after_redis_restarts() {
    let Some(mut redis) = Redis::start() else {
        return;
    };
    let (a, b) = two_processes(&redis);
    let (_on_b, at_b) = listen(&b, "t");
    redis.restart();
    // Messages published while the subscriber is away are lost (Redis pub/sub keeps
    // nothing), so A publishes until one arrives: both sides have reconnected then.
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut n = 0;
    loop {
        n += 1;
        a.publish("t", Value::Int(n));
        if let Ok((_, Value::Int(_))) = at_b.recv_timeout(Duration::from_millis(100)) {
            break;
        }
        assert!(Instant::now() < deadline, "no message after the restart");
    }
    assert!(a.shutdown(TIMEOUT) && b.shutdown(TIMEOUT));
}

#[test]
fn the_server_does_not_start_without_its_redis() {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut app = App::new();
    app.settings.channel_broker_url = Some(format!("redis://127.0.0.1:{port}/"));
    match app.spawn("127.0.0.1:0") {
        Err(error @ ServerError::ChannelBroker(_)) => {
            let text = error.to_string();
            assert!(text.contains("channel_broker_url"), "{text}");
            assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
        }
        Err(other) => panic!("the wrong error: {other}"),
        Ok(_) => panic!("the server started with no Redis"),
    }
}

/// A room: each click on `#send` publishes to `room.lobby`; every message is listed.
struct Room;

impl View for Room {
    fn handle_request(&self, cx: &Context, request: &Request) -> ViewResult {
        let channels = cx.channels()?;
        let lines = tags::ul().with_id("lines");
        let send = tags::button().with_id("send").with_text("Send");
        let root = tags::div().with_child(&lines).with_child(&send);
        cx.subscribe(&channels, "room.*", move |_view, message| {
            lines.append(tags::li().with_text(message.data.as_str().unwrap_or("?")));
        });
        let who = request.query("who").unwrap_or("someone").to_owned();
        cx.on_click(&send, move |_cx, _event| {
            channels.publish("room.lobby", format!("hello from {who}"));
            Flow::Handled
        });
        Ok(Response::Node(root))
    }
}

#[test]
fn a_click_in_one_server_updates_a_view_in_another() {
    let Some(redis) = Redis::start() else { return };
    let start = || {
        let mut app = App::new();
        app.settings.channel_broker_url = Some(redis.url());
        app.view("/room", |_| Room);
        TestServer::start(app)
    };
    let (one, two) = (start(), start());
    let mut ada = one
        .open("/room?who=ada")
        .expect("ada opens the room on server one");
    let mut bob = two
        .open("/room?who=bob")
        .expect("bob opens the room on server two");
    ada.wait_for_selector("#send").expect("ada's room");
    // Views subscribe before they show, and the broker subscribed to Redis at startup.
    bob.wait_for_selector("#send").expect("bob's room");
    ada.click("#send").expect("ada sends");
    bob.wait_for_node_text("#lines", "hello from ada")
        .expect("the message crosses to server two");
    ada.wait_for_node_text("#lines", "hello from ada")
        .expect("and reaches server one's view");
    bob.click("#send").expect("bob answers");
    ada.wait_for_node_text("#lines", "hello from adahello from bob")
        .expect("the answer crosses back, in order");
}

/// A message type of the app's own: nested, with an enum and an option, as apps have them.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct Dashboard {
    title: String,
    rows: Vec<Row>,
    status: Status,
    note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct Row {
    name: String,
    load: f64,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
enum Status {
    Ok,
    Degraded { since_s: u64 },
}

#[test]
fn a_typed_message_crosses_processes_typed_and_another_type_is_skipped() {
    let Some(redis) = Redis::start() else { return };
    let (a, b) = two_processes(&redis);
    let (sender, received) = crossbeam_channel::unbounded();
    let _typed = b.subscribe_typed("dash.*", move |message: TypedMessage<Dashboard>| {
        let _ = sender.send(message);
    });
    let (_raw, raw) = listen(&b, "dash.*");
    let board = Dashboard {
        title: "eu-west".to_owned(),
        rows: vec![
            Row {
                name: "web".to_owned(),
                load: 0.25,
            },
            Row {
                name: "db".to_owned(),
                load: 1.5,
            },
        ],
        status: Status::Degraded { since_s: 90 },
        note: None,
    };
    // Not a Dashboard first: skipped on b, counted, and order is kept for what follows.
    a.publish("dash.eu", "not a dashboard");
    a.publish_typed("dash.eu", &board).expect("serializes");
    let message = received
        .recv_timeout(TIMEOUT)
        .expect("the typed message crosses");
    assert_eq!(message.topic, "dash.eu");
    assert_eq!(message.data, board, "it arrives as the type, whole");
    // Underneath it travelled as JSON, and an untyped subscriber sees that JSON's Value.
    assert_eq!(next(&raw, "the string").1.as_str(), Some("not a dashboard"));
    let (_, value) = next(&raw, "the dashboard as a Value");
    assert_eq!(
        value,
        lona::channels::to_value(&board).expect("serializes"),
        "fields in their order"
    );
    assert_eq!(b.metrics().mismatched, 1);
    assert!(received.try_recv().is_err());
    assert!(a.shutdown(TIMEOUT) && b.shutdown(TIMEOUT));
}

#[test]
fn the_chat_example_spans_two_servers_on_one_redis() {
    let Some(redis) = Redis::start() else { return };
    let start = || {
        let mut app = examples::chat::app();
        app.settings.channel_broker_url = Some(redis.url());
        TestServer::start(app)
    };
    let (one, two) = (start(), start());
    let mut ada = one.open("/").expect("ada opens the lobby on server one");
    let mut bob = two.open("/").expect("bob opens the lobby on server two");
    ada.wait_for_selector("#send").expect("ada's lobby");
    bob.wait_for_selector("#send").expect("bob's lobby");
    ada.change("#text", ChangeValue::Text("hello over Redis".into()))
        .expect("ada types");
    ada.click("#send").expect("ada sends");
    for client in [&mut bob, &mut ada] {
        client
            .wait_for(|window| {
                window
                    .query("#messages")
                    .is_some_and(|list| list.text_content().ends_with(": hello over Redis"))
            })
            .expect("the typed message reaches both servers' views");
    }
}
