//! Integration tests of lona-static through its public API, against fixtures created in a
//! temporary directory at test time (no committed symlinks): the adversarial path table and
//! the HTTP semantics.

mod http;
mod paths;
mod support;
