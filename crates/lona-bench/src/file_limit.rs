//! The load generator's file limit: one process opens 10,000 sockets and more, past the
//! usual soft limit of 1,024, so it raises its soft `RLIMIT_NOFILE` to the hard one first.

/// Raises the soft `RLIMIT_NOFILE` to the hard one; the soft limit in force after, `None` if
/// unknown or unlimited.
#[cfg(unix)]
#[expect(
    unsafe_code,
    reason = "getrlimit/setrlimit have no safe wrapper in std"
)]
pub(crate) fn raise() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, writable rlimit for the duration of the call.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return None;
    }
    if limit.rlim_cur < limit.rlim_max {
        let raised = libc::rlimit {
            rlim_cur: limit.rlim_max,
            rlim_max: limit.rlim_max,
        };
        // SAFETY: `raised` is a valid rlimit read by the call.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            limit.rlim_cur = limit.rlim_max;
        }
    }
    if limit.rlim_cur == libc::RLIM_INFINITY {
        return None;
    }
    Some(limit.rlim_cur)
}

#[cfg(not(unix))]
pub(crate) fn raise() -> Option<u64> {
    None
}
