//! `TestClient`: one browser tab driven from a test. It loads the page, opens the WebSocket
//! with the page's cookie and Origin, runs window 1 and waits only for frames, each read with
//! a deadline: a test that waits for something that never comes fails with what the window
//! showed, it never hangs and never sleeps.

use std::collections::VecDeque;
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use lona_html::Node;
use lona_protocol::WindowId;
use tungstenite::client::IntoClientRequest;
use tungstenite::handshake::HandshakeError;
use tungstenite::http::HeaderValue;
use tungstenite::{Message, WebSocket};

use lona_protocol::{ClientState, Window, shorten};

use crate::error::TestError;
use crate::http;

mod input;
mod navigation;
mod pointer;
mod resume;

use navigation::{link, resolve};
use pointer::Pointer;

/// How many received frames a timeout error shows.
const RECENT_FRAMES: usize = 6;

/// A browser session: the cookie that ties tabs together. Tabs of one session share daemon
/// views.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    cookie: Option<String>,
}

impl Session {
    /// A session from a `name=value` cookie, as a `Cookie` header carries it.
    pub fn from_cookie(cookie: impl Into<String>) -> Session {
        Session {
            cookie: Some(cookie.into()),
        }
    }

    /// The `name=value` cookie, if the server set one.
    pub fn cookie(&self) -> Option<&str> {
        self.cookie.as_deref()
    }
}

/// One browser tab on a [`crate::TestServer`], showing window 1 of its page.
///
/// Reads ([`TestClient::html`], [`TestClient::text`], [`TestClient::query`]) look at what has
/// arrived so far; waits ([`TestClient::wait_for`] and the `wait_for_*` methods) read frames
/// until their condition holds or the timeout passes. An event is acknowledged before its
/// handlers run, so after [`TestClient::click`] wait for its effect:
/// `client.wait_for_node_text("#count", "1")`.
///
/// # The order of events
///
/// The tab sends what a browser running the browser client sends, in the same order:
///
/// 1. [`TestClient::type_text`] focuses the field (the field that had the focus loses it, as
///    in 3) and changes its value in the DOM at once. A debounced change (`302:<ms>`) is held
///    for its delay and goes out when the delay has passed while the test waits; a plain
///    change (`302`) goes out when the field loses the focus.
/// 2. Any other event of the tab (click, change, focus, blur, custom, widget data) first sends
///    the held changes, oldest first: the value typed before a click reaches the server
///    before the click.
/// 3. [`TestClient::click`] is a press, then a release. The press (mousedown) takes the focus
///    from the focused field: its change if a value was typed and it listens to plain
///    changes, then its blur if it listens. If the press sent anything, the tab reads and
///    applies the server's answers before releasing: their ACKs, then every frame until none
///    comes for the press time (100 ms, [`TestClient::set_press_time`]): the server answered
///    before the mouse button came up.
/// 4. The release sends the click, unless a patch since the press changed the pressed element
///    or removed it: then the click is dropped, as the browser client drops a click on
///    content that replaced what was under the pointer. [`TestClient::press`] and
///    [`TestClient::release`] split the two, so that a test can wait in between.
///
/// [`TestClient::change`], [`TestClient::focus`] and [`TestClient::blur`] send their one
/// event at once (after the held changes) and wait for its ACK.
pub struct TestClient {
    addr: SocketAddr,
    session: Session,
    socket: WebSocket<TcpStream>,
    state: ClientState,
    window: WindowId,
    timeout: Duration,
    recent: VecDeque<String>,
    closed: Option<String>,
    pointer: Pointer,
    /// Whether the tab asks for the acknowledged stream ([`TestClient::connect_acked`]).
    acked: bool,
    /// The path the socket opened on, for [`TestClient::reconnect`].
    path: String,
    /// The adopt token of the page it loaded, which its first VIEW brings back to take over
    /// the view the server painted the page with, as the browser client does.
    adopt: Option<String>,
}

impl std::fmt::Debug for TestClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestClient")
            .field("addr", &self.addr)
            .field("window", &self.window)
            .field("url", &self.window().url())
            .field("runtime", &self.window().runtime())
            .field("closed", &self.closed)
            .finish_non_exhaustive()
    }
}

