//! Stopping the real programs the tests start (nginx, Apache, Redis, the deployed app) as an
//! init system does: SIGTERM, so that a master process stops its workers first, and SIGKILL
//! only if the signal cannot be sent.

use std::process::{Child, Command};

/// Sends SIGTERM; `false` if it could not be sent.
pub(crate) fn send_sigterm(child: &Child) -> bool {
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .is_ok_and(|status| status.success())
}

/// Stops `child` with SIGTERM (SIGKILL if that cannot be sent) and reaps it.
pub(crate) fn terminate(child: &mut Child) {
    if !send_sigterm(child) {
        let _ = child.kill();
    }
    let _ = child.wait();
}
