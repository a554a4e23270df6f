//! Tests of `collect.rs`: overlapping roots, nested directories, the destination rules, and
//! that every collected file holds exactly the bytes `respond` serves at the same URL.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use crate::{
    Body, CollectOptions, EmbeddedFile, MANIFEST_NAME, Manifest, StaticError, StaticFile,
    StaticFiles, StaticRequest,
};
use test_support::TempDir;

fn served(files: &StaticFiles, request: &StaticRequest<'_>) -> (u16, Vec<u8>) {
    let response = files.respond(request);
    let bytes = match response.body {
        Body::File {
            mut file, length, ..
        } => {
            let mut bytes = Vec::new();
            file.by_ref()
                .take(length)
                .read_to_end(&mut bytes)
                .expect("read");
            bytes
        }
        body => body.as_slice().expect("memory").to_vec(),
    };
    (response.status, bytes)
}

/// Every regular file under `dir`, by relative path.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn visit(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for item in std::fs::read_dir(dir).expect("read dir") {
            let path = item.expect("entry").path();
            if path.is_dir() {
                visit(base, &path, out);
            } else {
                let rel = path.strip_prefix(base).expect("inside");
                let rel = rel.to_str().expect("utf-8").replace('\\', "/");
                out.insert(rel, std::fs::read(&path).expect("read"));
            }
        }
    }
    let mut out = BTreeMap::new();
    visit(dir, dir, &mut out);
    out
}

struct Fixture {
    high: TempDir,
    low: TempDir,
    files: StaticFiles,
}

fn fixture() -> Fixture {
    let high = TempDir::new("static");
    let low = TempDir::new("static");
    high.write("shared.css", "from high");
    high.write("nested/deep/a b.js", "deep()");
    high.write("app.js", "app();");
    high.write("app.js.gz", "gzip bytes");
    high.write(".secret", "never");
    high.write("off.js", "disabled");
    high.write("big.bin", vec![7u8; 5000]);
    low.write("shared.css", "from low");
    low.write("only-low.txt", "low");
    low.write("nested/low.txt", "nested low");
    let files = StaticFiles::builder()
        .add_dir(high.path())
        .add_dir(low.path())
        .add_embedded(
            "lona/",
            [
                EmbeddedFile::from_text("lona.js", "text/javascript", "lona()"),
                EmbeddedFile::from_text("lona.js.br", "application/x-brotli", "br!"),
            ],
        )
        .add_embedded(
            "",
            [EmbeddedFile::from_text(
                "only-low.txt",
                "text/plain",
                "hidden",
            )],
        )
        .declare(StaticFile::js("off", "off.js"))
        .disable("off")
        .cache_limits(1024, 1 << 20)
        .build()
        .expect("build");
    Fixture { high, low, files }
}

#[test]
fn collect_copies_what_the_app_serves_under_both_names() {
    let fixture = fixture();
    let dest = TempDir::new("static");
    let out = dest.path().join("out");
    let manifest = fixture.files.collect(&out, false).expect("collect");

    let plain: Vec<&str> = manifest.files.keys().map(String::as_str).collect();
    assert_eq!(
        plain,
        [
            "app.js",
            "app.js.gz",
            "big.bin",
            "lona/lona.js",
            "lona/lona.js.br",
            "nested/deep/a b.js",
            "nested/low.txt",
            "only-low.txt",
            "shared.css",
        ]
    );
    let written = tree(&out);
    for (name, hashed) in &manifest.files {
        assert_eq!(fixture.files.url(hashed), fixture.files.hashed_url(name));
        for url_name in [name, hashed] {
            let url = fixture.files.url(url_name).expect("valid");
            let (status, bytes) = served(&fixture.files, &StaticRequest::get(&url));
            assert_eq!(status, 200, "{url}");
            assert_eq!(written.get(url_name), Some(&bytes), "{url_name}");
        }
    }
    // First match wins, as when serving.
    assert_eq!(written["shared.css"], b"from high");
    assert_eq!(written["only-low.txt"], b"low");
    // Precompressed siblings sit next to both names.
    let app = manifest.hashed("app.js").expect("hashed");
    assert_eq!(written[&format!("{app}.gz")], b"gzip bytes");
    let lona = manifest.hashed("lona/lona.js").expect("hashed");
    assert_eq!(written[&format!("{lona}.br")], b"br!");
    assert_eq!(written["lona/lona.js.br"], b"br!");
    // Dotfiles and disabled files stay out.
    assert!(!written.contains_key(".secret"));
    assert!(!written.contains_key("off.js"));
    // The manifest, and nothing else.
    assert_eq!(
        std::fs::read_to_string(out.join(MANIFEST_NAME)).expect("manifest"),
        manifest.to_json()
    );
    // The manifest, both names of every file, and the hashed names of the two siblings (their
    // plain names are files of their own).
    let expected_count = 1 + manifest.files.len() * 2 + 2;
    assert_eq!(written.len(), expected_count, "{:?}", written.keys());
    drop(fixture.low);
    drop(fixture.high);
}

