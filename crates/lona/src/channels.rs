//! Publish/subscribe between views and the rest of an app, by topic: [`Channels`] in the
//! app's state, [`ViewChannels`] for subscriptions that end with the view. Messages are the
//! app's own `serde` types ([`Channels::publish_typed`], [`TypedMessage`]) or plain `Value`s.
//! The broker is behind the [`Broker`] trait: [`LocalBroker`] in one process, [`RedisBroker`]
//! across several.

pub use lona_channels::{
    Broker, BrokerMetrics, Channels, ChannelsMetrics, DataError, Handler, LocalBroker, LocalConfig,
    Message, NoChannels, PublishOptions, SUBSCRIBE_TOPIC, Subscription, SubscriptionId,
    TypedMessage, UNSUBSCRIBE_TOPIC, ViewChannels, ViewSubscription, from_value, to_value,
};
#[cfg(feature = "redis")]
pub use lona_server::{RedisBroker, RedisConfig};
