//! The adversarial path table (tower-http's cases and more): every request path with the
//! status and body it must get, against a directory root with a sibling `outside/` directory
//! that must never leak, symlinks in and out of the root, and an embedded set.

use lona_static::{EmbeddedFile, StaticFiles, StaticRequest};

use crate::support::body_bytes;
use test_support::TempDir;

struct Fixture {
    _base: TempDir,
    files: StaticFiles,
}

fn fixture() -> Fixture {
    let base = TempDir::new("static");
    base.write("outside/secret.txt", "secret");
    base.write("static/file.txt", "file");
    base.write("static/with space.txt", "space");
    base.write("static/ünïcødé.txt", "unicode");
    base.write("static/100%.txt", "percent");
    base.write("static/%2e%2e/x.txt", "literal");
    base.write("static/a+b.txt", "plus");
    base.write("static/dir/nested.css", "nested");
    base.write("static/dir/index.html", "index");
    base.write("static/.hidden", "hidden");
    base.write("static/.git/config", "config");
    base.write("static/dir/.env", "env");
    base.write("static/noext", "noext");
    base.write("static/app.js", "app");
    let root = base.path().join("static");
    #[cfg(unix)]
    {
        use std::os::unix::fs::symlink;
        symlink("file.txt", root.join("link-in.txt")).expect("symlink");
        symlink("../outside/secret.txt", root.join("link-out.txt")).expect("symlink");
        symlink(
            base.path().join("outside/secret.txt"),
            root.join("link-abs.txt"),
        )
        .expect("symlink");
        symlink("dir", root.join("link-dir")).expect("symlink");
        symlink("../outside", root.join("link-outdir")).expect("symlink");
        symlink(".hidden", root.join("link-hidden.txt")).expect("symlink");
        symlink("missing.txt", root.join("dangling.txt")).expect("symlink");
        symlink(".", root.join("loop")).expect("symlink");
        // A FIFO must never be opened (opening one blocks): it is not a regular file.
        let _ = std::process::Command::new("mkfifo")
            .arg(root.join("fifo"))
            .status();
    }
    let files = StaticFiles::builder()
        .add_dir(&root)
        .add_embedded(
            "lona/",
            [EmbeddedFile::from_text(
                "lona.js",
                "text/javascript; charset=utf-8",
                "lona",
            )],
        )
        .build()
        .expect("build");
    Fixture { _base: base, files }
}

/// `(path, expected body)`: `Some` means 200 with that body, `None` means 404.
const TABLE: &[(&str, Option<&str>)] = &[
    // Plain files.
    ("/static/file.txt", Some("file")),
    ("/static/dir/nested.css", Some("nested")),
    ("/static/noext", Some("noext")),
    ("/static/lona/lona.js", Some("lona")),
    ("/static/missing.txt", None),
    ("/static/FILE.TXT", None),
    // Spaces, non-ASCII, percent signs, plus signs.
    ("/static/with%20space.txt", Some("space")),
    ("/static/with space.txt", Some("space")),
    ("/static/%C3%BCn%C3%AFc%C3%B8d%C3%A9.txt", Some("unicode")),
    ("/static/ünïcødé.txt", Some("unicode")),
    ("/static/100%25.txt", Some("percent")),
    ("/static/100%.txt", None),
    ("/static/a+b.txt", Some("plus")),
    ("/static/a%2Bb.txt", Some("plus")),
    ("/static/a b.txt", None),
    ("/static/file.txt%20", None),
    // The query and fragment are not part of the path.
    ("/static/file.txt?x=1", Some("file")),
    ("/static/file.txt?../../outside/secret.txt", Some("file")),
    ("/static/file.txt#frag", Some("file")),
    ("/static/file.txt%3Fx=1", None),
    // Parent segments, plain and encoded.
    ("/static/../outside/secret.txt", None),
    ("/static/dir/../file.txt", None),
    ("/static/dir/../../outside/secret.txt", None),
    ("/static/%2e%2e/outside/secret.txt", None),
    ("/static/%2E%2E/outside/secret.txt", None),
    ("/static/.%2e/outside/secret.txt", None),
    ("/static/dir/%2e%2e/file.txt", None),
    ("/static/..%2foutside%2fsecret.txt", None),
    ("/static/%2e%2e%2foutside%2fsecret.txt", None),
    ("/static/dir%2fnested.css", None),
    ("/static/dir%2Fnested.css", None),
    // Double encoding decodes once: `%252e%252e` is the name `%2e%2e`, a plain directory here.
    ("/static/%252e%252e/x.txt", Some("literal")),
    ("/static/%252e%252e/outside/secret.txt", None),
    ("/static/%252e%252e%252foutside%252fsecret.txt", None),
    ("/static/%25%32%65%25%32%65/x.txt", Some("literal")),
    // Backslashes, NUL, control characters.
    ("/static/..\\outside\\secret.txt", None),
    ("/static/dir\\nested.css", None),
    ("/static/dir%5cnested.css", None),
    ("/static/dir%5Cnested.css", None),
    ("/static/%5c..%5coutside%5csecret.txt", None),
    ("/static/file.txt%00", None),
    ("/static/file.txt%00.png", None),
    ("/static/%00", None),
    ("/static/%09file.txt", None),
    ("/static/file.txt%0a", None),
    // Absolute paths and Windows drive letters.
    ("/static//etc/passwd", None),
    ("/static/%2fetc%2fpasswd", None),
    ("/static/%2Fetc/passwd", None),
    ("/static/C:/Windows/win.ini", None),
    ("/static/C:%5cWindows%5cwin.ini", None),
    ("/static/c%3A/windows", None),
    ("/static/file.txt:stream", None),
    ("/static/\\\\server\\share", None),
    // Empty segments and dot segments.
    ("/static/", None),
    ("/static", None),
    ("/static/dir/", None),
    ("/static/dir//nested.css", None),
    ("/static/./file.txt", None),
    ("/static/dir/./nested.css", None),
    ("/static/.", None),
    // Directories are never listed, and stop the search.
    ("/static/dir", None),
    ("/static/lona", None),
    // A file used as a directory.
    ("/static/file.txt/x", None),
    ("/static/file.txt/", None),
    ("/static/dir/nested.css/", None),
    // Dotfiles.
    ("/static/.hidden", None),
    ("/static/.git/config", None),
    ("/static/dir/.env", None),
    ("/static/%2ehidden", None),
    // Invalid percent-encoding and UTF-8.
    ("/static/%", None),
    ("/static/file.txt%2", None),
    ("/static/%zz.txt", None),
    ("/static/%C3%28.txt", None),
    ("/static/%FF.txt", None),
    ("/static/%C0%AE%C0%AE/outside/secret.txt", None),
    // Outside the prefix.
    ("/file.txt", None),
    ("/staticfile.txt", None),
    ("/STATIC/file.txt", None),
    ("/%73tatic/file.txt", None),
    ("static/file.txt", None),
];

