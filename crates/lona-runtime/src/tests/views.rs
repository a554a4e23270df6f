//! What a view leaves behind and tells: no node outlives it, its state as the admin shell
//! sees it, its parsed request, and its start and stop log lines.

use std::sync::Arc;

use lona_html::WeakNode;
use lona_html::tags::{button, div};
use lona_protocol::RuntimeId;
use parking_lot::Mutex;

use crate::{
    Context, Flow, Request, Response, StopReason, View, ViewFactory, ViewResult, ViewState,
};

use super::support::{
    AsyncWaiting, Probe, W1, Wait, Waiting, browser, click_on, eventually, session, small_runtime,
    start, until_data,
};

// Handlers do not keep a tree alive: when the view ends, its nodes are freed.

struct Leaky {
    weak: Arc<Mutex<Vec<WeakNode>>>,
}

impl View for Leaky {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let button = button();
        let root = div().with_child(&button);
        // The handler captures its own node and the root: a cycle if handlers lived on nodes.
        cx.on_click(&button, {
            let (button, root) = (button.clone(), root.clone());
            move |_, _| {
                button.set_text("clicked");
                root.class_list().add("x");
                Flow::Handled
            }
        });
        self.weak
            .lock()
            .extend([root.downgrade(), button.downgrade()]);
        cx.show(&root)?;
        cx.await_click(&[])?;
        Ok(Response::Empty)
    }
}

/// The leaky view, handing its nodes' weak handles to `weak`.
fn leaky(weak: &Arc<Mutex<Vec<WeakNode>>>) -> ViewFactory {
    let weak = Arc::clone(weak);
    ViewFactory::blocking(move |_| Leaky {
        weak: Arc::clone(&weak),
    })
}

#[test]
fn no_node_of_a_view_outlives_the_view() {
    let runtime = small_runtime();
    let weak = Arc::new(Mutex::new(Vec::new()));
    let factory = leaky(&weak);
    for blocking_finish in [true, false] {
        let conn = browser(&session("a"));
        let id = start(&runtime, &factory, &conn, "http://localhost/");
        until_data(&conn);
        if blocking_finish {
            let button = weak.lock()[1].upgrade().expect("alive while the view runs");
            runtime.input_event(&conn, W1, id, click_on(&button, 1));
            until_data(&conn);
        }
        runtime.connection_closed(&conn);
        eventually("the view was removed", || runtime.view_count() == 0);
        eventually("its nodes were freed", || {
            weak.lock().iter().all(|w| w.upgrade().is_none())
        });
        weak.lock().clear();
    }
    runtime.shutdown();
}

#[test]
fn a_connection_knows_the_views_it_shows_and_closing_it_ends_those_only() {
    let runtime = small_runtime();
    let weak = Arc::new(Mutex::new(Vec::new()));
    let factory = leaky(&weak);
    let (a, b) = (browser(&session("a")), browser(&session("b")));
    let first = start(&runtime, &factory, &a, "http://localhost/");
    until_data(&a);
    let other = start(&runtime, &factory, &b, "http://localhost/");
    until_data(&b);
    assert_eq!((a.views(), b.views()), (vec![first], vec![other]));
    // A VIEW in the same window ends the view it showed: the connection forgets it, so the
    // list holds what the socket shows, not every view it ever had.
    let second = start(&runtime, &factory, &a, "http://localhost/");
    until_data(&a);
    assert_eq!(a.views(), vec![second]);
    // Closing it looks up its own view only (not every view of the runtime) and ends it.
    runtime.connection_closed(&a);
    assert!(a.views().is_empty());
    eventually("a's views ended, b's goes on", || runtime.view_count() == 1);
    assert_eq!(b.views(), vec![other]);
    runtime.shutdown();
}

