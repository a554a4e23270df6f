//! Channels in views, on a real `lona_runtime::Runtime` with fake connections: what each
//! browser receives when views publish and subscribe. Nothing sleeps to synchronise: tests wait
//! for frames, announcements on the internal topics, or conditions, with a deadline that only
//! fails a hung test.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, unbounded};
use lona_channels::{
    Channels, Message, SUBSCRIBE_TOPIC, Subscription, TypedMessage, UNSUBSCRIBE_TOPIC,
    ViewChannels, ViewSubscription,
};
use lona_html::tags::{button, div, li, p, ul};
use lona_html::{Key, Node, Value};
use lona_protocol::client::{ClickData, EventKind, InputEvent as WireEvent, NodeInfo};
use lona_protocol::{RuntimeId, WindowId};
use lona_runtime::{
    AppState, AsyncContext, AsyncView, Connection, Context, EventOutcome, Flow, OutboxLimits,
    Outgoing, Request, Response, Runtime, RuntimeConfig, SessionId, View, ViewFactory, ViewHandle,
    ViewResult,
};
use parking_lot::Mutex;
use serde_json::Value as Json;

const DEADLINE: Duration = Duration::from_secs(20);
const W1: WindowId = WindowId(1);
/// The DATA method, and the HTML kinds of its payload.
const DATA: u64 = 203;
const HTML_TREE: u64 = 502;
const HTML_UPDATE: u64 = 503;

/// The next message of a connection, waiting for it to arrive.
fn next(conn: &Connection) -> Outgoing {
    conn.next_timeout(DEADLINE)
        .expect("a message within the deadline")
}

/// Parses a frame (`[window, runtime, method, payload]`).
fn parse(message: &Outgoing) -> Json {
    let text = message.encode().expect("a frame, not a close");
    serde_json::from_str(text.strip_prefix("lona:").expect("a lona frame")).expect("JSON")
}

/// Whether a frame is a DATA with an HTML_UPDATE.
fn is_update(frame: &Json) -> bool {
    frame[2] == DATA && frame[3][1][0] == HTML_UPDATE
}

/// Reads frames until an HTML_UPDATE that mentions `text`, and returns it.
fn update_with(conn: &Connection, text: &str) -> Json {
    loop {
        let frame = parse(&next(conn));
        if is_update(&frame) && frame.to_string().contains(text) {
            return frame;
        }
    }
}

/// Reads frames until the first HTML_TREE.
fn tree(conn: &Connection) -> Json {
    loop {
        let frame = parse(&next(conn));
        if frame[2] == DATA && frame[3][1][0] == HTML_TREE {
            return frame;
        }
    }
}

/// The frames queued now, without waiting.
fn queued(conn: &Connection) -> Vec<Json> {
    std::iter::from_fn(|| conn.try_next())
        .filter(|m| m.encode().is_some())
        .map(|m| parse(&m))
        .collect()
}

/// Waits until `condition` holds.
fn eventually(what: &str, condition: impl Fn() -> bool) {
    let start = Instant::now();
    while !condition() {
        assert!(start.elapsed() < DEADLINE, "timed out waiting for: {what}");
        std::thread::yield_now();
    }
}

fn browser(name: &str) -> Arc<Connection> {
    Connection::new(SessionId::new(name), OutboxLimits::default())
}

/// A runtime whose views reach `channels` as app state.
fn runtime_with(channels: &Channels) -> Runtime {
    Runtime::new(RuntimeConfig {
        runtime_threads: 4,
        worker_threads: 2,
        state: AppState::default().with(channels.clone()),
        ..RuntimeConfig::default()
    })
}

fn start(runtime: &Runtime, factory: &ViewFactory, conn: &Arc<Connection>) -> RuntimeId {
    let request = Request::new("http://localhost/", conn.session().clone());
    runtime
        .start_view(factory, request, conn, W1)
        .expect("the view starts")
}

fn click_on(node: &Node, event_id: u64) -> WireEvent {
    let info = NodeInfo {
        node_id: Some(node.id()),
        ..NodeInfo::default()
    };
    WireEvent {
        event_id,
        kind: EventKind::Click(ClickData::default()),
        node: info.clone(),
        target: info,
    }
}

/// Announcements of the internal topics, to wait for subscriptions without polling.
struct Announcements {
    received: Receiver<(String, String)>,
    _subscription: Subscription,
}

impl Announcements {
    fn watch(channels: &Channels) -> Announcements {
        let (sender, received) = unbounded();
        let subscription = channels.subscribe("lona.channels.*", move |message: &Message| {
            let pattern = message
                .data
                .get(&Key::Name("topic".to_owned()))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let _ = sender.send((message.topic.clone(), pattern));
        });
        Announcements {
            received,
            _subscription: subscription,
        }
    }

