//! Uploads, Lona's buckets: a private folder per view that the browser fills with
//! `multipart/form-data` posts, and the HTTP endpoints that add, delete, list and serve its
//! files.
//!
//! A view makes a [`Bucket`]; the bucket lives until the view is cleaned up, then its folder is
//! deleted. Its URLs, under `Settings::bucket_url_prefix` (`/buckets/`):
//!
//! | Request | Answer |
//! |---|---|
//! | `POST <prefix><id>/add` | Stores every file of a multipart body; 200, or 302 with `?redirect=/path` |
//! | `POST <prefix><id>/delete` | Deletes the file named by the form field `name` |
//! | `GET <prefix><id>/` | An HTML index with add and delete forms, if the bucket has one |
//! | `GET <prefix><id>/<name>` | The file, with its content type |
//!
//! What Lona gets wrong and this module does not (Lona's quirk Q7): the id is 190 random bits,
//! not a request id and a uuid1; only the session that made the bucket may use it (403 for any
//! other); and a browser's file name is only ever a display name: files are stored under
//! generated names, so `../../etc/passwd` is a name like any other.
//!
//! Uploads stream to disk as they arrive, one bounded buffer at a time, on the static pool; the
//! limits are checked while streaming, and a refused upload leaves nothing behind.

use std::collections::HashMap;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use futures_util::Stream;
use http_body_util::{BodyExt, Limited};
use hyper::body::{Body as _, Bytes, Incoming};

use crate::body_timeout::TimedBody;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request as HttpRequest, Response, StatusCode};
use lona_html::Node;
use lona_html::tags;
use lona_protocol::client::PostValue;
use lona_runtime::{Pool, SessionId, ViewHandle};
use parking_lot::Mutex;

use crate::http::{Body, State, full};
use crate::settings::Settings;

/// Bytes a multipart body may carry beyond its files: part headers, boundaries, text fields.
const OVERHEAD: u64 = 1024 * 1024;

/// Bytes the multipart parser may be fed without giving anything back (a part's headers that
/// never end): more is refused, so a body of endless headers cannot fill the memory. One frame
/// of hyper's is at most about 400 KiB, so a well-formed body never comes near.
const STALL_LIMIT: u64 = 1024 * 1024;

/// Bytes collected before one write job: few hops to the static pool, little memory per upload.
const WRITE_CHUNK: usize = 256 * 1024;

/// The largest body of a delete request.
const DELETE_BODY_LIMIT: usize = 64 * 1024;

/// After a refused upload, how much of the rest of the body is read (and dropped) so that the
/// browser gets the answer instead of a reset connection, and for how long.
const DRAIN_LIMIT: u64 = 1024 * 1024;
const DRAIN_TIME: Duration = Duration::from_secs(2);

/// The longest display name kept, in bytes.
const MAX_NAME: usize = 255;

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

/// Why a bucket could not be made.
#[derive(Debug)]
#[non_exhaustive]
pub enum BucketError {
    /// The view is not served by a `lona_server::App` (there is no bucket registry in its app
    /// state): buckets need the server that answers their URLs.
    NoServer,
    /// The bucket's folder could not be created: check that `Settings::bucket_dir` (or the
    /// system's temporary folder) exists and is writable.
    Io(std::io::Error),
}

impl fmt::Display for BucketError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BucketError::NoServer => f.write_str("buckets need a view served by lona's App"),
            BucketError::Io(error) => write!(f, "cannot create the bucket's folder: {error}"),
        }
    }
}

impl std::error::Error for BucketError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BucketError::NoServer => None,
            BucketError::Io(error) => Some(error),
        }
    }
}

/// What an `on_add` or `on_delete` hook is told.
#[derive(Debug)]
#[non_exhaustive]
pub struct BucketEvent<'a> {
    /// The view that owns the bucket: what the hook changes in its tree is sent when the hook
    /// returns.
    pub view: &'a ViewHandle,
    /// The bucket.
    pub bucket: &'a Bucket,
    /// The display names of the files added or deleted, in the order of the request.
    pub names: &'a [String],
}

/// A hook of a bucket.
type Hook = Arc<dyn Fn(&BucketEvent<'_>) + Send + Sync>;

/// The view's handle and the hooks; dropped when the bucket closes, which breaks the cycle of
/// a hook that holds its own bucket or view.
#[derive(Clone)]
struct Hooks {
    view: ViewHandle,
    on_add: Option<Hook>,
    on_delete: Option<Hook>,
}

/// One stored file: the name the browser gave and the name on disk.
#[derive(Debug, Clone)]
struct Stored {
    name: String,
    stored: String,
    size: u64,
}

#[derive(Debug, Default)]
struct Files {
    list: Vec<Stored>,
    /// The number of the next stored name; names are never reused in a bucket.
    next: u64,
}

/// What the view's handles, the registry and the HTTP side share.
struct Shared {
    id: String,
    dir: PathBuf,
    prefix: String,
    session: SessionId,
    limits: BucketLimits,
    index: bool,
    files: Mutex<Files>,
    /// Adds and deletes run one at a time per bucket, as in Lona: an upload checks its limits
    /// against files that cannot change under it.
    writes: tokio::sync::Mutex<()>,
    closed: AtomicBool,
    hooks: Mutex<Option<Hooks>>,
    registry: Weak<Registry>,
}

impl Shared {
    fn path_of(&self, stored: &str) -> PathBuf {
        self.dir.join(stored)
    }

    fn lookup(&self, name: &str) -> Option<Stored> {
        self.files
            .lock()
            .list
            .iter()
            .find(|f| f.name == name)
            .cloned()
    }

    fn reserve_name(&self) -> String {
        let mut files = self.files.lock();
        files.next += 1;
        format!("upload-{:06}", files.next)
    }

    fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Unregisters the bucket, drops its hooks and deletes its folder; the first call only.
    /// Runs on the worker pool (at the view's cleanup) or where the registry is dropped.
    fn close(&self) {
        if self.closed.swap(true, Ordering::AcqRel) {
            return;
        }
        let hooks = self.hooks.lock().take();
        drop(hooks);
        if let Some(registry) = self.registry.upgrade() {
            registry.buckets.lock().remove(&self.id);
        }
        self.files.lock().list.clear();
        remove_dir(&self.dir);
    }
}

fn remove_dir(dir: &Path) {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => tracing::warn!(%error, dir = %dir.display(), "cannot delete a bucket"),
    }
}

