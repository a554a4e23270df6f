//! The manuals' code as doc tests: every `docs/*.md` file and the README is included here, so
//! `cargo test --doc -p lona` compiles each ```` ```rust ```` block in them (and runs those that
//! are not `no_run`). A manual whose code no longer compiles fails the tests, not a reader.
//!
//! `cargo xtask tidy` checks that every manual has its line here. Blocks that are fragments
//! carry hidden context lines (`# ...`), which rustdoc compiles and a reader of the rendered
//! page does not see. Fragments name things they leave unused, hence `allow(unused)`.
#![doc(test(attr(allow(unused))))]

#[doc = include_str!("../../../README.md")]
mod readme {}

#[doc = include_str!("../../../docs/benchmarks.md")]
mod benchmarks {}

#[doc = include_str!("../../../docs/deployment.md")]
mod deployment {}

#[doc = include_str!("../../../docs/forms-and-widgets.md")]
mod forms_and_widgets {}

#[doc = include_str!("../../../docs/lona-compat.md")]
mod lona_compat {}

#[doc = include_str!("../../../docs/operations.md")]
mod operations {}

#[doc = include_str!("../../../docs/protocol.md")]
mod protocol {}

#[doc = include_str!("../../../docs/routes-responses-templates.md")]
mod routes_responses_templates {}

#[doc = include_str!("../../../docs/server.md")]
mod server {}

#[doc = include_str!("../../../docs/settings.md")]
mod settings {}

#[doc = include_str!("../../../docs/shell.md")]
mod shell {}

#[doc = include_str!("../../../docs/testing.md")]
mod testing {}

#[doc = include_str!("../../../docs/uploads.md")]
mod uploads {}