#[test]
fn collected_files_keep_their_modification_time() {
    let fixture = fixture();
    let dest = TempDir::new("static");
    let manifest = fixture.files.collect(dest.path(), false).expect("collect");
    let source = std::fs::metadata(fixture.high.path().join("app.js"))
        .and_then(|m| m.modified())
        .expect("mtime");
    for name in ["app.js", manifest.hashed("app.js").expect("hashed")] {
        let copied = std::fs::metadata(dest.path().join(name))
            .and_then(|m| m.modified())
            .expect("mtime");
        assert_eq!(copied, source, "{name}");
    }
}

#[test]
fn a_non_empty_destination_needs_clean() {
    let fixture = fixture();
    let dest = TempDir::new("static");
    dest.write("stale/old.txt", "old");
    let refused = fixture.files.collect(dest.path(), false);
    assert!(matches!(refused, Err(StaticError::NotEmpty(_))));
    assert!(
        dest.path().join("stale/old.txt").exists(),
        "nothing removed"
    );
    let manifest = fixture.files.collect(dest.path(), true).expect("clean");
    assert!(!dest.path().join("stale").exists());
    assert!(dest.path().join("app.js").exists());
    assert!(!manifest.files.is_empty());
}

/// The result of a collect and each of its steps, as the command line prints them.
fn steps(
    files: &StaticFiles,
    dest: &Path,
    options: CollectOptions,
) -> (Result<Manifest, StaticError>, Vec<String>) {
    let mut lines = Vec::new();
    let result = files.collect_with(dest, options, &mut |step| lines.push(step.to_string()));
    (result, lines)
}

#[test]
fn a_dry_run_reports_the_steps_of_the_real_run_and_changes_nothing() {
    let fixture = fixture();
    let dest = TempDir::new("static");
    dest.write("stale/old.txt", "old");
    let options = CollectOptions::default().clean(true);

    let (dry, planned) = steps(&fixture.files, dest.path(), options.dry_run(true));
    let dry = dry.expect("the dry run works");
    assert_eq!(
        tree(dest.path()).keys().collect::<Vec<_>>(),
        ["stale/old.txt"]
    );
    let (real, done) = steps(&fixture.files, dest.path(), options);
    assert_eq!(real.expect("the real run works"), dry, "the same manifest");
    assert_eq!(planned, done, "the dry run said what the real run did");

    let canonical = std::fs::canonicalize(dest.path()).expect("canonical");
    let at = |name: &str| canonical.join(name).display().to_string();
    assert_eq!(done.first(), Some(&format!("rm {}", at("stale"))));
    assert_eq!(done.last(), Some(&format!("write {}", at(MANIFEST_NAME))));
    // Every file written has its line, and every line its file (a sibling that is also a
    // file of its own, such as `app.js.gz`, is written twice, with the same bytes).
    let written: Vec<String> = tree(dest.path())
        .into_keys()
        .filter(|name| name != MANIFEST_NAME)
        .map(|name| format!(" {}", at(&name)))
        .collect();
    let copies: Vec<&String> = done.iter().filter(|l| l.starts_with("cp ")).collect();
    for file in &written {
        assert!(copies.iter().any(|l| l.ends_with(file)), "{file}: {done:?}");
    }
    for line in &copies {
        assert!(written.iter().any(|f| line.ends_with(f)), "{line}");
    }
    assert!(
        done.iter()
            .any(|l| l.starts_with("cp ") && l.ends_with(&format!(" {}", at("shared.css")))),
        "{done:?}"
    );

    // Into a folder that does not exist yet: it is not created.
    let missing = dest.path().join("not/yet");
    let (dry, planned) = steps(
        &fixture.files,
        &missing,
        CollectOptions::default().dry_run(true),
    );
    assert_eq!(dry.expect("works").files.len(), real_len(&fixture.files));
    assert!(!missing.exists());
    assert!(planned.iter().all(|line| !line.starts_with("rm ")));
}