/// Deletes the bucket when the view is cleaned up (kept with `keep_until_cleanup`).
struct Guard(Arc<Shared>);

impl Drop for Guard {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// The server's buckets by id, in the runtime's app state so that views find it.
pub(crate) struct Registry {
    prefix: String,
    dir: PathBuf,
    buckets: Mutex<HashMap<String, Arc<Shared>>>,
}

impl Registry {
    pub(crate) fn new(settings: &Settings) -> Registry {
        let mut prefix = settings.bucket_url_prefix.clone();
        if !prefix.ends_with('/') {
            prefix.push('/');
        }
        Registry {
            prefix,
            dir: settings
                .bucket_dir
                .clone()
                .unwrap_or_else(std::env::temp_dir),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn get(&self, id: &str) -> Option<Arc<Shared>> {
        self.buckets.lock().get(id).cloned()
    }

    /// The open buckets for the admin shell's `buckets`, by id: a shortened id and session
    /// (both are secrets), the files and bytes held, and the limits.
    pub(crate) fn listing(&self) -> serde_json::Value {
        let mut buckets: Vec<Arc<Shared>> = self.buckets.lock().values().cloned().collect();
        buckets.sort_by(|a, b| a.id.cmp(&b.id));
        let short = |secret: &str| secret.chars().take(8).collect::<String>() + "…";
        serde_json::Value::Array(
            buckets
                .iter()
                .map(|bucket| {
                    let files = bucket.files.lock();
                    serde_json::json!({
                        "id": short(&bucket.id),
                        "session": short(&bucket.session.0),
                        "files": files.list.len(),
                        "bytes": files.list.iter().map(|f| f.size).sum::<u64>(),
                        "max_files": bucket.limits.max_files,
                        "max_size": bucket.limits.max_size,
                        "max_file_size": bucket.limits.max_file_size,
                        "folder": bucket.dir.display().to_string(),
                    })
                })
                .collect(),
        )
    }
}

impl Drop for Registry {
    /// A server that goes away takes its buckets' folders with it, even those of views that
    /// were never cleaned up.
    fn drop(&mut self) {
        let buckets = std::mem::take(&mut *self.buckets.lock());
        for bucket in buckets.values() {
            bucket.close();
        }
    }
}

/// A folder for a view's uploads (Lona's `Bucket`): files the browser posts to
/// [`Bucket::add_url`] land here, and it is deleted with everything in it when the view is
/// cleaned up. Cheap to clone; every clone is the same bucket.
///
/// ```no_run
/// use lona_html::tags;
/// use lona_runtime::{Context, Request, Response, View, ViewResult};
/// use lona_server::{Bucket, BucketLimits};
///
/// struct Upload;
///
/// impl View for Upload {
///     fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
///         let list = tags::ul();
///         let bucket = Bucket::builder()
///             .limits(BucketLimits::default().with_max_files(10))
///             .on_add({
///                 let list = list.clone();
///                 move |event| {
///                     for name in event.names {
///                         list.append(tags::li().with_text(name.as_str()));
///                     }
///                 }
///             })
///             .build(cx)?;
///         // An iframe target keeps the page (and the view) while the form posts.
///         let form = tags::form()
///             .with_attr("action", bucket.add_url())
///             .with_attr("method", "post")
///             .with_attr("enctype", "multipart/form-data")
///             .with_attr("target", "uploads")
///             .with_child(tags::input().with_attr("type", "file").with_attr("name", "files"))
///             .with_child(tags::input().with_attr("type", "submit"));
///         let frame = tags::iframe().with_attr("name", "uploads").with_attr("hidden", "");
///         Ok(Response::Node(tags::div().with_child(form).with_child(frame).with_child(list)))
///     }
/// }
/// ```
#[derive(Clone)]
pub struct Bucket {
    shared: Arc<Shared>,
}

impl fmt::Debug for Bucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bucket")
            .field("id", &self.shared.id)
            .field("dir", &self.shared.dir)
            .field("limits", &self.shared.limits)
            .field("closed", &self.shared.is_closed())
            .finish_non_exhaustive()
    }
}

/// Makes a [`Bucket`] with hooks or without an index; see [`Bucket::builder`].
#[derive(Default)]
pub struct BucketBuilder {
    limits: BucketLimits,
    no_index: bool,
    on_add: Option<Hook>,
    on_delete: Option<Hook>,
}

impl fmt::Debug for BucketBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BucketBuilder")
            .field("limits", &self.limits)
            .field("index", &!self.no_index)
            .field("on_add", &self.on_add.is_some())
            .field("on_delete", &self.on_delete.is_some())
            .finish()
    }
}

