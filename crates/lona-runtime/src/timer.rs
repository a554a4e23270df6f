//! The timer behind `sleep`: one process-wide thread, `lona-timer`, that wakes sleeping futures
//! at their deadlines. Blocking views sleep through the same future (see `block_on`).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use parking_lot::{Condvar, Mutex};

struct Timer {
    state: Mutex<TimerState>,
    changed: Condvar,
}

#[derive(Default)]
struct TimerState {
    deadlines: BinaryHeap<Reverse<(Instant, u64)>>,
    wakers: HashMap<u64, Waker>,
    next: u64,
}

fn timer() -> &'static Arc<Timer> {
    static TIMER: OnceLock<Arc<Timer>> = OnceLock::new();
    TIMER.get_or_init(|| {
        let timer = Arc::new(Timer {
            state: Mutex::new(TimerState::default()),
            changed: Condvar::new(),
        });
        let worker = Arc::clone(&timer);
        std::thread::Builder::new()
            .name("lona-timer".to_owned())
            .spawn(move || worker.run())
            .expect("the OS starts the timer thread");
        timer
    })
}

impl Timer {
    fn run(&self) {
        let mut state = self.state.lock();
        loop {
            let now = Instant::now();
            let mut due = Vec::new();
            while let Some(Reverse((deadline, id))) = state.deadlines.peek().copied() {
                if deadline > now {
                    break;
                }
                state.deadlines.pop();
                due.extend(state.wakers.remove(&id));
            }
            if !due.is_empty() {
                // Wake outside the lock: a woken future may register again at once.
                drop(state);
                due.into_iter().for_each(Waker::wake);
                state = self.state.lock();
                continue;
            }
            match state.deadlines.peek() {
                Some(Reverse((deadline, _))) => {
                    let deadline = *deadline;
                    self.changed.wait_until(&mut state, deadline);
                }
                None => self.changed.wait(&mut state),
            }
        }
    }
}

/// A future that completes at `deadline`.
pub(crate) struct Sleep {
    deadline: Instant,
    id: Option<u64>,
}

impl Sleep {
    pub(crate) fn until(deadline: Instant) -> Sleep {
        Sleep { deadline, id: None }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.deadline {
            return Poll::Ready(());
        }
        let timer = timer();
        let mut state = timer.state.lock();
        match self.id {
            Some(id) => {
                // Already scheduled; the task may have moved, so keep its current waker.
                state.wakers.insert(id, cx.waker().clone());
            }
            None => {
                state.next += 1;
                let id = state.next;
                state.wakers.insert(id, cx.waker().clone());
                state.deadlines.push(Reverse((self.deadline, id)));
                self.id = Some(id);
                timer.changed.notify_one();
            }
        }
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Some(id) = self.id {
            // The heap entry stays until its deadline; without a waker it wakes nothing.
            timer().state.lock().wakers.remove(&id);
        }
    }
}
