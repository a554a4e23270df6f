//! Broadcast views: one instance per URL watched by every session's windows, a patch batch
//! encoded once for all of them, late joiners, the instance bound and the stop rule.

use std::sync::Arc;
use std::time::Duration;

use lona_protocol::{DecodedServerMessage, WindowId};

use super::support::{
    Counter, Probe, W1, browser, click_on, eventually, message, next, patches, session,
    small_runtime, small_runtime_with, start, texts, tree, until_data, until_stop,
};
use crate::{
    Connection, Limit, Outgoing, Request, Runtime, RuntimeConfig, StartError, ViewFactory,
};

fn counters(probe: &Probe) -> ViewFactory {
    let probe = probe.clone();
    ViewFactory::blocking(move |_| Counter {
        probe: probe.clone(),
    })
    .broadcast()
}

fn watch(
    runtime: &Runtime,
    factory: &ViewFactory,
    conn: &Arc<Connection>,
    url: &str,
) -> Result<lona_protocol::RuntimeId, StartError> {
    let request = Request::new(url, conn.session().clone());
    runtime.start_view(factory, request, conn, W1)
}

/// How many patches a DATA carries (0 for a tree).
fn patches_of(message: &DecodedServerMessage) -> usize {
    match message {
        DecodedServerMessage::Data {
            html: Some(lona_protocol::DecodedHtml::Update(patches)),
            ..
        } => patches.len(),
        _ => 0,
    }
}

/// The next patch update of a connection, as queued (not encoded).
fn next_update(conn: &Connection) -> Outgoing {
    loop {
        let message = next(conn);
        if matches!(message, Outgoing::Update { .. }) {
            return message;
        }
    }
}

#[test]
fn two_sessions_watch_one_instance_its_patches_encoded_once_and_a_late_joiner_gets_the_tree() {
    let runtime = small_runtime();
    let probe = Probe::default();
    let factory = counters(&probe);
    let (alice, bob) = (browser(&session("alice")), browser(&session("bob")));
    let id = start(&runtime, &factory, &alice, "http://localhost/score");
    until_stop(&alice);
    assert_eq!(
        start(&runtime, &factory, &bob, "http://localhost/score"),
        id,
        "another session's window joins the same instance"
    );
    assert!(matches!(
        message(&bob),
        DecodedServerMessage::ViewStart { .. }
    ));
    tree(&message(&bob));

    // Bob clicks: both get the patch, as the same bytes, encoded once.
    runtime.input_event(&bob, W1, id, click_on(&probe.node(0), 1));
    let (a, b) = (next_update(&alice), next_update(&bob));
    let (
        Outgoing::Update {
            shared: Some(a_bytes),
            ..
        },
        Outgoing::Update {
            shared: Some(b_bytes),
            ..
        },
    ) = (&a, &b)
    else {
        panic!("shared frames, not {a:?} and {b:?}");
    };
    assert_eq!(
        a_bytes.as_ptr(),
        b_bytes.as_ptr(),
        "one encoding in both outboxes"
    );
    let broadcast = runtime.broadcast_metrics();
    assert_eq!(
        (broadcast.instances, broadcast.watchers),
        (1, 2),
        "{broadcast:?}"
    );
    assert_eq!(
        (broadcast.frames_encoded, broadcast.frames_shared),
        (1, 1),
        "{broadcast:?}"
    );

    // A third session, late: VIEW_START and the whole current tree, the click in it.
    let carol = browser(&session("carol"));
    assert_eq!(
        start(&runtime, &factory, &carol, "http://localhost/score"),
        id
    );
    assert!(matches!(
        message(&carol),
        DecodedServerMessage::ViewStart { .. }
    ));
    let shown = message(&carol);
    tree(&shown);
    assert!(texts(&shown).contains(&"1"), "{shown:?}");
    runtime.shutdown();
}