impl BucketBuilder {
    /// The limits; [`BucketLimits::default`] if not set.
    pub fn limits(&mut self, limits: BucketLimits) -> &mut Self {
        self.limits = limits;
        self
    }

    /// Whether `GET` of [`Bucket::index_url`] lists the files with add and delete forms (Lona's
    /// `index`); on by default. Without it the index answers 404.
    pub fn index(&mut self, index: bool) -> &mut Self {
        self.no_index = !index;
        self
    }

    /// Runs `hook` after every successful upload, with the names of the files it added (Lona's
    /// `on_add`). The hook runs on a worker-pool thread, before the upload is answered; what it
    /// changes in the view's tree is sent when it returns. A hook that panics makes the upload
    /// answer 500; its files stay.
    pub fn on_add(&mut self, hook: impl Fn(&BucketEvent<'_>) + Send + Sync + 'static) -> &mut Self {
        self.on_add = Some(Arc::new(hook));
        self
    }

    /// Runs `hook` after a file was deleted through [`Bucket::delete_url`], with its name
    /// (Lona's `on_delete`); on a worker-pool thread, as [`BucketBuilder::on_add`].
    pub fn on_delete(
        &mut self,
        hook: impl Fn(&BucketEvent<'_>) + Send + Sync + 'static,
    ) -> &mut Self {
        self.on_delete = Some(Arc::new(hook));
        self
    }

    /// Makes the bucket for the view of `cx` (a [`lona_runtime::Context`],
    /// [`lona_runtime::AsyncContext`] or [`lona_runtime::EventContext`]): creates its private
    /// folder (mode 0700) and registers it with the server. Only the session of the view's
    /// request may use it. The hooks are taken out of the builder.
    ///
    /// Creating the folder is a quick blocking call; from an async view it runs on the
    /// executor's thread.
    ///
    /// # Errors
    ///
    /// [`BucketError::NoServer`] if the view does not run in a `lona_server::App`;
    /// [`BucketError::Io`] if the folder cannot be created.
    pub fn build(&mut self, cx: &ViewHandle) -> Result<Bucket, BucketError> {
        let registry = cx.state::<Registry>().ok_or(BucketError::NoServer)?;
        let id = crate::session::random_token();
        let dir = registry.dir.join(format!("lona-bucket-{id}"));
        create_private_dir(&registry.dir, &dir).map_err(BucketError::Io)?;
        let shared = Arc::new(Shared {
            id: id.clone(),
            dir,
            prefix: registry.prefix.clone(),
            session: cx.request().session.clone(),
            limits: self.limits,
            index: !self.no_index,
            files: Mutex::new(Files::default()),
            writes: tokio::sync::Mutex::new(()),
            closed: AtomicBool::new(false),
            hooks: Mutex::new(Some(Hooks {
                view: cx.clone(),
                on_add: self.on_add.take(),
                on_delete: self.on_delete.take(),
            })),
            registry: Arc::downgrade(&registry),
        });
        registry.buckets.lock().insert(id, Arc::clone(&shared));
        // A view that is cleaned up already drops the guard at once: the bucket closes.
        cx.keep_until_cleanup(Guard(Arc::clone(&shared)));
        Ok(Bucket { shared })
    }
}

fn create_private_dir(base: &Path, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(base)?;
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(dir)
}

impl Bucket {
    /// A bucket for the view of `cx` with `limits`, an index and no hooks (Lona's
    /// `Bucket(request, max_files, max_size)`); see [`BucketBuilder::build`].
    ///
    /// # Errors
    ///
    /// As [`BucketBuilder::build`].
    pub fn new(cx: &ViewHandle, limits: BucketLimits) -> Result<Bucket, BucketError> {
        Bucket::builder().limits(limits).build(cx)
    }

    /// A builder, for hooks and the index switch.
    pub fn builder() -> BucketBuilder {
        BucketBuilder::default()
    }

    /// The bucket's id: 32 random characters, the part of its URLs nobody can guess.
    pub fn id(&self) -> &str {
        &self.shared.id
    }

    /// The bucket's folder (Lona's `get_path()`). Files in it have generated names; use
    /// [`Bucket::path`] to find one by the name the browser gave.
    pub fn dir(&self) -> &Path {
        &self.shared.dir
    }

    /// The limits.
    pub fn limits(&self) -> BucketLimits {
        self.shared.limits
    }

    /// The names of the files, as the browser gave them (cleaned of control characters), in
    /// the order they were added (Lona's `get_file_names()`).
    pub fn file_names(&self) -> Vec<String> {
        let files = self.shared.files.lock();
        files.list.iter().map(|f| f.name.clone()).collect()
    }

    /// Where the file the browser named `name` is stored (Lona's `get_path(name)`), if there is
    /// one. The path is always inside [`Bucket::dir`], whatever the name.
    pub fn path(&self, name: &str) -> Option<PathBuf> {
        let stored = self.shared.lookup(name)?;
        Some(self.shared.path_of(&stored.stored))
    }

    /// The bytes all files take (Lona's `get_size()`).
    pub fn size(&self) -> u64 {
        self.shared.files.lock().list.iter().map(|f| f.size).sum()
    }

    /// The URL that serves the file named `name` (Lona's `get_url(name)`), the name
    /// percent-encoded.
    pub fn url(&self, name: &str) -> String {
        format!("{}{}", self.index_url(), encode_name(name))
    }

    /// The URL of the bucket's index page (Lona's `get_url()`).
    pub fn index_url(&self) -> String {
        format!("{}{}/", self.shared.prefix, self.shared.id)
    }

    /// The URL a `multipart/form-data` form posts files to (Lona's `get_add_url()`).
    pub fn add_url(&self) -> String {
        format!("{}add", self.index_url())
    }

    /// The URL a form posts a `name` field to, to delete that file (Lona's
    /// `get_delete_url()`).
    pub fn delete_url(&self) -> String {
        format!("{}delete", self.index_url())
    }

    /// Whether the bucket is closed: its view was cleaned up and its folder deleted.
    pub fn is_closed(&self) -> bool {
        self.shared.is_closed()
    }
}

/// Percent-encodes a display name for a URL path: everything but letters, digits and `.-_`.
fn encode_name(name: &str) -> String {
    percent_encoding::utf8_percent_encode(name, crate::http::URL_ESCAPED).to_string()
}

/// Decodes a name from a URL path: `%XX` escapes only (a `+` is a plus here), `None` for a
/// broken escape or invalid UTF-8.
fn decode_name(encoded: &str) -> Option<String> {
    // The crate passes a broken escape through as it is; a name with one was never encoded
    // by `encode_name`, so it names no file.
    let broken = encoded.match_indices('%').any(|(i, _)| {
        encoded
            .get(i + 1..i + 3)
            .is_none_or(|hex| !hex.bytes().all(|b| b.is_ascii_hexdigit()))
    });
    if broken {
        return None;
    }
    let decoded = percent_encoding::percent_decode_str(encoded)
        .decode_utf8()
        .ok()?;
    Some(decoded.into_owned())
}

/// The display name kept for a browser's file name: without control characters and bidi
/// overrides (which could disguise a name), trimmed, at most [`MAX_NAME`] bytes; `None` if
/// nothing is left (a file input left empty sends an empty name).
fn display_name(raw: &str) -> Option<String> {
    let mut name = String::with_capacity(raw.len().min(MAX_NAME));
    for c in raw.trim().chars() {
        let bidi = matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        if c.is_control() || bidi {
            continue;
        }
        if name.len() + c.len_utf8() > MAX_NAME {
            break;
        }
        name.push(c);
    }
    let name = name.trim();
    (!name.is_empty()).then(|| name.to_owned())
}

/// Why a bucket request is refused; each becomes a status and a plain-text explanation.
#[derive(Debug)]
enum Refusal {
    NoBucket,
    OtherSession,
    NoSuchFile,
    NoIndex,
    Method,
    NotMultipart,
    Malformed(String),
    NoFile,
    TooManyFiles(usize),
    FileTooLarge(u64),
    TooLarge(u64),
    Busy,
    Io(std::io::Error),
    HookPanicked,
    /// The body stalled for `body_idle_timeout`.
    TimedOut,
}

impl Refusal {
    fn status(&self) -> StatusCode {
        match self {
            Refusal::NoBucket | Refusal::NoSuchFile | Refusal::NoIndex => StatusCode::NOT_FOUND,
            Refusal::OtherSession => StatusCode::FORBIDDEN,
            Refusal::Method => StatusCode::METHOD_NOT_ALLOWED,
            Refusal::NotMultipart
            | Refusal::Malformed(_)
            | Refusal::NoFile
            | Refusal::TooManyFiles(_) => StatusCode::BAD_REQUEST,
            Refusal::FileTooLarge(_) | Refusal::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Refusal::Busy => StatusCode::SERVICE_UNAVAILABLE,
            Refusal::Io(_) | Refusal::HookPanicked => StatusCode::INTERNAL_SERVER_ERROR,
            Refusal::TimedOut => StatusCode::REQUEST_TIMEOUT,
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NoBucket => f.write_str("no such bucket"),
            Refusal::OtherSession => f.write_str("this bucket belongs to another session"),
            Refusal::NoSuchFile => f.write_str("no such file in this bucket"),
            Refusal::NoIndex => f.write_str("this bucket has no index"),
            Refusal::Method => f.write_str("method not allowed"),
            Refusal::NotMultipart => f.write_str("expected a multipart/form-data body"),
            Refusal::Malformed(why) => write!(f, "malformed multipart body: {why}"),
            Refusal::NoFile => f.write_str("the upload holds no file"),
            Refusal::TooManyFiles(max) => {
                write!(f, "too many files: this bucket holds at most {max}")
            }
            Refusal::FileTooLarge(max) => {
                write!(f, "file too large: at most {max} bytes per file")
            }
            Refusal::TooLarge(max) => {
                write!(f, "upload too large: this bucket holds at most {max} bytes")
            }
            Refusal::Busy => f.write_str("the server is busy, try again"),
            Refusal::Io(error) => write!(f, "cannot store the file: {error}"),
            Refusal::HookPanicked => f.write_str("the app failed to handle the upload"),
            Refusal::TimedOut => f.write_str("the upload stalled"),
        }
    }
}

/// Whether `path` is a bucket URL.
pub(crate) fn handles(state: &State, path: &str) -> bool {
    let prefix = &state.settings.bucket_url_prefix;
    let bare = prefix.strip_suffix('/').unwrap_or(prefix);
    !bare.is_empty()
        && path
            .strip_prefix(bare)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Answers a request under the bucket prefix.
pub(crate) async fn serve(state: Arc<State>, request: HttpRequest<Incoming>) -> Response<Body> {
    let head = request.method() == Method::HEAD;
    let (timeout, runtime) = (state.settings.body_idle_timeout, state.runtime.clone());
    let request = request.map(|body| TimedBody::new(body, timeout, runtime));
    match answer(&state, request).await {
        Ok(response) => response,
        Err(refusal) => {
            if let Refusal::Io(error) = &refusal {
                tracing::error!(%error, "a bucket request failed");
            }
            let body = if head {
                String::new()
            } else {
                refusal.to_string()
            };
            let mut response = text(refusal.status(), body);
            if matches!(refusal, Refusal::TimedOut) {
                // The rest of the body may still come: the connection cannot be reused.
                response.headers_mut().insert(
                    header::CONNECTION,
                    header::HeaderValue::from_static("close"),
                );
            }
            response
        }
    }
}

fn text(status: StatusCode, body: String) -> Response<Body> {
    let mut response = Response::new(full(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    common_headers(headers);
    response
}

/// What every bucket answer carries: uploads are private, never cached or sniffed.
fn common_headers(headers: &mut hyper::HeaderMap) {
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
}

async fn answer(state: &State, request: HttpRequest<TimedBody>) -> Result<Response<Body>, Refusal> {
    let registry = state
        .runtime
        .state()
        .get::<Registry>()
        .ok_or(Refusal::NoBucket)?;
    let path = request.uri().path();
    let rest = path
        .strip_prefix(registry.prefix.as_str())
        .ok_or(Refusal::NoBucket)?;
    let (id, tail) = rest.split_once('/').unwrap_or((rest, ""));
    let bucket = registry.get(id).ok_or(Refusal::NoBucket)?;
    // The owner check comes before anything of the body is read.
    let owner = state
        .session(&request)
        .is_some_and(|session| same_secret(&session.0, &bucket.session.0));
    if !owner {
        return Err(Refusal::OtherSession);
    }
    let redirect = redirect_target(request.uri().query().unwrap_or_default());
    let method = request.method().clone();
    let tail = tail.to_owned();
    match (method, tail.as_str()) {
        (Method::POST, "add") => add(state, bucket, request, redirect).await,
        (Method::POST, "delete") => delete(state, bucket, request, redirect).await,
        (Method::GET | Method::HEAD, "") => index(&bucket, request.method() == Method::HEAD),
        (Method::GET | Method::HEAD, name) => {
            let name = decode_name(name).ok_or(Refusal::NoSuchFile)?;
            file(state, &bucket, &name, request.method() == Method::HEAD).await
        }
        _ => Err(Refusal::Method),
    }
}

/// Compares two secrets in a time that does not depend on where they differ.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The `redirect` argument of a query, if it is a path on this site: `/...`, not `//host` or
/// `/\host` (which browsers read as another host), and without control characters.
fn redirect_target(query: &str) -> Option<String> {
    let value = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| *name == "redirect")
        .map(|(_, value)| lona_runtime::percent_decode(value))?;
    let local = value.starts_with('/')
        && !value.starts_with("//")
        && !value.contains('\\')
        && !value.chars().any(char::is_control);
    local.then_some(value)
}

/// The answer to a successful add or delete: a redirect if asked for one, else the names, one
/// per line.
fn done(names: &[String], redirect: Option<String>) -> Response<Body> {
    let Some(location) = redirect.and_then(|r| HeaderValue::from_str(&r).ok()) else {
        let mut body = names.join("\n");
        body.push('\n');
        return text(StatusCode::OK, body);
    };
    let mut response = text(StatusCode::FOUND, String::new());
    response.headers_mut().insert(header::LOCATION, location);
    response
}

/// Runs `job` on `pool` and waits for it without holding a tokio worker. `admit` submits it
/// under the queue bound (the first job of a request); later jobs of an admitted request are
/// continuations.
async fn on_pool<T: Send + 'static>(
    pool: &Pool,
    admit: bool,
    job: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Refusal> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job = move || {
        let _ = tx.send(job());
    };
    if admit {
        pool.try_submit(job).map_err(|_| Refusal::Busy)?;
    } else {
        pool.submit_continuation(job);
    }
    // A pool that shut down drops the job, and with it the sender.
    rx.await.map_err(|_| Refusal::Busy)
}

/// Removes files of an upload that did not make it, on the static pool.
async fn remove_files(pool: &Pool, paths: Vec<PathBuf>) {
    if paths.is_empty() {
        return;
    }
    let removed = on_pool(pool, false, move || {
        for path in paths {
            let _ = std::fs::remove_file(path);
        }
    })
    .await;
    if removed.is_err() {
        // The pool is gone: the server is stopping, and closing the bucket deletes its folder.
        tracing::debug!("could not remove a refused upload's files");
    }
}

/// A file written by the upload in flight.
struct NewFile {
    name: String,
    stored: String,
    size: u64,
}

async fn add(
    state: &State,
    bucket: Arc<Shared>,
    request: HttpRequest<TimedBody>,
    redirect: Option<String>,
) -> Result<Response<Body>, Refusal> {
    let boundary = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            v.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("multipart/form-data"))
        })
        .and_then(|v| multer::parse_boundary(v).ok())
        .ok_or(Refusal::NotMultipart)?;
    let limits = bucket.limits;
    let stream_limit = limits.max_size.saturating_add(OVERHEAD);
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > stream_limit) {
        return Err(Refusal::TooLarge(limits.max_size));
    }
    let body = Arc::new(Mutex::new(request.into_body()));
    let pool = state.runtime.static_pool().clone();
    let outcome = {
        let _writes = bucket.writes.lock().await;
        let mut created = Vec::new();
        let received = receive(&bucket, &pool, &body, boundary, &mut created).await;
        let committed = match received {
            Ok(files) if files.is_empty() => Err(Refusal::NoFile),
            Ok(files) => commit(state, &bucket, files).await,
            Err(refusal) => Err(refusal),
        };
        if committed.is_err() {
            let paths = created.iter().map(|s| bucket.path_of(s)).collect();
            remove_files(&pool, paths).await;
        }
        committed
    };
    match outcome {
        Ok(names) => Ok(done(&names, redirect)),
        Err(refusal) => {
            drain(&body).await;
            Err(refusal)
        }
    }
}

