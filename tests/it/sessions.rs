//! Sessions over real sockets: only ids the server issued (and signed) are taken, so a cookie
//! a client makes up, tampers with or keeps past its max age gets a fresh session that reaches
//! nothing of another's (no daemon view, no upload bucket); a login handler rotates the id; and
//! the cookie is `Secure` when a trusted proxy says the request came over HTTPS.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use lona::prelude::*;
use lona_test::{Session, TestClient, TestServer};

const PLANTED: &str = "lona_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/// A daemon view with a counter and an upload bucket: what a second client of the same session
/// would attach to.
struct Counter;

impl View for Counter {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        cx.daemonize();
        let count = tags::span().with_id("count").with_text("0");
        let plus = tags::button().with_id("plus").with_text("+1");
        cx.on_click(&plus, {
            let count = count.clone();
            move |_, _| {
                let now: u32 = count.text_content().parse().unwrap_or(0);
                count.set_text((now + 1).to_string());
                Flow::Handled
            }
        });
        let bucket = Bucket::new(cx, BucketLimits::default())?;
        Ok(Response::Node(
            tags::div()
                .with_child(&count)
                .with_child(&plus)
                .with_child(tags::span().with_id("add").with_text(bucket.add_url())),
        ))
    }
}

fn server(max_age: Option<Duration>) -> TestServer {
    let mut app = App::new();
    app.settings.session_cookie_max_age = max_age;
    app.view("/", |_| Counter);
    TestServer::start(app)
}

/// A victim whose session has a daemon counter at 1; returns its tab and bucket add URL.
fn victim(server: &TestServer, cookie: Option<&str>) -> (TestClient, String) {
    let mut tab = match cookie {
        Some(cookie) => server.open_with_session("/", &Session::from_cookie(cookie)),
        None => server.open("/"),
    }
    .expect("the victim's tab opens");
    tab.wait_for_node_text("#count", "0").expect("the counter");
    tab.click("#plus").expect("a click");
    tab.wait_for_node_text("#count", "1")
        .expect("the counter counts");
    let add = tab.text("#add").expect("the bucket's add URL");
    (tab, add)
}

/// Whether a client holding `cookie` reaches the victim's session: its own socket (no page
/// load to replace the cookie) shows the victim's daemon, or its upload to the victim's bucket
/// is taken.
fn reaches_victim(server: &TestServer, cookie: &str, add: &str) -> bool {
    let mut tab = server
        .open_socket_with_session("/", &Session::from_cookie(cookie))
        .expect("the socket opens");
    tab.wait_for_selector("#count").expect("a view shows");
    let daemon = tab.text("#count").as_deref() == Some("1");
    let body = "--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"x.txt\"\r\n\r\nx\r\n--b--\r\n";
    let upload = server
        .request(
            "POST",
            add,
            &[
                ("cookie", cookie),
                ("content-type", "multipart/form-data; boundary=b"),
            ],
            body.as_bytes(),
        )
        .expect("the upload is answered");
    daemon || upload.status != 403
}

/// The `name=value` pair of a page's `Set-Cookie` for `cookie`, if it set one.
fn page_cookie(server: &TestServer, cookie: &str) -> Option<String> {
    let page = server
        .request("GET", "/", &[("cookie", cookie)], b"")
        .expect("the page loads");
    page.cookie().map(str::to_owned)
}

#[test]
fn a_made_up_cookie_gets_a_fresh_session_that_reaches_nothing_of_another() {
    let server = server(None);
    // The attacker planted a well-formed id in the victim's browser.
    let (victim_tab, add) = victim(&server, Some(PLANTED));
    let issued = victim_tab.session().cookie().expect("a cookie").to_owned();
    assert_ne!(issued, PLANTED, "the planted id was adopted");
    // The victim's own cookie does reach its session (the check can tell).
    assert!(reaches_victim(&server, &issued, &add));
    // With the planted id the attacker gets a session of its own, and a new cookie on a page.
    assert!(!reaches_victim(&server, PLANTED, &add));
    let fresh = page_cookie(&server, PLANTED).expect("a new cookie for an unknown id");
    assert_ne!(fresh, PLANTED);
    assert_ne!(fresh, issued);
}

#[test]
fn a_tampered_cookie_gets_a_fresh_session() {
    let server = server(None);
    let (victim_tab, add) = victim(&server, None);
    let issued = victim_tab.session().cookie().expect("a cookie").to_owned();
    // The signature changed in its last digit; another id under the victim's signature; the
    // victim's id bare, as cookies were before they were signed.
    let mut tampered = issued.clone();
    let last = tampered.pop().expect("a digit");
    tampered.push(if last == '0' { '1' } else { '0' });
    let (name_and_id, signature) = issued.split_at("lona_session=".len() + 32);
    let swapped = format!("lona_session={}{signature}", "B".repeat(32));
    let bare = name_and_id.to_owned();
    for cookie in [tampered, swapped, bare] {
        assert!(!reaches_victim(&server, &cookie, &add), "{cookie}");
        assert!(page_cookie(&server, &cookie).is_some(), "{cookie}");
    }
}

#[test]
fn past_its_max_age_a_cookie_gets_a_fresh_session() {
    let server = server(Some(Duration::from_secs(1)));
    let page = server.get("/").expect("the page loads");
    assert!(
        page.header("set-cookie")
            .is_some_and(|c| c.contains("; Max-Age=1")),
        "{page:?}"
    );
    let (victim_tab, add) = victim(&server, page.cookie());
    let issued = victim_tab.session().cookie().expect("a cookie").to_owned();
    // Polled: the server refuses the cookie once it is older than a second.
    let deadline = Instant::now() + Duration::from_secs(10);
    while page_cookie(&server, &issued).is_none() {
        assert!(Instant::now() < deadline, "the cookie never expired");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!reaches_victim(&server, &issued, &add));
}

