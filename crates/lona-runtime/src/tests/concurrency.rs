//! Many views and threads at once: a saturated runtime pool loses no view, a tree edited
//! by the view thread and handlers together loses no edit, and two windows of one tab run
//! their events in parallel.

use std::sync::Arc;

use crossbeam_channel::{Receiver, Sender, unbounded};
use lona_html::tags::{button, div, li, span, ul};
use lona_protocol::WindowId;

use crate::{
    Connection, Context, EventOutcome, Flow, OutboxLimits, Request, Response, Runtime,
    RuntimeConfig, StartError, View, ViewFactory, ViewResult,
};

use super::support::{
    AsyncWaiting, DEADLINE, Probe, Read, W1, Wait, browser, click_on, eventually, mentions, read,
    session, small_runtime, start, until_data,
};

// Saturation: 1,000 blocking views on a pool of 4. None is lost; the worker pool (the HTTP
// path) is not affected.

struct Parked {
    release: Receiver<()>,
    started: Sender<()>,
}

impl View for Parked {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let _ = self.started.send(());
        cx.show(&div())?;
        let _ = self.release.recv();
        Ok(Response::Empty)
    }
}

#[test]
fn a_thousand_views_on_four_threads_queue_none_is_lost_and_the_worker_pool_stays_free() {
    let runtime = Runtime::new(RuntimeConfig {
        runtime_threads: 4,
        // Four run and 996 wait: exactly the thousand.
        runtime_queue: 996,
        worker_threads: 2,
        ..RuntimeConfig::default()
    });
    let (release, release_rx) = unbounded::<()>();
    let (started_tx, started) = unbounded::<()>();
    let factory = ViewFactory::blocking(move |_| Parked {
        release: release_rx.clone(),
        started: started_tx.clone(),
    });
    let conns: Vec<Arc<Connection>> = (0..1_000)
        .map(|i| browser(&session(&format!("s{i}"))))
        .collect();
    for conn in &conns {
        start(&runtime, &factory, conn, "http://localhost/");
    }
    // Four run; the rest were told they are queued.
    for _ in 0..4 {
        started.recv_timeout(DEADLINE).expect("four views start");
    }
    let queued = conns.iter().filter(|c| {
        std::iter::from_fn(|| c.try_next())
            .any(|m| matches!(read(&m), Some(Read::Lona(m)) if mentions(&m, "lona-queued")))
    });
    assert!(queued.count() >= 990, "queued views are told so");

    // A full runtime pool refuses with Busy instead of hanging.
    let extra = browser(&session("extra"));
    let refused = runtime.start_view(
        &factory,
        Request::new("http://localhost/", extra.session().clone()),
        &extra,
        W1,
    );
    assert_eq!(refused, Err(StartError::Busy));

    // The HTTP path (the worker pool) answers at once while all views are parked.
    let (answer, answered) = unbounded::<&str>();
    runtime
        .worker_pool()
        .try_submit(move || {
            let _ = answer.send("hello");
        })
        .expect("the worker pool takes HTTP work");
    assert_eq!(answered.recv_timeout(DEADLINE), Ok("hello"));

    // Releasing them one by one lets every view run: none was lost.
    for _ in 0..1_000 {
        release.send(()).expect("views listen");
    }
    for _ in 4..1_000 {
        started
            .recv_timeout(DEADLINE)
            .expect("every queued view starts");
    }
    runtime.shutdown();
}

#[test]
fn a_thousand_async_views_wait_at_once_without_holding_threads() {
    let runtime = Runtime::new(RuntimeConfig {
        runtime_threads: 1,
        worker_threads: 2,
        ..RuntimeConfig::default()
    });
    let probe = Probe::default();
    let factory = {
        let probe = probe.clone();
        ViewFactory::asynchronous(move |_| AsyncWaiting {
            wait: Wait::Click,
            probe: probe.clone(),
        })
    };
    let conns: Vec<Arc<Connection>> = (0..1_000)
        .map(|i| browser(&session(&format!("s{i}"))))
        .collect();
    for conn in &conns {
        start(&runtime, &factory, conn, "http://localhost/");
    }
    eventually("all wait", || {
        probe.entries().iter().filter(|e| *e == "waiting").count() == 1_000
    });
    // The last view notes it waits just before its poll returns: the thread polling it is
    // busy for that moment, then none is.
    eventually("no worker busy", || runtime.metrics().worker_pool.busy == 0);
    for conn in &conns {
        runtime.connection_closed(conn);
    }
    eventually("all ended", || runtime.view_count() == 0);
    runtime.shutdown();
}

// Concurrent edits of one tree from the request thread and event handlers.

struct Busy {
    probe: Probe,
    done: Sender<()>,
}

