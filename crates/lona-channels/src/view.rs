//! Channels in views (Lona's `View.subscribe`): an extension trait on
//! [`lona_runtime::ViewHandle`], so every view context (`Context`, `AsyncContext`,
//! `EventContext`) can subscribe, with the view's lifetime and Lona's implicit show.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use lona_runtime::ViewHandle;
use parking_lot::Mutex;
use serde::de::DeserializeOwned;

use lona_runtime::panic_message;

use crate::channels::{Channels, Subscription};
use crate::message::Message;
use crate::typed::{TypedMessage, decode};

mod sealed {
    pub trait Sealed {}
    impl Sealed for lona_runtime::ViewHandle {}
}

/// Channel calls on a view; in scope, `cx.subscribe(...)` works on every view context.
///
/// Sealed: only [`ViewHandle`] implements it.
pub trait ViewChannels: sealed::Sealed {
    /// The app's [`Channels`]: the one registered as state (`App::state`), or the Redis one
    /// the server connected for `channel_broker_url`.
    ///
    /// # Errors
    ///
    /// [`NoChannels`] if the app has none: a mistake in the app's setup, so as a view's error
    /// (`cx.channels()?`) it shows the 500 page and logs how to fix it (never a 404).
    fn channels(&self) -> Result<Channels, NoChannels>;

    /// Subscribes the view to the topics matching `pattern` (Lona's `View.subscribe`):
    ///
    /// - `handler` runs on a channel thread with a handle to the view, one message at a time,
    ///   in publish order;
    /// - the patches it makes are sent after each message (Lona's implicit `show()`);
    /// - the subscription ends with the view: at its cleanup, or earlier with
    ///   [`ViewSubscription::unsubscribe`]; a stopped view gets no more messages;
    /// - if `handler` panics, the view crashes as if an event handler had panicked: its
    ///   windows show the 500 page and it stops (so the subscription ends); the panic is
    ///   also counted in [`crate::ChannelsMetrics::handler_panics`]. Other views go on.
    ///
    /// The handler may edit the view's tree while `handle_request` or an event handler does:
    /// single edits are atomic, and several that belong together go under `node.lock()`.
    fn subscribe(
        &self,
        channels: &Channels,
        pattern: impl Into<String>,
        handler: impl Fn(&ViewHandle, &Message) + Send + Sync + 'static,
    ) -> ViewSubscription;

    /// [`ViewChannels::subscribe`] for the app's own `serde` type: `handler` gets each message
    /// with its data deserialized into `T`, one at a time, in publish order, and its patches are
    /// sent after each message.
    ///
    /// A message whose data is not a `T` does not reach `handler` and does not crash the view:
    /// it is logged (through [`lona_runtime::Untrusted`]) and counted in
    /// [`crate::ChannelsMetrics::mismatched`]. Publish with [`Channels::publish_typed`].
    ///
    /// ```
    /// use lona_channels::{TypedMessage, ViewChannels};
    /// use lona_html::tags::{li, ul};
    /// use lona_runtime::{Context, View, Request, ViewResult};
    /// use serde::{Deserialize, Serialize};
    ///
    /// /// What the chat publishes: its own type, not a JSON-like value.
    /// #[derive(Serialize, Deserialize)]
    /// struct Said { nick: String, text: String }
    ///
    /// struct Lobby;
    ///
    /// impl View for Lobby {
    ///     fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
    ///         let channels = cx.channels()?;
    ///         let lines = ul();
    ///         cx.subscribe_typed(&channels, "chat.lobby", {
    ///             let lines = lines.clone(); // a handle of its own: `lines` is the answer
    ///             move |_view, said: TypedMessage<Said>| {
    ///                 let Said { nick, text } = said.data;
    ///                 lines.append(li().with(format!("{nick}: {text}")));
    ///             }
    ///         });
    ///         Ok(lines.into())
    ///     }
    /// }
    /// ```
    fn subscribe_typed<T: DeserializeOwned + 'static>(
        &self,
        channels: &Channels,
        pattern: impl Into<String>,
        handler: impl Fn(&ViewHandle, TypedMessage<T>) + Send + Sync + 'static,
    ) -> ViewSubscription;
}

impl ViewChannels for ViewHandle {
    fn channels(&self) -> Result<Channels, NoChannels> {
        self.state::<Channels>()
            .map(|channels| (*channels).clone())
            .ok_or(NoChannels)
    }

