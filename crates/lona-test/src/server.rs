//! `TestServer`: an app served on `127.0.0.1:0` for the length of a test, with a tiny HTTP
//! client and the doors to [`TestClient`]s.

use std::net::SocketAddr;
use std::time::Duration;

use lona::metrics::RuntimeMetrics;
use lona::server::ServerError;
use lona::{App, Server};

use crate::client::{Session, TestClient};
use crate::error::TestError;
use crate::http::{self, HttpResult};

/// How long a client waits for any one thing unless told otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// An app running on a free port of the loopback interface; it shuts down when dropped.
///
/// Drop (or [`TestClient::close`]) the clients before the server, as declaring the server
/// first does: a client that is not reading cannot answer the server's close frame, and the
/// server waits its close grace (1 s) for each such socket at shutdown.
#[derive(Debug)]
pub struct TestServer {
    server: Server,
    addr: SocketAddr,
    timeout: Duration,
}

impl TestServer {
    /// Starts `app` on `127.0.0.1:0`.
    ///
    /// # Panics
    ///
    /// If the app does not start (a bad route pattern or template): a test cannot go on.
    pub fn start(app: App) -> TestServer {
        match TestServer::try_start(app) {
            Ok(server) => server,
            Err(error) => panic!("the test server does not start: {error}"),
        }
    }

    /// Starts `app` on `127.0.0.1:0`.
    ///
    /// # Errors
    ///
    /// A bad route pattern or template, or no socket.
    pub fn try_start(app: App) -> Result<TestServer, ServerError> {
        let server = app.spawn("127.0.0.1:0")?;
        Ok(TestServer {
            addr: server.local_addr(),
            server,
            timeout: DEFAULT_TIMEOUT,
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port><path>`; a path without a leading `/` gets one.
    pub fn url(&self, path: &str) -> String {
        if path.starts_with('/') {
            format!("http://{}{path}", self.addr)
        } else {
            format!("http://{}/{path}", self.addr)
        }
    }

    /// How long the clients this server opens wait for any one thing; 10 s by default.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Sets how long the clients opened from now on wait for any one thing.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    /// The running server, for what the kit does not wrap (`reverse`, `disconnect_clients`).
    pub fn server(&self) -> &Server {
        &self.server
    }

    /// The view runtime's counters.
    pub fn metrics(&self) -> RuntimeMetrics {
        self.server.metrics()
    }

    /// `GET path`, on a connection of its own.
    ///
    /// # Errors
    ///
    /// [`TestError::Io`] if the request fails or the answer is not HTTP.
    pub fn get(&self, path: &str) -> Result<HttpResult, TestError> {
        self.request("GET", path, &[], b"")
    }

    /// Any request, on a connection of its own; `headers` are added to `Host` and
    /// `Connection: close`.
    ///
    /// # Errors
    ///
    /// [`TestError::Io`] if the request fails or the answer is not HTTP.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<HttpResult, TestError> {
        http::request(self.addr, method, path, headers, body, self.timeout)
            .map_err(|error| TestError::io(format!("{method} {path}"), error))
    }

    /// Opens `path` as a browser would, in a session of its own: loads the page (which sets
    /// the session cookie), opens the WebSocket with the cookie, sends VIEW for window 1 and
    /// waits for VIEW_START.
    ///
    /// # Errors
    ///
    /// If the page does not load with a 2xx status, the socket does not open, or no
    /// VIEW_START (nor HTTP_REDIRECT) comes in time.
    pub fn open(&self, path: &str) -> Result<TestClient, TestError> {
        TestClient::open(self.addr, path, None, self.timeout)
    }

    /// Opens `path` asking for the acknowledged stream (docs/protocol.md): the tab's view
    /// outlives a dropped socket for `resume_grace`, and [`TestClient::reconnect`] resumes it.
    /// Tabs opened with [`TestServer::open`] speak Lona's plain protocol.
    ///
    /// # Errors
    ///
    /// As [`TestServer::open`].
    pub fn open_acked(&self, path: &str) -> Result<TestClient, TestError> {
        TestClient::connect_acked(self.addr, path, None, self.timeout)
    }

    /// Opens `path` in an existing session, as another tab of the same browser; see
    /// [`TestClient::session`] and [`TestClient::open_tab`].
    ///
    /// # Errors
    ///
    /// As [`TestServer::open`].
    pub fn open_with_session(
        &self,
        path: &str,
        session: &Session,
    ) -> Result<TestClient, TestError> {
        TestClient::open(self.addr, path, Some(session), self.timeout)
    }

    /// Opens the WebSocket on `path` with `session`'s cookie as it is, skipping the page load
    /// that would replace a cookie the server does not know: a client that forges or replays
    /// a cookie. Then as [`TestServer::open`].
    ///
    /// # Errors
    ///
    /// As [`TestServer::open`].
    pub fn open_socket_with_session(
        &self,
        path: &str,
        session: &Session,
    ) -> Result<TestClient, TestError> {
        TestClient::open_socket(self.addr, path, session.clone(), self.timeout)
    }

    /// Stops the server: views are stopped, sockets closed with "going away".
    pub fn shutdown(self) {
        self.server.shutdown();
    }
}
