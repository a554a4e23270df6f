//! `RedisBroker`: a channel broker that spans processes through Redis pub/sub, so views in
//! different processes (behind one load balancer) see each other's messages.
//!
//! Each process delivers its own publishes itself, through a [`LocalBroker`], and sends them
//! to Redis on a publisher thread; a subscriber thread pattern-subscribes to every channel of
//! the prefix and hands the other processes' messages to the same local broker. Matching
//! (wildcards in both directions), per-subscription order and the internal topics therefore
//! work as with [`Channels::local`](lona_channels::Channels::local).

mod resp;

use std::fmt;
use std::io;
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, TrySendError};
use lona_channels::{
    Broker, BrokerMetrics, Handler, LocalBroker, LocalConfig, Message, SubscriptionId,
    value_from_json,
};
use lona_html::Value;
use parking_lot::Mutex;

use self::resp::{Address, Conn, Reply};

/// The settings of a [`RedisBroker`].
#[derive(Debug, Clone)]
pub struct RedisConfig {
    /// What every Redis channel name starts with; the topic follows. Apps that share a Redis
    /// server but must not see each other's messages use different prefixes.
    pub prefix: String,
    /// Messages waiting for the publisher thread; past it, publishes are still delivered in
    /// this process but not sent to the others, and counted as dropped.
    pub queue: usize,
    /// How long connecting and each command may take before the connection counts as lost.
    pub timeout: Duration,
    /// The local broker that runs the handlers of this process.
    pub local: LocalConfig,
}

impl Default for RedisConfig {
    fn default() -> RedisConfig {
        RedisConfig {
            prefix: "lona:channels:".to_owned(),
            queue: 10_000,
            timeout: Duration::from_secs(5),
            local: LocalConfig::default(),
        }
    }
}

/// A [`Broker`] that sends messages to every process connected to the same Redis server
/// (and prefix), with Redis pub/sub.
///
/// ```no_run
/// use lona_channels::Channels;
/// use lona_redis::RedisBroker;
///
/// let channels = Channels::new(RedisBroker::connect("redis://127.0.0.1:6379/")?);
/// // then `app.state(channels)`; or, with no code:
/// // app.settings.channel_broker_url = Some("redis://127.0.0.1:6379/".into());
/// # drop(channels);
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// **Delivery.** A publish reaches the subscriptions of its own process at once, through a
/// [`LocalBroker`] (so [`Message::local`] messages never leave the process), and the other
/// processes through Redis: `PUBLISH <prefix><topic> <json>`. Messages are at most once, as
/// Redis pub/sub is: what is published while a process is disconnected from Redis does not
/// reach it. Each process keeps each publisher's order per subscription, as far as Redis
/// does (one connection per publisher process, delivered in order).
///
/// **Threads.** `lona-redis-publish` sends, from a bounded queue ([`RedisConfig::queue`]):
/// a publisher never waits for Redis, and a full queue drops the message for the other
/// processes (counted in [`BrokerMetrics::dropped`]). `lona-redis-subscribe` receives. Both
/// reconnect with backoff (100 ms doubling to 5 s) when Redis goes away, and log it.
///
/// **Expiry** travels as the time left in milliseconds; the receiving process adds it to its
/// own clock.
pub struct RedisBroker {
    shared: Arc<Shared>,
}

struct Shared {
    local: LocalBroker,
    address: Address,
    config: RedisConfig,
    /// Names this broker in its messages, so that it skips its own when Redis echoes them.
    origin: String,
    /// The publisher thread's queue; `None` once shutdown closed it.
    outgoing: Mutex<Option<Sender<Outgoing>>>,
    /// Waiting messages, for the metrics.
    queued: AtomicUsize,
    /// Messages not sent to the other processes (queue full, Redis gone at shutdown,
    /// expired while waiting) and received messages that could not be read.
    dropped: AtomicU64,
    /// Set when shutdown begins: the subscriber stops.
    stopping: AtomicBool,
    /// Dropped when the shutdown gives up: the threads stop waiting and retrying at once.
    abandon: Mutex<Option<Sender<()>>>,
    abandoned: Receiver<()>,
    /// The subscriber's socket, to wake it from its read at shutdown.
    subscriber_socket: Mutex<Option<TcpStream>>,
    /// Each thread holds a sender; all gone means all threads ended.
    running: Receiver<()>,
    threads: AtomicUsize,
}

