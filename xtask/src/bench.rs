//! `cargo xtask bench`: runs the criterion benches of the `benches` package and prints a compact
//! summary table (also written to `target/bench-summary.md`, for pasting into a PR).
//!
//! The run is always scoped to `-p benches`: criterion's command-line flags make the libtest
//! harnesses of other targets fail, so `cargo bench --workspace -- --noplot` would not work.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use xshell::{Shell, cmd};

use crate::bench_summary::Row;
use crate::{bench_scenarios, bench_summary, option_value, target_dir};

#[derive(Debug, Default)]
pub(crate) struct Options {
    /// Criterion's positional filter: only benches whose id contains it run.
    filter: Option<String>,
    /// Shorter warm-up and measurement, for a quick look rather than a comparison.
    quick: bool,
    /// Save this run as a named baseline (`--save-baseline`).
    save: Option<String>,
    /// Compare against a named baseline without overwriting it (`--baseline`).
    baseline: Option<String>,
}

impl Options {
    /// `--quick` and nothing else, as CI runs it.
    pub(crate) fn quick() -> Options {
        Options {
            quick: true,
            ..Options::default()
        }
    }

    pub(crate) fn parse(args: &[String]) -> anyhow::Result<Options> {
        let mut options = Options::default();
        let mut args = args.iter().cloned();
        while let Some(arg) = args.next() {
            if arg == "--quick" {
                options.quick = true;
            } else if let Some(name) = option_value("--save", &arg, &mut args)? {
                options.save = Some(baseline_name(name)?);
            } else if let Some(name) = option_value("--baseline", &arg, &mut args)? {
                options.baseline = Some(baseline_name(name)?);
            } else if arg.starts_with('-') {
                bail!("unknown bench option `{arg}`");
            } else if let Some(filter) = &options.filter {
                bail!("only one FILTER is supported, got `{filter}` and `{arg}`");
            } else {
                options.filter = Some(arg);
            }
        }
        if options.save.is_some() && options.baseline.is_some() {
            // Criterion rejects the combination too; saying so here is clearer.
            bail!("use either `--save NAME` or `--baseline NAME`, not both");
        }
        Ok(options)
    }
}

/// Criterion stores each baseline as a directory next to `new`, so the name must be a single,
/// unreserved path component.
fn baseline_name(name: String) -> anyhow::Result<String> {
    let reserved = ["new", "change", "report", ".", ".."];
    if name.contains(['/', '\\']) || reserved.contains(&name.as_str()) {
        bail!("`{name}` cannot be used as a baseline name");
    }
    Ok(name)
}

pub(crate) fn run(root: &Path, options: &Options) -> anyhow::Result<()> {
    let sh = Shell::new()?;
    sh.change_dir(root);

    let mut criterion_args: Vec<String> = vec!["--noplot".to_owned()];
    if let Some(name) = &options.save {
        criterion_args.extend(["--save-baseline".to_owned(), name.clone()]);
    }
    if let Some(name) = &options.baseline {
        criterion_args.extend(["--baseline".to_owned(), name.clone()]);
    }
    if options.quick {
        // Seconds; criterion's defaults are 3 s warm-up and 5 s measurement per bench.
        criterion_args
            .extend(["--warm-up-time", "1", "--measurement-time", "2"].map(str::to_owned));
    }
    criterion_args.extend(options.filter.clone());

    // Results this run does not rewrite are left over from earlier runs (other filters, removed
    // benches) and must not appear in its summary.
    let criterion_dir = criterion_home(root);
    let before = bench_summary::Snapshot::take(&criterion_dir)?;
    // Benches that are not criterion's write their rows here; only this run's count.
    let rows_dir = target_dir(root).join("bench-rows");
    if rows_dir.exists() {
        std::fs::remove_dir_all(&rows_dir)
            .with_context(|| format!("clearing {}", rows_dir.display()))?;
    }
    cmd!(sh, "cargo bench -p benches --locked -- {criterion_args...}").run()?;

    let mut rows =
        bench_summary::criterion_rows(&criterion_dir, options.baseline.as_deref(), Some(&before))?;
    rows.extend(bench_summary::tsv_rows(&rows_dir)?);
    // The end-to-end scenarios run unless a filter leaves them out.
    if options
        .filter
        .as_deref()
        .is_none_or(|f| f.starts_with("e2e"))
    {
        rows.extend(bench_scenarios::run(root, options.quick)?);
    }
    // Criterion keeps its own baselines; the other rows are saved and compared here.
    let saved_dir = target_dir(root).join("bench-baselines");
    if let Some(name) = &options.baseline {
        let saved = bench_summary::tsv_rows_of(&saved_dir.join(format!("{name}.tsv")))?;
        rows = rows
            .into_iter()
            .map(|row| match saved.iter().find(|s| s.id == row.id) {
                Some(earlier) if row.baseline.is_none() => {
                    Row::new(row.id, row.figure, &row.unit, Some(earlier.figure))
                }
                _ => row,
            })
            .collect();
    }
    let mut rows: Vec<_> = rows
        .into_iter()
        .map(|row| {
            let target = bench_summary::target_for(&row.id);
            row.with_target(target)
        })
        .collect();
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    if let Some(name) = &options.save {
        std::fs::create_dir_all(&saved_dir)?;
        let path = saved_dir.join(format!("{name}.tsv"));
        std::fs::write(&path, bench_summary::to_tsv(&rows))
            .with_context(|| format!("writing {}", path.display()))?;
    }

    let table = bench_summary::render(&rows);
    let summary_path = target_dir(root).join("bench-summary.md");
    std::fs::create_dir_all(summary_path.parent().unwrap_or(root))?;
    std::fs::write(&summary_path, &table)
        .with_context(|| format!("writing {}", summary_path.display()))?;
    println!("\n{table}");
    if rows.is_empty() {
        println!(
            "this run wrote no criterion results in {}",
            criterion_dir.display()
        );
    }
    println!("written to {}", summary_path.display());
    Ok(())
}

/// Where criterion writes its results: `CRITERION_HOME` if set, else `<target dir>/criterion`,
/// which is criterion's own rule.
fn criterion_home(root: &Path) -> PathBuf {
    match std::env::var_os("CRITERION_HOME") {
        Some(dir) if !dir.is_empty() => root.join(dir),
        _ => target_dir(root).join("criterion"),
    }
}
