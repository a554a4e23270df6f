//! The load generator's allocator: the system's, counting the live heap (bytes and
//! allocations), so that `runtime-idle` can tell the heap a view holds from what the
//! allocator's fragmentation adds to the resident figure.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);
static LIVE_ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

/// Sizes at or above this are counted together in the last class.
pub(crate) const SIZE_CLASSES: usize = 4097;

/// Live allocations by exact size (the last class: this size and above), for
/// `runtime-idle --sizes`: which allocations a view holds, by the size of each.
static LIVE_BY_SIZE: [AtomicUsize; SIZE_CLASSES] = [const { AtomicUsize::new(0) }; SIZE_CLASSES];

fn class(size: usize) -> &'static AtomicUsize {
    &LIVE_BY_SIZE[size.min(SIZE_CLASSES - 1)]
}

/// Counts a new allocation of `size` bytes at `pointer`, unless it failed.
fn counted(pointer: *mut u8, size: usize) -> *mut u8 {
    if !pointer.is_null() {
        LIVE_BYTES.fetch_add(size, Ordering::Relaxed);
        LIVE_ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        class(size).fetch_add(1, Ordering::Relaxed);
    }
    pointer
}

/// The system allocator, counting.
pub(crate) struct Counting;

#[expect(
    unsafe_code,
    reason = "a global allocator is an unsafe trait; this one only forwards to System"
)]
// SAFETY: every method forwards to `System` with the caller's arguments, which uphold its
// contract; the counters are plain atomics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as received.
        counted(unsafe { System.alloc(layout) }, layout.size())
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as received.
        counted(unsafe { System.alloc_zeroed(layout) }, layout.size())
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        // SAFETY: forwarded as received.
        unsafe { System.dealloc(pointer, layout) };
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
        LIVE_ALLOCATIONS.fetch_sub(1, Ordering::Relaxed);
        class(layout.size()).fetch_sub(1, Ordering::Relaxed);
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded as received.
        let moved = unsafe { System.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            LIVE_BYTES.fetch_add(new_size, Ordering::Relaxed);
            LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
            class(layout.size()).fetch_sub(1, Ordering::Relaxed);
            class(new_size).fetch_add(1, Ordering::Relaxed);
        }
        moved
    }
}

/// Bytes allocated and not freed.
pub(crate) fn live_bytes() -> usize {
    LIVE_BYTES.load(Ordering::Relaxed)
}

/// Allocations not freed.
pub(crate) fn live_allocations() -> usize {
    LIVE_ALLOCATIONS.load(Ordering::Relaxed)
}

/// Live allocations by size now, one entry per size class.
pub(crate) fn live_by_size() -> Vec<usize> {
    LIVE_BY_SIZE
        .iter()
        .map(|count| count.load(Ordering::Relaxed))
        .collect()
}
