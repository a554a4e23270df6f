//! HTTP semantics through `respond`: headers, conditional requests, `HEAD`, methods, ranges,
//! precompressed siblings and hashed URLs.

use std::time::Duration;

use lona_static::{EmbeddedFile, StaticFiles, StaticRequest, StaticResponse};

use crate::support::body_bytes;
use test_support::TempDir;

struct Fixture {
    dir: TempDir,
    files: StaticFiles,
}

fn fixture() -> Fixture {
    let dir = TempDir::new("static");
    dir.write("style.css", "body { color: red }");
    dir.write("logo.png", [0x89, b'P', b'N', b'G']);
    dir.write("app.js", "console.log('identity');");
    dir.write("app.js.br", "BROTLI");
    dir.write("app.js.gz", "GZIP-BYTES");
    dir.write("digits.txt", "0123456789");
    dir.write("empty.txt", "");
    dir.write("data.0123456789abcdef.json", "{}");
    let files = StaticFiles::builder()
        .add_dir(dir.path())
        .add_embedded(
            "lona/",
            [EmbeddedFile::from_text(
                "lona.js",
                "text/javascript; charset=utf-8",
                "export const Lona = {};",
            )],
        )
        .revalidate_interval(Duration::ZERO)
        .build()
        .expect("build");
    Fixture { dir, files }
}

fn get(files: &StaticFiles, path: &str) -> StaticResponse {
    files.respond(&StaticRequest::get(path))
}

