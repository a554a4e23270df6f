//! Finding the workspace's files, for tidy's checks and `cargo xtask modules` alike.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

/// Top-level folders that hold the workspace's `.rs` files.
pub(crate) const SOURCE_DIRS: &[&str] = &["crates", "xtask", "benches", "tests", "examples"];

/// Names of the folders under `crates/` that hold a `Cargo.toml`, sorted.
pub(crate) fn crate_folders(root: &Path) -> anyhow::Result<Vec<String>> {
    let mut names = Vec::new();
    for dir in subdirs(&root.join("crates"))? {
        if dir.join("Cargo.toml").is_file()
            && let Some(name) = dir.file_name().and_then(|n| n.to_str())
        {
            names.push(name.to_owned());
        }
    }
    Ok(names)
}

/// Subdirectories of `dir`, sorted; none if `dir` does not exist.
pub(crate) fn subdirs(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut dirs = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            dirs.push(entry.path());
        }
    }
    dirs.sort();
    Ok(dirs)
}

/// Recursively collects files matching `keep`, skipping `target` directories (build output,
/// including a fuzz crate's own target) and hidden directories.
pub(crate) fn collect_files(
    dir: &Path,
    keep: &mut impl FnMut(&Path) -> bool,
    out: &mut Vec<PathBuf>,
) -> anyhow::Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name();
        if entry.file_type()?.is_dir() {
            if name != "target" && !name.to_string_lossy().starts_with('.') {
                collect_files(&path, keep, out)?;
            }
        } else if keep(&path) {
            out.push(path);
        }
    }
    Ok(())
}
