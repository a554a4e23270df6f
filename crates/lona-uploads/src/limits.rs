//! `BucketLimits`: how many files and bytes a bucket takes; uploads beyond a limit are
//! refused whole.

/// How much a bucket takes. Uploads beyond a limit are refused whole.
///
/// Lona's buckets have no limit unless one is given; these defaults are finite, so that a
/// bucket cannot fill the disk by accident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct BucketLimits {
    /// Files the bucket may hold at once (Lona's `max_files`); 100 by default. A file that
    /// replaces one of the same name does not count twice.
    pub max_files: usize,
    /// Bytes all its files may take together (Lona's `max_size`); 64 MiB by default.
    pub max_size: u64,
    /// Bytes one file may take; 64 MiB by default, so `max_size` decides.
    pub max_file_size: u64,
}

impl BucketLimits {
    /// These limits with at most `max_files` files at once.
    #[must_use]
    pub const fn with_max_files(mut self, max_files: usize) -> BucketLimits {
        self.max_files = max_files;
        self
    }

    /// These limits with at most `max_size` bytes in all files together.
    #[must_use]
    pub const fn with_max_size(mut self, max_size: u64) -> BucketLimits {
        self.max_size = max_size;
        self
    }

    /// These limits with at most `max_file_size` bytes in any one file.
    #[must_use]
    pub const fn with_max_file_size(mut self, max_file_size: u64) -> BucketLimits {
        self.max_file_size = max_file_size;
        self
    }
}

impl Default for BucketLimits {
    fn default() -> BucketLimits {
        BucketLimits {
            max_files: 100,
            max_size: 64 * 1024 * 1024,
            max_file_size: 64 * 1024 * 1024,
        }
    }
}
