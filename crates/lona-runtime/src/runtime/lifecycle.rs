//! A view's own lifecycle: VIEW_START (or the "busy" page while it queues), the end of its
//! `handle_request` and what it returned, error pages, a crash, its stop and its cleanup.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use lona_protocol::{Html, ServerMessage};

use super::config::builtin_error_page;
use super::factory::OnceDone;
use super::{ViewShared, short_session};
use crate::connection::Outgoing;
use crate::pool::panic_message;
use crate::stop::StopReason;
use crate::untrusted::Untrusted;
use crate::view::{Response, ViewError, ViewResult};

impl ViewShared {
    /// Sends VIEW_START once; `false` if the view is stopped already (it never starts then).
    pub(super) fn begin(&self) -> bool {
        if self.stop.reason().is_some() {
            return false;
        }
        let mut lifecycle = self.lifecycle.lock();
        if !lifecycle.started {
            self.log_start();
        }
        lifecycle.started = true;
        if !lifecycle.view_start_sent {
            lifecycle.view_start_sent = true;
            drop(lifecycle);
            self.send_view_start();
        }
        true
    }

    /// The `lona::view` start line: info for a browser's view, debug for a non-interactive
    /// run, which the request line already reports.
    fn log_start(&self) {
        let route = self.request.route.as_deref().unwrap_or("");
        let session = short_session(&self.request.session);
        // The path is the browser's: a VIEW frame's URL says what it likes.
        let path = Untrusted(&self.request.path);
        if self.interactive {
            tracing::info!(target: "lona::view", view = self.id.0, route, %path, session, "view started");
        } else {
            tracing::debug!(target: "lona::view", view = self.id.0, route, %path, session, "view started");
        }
    }

    /// Tells the browser that the view waits for a runtime thread, so it shows that instead of
    /// "Waiting for Server..." timing out.
    pub(super) fn tell_queued(&self) {
        let mut lifecycle = self.lifecycle.lock();
        if lifecycle.started || lifecycle.view_start_sent {
            return;
        }
        lifecycle.view_start_sent = true;
        drop(lifecycle);
        self.send_view_start();
        let id = self.id;
        let html = "<p class=\"lona-queued\">The server is busy; this page starts in a moment.</p>";
        let title = self.title.lock().clone();
        self.send_all(move |window| {
            Outgoing::Frame(
                ServerMessage::Data {
                    window,
                    runtime: id,
                    title: &title,
                    html: Some(Html::String(html)),
                }
                .encode(),
            )
        });
    }

