//! Checks of the embedded assets: complete, unique, importable, and free of protocol codes.

use std::collections::BTreeSet;
use std::path::Path;

use crate::{ASSETS, ENTRY, asset};

fn js_assets() -> impl Iterator<Item = &'static crate::Asset> {
    ASSETS.iter().filter(|a| a.path.ends_with(".js"))
}

#[test]
fn every_asset_is_non_empty_and_typed_by_its_extension() {
    for asset in ASSETS {
        assert!(!asset.body.trim().is_empty(), "{} is empty", asset.path);
        let expected = match asset.path.rsplit_once('.').map(|(_, ext)| ext) {
            Some("js") => "text/javascript; charset=utf-8",
            Some("css") => "text/css; charset=utf-8",
            other => panic!("{}: unexpected extension {other:?}", asset.path),
        };
        assert_eq!(asset.content_type, expected, "{}", asset.path);
        assert!(!asset.path.starts_with('/'), "{} is relative", asset.path);
    }
}

#[test]
fn asset_paths_are_unique() {
    let mut seen = BTreeSet::new();
    for asset in ASSETS {
        assert!(seen.insert(asset.path), "{} is listed twice", asset.path);
    }
}

#[test]
fn the_entry_and_the_stylesheet_are_found_by_path() {
    let entry = asset(ENTRY).expect("the entry is embedded");
    assert_eq!(entry.path, "lona.js");
    assert!(entry.body.contains("export const Lona"));
    assert!(entry.body.contains("window.Lona = Lona"));
    assert!(asset("lona.css").is_some());
    assert!(asset("/lona.js").is_none());
    assert!(asset("tests/protocol.json").is_none());
    assert!(asset("nope.js").is_none());
}

#[test]
fn every_file_under_js_is_embedded_and_every_asset_exists() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("js");
    let mut on_disk = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).expect("js/ is readable") {
        let entry = entry.expect("a directory entry");
        if entry.file_type().expect("a file type").is_file() {
            on_disk.insert(entry.file_name().to_string_lossy().into_owned());
        }
    }
    let embedded: BTreeSet<String> = ASSETS.iter().map(|a| a.path.to_owned()).collect();
    assert_eq!(
        on_disk, embedded,
        "js/ (without js/tests/) and ASSETS differ"
    );
}

/// The relative module specifiers (`./x.js`) a module imports.
fn relative_imports(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    for quote in ['\'', '"'] {
        let needle = format!("{quote}./");
        let mut rest = source;
        while let Some(start) = rest.find(&needle) {
            let after = &rest[start + 1..];
            let end = after.find(quote).unwrap_or(after.len());
            let specifier = &after[..end];
            let before = rest[..start].trim_end();
            if before.ends_with("from") || before.ends_with("import") {
                found.push(specifier.to_owned());
            }
            rest = &after[end..];
        }
    }
    found
}

#[test]
fn relative_imports_are_found() {
    let source =
        "import { A } from './a.js';\nimport \"./b.js\";\nconst u = new URL('./lona.css', x);";
    assert_eq!(relative_imports(source), ["./a.js", "./b.js"]);
}

#[test]
fn every_relative_import_is_an_embedded_asset() {
    let mut imported = BTreeSet::new();
    for module in js_assets() {
        for specifier in relative_imports(module.body) {
            let path = specifier.trim_start_matches("./");
            assert!(
                asset(path).is_some(),
                "{} imports {specifier}, which is not embedded",
                module.path
            );
            imported.insert(path.to_owned());
        }
    }
    // Every module is reachable from the entry's import graph (no dead files).
    for module in js_assets() {
        assert!(
            module.path == ENTRY || imported.contains(module.path),
            "{} is never imported",
            module.path
        );
    }
}

/// The text of a JavaScript source outside comments (strings and code, comments blanked).
fn without_comments(source: &str) -> String {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Code,
        Line,
        Block,
        Str(char),
    }
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut state = State::Code;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match state {
            State::Code => match (c, next) {
                ('/', Some('/')) => {
                    state = State::Line;
                    i += 1;
                }
                ('/', Some('*')) => {
                    state = State::Block;
                    i += 1;
                }
                ('\'' | '"' | '`', _) => {
                    state = State::Str(c);
                    out.push(c);
                }
                _ => out.push(c),
            },
            State::Line => {
                if c == '\n' {
                    state = State::Code;
                    out.push(c);
                }
            }
            State::Block => {
                if c == '*' && next == Some('/') {
                    state = State::Code;
                    i += 1;
                }
                out.push(' ');
            }
            State::Str(quote) => {
                out.push(c);
                if c == '\\' {
                    if let Some(escaped) = next {
                        out.push(escaped);
                    }
                    i += 1;
                } else if c == quote {
                    state = State::Code;
                }
            }
        }
        i += 1;
    }
    out
}

/// The protocol codes (`N0M`, N in 1..=7, M in 1..=6) standing alone as digit runs.
fn hard_coded_codes(source: &str) -> Vec<String> {
    let text = without_comments(source);
    let mut found = Vec::new();
    let mut run = String::new();
    let mut run_start_ok = true;
    let mut previous = ' ';
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            if run.is_empty() {
                // A digit run inside an identifier or a longer number (`x301`, `1.301`) is not a token.
                run_start_ok = !(previous.is_alphanumeric()
                    || previous == '_'
                    || previous == '$'
                    || previous == '.');
            }
            run.push(c);
        } else {
            let ends_ok = !(c.is_alphanumeric() || c == '_' || c == '$');
            if !run.is_empty() && run_start_ok && ends_ok && is_code(&run) {
                found.push(run.clone());
            }
            run.clear();
        }
        previous = c;
    }
    found
}

fn is_code(digits: &str) -> bool {
    let bytes = digits.as_bytes();
    bytes.len() == 3
        && (b'1'..=b'7').contains(&bytes[0])
        && bytes[1] == b'0'
        && (b'1'..=b'6').contains(&bytes[2])
}

#[test]
fn the_code_scanner_finds_codes_in_code_and_strings_but_not_in_comments() {
    let source = "const a = 301; // 302\n/* 503 */ f('ws://x', \"705\", `${x}:101`, 1000, 3010, x102, 0.205, 107)";
    assert_eq!(hard_coded_codes(source), ["301", "705", "101"]);
}

#[test]
fn no_module_hard_codes_a_protocol_code() {
    for module in js_assets() {
        let found = hard_coded_codes(module.body);
        assert!(
            found.is_empty(),
            "{} hard-codes protocol codes {found:?}; read them from the protocol object",
            module.path
        );
    }
}
