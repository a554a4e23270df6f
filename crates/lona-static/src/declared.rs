//! Declared static files (Lona's `STATIC_FILES` on nodes and views): [`StaticFile`], the
//! enabled and disabled lists, and the `<link>` and `<script>` tags that load them.
//!
//! Lona's rules, mirrored: names are unique (a second declaration of a name is skipped); a
//! file is enabled if it is enabled by default or named in `STATIC_FILES_ENABLED`, and never
//! if named in `STATIC_FILES_DISABLED`; a disabled file is neither linked nor served; `link:
//! false` files are served but not linked (source maps); stylesheets come before scripts, each
//! sorted by [`SortOrder`] and then in declaration order.

use std::collections::HashSet;

use crate::error::StaticError;
use crate::path::RelPath;

/// What a declared file is, which decides its tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileKind {
    /// A stylesheet: `<link rel="stylesheet">`.
    Css,
    /// A script: `<script src defer>`, or `<script type="module">`.
    Js,
    /// Any other file (an image, a source map): served, never linked.
    Other,
}

/// Lona's `SORT_ORDER`: framework files load before libraries, libraries before the
/// application.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum SortOrder {
    /// Lona's `FRAMEWORK` (100).
    Framework,
    /// Lona's `LIBRARY` (200).
    Library,
    /// Lona's `APPLICATION` (300), the default.
    #[default]
    Application,
}

/// A file a node or view needs in the page.
///
/// ```
/// use lona_static::StaticFile;
///
/// let chart = StaticFile::js("chart", "widgets/chart.js").module(true);
/// let map = StaticFile::other("chart-map", "widgets/chart.js.map");
/// # let _ = (chart, map);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaticFile {
    name: String,
    path: String,
    kind: FileKind,
    link: bool,
    module: bool,
    sort_order: SortOrder,
    enabled_by_default: bool,
}

impl StaticFile {
    /// A declared file named `name` (unique in the app), at `path` relative to the roots (and
    /// so to the URL prefix).
    pub fn new(name: impl Into<String>, path: impl Into<String>, kind: FileKind) -> StaticFile {
        StaticFile {
            name: name.into(),
            path: path.into(),
            kind,
            link: true,
            module: false,
            sort_order: SortOrder::Application,
            enabled_by_default: true,
        }
    }

    /// A stylesheet (Lona's `StyleSheet`).
    pub fn css(name: impl Into<String>, path: impl Into<String>) -> StaticFile {
        StaticFile::new(name, path, FileKind::Css)
    }

    /// A script (Lona's `Script`), classic unless [`module`](StaticFile::module).
    pub fn js(name: impl Into<String>, path: impl Into<String>) -> StaticFile {
        StaticFile::new(name, path, FileKind::Js)
    }

    /// A file that is served but never linked (Lona's plain `StaticFile`).
    pub fn other(name: impl Into<String>, path: impl Into<String>) -> StaticFile {
        StaticFile::new(name, path, FileKind::Other)
    }

    /// Whether the file gets a tag (true by default); `false` serves it without linking it.
    #[must_use]
    pub fn link(mut self, link: bool) -> StaticFile {
        self.link = link;
        self
    }

    /// Whether a script is an ES module (`<script type="module">`) rather than a classic
    /// script (`<script src defer>`, Lona's tag). False by default.
    #[must_use]
    pub fn module(mut self, module: bool) -> StaticFile {
        self.module = module;
        self
    }

    /// Where the file goes in the tags ([`SortOrder::Application`] by default).
    #[must_use]
    pub fn sort_order(mut self, order: SortOrder) -> StaticFile {
        self.sort_order = order;
        self
    }

    /// Whether the file is on unless enabled by name (true by default).
    #[must_use]
    pub fn enabled_by_default(mut self, enabled: bool) -> StaticFile {
        self.enabled_by_default = enabled;
        self
    }

    /// The unique name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The path relative to the roots.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The kind.
    pub fn kind(&self) -> FileKind {
        self.kind
    }
}

/// The declared files after the enabled and disabled lists: what to link, what to refuse.
#[derive(Debug, Default)]
pub(crate) struct Declared {
    /// Enabled, linked stylesheets then scripts, in tag order.
    linked: Vec<(StaticFile, RelPath)>,
    /// Paths of disabled files (that no enabled file shares), answered with 404.
    disabled: HashSet<RelPath>,
}

impl Declared {
    pub(crate) fn new(
        exists: impl Fn(&RelPath) -> bool,
        declared: &[StaticFile],
        enabled: &[String],
        disabled: &[String],
    ) -> Result<Declared, StaticError> {
        let mut seen: Vec<&StaticFile> = Vec::new();
        let mut on = Vec::new();
        let mut off = HashSet::new();
        for file in declared {
            if let Some(first) = seen.iter().find(|f| f.name == file.name) {
                if first.path != file.path {
                    tracing::warn!(
                        name = file.name,
                        kept = first.path,
                        skipped = file.path,
                        "a static file name is declared twice; the first declaration wins"
                    );
                }
                continue;
            }
            seen.push(file);
            let rel = RelPath::from_name(file.path.trim_start_matches('/'))
                .ok_or_else(|| StaticError::Name(file.path.clone()))?;
            let is_enabled = (file.enabled_by_default || enabled.contains(&file.name))
                && !disabled.contains(&file.name);
            if !is_enabled {
                off.insert(rel);
                continue;
            }
            if !exists(&rel) {
                return Err(StaticError::Declared {
                    name: file.name.clone(),
                    path: file.path.clone(),
                });
            }
            on.push((file.clone(), rel));
        }
        for (_, rel) in &on {
            off.remove(rel);
        }
        let mut linked: Vec<(StaticFile, RelPath)> = on
            .into_iter()
            .filter(|(file, _)| file.link && file.kind != FileKind::Other)
            .collect();
        // Stable: declaration order within a kind and a sort order.
        linked.sort_by_key(|(file, _)| (file.kind != FileKind::Css, file.sort_order));
        Ok(Declared {
            linked,
            disabled: off,
        })
    }

    pub(crate) fn is_disabled(&self, rel: &RelPath) -> bool {
        self.disabled.contains(rel)
    }

    /// The tags of the enabled, linked files of `kind`, one per line; `url` gives the URL to
    /// load a path from.
    pub(crate) fn render_tags(&self, kind: FileKind, url: impl Fn(&str) -> String) -> String {
        let mut out = String::new();
        for (file, rel) in self.linked.iter().filter(|(f, _)| f.kind == kind) {
            let href = escape_attribute(&url(rel.as_str()));
            match (kind, file.module) {
                (FileKind::Css, _) => {
                    out.push_str(&format!("<link rel=\"stylesheet\" href=\"{href}\">\n"));
                }
                (_, true) => {
                    out.push_str(&format!(
                        "<script type=\"module\" src=\"{href}\"></script>\n"
                    ));
                }
                (_, false) => {
                    out.push_str(&format!("<script src=\"{href}\" defer></script>\n"));
                }
            }
        }
        out
    }
}

/// Escapes text for a double-quoted HTML attribute.
fn escape_attribute(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests;
