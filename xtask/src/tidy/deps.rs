//! Tidy's dependency-direction check: which crates may (transitively) depend on what, read from
//! the `resolve` graph of `cargo metadata`.
//!
//! Only normal dependencies count. Dev-dependencies never ship, and build-dependencies run at
//! compile time only, so neither breaks the layering that `ARCHITECTURE.md` promises.
//! To add a crate, add a row to [`RULES`] (or a name to [`NETWORK_EXEMPT`]).
//!
//! The `resolve` graph over-approximates in two ways, so the check can report an edge a real
//! `cargo build -p <crate>` would not have:
//! * It lists optional dependencies that are only named by a weak feature (`serde?/std`) even
//!   though nothing enables them (rust-lang/cargo#10801, #15784). html5ever's `phf` is such a
//!   case. We drop an optional edge unless one of the node's enabled features turns it on.
//! * Features are unified over the whole workspace, dev-dependencies included. If a rule fails
//!   because of that, `cargo tree -e normal -p <crate> -i <dep>` shows the real graph.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::Path;

use serde_json::Value;

use super::Failure;

/// "`package` must not depend, even transitively, on any of `forbidden`."
pub(crate) struct DepRule {
    pub(crate) package: &'static str,
    pub(crate) forbidden: &'static [&'static str],
    /// Why, shown with the failure so the reader knows what the rule protects.
    pub(crate) why: &'static str,
}

/// Rules for crates that do not exist yet are skipped, so rows can be added ahead of the crate.
pub(crate) const RULES: &[DepRule] = &[
    DepRule {
        package: "lona-html",
        // serde_core, serde_derive and serde_json count as serde: any of them means serde.
        forbidden: &[
            "tokio",
            "hyper",
            "tungstenite",
            "serde",
            "serde_core",
            "serde_derive",
            "serde_json",
        ],
        why: "the node tree is plain data: no I/O, and no serde (lona-protocol encodes it directly)",
    },
    DepRule {
        package: "lona-protocol",
        forbidden: &["tokio", "hyper"],
        why: "the wire format is pure encoding and decoding, with no I/O",
    },
    DepRule {
        package: "lona-runtime",
        forbidden: &["tokio", "hyper"],
        why: "view code runs on the runtime and worker pools, never on tokio",
    },
    DepRule {
        package: "lona-static",
        forbidden: &["tokio", "hyper", "tungstenite"],
        why: "static serving knows no server: the server runs it on its static pool",
    },
    DepRule {
        package: "lona-channels",
        forbidden: &["tokio", "hyper", "tungstenite"],
        why: "channels run handlers on their own threads; a network broker plugs in through the \
              `Broker` trait from another crate",
    },
    DepRule {
        package: "lona-redis",
        forbidden: &["tokio", "hyper", "tungstenite", "lona-server"],
        why: "the Redis broker is a channel broker below the server: its own blocking socket \
              to Redis on its own threads, no HTTP or WebSocket, no tokio",
    },
    DepRule {
        package: "lona-uploads",
        forbidden: &["hyper", "tungstenite", "lona-server"],
        why: "uploads are a service the server mounts: they speak `http` types and open no \
              socket, so the server depends on them and not the other way round",
    },
    DepRule {
        package: "lona-shell",
        forbidden: &[
            "tokio",
            "hyper",
            "tungstenite",
            "lona-server",
            "lona-runtime",
            "lona-html",
            "lona-protocol",
        ],
        why: "the admin shell's client only speaks the shell's line protocol on a unix socket; \
              the server answers, formats and limits",
    },
    DepRule {
        package: "lona-bench",
        forbidden: &["lona-test"],
        why: "the load generator drives lona-protocol's sans-IO `ClientState` itself; the test \
              kit is for tests",
    },
    DepRule {
        package: "test-support",
        forbidden: &[
            "lona",
            "lona-html",
            "lona-protocol",
            "lona-runtime",
            "lona-static",
            "lona-channels",
            "lona-redis",
            "lona-server",
            "lona-shell",
            "lona-uploads",
            "lona-test",
        ],
        why: "test fixtures sit below every crate, so that the lowest crate's tests can use them",
    },
];

