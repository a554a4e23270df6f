//! The acknowledged stream in the runtime: numbered frames, a closed socket that detaches
//! rather than stops, a resume that replays exactly the missed frames (or the whole tree past
//! the buffer's bound), the grace's end, and the refusals.

use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender, unbounded};
use lona_html::tags::{div, span};
use lona_protocol::{
    DecodedHtml, DecodedServerMessage, ResumeFailure, RuntimeId, ServerFrame,
    decode_server_with_seq,
};

use super::support::{Probe, W1, browser, eventually, session, small_runtime, small_runtime_with};
use crate::{
    Connection, Context, Outgoing, Request, Response, Runtime, RuntimeConfig, View, ViewFactory,
    ViewResult,
};

/// Shows the numbers it receives, one update each, and logs each after showing it.
struct Ticker {
    numbers: Receiver<u32>,
    probe: Probe,
}

impl View for Ticker {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let count = span().with_text("0");
        let root = div().with_child(&count);
        cx.show(&root)?;
        while let Ok(n) = self.numbers.recv() {
            count.set_text(n.to_string());
            cx.show(&root)?;
            self.probe.log(format!("shown {n}"));
        }
        Ok(Response::Empty)
    }
}

/// A view showing each number it is sent, logging `shown N` (resume and accounting tests).
pub(super) fn ticker(probe: &Probe) -> (ViewFactory, Sender<u32>) {
    let (tx, rx) = unbounded();
    let probe = probe.clone();
    let factory = ViewFactory::blocking(move |_| Ticker {
        numbers: rx.clone(),
        probe: probe.clone(),
    });
    (factory, tx)
}

/// The next frame with its number, waiting for it.
fn stamped(conn: &Connection) -> (DecodedServerMessage, Option<u64>) {
    let message = conn
        .next_timeout(Duration::from_secs(20))
        .expect("a frame in time");
    let frame = message.encode().expect("a frame, not a close");
    match decode_server_with_seq(&frame) {
        Ok((ServerFrame::Lona(message), seq)) => (message, seq),
        other => panic!("{frame}: {other:?}"),
    }
}

fn started(
    runtime: &Runtime,
    factory: &ViewFactory,
    conn: &Arc<Connection>,
) -> (RuntimeId, String) {
    let request = Request::new("http://localhost/tick", conn.session().clone());
    let id = runtime
        .start_view_acked(factory, request, conn, W1)
        .expect("starts");
    let (start, seq) = stamped(conn);
    let DecodedServerMessage::ViewStart {
        resume: Some(token),
        ..
    } = start
    else {
        panic!("{start:?}")
    };
    assert_eq!(seq, Some(1));
    let (_, seq) = stamped(conn);
    assert_eq!(seq, Some(2), "the tree");
    (id, token)
}

#[test]
fn a_closed_socket_detaches_and_a_resume_replays_exactly_what_was_missed() {
    let probe = Probe::default();
    let (factory, tx) = ticker(&probe);
    let runtime = small_runtime();
    let me = session("me");
    let first = browser(&me);
    let (id, token) = started(&runtime, &factory, &first);
    runtime.ack(&first, W1, id, 2).expect("sent");
    assert!(runtime.ack(&first, W1, id, 3).is_err(), "3 was never sent");
    tx.send(1).expect("the view listens");
    eventually("shown 1", || probe.entries().len() == 1);
    runtime.connection_closed(&first);
    assert_eq!(runtime.metrics().resume.detached_windows, 1);
    // Detached, the view keeps running: its output is numbered into the buffer.
    tx.send(2).expect("still running");
    tx.send(3).expect("still running");
    eventually("shown 3", || probe.entries().len() == 3);

    let second = browser(&me);
    runtime
        .resume_view(&second, W1, id, 2, &token, Some(0))
        .expect("resumes");
    assert_eq!(
        stamped(&second),
        (
            DecodedServerMessage::Resumed {
                window: W1,
                runtime: id,
                seq: 5,
                event: 0,
            },
            Some(5)
        )
    );
    let replayed: Vec<Option<u64>> = (0..3).map(|_| stamped(&second).1).collect();
    assert_eq!(replayed, [Some(3), Some(4), Some(5)]);
    tx.send(4).expect("running");
    assert_eq!(stamped(&second).1, Some(6), "the count goes on");
    let metrics = runtime.metrics().resume;
    assert_eq!((metrics.replayed, metrics.detached_windows), (1, 0));
    assert!(metrics.replayed_bytes > 0);
    drop(tx);
    runtime.shutdown();
}

