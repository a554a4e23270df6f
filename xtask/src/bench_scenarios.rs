//! The end-to-end scenarios of `cargo xtask bench`: release builds of the bench app
//! (`lona-bench-server`) and of the bare baselines (`bare-hello`, `bare-echo`), loaded by the
//! load generator (`lona-bench`) over loopback, each figure beside its baseline from the same
//! run.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};

use anyhow::{Context, bail};
use xshell::{Shell, cmd};

use crate::bench_summary::{NANOSECONDS, Row};
use crate::target_dir;

/// A server started for a scenario; stopped (stdin closed, then killed) when dropped.
pub(crate) struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    pub(crate) addr: String,
}

impl Server {
    pub(crate) fn start(binary: &Path, env: &[(&str, String)]) -> anyhow::Result<Server> {
        Server::start_logged(binary, env, None)
    }

    /// As [`Server::start`], with the server's stderr (its log) written to `log`.
    pub(crate) fn start_logged(
        binary: &Path,
        env: &[(&str, String)],
        log: Option<&Path>,
    ) -> anyhow::Result<Server> {
        let mut command = Command::new(binary);
        command.stdin(Stdio::piped()).stdout(Stdio::piped());
        if let Some(log) = log {
            let file = std::fs::File::create(log)
                .with_context(|| format!("creating {}", log.display()))?;
            command.stderr(file);
        }
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let stdin = child.stdin.take();
        let mut line = String::new();
        if let Some(stdout) = child.stdout.take() {
            BufReader::new(stdout).read_line(&mut line)?;
        }
        let addr = line.trim().to_owned();
        if addr.is_empty() {
            let _ = child.kill();
            bail!("{} printed no address", binary.display());
        }
        Ok(Server { child, stdin, addr })
    }

