//! Tests of `Channels` over the local broker, and over a recording broker that shows what the
//! `Broker` trait is asked to do. Nothing sleeps to synchronise: tests wait on channels and
//! conditions with a deadline that only fails a hung test.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, unbounded};
use lona_html::{Key, Value};
use parking_lot::Mutex;

use crate::{
    Broker, BrokerMetrics, Channels, Handler, LocalConfig, Message, PublishOptions,
    SUBSCRIBE_TOPIC, SubscriptionId, UNSUBSCRIBE_TOPIC,
};

const DEADLINE: Duration = Duration::from_secs(20);

/// The next item, waiting for it.
fn recv<T>(receiver: &Receiver<T>) -> T {
    receiver
        .recv_timeout(DEADLINE)
        .expect("an item within the deadline")
}

/// Waits until `condition` holds.
fn eventually(what: &str, condition: impl Fn() -> bool) {
    let start = Instant::now();
    while !condition() {
        assert!(start.elapsed() < DEADLINE, "timed out waiting for: {what}");
        thread::yield_now();
    }
}

/// A subscription handler that forwards `(topic, data)` of every message.
fn forward(sender: Sender<(String, Value)>) -> impl Fn(&Message) + Send + Sync + 'static {
    move |message| {
        let _ = sender.send((message.topic.clone(), message.data.clone()));
    }
}

/// A gate a handler waits at until the test opens it (by dropping the returned sender).
fn gate() -> (Sender<()>, Receiver<()>) {
    crossbeam_channel::bounded(0)
}

/// A subscription whose handler, for each message `holds` picks, says so on `in_handler` and
/// waits at a gate until the test drops `open`; then it sends every message's data on
/// `received`.
struct Held {
    subscription: crate::Subscription,
    received: Receiver<Value>,
    in_handler: Receiver<()>,
    open: Sender<()>,
}

fn held(
    channels: &Channels,
    pattern: &str,
    holds: impl Fn(&Value) -> bool + Send + Sync + 'static,
) -> Held {
    let (sender, received) = unbounded();
    let (entered, in_handler) = unbounded();
    let (open, wait) = gate();
    let subscription = channels.subscribe(pattern, move |message: &Message| {
        if holds(&message.data) {
            let _ = entered.send(());
            let _ = wait.recv();
        }
        let _ = sender.send(message.data.clone());
    });
    Held {
        subscription,
        received,
        in_handler,
        open,
    }
}

fn field<'a>(value: &'a Value, name: &str) -> Option<&'a Value> {
    value.get(&Key::Name(name.to_owned()))
}

#[test]
fn subscribing_and_unsubscribing_keep_the_books() {
    let channels = Channels::local();
    assert_eq!(channels.subscription_count(), 0);
    let a = channels.subscribe("chat.lobby", |_| {});
    let b = channels.subscribe("chat.lobby", |_| {});
    let c = channels.subscribe("chat.*", |_| {});
    assert_eq!(
        channels.subscriptions(),
        vec![("chat.*".to_owned(), 1), ("chat.lobby".to_owned(), 2)]
    );
    assert_eq!(channels.subscription_count(), 3);
    // Lona's `Channel.get_channels(topic)`: both directions.
    assert_eq!(channels.subscribers("chat.lobby"), 3);
    assert_eq!(channels.subscribers("chat.other"), 1);
    assert_eq!(channels.subscribers("chat.*"), 3);
    assert_eq!(channels.subscribers("news"), 0);
    assert_eq!(a.pattern(), "chat.lobby");
    assert_ne!(a.id(), b.id());

    drop(a);
    assert_eq!(
        channels.subscriptions(),
        vec![("chat.*".to_owned(), 1), ("chat.lobby".to_owned(), 1)]
    );
    b.unsubscribe();
    c.unsubscribe();
    assert!(channels.subscriptions().is_empty());
    assert_eq!(channels.metrics().subscriptions, 0);
    assert!(channels.shutdown(DEADLINE));
}