    /// Waits for `count` announcements on `topic` of subscriptions to `pattern`.
    fn wait(&self, topic: &str, pattern: &str, count: usize) {
        let mut seen = 0;
        while seen < count {
            let (got_topic, got_pattern) = self
                .received
                .recv_timeout(DEADLINE)
                .unwrap_or_else(|_| panic!("{count} announcements on {topic} of {pattern}"));
            if got_topic == topic && got_pattern == pattern {
                seen += 1;
            }
        }
    }
}

/// What the views of a test hand to the test, by session.
#[derive(Clone, Default)]
struct Probe {
    nodes: Arc<Mutex<HashMap<String, Node>>>,
    subscriptions: Arc<Mutex<HashMap<String, ViewSubscription>>>,
}

impl Probe {
    fn node(&self, session: &str) -> Node {
        self.nodes.lock()[session].clone()
    }
}

/// Shows a headline that every message on `news` replaces.
struct Headline {
    probe: Probe,
}

impl View for Headline {
    fn handle_request(&self, cx: &Context, request: &Request) -> ViewResult {
        let headline = p().with_text("no news yet");
        let root = div().with_child(&headline);
        cx.show(&root)?;
        let channels = cx.channels().expect("channels are app state");
        let subscription = cx.subscribe(&channels, "news", move |_cx, message| {
            headline.set_text(message.data.as_str().unwrap_or_default());
        });
        self.probe
            .subscriptions
            .lock()
            .insert(request.session.0.to_string(), subscription);
        Ok(Response::Empty)
    }
}

fn headline_factory(probe: &Probe) -> ViewFactory {
    let probe = probe.clone();
    ViewFactory::blocking(move |_| Headline {
        probe: probe.clone(),
    })
}

#[test]
fn two_views_on_a_topic_both_receive_a_message_and_their_browsers_are_updated() {
    let channels = Channels::local();
    let announcements = Announcements::watch(&channels);
    let runtime = runtime_with(&channels);
    let factory = headline_factory(&Probe::default());
    let (alice, bob) = (browser("alice"), browser("bob"));
    start(&runtime, &factory, &alice);
    start(&runtime, &factory, &bob);
    announcements.wait(SUBSCRIBE_TOPIC, "news", 2);
    assert_eq!(channels.subscribers("news"), 2);
    for conn in [&alice, &bob] {
        assert!(tree(conn).to_string().contains("no news yet"));
    }

    channels.publish("news", "rain tomorrow");
    for conn in [&alice, &bob] {
        let update = update_with(conn, "rain tomorrow");
        assert_eq!(update[0], 1, "to the view's window");
    }
    runtime.shutdown();
    assert!(channels.shutdown(DEADLINE));
}

#[test]
fn closing_a_views_connection_unsubscribes_it() {
    let channels = Channels::local();
    let announcements = Announcements::watch(&channels);
    let runtime = runtime_with(&channels);
    let factory = headline_factory(&Probe::default());
    let (alice, bob) = (browser("alice"), browser("bob"));
    start(&runtime, &factory, &alice);
    start(&runtime, &factory, &bob);
    announcements.wait(SUBSCRIBE_TOPIC, "news", 2);
    assert_eq!(
        channels.subscription_count(),
        3,
        "two views and the watcher"
    );

    runtime.connection_closed(&alice);
    // The view stops; its cleanup drops the subscription, which announces it.
    announcements.wait(UNSUBSCRIBE_TOPIC, "news", 1);
    assert_eq!(channels.subscribers("news"), 1);
    eventually("the view to be removed", || runtime.view_count() == 1);
    let _ = queued(&alice);

    channels.publish("news", "sun");
    update_with(&bob, "sun");
    eventually("every delivery to end", || channels.metrics().queued == 0);
    assert!(queued(&alice).iter().all(|frame| !is_update(frame)));
    runtime.shutdown();
    assert!(channels.shutdown(DEADLINE));
}

#[test]
fn a_view_can_unsubscribe_before_its_cleanup() {
    let channels = Channels::local();
    let announcements = Announcements::watch(&channels);
    let runtime = runtime_with(&channels);
    let probe = Probe::default();
    let factory = headline_factory(&probe);
    let alice = browser("alice");
    start(&runtime, &factory, &alice);
    announcements.wait(SUBSCRIBE_TOPIC, "news", 1);
    let subscription = probe.subscriptions.lock()["alice"].clone();
    assert!(subscription.is_active());
    assert_eq!(subscription.pattern(), "news");

    subscription.unsubscribe();
    assert!(!subscription.is_active());
    assert_eq!(channels.subscribers("news"), 0);
    // The view's cleanup later finds it ended, and ends nothing twice.
    runtime.connection_closed(&alice);
    eventually("the view to be removed", || runtime.view_count() == 0);
    assert_eq!(channels.subscription_count(), 1, "the watcher only");
    runtime.shutdown();
    assert!(channels.shutdown(DEADLINE));
}

