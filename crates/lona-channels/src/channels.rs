//! `Channels`: the handle publishers and subscribers hold, over whichever [`Broker`] the app
//! chose, and `Subscription`, which unsubscribes when dropped.
//!
//! Everything a broker should not have to reimplement lives here: panic containment and its
//! counter, the internal `lona.channels.subscribe`/`unsubscribe` topics, and the data copy a
//! publisher gets back.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use lona_html::Value;
use lona_runtime::panic_message;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::broker::{Broker, Handler, SubscriptionId};
use crate::local::{LocalBroker, LocalConfig};
use crate::message::{Message, PublishOptions};
use crate::topic::topics_match;
use crate::typed::{DataError, TypedMessage, decode, to_value};

/// The topic [`Channels::subscribe`] announces every subscription on, with data
/// `{"topic": pattern}`, process-local (as Lona does).
pub const SUBSCRIBE_TOPIC: &str = "lona.channels.subscribe";

/// The topic every unsubscribe is announced on, with data `{"topic": pattern}`,
/// process-local.
pub const UNSUBSCRIBE_TOPIC: &str = "lona.channels.unsubscribe";

/// A handle to a message broker: publish to topics, subscribe to topic patterns (Lona's
/// `Channel`). Cheap to clone; every clone talks to the same broker.
///
/// Every app the server runs has one in its state: local, over Redis when the
/// `channel_broker_url` setting names a server, or the app's own (`App::state`, say a
/// [`Channels::local_with`] of another size). Views reach it with
/// [`crate::ViewChannels::channels`], tasks with `TaskContext::channels`.
///
/// Dropping the last handle (subscriptions hold one) shuts the broker down without waiting;
/// call [`Channels::shutdown`] to let queued messages arrive first.
#[derive(Clone)]
pub struct Channels {
    inner: Arc<Inner>,
}

struct Inner {
    broker: Box<dyn Broker>,
    stats: Arc<Stats>,
}

/// Counters kept outside any broker, shared with the handlers that update them.
#[derive(Default)]
pub(crate) struct Stats {
    published: AtomicU64,
    delivered: AtomicU64,
    handler_panics: AtomicU64,
    mismatched: AtomicU64,
}

impl Stats {
    /// Counts a handler's panic.
    pub(crate) fn count_panic(&self) {
        self.handler_panics.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a message a typed subscription skipped: its data was not the subscription's type.
    pub(crate) fn count_mismatch(&self) {
        self.mismatched.fetch_add(1, Ordering::Relaxed);
    }
}

/// The counters of a [`Channels`], now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChannelsMetrics {
    /// Messages published through this handle's broker, internal topics included.
    pub published: u64,
    /// Handler calls (one message reaching one subscription), panicked ones included.
    pub delivered: u64,
    /// Messages the broker dropped (expired, droppable at shutdown, published after it).
    pub dropped: u64,
    /// Handlers that panicked; each panic was logged and contained.
    pub handler_panics: u64,
    /// Messages a typed subscription skipped because their data did not deserialize into its
    /// type ([`Channels::subscribe_typed`]); each was logged.
    pub mismatched: u64,
    /// Deliveries still queued in the broker.
    pub queued: usize,
    /// Subscriptions now.
    pub subscriptions: usize,
    /// The broker's threads still running.
    pub threads: usize,
}

impl fmt::Debug for Channels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Channels")
            .field("broker", &self.inner.broker)
            .finish_non_exhaustive()
    }
}

impl Channels {
    /// Channels over the in-process broker ([`LocalBroker`] with its default threads).
    pub fn local() -> Channels {
        Channels::new(LocalBroker::default())
    }

    /// Channels over an in-process broker of the given size.
    pub fn local_with(config: LocalConfig) -> Channels {
        Channels::new(LocalBroker::new(config))
    }

    /// Channels over any broker (a process-spanning one, a test double). To share the broker,
    /// clone the `Channels`.
    pub fn new(broker: impl Broker + 'static) -> Channels {
        Channels {
            inner: Arc::new(Inner {
                broker: Box::new(broker),
                stats: Arc::default(),
            }),
        }
    }

