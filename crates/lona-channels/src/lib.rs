//! Topic-based publish/subscribe between lona views: Lona's channels.
//!
//! A [`Channels`] handle publishes JSON-shaped [`lona_html::Value`]s to topics and subscribes
//! handlers to topic patterns. Topics match with Lona's shell wildcards (`*`, `?`, `[seq]`,
//! `[!seq]`) in both directions: a subscription to `chat.*` receives `chat.lobby`, and a publish
//! to `chat.*` reaches a subscription to `chat.lobby` ([`topics_match`]).
//!
//! Handlers never run on the publisher's thread. The broker behind the handle is a trait,
//! [`Broker`]: [`Channels::local`] uses the in-process [`LocalBroker`] (a dispatcher thread and
//! four workers), and a process-spanning broker can replace it without changing any view.
//!
//! **Order.** With the local broker, each subscription receives its messages in publish order
//! and one at a time: per topic (what Lona's docs promise but its four task workers do not
//! keep) and across topics. Different subscriptions run in parallel, with no order between
//! them. See [`LocalBroker`].
//!
//! ```
//! use std::sync::mpsc;
//! use std::time::Duration;
//! use lona_channels::Channels;
//!
//! let channels = Channels::local();
//! let (sender, received) = mpsc::channel();
//! let subscription = channels.subscribe("news.*", move |message| {
//!     let _ = sender.send((message.topic.clone(), message.data.clone()));
//! });
//! channels.publish("news.sport", "3:1");
//! channels.publish("weather", "rain"); // no subscriber
//! let (topic, data) = received.recv_timeout(Duration::from_secs(10)).unwrap();
//! assert_eq!(topic, "news.sport");
//! assert_eq!(data.as_str(), Some("3:1"));
//! drop(subscription); // unsubscribes
//! assert_eq!(channels.subscription_count(), 0);
//! assert!(channels.shutdown(Duration::from_secs(5)));
//! ```
//!
//! # Typed messages
//!
//! Underneath, message data is a JSON-shaped [`lona_html::Value`]. An app usually has its own
//! types: [`Channels::publish_typed`] publishes any `serde::Serialize` value, and
//! [`Channels::subscribe_typed`] and [`ViewChannels::subscribe_typed`] hand their handler a
//! [`TypedMessage<T>`] with the data deserialized into the subscriber's type. A message that
//! is not a `T` is logged, counted ([`ChannelsMetrics::mismatched`]) and skipped, never a
//! panic. Typed and untyped publishers and subscribers mix; a network broker carries both as
//! JSON.
//!
//! ```
//! use std::time::Duration;
//! use lona_channels::{Channels, TypedMessage};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Debug, PartialEq, Serialize, Deserialize)]
//! struct Said { nick: String, text: String }
//!
//! let channels = Channels::local();
//! let (sender, received) = std::sync::mpsc::channel();
//! let _subscription = channels.subscribe_typed("chat.*", move |said: TypedMessage<Said>| {
//!     let _ = sender.send(said.data);
//! });
//! channels.publish_typed("chat.lobby", &Said { nick: "ada".into(), text: "hi".into() })?;
//! let said = received.recv_timeout(Duration::from_secs(10)).unwrap();
//! assert_eq!(said.text, "hi");
//! # Ok::<(), lona_channels::DataError>(())
//! ```
//!
//! # In views
//!
//! [`ViewChannels::subscribe`] (Lona's `View.subscribe`) runs the handler with a handle to the
//! view, sends the patches it made after each message, and unsubscribes at the view's cleanup.
//! A chat, complete: every open chat view shows every message of the room. Here two browsers
//! are fake connections on a bare [`lona_runtime::Runtime`]; in an app the same view is a
//! route, and the app's channels come with the server (local ones unless `channel_broker_url`
//! names a Redis server):
//!
//! ```text
//! let mut app = App::new();
//! app.view("/", |_request| Chat);
//! app.main()
//! ```
//!
//! ```
//! use std::time::{Duration, Instant};
//! use lona_channels::{Channels, ViewChannels};
//! use lona_html::tags::{button, div, h1, li, ul};
//! use lona_protocol::WindowId;
//! use lona_runtime::{
//!     AppState, Connection, Context, OutboxLimits, Request, Response, Runtime,
//!     RuntimeConfig, SessionId, View, ViewFactory, ViewResult,
//! };
//!
//! /// One chat room: every message published to `chat.lobby` is appended to the list.
//! struct Chat;
//!
//! impl View for Chat {
//!     fn handle_request(&self, cx: &Context, request: &Request) -> ViewResult {
//!         let channels = cx.channels()?;
//!         let messages = ul();
//!         let hello = button().with_text("Say hello");
//!         let root = div().with((h1().with("Lobby"), &messages, &hello));
//!         cx.show(&root)?;
//!         // Runs on a channel thread; what it changes is sent after each message.
//!         cx.subscribe(&channels, "chat.lobby", move |_cx, message| {
//!             let text = message.data.as_str().unwrap_or_default();
//!             messages.append(li().with_text(text));
//!         });
//!         // Clicking publishes; every chat view (this one too) receives it.
//!         let user = request.session.0.clone();
//!         cx.on_click(&hello, move |_cx, _event| {
//!             channels.publish("chat.lobby", format!("{user}: hello"));
//!         });
//!         // The view stays, handling clicks and messages, until its browser leaves.
//!         Ok(Response::Empty)
//!     }
//! }
//!
//! let channels = Channels::local();
//! let runtime = Runtime::new(RuntimeConfig {
//!     state: AppState::default().with(channels.clone()),
//!     ..RuntimeConfig::default()
//! });
//! let factory = ViewFactory::blocking(|_request| Chat);
//! let browsers: Vec<_> = ["alice", "bob"]
//!     .into_iter()
//!     .map(|name| Connection::new(SessionId::new(name), OutboxLimits::default()))
//!     .collect();
//! for browser in &browsers {
//!     let request = Request::new("http://localhost/", browser.session().clone());
//!     runtime.start_view(&factory, request, browser, WindowId(1)).unwrap();
//! }
//!
//! /// Waits until `condition` holds, for at most ten seconds.
//! fn wait(what: &str, mut condition: impl FnMut() -> bool) {
//!     let deadline = Instant::now() + Duration::from_secs(10);
//!     while !condition() {
//!         assert!(Instant::now() < deadline, "timed out waiting for {what}");
//!         std::thread::yield_now();
//!     }
//! }
//!
//! wait("both views to subscribe", || channels.subscribers("chat.lobby") == 2);
//! channels.publish("chat.lobby", "server: welcome");
//! for browser in &browsers {
//!     // An HTML_UPDATE that appends the message reaches each browser.
//!     wait("the message", || {
//!         std::iter::from_fn(|| browser.try_next())
//!             .filter_map(|frame| frame.encode())
//!             .any(|frame| frame.contains("server: welcome"))
//!     });
//! }
//!
//! // A browser leaves: its view stops and its subscription ends at the view's cleanup.
//! runtime.connection_closed(&browsers[0]);
//! wait("the view's cleanup", || channels.subscribers("chat.lobby") == 1);
//! runtime.shutdown();
//! assert!(channels.shutdown(Duration::from_secs(5)));
//! ```

mod broker;
mod channels;
mod local;
mod message;
mod topic;
mod typed;
mod view;

pub use broker::{Broker, BrokerMetrics, Handler, SubscriptionId};
pub use channels::{Channels, ChannelsMetrics, SUBSCRIBE_TOPIC, Subscription, UNSUBSCRIBE_TOPIC};
pub use local::{LocalBroker, LocalConfig};
pub use message::{Message, PublishOptions};
pub use topic::{TopicPattern, fnmatch, topics_match};
pub use typed::{DataError, TypedMessage, from_value, to_value, value_from_json};
pub use view::{NoChannels, ViewChannels, ViewSubscription};

#[cfg(test)]
mod tests;
