//! Background tasks tied to the app's lifetime (`App::task`, `App::async_task`): what a task
//! gets ([`TaskContext`]), starting them once the server is up, and at shutdown raising their
//! [`Shutdown`] signal and waiting for them, within `task_shutdown_timeout`.
//!
//! A blocking task runs on a thread of its own, an async one on the server's tokio runtime.
//! Either is run under `catch_unwind`: a panic is logged and counted, and the server goes on.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::FutureExt as _;
use lona_runtime::AppState;

mod shutdown;

pub use shutdown::Shutdown;

/// What a background task gets: its name, the app's state (`Channels` and whatever
/// `App::state` registered) and the [`Shutdown`] signal, with its waits at hand.
///
/// ```
/// use std::time::Duration;
/// use lona_server::{App, TaskContext};
///
/// fn tick(task: TaskContext) {
///     let Some(channels) = task.channels() else { return };
///     let mut n = 0_i64;
///     while !task.wait(Duration::from_secs(1)) {
///         n += 1;
///         channels.publish("ticks", n);
///     }
/// }
///
/// let mut app = App::new();
/// app.task("ticker", tick);
/// ```
#[derive(Clone)]
pub struct TaskContext {
    name: Arc<str>,
    shutdown: Shutdown,
    state: AppState,
}

impl std::fmt::Debug for TaskContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskContext")
            .field("name", &self.name)
            .field("shutdown", &self.shutdown)
            .finish_non_exhaustive()
    }
}

impl TaskContext {
    /// The name the task was registered with.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The shutdown signal, to hand to code that outlives this borrow (a clone is cheap).
    pub fn shutdown(&self) -> &Shutdown {
        &self.shutdown
    }

    /// Whether the server is shutting down ([`Shutdown::is_shutting_down`]).
    pub fn is_shutting_down(&self) -> bool {
        self.shutdown.is_shutting_down()
    }

    /// Blocks until shutdown or `timeout`; `true` if shutting down ([`Shutdown::wait`]).
    pub fn wait(&self, timeout: Duration) -> bool {
        self.shutdown.wait(timeout)
    }

    /// Completes when the server shuts down ([`Shutdown::cancelled`]).
    pub async fn cancelled(&self) {
        self.shutdown.cancelled().await;
    }

    /// The value of type `T` the app registered with `App::state`, as views see it with
    /// `cx.state::<T>()`.
    pub fn state<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        self.state.get::<T>()
    }

    /// The app's channels: those registered with `App::state`, or the Redis ones of
    /// `channel_broker_url`, which replace them. Take them from here rather than capture a
    /// `Channels` when registering the task, so that a deployment's broker is the one used.
    pub fn channels(&self) -> Option<lona_channels::Channels> {
        self.state
            .get::<lona_channels::Channels>()
            .map(|channels| (*channels).clone())
    }
}

/// An async task's future, boxed.
type TaskFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A task as registered, not started yet.
pub(crate) struct TaskSpec {
    name: Arc<str>,
    run: Run,
}

enum Run {
    Blocking(Box<dyn FnOnce(TaskContext) + Send>),
    Async(Box<dyn FnOnce(TaskContext) -> TaskFuture + Send>),
}

impl TaskSpec {
    /// A task run on a thread of its own.
    pub(crate) fn blocking(name: &str, run: impl FnOnce(TaskContext) + Send + 'static) -> Self {
        TaskSpec {
            name: name.into(),
            run: Run::Blocking(Box::new(run)),
        }
    }

    /// A task run on the server's tokio runtime.
    pub(crate) fn asynchronous<F>(
        name: &str,
        run: impl FnOnce(TaskContext) -> F + Send + 'static,
    ) -> Self
    where
        F: Future<Output = ()> + Send + 'static,
    {
        TaskSpec {
            name: name.into(),
            run: Run::Async(Box::new(move |task| Box::pin(run(task)))),
        }
    }
}

/// Why a task name is refused, if it is: it names a thread, which can hold no NUL, and a log
/// line, which should hold no control character.
pub(crate) fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.chars().any(char::is_control) {
        return Err(format!(
            "background task name {name:?} must be non-empty, without control characters"
        ));
    }
    Ok(())
}

/// The running tasks of one server, their signal and their panics.
pub(crate) struct Tasks {
    shutdown: Shutdown,
    panics: Arc<AtomicU64>,
    running: parking_lot::Mutex<Vec<Running>>,
}

