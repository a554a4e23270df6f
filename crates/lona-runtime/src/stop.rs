//! `StopSignal`: the one flag every blocking and async wait of a view watches, so that stopping
//! a view releases all of them within a wake-up.

use std::collections::HashMap;
use std::fmt;
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

#[derive(Default)]
struct StopState {
    reason: Option<StopReason>,
    wakers: HashMap<u64, Waker>,
    next: u64,
}

impl StopSignal {
    /// Stops; `true` the first time only. Wakes every registered wait.
    pub(crate) fn stop(&self, reason: StopReason) -> bool {
        let wakers = {
            let mut state = self.state.lock();
            if state.reason.is_some() {
                return false;
            }
            state.reason = Some(reason);
            std::mem::take(&mut state.wakers)
        };
        for waker in wakers.into_values() {
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

    /// Registers (or refreshes) a waker to wake on stop; `Err` if already stopped.
    pub(crate) fn register(&self, slot: &mut Option<u64>, waker: &Waker) -> Result<(), Stopped> {
        let mut state = self.state.lock();
        if let Some(reason) = &state.reason {
            return Err(Stopped(reason.clone()));
        }
        let id = *slot.get_or_insert_with(|| {
            state.next += 1;
            state.next
        });
        state.wakers.insert(id, waker.clone());
        Ok(())
    }

    pub(crate) fn unregister(&self, slot: Option<u64>) {
        if let Some(id) = slot {
            self.state.lock().wakers.remove(&id);
        }
    }
}