/// Who is logged in, by session id.
#[derive(Default)]
struct Logins(parking_lot::Mutex<HashSet<String>>);

#[test]
fn a_login_handler_rotates_the_session_and_the_old_id_is_not_logged_in() {
    let mut app = App::new();
    app.state(Logins::default());
    app.view("/", |_| Counter);
    app.http("/login", |request| {
        let session = request.rotate_session();
        if let Some(logins) = request.state::<Logins>() {
            logins.0.lock().insert(session.0.to_string());
        }
        HttpResponse::text("welcome")
    });
    app.http("/whoami", |request| {
        let logins = request.state::<Logins>();
        let known = logins.is_some_and(|l| l.0.lock().contains(&*request.session.0));
        HttpResponse::text(if known { "user" } else { "anonymous" })
    });
    let server = TestServer::start(app);
    let before = server
        .get("/")
        .expect("the page")
        .cookie()
        .expect("a cookie")
        .to_owned();
    let login = server
        .request("POST", "/login", &[("cookie", &before)], b"")
        .expect("the login answers");
    assert_eq!(login.status, 200);
    let after = login
        .cookie()
        .expect("the login sets a new cookie")
        .to_owned();
    assert_ne!(after, before);
    let whoami = |cookie: &str| {
        server
            .request("GET", "/whoami", &[("cookie", cookie)], b"")
            .expect("whoami answers")
            .body
    };
    assert_eq!(whoami(&after), "user");
    assert_eq!(whoami(&before), "anonymous");
}

fn proxied_cookie(trusted: &str) -> String {
    let mut app = App::new();
    app.settings.trusted_proxies = vec![trusted.to_owned()];
    app.view("/", |_| Counter);
    let server = TestServer::start(app);
    let page = server
        .request("GET", "/", &[("x-forwarded-proto", "https")], b"")
        .expect("the page loads");
    page.header("set-cookie").expect("a cookie").to_owned()
}

#[test]
fn the_cookie_is_secure_when_a_trusted_proxy_says_https_and_not_when_anyone_else_does() {
    assert!(proxied_cookie("127.0.0.1").ends_with("; Secure"));
    assert!(!proxied_cookie("10.0.0.0/8").contains("Secure"));
}

/// A view with a login button that rotates the session; it shows whether its session is
/// logged in.
struct LoginView;

impl View for LoginView {
    fn handle_request(&self, cx: &Context, request: &Request) -> ViewResult {
        let logins = cx.state::<Logins>().ok_or(ViewError::NotFound)?;
        let known = logins.0.lock().contains(&*request.session.0);
        let login = tags::button().with_id("login").with_text("log in");
        cx.on_click(&login, move |cx, _| {
            if let Ok(session) = lona::server::rotate_session(cx, "/") {
                logins.0.lock().insert(session.0.to_string());
            }
            Flow::Handled
        });
        Ok(Response::Node(
            tags::div()
                .with_child(tags::p().with_id("who").with_text(if known {
                    "user"
                } else {
                    "anonymous"
                }))
                .with_child(&login),
        ))
    }
}

/// Clicks `#login` in `tab` and returns the one-time URL the view sent the window to.
fn log_in(tab: &mut TestClient) -> String {
    tab.click("#login").expect("a click");
    tab.wait_for(|w| !w.http_redirects().is_empty())
        .expect("the view sends the window through the handoff URL");
    tab.window()
        .http_redirects()
        .last()
        .cloned()
        .expect("a URL")
}

#[test]
fn a_login_in_a_view_rotates_the_session_through_a_one_time_url() {
    let mut app = App::new();
    app.state(Logins::default());
    app.view("/", |_| LoginView);
    let server = TestServer::start(app);
    let mut tab = server.open("/").expect("the page opens");
    tab.wait_for_node_text("#who", "anonymous")
        .expect("not logged in");
    let before = tab.session().cookie().expect("a cookie").to_owned();
    let url = log_in(&mut tab);
    assert!(url.starts_with(lona::server::SESSION_HANDOFF_PATH), "{url}");

    // Another session cannot take the handoff (nor use it up).
    let stranger = server
        .get("/")
        .expect("a page")
        .cookie()
        .expect("a cookie")
        .to_owned();
    let refused = server
        .request("GET", &url, &[("cookie", &stranger)], b"")
        .expect("answered");
    assert_eq!(refused.status, 403);
    // The browser can, once: a redirect to `/` that sets the new session's cookie.
    let handoff = server
        .request("GET", &url, &[("cookie", &before)], b"")
        .expect("answered");
    assert_eq!(handoff.status, 302, "{handoff:?}");
    assert_eq!(handoff.header("location"), Some("/"));
    let after = handoff.cookie().expect("the new cookie").to_owned();
    assert_ne!(after, before);
    let again = server
        .request("GET", &url, &[("cookie", &before)], b"")
        .expect("answered");
    assert_eq!(again.status, 403, "a handoff URL works once");

    let who = |cookie: &str| {
        let mut tab = server
            .open_with_session("/", &Session::from_cookie(cookie))
            .expect("the page opens");
        tab.wait_for_selector("#who").expect("the view shows");
        tab.text("#who").unwrap_or_default()
    };
    assert_eq!(who(&after), "user");
    assert_eq!(who(&before), "anonymous");
}