/// Reads the multipart body and writes its files; `created` collects every stored name
/// written, so that the caller can remove them if the upload is refused. Returns the files to
/// commit, the later of two with the same name only.
async fn receive(
    bucket: &Shared,
    pool: &Pool,
    body: &Arc<Mutex<TimedBody>>,
    boundary: String,
    created: &mut Vec<String>,
) -> Result<Vec<NewFile>, Refusal> {
    let limits = bucket.limits;
    if bucket.is_closed() {
        return Err(Refusal::NoBucket);
    }
    let unparsed = Arc::new(AtomicU64::new(0));
    let stream = Metered {
        body: Arc::clone(body),
        yielded: false,
        unparsed: Arc::clone(&unparsed),
    };
    let size_limit =
        multer::SizeLimit::new().whole_stream(limits.max_size.saturating_add(OVERHEAD));
    let constraints = multer::Constraints::new().size_limit(size_limit);
    let mut multipart = multer::Multipart::with_constraints(stream, boundary, constraints);
    let existing: Vec<(String, u64)> = {
        let files = bucket.files.lock();
        files
            .list
            .iter()
            .map(|f| (f.name.clone(), f.size))
            .collect()
    };
    let mut count = existing.len();
    let mut total: u64 = existing.iter().map(|(_, size)| size).sum();
    let mut new_files: Vec<NewFile> = Vec::new();
    let mut first_job = true;
    while let Some(mut field) = multipart.next_field().await.map_err(refusal_of)? {
        unparsed.store(0, Ordering::Relaxed);
        let Some(name) = field.file_name().and_then(display_name) else {
            // A text field, or a file input left empty: read past it, keeping nothing.
            while field.chunk().await.map_err(refusal_of)?.is_some() {
                unparsed.store(0, Ordering::Relaxed);
            }
            continue;
        };
        // A name that is there already is replaced: the old file stops counting.
        if let Some(index) = new_files.iter().position(|f| f.name == name) {
            let earlier = new_files.remove(index);
            total -= earlier.size;
            count -= 1;
        } else if let Some((_, size)) = existing.iter().find(|(n, _)| *n == name) {
            total -= size;
            count -= 1;
        }
        count += 1;
        if count > limits.max_files {
            return Err(Refusal::TooManyFiles(limits.max_files));
        }
        let stored = bucket.reserve_name();
        let path = bucket.path_of(&stored);
        let mut file = on_pool(pool, first_job, move || create_file(&path))
            .await?
            .map_err(|error| {
                if error.kind() == std::io::ErrorKind::NotFound {
                    // The folder is gone: the view was cleaned up meanwhile.
                    Refusal::NoBucket
                } else {
                    Refusal::Io(error)
                }
            })?;
        first_job = false;
        created.push(stored.clone());
        let mut size: u64 = 0;
        let mut buffer = Vec::with_capacity(WRITE_CHUNK);
        while let Some(chunk) = field.chunk().await.map_err(refusal_of)? {
            unparsed.store(0, Ordering::Relaxed);
            size += chunk.len() as u64;
            if size > limits.max_file_size {
                return Err(Refusal::FileTooLarge(limits.max_file_size));
            }
            if total + size > limits.max_size {
                return Err(Refusal::TooLarge(limits.max_size));
            }
            buffer.extend_from_slice(&chunk);
            if buffer.len() >= WRITE_CHUNK {
                (file, buffer) = write(pool, file, buffer).await?;
            }
        }
        if !buffer.is_empty() {
            (file, _) = write(pool, file, buffer).await?;
        }
        // Closing a file does not block on Linux, but it is file-system work all the same.
        on_pool(pool, false, move || drop(file)).await?;
        total += size;
        new_files.push(NewFile { name, stored, size });
    }
    Ok(new_files)
}

