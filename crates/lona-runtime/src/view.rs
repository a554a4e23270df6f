//! What a view is: the [`View`] and [`AsyncView`] traits with Lona's hooks (declared once, for
//! both, by a macro; [`ViewHooks`] is how the runtime calls them), and the values they receive
//! and return: [`Request`], [`InputEvent`], [`Response`], [`ViewError`], [`Flow`].

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use lona_html::Node;
use lona_html::forms::Submitted;
use lona_protocol::WindowId;
use lona_protocol::client::{ChangeValue, ClickData, EventKind, PostData, PostValue};

use crate::connection::{ConnectionId, SessionId};
use crate::context::{AsyncContext, Context, EventContext};
use crate::stop::{StopReason, Stopped};

/// The request that started a view: URL, route arguments, query, POST data and session.
#[derive(Debug, Clone)]
pub struct Request {
    /// The full URL the browser asked for.
    pub url: String,
    /// Its path.
    pub path: String,
    /// Query arguments, in order.
    pub query: Vec<(String, String)>,
    /// The route's URL arguments (`/user/<name>/` gives `("name", ...)`).
    pub match_info: Vec<(String, String)>,
    /// Form fields of a POST navigation.
    pub post: PostData,
    /// The session of the browser.
    pub session: SessionId,
    /// The name of the matched route, if it has one.
    pub route: Option<Arc<str>>,
    /// Whether the view runs over a socket (an interactive view).
    pub interactive: bool,
    /// Who is logged in, as a middleware decided (Lona's `request.user`): authentication
    /// middlewares set it in `handle_view_request`; `None` for an anonymous session.
    pub user: Option<Arc<str>>,
    /// The HTTP method, when the request came over HTTP.
    http_method: Option<Arc<str>>,
}

impl Request {
    /// A GET request for `url` in `session`, with no route arguments.
    pub fn new(url: impl Into<String>, session: SessionId) -> Request {
        let url = url.into();
        let (path, query) = split_url(&url);
        Request {
            path,
            query,
            url,
            match_info: Vec::new(),
            post: PostData::default(),
            session,
            route: None,
            interactive: true,
            user: None,
            http_method: None,
        }
    }

    /// The HTTP method (`GET`, `POST`, `PUT`...) of a request that came over HTTP. A view
    /// started over the socket has none: a navigation that carries form fields is `POST`,
    /// else `GET`, as Lona guesses.
    pub fn method(&self) -> &str {
        match &self.http_method {
            Some(method) => method,
            None if self.post.0.is_empty() => "GET",
            None => "POST",
        }
    }

    /// Records the HTTP method the request came with (the server does this).
    #[must_use]
    pub fn with_method(mut self, method: &str) -> Request {
        self.http_method = Some(Arc::from(method));
        self
    }

    /// The first query argument with this name.
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The route argument with this name.
    pub fn arg(&self, name: &str) -> Option<&str> {
        self.match_info
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The POST field with this name (the first value of a multi-value field).
    pub fn post(&self, name: &str) -> Option<&str> {
        self.post
            .0
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| match v {
                PostValue::Text(text) => Some(text.as_str()),
                PostValue::List(list) => list.first().map(String::as_str),
            })
    }
}

/// Splits a URL into its path and decoded query pairs; the scheme and host are dropped.
fn split_url(url: &str) -> (String, Vec<(String, String)>) {
    let without_fragment = url.split('#').next().unwrap_or(url);
    let (before, query) = without_fragment
        .split_once('?')
        .unwrap_or((without_fragment, ""));
    let path = match before.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => before,
    };
    let query = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect();
    (path.to_owned(), query)
}

