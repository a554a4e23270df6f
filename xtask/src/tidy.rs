//! `cargo xtask tidy`: mechanical checks of the workspace conventions in the house style, so
//! review can spend its time on design instead.
//!
//! The same checks run as a `#[test]` (see `tidy/tests.rs`), so a plain `cargo test` enforces
//! them too. Each check is a few lines and reports `file: reason` for every violation, never
//! stopping at the first.

mod deps;
mod features;
mod manuals;
mod toml;

#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// One violation: which file, and what to change.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Failure {
    /// Relative to the project root.
    pub(crate) file: PathBuf,
    pub(crate) reason: String,
}

impl Failure {
    pub(crate) fn new(file: impl Into<PathBuf>, reason: impl Into<String>) -> Failure {
        Failure {
            file: file.into(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.reason)
    }
}

/// Runs every check, prints the failures and fails if there are any.
pub(crate) fn run(root: &Path) -> anyhow::Result<()> {
    let mut failures = check_all(root)?;
    // Slow (it builds the facade a second time), so not part of the `#[test]`.
    features::check_minimal_build(root, &mut failures)?;
    if failures.is_empty() {
        println!("tidy: ok");
        return Ok(());
    }
    for failure in &failures {
        eprintln!("tidy: {failure}");
    }
    bail!("tidy found {} problem(s)", failures.len());
}

/// Runs every check and returns all violations. `Err` means a check could not run at all (for
/// example an unreadable directory), not that the workspace is untidy.
pub(crate) fn check_all(root: &Path) -> anyhow::Result<Vec<Failure>> {
    let mut failures = Vec::new();
    let crates = crate::files::crate_folders(root)?;
    check_architecture(root, &crates, &mut failures)?;
    deps::check(root, &mut failures);
    check_manifests(root, &mut failures)?;
    check_rust_sources(root, &mut failures)?;
    check_client_js(root, &mut failures)?;
    check_fuzz_workspaces(root, &crates, &mut failures)?;
    features::check_documented(root, &mut failures)?;
    manuals::check(root, &mut failures)?;
    check_module_cycles(root, &mut failures)?;
    Ok(failures)
}

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

// Check 1: ARCHITECTURE.md's code map and the crates/ folder agree.

fn check_architecture(
    root: &Path,
    crates: &[String],
    failures: &mut Vec<Failure>,
) -> anyhow::Result<()> {
    let path = root.join("ARCHITECTURE.md");
    if !path.is_file() {
        failures.push(Failure::new(
            "ARCHITECTURE.md",
            "missing; it needs a `### <crate>` heading for every crates/* folder",
        ));
        return Ok(());
    }
    let text = read(&path)?;
    let package_exists = |name: &str| {
        root.join("crates").join(name).join("Cargo.toml").is_file()
            || root.join(name).join("Cargo.toml").is_file()
    };
    failures.extend(architecture_failures(&text, crates, package_exists));
    Ok(())
}

/// Every crate folder must have a `### ` heading naming it, and every crate heading in the code
/// map section (`## ...Code map...`; the whole file if there is none) must name an existing
/// package folder (`crates/<name>` or a top-level `<name>` with a `Cargo.toml`).
pub(crate) fn architecture_failures(
    text: &str,
    crates: &[String],
    package_exists: impl Fn(&str) -> bool,
) -> Vec<Failure> {
    let mut all = BTreeSet::new();
    let mut in_code_map = Vec::new();
    let mut outside_code_map = Vec::new();
    let mut has_code_map = false;
    let mut section_is_code_map = false;
    let mut in_fence = false;
    for (index, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        if let Some(title) = line.strip_prefix("## ") {
            section_is_code_map = title.to_lowercase().contains("code map");
            has_code_map |= section_is_code_map;
        } else if let Some(title) = line.strip_prefix("### ")
            && let Some(name) = heading_crate_name(title)
        {
            all.insert(name.clone());
            if section_is_code_map {
                in_code_map.push((index + 1, name));
            } else {
                outside_code_map.push((index + 1, name));
            }
        }
    }

    let mut failures = Vec::new();
    for name in crates {
        if !all.contains(name) {
            failures.push(Failure::new(
                "ARCHITECTURE.md",
                format!(
                    "needs a `### {name}` heading (the name may be in backticks) for crates/{name}"
                ),
            ));
        }
    }
    let checked = if has_code_map {
        in_code_map
    } else {
        outside_code_map
    };
    for (line, name) in checked {
        if !package_exists(&name) {
            failures.push(Failure::new(
                "ARCHITECTURE.md",
                format!("line {line}: heading names `{name}`, but there is no crates/{name}"),
            ));
        }
    }
    failures
}

/// The crate a `### ` heading names: the first code span (`` ### `lona-html` ``), or a first
/// word in lowercase crate-name characters (`### lona-html`). Prose headings such as
/// `### Entry points` name no crate.
pub(crate) fn heading_crate_name(title: &str) -> Option<String> {
    let title = title.trim();
    let name = match title.strip_prefix('`') {
        Some(rest) => rest.split('`').next()?.trim(),
        None => {
            let word = title.split_whitespace().next()?;
            let word = word.trim_end_matches([':', ',', '.', ';']);
            let crate_like = word
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
            if !crate_like {
                return None;
            }
            word
        }
    };
    let name = name
        .strip_prefix("crates/")
        .unwrap_or(name)
        .trim_end_matches('/');
    (!name.is_empty()).then(|| name.to_owned())
}

// Check 3: member manifests inherit from the workspace.

/// The `package` fields every member must inherit, so the workspace stays in lockstep.
const INHERITED_FIELDS: &[&str] = &["version", "edition", "rust-version", "license"];

const DEPENDENCY_TABLES: &[&str] = &["dependencies", "dev-dependencies", "build-dependencies"];

fn check_manifests(root: &Path, failures: &mut Vec<Failure>) -> anyhow::Result<()> {
    let root_manifest = toml::parse(&read(&root.join("Cargo.toml"))?);
    let patterns = toml::string_array(root_manifest.get(&["workspace", "members"]).unwrap_or(""));
    for pattern in patterns {
        for member in expand_member(root, &pattern, failures)? {
            let manifest = member.join("Cargo.toml");
            let shown = manifest
                .strip_prefix(root)
                .unwrap_or(&manifest)
                .to_path_buf();
            failures.extend(manifest_failures(&shown, &read(&manifest)?));
        }
    }
    Ok(())
}

/// Expands one `workspace.members` entry. Only a trailing `/*` glob is supported, which is all
/// the root manifest uses; anything fancier is reported rather than silently skipped.
fn expand_member(
    root: &Path,
    pattern: &str,
    failures: &mut Vec<Failure>,
) -> anyhow::Result<Vec<PathBuf>> {
    if let Some(parent) = pattern.strip_suffix("/*") {
        let mut members = Vec::new();
        for dir in crate::files::subdirs(&root.join(parent))? {
            if dir.join("Cargo.toml").is_file() {
                members.push(dir);
            } else {
                let shown = dir.strip_prefix(root).unwrap_or(&dir).to_path_buf();
                failures.push(Failure::new(
                    shown,
                    format!("matched by workspace member glob `{pattern}` but has no Cargo.toml"),
                ));
            }
        }
        return Ok(members);
    }
    if pattern.contains(['*', '?', '[']) {
        failures.push(Failure::new(
            "Cargo.toml",
            format!("tidy only understands `dir/*` member globs, not `{pattern}`"),
        ));
        return Ok(Vec::new());
    }
    let dir = root.join(pattern);
    if dir.join("Cargo.toml").is_file() {
        Ok(vec![dir])
    } else {
        failures.push(Failure::new(pattern, "workspace member has no Cargo.toml"));
        Ok(Vec::new())
    }
}

/// Checks one member manifest: `[lints] workspace = true`, inherited package fields, every
/// dependency from `[workspace.dependencies]`, and no comment on a `[section]` line.
pub(crate) fn manifest_failures(file: &Path, text: &str) -> Vec<Failure> {
    let doc = toml::parse(text);
    let mut failures = Vec::new();
    let fail = |reason: String| Failure::new(file, reason);

    if doc.get(&["lints", "workspace"]) != Some("true") {
        failures.push(fail("needs `[lints]` with `workspace = true`".to_owned()));
    }
    for field in INHERITED_FIELDS {
        if doc.get(&["package", field, "workspace"]) != Some("true") {
            failures.push(fail(format!(
                "must inherit `{field}`: `{field}.workspace = true`"
            )));
        }
    }

    // (table shown to the user, dependency name) -> whether it says `workspace = true`.
    let mut deps: Vec<(String, String, bool)> = Vec::new();
    let mut note = |table: String, name: &str, from_workspace: bool| match deps
        .iter_mut()
        .find(|(t, n, _)| *t == table && n == name)
    {
        Some(dep) => dep.2 |= from_workspace,
        None => deps.push((table, name.to_owned(), from_workspace)),
    };
    let dependency = |path: &[String]| -> Option<(String, usize)> {
        match path {
            [table, _, ..] if DEPENDENCY_TABLES.contains(&table.as_str()) => {
                Some((table.clone(), 1))
            }
            [target, cfg, table, _, ..]
                if target == "target" && DEPENDENCY_TABLES.contains(&table.as_str()) =>
            {
                Some((format!("target.'{cfg}'.{table}"), 3))
            }
            _ => None,
        }
    };
    for header in &doc.headers {
        if let Some((table, at)) = dependency(&header.path) {
            note(table, &header.path[at], false);
        }
    }
    for entry in &doc.entries {
        if let Some((table, at)) = dependency(&entry.path) {
            let rest = &entry.path[at + 1..];
            let from_workspace = rest.len() == 1 && rest[0] == "workspace" && entry.value == "true";
            note(table, &entry.path[at], from_workspace);
        }
    }
    for (table, name, from_workspace) in deps {
        if !from_workspace {
            failures.push(fail(format!(
                "`{name}` in [{table}] must come from the workspace: `{name} = {{ workspace = true }}`, \
                 with the version in the root [workspace.dependencies]"
            )));
        }
    }

    for header in doc.headers.iter().filter(|h| h.has_comment) {
        failures.push(fail(format!(
            "line {}: no comment on a [section] line; put it on the line above",
            header.line
        )));
    }
    failures
}

// Checks 4 and 5: Rust sources open with a module doc and hide no tests.

/// Spelled in two pieces so that this file does not trip its own check.
const IGNORE_ATTR: &str = concat!("#[", "ignore");

fn check_rust_sources(root: &Path, failures: &mut Vec<Failure>) -> anyhow::Result<()> {
    let mut files = Vec::new();
    for dir in crate::files::SOURCE_DIRS {
        crate::files::collect_files(
            &root.join(dir),
            &mut |path| path.extension().is_some_and(|e| e == "rs"),
            &mut files,
        )?;
    }
    files.sort();
    for file in files {
        let shown = file.strip_prefix(root).unwrap_or(&file).to_path_buf();
        failures.extend(rust_source_failures(&shown, &read(&file)?));
    }
    Ok(())
}

/// Checks one `.rs` file: the first line is a `//!` module doc, no test is commented out, and
/// every ignore attribute gives a reason that names an issue.
pub(crate) fn rust_source_failures(file: &Path, text: &str) -> Vec<Failure> {
    let mut failures = Vec::new();
    if !text.lines().next().unwrap_or_default().starts_with("//!") {
        failures.push(Failure::new(
            file,
            "the first line must be a `//!` doc saying what the file is for",
        ));
    }
    for (index, line) in text.lines().enumerate() {
        let line_no = index + 1;
        if let Some(comment) = line.trim_start().strip_prefix("//") {
            // `///` and `//!` doc comments keep their third character, so examples in docs
            // are not mistaken for commented-out code.
            let comment = comment.trim_start();
            if comment.starts_with("#[test]") || comment.starts_with("mod tests") {
                failures.push(Failure::new(
                    file,
                    format!(
                        "line {line_no}: commented-out test; delete it, or assert today's \
                         behaviour with a FIXME"
                    ),
                ));
            }
        }
        let mut rest = line;
        while let Some(pos) = rest.find(IGNORE_ATTR) {
            rest = &rest[pos + IGNORE_ATTR.len()..];
            if !ignore_reason_names_issue(rest) {
                failures.push(Failure::new(
                    file,
                    format!(
                        "line {line_no}: `{IGNORE_ATTR}]` needs a reason naming an issue, \
                         e.g. `{IGNORE_ATTR} = \"flaky on 2 cores, issue #12\"]`"
                    ),
                ));
            }
        }
    }
    failures
}

/// Whether the text after the ignore attribute's name is `= "reason"` with a reason that
/// contains `issue` or `#`.
fn ignore_reason_names_issue(after: &str) -> bool {
    let Some(value) = after.trim_start().strip_prefix('=') else {
        return false;
    };
    let Some(reason) = value.trim_start().strip_prefix('"') else {
        return false;
    };
    let reason = reason.split('"').next().unwrap_or_default();
    reason.to_lowercase().contains("issue") || reason.contains('#')
}

// Check 6: the browser client's files are all embedded.

fn check_client_js(root: &Path, failures: &mut Vec<Failure>) -> anyhow::Result<()> {
    let js = root.join("crates/lona-client/js");
    if !js.is_dir() {
        return Ok(());
    }
    let lib = root.join("crates/lona-client/src/lib.rs");
    let lib_text = if lib.is_file() {
        read(&lib)?
    } else {
        String::new()
    };
    let tests = js.join("tests");
    let mut files = Vec::new();
    crate::files::collect_files(&js, &mut |path| !path.starts_with(&tests), &mut files)?;
    files.sort();
    for file in files {
        // Mentioned by its path relative to js/, which for top-level files is its name.
        let relative = file.strip_prefix(&js).unwrap_or(&file);
        let relative: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let relative = relative.join("/");
        if !lib_text.contains(&relative) {
            let shown = file.strip_prefix(root).unwrap_or(&file).to_path_buf();
            failures.push(Failure::new(
                shown,
                format!("not embedded: crates/lona-client/src/lib.rs never mentions `{relative}`"),
            ));
        }
    }
    Ok(())
}

// Check 7: fuzz crates stay out of the workspace.

fn check_fuzz_workspaces(
    root: &Path,
    crates: &[String],
    failures: &mut Vec<Failure>,
) -> anyhow::Result<()> {
    for name in crates {
        let manifest = root.join("crates").join(name).join("fuzz/Cargo.toml");
        if manifest.is_file() && !toml::parse(&read(&manifest)?).has_header(&["workspace"]) {
            failures.push(Failure::new(
                format!("crates/{name}/fuzz/Cargo.toml"),
                "a fuzz crate needs its own empty `[workspace]` table: it builds with nightly \
                 cargo-fuzz and must stay out of the stable workspace",
            ));
        }
    }
    Ok(())
}

// Check 8: no crate's top-level modules import each other in a cycle.

/// Crates whose modules may still form a cycle, with why. Every entry is a debt: a cycle means
/// no module of it can be read, tested or moved without the others.
const CYCLES_ALLOWED: &[(&str, &str)] = &[
    (
        "lona-html",
        "a node points to its document and the document holds its nodes (recursive types); \
         the diff moves nodes between them",
    ),
    (
        "lona-runtime",
        "a view's methods take its context, and the context holds the view (recursive types)",
    ),
];

fn check_module_cycles(root: &Path, failures: &mut Vec<Failure>) -> anyhow::Result<()> {
    for shape in crate::modules::measure(root)? {
        if CYCLES_ALLOWED.iter().any(|(name, _)| *name == shape.name) {
            continue;
        }
        for cycle in shape.cycles() {
            failures.push(Failure::new(
                shape.src.strip_prefix(root).unwrap_or(&shape.src),
                format!(
                    "these modules import each other in a cycle: {}; move what they share into \
                     a module below them (`cargo xtask modules` shows the graph)",
                    cycle.join(", ")
                ),
            ));
        }
    }
    Ok(())
}
