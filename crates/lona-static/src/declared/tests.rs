//! Tests of `declared.rs`: Lona's enabled/disabled rules, tag order and escaping.

use crate::{EmbeddedFile, SortOrder, StaticError, StaticFile, StaticFiles, StaticRequest};

const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";

fn assets() -> [EmbeddedFile; 7] {
    [
        EmbeddedFile::from_text("app.css", CSS, "a{}"),
        EmbeddedFile::from_text("lib.css", CSS, "l{}"),
        EmbeddedFile::from_text("app.js", JS, "app()"),
        EmbeddedFile::from_text("lib.js", JS, "lib()"),
        EmbeddedFile::from_text("app.js.map", "application/json", "{}"),
        EmbeddedFile::from_text("extra.js", JS, "extra()"),
        EmbeddedFile::from_text("off.js", JS, "off()"),
    ]
}

fn build(configure: impl FnOnce(&mut crate::Builder)) -> Result<StaticFiles, StaticError> {
    let mut builder = StaticFiles::builder();
    builder.add_embedded("w/", assets());
    configure(&mut builder);
    builder.build()
}

/// The tags with hashes replaced by `H`, to compare shapes.
fn shape(tags: &str) -> String {
    let mut out = String::new();
    for line in tags.lines() {
        let mut parts: Vec<&str> = line.split('.').collect();
        for part in &mut parts {
            if part.len() == 16 && part.bytes().all(|b| b.is_ascii_hexdigit()) {
                *part = "H";
            }
        }
        out.push_str(&parts.join("."));
        out.push('\n');
    }
    out
}

#[test]
fn tags_list_stylesheets_then_scripts_by_sort_order_then_declaration() {
    let files = build(|b| {
        b.declare(StaticFile::js("app-js", "w/app.js"))
            .declare(StaticFile::css("app-css", "w/app.css"))
            .declare(StaticFile::js("lib-js", "w/lib.js").sort_order(SortOrder::Library))
            .declare(StaticFile::css("lib-css", "w/lib.css").sort_order(SortOrder::Framework))
            .declare(StaticFile::other("map", "w/app.js.map"))
            .declare(StaticFile::js("extra", "w/extra.js").module(true));
    })
    .expect("build");
    assert_eq!(
        shape(&files.tags()),
        "<link rel=\"stylesheet\" href=\"/static/w/lib.H.css\">\n\
         <link rel=\"stylesheet\" href=\"/static/w/app.H.css\">\n\
         <script src=\"/static/w/lib.H.js\" defer></script>\n\
         <script src=\"/static/w/app.H.js\" defer></script>\n\
         <script type=\"module\" src=\"/static/w/extra.H.js\"></script>\n"
    );
    assert_eq!(files.tags(), files.style_tags() + &files.script_tags());
    assert!(
        files
            .tags()
            .contains(&files.hashed_url("w/app.js").expect("exists"))
    );
}

#[test]
fn a_name_declared_twice_keeps_the_first_declaration() {
    let files = build(|b| {
        b.declare(StaticFile::js("app", "w/app.js"))
            .declare(StaticFile::js("app", "w/lib.js"))
            .declare(StaticFile::js("app", "w/app.js"));
    })
    .expect("build");
    assert_eq!(files.script_tags().lines().count(), 1);
    assert!(files.script_tags().contains("/static/w/app."));
}

#[test]
fn enabled_and_disabled_lists_follow_lona() {
    let files = build(|b| {
        b.declare(StaticFile::js("app", "w/app.js"))
            .declare(StaticFile::js("extra", "w/extra.js").enabled_by_default(false))
            .declare(StaticFile::js("lib", "w/lib.js").enabled_by_default(false))
            .declare(StaticFile::js("off", "w/off.js"))
            .declare(StaticFile::css("both", "w/app.css").enabled_by_default(false))
            .enable("extra")
            .enable("both")
            .disable("off")
            .disable("both");
    })
    .expect("build");
    let tags = shape(&files.tags());
    assert_eq!(
        tags,
        "<script src=\"/static/w/app.H.js\" defer></script>\n\
         <script src=\"/static/w/extra.H.js\" defer></script>\n"
    );
    // Disabled files are not served either; files merely not enabled are not linked, and not
    // served (Lona serves declared files only when enabled).
    let status = |path: &str| files.respond(&StaticRequest::get(path)).status;
    assert_eq!(status("/static/w/off.js"), 404);
    assert_eq!(status("/static/w/app.css"), 404);
    assert_eq!(status("/static/w/lib.js"), 404);
    assert_eq!(status("/static/w/app.js"), 200);
    assert_eq!(status("/static/w/extra.js"), 200);
    assert_eq!(files.hashed_url("w/off.js"), None);
}

#[test]
fn link_false_files_are_served_but_not_linked() {
    let files = build(|b| {
        b.declare(StaticFile::js("app", "w/app.js").link(false))
            .declare(StaticFile::other("map", "w/app.js.map"));
    })
    .expect("build");
    assert_eq!(files.tags(), "");
    let response = files.respond(&StaticRequest::get("/static/w/app.js.map"));
    assert_eq!(response.status, 200);
}

#[test]
fn declared_files_must_exist_and_have_valid_names() {
    let missing = build(|b| {
        b.declare(StaticFile::js("gone", "w/gone.js"));
    });
    assert!(matches!(missing, Err(StaticError::Declared { ref name, .. }) if name == "gone"));
    assert_eq!(
        missing.err().map(|e| e.to_string()).as_deref(),
        Some("declared static file \"gone\" (w/gone.js) is in no static root")
    );
    // A disabled file need not exist.
    assert!(
        build(|b| {
            b.declare(StaticFile::js("gone", "w/gone.js"))
                .disable("gone");
        })
        .is_ok()
    );
    let invalid = build(|b| {
        b.declare(StaticFile::js("up", "../w/app.js"));
    });
    assert!(matches!(invalid, Err(StaticError::Name(_))));
}

#[test]
fn urls_in_tags_are_encoded_and_escaped() {
    let files = StaticFiles::builder()
        .url_prefix("/st\"a&t/")
        .add_embedded("", [EmbeddedFile::from_text("a \"b\"<'&>.css", CSS, "x")])
        .declare(StaticFile::css("odd", "a \"b\"<'&>.css"))
        .build()
        .expect("build");
    let tags = files.tags();
    let href = tags
        .split("href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("href");
    assert!(
        href.starts_with("/st&quot;a&amp;t/a%20%22b%22%3C%27%26%3E."),
        "{tags}"
    );
    assert!(
        !tags.contains('<') || tags.matches('<').count() == 1,
        "{tags}"
    );
}
