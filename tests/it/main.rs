//! End-to-end tests of lona through its facade: one binary, one module per area.

mod accounting;
mod apps;
mod axum_app;
mod broadcast;
mod browser;
mod buckets;
mod channels;
mod client_errors;
mod deploy_apache;
mod deploy_nginx;
mod deployed;
mod event_order;
mod events;
mod first_paint;
mod forms;
mod hostile_http;
mod limits;
mod log;
mod metrics;
mod middleware;
mod net_sim;
mod nginx;
mod redis;
mod responses;
mod resume;
mod server_api;
mod sessions;
mod settings;
mod shell;
mod submit;
mod tasks;
mod templates;

mod widgets;
