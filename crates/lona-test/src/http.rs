//! A blocking HTTP/1.1 client for tests: one request per connection, enough to load a page
//! and get its session cookie as a browser would. hyper's client speaks HTTP; each request
//! runs on a small current-thread tokio runtime of its own, so callers stay blocking.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;

/// The answer to an HTTP request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResult {
    /// The status code.
    pub status: u16,
    /// The headers, names in lower case; the values of one name in the order received.
    pub headers: Vec<(String, String)>,
    /// The body, as text (invalid UTF-8 becomes U+FFFD).
    pub body: String,
}

impl HttpResult {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `name=value` part of the first `Set-Cookie` header, as a browser would send it back
    /// in `Cookie`.
    pub fn cookie(&self) -> Option<&str> {
        let value = self.header("set-cookie")?;
        let pair = value.split(';').next()?.trim();
        pair.contains('=').then_some(pair)
    }
}

/// Sends one request and reads the whole answer, within `timeout`. `headers` come after
/// `Host` and `Connection: close`; a body gets its `Content-Length`.
pub(crate) fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    timeout: Duration,
) -> io::Result<HttpResult> {
    let method = Method::from_bytes(method.as_bytes()).map_err(invalid_input)?;
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string())
        .header("connection", "close");
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let request = builder
        .body(Full::new(Bytes::copy_from_slice(body)))
        .map_err(invalid_input)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()?;
    runtime.block_on(async {
        tokio::time::timeout(timeout, send(addr, request))
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "no answer in time"))?
    })
}

async fn send(addr: SocketAddr, request: Request<Full<Bytes>>) -> io::Result<HttpResult> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(other)?;
    // The connection task ends when the answer is read and the server closes.
    let connection = tokio::spawn(connection);
    let response = sender.send_request(request).await.map_err(other)?;
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = response.into_body().collect().await.map_err(other)?;
    connection.abort();
    Ok(HttpResult {
        status,
        headers,
        body: String::from_utf8_lossy(&body.to_bytes()).into_owned(),
    })
}

fn invalid_input(error: impl std::error::Error + Send + Sync + 'static) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, error)
}

fn other(error: hyper::Error) -> io::Error {
    io::Error::other(error)
}

#[cfg(test)]
mod tests;