#[test]
fn publishes_reach_matching_subscriptions_in_both_directions() {
    // (subscribed pattern, published topic, delivered).
    let cases: &[(&str, &str, bool)] = &[
        ("chat.lobby", "chat.lobby", true),
        ("chat.*", "chat.lobby", true),
        ("chat.?", "chat.12", false),
        ("chat.[!a]*", "chat.lobby", true),
        ("chat.[!a]*", "chat.arena", false),
        ("chat.lobby", "chat.*", true),
        ("chat.lobby", "chat.[kl]obby", true),
        ("chat.lobby", "news.*", false),
        ("chat.*", "chat.?obby", true),
        ("news.lobby", "chat.lobby", false),
    ];
    let channels = Channels::local();
    for &(pattern, topic, delivered) in cases {
        let (sender, received) = unbounded();
        let subscription = channels.subscribe(pattern, forward(sender));
        channels.publish(topic, "probe");
        // `*` reaches every subscription, and one subscription's messages arrive in publish
        // order: once the marker is here, the probe has arrived or never will.
        channels.publish("*", "marker");
        let first = recv(&received).1;
        let got = first.as_str() == Some("probe");
        assert_eq!(
            got, delivered,
            "{pattern:?} subscribed, {topic:?} published"
        );
        if got {
            assert_eq!(recv(&received).1.as_str(), Some("marker"));
        }
        drop(subscription);
    }
    assert!(channels.shutdown(DEADLINE));
}

#[test]
fn each_subscription_gets_every_message_in_publish_order_under_concurrent_publishers() {
    const PUBLISHERS: i64 = 8;
    const EACH: i64 = 500;
    let channels = Channels::local_with(LocalConfig {
        workers: 4,
        // Small batches make mailboxes change threads often.
        batch: 3,
    });
    // Three subscriptions with overlapping patterns; each checks it is never run twice at once.
    let patterns = ["order.*", "order.0", "order.[01]"];
    let overlaps = Arc::new(AtomicU64::new(0));
    let mut subscriptions = Vec::new();
    let mut receivers = Vec::new();
    for pattern in patterns {
        let (sender, received) = unbounded::<(String, i64, i64)>();
        let running = AtomicBool::new(false);
        let overlaps = Arc::clone(&overlaps);
        subscriptions.push(channels.subscribe(pattern, move |message| {
            if running.swap(true, Ordering::AcqRel) {
                overlaps.fetch_add(1, Ordering::Relaxed);
            }
            let publisher = field(&message.data, "publisher").and_then(Value::as_i64);
            let n = field(&message.data, "n").and_then(Value::as_i64);
            let _ = sender.send((
                message.topic.clone(),
                publisher.expect("publisher"),
                n.expect("n"),
            ));
            running.store(false, Ordering::Release);
        }));
        receivers.push(received);
    }
    // Publishers share topics: publisher p publishes to `order.{p % 4}`. Half of them also
    // take a ticket under a lock, so their publishes are ordered between threads too.
    let ticket = Arc::new(Mutex::new(0_i64));
    let threads: Vec<_> = (0..PUBLISHERS)
        .map(|publisher| {
            let channels = channels.clone();
            let ticket = Arc::clone(&ticket);
            thread::Builder::new()
                .name(format!("publisher-{publisher}"))
                .spawn(move || {
                    let topic = format!("order.{}", publisher % 4);
                    for n in 0..EACH {
                        let data = |n: i64| Value::map([("publisher", publisher), ("n", n)]);
                        if publisher % 2 == 0 {
                            let mut ticket = ticket.lock();
                            *ticket += 1;
                            channels.publish(&topic, data(*ticket));
                        } else {
                            channels.publish(&topic, data(n));
                        }
                    }
                })
                .expect("a publisher thread")
        })
        .collect();
    for thread in threads {
        thread.join().expect("a publisher");
    }
    for (pattern, received) in patterns.iter().zip(&receivers) {
        let wanted = |p: i64| match *pattern {
            "order.*" => true,
            "order.0" => p % 4 == 0,
            _ => p % 4 <= 1,
        };
        let publishers: Vec<i64> = (0..PUBLISHERS).filter(|p| wanted(*p)).collect();
        let total = publishers.len() * EACH as usize;
        let mut last_n = vec![-1_i64; PUBLISHERS as usize];
        let mut last_ticket_by_topic = std::collections::HashMap::<String, i64>::new();
        for _ in 0..total {
            let (topic, publisher, n) = recv(received);
            assert!(
                wanted(publisher),
                "{pattern} got a message of publisher {publisher}"
            );
            // One publisher's messages arrive in the order it published them...
            let last = &mut last_n[publisher as usize];
            assert!(
                n > *last,
                "{pattern}: publisher {publisher} sent {n} after {last}"
            );
            *last = n;
            // ...and on each topic, publishes ordered by the ticket lock arrive in that order.
            if publisher % 2 == 0 {
                let last = last_ticket_by_topic.entry(topic.clone()).or_insert(0);
                assert!(n > *last, "{pattern}: on {topic}, ticket {n} after {last}");
                *last = n;
            }
        }
        for p in publishers {
            if p % 2 == 1 {
                assert_eq!(
                    last_n[p as usize],
                    EACH - 1,
                    "{pattern}: all of publisher {p}"
                );
            }
        }
        assert!(received.try_recv().is_err(), "{pattern}: nothing more");
    }
    assert_eq!(
        overlaps.load(Ordering::Relaxed),
        0,
        "a handler ran twice at once"
    );
    assert_eq!(channels.metrics().handler_panics, 0);
    drop(subscriptions);
    assert!(channels.shutdown(DEADLINE));
}

