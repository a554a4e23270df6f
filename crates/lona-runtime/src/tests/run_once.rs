//! Views run once, non-interactively (Lona's `interactive=False` routes), blocking or async.

use std::time::Duration;

use crossbeam_channel::unbounded;
use lona_html::tags::p;

use crate::{
    AsyncContext, AsyncView, Context, Request, Response, Runtime, StopReason, Stopped, View,
    ViewError, ViewFactory, ViewResult,
};

use super::support::{DEADLINE, Probe, eventually, session, small_runtime};

/// A view run once: what `run_once` hands back, and what the view logged.
fn run_once(runtime: &Runtime, factory: &ViewFactory) -> Result<Response, u16> {
    let (tx, rx) = unbounded();
    runtime
        .run_once(
            factory,
            Request::new("http://localhost/page", session("a")),
            move |outcome| {
                let _ = tx.send(outcome);
            },
        )
        .expect("the pool takes the job");
    rx.recv_timeout(DEADLINE).expect("the run ends")
}

#[derive(Clone, Copy)]
enum Once {
    Returns,
    Shows,
    Forbids,
    Panics,
    Waits,
}

struct OnceView {
    what: Once,
    probe: Probe,
}

impl View for OnceView {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        match self.what {
            Once::Returns => Ok(Response::Node(p().with_text("returned"))),
            Once::Shows => {
                cx.show(&p().with_text("shown"))?;
                Ok(Response::Empty)
            }
            Once::Forbids => Err(ViewError::Forbidden),
            Once::Panics => panic!("a non-interactive view panics"),
            Once::Waits => {
                let waited = cx.await_click(&[]);
                self.probe.log(format!("waited: {waited:?}"));
                waited?;
                Ok(Response::Empty)
            }
        }
    }

    fn on_stop(&self, reason: Option<&StopReason>) {
        self.probe.log(format!("on_stop {reason:?}"));
    }

    fn on_cleanup(&self) {
        self.probe.log("on_cleanup");
    }
}

#[test]
fn run_once_answers_with_the_returned_or_shown_tree_or_an_error_status() {
    let runtime = small_runtime();
    let probe = Probe::default();
    let factory = |what: Once| {
        let probe = probe.clone();
        ViewFactory::blocking(move |_| OnceView {
            what,
            probe: probe.clone(),
        })
    };
    let text = |outcome: Result<Response, u16>| match outcome {
        Ok(Response::Node(node)) => node.text_content(),
        other => panic!("a tree, not {other:?}"),
    };
    assert_eq!(
        text(run_once(&runtime, &factory(Once::Returns))),
        "returned"
    );
    assert_eq!(text(run_once(&runtime, &factory(Once::Shows))), "shown");
    assert_eq!(run_once(&runtime, &factory(Once::Forbids)).err(), Some(403));
    assert_eq!(run_once(&runtime, &factory(Once::Panics)).err(), Some(500));
    assert_eq!(runtime.metrics().view_panics, 1);
    // A wait for input can never end without a browser: it fails at once, the run is a 500.
    assert_eq!(run_once(&runtime, &factory(Once::Waits)).err(), Some(500));
    eventually("the hooks of the last run", || {
        probe
            .entries()
            .iter()
            .filter(|e| *e == "on_cleanup")
            .count()
            == 5
    });
    let entries = probe.entries();
    assert!(
        entries.contains(&"waited: Err(Stopped(NotInteractive))".to_owned()),
        "{entries:?}"
    );
    assert_eq!(
        entries.iter().filter(|e| *e == "on_stop None").count(),
        5,
        "{entries:?}"
    );
    assert_eq!(runtime.view_count(), 0, "runs are never listed as views");
    runtime.shutdown();
}

#[test]
fn run_once_runs_async_views_too() {
    struct Greets;
    impl AsyncView for Greets {
        async fn handle_request(&self, cx: &AsyncContext, _request: &Request) -> ViewResult {
            cx.sleep(Duration::from_millis(1)).await?;
            let waited = cx.await_click(&[]).await;
            assert!(matches!(waited, Err(Stopped(StopReason::NotInteractive))));
            Ok(Response::Node(p().with_text("async page")))
        }
    }
    let runtime = small_runtime();
    let outcome = run_once(&runtime, &ViewFactory::asynchronous(|_| Greets));
    match outcome {
        Ok(Response::Node(node)) => assert_eq!(node.text_content(), "async page"),
        other => panic!("a tree, not {other:?}"),
    }
    runtime.shutdown();
}
