//! `Pool`: a fixed set of named threads with a bounded queue, live metrics and panic isolation.
//!
//! Every job runs under `catch_unwind`: a panic is counted and logged, and the thread goes on
//! to the next job, so a pool never shrinks because of user code.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender};
use parking_lot::Mutex;

type Job = Box<dyn FnOnce() + Send + 'static>;

/// The size of a pool.
#[derive(Debug, Clone)]
pub struct PoolConfig {
    /// Threads are named `lona-<name>-<n>`.
    pub name: String,
    /// The number of threads.
    pub threads: usize,
    /// How many submitted jobs may wait for a thread before [`Pool::try_submit`] refuses more.
    pub queue: usize,
}

/// A snapshot of a pool's counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PoolMetrics {
    /// The number of threads.
    pub threads: usize,
    /// Threads running a job now.
    pub busy: usize,
    /// Jobs waiting for a thread.
    pub queued: usize,
    /// Jobs finished (panicked ones included).
    pub done: u64,
    /// Jobs that panicked.
    pub panics: u64,
}

/// A job the pool could not take, handed back to the caller.
pub struct SubmitError<T>(pub T);

impl<T> SubmitError<T> {
    /// The job that was not taken.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for SubmitError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SubmitError(..)")
    }
}

impl<T> fmt::Display for SubmitError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the pool's queue is full")
    }
}

/// A pool of named threads; cheap to clone.
#[derive(Clone)]
pub struct Pool {
    inner: Arc<PoolInner>,
}

struct PoolInner {
    name: String,
    threads: usize,
    capacity: usize,
    sender: Mutex<Option<Sender<Task>>>,
    queued: AtomicUsize,
    busy: AtomicUsize,
    done: AtomicU64,
    panics: AtomicU64,
    handles: Mutex<Vec<JoinHandle<()>>>,
}

struct Task {
    job: Job,
    /// Whether the job counts against the queue bound (admitted by `try_submit`).
    bounded: bool,
}

impl fmt::Debug for Pool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool")
            .field("name", &self.inner.name)
            .field("metrics", &self.metrics())
            .finish()
    }
}

impl Pool {
    /// Starts the threads.
    ///
    /// # Panics
    ///
    /// If the operating system refuses to start a thread.
    pub fn new(config: PoolConfig) -> Pool {
        let (sender, receiver) = crossbeam_channel::unbounded::<Task>();
        let inner = Arc::new(PoolInner {
            name: config.name,
            threads: config.threads.max(1),
            capacity: config.queue,
            sender: Mutex::new(Some(sender)),
            queued: AtomicUsize::new(0),
            busy: AtomicUsize::new(0),
            done: AtomicU64::new(0),
            panics: AtomicU64::new(0),
            handles: Mutex::new(Vec::new()),
        });
        let handles = (0..inner.threads)
            .map(|n| {
                let receiver = receiver.clone();
                let worker = Arc::clone(&inner);
                std::thread::Builder::new()
                    .name(format!("lona-{}-{n}", inner.name))
                    .spawn(move || worker_loop(&worker, &receiver))
                    .expect("the OS starts a pool thread")
            })
            .collect();
        *inner.handles.lock() = handles;
        Pool { inner }
    }

    /// Queues a job, unless the queue already holds [`PoolConfig::queue`] waiting jobs.
    ///
    /// # Errors
    ///
    /// Hands the job back if the queue is full or the pool is shut down.
    pub fn try_submit<F>(&self, job: F) -> Result<(), SubmitError<F>>
    where
        F: FnOnce() + Send + 'static,
    {
        let admitted = self
            .inner
            .queued
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |queued| {
                (queued < self.inner.capacity).then_some(queued + 1)
            })
            .is_ok();
        if !admitted {
            return Err(SubmitError(job));
        }
        // The job is boxed only once it is admitted; a refused one goes back to the caller.
        let sender = self.inner.sender.lock();
        match sender.as_ref() {
            Some(sender) => {
                let task = Task {
                    job: Box::new(job),
                    bounded: true,
                };
                if sender.send(task).is_err() {
                    self.inner.queued.fetch_sub(1, Ordering::AcqRel);
                }
                Ok(())
            }
            None => {
                self.inner.queued.fetch_sub(1, Ordering::AcqRel);
                Err(SubmitError(job))
            }
        }
    }

    /// Queues a job whatever the queue holds: for work that was admitted once already and must
    /// not be lost (the next step of a task, a wake-up). Dropped if the pool is shut down.
    pub fn submit_continuation(&self, job: impl FnOnce() + Send + 'static) {
        if let Some(sender) = self.inner.sender.lock().as_ref() {
            let _ = sender.send(Task {
                job: Box::new(job),
                bounded: false,
            });
        }
    }

    /// The counters, now.
    pub fn metrics(&self) -> PoolMetrics {
        PoolMetrics {
            threads: self.inner.threads,
            busy: self.inner.busy.load(Ordering::Acquire),
            queued: self.inner.queued.load(Ordering::Acquire),
            done: self.inner.done.load(Ordering::Acquire),
            panics: self.inner.panics.load(Ordering::Acquire),
        }
    }

    /// Counts a panic caught elsewhere in work this pool stands for (an async HTTP handler
    /// beside the sync ones the pool runs), so that one counter holds them all.
    pub fn record_panic(&self) {
        self.inner.panics.fetch_add(1, Ordering::AcqRel);
    }

    /// Whether a job submitted now would wait (every thread is busy or jobs are queued).
    pub fn is_saturated(&self) -> bool {
        let metrics = self.metrics();
        metrics.busy + metrics.queued >= metrics.threads
    }

    /// Stops taking jobs, lets the queued ones finish, and joins the threads. Threads stuck in
    /// user code are not waited for longer than they take; call this only when that is wanted.
    pub fn shutdown(&self) {
        self.inner.sender.lock().take();
        let handles = std::mem::take(&mut *self.inner.handles.lock());
        let current = std::thread::current().id();
        for handle in handles {
            // A pool thread shutting its own pool down cannot join itself.
            if handle.thread().id() != current {
                let _ = handle.join();
            }
        }
    }

    /// Stops taking jobs; threads finish what is queued and exit, unjoined.
    pub fn close(&self) {
        self.inner.sender.lock().take();
    }

    /// The pool's name.
    pub fn name(&self) -> &str {
        &self.inner.name
    }
}

fn worker_loop(inner: &PoolInner, receiver: &Receiver<Task>) {
    while let Ok(task) = receiver.recv() {
        if task.bounded {
            inner.queued.fetch_sub(1, Ordering::AcqRel);
        }
        inner.busy.fetch_add(1, Ordering::AcqRel);
        let outcome = catch_unwind(AssertUnwindSafe(task.job));
        inner.busy.fetch_sub(1, Ordering::AcqRel);
        inner.done.fetch_add(1, Ordering::AcqRel);
        if let Err(panic) = outcome {
            inner.panics.fetch_add(1, Ordering::AcqRel);
            tracing::error!(
                pool = %inner.name,
                panic = %crate::Untrusted(&panic_message(panic.as_ref())),
                "a job panicked; the thread goes on"
            );
        }
    }
}

/// The message of a panic payload (`panic!`'s text), for logs; user code runs under
/// `catch_unwind` in the pools here, in channel handlers and in upload hooks.
pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

#[cfg(test)]
mod tests;
