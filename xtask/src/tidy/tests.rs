//! Tidy as a test, so plain `cargo test` enforces the conventions, plus unit tests of each check
//! on small hand-written inputs.
//!
//! Fixture lines that would trip the checks on this very file are built with `\n` escapes or
//! `concat!`, never written as real source lines.

use std::path::Path;

use serde_json::json;

use super::{
    Failure, architecture_failures, check_all, deps, heading_crate_name, manifest_failures,
    manuals, rust_source_failures, toml,
};
use crate::project_root;

#[test]
fn workspace_is_tidy() {
    let failures = check_all(&project_root()).expect("tidy checks could not run");
    let report: Vec<String> = failures.iter().map(ToString::to_string).collect();
    assert!(
        failures.is_empty(),
        "cargo xtask tidy found problems:\n{}",
        report.join("\n")
    );
}

fn reasons(failures: &[Failure]) -> Vec<&str> {
    failures.iter().map(|f| f.reason.as_str()).collect()
}

#[test]
fn toml_reader_flattens_inline_tables_and_dotted_keys() {
    let doc = toml::parse(
        r#"
[package] # a comment on the header
name = "x" # trailing comment
version.workspace = true
"edition" = { workspace = true }
description = "has # and = inside"
keywords = [
    "a", # one
    "b",
]

[target.'cfg(target_os = "linux")'.dependencies]
libc = { workspace = true, features = ["std", "x"] }

[[bench]]
name = "b"
"#,
    );
    assert_eq!(doc.get(&["package", "name"]), Some("\"x\""));
    assert_eq!(doc.get(&["package", "version", "workspace"]), Some("true"));
    assert_eq!(doc.get(&["package", "edition", "workspace"]), Some("true"));
    assert_eq!(
        doc.get(&["package", "description"]),
        Some("\"has # and = inside\"")
    );
    assert_eq!(
        toml::string_array(doc.get(&["package", "keywords"]).unwrap()),
        ["a".to_owned(), "b".to_owned()]
    );
    let libc = [
        "target",
        "cfg(target_os = \"linux\")",
        "dependencies",
        "libc",
    ];
    assert_eq!(
        doc.get(&[libc[0], libc[1], libc[2], libc[3], "workspace"]),
        Some("true")
    );
    assert_eq!(
        doc.get(&[libc[0], libc[1], libc[2], libc[3], "features"]),
        Some("[\"std\", \"x\"]")
    );
    assert_eq!(doc.get(&["bench", "name"]), Some("\"b\""));
    assert!(doc.headers[0].has_comment);
    assert!(!doc.headers[1].has_comment);
}

#[test]
fn tidy_member_manifest_passes() {
    let text = r#"
[package]
name = "lona-html"
version.workspace = true
edition.workspace = true
rust-version = { workspace = true }
license.workspace = true
publish.workspace = true

[dependencies]
parking_lot = { workspace = true }
html5ever.workspace = true

[dependencies.itoa]
workspace = true
features = ["std"]

[dev-dependencies]
expect-test = { workspace = true }

[lints]
workspace = true
"#;
    assert_eq!(
        manifest_failures(Path::new("crates/x/Cargo.toml"), text),
        vec![]
    );
}

#[test]
fn untidy_member_manifest_reports_every_problem() {
    let text = r#"
[package]
name = "lona-html"
version = "0.1.0"
edition.workspace = true
license.workspace = true

[dependencies] # not here
serde = "1"
tokio = { version = "1", features = ["rt"] }
lona-html = { path = "../lona-html" }

[target.'cfg(unix)'.build-dependencies]
cc = "1"
"#;
    let failures = manifest_failures(Path::new("crates/x/Cargo.toml"), text);
    assert_eq!(
        reasons(&failures),
        [
            "needs `[lints]` with `workspace = true`",
            "must inherit `version`: `version.workspace = true`",
            "must inherit `rust-version`: `rust-version.workspace = true`",
            "`serde` in [dependencies] must come from the workspace: `serde = { workspace = true }`, \
             with the version in the root [workspace.dependencies]",
            "`tokio` in [dependencies] must come from the workspace: `tokio = { workspace = true }`, \
             with the version in the root [workspace.dependencies]",
            "`lona-html` in [dependencies] must come from the workspace: `lona-html = { workspace = true }`, \
             with the version in the root [workspace.dependencies]",
            "`cc` in [target.'cfg(unix)'.build-dependencies] must come from the workspace: `cc = { workspace = true }`, \
             with the version in the root [workspace.dependencies]",
            "line 8: no comment on a [section] line; put it on the line above",
        ]
    );
    assert!(
        failures
            .iter()
            .all(|f| f.file == Path::new("crates/x/Cargo.toml"))
    );
}