/// A message on its way to Redis.
struct Outgoing {
    topic: String,
    data: Value,
    expiry: Option<Instant>,
    droppable: bool,
}

impl fmt::Debug for RedisBroker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisBroker")
            .field("address", &self.shared.address.to_string())
            .field("prefix", &self.shared.config.prefix)
            .field("metrics", &self.metrics())
            .finish_non_exhaustive()
    }
}

/// The first wait before reconnecting, doubled after each failure up to [`MAX_BACKOFF`].
const MIN_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// How often the subscriber looks up from its read to see whether it should stop.
const SUBSCRIBER_POLL: Duration = Duration::from_millis(250);

impl RedisBroker {
    /// Connects to the Redis server at `url` (`redis://[[user]:password@]host[:port][/db]`)
    /// with the default [`RedisConfig`].
    ///
    /// # Errors
    ///
    /// A bad URL, or a Redis server that cannot be reached, refuses the password or does not
    /// answer PING and PSUBSCRIBE in time.
    pub fn connect(url: &str) -> io::Result<RedisBroker> {
        RedisBroker::connect_with(url, RedisConfig::default())
    }

    /// [`RedisBroker::connect`] with a prefix, queue size, timeout or local broker size.
    ///
    /// # Errors
    ///
    /// As [`RedisBroker::connect`].
    pub fn connect_with(url: &str, config: RedisConfig) -> io::Result<RedisBroker> {
        let address = Address::parse(url)?;
        let context = |error: io::Error| {
            io::Error::new(
                error.kind(),
                format!("cannot use Redis at {address} for channels: {error}"),
            )
        };
        // Both connections are made here, so that a bad URL or an unreachable server fails
        // the caller (the server's startup), and so that messages the other processes publish
        // after `connect` returns reach this one.
        let publisher = Conn::open(&address, config.timeout).map_err(context)?;
        let subscriber = subscribe(&address, &config).map_err(context)?;
        let (outgoing, queue) = crossbeam_channel::bounded(config.queue.max(1));
        let (abandon, abandoned) = crossbeam_channel::bounded(0);
        let (alive, running) = crossbeam_channel::bounded::<()>(0);
        let broker = RedisBroker {
            shared: Arc::new(Shared {
                local: LocalBroker::new(config.local.clone()),
                origin: origin(),
                subscriber_socket: Mutex::new(subscriber.try_clone_stream().ok()),
                address,
                config,
                outgoing: Mutex::new(Some(outgoing)),
                queued: AtomicUsize::new(0),
                dropped: AtomicU64::new(0),
                stopping: AtomicBool::new(false),
                abandon: Mutex::new(Some(abandon)),
                abandoned,
                running,
                threads: AtomicUsize::new(2),
            }),
        };
        // If a thread cannot start, dropping `broker` shuts down the one that did.
        spawn(
            &broker.shared,
            "lona-redis-publish",
            alive.clone(),
            move |shared| {
                shared.publish_loop(&queue, publisher);
            },
        )?;
        spawn(
            &broker.shared,
            "lona-redis-subscribe",
            alive,
            move |shared| {
                shared.subscribe_loop(subscriber);
            },
        )?;
        Ok(broker)
    }
}

/// An id no other broker shares: the process id, the time and a counter (two brokers in one
/// process, as in tests, are two processes to Redis).
fn origin() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{}-{nanos:x}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Opens the subscriber's connection: PSUBSCRIBE to every channel of the prefix, confirmed.
fn subscribe(address: &Address, config: &RedisConfig) -> io::Result<Conn> {
    let mut conn = Conn::open(address, config.timeout)?;
    let pattern = format!("{}*", escape_glob(&config.prefix));
    match conn.command(&[b"PSUBSCRIBE", pattern.as_bytes()])? {
        Reply::Array(Some(items)) if items.first() == Some(&bulk("psubscribe")) => {}
        other => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("PSUBSCRIBE answered {other:?}"),
            ));
        }
    }
    conn.set_read_timeout(SUBSCRIBER_POLL)?;
    Ok(conn)
}

