//! Sessions: a random id the server issued, signed with the server's key, in an HttpOnly,
//! SameSite=Lax cookie set on the first page. A cookie the server did not sign (or signed
//! longer ago than `session_cookie_max_age`) is ignored and its bearer gets a fresh session,
//! so no one can choose another browser's session id (fixation).
//!
//! The cookie is `ID.ISSUED.TAG`: the 32-character id the runtime knows as `SessionId`, the
//! Unix second it was issued, and the hex HMAC-SHA256 of both under `session_secret`.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, KeyInit, Mac};
use lona_runtime::SessionId;
use sha2::Sha256;

use crate::settings::Settings;

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
    // Refills in place: an id is made for every request without a session cookie.
    let mut left = bytes.len();
    while id.len() < 32 {
        if left == 0 {
            fill_random(&mut bytes);
            left = bytes.len();
        }
        left -= 1;
        let b = bytes[left];
        if b < 248 {
            id.push(char::from(ALPHABET[usize::from(b % 62)]));
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

/// The shortest `session_secret` accepted: 32 characters, as many bits as a key needs to
/// stand against an offline search from one captured cookie.
pub(crate) const MIN_SECRET_LEN: usize = 32;

/// How sessions are issued and checked: the signing key and the cookie's settings.
pub(crate) struct Sessions {
    key: Hmac<Sha256>,
    cookie_name: String,
    max_age: Option<Duration>,
    always_secure: bool,
}

/// A `session_secret` shorter than [`MIN_SECRET_LEN`].
#[derive(Debug)]
pub(crate) struct ShortSecret;

impl Sessions {
    /// The sessions of `settings`; without `session_secret`, a random key for this process.
    pub(crate) fn new(settings: &Settings) -> Result<Sessions, ShortSecret> {
        let key = match &settings.session_secret {
            Some(secret) if secret.len() < MIN_SECRET_LEN => return Err(ShortSecret),
            Some(secret) => Hmac::new_from_slice(secret.as_bytes()),
            None => {
                tracing::warn!(
                    "session_secret is not set: sessions are signed with a random key of this \
                     process, so they do not survive a restart, and processes behind one proxy \
                     need a shared session_secret"
                );
                let mut random = [0u8; 32];
                fill_random(&mut random);
                Hmac::new_from_slice(&random)
            }
        };
        Ok(Sessions {
            // HMAC takes a key of any length.
            key: key.map_err(|_| ShortSecret)?,
            cookie_name: settings.session_cookie_name.clone(),
            max_age: settings.session_cookie_max_age,
            always_secure: settings.session_cookie_secure,
        })
    }

    /// The session of a `Cookie` header: the first cookie of our name that we signed and that
    /// has not expired. `None` for anything else, whatever it looks like.
    pub(crate) fn session_of_cookies(&self, header: Option<&str>) -> Option<SessionId> {
        let now = unix_now();
        header?
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .filter(|(key, _)| *key == self.cookie_name)
            .find_map(|(_, value)| self.verify(value.trim(), now))
    }

    /// The id a cookie value carries, if it is ours and fresh.
    fn verify(&self, value: &str, now: u64) -> Option<SessionId> {
        let mut parts = value.split('.');
        let (id, issued, tag) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some()
            || id.len() != 32
            || !id.bytes().all(|b| b.is_ascii_alphanumeric())
            || issued.is_empty()
            || issued.len() > 20
            || !issued.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let tag = decode_hex(tag)?;
        let mut mac = self.key.clone();
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(issued.as_bytes());
        // Constant time: the comparison does not tell how many bytes of a guess were right.
        mac.verify_slice(&tag).ok()?;
        if let Some(max_age) = self.max_age {
            let issued: u64 = issued.parse().ok()?;
            if now.saturating_sub(issued) > max_age.as_secs().max(1) {
                return None;
            }
        }
        Some(SessionId::new(id))
    }

    /// The signed cookie value for `session`, issued now.
    pub(crate) fn sign(&self, session: &SessionId) -> String {
        let issued = unix_now().to_string();
        let mut mac = self.key.clone();
        mac.update(session.0.as_bytes());
        mac.update(b".");
        mac.update(issued.as_bytes());
        let tag = mac.finalize().into_bytes();
        let mut value = format!("{}.{issued}.", session.0);
        for byte in tag.iter() {
            let _ = write!(value, "{byte:02x}");
        }
        value
    }

    /// The `Set-Cookie` header value for `session`; `https` if the request came over HTTPS
    /// (directly or by a trusted proxy's word), which makes it `Secure`.
    pub(crate) fn set_cookie(&self, session: &SessionId, https: bool) -> String {
        let mut cookie = format!(
            "{}={}; Path=/; HttpOnly; SameSite=Lax",
            self.cookie_name,
            self.sign(session)
        );
        if let Some(max_age) = self.max_age {
            let _ = write!(cookie, "; Max-Age={}", max_age.as_secs().max(1));
        }
        if https || self.always_secure {
            cookie.push_str("; Secure");
        }
        cookie
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// 64 lower-case hex digits as 32 bytes.
fn decode_hex(text: &str) -> Option<[u8; 32]> {
    let digits = text.as_bytes();
    if digits.len() != 64 {
        return None;
    }
    let nibble = |d: u8| match d {
        b'0'..=b'9' => Some(d - b'0'),
        b'a'..=b'f' => Some(d - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        *byte = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(out)
}

mod handoff;

pub(crate) use handoff::{Handoffs, token_of};
pub use handoff::{RotateError, SESSION_HANDOFF_PATH, rotate_session};

#[cfg(test)]
mod tests;