#[test]
fn past_the_buffer_bound_a_resume_sends_the_whole_tree() {
    let probe = Probe::default();
    let (factory, tx) = ticker(&probe);
    let runtime = small_runtime_with(RuntimeConfig {
        replay_buffer_bytes: 200,
        ..RuntimeConfig::default()
    });
    let me = session("me");
    let first = browser(&me);
    let (id, token) = started(&runtime, &factory, &first);
    runtime.connection_closed(&first);
    for n in 1..=20 {
        tx.send(n).expect("running");
    }
    eventually("shown 20", || probe.entries().len() == 20);
    let second = browser(&me);
    runtime
        .resume_view(&second, W1, id, 2, &token, Some(0))
        .expect("resumes");
    assert_eq!(stamped(&second).1, Some(22));
    let (tree, seq) = stamped(&second);
    assert_eq!(seq, Some(23));
    let DecodedServerMessage::Data {
        html: Some(DecodedHtml::Tree(tree)),
        ..
    } = tree
    else {
        panic!("{tree:?}")
    };
    assert!(format!("{tree:?}").contains("20"), "{tree:?}");
    assert_eq!(runtime.metrics().resume.full_tree, 1);
    drop(tx);
    runtime.shutdown();
}

#[test]
fn forged_tokens_other_sessions_and_gone_views_are_refused() {
    let probe = Probe::default();
    let (factory, tx) = ticker(&probe);
    let runtime = small_runtime();
    let me = session("me");
    let first = browser(&me);
    let (id, token) = started(&runtime, &factory, &first);
    runtime.connection_closed(&first);
    let mine = browser(&me);
    let forged = "AAAAAAAAAAAAAAAAAAAAAA";
    assert_eq!(
        runtime.resume_view(&mine, W1, id, 2, forged, Some(0)),
        Err(ResumeFailure::Refused)
    );
    let theirs = browser(&session("other"));
    assert_eq!(
        runtime.resume_view(&theirs, W1, id, 2, &token, Some(0)),
        Err(ResumeFailure::Refused)
    );
    assert_eq!(
        runtime.resume_view(
            &mine,
            W1,
            lona_protocol::RuntimeId(id.0 + 100),
            2,
            &token,
            Some(0)
        ),
        Err(ResumeFailure::Expired)
    );
    assert_eq!(runtime.metrics().resume.failed, 3);
    assert!(mine.try_next().is_none(), "a refusal sends nothing itself");
    // The real owner still resumes.
    runtime
        .resume_view(&mine, W1, id, 2, &token, Some(0))
        .expect("resumes");
    drop(tx);
    runtime.shutdown();
}

#[test]
fn when_the_grace_ends_the_view_stops_and_cannot_be_resumed() {
    let probe = Probe::default();
    let (factory, tx) = ticker(&probe);
    let runtime = small_runtime_with(RuntimeConfig {
        resume_grace: Duration::from_millis(20),
        ..RuntimeConfig::default()
    });
    let me = session("me");
    let first = browser(&me);
    let (id, token) = started(&runtime, &factory, &first);
    runtime.connection_closed(&first);
    // The view's `handle_request` returns; a finished view lives while a window holds it,
    // and the detached window holds it until the grace ends.
    drop(tx);
    eventually("the view is gone", || runtime.view_count() == 0);
    assert_eq!(
        runtime.resume_view(&browser(&me), W1, id, 2, &token, Some(0)),
        Err(ResumeFailure::Expired)
    );
    runtime.shutdown();
}

#[test]
fn plain_windows_are_never_numbered_and_stop_with_their_socket() {
    let probe = Probe::default();
    let (factory, tx) = ticker(&probe);
    let runtime = small_runtime();
    let conn = browser(&session("me"));
    let request = Request::new("http://localhost/tick", conn.session().clone());
    runtime
        .start_view(&factory, request, &conn, W1)
        .expect("starts");
    let start = conn.next_timeout(Duration::from_secs(20)).expect("a frame");
    assert!(
        matches!(&start, Outgoing::Frame(f) if f.ends_with(",204,null]")),
        "{start:?}"
    );
    assert_eq!(stamped(&conn).1, None);
    drop(tx);
    runtime.connection_closed(&conn);
    eventually("the view is gone", || runtime.view_count() == 0);
    runtime.shutdown();
}

