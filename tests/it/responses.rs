//! Non-interactive routes answer with every kind of response Lona has (HTML, nodes, text,
//! JSON, files, redirects, custom status and headers), see the raw request (method from the
//! HTTP verb, headers, body), run sync on the worker pool or async on tokio, and a broken
//! handler costs one 500, not the server.

use lona::prelude::*;
use lona_test::TestServer;

use test_support::TempDir;

fn app() -> App {
    let mut app = App::new();
    app.http("/method", |request| HttpResponse::text(request.method()));
    app.http("/echo", |request| {
        let token = request.header("x-token").unwrap_or("none").to_owned();
        let body = request.text().unwrap_or("(not utf-8)").to_owned();
        HttpResponse::text(format!("{} {token} {body}", request.method()))
    });
    app.http("/form", |request| {
        HttpResponse::text(format!(
            "{} a={} b={}",
            request.method(),
            request.post("a").unwrap_or("-"),
            request.query("b").unwrap_or("-")
        ))
    });
    app.http("/node", |_| {
        HttpResponse::node(&tags::p().with_text("<script>alert(1)</script>"))
    });
    app.http("/json", |_| {
        HttpResponse::json_value(&serde_json::json!({"ok": true, "n": 3}))
            .unwrap_or_else(|_| HttpResponse::text("bad").status(500))
    });
    app.http("/created", |_| {
        HttpResponse::text("made")
            .status(201)
            .header("x-lona", "yes")
            .header("cache-control", "max-age=60")
    });
    app.http("/moved", |_| HttpResponse::redirect("/method"));
    app.http("/panic", |_| {
        panic!("a bug in a handler (the test panics on purpose)")
    });
    app.http_async("/async/<name>", |request| async move {
        HttpResponse::text(format!(
            "async {} {}",
            request.method(),
            request.arg("name").unwrap_or("?")
        ))
    });
    app.http_async("/async-panic", |_| async {
        panic!("a bug in an async handler (the test panics on purpose)")
    });
    app
}

#[test]
fn the_method_comes_from_the_http_verb() {
    let server = TestServer::start(app());
    for method in ["GET", "POST", "PUT", "DELETE", "PATCH"] {
        let answer = server.request(method, "/method", &[], b"").expect(method);
        assert_eq!((answer.status, answer.body.as_str()), (200, method));
    }
    // A POST without form fields is still a POST (Lona would call it GET).
    let answer = server
        .request(
            "POST",
            "/method",
            &[("content-type", "application/json")],
            b"{}",
        )
        .expect("POST");
    assert_eq!(answer.body, "POST");
}

#[test]
fn a_handler_sees_headers_body_form_fields_and_query() {
    let server = TestServer::start(app());
    let answer = server
        .request("PUT", "/echo", &[("x-token", "secret")], b"raw body")
        .expect("PUT /echo");
    assert_eq!(answer.body, "PUT secret raw body");

    let answer = server
        .request(
            "POST",
            "/form?b=2",
            &[("content-type", "application/x-www-form-urlencoded")],
            b"a=hello+world",
        )
        .expect("POST /form");
    assert_eq!(answer.body, "POST a=hello world b=2");
}

#[test]
fn a_node_response_is_an_escaped_html_page() {
    let server = TestServer::start(app());
    let answer = server.get("/node").expect("GET /node");
    assert_eq!(answer.status, 200);
    assert!(
        answer
            .header("content-type")
            .unwrap_or_default()
            .starts_with("text/html"),
        "{:?}",
        answer.headers
    );
    assert!(
        answer.body.starts_with("<!DOCTYPE html>"),
        "{}",
        answer.body
    );
    assert!(
        answer
            .body
            .contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{}",
        answer.body
    );
    assert!(!answer.body.contains("<script>"), "{}", answer.body);
}

