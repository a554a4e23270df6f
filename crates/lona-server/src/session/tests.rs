//! Tests of sessions: ids are random and long, cookies are HttpOnly and SameSite.

use super::{new_session_id, session_from_cookie, set_cookie};

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