/// What one read from the socket gave.
enum Read {
    Frame,
    Timeout,
    Closed,
}

impl TestClient {
    pub(crate) fn open(
        addr: SocketAddr,
        path: &str,
        session: Option<&Session>,
        timeout: Duration,
    ) -> Result<TestClient, TestError> {
        TestClient::open_with(addr, path, session, timeout, false)
    }

    pub(crate) fn open_with(
        addr: SocketAddr,
        path: &str,
        session: Option<&Session>,
        timeout: Duration,
        acked: bool,
    ) -> Result<TestClient, TestError> {
        let path = if path.starts_with('/') {
            path.to_owned()
        } else {
            format!("/{path}")
        };
        let cookie = session.and_then(Session::cookie);
        let headers: Vec<(&str, &str)> = cookie.map(|c| ("Cookie", c)).into_iter().collect();
        let page = http::request(addr, "GET", &path, &headers, b"", timeout)
            .map_err(|error| TestError::io(format!("GET {path}"), error))?;
        if !(200..300).contains(&page.status) {
            return Err(TestError::Status {
                path,
                status: page.status,
                body: page.body,
            });
        }
        let session = Session {
            cookie: page
                .cookie()
                .map(str::to_owned)
                .or_else(|| cookie.map(str::to_owned)),
        };
        let adopt = lona_protocol::adopt_token_in_page(&page.body).map(str::to_owned);
        TestClient::open_socket_with(addr, &path, session, timeout, acked, adopt)
    }

    /// Opens the WebSocket with `session`'s cookie as it is, without loading the page first
    /// (so without taking a cookie the page would set), and shows `path` in window 1: what a
    /// client that replays or makes up a cookie does.
    pub(crate) fn open_socket(
        addr: SocketAddr,
        path: &str,
        session: Session,
        timeout: Duration,
    ) -> Result<TestClient, TestError> {
        TestClient::open_socket_with(addr, path, session, timeout, false, None)
    }

    fn open_socket_with(
        addr: SocketAddr,
        path: &str,
        session: Session,
        timeout: Duration,
        acked: bool,
        adopt: Option<String>,
    ) -> Result<TestClient, TestError> {
        let path = if path.starts_with('/') {
            path.to_owned()
        } else {
            format!("/{path}")
        };
        let socket = connect(addr, &path, session.cookie(), timeout)?;
        let mut client = TestClient {
            addr,
            session,
            socket,
            state: ClientState::new(),
            window: WindowId(1),
            timeout,
            recent: VecDeque::new(),
            closed: None,
            pointer: Pointer::default(),
            acked,
            path: path.clone(),
            adopt,
        };
        client.navigate(&path)?;
        Ok(client)
    }

    /// Opens `path` on any address that speaks for a Lona server, such as a reverse proxy in
    /// front of several: loads the page (with `session`'s cookie, or without one to get a new
    /// session), opens the WebSocket with the cookie and waits for VIEW_START, each step
    /// within `timeout`. [`crate::TestServer::open`] does the same on its own address.
    ///
    /// # Errors
    ///
    /// As [`crate::TestServer::open`].
    pub fn connect(
        addr: SocketAddr,
        path: &str,
        session: Option<&Session>,
        timeout: Duration,
    ) -> Result<TestClient, TestError> {
        TestClient::open(addr, path, session, timeout)
    }

    /// The session of this tab, to open more tabs in it with
    /// [`crate::TestServer::open_with_session`], even after this one is closed.
    pub fn session(&self) -> Session {
        self.session.clone()
    }

    /// Opens `path` in another tab of the same session (its own socket, its own window 1).
    ///
    /// # Errors
    ///
    /// As [`crate::TestServer::open`].
    pub fn open_tab(&self, path: &str) -> Result<TestClient, TestError> {
        TestClient::open(self.addr, path, Some(&self.session), self.timeout)
    }

    /// How long each wait may take.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Sets how long each wait may take (10 s by default).
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    /// The protocol state of the page: every window, PONGs, custom messages.
    pub fn state(&self) -> &ClientState {
        &self.state
    }

