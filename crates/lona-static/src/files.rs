//! [`StaticFiles`] and its [`Builder`]: the roots (directories, then embedded sets; first match
//! wins), the in-memory cache, and answering requests ([`StaticFiles::respond`],
//! [`StaticFiles::lookup_cached`]) and template queries ([`StaticFiles::hashed_url`]).
//!
//! A request goes: `route` (serving on? under the prefix? GET or HEAD? a valid path?), then
//! the hashed form of the last segment if it has one, then the path as it is. Each lookup
//! finds a cache [`Entry`] (fresh: answered from memory) or resolves the path through the roots
//! and builds one (on the static pool). An entry holds every representation of one file:
//! the file and its precompressed siblings, each with its strong `ETag` from a SHA-256 of its
//! bytes, its `Last-Modified`, and its bytes when it is small.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use parking_lot::RwLock;

use crate::answer::{Answer, answer};
use crate::cache::{
    Embedded, Entry, Found, HeldFiles, Memory, Probe, Stamp, embedded_variant, load_disk, probe,
};
use crate::declared::{Declared, FileKind, StaticFile};
use crate::embedded::EmbeddedFile;
use crate::error::StaticError;
use crate::http::{Encoding, StaticRequest, StaticResponse};
use crate::mime;
use crate::path::{RelPath, URL_HASH_LEN, percent_encode_path};

/// The time source of revalidation, replaceable in tests.
#[derive(Clone)]
pub(crate) struct Clock(Arc<dyn Fn() -> Instant + Send + Sync>);

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Clock")
    }
}

/// Configures and builds [`StaticFiles`]. Every method takes and returns `&mut Self`.
///
/// ```
/// use lona_static::{EmbeddedFile, StaticFiles};
///
/// let files = StaticFiles::builder()
///     .url_prefix("/static/")
///     .add_embedded("lona/", [EmbeddedFile::from_text("lona.js", "text/javascript", "//")])
///     .build()?;
/// assert!(files.hashed_url("lona/lona.js").unwrap().starts_with("/static/lona/lona."));
/// # Ok::<(), lona_static::StaticError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Builder {
    prefix: String,
    serve: bool,
    revalidate: Duration,
    file_limit: u64,
    total_limit: usize,
    dirs: Vec<PathBuf>,
    embedded: Vec<(String, Vec<EmbeddedFile>)>,
    declared: Vec<StaticFile>,
    enabled: Vec<String>,
    disabled: Vec<String>,
    clock: Option<Clock>,
}

impl Default for Builder {
    fn default() -> Builder {
        Builder {
            prefix: "/static/".to_owned(),
            serve: true,
            revalidate: Duration::from_secs(1),
            file_limit: 64 * 1024,
            total_limit: 64 * 1024 * 1024,
            dirs: Vec::new(),
            embedded: Vec::new(),
            declared: Vec::new(),
            enabled: Vec::new(),
            disabled: Vec::new(),
            clock: None,
        }
    }
}

impl Builder {
    /// The URL prefix (Lona's `STATIC_URL_PREFIX`), `/static/` by default. It must start and
    /// end with `/`.
    pub fn url_prefix(&mut self, prefix: impl Into<String>) -> &mut Builder {
        self.prefix = prefix.into();
        self
    }

    /// Whether to serve at all (Lona's `STATIC_FILES_SERVE`), true by default. When false,
    /// every request answers 404 and the first one logs that the reverse proxy is
    /// misconfigured; `hashed_url`, `tags` and `collect` still work.
    pub fn serve(&mut self, serve: bool) -> &mut Builder {
        self.serve = serve;
        self
    }

    /// How long a cache entry of a directory file is trusted before `respond` checks the file
    /// again (one `stat` per file and sibling): 1 s by default, zero checks on every request.
    pub fn revalidate_interval(&mut self, interval: Duration) -> &mut Builder {
        self.revalidate = interval;
        self
    }

    /// Files up to `per_file` bytes (64 KiB by default) are kept in memory, up to `total`
    /// bytes in all (64 MiB by default); beyond that they stream from disk.
    pub fn cache_limits(&mut self, per_file: u64, total: usize) -> &mut Builder {
        self.file_limit = per_file;
        self.total_limit = total;
        self
    }

    /// Adds a directory root (Lona's `STATIC_DIRS`). Directories are searched in the order
    /// they are added, before every embedded set.
    pub fn add_dir(&mut self, path: impl Into<PathBuf>) -> &mut Builder {
        self.dirs.push(path.into());
        self
    }

