//! `cargo xtask modules`: the shape of each crate — lines, largest files, and the import cycles
//! between its top-level modules — so that a restructuring can be measured, and kept.
//!
//! A top-level module is `src/NAME.rs` with everything under `src/NAME/`. It imports another
//! when one of its files names `crate::OTHER` (also inside `use crate::{..}` groups), or, in
//! `src/NAME.rs` itself, `super::OTHER`. Test files (`tests.rs`, anything under `tests/`) are
//! left out: a test may reach across layers without making the layers a cycle.
//!
//! This is a text scan, not name resolution: comments are skipped (a doc link is not an
//! import), but a `crate::x` inside a string counts. That errs towards reporting a cycle,
//! which is the safe side for a check.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

/// One crate's measurements.
#[derive(Debug)]
pub(crate) struct CrateShape {
    pub(crate) name: String,
    /// Its `src` folder.
    pub(crate) src: PathBuf,
    /// Lines of Rust under `src/` (tests included: they are code to read too).
    pub(crate) lines: usize,
    /// Each top-level module and the top-level modules it imports.
    pub(crate) imports: BTreeMap<String, BTreeSet<String>>,
}

impl CrateShape {
    /// The groups of modules that import each other (strongly connected components with more
    /// than one module, or a module importing itself through a path back to it).
    pub(crate) fn cycles(&self) -> Vec<Vec<String>> {
        strongly_connected(&self.imports)
            .into_iter()
            .filter(|group| group.len() > 1)
            .collect()
    }
}

/// Options of `cargo xtask modules`.
#[derive(Debug, Default)]
pub(crate) struct Options {
    /// Another checkout to measure (for a before/after comparison).
    root: Option<PathBuf>,
    /// How many of the largest files to list.
    largest: usize,
}

impl Options {
    pub(crate) fn parse(args: &[String]) -> anyhow::Result<Options> {
        let mut options = Options {
            root: None,
            largest: 15,
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--root" => {
                    let path = args.next().context("--root needs a path")?;
                    options.root = Some(PathBuf::from(path));
                }
                "--largest" => {
                    let n = args.next().context("--largest needs a number")?;
                    options.largest = n.parse().context("--largest needs a number")?;
                }
                other => anyhow::bail!("unknown option `{other}` for `modules`"),
            }
        }
        Ok(options)
    }
}

/// Prints, per crate, its lines and cycles, then the workspace's largest files.
pub(crate) fn run(root: &Path, options: &Options) -> anyhow::Result<()> {
    let root = options.root.as_deref().unwrap_or(root);
    let shapes = measure(root)?;
    print!("{}", report(&shapes));
    let mut files = rust_files(root, crate::files::SOURCE_DIRS)?;
    files.sort_by_key(|(path, lines)| (std::cmp::Reverse(*lines), path.clone()));
    println!("\nlargest files:");
    for (path, lines) in files.iter().take(options.largest) {
        let relative = path.strip_prefix(root).unwrap_or(path);
        println!("{lines:>6}  {}", relative.display());
    }
    Ok(())
}

/// The shape of every crate under `crates/` and of `xtask`.
pub(crate) fn measure(root: &Path) -> anyhow::Result<Vec<CrateShape>> {
    let mut dirs: Vec<PathBuf> = crate::files::crate_folders(root)?
        .iter()
        .map(|name| root.join("crates").join(name))
        .filter(|dir| dir.join("src").is_dir())
        .collect();
    dirs.push(root.join("xtask"));
    dirs.iter().map(|dir| shape(dir)).collect()
}

fn report(shapes: &[CrateShape]) -> String {
    let mut out = String::from("crate                  lines  modules  cycles\n");
    for shape in shapes {
        let cycles = shape.cycles();
        let _ = writeln!(
            out,
            "{:<20} {:>7}  {:>7}  {:>6}",
            shape.name,
            shape.lines,
            shape.imports.len(),
            cycles.len()
        );
        for cycle in cycles {
            let _ = writeln!(out, "    cycle: {}", cycle.join(" ⇄ "));
        }
    }
    out
}

fn shape(dir: &Path) -> anyhow::Result<CrateShape> {
    let name = dir
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let src = dir.join("src");
    let files = rust_files(dir, &["src"])?;
    let lines = files.iter().map(|(_, lines)| lines).sum();
    let roots = ["lib.rs", "main.rs"];
    let modules: BTreeSet<String> = files
        .iter()
        .filter_map(|(path, _)| top_level_module(&src, path))
        .filter(|module| !roots.contains(&format!("{module}.rs").as_str()))
        .collect();
    let mut imports: BTreeMap<String, BTreeSet<String>> = modules
        .iter()
        .map(|module| (module.clone(), BTreeSet::new()))
        .collect();
    for (path, _) in &files {
        let Some(module) = top_level_module(&src, path) else {
            continue;
        };
        if !modules.contains(&module) || is_test_file(&src, path) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let text = without_comments(&text);
        let top_file = path.parent() == Some(src.as_path());
        let mut named = crate_paths(&text, "crate::");
        if top_file {
            named.extend(crate_paths(&text, "super::"));
        }
        let entry = imports.entry(module.clone()).or_default();
        for other in named {
            if other != module && modules.contains(&other) {
                entry.insert(other);
            }
        }
    }
    Ok(CrateShape {
        name,
        src,
        lines,
        imports,
    })
}

/// `text` without its comments (from `//` to the end of each line, doc comments included) and
/// without its inline test module: everything from a `#[cfg(test)]` (or `#[cfg(all(test, ..))]`)
/// that opens a `mod` block
/// on (such a module sits at the end of its file, by the house style).
fn without_comments(text: &str) -> String {
    let mut lines = Vec::new();
    let mut previous = "";
    for line in text.lines() {
        let trimmed = line.trim();
        let test_only = previous == "#[cfg(test)]" || previous.starts_with("#[cfg(all(test,");
        if test_only && trimmed.starts_with("mod ") && trimmed.ends_with('{') {
            lines.pop();
            break;
        }
        previous = trimmed;
        lines.push(line.split_once("//").map_or(line, |(code, _)| code));
    }
    lines.join("\n")
}

