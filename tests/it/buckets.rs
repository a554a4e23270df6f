//! Uploads (Lona's buckets) over real HTTP: a view opens a bucket, files posted to it land on
//! disk under generated names and the view is told; other sessions get 403; uploads beyond the
//! limits are refused whole; and the bucket's folder goes when the view is cleaned up.

use std::path::{Path, PathBuf};
use std::time::Duration;

use lona::prelude::*;
use lona_test::{TestClient, TestServer};

use test_support::TempDir;

const WAIT: Duration = Duration::from_secs(10);

const BOUNDARY: &str = "lona-test-boundary-7MA4YWxkTrZu0gW";

/// Tells the test that the view was cleaned up: kept after the bucket, so it is dropped after
/// the bucket's folder is gone (guards are dropped in the order they were kept).
struct Cleaned(crossbeam_channel::Sender<()>);

impl Drop for Cleaned {
    fn drop(&mut self) {
        let _ = self.0.send(());
    }
}

/// Opens a bucket and shows its URLs; every added file becomes a link in `#names`, every
/// deleted one is listed in `#deleted`.
struct Uploads {
    limits: BucketLimits,
    cleaned: crossbeam_channel::Sender<()>,
}

impl View for Uploads {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let names = tags::ul().with_id("names");
        let deleted = tags::ul().with_id("deleted");
        let bucket = Bucket::builder()
            .limits(self.limits)
            .on_add({
                let names = names.clone();
                move |event| {
                    for name in event.names {
                        names.append(
                            tags::li().with_child(
                                tags::a()
                                    .with_attr("href", event.bucket.url(name))
                                    .with_text(name.as_str()),
                            ),
                        );
                    }
                }
            })
            .on_delete({
                let deleted = deleted.clone();
                move |event| {
                    for name in event.names {
                        deleted.append(tags::li().with_text(name.as_str()));
                    }
                }
            })
            .build(cx)?;
        cx.keep_until_cleanup(Cleaned(self.cleaned.clone()));
        Ok(Response::Node(
            tags::div()
                .with_child(tags::span().with_id("add").with_text(bucket.add_url()))
                .with_child(
                    tags::span()
                        .with_id("delete")
                        .with_text(bucket.delete_url()),
                )
                .with_child(tags::span().with_id("index").with_text(bucket.index_url()))
                .with_child(names)
                .with_child(deleted),
        ))
    }
}

/// A server whose buckets live in a folder of the test's, with `limits`.
struct Fixture {
    // Declared before the server: clients go first, then the server, then the folder.
    server: TestServer,
    dir: TempDir,
    cleaned: crossbeam_channel::Receiver<()>,
}

fn fixture(name: &str, limits: BucketLimits) -> Fixture {
    let dir = TempDir::new(name);
    let (tx, cleaned) = crossbeam_channel::unbounded();
    let mut app = App::new();
    app.settings.bucket_dir = Some(dir.path().to_owned());
    app.view("/", move |_| Uploads {
        limits,
        cleaned: tx.clone(),
    });
    Fixture {
        server: TestServer::start(app),
        dir,
        cleaned,
    }
}

/// A file of a multipart body: its name and its content.
type Part<'a> = (&'a [u8], &'a [u8]);

/// A `multipart/form-data` body with one file part per `(name, content)`, all under the field
/// `files` as a `<input type=file multiple>` sends them, plus a text field.
fn multipart(files: &[Part<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nnot a file\r\n"
        )
        .as_bytes(),
    );
    for (name, content) in files {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        body.extend_from_slice(b"Content-Disposition: form-data; name=\"files\"; filename=\"");
        body.extend_from_slice(name);
        body.extend_from_slice(b"\"\r\nContent-Type: application/octet-stream\r\n\r\n");
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

fn multipart_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

/// Posts `files` to `url` with `cookie` (if any).
fn upload(
    server: &TestServer,
    url: &str,
    cookie: Option<&str>,
    files: &[Part<'_>],
) -> lona_test::HttpResult {
    let content_type = multipart_type();
    let mut headers = vec![("content-type", content_type.as_str())];
    if let Some(cookie) = cookie {
        headers.push(("cookie", cookie));
    }
    server
        .request("POST", url, &headers, &multipart(files))
        .expect("the upload is answered")
}

/// Every file under `dir`, at any depth, as paths relative to it.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(next) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&next) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(relative) = path.strip_prefix(dir) {
                found.push(relative.to_owned());
            }
        }
    }
    found.sort();
    found
}

