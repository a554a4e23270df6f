//! Fixtures shared by the tests of every lona crate: temporary folders removed on drop, and
//! the real programs the tests start (nginx, Apache, Redis, built binaries).
//!
//! It depends on no lona crate, so the lowest crate's tests can use it without a cycle, and
//! it panics instead of returning errors: a fixture that cannot be set up fails its test.

mod process;
mod temp;

pub use process::{installed, send_sigterm, terminate};
pub use temp::TempDir;