#[test]
fn windows_of_other_ids_get_their_own_encoding_and_an_acknowledged_watcher_a_numbered_copy() {
    let runtime = small_runtime();
    let probe = Probe::default();
    let factory = counters(&probe);
    let alice = browser(&session("alice"));
    let id = start(&runtime, &factory, &alice, "http://localhost/score");
    until_stop(&alice);
    let bob = browser(&session("bob"));
    let request = Request::new("http://localhost/score", bob.session().clone());
    assert_eq!(
        runtime
            .start_view(&factory, request, &bob, WindowId(2))
            .expect("joins"),
        id
    );
    let carol = browser(&session("carol"));
    let request = Request::new("http://localhost/score", carol.session().clone());
    assert_eq!(
        runtime
            .start_view_acked(&factory, request, &carol, W1)
            .expect("joins"),
        id
    );
    until_data(&bob);
    until_data(&carol);
    runtime.input_event(&alice, W1, id, click_on(&probe.node(0), 1));
    for conn in [&alice, &bob] {
        let update = until_data(conn);
        assert_eq!(patches(&update).len(), 1, "{update:?}");
    }
    // Window 1 twice (alice, carol), window 2 once (bob): two encodings, one shared.
    let broadcast = runtime.broadcast_metrics();
    assert_eq!(
        (broadcast.frames_encoded, broadcast.frames_shared),
        (2, 1),
        "{broadcast:?}"
    );
    // Carol's frames are numbered as they leave her outbox: the patch, a copy of the
    // shared bytes with its sequence number.
    let numbered = loop {
        let Outgoing::Stamped(frame) = next(&carol) else {
            continue;
        };
        let (decoded, seq) =
            lona_protocol::decode_server_with_seq(&frame).expect("a numbered frame decodes");
        let lona_protocol::ServerFrame::Lona(decoded) = decoded else {
            continue;
        };
        if matches!(decoded, DecodedServerMessage::Data { .. }) && patches_of(&decoded) == 1 {
            break seq;
        }
    };
    assert!(numbered.is_some());
    runtime.shutdown();
}

#[test]
fn the_instance_bound_stops_the_one_unwatched_longest_and_refuses_when_all_are_watched() {
    let runtime = small_runtime_with(RuntimeConfig {
        max_broadcast_views: 2,
        ..RuntimeConfig::default()
    });
    let probe = Probe::default();
    let factory = counters(&probe);
    let hostile = browser(&session("hostile"));
    let one = watch(&runtime, &factory, &hostile, "http://localhost/doc/1").expect("starts");
    until_stop(&hostile);
    // The same socket's window navigates on: /doc/1 is left unwatched.
    let two = watch(&runtime, &factory, &hostile, "http://localhost/doc/2").expect("starts");
    let other = browser(&session("other"));
    watch(&runtime, &factory, &other, "http://localhost/doc/2").expect("joins");
    eventually("doc/1 unwatched, doc/2 watched", || {
        runtime.broadcast_metrics().watchers == 2
    });

    // At the cap: the unwatched /doc/1 makes room for /doc/3.
    let third = browser(&session("third"));
    let three = watch(&runtime, &factory, &third, "http://localhost/doc/3").expect("starts");
    assert!(![one, two].contains(&three));
    eventually("doc/1 stopped", || {
        runtime.broadcast_metrics().instances == 2
    });

    // Both left are watched: a fourth URL is refused, the limit counted.
    let fourth = browser(&session("fourth"));
    assert_eq!(
        watch(&runtime, &factory, &fourth, "http://localhost/doc/4"),
        Err(StartError::LimitReached(Limit::BroadcastViews))
    );
    assert_eq!(
        runtime.metrics().limits_tripped.get(Limit::BroadcastViews),
        2
    );
    assert_eq!(runtime.broadcast_metrics().instances, 2);
    runtime.shutdown();
}

