//! A visitor's side of the protocol for the load generator: a page load that takes the session
//! cookie, and [`View`], one window's view over its own WebSocket with what the client knows.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use lona_protocol::{ClientState, Received, WindowId};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{WebSocketStream, client_async};

type Socket = WebSocketStream<TcpStream>;

/// A page load: returns the session cookie the server set and the page's adopt token (first
/// paint), which the view's VIEW brings back, as the browser client does.
pub(crate) async fn load_page(
    addr: SocketAddr,
    path: &str,
    source: Option<IpAddr>,
) -> Result<(Option<String>, Option<String>), String> {
    let response = get_raw(addr, path, None, source).await?;
    let adopt = lona_protocol::adopt_token_in_page(&response).map(str::to_owned);
    Ok((set_cookie_of(&response), adopt))
}

/// Whether the page's `#lona` holds the view's tree (the server painted it).
pub(crate) fn is_painted(response: &str) -> bool {
    response.contains("<div id=\"lona\"><") && !response.contains("<div id=\"lona\"></div>")
}

/// One GET over a fresh connection, from `source` if given, with `cookie` if given: the
/// status and the whole `Set-Cookie` value, if any.
pub(crate) async fn get(
    addr: SocketAddr,
    path: &str,
    cookie: Option<&str>,
    source: Option<IpAddr>,
) -> Result<(u16, Option<String>), String> {
    let text = get_raw(addr, path, cookie, source).await?;
    let status = status_of(&text)?;
    Ok((status, set_cookie_header(&text)))
}

/// The whole `Set-Cookie` value of a response, if it has one.
fn set_cookie_header(response: &str) -> Option<String> {
    response
        .split("\r\n\r\n")
        .next()?
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("set-cookie"))
        .map(|(_, value)| value.trim().to_owned())
}

/// The `name=value` of the session cookie a response set, if it set one.
pub(crate) fn set_cookie_of(response: &str) -> Option<String> {
    let header = set_cookie_header(response)?;
    Some(header.split(';').next()?.trim().to_owned())
}

/// The body of a page that answers 200 (a metrics page), without a session.
pub(crate) async fn get_body(addr: SocketAddr, path: &str) -> Result<String, String> {
    let text = get_raw(addr, path, None, None).await?;
    match status_of(&text)? {
        200 => Ok(text
            .split_once("\r\n\r\n")
            .map(|(_, body)| body.to_owned())
            .unwrap_or_default()),
        status => Err(format!("{path} answered {status}")),
    }
}

/// The whole response to one GET with `Connection: close`.
pub(crate) async fn get_raw(
    addr: SocketAddr,
    path: &str,
    cookie: Option<&str>,
    source: Option<IpAddr>,
) -> Result<String, String> {
    let mut stream = connect(addr, source).await.map_err(|e| e.to_string())?;
    let cookie = cookie.map_or_else(String::new, |c| format!("Cookie: {c}\r\n"));
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{cookie}Connection: close\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .await
        .map_err(|e| e.to_string())?;
    Ok(String::from_utf8_lossy(&raw).into_owned())
}

fn status_of(response: &str) -> Result<u16, String> {
    response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| "no status line".to_owned())
}

/// An open view: its socket and what the client knows.
pub(crate) struct View {
    pub(crate) socket: Socket,
    pub(crate) state: ClientState,
    pub(crate) bytes_received: u64,
    /// The session cookie the socket was opened with, for a new socket of the same visitor.
    pub(crate) cookie: Option<String>,
    /// The adopt token of the page it loaded, for its first VIEW.
    pub(crate) adopt: Option<String>,
}

/// A connection to `addr`, from `source` if given (another loopback address, as another
/// visitor's machine).
pub(crate) async fn connect(
    addr: SocketAddr,
    source: Option<IpAddr>,
) -> std::io::Result<TcpStream> {
    let Some(source) = source else {
        return TcpStream::connect(addr).await;
    };
    let socket = if source.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.bind(SocketAddr::new(source, 0))?;
    socket.connect(addr).await
}

impl View {
    pub(crate) async fn open(addr: SocketAddr, path: &str) -> Result<View, String> {
        View::open_from(addr, path, None).await
    }

    /// A view of a visitor at `source`.
    pub(crate) async fn open_from(
        addr: SocketAddr,
        path: &str,
        source: Option<IpAddr>,
    ) -> Result<View, String> {
        let mut view = View::connect(addr, path, source).await?;
        view.start(addr, path).await?;
        Ok(view)
    }

