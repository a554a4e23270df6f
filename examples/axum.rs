//! lona inside an axum app: an axum JSON route with a `Query` extractor and a lona counter,
//! served on one port by `axum::serve` on the app's own tokio runtime (`App::into_service`,
//! the `axum` feature). Ctrl-C shuts both down gracefully.
//!
//! `cargo run -p examples --example axum`, then open http://127.0.0.1:8080/ and
//! http://127.0.0.1:8080/api/time?label=now

use std::net::SocketAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::Query;
use axum::routing::get;
use axum::{Json, Router};
use lona::prelude::*;
use lona::server::LonaService;
use serde::{Deserialize, Serialize};

/// A counter: each click on `#plus` raises the number in `#count`.
#[derive(Debug)]
pub struct Counter;

impl View for Counter {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let count = Live::new_in(tags::span().with_id("count"), 0);
        let plus = tags::button().with_id("plus").with("+1");
        let html = tags::div().with((tags::h1().with("Counter"), &count, " ", &plus));
        cx.on_click(&plus, move |_, _| count.update(|n| *n += 1));
        Ok(html.into())
    }
}

/// The lona app: the counter on `/`.
pub fn app() -> App {
    let mut app = App::new();
    app.view("/", |_request| Counter);
    app
}

/// What `/api/time` reads from its query string.
#[derive(Debug, Deserialize)]
pub struct TimeQuery {
    /// Echoed back; "now" when absent.
    pub label: Option<String>,
}

/// What `/api/time` answers, as JSON.
#[derive(Debug, Serialize, Deserialize)]
pub struct Time {
    /// The query's label.
    pub label: String,
    /// Seconds since the Unix epoch.
    pub unix_seconds: u64,
}

/// An ordinary axum handler with an extractor.
async fn time(Query(query): Query<TimeQuery>) -> Json<Time> {
    let unix_seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    Json(Time {
        label: query.label.unwrap_or_else(|| "now".to_owned()),
        unix_seconds,
    })
}

/// The axum app: its own routes, and lona for every other path (pages, sockets, files).
pub fn router(lona: LonaService) -> Router {
    Router::new()
        .route("/api/time", get(time))
        .fallback_service(lona)
}

/// Serves axum and lona on 127.0.0.1:8080 until Ctrl-C, then shuts lona down (its views stop
/// and its background tasks are joined).
#[tokio::main]
pub async fn main() -> lona::Result<()> {
    lona::init_logging();
    let lona = app().into_service().await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
    // `ConnectInfo` gives lona each client's address (its per-address limits need it).
    let service = router(lona.clone()).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    lona.shutdown().await;
    Ok(())
}