    /// Adds a set of embedded files served under `name_prefix` (`"lona/"`: `lona.js` is at
    /// `/static/lona/lona.js`; `""`: at the top). Embedded sets are searched after every
    /// directory, in the order they are added, so an app can override an embedded file by
    /// putting its own in a directory.
    pub fn add_embedded(
        &mut self,
        name_prefix: &str,
        files: impl IntoIterator<Item = EmbeddedFile>,
    ) -> &mut Builder {
        self.embedded
            .push((name_prefix.to_owned(), files.into_iter().collect()));
        self
    }

    /// Declares a file to link in pages (Lona's `STATIC_FILES` of nodes and views). A second
    /// declaration with a name already declared is skipped, as in Lona (with a warning if its
    /// path differs).
    pub fn declare(&mut self, file: StaticFile) -> &mut Builder {
        self.declared.push(file);
        self
    }

    /// Enables a declared file that is not enabled by default (Lona's
    /// `STATIC_FILES_ENABLED`).
    pub fn enable(&mut self, name: impl Into<String>) -> &mut Builder {
        self.enabled.push(name.into());
        self
    }

    /// Disables a declared file (Lona's `STATIC_FILES_DISABLED`): it is not linked and its URL
    /// answers 404. Disabling wins over enabling.
    pub fn disable(&mut self, name: impl Into<String>) -> &mut Builder {
        self.disabled.push(name.into());
        self
    }

    /// Replaces the clock of revalidation (tests only).
    #[cfg(test)]
    pub(crate) fn clock(
        &mut self,
        clock: impl Fn() -> Instant + Send + Sync + 'static,
    ) -> &mut Builder {
        self.clock = Some(Clock(Arc::new(clock)));
        self
    }

    /// Checks the configuration and builds the [`StaticFiles`]; hashes the embedded files.
    ///
    /// # Errors
    ///
    /// [`StaticError::Prefix`] for a prefix without its slashes, [`StaticError::Root`] for a
    /// directory that does not exist, [`StaticError::Name`] for an invalid embedded or
    /// declared name, [`StaticError::Declared`] for an enabled declared file in no root.
    pub fn build(&self) -> Result<StaticFiles, StaticError> {
        if !self.prefix.starts_with('/') || !self.prefix.ends_with('/') {
            return Err(StaticError::Prefix(self.prefix.clone()));
        }
        let mut dirs = Vec::with_capacity(self.dirs.len());
        for dir in &self.dirs {
            let root = std::fs::canonicalize(dir)
                .and_then(|root| {
                    if root.is_dir() {
                        Ok(root)
                    } else {
                        Err(std::io::Error::other("not a directory"))
                    }
                })
                .map_err(|source| StaticError::Root {
                    path: dir.clone(),
                    source,
                })?;
            dirs.push(root);
        }
        let mut embedded = Vec::with_capacity(self.embedded.len());
        for (prefix, files) in &self.embedded {
            let prefix = prefix.trim_start_matches('/');
            let mut root = HashMap::with_capacity(files.len());
            for file in files {
                let name = format!("{prefix}{}", file.path);
                let rel = RelPath::from_name(&name).ok_or(StaticError::Name(name))?;
                root.entry(rel.as_str().to_owned())
                    .or_insert_with(|| Embedded::new(*file));
            }
            embedded.push(root);
        }
        let clock = self
            .clock
            .clone()
            .unwrap_or_else(|| Clock(Arc::new(Instant::now)));
        let epoch = (clock.0)();
        let mut files = StaticFiles {
            prefix: self.prefix.clone(),
            serve: self.serve,
            warned: AtomicBool::new(false),
            revalidate_nanos: u64::try_from(self.revalidate.as_nanos()).unwrap_or(u64::MAX),
            file_limit: self.file_limit,
            total_limit: self.total_limit,
            used: AtomicUsize::new(0),
            dirs,
            embedded,
            declared: Declared::default(),
            cache: RwLock::new(HashMap::new()),
            clock,
            epoch,
        };
        files.declared = Declared::new(
            |rel| files.resolve(rel).is_some(),
            &self.declared,
            &self.enabled,
            &self.disabled,
        )?;
        // Warm the cache with the embedded files, so `lookup_cached` answers them at once.
        let names: Vec<RelPath> = files
            .embedded_names()
            .filter_map(RelPath::from_name)
            .collect();
        for name in names {
            let _ = files.current_entry(&name, false);
        }
        Ok(files)
    }
}