fn real_len(files: &StaticFiles) -> usize {
    files.names().expect("names").len()
}

#[cfg(unix)]
#[test]
fn clean_removes_symlinks_without_following_them() {
    let fixture = fixture();
    let outside = TempDir::new("static");
    outside.write("keep/me.txt", "precious");
    let dest = TempDir::new("static");
    std::os::unix::fs::symlink(outside.path(), dest.path().join("link-dir")).expect("symlink");
    std::os::unix::fs::symlink(
        outside.path().join("keep/me.txt"),
        dest.path().join("link-file"),
    )
    .expect("symlink");
    dest.write("real/inner.txt", "x");
    std::os::unix::fs::symlink(outside.path(), dest.path().join("real/nested-link"))
        .expect("symlink");
    fixture.files.collect(dest.path(), true).expect("collect");
    assert_eq!(
        std::fs::read_to_string(outside.path().join("keep/me.txt")).expect("still there"),
        "precious"
    );
    assert!(!dest.path().join("link-dir").exists());
    assert!(std::fs::symlink_metadata(dest.path().join("link-file")).is_err());
}

#[cfg(unix)]
#[test]
fn the_destination_may_not_be_a_symlink() {
    let fixture = fixture();
    let target = TempDir::new("static");
    let holder = TempDir::new("static");
    let link = holder.path().join("dest");
    std::os::unix::fs::symlink(target.path(), &link).expect("symlink");
    assert!(matches!(
        fixture.files.collect(&link, true),
        Err(StaticError::Destination(_))
    ));
}

#[test]
fn the_destination_may_not_overlap_a_root() {
    let fixture = fixture();
    for dest in [
        fixture.high.path().to_path_buf(),
        fixture.high.path().join("nested"),
        fixture.high.path().join("new-subdir"),
    ] {
        let result = fixture.files.collect(&dest, true);
        assert!(
            matches!(result, Err(StaticError::Destination(_))),
            "{dest:?}: {result:?}"
        );
    }
    assert_eq!(
        std::fs::read(fixture.high.path().join("app.js")).expect("untouched"),
        b"app();"
    );
    let parent = fixture.high.path().parent().expect("parent").to_path_buf();
    assert!(matches!(
        fixture.files.collect(&parent, true),
        Err(StaticError::Destination(_))
    ));
}

#[test]
fn a_static_manifest_json_is_refused() {
    let root = TempDir::new("static");
    root.write("manifest.json", "{}");
    let files = StaticFiles::builder()
        .add_dir(root.path())
        .build()
        .expect("build");
    let dest = TempDir::new("static");
    assert!(matches!(
        files.collect(dest.path(), false),
        Err(StaticError::ManifestClash)
    ));
    // Nested is fine.
    let nested = TempDir::new("static");
    nested.write("app/manifest.json", "{}");
    let files = StaticFiles::builder()
        .add_dir(nested.path())
        .build()
        .expect("build");
    let manifest = files.collect(dest.path(), false).expect("collect");
    assert!(manifest.hashed("app/manifest.json").is_some());
}

#[test]
fn manifest_json_is_escaped_and_sorted() {
    let mut manifest = Manifest::default();
    manifest
        .files
        .insert("b\"\\.js".to_owned(), "b\"\\.0.js".to_owned());
    manifest
        .files
        .insert("a.js".to_owned(), "a.1.js".to_owned());
    assert_eq!(
        manifest.to_json(),
        "{\n  \"files\": {\n    \"a.js\": \"a.1.js\",\n    \"b\\\"\\\\.js\": \"b\\\"\\\\.0.js\"\n  }\n}\n"
    );
    assert_eq!(Manifest::default().to_json(), "{\n  \"files\": {}\n}\n");
}
