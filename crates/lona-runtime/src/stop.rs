//! `StopSignal`: the one flag every blocking and async wait of a view watches, so that stopping
//! a view releases all of them within a wake-up.

use std::fmt;
use std::num::NonZeroU64;
use std::task::Waker;

use parking_lot::Mutex;

/// Why a view was stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopReason {
    /// The browser went away (the last connection of a non-daemon view closed, or the window
    /// navigated elsewhere).
    UserAbort,
    /// The server is shutting down.
    ServerStop,
    /// The view crashed in an event handler; the browser was shown the 500 view.
    Crashed,
    /// The view runs non-interactively (one HTTP request, no browser to wait for): a wait for
    /// input can never end, so it fails at once with this.
    NotInteractive,
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StopReason::UserAbort => "the user left",
            StopReason::ServerStop => "the server is stopping",
            StopReason::Crashed => "the view crashed",
            StopReason::NotInteractive => "a non-interactive view cannot wait for input",
        })
    }
}

/// Returned by every context call once the view is stopped: propagate it with `?`.
///
/// It is a signal, not a failure, so it is not a `std::error::Error`; that keeps
/// `ViewError`'s blanket conversion from real errors free of conflicts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stopped(pub StopReason);

impl fmt::Display for Stopped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the view was stopped: {}", self.0)
    }
}

#[derive(Default)]
pub(crate) struct StopSignal {
    state: Mutex<StopState>,
}

/// The reason once stopped, and the wakers of the waits to wake then, by the id each wait
/// holds. Nearly every view has one wait at a time (an idle view's `await_click`), so the
/// first waker is kept inline and only a second one allocates: a map would allocate 116
/// bytes for the first.
#[derive(Default)]
struct StopState {
    reason: Option<StopReason>,
    first: Option<(NonZeroU64, Waker)>,
    more: Vec<(NonZeroU64, Waker)>,
    /// Waits registered so far: the next one's id is one more.
    registered: u64,
}

impl StopState {
    /// Sets the waker of `id`, or registers it.
    fn set(&mut self, id: NonZeroU64, waker: &Waker) {
        if let Some((first, slot)) = &mut self.first
            && *first == id
        {
            slot.clone_from(waker);
        } else if let Some((_, slot)) = self.more.iter_mut().find(|(other, _)| *other == id) {
            slot.clone_from(waker);
        } else if self.first.is_none() {
            self.first = Some((id, waker.clone()));
        } else {
            self.more.push((id, waker.clone()));
        }
    }

    fn remove(&mut self, id: NonZeroU64) {
        if self.first.as_ref().is_some_and(|(first, _)| *first == id) {
            self.first = None;
        } else if let Some(index) = self.more.iter().position(|(other, _)| *other == id) {
            self.more.swap_remove(index);
        }
    }
}

/// The next id of a counter of ids handed out so far (1 for the first): non-zero, so that a
/// wait's `Option` of it costs no extra word.
pub(crate) fn next_id(handed_out: &mut u64) -> NonZeroU64 {
    *handed_out += 1;
    NonZeroU64::MIN.saturating_add(*handed_out - 1)
}

impl StopSignal {
    /// Stops; `true` the first time only. Wakes every registered wait.
    pub(crate) fn stop(&self, reason: StopReason) -> bool {
        let (first, more) = {
            let mut state = self.state.lock();
            if state.reason.is_some() {
                return false;
            }
            state.reason = Some(reason);
            (state.first.take(), std::mem::take(&mut state.more))
        };
        for (_, waker) in first.into_iter().chain(more) {
            waker.wake();
        }
        true
    }

    pub(crate) fn reason(&self) -> Option<StopReason> {
        self.state.lock().reason.clone()
    }

    pub(crate) fn check(&self) -> Result<(), Stopped> {
        self.reason().map_or(Ok(()), |reason| Err(Stopped(reason)))
    }

    /// Registers (or refreshes) a waker to wake on stop; `Err` if already stopped. `slot`
    /// keeps the wait's id (a `NonZeroU64`, so that `None` costs no extra word in the wait).
    pub(crate) fn register(
        &self,
        slot: &mut Option<NonZeroU64>,
        waker: &Waker,
    ) -> Result<(), Stopped> {
        let mut state = self.state.lock();
        if let Some(reason) = &state.reason {
            return Err(Stopped(reason.clone()));
        }
        let id = *slot.get_or_insert_with(|| next_id(&mut state.registered));
        state.set(id, waker);
        Ok(())
    }

    pub(crate) fn unregister(&self, slot: Option<NonZeroU64>) {
        if let Some(id) = slot {
            self.state.lock().remove(id);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Wake;

    use super::*;

    /// A waker that counts its wake-ups.
    #[derive(Default)]
    struct Count(AtomicUsize);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn counted() -> (Arc<Count>, Waker) {
        let count = Arc::new(Count::default());
        (Arc::clone(&count), Waker::from(count))
    }

    fn wakes(count: &Count) -> usize {
        count.0.load(Ordering::Relaxed)
    }

    #[test]
    fn a_stop_wakes_every_registered_wait_once_and_no_unregistered_one() {
        let signal = StopSignal::default();
        let waits: Vec<_> = (0..4).map(|_| counted()).collect();
        let mut slots = [None; 4];
        for (slot, (_, waker)) in slots.iter_mut().zip(&waits) {
            signal.register(slot, waker).expect("not stopped");
        }
        let ids: Vec<_> = slots.iter().flatten().collect();
        assert_eq!(ids.len(), 4);
        assert!(
            ids.windows(2).all(|pair| pair[0] != pair[1]),
            "distinct ids"
        );
        // The first (kept inline) and the third go; the fourth registers again with a new
        // waker, which replaces its old one.
        signal.unregister(slots[0]);
        signal.unregister(slots[2]);
        let (fresh, fresh_waker) = counted();
        let before = slots[3];
        signal
            .register(&mut slots[3], &fresh_waker)
            .expect("not stopped");
        assert_eq!(slots[3], before, "a refresh keeps its id");
        // A wait registered after an unregister takes the free inline place.
        let (late, late_waker) = counted();
        let mut late_slot = None;
        signal
            .register(&mut late_slot, &late_waker)
            .expect("not stopped");

        assert!(signal.stop(StopReason::UserAbort));
        assert!(
            !signal.stop(StopReason::ServerStop),
            "only the first stop counts"
        );
        let woken: Vec<usize> = waits.iter().map(|(count, _)| wakes(count)).collect();
        assert_eq!(woken, [0, 1, 0, 0], "the second only, of the first wakers");
        assert_eq!((wakes(&fresh), wakes(&late)), (1, 1));
        assert_eq!(
            signal.register(&mut None, &late_waker),
            Err(Stopped(StopReason::UserAbort))
        );
    }
}
