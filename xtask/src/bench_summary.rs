//! The benchmark summary table printed by `cargo xtask bench`: one [`Row`] per measured figure,
//! rendered as Markdown.
//!
//! Rows are source-agnostic on purpose: criterion results are read here, and later sources (the
//! end-to-end load generator) only need to produce more rows for the same table.

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::Context;

/// The unit of criterion figures. Time figures in this unit are shown in human units.
pub(crate) const NANOSECONDS: &str = "ns";

/// One line of the summary.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row {
    /// The benchmark id, `<area>/<operation>/<parameter>` for criterion benches.
    pub(crate) id: String,
    /// The figure measured in this run (the median, for criterion).
    pub(crate) figure: f64,
    /// The unit of `figure` and `baseline`; [`NANOSECONDS`] is shown as ns/µs/ms/s.
    pub(crate) unit: String,
    /// The same figure in the baseline run, if one was compared against.
    pub(crate) baseline: Option<f64>,
    /// `figure / baseline`, when there is a baseline.
    pub(crate) ratio: Option<f64>,
    /// Whether the baseline was measured in the same run (bare hyper, an echo server: shown as
    /// a ratio) rather than an earlier run of the same bench (shown as a change).
    pub(crate) in_run: bool,
    /// The figure this bench must reach, if it has one.
    pub(crate) target: Option<Target>,
}

/// What a figure must reach; `render` says whether it did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Target {
    /// At most this much, in the row's unit.
    AtMost(f64),
    /// At most this many times the in-run baseline.
    RatioAtMost(f64),
    /// At least this many times the in-run baseline.
    RatioAtLeast(f64),
}

impl Target {
    fn describe(self, unit: &str) -> String {
        match self {
            Target::AtMost(limit) => format!("≤ {}", format_figure(limit, unit)),
            Target::RatioAtMost(ratio) => format!("≤ {ratio}x baseline"),
            Target::RatioAtLeast(ratio) => format!("≥ {ratio}x baseline"),
        }
    }

    fn met(self, row: &Row) -> Option<bool> {
        match self {
            Target::AtMost(limit) => Some(row.figure <= limit),
            Target::RatioAtMost(ratio) => row.ratio.map(|r| r <= ratio),
            Target::RatioAtLeast(ratio) => row.ratio.map(|r| r >= ratio),
        }
    }
}

impl Row {
    pub(crate) fn new(id: String, figure: f64, unit: &str, baseline: Option<f64>) -> Row {
        let ratio = baseline.filter(|b| *b != 0.0).map(|b| figure / b);
        Row {
            id,
            figure,
            unit: unit.to_owned(),
            baseline,
            ratio,
            in_run: false,
            target: None,
        }
    }

    /// A row whose baseline was measured in the same run.
    pub(crate) fn beside(id: String, figure: f64, unit: &str, baseline: f64) -> Row {
        Row {
            in_run: true,
            ..Row::new(id, figure, unit, Some(baseline))
        }
    }

    /// The same row with a target.
    #[must_use]
    pub(crate) fn with_target(mut self, target: Option<Target>) -> Row {
        self.target = target;
        self
    }
}

/// The modification times of every `new/estimates.json` under a criterion directory, taken
/// before a run. Results that the run did not rewrite are left over from earlier runs (other
/// filters, removed benches) and are kept out of its summary. Comparing against a snapshot
/// rather than a start time does not depend on the file system's timestamp granularity.
#[derive(Debug, Default)]
pub(crate) struct Snapshot(HashMap<PathBuf, SystemTime>);

impl Snapshot {
    pub(crate) fn take(criterion_dir: &Path) -> anyhow::Result<Snapshot> {
        let mut times = HashMap::new();
        for dir in find_results(criterion_dir)? {
            let estimates = dir.join("new/estimates.json");
            let modified = modified(&estimates)?;
            times.insert(estimates, modified);
        }
        Ok(Snapshot(times))
    }

    /// Whether `estimates` is new or rewritten since the snapshot was taken.
    fn is_fresh(&self, estimates: &Path) -> anyhow::Result<bool> {
        Ok(match self.0.get(estimates) {
            Some(before) => modified(estimates)? != *before,
            None => true,
        })
    }
}

fn modified(path: &Path) -> anyhow::Result<SystemTime> {
    let meta = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(meta.modified()?)
}

/// Reads every criterion result under `criterion_dir` (a directory holding `new/estimates.json`
/// is one benchmark). With `baseline`, the same bench's `<baseline>/estimates.json` is the
/// comparison point. With `before`, results unchanged since that snapshot are skipped.
pub(crate) fn criterion_rows(
    criterion_dir: &Path,
    baseline: Option<&str>,
    before: Option<&Snapshot>,
) -> anyhow::Result<Vec<Row>> {
    let mut rows = Vec::new();
    for dir in find_results(criterion_dir)? {
        let estimates = dir.join("new/estimates.json");
        if let Some(before) = before
            && !before.is_fresh(&estimates)?
        {
            continue;
        }
        let figure = median(&estimates)?;
        let base_path = baseline.map(|name| dir.join(name).join("estimates.json"));
        let base = match base_path {
            Some(path) if path.is_file() => Some(median(&path)?),
            _ => None,
        };
        rows.push(Row::new(
            bench_id(criterion_dir, &dir)?,
            figure,
            NANOSECONDS,
            base,
        ));
    }
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(rows)
}