fn create_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options.open(path)
}

/// Writes `buffer` to `file` on the static pool; hands both back, the buffer emptied.
async fn write(
    pool: &Pool,
    mut file: std::fs::File,
    mut buffer: Vec<u8>,
) -> Result<(std::fs::File, Vec<u8>), Refusal> {
    let written = on_pool(pool, false, move || {
        use std::io::Write as _;
        let result = file.write_all(&buffer);
        buffer.clear();
        result.map(|()| (file, buffer))
    })
    .await?;
    written.map_err(Refusal::Io)
}

/// What a multer error means for the browser.
fn refusal_of(error: multer::Error) -> Refusal {
    match error {
        multer::Error::StreamSizeExceeded { limit } => {
            Refusal::TooLarge(limit.saturating_sub(OVERHEAD))
        }
        multer::Error::StreamReadFailed(source) if crate::body_timeout::is_timeout(&*source) => {
            Refusal::TimedOut
        }
        multer::Error::StreamReadFailed(source) => match source.downcast::<Stalled>() {
            Ok(_) => Refusal::Malformed("a part's headers do not end".to_owned()),
            // The browser went away or sent a broken body; nobody reads the answer.
            Err(source) => Refusal::Malformed(source.to_string()),
        },
        other => Refusal::Malformed(other.to_string()),
    }
}