/// A started task, as shutdown waits for it.
enum Running {
    /// `done` resolves (with an error) when the thread's closure has returned or unwound.
    Thread {
        name: Arc<str>,
        thread: std::thread::JoinHandle<()>,
        done: tokio::sync::oneshot::Receiver<()>,
    },
    Async {
        name: Arc<str>,
        task: tokio::task::JoinHandle<()>,
    },
}

impl Default for Tasks {
    fn default() -> Tasks {
        Tasks {
            shutdown: Shutdown::new(),
            panics: Arc::new(AtomicU64::new(0)),
            running: parking_lot::Mutex::new(Vec::new()),
        }
    }
}

impl Tasks {
    /// How many tasks have panicked.
    pub(crate) fn panics(&self) -> u64 {
        self.panics.load(Ordering::Relaxed)
    }

    /// Starts `specs`, each with the app's `state`: blocking ones on threads named
    /// `lona-task-NAME`, async ones on `tokio`.
    ///
    /// # Errors
    ///
    /// A thread that cannot be started; the tasks started before it keep running until
    /// [`Tasks::stop`].
    pub(crate) fn start(
        &self,
        specs: Vec<TaskSpec>,
        state: &AppState,
        tokio: &tokio::runtime::Handle,
    ) -> std::io::Result<()> {
        for TaskSpec { name, run } in specs {
            let context = TaskContext {
                name: Arc::clone(&name),
                shutdown: self.shutdown.clone(),
                state: state.clone(),
            };
            let panics = Arc::clone(&self.panics);
            let running = match run {
                Run::Blocking(run) => {
                    let (finished, done) = tokio::sync::oneshot::channel::<()>();
                    let thread = std::thread::Builder::new()
                        .name(format!("lona-task-{name}"))
                        .spawn({
                            let name = Arc::clone(&name);
                            move || {
                                // Dropped when the closure returns or unwinds: the task is over.
                                let _finished = finished;
                                if std::panic::catch_unwind(AssertUnwindSafe(|| run(context)))
                                    .is_err()
                                {
                                    panicked(&name, &panics);
                                }
                            }
                        })?;
                    Running::Thread { name, thread, done }
                }
                Run::Async(run) => {
                    // `run` is called inside, so that a panic before its first `.await` is
                    // caught too.
                    let future = AssertUnwindSafe(async move { run(context).await }).catch_unwind();
                    let task = tokio.spawn({
                        let name = Arc::clone(&name);
                        async move {
                            if future.await.is_err() {
                                panicked(&name, &panics);
                            }
                        }
                    });
                    Running::Async { name, task }
                }
            };
            tracing::debug!(task = %running.name(), "background task started");
            self.running.lock().push(running);
        }
        Ok(())
    }

    /// Raises the shutdown signal and waits up to `timeout`, in all, for every task to end.
    /// A thread still running then is logged and left to end on its own; an async task is
    /// logged and aborted (it is dropped at its next `.await`).
    pub(crate) async fn stop(&self, timeout: Duration) {
        self.shutdown.raise();
        let running = std::mem::take(&mut *self.running.lock());
        if running.is_empty() {
            return;
        }
        let deadline = tokio::time::Instant::now() + timeout;
        let mut finished_threads = Vec::new();
        for running in running {
            match running {
                Running::Thread { name, thread, done } => {
                    if tokio::time::timeout_at(deadline, done).await.is_ok() {
                        finished_threads.push(thread);
                    } else {
                        tracing::warn!(
                            task = %name,
                            ?timeout,
                            "background task ignored the shutdown signal; its thread is left running"
                        );
                    }
                }
                Running::Async { name, task } => {
                    let abort = task.abort_handle();
                    if tokio::time::timeout_at(deadline, task).await.is_err() {
                        tracing::warn!(
                            task = %name,
                            ?timeout,
                            "background task ignored the shutdown signal; it is aborted"
                        );
                        abort.abort();
                    }
                }
            }
        }
        // The threads are past their task's last line; joining them takes no time, but is a
        // blocking call all the same.
        let _ = tokio::task::spawn_blocking(move || {
            for thread in finished_threads {
                let _ = thread.join();
            }
        })
        .await;
    }
}

impl Running {
    fn name(&self) -> &str {
        match self {
            Running::Thread { name, .. } | Running::Async { name, .. } => name,
        }
    }
}

/// Logs and counts a task's panic (the panic hook has logged its message and place).
fn panicked(name: &str, panics: &AtomicU64) {
    panics.fetch_add(1, Ordering::Relaxed);
    tracing::error!(task = %name, "background task panicked; the server goes on");
}