fn headers(response: &StaticResponse) -> Vec<String> {
    let mut names: Vec<String> = response
        .headers
        .iter()
        .map(|(name, _)| (*name).to_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_plain_get_has_every_header() {
    let fixture = fixture();
    let response = get(&fixture.files, "/static/style.css");
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("content-type"),
        Some("text/css; charset=utf-8")
    );
    assert_eq!(response.header("content-length"), Some("19"));
    assert_eq!(response.header("cache-control"), Some("no-cache"));
    assert_eq!(response.header("accept-ranges"), Some("bytes"));
    assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(response.header("vary"), Some("Accept-Encoding"));
    let etag = response.header("etag").expect("etag");
    assert!(
        etag.len() == 34
            && etag.starts_with('"')
            && etag.ends_with('"')
            && etag[1..33].bytes().all(|b| b.is_ascii_hexdigit()),
        "strong etag: {etag}"
    );
    let modified = response.header("last-modified").expect("last-modified");
    assert!(modified.ends_with(" GMT"), "{modified}");
    for (name, _) in &response.headers {
        assert_eq!(*name, name.to_ascii_lowercase());
    }
    assert_eq!(body_bytes(response), b"body { color: red }");
}

#[test]
fn incompressible_files_without_siblings_do_not_vary() {
    let fixture = fixture();
    let response = get(&fixture.files, "/static/logo.png");
    assert_eq!(response.header("content-type"), Some("image/png"));
    assert_eq!(response.header("vary"), None);
}

#[test]
fn embedded_files_have_an_etag_but_no_last_modified() {
    let fixture = fixture();
    let response = get(&fixture.files, "/static/lona/lona.js");
    assert_eq!(response.status, 200);
    assert!(response.header("etag").is_some());
    assert_eq!(response.header("last-modified"), None);
    assert_eq!(
        response.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
}

#[test]
fn the_etag_is_the_same_across_instances_and_changes_with_the_bytes() {
    let fixture = fixture();
    let first = get(&fixture.files, "/static/digits.txt");
    let again = StaticFiles::builder()
        .add_dir(fixture.dir.path())
        .build()
        .expect("build");
    let second = get(&again, "/static/digits.txt");
    assert_eq!(first.header("etag"), second.header("etag"));
    fixture.dir.write("digits.txt", "9876543210");
    let third = get(&fixture.files, "/static/digits.txt");
    assert_ne!(first.header("etag"), third.header("etag"));
}

#[test]
fn if_none_match_gives_304() {
    let fixture = fixture();
    let etag = get(&fixture.files, "/static/style.css")
        .header("etag")
        .expect("etag")
        .to_owned();
    let weak = format!("W/{etag}");
    let listed = format!("\"other\", {etag}");
    for (header, status) in [
        (etag.as_str(), 304),
        (weak.as_str(), 304),
        (listed.as_str(), 304),
        ("*", 304),
        ("\"other\"", 200),
        ("garbage", 200),
    ] {
        let request = StaticRequest::get("/static/style.css").header("If-None-Match", header);
        let response = fixture.files.respond(&request);
        assert_eq!(response.status, status, "{header}");
        if status == 304 {
            assert!(response.body.is_empty());
            assert_eq!(response.header("etag"), Some(etag.as_str()));
            assert_eq!(response.header("cache-control"), Some("no-cache"));
            assert_eq!(response.header("content-length"), None);
        }
    }
}

#[test]
fn if_modified_since_gives_304_unless_if_none_match_disagrees() {
    let fixture = fixture();
    let modified = get(&fixture.files, "/static/style.css")
        .header("last-modified")
        .expect("last-modified")
        .to_owned();
    let ask = |ims: &str, inm: Option<&str>| {
        let mut request = StaticRequest::get("/static/style.css").header("If-Modified-Since", ims);
        if let Some(inm) = inm {
            request = request.header("If-None-Match", inm);
        }
        fixture.files.respond(&request).status
    };
    assert_eq!(ask(&modified, None), 304);
    assert_eq!(ask("Fri, 31 Dec 9999 23:59:59 GMT", None), 304);
    assert_eq!(ask("Thu, 01 Jan 1970 00:00:00 GMT", None), 200);
    assert_eq!(ask("not a date", None), 200);
    assert_eq!(ask(&modified, Some("\"other\"")), 200);
    // Embedded files have no date to compare: always 200 on If-Modified-Since alone.
    let embedded = StaticRequest::get("/static/lona/lona.js")
        .header("If-Modified-Since", "Fri, 31 Dec 9999 23:59:59 GMT");
    assert_eq!(fixture.files.respond(&embedded).status, 200);
}

#[test]
fn head_has_the_headers_of_get_and_no_body() {
    let fixture = fixture();
    for path in [
        "/static/style.css",
        "/static/lona/lona.js",
        "/static/empty.txt",
    ] {
        let get = get(&fixture.files, path);
        let head = fixture.files.respond(&StaticRequest::head(path));
        assert_eq!(head.status, 200);
        assert_eq!(headers(&head), headers(&get), "{path}");
        assert_eq!(head.header("content-length"), get.header("content-length"));
        assert_eq!(head.header("etag"), get.header("etag"));
        assert!(head.body.is_empty());
    }
    let ranged_head = StaticRequest::head("/static/digits.txt").header("Range", "bytes=0-1");
    let response = fixture.files.respond(&ranged_head);
    assert_eq!(response.status, 200, "range is defined for GET only");
    assert_eq!(response.header("content-length"), Some("10"));
}

#[test]
fn other_methods_get_405() {
    let fixture = fixture();
    for method in [
        "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "get", "TRACE", "",
    ] {
        let response = fixture
            .files
            .respond(&StaticRequest::new(method, "/static/style.css"));
        assert_eq!(response.status, 405, "{method:?}");
        assert_eq!(response.header("allow"), Some("GET, HEAD"));
    }
}

#[test]
fn single_ranges() {
    let fixture = fixture();
    let ask = |range: &str| {
        let request = StaticRequest::get("/static/digits.txt").header("Range", range);
        let response = fixture.files.respond(&request);
        let status = response.status;
        let content_range = response.header("content-range").map(str::to_owned);
        let length = response.header("content-length").map(str::to_owned);
        let body = String::from_utf8(body_bytes(response)).expect("utf-8");
        (status, content_range, length, body)
    };
    let some = |s: &str| Some(s.to_owned());
    assert_eq!(
        ask("bytes=2-4"),
        (206, some("bytes 2-4/10"), some("3"), "234".to_owned())
    );
    assert_eq!(
        ask("bytes=7-"),
        (206, some("bytes 7-9/10"), some("3"), "789".to_owned())
    );
    assert_eq!(
        ask("bytes=-2"),
        (206, some("bytes 8-9/10"), some("2"), "89".to_owned())
    );
    assert_eq!(
        ask("bytes=5-100"),
        (206, some("bytes 5-9/10"), some("5"), "56789".to_owned())
    );
    assert_eq!(
        ask("bytes=0-"),
        (
            206,
            some("bytes 0-9/10"),
            some("10"),
            "0123456789".to_owned()
        )
    );
    assert_eq!(
        ask("bytes=10-"),
        (416, some("bytes */10"), some("0"), String::new())
    );
    assert_eq!(
        ask("bytes=-0"),
        (416, some("bytes */10"), some("0"), String::new())
    );
    // Several ranges, or a malformed header: the whole file.
    assert_eq!(
        ask("bytes=0-1,4-5"),
        (200, None, some("10"), "0123456789".to_owned())
    );
    assert_eq!(
        ask("bytes=4-2"),
        (200, None, some("10"), "0123456789".to_owned())
    );
    let empty = StaticRequest::get("/static/empty.txt").header("Range", "bytes=0-");
    assert_eq!(fixture.files.respond(&empty).status, 416);
}

#[test]
fn if_range_lets_a_range_through_only_for_the_current_version() {
    let fixture = fixture();
    let plain = get(&fixture.files, "/static/digits.txt");
    let etag = plain.header("etag").expect("etag").to_owned();
    let date = plain.header("last-modified").expect("date").to_owned();
    let weak = format!("W/{etag}");
    for (if_range, status) in [
        (etag.as_str(), 206),
        (date.as_str(), 206),
        ("\"old\"", 200),
        (weak.as_str(), 200),
        ("Thu, 01 Jan 1970 00:00:00 GMT", 200),
    ] {
        let request = StaticRequest::get("/static/digits.txt")
            .header("Range", "bytes=0-0")
            .header("If-Range", if_range);
        assert_eq!(fixture.files.respond(&request).status, status, "{if_range}");
    }
}

#[test]
fn precompressed_siblings_follow_accept_encoding() {
    let fixture = fixture();
    let cases: &[(Option<&str>, Option<&str>, &str)] = &[
        (None, None, "console.log('identity');"),
        (Some("gzip, deflate, br"), Some("br"), "BROTLI"),
        (Some("gzip"), Some("gzip"), "GZIP-BYTES"),
        (Some("br;q=0, gzip"), Some("gzip"), "GZIP-BYTES"),
        (Some("br;q=0.5, gzip;q=0.9"), Some("gzip"), "GZIP-BYTES"),
        (Some("*"), Some("br"), "BROTLI"),
        (Some("*;q=0"), None, "console.log('identity');"),
        (Some("identity"), None, "console.log('identity');"),
        (Some("deflate"), None, "console.log('identity');"),
    ];
    let mut etags = Vec::new();
    for (accept, coding, body) in cases {
        let mut request = StaticRequest::get("/static/app.js");
        if let Some(accept) = accept {
            request = request.header("Accept-Encoding", accept);
        }
        let response = fixture.files.respond(&request);
        assert_eq!(response.status, 200);
        assert_eq!(response.header("content-encoding"), *coding, "{accept:?}");
        assert_eq!(response.header("vary"), Some("Accept-Encoding"));
        assert_eq!(
            response.header("content-type"),
            Some("text/javascript; charset=utf-8")
        );
        assert_eq!(
            response.header("content-length"),
            Some(body.len().to_string().as_str())
        );
        etags.push((*coding, response.header("etag").map(str::to_owned)));
        assert_eq!(body_bytes(response), body.as_bytes(), "{accept:?}");
    }
    // Each representation has its own strong tag.
    let mut distinct: Vec<_> = etags.iter().map(|(_, etag)| etag.clone()).collect();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 3);
    // A range applies to the representation sent.
    let request = StaticRequest::get("/static/app.js")
        .header("Accept-Encoding", "gzip")
        .header("Range", "bytes=0-3");
    let response = fixture.files.respond(&request);
    assert_eq!(response.header("content-range"), Some("bytes 0-3/10"));
    assert_eq!(body_bytes(response), b"GZIP");
}

#[test]
fn hashed_urls_are_immutable_and_plain_urls_revalidate() {
    let fixture = fixture();
    let url = fixture.files.hashed_url("app.js").expect("exists");
    assert!(
        url.starts_with("/static/app.") && url.ends_with(".js"),
        "{url}"
    );
    let hashed = get(&fixture.files, &url);
    let plain = get(&fixture.files, "/static/app.js");
    assert_eq!(hashed.status, 200);
    assert_eq!(
        hashed.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(plain.header("cache-control"), Some("no-cache"));
    assert_eq!(hashed.header("etag"), plain.header("etag"));
    assert_eq!(body_bytes(hashed), body_bytes(plain));
    // Precompressed siblings serve hashed URLs too.
    let request = StaticRequest::get(&url).header("Accept-Encoding", "br");
    assert_eq!(body_bytes(fixture.files.respond(&request)), b"BROTLI");

    let upper = url.to_uppercase().replace("/STATIC/APP.", "/static/app.");
    let upper = upper.replace(".JS", ".js");
    assert_eq!(get(&fixture.files, &upper).status, 404);
    let wrong = "/static/app.0000000000000000.js";
    assert_eq!(get(&fixture.files, wrong).status, 404);

    // A new version gets a new hashed URL; the old one is gone.
    fixture.dir.write("app.js", "console.log('v2');");
    let new_url = fixture.files.hashed_url("app.js").expect("exists");
    assert_ne!(new_url, url);
    assert_eq!(get(&fixture.files, &url).status, 404);
    assert_eq!(
        body_bytes(get(&fixture.files, &new_url)),
        b"console.log('v2');"
    );
}

#[test]
fn embedded_files_have_hashed_urls() {
    let fixture = fixture();
    let url = fixture.files.hashed_url("lona/lona.js").expect("exists");
    let response = get(&fixture.files, &url);
    assert_eq!(
        response.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(body_bytes(response), b"export const Lona = {};");
}

#[test]
fn a_real_file_with_a_hash_shaped_name_is_served_plainly() {
    let fixture = fixture();
    let response = get(&fixture.files, "/static/data.0123456789abcdef.json");
    assert_eq!(response.status, 200);
    assert_eq!(response.header("cache-control"), Some("no-cache"));
    assert_eq!(body_bytes(response), b"{}");
}

#[test]
fn errors_carry_nosniff_and_lona_text() {
    let fixture = fixture();
    let response = get(&fixture.files, "/static/missing.css");
    assert_eq!(response.status, 404);
    assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(
        response.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(body_bytes(response), b"404: Not found");
}

#[test]
fn lookup_cached_agrees_with_respond() {
    let fixture = fixture();
    let hashed = fixture.files.hashed_url("style.css").expect("exists");
    let cached = StaticFiles::builder()
        .add_dir(fixture.dir.path())
        .add_embedded(
            "lona/",
            [EmbeddedFile::from_text("lona.js", "text/javascript", "x")],
        )
        .revalidate_interval(Duration::from_secs(3600))
        .build()
        .expect("build");
    for path in ["/static/style.css", hashed.as_str(), "/static/lona/lona.js"] {
        let request = StaticRequest::get(path).header("Accept-Encoding", "br");
        let fresh = cached.respond(&request);
        let from_memory = cached.lookup_cached(&request).expect("cached");
        assert_eq!(from_memory.status, fresh.status, "{path}");
        assert_eq!(from_memory.headers, fresh.headers, "{path}");
        assert_eq!(body_bytes(from_memory), body_bytes(fresh), "{path}");
    }
}