    /// The state of the tab's window: its view, title, redirects, ACKs and DOM.
    pub fn window(&self) -> &Window {
        self.state
            .window(self.window)
            .expect("the window exists from the first VIEW on")
    }

    /// The window's content as HTML, as far as it has arrived.
    pub fn html(&self) -> String {
        self.window().html()
    }

    /// The title of the page, as far as it has arrived.
    pub fn title(&self) -> String {
        self.window().title().to_owned()
    }

    /// The first node matching `selector` in what has arrived so far: [`Window::query`] on
    /// the tab's window.
    ///
    /// # Panics
    ///
    /// If the selector does not parse: a test with a broken selector cannot pass.
    pub fn query(&self, selector: &str) -> Option<Node> {
        self.window().query(selector)
    }

    /// Every node matching `selector` in what has arrived so far: [`Window::query_all`].
    ///
    /// # Panics
    ///
    /// If the selector does not parse.
    pub fn query_all(&self, selector: &str) -> Vec<Node> {
        self.window().query_all(selector)
    }

    /// The text of the first node matching `selector`, as far as it has arrived.
    ///
    /// # Panics
    ///
    /// If the selector does not parse.
    pub fn text(&self, selector: &str) -> Option<String> {
        self.query(selector).map(|node| node.text_content())
    }

    /// Reads frames until `predicate` holds for the window (it is checked first, before any
    /// read).
    ///
    /// # Errors
    ///
    /// [`TestError::Timeout`] if it does not hold within the timeout, [`TestError::Closed`]
    /// if the server closes the socket, [`TestError::Protocol`] for a bad frame.
    pub fn wait_for(&mut self, predicate: impl FnMut(&Window) -> bool) -> Result<(), TestError> {
        self.wait_until("the condition of wait_for", predicate)
    }

    /// Waits until the window's text contains `text`.
    ///
    /// # Errors
    ///
    /// As [`TestClient::wait_for`].
    pub fn wait_for_text(&mut self, text: &str) -> Result<(), TestError> {
        self.wait_until(format!("the text {text:?}"), |w| w.text().contains(text))
    }

    /// Waits until a node matches `selector`, and returns the first one.
    ///
    /// # Errors
    ///
    /// [`TestError::Selector`] if the selector does not parse; else as
    /// [`TestClient::wait_for`].
    pub fn wait_for_selector(&mut self, selector: &str) -> Result<Node, TestError> {
        lona_html::Selector::parse(selector)?;
        let mut found = None;
        self.wait_until(format!("a node matching {selector:?}"), |w| {
            found = w.query(selector);
            found.is_some()
        })?;
        found.ok_or_else(|| TestError::WebSocket("the found node vanished".to_owned()))
    }

    /// Waits until the first node matching `selector` has exactly the text `text`.
    ///
    /// # Errors
    ///
    /// As [`TestClient::wait_for_selector`].
    pub fn wait_for_node_text(&mut self, selector: &str, text: &str) -> Result<(), TestError> {
        lona_html::Selector::parse(selector)?;
        self.wait_until(format!("{selector:?} to have the text {text:?}"), |w| {
            w.query(selector).is_some_and(|n| n.text_content() == text)
        })
    }

    /// Navigates the window to `url` (a path such as `/other`, a relative or an absolute URL,
    /// resolved against the window's URL) with a new VIEW, and waits for its VIEW_START, a
    /// REDIRECT (see [`TestClient::follow_redirect`]) or, for a non-interactive route, its
    /// HTTP_REDIRECT.
    ///
    /// # Errors
    ///
    /// As [`TestClient::wait_for`].
    pub fn navigate(&mut self, url: &str) -> Result<(), TestError> {
        let base = self
            .state
            .window(self.window)
            .and_then(Window::url)
            .map_or_else(|| format!("http://{}/", self.addr), str::to_owned);
        let url = resolve(&base, url);
        let seen = |w: &Window| {
            (
                w.view_starts(),
                w.redirects().len(),
                w.http_redirects().len(),
            )
        };
        let before = self.state.window(self.window).map_or((0, 0, 0), seen);
        let frame = match self.adopt.take() {
            Some(token) => {
                if self.acked {
                    self.state.ask_acked(self.window);
                }
                let post = lona_protocol::client::PostData::default();
                self.state
                    .view_adopting(self.window, &url, post, Some(&token))
            }
            None if self.acked => self.state.view_acked(self.window, &url),
            None => self.state.view(self.window, &url),
        };
        self.send_raw(&frame)?;
        self.wait_until(format!("VIEW_START for {url}"), |w| seen(w) != before)
    }

