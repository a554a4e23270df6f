//! The Prometheus endpoint: off unless `metrics_url_prefix` is set, and when set it counts
//! what happened (three clicks give three round trips) with the pool lines an operator
//! scrapes.

use std::time::{Duration, Instant};

use examples::click_handler::Counter;
use lona::prelude::*;
use lona_test::TestServer;

fn app(metrics: Option<&str>) -> App {
    let mut app = App::new();
    app.view("/", |_| Counter);
    app.settings.metrics_url_prefix = metrics.map(str::to_owned);
    app
}

/// The value of the sample line `name` (labels included) in an exposition.
fn sample(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|value| value.parse().ok())
}

#[test]
fn three_clicks_are_three_round_trips_on_the_metrics_page() {
    let server = TestServer::start(app(Some("/metrics")));
    let mut client = server.open("/").expect("the page opens");
    client
        .wait_for_selector("#plus")
        .expect("the counter shows");
    for n in 1..=3 {
        client.click("#plus").expect("a click");
        client
            .wait_for_node_text("#count", &n.to_string())
            .expect("the click's patch arrives");
    }
    // The round trip is observed just after the patches are queued, so the browser can see
    // the last patch a moment before the histogram counts it: poll.
    let deadline = Instant::now() + Duration::from_secs(5);
    let text = loop {
        let answer = server.get("/metrics").expect("the metrics page answers");
        assert_eq!(answer.status, 200);
        let content_type = answer
            .headers
            .iter()
            .find(|(name, _)| name == "content-type")
            .map(|(_, value)| value.as_str());
        assert!(
            content_type.is_some_and(|t| t.starts_with("text/plain; version=0.0.4")),
            "{content_type:?}"
        );
        if sample(&answer.body, "lona_click_roundtrip_seconds_count") == Some(3.0)
            || Instant::now() > deadline
        {
            break answer.body;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(
        sample(&text, "lona_click_roundtrip_seconds_count"),
        Some(3.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, "lona_click_roundtrip_seconds_bucket{le=\"+Inf\"}"),
        Some(3.0)
    );
    assert_eq!(sample(&text, "lona_views_open"), Some(1.0), "{text}");
    assert_eq!(sample(&text, "lona_connections_open"), Some(1.0), "{text}");
    assert_eq!(sample(&text, "lona_events_dispatched_total"), Some(3.0));
    for pool in ["runtime", "worker", "static"] {
        for name in [
            "lona_pool_threads",
            "lona_pool_busy",
            "lona_pool_queued",
            "lona_pool_jobs_done_total",
            "lona_pool_panics_total",
        ] {
            let line = format!("{name}{{pool=\"{pool}\"}}");
            assert!(sample(&text, &line).is_some(), "{line} missing from {text}");
        }
    }
}

#[test]
fn without_the_setting_there_is_no_metrics_page() {
    let server = TestServer::start(app(None));
    let answer = server.get("/metrics").expect("the server answers");
    assert_eq!(answer.status, 404);
}