/// Decodes `%XX` escapes and `+` as in form-encoded query strings; invalid escapes stay as
/// they are and invalid UTF-8 becomes U+FFFD, so no query string is an error.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |i: usize| bytes.get(i).and_then(|&b| char::from(b).to_digit(16));
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], hex(i + 1), hex(i + 2)) {
            (b'+', _, _) => out.push(b' '),
            (b'%', Some(high), Some(low)) => {
                // Two hex digits make at most 255.
                out.push(u8::try_from(high * 16 + low).unwrap_or(b'?'));
                i += 2;
            }
            (b, _, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What a view's `handle_request` returns when it is done.
#[derive(Debug, Clone)]
pub enum Response {
    /// Nothing more to show; what was shown stays.
    Empty,
    /// Show this tree (as `show` would).
    Node(Node),
    /// Show this HTML string as the window's `innerHTML`. The caller vouches for it: it is not
    /// escaped.
    RawHtml(String),
    /// Navigate inside the app (the browser sends a new VIEW).
    Redirect(String),
    /// Load this URL as a new page.
    HttpRedirect(String),
}

/// A tree converts into [`Response::Node`], so a view ends with `Ok(html.into())`:
///
/// ```
/// use lona_html::tags::div;
/// use lona_runtime::{Response, ViewResult};
///
/// fn finish() -> ViewResult {
///     let html = div().with_text("done");
///     Ok(html.into())
/// }
///
/// assert!(matches!(finish(), Ok(Response::Node(_))));
/// let kept = div();
/// assert!(matches!(Response::from(&kept), Response::Node(node) if node == kept));
/// ```
impl From<Node> for Response {
    fn from(node: Node) -> Response {
        Response::Node(node)
    }
}

/// A borrowed tree converts too (a `Node` is a handle: this clones the handle, not the tree).
impl From<&Node> for Response {
    fn from(node: &Node) -> Response {
        Response::Node(node.clone())
    }
}

/// What a view's `handle_request` returns when it fails.
///
/// Any `std::error::Error` converts into it (becoming the 500 view), and so does [`Stopped`],
/// so `?` works on both. Like `anyhow::Error`, it is not an `Error` itself, which is what makes
/// that blanket conversion possible.
pub enum ViewError {
    /// The view was stopped; nothing is shown.
    Stopped(StopReason),
    /// Show the 403 view.
    Forbidden,
    /// Show the 404 view.
    NotFound,
    /// Show the 500 view; the error is logged.
    Failed(Box<dyn std::error::Error + Send + Sync>),
}

impl fmt::Debug for ViewError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ViewError::Stopped(reason) => f.debug_tuple("Stopped").field(reason).finish(),
            ViewError::Forbidden => f.write_str("Forbidden"),
            ViewError::NotFound => f.write_str("NotFound"),
            ViewError::Failed(error) => f.debug_tuple("Failed").field(error).finish(),
        }
    }
}

impl fmt::Display for ViewError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ViewError::Stopped(reason) => write!(f, "the view was stopped: {reason}"),
            ViewError::Forbidden => f.write_str("forbidden"),
            ViewError::NotFound => f.write_str("not found"),
            ViewError::Failed(error) => fmt::Display::fmt(error, f),
        }
    }
}