/// Static files: directories and embedded sets behind one URL prefix, with cached hashes and
/// small files in memory.
///
/// # Behaviour
///
/// * **Lookup.** The path after the prefix is percent-decoded once and validated; the roots
///   are searched in order (directories as added, then embedded sets as added) and the first
///   that has a regular file wins. A directory found first stops the search with a 404, as in
///   Lona.
/// * **404** (never 400 or 403, so nothing is revealed) for: a path outside the prefix, an
///   empty path or empty segment (`a//b`, a trailing `/`), `.` or `..` segments, any segment
///   starting with `.` (dotfiles), encoded separators (`%2f`, `%5c`), backslashes, `:`
///   (drive letters), NUL and control characters, invalid percent-encoding or UTF-8, paths
///   over 1024 bytes or segments over 255, a file used as a directory, a directory, anything
///   but a regular file, a symlink that leads out of its root, a disabled declared file, a
///   hashed URL whose hash is not the file's, and every request when serving is off.
/// * **405** with `Allow: GET, HEAD` for other methods.
/// * **Caching.** Plain URLs get `Cache-Control: no-cache` and a strong `ETag` (a SHA-256 of
///   the bytes sent) to revalidate with; hashed URLs (`name.<16 hex>.ext`, see
///   [`hashed_url`](StaticFiles::hashed_url)) get a year and `immutable`. Directory files
///   have `Last-Modified`. `If-None-Match` (weak comparison, `*`) wins over
///   `If-Modified-Since`; both give 304.
/// * **Ranges.** One range (`bytes=a-b`, `a-`, `-n`) gives 206 with `Content-Range`, an
///   unsatisfiable one 416 with `Content-Range: bytes */len`; several ranges, a malformed
///   header, a failed `If-Range` or a `HEAD` give the whole file.
/// * **Precompressed siblings.** `file.br` or `file.gz` next to `file` (in the same root) is
///   sent with `Content-Encoding` when `Accept-Encoding` allows it (`q=0` refuses; brotli
///   wins ties); compressible types and files with siblings carry `Vary: Accept-Encoding`.
#[derive(Debug)]
pub struct StaticFiles {
    prefix: String,
    serve: bool,
    warned: AtomicBool,
    revalidate_nanos: u64,
    file_limit: u64,
    total_limit: usize,
    /// Bytes held by cache entries.
    used: AtomicUsize,
    /// Canonical directory roots, in order.
    dirs: Vec<PathBuf>,
    /// Embedded sets, in order, by full relative name.
    embedded: Vec<HashMap<String, Embedded>>,
    pub(crate) declared: Declared,
    cache: RwLock<HashMap<String, Arc<Entry>>>,
    clock: Clock,
    epoch: Instant,
}

impl StaticFiles {
    /// A builder with the defaults: prefix `/static/`, serving on, revalidation every second,
    /// files up to 64 KiB cached in memory, up to 64 MiB in all.
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// The URL prefix, e.g. `/static/`.
    pub fn url_prefix(&self) -> &str {
        &self.prefix
    }

    /// Whether `path` (a URL path) is under the prefix, i.e. a request for us.
    pub fn handles(&self, path: &str) -> bool {
        path.starts_with(&self.prefix)
    }

    /// Answers a request, touching the file system if it must (resolving a path, reading a
    /// file, checking a cache entry older than the revalidation interval, opening a big
    /// file). Call it on a blocking thread (the server's static pool). Never fails: every
    /// refusal is a response (see [`StaticFiles`] for the rules).
    pub fn respond(&self, request: &StaticRequest<'_>) -> StaticResponse {
        let (rel, hashed) = match self.route(request) {
            Ok(target) => target,
            Err(response) => return response,
        };
        if let Some((plain, hash)) = &hashed
            && let Some(response) = self.serve_key(request, plain, Some(hash))
        {
            return response;
        }
        self.serve_key(request, &rel, None)
            .unwrap_or_else(|| StaticResponse::not_found(request.method))
    }

    /// Answers a request from memory alone, without any system call (the clock aside), so it
    /// is safe on an async worker: `Some` for a refusal (404, 405) or for a fresh cache entry
    /// whose answer needs no file (small files, embedded files, 304s, `HEAD`); `None` when
    /// [`respond`](StaticFiles::respond) must run on the static pool.
    pub fn lookup_cached(&self, request: &StaticRequest<'_>) -> Option<StaticResponse> {
        let (rel, hashed) = match self.route(request) {
            Ok(target) => target,
            Err(response) => return Some(response),
        };
        let cache = self.cache.read();
        if let Some((plain, hash)) = &hashed {
            let entry = cache.get(plain.as_str()).filter(|e| self.is_fresh(e))?;
            if *entry.url_hash == **hash {
                return self.answer_cached(request, entry, true);
            }
        }
        let entry = cache.get(rel.as_str()).filter(|e| self.is_fresh(e))?;
        self.answer_cached(request, entry, false)
    }

