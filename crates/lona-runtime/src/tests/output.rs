//! What reaches the connections: a slow client gets merged updates and one too far behind
//! is closed; kept guards end with the view; custom messages and broadcasts pass through as
//! they are; waiting for a message gives up in time.

use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::{Sender, unbounded};
use lona_html::NodeId;
use lona_html::tags::{div, li, span};
use lona_protocol::{DecodedHtml, DecodedServerMessage, RuntimeId, WindowId};
use parking_lot::Mutex;

use crate::{
    Connection, Context, OutboxLimits, Outgoing, Request, Response, View, ViewFactory, ViewResult,
};

use super::support::{
    DEADLINE, Read, W1, browser, eventually, next, read, session, small_runtime, start, texts,
    until_stop,
};

// Outbox overflow: a client that does not read gets merged updates, then is closed.

struct Ticker {
    done: Sender<()>,
}

impl View for Ticker {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let count = span().with_text("0");
        let root = div().with_child(&count);
        cx.show(&root)?;
        for i in 1..=500 {
            count.set_text(i.to_string());
            cx.flush()?;
        }
        let _ = self.done.send(());
        Ok(Response::Empty)
    }
}

#[test]
fn a_slow_client_gets_merged_updates_and_a_client_too_far_behind_is_closed() {
    let runtime = small_runtime();
    let (done_tx, done) = unbounded();
    let factory = ViewFactory::blocking(move |_| Ticker {
        done: done_tx.clone(),
    });
    let conn = Connection::new(
        session("me"),
        OutboxLimits {
            merge_at: 8,
            close_at: 32,
        },
    );
    start(&runtime, &factory, &conn, "http://localhost/ticker");
    // The client reads nothing while the view sends 500 updates of the same text.
    done.recv_timeout(DEADLINE).expect("the view finished");
    assert!(conn.queued() < 32, "queued: {}", conn.queued());
    assert!(conn.merges() > 0);
    assert!(!conn.is_closed());
    // What the client finally reads ends with the latest text.
    let received: Vec<Read> = std::iter::from_fn(|| conn.try_next())
        .filter_map(|m| read(&m))
        .collect();
    let last_update = received.iter().rev().find_map(|r| match r {
        Read::Lona(
            message @ DecodedServerMessage::Data {
                html: Some(DecodedHtml::Update(_)),
                ..
            },
        ) => Some(message),
        _ => None,
    });
    assert!(
        last_update.is_some_and(|m| texts(m).contains(&"500")),
        "{received:?}"
    );
    runtime.shutdown();

    // Updates that cannot be merged (every one inserts a new node) close the connection.
    let conn = Connection::new(
        session("x"),
        OutboxLimits {
            merge_at: 8,
            close_at: 32,
        },
    );
    for i in 0..40u64 {
        let patch = lona_html::Patch::new(
            NodeId::from_raw(1),
            lona_html::PatchOp::Nodes(lona_html::NodesOp::Insert(
                0,
                li().with_text(i.to_string()).snapshot(),
            )),
        );
        conn.send(Outgoing::Update {
            window: W1,
            runtime: RuntimeId(1),
            title: Arc::from(""),
            patches: Arc::new(vec![patch]),
            meter: crate::SentMeter::none(),
            shared: None,
        });
    }
    assert!(conn.is_closed());
    assert!(matches!(
        next(&conn),
        Outgoing::Close(crate::CloseReason::Lagging)
    ));
}

// Kept guards end with the view; custom messages reach the windows as they are.

struct Keeper {
    dropped: Arc<Mutex<bool>>,
}

struct Guard(Arc<Mutex<bool>>);

impl Drop for Guard {
    fn drop(&mut self) {
        *self.0.lock() = true;
    }
}

impl View for Keeper {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        cx.keep_until_cleanup(Guard(Arc::clone(&self.dropped)));
        cx.show(&div())?;
        cx.send_custom("hello from the view")?;
        cx.send_custom("lona:[1,null,205,null]")?;
        cx.send_custom("the last message")?;
        cx.await_click(&[])?;
        Ok(Response::Empty)
    }
}