impl From<Stopped> for ViewError {
    fn from(stopped: Stopped) -> ViewError {
        ViewError::Stopped(stopped.0)
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for ViewError {
    fn from(error: E) -> ViewError {
        ViewError::Failed(Box::new(error))
    }
}

/// The result of `handle_request`.
pub type ViewResult = Result<Response, ViewError>;

/// What an input-event hook or node handler decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flow {
    /// Not handled here: pass the event on (to the next node up, the pending `await_*`, then
    /// `handle_input_event`).
    Continue,
    /// Handled: stop here. The patches made so far are sent.
    Handled,
    /// Handled, and navigate inside the app.
    Redirect(String),
    /// Handled, and load this URL as a new page.
    HttpRedirect(String),
}

/// What a node handler may return: a [`Flow`], or `()`, which means [`Flow::Handled`].
///
/// Every handler registration (`on`, `on_click`, `on_change`, `on_submit`) takes a closure
/// returning either, so the common handler that just changes the tree needs no last line:
///
/// ```
/// use lona_html::tags::{button, span};
/// use lona_runtime::{Context, Flow, Request, View, ViewResult};
///
/// struct Counter;
///
/// impl View for Counter {
///     fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
///         let count = span().with_text("0");
///         let plus = button().with_text("+1");
///         let reset = button().with_text("reset");
///         let root = span().with_child(&count).with_child(&plus).with_child(&reset);
///         // Returns `()`: handled, the event goes no further.
///         cx.on_click(&plus, {
///             let count = count.clone();
///             move |_cx, _event| count.set_text("1")
///         });
///         // Returns a `Flow`: passes the event on to the node above, then the view.
///         cx.on_click(&reset, move |_cx, _event| Flow::Continue);
///         Ok(root.into())
///     }
/// }
/// ```
pub trait IntoFlow {
    /// The [`Flow`] this value means.
    fn into_flow(self) -> Flow;
}

impl IntoFlow for Flow {
    fn into_flow(self) -> Flow {
        self
    }
}

/// A handler that returns nothing handled the event.
impl IntoFlow for () {
    fn into_flow(self) -> Flow {
        Flow::Handled
    }
}

/// An input event from the browser, resolved against the view's tree.
#[derive(Debug, Clone)]
pub struct InputEvent {
    /// The id the client gave the event.
    pub event_id: u64,
    /// What happened, with its data.
    pub kind: EventKind,
    /// The node that listens for this event (the browser's innermost listening element).
    pub node: Option<Node>,
    /// The element the browser reports as `event.target`, if it is in the tree.
    pub target: Option<Node>,
    /// `node` and its ancestors up to the root.
    pub nodes: Vec<Node>,
    /// The window the event came from.
    pub window: WindowId,
    /// The connection the event came from.
    pub connection: ConnectionId,
    /// A submit's fields, typed and applied to the tree (see `ViewShared::apply_client_change`).
    pub(crate) submitted: Option<Arc<Submitted>>,
}

impl InputEvent {
    /// The event's name: `click`, `change`, `focus`, `blur` or the custom name.
    pub fn name(&self) -> &str {
        self.kind.name()
    }

    /// The click data, for a click.
    pub fn click(&self) -> Option<&ClickData> {
        match &self.kind {
            EventKind::Click(data) => Some(data),
            _ => None,
        }
    }

    /// The new value, for a change.
    pub fn value(&self) -> Option<&ChangeValue> {
        match &self.kind {
            EventKind::Change(value) => Some(value),
            _ => None,
        }
    }

    /// The fields of a submitted form, typed, for a submit.
    pub fn submitted(&self) -> Option<&Submitted> {
        self.submitted.as_deref()
    }

    pub(crate) fn submitted_arc(&self) -> Option<Arc<Submitted>> {
        self.submitted.clone()
    }