/// Puts the upload's files into the bucket and runs `on_add`, on the worker pool (as Lona runs
/// its hooks), then flushes the view. Returns the names added.
async fn commit(
    state: &State,
    bucket: &Arc<Shared>,
    new_files: Vec<NewFile>,
) -> Result<Vec<String>, Refusal> {
    let shared = Arc::clone(bucket);
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job = move || {
        let names: Vec<String> = new_files.iter().map(|f| f.name.clone()).collect();
        let replaced = {
            let mut files = shared.files.lock();
            // Checked under the lock `close` clears the list under: either this commit comes
            // first and `close` removes its files, or it sees the bucket closed.
            if shared.is_closed() {
                let _ = tx.send(Err(Refusal::NoBucket));
                return;
            }
            let mut replaced = Vec::new();
            for new in new_files {
                if let Some(index) = files.list.iter().position(|f| f.name == new.name) {
                    replaced.push(files.list.remove(index));
                }
                files.list.push(Stored {
                    name: new.name,
                    stored: new.stored,
                    size: new.size,
                });
            }
            replaced
        };
        for old in replaced {
            let _ = std::fs::remove_file(shared.path_of(&old.stored));
        }
        let hooked = run_hook(&shared, &names, |hooks| hooks.on_add.clone());
        let _ = tx.send(hooked.map(|()| names));
    };
    if state.runtime.worker_pool().try_submit(job).is_err() {
        return Err(Refusal::Busy);
    }
    rx.await.map_err(|_| Refusal::Busy)?
}