/// The prefix as a Redis glob that matches only itself.
fn escape_glob(prefix: &str) -> String {
    let mut out = String::with_capacity(prefix.len());
    for c in prefix.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn bulk(s: &str) -> Reply {
    Reply::Bulk(Some(s.as_bytes().to_vec()))
}

/// Starts a broker thread; it counts itself out when it ends, however it ends.
fn spawn(
    shared: &Arc<Shared>,
    name: &str,
    alive: Sender<()>,
    body: impl FnOnce(&Shared) + Send + 'static,
) -> io::Result<()> {
    /// Dropped when the thread ends; its sender tells [`RedisBroker::shutdown`] so.
    struct Exit {
        shared: Arc<Shared>,
        _alive: Sender<()>,
    }
    impl Drop for Exit {
        fn drop(&mut self) {
            self.shared.threads.fetch_sub(1, Ordering::AcqRel);
        }
    }
    let exit = Exit {
        shared: Arc::clone(shared),
        _alive: alive,
    };
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || body(&exit.shared))
        .map(drop)
}

impl Shared {
    /// Waits before the next reconnect; `false` if the shutdown gave up meanwhile.
    fn back_off(&self, backoff: &mut Duration) -> bool {
        let wait = *backoff;
        *backoff = (*backoff * 2).min(MAX_BACKOFF);
        matches!(
            self.abandoned.recv_timeout(wait),
            Err(RecvTimeoutError::Timeout)
        )
    }

    fn is_abandoned(&self) -> bool {
        matches!(
            self.abandoned.try_recv(),
            Err(crossbeam_channel::TryRecvError::Disconnected)
        )
    }

    fn drop_outgoing(&self, outgoing: &Outgoing, why: &str) {
        self.dropped.fetch_add(1, Ordering::Relaxed);
        // A topic may be built from what a browser sent.
        let topic = lona_runtime::Untrusted(&outgoing.topic);
        tracing::debug!(%topic, why, "channel message not sent to Redis");
    }

    /// The publisher thread: sends queued messages until the queue is closed and empty,
    /// reconnecting when Redis goes away.
    fn publish_loop(&self, queue: &Receiver<Outgoing>, first: Conn) {
        let mut conn = Some(first);
        let mut backoff = MIN_BACKOFF;
        while let Ok(outgoing) = queue.recv() {
            self.queued.fetch_sub(1, Ordering::AcqRel);
            loop {
                let stopping = self.stopping.load(Ordering::Acquire);
                if self.is_abandoned() {
                    self.drop_outgoing(&outgoing, "the shutdown gave up on it");
                    break;
                }
                if stopping && outgoing.droppable {
                    self.drop_outgoing(&outgoing, "droppable at shutdown");
                    break;
                }
                if outgoing.expiry.is_some_and(|e| e <= Instant::now()) {
                    self.drop_outgoing(&outgoing, "expired before Redis took it");
                    break;
                }
                let current = match conn.take() {
                    Some(current) => current,
                    None => match Conn::open(&self.address, self.config.timeout) {
                        Ok(fresh) => {
                            tracing::info!(address = %self.address, "channels: reconnected to Redis to publish");
                            fresh
                        }
                        Err(error) => {
                            tracing::warn!(address = %self.address, %error, ?backoff, "channels: cannot reach Redis to publish");
                            if !self.back_off(&mut backoff) {
                                conn = None;
                            }
                            continue;
                        }
                    },
                };
                let channel = format!("{}{}", self.config.prefix, outgoing.topic);
                let payload = self.encode(&outgoing);
                match current_publish(current, &channel, &payload) {
                    Ok(current) => {
                        conn = Some(current);
                        backoff = MIN_BACKOFF;
                        break;
                    }
                    Err(error) => {
                        tracing::warn!(address = %self.address, %error, "channels: lost Redis while publishing");
                        // The next round reconnects or gives up; a server that keeps refusing
                        // must not be hammered.
                        let _ = self.back_off(&mut backoff);
                    }
                }
            }
        }
    }

