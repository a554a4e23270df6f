//! Channels through the whole server: views in two sessions subscribe to one topic, a click in
//! one publishes, both trees change in publish order, and a closed tab's view unsubscribes.

use std::time::Duration;

use lona::channels::{Channels, UNSUBSCRIBE_TOPIC};
use lona::prelude::*;
use lona_test::TestServer;

/// One chat room: each click on `#send` publishes the next numbered line.
struct Room;

impl View for Room {
    fn handle_request(&self, cx: &Context, request: &Request) -> ViewResult {
        let channels = cx.channels()?;
        let lines = tags::ul().with_id("lines");
        let send = tags::button().with_id("send").with("Send");
        let root = tags::div().with((&lines, &send));
        cx.subscribe(&channels, "room.*", move |_view, message| {
            let text = format!(
                "{}: {}",
                message.topic,
                message.data.as_str().unwrap_or("?")
            );
            lines.append(tags::li().with(text));
        });
        let who = request.query("who").unwrap_or("someone").to_owned();
        cx.on_click(&send, move |_cx, _event| {
            for n in 1..=3 {
                channels.publish("room.lobby", format!("{who} {n}"));
            }
        });
        Ok(root.into())
    }
}

#[test]
fn a_publish_from_one_view_updates_every_subscribed_view_in_order() {
    let channels = Channels::local();
    let mut app = App::new();
    app.state(channels.clone());
    app.view("/room", |_| Room);
    let server = TestServer::start(app);

    let mut ada = server.open("/room?who=ada").expect("ada opens the room");
    let mut bob = server.open("/room?who=bob").expect("bob opens the room");
    ada.wait_for_selector("#send").expect("ada's room");
    bob.wait_for_selector("#send").expect("bob's room");
    // Views subscribe before they answer, so both are subscribed once they show.
    assert_eq!(channels.subscribers("room.lobby"), 2);

    ada.click("#send").expect("ada sends");
    let expected = "room.lobby: ada 1room.lobby: ada 2room.lobby: ada 3";
    for client in [&mut ada, &mut bob] {
        client
            .wait_for_node_text("#lines", expected)
            .expect("three lines, in publish order");
    }

    // The broker announces every unsubscription, so the test waits for an event, not a state.
    let (left, leaving) = crossbeam_channel::unbounded();
    let _watch = channels.subscribe(UNSUBSCRIBE_TOPIC, move |message| {
        let _ = left.send(
            message
                .data
                .get(&"topic".into())
                .and_then(|t| t.as_str().map(str::to_owned)),
        );
    });
    bob.close();
    let pattern = leaving
        .recv_timeout(server.timeout())
        .expect("bob's view unsubscribes when his tab closes");
    assert_eq!(pattern.as_deref(), Some("room.*"));
    assert_eq!(channels.subscribers("room.lobby"), 1, "ada's view stays");
    drop(server);
    assert!(channels.shutdown(Duration::from_secs(10)));
}

#[test]
fn the_chat_example_shows_every_message_in_every_open_lobby() {
    // The chat's app sets up no channels (once a setup mistake that made its view fail):
    // every app has local ones.
    let server = TestServer::start(examples::chat::app());
    let mut ada = server.open("/").expect("ada opens the lobby");
    let mut bob = server.open("/").expect("bob opens the lobby");
    ada.wait_for_selector("#send").expect("ada's lobby");
    bob.wait_for_selector("#send").expect("bob's lobby");
    // An empty line is not sent.
    ada.click("#send").expect("ada sends nothing");
    ada.change("#text", ChangeValue::Text("hi bob".into()))
        .expect("ada types");
    ada.click("#send").expect("ada sends");
    // A click is acknowledged before its handler publishes: wait for the line, so that bob's
    // answer comes second.
    bob.wait_for_text(": hi bob")
        .expect("ada's line reaches bob");
    bob.change("#text", ChangeValue::Text("hi ada".into()))
        .expect("bob types");
    bob.click("#send").expect("bob answers");
    for client in [&mut ada, &mut bob] {
        client
            .wait_for(|window| {
                window.query_all("#messages li").len() == 2
                    && window
                        .query("#messages")
                        .is_some_and(|list| list.text_content().contains(": hi bob"))
            })
            .expect("both lines, as `Said` messages, in both lobbies");
    }
    let lines: Vec<String> = ada
        .query_all("#messages li")
        .iter()
        .map(Node::text_content)
        .collect();
    assert!(
        lines[0].starts_with("guest-") && lines[0].ends_with(": hi bob"),
        "{lines:?}"
    );
    assert!(lines[1].ends_with(": hi ada"), "{lines:?}");
}
