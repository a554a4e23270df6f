//! The names most apps use, for `use lona::prelude::*`.

#[doc(no_inline)]
pub use crate::channels::{Channels, TypedMessage, ViewChannels};
#[doc(no_inline)]
pub use crate::html::forms::{
    Checkbox, NumberInput, RadioButton, RadioGroup, Select, Submit, Submitted, TextArea, TextInput,
};
#[doc(no_inline)]
pub use crate::html::{Document, Event, IntoChildren, Key, Live, Node, Value, parse_html, tags};
#[doc(no_inline)]
#[cfg(feature = "templates")]
pub use crate::server::Templates;
#[doc(no_inline)]
pub use crate::server::{
    App, Decision, HttpRequest, HttpResponse, Middleware, Settings, TaskContext,
};
#[doc(no_inline)]
#[cfg(feature = "uploads")]
pub use crate::uploads::{Bucket, BucketLimits};
#[doc(no_inline)]
pub use crate::view::{
    AsyncContext, AsyncView, ChangeValue, Context, EventContext, Flow, InputEvent, Request,
    Response, StopReason, View, ViewError, ViewResult,
};
#[doc(no_inline)]
pub use crate::{Error, Result};