/// A view whose handler panics on "boom".
struct Fragile;

impl View for Fragile {
    fn handle_request(&self, cx: &Context, request: &Request) -> ViewResult {
        let line = p().with_text("-");
        cx.show(&div().with_child(&line))?;
        let fragile = &*request.session.0 == "alice";
        let channels = cx.channels().expect("channels are app state");
        cx.subscribe(&channels, "alerts", move |_cx, message| {
            let text = message.data.as_str().unwrap_or_default();
            assert!(!(fragile && text == "boom"), "alice's handler fails");
            line.set_text(text);
        });
        Ok(Response::Empty)
    }
}

#[test]
fn a_panicking_view_handler_crashes_that_view_only() {
    let channels = Channels::local();
    let announcements = Announcements::watch(&channels);
    let runtime = runtime_with(&channels);
    let factory = ViewFactory::blocking(|_| Fragile);
    let (alice, bob) = (browser("alice"), browser("bob"));
    start(&runtime, &factory, &alice);
    start(&runtime, &factory, &bob);
    announcements.wait(SUBSCRIBE_TOPIC, "alerts", 2);

    channels.publish("alerts", "boom");
    update_with(&bob, "boom");
    announcements.wait(UNSUBSCRIBE_TOPIC, "alerts", 1);
    assert_eq!(channels.subscribers("alerts"), 1);
    assert_eq!(channels.metrics().handler_panics, 1);
    // Alice's view crashed as if an event handler had panicked: the 500 page, then gone.
    eventually("alice's view to be removed", || runtime.view_count() == 1);
    assert!(
        queued(&alice)
            .iter()
            .any(|frame| frame.to_string().contains("500 Internal Error")),
        "alice's window shows the 500 page"
    );
    assert_eq!(runtime.metrics().view_panics, 1);

    channels.publish("alerts", "calm");
    update_with(&bob, "calm");
    eventually("every delivery to end", || channels.metrics().queued == 0);
    assert!(
        queued(&alice).iter().all(|frame| !is_update(frame)),
        "alice's view is no longer subscribed"
    );
    runtime.shutdown();
    assert!(channels.shutdown(DEADLINE));
}

/// A chat room, as in the crate docs: a list of messages and a button that says hello.
struct Chat {
    probe: Probe,
}

impl View for Chat {
    fn handle_request(&self, cx: &Context, request: &Request) -> ViewResult {
        let channels = cx.channels().expect("channels are app state");
        let user = request.session.0.to_string();
        let messages = ul();
        let hello = button().with_text("Say hello");
        let root = div().with_child(&messages).with_child(&hello);
        cx.show(&root)?;
        cx.subscribe(
            &channels,
            "chat.*",
            move |_cx: &ViewHandle, message: &Message| {
                let field = |name: &str| {
                    message
                        .data
                        .get(&Key::Name(name.to_owned()))
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned()
                };
                messages.append(li().with_text(format!("{}: {}", field("user"), field("text"))));
            },
        );
        cx.on_click(&hello, {
            let user = user.clone();
            move |_cx, _event| {
                channels.publish(
                    "chat.lobby",
                    Value::map([("user", user.as_str()), ("text", "hello")]),
                );
                Flow::Handled
            }
        });
        self.probe.nodes.lock().insert(user, hello);
        Ok(Response::Empty)
    }
}

#[test]
fn a_chat_between_two_browsers() {
    let channels = Channels::local();
    let announcements = Announcements::watch(&channels);
    let runtime = runtime_with(&channels);
    let probe = Probe::default();
    let factory = {
        let probe = probe.clone();
        ViewFactory::blocking(move |_| Chat {
            probe: probe.clone(),
        })
    };
    let (alice, bob) = (browser("alice"), browser("bob"));
    let alice_view = start(&runtime, &factory, &alice);
    let bob_view = start(&runtime, &factory, &bob);
    announcements.wait(SUBSCRIBE_TOPIC, "chat.*", 2);

    let click = runtime.input_event(&alice, W1, alice_view, click_on(&probe.node("alice"), 1));
    assert_eq!(click, EventOutcome::Accepted);
    for conn in [&alice, &bob] {
        update_with(conn, "alice: hello");
    }
    let click = runtime.input_event(&bob, W1, bob_view, click_on(&probe.node("bob"), 1));
    assert_eq!(click, EventOutcome::Accepted);
    for conn in [&alice, &bob] {
        update_with(conn, "bob: hello");
    }
    // A message from outside any view (a wildcard publish reaches `chat.*` too).
    channels.publish(
        "chat.*",
        Value::map([("user", "server"), ("text", "closing soon")]),
    );
    for conn in [&alice, &bob] {
        update_with(conn, "server: closing soon");
    }
    runtime.shutdown();
    assert!(channels.shutdown(DEADLINE));
}

