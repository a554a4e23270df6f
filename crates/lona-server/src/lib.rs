//! The server of lona: HTTP/1.1 with hyper, WebSockets with tungstenite on each page's own
//! path, Lona's routing, cookie sessions, the frontend page, and graceful shutdown.
//!
//! With the Redis broker (`lona-redis`), the only crate of the workspace that opens sockets;
//! uploads (`lona-uploads`) and the admin shell's client (`lona-shell`) plug in behind the
//! cargo features `uploads` and `shell`, Redis behind `redis`. It bridges tokio and the runtime's
//! pools through non-blocking outboxes: a slow client can never block a pool thread, and a
//! parked view can never block a tokio worker.
//!
//! Each module uses only those below it (no import cycles):
//! - the wiring: `app` (setting an app up, `spawn` in one step per subsystem, `run` from
//!   `main`), `server` (the running app), `cli` (the command line);
//! - the transport: `conn` (TCP connections and hyper), `http` (dispatching a request:
//!   static files, middlewares, routes, the frontend page), `socket` (a browser's WebSocket,
//!   from its upgrade on), `statics`;
//! - what they share: `state` (one per server), `target` (what a route leads to), `handler`
//!   (non-interactive routes' types), `frontend` (the pages the server renders),
//!   `middleware`, `tasks` (background tasks and their shutdown signal);
//! - the leaves: `response`, `routing`, `session`, `settings`, `error` (the server's typed
//!   error), `lona_error` (the one error of an app's `main`), `connections`,
//!   `client_addr`, `host`, `request_body`, `body_timeout`, `logging`, `metrics`, `memory`; `uploads` mounts
//!   `lona-uploads` under the bucket prefix.

mod app;
mod body_timeout;
#[cfg(feature = "cli")]
mod cli;
mod client_addr;
mod conn;
mod connections;
mod error;
mod frontend;
mod handler;
mod host;
mod http;
mod logging;
mod lona_error;
mod memory;
mod metrics;
mod middleware;
mod net_sim;
mod request_body;
mod response;
mod routing;
mod server;
mod session;
mod settings;
#[cfg(feature = "shell")]
pub mod shell;
mod socket;
mod state;
mod statics;
mod target;
mod tasks;
#[cfg(feature = "uploads")]
mod uploads;

#[cfg(feature = "axum")]
pub use app::LonaService;
pub use app::{App, RouteName, Serve};
#[cfg(feature = "cli")]
pub use cli::{Command, CommandLineError};
pub use error::{BoxError, ServerError};
#[cfg(feature = "templates")]
pub use frontend::Templates;
pub use frontend::{ERROR_TEMPLATE, ERROR_VIEW_TEMPLATE, FRONTEND_TEMPLATE};
pub use handler::{AsyncHttpHandler, HttpFuture, HttpHandler, HttpRequest};
pub use logging::init_logging;
pub use lona_error::{Error, Result};
pub use middleware::{ConnectionInfo, Decision, HttpRequestInfo, Middleware};
// The Redis broker lives in `lona-redis`; re-exported here so `lona::channels::RedisBroker` stays.
#[cfg(feature = "redis")]
pub use lona_redis::{RedisBroker, RedisConfig};
// Uploads live in `lona-uploads`; re-exported here so `lona::uploads::Bucket` stays.
#[cfg(feature = "uploads")]
pub use lona_uploads::{Bucket, BucketBuilder, BucketError, BucketEvent, BucketLimits};
pub use response::HttpResponse;
pub use routing::{MATCH_ALL, Pattern, Resolved, ReverseError, RouteError, Router};
pub use server::{Server, ShuttingDown};
pub use session::{RotateError, SESSION_HANDOFF_PATH, rotate_session};
pub use settings::{Settings, SettingsError};
pub use tasks::{Shutdown, TaskContext};

// Third-party types that appear in this crate's public signatures, re-exported so that an app
// needs no version-matched dependency of its own.

/// The header types of [`HttpRequest::headers`] (hyper's).
pub use hyper::header::{HeaderMap, HeaderName, HeaderValue};
/// The trait of the values [`HttpResponse::json_value`], `App::template_global` and
/// `Templates::render` take (serde's).
pub use serde::Serialize;
/// JSON values, as admin shell commands answer them and [`HttpResponse::json_value`] fails
/// with.
pub use serde_json;
/// The listener [`App::serve`] takes (tokio's).
pub use tokio::net::TcpListener;

/// The template engine's types that appear in this crate's API (minijinja's): the environment
/// [`App::configure_templates`] changes, the bounds of [`App::template_filter`], the error of
/// [`Templates::render`], and what building a context takes.
#[cfg(feature = "templates")]
pub mod templates {
    pub use minijinja::functions::Function;
    pub use minijinja::value::{FunctionArgs, FunctionResult, Kwargs};
    pub use minijinja::{Environment, Error, ErrorKind, Value, context};
}
