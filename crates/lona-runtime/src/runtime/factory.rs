//! How views are made and driven: [`ViewFactory`] builds a view per request, and the
//! `DynView` adapters run a blocking or an async view's `handle_request` on the right pool or
//! executor, and hand out its hooks as [`ViewHooks`].

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::start::StartError;
use super::{RuntimeInner, ViewShared, short_session};
use crate::context::{AsyncContext, Context, EventContext, ViewHandle};
use crate::limits::Limit;
use crate::pool::panic_message;
use crate::spawn::CatchUnwind;
use crate::stop::StopReason;
use crate::view::{AsyncView, Flow, InputEvent, Request, Response, View, ViewHooks, ViewResult};

/// Builds a view for each request of a route.
#[derive(Clone)]
pub struct ViewFactory {
    pub(super) make: Arc<MakeView>,
    /// Not counted by the per-session and per-address view limits (error pages).
    pub(super) exempt: bool,
    /// One instance per URL, watched by every session's windows ([`ViewFactory::broadcast`]).
    pub(super) broadcast: bool,
}

type MakeView = dyn Fn(&Request) -> Arc<dyn DynView> + Send + Sync;

impl std::fmt::Debug for ViewFactory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ViewFactory(..)")
    }
}

impl ViewFactory {
    /// A factory of blocking views.
    pub fn blocking<V: View>(make: impl Fn(&Request) -> V + Send + Sync + 'static) -> ViewFactory {
        ViewFactory {
            make: Arc::new(move |request| Arc::new(Blocking(make(request)))),
            exempt: false,
            broadcast: false,
        }
    }

    /// A factory of async views.
    pub fn asynchronous<V: AsyncView>(
        make: impl Fn(&Request) -> V + Send + Sync + 'static,
    ) -> ViewFactory {
        ViewFactory {
            make: Arc::new(move |request| Arc::new(Async(make(request)))),
            exempt: false,
            broadcast: false,
        }
    }

    /// The same factory, its views not counted by `max_views_per_session` and
    /// `max_views_per_ip`: for the pages the server shows in place of a refused view, which
    /// must reach a visitor who is over those limits. Use it only for async views that
    /// finish at once; their number is bounded by the windows of the visitor's sockets. Nor
    /// may they become daemons: a VIEW looks for a daemon among its session's counted views.
    pub fn exempt_from_limits(mut self) -> ViewFactory {
        self.exempt = true;
        self
    }

    /// The same factory, its views broadcast (`docs/routes-responses-templates.md#broadcast-views`): one running
    /// instance per route and URL arguments, started by its first watcher; every VIEW for
    /// that URL, from any session, attaches a window to it (a late joiner gets the current
    /// tree), and each patch batch is encoded once for all of them. The instances are bounded
    /// by `max_broadcast_views` and stop after `daemon_idle_timeout` without a watcher.
    pub fn broadcast(mut self) -> ViewFactory {
        self.broadcast = true;
        self
    }

    /// Whether its views are broadcast.
    pub fn is_broadcast(&self) -> bool {
        self.broadcast
    }
}

/// A view of either kind, as the runtime drives it.
pub(crate) trait DynView: Send + Sync + 'static {
    /// Starts `handle_request` on the right pool or executor.
    fn launch(
        self: Arc<Self>,
        shared: Arc<ViewShared>,
        runtime: &RuntimeInner,
    ) -> Result<(), StartError>;
    /// Runs `handle_request` once, non-interactively, then `done` with its result.
    fn run_once(
        self: Arc<Self>,
        shared: Arc<ViewShared>,
        runtime: &RuntimeInner,
        done: OnceDone,
    ) -> Result<(), StartError>;
    /// The view's hooks, whichever its kind.
    fn hooks(&self) -> &dyn ViewHooks;
}

/// A blocking view, as the runtime drives it.
struct Blocking<V>(V);
/// An async view, as the runtime drives it.
struct Async<V>(V);

/// Implements [`ViewHooks`] for an adapter by calling the hooks its view wrote in its `$kind`
/// impl.
macro_rules! forward_hooks {
    ($adapter:ident, $kind:ident) => {
        impl<V: $kind> ViewHooks for $adapter<V> {
            fn handle_input_event_root(&self, cx: &EventContext, event: &InputEvent) -> Flow {
                <V as $kind>::handle_input_event_root(&self.0, cx, event)
            }

            fn handle_input_event(&self, cx: &EventContext, event: &InputEvent) -> Flow {
                <V as $kind>::handle_input_event(&self.0, cx, event)
            }

            fn on_stop(&self, reason: Option<&StopReason>) {
                <V as $kind>::on_stop(&self.0, reason);
            }

            fn on_cleanup(&self) {
                <V as $kind>::on_cleanup(&self.0);
            }
        }
    };
}

