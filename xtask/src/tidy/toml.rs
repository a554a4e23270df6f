//! A small reader for the subset of TOML that Cargo manifests use, just enough for tidy's
//! manifest checks: table headers, `key = value` lines, dotted and quoted keys, values spanning
//! lines, and inline tables flattened into dotted paths.
//!
//! It exists so xtask does not pull in a TOML parser (and serde with it). It never fails: text it
//! does not understand simply produces no entries, and cargo itself rejects invalid manifests.

/// A `key = value` pair with its full path, e.g. `["dependencies", "anyhow", "workspace"]` for
/// `anyhow = { workspace = true }` under `[dependencies]`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    pub(crate) path: Vec<String>,
    /// The value as written, trimmed, without comments. Inline tables are flattened into
    /// further entries instead of appearing here.
    pub(crate) value: String,
    /// 1-based line number of the key.
    pub(crate) line: usize,
}

/// A `[table]` or `[[array.of.tables]]` header.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Header {
    pub(crate) path: Vec<String>,
    /// 1-based line number.
    pub(crate) line: usize,
    /// Whether a `#` comment follows the header on the same line.
    pub(crate) has_comment: bool,
}

#[derive(Debug, Default)]
pub(crate) struct Document {
    pub(crate) entries: Vec<Entry>,
    pub(crate) headers: Vec<Header>,
}

impl Document {
    /// The value at exactly `path`, if any.
    pub(crate) fn get(&self, path: &[&str]) -> Option<&str> {
        self.entries
            .iter()
            .find(|e| e.path == path)
            .map(|e| e.value.as_str())
    }

    pub(crate) fn has_header(&self, path: &[&str]) -> bool {
        self.headers.iter().any(|h| h.path == path)
    }
}

/// Lexer state carried from one line to the next.
#[derive(Debug, Default, Clone, Copy)]
struct Scan {
    /// Open `[` and `{` outside strings.
    depth: i32,
    /// The quote character of an open multi-line string (`"""` or `'''`).
    multiline: Option<char>,
}

pub(crate) fn parse(text: &str) -> Document {
    let mut doc = Document::default();
    let mut table: Vec<String> = Vec::new();
    // A value that continues on later lines: its key path, text so far and first line.
    let mut pending: Option<(Vec<String>, String, usize)> = None;
    let mut scan = Scan::default();

    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        let (content, has_comment) = strip_comment(raw, &mut scan);

        if let Some((path, mut value, start)) = pending.take() {
            value.push('\n');
            value.push_str(&content);
            if scan.depth > 0 || scan.multiline.is_some() {
                pending = Some((path, value, start));
            } else {
                push_entry(&mut doc, path, value.trim(), start);
            }
            continue;
        }

        let trimmed = content.trim();
        if trimmed.is_empty() {
            continue;
        }
        if let Some(after_bracket) = trimmed.strip_prefix('[') {
            // Headers never continue on the next line; reset what the brackets did to the scan.
            scan = Scan::default();
            let inner = match after_bracket.strip_prefix('[') {
                Some(rest) => rest.trim_end().strip_suffix("]]"),
                None => after_bracket.trim_end().strip_suffix(']'),
            };
            if let Some(inner) = inner {
                table = split_dotted(inner);
                doc.headers.push(Header {
                    path: table.clone(),
                    line: line_no,
                    has_comment,
                });
            }
            continue;
        }
        let Some((key, value)) = split_key_value(trimmed) else {
            continue;
        };
        let mut path = table.clone();
        path.extend(split_dotted(key));
        if scan.depth > 0 || scan.multiline.is_some() {
            pending = Some((path, value.to_owned(), line_no));
        } else {
            push_entry(&mut doc, path, value.trim(), line_no);
        }
    }
    if let Some((path, value, start)) = pending {
        push_entry(&mut doc, path, value.trim(), start);
    }
    doc
}