    /// Navigates to the URL of the last REDIRECT the window got, as the browser client does
    /// on its own.
    ///
    /// # Errors
    ///
    /// [`TestError::NoRedirect`] if none came; else as [`TestClient::navigate`].
    pub fn follow_redirect(&mut self) -> Result<(), TestError> {
        let url = self
            .window()
            .redirects()
            .last()
            .cloned()
            .ok_or(TestError::NoRedirect)?;
        self.navigate(&url)
    }

    /// Sends PING and waits for the PONG.
    ///
    /// # Errors
    ///
    /// As [`TestClient::wait_for`].
    pub fn ping(&mut self) -> Result<(), TestError> {
        let before = self.state.pongs();
        self.send_acks()?;
        let frame = self.state.ping();
        self.send_raw(&frame)?;
        self.wait_state("PONG", |state| state.pongs() > before)
    }

    /// Waits until a custom (non-`lona:`) message arrives, and returns the ones received so
    /// far, taking them from the state.
    ///
    /// # Errors
    ///
    /// As [`TestClient::wait_for`].
    pub fn wait_for_custom_messages(&mut self) -> Result<Vec<String>, TestError> {
        self.wait_state("a custom message", |state| {
            !state.custom_messages().is_empty()
        })?;
        Ok(self.state.take_custom_messages())
    }

    /// Sends a text frame as is: for tests of what the server does with odd input.
    ///
    /// # Errors
    ///
    /// [`TestError::WebSocket`] if the socket is closed or the write fails.
    pub fn send_raw(&mut self, frame: &str) -> Result<(), TestError> {
        self.pointer.record_sent(frame);
        self.socket
            .send(Message::text(frame))
            .map_err(|error| TestError::WebSocket(error.to_string()))
    }

    /// Closes the socket with a close handshake, as a closing tab does; the server detaches
    /// the window (a daemon view keeps running).
    pub fn close(mut self) {
        self.shut();
    }

    fn shut(&mut self) {
        if self.closed.is_some() {
            return;
        }
        self.closed = Some("closed by the client".to_owned());
        if self.socket.close(None).is_err() {
            return;
        }
        // Read until the server's close frame, so that the server sees a finished handshake.
        let deadline = Instant::now() + self.timeout.min(Duration::from_secs(2));
        while Instant::now() < deadline {
            let remaining = deadline.saturating_duration_since(Instant::now());
            let _ = self
                .socket
                .get_mut()
                .set_read_timeout(Some(remaining.max(Duration::from_millis(1))));
            if self.socket.read().is_err() {
                break;
            }
        }
    }

    fn wait_until(
        &mut self,
        what: impl Into<String>,
        mut predicate: impl FnMut(&Window) -> bool,
    ) -> Result<(), TestError> {
        let window = self.window;
        self.wait_state(what, |state| {
            state.window(window).is_some_and(&mut predicate)
        })
    }

    fn wait_state(
        &mut self,
        what: impl Into<String>,
        mut predicate: impl FnMut(&ClientState) -> bool,
    ) -> Result<(), TestError> {
        let deadline = Instant::now() + self.timeout;
        loop {
            // Time passes while a test waits: a debounced change whose delay ends goes out.
            self.fire_due()?;
            if predicate(&self.state) {
                return Ok(());
            }
            let until = self
                .pointer
                .next_due()
                .map_or(deadline, |due| due.min(deadline));
            match self.read(until)? {
                // Acknowledged at once: the spec allows up to a second, and a test client
                // has no timer of its own.
                Read::Frame => self.send_acks()?,
                Read::Timeout if Instant::now() < deadline => {}
                Read::Timeout => {
                    return Err(TestError::Timeout {
                        waiting_for: what.into(),
                        after: self.timeout,
                        html: self.window().html(),
                        recent_frames: self.recent.iter().cloned().collect(),
                    });
                }
                Read::Closed => {
                    return Err(TestError::Closed {
                        waiting_for: what.into(),
                        reason: self.closed.clone().unwrap_or_default(),
                        html: self.window().html(),
                    });
                }
            }
        }
    }