/// Crates that open sockets or speak HTTP/WebSocket.
///
/// Only the server and the Redis broker open sockets. The broker (`lona-redis`) speaks RESP
/// over a plain `std::net::TcpStream`, which no dependency edge shows, so its rule is the
/// `lona-redis` row of [`RULES`]: none of these crates, and not the server either.
pub(crate) const NETWORK_CRATES: &[&str] = &["hyper", "tungstenite"];

/// The one library crate that may reach [`NETWORK_CRATES`]; crates depending on it may too.
pub(crate) const NETWORK_OWNER: &str = "lona-server";

/// Workspace packages that may reach [`NETWORK_CRATES`] without going through
/// [`NETWORK_OWNER`]: tooling, benches and test drivers, which are never shipped.
pub(crate) const NETWORK_EXEMPT: &[&str] = &["lona-bench", "xtask", "benches", "tests", "examples"];

/// Runs `cargo metadata` and checks [`RULES`] and the network rule.
pub(crate) fn check(root: &Path, failures: &mut Vec<Failure>) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(root)
        .output();
    let metadata = match output {
        Ok(output) if output.status.success() => {
            match serde_json::from_slice::<Value>(&output.stdout) {
                Ok(metadata) => metadata,
                Err(err) => {
                    failures.push(Failure::new(
                        "Cargo.toml",
                        format!("bad cargo metadata: {err}"),
                    ));
                    return;
                }
            }
        }
        Ok(output) => {
            let stderr = String::from_utf8_lossy(&output.stderr);
            failures.push(Failure::new(
                "Cargo.toml",
                format!("`cargo metadata --locked` failed: {}", stderr.trim()),
            ));
            return;
        }
        Err(err) => {
            failures.push(Failure::new(
                "Cargo.toml",
                format!("cannot run cargo metadata: {err}"),
            ));
            return;
        }
    };
    check_metadata(root, &metadata, failures);
}

/// The dependency graph of normal edges, keyed by package id.
struct Graph<'a> {
    names: HashMap<&'a str, &'a str>,
    edges: HashMap<&'a str, Vec<&'a str>>,
}

