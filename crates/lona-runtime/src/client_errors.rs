//! How many client errors (`CLIENT_ERROR` frames) one connection may have logged per minute:
//! past the budget they are dropped, and one line later says how many were.

use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// The window the budget is counted over.
const WINDOW: Duration = Duration::from_secs(60);

/// One connection's count of client errors in the current minute.
#[derive(Debug, Default)]
pub(crate) struct ClientErrorBudget(Mutex<Window>);

#[derive(Debug, Default)]
struct Window {
    /// When the current minute started; `None` before the first error.
    started: Option<Instant>,
    /// Errors admitted in it.
    admitted: u32,
    /// Errors dropped since the last report of them.
    suppressed: u64,
}

/// Whether one client error is logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admission {
    /// Log it; `suppressed` errors were dropped in an earlier minute and not yet reported.
    Admit { suppressed: u64 },
    /// Drop it; `first` is set for the first one dropped in this minute (the limit trips once
    /// per minute and connection, not once per message).
    Drop { first: bool },
}

impl ClientErrorBudget {
    /// Counts one client error against `per_minute`.
    pub(crate) fn admit(&self, per_minute: u32, now: Instant) -> Admission {
        let mut window = self.0.lock();
        let expired = window
            .started
            .is_none_or(|started| now.saturating_duration_since(started) >= WINDOW);
        let mut reported = 0;
        if expired {
            reported = std::mem::take(&mut window.suppressed);
            window.started = Some(now);
            window.admitted = 0;
        }
        if window.admitted < per_minute {
            window.admitted += 1;
            Admission::Admit {
                suppressed: reported,
            }
        } else {
            // Nothing is logged for this one, so a report taken above is kept for later.
            window.suppressed += reported + 1;
            Admission::Drop {
                first: window.suppressed == reported + 1,
            }
        }
    }

    /// The errors dropped and not yet reported, now reported (when the connection closes).
    pub(crate) fn take_suppressed(&self) -> u64 {
        std::mem::take(&mut self.0.lock().suppressed)
    }
}

/// Writes the one line that says how many of a connection's client errors were dropped.
pub(crate) fn report_suppressed(connection: &crate::Connection, suppressed: u64) {
    if suppressed > 0 {
        tracing::warn!(
            connection = connection.id().0,
            suppressed,
            "client errors suppressed: over max_client_errors_per_minute"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_the_budget_errors_are_dropped_and_reported_once() {
        let budget = ClientErrorBudget::default();
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(budget.admit(3, start), Admission::Admit { suppressed: 0 });
        }
        assert_eq!(budget.admit(3, start), Admission::Drop { first: true });
        assert_eq!(budget.admit(3, start), Admission::Drop { first: false });
        // The next minute admits again and reports the two dropped ones with the first.
        let later = start + WINDOW;
        assert_eq!(budget.admit(3, later), Admission::Admit { suppressed: 2 });
        assert_eq!(budget.take_suppressed(), 0);
        for _ in 0..2 {
            budget.admit(3, later);
        }
        assert_eq!(budget.admit(3, later), Admission::Drop { first: true });
        assert_eq!(budget.take_suppressed(), 1);
        // A budget of zero logs nothing.
        let none = ClientErrorBudget::default();
        assert_eq!(none.admit(0, start), Admission::Drop { first: true });
    }
}
