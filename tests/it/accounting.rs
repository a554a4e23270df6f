//! Per-view accounting in a running server: the admin shell's `views` sorted by it and
//! `view ID` in full (and refusing bad arguments), and the admin example's page, which reads
//! every view's stats through its context.

use std::path::Path;

use lona_server::shell;
use lona_test::{TestClient, TestServer};
use serde_json::Value as Json;

use test_support::TempDir;

/// Sends one JSON request and returns its `result`, failing the test on `ok: false`.
fn ask(socket: &Path, command: &str) -> Json {
    let answer = shell::request(socket, command, true).expect("the shell answers");
    let answer: Json = serde_json::from_str(&answer).expect("one JSON line");
    assert_eq!(answer["ok"], true, "{command}: {answer}");
    answer["result"].clone()
}

/// The error the shell answers `command` with, failing the test on `ok: true`.
fn refused(socket: &Path, command: &str) -> String {
    let answer = shell::request(socket, command, true).expect("the shell answers");
    let answer: Json = serde_json::from_str(&answer).expect("one JSON line");
    assert_eq!(answer["ok"], false, "{command}: {answer}");
    answer["error"].as_str().unwrap_or_default().to_owned()
}

/// Opens the counter and clicks it `clicks` times, each seen on the page.
fn counter(server: &TestServer, clicks: u32) -> (TestClient, u64) {
    let mut page = server.open("/").expect("the counter opens");
    page.wait_for_selector("#plus").expect("the counter shows");
    for n in 1..=clicks {
        page.click("#plus").expect("clicks");
        page.wait_for_node_text("#count", &n.to_string())
            .expect("the count follows");
    }
    let id = page.window().runtime().expect("the view runs").0;
    (page, id)
}

#[test]
fn the_shell_sorts_views_by_their_accounting_and_shows_one_in_full() {
    let temp = TempDir::new("accounting-shell");
    let socket = temp.path().join("shell.sock");
    let mut app = examples::admin::app();
    app.shell_socket(&socket);
    let server = TestServer::start(app);
    let (_idle, idle) = counter(&server, 0);
    let (_busy, busy) = counter(&server, 3);

    let by_events = ask(&socket, "views --sort events");
    assert_eq!(by_events[0]["id"], busy, "{by_events}");
    assert_eq!(by_events[0]["events"], 3);
    assert_eq!(by_events[1]["id"], idle);
    assert_eq!(by_events[1]["events"], 0);
    assert!(by_events[0]["sent_bytes"].as_u64() > by_events[1]["sent_bytes"].as_u64());
    assert!(by_events[0]["p99_ms"].is_number(), "{by_events}");
    assert!(by_events[1]["p99_ms"].is_null(), "no events, no latency");

    let by_memory = ask(&socket, "views --sort memory");
    let memory: Vec<u64> = by_memory
        .as_array()
        .expect("a list")
        .iter()
        .map(|v| v["memory_bytes"].as_u64().expect("a number"))
        .collect();
    assert_eq!(memory.len(), 2);
    assert!(memory[0] >= memory[1] && memory[1] > 0, "{memory:?}");
    let limited = ask(&socket, "views --limit 1 --sort latency");
    assert_eq!(limited.as_array().map(Vec::len), Some(1));
    assert_eq!(limited[0]["id"], busy, "the only view with latencies");
    let all = ask(&socket, "views --limit 18446744073709551615");
    assert_eq!(all.as_array().map(Vec::len), Some(2));

    let view = ask(&socket, &format!("view {busy}"));
    assert_eq!(view["events"], 3);
    let latency = view["latency"].as_array().expect("the histogram");
    assert_eq!(latency.len(), 16);
    let counted: u64 = latency.iter().filter_map(|b| b["events"].as_u64()).sum();
    assert_eq!(counted, 3, "{view}");
    assert!(view["nodes"].as_u64() > Some(0));
    assert_eq!(view["outbox_items"], 0, "the client reads everything");
    // The text form, as a person reads it.
    let text = shell::request(&socket, &format!("view {busy}"), false).expect("answers");
    assert!(text.contains("le_ms"), "{text}");

    for (command, says) in [
        ("views --sort colour", "unknown sort key"),
        ("views --sort", "needs a value"),
        ("views --limit 0", "is not a limit"),
        ("views --limit 99999999999999999999999", "is not a limit"),
        ("views --limit -3", "is not a limit"),
        ("views --sort events --sort memory", "given twice"),
        ("views memory", "needs a value"),
        ("views --everything at-once", "unknown argument"),
        ("view", "usage: view VIEW_ID"),
        ("view abc", "is not a view id"),
        ("view 1 2", "usage: view VIEW_ID"),
        ("view 18446744073709551615", "no running view"),
        ("view 99999999999999999999999", "is not a view id"),
    ] {
        let error = refused(&socket, command);
        assert!(error.contains(says), "{command}: {error}");
    }
    server.shutdown();
}

#[test]
fn an_apps_admin_page_lists_every_views_stats_through_its_context() {
    let server = TestServer::start(examples::admin::app());
    let (mut busy_page, busy) = counter(&server, 2);
    let (_idle_page, idle) = counter(&server, 0);
    let mut admin = server.open("/admin").expect("the admin page opens");
    admin
        .wait_for_selector("#views")
        .expect("the admin page shows");
    let events =
        |admin: &TestClient, id: u64| admin.text(&format!("tr[data-view=\"{id}\"] .events"));
    assert_eq!(events(&admin, busy).as_deref(), Some("2"));
    assert_eq!(events(&admin, idle).as_deref(), Some("0"));
    let admin_id = admin.window().runtime().expect("runs").0;
    assert_eq!(
        events(&admin, admin_id).as_deref(),
        Some("0"),
        "the admin page lists itself"
    );
    // Sorted by memory, the largest first.
    let memory: Vec<u64> = admin
        .query_all("#views .memory")
        .iter()
        .map(|node| node.text_content().parse().expect("a number"))
        .collect();
    assert_eq!(memory.len(), 3);
    assert!(memory.windows(2).all(|w| w[0] >= w[1]), "{memory:?}");
    // The page reads the stats again on a refresh.
    busy_page.click("#plus").expect("clicks");
    busy_page
        .wait_for_node_text("#count", "3")
        .expect("the count follows");
    admin.click("#refresh").expect("refreshes");
    let selector = format!("tr[data-view=\"{busy}\"] .events");
    admin
        .wait_for_node_text(&selector, "3")
        .expect("the refreshed page shows the third click");
    // Shortened sessions only: the session cookie is a credential.
    let session = busy_page.session();
    let (_, id) = session
        .cookie()
        .and_then(|cookie| cookie.split_once('='))
        .expect("the server set a session cookie");
    assert!(id.chars().count() > 8, "{id}");
    assert!(!admin.html().contains(id), "no whole session id");
    let short: String = id.chars().take(8).collect();
    assert_eq!(
        admin.text(&format!("tr[data-view=\"{busy}\"] .session")),
        Some(format!("{short}…"))
    );
    server.shutdown();
}
