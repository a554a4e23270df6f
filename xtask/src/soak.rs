//! `cargo xtask soak`: the attacks of issue #13 against a release build of the bench app, each
//! while a clean client clicks once every 100 ms, and the table of what each attack achieved,
//! the clean client's click p50/p99 during it, and the server's memory.
//!
//! Every attack is `lona-bench attack KIND` (bounded in count and time, loopback only); the
//! server runs with its default settings except where a row says otherwise.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::Context;
use xshell::{Shell, cmd};

use crate::bench_scenarios::{Server, args, load, number};
use crate::target_dir;

/// How big the attacks are.
pub(crate) struct Options {
    quick: bool,
    /// Only the attacks whose kind contains this.
    filter: Option<String>,
}

impl Options {
    pub(crate) fn parse(rest: &[String]) -> anyhow::Result<Options> {
        let mut options = Options {
            quick: false,
            filter: None,
        };
        for arg in rest {
            match arg.as_str() {
                "--quick" => options.quick = true,
                other if !other.starts_with('-') && options.filter.is_none() => {
                    options.filter = Some(other.to_owned());
                }
                other => anyhow::bail!("soak: unknown option `{other}`"),
            }
        }
        Ok(options)
    }
}

/// One attack of the run.
struct Attack {
    /// The table's name for it.
    name: &'static str,
    kind: &'static str,
    path: &'static str,
    count: usize,
    seconds: u64,
    /// Settings for this row (`LONA_*` variables).
    env: &'static [(&'static str, &'static str)],
    /// Seconds to wait after the attack before the memory is read again.
    settle: u64,
    /// Attacking processes, each with `count` connections (one process has 20,000 files).
    processes: usize,
}

fn attacks(quick: bool) -> Vec<Attack> {
    let scale = |full: usize, small: usize| if quick { small } else { full };
    let time = |full: u64, small: u64| if quick { small } else { full };
    vec![
        Attack {
            name: "slowloris (1 header byte / 2 s)",
            kind: "slowloris",
            path: "/hello",
            count: scale(1_000, 100),
            seconds: time(30, 15),
            env: &[],
            settle: 0,
            processes: 1,
        },
        Attack {
            name: "idle keep-alive connections",
            kind: "idle",
            path: "/hello",
            count: scale(10_000, 500),
            seconds: time(75, 15),
            env: &[],
            settle: time(60, 0),
            processes: 1,
        },
        Attack {
            name: "half-sent requests, two processes of",
            kind: "half-sent",
            path: "/hello",
            count: scale(10_000, 1_000),
            seconds: time(30, 10),
            env: &[],
            settle: 0,
            processes: 2,
        },
        Attack {
            name: "CLIENT_ERROR 1 MB with newlines",
            kind: "client-errors",
            path: "/",
            count: scale(200, 20),
            seconds: 30,
            env: &[],
            settle: 0,
            processes: 1,
        },
        Attack {
            name: "106 VIEWs on one socket (blocking views, default pool)",
            kind: "view-flood",
            path: "/idle-blocking",
            count: 106,
            seconds: 20,
            env: &[
                ("LONA_BENCH_RUNTIME_THREADS", "6"),
                ("LONA_MAX_RUNTIME_QUEUE", "100"),
            ],
            settle: 0,
            processes: 1,
        },
        Attack {
            name: "cookie-less daemon views, daemon_idle_timeout = 10 s",
            kind: "daemons",
            path: "/daemon",
            count: scale(10_000, 500),
            seconds: 60,
            env: &[("LONA_DAEMON_IDLE_TIMEOUT", "10")],
            settle: 15,
            processes: 1,
        },
        Attack {
            name: "5,000-view storm",
            kind: "storm",
            path: "/idle-async",
            count: scale(5_000, 500),
            seconds: 120,
            env: &[],
            settle: 0,
            processes: 1,
        },
        Attack {
            name: "forged session cookie",
            kind: "forged-cookie",
            path: "/",
            count: 1,
            seconds: 5,
            env: &[],
            settle: 0,
            processes: 1,
        },
    ]
}

