//! Views: the code behind a page, what it gets and what it answers.
//!
//! A blocking [`View`] runs on a runtime-pool thread and may wait in its [`Context`]; an
//! [`AsyncView`] is a task that holds no thread while it waits in its [`AsyncContext`].
//! Handlers attached to nodes get an [`EventContext`]. Every wait returns [`Stopped`] when
//! the browser goes away. The data of events and requests ([`InputEvent`], [`EventKind`],
//! [`Request`], [`PostData`]) and the ids they carry are here too.

pub use lona_protocol::client::{
    ChangeValue, ClickData, EventKind, NodeInfo, PostData, PostValue, SubmitField,
};
pub use lona_protocol::{ResumeFailure, RuntimeId, WindowId};
pub use lona_runtime::{
    AsyncContext, AsyncView, ConnectionId, Context, EventContext, EventFuture, Flow, HandlerId,
    InputEvent, IntoFlow, Request, Response, ServerState, ServerStateGuard, SessionId, StopReason,
    Stopped, SubmitFuture, View, ViewError, ViewHandle, ViewInfo, ViewResult, ViewState,
};