#[test]
fn a_subscription_gets_nothing_published_before_it_was_made() {
    let channels = Channels::local();
    let (sender, received) = unbounded();
    // Many publishes still queued for the dispatcher when the subscription is made.
    for n in 0..20_000 {
        channels.publish("early", n);
    }
    let subscription = channels.subscribe("early", forward(sender));
    channels.publish("early", "after");
    assert_eq!(recv(&received).1.as_str(), Some("after"));
    eventually("the queue to empty", || channels.metrics().queued == 0);
    assert!(received.try_recv().is_err());
    drop(subscription);
    assert!(channels.shutdown(DEADLINE));
}

#[test]
fn expired_messages_are_dropped_wherever_they_wait() {
    let channels = Channels::local();
    let Held {
        subscription,
        received,
        in_handler,
        open,
    } = held(&channels, "news", |data| data.as_str() == Some("first"));

    // Expired on publish: dropped by the dispatcher.
    let now = channels.publish_with(
        "news",
        "now",
        PublishOptions::new().expires_in(Duration::ZERO),
    );
    let past = channels.publish_with(
        "news",
        "past",
        PublishOptions::new().expires_at(Instant::now()),
    );
    // Expiring while it waits in the mailbox behind a busy handler.
    channels.publish("news", "first");
    recv(&in_handler);
    let soon = channels.publish_with(
        "news",
        "soon",
        PublishOptions::new().expires_in(Duration::from_millis(50)),
    );
    let later = channels.publish_with(
        "news",
        "later",
        PublishOptions::new().expires_in(Duration::from_secs(3600)),
    );
    eventually("the short expiry to pass", || soon.is_expired());
    drop(open);

    assert_eq!(recv(&received).as_str(), Some("first"));
    assert_eq!(recv(&received).as_str(), Some("later"));
    for message in [&now, &past, &soon] {
        assert!(message.is_expired() && message.is_dropped(), "{message:?}");
    }
    assert!(!later.is_dropped() && !later.is_expired());
    eventually("the queue to empty", || channels.metrics().queued == 0);
    assert!(received.try_recv().is_err());
    assert_eq!(channels.metrics().dropped, 3);
    drop(subscription);
    assert!(channels.shutdown(DEADLINE));
}

#[test]
fn subscribing_and_unsubscribing_are_announced_on_internal_topics() {
    let channels = Channels::local();
    let (sender, received) = unbounded();
    let watcher = channels.subscribe("lona.channels.*", move |message: &Message| {
        let topic = field(&message.data, "topic").and_then(Value::as_str);
        let _ = sender.send((
            message.topic.clone(),
            topic.map(str::to_owned),
            message.local,
        ));
    });
    let chat = channels.subscribe("chat.*", |_| {});
    drop(chat);
    let expected = [
        (SUBSCRIBE_TOPIC, "lona.channels.*"),
        (SUBSCRIBE_TOPIC, "chat.*"),
        (UNSUBSCRIBE_TOPIC, "chat.*"),
    ];
    for (topic, pattern) in expected {
        assert_eq!(
            recv(&received),
            (topic.to_owned(), Some(pattern.to_owned()), true)
        );
    }
    drop(watcher);
    assert!(channels.shutdown(DEADLINE));
}

