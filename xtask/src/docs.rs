//! `cargo xtask docs`: builds rustdoc for the workspace with warnings denied, then checks that
//! relative links in the project's Markdown files point at files that exist.
//!
//! Broken intra-doc links and stale Markdown links are both forms of docs rot; catching them in
//! CI is cheaper than a reader finding them.

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use xshell::{Shell, cmd};

#[derive(Debug, Default)]
pub(crate) struct Options {
    /// Open the docs in a browser afterwards.
    open: bool,
    /// Also document private items, for contributors reading internals.
    private: bool,
}

impl Options {
    pub(crate) fn parse(args: &[String]) -> anyhow::Result<Options> {
        let mut options = Options::default();
        for arg in args {
            match arg.as_str() {
                // The checks always run and always fail the command; `--check` is accepted so
                // that CI scripts can say what they mean.
                "--check" => {}
                "--open" => options.open = true,
                "--private" => options.private = true,
                _ => bail!("unknown docs option `{arg}`"),
            }
        }
        Ok(options)
    }

    /// What `cargo xtask ci` runs.
    pub(crate) fn ci() -> Options {
        Options::default()
    }
}

/// The Markdown files whose links we check, relative to the project root. Missing files are
/// skipped here; tidy requires ARCHITECTURE.md on its own.
fn markdown_files(root: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = ["ARCHITECTURE.md", "README.md"]
        .iter()
        .map(|name| root.join(name))
        .filter(|path| path.is_file())
        .collect();
    let docs = root.join("docs");
    if docs.is_dir() {
        let mut in_docs = Vec::new();
        for entry in std::fs::read_dir(&docs).context("reading docs/")? {
            let path = entry?.path();
            if path.extension().is_some_and(|ext| ext == "md") && path.is_file() {
                in_docs.push(path);
            }
        }
        in_docs.sort();
        files.extend(in_docs);
    }
    Ok(files)
}

pub(crate) fn run(root: &Path, options: &Options) -> anyhow::Result<()> {
    let sh = Shell::new()?;
    sh.change_dir(root);

    // Append rather than replace, so a developer's own RUSTDOCFLAGS still apply.
    let mut rustdocflags = std::env::var("RUSTDOCFLAGS").unwrap_or_default();
    if !rustdocflags.is_empty() {
        rustdocflags.push(' ');
    }
    rustdocflags.push_str("-D warnings");

    let private = options.private.then_some("--document-private-items");
    let open = options.open.then_some("--open");
    cmd!(
        sh,
        "cargo doc --workspace --no-deps --locked {private...} {open...}"
    )
    .env("RUSTDOCFLAGS", rustdocflags)
    .run()?;

    let broken = check_links(root)?;
    if !broken.is_empty() {
        for problem in &broken {
            eprintln!("{problem}");
        }
        bail!("{} broken relative link(s) in Markdown files", broken.len());
    }
    println!("markdown links: ok");
    Ok(())
}

/// Checks every relative link in the project's Markdown files and returns one line per broken
/// link, as `file:line: reason`.
pub(crate) fn check_links(root: &Path) -> anyhow::Result<Vec<String>> {
    let mut broken = Vec::new();
    for file in markdown_files(root)? {
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("reading {}", file.display()))?;
        let dir = file.parent().unwrap_or(root);
        let shown = file
            .strip_prefix(root)
            .unwrap_or(&file)
            .display()
            .to_string();
        for (line, target) in relative_links(&text) {
            let path = decode_percent(&target);
            let resolved = match path.strip_prefix('/') {
                // GitHub resolves a leading `/` against the repository root.
                Some(from_root) => root.join(from_root),
                None => dir.join(&path),
            };
            if !resolved.exists() {
                broken.push(format!(
                    "{shown}:{line}: link target `{target}` does not exist"
                ));
            }
        }
    }
    Ok(broken)
}

/// Extracts `(line number, path)` for every relative link in `text`: inline links and images
/// `[text](path)` and reference definitions `[id]: path`. The `#fragment` and `?query` are
/// dropped; links inside code blocks and code spans are ignored, since they are examples.
pub(crate) fn relative_links(text: &str) -> Vec<(usize, String)> {
    let mut links = Vec::new();
    let mut fence: Option<&str> = None;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(marker) = fence {
            if trimmed.starts_with(marker) {
                fence = None;
            }
            continue;
        }
        if let Some(marker) = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m)) {
            fence = Some(marker);
            continue;
        }
        let line_no = index + 1;
        let line = strip_code_spans(line);

        // A reference definition: `[id]: target "title"`.
        if let Some(rest) = line.trim_start().strip_prefix('[')
            && let Some((_, after)) = rest.split_once("]:")
        {
            if let Some(target) = link_target(after) {
                links.push((line_no, target));
            }
            continue;
        }

        let mut rest = line.as_str();
        while let Some(pos) = rest.find("](") {
            let after = &rest[pos + 2..];
            let end = closing_paren(after);
            if let Some(target) = link_target(&after[..end]) {
                links.push((line_no, target));
            }
            rest = &after[end..];
        }
    }
    links
}

/// The index of the `)` that closes a link destination, allowing balanced parentheses inside.
fn closing_paren(s: &str) -> usize {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return i,
            ')' => depth -= 1,
            _ => {}
        }
    }
    s.len()
}

/// Turns the inside of `(...)` into a relative path, or `None` for external links, pure
/// fragments and empty targets.
fn link_target(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let target = if let Some(inner) = raw.strip_prefix('<') {
        inner.split('>').next().unwrap_or_default()
    } else {
        // Anything after whitespace is a title: `(path "title")`.
        raw.split_whitespace().next().unwrap_or_default()
    };
    let target = target.split(['#', '?']).next().unwrap_or_default();
    if target.is_empty() || is_external(target) {
        return None;
    }
    Some(target.to_owned())
}

/// A URL with a scheme (`https:`, `mailto:`, ...) rather than a path. A colon after the first
/// `/` is part of a path, not a scheme.
fn is_external(target: &str) -> bool {
    let before_slash = target.split('/').next().unwrap_or_default();
    before_slash.contains(':') || target.starts_with("//")
}

/// Removes `code spans`, so that examples like `[a](b)` inside backticks are not links.
fn strip_code_spans(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut in_code = false;
    for c in line.chars() {
        if c == '`' {
            in_code = !in_code;
        } else if !in_code {
            out.push(c);
        }
    }
    out
}

/// Decodes `%XX` escapes, which is how Markdown links spell spaces and other special bytes.
fn decode_percent(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
