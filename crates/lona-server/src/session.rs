//! Sessions: a random id in an HttpOnly, SameSite=Lax cookie, set on the first response.

use std::fmt::Write as _;

use lona_runtime::SessionId;

const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A new random session id: 32 characters from 62, about 190 bits from the OS's generator.
pub(crate) fn new_session_id() -> SessionId {
    SessionId::new(random_token())
}

/// 32 random characters from 62, about 190 bits from the OS's generator: session ids and the
/// ids of upload buckets, which must not be guessable.
pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    // The OS generator does not fail on the systems we run on; if it ever does, the ids would
    // be guessable, so refuse to go on rather than hand them out.
    getrandom::fill(&mut bytes).expect("the OS random generator works");
    // 248 = 4 * 62: rejecting bytes above it keeps every character equally likely.
    let mut id = String::with_capacity(32);
    let mut pool = bytes.to_vec();
    while id.len() < 32 {
        match pool.pop() {
            Some(b) if b < 248 => id.push(char::from(ALPHABET[usize::from(b % 62)])),
            Some(_) => {}
            None => {
                let mut more = [0u8; 32];
                getrandom::fill(&mut more).expect("the OS random generator works");
                pool.extend_from_slice(&more);
            }
        }
    }
    id
}

/// The value of cookie `name` in a `Cookie` header, if it looks like one of our session ids.
pub(crate) fn session_from_cookie(header: Option<&str>, name: &str) -> Option<SessionId> {
    header?
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim())
        .filter(|value| value.len() == 32 && value.bytes().all(|b| b.is_ascii_alphanumeric()))
        .map(SessionId::new)
}

/// The `Set-Cookie` header value for a session.
pub(crate) fn set_cookie(name: &str, session: &SessionId, secure: bool) -> String {
    let mut cookie = format!("{name}={}; Path=/; HttpOnly; SameSite=Lax", session.0);
    if secure {
        let _ = write!(cookie, "; Secure");
    }
    cookie
}

#[cfg(test)]
mod tests;
