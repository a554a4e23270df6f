//! Running async views: the [`Spawn`] seam through which the server lends its executor, and
//! [`PoolSpawner`], a small executor on the worker pool for when there is none (and for tests).

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use parking_lot::Mutex;

use crate::pool::{Pool, panic_message};

/// A boxed future the runtime hands to an executor.
pub type Task = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// Something that runs futures to completion: the server's tokio runtime, or [`PoolSpawner`].
pub trait Spawn: Send + Sync + 'static {
    /// Starts `task`; it must be polled until it completes.
    fn spawn(&self, task: Task);
}

/// Runs tasks on a [`Pool`]: each wake-up queues one poll of the task.
#[derive(Debug, Clone)]
pub struct PoolSpawner {
    pool: Pool,
}

impl PoolSpawner {
    /// An executor on `pool`.
    pub fn new(pool: Pool) -> PoolSpawner {
        PoolSpawner { pool }
    }
}

struct PoolTask {
    future: Mutex<Option<Task>>,
    /// Set while a poll is queued, so that a burst of wake-ups queues one poll.
    queued: AtomicBool,
    pool: Pool,
}

impl Spawn for PoolSpawner {
    fn spawn(&self, task: Task) {
        let task = Arc::new(PoolTask {
            future: Mutex::new(Some(task)),
            queued: AtomicBool::new(false),
            pool: self.pool.clone(),
        });
        Waker::from(task).wake();
    }
}

impl Wake for PoolTask {
    fn wake(self: Arc<Self>) {
        if !self.queued.swap(true, Ordering::AcqRel) {
            let pool = self.pool.clone();
            pool.submit_continuation(move || self.poll_once());
        }
    }
}

impl PoolTask {
    fn poll_once(self: Arc<Self>) {
        self.queued.store(false, Ordering::Release);
        let waker = Waker::from(Arc::clone(&self));
        let mut slot = self.future.lock();
        let Some(future) = slot.as_mut() else {
            return;
        };
        let mut cx = Context::from_waker(&waker);
        match catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(&mut cx))) {
            Ok(Poll::Pending) => {}
            Ok(Poll::Ready(())) => *slot = None,
            Err(panic) => {
                // Views catch their own panics; this is a bug of the runtime's own code.
                tracing::error!(panic = %panic_message(panic.as_ref()), "a task panicked");
                *slot = None;
            }
        }
    }
}

/// A future that turns a panic while polling `F` into `Err(message)`.
pub(crate) struct CatchUnwind<F>(pub(crate) F);

impl<F: Future + Unpin> Future for CatchUnwind<F> {
    type Output = Result<F::Output, String>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = &mut self.0;
        match catch_unwind(AssertUnwindSafe(|| Pin::new(inner).poll(cx))) {
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(panic) => Poll::Ready(Err(panic_message(panic.as_ref()))),
        }
    }
}
