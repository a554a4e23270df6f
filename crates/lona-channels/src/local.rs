//! `LocalBroker`: the in-process broker. One dispatcher thread takes messages in publish order
//! and queues each in the mailbox of every matching subscription; a small pool of worker
//! threads drains the mailboxes, one job per mailbox at a time.
//!
//! That gives each subscription its messages in the one order they were published (across
//! topics too), and never calls a handler for two messages at once; different subscriptions
//! run in parallel, so a slow handler holds up only its own subscription.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};
use parking_lot::{Condvar, Mutex, RwLock};

use crate::broker::{Broker, BrokerMetrics, Handler, SubscriptionId};
use crate::message::Message;
use crate::topic::TopicPattern;

/// The size of a [`LocalBroker`].
#[derive(Debug, Clone)]
pub struct LocalConfig {
    /// Worker threads that run handlers, named `lona-channels-<n>` (Lona has 4 task workers).
    pub workers: usize,
    /// How many messages one subscription's job handles before it yields its thread to the
    /// other subscriptions.
    pub batch: usize,
}

impl Default for LocalConfig {
    fn default() -> LocalConfig {
        LocalConfig {
            workers: 4,
            batch: 64,
        }
    }
}

/// The in-process broker: a dispatcher thread (`lona-channels-dispatch`) and
/// [`LocalConfig::workers`] worker threads (`lona-channels-<n>`).
///
/// **Order.** Every publish takes a place in one queue, under one lock: that is the publish
/// order, even between threads. The dispatcher takes messages in that order and appends each
/// to the mailbox of every matching subscription, so each subscription receives its messages
/// in publish order, whatever their topics, and its handler runs for one message at a time.
/// This is stronger than Lona, whose four task workers may run two messages of one topic at
/// once and in either order. Different subscriptions run in parallel on the workers, so there
/// is no order between them: two views subscribed to one topic each see every message in
/// order, but not in step.
///
/// The threads start with the first publish or subscription, so an app that never uses its
/// channels runs none. Dropping the broker shuts it down without waiting
/// ([`Broker::shutdown`] with no time).
pub struct LocalBroker {
    inner: Arc<Local>,
    /// The workers' end of the job queue, until the threads start.
    idle_receiver: Mutex<Option<Receiver<Arc<Sub>>>>,
    started: std::sync::Once,
}

/// The broker's state, shared with its threads.
struct Local {
    config: LocalConfig,
    /// The publish queue, in publish order.
    queue: Mutex<PublishQueue>,
    /// Signals the dispatcher that the queue has a message or was closed.
    queue_ready: Condvar,
    registry: RwLock<Registry>,
    /// Mailboxes with messages, for the workers; `None` once the workers are told to end.
    jobs: Mutex<Option<Sender<Arc<Sub>>>>,
    /// [`RUNNING`], [`DRAINING`] or [`ABANDONED`].
    phase: AtomicU8,
    /// Messages in the publish queue plus deliveries in mailboxes.
    pending: AtomicUsize,
    /// Threads still running.
    threads: AtomicUsize,
    /// Guards the waits for `pending` and `threads` to reach zero.
    idle: Mutex<()>,
    idle_changed: Condvar,
    dropped: AtomicU64,
    next_id: AtomicU64,
}

/// Taking and delivering messages.
const RUNNING: u8 = 0;
/// Shutting down: no new messages, queued ones delivered except droppable ones.
const DRAINING: u8 = 1;
/// The shutdown timed out: everything still queued is dropped.
const ABANDONED: u8 = 2;

#[derive(Default)]
struct PublishQueue {
    messages: VecDeque<(u64, Arc<Message>)>,
    /// The sequence number of the next publish.
    next_seq: u64,
    closed: bool,
}

/// Subscriptions, by pattern: literal patterns are looked up by topic, wildcard ones scanned.
#[derive(Default)]
struct Registry {
    literal: HashMap<String, Vec<Arc<Sub>>>,
    wildcard: HashMap<String, (TopicPattern, Vec<Arc<Sub>>)>,
    by_id: HashMap<SubscriptionId, Arc<Sub>>,
}

/// One subscription: its pattern, its handler and its mailbox.
struct Sub {
    id: SubscriptionId,
    pattern: String,
    handler: Handler,
    /// The first publish it receives: publishes numbered below it came before the subscribe.
    since: u64,
    active: AtomicBool,
    mailbox: Mutex<VecDeque<Arc<Message>>>,
    /// Whether a job for this mailbox is queued or running.
    scheduled: AtomicBool,
}

