//! Background tasks tied to the app's lifetime (`App::task`, `App::async_task`): the
//! dashboard example end to end, when tasks start and stop, what a task that ignores its
//! signal or panics does to the server, and shutting down without blocking.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};
use lona::prelude::*;
use lona::server::{BoxError, ServerError};
use lona_test::TestServer;

/// The names of this process's threads, as the kernel shows them (15 bytes at most).
#[cfg(target_os = "linux")]
fn thread_names() -> Vec<String> {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Vec::new();
    };
    tasks
        .filter_map(Result::ok)
        .filter_map(|task| std::fs::read_to_string(task.path().join("comm")).ok())
        .map(|name| name.trim_end().to_owned())
        .collect()
}

#[test]
fn the_dashboard_shows_the_tasks_readings_and_its_thread_ends_at_shutdown() {
    let server = TestServer::start(examples::dashboard::app_with_interval(
        Duration::from_millis(10),
    ));
    let mut page = server.open("/").expect("the dashboard opens");
    page.wait_for_node_text("#received", "3")
        .expect("three readings reach the page");
    let thread = format!("lona-task-{}", examples::dashboard::PRODUCER);
    #[cfg(target_os = "linux")]
    let thread = &thread[..15];
    // Named by now: it has published three readings.
    #[cfg(target_os = "linux")]
    assert!(
        thread_names().iter().any(|name| name == thread),
        "the producer runs on its own thread, {thread}"
    );
    let reading = page.text("#reading").expect("the page shows a reading");
    assert!(reading.ends_with(" °C"), "{reading}");
    drop(page);

    server.shutdown();
    // The producer was signalled and joined before `shutdown` returned: no thread is left.
    #[cfg(target_os = "linux")]
    assert!(
        !thread_names().iter().any(|name| name == thread),
        "the producer's thread is gone"
    );
    let _ = thread;
}

/// Records a middleware's startup, or fails it.
struct Startup {
    events: Sender<&'static str>,
    fail: bool,
}

impl Middleware for Startup {
    fn on_startup(&self) -> Result<(), BoxError> {
        let _ = self.events.send("startup");
        if self.fail {
            return Err("no database".into());
        }
        Ok(())
    }

    fn on_shutdown(&self) {
        let _ = self.events.send("middleware shutdown");
    }
}

/// A page whose view runs until it is stopped, and reports its stop.
struct Page {
    events: Sender<&'static str>,
}

impl View for Page {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let button = tags::button().with_text("never clicked");
        cx.show(
            &tags::div()
                .with_child(tags::p().with_id("page").with_text("up"))
                .with_child(&button),
        )?;
        cx.await_click(&[&button])?;
        Ok(Response::Empty)
    }

    fn on_stop(&self, _reason: Option<&StopReason>) {
        let _ = self.events.send("view stopped");
    }
}