    /// The hashed URL of a static file, with the prefix (`/static/lona/lona.3f2a9c0d1e2b4f67.js`),
    /// percent-encoded; `None` if no root has the file (or it is disabled). `name` is relative
    /// to the prefix (a leading `/` is ignored) and not percent-encoded.
    ///
    /// Cheap when the file is in the cache and fresh; otherwise it resolves and hashes the
    /// file (file system calls), as `respond` does.
    pub fn hashed_url(&self, name: &str) -> Option<String> {
        let rel = RelPath::from_name(name.trim_start_matches('/'))?;
        let hash = self.url_hash(&rel)?;
        Some(format!(
            "{}{}",
            self.prefix,
            percent_encode_path(&rel.hashed(&hash))
        ))
    }

    /// The plain URL of a static file, with the prefix and percent-encoded; `None` if `name`
    /// is not a valid name. Does not look at the roots.
    pub fn url(&self, name: &str) -> Option<String> {
        let rel = RelPath::from_name(name.trim_start_matches('/'))?;
        Some(format!(
            "{}{}",
            self.prefix,
            percent_encode_path(rel.as_str())
        ))
    }

    pub(crate) fn url_hash(&self, rel: &RelPath) -> Option<Box<str>> {
        let (entry, _) = self.current_entry(rel, false)?;
        Some(entry.url_hash.clone())
    }

    /// Checks what does not need the file system. `Err` is the answer; `Ok` the validated path
    /// and, if its last segment looks hashed, the plain path and the hash.
    fn route(
        &self,
        request: &StaticRequest<'_>,
    ) -> Result<(RelPath, Option<(RelPath, String)>), StaticResponse> {
        if !self.serve {
            if !self.warned.swap(true, Ordering::Relaxed) {
                // The client's path, cut short; a `&str` field is written escaped (Debug).
                let path = request
                    .path
                    .char_indices()
                    .nth(256)
                    .map_or(request.path, |(at, _)| &request.path[..at]);
                tracing::warn!(
                    path,
                    "a static file request reached the app although serving static files is \
                     off: the reverse proxy seems to be misconfigured"
                );
            }
            return Err(StaticResponse::not_found(request.method));
        }
        let path = request.path;
        let path = path.split(['?', '#']).next().unwrap_or(path);
        let Some(rest) = path.strip_prefix(&self.prefix) else {
            return Err(StaticResponse::not_found(request.method));
        };
        if request.method != "GET" && request.method != "HEAD" {
            return Err(StaticResponse::method_not_allowed());
        }
        let Some(rel) = RelPath::from_url(rest) else {
            return Err(StaticResponse::not_found(request.method));
        };
        let hashed = rel
            .split_hash()
            .map(|(plain, hash)| (plain, hash.to_owned()));
        Ok((rel, hashed))
    }

    /// Serves `key` (a plain path), if it resolves (and has hash `expect_hash`, if given).
    fn serve_key(
        &self,
        request: &StaticRequest<'_>,
        key: &RelPath,
        expect_hash: Option<&str>,
    ) -> Option<StaticResponse> {
        let mut skip_cache = false;
        // The second round rebuilds the entry and answers with the files it opened, so it
        // cannot be stale again.
        for _ in 0..2 {
            let (entry, mut held) = self.current_entry(key, skip_cache)?;
            if expect_hash.is_some_and(|hash| *entry.url_hash != *hash) {
                return None;
            }
            match answer(request, &entry, expect_hash.is_some(), &mut held, true) {
                Answer::Response(response) => return Some(response),
                Answer::Stale | Answer::NeedsFile => skip_cache = true,
            }
        }
        None
    }

    fn answer_cached(
        &self,
        request: &StaticRequest<'_>,
        entry: &Entry,
        hashed: bool,
    ) -> Option<StaticResponse> {
        match answer(request, entry, hashed, &mut Vec::new(), false) {
            Answer::Response(response) => Some(response),
            Answer::NeedsFile | Answer::Stale => None,
        }
    }