impl fmt::Debug for LocalBroker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalBroker")
            .field("config", &self.inner.config)
            .field("metrics", &self.metrics())
            .finish()
    }
}

impl Default for LocalBroker {
    fn default() -> LocalBroker {
        LocalBroker::new(LocalConfig::default())
    }
}

impl LocalBroker {
    /// A broker whose dispatcher and workers start with its first publish or subscription.
    pub fn new(config: LocalConfig) -> LocalBroker {
        let config = LocalConfig {
            workers: config.workers.max(1),
            batch: config.batch.max(1),
        };
        let (sender, receiver) = crossbeam_channel::unbounded::<Arc<Sub>>();
        let inner = Arc::new(Local {
            queue: Mutex::new(PublishQueue::default()),
            queue_ready: Condvar::new(),
            registry: RwLock::new(Registry::default()),
            jobs: Mutex::new(Some(sender)),
            phase: AtomicU8::new(RUNNING),
            pending: AtomicUsize::new(0),
            threads: AtomicUsize::new(0),
            idle: Mutex::new(()),
            idle_changed: Condvar::new(),
            dropped: AtomicU64::new(0),
            next_id: AtomicU64::new(1),
            config,
        });
        LocalBroker {
            inner,
            idle_receiver: Mutex::new(Some(receiver)),
            started: std::sync::Once::new(),
        }
    }

    /// Starts the dispatcher and the workers, once.
    ///
    /// # Panics
    ///
    /// If the operating system refuses to start a thread.
    fn start(&self) {
        self.started.call_once(|| {
            // A broker shut down before its first use never needs them.
            if self.inner.phase() != RUNNING {
                return;
            }
            let Some(receiver) = self.idle_receiver.lock().take() else {
                return;
            };
            let inner = &self.inner;
            inner
                .threads
                .fetch_add(inner.config.workers + 1, Ordering::AcqRel);
            spawn(inner, "lona-channels-dispatch".to_owned(), Local::dispatch);
            for n in 0..inner.config.workers {
                let receiver = receiver.clone();
                spawn(inner, format!("lona-channels-{n}"), move |local| {
                    local.work(&receiver);
                });
            }
        });
    }
}

/// Starts a broker thread; it counts itself out when it ends, however it ends.
fn spawn(inner: &Arc<Local>, name: String, body: impl FnOnce(&Local) + Send + 'static) {
    struct Exit(Arc<Local>);
    impl Drop for Exit {
        fn drop(&mut self) {
            self.0.threads.fetch_sub(1, Ordering::AcqRel);
            self.0.notify_idle();
        }
    }
    let exit = Exit(Arc::clone(inner));
    std::thread::Builder::new()
        .name(name)
        .spawn(move || body(&exit.0))
        .expect("the OS starts a channel thread");
}

impl Local {
    fn phase(&self) -> u8 {
        self.phase.load(Ordering::Acquire)
    }

    /// Drops a message: marked, counted, logged.
    fn drop_message(&self, message: &Message, why: &str) {
        message.mark_dropped();
        self.dropped.fetch_add(1, Ordering::Relaxed);
        // A topic may be built from what a browser sent.
        let topic = lona_runtime::Untrusted(&message.topic);
        tracing::debug!(%topic, why, "channel message dropped");
    }