    /// Reads one message, waiting at most until `deadline`.
    fn read(&mut self, deadline: Instant) -> Result<Read, TestError> {
        if self.closed.is_some() {
            return Ok(Read::Closed);
        }
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Ok(Read::Timeout);
        }
        self.socket
            .get_mut()
            .set_read_timeout(Some(remaining))
            .map_err(|error| TestError::io("setting the read timeout", error))?;
        match self.socket.read() {
            Ok(Message::Text(text)) => {
                let text = text.as_str();
                if self.recent.len() == RECENT_FRAMES {
                    self.recent.pop_front();
                }
                self.recent.push_back(shorten(text, 300));
                self.state.receive(text)?;
                Ok(Read::Frame)
            }
            Ok(Message::Close(frame)) => {
                self.closed = Some(frame.map_or_else(
                    || "no close code".to_owned(),
                    |f| format!("{} {}", u16::from(f.code), f.reason),
                ));
                Ok(Read::Closed)
            }
            Ok(_) => Ok(Read::Frame),
            Err(tungstenite::Error::Io(error))
                if matches!(
                    error.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                Ok(Read::Timeout)
            }
            Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => {
                self.closed
                    .get_or_insert_with(|| "connection closed".to_owned());
                Ok(Read::Closed)
            }
            Err(error) => Err(TestError::WebSocket(error.to_string())),
        }
    }
}

impl Drop for TestClient {
    fn drop(&mut self) {
        if self.closed.is_none() {
            // A closing tab: send the close frame, do not wait for the answer.
            self.closed = Some("dropped".to_owned());
            let _ = self.socket.close(None);
        }
    }
}

/// Opens the WebSocket on `path` with the session cookie and a same-origin `Origin`, as the
/// page's client does.
fn connect(
    addr: SocketAddr,
    path: &str,
    cookie: Option<&str>,
    timeout: Duration,
) -> Result<WebSocket<TcpStream>, TestError> {
    let what = || format!("opening the WebSocket on {path}");
    let stream =
        TcpStream::connect_timeout(&addr, timeout).map_err(|e| TestError::io(what(), e))?;
    let setup = stream
        .set_nodelay(true)
        .and_then(|()| stream.set_read_timeout(Some(timeout)))
        .and_then(|()| stream.set_write_timeout(Some(timeout)));
    setup.map_err(|e| TestError::io(what(), e))?;
    let handshake = |message: String| TestError::Handshake {
        path: path.to_owned(),
        message,
    };
    let mut request = format!("ws://{addr}{path}")
        .into_client_request()
        .map_err(|e| handshake(e.to_string()))?;
    let headers = request.headers_mut();
    let origin =
        HeaderValue::from_str(&format!("http://{addr}")).map_err(|e| handshake(e.to_string()))?;
    headers.insert("Origin", origin);
    if let Some(cookie) = cookie {
        let cookie = HeaderValue::from_str(cookie).map_err(|e| handshake(e.to_string()))?;
        headers.insert("Cookie", cookie);
    }
    match tungstenite::client::client(request, stream) {
        Ok((socket, _response)) => Ok(socket),
        Err(HandshakeError::Failure(tungstenite::Error::Http(response))) => Err(handshake(
            format!("the server answered {}", response.status()),
        )),
        Err(HandshakeError::Failure(error)) => Err(handshake(error.to_string())),
        Err(HandshakeError::Interrupted(_)) => {
            Err(handshake(format!("no answer within {timeout:?}")))
        }
    }
}

#[cfg(test)]
mod tests;