    fn now_nanos(&self) -> u64 {
        let elapsed = (self.clock.0)().saturating_duration_since(self.epoch);
        u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX)
    }

    /// Whether an entry may be used without looking at the file system. With no directory
    /// root nothing can change (embedded files only); otherwise entries expire after the
    /// revalidation interval, since a file may have changed or a directory may now shadow an
    /// embedded file.
    fn is_fresh(&self, entry: &Entry) -> bool {
        if self.dirs.is_empty() {
            return true;
        }
        let checked_at = entry.checked_at.load(Ordering::Relaxed);
        self.now_nanos().saturating_sub(checked_at) < self.revalidate_nanos
    }

    /// The entry of `key`: the cached one if fresh, else checked against the file system and
    /// rebuilt if anything changed. `None` if the path does not resolve.
    pub(crate) fn current_entry(
        &self,
        key: &RelPath,
        skip_cache: bool,
    ) -> Option<(Arc<Entry>, HeldFiles)> {
        let cached = self.cache.read().get(key.as_str()).cloned();
        if let Some(entry) = &cached
            && !skip_cache
            && self.is_fresh(entry)
        {
            return Some((Arc::clone(entry), Vec::new()));
        }
        let Some((found, stamp)) = self.resolve_with_stamp(key) else {
            if let Some(old) = self.cache.write().remove(key.as_str()) {
                self.used.fetch_sub(old.memory, Ordering::Relaxed);
            }
            return None;
        };
        if let Some(entry) = cached
            && !skip_cache
            && self.unchanged(key, &entry, &found, stamp.as_ref())
        {
            entry.checked_at.store(self.now_nanos(), Ordering::Relaxed);
            return Some((entry, Vec::new()));
        }
        let (entry, held) = self.load(key, found)?;
        let entry = self.insert(key, entry);
        Some((entry, held))
    }

    /// Searches the roots for `rel`: first match wins.
    pub(crate) fn resolve(&self, rel: &RelPath) -> Option<Found> {
        self.resolve_with_stamp(rel).map(|(found, _)| found)
    }

    /// [`resolve`](StaticFiles::resolve), with the stamp of a directory file.
    fn resolve_with_stamp(&self, rel: &RelPath) -> Option<(Found, Option<Stamp>)> {
        if self.declared.is_disabled(rel) {
            return None;
        }
        for (root, dir) in self.dirs.iter().enumerate() {
            match probe(dir, rel) {
                Probe::Missing => {}
                Probe::Refused => return None,
                Probe::File(path, meta) => {
                    return Some((Found::Dir { root, path }, Some(Stamp::of(&meta))));
                }
            }
        }
        for (root, set) in self.embedded.iter().enumerate() {
            if set.contains_key(rel.as_str()) {
                let name = rel.as_str().to_owned();
                return Some((Found::Embedded { root, name }, None));
            }
        }
        None
    }

    /// Whether the files behind `entry` are still those it describes: the same root and file,
    /// the same stamps, the same siblings.
    fn unchanged(
        &self,
        key: &RelPath,
        entry: &Entry,
        found: &Found,
        stamp: Option<&Stamp>,
    ) -> bool {
        if entry.found != *found {
            return false;
        }
        let Found::Dir { root, path } = found else {
            return true;
        };
        let dir = &self.dirs[*root];
        for encoding in std::iter::once(Encoding::Identity).chain(Encoding::SIBLINGS) {
            let now = if encoding == Encoding::Identity {
                stamp.map(|stamp| (path.clone(), stamp.clone()))
            } else {
                match probe(dir, &key.with_suffix(encoding.suffix())) {
                    Probe::File(path, meta) => Some((path, Stamp::of(&meta))),
                    Probe::Missing | Probe::Refused => None,
                }
            };
            let was = entry
                .variants
                .iter()
                .find(|v| v.encoding == encoding)
                .and_then(|v| v.disk.as_ref());
            match (now, was) {
                (None, None) => {}
                (Some((path, stamp)), Some(disk)) if path == disk.path && stamp == disk.stamp => {}
                _ => return false,
            }
        }
        true
    }

    /// Builds the entry of a resolved path, reading (small) or hashing (big) every
    /// representation. `None` if the file cannot be read.
    pub(crate) fn load(&self, key: &RelPath, found: Found) -> Option<(Entry, HeldFiles)> {
        let mut variants = Vec::new();
        let mut held = Vec::new();
        let content_type;
        match &found {
            Found::Dir { root, path } => {
                content_type = mime::content_type(key.as_str());
                let (variant, file) = load_disk(Encoding::Identity, path, self.file_limit).ok()?;
                variants.push(variant);
                held.push((Encoding::Identity, file));
                for encoding in Encoding::SIBLINGS {
                    let sibling = key.with_suffix(encoding.suffix());
                    if let Probe::File(path, _) = probe(&self.dirs[*root], &sibling)
                        && let Ok((variant, file)) = load_disk(encoding, &path, self.file_limit)
                    {
                        variants.push(variant);
                        held.push((encoding, file));
                    }
                }
            }
            Found::Embedded { root, name } => {
                let set = &self.embedded[*root];
                let file = set.get(name)?;
                content_type = file.file.content_type;
                variants.push(embedded_variant(Encoding::Identity, file));
                for encoding in Encoding::SIBLINGS {
                    if let Some(sibling) = set.get(&format!("{name}{}", encoding.suffix())) {
                        variants.push(embedded_variant(encoding, sibling));
                    }
                }
            }
        }
        let url_hash = variants[0].etag[1..=URL_HASH_LEN].into();
        let entry = Entry {
            found,
            content_type,
            compressible: mime::is_compressible(content_type),
            url_hash,
            variants,
            checked_at: AtomicU64::new(self.now_nanos()),
            memory: 0,
        };
        Some((entry, held))
    }

    /// Puts an entry in the cache within the memory budget (over it, the entry keeps its
    /// hashes but its files stream from disk), replacing the previous one.
    fn insert(&self, key: &RelPath, mut entry: Entry) -> Arc<Entry> {
        let wanted: usize = entry
            .variants
            .iter()
            .filter(|v| matches!(v.memory, Some(Memory::Shared(_))))
            .map(|v| usize::try_from(v.len).unwrap_or(usize::MAX))
            .sum();
        let reserved = self
            .used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                used.checked_add(wanted).filter(|t| *t <= self.total_limit)
            })
            .is_ok();
        if reserved {
            entry.memory = wanted;
        } else {
            for variant in &mut entry.variants {
                if matches!(variant.memory, Some(Memory::Shared(_))) {
                    variant.memory = None;
                }
            }
        }
        let entry = Arc::new(entry);
        let old = self
            .cache
            .write()
            .insert(key.as_str().to_owned(), Arc::clone(&entry));
        if let Some(old) = old {
            self.used.fetch_sub(old.memory, Ordering::Relaxed);
        }
        entry
    }

    /// Bytes held by the cache (for tests and metrics).
    #[cfg(test)]
    pub(crate) fn cached_bytes(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    /// The directory roots, canonical (for collect).
    pub(crate) fn dirs(&self) -> &[PathBuf] {
        &self.dirs
    }

    /// The names of every embedded file (for collect).
    pub(crate) fn embedded_names(&self) -> impl Iterator<Item = &str> {
        self.embedded
            .iter()
            .flat_map(|set| set.keys().map(String::as_str))
    }
}