    /// Publishes `data` to `topic` and returns at once (Lona's `Channel(topic).send(data)`).
    /// The topic may hold wildcards: it then reaches every subscription it matches.
    ///
    /// The returned message is the publisher's copy: its data is its own, and
    /// [`Message::is_dropped`] tells whether the broker dropped it.
    pub fn publish(&self, topic: impl Into<String>, data: impl Into<Value>) -> Message {
        self.publish_with(topic, data, PublishOptions::new())
    }

    /// [`Channels::publish`] with an expiry, process-local delivery or dropping at shutdown.
    pub fn publish_with(
        &self,
        topic: impl Into<String>,
        data: impl Into<Value>,
        options: PublishOptions,
    ) -> Message {
        let message = options.message(topic.into(), data.into());
        let copy = message.clone();
        self.inner.stats.published.fetch_add(1, Ordering::Relaxed);
        self.inner.broker.publish(message);
        copy
    }

    /// Calls `handler` on a channel thread for every message whose topic matches `pattern`
    /// (wildcards `*`, `?`, `[seq]`, `[!seq]`, in both directions: see [`topics_match`]),
    /// until the returned [`Subscription`] is dropped.
    ///
    /// A handler that panics is contained: the panic is logged and counted
    /// ([`ChannelsMetrics::handler_panics`]) and the subscription goes on. Announced on
    /// [`SUBSCRIBE_TOPIC`].
    pub fn subscribe(
        &self,
        pattern: impl Into<String>,
        handler: impl Fn(&Message) + Send + Sync + 'static,
    ) -> Subscription {
        let pattern = pattern.into();
        let stats = Arc::clone(&self.inner.stats);
        let handler: Handler = Arc::new(move |message: &Message| {
            stats.delivered.fetch_add(1, Ordering::Relaxed);
            if let Err(panic) = catch_unwind(AssertUnwindSafe(|| handler(message))) {
                stats.count_panic();
                tracing::error!(
                    topic = %message.topic,
                    panic = %panic_message(panic.as_ref()),
                    "a channel handler panicked; the subscription goes on"
                );
            }
        });
        let id = self.inner.broker.subscribe(&pattern, handler);
        self.announce(SUBSCRIBE_TOPIC, &pattern);
        Subscription {
            channels: self.clone(),
            id,
            pattern,
        }
    }

    /// Publishes the app's own `serde` type: [`Channels::publish`] with `data` serialized into
    /// channel data ([`crate::to_value`]; a network broker carries it as JSON). Subscribers
    /// read it back with [`Channels::subscribe_typed`] (or as a [`Value`] with
    /// [`Channels::subscribe`]).
    ///
    /// # Errors
    ///
    /// If `data` does not serialize (a map with keys that are not strings, a failing
    /// `Serialize` impl); nothing is published then.
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use std::time::Duration;
    /// use lona_channels::{Channels, TypedMessage};
    /// use serde::{Deserialize, Serialize};
    ///
    /// #[derive(Debug, PartialEq, Serialize, Deserialize)]
    /// struct Goal { team: String, minute: u8 }
    ///
    /// let channels = Channels::local();
    /// let (sender, received) = mpsc::channel();
    /// let _subscription = channels.subscribe_typed("match.*", move |goal: TypedMessage<Goal>| {
    ///     let _ = sender.send(goal.data);
    /// });
    /// channels.publish_typed("match.final", &Goal { team: "home".into(), minute: 90 })?;
    /// let goal = received.recv_timeout(Duration::from_secs(10)).unwrap();
    /// assert_eq!(goal, Goal { team: "home".into(), minute: 90 });
    /// # Ok::<(), lona_channels::DataError>(())
    /// ```
    pub fn publish_typed<T: Serialize + ?Sized>(
        &self,
        topic: impl Into<String>,
        data: &T,
    ) -> Result<Message, DataError> {
        self.publish_typed_with(topic, data, PublishOptions::new())
    }

    /// [`Channels::publish_typed`] with [`PublishOptions`].
    ///
    /// # Errors
    ///
    /// If `data` does not serialize; nothing is published then.
    pub fn publish_typed_with<T: Serialize + ?Sized>(
        &self,
        topic: impl Into<String>,
        data: &T,
        options: PublishOptions,
    ) -> Result<Message, DataError> {
        let data = to_value(data)?;
        Ok(self.publish_with(topic, data, options))
    }