    fn subscribe(
        &self,
        channels: &Channels,
        pattern: impl Into<String>,
        handler: impl Fn(&ViewHandle, &Message) + Send + Sync + 'static,
    ) -> ViewSubscription {
        let pattern = pattern.into();
        let state = Arc::new(State {
            pattern: pattern.clone(),
            ended: AtomicBool::new(false),
            subscription: Mutex::new(None),
        });
        // Weak: the broker holds the handler, and the handler must not keep the subscription
        // (and through it the broker) alive.
        let weak = Arc::downgrade(&state);
        let view = self.clone();
        let stats = channels.stats();
        let subscription = channels.subscribe(pattern, move |message: &Message| {
            let Some(state) = weak.upgrade() else {
                return;
            };
            if view.is_stopped() || state.ended.load(Ordering::Acquire) {
                return;
            }
            match catch_unwind(AssertUnwindSafe(|| handler(&view, message))) {
                // Lona's implicit show; a view stopped meanwhile has nobody to send to.
                Ok(()) => {
                    let _ = view.flush();
                }
                Err(panic) => {
                    stats.count_panic();
                    tracing::error!(
                        topic = %message.topic,
                        pattern = %state.pattern,
                        panic = %panic_message(panic.as_ref()),
                        "a view's channel handler panicked; the view is unsubscribed"
                    );
                    state.end();
                    view.crash("a channel handler panicked");
                }
            }
        });
        state.install(subscription);
        self.keep_until_cleanup(UntilCleanup(Arc::clone(&state)));
        ViewSubscription { state }
    }

    fn subscribe_typed<T: DeserializeOwned + 'static>(
        &self,
        channels: &Channels,
        pattern: impl Into<String>,
        handler: impl Fn(&ViewHandle, TypedMessage<T>) + Send + Sync + 'static,
    ) -> ViewSubscription {
        let pattern = pattern.into();
        let stats = channels.stats();
        let own_pattern = pattern.clone();
        self.subscribe(channels, pattern, move |view, message| {
            match decode(message, &own_pattern) {
                Some(message) => handler(view, message),
                None => stats.count_mismatch(),
            }
        })
    }
}

/// The view's app state holds no [`Channels`]: what [`ViewChannels::channels`] says then.
///
/// An app the server runs always has channels, so this happens only to a view run on a bare
/// runtime without them; as a view's error (`cx.channels()?`) it becomes the 500 page, and the
/// log says what to add.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoChannels;

impl fmt::Display for NoChannels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "the view's app state has no Channels (a served app always has them; a bare \
             runtime needs `AppState::default().with(Channels::local())`)",
        )
    }
}

impl std::error::Error for NoChannels {}

/// A view's subscription. It ends at the view's cleanup; this handle ends it earlier. Cheap to
/// clone; dropping the handle changes nothing.
#[derive(Clone)]
pub struct ViewSubscription {
    state: Arc<State>,
}

impl fmt::Debug for ViewSubscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ViewSubscription")
            .field("pattern", &self.state.pattern)
            .field("active", &self.is_active())
            .finish()
    }
}

impl ViewSubscription {
    /// The pattern it was made with.
    pub fn pattern(&self) -> &str {
        &self.state.pattern
    }

    /// Whether it still receives messages: not unsubscribed, not ended by a panic or by the
    /// view's cleanup.
    pub fn is_active(&self) -> bool {
        !self.state.ended.load(Ordering::Acquire)
    }

    /// Unsubscribes now.
    pub fn unsubscribe(&self) {
        self.state.end();
    }
}

/// What a view subscription shares between its handle, its handler and its cleanup guard.
struct State {
    pattern: String,
    /// Set once: unsubscribed, ended by a panic, or cleaned up.
    ended: AtomicBool,
    subscription: Mutex<Option<Subscription>>,
}

impl State {
    /// Stores the subscription, unless it ended already (its handler may have panicked before
    /// `subscribe` returned).
    fn install(&self, subscription: Subscription) {
        let mut slot = self.subscription.lock();
        if self.ended.load(Ordering::Acquire) {
            drop(slot);
            drop(subscription);
        } else {
            *slot = Some(subscription);
        }
    }

    /// Ends the subscription (once; later calls do nothing).
    fn end(&self) {
        self.ended.store(true, Ordering::Release);
        // Dropped outside the lock: unsubscribing publishes an announcement.
        let subscription = self.subscription.lock().take();
        drop(subscription);
    }
}

/// Kept by the view until its cleanup, which drops it and so ends the subscription.
struct UntilCleanup(Arc<State>);

impl Drop for UntilCleanup {
    fn drop(&mut self) {
        self.0.end();
    }
}