    /// A view on a socket that never loaded the page, so it has no session cookie.
    pub(crate) async fn open_without_cookie(
        addr: SocketAddr,
        path: &str,
        source: Option<IpAddr>,
    ) -> Result<View, String> {
        let mut view = View::socket(addr, path, None, source).await?;
        view.start(addr, path).await?;
        Ok(view)
    }

    /// The page's socket, with its session cookie, before any VIEW.
    pub(crate) async fn connect(
        addr: SocketAddr,
        path: &str,
        source: Option<IpAddr>,
    ) -> Result<View, String> {
        let (cookie, adopt) = load_page(addr, path, source).await?;
        let mut view = View::socket(addr, path, cookie, source).await?;
        view.adopt = adopt;
        Ok(view)
    }

    pub(crate) async fn socket(
        addr: SocketAddr,
        path: &str,
        cookie: Option<String>,
        source: Option<IpAddr>,
    ) -> Result<View, String> {
        let mut request = format!("ws://{addr}{path}")
            .into_client_request()
            .map_err(|e| e.to_string())?;
        if let Some(cookie) = &cookie
            && let Ok(value) = cookie.parse()
        {
            request.headers_mut().insert("Cookie", value);
        }
        if let Ok(origin) = format!("http://{addr}").parse() {
            request.headers_mut().insert("Origin", origin);
        }
        let stream = connect(addr, source).await.map_err(|e| e.to_string())?;
        let _ = stream.set_nodelay(true);
        let (socket, _) = client_async(request, stream)
            .await
            .map_err(|e| e.to_string())?;
        Ok(View {
            socket,
            state: ClientState::new(),
            bytes_received: 0,
            cookie,
            adopt: None,
        })
    }

    /// Asks for the view in window 1 and waits for its first tree.
    pub(crate) async fn start(&mut self, addr: SocketAddr, path: &str) -> Result<(), String> {
        let frame = self.state.view_adopting(
            WindowId(1),
            &format!("http://{addr}{path}"),
            lona_protocol::client::PostData::default(),
            self.adopt.take().as_deref(),
        );
        self.send(frame).await?;
        self.until(Duration::from_secs(30), |state| {
            state
                .window(WindowId(1))
                .is_some_and(|w| w.view_started() && w.root().is_some())
        })
        .await
    }

    /// The HTML window 1 shows.
    pub(crate) fn html(&self) -> String {
        self.state
            .window(WindowId(1))
            .map(lona_protocol::Window::html)
            .unwrap_or_default()
    }

    /// Clicks the node `selector` names once; whether an update answered in time.
    pub(crate) async fn click_once(&mut self, selector: &str, timeout: Duration) -> bool {
        let Some(target) = self
            .state
            .window(WindowId(1))
            .and_then(|w| w.query(selector))
        else {
            return false;
        };
        let Ok(frame) = self.state.click(&target) else {
            return false;
        };
        self.send(frame.frame).await.is_ok() && self.next_update(timeout).await.is_ok()
    }

    /// Sends PING and waits for its PONG.
    pub(crate) async fn ping(&mut self, timeout: Duration) -> Result<(), String> {
        let pongs = self.state.pongs();
        let frame = self.state.ping();
        self.send(frame).await?;
        self.until(timeout, |state| state.pongs() > pongs).await
    }

    pub(crate) async fn send(&mut self, frame: String) -> Result<(), String> {
        self.socket
            .send(Message::text(frame))
            .await
            .map_err(|e| e.to_string())
    }

    /// Reads frames until one of them is a DATA for the window; returns its size.
    pub(crate) async fn next_update(&mut self, timeout: Duration) -> Result<usize, String> {
        let deadline = Instant::now() + timeout;
        loop {
            let (received, size) = self.receive(deadline).await?;
            if matches!(received, Received::Data { .. }) {
                return Ok(size);
            }
        }
    }

    pub(crate) async fn until(
        &mut self,
        timeout: Duration,
        done: impl Fn(&ClientState) -> bool,
    ) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        while !done(&self.state) {
            self.receive(deadline).await?;
        }
        Ok(())
    }

    pub(crate) async fn receive(&mut self, deadline: Instant) -> Result<(Received, usize), String> {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = tokio::time::timeout(left, self.socket.next())
                .await
                .map_err(|_| "timeout".to_owned())?
                .ok_or("the server closed the socket")?
                .map_err(|e| e.to_string())?;
            if let Message::Text(text) = message {
                self.bytes_received += text.len() as u64;
                let received = self
                    .state
                    .receive(text.as_str())
                    .map_err(|e| e.to_string())?;
                return Ok((received, text.len()));
            }
        }
    }
}