    /// Whether the event came from `node` (by identity).
    pub fn is_from(&self, node: &Node) -> bool {
        self.node.as_ref() == Some(node)
    }
}

/// The four hooks of a view (Lona's), written once here and expanded inside both [`View`] and
/// [`AsyncView`], so a view writes them in its own impl and each trait documents them.
///
/// Why a macro and not a supertrait: `View: ViewHooks` would make every view, hooked or not,
/// write an empty `impl ViewHooks`, and a provided `fn hooks(&self) -> &dyn ViewHooks` that a
/// hooked view overrides would silently drop the hooks of a view that forgets it. The runtime
/// reaches the hooks of either kind through [`ViewHooks`], implemented by its adapters.
macro_rules! view_hooks {
    () => {
        /// Runs first for every input event, on a worker-pool thread.
        fn handle_input_event_root(&self, cx: &EventContext, event: &InputEvent) -> Flow {
            let _ = (cx, event);
            Flow::Continue
        }

        /// Runs last, for events nothing else handled, on a worker-pool thread.
        fn handle_input_event(&self, cx: &EventContext, event: &InputEvent) -> Flow {
            let _ = (cx, event);
            Flow::Continue
        }

        /// Runs once after `handle_request` returns, on its thread (a blocking view's) or its
        /// executor (an async view's); `None` if it finished on its own.
        fn on_stop(&self, reason: Option<&StopReason>) {
            let _ = reason;
        }

        /// Runs once when the view is removed, on a worker-pool thread.
        fn on_cleanup(&self) {}
    };
}

/// A view whose `handle_request` is plain blocking code on a runtime-pool thread, as in Lona.
///
/// It may block for as long as it likes in the context's waits (`await_click`, `sleep`...),
/// which return [`Stopped`] within milliseconds when the view is stopped. While it waits it
/// holds its thread: size the runtime pool for the number of views that wait at once, or use
/// [`AsyncView`], which holds no thread while it waits.
///
/// Beside `handle_request`, a view may write Lona's hooks in the same impl; each has a
/// default that does nothing. An [`AsyncView`] has the same four:
///
/// ```
/// use lona_runtime::{
///     Context, EventContext, Flow, InputEvent, Request, Response, StopReason, View, ViewResult,
/// };
///
/// struct Logged;
///
/// impl View for Logged {
///     fn handle_request(&self, _cx: &Context, _request: &Request) -> ViewResult {
///         Ok(Response::Empty)
///     }
///
///     fn handle_input_event(&self, _cx: &EventContext, event: &InputEvent) -> Flow {
///         println!("nobody took the {} event", event.name());
///         Flow::Handled
///     }
///
///     fn on_stop(&self, reason: Option<&StopReason>) {
///         println!("stopped: {reason:?}");
///     }
/// }
/// ```
///
/// All hooks take `&self`: `handle_request` and the event hooks run at the same time on
/// different threads, as in Lona. Keep state in the tree (which is thread-safe) or behind a
/// lock.
pub trait View: Send + Sync + 'static {
    /// The view's main code; runs on a runtime-pool thread.
    ///
    /// # Errors
    ///
    /// A [`ViewError`] shows the matching error view (nothing for `Stopped`).
    fn handle_request(&self, cx: &Context, request: &Request) -> ViewResult;

    view_hooks!();
}

/// A view whose `handle_request` is an `async fn`, run as a task on the server's executor. While
/// it waits for a click or a timer it holds no thread, so thousands can wait at once.
///
/// Blocking inside it (a blocking database call, `std::thread::sleep`) blocks an executor
/// thread; that is the user's choice, with the same trade-off Lona documents for its
/// `await_sync`. Use [`View`] for blocking code. Its hooks are [`View`]'s, written the same way;
/// they are not `async`, as in Lona.
pub trait AsyncView: Send + Sync + 'static {
    /// The view's main code.
    ///
    /// # Errors
    ///
    /// A [`ViewError`] shows the matching error view (nothing for `Stopped`).
    fn handle_request(
        &self,
        cx: &AsyncContext,
        request: &Request,
    ) -> impl Future<Output = ViewResult> + Send;

    view_hooks!();
}

/// The hooks of a view of either kind, as the runtime calls them: apps write the hooks in their
/// [`View`] or [`AsyncView`] impl, and the runtime's adapter for each kind forwards this
/// object-safe trait to them, so dispatch and lifecycle call them through one trait.
pub(crate) trait ViewHooks: Send + Sync {
    /// [`View::handle_input_event_root`] or [`AsyncView::handle_input_event_root`].
    fn handle_input_event_root(&self, cx: &EventContext, event: &InputEvent) -> Flow;
    /// [`View::handle_input_event`] or [`AsyncView::handle_input_event`].
    fn handle_input_event(&self, cx: &EventContext, event: &InputEvent) -> Flow;
    /// [`View::on_stop`] or [`AsyncView::on_stop`].
    fn on_stop(&self, reason: Option<&StopReason>);
    /// [`View::on_cleanup`] or [`AsyncView::on_cleanup`].
    fn on_cleanup(&self);
}