    /// [`Channels::subscribe`] for the app's own `serde` type: `handler` gets each message
    /// with its data deserialized into `T` ([`crate::from_value`]), in publish order.
    ///
    /// A message whose data is not a `T` (another publisher's type, a client's garbage) does
    /// not reach `handler`: it is logged (its text through [`lona_runtime::Untrusted`]) and
    /// counted in [`ChannelsMetrics::mismatched`], and the subscription goes on. See
    /// [`Channels::publish_typed`] for an example.
    pub fn subscribe_typed<T: DeserializeOwned + 'static>(
        &self,
        pattern: impl Into<String>,
        handler: impl Fn(TypedMessage<T>) + Send + Sync + 'static,
    ) -> Subscription {
        let pattern = pattern.into();
        let stats = Arc::clone(&self.inner.stats);
        let own_pattern = pattern.clone();
        self.subscribe(pattern, move |message: &Message| {
            match decode(message, &own_pattern) {
                Some(message) => handler(message),
                None => stats.count_mismatch(),
            }
        })
    }

    /// How many subscriptions of this process a publish to `topic` reaches (Lona's
    /// `Channel.get_channels(topic)`).
    pub fn subscribers(&self, topic: &str) -> usize {
        self.subscriptions()
            .iter()
            .filter(|(pattern, _)| topics_match(pattern, topic))
            .map(|(_, count)| count)
            .sum()
    }

    /// The patterns subscribed in this process, with how many subscriptions each has, sorted.
    pub fn subscriptions(&self) -> Vec<(String, usize)> {
        self.inner.broker.subscriptions()
    }

    /// How many subscriptions there are in this process.
    pub fn subscription_count(&self) -> usize {
        self.subscriptions().iter().map(|(_, count)| count).sum()
    }

    /// The counters, now.
    pub fn metrics(&self) -> ChannelsMetrics {
        let broker = self.inner.broker.metrics();
        let stats = &self.inner.stats;
        ChannelsMetrics {
            published: stats.published.load(Ordering::Relaxed),
            delivered: stats.delivered.load(Ordering::Relaxed),
            dropped: broker.dropped,
            handler_panics: stats.handler_panics.load(Ordering::Relaxed),
            mismatched: stats.mismatched.load(Ordering::Relaxed),
            queued: broker.queued,
            subscriptions: self.subscription_count(),
            threads: broker.threads,
        }
    }

    /// Stops the broker: publishes from now on are dropped, droppable messages still queued
    /// are dropped, the others are delivered for at most `timeout`, then the threads end.
    /// `true` if everything was delivered (or rightly dropped) and every thread ended in time.
    ///
    /// Call it before stopping the views, so that messages to them still arrive (Lona stops
    /// its channel workers first, too).
    pub fn shutdown(&self, timeout: Duration) -> bool {
        self.inner.broker.shutdown(timeout)
    }

    pub(crate) fn stats(&self) -> Arc<Stats> {
        Arc::clone(&self.inner.stats)
    }

    /// Publishes an internal message about a subscription (process-local, as in Lona).
    fn announce(&self, topic: &str, pattern: &str) {
        self.publish_with(
            topic,
            Value::map([("topic", pattern)]),
            PublishOptions::new().local(true),
        );
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Nobody can publish or subscribe any more: let the threads go.
        self.broker.shutdown(Duration::ZERO);
    }
}

/// A subscription; dropping it unsubscribes (announced on [`UNSUBSCRIBE_TOPIC`]).
///
/// Once dropped, no new call of its handler starts; one already running on a channel thread
/// may finish.
#[must_use = "dropping a subscription unsubscribes it"]
pub struct Subscription {
    channels: Channels,
    id: SubscriptionId,
    pattern: String,
}

impl fmt::Debug for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription")
            .field("id", &self.id)
            .field("pattern", &self.pattern)
            .finish()
    }
}

impl Subscription {
    /// The pattern it was made with.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// Its id within the broker.
    pub fn id(&self) -> SubscriptionId {
        self.id
    }

    /// The channels it belongs to.
    pub fn channels(&self) -> &Channels {
        &self.channels
    }

    /// Unsubscribes now (what dropping does).
    pub fn unsubscribe(self) {}
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if self.channels.inner.broker.unsubscribe(self.id) {
            self.channels.announce(UNSUBSCRIBE_TOPIC, &self.pattern);
        }
    }
}
