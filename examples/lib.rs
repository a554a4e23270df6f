//! The examples as a library: each module is one example file (`examples::button` is
//! `examples/button.rs`), with its views, a `pub fn app()` that builds the app and the `main`
//! that runs it. The tests drive these views, so what they test is the code a reader opens.
//!
//! Run one with `cargo run -p examples --example button`. `tree.rs` shows the frames under the
//! facade and has no app, so it is an example only.

pub mod admin;
#[cfg(feature = "full")]
pub mod axum;
pub mod button;
pub mod chat;
pub mod click_handler;
pub mod count_to_ten;
pub mod daemon;
pub mod dashboard;
pub mod form;
#[cfg(feature = "full")]
pub mod scoreboard;
pub mod todo;
#[cfg(feature = "full")]
pub mod uploads;
#[cfg(feature = "full")]
pub mod widgets;
pub mod wizard;
