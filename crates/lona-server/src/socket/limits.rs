//! What one socket may ask for: `max_windows_per_socket`, and the token buckets of
//! `max_view_requests_per_second` and `max_events_per_second`. A socket over any of them is
//! closed with 1008 (see the settings' doc comments for why it is closed rather than
//! answered).

use std::collections::HashSet;
use std::time::Instant;

use lona_protocol::WindowId;
use lona_runtime::{CloseReason, Limit};

use crate::Settings;

/// A token bucket: `rate` tokens a second, holding at most `burst`; a rate of 0 lets
/// everything through.
#[derive(Debug)]
pub(crate) struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    /// A full bucket of `rate` a second that holds twice that.
    pub(crate) fn per_second(rate: u32, now: Instant) -> TokenBucket {
        let rate = f64::from(rate);
        let burst = (rate * 2.0).max(1.0);
        TokenBucket {
            rate,
            burst,
            tokens: burst,
            last: now,
        }
    }

    /// Takes one token; `false` if the bucket is empty.
    pub(crate) fn take(&mut self, now: Instant) -> bool {
        if self.rate == 0.0 {
            return true;
        }
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// The limits of one socket, kept by its reader.
#[derive(Debug)]
pub(crate) struct SocketLimits {
    windows: HashSet<WindowId>,
    max_windows: usize,
    views: TokenBucket,
    events: TokenBucket,
}

impl SocketLimits {
    pub(crate) fn new(settings: &Settings) -> SocketLimits {
        let now = Instant::now();
        SocketLimits {
            windows: HashSet::new(),
            max_windows: settings.max_windows_per_socket,
            views: TokenBucket::per_second(settings.max_view_requests_per_second, now),
            events: TokenBucket::per_second(settings.max_events_per_second, now),
        }
    }

    /// Whether the socket may send VIEW for `window`, or the limit it trips and the close.
    pub(crate) fn view(&mut self, window: WindowId) -> Result<(), (Limit, CloseReason)> {
        if !self.windows.contains(&window) {
            if self.windows.len() >= self.max_windows {
                return Err((Limit::WindowsPerSocket, CloseReason::LimitReached));
            }
            self.windows.insert(window);
        }
        if !self.views.take(Instant::now()) {
            return Err((Limit::ViewRate, CloseReason::RateLimited));
        }
        Ok(())
    }

    /// Whether the socket may send one more input event.
    pub(crate) fn event(&mut self) -> Result<(), (Limit, CloseReason)> {
        if self.events.take(Instant::now()) {
            Ok(())
        } else {
            Err((Limit::EventRate, CloseReason::RateLimited))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_its_rate() {
        let start = Instant::now();
        let mut bucket = TokenBucket::per_second(10, start);
        assert_eq!((0..25).filter(|_| bucket.take(start)).count(), 20);
        // A tenth of a second later: one more token.
        let later = start + Duration::from_millis(100);
        assert!(bucket.take(later));
        assert!(!bucket.take(later));
        // Long idle refills to the burst, not beyond.
        let much_later = later + Duration::from_secs(60);
        assert_eq!((0..25).filter(|_| bucket.take(much_later)).count(), 20);
    }

    #[test]
    fn a_rate_of_zero_is_no_limit() {
        let start = Instant::now();
        let mut bucket = TokenBucket::per_second(0, start);
        assert!((0..10_000).all(|_| bucket.take(start)));
    }
}
