//! Tidy's check of the manuals' code: every `docs/*.md` file and the README is included in
//! the facade's doc-test module (`crates/lona/src/docs.rs`), so `cargo test --doc` compiles
//! their Rust blocks, and no block opens without a language, which rustdoc would take for
//! Rust.

use std::path::{Path, PathBuf};

use super::{Failure, read};

/// The module whose doc attributes include the manuals, relative to the root.
pub(crate) const DOC_TESTS: &str = "crates/lona/src/docs.rs";

/// Runs the check on the workspace at `root`.
pub(crate) fn check(root: &Path, failures: &mut Vec<Failure>) -> anyhow::Result<()> {
    let mut manuals = vec![PathBuf::from("README.md")];
    let docs = root.join("docs");
    let mut found = Vec::new();
    crate::files::collect_files(
        &docs,
        &mut |path| path.extension().is_some_and(|e| e == "md"),
        &mut found,
    )?;
    found.sort();
    manuals.extend(
        found
            .iter()
            .map(|path| path.strip_prefix(root).unwrap_or(path).to_path_buf()),
    );
    let module = root.join(DOC_TESTS);
    let module_text = if module.is_file() {
        read(&module)?
    } else {
        String::new()
    };
    for manual in manuals {
        let text = read(&root.join(&manual))?;
        failures.extend(manual_failures(&manual, &text, &module_text));
    }
    Ok(())
}

/// Checks one manual: the doc-test module includes it (by its path from the module, ending in
/// the manual's path from the root), and each of its fences that opens a block names a
/// language.
pub(crate) fn manual_failures(manual: &Path, text: &str, module_text: &str) -> Vec<Failure> {
    let mut failures = Vec::new();
    let shown = manual.to_string_lossy().replace('\\', "/");
    let included = module_text
        .lines()
        .any(|line| line.contains("include_str!(\"") && line.contains(&format!("/{shown}\")")));
    if !included {
        failures.push(Failure::new(
            manual,
            format!(
                "not compiled: add `#[doc = include_str!(\"../../../{shown}\")] mod NAME {{}}` \
                 to {DOC_TESTS}, so `cargo test --doc` checks its code blocks"
            ),
        ));
    }
    let mut open: Option<&str> = None;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let fence = if trimmed.starts_with("```") {
            "```"
        } else if trimmed.starts_with("~~~") {
            "~~~"
        } else {
            continue;
        };
        match open {
            // A closing fence: at least as long as the opening one, nothing after it.
            Some(opened) if opened == fence => open = None,
            Some(_) => {}
            None => {
                open = Some(fence);
                if trimmed.trim_start_matches(['`', '~']).trim().is_empty() {
                    failures.push(Failure::new(
                        manual,
                        format!(
                            "line {}: a code block needs a language (```rust, ```text, ```sh...): \
                             rustdoc compiles a block without one as Rust",
                            index + 1
                        ),
                    ));
                }
            }
        }
    }
    failures
}
