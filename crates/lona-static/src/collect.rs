//! collect-static: [`StaticFiles::collect`] copies every file the app would serve into one
//! directory, under its plain and its hashed name, with its precompressed siblings and a
//! [`Manifest`], so a reverse proxy can serve exactly what the app would, at the same URLs.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::cache::{Found, Held, Memory, Variant, walk_dir};
use crate::error::StaticError;
use crate::files::StaticFiles;
use crate::path::RelPath;

/// The name of the manifest at the top of the destination.
pub const MANIFEST_NAME: &str = "manifest.json";

/// What [`StaticFiles::collect`] wrote: every plain name with its hashed name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Manifest {
    /// Plain name → hashed name, both relative to the URL prefix and not percent-encoded
    /// (`"lona/lona.js"` → `"lona/lona.3f2a9c0d1e2b4f67.js"`).
    pub files: BTreeMap<String, String>,
}

impl Manifest {
    /// The hashed name of a plain name.
    pub fn hashed(&self, name: &str) -> Option<&str> {
        self.files.get(name).map(String::as_str)
    }

    /// The manifest as written to `manifest.json`: `{"files": {"plain": "hashed", …}}`,
    /// sorted by name, indented by two spaces.
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\n  \"files\": {");
        for (index, (plain, hashed)) in self.files.iter().enumerate() {
            out.push_str(if index == 0 { "\n    " } else { ",\n    " });
            json_string(&mut out, plain);
            out.push_str(": ");
            json_string(&mut out, hashed);
        }
        if !self.files.is_empty() {
            out.push_str("\n  ");
        }
        out.push_str("}\n}\n");
        out
    }
}

fn json_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// How [`StaticFiles::collect_with`] runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CollectOptions {
    /// Empty a non-empty destination first (`--clean`).
    pub clean: bool,
    /// Report every step, change nothing (`--dry-run`).
    pub dry_run: bool,
}

impl CollectOptions {
    /// Options with `clean` set as given.
    pub const fn clean(mut self, clean: bool) -> CollectOptions {
        self.clean = clean;
        self
    }

    /// Options with `dry_run` set as given.
    pub const fn dry_run(mut self, dry_run: bool) -> CollectOptions {
        self.dry_run = dry_run;
        self
    }
}

/// One step of a collect, reported as it is done (or, in a dry run, instead of doing it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CollectStep<'a> {
    /// An entry of the destination that `clean` removes (a folder with all it holds).
    Remove(&'a Path),
    /// A file written: where its bytes come from (a path, or `embedded:NAME` for a file
    /// given in code) and where it goes.
    Copy {
        /// The source file, or `embedded:NAME`.
        source: &'a str,
        /// The file written.
        target: &'a Path,
    },
    /// The manifest written last.
    Manifest(&'a Path),
}

impl std::fmt::Display for CollectStep<'_> {
    /// As Lona prints it: `rm PATH`, `cp SOURCE TARGET`, and `write PATH` for the manifest.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CollectStep::Remove(path) => write!(f, "rm {}", path.display()),
            CollectStep::Copy { source, target } => {
                write!(f, "cp {source} {}", target.display())
            }
            CollectStep::Manifest(path) => write!(f, "write {}", path.display()),
        }
    }
}

impl StaticFiles {
    /// The name of every static file a request could get, sorted: what `collect` would
    /// copy, without copying (for the admin shell's `static` command).
    ///
    /// # Errors
    ///
    /// [`StaticError::Io`] if a static directory cannot be read.
    pub fn names(&self) -> Result<Vec<String>, StaticError> {
        let mut names = BTreeSet::new();
        for dir in self.dirs() {
            walk_dir(dir, &mut names)?;
        }
        names.extend(self.embedded_names().map(str::to_owned));
        Ok(names
            .into_iter()
            .filter(|name| RelPath::from_name(name).is_some_and(|rel| self.resolve(&rel).is_some()))
            .collect())
    }