impl View for Busy {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let list = ul();
        let counter = span().with_text("0");
        let plus = button();
        let root = div()
            .with_child(&list)
            .with_child(&counter)
            .with_child(&plus);
        cx.on_click(&plus, {
            let (list, counter) = (list.clone(), counter.clone());
            move |_, _| {
                list.append(li().with_text("from a handler"));
                let _lock = counter.lock();
                let n: u32 = counter.text_content().parse().unwrap_or(0);
                counter.set_text((n + 1).to_string());
                Flow::Handled
            }
        });
        self.probe
            .nodes
            .lock()
            .extend([plus, counter.clone(), list.clone()]);
        cx.show(&root)?;
        for i in 0..500 {
            list.append(li().with_text(format!("from the view {i}")));
            {
                let _lock = counter.lock();
                let n: u32 = counter.text_content().parse().unwrap_or(0);
                counter.set_text((n + 1).to_string());
            }
            cx.flush()?;
        }
        let _ = self.done.send(());
        Ok(Response::Empty)
    }
}

#[test]
fn the_view_thread_and_event_handlers_edit_one_tree_at_once_without_losing_an_edit() {
    let runtime = Runtime::new(RuntimeConfig {
        runtime_threads: 2,
        worker_threads: 4,
        ..RuntimeConfig::default()
    });
    let probe = Probe::default();
    let (done_tx, done) = unbounded();
    let factory = {
        let probe = probe.clone();
        ViewFactory::blocking(move |_| Busy {
            probe: probe.clone(),
            done: done_tx.clone(),
        })
    };
    let conn = Connection::new(
        session("a"),
        OutboxLimits {
            merge_at: 100_000,
            close_at: 200_000,
        },
    );
    let id = start(&runtime, &factory, &conn, "http://localhost/");
    until_data(&conn);
    let plus = probe.node(0);
    for event_id in 1..=500 {
        runtime.input_event(&conn, W1, id, click_on(&plus, event_id));
    }
    done.recv_timeout(DEADLINE)
        .expect("the view finished its loop");
    eventually("every click handled", || {
        runtime.metrics().events_dispatched == 500
    });
    assert_eq!(probe.node(1).text_content(), "1000");
    assert_eq!(probe.node(2).child_count(), 1000);
    runtime.shutdown();
}

// Events of two views in one browser tab run in parallel (Lona serialises a whole socket).

struct Gate {
    probe: Probe,
    /// The first view's handler waits for this; the second view's handler opens it.
    wait: Option<Receiver<()>>,
    open: Option<Sender<()>>,
}

impl View for Gate {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let button = button();
        let wait = self.wait.clone();
        let open = self.open.clone();
        let probe = self.probe.clone();
        cx.on_click(&button, move |_, _| {
            if let Some(wait) = &wait {
                probe.log("slow handler waits");
                let released = wait.recv_timeout(DEADLINE).is_ok();
                probe.log(format!("slow handler released: {released}"));
            }
            if let Some(open) = &open {
                probe.log("fast handler runs");
                let _ = open.send(());
            }
            Flow::Handled
        });
        self.probe.nodes.lock().push(button.clone());
        Ok(Response::Node(div().with_child(&button)))
    }
}

#[test]
fn a_slow_handler_in_one_window_does_not_hold_up_another_window_of_the_same_tab() {
    let runtime = small_runtime();
    let (open, wait) = unbounded::<()>();
    // One log for both views, one node slot each.
    let probe = Probe::default();
    let slow_probe = Probe {
        nodes: Arc::default(),
        log: Arc::clone(&probe.log),
    };
    let fast_probe = Probe {
        nodes: Arc::default(),
        log: Arc::clone(&probe.log),
    };
    let slow = {
        let (probe, wait) = (slow_probe.clone(), wait);
        ViewFactory::blocking(move |_| Gate {
            probe: probe.clone(),
            wait: Some(wait.clone()),
            open: None,
        })
    };
    let fast = {
        let (probe, open) = (fast_probe.clone(), open);
        ViewFactory::blocking(move |_| Gate {
            probe: probe.clone(),
            wait: None,
            open: Some(open.clone()),
        })
    };
    let tab = browser(&session("a"));
    let (w1, w2) = (WindowId(1), WindowId(2));
    let slow_id = runtime
        .start_view(
            &slow,
            Request::new("http://localhost/slow", tab.session().clone()),
            &tab,
            w1,
        )
        .expect("starts");
    let fast_id = runtime
        .start_view(
            &fast,
            Request::new("http://localhost/fast", tab.session().clone()),
            &tab,
            w2,
        )
        .expect("starts");
    // Shown, not only built: a click on a node that is in no document yet is refused.
    let shown = |probe: &Probe| {
        probe
            .nodes
            .lock()
            .first()
            .is_some_and(|n| n.document().is_some())
    };
    eventually("both views show their trees", || {
        shown(&slow_probe) && shown(&fast_probe)
    });
    let outcome = runtime.input_event(&tab, w1, slow_id, click_on(&slow_probe.node(0), 1));
    assert_eq!(outcome, EventOutcome::Accepted);
    eventually("the slow handler waits", || {
        probe.entries().contains(&"slow handler waits".to_owned())
    });
    runtime.input_event(&tab, w2, fast_id, click_on(&fast_probe.node(0), 1));
    eventually("the slow handler was released", || {
        probe
            .entries()
            .iter()
            .any(|e| e.starts_with("slow handler released"))
    });
    assert!(
        probe
            .entries()
            .contains(&"slow handler released: true".to_owned()),
        "{:?}",
        probe.entries()
    );
    runtime.shutdown();
}
