//! The server of lona: HTTP/1.1 with hyper, WebSockets with tungstenite on each page's own
//! path, Lona's routing, cookie sessions, the frontend page, and graceful shutdown.
//!
//! With the Redis broker (`lona-redis`), the only crate of the workspace that opens sockets;
//! uploads (`lona-uploads`) and the admin shell's client (`lona-shell`) plug in behind the
//! cargo features `uploads` and `shell`, Redis behind `redis`. It bridges tokio and the runtime's
//! pools through non-blocking outboxes: a slow client can never block a pool thread, and a
//! parked view can never block a tokio worker.

mod app;
mod body_timeout;
mod cli;
mod client_addr;
mod conn;
mod error;
mod frontend;
mod handler;
mod host;
mod http;
mod logging;
mod memory;
mod metrics;
mod middleware;
mod routing;
mod session;
mod settings;
pub mod shell;
mod socket;
mod statics;
#[cfg(feature = "uploads")]
mod uploads;

pub use app::{App, RouteName, Server};
pub use cli::{Command, CommandLineError};
pub use error::ServerError;
pub use frontend::{ERROR_TEMPLATE, ERROR_VIEW_TEMPLATE, FRONTEND_TEMPLATE, Templates};
pub use handler::{AsyncHttpHandler, HttpFuture, HttpHandler, HttpRequest};
pub use http::HttpResponse;
pub use logging::init_logging;
pub use middleware::{BoxError, ConnectionInfo, Decision, HttpRequestInfo, Middleware};
// The Redis broker lives in `lona-redis`; re-exported here so `lona::server::RedisBroker` stays.
#[cfg(feature = "redis")]
pub use lona_redis::{RedisBroker, RedisConfig};
// Uploads live in `lona-uploads`; re-exported here so `lona::server::Bucket` stays.
#[cfg(feature = "uploads")]
pub use lona_uploads::{Bucket, BucketBuilder, BucketError, BucketEvent, BucketLimits};
pub use routing::{MATCH_ALL, Pattern, Resolved, ReverseError, RouteError, Router};
pub use session::{RotateError, SESSION_HANDOFF_PATH, rotate_session};
pub use settings::{Settings, SettingsError};