#[test]
fn a_panicking_handler_is_contained_and_its_subscription_goes_on() {
    let channels = Channels::local_with(LocalConfig {
        workers: 1,
        ..LocalConfig::default()
    });
    let (sender, received) = unbounded();
    let fragile = channels.subscribe("t", {
        let sender = sender.clone();
        move |message: &Message| {
            assert_ne!(message.data.as_str(), Some("boom"), "the handler fails");
            let _ = sender.send(("fragile", message.data.clone()));
        }
    });
    let sturdy = channels.subscribe("t", move |message: &Message| {
        let _ = sender.send(("sturdy", message.data.clone()));
    });
    channels.publish("t", "boom");
    channels.publish("t", "ok");
    let mut got: Vec<(&str, Option<String>)> = (0..3)
        .map(|_| recv(&received))
        .map(|(who, data)| (who, data.as_str().map(str::to_owned)))
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("fragile", Some("ok".to_owned())),
            ("sturdy", Some("boom".to_owned())),
            ("sturdy", Some("ok".to_owned())),
        ]
    );
    let metrics = channels.metrics();
    assert_eq!(metrics.handler_panics, 1);
    // The one worker and the dispatcher are still there.
    assert_eq!(metrics.threads, 2);
    assert_eq!(channels.subscription_count(), 2);
    drop((fragile, sturdy));
    assert!(channels.shutdown(DEADLINE));
}

#[test]
fn data_is_copied_so_the_publisher_changes_nothing_a_subscriber_sees() {
    let channels = Channels::local();
    // The handler reads the message only after the publisher changed its copy.
    let Held {
        subscription,
        received,
        in_handler,
        open,
    } = held(&channels, "t", |_| true);
    let mut mine = channels.publish("t", Value::map([("text", "hello")]));
    recv(&in_handler);
    mine.data = Value::map([("text", "changed")]);
    if let Value::Map(entries) = &mut mine.data {
        entries.push(("more".to_owned(), Value::Bool(true)));
    }
    drop(open);
    assert_eq!(recv(&received), Value::map([("text", "hello")]));
    drop(subscription);
    assert!(channels.shutdown(DEADLINE));
}

#[test]
fn unsubscribing_stops_delivery_and_discards_what_was_queued() {
    let channels = Channels::local();
    let Held {
        subscription,
        received,
        in_handler,
        open,
    } = held(&channels, "t", |_| true);
    // A second subscription shows when 2 and 3 have been dispatched.
    let (witness_sender, witnessed) = unbounded();
    let witness = channels.subscribe("t", forward(witness_sender));
    channels.publish("t", 1);
    recv(&in_handler);
    channels.publish("t", 2);
    channels.publish("t", 3);
    for n in 1..=3 {
        assert_eq!(recv(&witnessed).1.as_i64(), Some(n));
    }
    // What is left is 1 in the handler and 2 and 3 in its mailbox.
    eventually("2 and 3 to wait in the mailbox", || {
        channels.metrics().queued == 3
    });
    drop(subscription);
    drop(open);
    // The running call finishes; the queued ones never start.
    assert_eq!(recv(&received).as_i64(), Some(1));
    eventually("the queue to empty", || channels.metrics().queued == 0);
    assert!(received.try_recv().is_err());
    drop(witness);
    assert!(channels.shutdown(DEADLINE));
}

#[test]
fn shutdown_delivers_what_is_queued_but_drops_droppable_messages() {
    let channels = Channels::local();
    let Held {
        subscription,
        received,
        in_handler,
        open,
    } = held(&channels, "t", |data| data.as_i64() == Some(1));
    channels.publish("t", 1);
    recv(&in_handler);
    let droppable = channels.publish_with("t", 2, PublishOptions::new().droppable(true));
    let kept = channels.publish("t", 3);
    let shutdown = thread::Builder::new()
        .name("shutdown".to_owned())
        .spawn({
            let channels = channels.clone();
            move || channels.shutdown(DEADLINE)
        })
        .expect("a shutdown thread");
    // Once a publish is refused, the shutdown has begun.
    eventually("the shutdown to begin", || {
        channels.publish("nobody", "probe").is_dropped()
    });
    drop(open);
    assert!(shutdown.join().expect("the shutdown thread"));
    assert_eq!(recv(&received).as_i64(), Some(1));
    assert_eq!(recv(&received).as_i64(), Some(3));
    assert!(received.try_recv().is_err());
    assert!(droppable.is_dropped());
    assert!(!kept.is_dropped());
    assert_eq!(channels.metrics().threads, 0, "every thread ended");
    drop(subscription);
}

#[test]
fn shutdown_gives_up_after_its_timeout_and_drops_the_rest() {
    let channels = Channels::local();
    let (entered, in_handler) = unbounded();
    let (open, wait) = gate();
    let subscription = channels.subscribe("t", move |_: &Message| {
        let _ = entered.send(());
        let _ = wait.recv();
    });
    channels.publish("t", 1);
    recv(&in_handler);
    let stuck = channels.publish("t", 2);
    assert!(!channels.shutdown(Duration::from_millis(50)));
    drop(open);
    eventually("the threads to end", || channels.metrics().threads == 0);
    assert!(stuck.is_dropped());
    assert!(
        channels.publish("t", 3).is_dropped(),
        "published after shutdown"
    );
    drop(subscription);
}