    /// Why a message must not be delivered now, if it must not.
    fn drop_reason(&self, message: &Message) -> Option<&'static str> {
        match self.phase() {
            ABANDONED => Some("the broker shut down before delivering it"),
            DRAINING if message.droppable => Some("droppable at shutdown"),
            _ if message.is_dropped() => Some("dropped already"),
            _ if message.is_expired() => Some("expired"),
            _ => None,
        }
    }

    /// `count` pending messages are done with.
    fn done(&self, count: usize) {
        if count > 0 && self.pending.fetch_sub(count, Ordering::AcqRel) == count {
            self.notify_idle();
        }
    }

    fn notify_idle(&self) {
        // Taking the lock orders this wake-up after a waiter's check, so none is lost.
        let _idle = self.idle.lock();
        self.idle_changed.notify_all();
    }

    /// Waits until `done` holds or `deadline` passes; whether it holds.
    fn wait_until(&self, deadline: Instant, done: impl Fn(&Local) -> bool) -> bool {
        let mut idle = self.idle.lock();
        while !done(self) {
            if self
                .idle_changed
                .wait_until(&mut idle, deadline)
                .timed_out()
            {
                return done(self);
            }
        }
        true
    }

    /// Queues a mailbox for the workers, unless it is queued or running already.
    fn schedule(&self, sub: &Arc<Sub>) {
        if !sub.scheduled.swap(true, Ordering::AcqRel) {
            self.submit(Arc::clone(sub));
        }
    }

    fn submit(&self, sub: Arc<Sub>) {
        if let Some(jobs) = self.jobs.lock().as_ref() {
            let _ = jobs.send(sub);
        }
    }

    /// The dispatcher: takes messages in publish order and fills the mailboxes of the
    /// subscriptions that match, until the queue is closed and empty.
    fn dispatch(&self) {
        loop {
            let (seq, message) = {
                let mut queue = self.queue.lock();
                loop {
                    if let Some(next) = queue.messages.pop_front() {
                        break next;
                    }
                    if queue.closed {
                        return;
                    }
                    self.queue_ready.wait(&mut queue);
                }
            };
            if let Some(why) = self.drop_reason(&message) {
                self.drop_message(&message, why);
                self.done(1);
                continue;
            }
            let targets = self.registry.read().matching(&message.topic, seq);
            for sub in targets {
                // Counted before it is queued, so `pending` never reads zero while a delivery
                // is still to come.
                self.pending.fetch_add(1, Ordering::AcqRel);
                sub.mailbox.lock().push_back(Arc::clone(&message));
                self.schedule(&sub);
            }
            self.done(1);
        }
    }

    /// A worker: drains mailboxes until the job queue is closed.
    fn work(&self, jobs: &Receiver<Arc<Sub>>) {
        while let Ok(sub) = jobs.recv() {
            self.drain(sub);
        }
    }

    /// Delivers up to one batch of a subscription's messages, in order, then gives the thread
    /// to the next mailbox.
    fn drain(&self, sub: Arc<Sub>) {
        for _ in 0..self.config.batch {
            let Some(message) = sub.mailbox.lock().pop_front() else {
                sub.scheduled.store(false, Ordering::Release);
                // A message queued between the pop and the store must not be stranded.
                if !sub.mailbox.lock().is_empty() && !sub.scheduled.swap(true, Ordering::AcqRel) {
                    continue;
                }
                return;
            };
            self.deliver(&sub, &message);
            self.done(1);
        }
        self.submit(sub);
    }

    fn deliver(&self, sub: &Sub, message: &Message) {
        if !sub.active.load(Ordering::Acquire) {
            return;
        }
        if let Some(why) = self.drop_reason(message) {
            self.drop_message(message, why);
            return;
        }
        // `Channels` hands in handlers that catch their own panics; this one is for brokers
        // used directly, so a worker thread is never lost.
        if catch_unwind(AssertUnwindSafe(|| (sub.handler)(message))).is_err() {
            tracing::error!(
                topic = %message.topic,
                pattern = %sub.pattern,
                "a channel handler panicked"
            );
        }
    }
}

impl Registry {
    /// The subscriptions `topic` reaches that were there before publish number `seq`.
    fn matching(&self, topic: &str, seq: u64) -> Vec<Arc<Sub>> {
        let mut out = Vec::new();
        let mut take = |subs: &[Arc<Sub>]| {
            out.extend(subs.iter().filter(|s| s.since <= seq).cloned());
        };
        let published = TopicPattern::new(topic);
        if published.is_literal() {
            // A literal topic reaches literal patterns only when they are equal.
            if let Some(subs) = self.literal.get(topic) {
                take(subs);
            }
        } else {
            // A wildcard publish reaches every literal pattern it matches.
            for (pattern, subs) in &self.literal {
                if published.matches(pattern) {
                    take(subs);
                }
            }
        }
        for (raw, (pattern, subs)) in &self.wildcard {
            if raw == topic || pattern.matches(topic) || published.matches(raw) {
                take(subs);
            }
        }
        out
    }

    fn insert(&mut self, sub: Arc<Sub>) {
        self.by_id.insert(sub.id, Arc::clone(&sub));
        let pattern = TopicPattern::new(&sub.pattern);
        if pattern.is_literal() {
            self.literal
                .entry(sub.pattern.clone())
                .or_default()
                .push(sub);
        } else {
            self.wildcard
                .entry(sub.pattern.clone())
                .or_insert_with(|| (pattern, Vec::new()))
                .1
                .push(sub);
        }
    }