#[test]
fn rust_sources_need_module_docs() {
    let file = Path::new("crates/x/src/lib.rs");
    assert_eq!(
        rust_source_failures(file, "//! Does x.\nfn main() {}\n"),
        vec![]
    );
    for bad in [
        "",
        "\n//! Late.\n",
        "#![allow(dead_code)]\n//! Doc.\n",
        "/// Item doc.\nfn f() {}\n",
    ] {
        assert_eq!(
            reasons(&rust_source_failures(file, bad)),
            ["the first line must be a `//!` doc saying what the file is for"],
            "{bad:?}"
        );
    }
}

#[test]
fn commented_out_tests_are_found_but_doc_examples_are_not() {
    let file = Path::new("x.rs");
    let text = "//! Doc.\n// #[test]\n    //#[test]\n// mod tests {\n/// #[test]\n//! mod tests\nfn f() {} // #[test] after code\n";
    let failures = rust_source_failures(file, text);
    let lines: Vec<&str> = failures.iter().map(|f| &f.reason[..7]).collect();
    assert_eq!(lines, ["line 2:", "line 3:", "line 4:"]);
}

#[test]
fn ignore_attributes_need_an_issue() {
    let file = Path::new("x.rs");
    let attr = concat!("#[", "ignore");
    let ok = [
        format!("{attr} = \"flaky, see issue 12\"]"),
        format!("{attr} = \"waits for #12\"]"),
        format!("    {attr}=\"Issue 7: slow\"]"),
    ];
    for line in ok {
        let text = format!("//! Doc.\n{line}\n");
        assert_eq!(rust_source_failures(file, &text), vec![], "{line}");
    }
    let bad = [
        format!("{attr}]"),
        format!("{attr} = \"slow\"]"),
        format!("{attr}(reason)]"),
    ];
    for line in bad {
        let text = format!("//! Doc.\n{line}\n");
        assert_eq!(rust_source_failures(file, &text).len(), 1, "{line}");
    }
}

#[test]
fn architecture_headings_match_crate_folders() {
    let text = "\
# Architecture
### `outside-code-map`
## Code map
### `lona-html`
### lona-protocol: the wire format
### Entry points
### `lona-gone`
```text
### `in-a-code-block`
```
## Cross-cutting concerns
### xtask
";
    let crates = [
        "lona-html".to_owned(),
        "lona-protocol".to_owned(),
        "lona-static".to_owned(),
    ];
    let exists =
        |name: &str| ["lona-html", "lona-protocol", "lona-static", "xtask"].contains(&name);
    assert_eq!(
        reasons(&architecture_failures(text, &crates, exists)),
        [
            "needs a `### lona-static` heading (the name may be in backticks) for crates/lona-static",
            "line 7: heading names `lona-gone`, but there is no crates/lona-gone",
        ]
    );
}

#[test]
fn heading_names() {
    assert_eq!(
        heading_crate_name("`lona-html`").as_deref(),
        Some("lona-html")
    );
    assert_eq!(
        heading_crate_name(" `crates/lona-html/` (pure)").as_deref(),
        Some("lona-html")
    );
    assert_eq!(
        heading_crate_name("lona-html").as_deref(),
        Some("lona-html")
    );
    assert_eq!(
        heading_crate_name("lona-html: the tree").as_deref(),
        Some("lona-html")
    );
    assert_eq!(heading_crate_name("Entry points"), None);
    assert_eq!(heading_crate_name(""), None);
}

/// A package entry and a resolve node for a fake `cargo metadata`.
fn package(name: &str) -> serde_json::Value {
    json!({ "id": format!("{name} 0.1.0"), "name": name, "manifest_path": format!("/ws/crates/{name}/Cargo.toml") })
}

fn node(name: &str, deps: &[(&str, Option<&str>)]) -> serde_json::Value {
    let deps: Vec<serde_json::Value> = deps
        .iter()
        .map(|(dep, kind)| json!({ "pkg": format!("{dep} 0.1.0"), "dep_kinds": [{ "kind": kind, "target": null }] }))
        .collect();
    json!({ "id": format!("{name} 0.1.0"), "deps": deps })
}

