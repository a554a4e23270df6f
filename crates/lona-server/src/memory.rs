//! Giving memory back after a storm: glibc's allocator keeps freed memory in its arenas (one
//! per thread that allocated), so after thousands of views close the process stays at its
//! high-water mark. Every `memory_trim_interval` the server asks the allocator how much it
//! holds free and, past [`TRIM_ABOVE`], calls `malloc_trim(0)`, which returns free pages of
//! every arena to the OS.
//!
//! Trimming, not another allocator: an app keeps the system allocator (or sets its own
//! `#[global_allocator]`, with which the check finds nothing to trim and does nothing), and the
//! check costs one `mallinfo2` call per interval.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Free bytes held by the allocator above which it is asked to give them back.
pub(crate) const TRIM_ABOVE: usize = 16 * 1024 * 1024;

/// Trims done since the start, for the metrics.
pub(crate) static TRIMS: AtomicU64 = AtomicU64::new(0);

/// Checks every `interval` until `stopped` turns true; `interval` zero does nothing.
pub(crate) async fn trim_periodically(
    interval: Duration,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) {
    if interval.is_zero() || !supported() {
        return;
    }
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = stopped.changed() => return,
        }
        if free_bytes() > TRIM_ABOVE {
            // malloc_trim walks every arena under its lock: not on an I/O thread.
            let _ = tokio::task::spawn_blocking(trim).await;
        }
    }
}

/// Returns the allocator's free pages to the OS; how many bytes it held free before.
pub(crate) fn trim() -> usize {
    let before = free_bytes();
    if before > 0 {
        trim_now();
        TRIMS.fetch_add(1, Ordering::Relaxed);
        tracing::debug!(
            free_before = before,
            free_after = free_bytes(),
            "memory trimmed"
        );
    }
    before
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn supported() -> bool {
    true
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(
    unsafe_code,
    reason = "glibc's allocator statistics have no safe binding"
)]
fn free_bytes() -> usize {
    // SAFETY: mallinfo2 only reads the allocator's statistics; it has no preconditions.
    let info = unsafe { libc::mallinfo2() };
    info.fordblks
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code, reason = "glibc's malloc_trim has no safe binding")]
fn trim_now() {
    // SAFETY: malloc_trim has no preconditions; 0 keeps no extra padding at the heap's top.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn supported() -> bool {
    false
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn free_bytes() -> usize {
    0
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim_now() {}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    use super::*;

    /// The process's resident memory, from /proc.
    fn resident_bytes() -> usize {
        let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
        let pages: usize = statm
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        pages * 4096
    }

    #[test]
    fn freed_memory_is_given_back() {
        // Many small blocks, as views are, freed in an order that leaves the heap's top in use
        // so that glibc's own top trimming cannot give them back.
        let blocks: Vec<Vec<u8>> = (0..200_000)
            .map(|i| vec![u8::try_from(i % 251).unwrap_or(0); 256])
            .collect();
        let keep = vec![1u8; 256];
        drop(blocks);
        let free_before = free_bytes();
        assert!(
            free_before > TRIM_ABOVE,
            "{free_before} bytes free after the drop"
        );
        let trims = TRIMS.load(Ordering::Relaxed);
        let resident_before = resident_bytes();
        assert!(trim() > TRIM_ABOVE);
        assert_eq!(TRIMS.load(Ordering::Relaxed), trims + 1);
        // The freed blocks' pages left the process (glibc keeps its statistics: the chunks are
        // still free in its bins, only their pages went back).
        let given_back = resident_before.saturating_sub(resident_bytes());
        assert!(
            given_back > free_before / 2,
            "{given_back} of {free_before} free bytes given back"
        );
        drop(keep);
    }
}