#[test]
fn a_lagging_or_closed_connection_keeps_an_acknowledged_window_s_output_for_the_resume() {
    let probe = Probe::default();
    let (factory, tx) = ticker(&probe);
    let runtime = small_runtime();
    let me = session("me");
    let first = Connection::new(
        me.clone(),
        crate::OutboxLimits {
            merge_at: 1_000,
            close_at: 4,
        },
    );
    let (id, token) = started(&runtime, &factory, &first);
    // Nobody drains the outbox: it lags, closes, and later output finds it closed.
    for n in 1..=6 {
        tx.send(n).expect("running");
    }
    eventually("shown 6", || probe.entries().len() == 6);
    assert!(first.is_closed());
    runtime.connection_closed(&first);
    let second = browser(&me);
    runtime
        .resume_view(&second, W1, id, 2, &token, Some(0))
        .expect("resumes");
    assert_eq!(
        stamped(&second).1,
        Some(8),
        "RESUMED: six updates after the tree"
    );
    let replayed: Vec<Option<u64>> = (0..6).map(|_| stamped(&second).1).collect();
    assert_eq!(replayed, (3..=8).map(Some).collect::<Vec<_>>());
    drop(tx);
    runtime.shutdown();
}

/// A button whose handler logs each event it runs for.
struct Clicks {
    probe: Probe,
}

impl View for Clicks {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let button = lona_html::tags::button().with_text("+1");
        self.probe.nodes.lock().push(button.clone());
        let probe = self.probe.clone();
        cx.on_click(&button, move |_, event| {
            probe.log(format!("click {}", event.event_id));
        });
        Ok(div().with_child(&button).into())
    }
}

/// The clicks view, logging into `probe`.
fn clicks(probe: &Probe) -> ViewFactory {
    let probe = probe.clone();
    ViewFactory::blocking(move |_| Clicks {
        probe: probe.clone(),
    })
}

#[test]
fn an_event_id_received_before_is_a_duplicate_and_resumed_names_the_last_received() {
    let probe = Probe::default();
    let factory = clicks(&probe);
    let runtime = small_runtime();
    let me = session("me");
    let first = browser(&me);
    let (id, token) = started(&runtime, &factory, &first);
    let button = probe.node(0);
    let click = |conn: &Arc<Connection>, event_id| {
        runtime.input_event(conn, W1, id, super::support::click_on(&button, event_id))
    };
    assert_eq!(click(&first, 1), crate::EventOutcome::Accepted);
    assert_eq!(click(&first, 3), crate::EventOutcome::Accepted);
    // A resend of an event that had arrived, or an older id: acknowledged, never run.
    assert_eq!(click(&first, 3), crate::EventOutcome::Duplicate);
    assert_eq!(click(&first, 2), crate::EventOutcome::Duplicate);
    eventually("two clicks handled", || probe.entries().len() == 2);
    let acks: Vec<u64> = std::iter::from_fn(|| first.next_timeout(Duration::from_millis(500)))
        .filter_map(|m| match decode_server_with_seq(&m.encode()?) {
            Ok((ServerFrame::Lona(DecodedServerMessage::InputEventAck { event_id, .. }), _)) => {
                Some(event_id)
            }
            _ => None,
        })
        .take(4)
        .collect();
    assert_eq!(acks, [1, 3, 3, 2], "every event is acknowledged");
    let metrics = runtime.metrics();
    assert_eq!(metrics.resume.duplicate_events, 2);
    assert_eq!(metrics.events_rejected, 0, "a duplicate is not a refusal");

    runtime.connection_closed(&first);
    let second = browser(&me);
    runtime
        .resume_view(&second, W1, id, 4, &token, Some(5))
        .expect("resumes");
    let (resumed, _) = stamped(&second);
    assert!(
        matches!(resumed, DecodedServerMessage::Resumed { event: 3, .. }),
        "{resumed:?}"
    );
    // The browser sends again what it sent above 3, with the same ids.
    assert_eq!(click(&second, 4), crate::EventOutcome::Accepted);
    assert_eq!(click(&second, 5), crate::EventOutcome::Accepted);
    assert_eq!(click(&second, 5), crate::EventOutcome::Duplicate);
    eventually("four clicks handled", || probe.entries().len() == 4);
    assert_eq!(
        probe.entries(),
        ["click 1", "click 3", "click 4", "click 5"]
    );
    runtime.shutdown();
}

#[test]
fn a_plain_window_runs_every_event_whatever_its_id() {
    let probe = Probe::default();
    let factory = clicks(&probe);
    let runtime = small_runtime();
    let conn = browser(&session("me"));
    let id = super::support::start(&runtime, &factory, &conn, "http://localhost/");
    // The button listens once its tree is shown, not when the view builds it.
    super::support::until_data(&conn);
    let button = probe.node(0);
    for event_id in [1, 1, 0] {
        assert_eq!(
            runtime.input_event(&conn, W1, id, super::support::click_on(&button, event_id)),
            crate::EventOutcome::Accepted,
            "Lona's client is unchanged"
        );
    }
    eventually("three clicks handled", || probe.entries().len() == 3);
    assert_eq!(runtime.metrics().resume.duplicate_events, 0);
    runtime.shutdown();
}