impl StaticFiles {
    /// The `<link rel="stylesheet">` tags of the enabled, linked stylesheets, one per line,
    /// with hashed URLs (Lona's `load_stylesheets()`).
    pub fn style_tags(&self) -> String {
        self.render_tags(FileKind::Css)
    }

    /// The `<script>` tags of the enabled, linked scripts, one per line, with hashed URLs
    /// (Lona's `load_scripts()`).
    pub fn script_tags(&self) -> String {
        self.render_tags(FileKind::Js)
    }

    /// [`style_tags`](StaticFiles::style_tags) then [`script_tags`](StaticFiles::script_tags).
    ///
    /// ```
    /// use lona_static::{EmbeddedFile, StaticFile, StaticFiles};
    ///
    /// let files = StaticFiles::builder()
    ///     .add_embedded("", [EmbeddedFile::from_text("app.css", "text/css", "b{}")])
    ///     .declare(StaticFile::css("app", "app.css"))
    ///     .build()?;
    /// assert!(files.tags().starts_with("<link rel=\"stylesheet\" href=\"/static/app."));
    /// # Ok::<(), lona_static::StaticError>(())
    /// ```
    pub fn tags(&self) -> String {
        let mut tags = self.style_tags();
        tags.push_str(&self.script_tags());
        tags
    }

    fn render_tags(&self, kind: FileKind) -> String {
        // A file deleted since startup keeps its plain URL rather than losing its tag.
        self.declared.render_tags(kind, |rel| {
            self.hashed_url(rel)
                .or_else(|| self.url(rel))
                .unwrap_or_default()
        })
    }
}

#[cfg(test)]
mod tests;