#[test]
fn an_instance_stops_after_the_idle_timeout_without_watchers_and_counts_for_no_session() {
    let runtime = small_runtime_with(RuntimeConfig {
        daemon_idle_timeout: Duration::from_millis(50),
        max_views_per_session: 1,
        ..RuntimeConfig::default()
    });
    let probe = Probe::default();
    let factory = counters(&probe);
    let me = browser(&session("me"));
    start(&runtime, &factory, &me, "http://localhost/score");
    until_stop(&me);
    // The broadcast view is nobody's: the session's one view slot is still free.
    let mine = ViewFactory::blocking(|_| Counter {
        probe: Probe::default(),
    });
    let tab = browser(me.session());
    assert!(
        runtime
            .start_view(
                &mine,
                Request::new("http://localhost/mine", me.session().clone()),
                &tab,
                W1
            )
            .is_ok()
    );
    runtime.connection_closed(&me);
    eventually("the unwatched instance stops", || {
        runtime.broadcast_metrics().instances == 0
    });
    assert_eq!(
        runtime.metrics().limits_tripped.get(Limit::DaemonIdle),
        1,
        "expired as a daemon does"
    );
    // Gone from the index a watcher's VIEW looks in, and a next watcher starts a new one.
    eventually("the instance leaves the index", || {
        runtime.broadcast_index_len() == 0
    });
    let late = browser(&session("late"));
    start(&runtime, &factory, &late, "http://localhost/score");
    assert_eq!(runtime.broadcast_metrics().instances, 1);
    assert_eq!(runtime.broadcast_index_len(), 1);
    runtime.shutdown();
}

#[test]
fn one_watchers_client_error_shows_the_error_page_in_its_window_alone() {
    let runtime = small_runtime();
    let probe = Probe::default();
    let factory = counters(&probe);
    let (alice, bob) = (browser(&session("alice")), browser(&session("bob")));
    let id = start(&runtime, &factory, &alice, "http://localhost/score");
    until_stop(&alice);
    start(&runtime, &factory, &bob, "http://localhost/score");
    until_data(&bob);
    runtime.client_error(&bob, W1, Some(id), "TypeError: a broken widget");
    let error = until_data(&bob);
    assert!(texts(&error).iter().any(|t| t.contains("500")), "{error:?}");
    assert_eq!(runtime.broadcast_metrics().watchers, 1, "bob's window left");
    // Alice still watches the board, not an error page.
    runtime.input_event(&alice, W1, id, click_on(&probe.node(0), 1));
    let update = until_data(&alice);
    assert_eq!(patches(&update).len(), 1, "{update:?}");
    runtime.shutdown();
}

#[test]
fn first_watchers_arriving_at_once_all_join_one_instance() {
    let runtime = small_runtime();
    let probe = Probe::default();
    let factory = counters(&probe);
    let barrier = Arc::new(std::sync::Barrier::new(8));
    let threads: Vec<_> = (0..8)
        .map(|n| {
            let (runtime, factory, barrier) =
                (runtime.clone(), factory.clone(), Arc::clone(&barrier));
            std::thread::Builder::new()
                .name(format!("watcher-{n}"))
                .spawn(move || {
                    let conn = browser(&session(&format!("visitor{n}")));
                    barrier.wait();
                    let id =
                        watch(&runtime, &factory, &conn, "http://localhost/score").expect("joins");
                    (id, conn)
                })
                .expect("a thread")
        })
        .collect();
    let joined: Vec<_> = threads
        .into_iter()
        .map(|t| t.join().expect("a watcher"))
        .collect();
    assert!(
        joined.iter().all(|(id, _)| *id == joined[0].0),
        "one instance"
    );
    assert_eq!(runtime.view_count(), 1);
    eventually("every watcher attached", || {
        runtime.broadcast_metrics().watchers == 8
    });
    // Each gets exactly one VIEW_START, then the tree.
    for (_, conn) in &joined {
        let mut starts = 0;
        loop {
            match message(conn) {
                DecodedServerMessage::ViewStart { .. } => starts += 1,
                DecodedServerMessage::Data { .. } => break,
                _ => {}
            }
        }
        assert_eq!(starts, 1);
    }
    runtime.shutdown();
}
