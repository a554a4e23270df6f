//! A live dashboard: a background task takes a reading every second and publishes it on a
//! channel; every open page subscribes and shows the latest one as it comes. The task belongs
//! to the app (`App::task`): it starts once the server is up and stops when the server shuts
//! down, so nothing outlives the server, in a test or in production.
//!
//! `cargo run -p examples --example dashboard`, then open http://127.0.0.1:8080/ in a few tabs.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use lona::prelude::*;
use serde::{Deserialize, Serialize};

/// The topic the readings are published on.
pub const READINGS: &str = "dashboard.readings";

/// The producer task's name; its thread is `lona-task-readings`.
pub const PRODUCER: &str = "readings";

/// One reading, as the app's own type: publishers and subscribers share it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    /// Degrees Celsius.
    pub celsius: i64,
}

/// Every page: the latest reading (`#reading`), and how many this page has shown
/// (`#received`).
#[derive(Debug)]
pub struct Dashboard;

impl View for Dashboard {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let channels = cx.channels()?;
        let reading = tags::span().with_id("reading").with("none yet");
        let received = tags::span().with_id("received").with(0);
        let root = tags::div().with((
            tags::h1().with("Dashboard"),
            tags::p().with(("Latest reading: ", &reading)),
            tags::p().with(("Readings shown: ", &received)),
        ));
        // The subscription gets one message at a time, so its count needs no lock.
        let shown = AtomicU64::new(0);
        cx.subscribe_typed(
            &channels,
            READINGS,
            move |_view, message: TypedMessage<Reading>| {
                reading.set_text(format!("{} °C", message.data.celsius));
                let shown = shown.fetch_add(1, Ordering::Relaxed) + 1;
                received.set_content(shown);
            },
        );
        Ok(root.into())
    }
}

/// The producer: a reading on [`READINGS`] every `interval`, until the server shuts down.
/// `task.wait` sleeps the interval, or returns `true` at once when shutdown begins.
fn produce(task: TaskContext, interval: Duration) {
    // From the app's state, so that a deployment's Redis channels are the ones used.
    let Some(channels) = task.channels() else {
        return;
    };
    let mut tick = 0_i64;
    while !task.wait(interval) {
        tick += 1;
        let reading = Reading {
            celsius: sensor(tick),
        };
        // A struct of numbers always serializes: an error here would be a bug in `Reading`.
        channels
            .publish_typed(READINGS, &reading)
            .expect("a Reading serializes");
    }
}

/// A made-up thermometer, in degrees Celsius.
fn sensor(tick: i64) -> i64 {
    18 + (tick * 7) % 9
}

/// The app: the dashboard on `/`, a reading every second.
pub fn app() -> App {
    app_with_interval(Duration::from_secs(1))
}

/// The app with readings every `interval` (the tests' is short).
pub fn app_with_interval(interval: Duration) -> App {
    let mut app = App::new();
    app.task(PRODUCER, move |task| produce(task, interval));
    app.view("/", |_request| Dashboard);
    app
}

/// Runs the example with its command line: on 127.0.0.1:8080, or
/// `-- run-server --host H --port P`.
pub fn main() -> lona::Result<()> {
    app().main()
}