forward_hooks!(Blocking, View);
forward_hooks!(Async, AsyncView);

/// Where the result of a non-interactive run goes.
pub(super) type OnceDone = Box<dyn FnOnce(Result<Response, u16>) + Send>;

impl<V: View> Blocking<V> {
    /// `handle_request` on this thread, a panic caught as its message.
    fn handle_request(&self, shared: &Arc<ViewShared>) -> Result<ViewResult, String> {
        let cx = Context {
            handle: ViewHandle {
                shared: Arc::clone(shared),
            },
        };
        catch_unwind(AssertUnwindSafe(|| {
            self.0.handle_request(&cx, &shared.request)
        }))
        .map_err(|panic| panic_message(panic.as_ref()))
    }
}

impl<V: AsyncView> Async<V> {
    /// `handle_request` as a future, a panic caught as its message.
    async fn handle_request(&self, shared: &Arc<ViewShared>) -> Result<ViewResult, String> {
        let cx = AsyncContext {
            handle: ViewHandle {
                shared: Arc::clone(shared),
            },
        };
        // Pinned in place: the view's future lives inside the task's own allocation, not in
        // a second one that every idle view would hold.
        let future = std::pin::pin!(self.0.handle_request(&cx, &shared.request));
        CatchUnwind(future).await
    }
}

impl<V: View> DynView for Blocking<V> {
    fn launch(
        self: Arc<Self>,
        shared: Arc<ViewShared>,
        runtime: &RuntimeInner,
    ) -> Result<(), StartError> {
        // A broadcast view is nobody's: `max_broadcast_views` bounds those, not a share.
        if !shared.broadcast
            && !runtime
                .quotas
                .admit_runtime(&shared.request.session, runtime.config.runtime_share())
        {
            runtime.limits.trip(Limit::RuntimeShare);
            tracing::warn!(
                session = short_session(&shared.request.session),
                "a session asked for more than its share of the runtime pool"
            );
            return Err(StartError::LimitReached(Limit::RuntimeShare));
        }
        shared.holds_share.store(true, Ordering::Release);
        // Gives the share back when the job ends, or is dropped unrun (a full queue).
        let share = ShareRelease(Arc::clone(&shared));
        let saturated = runtime.runtime_pool.is_saturated();
        let job_shared = Arc::clone(&shared);
        let job = move || {
            let _share = share;
            if !job_shared.begin() {
                return;
            }
            let result = self.handle_request(&job_shared);
            job_shared.finish(result, |reason| self.hooks().on_stop(reason));
        };
        match runtime.runtime_pool.try_submit(job) {
            Ok(()) => {
                if saturated {
                    shared.tell_queued();
                }
                Ok(())
            }
            Err(_) => Err(StartError::Busy),
        }
    }

    fn run_once(
        self: Arc<Self>,
        shared: Arc<ViewShared>,
        runtime: &RuntimeInner,
        done: OnceDone,
    ) -> Result<(), StartError> {
        let job = move || {
            let result = self.handle_request(&shared);
            shared.finish_once(result, done, |reason| self.hooks().on_stop(reason));
        };
        runtime
            .runtime_pool
            .try_submit(job)
            .map_err(|_| StartError::Busy)
    }

    fn hooks(&self) -> &dyn ViewHooks {
        self
    }
}

impl<V: AsyncView> DynView for Async<V> {
    fn launch(
        self: Arc<Self>,
        shared: Arc<ViewShared>,
        runtime: &RuntimeInner,
    ) -> Result<(), StartError> {
        let task = async move {
            if !shared.begin() {
                return;
            }
            let result = self.handle_request(&shared).await;
            shared.finish(result, |reason| self.hooks().on_stop(reason));
        };
        runtime.spawner.spawn(Box::pin(task));
        Ok(())
    }

    fn run_once(
        self: Arc<Self>,
        shared: Arc<ViewShared>,
        runtime: &RuntimeInner,
        done: OnceDone,
    ) -> Result<(), StartError> {
        let task = async move {
            let result = self.handle_request(&shared).await;
            shared.finish_once(result, done, |reason| self.hooks().on_stop(reason));
        };
        runtime.spawner.spawn(Box::pin(task));
        Ok(())
    }

    fn hooks(&self) -> &dyn ViewHooks {
        self
    }
}

/// Releases a blocking view's share of the runtime pool when dropped.
struct ShareRelease(Arc<ViewShared>);

impl Drop for ShareRelease {
    fn drop(&mut self) {
        self.0.release_share();
    }
}
