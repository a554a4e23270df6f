//! Rotating the session id of a browser whose page is a view: [`rotate_session`] issues a new
//! id and sends the view's windows, with HTTP_REDIRECT, to a one-time URL whose answer sets the
//! new cookie and redirects on. A WebSocket cannot set a cookie, so the browser has to make one
//! plain HTTP request for it.
//!
//! The URL carries a random token (in the query, which the request log leaves out); it works
//! once, for [`HANDOFF_TTL`], and only with the old session's cookie, so a token that leaks
//! gives nothing to whoever does not hold the old session already.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use lona_runtime::{SessionId, ViewHandle};
use parking_lot::Mutex;

use crate::session::{new_session_id, random_token};

/// The path of the one-time URLs.
pub const SESSION_HANDOFF_PATH: &str = "/_lona/session";

/// How long a handoff URL works.
pub(crate) const HANDOFF_TTL: Duration = Duration::from_secs(60);

/// Handoffs waiting at most per process; beyond, expired ones are dropped and a new rotation is
/// refused until one is taken or expires (a view that rotates in a loop cannot grow memory).
const MAX_HANDOFFS: usize = 10_000;

/// The handoffs issued and not yet taken, by token: app state the server registers.
#[derive(Debug, Default)]
pub(crate) struct Handoffs(Mutex<HashMap<String, Handoff>>);

#[derive(Debug)]
struct Handoff {
    old: SessionId,
    new: SessionId,
    next: String,
    expires: Instant,
}

/// Why [`rotate_session`] did not rotate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RotateError {
    /// `next` is not a path of this site (`/...`, not `//...`).
    NotLocal,
    /// The view does not run under a lona server (a test runtime).
    NoServer,
    /// Too many handoffs are waiting; try again later.
    Busy,
    /// The view was stopped.
    Stopped,
}

impl std::fmt::Display for RotateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RotateError::NotLocal => "the URL to go on to is not a path of this site",
            RotateError::NoServer => "the view does not run under a lona server",
            RotateError::Busy => "too many session handoffs are waiting",
            RotateError::Stopped => "the view was stopped",
        })
    }
}

impl std::error::Error for RotateError {}

/// Issues a new session id for the view's browser, where a user's privilege changes (a login
/// in a view's form handler), and returns it: keep what the login grants under it, never under
/// `request.session`. The view's windows are sent (HTTP_REDIRECT) through a one-time URL that
/// sets the new session cookie and then loads `next` (a path of this site, such as `/`), so the
/// page and its views start again in the new session; the old session keeps its daemon views
/// and buckets, which the browser no longer reaches.
///
/// ```
/// # use std::collections::HashMap;
/// # use std::sync::Mutex;
/// # use lona_runtime::{Context, SessionId};
/// # use lona_html::Node;
/// # fn password_ok(_: &Node) -> bool { true }
/// # fn login(cx: &Context, login: &Node, input: Node, user: String, logins: Mutex<HashMap<SessionId, String>>) {
/// cx.on_click(login, move |cx, _| {
///     if password_ok(&input) {
///         if let Ok(session) = lona_server::rotate_session(cx, "/") {
///             logins.lock().unwrap().insert(session, user.clone());
///         }
///     }
/// });
/// # }
/// ```
///
/// # Errors
///
/// [`RotateError`]: `next` is not local, no server, too many handoffs waiting, or the view
/// stopped. Nothing was sent then.
pub fn rotate_session(cx: &ViewHandle, next: &str) -> Result<SessionId, RotateError> {
    if !next.starts_with('/') || next.starts_with("//") || next.contains('\\') {
        return Err(RotateError::NotLocal);
    }
    let handoffs = cx.state::<Handoffs>().ok_or(RotateError::NoServer)?;
    let token = random_token();
    let new = new_session_id();
    handoffs.insert(
        token.clone(),
        Handoff {
            old: cx.request().session.clone(),
            new: new.clone(),
            next: next.to_owned(),
            expires: Instant::now() + HANDOFF_TTL,
        },
    )?;
    cx.http_redirect(&format!("{SESSION_HANDOFF_PATH}?token={token}"))
        .map_err(|_| RotateError::Stopped)?;
    Ok(new)
}

impl Handoffs {
    fn insert(&self, token: String, handoff: Handoff) -> Result<(), RotateError> {
        let mut waiting = self.0.lock();
        if waiting.len() >= MAX_HANDOFFS {
            let now = Instant::now();
            waiting.retain(|_, h| h.expires > now);
            if waiting.len() >= MAX_HANDOFFS {
                return Err(RotateError::Busy);
            }
        }
        waiting.insert(token, handoff);
        Ok(())
    }

    /// Takes the handoff of `token` for a request of session `current`: the new id and where to
    /// go on. `None` for an unknown, used or expired token, or for another session (the token
    /// then stays for its own session).
    pub(crate) fn take(
        &self,
        token: &str,
        current: Option<&SessionId>,
    ) -> Option<(SessionId, String)> {
        let mut waiting = self.0.lock();
        let handoff = waiting.get(token)?;
        if handoff.expires <= Instant::now() {
            waiting.remove(token);
            return None;
        }
        if current != Some(&handoff.old) {
            return None;
        }
        let handoff = waiting.remove(token)?;
        Some((handoff.new, handoff.next))
    }
}

/// The token of a handoff URL's query.
pub(crate) fn token_of(query: Option<&str>) -> Option<&str> {
    query?
        .split('&')
        .find_map(|pair| pair.strip_prefix("token="))
        .filter(|token| token.len() == 32 && token.bytes().all(|b| b.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handoff(old: &SessionId, expires: Instant) -> Handoff {
        Handoff {
            old: old.clone(),
            new: new_session_id(),
            next: "/".to_owned(),
            expires,
        }
    }

    #[test]
    fn a_handoff_is_taken_once_by_its_own_session_before_it_expires() {
        let handoffs = Handoffs::default();
        let (mine, other) = (new_session_id(), new_session_id());
        let later = Instant::now() + HANDOFF_TTL;
        handoffs
            .insert("a".into(), handoff(&mine, later))
            .expect("room");
        assert_eq!(handoffs.take("a", Some(&other)), None);
        assert_eq!(handoffs.take("a", None), None);
        assert!(
            handoffs.take("a", Some(&mine)).is_some(),
            "kept for its own session"
        );
        assert_eq!(handoffs.take("a", Some(&mine)), None, "once");
        handoffs
            .insert("b".into(), handoff(&mine, Instant::now()))
            .expect("room");
        assert_eq!(handoffs.take("b", Some(&mine)), None, "expired");
    }

    #[test]
    fn tokens_come_from_the_query_and_look_like_ours() {
        let token = "A".repeat(32);
        assert_eq!(
            token_of(Some(&format!("x=1&token={token}"))),
            Some(token.as_str())
        );
        assert_eq!(token_of(Some("token=short")), None);
        assert_eq!(token_of(None), None);
    }
}
