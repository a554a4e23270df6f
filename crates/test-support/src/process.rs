//! The real programs tests start (nginx, Apache, Redis, the deployed app): finding them,
//! or skipping a test that needs one when it is not installed, and stopping them as an init
//! system does: SIGTERM, so that a master process stops its workers first, and SIGKILL only if
//! the signal cannot be sent.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};

/// The first of `candidates` that exists; `None` if none does and `skip_var` is `1`, and the
/// test then returns, saying so on stderr.
///
/// # Panics
///
/// If none exists and the test is not skipped, naming the Debian `package` to install.
#[expect(
    clippy::print_stderr,
    reason = "a skipped test says so where cargo test shows it"
)]
pub fn installed(candidates: &[&str], package: &str, skip_var: &str) -> Option<PathBuf> {
    if let Some(found) = candidates.iter().map(Path::new).find(|p| p.exists()) {
        return Some(found.to_path_buf());
    }
    assert!(
        std::env::var(skip_var).is_ok_and(|v| v == "1"),
        "install {package} (apt-get install {package}), or set {skip_var}=1 to skip"
    );
    eprintln!("{package} is not installed; skipped ({skip_var}=1)");
    None
}

/// Sends SIGTERM; `false` if it could not be sent.
pub fn send_sigterm(child: &Child) -> bool {
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .is_ok_and(|status| status.success())
}

/// Stops `child` with SIGTERM (SIGKILL if that cannot be sent) and reaps it.
pub fn terminate(child: &mut Child) {
    if !send_sigterm(child) {
        let _ = child.kill();
    }
    let _ = child.wait();
}
