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
//! | [`html`] | The node tree: [`html::Node`], [`html::Document`], [`html::tags`], rendering, patches, [`html::diff`], selectors, [`html::parse_html`]; form controls in [`html::forms`] |
//! | [`protocol`] | The wire protocol: decoding what browsers send, encoding what the server sends |
//! | [`runtime`] | Views and the threads they run on: [`View`], [`AsyncView`], [`Context`], [`Runtime`] |
//! | [`server`] | The server: [`App`] with routes and [`Settings`], HTTP and WebSockets, uploads ([`Bucket`]) |
//! | [`statics`] | Static files: folders, declared CSS and JS, hashed URLs, `collect-static` |
//! | [`channels`] | Publish/subscribe between views by topic, with the broker behind a trait |
//!
//! # A whole app
//!
//! The seed's first app: a heading, a message and a button. `handle_request` blocks in
//! `await_click` until the button is clicked, then sets the message.
//!
//! ```no_run
//! use lona::prelude::*;
//!
//! struct MyView;
//!
//! impl View for MyView {
//!     fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
//!         let message = tags::div().with_text("Button not clicked");
//!         let button = tags::button().with_text("Click me!");
//!         let html = tags::div()
//!             .with_child(tags::h1().with_text("Click the button!"))
//!             .with_child(&message)
//!             .with_child(&button);
//!         cx.show(&html)?;
//!         // This call blocks until the button was clicked.
//!         let event = cx.await_click(&[&button])?;
//!         if event.is_from(&button) {
//!             message.set_text("Button clicked");
//!         }
//!         Ok(Response::Node(html))
//!     }
//! }
//!
//! fn main() -> lona::Result<()> {
//!     let mut app = App::new();
//!     app.settings.max_runtime_threads = 50;
//!     app.settings.max_worker_threads = 100;
//!     app.settings.max_static_threads = 20;
//!     app.view("/", |_request| MyView);
//!     // The command line: `run-server` (the default, on 127.0.0.1:8080), `collect-static`,
//!     // `routes`, `settings`; `-s FILES` and `LONA_*` variables set settings (docs/settings.md).
//!     app.main()?;
//!     Ok(())
//! }
//! ```
//!
//! # Views
//!
//! A view is plain sequential code, as in Lona: it shows a tree, waits for the user, changes
//! the tree, and the browser follows. A blocking [`View`] runs on a runtime-pool thread and
//! holds it while it waits; an [`AsyncView`] is a task that holds no thread while it waits.
//! Both are stopped the same way: every wait returns [`Stopped`] when the browser goes away,
//! and `?` ends the view.
//!
//! ```
//! use lona::prelude::*;
//!
//! struct Clicker;
//!
//! impl View for Clicker {
//!     fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
//!         let message = tags::p().with_text("Click the button");
//!         let button = tags::button().with_text("Click me");
//!         let root = tags::div().with_child(&message).with_child(&button);
//!         cx.show(&root)?;
//!         cx.await_click(&[&button])?;
//!         message.set_text("Button clicked");
//!         Ok(Response::Node(root))
//!     }
//! }
//!
//! struct AsyncClicker;
//!
//! impl AsyncView for AsyncClicker {
//!     async fn handle_request(&self, cx: &AsyncContext, _request: &Request) -> ViewResult {
//!         let button = tags::button().with_text("Click me");
//!         let root = tags::div().with_child(&button);
//!         cx.show(&root)?;
//!         cx.await_click(&[&button]).await?; // no thread is held while waiting
//!         button.set_text("Clicked");
//!         Ok(Response::Node(root))
//!     }
//! }
//!
//! // A route builds a view per request; the server (or a test) starts it in a runtime.
//! let blocking = lona::runtime::ViewFactory::blocking(|_request| Clicker);
//! let asynchronous = lona::runtime::ViewFactory::asynchronous(|_request| AsyncClicker);
//! # let _ = (blocking, asynchronous);
//! ```
//!
//! Handlers can also be attached to nodes; they run on the worker pool, and what they change
//! is sent when they return:
//!
//! ```
//! use lona::prelude::*;
//!
//! struct Counter;
//!
//! impl View for Counter {
//!     fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
//!         let count = tags::span().with_text("0");
//!         let plus = tags::button().with_text("+1");
//!         cx.on_click(&plus, {
//!             let count = count.clone();
//!             move |_cx, _event| {
//!                 let _lock = count.lock(); // read-modify-write from several threads
//!                 let n: u64 = count.text_content().parse().unwrap_or(0);
//!                 count.set_text((n + 1).to_string());
//!                 Flow::Handled
//!             }
//!         });
//!         Ok(Response::Node(tags::div().with_child(&count).with_child(&plus)))
//!     }
//! }
//! # let _ = lona::runtime::ViewFactory::blocking(|_| Counter);
//! ```
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
//!
//! # Forms and widgets
//!
//! The controls of [`html::forms`] (also in the prelude) hold typed values that go both
//! ways: what the user types is in the server tree before any handler runs, and what the
//! server sets shows in the browser. The window that typed a value does not get it back
//! (Lona's issuer filtering), every other window of the view does. A JavaScript widget on a
//! node keeps its `widget_data` in sync the same way; see `docs/forms-and-widgets.md`.
//!
//! ```
//! use lona::prelude::*;
//!
//! struct Signup;
//!
//! impl View for Signup {
//!     fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
//!         let name = TextInput::new().with_name("name");
//!         let greeting = tags::p();
//!         cx.on_change(&name, {
//!             let (name, greeting) = (name.clone(), greeting.clone());
//!             move |_cx, _event| {
//!                 // The value the browser sent is applied already.
//!                 greeting.set_text(format!("Hello, {}!", name.value()));
//!                 Flow::Handled
//!             }
//!         });
//!         let clear = tags::button().with_text("Clear");
//!         cx.on_click(&clear, {
//!             let name = name.clone();
//!             move |_cx, _event| {
//!                 name.set_value(""); // the browser's input empties
//!                 Flow::Handled
//!             }
//!         });
//!         Ok(Response::Node(
//!             tags::div().with_child(&name).with_child(&clear).with_child(&greeting),
//!         ))
//!     }
//! }
//! # let _ = lona::runtime::ViewFactory::blocking(|_| Signup);
//! ```
#![doc(test(attr(deny(warnings))))]

