//! Stopping views: every kind of wait is released when the browser goes, a navigation stops
//! the previous view, a view that ignores its stop is reported as stuck, and shutdown and
//! the admin shell's stop reach the windows.

use std::time::Duration;

use crossbeam_channel::{Receiver, unbounded};
use lona_html::tags::div;
use lona_protocol::RuntimeId;

use crate::{
    Context, Outgoing, Request, Response, Runtime, RuntimeConfig, StartError, View, ViewFactory,
    ViewResult,
};

use super::support::{
    AsyncWaiting, Probe, W1, WAITS, Wait, Waiting, browser, eventually, session, small_runtime,
    start, until_data, until_stop,
};

// Stop releases every kind of wait, in blocking and async views, and hooks run once.

fn check_stop_releases(factory: &ViewFactory, probe: &Probe, wait: Wait) {
    let runtime = small_runtime();
    let conn = browser(&session("a"));
    let _id = start(&runtime, factory, &conn, "http://localhost/");
    until_data(&conn);
    eventually("the view waits", || {
        probe.entries().contains(&"waiting".to_owned())
    });
    runtime.connection_closed(&conn);
    eventually("the view ended and was removed", || {
        runtime.view_count() == 0
    });
    let entries = probe.entries();
    assert!(
        entries.contains(&"woke: Err(Stopped(UserAbort))".to_owned()),
        "{wait:?}: {entries:?}"
    );
    assert_eq!(
        entries.iter().filter(|e| e.starts_with("on_stop")).count(),
        1,
        "{wait:?}: {entries:?}"
    );
    assert!(
        entries.contains(&"on_stop Some(UserAbort)".to_owned()),
        "{wait:?}: {entries:?}"
    );
    assert_eq!(
        entries.iter().filter(|e| *e == "on_cleanup").count(),
        1,
        "{wait:?}: {entries:?}"
    );
    runtime.shutdown();
}

#[test]
fn closing_the_connection_releases_every_blocking_wait() {
    for wait in WAITS {
        let probe = Probe::default();
        let factory = {
            let probe = probe.clone();
            ViewFactory::blocking(move |_| Waiting {
                wait,
                probe: probe.clone(),
            })
        };
        check_stop_releases(&factory, &probe, wait);
    }
}

#[test]
fn closing_the_connection_releases_every_async_wait() {
    for wait in WAITS {
        let probe = Probe::default();
        let factory = {
            let probe = probe.clone();
            ViewFactory::asynchronous(move |_| AsyncWaiting {
                wait,
                probe: probe.clone(),
            })
        };
        check_stop_releases(&factory, &probe, wait);
    }
}

#[test]
fn navigating_the_window_stops_the_previous_view() {
    let runtime = small_runtime();
    let probe = Probe::default();
    let factory = {
        let probe = probe.clone();
        ViewFactory::blocking(move |_| Waiting {
            wait: Wait::Click,
            probe: probe.clone(),
        })
    };
    let conn = browser(&session("a"));
    start(&runtime, &factory, &conn, "http://localhost/one");
    eventually("the view waits", || {
        probe.entries().contains(&"waiting".to_owned())
    });
    start(&runtime, &factory, &conn, "http://localhost/two");
    eventually("the first view stopped", || {
        probe
            .entries()
            .contains(&"on_stop Some(UserAbort)".to_owned())
    });
    runtime.shutdown();
}

// A view that ignores its stop is reported as stuck, and nothing waits for it.

struct Stubborn {
    release: Receiver<()>,
}

impl View for Stubborn {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        cx.show(&div())?;
        // Blocks outside the context: the stop cannot reach it.
        let _ = self.release.recv();
        Ok(Response::Empty)
    }
}

#[test]
fn a_view_that_ignores_its_stop_is_counted_as_stuck_and_not_waited_for() {
    let runtime = Runtime::new(RuntimeConfig {
        runtime_threads: 1,
        worker_threads: 1,
        stuck_after: Duration::ZERO,
        ..RuntimeConfig::default()
    });
    let (release, receiver) = unbounded::<()>();
    let factory = ViewFactory::blocking(move |_| Stubborn {
        release: receiver.clone(),
    });
    let conn = browser(&session("a"));
    start(&runtime, &factory, &conn, "http://localhost/");
    until_data(&conn);
    runtime.connection_closed(&conn);
    eventually("the view is reported stuck", || {
        runtime.metrics().stuck == 1
    });
    release.send(()).expect("the view listens");
    eventually("the view finished and was removed", || {
        runtime.view_count() == 0
    });
    assert_eq!(runtime.metrics().stuck, 0);
    runtime.shutdown();
}

#[test]
fn shutdown_stops_every_view_and_closes_connections_with_a_reason() {
    let runtime = small_runtime();
    let probe = Probe::default();
    let factory = {
        let probe = probe.clone();
        ViewFactory::blocking(move |_| Waiting {
            wait: Wait::Click,
            probe: probe.clone(),
        })
    };
    let conn = browser(&session("a"));
    start(&runtime, &factory, &conn, "http://localhost/");
    eventually("the view waits", || {
        probe.entries().contains(&"waiting".to_owned())
    });
    runtime.shutdown();
    eventually("on_stop ran", || {
        probe
            .entries()
            .contains(&"on_stop Some(ServerStop)".to_owned())
    });
    let last = std::iter::from_fn(|| conn.try_next()).last();
    assert!(
        matches!(last, Some(Outgoing::Close(crate::CloseReason::ServerStop))),
        "{last:?}"
    );
    let again = browser(&session("b"));
    let refused = runtime.start_view(
        &factory,
        Request::new("http://localhost/", again.session().clone()),
        &again,
        W1,
    );
    assert_eq!(refused, Err(StartError::ShuttingDown));
}

#[test]
fn stop_view_tells_the_windows_and_stops_only_that_view() {
    let runtime = small_runtime();
    let probe = Probe::default();
    let factory = {
        let probe = probe.clone();
        ViewFactory::blocking(move |_| Waiting {
            wait: Wait::Click,
            probe: probe.clone(),
        })
    };
    let conn = browser(&session("a"));
    let other = browser(&session("b"));
    let id = start(&runtime, &factory, &conn, "http://localhost/");
    let kept = start(&runtime, &factory, &other, "http://localhost/");
    eventually("both views wait", || {
        probe.entries().iter().filter(|e| *e == "waiting").count() == 2
    });
    let listed: Vec<RuntimeId> = runtime.views().iter().map(|v| v.id).collect();
    assert_eq!(listed, [id, kept]);
    assert!(runtime.stop_view(id));
    assert!(
        !runtime.stop_view(id),
        "a stopped view is not stopped twice"
    );
    assert!(!runtime.stop_view(RuntimeId(999_999)));
    assert_eq!(until_stop(&conn), id);
    eventually("on_stop ran", || {
        probe
            .entries()
            .contains(&"on_stop Some(ServerStop)".to_owned())
    });
    eventually("the stopped view is gone", || {
        runtime.views().iter().all(|v| v.id != id)
    });
    assert!(runtime.views().iter().any(|v| v.id == kept && !v.stopped));
    runtime.shutdown();
}
