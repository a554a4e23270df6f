//! Tests of `files.rs`: the cache and its revalidation (with a fake clock, never sleeping),
//! the memory budget, big files streamed from disk, and serving turned off.

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::{Body, EmbeddedFile, StaticFiles, StaticRequest, StaticResponse};
use test_support::TempDir;

/// A clock that only moves when told to.
#[derive(Clone)]
struct FakeClock {
    base: Instant,
    offset: Arc<AtomicU64>,
}

impl FakeClock {
    fn new() -> FakeClock {
        FakeClock {
            base: Instant::now(),
            offset: Arc::new(AtomicU64::new(0)),
        }
    }

    fn advance(&self, by: Duration) {
        let nanos = u64::try_from(by.as_nanos()).expect("small duration");
        self.offset.fetch_add(nanos, Ordering::Relaxed);
    }

    fn now(&self) -> Instant {
        self.base + Duration::from_nanos(self.offset.load(Ordering::Relaxed))
    }
}

fn body_bytes(response: StaticResponse) -> Vec<u8> {
    match response.body {
        Body::File {
            mut file, length, ..
        } => {
            let mut bytes = Vec::new();
            file.by_ref()
                .take(length)
                .read_to_end(&mut bytes)
                .expect("read body");
            bytes
        }
        body => body.as_slice().expect("in memory").to_vec(),
    }
}

fn get(files: &StaticFiles, path: &str) -> StaticResponse {
    files.respond(&StaticRequest::get(path))
}

#[test]
fn lookup_cached_misses_until_respond_fills_the_cache() {
    let dir = TempDir::new("static");
    dir.write("a.txt", "alpha");
    let files = StaticFiles::builder()
        .add_dir(dir.path())
        .build()
        .expect("build");
    let request = StaticRequest::get("/static/a.txt");
    assert!(files.lookup_cached(&request).is_none());
    let first = files.respond(&request);
    assert_eq!(first.status, 200);
    let cached = files.lookup_cached(&request).expect("cached now");
    assert_eq!(cached.status, 200);
    assert_eq!(cached.header("etag"), first.header("etag"));
    assert_eq!(body_bytes(cached), b"alpha");
}

#[test]
fn refusals_are_answered_from_memory() {
    let files = StaticFiles::builder().build().expect("build");
    let refused = [
        StaticRequest::get("/static/../etc/passwd"),
        StaticRequest::get("/elsewhere/a.txt"),
        StaticRequest::new("POST", "/static/a.txt"),
    ];
    let statuses: Vec<u16> = refused
        .iter()
        .map(|r| files.lookup_cached(r).expect("pure refusal").status)
        .collect();
    assert_eq!(statuses, [404, 404, 405]);
}

#[test]
fn embedded_files_are_cached_from_the_start() {
    let files = StaticFiles::builder()
        .revalidate_interval(Duration::ZERO)
        .add_embedded(
            "lona/",
            [EmbeddedFile::from_text("lona.js", "text/javascript", "x")],
        )
        .build()
        .expect("build");
    let response = files
        .lookup_cached(&StaticRequest::get("/static/lona/lona.js"))
        .expect("embedded files never need the file system");
    assert!(matches!(response.body, Body::Static(b"x")));
}

#[test]
fn fresh_entries_are_trusted_until_the_interval_passes() {
    let dir = TempDir::new("static");
    dir.write("a.txt", "one");
    let clock = FakeClock::new();
    let ticking = clock.clone();
    let files = StaticFiles::builder()
        .add_dir(dir.path())
        .revalidate_interval(Duration::from_secs(10))
        .clock(move || ticking.now())
        .build()
        .expect("build");
    assert_eq!(body_bytes(get(&files, "/static/a.txt")), b"one");
    dir.write("a.txt", "two, longer");
    clock.advance(Duration::from_secs(9));
    let request = StaticRequest::get("/static/a.txt");
    assert_eq!(
        body_bytes(files.lookup_cached(&request).expect("fresh")),
        b"one"
    );
    assert_eq!(body_bytes(files.respond(&request)), b"one");
    clock.advance(Duration::from_secs(2));
    assert!(files.lookup_cached(&request).is_none(), "stale after 11 s");
    assert_eq!(body_bytes(files.respond(&request)), b"two, longer");
    assert!(files.lookup_cached(&request).is_some(), "checked again");
}