/// Every directory under `criterion_dir` that holds a result (`new/estimates.json`); none if
/// the directory does not exist yet.
fn find_results(criterion_dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
        if dir.join("new/estimates.json").is_file() {
            out.push(dir.to_path_buf());
        }
        for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
            let entry = entry?;
            // `report` holds criterion's HTML pages, never results.
            if entry.file_type()?.is_dir() && entry.file_name() != "report" {
                walk(&entry.path(), out)?;
            }
        }
        Ok(())
    }
    let mut dirs = Vec::new();
    if criterion_dir.is_dir() {
        walk(criterion_dir, &mut dirs)?;
    }
    Ok(dirs)
}

fn read_json(path: &Path) -> anyhow::Result<serde_json::Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

/// The median point estimate, in nanoseconds, from a criterion `estimates.json`.
fn median(path: &Path) -> anyhow::Result<f64> {
    read_json(path)?["median"]["point_estimate"]
        .as_f64()
        .with_context(|| format!("no median.point_estimate in {}", path.display()))
}

/// The full id criterion reports (`group/function/value`). Directory names are sanitized by
/// criterion, so `benchmark.json` is preferred and the path is only the fallback.
fn bench_id(root: &Path, dir: &Path) -> anyhow::Result<String> {
    let benchmark = dir.join("new/benchmark.json");
    if benchmark.is_file() {
        let json = read_json(&benchmark)?;
        if let Some(id) = json["full_id"].as_str() {
            return Ok(id.to_owned());
        }
        if let Some(group) = json["group_id"].as_str() {
            let parts = [json["function_id"].as_str(), json["value_str"].as_str()];
            let mut id = group.to_owned();
            for part in parts.into_iter().flatten() {
                id.push('/');
                id.push_str(part);
            }
            return Ok(id);
        }
    }
    let relative = dir.strip_prefix(root).unwrap_or(dir);
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Ok(parts.join("/"))
}

/// Reads the rows that benches other than criterion's (memory, load generators) wrote into
/// `dir`: one `*.tsv` file each, one `id<TAB>figure<TAB>unit[<TAB>baseline]` line per row.
pub(crate) fn tsv_rows(dir: &Path) -> anyhow::Result<Vec<Row>> {
    let mut rows = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(rows);
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "tsv"))
        .collect();
    files.sort();
    for file in files {
        rows.extend(tsv_rows_of(&file)?);
    }
    Ok(rows)
}

/// The rows of one TSV file (see [`tsv_rows`]); none if the file does not exist.
pub(crate) fn tsv_rows_of(file: &Path) -> anyhow::Result<Vec<Row>> {
    let mut rows = Vec::new();
    if !file.exists() {
        return Ok(rows);
    }
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    for (number, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let fields: Vec<&str> = line.split('\t').collect();
        let parse = |field: &str| -> anyhow::Result<f64> {
            field.trim().parse().with_context(|| {
                format!(
                    "{}:{}: `{field}` is not a number",
                    file.display(),
                    number + 1
                )
            })
        };
        let (Some(id), Some(figure), Some(unit)) = (fields.first(), fields.get(1), fields.get(2))
        else {
            anyhow::bail!(
                "{}:{}: expected id, figure and unit",
                file.display(),
                number + 1
            );
        };
        let baseline = match fields.get(3).map(|f| f.trim()) {
            Some(b) if !b.is_empty() => Some(parse(b)?),
            _ => None,
        };
        let (id, figure) = ((*id).to_owned(), parse(figure)?);
        rows.push(match baseline {
            // A bench that writes its own rows measured its baseline in the same run.
            Some(baseline) => Row::beside(id, figure, unit.trim(), baseline),
            None => Row::new(id, figure, unit.trim(), None),
        });
    }
    Ok(rows)
}

/// The rows as TSV lines that [`tsv_rows_of`] reads back, for `--save`.
pub(crate) fn to_tsv(rows: &[Row]) -> String {
    rows.iter()
        .map(|row| format!("{}\t{}\t{}\t\n", row.id, row.figure, row.unit))
        .collect()
}

