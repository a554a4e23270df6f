//! What a browser's CLIENT_ERROR does to the log: one line, escaped (a newline cannot start a
//! forged line) and cut short; past `max_client_errors_per_minute` per socket, nothing but one
//! line that says how many were suppressed, and the limit's metric.

use lona::metrics::Limit;
use lona::prelude::*;
use lona_test::{TestClient, TestServer};

use crate::log::log;

struct Page;

impl View for Page {
    fn handle_request(&self, _cx: &Context, _request: &Request) -> ViewResult {
        Ok(Response::Node(tags::p().with_id("page").with_text("ok")))
    }
}

fn server() -> TestServer {
    let mut app = App::new();
    app.settings.max_client_errors_per_minute = 10;
    app.view("/", |_| Page);
    TestServer::start(app)
}

fn open(server: &TestServer) -> TestClient {
    let mut tab = server.open("/").expect("the page opens");
    tab.wait_for_selector("#page").expect("the view shows");
    tab
}

/// A CLIENT_ERROR frame for window 1 with `message`.
fn client_error(message: &str) -> String {
    let message = serde_json::to_string(message).expect("a JSON string");
    format!("lona:[1,null,104,[{message}]]")
}

/// About a megabyte that would write a line of its own if logged as it is.
fn forged_message(marker: &str) -> String {
    let mut message = format!(
        "{marker}\n2026-01-01T00:00:00.000000Z  INFO lona::http: request method=\"GET\" path=/admin status=200\r\n"
    );
    message.push_str(&"x".repeat(1_000_000));
    message
}

#[test]
fn a_client_error_logs_one_escaped_line_cut_short() {
    let log = log();
    let server = server();
    let mut tab = open(&server);
    let marker = "forged-7d1c";
    tab.send_raw(&client_error(&forged_message(marker)))
        .expect("sent");
    let lines = log.wait_for(marker);
    let logged: Vec<&String> = lines.iter().filter(|l| l.contains(marker)).collect();
    assert_eq!(logged.len(), 1, "{logged:?}");
    let line = logged[0];
    assert!(line.contains("the browser client failed"), "{line}");
    assert!(line.contains(&format!("{marker}\\n2026-01-01")), "{line}");
    assert!(line.contains("more bytes)"), "not cut short");
    assert!(line.len() < 2_000, "{} bytes logged", line.len());
    assert!(
        !lines
            .iter()
            .any(|l| l.starts_with("2026-01-01T00:00:00.000000Z")),
        "a forged line made it into the log"
    );
}

#[test]
fn a_flood_of_client_errors_logs_the_budget_then_one_line_and_trips_the_limit() {
    let log = log();
    let server = server();
    let mut tab = open(&server);
    let marker = "flood-42ab";
    for _ in 0..200 {
        tab.send_raw(&client_error(&forged_message(marker)))
            .expect("sent");
    }
    // The socket's reader handles frames in order; when it closes, all 200 were handled.
    tab.close();
    let lines = log.wait_for("client errors suppressed");
    let logged = lines.iter().filter(|l| l.contains(marker)).count();
    assert_eq!(logged, 10, "the budget is 10 per minute");
    let suppressed: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains("client errors suppressed"))
        .collect();
    assert_eq!(suppressed.len(), 1, "{suppressed:?}");
    assert!(
        suppressed[0].contains("suppressed=190"),
        "{}",
        suppressed[0]
    );
    assert_eq!(
        server.metrics().limits_tripped.get(Limit::ClientErrorRate),
        1
    );
    let total: usize = lines.iter().map(String::len).sum();
    assert!(total < 100_000, "{total} bytes of log for one socket");
}