/// Records an entry, expanding an inline table `{ a = 1, b.c = 2 }` into `path.a` and
/// `path.b.c`, so that `x = { workspace = true }` and `x.workspace = true` look the same.
fn push_entry(doc: &mut Document, path: Vec<String>, value: &str, line: usize) {
    if let Some(inner) = value.strip_prefix('{').and_then(|v| v.strip_suffix('}')) {
        for part in split_top_level(inner, ',') {
            if let Some((key, value)) = split_key_value(part.trim()) {
                let mut sub = path.clone();
                sub.extend(split_dotted(key));
                push_entry(doc, sub, value.trim(), line);
            }
        }
        return;
    }
    doc.entries.push(Entry {
        path,
        value: value.to_owned(),
        line,
    });
}

/// Removes a trailing `#` comment (outside strings) and updates the bracket/string state.
fn strip_comment(line: &str, scan: &mut Scan) -> (String, bool) {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if let Some(quote) = scan.multiline {
            if quote == '"' && c == '\\' {
                out.extend(chars[i..(i + 2).min(chars.len())].iter());
                i += 2;
                continue;
            }
            if c == quote && chars.get(i + 1) == Some(&quote) && chars.get(i + 2) == Some(&quote) {
                out.extend([quote; 3]);
                scan.multiline = None;
                i += 3;
                continue;
            }
            out.push(c);
            i += 1;
            continue;
        }
        match c {
            '#' => return (out, true),
            '"' | '\'' => {
                if chars.get(i + 1) == Some(&c) && chars.get(i + 2) == Some(&c) {
                    out.extend([c; 3]);
                    scan.multiline = Some(c);
                    i += 3;
                    continue;
                }
                out.push(c);
                i += 1;
                while i < chars.len() {
                    let d = chars[i];
                    out.push(d);
                    i += 1;
                    if c == '"' && d == '\\' {
                        if let Some(&escaped) = chars.get(i) {
                            out.push(escaped);
                            i += 1;
                        }
                    } else if d == c {
                        break;
                    }
                }
            }
            '[' | '{' => {
                scan.depth += 1;
                out.push(c);
                i += 1;
            }
            ']' | '}' => {
                scan.depth -= 1;
                out.push(c);
                i += 1;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    (out, false)
}

/// Splits `key = value` at the first `=` outside quotes.
fn split_key_value(s: &str) -> Option<(&str, &str)> {
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '=') => return Some((s[..i].trim(), &s[i + 1..])),
            _ => {}
        }
    }
    None
}

/// Splits a dotted key (`a."b.c".'d'`) into its unquoted parts.
pub(crate) fn split_dotted(key: &str) -> Vec<String> {
    split_top_level(key, '.')
        .into_iter()
        .map(|part| {
            let part = part.trim();
            let unquoted = part
                .strip_prefix('"')
                .and_then(|p| p.strip_suffix('"'))
                .or_else(|| part.strip_prefix('\'').and_then(|p| p.strip_suffix('\'')));
            unquoted.unwrap_or(part).to_owned()
        })
        .collect()
}

/// Splits at `sep` where it is outside quotes, brackets and braces.
fn split_top_level(s: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut quote = None;
    let mut start = 0;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if q == '"' && c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '[' | '{' => depth += 1,
            ']' | '}' => depth -= 1,
            _ if c == sep && depth == 0 => {
                parts.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

/// The string elements of a TOML array value such as `["crates/*", "xtask"]`.
pub(crate) fn string_array(value: &str) -> Vec<String> {
    let Some(inner) = value
        .trim()
        .strip_prefix('[')
        .and_then(|v| v.strip_suffix(']'))
    else {
        return Vec::new();
    };
    split_top_level(inner, ',')
        .into_iter()
        .filter_map(|item| {
            let item = item.trim();
            item.strip_prefix('"')
                .and_then(|i| i.strip_suffix('"'))
                .or_else(|| item.strip_prefix('\'').and_then(|i| i.strip_suffix('\'')))
                .map(str::to_owned)
        })
        .collect()
}