mod error;

pub use error::{Error, Result};
pub use lona_channels as channels;
pub use lona_html as html;
pub use lona_protocol as protocol;
pub use lona_runtime as runtime;
pub use lona_runtime::{
    AppState, AsyncContext, AsyncView, Context, EventContext, Flow, InputEvent, Request, Response,
    Runtime, RuntimeConfig, ServerState, StopReason, Stopped, View, ViewError, ViewResult,
};
pub use lona_server as server;
#[cfg(feature = "templates")]
pub use lona_server::Templates;
pub use lona_server::init_logging;
pub use lona_server::{
    App, Bucket, BucketLimits, HttpRequest, HttpResponse, Server, Settings, SettingsError,
};
pub use lona_static as statics;
/// JSON values, as the answers of an app's admin shell commands
/// ([`App::shell_command`](server::App::shell_command)) and `HttpResponse::json_value` take
/// them; re-exported so that an app needs no copy of its own.
pub use serde_json;

/// The names most apps use, for `use lona::prelude::*`.
pub mod prelude {
    #[cfg(feature = "templates")]
    pub use crate::Templates;
    pub use crate::channels::{Channels, ViewChannels};
    pub use crate::html::forms::{
        Checkbox, NumberInput, RadioButton, RadioGroup, Select, Submit, Submitted, TextArea,
        TextInput,
    };
    pub use crate::html::{Document, Event, Key, Node, Value, parse_html, tags};
    pub use crate::protocol::client::ChangeValue;
    pub use crate::runtime::{
        AsyncContext, AsyncView, Context, EventContext, Flow, InputEvent, Request, Response,
        StopReason, View, ViewError, ViewResult,
    };
    pub use crate::server::{Decision, Middleware};
    pub use crate::{
        App, Bucket, BucketLimits, Error, HttpRequest, HttpResponse, Result, Settings,
    };
}
