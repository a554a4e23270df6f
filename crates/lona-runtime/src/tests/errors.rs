//! Failing views: a panic in any hook is contained, errors and crashes show the matching
//! error page, which the config may replace.

use std::time::Duration;

use crossbeam_channel::{Sender, unbounded};
use lona_html::tags::{button, div, p};

use crate::{
    Connection, Context, ErrorPage, EventContext, Flow, InputEvent, Request, Response, Runtime,
    RuntimeConfig, StopReason, View, ViewError, ViewFactory, ViewHandle, ViewResult,
};

use super::support::{
    ButtonApp, Probe, Read, W1, browser, click_on, eventually, mentions, read, session,
    small_runtime, start, until_data, until_stop,
};

// Panics in each hook: the view shows a 500 page, the pools keep their threads, others go on.

#[derive(Clone, Copy, PartialEq, Debug)]
enum PanicIn {
    Request,
    Root,
    Handler,
    Event,
    OnStop,
    OnCleanup,
}

struct Panicky {
    at: PanicIn,
    probe: Probe,
}

impl View for Panicky {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        assert!(self.at != PanicIn::Request, "boom in handle_request");
        let button = button().with_text("go");
        let at = self.at;
        cx.on_click(&button, move |_, _| {
            assert!(at != PanicIn::Handler, "boom in a node handler");
            Flow::Continue
        });
        self.probe.nodes.lock().push(button.clone());
        cx.show(&div().with_child(&button))?;
        cx.await_click(&[&button])?;
        Ok(Response::Empty)
    }

    fn handle_input_event_root(&self, _cx: &EventContext, _event: &InputEvent) -> Flow {
        assert!(self.at != PanicIn::Root, "boom in the root hook");
        Flow::Continue
    }

    fn handle_input_event(&self, _cx: &EventContext, _event: &InputEvent) -> Flow {
        assert!(self.at != PanicIn::Event, "boom in handle_input_event");
        Flow::Continue
    }

    fn on_stop(&self, _reason: Option<&StopReason>) {
        self.probe.log("on_stop");
        assert!(self.at != PanicIn::OnStop, "boom in on_stop");
    }

    fn on_cleanup(&self) {
        self.probe.log("on_cleanup");
        assert!(self.at != PanicIn::OnCleanup, "boom in on_cleanup");
    }
}

fn shows_500(conn: &Connection) -> bool {
    loop {
        let Some(message) = conn.try_next() else {
            return false;
        };
        if let Some(Read::Lona(message)) = read(&message)
            && mentions(&message, "500 Internal Error")
        {
            return true;
        }
    }
}

#[test]
fn a_panic_in_any_hook_is_contained_and_the_runtime_keeps_serving() {
    let runtime = small_runtime();
    for at in [
        PanicIn::Request,
        PanicIn::Root,
        PanicIn::Handler,
        PanicIn::Event,
        PanicIn::OnStop,
        PanicIn::OnCleanup,
    ] {
        let probe = Probe::default();
        let factory = {
            let probe = probe.clone();
            ViewFactory::blocking(move |_| Panicky {
                at,
                probe: probe.clone(),
            })
        };
        let conn = browser(&session("a"));
        let id = start(&runtime, &factory, &conn, "http://localhost/");
        match at {
            PanicIn::Request => {
                eventually("the 500 page", || shows_500(&conn));
            }
            PanicIn::Root | PanicIn::Handler => {
                until_data(&conn);
                runtime.input_event(&conn, W1, id, click_on(&probe.node(0), 1));
                eventually("the 500 page", || shows_500(&conn));
            }
            PanicIn::Event => {
                // The await takes the click before handle_input_event would; a second click
                // after the view finished reaches the hook.
                until_data(&conn);
                runtime.input_event(&conn, W1, id, click_on(&probe.node(0), 1));
                until_stop(&conn);
                runtime.input_event(&conn, W1, id, click_on(&probe.node(0), 2));
                eventually("the 500 page", || shows_500(&conn));
            }
            PanicIn::OnStop | PanicIn::OnCleanup => {
                until_data(&conn);
                runtime.connection_closed(&conn);
                eventually("the view was removed", || runtime.view_count() == 0);
                let entries = probe.entries();
                assert!(
                    entries.contains(&"on_stop".to_owned())
                        && entries.contains(&"on_cleanup".to_owned()),
                    "{at:?}"
                );
            }
        }
        runtime.connection_closed(&conn);
        eventually("the view was removed", || runtime.view_count() == 0);
    }
    // Every panic was caught; the pools kept their threads, and a new view still works.
    assert!(
        runtime.metrics().view_panics >= 5,
        "{:?}",
        runtime.metrics()
    );
    let probe = Probe::default();
    let factory = {
        let probe = probe.clone();
        ViewFactory::blocking(move |_| ButtonApp {
            probe: probe.clone(),
        })
    };
    let conn = browser(&session("b"));
    let id = start(&runtime, &factory, &conn, "http://localhost/");
    until_data(&conn);
    runtime.input_event(&conn, W1, id, click_on(&probe.node(0), 1));
    until_stop(&conn);
    assert_eq!(runtime.metrics().runtime_pool.threads, 2);
    runtime.shutdown();
}

