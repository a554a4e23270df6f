//! Publish/subscribe between views and the rest of an app, by topic: [`Channels`] in the
//! app's state, [`ViewChannels`] for subscriptions that end with the view. The broker is
//! behind the [`Broker`] trait: [`LocalBroker`] in one process, [`RedisBroker`] across
//! several.

pub use lona_channels::{
    Broker, BrokerMetrics, Channels, ChannelsMetrics, Handler, LocalBroker, LocalConfig, Message,
    PublishOptions, SUBSCRIBE_TOPIC, Subscription, SubscriptionId, UNSUBSCRIBE_TOPIC, ViewChannels,
    ViewSubscription,
};
#[cfg(feature = "redis")]
pub use lona_server::{RedisBroker, RedisConfig};