#[test]
fn an_unchanged_file_is_only_checked_not_reloaded() {
    let dir = TempDir::new("static");
    dir.write("a.txt", "same");
    let clock = FakeClock::new();
    let ticking = clock.clone();
    let files = StaticFiles::builder()
        .add_dir(dir.path())
        .clock(move || ticking.now())
        .build()
        .expect("build");
    let request = StaticRequest::get("/static/a.txt");
    files.respond(&request);
    let before = files.cache.read().get("a.txt").cloned().expect("entry");
    clock.advance(Duration::from_secs(5));
    assert!(files.lookup_cached(&request).is_none());
    files.respond(&request);
    let after = files.cache.read().get("a.txt").cloned().expect("entry");
    assert!(Arc::ptr_eq(&before, &after), "same entry, newer check");
    assert!(files.lookup_cached(&request).is_some());
}

#[test]
fn interval_zero_checks_every_request() {
    let dir = TempDir::new("static");
    dir.write("a.txt", "one");
    let files = StaticFiles::builder()
        .add_dir(dir.path())
        .revalidate_interval(Duration::ZERO)
        .build()
        .expect("build");
    let request = StaticRequest::get("/static/a.txt");
    assert_eq!(body_bytes(files.respond(&request)), b"one");
    assert!(files.lookup_cached(&request).is_none());
    dir.write("a.txt", "two!");
    assert_eq!(body_bytes(files.respond(&request)), b"two!");
}

#[test]
fn a_directory_file_shadows_an_embedded_one_once_it_appears() {
    let dir = TempDir::new("static");
    let files = StaticFiles::builder()
        .add_dir(dir.path())
        .add_embedded(
            "",
            [EmbeddedFile::from_text(
                "a.js",
                "text/javascript",
                "embedded",
            )],
        )
        .revalidate_interval(Duration::ZERO)
        .build()
        .expect("build");
    assert_eq!(body_bytes(get(&files, "/static/a.js")), b"embedded");
    dir.write("a.js", "from the app");
    assert_eq!(body_bytes(get(&files, "/static/a.js")), b"from the app");
    std::fs::remove_file(dir.path().join("a.js")).expect("remove");
    assert_eq!(body_bytes(get(&files, "/static/a.js")), b"embedded");
}

#[test]
fn a_deleted_file_is_forgotten() {
    let dir = TempDir::new("static");
    dir.write("a.txt", "bytes");
    let files = StaticFiles::builder()
        .add_dir(dir.path())
        .revalidate_interval(Duration::ZERO)
        .build()
        .expect("build");
    assert_eq!(get(&files, "/static/a.txt").status, 200);
    assert_eq!(files.cached_bytes(), 5);
    std::fs::remove_file(dir.path().join("a.txt")).expect("remove");
    assert_eq!(get(&files, "/static/a.txt").status, 404);
    assert_eq!(files.cached_bytes(), 0);
    assert!(files.cache.read().is_empty());
}

#[test]
fn big_files_stream_from_disk_and_304_from_memory() {
    let dir = TempDir::new("static");
    let content: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
    dir.write("big.bin", &content);
    let files = StaticFiles::builder()
        .add_dir(dir.path())
        .cache_limits(100, 1 << 20)
        .build()
        .expect("build");
    let response = get(&files, "/static/big.bin");
    assert!(matches!(
        response.body,
        Body::File {
            offset: 0,
            length: 1000,
            ..
        }
    ));
    let etag = response.header("etag").expect("etag").to_owned();
    assert_eq!(body_bytes(response), content);
    assert_eq!(files.cached_bytes(), 0);

    let get_request = StaticRequest::get("/static/big.bin");
    assert!(
        files.lookup_cached(&get_request).is_none(),
        "a body on disk needs the pool"
    );
    let head = files
        .lookup_cached(&StaticRequest::head("/static/big.bin"))
        .expect("HEAD needs no file");
    assert_eq!(head.header("content-length"), Some("1000"));
    let revalidate = get_request.header("If-None-Match", &etag);
    assert_eq!(
        files
            .lookup_cached(&revalidate)
            .expect("304 needs no file")
            .status,
        304
    );

    let ranged = files.respond(&get_request.header("Range", "bytes=10-19"));
    assert_eq!(ranged.status, 206);
    assert!(matches!(
        ranged.body,
        Body::File {
            offset: 10,
            length: 10,
            ..
        }
    ));
    assert_eq!(body_bytes(ranged), &content[10..20]);
}

#[test]
fn a_big_file_replaced_under_a_fresh_entry_is_noticed_when_opened() {
    let dir = TempDir::new("static");
    dir.write("big.bin", vec![1u8; 500]);
    let files = StaticFiles::builder()
        .add_dir(dir.path())
        .cache_limits(100, 1 << 20)
        .revalidate_interval(Duration::from_secs(3600))
        .build()
        .expect("build");
    let first = get(&files, "/static/big.bin");
    let first_etag = first.header("etag").map(str::to_owned);
    drop(first);
    dir.write("big.bin", vec![2u8; 600]);
    let second = get(&files, "/static/big.bin");
    assert_ne!(second.header("etag").map(str::to_owned), first_etag);
    assert_eq!(second.header("content-length"), Some("600"));
    assert_eq!(body_bytes(second), vec![2u8; 600]);
}