    /// Copies every static file into `dest` (Lona's `collect-static`): each path any root
    /// has, resolved as a request would be (first match wins; dotfiles, disabled declared
    /// files and symlinks out of a root are left out), under its plain name and its hashed
    /// name, each with its `.br`/`.gz` siblings; then writes `manifest.json`. Files from
    /// directories keep their modification time, so `Last-Modified` stays the same.
    ///
    /// `dest` is created if missing. A non-empty `dest` is refused unless `clean`, which
    /// empties it first: symlinks inside it are removed, never followed.
    ///
    /// # Errors
    ///
    /// [`StaticError::NotEmpty`] for a non-empty `dest` without `clean`,
    /// [`StaticError::Destination`] if `dest` is a symlink or overlaps a static directory,
    /// [`StaticError::ManifestClash`] if a static file is named `manifest.json` at the top,
    /// [`StaticError::Io`] if reading or writing fails.
    pub fn collect(&self, dest: &Path, clean: bool) -> Result<Manifest, StaticError> {
        self.collect_with(dest, CollectOptions::default().clean(clean), &mut |_| {})
    }

    /// [`collect`](StaticFiles::collect), reporting each step to `report` as it is done. With
    /// [`CollectOptions::dry_run`] nothing is created, removed or written, and every step
    /// that would be is reported; the manifest is computed all the same (sources are read to
    /// hash them), and the errors are those the real run would meet before writing.
    ///
    /// # Errors
    ///
    /// As [`collect`](StaticFiles::collect).
    pub fn collect_with(
        &self,
        dest: &Path,
        options: CollectOptions,
        report: &mut dyn FnMut(CollectStep<'_>),
    ) -> Result<Manifest, StaticError> {
        let CollectOptions { clean, dry_run } = options;
        let dest = prepare_dest(self, dest, !dry_run)?;
        let mut names = BTreeSet::new();
        for dir in self.dirs() {
            walk_dir(dir, &mut names)?;
        }
        names.extend(self.embedded_names().map(str::to_owned));
        let mut plan = Vec::new();
        for name in names {
            let Some(rel) = RelPath::from_name(&name) else {
                continue;
            };
            if let Some(found) = self.resolve(&rel) {
                if rel.as_str() == MANIFEST_NAME {
                    return Err(StaticError::ManifestClash);
                }
                plan.push((rel, found));
            }
        }
        if clean {
            empty_dir(&dest, dry_run, report)?;
        } else if !is_empty(&dest)? {
            return Err(StaticError::NotEmpty(dest));
        }
        let mut manifest = Manifest::default();
        for (rel, found) in plan {
            let source = match &found {
                Found::Dir { path, .. } => path.display().to_string(),
                Found::Embedded { name, .. } => format!("embedded:{name}"),
            };
            let Some((entry, mut held)) = self.load(&rel, found) else {
                continue;
            };
            let hashed = rel.hashed(&entry.url_hash);
            for variant in &entry.variants {
                let suffix = variant.encoding.suffix();
                let mut source_bytes = held
                    .iter()
                    .position(|(e, _)| *e == variant.encoding)
                    .map(|at| held.swap_remove(at).1);
                let from = format!("{source}{suffix}");
                for name in [rel.as_str(), hashed.as_str()] {
                    let target = RelPath::from_name(&format!("{name}{suffix}"))
                        .map(|r| r.join_to(&dest))
                        .ok_or_else(|| StaticError::Name(format!("{name}{suffix}")))?;
                    if !dry_run {
                        write_variant(variant, source_bytes.as_mut(), &target)?;
                    }
                    report(CollectStep::Copy {
                        source: &from,
                        target: &target,
                    });
                }
            }
            manifest.files.insert(rel.as_str().to_owned(), hashed);
        }
        let path = dest.join(MANIFEST_NAME);
        if !dry_run {
            std::fs::write(&path, manifest.to_json()).map_err(StaticError::io(&path))?;
        }
        report(CollectStep::Manifest(&path));
        Ok(manifest)
    }
}

/// Creates `dest` if missing (unless not `create`: a dry run) and refuses a symlink or a
/// directory that overlaps a root. Returns the canonical destination.
fn prepare_dest(files: &StaticFiles, dest: &Path, create: bool) -> Result<PathBuf, StaticError> {
    match std::fs::symlink_metadata(dest) {
        Ok(meta) if meta.file_type().is_symlink() || !meta.is_dir() => {
            return Err(StaticError::Destination(dest.to_path_buf()));
        }
        Ok(_) => {}
        Err(_) if create => std::fs::create_dir_all(dest).map_err(StaticError::io(dest))?,
        // A dry run into a folder that does not exist yet: nothing to check or empty there.
        Err(_) => return canonical_to_be(dest).map_err(StaticError::io(dest)),
    }
    let canonical = std::fs::canonicalize(dest).map_err(StaticError::io(dest))?;
    if files
        .dirs()
        .iter()
        .any(|root| canonical.starts_with(root) || root.starts_with(&canonical))
    {
        return Err(StaticError::Destination(dest.to_path_buf()));
    }
    Ok(canonical)
}

/// The canonical path `dest` will have once created: its nearest existing ancestor made
/// canonical, then the rest, so that a dry run names the paths the real run writes.
fn canonical_to_be(dest: &Path) -> std::io::Result<PathBuf> {
    let absolute = std::path::absolute(dest)?;
    let mut existing = absolute.as_path();
    let mut missing = Vec::new();
    while std::fs::symlink_metadata(existing).is_err() {
        let (Some(name), Some(parent)) = (existing.file_name(), existing.parent()) else {
            break;
        };
        missing.push(name);
        existing = parent;
    }
    let mut path = std::fs::canonicalize(existing)?;
    path.extend(missing.iter().rev());
    Ok(path)
}

fn is_empty(dir: &Path) -> Result<bool, StaticError> {
    let mut entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        // Only in a dry run: the folder would be created empty.
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(true),
        Err(error) => return Err(StaticError::io(dir)(error)),
    };
    Ok(entries.next().is_none())
}