/// Runs a hook of the bucket, if it has one, under `catch_unwind`, then flushes the view so
/// that what the hook changed reaches the browser.
fn run_hook(
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

/// Reads what is left of a refused body, up to [`DRAIN_LIMIT`] bytes and [`DRAIN_TIME`], so
/// that the browser reads the answer instead of a reset connection.
async fn drain(body: &Arc<Mutex<TimedBody>>) {
    let read = async {
        let mut left = DRAIN_LIMIT;
        loop {
            let frame = std::future::poll_fn(|cx| Pin::new(&mut *body.lock()).poll_frame(cx));
            match frame.await {
                Some(Ok(frame)) => {
                    let len = frame.data_ref().map_or(0, |d| d.len() as u64);
                    if len >= left {
                        return;
                    }
                    left -= len;
                }
                Some(Err(_)) | None => return,
            }
        }
    };
    let _ = tokio::time::timeout(DRAIN_TIME, read).await;
}

/// The multipart parser read too much without finding the end of a part's headers.
#[derive(Debug)]
struct Stalled;

impl fmt::Display for Stalled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a part's headers do not end")
    }
}

impl std::error::Error for Stalled {}

/// The request body as the multipart parser reads it: one frame per poll, and at most
/// [`STALL_LIMIT`] bytes between two pieces of progress (`unparsed`, reset by the reader).
///
/// The parser pulls frames until the body is pending, so without the first rule a fast client
/// could push a whole socket buffer into the parser's memory at once; with it, the parser
/// holds at most one frame beyond what it returned, and the second rule bounds the headers it
/// waits on.
struct Metered {
    body: Arc<Mutex<TimedBody>>,
    yielded: bool,
    unparsed: Arc<AtomicU64>,
}

impl Stream for Metered {
    type Item = Result<Bytes, Box<dyn std::error::Error + Send + Sync>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.yielded {
            // Pending once after every frame ends the parser's read loop; the wake has it come
            // back for the next frame as soon as it has used this one.
            this.yielded = false;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        loop {
            let frame = match Pin::new(&mut *this.body.lock()).poll_frame(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(frame) => frame,
            };
            match frame {
                None => return Poll::Ready(None),
                Some(Err(error)) => return Poll::Ready(Some(Err(error))),
                Some(Ok(frame)) => {
                    // Trailers carry no data; read on.
                    let Ok(data) = frame.into_data() else {
                        continue;
                    };
                    let len = data.len() as u64;
                    let unparsed = this.unparsed.fetch_add(len, Ordering::Relaxed) + len;
                    if unparsed > STALL_LIMIT {
                        return Poll::Ready(Some(Err(Box::new(Stalled))));
                    }
                    this.yielded = true;
                    return Poll::Ready(Some(Ok(data)));
                }
            }
        }
    }
}

async fn delete(
    state: &State,
    bucket: Arc<Shared>,
    request: HttpRequest<TimedBody>,
    redirect: Option<String>,
) -> Result<Response<Body>, Refusal> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let name = if let Ok(boundary) = multer::parse_boundary(&content_type) {
        name_from_multipart(request.into_body(), boundary).await?
    } else {
        let body = Limited::new(request.into_body(), DELETE_BODY_LIMIT)
            .collect()
            .await
            .map_err(|_| Refusal::Malformed("the form is too large".to_owned()))?
            .to_bytes();
        let form = crate::http::parse_form(&body);
        form.0
            .into_iter()
            .find(|(field, _)| field == "name")
            .and_then(|(_, value)| match value {
                PostValue::Text(text) => Some(text),
                PostValue::List(mut list) => list.pop(),
            })
    };
    let name = name.ok_or(Refusal::NoSuchFile)?;
    let _writes = bucket.writes.lock().await;
    let shared = Arc::clone(&bucket);
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job = move || {
        let removed = {
            let mut files = shared.files.lock();
            let index = files.list.iter().position(|f| f.name == name);
            index.map(|index| files.list.remove(index))
        };
        let Some(removed) = removed else {
            let _ = tx.send(Err(Refusal::NoSuchFile));
            return;
        };
        let _ = std::fs::remove_file(shared.path_of(&removed.stored));
        let names = vec![removed.name];
        let hooked = run_hook(&shared, &names, |hooks| hooks.on_delete.clone());
        let _ = tx.send(hooked.map(|()| names));
    };
    if state.runtime.worker_pool().try_submit(job).is_err() {
        return Err(Refusal::Busy);
    }
    let names = rx.await.map_err(|_| Refusal::Busy)??;
    Ok(done(&names, redirect))
}