#[test]
fn the_memory_budget_bounds_the_cache() {
    let dir = TempDir::new("static");
    for name in ["a.txt", "b.txt", "c.txt"] {
        dir.write(name, [b'x'; 60]);
    }
    let files = StaticFiles::builder()
        .add_dir(dir.path())
        .cache_limits(64, 100)
        .build()
        .expect("build");
    for name in ["a.txt", "b.txt", "c.txt"] {
        let response = get(&files, &format!("/static/{name}"));
        assert_eq!(body_bytes(response), [b'x'; 60]);
    }
    assert_eq!(files.cached_bytes(), 60);
    // Over budget: hashes cached, bytes streamed.
    let response = get(&files, "/static/b.txt");
    assert!(matches!(response.body, Body::File { .. }));
    assert!(matches!(get(&files, "/static/a.txt").body, Body::Shared(_)));
}

#[test]
fn a_sibling_that_appears_is_served_after_revalidation() {
    let dir = TempDir::new("static");
    dir.write("app.js", "plain");
    let files = StaticFiles::builder()
        .add_dir(dir.path())
        .revalidate_interval(Duration::ZERO)
        .build()
        .expect("build");
    let request = StaticRequest::get("/static/app.js").header("Accept-Encoding", "br");
    assert_eq!(files.respond(&request).header("content-encoding"), None);
    dir.write("app.js.br", "brotli bytes");
    let response = files.respond(&request);
    assert_eq!(response.header("content-encoding"), Some("br"));
    assert_eq!(body_bytes(response), b"brotli bytes");
}

#[test]
fn serving_off_answers_404_to_everything_and_warns_once() {
    let dir = TempDir::new("static");
    dir.write("a.txt", "bytes");
    let files = StaticFiles::builder()
        .add_dir(dir.path())
        .serve(false)
        .build()
        .expect("build");
    assert!(!files.warned.load(Ordering::Relaxed));
    for request in [
        StaticRequest::get("/static/a.txt"),
        StaticRequest::new("POST", "/static/a.txt"),
        StaticRequest::head("/static/a.txt"),
    ] {
        assert_eq!(files.respond(&request).status, 404);
        assert_eq!(files.lookup_cached(&request).expect("refusal").status, 404);
    }
    assert!(files.warned.load(Ordering::Relaxed));
    // The app can still render its links.
    assert!(files.hashed_url("a.txt").is_some());
}

#[test]
fn hashed_url_is_answered_from_the_cache_while_fresh() {
    let dir = TempDir::new("static");
    dir.write("a b.css", "b{}");
    let files = StaticFiles::builder()
        .add_dir(dir.path())
        .revalidate_interval(Duration::from_secs(3600))
        .build()
        .expect("build");
    let url = files.hashed_url("/a b.css").expect("exists");
    assert!(url.starts_with("/static/a%20b."), "{url}");
    assert!(url.ends_with(".css"), "{url}");
    std::fs::remove_file(dir.path().join("a b.css")).expect("remove");
    assert_eq!(files.hashed_url("a b.css"), Some(url));
    assert_eq!(files.hashed_url("missing.css"), None);
    assert_eq!(files.hashed_url("../x.css"), None);
}

#[test]
fn build_refuses_bad_configuration() {
    let dir = TempDir::new("static");
    let file = dir.write("file.txt", "x");
    let cases = [
        StaticFiles::builder().url_prefix("static/").build().err(),
        StaticFiles::builder().url_prefix("/static").build().err(),
        StaticFiles::builder()
            .add_dir(dir.path().join("missing"))
            .build()
            .err(),
        StaticFiles::builder().add_dir(&file).build().err(),
        StaticFiles::builder()
            .add_embedded("", [EmbeddedFile::from_text(".env", "text/plain", "")])
            .build()
            .err(),
        StaticFiles::builder()
            .add_embedded("../", [EmbeddedFile::from_text("x.js", "text/plain", "")])
            .build()
            .err(),
    ];
    let messages: Vec<String> = cases
        .iter()
        .map(|e| e.as_ref().expect("an error").to_string())
        .collect();
    assert!(messages[0].contains("must start and end with '/'"));
    assert!(messages[2].starts_with("static directory"));
    assert!(messages[3].starts_with("static directory"));
    assert_eq!(messages[4], "invalid static file name \".env\"");
    for message in &messages {
        assert!(message.starts_with(char::is_lowercase), "{message}");
        assert!(!message.ends_with('.'));
    }
}

#[test]
fn static_files_can_be_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<StaticFiles>();
    assert_send_sync::<StaticResponse>();
}
