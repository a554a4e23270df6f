//! lona: interactive web apps written entirely on the server, in Rust.
//!
//! A view owns an HTML node tree. Every change to the tree becomes a small patch that travels
//! over a WebSocket to a tiny browser client, and clicks and input come back as events. lona is
//! the model of the Python framework [Lona](https://lona-web.org), speaking its wire protocol.
//!
//! This crate is the one applications depend on, and all they need: its modules name what an
//! app author uses, and nothing of the machinery behind it.
//!
//! | Module | What it holds |
//! |---|---|
//! | [`prelude`] | The names most apps use, for `use lona::prelude::*` |
//! | [`view`] | Views and what they get: [`View`], [`AsyncView`], [`Context`], [`Request`], [`Response`], [`Flow`], the data of input events |
//! | [`html`] | The node tree: [`html::Node`], [`html::Document`], [`html::tags`], form controls in [`html::forms`], [`html::parse_html`], selectors |
//! | [`server`] | The server: [`App`] with routes and [`Settings`], the running [`Server`], HTTP handlers, middlewares, templates, sessions, background tasks |
//! | [`channels`] | Publish/subscribe between views by topic, in one process or across several with Redis |
//! | [`uploads`] | File uploads into a view: [`Bucket`] |
//! | [`statics`] | Static files an app declares, and what `collect-static` writes |
//! | [`shell`] | What a command of the admin shell gets |
//! | [`metrics`] | What a running server reports about itself |
//!
//! The most used names are also at the top level: [`App`], [`View`], [`Context`] and friends.
//! Errors of every part convert into [`Error`].
//!
//! # Cargo features
//!
//! All on by default; an app that turns them off (`default-features = false`) builds on the
//! core alone, without their dependencies:
//!
//! | Feature | What it turns on |
//! |---|---|
//! | `cli` | The app's command line (`App::main` reads it: `run-server`, `collect-static`, `routes`, `settings`, `shell`); without it `main` serves on its address, with `LONA_*` settings |
//! | `templates` | minijinja templates (`Templates`, `App::template` and friends); without it the built-in pages are filled in by plain substitution |
//! | `uploads` | Upload buckets ([`uploads`]) |
//! | `redis` | Channels across processes through Redis (`channel_broker_url`) |
//! | `shell` | The admin shell: its server (`App::shell_socket`, `App::shell_command`) and its client |
//! | `axum` | lona inside an axum app: `App::into_service` gives a tower service ([`server::LonaService`]) to mount in a `Router` beside the app's own routes (axum, tower) |
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
//!         let message = tags::div().with("Button not clicked");
//!         let button = tags::button().with("Click me!");
//!         let html = tags::div().with((tags::h1().with("Click the button!"), &message, &button));
//!         cx.show(&html)?;
//!         // This call blocks until the button was clicked.
//!         let event = cx.await_click(&[&button])?;
//!         if event.is_from(&button) {
//!             message.set_text("Button clicked");
//!         }
//!         Ok(html.into())
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
//!     app.main()
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
//!         let message = tags::p().with("Click the button");
//!         let button = tags::button().with("Click me");
//!         let root = tags::div().with((&message, &button));
//!         cx.show(&root)?;
//!         cx.await_click(&[&button])?;
//!         message.set_text("Button clicked");
//!         Ok(root.into())
//!     }
//! }
//!
//! struct AsyncClicker;
//!
//! impl AsyncView for AsyncClicker {
//!     async fn handle_request(&self, cx: &AsyncContext, _request: &Request) -> ViewResult {
//!         let button = tags::button().with("Click me");
//!         let root = tags::div().with(&button);
//!         cx.show(&root)?;
//!         cx.await_click(&[&button]).await?; // no thread is held while waiting
//!         button.set_text("Clicked");
//!         Ok(root.into())
//!     }
//! }
//!
//! // A route builds a view per request.
//! let mut app = App::new();
//! app.view("/", |_request| Clicker);
//! app.async_view("/async", |_request| AsyncClicker);
//! ```
//!
//! Handlers can also be attached to nodes; they run on the worker pool, and what they change
//! is sent when they return. The view's state is a [`html::Live`] value of its own type, which
//! a node shows; `update` changes it and renders the node again atomically:
//!
//! ```
//! use lona::prelude::*;
//!
//! struct Counter;
//!
//! impl View for Counter {
//!     fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
//!         let count = Live::new(0);
//!         let plus = tags::button().with("+1");
//!         let html = tags::div().with((&count, &plus));
//!         cx.on_click(&plus, move |_, _| count.update(|n| *n += 1)); // `()`: handled
//!         Ok(html.into())
//!     }
//! }
//! # App::new().view("/", |_| Counter);
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
//!         let clear = tags::button().with("Clear");
//!         let html = tags::div().with((&name, &clear, &greeting));
//!         cx.on_change(&name, {
//!             let name = name.clone(); // a handle of its own: `&name` is borrowed for the call
//!             move |_cx, _event| {
//!                 // The value the browser sent is applied already.
//!                 greeting.set_text(format!("Hello, {}!", name.value()));
//!             }
//!         });
//!         cx.on_click(&clear, move |_cx, _event| name.set_value("")); // the input empties
//!         Ok(html.into())
//!     }
//! }
//! # App::new().view("/", |_| Signup);
//! ```
#![doc(test(attr(deny(warnings))))]

#[cfg(doctest)]
mod docs;

pub mod channels;
pub mod html;
pub mod metrics;
pub mod prelude;
pub mod server;
#[cfg(feature = "shell")]
pub mod shell;
pub mod statics;
#[cfg(feature = "uploads")]
pub mod uploads;
pub mod view;

pub use lona_server::{Error, Result};
/// The `Serialize` trait that template contexts
/// ([`Templates::render`](server::Templates::render), [`App::template_global`]) and
/// `HttpResponse::json_value` take; re-exported so that an app names the same serde.
pub use serde;
/// JSON values, as the answers of an app's admin shell commands
/// ([`App::shell_command`](server::App::shell_command)) and `HttpResponse::json_value` take
/// them; re-exported so that an app needs no copy of its own.
pub use serde_json;
#[cfg(feature = "templates")]
#[doc(no_inline)]
pub use server::Templates;
#[doc(no_inline)]
pub use server::{App, HttpRequest, HttpResponse, Server, Settings, SettingsError, init_logging};
#[cfg(feature = "uploads")]
#[doc(no_inline)]
pub use uploads::{Bucket, BucketLimits};
#[doc(no_inline)]
pub use view::{
    AsyncContext, AsyncView, Context, EventContext, Flow, InputEvent, Request, Response,
    StopReason, Stopped, View, ViewError, ViewResult,
};