/// The bucket folders under `dir`.
fn bucket_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("the bucket folder exists")
        .flatten()
        .map(|entry| entry.path())
        .collect();
    found.sort();
    found
}

/// The link texts in `#names`.
fn shown_names(client: &TestClient) -> Vec<String> {
    client
        .query_all("#names a")
        .iter()
        .map(|node| node.text_content())
        .collect()
}

/// The `href` of a link.
fn href(link: &lona::html::Node) -> Option<String> {
    link.attributes().get("href").map(|value| value.to_string())
}

fn open(fixture: &Fixture) -> (TestClient, String, String) {
    let mut client = fixture.server.open("/").expect("the view opens");
    let add = client
        .wait_for_selector("#add")
        .expect("the view shows the add URL")
        .text_content();
    let cookie = client
        .session()
        .cookie()
        .expect("the page set a session cookie")
        .to_owned();
    (client, add, cookie)
}

#[test]
fn an_upload_is_stored_and_the_view_is_told() {
    let fixture = fixture("buckets-upload", BucketLimits::default());
    let (mut client, add, cookie) = open(&fixture);
    assert!(
        add.starts_with("/buckets/") && add.ends_with("/add"),
        "{add}"
    );

    let answer = upload(
        &fixture.server,
        &add,
        Some(&cookie),
        &[(b"hello.txt", b"hello, bucket"), (b"photo.png", b"\x89PNG")],
    );
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (200, "hello.txt\nphoto.png\n")
    );
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    client
        .wait_for(|w| w.query_all("#names a").len() == 2)
        .expect("the view is told");
    assert_eq!(shown_names(&client), ["hello.txt", "photo.png"]);

    // One folder, holding the two files under generated names; the text field is not kept.
    let buckets = bucket_dirs(fixture.dir.path());
    assert_eq!(buckets.len(), 1, "{buckets:?}");
    let stored = files_under(&buckets[0]);
    assert_eq!(
        stored,
        [
            PathBuf::from("upload-000001"),
            PathBuf::from("upload-000002")
        ]
    );
    assert_eq!(
        std::fs::read(buckets[0].join("upload-000001")).expect("the file is there"),
        b"hello, bucket"
    );

    // Its owner gets a file back, with the type of its name.
    let url = client
        .query("#names li a")
        .and_then(|a| href(&a))
        .expect("a link to the file");
    let file = fixture
        .server
        .request("GET", &url, &[("cookie", &cookie)], b"")
        .expect("GET the file");
    assert_eq!(
        (file.status, file.body.as_str()),
        (200, "hello, bucket"),
        "{url}"
    );
    assert_eq!(
        file.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(file.header("x-content-type-options"), Some("nosniff"));
    assert!(
        file.header("content-disposition")
            .is_some_and(|v| v.starts_with("attachment;")),
        "{:?}",
        file.headers
    );

    // The index lists the files; a name that is not there is 404.
    let index = client.text("#index").expect("the index URL");
    let page = fixture
        .server
        .request("GET", &index, &[("cookie", &cookie)], b"")
        .expect("GET the index");
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("hello.txt") && page.body.contains("photo.png"),
        "{}",
        page.body
    );
    let missing = fixture
        .server
        .request(
            "GET",
            &format!("{index}nope.txt"),
            &[("cookie", &cookie)],
            b"",
        )
        .expect("GET a missing file");
    assert_eq!(missing.status, 404);
}