/// A broker that records what it is asked, and hands subscriptions' handlers back.
#[derive(Default)]
struct Recording {
    published: Mutex<Vec<Message>>,
    handlers: Mutex<Vec<(SubscriptionId, String, Handler)>>,
    unsubscribed: Mutex<Vec<SubscriptionId>>,
}

impl std::fmt::Debug for Recording {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recording").finish_non_exhaustive()
    }
}

impl Broker for Arc<Recording> {
    fn publish(&self, message: Message) {
        self.published.lock().push(message);
    }

    fn subscribe(&self, pattern: &str, handler: Handler) -> SubscriptionId {
        let mut handlers = self.handlers.lock();
        let id = SubscriptionId(handlers.len() as u64 + 1);
        handlers.push((id, pattern.to_owned(), handler));
        id
    }

    fn unsubscribe(&self, id: SubscriptionId) -> bool {
        self.unsubscribed.lock().push(id);
        true
    }

    fn subscriptions(&self) -> Vec<(String, usize)> {
        Vec::new()
    }

    fn metrics(&self) -> BrokerMetrics {
        BrokerMetrics::default()
    }

    fn shutdown(&self, _timeout: Duration) -> bool {
        true
    }
}

#[test]
fn any_broker_gets_plain_messages_and_handlers_that_never_panic() {
    let broker = Arc::new(Recording::default());
    let channels = Channels::new(Arc::clone(&broker));
    let subscription = channels.subscribe("chat.*", |message: &Message| {
        assert_ne!(message.data.as_str(), Some("boom"), "the handler fails");
    });
    let sent = channels.publish_with(
        "chat.lobby",
        Value::map([("text", "hi")]),
        PublishOptions::new().local(true).droppable(true),
    );
    drop(subscription);

    let published = broker.published.lock().clone();
    let summary: Vec<(String, Value, bool)> = published
        .iter()
        .map(|m| (m.topic.clone(), m.data.clone(), m.local))
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                SUBSCRIBE_TOPIC.to_owned(),
                Value::map([("topic", "chat.*")]),
                true
            ),
            ("chat.lobby".to_owned(), Value::map([("text", "hi")]), true),
            (
                UNSUBSCRIBE_TOPIC.to_owned(),
                Value::map([("topic", "chat.*")]),
                true
            ),
        ]
    );
    assert!(published[1].droppable && sent.droppable);
    // The publisher's copy shares the dropped flag with what the broker got.
    published[1].mark_dropped();
    assert!(sent.is_dropped());

    // The broker calls the handler it was given; a panic inside stays inside.
    let (id, pattern, handler) = broker.handlers.lock()[0].clone();
    assert_eq!(pattern, "chat.*");
    handler(&Message::new("chat.lobby", "boom"));
    handler(&Message::new("chat.lobby", "fine"));
    let metrics = channels.metrics();
    assert_eq!(metrics.handler_panics, 1);
    assert_eq!(metrics.delivered, 2);
    assert_eq!(metrics.published, 3);
    assert_eq!(*broker.unsubscribed.lock(), vec![id]);
}

#[test]
fn a_local_broker_starts_its_threads_with_its_first_use() {
    let channels = Channels::local_with(LocalConfig {
        workers: 2,
        ..LocalConfig::default()
    });
    assert_eq!(
        channels.metrics().threads,
        0,
        "an unused broker runs no thread"
    );
    let (sender, receiver) = unbounded();
    let _subscription = channels.subscribe("news", move |message: &Message| {
        let _ = sender.send(message.topic.clone());
    });
    assert_eq!(
        channels.metrics().threads,
        3,
        "the dispatcher and two workers"
    );
    channels.publish("news", 1);
    assert_eq!(
        receiver.recv_timeout(Duration::from_secs(10)).as_deref(),
        Ok("news")
    );
    assert!(channels.shutdown(Duration::from_secs(10)));
    eventually("the threads to end", || channels.metrics().threads == 0);
    // A broker shut down before its first use never starts a thread.
    let unused = Channels::local();
    assert!(unused.shutdown(Duration::ZERO));
    let _late = unused.subscribe("news", |_message: &Message| {});
    assert_eq!(unused.metrics().threads, 0);
}
