//! The `Broker` trait: what moves messages from publishers to subscriptions. The in-process
//! [`crate::LocalBroker`] is one; a process-spanning one (Redis) implements the same trait, and
//! views do not change.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::message::Message;

/// A subscription's handler as a broker holds it. [`crate::Channels`] hands brokers handlers
/// that never panic (it catches and counts panics itself), so a broker needs no `catch_unwind`
/// of its own, though a defensive one costs little.
pub type Handler = Arc<dyn Fn(&Message) + Send + Sync>;

/// Names one subscription within its broker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubscriptionId(pub u64);

/// A broker's counters, now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BrokerMetrics {
    /// Messages accepted and not yet delivered or dropped (deliveries still queued count once
    /// per subscription).
    pub queued: usize,
    /// Messages dropped: expired, droppable at shutdown, or published after shutdown.
    pub dropped: u64,
    /// Threads of the broker still running.
    pub threads: usize,
}

/// Moves messages from publishers to the handlers of matching subscriptions.
///
/// A broker is the part of [`crate::Channels`] that can be replaced: the in-process
/// [`crate::LocalBroker`], or a broker that spans processes (a Redis one is planned). Every
/// method is called from any thread, and none may wait for a handler.
///
/// The contract:
///
/// - **Matching.** A message reaches every subscription whose pattern matches its topic in
///   either direction ([`crate::topics_match`]), in this process; a process-spanning broker also
///   sends it to its peers unless it is [`Message::local`].
/// - **Order.** The messages one subscription receives from one topic arrive in the order they
///   were published, when their publishes are ordered (one thread, or one after the other);
///   a handler is never called for two messages at once. The local broker promises more (see
///   [`crate::LocalBroker`]).
/// - **After subscribe.** A subscription receives what is published after `subscribe` returns,
///   and nothing this process published before it was called.
/// - **Expiry.** An expired message reaches no handler; the broker marks it dropped
///   ([`Message::mark_dropped`]).
/// - **Unsubscribe.** Once `unsubscribe` returns, no new handler call of that subscription
///   starts (one running on another thread may finish).
/// - **Shutdown.** Droppable messages still queued are dropped; the others are delivered first,
///   for at most the timeout; then the broker's threads end.
///
/// For a network broker: the topic is a string and [`Message::data`] a JSON-shaped
/// [`lona_html::Value`] (which `lona-protocol` reads and writes); an [`Message::expiry`] is an
/// [`std::time::Instant`] of this process, so it travels as the time left
/// (`expiry.saturating_duration_since(Instant::now())`) and the receiver adds it to its own
/// clock.
pub trait Broker: Send + Sync + fmt::Debug {
    /// Queues `message` for every matching subscription and returns at once: handlers never
    /// run on the publisher's thread.
    fn publish(&self, message: Message);

    /// Registers `handler` for the topics matching `pattern`.
    fn subscribe(&self, pattern: &str, handler: Handler) -> SubscriptionId;

    /// Removes a subscription; `false` if it was not there. Its queued messages are discarded.
    fn unsubscribe(&self, id: SubscriptionId) -> bool;

    /// The patterns subscribed in this process, with how many subscriptions each has, sorted
    /// by pattern (Lona's `Channel._channels`).
    fn subscriptions(&self) -> Vec<(String, usize)>;

    /// The counters, now.
    fn metrics(&self) -> BrokerMetrics;

    /// Stops taking messages, delivers what is queued (droppable messages are dropped) for at
    /// most `timeout`, drops the rest, and lets the threads end. `true` if every message was
    /// delivered or rightly dropped and every thread ended in time. Later calls only wait.
    fn shutdown(&self, timeout: Duration) -> bool;
}
