//! The two lona processes of docs/deployment.md, run for real: the `deployed-app` binary
//! started twice with the command line of docs/deployment/lona-app@.service and the settings
//! file of docs/deployment/settings.toml, sharing channels through a real Redis, with the
//! static files collected by `deployed-app collect-static DEST --clean` for a proxy to serve.
//! Being processes, they can be killed for real.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use lona_test::TestClient;

use crate::redis::Redis;
use test_support::TempDir;

pub(crate) const TIMEOUT: Duration = Duration::from_secs(10);
const SETTINGS: &str = include_str!("../../docs/deployment/settings.toml");
const BINARY: &str = env!("CARGO_BIN_EXE_deployed-app");

/// One running `deployed-app run-server`; killed (SIGKILL) when dropped.
pub(crate) struct Process {
    /// `None` once it was terminated and waited for.
    child: Option<Child>,
    addr: SocketAddr,
    /// The admin shell's socket, as `--shell-server-url file://PATH` gave it.
    pub(crate) shell: PathBuf,
}

impl Process {
    pub(crate) fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Kills the process with SIGKILL, as the OOM killer or a crash would: nothing of it runs
    /// after this, no socket is closed politely.
    pub(crate) fn kill(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Process {
    /// Stops the process as systemd does (`KillSignal=SIGTERM`) and waits for it to exit.
    ///
    /// # Panics
    ///
    /// If it is still running after [`TIMEOUT`]: a graceful stop that hangs is the bug
    /// this looks for.
    pub(crate) fn terminate(&mut self) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("the process runs");
        let pid = child.id();
        assert!(test_support::send_sigterm(&child), "kill -TERM failed");
        // `wait` on a thread of its own, so that a hang fails the test instead of stalling it.
        let (done, exited) = crossbeam_channel::bounded(1);
        std::thread::Builder::new()
            .name("wait-deployed".to_owned())
            .spawn(move || {
                let _ = done.send(child.wait());
            })
            .expect("a waiting thread");
        match exited.recv_timeout(TIMEOUT) {
            Ok(status) => status.expect("waits for the process"),
            Err(_) => panic!("process {pid} still runs {TIMEOUT:?} after SIGTERM"),
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Redis and the two processes that share it, started as the docs deploy them, with the
/// static files collected for the proxy to serve.
pub(crate) struct TwoProcesses {
    /// Kept running for the processes' channels.
    pub(crate) _redis: Redis,
    /// Settings files, the app's static folder and the shell sockets.
    pub(crate) _files: TempDir,
    pub(crate) collected: TempDir,
    /// `app.css`'s hashed name, from the collected `manifest.json`.
    pub(crate) hashed_css: String,
    pub(crate) a: Process,
    pub(crate) b: Process,
}

/// Starts [`TwoProcesses`], with temporary folders named after `name`; `None` if the Redis
/// tests are skipped.
pub(crate) fn start_two_processes(name: &str) -> Option<TwoProcesses> {
    let redis = Redis::start()?;
    let files = TempDir::new(&format!("{name}-files"));
    files.write("src/app.css", "body { margin: 0; }");
    // The shared file of the docs, with this test's Redis; a second file per host gives what
    // the docs' app sets in code, and shows that later files win.
    let shared = "redis://127.0.0.1:6379/";
    assert!(
        SETTINGS.contains(shared),
        "docs/deployment/settings.toml lost `{shared}`"
    );
    // The docs' placeholder key, replaced as an operator would.
    let secret = "replace-me-with-the-output-of-openssl-rand-hex-32";
    assert!(
        SETTINGS.contains(secret),
        "docs/deployment/settings.toml lost its shared session_secret"
    );
    let test_secret = format!("{name}-{}-test-secret-0123456789abcdef", std::process::id());
    let settings = [
        files.write(
            "settings.toml",
            SETTINGS
                .replace(shared, &redis.url())
                .replace(secret, &test_secret),
        ),
        files.write(
            "host.toml",
            format!("static_dirs = [{:?}]\n", files.path().join("src")),
        ),
    ];

    let collected = TempDir::new(&format!("{name}-static"));
    let output = Command::new(BINARY)
        .arg("collect-static")
        .arg(collected.path())
        .arg("--clean")
        .arg("-s")
        .args(&settings)
        .output()
        .expect("deployed-app runs");
    assert!(
        output.status.success(),
        "collect-static failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let manifest = std::fs::read(collected.path().join("manifest.json"))
        .expect("collect-static writes manifest.json");
    let manifest: serde_json::Value =
        serde_json::from_slice(&manifest).expect("the manifest is JSON");
    let hashed_css = manifest["files"]["app.css"]
        .as_str()
        .expect("app.css is collected")
        .to_owned();

    let a = start_process("process-a", &settings, &files);
    let b = start_process("process-b", &settings, &files);
    Some(TwoProcesses {
        _redis: redis,
        _files: files,
        collected,
        hashed_css,
        a,
        b,
    })
}

/// `deployed-app run-server` on a port of its choosing; the address is the one it prints.
fn start_process(name: &str, settings: &[PathBuf], files: &TempDir) -> Process {
    let shell = files.path().join(format!("{name}.sock"));
    let mut child = Command::new(BINARY)
        .args(["run-server", "--host", "127.0.0.1", "--port", "0", "-s"])
        .args(settings)
        .arg("--shell-server-url")
        .arg(format!("file://{}", shell.display()))
        .env("DEPLOYED_APP_PROCESS", name)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("deployed-app starts");
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut line = String::new();
    let read = BufReader::new(stdout).read_line(&mut line);
    let addr = line
        .strip_prefix("lona: serving on http://")
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|addr| addr.trim_end_matches('/').parse().ok());
    let Some(addr) = addr else {
        let _ = child.kill();
        panic!("{name} did not start: {read:?} {line:?}");
    };
    Process {
        child: Some(child),
        addr,
        shell,
    }
}

/// One command on a process's admin shell through `deployed-app shell file://PATH --json`:
/// its result.
pub(crate) fn shell(process: &Process, command: &str) -> serde_json::Value {
    let output = Command::new(BINARY)
        .arg("shell")
        .arg(format!("file://{}", process.shell.display()))
        .arg("--json")
        .args(command.split_whitespace())
        .output()
        .expect("deployed-app runs");
    assert!(
        output.status.success(),
        "shell {command}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let answer: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("the shell answers JSON");
    answer["result"].clone()
}

/// A GET on its own connection: status, head (lower-cased), body.
pub(crate) fn get(addr: SocketAddr, path: &str, cookie: Option<&str>) -> (u16, String, Vec<u8>) {
    let (status, head, body) = get_raw(addr, path, cookie);
    (status, head.to_ascii_lowercase(), body)
}

/// A session the app issued: the `lona_session=...` pair of the `Set-Cookie` of a page loaded
/// through `addr` with `cookie` (a proxy's own routing cookie, say). Sessions are signed with
/// the shared `session_secret`, so any process takes one that another issued.
pub(crate) fn issued_session(addr: SocketAddr, cookie: Option<&str>) -> String {
    // HEAD: the cookie without a first paint, whose view would wait to be adopted and show
    // in the process's list of views.
    let (status, head, _) = request_raw("HEAD", addr, "/", cookie);
    assert_eq!(status, 200, "{head}");
    head.lines()
        .filter_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("set-cookie")
                .then_some(value.trim())
        })
        .find(|value| value.starts_with("lona_session="))
        .and_then(|value| value.split(';').next())
        .unwrap_or_else(|| panic!("the page set no session cookie: {head}"))
        .to_owned()
}

/// [`get`] with the head as it came.
fn get_raw(addr: SocketAddr, path: &str, cookie: Option<&str>) -> (u16, String, Vec<u8>) {
    request_raw("GET", addr, path, cookie)
}

/// A request without a body, on a connection of its own: status, head and body.
fn request_raw(
    method: &str,
    addr: SocketAddr,
    path: &str,
    cookie: Option<&str>,
) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect_timeout(&addr, TIMEOUT).expect("connects");
    stream
        .set_read_timeout(Some(TIMEOUT))
        .expect("sets a timeout");
    let cookie = cookie
        .map(|c| format!("Cookie: {c}\r\n"))
        .unwrap_or_default();
    let request =
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{cookie}Connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).expect("writes");
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .expect("reads the answer in time");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(raw.len(), |at| at + 4);
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head, raw[split..].to_vec())
}

/// Kills `process` with SIGKILL and checks that `tab`, whose view ran there, sees its socket
/// close through the proxy instead of hanging.
pub(crate) fn kill_under(process: &mut Process, tab: &mut TestClient) {
    process.kill();
    let closed = tab
        .wait_for_text("never shown")
        .expect_err("the view of a killed process shows nothing more");
    assert!(
        !closed.is_timeout(),
        "the socket hung instead of closing: {closed}"
    );
}

/// Which process a tab's view runs in.
pub(crate) fn process_of(client: &mut TestClient) -> String {
    client
        .wait_for_selector("#process")
        .expect("the view shows");
    client.text("#process").unwrap_or_default()
}
