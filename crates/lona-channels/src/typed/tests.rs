//! Tests of typed messages: the app's `serde` types through `Channels`, a mismatched type
//! counted and skipped, per-subscription order, and the conversions to and from `Value`.

use std::collections::HashMap;
use std::time::Duration;

use crossbeam_channel::unbounded;
use lona_html::Value;
use serde::{Deserialize, Serialize};

use crate::{Channels, TypedMessage, from_value, to_value, value_from_json};

const DEADLINE: Duration = Duration::from_secs(20);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Said {
    nick: String,
    text: String,
    seq: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Event {
    Joined(String),
    Moved { x: i32, y: i32 },
    Left,
}

fn said(seq: u32) -> Said {
    Said {
        nick: "ada".to_owned(),
        text: format!("line {seq}"),
        seq,
    }
}

#[test]
fn a_typed_message_arrives_typed_with_its_topic() {
    let channels = Channels::local();
    let (sender, received) = unbounded();
    let _subscription = channels.subscribe_typed("chat.*", move |message: TypedMessage<Said>| {
        let _ = sender.send(message);
    });
    let copy = channels
        .publish_typed("chat.lobby", &said(1))
        .expect("serializes");
    assert_eq!(
        copy.data,
        Value::map([
            ("nick", Value::from("ada")),
            ("text", Value::from("line 1")),
            ("seq", Value::Int(1)),
        ]),
        "the data underneath is a Value with the struct's fields in order"
    );
    let message = received.recv_timeout(DEADLINE).expect("the message");
    assert_eq!(
        message,
        TypedMessage {
            topic: "chat.lobby".to_owned(),
            data: said(1)
        }
    );
    assert_eq!(channels.metrics().mismatched, 0);
    assert!(channels.shutdown(DEADLINE));
}

#[test]
fn typed_and_untyped_publishers_and_subscribers_mix() {
    let channels = Channels::local();
    let (typed_sender, typed) = unbounded();
    let _typed = channels.subscribe_typed("n", move |message: TypedMessage<Said>| {
        let _ = typed_sender.send(message.data);
    });
    let (raw_sender, raw) = unbounded();
    let _raw = channels.subscribe("n", move |message| {
        let _ = raw_sender.send(message.data.clone());
    });
    // A Value published by hand reaches a typed subscriber as the type.
    channels.publish(
        "n",
        Value::map([
            ("nick", Value::from("bob")),
            ("text", Value::from("hi")),
            ("seq", Value::Int(7)),
        ]),
    );
    let got = typed.recv_timeout(DEADLINE).expect("typed");
    assert_eq!((got.nick.as_str(), got.seq), ("bob", 7));
    assert!(raw.recv_timeout(DEADLINE).is_ok());
    // A typed publish reaches a Value subscriber as the Value.
    channels.publish_typed("n", &said(2)).expect("serializes");
    assert_eq!(typed.recv_timeout(DEADLINE).expect("typed"), said(2));
    let value = raw.recv_timeout(DEADLINE).expect("raw");
    assert_eq!(
        value
            .get(&lona_html::Key::from("seq"))
            .and_then(Value::as_i64),
        Some(2)
    );
    assert!(channels.shutdown(DEADLINE));
}

#[test]
fn a_message_of_another_type_is_counted_and_skipped_and_the_subscription_goes_on() {
    let channels = Channels::local();
    let (sender, received) = unbounded();
    let _subscription = channels.subscribe_typed("t", move |message: TypedMessage<Said>| {
        let _ = sender.send(message.data);
    });
    channels.publish("t", "a plain string, not a Said");
    channels.publish("t", Value::map([("nick", "no text or seq")]));
    channels.publish("t", Value::map([("nick", Value::Int(3))]));
    channels
        .publish_typed("t", &Event::Left)
        .expect("serializes");
    channels.publish_typed("t", &said(1)).expect("serializes");
    // Delivery is in publish order, so once the good one arrived the four were skipped.
    assert_eq!(
        received.recv_timeout(DEADLINE).expect("the good one"),
        said(1)
    );
    let metrics = channels.metrics();
    assert_eq!(metrics.mismatched, 4, "each mismatch is counted");
    assert_eq!(metrics.handler_panics, 0, "a mismatch is no panic");
    assert!(
        received.try_recv().is_err(),
        "nothing else reached the handler"
    );
    assert!(channels.shutdown(DEADLINE));
}

#[test]
fn each_typed_subscription_gets_its_messages_in_publish_order() {
    const N: u32 = 500;
    let channels = Channels::local();
    let receivers: Vec<_> = (0..3)
        .map(|_| {
            let (sender, received) = unbounded();
            let subscription =
                channels.subscribe_typed("order.*", move |message: TypedMessage<Said>| {
                    let _ = sender.send(message.data.seq);
                });
            (subscription, received)
        })
        .collect();
    for seq in 0..N {
        // Across topics, with mismatched messages between: order still holds.
        let topic = if seq % 2 == 0 { "order.a" } else { "order.b" };
        channels
            .publish_typed(topic, &said(seq))
            .expect("serializes");
        if seq % 7 == 0 {
            channels.publish(topic, "noise");
        }
    }
    for (_subscription, received) in &receivers {
        let seqs: Vec<u32> = (0..N)
            .map(|_| received.recv_timeout(DEADLINE).expect("a message"))
            .collect();
        assert_eq!(seqs, (0..N).collect::<Vec<_>>());
    }
    assert_eq!(channels.metrics().mismatched, 3 * u64::from(N.div_ceil(7)));
    assert!(channels.shutdown(DEADLINE));
}

#[test]
fn enums_options_and_maps_round_trip_through_value() {
    for event in [
        Event::Joined("ada".to_owned()),
        Event::Moved { x: -1, y: 2 },
        Event::Left,
    ] {
        let value = to_value(&event).expect("serializes");
        assert_eq!(from_value::<Event>(&value).expect("deserializes"), event);
    }
    let maybe: Option<Vec<f64>> = Some(vec![1.5, -0.25]);
    let value = to_value(&maybe).expect("serializes");
    assert_eq!(value, Value::list([1.5, -0.25]));
    assert_eq!(from_value::<Option<Vec<f64>>>(&value).expect("back"), maybe);
    assert_eq!(from_value::<Option<u8>>(&Value::Null).expect("none"), None);
    let counts = HashMap::from([("a".to_owned(), 1_u64), ("b".to_owned(), 2)]);
    let value = to_value(&counts).expect("serializes");
    assert_eq!(
        from_value::<HashMap<String, u64>>(&value).expect("back"),
        counts
    );
}

#[test]
fn a_type_that_does_not_serialize_publishes_nothing() {
    struct Refuses;
    impl Serialize for Refuses {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("no"))
        }
    }
    let channels = Channels::local();
    let error = channels.publish_typed("t", &Refuses).expect_err("refused");
    assert!(error.is_serialize());
    // Map keys JSON cannot hold.
    let odd = HashMap::from([(vec![1_u8], 1_u8)]);
    assert!(to_value(&odd).expect_err("refused").is_serialize());
    assert_eq!(channels.metrics().published, 0);
    assert!(channels.shutdown(DEADLINE));
}

#[test]
fn a_mismatch_error_says_what_was_expected() {
    let error = from_value::<Said>(&Value::from("<script>")).expect_err("not a Said");
    assert!(!error.is_serialize());
    let text = error.to_string();
    assert!(text.contains("not of the wanted type"), "{text}");
    assert!(value_from_json(b"{not json").is_err());
}