/// Symlink rows: only where the fixture could create symlinks.
#[cfg(unix)]
const SYMLINK_TABLE: &[(&str, Option<&str>)] = &[
    ("/static/link-in.txt", Some("file")),
    ("/static/link-dir/nested.css", Some("nested")),
    ("/static/link-out.txt", None),
    ("/static/link-abs.txt", None),
    ("/static/link-outdir/secret.txt", None),
    ("/static/link-outdir", None),
    ("/static/link-dir/../../outside/secret.txt", None),
    // A symlink whose own name is fine but points at a dotfile inside the root: the check is
    // on the URL, and the target stays inside the root.
    ("/static/link-hidden.txt", Some("hidden")),
    ("/static/dangling.txt", None),
    ("/static/loop/file.txt", Some("file")),
    ("/static/loop/loop/loop/file.txt", Some("file")),
    ("/static/loop", None),
    ("/static/fifo", None),
];

#[cfg(not(unix))]
const SYMLINK_TABLE: &[(&str, Option<&str>)] = &[];

#[test]
fn the_path_table() {
    let fixture = fixture();
    let mut failures = Vec::new();
    let mut rows = 0;
    for (path, expected) in TABLE.iter().chain(SYMLINK_TABLE) {
        rows += 1;
        for method in ["GET", "HEAD"] {
            let request = StaticRequest::new(method, path);
            let response = fixture.files.respond(&request);
            let status = response.status;
            let body = body_bytes(response);
            let ok = match (expected, method) {
                (Some(text), "GET") => status == 200 && body == text.as_bytes(),
                (Some(_), _) => status == 200 && body.is_empty(),
                (None, "GET") => status == 404 && body == b"404: Not found",
                (None, _) => status == 404 && body.is_empty(),
            };
            if !ok {
                failures.push(format!(
                    "{method} {path:?}: got {status} {:?}, expected {expected:?}",
                    String::from_utf8_lossy(&body)
                ));
            }
        }
    }
    assert!(rows >= 40, "only {rows} rows");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn very_long_paths_are_refused_quickly() {
    let fixture = fixture();
    let long_name = format!("/static/{}.txt", "a".repeat(5000));
    let deep = format!("/static/{}file.txt", "dir/".repeat(2000));
    let many_parents = format!("/static/{}outside/secret.txt", "../".repeat(2000));
    for path in [long_name, deep, many_parents] {
        assert_eq!(
            fixture.files.respond(&StaticRequest::get(&path)).status,
            404,
            "{}",
            &path[..40]
        );
    }
}

#[test]
fn refusals_never_reveal_with_400_or_403() {
    let fixture = fixture();
    for (path, expected) in TABLE.iter().chain(SYMLINK_TABLE) {
        let response = fixture.files.respond(&StaticRequest::get(path));
        let expected = if expected.is_some() { 200 } else { 404 };
        assert_eq!(response.status, expected, "{path}");
    }
}

#[test]
fn hashed_urls_go_through_the_same_validation() {
    let fixture = fixture();
    let url = fixture.files.hashed_url("file.txt").expect("exists");
    let hash = url
        .strip_prefix("/static/file.")
        .and_then(|rest| rest.strip_suffix(".txt"))
        .expect("hashed shape");
    let cases = [
        (format!("/static/file.{hash}.txt"), 200),
        (format!("/static/dir/../file.{hash}.txt"), 404),
        (format!("/static/%2e%2e/static/file.{hash}.txt"), 404),
        (format!("/static/.file.{hash}.txt"), 404),
        (format!("/static/link-out.{hash}.txt"), 404),
        (format!("/static/file.{hash}.txt/x"), 404),
    ];
    for (path, status) in cases {
        assert_eq!(
            fixture.files.respond(&StaticRequest::get(&path)).status,
            status,
            "{path}"
        );
    }
}