pub(crate) fn run(root: &Path, options: &Options) -> anyhow::Result<()> {
    let sh = Shell::new()?;
    sh.change_dir(root);
    cmd!(sh, "cargo build --release --locked -p lona-bench --bins").run()?;
    let bin = target_dir(root).join("release");
    let logs = target_dir(root).join("soak");
    std::fs::create_dir_all(&logs)?;
    let mut table = String::from(
        "| attack | what it achieved | clean click p50 / p99 | RSS before / end / settled | log |\n\
         |---|---|---|---|---|\n",
    );
    let chosen = attacks(options.quick).into_iter().filter(|a| {
        options
            .filter
            .as_ref()
            .is_none_or(|f| a.kind.contains(f.as_str()))
    });
    for attack in chosen {
        println!("\n==> soak: {}", attack.name);
        let log = logs.join(format!("{}.log", attack.kind));
        let mut env: Vec<(&str, String)> = vec![
            ("LONA_BENCH_DEFAULT_LIMITS", "1".to_owned()),
            ("RUST_LOG", "info".to_owned()),
            ("LONA_METRICS_URL_PREFIX", "/metrics".to_owned()),
        ];
        env.extend(attack.env.iter().map(|(k, v)| (*k, (*v).to_owned())));
        let server = Server::start_logged(&bin.join("lona-bench-server"), &env, Some(&log))?;
        let clicker = clean_clicker(&bin, &server.addr, attack.seconds)?;
        let attack_args = args(&[
            "attack",
            attack.kind,
            "--addr",
            &server.addr,
            "--path",
            attack.path,
            "--count",
            &attack.count.to_string(),
            "--seconds",
            &attack.seconds.to_string(),
        ]);
        // The other processes' reports are not read: the first one's probe and counts speak
        // for the attack.
        let others: Vec<Child> = (1..attack.processes)
            .map(|_| {
                Command::new(bin.join("lona-bench"))
                    .args(&attack_args)
                    .stdout(Stdio::null())
                    .spawn()
            })
            .collect::<Result<_, _>>()
            .context("starting the other attackers")?;
        let mut with_pid = attack_args.clone();
        with_pid.extend(args(&["--pid", &server.pid()]));
        let report = load(&bin, &with_pid)?;
        for mut other in others {
            let _ = other.wait();
        }
        let clean = finish(clicker)?;
        if attack.settle > 0 {
            std::thread::sleep(Duration::from_secs(attack.settle));
        }
        let settled = resident_bytes(&server.pid());
        let metrics = scrape(&server.addr)?;
        drop(server);
        let log_bytes = std::fs::metadata(&log).map(|m| m.len()).unwrap_or(0);
        println!("{report}");
        let achieved = describe(attack.kind, &report, &metrics, attack.settle);
        let _ = writeln!(
            table,
            "| {} ({}) | {achieved} | {} | {} / {} / {} | {} |",
            attack.name,
            attack.count,
            clean,
            mb(report.get("rss_before")),
            mb(report.get("rss_end")),
            mb(Some(&serde_json::json!(settled))),
            human_bytes(log_bytes),
        );
    }
    println!("\n{table}");
    let out = target_dir(root).join("soak-summary.md");
    std::fs::write(&out, &table).with_context(|| format!("writing {}", out.display()))?;
    println!("written to {}", out.display());
    Ok(())
}

/// One clean visitor clicking ten times a second for the attack's length.
fn clean_clicker(bin: &Path, addr: &str, seconds: u64) -> anyhow::Result<Child> {
    Command::new(bin.join("lona-bench"))
        .args([
            "click",
            "--addr",
            addr,
            "--rate",
            "10",
            "--clicks",
            &(seconds * 10).to_string(),
            "--seconds",
            &seconds.to_string(),
        ])
        .stdout(Stdio::piped())
        .spawn()
        .context("starting the clean clicker")
}