/// Removes everything inside `dir` (only reports it in a dry run). A symlink is removed as a
/// link; `remove_dir_all` does not follow symlinks either, so nothing outside `dir` is
/// touched.
fn empty_dir(
    dir: &Path,
    dry_run: bool,
    report: &mut dyn FnMut(CollectStep<'_>),
) -> Result<(), StaticError> {
    let items = match std::fs::read_dir(dir) {
        Ok(items) => items,
        Err(error) if dry_run && error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(StaticError::io(dir)(error)),
    };
    let mut paths = Vec::new();
    for item in items {
        let item = item.map_err(StaticError::io(dir))?;
        let kind = item.file_type().map_err(StaticError::io(&item.path()))?;
        paths.push((item.path(), kind.is_dir()));
    }
    // In name order, so that a report reads the same on every run.
    paths.sort();
    for (path, is_dir) in paths {
        if !dry_run {
            if is_dir {
                std::fs::remove_dir_all(&path).map_err(StaticError::io(&path))?;
            } else {
                std::fs::remove_file(&path).map_err(StaticError::io(&path))?;
            }
        }
        report(CollectStep::Remove(&path));
    }
    Ok(())
}

/// Writes one representation to `target`, from the bytes or file held while loading, or from
/// memory.
fn write_variant(
    variant: &Variant,
    source: Option<&mut Held>,
    target: &Path,
) -> Result<(), StaticError> {
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(StaticError::io(parent))?;
    }
    let mut out = File::create(target).map_err(StaticError::io(target))?;
    match (source, &variant.memory) {
        (Some(Held::Bytes(bytes)), _) => {
            out.write_all(bytes).map_err(StaticError::io(target))?;
        }
        (None, Some(Memory::Shared(bytes))) => {
            out.write_all(bytes).map_err(StaticError::io(target))?;
        }
        (None, Some(Memory::Static(bytes))) => {
            out.write_all(bytes).map_err(StaticError::io(target))?;
        }
        (Some(Held::File(file)), _) => {
            let from = variant
                .disk
                .as_ref()
                .map_or_else(|| target.to_path_buf(), |d| d.path.clone());
            file.seek(SeekFrom::Start(0))
                .map_err(StaticError::io(&from))?;
            let mut reader = std::io::Read::take(&mut *file, variant.len);
            std::io::copy(&mut reader, &mut out).map_err(StaticError::io(&from))?;
        }
        (None, None) => {
            let path = variant
                .disk
                .as_ref()
                .map_or_else(|| target.to_path_buf(), |d| d.path.clone());
            let mut file = File::open(&path).map_err(StaticError::io(&path))?;
            std::io::copy(&mut file, &mut out).map_err(StaticError::io(&path))?;
        }
    }
    if let Some(modified) = variant.disk.as_ref().and_then(|d| d.modified()) {
        out.set_modified(modified)
            .map_err(StaticError::io(target))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