    fn remove(&mut self, id: SubscriptionId) -> Option<Arc<Sub>> {
        let sub = self.by_id.remove(&id)?;
        let remove_from = |subs: &mut Vec<Arc<Sub>>| {
            subs.retain(|s| s.id != id);
            subs.is_empty()
        };
        if let Some(subs) = self.literal.get_mut(&sub.pattern) {
            if remove_from(subs) {
                self.literal.remove(&sub.pattern);
            }
        } else if let Some((_, subs)) = self.wildcard.get_mut(&sub.pattern)
            && remove_from(subs)
        {
            self.wildcard.remove(&sub.pattern);
        }
        Some(sub)
    }
}

impl Broker for LocalBroker {
    fn publish(&self, message: Message) {
        let local = &self.inner;
        let mut queue = local.queue.lock();
        if queue.closed {
            drop(queue);
            local.drop_message(&message, "published after shutdown");
            return;
        }
        let seq = queue.next_seq;
        queue.next_seq += 1;
        local.pending.fetch_add(1, Ordering::AcqRel);
        queue.messages.push_back((seq, Arc::new(message)));
        drop(queue);
        self.start();
        local.queue_ready.notify_one();
    }

    fn subscribe(&self, pattern: &str, handler: Handler) -> SubscriptionId {
        let local = &self.inner;
        let id = SubscriptionId(local.next_id.fetch_add(1, Ordering::Relaxed));
        let sub = Arc::new(Sub {
            id,
            pattern: pattern.to_owned(),
            handler,
            // Read under the queue's lock: every publish numbered from here on comes after.
            since: local.queue.lock().next_seq,
            active: AtomicBool::new(true),
            mailbox: Mutex::new(VecDeque::new()),
            scheduled: AtomicBool::new(false),
        });
        local.registry.write().insert(sub);
        self.start();
        id
    }

    fn unsubscribe(&self, id: SubscriptionId) -> bool {
        let local = &self.inner;
        let Some(sub) = local.registry.write().remove(id) else {
            return false;
        };
        sub.active.store(false, Ordering::Release);
        let discarded = {
            let mut mailbox = sub.mailbox.lock();
            let count = mailbox.len();
            mailbox.clear();
            count
        };
        local.done(discarded);
        true
    }

    fn subscriptions(&self) -> Vec<(String, usize)> {
        let registry = self.inner.registry.read();
        let mut out: Vec<(String, usize)> = registry
            .literal
            .iter()
            .map(|(pattern, subs)| (pattern.clone(), subs.len()))
            .chain(
                registry
                    .wildcard
                    .iter()
                    .map(|(pattern, (_, subs))| (pattern.clone(), subs.len())),
            )
            .collect();
        out.sort();
        out
    }

    fn metrics(&self) -> BrokerMetrics {
        BrokerMetrics {
            queued: self.inner.pending.load(Ordering::Acquire),
            dropped: self.inner.dropped.load(Ordering::Relaxed),
            threads: self.inner.threads.load(Ordering::Acquire),
        }
    }

    fn shutdown(&self, timeout: Duration) -> bool {
        let local = &self.inner;
        let deadline = Instant::now() + timeout;
        let _ =
            local
                .phase
                .compare_exchange(RUNNING, DRAINING, Ordering::AcqRel, Ordering::Acquire);
        local.queue.lock().closed = true;
        local.queue_ready.notify_all();
        let delivered = local.wait_until(deadline, |l| l.pending.load(Ordering::Acquire) == 0);
        // What is left is dropped as the workers reach it. Said once, and loudly only when
        // the caller gave the messages time (dropping a broker gives none).
        if !delivered && local.phase.swap(ABANDONED, Ordering::AcqRel) != ABANDONED {
            let queued = local.pending.load(Ordering::Acquire);
            if timeout.is_zero() {
                tracing::debug!(queued, "channels stopped with messages still queued");
            } else {
                tracing::warn!(
                    queued,
                    "channels shut down before every message was delivered"
                );
            }
        }
        // Closing the job queue ends each worker once the jobs already queued are done.
        local.jobs.lock().take();
        let ended = local.wait_until(deadline, |l| l.threads.load(Ordering::Acquire) == 0);
        delivered && ended
    }
}

impl Drop for LocalBroker {
    fn drop(&mut self) {
        self.shutdown(Duration::ZERO);
    }
}
