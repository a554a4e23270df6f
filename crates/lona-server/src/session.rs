//! Sessions: a random id in an HttpOnly, SameSite=Lax cookie, set on the first response.

use std::cell::RefCell;
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
    fill_random(&mut bytes);
    // 248 = 4 * 62: rejecting bytes above it keeps every character equally likely.
    let mut id = String::with_capacity(32);
    let mut pool = bytes.to_vec();
    while id.len() < 32 {
        match pool.pop() {
            Some(b) if b < 248 => id.push(char::from(ALPHABET[usize::from(b % 62)])),
            Some(_) => {}
            None => {
                let mut more = [0u8; 32];
                fill_random(&mut more);
                pool.extend_from_slice(&more);
            }
        }
    }
    id
}

/// Bytes read from the OS generator ahead, per thread.
const RANDOM_AHEAD: usize = 1024;

/// Fills `out` with bytes of the OS's generator, read [`RANDOM_AHEAD`] bytes at a time per
/// thread: one `getrandom` call per about thirty ids instead of one per id (each request
/// without a cookie gets an id, and the call was 4% of a small request's CPU). Each byte is
/// handed out once and zeroed; the process never forks, so no two processes share them.
fn fill_random(out: &mut [u8]) {
    thread_local! {
        /// Unused bytes, and where they start.
        static AHEAD: RefCell<([u8; RANDOM_AHEAD], usize)> =
            const { RefCell::new(([0; RANDOM_AHEAD], RANDOM_AHEAD)) };
    }
    AHEAD.with_borrow_mut(|(bytes, next)| {
        let mut filled = 0;
        while filled < out.len() {
            if *next == RANDOM_AHEAD {
                // The OS generator does not fail on the systems we run on; if it ever does,
                // the ids would be guessable, so refuse to go on rather than hand them out.
                getrandom::fill(bytes).expect("the OS random generator works");
                *next = 0;
            }
            let take = (out.len() - filled).min(RANDOM_AHEAD - *next);
            out[filled..filled + take].copy_from_slice(&bytes[*next..*next + take]);
            bytes[*next..*next + take].fill(0);
            *next += take;
            filled += take;
        }
    });
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