#[test]
fn views_report_whether_they_wait_for_input_or_sleep() {
    let runtime = small_runtime();
    let probe = Probe::default();
    let factory = |wait: fn() -> Wait, blocking: bool| {
        let probe = probe.clone();
        if blocking {
            ViewFactory::blocking(move |_| Waiting {
                wait: wait(),
                probe: probe.clone(),
            })
        } else {
            ViewFactory::asynchronous(move |_| AsyncWaiting {
                wait: wait(),
                probe: probe.clone(),
            })
        }
    };
    // One browser each: a second view in the same window would replace the first.
    let conns = [session("a"), session("b"), session("c")].map(|s| browser(&s));
    let factories = [
        factory(|| Wait::Click, true),
        factory(|| Wait::Sleep, true),
        factory(|| Wait::Any, false),
    ];
    let [clicking, sleeping, awaiting] =
        [0, 1, 2].map(|n| start(&runtime, &factories[n], &conns[n], "http://localhost/"));
    let state_of = |id: RuntimeId| {
        runtime
            .views()
            .into_iter()
            .find(|v| v.id == id)
            .map(|v| v.state)
    };
    for (id, state) in [
        (clicking, ViewState::WaitingForInput),
        (sleeping, ViewState::Sleeping),
        (awaiting, ViewState::WaitingForInput),
    ] {
        eventually(&format!("view {id} is {}", state.name()), || {
            state_of(id) == Some(state.clone())
        });
    }
    assert_eq!(ViewState::WaitingForInput.name(), "WAITING_FOR_INPUT");
    assert!(runtime.stop_view(sleeping));
    eventually("the stopped view says so until it is gone", || {
        matches!(
            state_of(sleeping),
            None | Some(ViewState::Stopped(StopReason::ServerStop))
        )
    });
    assert_eq!(state_of(clicking), Some(ViewState::WaitingForInput));
    runtime.shutdown();
}

#[test]
fn requests_parse_their_url() {
    let request = Request::new(
        "http://localhost:8080/search/?q=a+b&x=%C3%A9&bad=%zz#frag",
        session("s"),
    );
    assert_eq!(request.path, "/search/");
    assert_eq!(request.query("q"), Some("a b"));
    assert_eq!(request.query("x"), Some("é"));
    assert_eq!(request.query("bad"), Some("%zz"));
    assert_eq!(request.method(), "GET");
}

/// The text of every event logged in this process from now on. Views log on pool threads, so a
/// thread-scoped subscriber would miss them: this installs a global one, once; other tests'
/// events land in the buffer too, which is why a test looks for its own view's id.
fn captured_logs() -> Arc<Mutex<Vec<u8>>> {
    #[derive(Clone)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    static LOGS: std::sync::OnceLock<Arc<Mutex<Vec<u8>>>> = std::sync::OnceLock::new();
    Arc::clone(LOGS.get_or_init(|| {
        let logs = Arc::new(Mutex::new(Vec::new()));
        let writer = Buffer(Arc::clone(&logs));
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_max_level(tracing::Level::INFO)
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .expect("no other test installs a global subscriber");
        logs
    }))
}

#[test]
fn view_start_and_stop_are_logged_with_id_session_and_reason() {
    let logs = captured_logs();
    let runtime = small_runtime();
    let probe = Probe::default();
    let factory = ViewFactory::blocking(move |_| Waiting {
        wait: Wait::Click,
        probe: probe.clone(),
    });
    let conn = browser(&session("0123456789abcdef"));
    let id = start(&runtime, &factory, &conn, "http://localhost/logged");
    // Other tests' views share ids (each runtime counts from 1) but not this session.
    let all = move || String::from_utf8_lossy(&logs.lock()).into_owned();
    let mine = || -> Vec<String> {
        all()
            .lines()
            .filter(|l| l.contains("session=\"01234567\""))
            .map(str::to_owned)
            .collect()
    };
    let started = format!(
        "lona::view: view started view={} route=\"\" path=/logged ",
        id.0
    );
    eventually("the start is logged", || {
        mine().iter().any(|l| l.contains(&started))
    });
    assert!(runtime.stop_view(id));
    let stopped = format!("lona::view: view stopped view={} ", id.0);
    eventually("the stop is logged", || {
        mine()
            .iter()
            .any(|l| l.contains(&stopped) && l.contains("reason=ServerStop"))
    });
    assert!(
        !all().contains("0123456789abcdef"),
        "the whole session id, a credential, is never logged"
    );
    runtime.shutdown();
}
