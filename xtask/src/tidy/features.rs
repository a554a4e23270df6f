//! Tidy's checks of the facade's cargo features: each optional part of lona is a feature of
//! `crates/lona`, on by default, named in ARCHITECTURE.md; and with the features off the
//! facade neither pulls in the optional parts' dependencies nor fails to build.
//!
//! The build itself is slow (it compiles lona a second time), so it runs from
//! `cargo xtask tidy` only, not from the `#[test]` that runs the cheap checks.

use std::path::Path;

use anyhow::Context as _;
use xshell::{Shell, cmd};

use super::{Failure, read, toml};

/// The facade's manifest, relative to the root.
const FACADE: &str = "crates/lona/Cargo.toml";

/// Crates that only an optional part of lona needs; none may be built with the features off.
/// (`toml` and `regex` are not here: settings from the environment are read as TOML values,
/// and routes are patterns, in every app.)
pub(crate) const OPTIONAL_ONLY: &[&str] =
    &["rustyline", "multer", "minijinja", "clap", "axum", "tower"];

/// The facade's features other than `default`, and the `default` list.
fn facade_features(root: &Path) -> anyhow::Result<(Vec<String>, Vec<String>)> {
    let manifest = toml::parse(&read(&root.join(FACADE))?);
    let mut features: Vec<String> = manifest
        .entries
        .iter()
        .filter(|entry| entry.path.len() == 2 && entry.path[0] == "features")
        .map(|entry| entry.path[1].clone())
        .filter(|name| name != "default")
        .collect();
    features.sort();
    let default = manifest
        .get(&["features", "default"])
        .map(toml::string_array)
        .unwrap_or_default();
    Ok((features, default))
}

/// Every facade feature is on by default and named (as `` `name` ``) in ARCHITECTURE.md.
pub(crate) fn check_documented(root: &Path, failures: &mut Vec<Failure>) -> anyhow::Result<()> {
    let (features, default) = facade_features(root)?;
    let architecture = read(&root.join("ARCHITECTURE.md")).unwrap_or_default();
    for feature in &features {
        if !default.contains(feature) {
            failures.push(Failure::new(
                FACADE,
                format!("feature `{feature}` is not in `default`: optional parts are on unless an app turns them off"),
            ));
        }
        if !architecture.contains(&format!("`{feature}`")) {
            failures.push(Failure::new(
                "ARCHITECTURE.md",
                format!("the facade's feature `{feature}` is not named; say what it turns on"),
            ));
        }
    }
    Ok(())
}

/// With default features off, the facade and the examples build and reach none of
/// [`OPTIONAL_ONLY`].
pub(crate) fn check_minimal_build(root: &Path, failures: &mut Vec<Failure>) -> anyhow::Result<()> {
    let sh = Shell::new()?;
    sh.change_dir(root);
    let tree = cmd!(
        sh,
        "cargo tree --quiet -p lona --no-default-features -e normal --prefix none"
    )
    .read()
    .context("cargo tree of the facade without default features")?;
    for name in OPTIONAL_ONLY {
        if tree
            .lines()
            .any(|line| line.split_whitespace().next() == Some(name))
        {
            failures.push(Failure::new(
                FACADE,
                format!("with default features off, the facade still depends on `{name}`; put it behind the feature that needs it"),
            ));
        }
    }
    // The examples too: an app written against the core alone must build without the parts.
    let built = cmd!(
        sh,
        "cargo check --quiet -p lona -p examples --no-default-features --lib --examples"
    )
    .quiet()
    .ignore_status()
    .output()
    .context("running cargo check")?;
    if !built.status.success() {
        failures.push(Failure::new(
            FACADE,
            format!(
                "the facade or the examples do not build with default features off:\n{}",
                String::from_utf8_lossy(&built.stderr)
            ),
        ));
    }
    Ok(())
}
