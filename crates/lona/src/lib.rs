//! lona: interactive web apps written entirely on the server, in Rust.
//!
//! A view owns an HTML node tree. Every change to the tree becomes a small patch that travels
//! over a WebSocket to a tiny browser client, and clicks and input come back as events. lona is
//! the model of the Python framework [Lona](https://lona-web.org), speaking its wire protocol.
//!
//! This crate is the one applications depend on. It re-exports the parts:
//!
//! | Module | What it holds |
//! |---|---|
//! | [`html`] | The node tree: [`html::Node`], [`html::Document`], [`html::tags`], rendering, patches, [`html::diff`], selectors, [`html::parse_html`] |
//! | [`protocol`] | The wire protocol: decoding what browsers send, encoding what the server sends |
//!
//! ```
//! use lona::html::{Document, tags::*};
//! use lona::protocol::{Html, RuntimeId, ServerMessage, WindowId};
//!
//! let counter = span().with_text("0");
//! let root = div().with_child(h1().with_text("Counter")).with_child(&counter);
//! let doc = Document::new();
//! doc.set_root(&root);
//!
//! counter.set_text("1");
//! let patches = doc.take_patches();
//! let frame = ServerMessage::Data {
//!     window: WindowId(1),
//!     runtime: RuntimeId(1),
//!     title: "",
//!     html: Some(Html::Update(&patches)),
//! }
//! .encode();
//! assert!(frame.starts_with(r#"lona:[1,"1",203,["",[503,[["#));
//! ```
#![doc(test(attr(deny(warnings))))]

mod error;

pub use error::{Error, Result};
pub use lona_html as html;
pub use lona_protocol as protocol;

/// The names most apps use, for `use lona::prelude::*`.
pub mod prelude {
    pub use crate::html::{Document, Event, Node, Value, parse_html, tags};
    pub use crate::{Error, Result};
}