/// `src/NAME.rs` or `src/NAME/...` gives `NAME`.
fn top_level_module(src: &Path, path: &Path) -> Option<String> {
    let first = path.strip_prefix(src).ok()?.components().next()?;
    let first = first.as_os_str().to_str()?;
    Some(first.strip_suffix(".rs").unwrap_or(first).to_owned())
}

fn is_test_file(src: &Path, path: &Path) -> bool {
    let Ok(relative) = path.strip_prefix(src) else {
        return false;
    };
    relative.components().any(|part| {
        let part = part.as_os_str();
        part == "tests" || part == "tests.rs" || part == "test_support.rs"
    })
}

/// The first path segment after each `prefix` (`crate::a::b` gives `a`; `crate::{a, b::c}`
/// gives `a` and `b`).
fn crate_paths(text: &str, prefix: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find(prefix) {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + prefix.len()..];
        // `$crate::` and `my_crate::` are not this crate's root.
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            found.extend(group_heads(group));
        } else {
            found.insert(identifier(rest).to_owned());
        }
    }
    found.retain(|name| !name.is_empty());
    found
}

/// The first identifier of each entry of a `{ .. }` group, up to its closing brace.
fn group_heads(group: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 0usize;
    let mut at_entry_start = true;
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => at_entry_start = true,
            c if at_entry_start && (c.is_alphanumeric() || c == '_') => {
                heads.push(identifier(&group[i..]).to_owned());
                at_entry_start = false;
            }
            _ => {}
        }
    }
    heads
}

fn identifier(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// Every `.rs` file under `root/<dir>` for each dir (as tidy finds them), with its line count.
fn rust_files(root: &Path, dirs: &[&str]) -> anyhow::Result<Vec<(PathBuf, usize)>> {
    let mut files = Vec::new();
    for dir in dirs {
        crate::files::collect_files(
            &root.join(dir),
            &mut |path| path.extension().is_some_and(|ext| ext == "rs"),
            &mut files,
        )?;
    }
    Ok(files
        .into_iter()
        .map(|path| {
            let lines = std::fs::read_to_string(&path).map_or(0, |text| text.lines().count());
            (path, lines)
        })
        .collect())
}

/// Tarjan's algorithm, iteratively: each strongly connected component, members sorted.
fn strongly_connected(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let names: Vec<&String> = graph.keys().collect();
    let index_of: BTreeMap<&String, usize> = names
        .iter()
        .enumerate()
        .map(|(i, name)| (*name, i))
        .collect();
    let edges: Vec<Vec<usize>> = names
        .iter()
        .map(|name| {
            graph[*name]
                .iter()
                .filter_map(|to| index_of.get(to).copied())
                .collect()
        })
        .collect();
    let n = names.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut next = 0;
    let mut groups = Vec::new();
    for start in 0..n {
        if index[start] != usize::MAX {
            continue;
        }
        // (node, next edge to look at)
        let mut work = vec![(start, 0usize)];
        while let Some(&mut (node, ref mut edge)) = work.last_mut() {
            if *edge == 0 && index[node] == usize::MAX {
                index[node] = next;
                low[node] = next;
                next += 1;
                stack.push(node);
                on_stack[node] = true;
            }
            if let Some(&to) = edges[node].get(*edge) {
                *edge += 1;
                if index[to] == usize::MAX {
                    work.push((to, 0));
                } else if on_stack[to] {
                    low[node] = low[node].min(index[to]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[node]);
            }
            if low[node] == index[node] {
                let mut group = Vec::new();
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    group.push(names[member].clone());
                    if member == node {
                        break;
                    }
                }
                group.sort();
                groups.push(group);
            }
        }
    }
    groups.sort();
    groups
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::{crate_paths, strongly_connected, without_comments};

    fn set(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|name| (*name).to_owned()).collect()
    }

    #[test]
    fn paths_are_read_from_plain_and_grouped_imports() {
        let text = "use crate::a::B;\nuse crate::{b, c::{D, e}, f as g};\nlet x = $crate::h;\n\
                    other_crate::i(); crate::j(x);";
        assert_eq!(
            crate_paths(text, "crate::"),
            set(&["a", "b", "c", "f", "j"])
        );
    }

    #[test]
    fn comments_and_inline_tests_are_not_imports() {
        let text = "use crate::a; // crate::b\n/// [`crate::c`]\nfn f() {}\n\n#[cfg(test)]\nmod tests {\n    use crate::d;\n}\n";
        assert_eq!(crate_paths(&without_comments(text), "crate::"), set(&["a"]));
    }

    #[test]
    fn cycles_are_the_components_of_more_than_one_module() {
        let graph: BTreeMap<String, BTreeSet<String>> = [
            ("app", set(&["http", "state"])),
            ("http", set(&["app", "state"])),
            ("state", set(&[])),
            ("socket", set(&["shell"])),
            ("shell", set(&["conn"])),
            ("conn", set(&["socket"])),
        ]
        .into_iter()
        .map(|(name, to)| (name.to_owned(), to))
        .collect();
        let groups: Vec<Vec<String>> = strongly_connected(&graph)
            .into_iter()
            .filter(|group| group.len() > 1)
            .collect();
        assert_eq!(
            groups,
            vec![
                vec!["app".to_owned(), "http".to_owned()],
                vec!["conn".to_owned(), "shell".to_owned(), "socket".to_owned()],
            ]
        );
    }
}
