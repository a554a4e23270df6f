//! The cache's data: an [`Entry`] per served path with its [`Variant`]s (the file and its
//! precompressed siblings), and the file-system side of lookups: [`probe`] (the
//! canonicalization that keeps every path inside its root), [`load_disk`] (read small files,
//! hash big ones) and [`walk_dir`] (the names collect copies).

use std::collections::BTreeSet;
use std::fs::{File, Metadata};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

use crate::embedded::EmbeddedFile;
use crate::error::StaticError;
use crate::http::Encoding;
use crate::path::RelPath;

/// The files held while answering the request that built an entry, by encoding.
pub(crate) type HeldFiles = Vec<(Encoding, Held)>;

/// An embedded file with its hash, computed once at build.
#[derive(Debug)]
pub(crate) struct Embedded {
    pub(crate) file: EmbeddedFile,
    hash: [u8; 32],
}

impl Embedded {
    pub(crate) fn new(file: EmbeddedFile) -> Embedded {
        Embedded {
            file,
            hash: Sha256::digest(file.body).into(),
        }
    }
}

/// Where a path resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Found {
    /// A regular file in directory root `root`, by its canonical path.
    Dir { root: usize, path: PathBuf },
    /// An embedded file of set `root`.
    Embedded { root: usize, name: String },
}

/// What a directory root says about a path.
pub(crate) enum Probe {
    /// Nothing there (or unreadable): try the next root.
    Missing,
    /// A directory, a special file, or a symlink out of the root: stop with 404.
    Refused,
    /// A regular file, by its canonical path.
    File(PathBuf, Metadata),
}

/// What identifies one version of a file on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    #[cfg(unix)]
    inode: (u64, u64),
}

impl Stamp {
    pub(crate) fn of(meta: &Metadata) -> Stamp {
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt;
        Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            #[cfg(unix)]
            inode: (meta.dev(), meta.ino()),
        }
    }
}

/// A file on disk behind a [`Variant`].
#[derive(Debug, Clone)]
pub(crate) struct DiskFile {
    pub(crate) path: PathBuf,
    pub(crate) stamp: Stamp,
}

impl DiskFile {
    pub(crate) fn modified(&self) -> Option<SystemTime> {
        self.stamp.modified
    }
}

/// Bytes of a [`Variant`] kept in memory.
#[derive(Debug, Clone)]
pub(crate) enum Memory {
    Static(&'static [u8]),
    Shared(Arc<[u8]>),
}

/// One representation of a file: the file itself or a precompressed sibling.
#[derive(Debug)]
pub(crate) struct Variant {
    pub(crate) encoding: Encoding,
    pub(crate) len: u64,
    /// Strong, with quotes.
    pub(crate) etag: Box<str>,
    /// Seconds since the epoch and the header text.
    pub(crate) modified: Option<(u64, Box<str>)>,
    pub(crate) disk: Option<DiskFile>,
    pub(crate) memory: Option<Memory>,
}

/// Everything we know of one served path.
#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) found: Found,
    pub(crate) content_type: &'static str,
    pub(crate) compressible: bool,
    /// The first [`URL_HASH_LEN`] hex digits of the file's SHA-256.
    pub(crate) url_hash: Box<str>,
    /// The file first, then its siblings in [`Encoding::SIBLINGS`] order.
    pub(crate) variants: Vec<Variant>,
    /// When the entry was last checked against the file system, in nanoseconds since
    /// `StaticFiles::epoch`.
    pub(crate) checked_at: AtomicU64,
    /// Bytes of `Memory::Shared` counted in `StaticFiles::used`.
    pub(crate) memory: usize,
}

/// A file kept open (or read) while building an entry, to answer the request that built it
/// without a second open: what the entry says is then exactly what is sent.
#[derive(Debug)]
pub(crate) enum Held {
    Bytes(Arc<[u8]>),
    File(File),
}

