//! The server an app configures and runs: the [`App`] with its routes, settings, middlewares
//! and templates, the running [`Server`], plain HTTP handlers and sessions.

/// The error a middleware's `on_startup` may return: any error.
pub use lona_server::BoxError;
pub use lona_server::{
    App, Command, CommandLineError, ConnectionInfo, Decision, ERROR_TEMPLATE, ERROR_VIEW_TEMPLATE,
    FRONTEND_TEMPLATE, HttpRequest, HttpRequestInfo, HttpResponse, MATCH_ALL, Middleware,
    ReverseError, RotateError, RouteError, RouteName, SESSION_HANDOFF_PATH, Server, ServerError,
    Settings, SettingsError, Templates, init_logging, rotate_session,
};
