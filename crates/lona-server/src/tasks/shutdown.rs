//! `Shutdown`: the signal a background task watches, raised once when the server starts
//! shutting down, and waited for from a thread (with a timeout) or from async code.

use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

/// Tells a background task that the server is shutting down (see `App::task`). Cheap to
/// clone; every clone sees the same signal, which is raised once and never lowered.
///
/// A blocking task sleeps in [`Shutdown::wait`] between units of work, so that it wakes at
/// once when the server stops rather than at the end of its interval:
///
/// ```
/// # use std::time::Duration;
/// # fn publish_reading() {}
/// # fn task(shutdown: lona_server::Shutdown) {
/// while !shutdown.wait(Duration::from_secs(1)) {
///     publish_reading();
/// }
/// # }
/// ```
///
/// An async task races its work against [`Shutdown::cancelled`].
#[derive(Clone)]
pub struct Shutdown {
    inner: Arc<Inner>,
}

struct Inner {
    raised: Mutex<bool>,
    /// Wakes threads in `wait`.
    threads: Condvar,
    /// Wakes futures in `cancelled`.
    futures: tokio::sync::Notify,
}

impl std::fmt::Debug for Shutdown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shutdown")
            .field("shutting_down", &self.is_shutting_down())
            .finish()
    }
}

impl Shutdown {
    /// A signal not raised yet.
    pub(crate) fn new() -> Shutdown {
        Shutdown {
            inner: Arc::new(Inner {
                raised: Mutex::new(false),
                threads: Condvar::new(),
                futures: tokio::sync::Notify::new(),
            }),
        }
    }

    /// Raises the signal: every `wait` returns and every `cancelled` completes.
    pub(crate) fn raise(&self) {
        *self.inner.raised.lock() = true;
        self.inner.threads.notify_all();
        self.inner.futures.notify_waiters();
    }

    /// Whether the server is shutting down.
    pub fn is_shutting_down(&self) -> bool {
        *self.inner.raised.lock()
    }

    /// Blocks until the server shuts down or `timeout` has passed, whichever comes first;
    /// `true` if it is shutting down. Use it instead of `std::thread::sleep` between units of
    /// work: `while !shutdown.wait(interval) { ... }`.
    pub fn wait(&self, timeout: Duration) -> bool {
        let deadline = Instant::now().checked_add(timeout);
        let mut raised = self.inner.raised.lock();
        while !*raised {
            match deadline {
                Some(deadline) => {
                    if self
                        .inner
                        .threads
                        .wait_until(&mut raised, deadline)
                        .timed_out()
                    {
                        return *raised;
                    }
                }
                // A timeout too far to represent: wait for the signal alone.
                None => self.inner.threads.wait(&mut raised),
            }
        }
        true
    }

    /// Completes when the server shuts down (at once if it already is), for async tasks:
    /// `tokio::select! { _ = shutdown.cancelled() => break, _ = interval.tick() => ... }`.
    /// It holds no thread while it waits.
    pub async fn cancelled(&self) {
        loop {
            // Registered before the check, so that a `raise` in between is not missed.
            let notified = self.inner.futures.notified();
            if self.is_shutting_down() {
                return;
            }
            notified.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_times_out_while_the_signal_is_down() {
        let shutdown = Shutdown::new();
        assert!(!shutdown.is_shutting_down());
        assert!(!shutdown.wait(Duration::from_millis(1)));
    }

    #[test]
    fn raising_wakes_a_waiting_thread_at_once() {
        let shutdown = Shutdown::new();
        let waiter = std::thread::Builder::new()
            .name("waiter".to_owned())
            .spawn({
                let shutdown = shutdown.clone();
                move || shutdown.wait(Duration::from_secs(3600))
            })
            .expect("a thread");
        shutdown.raise();
        assert!(
            waiter.join().expect("the waiter ends"),
            "woken by the signal"
        );
        assert!(shutdown.is_shutting_down());
        assert!(
            shutdown.wait(Duration::ZERO),
            "a raised signal stays raised"
        );
        assert!(shutdown.wait(Duration::MAX), "even an endless wait returns");
    }

    #[tokio::test]
    async fn cancelled_completes_when_raised_and_after() {
        let shutdown = Shutdown::new();
        let waiting = tokio::spawn({
            let shutdown = shutdown.clone();
            async move { shutdown.cancelled().await }
        });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());
        shutdown.raise();
        waiting.await.expect("the future completes");
        shutdown.cancelled().await;
    }
}
