//! The state a [`super::FaultProxy`] shares with its runtime thread: the faults (a watch, so
//! that every connection follows a change at once), the counters, the link's bandwidth
//! schedule and the open connections, which a cut closes.

use std::net::SocketAddr;
use std::time::Duration;

use parking_lot::Mutex;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::faults::{Counters, Direction, Faults};

#[derive(Debug)]
pub(super) struct Shared {
    pub(super) upstream: SocketAddr,
    pub(super) faults: watch::Sender<Faults>,
    pub(super) counters: Counters,
    /// When each way of the link is free again: `[upstream, downstream]`.
    next_free: [Mutex<Instant>; 2],
    /// How many cuts there have been; a connection ends when it grows past its value at the
    /// connection's birth, so a cut never closes a connection accepted after it.
    cuts: watch::Sender<u64>,
    /// The tasks of the connections accepted since the last cut (some may have ended).
    connections: Mutex<Vec<JoinHandle<()>>>,
}

impl Shared {
    pub(super) fn new(upstream: SocketAddr) -> Shared {
        let now = Instant::now();
        Shared {
            upstream,
            faults: watch::Sender::new(Faults::default()),
            counters: Counters::default(),
            next_free: [Mutex::new(now), Mutex::new(now)],
            cuts: watch::Sender::new(0),
            connections: Mutex::new(Vec::new()),
        }
    }

    /// Books `n` bytes on `way` of a link of `rate` bytes per second, and returns when they
    /// may go: slots are shared by every connection, first come first served.
    pub(super) fn reserve(&self, way: Direction, n: usize, rate: u64) -> Instant {
        let index = usize::from(way == Direction::Downstream);
        let mut next_free = self.next_free[index].lock();
        let start = (*next_free).max(Instant::now());
        let nanos = u64::try_from(n)
            .unwrap_or(u64::MAX)
            .saturating_mul(1_000_000_000)
            / rate.max(1);
        *next_free = start + Duration::from_nanos(nanos);
        start
    }

    /// Registers a connection: `start` gets the cut count it is born with and a receiver
    /// that sees the next cuts, and returns the connection's task.
    pub(super) fn register(&self, start: impl FnOnce(u64, watch::Receiver<u64>) -> JoinHandle<()>) {
        let mut connections = self.connections.lock();
        connections.retain(|task| !task.is_finished());
        // Under the lock: a cut either sees this connection or was counted in its birth.
        let born = *self.cuts.borrow();
        connections.push(start(born, self.cuts.subscribe()));
    }

    /// Starts a cut: every open connection closes. Await the returned tasks to know they
    /// have.
    pub(super) fn begin_cut(&self) -> Vec<JoinHandle<()>> {
        let mut connections = self.connections.lock();
        self.cuts.send_modify(|cuts| *cuts += 1);
        std::mem::take(&mut *connections)
    }

    /// Cuts every open connection and waits until they are closed.
    pub(super) async fn cut_all(&self) {
        for task in self.begin_cut() {
            // A task that panicked has closed its sockets all the same.
            let _ = task.await;
        }
    }
}
