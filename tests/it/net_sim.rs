//! `net_sim` (`LONA_NET_SIM`), the development setting that simulates a bad network on the
//! server's own sockets: a latency delays what the server sends and keeps its order (and the
//! server warns that it simulates), a loss cuts the socket and the acknowledged stream
//! resumes the view, and a value that does not parse stops the server before it serves.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use lona::prelude::*;
use lona_test::{TestClient, TestServer};

use crate::resume::{Counter, DEADLINE, eventually, setup};

#[test]
fn a_simulated_latency_delays_each_frame_and_keeps_their_order() {
    let latency = Duration::from_millis(40);
    let log = crate::log::log();
    let s = setup(|settings| settings.net_sim = Some("latency=40ms,jitter=30ms".to_owned()));
    // Nobody should wonder why the app is slow: the server says so as it starts.
    let lines = log.wait_for("net_sim is set");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("WARN") && l.contains("latency=40ms,jitter=30ms,loss=0")),
        "{lines:?}"
    );
    let mut tab = s.open();

    // One update leaves the view at once and reaches the tab no sooner than the latency.
    let sent = Instant::now();
    s.numbers.send(1).expect("the view listens");
    tab.wait_for_node_text("#n", "1").expect("1 shown");
    let took = sent.elapsed();
    assert!(
        took >= latency,
        "an update arrived {took:?} after it was sent"
    );

    // A burst: every frame arrives, numbered in order (the tab applies each number once, so
    // a frame overtaken by a later one would leave the DOM behind the server's tree).
    for n in 2..=100 {
        s.numbers.send(n).expect("running");
    }
    eventually("the view showed 100", || s.server_html().contains(">100<"));
    tab.wait_for_node_text("#n", "100").expect("100 shown");
    assert_eq!(tab.html(), s.server_html(), "the DOM is the server's tree");
    assert_eq!(
        s.server.metrics().resume.detached_windows,
        0,
        "nothing was cut"
    );
}

#[test]
fn a_simulated_loss_cuts_the_socket_and_the_tab_resumes_its_view() {
    let clicks = Arc::new(AtomicUsize::new(0));
    let mut app = App::new();
    app.settings.net_sim = Some("loss=0.2".to_owned());
    app.view("/", {
        let clicks = Arc::clone(&clicks);
        move |_| Counter {
            clicks: Arc::clone(&clicks),
        }
    });
    let server = TestServer::start(app);
    let detached = || server.metrics().resume.detached_windows;
    // At 0.2 a frame, an opening (VIEW_START, the tree) is cut about a third of the time,
    // leaving its view detached; the tab is the first opening that gets through.
    let mut tab = (0..100)
        .find_map(|_| {
            let mut tab = TestClient::connect_acked(server.addr(), "/", None, DEADLINE).ok()?;
            tab.wait_for_selector("#plus").ok()?;
            Some(tab)
        })
        .expect("one of 100 openings gets through");
    let view = tab.window().runtime().expect("a view");
    let strays = server.metrics().views - 1;
    eventually("the cut openings' views are detached", || {
        detached() == strays
    });

    // Clicks (an ACK and an update each) until one of the frames cuts the tab's socket: the
    // click that meets the cut fails, and the view lives on, detached.
    let mut sent = 0;
    while tab.click("#plus").is_ok() {
        sent += 1;
        assert!(sent < 1_000, "1000 clicks and no cut at a loss of 0.2");
    }
    eventually("the tab's window detached", || detached() == strays + 1);

    // The tab comes back to the same view (a resume may be cut too: it tries again), and
    // shows what the server counted, whatever the cut took with it.
    let mut tries = 0;
    while tab.reconnect().ok() != Some(None) {
        tries += 1;
        assert!(tries < 100, "100 resumes, none got through");
    }
    assert_eq!(tab.window().runtime(), Some(view), "the same view, resumed");
    assert!(server.metrics().resume.replayed >= 1);
    // Every acknowledged click counts, and one read just before the cut may be handled only
    // now (its update follows the replay). Short waits, so that each look compares with the
    // count of the moment.
    tab.set_timeout(Duration::from_millis(200));
    eventually("the tab shows what the server counted", || {
        let counted = clicks.load(Ordering::SeqCst);
        counted >= sent
            && tab
                .wait_for_node_text("#count", &counted.to_string())
                .is_ok()
    });
}

#[test]
fn a_net_sim_that_does_not_parse_stops_the_server_before_it_serves() {
    let mut app = App::new();
    app.settings
        .apply_env([("LONA_NET_SIM".to_owned(), "latency=100".to_owned())])
        .expect("a string setting takes any text");
    let Err(error) = TestServer::try_start(app) else {
        panic!("the server started with a net_sim that does not parse");
    };
    let message = error.to_string();
    assert!(
        message.contains("net_sim") && message.contains("with its unit"),
        "{message}"
    );
}