/// Opens, stats and reads or hashes one file. Small files come back as bytes, big ones as
/// the open file, rewound.
pub(crate) fn load_disk(
    encoding: Encoding,
    path: &Path,
    file_limit: u64,
) -> std::io::Result<(Variant, Held)> {
    let mut file = File::open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let stamp = Stamp::of(&meta);
    let (hash, len, memory, held) = if stamp.len <= file_limit {
        let mut bytes = Vec::with_capacity(usize::try_from(stamp.len).unwrap_or(0));
        (&mut file).take(stamp.len).read_to_end(&mut bytes)?;
        let bytes: Arc<[u8]> = bytes.into();
        let hash: [u8; 32] = Sha256::digest(&bytes).into();
        (
            hash,
            bytes.len() as u64,
            Some(Memory::Shared(Arc::clone(&bytes))),
            Held::Bytes(bytes),
        )
    } else {
        let mut hasher = Sha256::new();
        let mut buffer = vec![0; 64 * 1024];
        let mut len = 0u64;
        let mut reader = (&mut file).take(stamp.len);
        loop {
            let n = reader.read(&mut buffer)?;
            if n == 0 {
                break;
            }
            hasher.update(&buffer[..n]);
            len += n as u64;
        }
        file.seek(SeekFrom::Start(0))?;
        (hasher.finalize().into(), len, None, Held::File(file))
    };
    let modified = stamp.modified.and_then(http_date);
    let variant = Variant {
        encoding,
        len,
        etag: etag(&hash),
        modified,
        disk: Some(DiskFile {
            path: path.to_path_buf(),
            stamp,
        }),
        memory,
    };
    Ok((variant, held))
}

pub(crate) fn embedded_variant(encoding: Encoding, file: &Embedded) -> Variant {
    Variant {
        encoding,
        len: file.file.body.len() as u64,
        etag: etag(&file.hash),
        modified: None,
        disk: None,
        memory: Some(Memory::Static(file.file.body)),
    }
}

/// A strong `ETag` from the first 128 bits of a SHA-256, in hex, with quotes.
pub(crate) fn etag(hash: &[u8; 32]) -> Box<str> {
    let mut text = String::with_capacity(34);
    text.push('"');
    text.push_str(&hex(&hash[..16]));
    text.push('"');
    text.into()
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 15)]));
    }
    text
}

/// Seconds and `Last-Modified` text of a modification time (whole seconds, as HTTP dates are).
pub(crate) fn http_date(time: SystemTime) -> Option<(u64, Box<str>)> {
    let secs = time.duration_since(SystemTime::UNIX_EPOCH).ok()?.as_secs();
    let whole = SystemTime::UNIX_EPOCH + Duration::from_secs(secs);
    Some((secs, httpdate::fmt_http_date(whole).into()))
}

/// Looks `rel` up in one directory root: canonicalizes the joined path (following every
/// symlink) and refuses it unless it is a regular file inside the root.
pub(crate) fn probe(root: &Path, rel: &RelPath) -> Probe {
    let Ok(path) = std::fs::canonicalize(rel.join_to(root)) else {
        return Probe::Missing;
    };
    if !path.starts_with(root) {
        return Probe::Refused;
    }
    match std::fs::metadata(&path) {
        Ok(meta) if meta.is_file() => Probe::File(path, meta),
        Ok(_) => Probe::Refused,
        Err(_) => Probe::Missing,
    }
}

/// Names under `root` that [`StaticFiles::resolve`] would find there (for collect): regular
/// files, following symlinks that stay inside the root, skipping dotfiles and names that are
/// not valid paths. A directory is walked under every name it has; only a symlink back to one
/// of its own ancestors (a loop) is skipped.
pub(crate) fn walk_dir(root: &Path, out: &mut BTreeSet<String>) -> Result<(), StaticError> {
    let mut ancestors = vec![root.to_path_buf()];
    walk(root, root, "", &mut ancestors, out)
}

fn walk(
    root: &Path,
    dir: &Path,
    prefix: &str,
    ancestors: &mut Vec<PathBuf>,
    out: &mut BTreeSet<String>,
) -> Result<(), StaticError> {
    let entries = std::fs::read_dir(dir).map_err(StaticError::io(dir))?;
    for item in entries {
        let item = item.map_err(StaticError::io(dir))?;
        let Some(name) = item.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        let rel = format!("{prefix}{name}");
        // Also bounds the depth: a path over the length limit is not a valid name.
        if RelPath::from_name(&rel).is_none() {
            continue;
        }
        let Ok(canonical) = std::fs::canonicalize(item.path()) else {
            continue;
        };
        if !canonical.starts_with(root) {
            continue;
        }
        match std::fs::metadata(&canonical) {
            Ok(meta) if meta.is_dir() && !ancestors.contains(&canonical) => {
                ancestors.push(canonical);
                walk(root, &item.path(), &format!("{rel}/"), ancestors, out)?;
                ancestors.pop();
            }
            Ok(meta) if meta.is_file() => {
                out.insert(rel);
            }
            _ => {}
        }
    }
    Ok(())
}