#[test]
fn a_file_is_deleted_by_name_and_the_view_is_told() {
    let fixture = fixture("buckets-delete", BucketLimits::default());
    let (mut client, add, cookie) = open(&fixture);
    let answer = upload(
        &fixture.server,
        &add,
        Some(&cookie),
        &[(b"a.txt", b"a"), (b"b.txt", b"b")],
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    let delete = client.text("#delete").expect("the delete URL");
    let form = [
        ("cookie", cookie.as_str()),
        ("content-type", "application/x-www-form-urlencoded"),
    ];
    let answer = fixture
        .server
        .request("POST", &delete, &form, b"name=a.txt")
        .expect("the delete is answered");
    assert_eq!((answer.status, answer.body.as_str()), (200, "a.txt\n"));
    client
        .wait_for_node_text("#deleted li", "a.txt")
        .expect("the view is told");
    let buckets = bucket_dirs(fixture.dir.path());
    assert_eq!(
        files_under(&buckets[0]),
        [PathBuf::from("upload-000002")],
        "only b.txt is left"
    );

    // A name that is not there is 404; a redirect asked for is followed with 302.
    let answer = fixture
        .server
        .request("POST", &delete, &form, b"name=a.txt")
        .expect("the second delete is answered");
    assert_eq!(answer.status, 404);
    let answer = fixture
        .server
        .request(
            "POST",
            &format!("{delete}?redirect=%2Fdone"),
            &form,
            b"name=b.txt",
        )
        .expect("the redirecting delete is answered");
    assert_eq!(
        (answer.status, answer.header("location")),
        (302, Some("/done"))
    );
    assert!(files_under(&buckets[0]).is_empty());
}

#[test]
fn only_the_views_session_may_use_its_bucket() {
    let fixture = fixture("buckets-session", BucketLimits::default());
    let (client, add, cookie) = open(&fixture);
    // Another browser: a page load gives it a session of its own.
    let other = fixture.server.get("/").expect("another page load");
    let other_cookie = other.cookie().expect("a new session cookie").to_owned();
    assert_ne!(other_cookie, cookie);

    for cookie in [Some(other_cookie.as_str()), None] {
        let answer = upload(&fixture.server, &add, cookie, &[(b"x.txt", b"intruder")]);
        assert_eq!(answer.status, 403, "{cookie:?}: {}", answer.body);
        let index = client.text("#index").expect("the index URL");
        let headers: Vec<(&str, &str)> = cookie.map(|c| ("cookie", c)).into_iter().collect();
        let page = fixture
            .server
            .request("GET", &index, &headers, b"")
            .expect("GET the index");
        assert_eq!(page.status, 403, "{cookie:?}");
    }
    assert!(files_under(fixture.dir.path()).is_empty());
    assert!(shown_names(&client).is_empty());

    // An id nobody handed out is 404, whoever asks.
    let answer = upload(
        &fixture.server,
        "/buckets/not-a-bucket/add",
        Some(&cookie),
        &[(b"x.txt", b"x")],
    );
    assert_eq!(answer.status, 404);
}

#[test]
fn uploads_beyond_the_limits_are_refused_whole() {
    let limits = BucketLimits::default()
        .with_max_files(2)
        .with_max_size(1000);
    let fixture = fixture("buckets-limits", limits);
    let (mut client, add, cookie) = open(&fixture);
    let big = vec![b'x'; 600];
    let cases: [(&[Part<'_>], u16); 3] = [
        // Three files where two fit: 400, and the first two are not kept either.
        (&[(b"1", b"1"), (b"2", b"2"), (b"3", b"3")], 400),
        // One file over the size: 413.
        (&[(b"huge", &[b'x'; 1001])], 413),
        // Two files that fit alone but not together: the first one, written already, goes.
        (&[(b"a", &big), (b"b", &big)], 413),
    ];
    for (files, status) in cases {
        let answer = upload(&fixture.server, &add, Some(&cookie), files);
        assert_eq!(answer.status, status, "{}", answer.body);
        assert!(
            files_under(fixture.dir.path()).is_empty(),
            "{:?}",
            files_under(fixture.dir.path())
        );
    }
    // Not multipart at all: 400.
    let answer = fixture
        .server
        .request(
            "POST",
            &add,
            &[("cookie", &cookie), ("content-type", "text/plain")],
            b"x",
        )
        .expect("answered");
    assert_eq!(answer.status, 400);

    // The limits count what the bucket holds already: two fit, a third later does not.
    let answer = upload(
        &fixture.server,
        &add,
        Some(&cookie),
        &[(b"one", b"1"), (b"two", b"2")],
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    client
        .wait_for(|w| w.query_all("#names a").len() == 2)
        .expect("the view is told");
    let answer = upload(&fixture.server, &add, Some(&cookie), &[(b"three", b"3")]);
    assert_eq!(answer.status, 400, "{}", answer.body);
    // A file that replaces one of the same name does not count twice.
    let answer = upload(&fixture.server, &add, Some(&cookie), &[(b"one", b"new")]);
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(files_under(fixture.dir.path()).len(), 2);
    // The refused uploads never reached the view.
    client.ping().expect("the socket is alive");
    assert!(
        shown_names(&client)
            .iter()
            .all(|name| ["one", "two"].contains(&name.as_str())),
        "{:?}",
        shown_names(&client)
    );
}

#[test]
fn malicious_file_names_are_display_names_only() {
    let fixture = fixture("buckets-names", BucketLimits::default());
    let (mut client, add, cookie) = open(&fixture);
    let names: [&[u8]; 5] = [
        b"../../etc/passwd",
        b"/etc/shadow",
        b"dir/sub/file.txt",
        b"..\\..\\win.ini",
        b"tab\tname.txt",
    ];
    let files: Vec<Part<'_>> = names.iter().map(|name| (*name, &b"evil"[..])).collect();
    let answer = upload(&fixture.server, &add, Some(&cookie), &files);
    assert_eq!(answer.status, 200, "{}", answer.body);
    client
        .wait_for(|w| w.query_all("#names a").len() == 5)
        .expect("the view is told");
    // The names are shown as sent (control characters dropped), never used as paths.
    assert_eq!(
        shown_names(&client),
        [
            "../../etc/passwd",
            "/etc/shadow",
            "dir/sub/file.txt",
            "..\\..\\win.ini",
            "tabname.txt"
        ]
    );
    // Everything written is inside the bucket's folder, flat, under generated names.
    let buckets = bucket_dirs(fixture.dir.path());
    assert_eq!(buckets.len(), 1);
    let stored = files_under(fixture.dir.path());
    let bucket_name = buckets[0].file_name().expect("a folder name");
    assert_eq!(stored.len(), 5, "{stored:?}");
    for path in &stored {
        let mut parts = path.components();
        assert_eq!(
            parts.next().map(|c| c.as_os_str()),
            Some(bucket_name),
            "{path:?}"
        );
        let file = parts.next().expect("a file in the bucket").as_os_str();
        assert!(
            file.to_str().is_some_and(|f| f.starts_with("upload-")),
            "{path:?}"
        );
        assert_eq!(parts.next(), None, "{path:?}");
    }
    // Each is served back by its name, encoded into one path segment after the index URL.
    let index = client.text("#index").expect("the index URL");
    for link in client.query_all("#names a") {
        let url = href(&link).expect("a link");
        let segment = url.strip_prefix(&index).expect("under the index URL");
        assert!(!segment.contains('/'), "{url}");
        let file = fixture
            .server
            .request("GET", &url, &[("cookie", &cookie)], b"")
            .expect("GET the file");
        assert_eq!((file.status, file.body.as_str()), (200, "evil"), "{url}");
    }
    // A NUL byte cannot be in a header at all: the whole upload is malformed, nothing is kept.
    let answer = upload(
        &fixture.server,
        &add,
        Some(&cookie),
        &[(b"fine.txt", b"ok"), (b"nul\0byte.txt", b"evil")],
    );
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert_eq!(files_under(fixture.dir.path()).len(), 5);
}

#[test]
fn the_files_are_deleted_when_the_view_is_cleaned_up() {
    let fixture = fixture("buckets-cleanup", BucketLimits::default());
    let (mut client, add, cookie) = open(&fixture);
    let answer = upload(&fixture.server, &add, Some(&cookie), &[(b"keep.txt", b"k")]);
    assert_eq!(answer.status, 200, "{}", answer.body);
    client
        .wait_for_node_text("#names li a", "keep.txt")
        .expect("the view is told");
    let url = client
        .query("#names li a")
        .and_then(|a| href(&a))
        .expect("a link");
    assert_eq!(files_under(fixture.dir.path()).len(), 1);

    // Closing the tab cleans the view up; its guards go in order, the bucket first.
    client.close();
    fixture
        .cleaned
        .recv_timeout(WAIT)
        .expect("the view is cleaned up");
    assert!(
        bucket_dirs(fixture.dir.path()).is_empty(),
        "{:?}",
        files_under(fixture.dir.path())
    );
    let gone = fixture
        .server
        .request("GET", &url, &[("cookie", &cookie)], b"")
        .expect("GET after cleanup");
    assert_eq!(gone.status, 404);
    let answer = upload(&fixture.server, &add, Some(&cookie), &[(b"late.txt", b"l")]);
    assert_eq!(answer.status, 404);
    assert!(files_under(fixture.dir.path()).is_empty());
}

#[test]
fn a_stalled_upload_gets_408_and_the_bucket_takes_the_next_one() {
    use std::io::{Read, Write};

    let dir = TempDir::new("stalled-upload");
    let (tx, cleaned) = crossbeam_channel::unbounded();
    let mut app = App::new();
    app.settings.bucket_dir = Some(dir.path().to_owned());
    app.settings.body_idle_timeout = Duration::from_millis(300);
    app.view("/", move |_| Uploads {
        limits: BucketLimits::default(),
        cleaned: tx.clone(),
    });
    let fixture = Fixture {
        server: TestServer::start(app),
        dir,
        cleaned,
    };
    let (_client, add, cookie) = open(&fixture);
    let body = multipart(&[(b"a.txt", b"first half, then nothing")]);
    let mut stalled = std::net::TcpStream::connect(fixture.server.addr()).expect("connects");
    stalled.set_read_timeout(Some(WAIT)).expect("a timeout");
    let head = format!(
        "POST {add} HTTP/1.1\r\nHost: {}\r\nCookie: {cookie}\r\nContent-Type: {}\r\n\
         Content-Length: {}\r\n\r\n",
        fixture.server.addr(),
        multipart_type(),
        body.len()
    );
    stalled.write_all(head.as_bytes()).expect("the head");
    stalled
        .write_all(&body[..body.len() / 2])
        .expect("half the body");
    let mut answer = Vec::new();
    let read = stalled.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(read.is_ok(), "not closed: {read:?} {answer}");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    // The stalled upload let go of the bucket: the next one is stored.
    let done = upload(
        &fixture.server,
        &add,
        Some(&cookie),
        &[(b"b.txt", b"whole")],
    );
    assert_eq!(done.status, 200, "{}", done.body);
}

#[test]
fn the_uploads_example_lists_what_was_added() {
    let dir = TempDir::new("buckets-example");
    let mut app = examples::uploads::app();
    app.settings.bucket_dir = Some(dir.path().to_owned());
    let server = TestServer::start(app);
    let mut client = server.open("/").expect("the example opens");
    let form = client
        .wait_for_selector("form[enctype]")
        .expect("the upload form");
    let add = form
        .attributes()
        .get("action")
        .map(|value| value.to_string())
        .expect("the form posts to the bucket");
    let cookie = client
        .session()
        .cookie()
        .expect("the page set a session cookie")
        .to_owned();
    let answer = upload(&server, &add, Some(&cookie), &[(b"notes.txt", b"hi")]);
    assert_eq!(answer.status, 200, "{}", answer.body);
    client
        .wait_for_node_text("#status", "Added notes.txt")
        .expect("the on_add hook reports the file");
    assert_eq!(
        client
            .query_all("#files a")
            .iter()
            .map(|node| node.text_content())
            .collect::<Vec<_>>(),
        ["notes.txt"]
    );
}
