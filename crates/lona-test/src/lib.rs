//! The test kit of lona: test views without a browser, as Phoenix's `LiveViewTest` does.
//!
//! - [`TestServer`] runs an [`App`](lona::App) on `127.0.0.1:0` for one test.
//! - [`TestClient`] is a browser tab: it loads a page (getting the session cookie), opens the
//!   WebSocket, runs the view in window 1, keeps the window's DOM as a `lona_html::Node` tree
//!   and clicks, types and navigates by CSS selector. It is blocking and waits only for frames,
//!   each with a deadline (10 s unless set): no sleeps, no hangs.
//! - [`FaultProxy`] stands between a client and a server and breaks the network on command:
//!   cuts, silent drops, refused connections, latency, jitter, bandwidth, stalled reads.
//! - [`ClientState`] is the protocol core underneath, without I/O: feed it server frames, read
//!   its windows, and let it build the frames a browser sends. It lives in `lona-protocol` (and
//!   is re-exported here), so an async driver, such as the load generator, uses it directly.
//!
//! # A test
//!
//! A counter whose button has a click handler: open the page, click `#plus`, and wait for the
//! count. A click is acknowledged before its handler runs, so wait for its effect rather than
//! reading right away.
//!
//! ```
//! use lona::prelude::*;
//! use lona_test::TestServer;
//!
//! struct Counter;
//!
//! impl View for Counter {
//!     fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
//!         let count = Live::new_in(tags::span().with_id("count"), 0);
//!         let plus = tags::button().with_id("plus").with("+1");
//!         let html = tags::div().with((&count, &plus));
//!         cx.on_click(&plus, move |_, _| count.update(|n| *n += 1));
//!         Ok(html.into())
//!     }
//! }
//!
//! let mut app = App::new();
//! app.view("/", |_request| Counter);
//! let server = TestServer::start(app);
//!
//! let mut client = server.open("/")?;
//! client.click("#plus")?;
//! client.wait_for_node_text("#count", "1")?;
//! assert_eq!(client.text("#count").as_deref(), Some("1"));
//! assert_eq!(
//!     client.html(),
//!     r#"<div><span id="count">1</span><button id="plus" data-lona-events="301">+1</button></div>"#,
//! );
//! # Ok::<(), lona_test::TestError>(())
//! ```
//!
//! # What it checks, and what it does not
//!
//! Every server frame is decoded strictly and every patch applied as the browser client
//! applies it; a frame the client could not take is a [`TestError::Protocol`] that names the
//! frame, the place in it and what was expected there. The DOM is the server's tree as the
//! browser would build it: `value`, `checked` and `selected` are attributes here, not live
//! DOM properties. A change sent with [`TestClient::change`] edits the local DOM as a user's
//! typing does (the server sends no echo back to the window that typed, as in Lona), and
//! [`TestClient::submit`] sends a form's fields as the browser client does.
//! [`TestClient::type_text`] and [`TestClient::click`] send what a browser sends, in its
//! order: a debounced change is held for its delay and goes out before any other event, a
//! click is a press (the focused field's change and blur go out, and the server's answers are
//! applied) then a release, and a click on an element patched since the press is dropped
//! (see [`TestClient`]'s "The order of events").
//! Nodes of an HTML string (DATA with HTML, 501) can be queried but not clicked: they have no
//! ids.
#![doc(test(attr(deny(warnings))))]

mod client;
mod error;
mod http;
mod proxy;
mod server;

pub use client::{Session, TestClient};
pub use error::TestError;
pub use http::HttpResult;
pub use lona_protocol::{
    ClientError, ClientState, EventError, InputFrame, Received, ResumeFailure, Window,
};
pub use proxy::{Direction, FaultProxy, Faults, Link, ProxyStats};
pub use server::{DEFAULT_TIMEOUT, TestServer};
