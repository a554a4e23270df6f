//! Tests of sessions: ids are random and long, cookies are HttpOnly and SameSite.

use std::collections::HashSet;

use super::{RANDOM_AHEAD, fill_random, new_session_id, session_from_cookie, set_cookie};

#[test]
fn session_ids_are_long_random_and_read_back_from_cookies() {
    let (a, b) = (new_session_id(), new_session_id());
    assert_ne!(a, b);
    assert_eq!(a.0.len(), 32);
    let cookie = set_cookie("lona_session", &a, true);
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax")
            && cookie.ends_with("Secure")
    );
    let header = format!("other=1; lona_session={}; x=y", a.0);
    assert_eq!(session_from_cookie(Some(&header), "lona_session"), Some(a));
    assert_eq!(
        session_from_cookie(Some("lona_session=short"), "lona_session"),
        None
    );
    assert_eq!(
        session_from_cookie(Some("lona_session=<script>"), "lona_session"),
        None
    );
    assert_eq!(session_from_cookie(None, "lona_session"), None);
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