#[test]
fn json_status_headers_and_redirects() {
    let server = TestServer::start(app());
    let json = server.get("/json").expect("GET /json");
    assert_eq!(json.header("content-type"), Some("application/json"));
    let value: serde_json::Value = serde_json::from_str(&json.body).expect("JSON");
    assert_eq!(value, serde_json::json!({"ok": true, "n": 3}));

    let created = server.get("/created").expect("GET /created");
    assert_eq!(created.status, 201);
    assert_eq!(created.header("x-lona"), Some("yes"));
    assert_eq!(
        created.header("cache-control"),
        Some("max-age=60"),
        "a header replaces the default"
    );

    let moved = server.get("/moved").expect("GET /moved");
    assert_eq!(moved.status, 302);
    assert_eq!(moved.header("location"), Some("/method"));

    let head = server.request("HEAD", "/created", &[], b"").expect("HEAD");
    assert_eq!(head.status, 201);
    assert!(head.body.is_empty());
}

#[test]
fn files_are_streamed_and_downloads_get_a_safe_name() {
    let files = TempDir::new("responses");
    // Bigger than one streamed chunk, so the body takes several trips to the static pool.
    let big: Vec<u8> = (0..1_300_000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let path = files.write("report.txt", &big);
    let mut app = app();
    app.http("/report", move |_| match HttpResponse::file(&path) {
        Ok(response) => response.download("report \"final\"/ä.txt"),
        Err(error) => HttpResponse::text(error.to_string()).status(500),
    });
    let missing = files.path().join("missing.txt");
    app.http("/missing", move |_| match HttpResponse::file(&missing) {
        Ok(response) => response,
        Err(_) => HttpResponse::text("no such file").status(404),
    });
    let server = TestServer::start(app);

    let answer = server.get("/report").expect("GET /report");
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(answer.header("content-length"), Some("1300000"));
    assert_eq!(answer.body.len(), big.len());
    assert!(
        answer.body.as_bytes() == big.as_slice(),
        "the body is the file"
    );
    let disposition = answer.header("content-disposition").unwrap_or_default();
    assert_eq!(
        disposition,
        "attachment; filename=\"report _final___.txt\"; filename*=UTF-8''report%20%22final%22%2F%C3%A4.txt"
    );

    assert_eq!(server.get("/missing").expect("GET /missing").status, 404);
}

#[test]
fn file_responses_answer_ranges_and_conditional_requests_as_static_files_do() {
    let files = TempDir::new("responses-ranges");
    let big: Vec<u8> = (0..1_300_000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let path = files.write("video.bin", &big);
    let mut app = app();
    app.http("/video", move |_| {
        HttpResponse::file(&path).unwrap_or_else(|e| HttpResponse::text(e.to_string()).status(500))
    });
    let server = TestServer::start(app);
    let get = |headers: &[(&str, &str)]| {
        server
            .request("GET", "/video", headers, b"")
            .expect("GET /video")
    };

    let whole = get(&[]);
    assert_eq!(whole.status, 200);
    assert_eq!(whole.header("accept-ranges"), Some("bytes"));
    assert_eq!(whole.header("cache-control"), Some("private, no-cache"));
    let etag = whole.header("etag").expect("an ETag").to_owned();
    let modified = whole.header("last-modified").expect("a date").to_owned();

    // A range, one across the boundary of two streamed chunks (512 KiB), and a suffix.
    for (range, from, to) in [
        ("bytes=10-19", 10, 19),
        ("bytes=524280-524300", 524_280, 524_300),
        ("bytes=-5", 1_299_995, 1_299_999),
    ] {
        let part = get(&[("Range", range)]);
        assert_eq!(part.status, 206, "{range}");
        assert_eq!(
            part.header("content-range"),
            Some(format!("bytes {from}-{to}/1300000").as_str())
        );
        assert!(part.body.as_bytes() == &big[from..=to], "{range}");
    }
    let past = get(&[("Range", "bytes=2000000-")]);
    assert_eq!(past.status, 416);
    assert_eq!(past.header("content-range"), Some("bytes */1300000"));

    // The browser's copy is current: 304 without a body, by tag or by date.
    for validator in [
        ("If-None-Match", etag.as_str()),
        ("If-Modified-Since", &modified),
    ] {
        let cached = get(&[validator]);
        assert_eq!(cached.status, 304, "{validator:?}");
        assert!(cached.body.is_empty());
    }
    // A range for another version of the file gets the whole new one.
    let changed = get(&[("Range", "bytes=0-9"), ("If-Range", "\"other\"")]);
    assert_eq!(changed.status, 200);
    assert_eq!(changed.body.len(), big.len());
    let same = get(&[("Range", "bytes=0-9"), ("If-Range", &etag)]);
    assert_eq!(same.status, 206);
}

#[test]
fn async_handlers_run_on_tokio_with_route_arguments() {
    let server = TestServer::start(app());
    let answer = server
        .request("DELETE", "/async/ada", &[], b"")
        .expect("DELETE");
    assert_eq!(answer.body, "async DELETE ada");
}

#[test]
fn a_panicking_handler_is_one_500_and_the_server_goes_on() {
    let server = TestServer::start(app());
    for path in ["/panic", "/async-panic"] {
        let answer = server.get(path).expect(path);
        assert_eq!(answer.status, 500, "{path}: {}", answer.body);
    }
    assert_eq!(server.get("/method").expect("GET /method").body, "GET");
}

#[test]
fn a_body_over_the_limit_is_refused_with_413() {
    let mut app = app();
    app.settings.max_body_size = 1000;
    let server = TestServer::start(app);
    let answer = server
        .request("POST", "/echo", &[], &[b'x'; 1001])
        .expect("POST");
    assert_eq!(answer.status, 413);
    let answer = server
        .request("POST", "/echo", &[], &[b'x'; 1000])
        .expect("POST");
    assert_eq!(answer.status, 200);
}

/// A non-interactive view (Lona's `interactive=False`): what it does depends on the path.
struct Report;

impl View for Report {
    fn handle_request(&self, cx: &Context, request: &Request) -> ViewResult {
        match request.arg("what").unwrap_or_default() {
            "returns" => Ok(Response::Node(tags::h1().with_text(format!(
                "{} <b>{}</b>",
                request.method(),
                request.post("name").unwrap_or("nobody")
            )))),
            "shows" => {
                cx.show(&tags::p().with_text("shown, then returned nothing"))?;
                Ok(Response::Empty)
            }
            "forbidden" => Err(ViewError::Forbidden),
            "moves" => Ok(Response::Redirect("/report/returns".to_owned())),
            "waits" => {
                // No browser will ever click: the wait fails at once instead of hanging.
                cx.await_click(&[])?;
                Ok(Response::Empty)
            }
            _ => Err(ViewError::NotFound),
        }
    }
}

#[test]
fn a_non_interactive_view_answers_over_plain_http() {
    let mut app = App::new();
    app.view("/report/<what>", |_| Report)
        .interactive(false)
        .name("report");
    app.view("/live", |_| Report);
    let server = TestServer::start(app);

    let page = server.get("/report/returns").expect("GET");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(
        page.body.contains("<h1>GET &lt;b&gt;nobody&lt;/b&gt;</h1>"),
        "the tree is the page, escaped: {}",
        page.body
    );
    assert!(
        !page.body.contains("LonaContext"),
        "no client: {}",
        page.body
    );
    let live = server.get("/live").expect("GET /live");
    assert!(
        live.body.contains("LonaContext"),
        "an interactive route still gets the frontend page"
    );

    let posted = server
        .request(
            "POST",
            "/report/returns",
            &[("content-type", "application/x-www-form-urlencoded")],
            b"name=Ada",
        )
        .expect("POST");
    assert!(
        posted.body.contains("POST &lt;b&gt;Ada&lt;/b&gt;"),
        "{}",
        posted.body
    );

    let shown = server.get("/report/shows").expect("GET shows");
    assert!(
        shown.body.contains("shown, then returned nothing"),
        "{}",
        shown.body
    );
    assert_eq!(server.get("/report/forbidden").expect("403").status, 403);
    assert_eq!(server.get("/report/unknown").expect("404").status, 404);
    let moved = server.get("/report/moves").expect("302");
    assert_eq!(moved.status, 302);
    assert_eq!(moved.header("location"), Some("/report/returns"));
    assert_eq!(server.get("/report/waits").expect("500").status, 500);
    // But `/live`'s, started for its page's first paint and waiting to be adopted.
    let metrics = server.metrics();
    assert_eq!(
        (metrics.views, metrics.paint.pending),
        (1, 1),
        "no view is left running"
    );
}
