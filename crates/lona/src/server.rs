//! The server an app configures and runs: the [`App`] with its routes, settings, middlewares,
//! templates and background tasks ([`TaskContext`]), the running [`Server`], plain HTTP
//! handlers and sessions.

/// The error a middleware's `on_startup` may return: any error.
pub use lona_server::BoxError;
/// lona as a tower service in an axum app (`App::into_service`), with the `axum` feature.
#[cfg(feature = "axum")]
pub use lona_server::LonaService;
/// The listener [`App::serve`] takes (tokio's), so that an app needs no version-matched tokio
/// for it.
pub use lona_server::TcpListener;
pub use lona_server::{
    App, ConnectionInfo, Decision, ERROR_TEMPLATE, ERROR_VIEW_TEMPLATE, FRONTEND_TEMPLATE,
    HttpRequest, HttpRequestInfo, HttpResponse, MATCH_ALL, Middleware, ReverseError, RotateError,
    RouteError, RouteName, SESSION_HANDOFF_PATH, Serve, Server, ServerError, Settings,
    SettingsError, Shutdown, ShuttingDown, TaskContext, init_logging, rotate_session,
};
/// The command line an app's `main` runs (`App::execute`), with the `cli` feature.
#[cfg(feature = "cli")]
pub use lona_server::{Command, CommandLineError};
/// The header types of [`HttpRequest::headers`] (hyper's), so that an app needs no
/// version-matched hyper of its own.
pub use lona_server::{HeaderMap, HeaderName, HeaderValue};
/// The app's templates (minijinja), with the `templates` feature.
#[cfg(feature = "templates")]
pub use lona_server::{Templates, templates};
