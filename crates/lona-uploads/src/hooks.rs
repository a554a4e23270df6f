//! Running a bucket's `on_add` or `on_delete` hook on the worker pool's thread: guarded against
//! panics, then the view flushed.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use crate::bucket::{Bucket, BucketEvent, Hook, Hooks, Shared};
use crate::refusal::Refusal;

/// Runs a hook of the bucket, if it has one, under `catch_unwind`, then flushes the view so
/// that what the hook changed reaches the browser.
pub(crate) fn run_hook(
    shared: &Arc<Shared>,
    names: &[String],
    which: impl Fn(&Hooks) -> Option<Hook>,
) -> Result<(), Refusal> {
    let Some(hooks) = shared.hooks.lock().clone() else {
        return Ok(());
    };
    let Some(hook) = which(&hooks) else {
        return Ok(());
    };
    let bucket = Bucket {
        shared: Arc::clone(shared),
    };
    let event = BucketEvent {
        view: &hooks.view,
        bucket: &bucket,
        names,
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| hook(&event)));
    // A stopped view has no browser to send to; that is not the upload's failure.
    let _ = hooks.view.flush();
    outcome.map_err(|panic| {
        let message = lona_runtime::panic_message(panic.as_ref());
        tracing::error!(bucket = %shared.id, panic = %message, "a bucket hook panicked");
        Refusal::HookPanicked
    })
}