    /// The JSON a message travels as (written by `lona-protocol`, so map order is kept).
    fn encode(&self, outgoing: &Outgoing) -> String {
        let mut envelope = vec![
            ("origin".to_owned(), Value::from(self.origin.as_str())),
            ("topic".to_owned(), Value::from(outgoing.topic.as_str())),
            ("data".to_owned(), outgoing.data.clone()),
        ];
        if let Some(expiry) = outgoing.expiry {
            let left = expiry.saturating_duration_since(Instant::now());
            let millis = i64::try_from(left.as_millis()).unwrap_or(i64::MAX);
            envelope.push(("expires_in_ms".to_owned(), Value::Int(millis)));
        }
        envelope.push(("droppable".to_owned(), Value::Bool(outgoing.droppable)));
        let mut out = String::new();
        lona_protocol::json::write_value(&mut out, &Value::Map(envelope));
        out
    }

    /// The subscriber thread: hands the other processes' messages to the local broker until
    /// the shutdown, resubscribing when Redis goes away.
    fn subscribe_loop(&self, first: Conn) {
        let mut conn = Some(first);
        let mut backoff = MIN_BACKOFF;
        while !self.stopping.load(Ordering::Acquire) {
            let mut current = match conn.take() {
                Some(current) => current,
                None => match subscribe(&self.address, &self.config) {
                    Ok(fresh) => {
                        tracing::info!(address = %self.address, "channels: resubscribed to Redis");
                        *self.subscriber_socket.lock() = fresh.try_clone_stream().ok();
                        // The shutdown may have begun while this socket was not registered.
                        if self.stopping.load(Ordering::Acquire) {
                            return;
                        }
                        fresh
                    }
                    Err(error) => {
                        tracing::warn!(address = %self.address, %error, ?backoff, "channels: cannot reach Redis to subscribe");
                        if !self.back_off(&mut backoff) {
                            return;
                        }
                        continue;
                    }
                },
            };
            match current.read() {
                Ok(None) => conn = Some(current),
                Ok(Some(reply)) => {
                    backoff = MIN_BACKOFF;
                    self.receive(reply);
                    conn = Some(current);
                }
                Err(error) => {
                    if !self.stopping.load(Ordering::Acquire) {
                        tracing::warn!(address = %self.address, %error, "channels: lost the Redis subscription; messages published meanwhile are lost");
                    }
                }
            }
        }
    }

    /// One push from Redis: a `pmessage` from another process goes to the local broker.
    fn receive(&self, reply: Reply) {
        let Reply::Array(Some(items)) = reply else {
            return self.malformed("a push that is not an array");
        };
        let [kind, _pattern, _channel, Reply::Bulk(Some(payload))] = items.as_slice() else {
            // Subscribe confirmations and the like.
            return;
        };
        if *kind != bulk("pmessage") {
            return;
        }
        match self.decode(payload) {
            Ok(Some(message)) => self.local.publish(message),
            Ok(None) => {}
            Err(why) => self.malformed(why),
        }
    }

    fn malformed(&self, why: &str) {
        self.dropped.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(
            why,
            "channels: skipped a message from Redis that lona cannot read"
        );
    }

    /// The message in a payload; `None` for this broker's own messages (already delivered).
    fn decode(&self, payload: &[u8]) -> Result<Option<Message>, &'static str> {
        let envelope = value_from_json(payload).map_err(|_| "its payload is not JSON")?;
        let Value::Map(mut fields) = envelope else {
            return Err("its payload is not an object");
        };
        let mut take = |name: &str| {
            fields
                .iter()
                .position(|(key, _)| key == name)
                .map(|at| fields.swap_remove(at).1)
        };
        if take("origin").as_ref().and_then(Value::as_str) == Some(self.origin.as_str()) {
            return Ok(None);
        }
        let Some(Value::String(topic)) = take("topic") else {
            return Err("it has no topic");
        };
        let data = take("data").unwrap_or_default();
        let expiry = match take("expires_in_ms") {
            None => None,
            Some(left) => {
                let millis = left
                    .as_i64()
                    .and_then(|ms| u64::try_from(ms).ok())
                    .ok_or("its expiry is not a number of ms")?;
                // A future too far for the clock never expires in practice.
                Instant::now().checked_add(Duration::from_millis(millis))
            }
        };
        let droppable = take("droppable").and_then(|v| v.as_bool()).unwrap_or(false);
        let mut message = Message::new(topic, data);
        message.expiry = expiry;
        message.droppable = droppable;
        Ok(Some(message))
    }
}