/// The next event, or a failed test.
fn next(events: &Receiver<&'static str>) -> &'static str {
    events
        .recv_timeout(Duration::from_secs(10))
        .expect("an event within 10 s")
}

/// An app with a startup hook, a view on `/`, a blocking and an async task, all reporting to
/// `events`.
fn reporting_app(events: &Sender<&'static str>, fail_startup: bool) -> App {
    let mut app = App::new();
    app.middleware(Startup {
        events: events.clone(),
        fail: fail_startup,
    });
    let view_events = events.clone();
    app.view("/", move |_| Page {
        events: view_events.clone(),
    });
    let thread_events = events.clone();
    app.task("blocking", move |task| {
        let _ = thread_events.send("thread started");
        task.wait(Duration::from_secs(3600));
        let _ = thread_events.send("thread ended");
    });
    let async_events = events.clone();
    app.async_task("async", move |task| async move {
        let _ = async_events.send("async started");
        task.cancelled().await;
        let _ = async_events.send("async ended");
    });
    app
}

#[test]
fn tasks_start_after_the_startup_hooks_and_end_before_the_views_stop() {
    let (events, log) = crossbeam_channel::unbounded();
    let server = TestServer::start(reporting_app(&events, false));
    assert_eq!(next(&log), "startup");
    let mut started = [next(&log), next(&log)];
    started.sort_unstable();
    assert_eq!(started, ["async started", "thread started"]);

    let mut page = server.open("/").expect("the page opens");
    page.wait_for_node_text("#page", "up")
        .expect("the view runs");
    // The view stays up while the page is open; shutdown stops it.
    let shutting_down = std::thread::Builder::new()
        .name("shutting-down".to_owned())
        .spawn(move || server.shutdown())
        .expect("a thread");
    let mut ended = [next(&log), next(&log)];
    ended.sort_unstable();
    assert_eq!(ended, ["async ended", "thread ended"], "tasks end first");
    assert_eq!(next(&log), "view stopped");
    assert_eq!(next(&log), "middleware shutdown");
    drop(page);
    shutting_down.join().expect("shutdown returns");
}

#[test]
fn a_server_that_fails_to_start_never_starts_its_tasks() {
    let (events, log) = crossbeam_channel::unbounded();
    let error = App::spawn(reporting_app(&events, true), "127.0.0.1:0")
        .expect_err("the startup hook fails");
    assert!(matches!(error, ServerError::Startup(_)), "{error}");
    // Everything was sent before `spawn` returned.
    let seen: Vec<_> = log.try_iter().collect();
    assert_eq!(seen, ["startup"], "no task ran");
}

#[test]
fn a_task_name_must_be_printable() {
    let mut app = App::new();
    app.task("bad\nname", |_task| {});
    let error = app.spawn("127.0.0.1:0").expect_err("the name is refused");
    assert!(matches!(error, ServerError::Task(_)), "{error}");
}

#[test]
fn a_task_that_ignores_the_signal_does_not_hold_shutdown_up() {
    let release = Arc::new(AtomicBool::new(false));
    let mut app = App::new();
    app.settings.task_shutdown_timeout = Duration::from_millis(100);
    app.settings.shutdown_timeout = Duration::from_millis(100);
    let (started, running) = crossbeam_channel::bounded(2);
    let stubborn = Arc::clone(&release);
    let thread_started = started.clone();
    app.task("stubborn", move |_task| {
        let _ = thread_started.send(());
        // Deaf to the signal: only the test lets it go.
        while !stubborn.load(Ordering::Relaxed) {
            std::thread::park_timeout(Duration::from_millis(10));
        }
    });
    app.async_task("deaf", move |_task| async move {
        let _ = started.send(());
        std::future::pending::<()>().await;
    });
    let server = TestServer::start(app);
    for _ in 0..2 {
        running
            .recv_timeout(Duration::from_secs(10))
            .expect("the tasks run");
    }

    let began = Instant::now();
    server.shutdown();
    assert!(
        began.elapsed() < Duration::from_secs(5),
        "shutdown took {:?}",
        began.elapsed()
    );
    release.store(true, Ordering::Relaxed);
}

#[test]
fn a_panicking_task_is_counted_and_the_server_goes_on() {
    let mut app = App::new();
    app.view("/", |_| Page {
        events: crossbeam_channel::unbounded().0,
    });
    app.task("boom", |_task| panic!("the sensor is unplugged"));
    app.async_task("async-boom", |_task| async { panic!("the socket is gone") });
    let server = TestServer::start(app);
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.server().task_panics() < 2 {
        assert!(Instant::now() < deadline, "both panics are counted");
        std::thread::yield_now();
    }
    let mut page = server.open("/").expect("the server still serves");
    page.wait_for_node_text("#page", "up")
        .expect("and views run");
    drop(page);
    assert_eq!(server.server().task_panics(), 2);
}

#[test]
fn shutdown_can_be_awaited_on_the_apps_own_runtime() {
    let (events, log) = crossbeam_channel::unbounded();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let server = reporting_app(&events, false)
            .spawn("127.0.0.1:0")
            .expect("the server starts");
        let shutting_down = server.begin_shutdown();
        // It returned at once; awaiting it holds no thread of this one-thread runtime.
        shutting_down.await;
    });
    // Everything was sent before the shutdown completed.
    let seen: Vec<_> = log.try_iter().collect();
    for event in ["thread ended", "async ended", "middleware shutdown"] {
        assert!(seen.contains(&event), "{event} in {seen:?}");
    }
}
