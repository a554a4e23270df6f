//! Tests of sessions: ids are random and long, cookies are signed, HttpOnly and SameSite, and
//! only cookies the server signed (and that have not expired) are taken.

use std::collections::HashSet;
use std::time::Duration;

use super::{RANDOM_AHEAD, Sessions, fill_random, new_session_id, unix_now};
use crate::settings::Settings;

fn sessions(secret: &str, max_age: Option<u64>) -> Sessions {
    let settings = Settings {
        session_secret: Some(secret.to_owned()),
        session_cookie_max_age: max_age.map(Duration::from_secs),
        ..Settings::default()
    };
    Sessions::new(&settings).expect("a long secret")
}

const SECRET: &str = "0123456789abcdef0123456789abcdef";

#[test]
fn signed_cookies_read_back_and_carry_their_attributes() {
    let sessions = sessions(SECRET, None);
    let (a, b) = (new_session_id(), new_session_id());
    assert_ne!(a, b);
    assert_eq!(a.0.len(), 32);
    let cookie = sessions.set_cookie(&a, true);
    assert!(
        cookie.starts_with(&format!("lona_session={}.", a.0))
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax")
            && cookie.ends_with("; Secure")
            && !cookie.contains("Max-Age"),
        "{cookie}"
    );
    assert!(!sessions.set_cookie(&a, false).contains("Secure"));
    let value = sessions.sign(&a);
    let header = format!("other=1; lona_session={value}; x=y");
    assert_eq!(sessions.session_of_cookies(Some(&header)), Some(a.clone()));
    // The first of several cookies of our name that is ours wins.
    let tossed = format!("lona_session={}; lona_session={value}", b.0);
    assert_eq!(sessions.session_of_cookies(Some(&tossed)), Some(a));
    assert_eq!(sessions.session_of_cookies(None), None);
}

#[test]
fn unsigned_tampered_and_foreign_cookies_are_refused() {
    let sessions = sessions(SECRET, None);
    let id = new_session_id();
    let value = sessions.sign(&id);
    let refused = |value: &str| {
        let header = format!("lona_session={value}");
        sessions.session_of_cookies(Some(&header)).is_none()
    };
    // A bare id, as the server used to take.
    assert!(refused(&id.0));
    assert!(refused("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
    // Another id, another issue time, a flipped tag, upper-case hex, extra parts.
    let (_, rest) = value.split_at(32);
    assert!(refused(&format!("{}{rest}", new_session_id().0)));
    let mut parts: Vec<String> = value.split('.').map(str::to_owned).collect();
    let issued: u64 = parts[1].parse().expect("digits");
    assert!(refused(&format!(
        "{}.{}.{}",
        parts[0],
        issued - 1,
        parts[2]
    )));
    let last = parts[2].pop().expect("a digit");
    parts[2].push(if last == '0' { '1' } else { '0' });
    assert!(refused(&parts.join(".")));
    assert!(refused(&value.to_ascii_uppercase()));
    assert!(refused(&format!("{value}.x")));
    assert!(refused("<script>"));
    // Signed with another key.
    let other = self::sessions("another secret of thirty-two chars", None);
    assert!(refused(&other.sign(&id)));
    assert!(!refused(&value));
}

#[test]
fn with_a_max_age_old_cookies_are_refused() {
    let sessions = sessions(SECRET, Some(60));
    let id = new_session_id();
    assert!(sessions.set_cookie(&id, false).contains("; Max-Age=60"));
    let fresh = format!("lona_session={}", sessions.sign(&id));
    assert_eq!(sessions.session_of_cookies(Some(&fresh)), Some(id.clone()));
    // Signed 61 seconds ago with the same key: a valid tag, but too old.
    let old = unix_now() - 61;
    let mut mac = sessions.key.clone();
    hmac::Mac::update(&mut mac, format!("{}.{old}", id.0).as_bytes());
    let tag: String = hmac::Mac::finalize(mac)
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let expired = format!("lona_session={}.{old}.{tag}", id.0);
    assert_eq!(sessions.session_of_cookies(Some(&expired)), None);
    // Without a max age the same cookie is good.
    let lasting = self::sessions(SECRET, None);
    assert_eq!(lasting.session_of_cookies(Some(&expired)), Some(id));
}

#[test]
fn a_short_secret_is_refused() {
    let settings = Settings {
        session_secret: Some("short".to_owned()),
        ..Settings::default()
    };
    assert!(Sessions::new(&settings).is_err());
}

#[test]
fn ids_stay_distinct_and_well_formed_across_refills_of_the_random_bytes() {
    // Ten times the bytes read ahead: every id after the first thirty or so comes from a
    // refill, and none repeats a byte run of another.
    let ids: Vec<_> = (0..10 * RANDOM_AHEAD / 32)
        .map(|_| new_session_id())
        .collect();
    let distinct: HashSet<_> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len());
    assert!(
        ids.iter()
            .all(|id| id.0.len() == 32 && id.0.bytes().all(|b| b.is_ascii_alphanumeric()))
    );

    // A fill longer than what is read ahead spans refills; handed-out bytes are not zeroes.
    let mut bytes = vec![0u8; 3 * RANDOM_AHEAD + 17];
    fill_random(&mut bytes);
    assert!(
        bytes.chunks(64).all(|chunk| chunk.iter().any(|&b| b != 0)),
        "a 64-byte run of zeroes is as good as never random"
    );
}

/// Two tokens in three need more than their first 32 random bytes (a byte over 247 is
/// skipped): the refill must keep every token 32 characters of the alphabet, and all distinct.
#[test]
fn tokens_are_32_characters_of_the_alphabet_and_use_all_of_it() {
    let tokens: Vec<String> = (0..2000).map(|_| super::random_token()).collect();
    let mut seen = std::collections::HashSet::new();
    for token in &tokens {
        assert_eq!(token.len(), 32, "{token}");
        assert!(
            token.bytes().all(|b| super::ALPHABET.contains(&b)),
            "{token}"
        );
        seen.extend(token.bytes());
    }
    assert_eq!(seen.len(), 62, "every character appears in 64,000");
    let distinct: std::collections::HashSet<&String> = tokens.iter().collect();
    assert_eq!(distinct.len(), tokens.len());
}