/// The targets of the issues that asked for each bench, by id prefix (see docs/benchmarks.md).
const TARGETS: &[(&str, Target)] = &[
    ("html/render/10000", Target::AtMost(1_000_000.0)),
    ("protocol/encode_tree/10000", Target::AtMost(1_000_000.0)),
    ("protocol/text_change/10000", Target::AtMost(2_000.0)),
    ("html/diff_keyed/1000_10moves", Target::AtMost(200_000.0)),
    ("runtime/memory_per_async_view/", Target::AtMost(10_240.0)),
    ("e2e/click_roundtrip_p50/", Target::RatioAtMost(2.0)),
    ("e2e/click_p99/", Target::AtMost(5_000_000.0)),
    ("e2e/click_timeouts/", Target::AtMost(0.0)),
    ("e2e/memory_per_open_view/", Target::AtMost(20_480.0)),
    // Issue 18: 5 KB per idle async view, over a socket and at the runtime level.
    ("e2e/memory_per_idle_async_view/", Target::AtMost(5_120.0)),
    (
        "e2e/memory_per_idle_async_view_runtime/",
        Target::AtMost(5_120.0),
    ),
    (
        "e2e/memory_per_idle_blocking_view/",
        Target::AtMost(20_480.0),
    ),
    // A resume is one socket's handshake-free round trip plus the missed frames: about one
    // click's round trip; twice that leaves room for a replay of several frames.
    ("e2e/resume_p50/", Target::RatioAtMost(2.0)),
    // The missed frames, not the page again: a tenth of the whole tree at most.
    ("e2e/resume_bytes/", Target::RatioAtMost(0.1)),
    ("e2e/memory_per_detached_view/", Target::AtMost(10_240.0)),
    // The page itself carries the content: sooner than the socket's first tree after it.
    ("e2e/first_content_p50/", Target::RatioAtMost(1.0)),
    // Issue 18: the hello page through `App::http` at 0.85x bare hyper at least.
    ("e2e/hello_requests_per_second/", Target::RatioAtLeast(0.85)),
    (
        "e2e/hello_async_requests_per_second/",
        Target::RatioAtLeast(0.7),
    ),
    (
        "e2e/static_1k_requests_per_second/",
        Target::RatioAtLeast(1.0),
    ),
    (
        "e2e/static_1m_requests_per_second/",
        // Issue 18: as fast as nginx with sendfile.
        Target::RatioAtLeast(1.0),
    ),
    // A broadcast update costs one socket write per watcher: the last frame leaves after N
    // writes, on the cores the load generator shares (docs/benchmarks.md).
    (
        "e2e/broadcast_p99/100watchers",
        Target::AtMost(50_000_000.0),
    ),
    (
        "e2e/broadcast_p99/1000watchers",
        Target::AtMost(150_000_000.0),
    ),
    (
        "e2e/broadcast_p99/10000watchers",
        Target::AtMost(1_000_000_000.0),
    ),
    // Encoded once, written N times: a delivery costs no more than an echo's read and write.
    ("e2e/broadcast_cpu_per_update/", Target::RatioAtMost(1.0)),
    ("e2e/broadcast_timeouts/", Target::AtMost(0.0)),
];

/// The target of a bench id, if it has one.
pub(crate) fn target_for(id: &str) -> Option<Target> {
    TARGETS
        .iter()
        .find(|(prefix, _)| id.starts_with(prefix))
        .map(|(_, target)| *target)
}

/// Renders the rows, sorted by id, as a Markdown table.
pub(crate) fn render(rows: &[Row]) -> String {
    let mut sorted: Vec<&Row> = rows.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    let mut out = String::from(
        "| bench | figure | baseline | vs baseline | target |\n|---|---:|---:|---:|---|\n",
    );
    for row in sorted {
        let baseline = row
            .baseline
            .map_or_else(|| "-".to_owned(), |b| format_figure(b, &row.unit));
        let versus = match (row.ratio, row.in_run) {
            (Some(ratio), true) => format!("{ratio:.2}x"),
            (Some(ratio), false) => format_change(ratio),
            (None, _) => "-".to_owned(),
        };
        let target = row.target.map_or_else(
            || "-".to_owned(),
            |t| {
                let verdict = match t.met(row) {
                    Some(true) => "met",
                    Some(false) => "MISSED",
                    None => "no baseline",
                };
                format!("{}: {verdict}", t.describe(&row.unit))
            },
        );
        out.push_str(&format!(
            "| {} | {} | {baseline} | {versus} | {target} |\n",
            row.id.replace('|', "\\|"),
            format_figure(row.figure, &row.unit),
        ));
    }
    out
}

/// Formats a figure in its unit; nanoseconds are scaled to the largest unit that keeps the
/// number at or above one.
pub(crate) fn format_figure(value: f64, unit: &str) -> String {
    if unit != NANOSECONDS {
        return if value.abs() >= 100.0 {
            format!("{value:.0} {unit}")
        } else {
            format!("{value:.2} {unit}")
        };
    }
    let abs = value.abs();
    if abs < 1e3 {
        format!("{value:.1} ns")
    } else if abs < 1e6 {
        format!("{:.2} µs", value / 1e3)
    } else if abs < 1e9 {
        format!("{:.2} ms", value / 1e6)
    } else {
        format!("{:.2} s", value / 1e9)
    }
}

/// Formats `figure / baseline` as a signed percentage change.
pub(crate) fn format_change(ratio: f64) -> String {
    let percent = (ratio - 1.0) * 100.0;
    // Avoid printing "-0.0%" for changes that round to zero.
    let percent = if percent.abs() < 0.05 { 0.0 } else { percent };
    format!("{percent:+.1}%")
}
