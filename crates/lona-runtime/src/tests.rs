//! Tests of the runtime with fake connections: the frames a browser would receive, for every
//! lifecycle the issue names. Nothing sleeps to synchronise: tests wait for outbox messages
//! (with a generous deadline that only fails a hung test).
//!
//! One file per area; what several areas use (fake browsers, the probe, the shared views)
//! is in `support`.

mod accounting;
mod broadcast;
mod concurrency;
mod daemons;
mod errors;
mod events;
mod expiry;
mod forms;
mod handlers;
mod hooks;
mod limits;
mod output;
mod resume;
mod run_once;
mod shortcuts;
mod stop;
mod submit;
mod support;
mod views;