    /// Ends `handle_request`: renders its response or error, sends VIEW_STOP, runs `on_stop`.
    pub(super) fn finish(
        &self,
        result: Result<ViewResult, String>,
        on_stop: impl FnOnce(Option<&StopReason>),
    ) {
        let stopped = self.stop.reason().is_some();
        match result {
            // A stopped view has no window left to show anything in.
            Ok(_) if stopped => {}
            Ok(Ok(response)) => self.respond(response),
            Ok(Err(ViewError::Stopped(_))) => {}
            Ok(Err(ViewError::Forbidden)) => self.show_error(403),
            Ok(Err(ViewError::NotFound)) => self.show_error(404),
            Ok(Err(ViewError::Failed(error))) => {
                tracing::error!(view = self.id.0, %error, "a view failed");
                self.show_error(500);
            }
            Err(panic) => {
                self.count_panic();
                tracing::error!(view = self.id.0, %panic, "a view panicked");
                self.show_error(500);
            }
        }
        if self.stop.reason().is_none() {
            let id = self.id;
            self.send_all(self.frame(move |window| ServerMessage::ViewStop {
                window,
                runtime: id,
            }));
        }
        let reason = self.stop.reason();
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| on_stop(reason.as_ref()))) {
            self.count_panic();
            tracing::error!(view = self.id.0, panic = %panic_message(panic.as_ref()), "on_stop panicked");
        }
        let remove = {
            let mut lifecycle = self.lifecycle.lock();
            lifecycle.finished = true;
            lifecycle.cleaned_up
        };
        if remove && let Some(runtime) = self.runtime.upgrade() {
            runtime.remove_view(self.id);
        }
    }

    /// Ends a non-interactive run: hands the response (what was shown, if the view returned
    /// nothing) or the error status to `done`, then runs `on_stop` and the cleanup at once.
    pub(super) fn finish_once(
        self: &Arc<Self>,
        result: Result<ViewResult, String>,
        done: OnceDone,
        on_stop: impl FnOnce(Option<&StopReason>),
    ) {
        let outcome = match result {
            Ok(Ok(Response::Empty)) => Ok(self.doc.root().map_or(Response::Empty, Response::Node)),
            Ok(Ok(response)) => Ok(response),
            Ok(Err(ViewError::Forbidden)) => Err(403),
            Ok(Err(ViewError::NotFound)) => Err(404),
            Ok(Err(ViewError::Stopped(reason))) => {
                tracing::error!(view = self.id.0, %reason, "a non-interactive view stopped");
                Err(500)
            }
            Ok(Err(ViewError::Failed(error))) => {
                tracing::error!(view = self.id.0, %error, "a view failed");
                Err(500)
            }
            Err(panic) => {
                self.count_panic();
                tracing::error!(view = self.id.0, %panic, "a view panicked");
                Err(500)
            }
        };
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| done(outcome))) {
            tracing::error!(panic = %panic_message(panic.as_ref()), "a non-interactive caller panicked");
        }
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| on_stop(None))) {
            self.count_panic();
            tracing::error!(view = self.id.0, panic = %panic_message(panic.as_ref()), "on_stop panicked");
        }
        self.stop.stop(StopReason::NotInteractive);
        self.lifecycle.lock().finished = true;
        self.cleanup();
    }

    fn respond(&self, response: Response) {
        if self.stop.reason().is_some() {
            return;
        }
        match response {
            Response::Empty => {}
            Response::Node(node) => self.show(&node),
            Response::RawHtml(html) => self.show_raw_html(&html),
            Response::Redirect(url) => self.redirect(&url, false),
            Response::HttpRedirect(url) => self.redirect(&url, true),
        }
    }

    pub(super) fn count_panic(&self) {
        if let Some(runtime) = self.runtime.upgrade() {
            runtime.view_panics.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Shows an error page in every window, replacing the view's tree.
    pub(super) fn show_error(&self, status: u16) {
        let page = match self.runtime.upgrade() {
            Some(runtime) => {
                let build = || runtime.config.error_page.build(status);
                // A broken user page must not take the built-in one down with it.
                catch_unwind(AssertUnwindSafe(build)).unwrap_or_else(|panic| {
                    tracing::error!(panic = %panic_message(panic.as_ref()), "the error page panicked");
                    builtin_error_page(status)
                })
            }
            None => builtin_error_page(status),
        };
        let _lock = self.doc.lock();
        self.doc.set_root(&page);
        self.send_tree(&page);
    }

    /// Treats the view as crashed: counts it with the panics, shows the 500 page in every
    /// window and stops it with [`StopReason::Crashed`], as a panicking handler would.
    pub(crate) fn crash(self: &Arc<Self>, what: &str) {
        if self.stop.reason().is_some() {
            return;
        }
        self.count_panic();
        tracing::error!(view = self.id.0, what, "the view crashed");
        self.show_error(500);
        self.stop_view(StopReason::Crashed);
    }

    /// Stops the view (first call only) and queues its cleanup on the worker pool. Nothing
    /// here waits for `handle_request` to notice.
    pub(crate) fn stop_view(self: &Arc<Self>, reason: StopReason) {
        // The variant name (`UserAbort`), which reads well in a log filter, not the sentence.
        let logged = format!("{reason:?}");
        if !self.stop.stop(reason) {
            return;
        }
        tracing::info!(
            target: "lona::view",
            view = self.id.0,
            route = self.request.route.as_deref().unwrap_or(""),
            session = short_session(&self.request.session),
            reason = %logged,
            age_ms = u64::try_from(self.created.elapsed().as_millis()).unwrap_or(u64::MAX),
            "view stopped"
        );
        self.lifecycle.lock().stopped_at = Some(Instant::now());
        // A stopped view no longer counts against its session's share, even while its
        // thread unwinds: navigating away and back must not find the share taken.
        self.release_share();
        let Some(runtime) = self.runtime.upgrade() else {
            return;
        };
        let shared = Arc::clone(self);
        runtime
            .worker_pool
            .submit_continuation(move || shared.cleanup());
    }

    fn cleanup(self: &Arc<Self>) {
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| self.view.hooks().on_cleanup())) {
            self.count_panic();
            tracing::error!(view = self.id.0, panic = %panic_message(panic.as_ref()), "on_cleanup panicked");
        }
        // Handlers, waits and kept guards may hold nodes and contexts: drop them so the tree
        // can go (a kept subscription ends here).
        self.clear_handlers();
        let kept = self
            .rare
            .lock()
            .as_mut()
            .map(|rare| std::mem::take(&mut rare.kept));
        drop(kept);
        self.waiters.lock().list.clear();
        self.mailbox.lock().clear();
        self.attached.lock().clear();
        self.doc.clear_root();
        let remove = {
            let mut lifecycle = self.lifecycle.lock();
            lifecycle.cleaned_up = true;
            lifecycle.finished || !lifecycle.started
        };
        if remove && let Some(runtime) = self.runtime.upgrade() {
            runtime.remove_view(self.id);
        }
    }
}