/// An async view subscribes the same way: its context derefs to a `ViewHandle` too.
struct AsyncTicker;

impl AsyncView for AsyncTicker {
    async fn handle_request(&self, cx: &AsyncContext, _request: &Request) -> ViewResult {
        let count = p().with_text("0");
        cx.show(&div().with_child(&count))?;
        let channels = cx.channels().expect("channels are app state");
        cx.subscribe(&channels, "tick", move |_cx, message| {
            count.set_text(format!(
                "tick {}",
                message.data.as_i64().unwrap_or_default()
            ));
        });
        Ok(Response::Empty)
    }
}

#[test]
fn async_views_subscribe_too_and_each_message_is_flushed_in_order() {
    let channels = Channels::local();
    let announcements = Announcements::watch(&channels);
    let runtime = runtime_with(&channels);
    let alice = browser("alice");
    start(
        &runtime,
        &ViewFactory::asynchronous(|_| AsyncTicker),
        &alice,
    );
    announcements.wait(SUBSCRIBE_TOPIC, "tick", 1);
    for n in 1..=20 {
        channels.publish("tick", n);
    }
    // One update per message, in publish order: the handler runs for one message at a time
    // and each flush follows its message.
    let mut ticks = Vec::new();
    while ticks.last() != Some(&20) {
        let frame = parse(&next(&alice));
        if is_update(&frame) {
            let text = frame.to_string();
            let at = text.find("tick ").expect("an update of the tick") + "tick ".len();
            let digits: String = text[at..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            ticks.push(digits.parse::<i64>().expect("a number"));
        }
    }
    assert_eq!(ticks, (1..=20).collect::<Vec<_>>());
    runtime.shutdown();
    assert!(channels.shutdown(DEADLINE));
}

/// A score as the app defines it: channels carry it, views receive it typed.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct Score {
    home: u32,
    away: u32,
}

/// Shows the score; every `Score` on `score.*` replaces it.
struct Scoreboard;

impl View for Scoreboard {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let board = p().with_text("no score yet");
        cx.show(&div().with_child(&board))?;
        let channels = cx.channels().expect("channels are app state");
        cx.subscribe_typed(
            &channels,
            "score.*",
            move |_cx, score: TypedMessage<Score>| {
                let Score { home, away } = score.data;
                board.set_text(format!("{}: {home}-{away}", score.topic));
            },
        );
        Ok(Response::Empty)
    }
}

#[test]
fn a_view_receives_typed_messages_and_skips_the_wrong_type_without_crashing() {
    let channels = Channels::local();
    let announcements = Announcements::watch(&channels);
    let runtime = runtime_with(&channels);
    let alice = browser("alice");
    start(&runtime, &ViewFactory::blocking(|_| Scoreboard), &alice);
    announcements.wait(SUBSCRIBE_TOPIC, "score.*", 1);
    assert!(tree(&alice).to_string().contains("no score yet"));

    channels
        .publish_typed("score.final", &Score { home: 3, away: 1 })
        .expect("serializes");
    update_with(&alice, "score.final: 3-1");
    // Not a Score: skipped and counted; the view neither crashes nor stops.
    channels.publish("score.final", "three to one");
    channels
        .publish_typed("score.final", &Score { home: 4, away: 1 })
        .expect("serializes");
    update_with(&alice, "score.final: 4-1");
    let metrics = channels.metrics();
    assert_eq!(metrics.mismatched, 1);
    assert_eq!(metrics.handler_panics, 0);
    assert_eq!(runtime.view_count(), 1, "the view goes on");
    runtime.shutdown();
    assert!(channels.shutdown(DEADLINE));
}

/// Needs channels; `?` turns their absence into the view's error.
struct NeedsChannels;

impl View for NeedsChannels {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let channels = cx.channels()?;
        cx.subscribe(&channels, "any", |_cx, _message| {});
        Ok(Response::Node(p().with_text("subscribed")))
    }
}

#[test]
fn a_view_of_an_app_without_channels_fails_with_the_500_page_not_a_404() {
    // No Channels in the app's state: the setup is wrong, not the URL.
    let runtime = Runtime::new(RuntimeConfig::default());
    let alice = browser("alice");
    start(&runtime, &ViewFactory::blocking(|_| NeedsChannels), &alice);
    let frame = tree(&alice).to_string();
    assert!(frame.contains("500 Internal Error"), "{frame}");
    assert!(!frame.contains("404"), "{frame}");
    runtime.shutdown();
}