/// The `name` field of a small multipart form.
async fn name_from_multipart(body: TimedBody, boundary: String) -> Result<Option<String>, Refusal> {
    let stream = http_body_util::BodyDataStream::new(body);
    let limit = multer::SizeLimit::new()
        .whole_stream(DELETE_BODY_LIMIT as u64)
        .per_field(4096);
    let constraints = multer::Constraints::new().size_limit(limit);
    let mut multipart = multer::Multipart::with_constraints(stream, boundary, constraints);
    let mut name = None;
    while let Some(field) = multipart.next_field().await.map_err(refusal_of)? {
        if field.name() == Some("name") && field.file_name().is_none() {
            name = Some(field.text().await.map_err(refusal_of)?);
        } else {
            // Small by the limits above; read and dropped.
            let _ = field.bytes().await.map_err(refusal_of)?;
        }
    }
    Ok(name)
}

/// The index page: the files with links and delete buttons, and a form that adds files. Built
/// as a tree, so every name is escaped.
fn index(bucket: &Arc<Shared>, head: bool) -> Result<Response<Body>, Refusal> {
    if !bucket.index {
        return Err(Refusal::NoIndex);
    }
    let handle = Bucket {
        shared: Arc::clone(bucket),
    };
    let back = format!("?redirect={}", encode_name(&handle.index_url()));
    let list = tags::ul();
    for stored in bucket.files.lock().list.iter() {
        let delete = tags::form()
            .with_attr("method", "post")
            .with_attr("action", format!("{}{back}", handle.delete_url()))
            .with_attr("style", "display: inline")
            .with_child(
                tags::input()
                    .with_attr("type", "hidden")
                    .with_attr("name", "name")
                    .with_attr("value", stored.name.as_str()),
            )
            .with_child(
                Node::element("button")
                    .with_attr("type", "submit")
                    .with_text("Delete"),
            );
        list.append(
            tags::li()
                .with_child(
                    tags::a()
                        .with_attr("href", handle.url(&stored.name))
                        .with_text(stored.name.as_str()),
                )
                .with_child(format!(" ({} bytes) ", stored.size))
                .with_child(delete),
        );
    }
    let add = tags::form()
        .with_attr("method", "post")
        .with_attr("action", format!("{}{back}", handle.add_url()))
        .with_attr("enctype", "multipart/form-data")
        .with_child(
            tags::input()
                .with_attr("type", "file")
                .with_attr("name", "files")
                .with_attr("multiple", ""),
        )
        .with_child(
            Node::element("button")
                .with_attr("type", "submit")
                .with_text("Upload"),
        );
    let page = tags::html()
        .with_child(
            tags::head()
                .with_child(tags::meta().with_attr("charset", "utf-8"))
                .with_child(tags::title().with_text("Bucket")),
        )
        .with_child(
            tags::body()
                .with_child(tags::h1().with_text("Bucket"))
                .with_child(list)
                .with_child(add),
        );
    let html = if head {
        String::new()
    } else {
        format!("<!DOCTYPE html>\n{}", page.to_html())
    };
    let mut response = text(StatusCode::OK, html);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    Ok(response)
}

/// Serves one file, streamed from disk on the static pool.
async fn file(
    state: &State,
    bucket: &Shared,
    name: &str,
    head: bool,
) -> Result<Response<Body>, Refusal> {
    let stored = bucket.lookup(name).ok_or(Refusal::NoSuchFile)?;
    let path = bucket.path_of(&stored.stored);
    let pool = state.runtime.static_pool().clone();
    let opened = on_pool(&pool, true, move || {
        let file = std::fs::File::open(path)?;
        let length = file.metadata()?.len();
        Ok::<_, std::io::Error>((file, length))
    })
    .await?;
    // Deleted or replaced since the lookup: as if it had not been there.
    let (file, length) = opened.map_err(|_| Refusal::NoSuchFile)?;
    let body = if head {
        full(Bytes::new())
    } else {
        crate::statics::stream_file(pool, file, 0, length)
    };
    let content_type = lona_static::content_type(name);
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    if let Ok(value) = HeaderValue::from_str(&content_disposition(name, content_type)) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    // An upload is the user's content, not the app's: no script of it runs with the app's
    // origin, even when a browser is made to render it.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'; img-src 'self'; media-src 'self'"),
    );
    common_headers(headers);
    Ok(response)
}

/// `attachment` (a download) for everything but raster images, which browsers show `inline`;
/// SVG is a document that can carry scripts, so it is an attachment too.
fn content_disposition(name: &str, content_type: &str) -> String {
    let inline = content_type.starts_with("image/") && content_type != "image/svg+xml";
    crate::http::content_disposition(if inline { "inline" } else { "attachment" }, name)
}

#[cfg(test)]
mod tests;