#[test]
fn kept_guards_end_at_cleanup_and_custom_messages_pass_through() {
    let runtime = small_runtime();
    let dropped = Arc::new(Mutex::new(false));
    let factory = {
        let dropped = Arc::clone(&dropped);
        ViewFactory::blocking(move |_| Keeper {
            dropped: Arc::clone(&dropped),
        })
    };
    let conn = browser(&session("a"));
    start(&runtime, &factory, &conn, "http://localhost/");
    // Everything the view sent, up to its last message: the view's thread sends them after
    // the test saw the first frames, so read until the last one arrives.
    let mut frames: Vec<String> = Vec::new();
    while frames.last().is_none_or(|f| f != "the last message") {
        frames.extend(next(&conn).encode());
    }
    assert!(
        frames.iter().any(|f| f == "hello from the view"),
        "{frames:?}"
    );
    assert!(
        !frames.iter().any(|f| f == "lona:[1,null,205,null]"),
        "a fake protocol frame is refused"
    );
    assert!(!*dropped.lock());
    runtime.connection_closed(&conn);
    eventually("the view was cleaned up", || runtime.view_count() == 0);
    assert!(*dropped.lock());
    runtime.shutdown();
}

#[test]
fn broadcast_custom_reaches_every_connection_once_that_the_filter_takes() {
    struct Shout;
    impl View for Shout {
        fn handle_request(&self, cx: &Context, request: &Request) -> ViewResult {
            cx.show(&div())?;
            if request.path == "/shout" {
                let sent = cx.broadcast_custom("to everyone but bob", |connection| {
                    &*connection.session().0 != "bob"
                })?;
                cx.send_custom(&format!("sent to {sent}"))?;
                assert_eq!(cx.broadcast_custom("lona:[1,null,205,null]", |_| true)?, 0);
            }
            Ok(Response::Empty)
        }
    }
    let runtime = small_runtime();
    let factory = ViewFactory::blocking(|_| Shout);
    let (ada, bob, eve) = (
        browser(&session("ada")),
        browser(&session("bob")),
        browser(&session("eve")),
    );
    start(&runtime, &factory, &ada, "http://localhost/");
    start(&runtime, &factory, &bob, "http://localhost/");
    // Eve shows two views in two windows: she still gets the message once.
    start(&runtime, &factory, &eve, "http://localhost/");
    runtime
        .start_view(
            &factory,
            Request::new("http://localhost/", session("eve")),
            &eve,
            WindowId(2),
        )
        .expect("a second window");
    for conn in [&ada, &bob, &eve] {
        until_stop(conn);
    }
    until_stop(&eve);
    // Zed's view broadcasts; zed shows a view too, so zed gets it as well.
    let zed = browser(&session("zed"));
    start(&runtime, &factory, &zed, "http://localhost/shout");
    let mut to_zed = Vec::new();
    loop {
        match read(&next(&zed)).expect("a frame") {
            Read::Lona(DecodedServerMessage::ViewStop { .. }) => break,
            Read::Lona(_) => {}
            Read::Custom(text) => to_zed.push(text),
        }
    }
    assert_eq!(to_zed, ["to everyone but bob", "sent to 3"]);
    // The broadcast went out before zed's VIEW_STOP, so it is queued for the others already.
    let custom = |conn: &Connection| -> Vec<String> {
        std::iter::from_fn(|| conn.try_next())
            .filter_map(|m| match read(&m) {
                Some(Read::Custom(text)) => Some(text),
                _ => None,
            })
            .collect()
    };
    assert_eq!(custom(&ada), ["to everyone but bob"]);
    assert!(custom(&bob).is_empty(), "the filter left bob out");
    assert_eq!(custom(&eve), ["to everyone but bob"], "once per connection");
    runtime.shutdown();
}

#[test]
fn next_timeout_waits_for_a_message_and_gives_up_in_time() {
    let conn = browser(&session("a"));
    assert!(
        conn.next_timeout(Duration::from_millis(1)).is_none(),
        "nothing was sent"
    );
    let sender = Arc::clone(&conn);
    let sending = std::thread::Builder::new()
        .name("sender".to_owned())
        .spawn(move || sender.send(Outgoing::Frame("late".to_owned())))
        .expect("a sending thread");
    let message = conn.next_timeout(DEADLINE).expect("the message arrives");
    assert_eq!(message.encode().as_deref(), Some("late"));
    assert!(sending.join().expect("the sender"));
}
