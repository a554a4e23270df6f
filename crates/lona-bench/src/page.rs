//! Loading a page over plain HTTP, as a browser does before it opens the socket: the session
//! cookie it sets and, when the server painted it (first paint), its adopt token.

use std::net::{IpAddr, SocketAddr};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::connect;

/// A page load: returns the session cookie the server set and the page's adopt token (first
/// paint), which the view's VIEW brings back, as the browser client does.
pub(crate) async fn load_page(
    addr: SocketAddr,
    path: &str,
    source: Option<IpAddr>,
) -> Result<(Option<String>, Option<String>), String> {
    let answer = get(addr, path, None, source).await?;
    let cookie = answer
        .set_cookie
        .and_then(|value| Some(value.split(';').next()?.trim().to_owned()));
    Ok((cookie, answer.adopt))
}

/// What [`get`] read of an answer.
pub(crate) struct Answer {
    pub(crate) status: u16,
    /// The whole `Set-Cookie` value, if any.
    pub(crate) set_cookie: Option<String>,
    /// The page's adopt token, if the server painted it (first paint).
    pub(crate) adopt: Option<String>,
    /// Whether the page's `#lona` holds a tree.
    pub(crate) painted: bool,
}

/// One GET over a fresh connection, from `source` if given, with `cookie` if given.
pub(crate) async fn get(
    addr: SocketAddr,
    path: &str,
    cookie: Option<&str>,
    source: Option<IpAddr>,
) -> Result<Answer, String> {
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
    let text = String::from_utf8_lossy(&raw);
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or("no status line")?;
    let set_cookie = text
        .split("\r\n\r\n")
        .next()
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("set-cookie"))
        .map(|(_, value)| value.trim().to_owned());
    let adopt = text.find("\"adopt\":\"").and_then(|at| {
        let start = at + "\"adopt\":\"".len();
        let token = text.get(start..start + lona_protocol::RESUME_TOKEN_LEN)?;
        lona_protocol::is_resume_token(token).then(|| token.to_owned())
    });
    let painted = text.contains("<div id=\"lona\"><") && !text.contains("<div id=\"lona\"></div>");
    Ok(Answer {
        status,
        set_cookie,
        adopt,
        painted,
    })
}