/// The clean clicker's p50 / p99, or what went wrong with it.
fn finish(clicker: Child) -> anyhow::Result<String> {
    let output = clicker.wait_with_output()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let Ok(report) = serde_json::from_str::<serde_json::Value>(text.trim()) else {
        return Ok(format!("failed: {}", text.trim()));
    };
    if let Some(error) = report.get("error") {
        return Ok(format!("failed: {error}"));
    }
    let ms = |key| number(&report, key).map(|ns| ns / 1e6);
    let lost = number(&report, "timeouts")? + number(&report, "errors")?;
    let mut cell = format!("{:.2} / {:.2} ms", ms("p50_ns")?, ms("p99_ns")?);
    if lost > 0.0 {
        let _ = write!(cell, " ({lost} lost)");
    }
    Ok(cell)
}

/// The server's `/metrics` text.
fn scrape(addr: &str) -> anyhow::Result<String> {
    let mut stream = std::net::TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        stream,
        "GET /metrics HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut text = String::new();
    let _ = stream.read_to_string(&mut text);
    Ok(text)
}

/// The value of an unlabelled sample in a metrics text.
fn sample(metrics: &str, name: &str) -> String {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .unwrap_or("?")
        .to_owned()
}

/// The table's "what it achieved" cell for one attack.
fn describe(kind: &str, report: &serde_json::Value, metrics: &str, settle: u64) -> String {
    let get = |key: &str| {
        report
            .get(key)
            .map_or_else(|| "?".to_owned(), ToString::to_string)
    };
    let limits: Vec<String> = metrics
        .lines()
        .filter_map(|line| line.strip_prefix("lona_limits_tripped_total{limit=\""))
        .filter_map(|rest| rest.split_once("\"} "))
        .filter(|(_, n)| *n != "0")
        .map(|(limit, n)| format!("{limit} {n}"))
        .collect();
    let tripped = if limits.is_empty() {
        String::new()
    } else {
        format!("; limits tripped: {}", limits.join(", "))
    };
    let body = match kind {
        "slowloris" | "idle" | "half-sent" => format!(
            "{} opened, {} closed by the server (mean {:.1} s), {} refused with 503; \
             new visitors: {} pages ok, {} failed",
            get("opened"),
            get("closed_by_server"),
            report
                .get("mean_seconds_to_close")
                .and_then(serde_json::Value::as_f64)
                .unwrap_or(0.0),
            get("refused_503"),
            get("probes_ok"),
            get("probes_failed"),
        ),
        "client-errors" => format!(
            "{} sent; socket still open: {}",
            get("sent"),
            get("socket_open_after")
        ),
        "view-flood" => format!(
            "another visitor's view started: {}, got the busy page: {}, click answered: {}",
            get("probe_view_started"),
            get("probe_got_busy_page"),
            get("probe_click_answered")
        ),
        "daemons" => format!(
            "{} daemon views started; daemons left {} s after: {}",
            get("opened"),
            settle,
            sample(metrics, "lona_views_daemons")
        ),
        "storm" => format!(
            "{} views: RSS {} before, {} at the peak, {} 10..60 s after",
            get("opened"),
            mb(report.get("rss_storm_before")),
            mb(report.get("rss_storm_peak")),
            report
                .get("rss_every_10s_after")
                .and_then(serde_json::Value::as_array)
                .map(|values| values
                    .iter()
                    .map(|v| mb(Some(v)))
                    .collect::<Vec<_>>()
                    .join(", "))
                .unwrap_or_default()
        ),
        "forged-cookie" => format!(
            "forged id adopted: {}, new cookie issued: {}",
            get("forged_id_adopted"),
            get("new_cookie_issued")
        ),
        _ => report.to_string(),
    };
    body + &tripped
}

fn resident_bytes(pid: &str) -> f64 {
    let statm = std::fs::read_to_string(format!("/proc/{pid}/statm")).unwrap_or_default();
    let pages: f64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0.0);
    pages * 4096.0
}

fn mb(value: Option<&serde_json::Value>) -> String {
    value
        .and_then(serde_json::Value::as_f64)
        .map_or_else(|| "?".to_owned(), |b| format!("{:.0} MB", b / 1e6))
}

fn human_bytes(bytes: u64) -> String {
    if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1e6)
    } else {
        format!("{:.1} KB", bytes as f64 / 1e3)
    }
}
