//! `Message`: what a publish carries to every matching subscription, and `PublishOptions`, how
//! a publish asks for expiry, process-local delivery or dropping at shutdown.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use lona_html::Value;

/// A published message (Lona's `Message`).
///
/// Everything in it is plain data a network broker can carry: the topic is a string and the
/// data is JSON-shaped. Handlers get it by reference; [`crate::Channels::publish`] returns a
/// copy, whose data is the publisher's own (changing it changes nothing a subscriber sees).
///
/// Clones of a message are the same message: they share the flag behind
/// [`Message::is_dropped`], so the publisher's copy learns that the broker dropped it.
#[derive(Debug, Clone)]
pub struct Message {
    /// The topic it was published to (a wildcard publish keeps its pattern here).
    pub topic: String,
    /// The data.
    pub data: Value,
    /// When it stops being worth delivering: a broker drops it from then on, wherever it is.
    pub expiry: Option<Instant>,
    /// Deliver it in this process only: a process-spanning broker does not send it to its
    /// peers. The local broker has no peers, so it changes nothing there.
    pub local: bool,
    /// It may be dropped at shutdown instead of delivered.
    pub droppable: bool,
    dropped: Arc<AtomicBool>,
}

impl Message {
    /// A message with no expiry, not local, not droppable; for brokers that receive messages
    /// from elsewhere (publishers use [`crate::Channels::publish`]).
    pub fn new(topic: impl Into<String>, data: impl Into<Value>) -> Message {
        Message {
            topic: topic.into(),
            data: data.into(),
            expiry: None,
            local: false,
            droppable: false,
            dropped: Arc::default(),
        }
    }

    /// Whether its expiry has come (as in Lona, an expiry equal to now counts as expired).
    pub fn is_expired(&self) -> bool {
        self.expiry.is_some_and(|expiry| expiry <= Instant::now())
    }

    /// Whether a broker dropped it (it expired, or it was droppable and the broker shut down).
    /// A dropped message reaches no handler from then on.
    pub fn is_dropped(&self) -> bool {
        self.dropped.load(Ordering::Acquire)
    }

    /// Marks it dropped, for every clone; what a [`crate::Broker`] calls when it drops it.
    pub fn mark_dropped(&self) {
        self.dropped.store(true, Ordering::Release);
    }
}

/// When a message expires: at an instant, or some time after its publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expiry {
    At(Instant),
    After(Duration),
}

/// The options of [`crate::Channels::publish_with`], as Lona's `Channel.send` keywords.
///
/// ```
/// use std::time::Duration;
/// use lona_channels::PublishOptions;
///
/// let options = PublishOptions::new()
///     .expires_in(Duration::from_secs(5))
///     .droppable(true);
/// # let _ = options;
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PublishOptions {
    expiry: Option<Expiry>,
    local: bool,
    droppable: bool,
}

impl PublishOptions {
    /// No expiry, not local, not droppable: what [`crate::Channels::publish`] uses.
    pub fn new() -> PublishOptions {
        PublishOptions::default()
    }

    /// The message expires at `instant`; brokers drop it from then on.
    #[must_use]
    pub fn expires_at(mut self, instant: Instant) -> PublishOptions {
        self.expiry = Some(Expiry::At(instant));
        self
    }

    /// The message expires `duration` after it is published (Lona's `timedelta` expiry).
    #[must_use]
    pub fn expires_in(mut self, duration: Duration) -> PublishOptions {
        self.expiry = Some(Expiry::After(duration));
        self
    }

    /// Deliver the message in this process only (see [`Message::local`]).
    #[must_use]
    pub fn local(mut self, local: bool) -> PublishOptions {
        self.local = local;
        self
    }

    /// The message may be dropped at shutdown instead of delivered.
    #[must_use]
    pub fn droppable(mut self, droppable: bool) -> PublishOptions {
        self.droppable = droppable;
        self
    }

    /// The message these options make, published now.
    pub(crate) fn message(self, topic: String, data: Value) -> Message {
        let expiry = self.expiry.and_then(|expiry| match expiry {
            Expiry::At(instant) => Some(instant),
            // A duration past what the clock can hold never expires in practice: about thirty
            // years is as good, and no expiry at all if even that does not fit.
            Expiry::After(duration) => {
                let now = Instant::now();
                now.checked_add(duration)
                    .or_else(|| now.checked_add(Duration::from_secs(60 * 60 * 24 * 365 * 30)))
            }
        });
        Message {
            expiry,
            local: self.local,
            droppable: self.droppable,
            ..Message::new(topic, data)
        }
    }
}