    pub(crate) fn pid(&self) -> String {
        self.child.id().to_string()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Closing stdin asks for a graceful stop; the kill is for a server that ignores it.
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How big the scenarios are.
struct Sizes {
    clicks: u64,
    views: u64,
    view_seconds: u64,
    idle_async: u64,
    idle_blocking: u64,
    /// Cuts of one acknowledged view, each resumed.
    cuts: u64,
    /// Views per batch whose sockets are cut, for the memory per detached view.
    detached: u64,
    /// Page loads timed to their first content.
    loads: u64,
    /// Seconds of each round of a throughput comparison.
    http_seconds: u64,
    /// Views clicking once a second each, with the server's limits on (issue 18).
    many_views: u64,
    /// Idle async views on fake connections, at the runtime level (past the file limit).
    runtime_idle: u64,
    /// Sockets watching one broadcast view, per run.
    broadcast_watchers: [u64; 2],
    /// Updates of each broadcast run, one at a time.
    broadcast_updates: u64,
}

/// Rounds of a throughput comparison: the two servers take turns, and each figure is the
/// median of its rounds. On a small machine the load generator shares the cores with the
/// server, and one run of either side varies by ±20%; turns and medians keep a slow moment
/// from deciding the ratio.
const THROUGHPUT_ROUNDS: usize = 3;

impl Sizes {
    fn new(quick: bool) -> Sizes {
        if quick {
            Sizes {
                clicks: 300,
                views: 100,
                view_seconds: 5,
                idle_async: 1_000,
                idle_blocking: 200,
                cuts: 100,
                detached: 1_000,
                loads: 100,
                http_seconds: 1,
                many_views: 500,
                runtime_idle: 10_000,
                broadcast_watchers: [100, 1_000],
                broadcast_updates: 50,
            }
        } else {
            Sizes {
                clicks: 2_000,
                views: 1_000,
                view_seconds: 20,
                idle_async: 10_000,
                idle_blocking: 1_000,
                cuts: 500,
                detached: 1_000,
                loads: 500,
                http_seconds: 3,
                many_views: 10_000,
                runtime_idle: 100_000,
                broadcast_watchers: [1_000, 10_000],
                broadcast_updates: 50,
            }
        }
    }
}

pub(crate) fn load(bin: &Path, args: &[String]) -> anyhow::Result<serde_json::Value> {
    let output = Command::new(bin.join("lona-bench"))
        .args(args)
        .output()
        .context("running lona-bench")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report: serde_json::Value = serde_json::from_str(stdout.trim())
        .with_context(|| format!("lona-bench {args:?} printed {stdout:?}"))?;
    if let Some(error) = report.get("error") {
        bail!("lona-bench {args:?} failed: {error}");
    }
    Ok(report)
}

/// Requests per second of `ours` and of `theirs` (the baseline), each the median of
/// [`THROUGHPUT_ROUNDS`] runs of `lona-bench http`, taking turns, the baseline first.
fn throughput_beside(
    bin: &Path,
    ours: (&str, &str),
    theirs: (&str, &str),
    connections: usize,
    seconds: u64,
) -> anyhow::Result<(f64, f64)> {
    let connections = connections.to_string();
    let seconds = seconds.to_string();
    let run = |(addr, path): (&str, &str)| -> anyhow::Result<f64> {
        let report = load(
            bin,
            &args(&[
                "http",
                "--addr",
                addr,
                "--path",
                path,
                "--connections",
                &connections,
                "--seconds",
                &seconds,
            ]),
        )?;
        number(&report, "requests_per_second")
    };
    let mut our_runs = Vec::with_capacity(THROUGHPUT_ROUNDS);
    let mut their_runs = Vec::with_capacity(THROUGHPUT_ROUNDS);
    for _ in 0..THROUGHPUT_ROUNDS {
        their_runs.push(run(theirs)?);
        our_runs.push(run(ours)?);
    }
    Ok((median(our_runs), median(their_runs)))
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

pub(crate) fn number(report: &serde_json::Value, key: &str) -> anyhow::Result<f64> {
    report
        .get(key)
        .and_then(serde_json::Value::as_f64)
        .with_context(|| format!("lona-bench reported no `{key}`: {report}"))
}

pub(crate) fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|a| (*a).to_owned()).collect()
}

/// Builds the binaries, runs every scenario and returns their rows.
pub(crate) fn run(root: &Path, quick: bool) -> anyhow::Result<Vec<Row>> {
    let sh = Shell::new()?;
    sh.change_dir(root);
    cmd!(sh, "cargo build --release --locked -p lona-bench --bins").run()?;
    let bin: PathBuf = target_dir(root).join("release");
    let sizes = Sizes::new(quick);
    let mut rows = Vec::new();

    let echo = Server::start(&bin.join("bare-echo"), &[])?;
    let app = Server::start(&bin.join("lona-bench-server"), &[])?;

    // (1) One connection, clicks one after the other, beside the bare echo.
    let clicks = sizes.clicks.to_string();
    let echo_report = load(
        &bin,
        &args(&["echo", "--addr", &echo.addr, "--messages", &clicks]),
    )?;
    let click_report = load(
        &bin,
        &args(&["click", "--addr", &app.addr, "--clicks", &clicks]),
    )?;
    for (quantile, key) in [("p50", "p50_ns"), ("p99", "p99_ns")] {
        rows.push(Row::beside(
            format!("e2e/click_roundtrip_{quantile}/1x{clicks}"),
            number(&click_report, key)?,
            NANOSECONDS,
            number(&echo_report, key)?,
        ));
    }

    // (2) Many open views, each clicking once per second; the server's memory per open view.
    let many = clicks_at_1hz(&bin, &app, sizes.views, sizes.view_seconds, &mut rows)?;
    rows.push(Row::new(
        format!("e2e/memory_per_open_view/{}", sizes.views),
        number(&many, "rss_per_view")?,
        "bytes",
        None,
    ));
    drop(app);

    // (2b) Many more views at 1 Hz, the server's limits and timeouts on (issue 18).
    many_views(&bin, &sizes, &mut rows)?;

    // (3) Idle views: an async view per socket holds no thread; a blocking one holds one.
    // The server runs with its default limits, as deployed (only the per-address caps are
    // raised: every view comes from 127.0.0.1).
    let app = Server::start(
        &bin.join("lona-bench-server"),
        &[("LONA_BENCH_LIMITS", "deployment".to_owned())],
    )?;
    let idle_async = sizes.idle_async.to_string();
    let report = load(
        &bin,
        &args(&[
            "idle",
            "--addr",
            &app.addr,
            "--path",
            "/idle-async",
            "--views",
            &idle_async,
            "--pid",
            &app.pid(),
        ]),
    )?;
    rows.push(Row::new(
        format!("e2e/memory_per_idle_async_view/{idle_async}"),
        number(&report, "bytes_per_view")?,
        "bytes",
        None,
    ));
    drop(app);
    // The same view at the runtime level, on fake connections: more views than the file
    // limit allows sockets.
    let runtime_idle = sizes.runtime_idle.to_string();
    let report = load(&bin, &args(&["runtime-idle", "--views", &runtime_idle]))?;
    rows.push(Row::new(
        format!("e2e/memory_per_idle_async_view_runtime/{runtime_idle}"),
        number(&report, "bytes_per_view")?,
        "bytes",
        None,
    ));
    let idle_blocking = sizes.idle_blocking.to_string();
    let app = Server::start(
        &bin.join("lona-bench-server"),
        &[("LONA_BENCH_RUNTIME_THREADS", idle_blocking.clone())],
    )?;
    let report = load(
        &bin,
        &args(&[
            "idle",
            "--addr",
            &app.addr,
            "--path",
            "/idle-blocking",
            "--views",
            &idle_blocking,
            "--pid",
            &app.pid(),
        ]),
    )?;
    rows.push(Row::new(
        format!("e2e/memory_per_idle_blocking_view/{idle_blocking}"),
        number(&report, "bytes_per_view")?,
        "bytes",
        None,
    ));

    drop(app);

    // (4) The non-interactive hello page beside bare hyper, on a fresh app (not the one that
    // just ran a thousand blocking views).
    let app = Server::start(&bin.join("lona-bench-server"), &[])?;
    let hello = Server::start(&bin.join("bare-hello"), &[])?;
    // The same page from an `http` handler (run on the worker pool) and from an `http_async`
    // one (run on the I/O threads): the difference is the cost of the hop to the pool.
    for (path, id) in [("/hello", "hello"), ("/hello-async", "hello_async")] {
        let (ours, bare) = throughput_beside(
            &bin,
            (&app.addr, path),
            (&hello.addr, "/"),
            16,
            sizes.http_seconds,
        )?;
        rows.push(Row::beside(
            format!("e2e/{id}_requests_per_second/16conn"),
            ours,
            "req/s",
            bare,
        ));
    }
    drop(app);

    // (5) The acknowledged stream: resumes after cuts, and what a detached view holds.
    acknowledged_stream(&bin, &sizes, &mut rows)?;

    // (6) The first content of an interactive page, painted by the server or not.
    first_paint(&bin, &sizes, &mut rows)?;

    // (7) Static files beside nginx, when it is installed.
    static_files(root, &bin, &sizes, &mut rows)?;

    // (8) One broadcast view watched by thousands of sockets, beside the bare echo.
    broadcast(&bin, &sizes, &mut rows)?;
    Ok(rows)
}

/// Many views open at once, each clicking once a second, against the server with its default
/// limits and timeouts (`LONA_BENCH_LIMITS=deployment`): issue 18's 10,000 views (the load
/// generator raises its soft file limit for the sockets; the server raises its own).
fn many_views(bin: &Path, sizes: &Sizes, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    let app = Server::start(
        &bin.join("lona-bench-server"),
        &[("LONA_BENCH_LIMITS", "deployment".to_owned())],
    )?;
    clicks_at_1hz(bin, &app, sizes.many_views, sizes.view_seconds, rows)?;
    Ok(())
}

/// `views` views of `app` clicking once a second for `seconds`: the click p50 and p99 and the
/// clicks that timed out or failed (connections included). The report, for its other figures.
fn clicks_at_1hz(
    bin: &Path,
    app: &Server,
    views: u64,
    seconds: u64,
    rows: &mut Vec<Row>,
) -> anyhow::Result<serde_json::Value> {
    let (views, seconds) = (views.to_string(), seconds.to_string());
    let report = load(
        bin,
        &args(&[
            "click",
            "--addr",
            &app.addr,
            "--views",
            &views,
            "--rate",
            "1",
            "--clicks",
            &seconds,
            "--seconds",
            &seconds,
            "--pid",
            &app.pid(),
        ]),
    )?;
    for (quantile, key) in [("p50", "p50_ns"), ("p99", "p99_ns")] {
        rows.push(Row::new(
            format!("e2e/click_{quantile}/{views}views_1hz"),
            number(&report, key)?,
            NANOSECONDS,
            None,
        ));
    }
    rows.push(Row::new(
        format!("e2e/click_timeouts/{views}views_1hz"),
        number(&report, "timeouts")?
            + number(&report, "errors")?
            + number(&report, "connect_errors")?,
        "events",
        None,
    ));
    Ok(report)
}

/// One broadcast view watched by `broadcast_watchers` sockets: the time from a click to the
/// last socket's frame beside one echo round trip, and the server's CPU time per delivered
/// update beside the echo server's per echoed message, all in this run.
fn broadcast(bin: &Path, sizes: &Sizes, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    let echo = Server::start(&bin.join("bare-echo"), &[])?;
    let messages = sizes.clicks.max(2_000).to_string();
    let echo_report = load(
        bin,
        &args(&[
            "echo",
            "--addr",
            &echo.addr,
            "--messages",
            &messages,
            "--pid",
            &echo.pid(),
        ]),
    )?;
    drop(echo);
    let updates = sizes.broadcast_updates.to_string();
    for watchers in sizes.broadcast_watchers {
        // A fresh server per size: the sockets of the run before are still closing.
        let app = Server::start(&bin.join("lona-bench-server"), &[])?;
        let watchers = watchers.to_string();
        let report = load(
            bin,
            &args(&[
                "broadcast",
                "--addr",
                &app.addr,
                "--watchers",
                &watchers,
                "--updates",
                &updates,
                "--pid",
                &app.pid(),
            ]),
        )?;
        rows.push(Row::new(
            format!("e2e/broadcast_timeouts/{watchers}watchers"),
            number(&report, "timeouts")? + number(&report, "errors")?,
            "events",
            None,
        ));
        for (quantile, key) in [("p50", "p50_ns"), ("p99", "p99_ns")] {
            rows.push(Row::beside(
                format!("e2e/broadcast_{quantile}/{watchers}watchers"),
                number(&report, key)?,
                NANOSECONDS,
                number(&echo_report, key)?,
            ));
        }
        rows.push(Row::beside(
            format!("e2e/broadcast_cpu_per_update/{watchers}watchers"),
            number(&report, "cpu_ns_per_update")?,
            NANOSECONDS,
            number(&echo_report, "cpu_ns_per_message")?,
        ));
    }
    Ok(())
}

/// New visitors' first content of the 100-row page, one load at a time: the page's own answer
/// when the server paints it (first paint), beside the same app with `first_paint` off, where
/// the content comes with the socket's first tree.
fn first_paint(bin: &Path, sizes: &Sizes, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    let loads = sizes.loads.to_string();
    let mut first_content = Vec::new();
    for setting in ["true", "false"] {
        let app = Server::start(
            &bin.join("lona-bench-server"),
            &[("LONA_FIRST_PAINT", setting.to_owned())],
        )?;
        let report = load(
            bin,
            &args(&[
                "first-paint",
                "--addr",
                &app.addr,
                "--path",
                "/page",
                "--loads",
                &loads,
            ]),
        )?;
        let painted = number(&report, "painted")?;
        anyhow::ensure!(
            (painted > 0.0) == (setting == "true"),
            "first_paint={setting}, yet {painted} of {loads} pages painted"
        );
        first_content.push(
            report
                .pointer("/first_content/p50_ns")
                .and_then(serde_json::Value::as_f64)
                .with_context(|| format!("lona-bench reported no first content: {report}"))?,
        );
    }
    rows.push(Row::beside(
        "e2e/first_content_p50/100rows".to_owned(),
        first_content[0],
        NANOSECONDS,
        first_content[1],
    ));
    Ok(())
}

/// Resume time after a cut (the new socket open to the DOM showing what it missed) beside one
/// click's round trip on the same view; the bytes of a resume beside the view's start (its
/// whole tree), on the 100-row page; the memory per detached view.
fn acknowledged_stream(bin: &Path, sizes: &Sizes, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    let app = Server::start(&bin.join("lona-bench-server"), &[])?;
    let clicks = sizes.clicks.to_string();
    let cuts = sizes.cuts.to_string();
    let report = load(
        bin,
        &args(&[
            "resume", "--addr", &app.addr, "--path", "/page", "--clicks", &clicks, "--cuts", &cuts,
        ]),
    )?;
    for (quantile, resume, click) in [
        ("p50", "resume_p50_ns", "click_p50_ns"),
        ("p99", "resume_p99_ns", "click_p99_ns"),
    ] {
        rows.push(Row::beside(
            format!("e2e/resume_{quantile}/{cuts}cuts"),
            number(&report, resume)?,
            NANOSECONDS,
            number(&report, click)?,
        ));
    }
    rows.push(Row::beside(
        "e2e/resume_bytes/100rows".to_owned(),
        number(&report, "resume_bytes")?,
        "bytes",
        number(&report, "start_bytes")?,
    ));
    let views = sizes.detached.to_string();
    let report = load(
        bin,
        &args(&[
            "detached",
            "--addr",
            &app.addr,
            "--path",
            "/idle-async",
            "--views",
            &views,
            "--pid",
            &app.pid(),
        ]),
    )?;
    rows.push(Row::new(
        format!("e2e/memory_per_detached_view/{views}"),
        number(&report, "bytes_per_detached_view")?,
        "bytes",
        None,
    ));
    Ok(())
}

/// A 1 KB and a 1 MB file over 64 connections, served by the app and by nginx from the same
/// folder.
fn static_files(root: &Path, bin: &Path, sizes: &Sizes, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    let Some(nginx) = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
    else {
        println!("nginx is not installed: the static-file scenario is skipped");
        return Ok(());
    };
    let work = target_dir(root).join("bench-static");
    let _ = std::fs::remove_dir_all(&work);
    let files = work.join("files");
    std::fs::create_dir_all(&files)?;
    std::fs::write(files.join("1k.bin"), vec![b'x'; 1024])?;
    std::fs::write(files.join("1m.bin"), vec![b'x'; 1024 * 1024])?;
    let app = Server::start(
        &bin.join("lona-bench-server"),
        &[("LONA_BENCH_STATIC_DIR", files.display().to_string())],
    )?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let _nginx = Nginx::start(&nginx, &work, port, &files)?;
    let nginx_addr = format!("127.0.0.1:{port}");
    for (file, size) in [("1k.bin", "1k"), ("1m.bin", "1m")] {
        let path = format!("/static/{file}");
        let (ours, theirs) = throughput_beside(
            bin,
            (&app.addr, &path),
            (&nginx_addr, &path),
            64,
            sizes.http_seconds,
        )?;
        rows.push(Row::beside(
            format!("e2e/static_{size}_requests_per_second/64conn"),
            ours,
            "req/s",
            theirs,
        ));
    }
    Ok(())
}

/// nginx in the foreground with a generated configuration; stopped when dropped.
struct Nginx(Child);

impl Nginx {
    fn start(binary: &Path, prefix: &Path, port: u16, files: &Path) -> anyhow::Result<Nginx> {
        for dir in ["body", "proxy", "fastcgi", "uwsgi", "scgi"] {
            std::fs::create_dir_all(prefix.join(dir))?;
        }
        let p = prefix.display();
        // Debian's defaults where they matter for speed: sendfile, tcp_nopush, keep-alive.
        let config = format!(
            "daemon off;\nworker_processes auto;\nerror_log {p}/error.log;\npid {p}/nginx.pid;\n\
             events {{ worker_connections 1024; }}\n\
             http {{\n  include /etc/nginx/mime.types;\n  access_log off;\n  sendfile on;\n  tcp_nopush on;\n  keepalive_requests 10000000;\n\
             client_body_temp_path {p}/body;\n  proxy_temp_path {p}/proxy;\n  fastcgi_temp_path {p}/fastcgi;\n\
             uwsgi_temp_path {p}/uwsgi;\n  scgi_temp_path {p}/scgi;\n\
             server {{ listen 127.0.0.1:{port}; location /static/ {{ alias {files}/; }} }}\n}}\n",
            files = files.display(),
        );
        let conf = prefix.join("nginx.conf");
        std::fs::write(&conf, config)?;
        let child = Command::new(binary)
            .arg("-p")
            .arg(prefix)
            .arg("-e")
            .arg(prefix.join("error.log"))
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting nginx")?;
        let nginx = Nginx(child);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if std::time::Instant::now() > deadline {
                bail!(
                    "nginx did not listen: {}",
                    std::fs::read_to_string(prefix.join("error.log")).unwrap_or_default()
                );
            }
            std::thread::yield_now();
        }
        Ok(nginx)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGKILL would orphan the worker processes; SIGTERM makes the master
        // stop them first. `kill` is the fallback if that cannot be sent.
        let terminated = std::process::Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status()
            .is_ok_and(|status| status.success());
        if !terminated {
            let _ = self.0.kill();
        }
        let _ = self.0.wait();
    }
}