/// One PUBLISH; gives the connection back if it is still good.
fn current_publish(mut conn: Conn, channel: &str, payload: &str) -> io::Result<Conn> {
    match conn.command(&[b"PUBLISH", channel.as_bytes(), payload.as_bytes()])? {
        Reply::Int(_) => Ok(conn),
        other => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("PUBLISH answered {other:?}"),
        )),
    }
}

impl Broker for RedisBroker {
    fn publish(&self, message: Message) {
        let shared = &self.shared;
        if !message.local {
            let outgoing = Outgoing {
                topic: message.topic.clone(),
                data: message.data.clone(),
                expiry: message.expiry,
                droppable: message.droppable,
            };
            // After shutdown there is no sender; the local broker drops it and counts that.
            if let Some(sender) = shared.outgoing.lock().as_ref() {
                shared.queued.fetch_add(1, Ordering::AcqRel);
                if let Err(TrySendError::Full(outgoing) | TrySendError::Disconnected(outgoing)) =
                    sender.try_send(outgoing)
                {
                    shared.queued.fetch_sub(1, Ordering::AcqRel);
                    shared.drop_outgoing(&outgoing, "the queue to Redis is full");
                }
            }
        }
        // This process's subscriptions get it from here, not from Redis: at once, and even
        // when Redis is away.
        shared.local.publish(message);
    }

    fn subscribe(&self, pattern: &str, handler: Handler) -> SubscriptionId {
        self.shared.local.subscribe(pattern, handler)
    }

    fn unsubscribe(&self, id: SubscriptionId) -> bool {
        self.shared.local.unsubscribe(id)
    }

    fn subscriptions(&self) -> Vec<(String, usize)> {
        self.shared.local.subscriptions()
    }

    fn metrics(&self) -> BrokerMetrics {
        let local = self.shared.local.metrics();
        BrokerMetrics {
            queued: local.queued + self.shared.queued.load(Ordering::Acquire),
            dropped: local.dropped + self.shared.dropped.load(Ordering::Relaxed),
            threads: local.threads + self.shared.threads.load(Ordering::Acquire),
        }
    }

    fn shutdown(&self, timeout: Duration) -> bool {
        let shared = &self.shared;
        let deadline = Instant::now() + timeout;
        shared.stopping.store(true, Ordering::Release);
        // The publisher sends what is queued, then ends; the subscriber wakes and ends.
        shared.outgoing.lock().take();
        if let Some(socket) = shared.subscriber_socket.lock().take() {
            let _ = socket.shutdown(Shutdown::Both);
        }
        let ended = matches!(
            shared.running.recv_deadline(deadline),
            Err(crossbeam_channel::RecvTimeoutError::Disconnected)
        );
        if !ended {
            // Redis is away or slow: what the publisher still holds is dropped.
            shared.abandon.lock().take();
        }
        let local = shared
            .local
            .shutdown(deadline.saturating_duration_since(Instant::now()));
        ended && local
    }
}

impl Drop for RedisBroker {
    fn drop(&mut self) {
        self.shutdown(Duration::ZERO);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_survive_json() {
        let value = Value::map([
            ("n", Value::Int(-3)),
            ("x", Value::Float(1.5)),
            ("s", Value::from("é\"<")),
            ("l", Value::List(vec![Value::Null, Value::Bool(true)])),
        ]);
        let mut json = String::new();
        lona_protocol::json::write_value(&mut json, &value);
        let back = value_from_json(json.as_bytes()).expect("valid JSON");
        assert_eq!(back, value, "maps keep their order");
    }

    #[test]
    fn the_prefix_is_escaped_for_psubscribe() {
        assert_eq!(escape_glob("app[1]:*"), "app\\[1\\]:\\*");
    }

    #[test]
    fn a_bad_url_or_no_server_fails_clearly() {
        RedisBroker::connect("localhost:6379").expect_err("no scheme");
        // Port 1 on loopback: nothing listens there.
        let error = RedisBroker::connect("redis://127.0.0.1:1/").expect_err("nothing listens");
        assert!(
            error
                .to_string()
                .contains("cannot use Redis at 127.0.0.1:1"),
            "{error}"
        );
    }
}
