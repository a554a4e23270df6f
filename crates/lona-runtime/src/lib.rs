//! The view runtime of lona: bounded thread pools, blocking and async views, input-event
//! dispatch in Lona's order, stop, daemon views, and bounded per-connection outboxes.
//!
//! No tokio, no hyper, no sockets (tidy checks it): the server hands in a [`Connection`] per
//! browser socket and drains its outbox; tests do the same with no network at all.
//!
//! ```
//! use std::sync::Arc;
//! use lona_html::tags::{button, div, p};
//! use lona_protocol::WindowId;
//! use lona_runtime::{
//!     Connection, Context, OutboxLimits, Request, Runtime, RuntimeConfig, SessionId,
//!     View, ViewFactory, ViewResult,
//! };
//!
//! struct Clicker;
//!
//! impl View for Clicker {
//!     fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
//!         let message = p().with_text("Click the button");
//!         let button = button().with_text("Click me");
//!         let root = div().with_child(&message).with_child(&button);
//!         cx.show(&root)?;
//!         cx.await_click(&[&button])?; // blocks this runtime thread until the click
//!         message.set_text("Button clicked");
//!         Ok(root.into())
//!     }
//! }
//!
//! let runtime = Runtime::new(RuntimeConfig::default());
//! let session = SessionId::new("session-1");
//! let connection = Connection::new(session.clone(), OutboxLimits::default());
//! let request = Request::new("http://localhost/", session);
//! runtime
//!     .start_view(&ViewFactory::blocking(|_| Clicker), request, &connection, WindowId(1))
//!     .expect("a runtime thread is free");
//! runtime.shutdown();
//! ```

mod ack_stream;
mod block_on;
mod client_errors;
mod connection;
mod context;
mod histogram;
mod limits;
mod pool;
mod quota;
mod runtime;
mod spawn;
mod state;
mod stop;
mod submit;
mod timer;
mod untrusted;
mod view;

pub use connection::{
    CloseReason, Connection, ConnectionId, FrameText, OutboxLimits, Outgoing, SessionId,
};
pub use context::{AsyncContext, Context, EventContext, EventFuture, ViewHandle};
pub use histogram::{CLICK_BUCKETS, HistogramSnapshot};
pub use limits::{Limit, LimitsTripped};
pub use pool::{Pool, PoolConfig, PoolMetrics, SubmitError, panic_message};
pub use runtime::{
    AckAboveSent, AdoptRefused, BroadcastMetrics, ErrorPage, EventOutcome, HandlerId, PaintMetrics,
    PaintStart, PaintState, ResumeMetrics, Runtime, RuntimeConfig, RuntimeMetrics, StartError,
    ViewFactory, ViewInfo, ViewState,
};
pub use runtime::{
    LATENCY_BUCKETS, LatencyHistogram, MEMORY_BUCKETS, MemoryEstimate, NODE_BYTES, SentMeter,
    ViewStats, ViewTotals,
};
pub use spawn::{PoolSpawner, Spawn, Task};
pub use state::{AppState, ServerState, ServerStateGuard};
pub use stop::{StopReason, Stopped};
pub use submit::SubmitFuture;
pub use untrusted::{UNTRUSTED_MAX_CHARS, Untrusted};
pub use view::{
    AsyncView, Flow, InputEvent, IntoFlow, Request, Response, View, ViewError, ViewResult,
    percent_decode,
};

#[cfg(test)]
mod tests;
