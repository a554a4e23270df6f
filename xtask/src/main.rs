//! `cargo xtask`: the project's automation (ci, tidy, docs, bench), written in Rust so it needs
//! nothing but cargo. Run `cargo xtask help` for the commands.
//!
//! Each command lives in its own module; this file only parses the command line and dispatches.

// xtask is a command-line tool: printing is its output, not a stray debug line.
#![allow(clippy::print_stdout, clippy::print_stderr)]
// The parking_lot / crossbeam / named-thread rules in clippy.toml guard library code; xtask has
// no long-lived threads or shared state and keeps its dependency list short instead.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

mod bench;
mod bench_scenarios;
mod bench_summary;
mod ci;
mod docs;
mod files;
mod modules;
mod soak;
mod tidy;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::bail;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  ci                    run every CI step in order, failing fast
                        (LONA_CI_SKIP=step,step skips steps locally; ignored when CI is set)
  tidy                  check workspace conventions (also run by `cargo test -p xtask`)
  docs [--check] [--open] [--private]
                        build rustdoc with -D warnings, then check relative Markdown links
  bench [FILTER] [--quick] [--save NAME | --baseline NAME]
                        run the criterion benches in package `benches` and print a summary
  modules [--root PATH] [--largest N]
                        print each crate's lines and the import cycles between its
                        top-level modules, then the largest files
  soak [KIND] [--quick] attack a release build of the bench app as hostile clients would,
                        while a clean client clicks, and print what each attack achieved
                        (KIND: only the attacks whose kind contains it, e.g. `idle`)
  help                  print this message
";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // One line with the whole context chain; a backtrace of xtask itself (printed by
            // anyhow when RUST_BACKTRACE is set) would only bury the failing command in CI logs.
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let command = args.next();
    let rest: Vec<String> = args.collect();
    let root = project_root();
    match command.as_deref() {
        Some("ci") => {
            no_arguments("ci", &rest)?;
            ci::run(&root)
        }
        Some("tidy") => {
            no_arguments("tidy", &rest)?;
            tidy::run(&root)
        }
        Some("docs") => docs::run(&root, &docs::Options::parse(&rest)?),
        Some("bench") => bench::run(&root, &bench::Options::parse(&rest)?),
        Some("modules") => modules::run(&root, &modules::Options::parse(&rest)?),
        Some("soak") => soak::run(&root, &soak::Options::parse(&rest)?),
        Some("help" | "--help" | "-h") => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => bail!("unknown command `{other}`\n\n{USAGE}"),
        None => bail!("no command given\n\n{USAGE}"),
    }
}

/// The workspace root. xtask always lives one level below it, so this does not depend on the
/// directory `cargo xtask` was started from. The run-time variable (set by `cargo run` and
/// `cargo test`) wins over the compile-time one, which goes stale if the checkout moves while
/// the target directory is reused.
pub(crate) fn project_root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    manifest_dir
        .parent()
        .map_or_else(|| manifest_dir.clone(), Path::to_path_buf)
}

fn no_arguments(command: &str, rest: &[String]) -> anyhow::Result<()> {
    if let Some(first) = rest.first() {
        bail!("`{command}` takes no arguments, got `{first}`\n\n{USAGE}");
    }
    Ok(())
}

/// Returns the value of a `--flag VALUE` or `--flag=VALUE` option if `arg` is that option.
/// `args` is advanced past the value in the first form.
pub(crate) fn option_value(
    flag: &str,
    arg: &str,
    args: &mut impl Iterator<Item = String>,
) -> anyhow::Result<Option<String>> {
    if arg == flag {
        match args.next() {
            Some(value) if !value.starts_with("--") => Ok(Some(value)),
            _ => bail!("`{flag}` needs a value"),
        }
    } else if let Some(value) = arg.strip_prefix(flag).and_then(|r| r.strip_prefix('=')) {
        if value.is_empty() {
            bail!("`{flag}` needs a value");
        }
        Ok(Some(value.to_owned()))
    } else {
        Ok(None)
    }
}

/// The cargo target directory, where criterion writes its results and we write summaries.
/// Honours `CARGO_TARGET_DIR` the same way cargo does (relative to the working directory, which
/// for xtask commands we treat as the project root).
pub(crate) fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root.join(dir),
        _ => root.join("target"),
    }
}
