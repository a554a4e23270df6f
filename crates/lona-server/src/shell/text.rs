//! The admin shell's answers as text for a person: a list of flat objects as an aligned
//! table, an object as `key: value` lines, a string as itself.

use serde_json::Value as Json;

/// Text for a person: a list of flat objects as an aligned table, an object as `key: value`
/// lines (nested values as compact JSON), a string as itself.
pub(super) fn to_text(value: &Json) -> String {
    match value {
        Json::Array(rows) if rows.is_empty() => "(none)".to_owned(),
        Json::Array(rows) if rows.iter().all(Json::is_object) => table(rows),
        Json::Object(map) => map
            .iter()
            .map(|(key, value)| match value {
                Json::String(s) if s.contains('\n') => format!("{key}:\n{s}"),
                Json::Array(rows) if rows.iter().all(Json::is_object) && !rows.is_empty() => {
                    format!("{key}:\n{}", table(rows))
                }
                _ => format!("{key}: {}", cell(value)),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        other => cell(other),
    }
}

fn cell(value: &Json) -> String {
    match value {
        Json::String(s) => s.clone(),
        Json::Null => "-".to_owned(),
        other => other.to_string(),
    }
}

fn table(rows: &[Json]) -> String {
    let mut columns: Vec<&str> = Vec::new();
    for row in rows {
        if let Json::Object(map) = row {
            for key in map.keys() {
                if !columns.contains(&key.as_str()) {
                    columns.push(key);
                }
            }
        }
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            columns
                .iter()
                .map(|c| row.get(*c).map_or_else(|| "-".to_owned(), cell))
                .collect()
        })
        .collect();
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            cells
                .iter()
                .map(|r| r[i].chars().count())
                .chain([c.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |items: Vec<&str>| {
        items
            .iter()
            .zip(&widths)
            .map(|(item, width)| format!("{item:<width$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    let mut out = vec![line(columns.clone())];
    for row in &cells {
        out.push(line(row.iter().map(String::as_str).collect()));
    }
    out.join("\n")
}