impl<'a> Graph<'a> {
    fn new(metadata: &'a Value) -> Graph<'a> {
        let mut packages: HashMap<&str, &Value> = HashMap::new();
        let mut names = HashMap::new();
        for package in metadata["packages"].as_array().into_iter().flatten() {
            if let (Some(id), Some(name)) = (package["id"].as_str(), package["name"].as_str()) {
                names.insert(id, name);
                packages.insert(id, package);
            }
        }
        let mut edges: HashMap<&str, Vec<&str>> = HashMap::new();
        for node in metadata["resolve"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let Some(id) = node["id"].as_str() else {
                continue;
            };
            let package = packages.get(id).copied().unwrap_or(&Value::Null);
            let enabled: Vec<&str> = node["features"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let targets = edges.entry(id).or_default();
            for dep in node["deps"].as_array().into_iter().flatten() {
                // A normal edge has `"kind": null`; the same dependency may also be listed as
                // a dev- or build-dependency, which does not matter here.
                let normal = dep["dep_kinds"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|kind| kind["kind"].is_null());
                let Some(pkg) = dep["pkg"].as_str() else {
                    continue;
                };
                let dep_name = names.get(pkg).copied().unwrap_or_default();
                if normal && is_active(package, &enabled, dep_name) {
                    targets.push(pkg);
                }
            }
        }
        Graph { names, edges }
    }

    fn name(&self, id: &'a str) -> &'a str {
        self.names.get(id).copied().unwrap_or(id)
    }

    /// Every package reachable from `start` through normal edges, each with the chain of
    /// package names that leads to it (for the failure message).
    fn reachable(&self, start: &'a str) -> BTreeMap<&'a str, Vec<&'a str>> {
        let mut parent: HashMap<&str, &str> = HashMap::new();
        let mut queue = VecDeque::from([start]);
        let mut seen = std::collections::HashSet::from([start]);
        while let Some(id) = queue.pop_front() {
            for &next in self.edges.get(id).into_iter().flatten() {
                if seen.insert(next) {
                    parent.insert(next, id);
                    queue.push_back(next);
                }
            }
        }
        let mut result = BTreeMap::new();
        for &id in parent.keys() {
            let mut chain = vec![self.name(id)];
            let mut at = id;
            while let Some(&up) = parent.get(at) {
                chain.push(self.name(up));
                at = up;
            }
            chain.reverse();
            result.insert(id, chain);
        }
        result
    }
}

/// Whether `package`'s normal dependency on the package called `dep_name` is really built,
/// given the package's `enabled` features. Non-optional dependencies always are; an optional
/// one only if an enabled feature names it as `dep:x`, `x` or `x/feature` (not the weak
/// `x?/feature`), or its implicit feature `x` is itself enabled. Without manifest information
/// (`package` is null) the edge is kept, erring on the side of reporting.
fn is_active(package: &Value, enabled: &[&str], dep_name: &str) -> bool {
    let declared: Vec<&Value> = package["dependencies"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["name"].as_str() == Some(dep_name) && d["kind"].is_null())
        .collect();
    if declared.is_empty()
        || declared
            .iter()
            .any(|d| d["optional"].as_bool() != Some(true))
    {
        return true;
    }
    declared.iter().any(|d| {
        let key = d["rename"].as_str().unwrap_or(dep_name);
        let strong = format!("{key}/");
        let explicit = format!("dep:{key}");
        enabled.contains(&key)
            || enabled.iter().any(|feature| {
                package["features"][*feature]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|item| {
                        item.as_str().is_some_and(|item| {
                            item == key || item == explicit || item.starts_with(&strong)
                        })
                    })
            })
    })
}

/// Checks the rules against parsed `cargo metadata` output. Separate from [`check`] so tests
/// can feed it a hand-written graph.
pub(crate) fn check_metadata(root: &Path, metadata: &Value, failures: &mut Vec<Failure>) {
    let graph = Graph::new(metadata);
    let mut members: Vec<(&str, &str)> = Vec::new();
    for id in metadata["workspace_members"]
        .as_array()
        .into_iter()
        .flatten()
    {
        if let Some(id) = id.as_str() {
            members.push((id, graph.name(id)));
        }
    }
    members.sort_by_key(|(_, name)| *name);

    let manifest = |id: &str| -> String {
        let path = metadata["packages"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["id"].as_str() == Some(id))
            .and_then(|p| p["manifest_path"].as_str())
            .unwrap_or("Cargo.toml");
        Path::new(path)
            .strip_prefix(root)
            .unwrap_or(Path::new(path))
            .display()
            .to_string()
    };

    for &(id, name) in &members {
        let reachable = graph.reachable(id);
        // The chain to the first reachable package called `crate_name`, if any.
        let reaches = |crate_name: &str| -> Option<&Vec<&str>> {
            reachable
                .values()
                .find(|chain| chain.last() == Some(&crate_name))
        };

        for rule in RULES.iter().filter(|rule| rule.package == name) {
            for forbidden in rule.forbidden {
                if let Some(chain) = reaches(forbidden) {
                    failures.push(Failure::new(
                        manifest(id),
                        format!(
                            "`{name}` must not depend on `{forbidden}` ({}); path: {} \
                             (`cargo tree -e normal,features -p {name} -i {forbidden}` shows why)",
                            rule.why,
                            chain.join(" -> ")
                        ),
                    ));
                }
            }
        }

        let allowed = name == NETWORK_OWNER
            || NETWORK_EXEMPT.contains(&name)
            || reaches(NETWORK_OWNER).is_some();
        if !allowed {
            for network in NETWORK_CRATES {
                if let Some(chain) = reaches(network) {
                    failures.push(Failure::new(
                        manifest(id),
                        format!(
                            "`{name}` must not depend on `{network}`: only {NETWORK_OWNER} (and \
                             crates built on it) may open sockets; path: {} \
                             (`cargo tree -e normal,features -p {name} -i {network}` shows why)",
                            chain.join(" -> ")
                        ),
                    ));
                }
            }
        }
    }
}