#[test]
fn dependency_rules_follow_normal_edges_transitively() {
    let names = [
        "lona-html",
        "lona-protocol",
        "lona-server",
        "lona",
        "lona-widgets",
        "xtask",
        "markup5ever",
        "string_cache",
        "serde",
        "tokio",
        "hyper",
        "tungstenite",
        "proptest",
    ];
    let members = [
        "lona-html",
        "lona-protocol",
        "lona-server",
        "lona",
        "lona-widgets",
        "xtask",
    ];
    let metadata = json!({
        "packages": names.iter().map(|n| package(n)).collect::<Vec<_>>(),
        "workspace_members": members.iter().map(|n| format!("{n} 0.1.0")).collect::<Vec<_>>(),
        "resolve": { "nodes": [
            // Transitive serde through a normal chain: forbidden.
            node("lona-html", &[("markup5ever", None), ("proptest", Some("dev"))]),
            node("markup5ever", &[("string_cache", None)]),
            node("string_cache", &[("serde", None)]),
            // tokio only as a dev-dependency: fine.
            node("lona-protocol", &[("lona-html", None), ("tokio", Some("dev"))]),
            // The owner and crates built on it may reach hyper.
            node("lona-server", &[("hyper", None), ("tungstenite", None), ("tokio", None)]),
            node("lona", &[("lona-server", None)]),
            node("hyper", &[("tokio", None)]),
            // A library crate that is not the owner must not.
            node("lona-widgets", &[("hyper", Some("build")), ("tungstenite", None)]),
            node("xtask", &[("hyper", None)]),
            node("proptest", &[("serde", None)]),
        ]},
    });
    let mut failures = Vec::new();
    deps::check_metadata(Path::new("/ws"), &metadata, &mut failures);
    assert_eq!(
        failures.iter().map(ToString::to_string).collect::<Vec<_>>(),
        [
            "crates/lona-html/Cargo.toml: `lona-html` must not depend on `serde` (the node tree is \
             plain data: no I/O, and no serde (lona-protocol encodes it directly)); path: \
             lona-html -> markup5ever -> string_cache -> serde \
             (`cargo tree -e normal,features -p lona-html -i serde` shows why)",
            "crates/lona-widgets/Cargo.toml: `lona-widgets` must not depend on `tungstenite`: only \
             lona-server (and crates built on it) may open sockets; path: lona-widgets -> tungstenite \
             (`cargo tree -e normal,features -p lona-widgets -i tungstenite` shows why)",
        ]
    );
}

#[test]
fn optional_dependencies_count_only_when_a_feature_enables_them() {
    // Like html5ever's `phf`: `std = ["serde?/std"]` names serde weakly, and cargo metadata
    // still lists the edge. `lona-protocol`'s `json` feature really turns serde on.
    let with_optional_serde = |name: &str, features: serde_json::Value| {
        let mut package = package(name);
        package["dependencies"] = json!([
            { "name": "serde", "rename": null, "optional": true, "kind": null },
            { "name": "itoa", "rename": null, "optional": false, "kind": null },
        ]);
        package["features"] = features;
        package
    };
    let metadata = json!({
        "packages": [
            package("lona-html"),
            with_optional_serde("phf", json!({ "default": ["std"], "std": ["serde?/std"] })),
            with_optional_serde("lona-runtime", json!({ "json": ["dep:serde"] })),
            package("serde"), package("itoa"), package("tokio"),
        ],
        "workspace_members": ["lona-html 0.1.0", "lona-runtime 0.1.0"],
        "resolve": { "nodes": [
            node("lona-html", &[("phf", None)]),
            {
                "id": "phf 0.1.0",
                "features": ["default", "std"],
                "deps": [
                    { "pkg": "serde 0.1.0", "dep_kinds": [{ "kind": null, "target": null }] },
                    { "pkg": "itoa 0.1.0", "dep_kinds": [{ "kind": null, "target": null }] },
                ],
            },
            {
                "id": "lona-runtime 0.1.0",
                "features": ["json"],
                "deps": [{ "pkg": "serde 0.1.0", "dep_kinds": [{ "kind": null, "target": null }] }],
            },
            node("serde", &[("tokio", None)]),
        ]},
    });
    let mut failures = Vec::new();
    deps::check_metadata(Path::new("/ws"), &metadata, &mut failures);
    assert_eq!(
        failures.iter().map(ToString::to_string).collect::<Vec<_>>(),
        [
            "crates/lona-runtime/Cargo.toml: `lona-runtime` must not depend on `tokio` (view code \
             runs on the runtime and worker pools, never on tokio); path: lona-runtime -> serde -> tokio \
             (`cargo tree -e normal,features -p lona-runtime -i tokio` shows why)",
        ]
    );
}

#[test]
fn manuals_must_be_doc_tested_and_tag_their_code_blocks() {
    let module = "#[doc = include_str!(\"../../../docs/server.md\")]\nmod server {}\n";
    let manual = "# Server\n\n```rust\nlet x = 1;\n```\n\n```\nplain\n```\n\n~~~ sh\nls\n~~~\n";
    let included = manuals::manual_failures(Path::new("docs/server.md"), manual, module);
    assert_eq!(
        reasons(&included),
        [
            "line 7: a code block needs a language (```rust, ```text, ```sh...): rustdoc compiles \
          a block without one as Rust"
        ]
    );

    let left_out = manuals::manual_failures(Path::new("docs/new.md"), "# New\n", module);
    assert_eq!(left_out.len(), 1, "{left_out:?}");
    assert!(
        left_out[0]
            .reason
            .starts_with("not compiled: add `#[doc = include_str!(\"../../../docs/new.md\")]"),
        "{left_out:?}"
    );
    // A closing fence never counts as an opening one, whatever follows.
    let closed = "```text\na\n```\n```toml\nb = 1\n```\n";
    assert!(manuals::manual_failures(Path::new("docs/server.md"), closed, module).is_empty());
}