#[test]
fn errors_from_handle_request_show_the_matching_error_page() {
    struct Failing(u16);
    impl View for Failing {
        fn handle_request(&self, _cx: &Context, _request: &Request) -> ViewResult {
            match self.0 {
                403 => Err(ViewError::Forbidden),
                404 => Err(ViewError::NotFound),
                _ => Err(std::io::Error::other("disk on fire").into()),
            }
        }
    }
    let runtime = small_runtime();
    for (status, text) in [
        (403, "403 Forbidden"),
        (404, "404 Not Found"),
        (500, "500 Internal Error"),
    ] {
        let factory = ViewFactory::blocking(move |_| Failing(status));
        let conn = browser(&session("a"));
        start(&runtime, &factory, &conn, "http://localhost/");
        let page = until_data(&conn);
        assert!(mentions(&page, text), "{page:?}");
        assert!(
            !mentions(&page, "disk on fire"),
            "internal errors stay in the log"
        );
    }
    runtime.shutdown();
}

#[test]
fn the_error_page_comes_from_the_config_and_a_broken_one_falls_back() {
    struct Missing;
    impl View for Missing {
        fn handle_request(&self, _cx: &Context, _request: &Request) -> ViewResult {
            Err(ViewError::NotFound)
        }
    }
    let factory = ViewFactory::blocking(|_| Missing);
    let runtime = Runtime::new(RuntimeConfig {
        error_page: ErrorPage::new(|status| p().with_text(format!("custom {status}"))),
        ..RuntimeConfig::default()
    });
    let conn = browser(&session("a"));
    start(&runtime, &factory, &conn, "http://localhost/");
    let page = until_data(&conn);
    assert!(mentions(&page, "custom 404"), "{page:?}");
    runtime.shutdown();

    let runtime = Runtime::new(RuntimeConfig {
        error_page: ErrorPage::new(|_| panic!("broken error page")),
        ..RuntimeConfig::default()
    });
    let conn = browser(&session("a"));
    start(&runtime, &factory, &conn, "http://localhost/");
    let page = until_data(&conn);
    assert!(mentions(&page, "404 Not Found"), "{page:?}");
    runtime.shutdown();
}

#[test]
fn crash_shows_the_500_page_counts_a_panic_and_stops_the_view() {
    struct Handing {
        handles: Sender<ViewHandle>,
        probe: Probe,
    }
    impl View for Handing {
        fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
            cx.show(&div().with_text("running"))?;
            let _ = self.handles.send(ViewHandle::clone(cx));
            let result = cx.sleep(Duration::from_secs(3600));
            self.probe.log(format!("woke: {result:?}"));
            result?;
            Ok(Response::Empty)
        }
    }
    let probe = Probe::default();
    let (handles, handle) = unbounded();
    let factory = {
        let probe = probe.clone();
        ViewFactory::blocking(move |_| Handing {
            handles: handles.clone(),
            probe: probe.clone(),
        })
    };
    let runtime = small_runtime();
    let conn = browser(&session("a"));
    start(&runtime, &factory, &conn, "http://localhost/");
    assert!(mentions(&until_data(&conn), "running"));
    let handle = handle.recv().expect("the view hands out its handle");

    handle.crash("a channel handler panicked");
    let page = until_data(&conn);
    assert!(mentions(&page, "500 Internal Error"), "{page:?}");
    assert!(handle.is_stopped());
    eventually("the view ended", || runtime.view_count() == 0);
    assert!(
        probe
            .entries()
            .contains(&"woke: Err(Stopped(Crashed))".to_owned()),
        "{:?}",
        probe.entries()
    );
    assert_eq!(runtime.metrics().view_panics, 1);
    // A second crash of a stopped view changes nothing.
    handle.crash("again");
    assert_eq!(runtime.metrics().view_panics, 1);
    runtime.shutdown();
}
