//! `cargo xtask ci`: every check CI runs, in order, stopping at the first failure.
//!
//! `.ci/run` calls only this, so a developer can reproduce CI exactly with one command.
//! The cheap checks (fmt, tidy) come first so that a formatting slip fails in seconds, not after
//! a full build.
//!
//! We deliberately do not set `RUSTFLAGS`: a different `RUSTFLAGS` per step would invalidate the
//! build cache between clippy, tests and benches. Warnings are denied by clippy's `-D warnings`
//! and by `RUSTDOCFLAGS` in the docs step instead.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use xshell::{Shell, cmd};

use crate::{docs, tidy};

/// What a step did, for the summary at the end.
enum Outcome {
    Ran,
    Skipped(String),
}

type StepFn = fn(&Shell, &Path) -> anyhow::Result<Outcome>;

/// The steps in the order they run. The names are what `LONA_CI_SKIP` accepts.
const STEPS: &[(&str, StepFn)] = &[
    ("fmt", fmt),
    ("tidy", tidy_step),
    ("clippy", clippy),
    ("test", test),
    ("docs", docs_step),
    ("bench", bench_smoke),
    ("js", js),
];

pub(crate) fn run(root: &Path) -> anyhow::Result<()> {
    let sh = Shell::new()?;
    sh.change_dir(root);
    let skip = skip_list()?;

    let started = Instant::now();
    let mut summary = Vec::new();
    for (index, (name, step)) in STEPS.iter().enumerate() {
        println!("\n==> [{}/{}] {name}", index + 1, STEPS.len());
        let step_started = Instant::now();
        let outcome = if skip.iter().any(|s| s == name) {
            Outcome::Skipped("LONA_CI_SKIP".to_owned())
        } else {
            match step(&sh, root) {
                Ok(outcome) => outcome,
                Err(err) => {
                    let took = seconds(step_started.elapsed());
                    println!("<== {name}: FAILED after {took}");
                    return Err(err.context(format!("ci step `{name}` failed")));
                }
            }
        };
        let took = step_started.elapsed();
        match &outcome {
            Outcome::Ran => println!("<== {name}: ok in {}", seconds(took)),
            Outcome::Skipped(why) => println!("<== {name}: skipped ({why})"),
        }
        summary.push((name, outcome, took));
    }

    println!("\nci summary:");
    for (name, outcome, took) in &summary {
        match outcome {
            Outcome::Ran => println!("  {name:<8} ok       {}", seconds(*took)),
            Outcome::Skipped(why) => println!("  {name:<8} skipped  ({why})"),
        }
    }
    println!("  total    {}", seconds(started.elapsed()));
    Ok(())
}

/// Reads `LONA_CI_SKIP`. Skipping is a local convenience only: on CI (where `CI` is set) the
/// variable is ignored, so a stray export cannot make CI green by doing less.
fn skip_list() -> anyhow::Result<Vec<String>> {
    let Ok(value) = std::env::var("LONA_CI_SKIP") else {
        return Ok(Vec::new());
    };
    if std::env::var_os("CI").is_some_and(|ci| !ci.is_empty() && ci != "false") {
        eprintln!("warning: LONA_CI_SKIP is ignored because CI is set");
        return Ok(Vec::new());
    }
    let names: Vec<String> = value
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
        .collect();
    for name in &names {
        if !STEPS.iter().any(|(step, _)| step == name) {
            let known: Vec<&str> = STEPS.iter().map(|(step, _)| *step).collect();
            bail!(
                "LONA_CI_SKIP names unknown step `{name}`; steps are {}",
                known.join(", ")
            );
        }
    }
    Ok(names)
}

fn seconds(duration: Duration) -> String {
    format!("{:.1}s", duration.as_secs_f64())
}

fn fmt(sh: &Shell, _root: &Path) -> anyhow::Result<Outcome> {
    cmd!(sh, "cargo fmt --all -- --check").run()?;
    Ok(Outcome::Ran)
}

fn tidy_step(_sh: &Shell, root: &Path) -> anyhow::Result<Outcome> {
    tidy::run(root)?;
    Ok(Outcome::Ran)
}

fn clippy(sh: &Shell, _root: &Path) -> anyhow::Result<Outcome> {
    cmd!(
        sh,
        "cargo clippy --workspace --all-targets --locked -- -D warnings"
    )
    .run()?;
    Ok(Outcome::Ran)
}

fn test(sh: &Shell, _root: &Path) -> anyhow::Result<Outcome> {
    // nextest runs each test in its own process with the timeouts from .config/nextest.toml.
    let has_nextest = cmd!(sh, "cargo nextest --version")
        .quiet()
        .ignore_stdout()
        .ignore_stderr()
        .run()
        .is_ok();
    if has_nextest {
        cmd!(sh, "cargo nextest run --workspace --locked").run()?;
        // nextest does not run doctests.
        cmd!(sh, "cargo test --doc --workspace --locked").run()?;
    } else {
        println!("cargo-nextest not found, falling back to cargo test (which includes doctests)");
        cmd!(sh, "cargo test --workspace --locked").run()?;
    }
    Ok(Outcome::Ran)
}

fn docs_step(_sh: &Shell, root: &Path) -> anyhow::Result<Outcome> {
    docs::run(root, &docs::Options::ci())?;
    Ok(Outcome::Ran)
}

fn bench_smoke(_sh: &Shell, root: &Path) -> anyhow::Result<Outcome> {
    // Every bench and scenario, shortened: it proves they build and run, and prints the table
    // (figures on a shared CI machine are indicative; nothing fails on a missed target).
    crate::bench::run(root, &crate::bench::Options::quick())?;
    Ok(Outcome::Ran)
}

fn js(sh: &Shell, root: &Path) -> anyhow::Result<Outcome> {
    let tests_dir = root.join("crates/lona-client/js/tests");
    if !tests_dir.is_dir() {
        return Ok(Outcome::Skipped(
            "no crates/lona-client/js/tests".to_owned(),
        ));
    }
    if !on_path("node") {
        return Ok(Outcome::Skipped("node is not on PATH".to_owned()));
    }
    // Pass the files explicitly: how `node --test <dir>` treats a directory argument differs
    // between Node releases, a list of files does not.
    let mut files = Vec::new();
    collect_node_tests(&tests_dir, &mut files)?;
    files.sort();
    if files.is_empty() {
        return Ok(Outcome::Skipped(
            "no test files in crates/lona-client/js/tests".to_owned(),
        ));
    }
    cmd!(sh, "node --test {files...}").run()?;
    Ok(Outcome::Ran)
}

/// Collects files that `node --test` would pick up by its default naming patterns.
fn collect_node_tests(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            collect_node_tests(&path, out)?;
            continue;
        }
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let Some(stem) = [".mjs", ".cjs", ".js"]
            .iter()
            .find_map(|ext| name.strip_suffix(ext))
        else {
            continue;
        };
        let is_test = stem == "test"
            || stem.starts_with("test-")
            || stem.ends_with(".test")
            || stem.ends_with("-test")
            || stem.ends_with("_test");
        if is_test {
            out.push(path);
        }
    }
    Ok(())
}

/// Whether an executable called `program` is on `PATH`, without running it.
fn on_path(program: &str) -> bool {
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    std::env::split_paths(&path).any(|dir| dir.join(program).is_file())
}
