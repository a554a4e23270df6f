//! The harness of the browser suite: one chromedriver per test binary, one headless Chromium
//! session and one in-process app per test, and waits that poll the page until a deadline.
//!
//! Processes are cleaned up on every path:
//! * chromedriver runs under a small `sh` watchdog in a process group of its own; the watchdog
//!   waits on a pipe from this process and kills the whole group (chromedriver and every
//!   Chromium it started) when the pipe closes, which happens when the test binary exits for
//!   any reason, a `SIGKILL` from a test runner's timeout included;
//! * each test's browser session is deleted when the test ends, by `Client::close` on the normal
//!   path and by a blocking `DELETE /session/<id>` in a drop guard when the test panics.
//!
//! Nothing reaches the network: the app and chromedriver listen on 127.0.0.1 on ports the OS
//! picks, Chromium runs with background networking off and a host resolver that resolves no
//! name, and the only URLs a test opens are the app's.

use std::fmt;
use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use lona::{App, Server};
use parking_lot::{MappedMutexGuard, Mutex, MutexGuard};
use serde_json::{Value as Json, json};

/// How long a wait polls before it fails. Generous: two browsers share two cores.
pub(crate) const WAIT: Duration = Duration::from_secs(15);

/// How often a wait polls the page.
const POLL: Duration = Duration::from_millis(25);

/// Set to `1` to skip the browser tests (they return at once, saying so on stderr).
const SKIP_VAR: &str = "LONA_SKIP_BROWSER_TESTS";

/// Where Debian installs Chromium; `LONA_CHROMIUM` overrides it.
const CHROMIUM: &str = "/usr/bin/chromium";

/// Runs chromedriver (`"$@"`) in the background and kills the whole process group when its
/// standard input closes, that is when the test binary exits, however it exits.
const WATCHDOG: &str = r#""$@" </dev/null >/dev/null 2>&1 &
read -r _
kill -KILL 0"#;

/// Why a browser test failed; any error converts into it, so `?` works on everything.
pub(crate) struct Failure(String);

impl<E: std::error::Error> From<E> for Failure {
    fn from(error: E) -> Failure {
        Failure(error.to_string())
    }
}

impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A failure with this message.
pub(crate) fn fail(message: impl Into<String>) -> Failure {
    Failure(message.into())
}

/// The result of a browser test and of its steps.
pub(crate) type Result<T = ()> = std::result::Result<T, Failure>;

/// An app with the short client timeouts the suite wants: a lost socket is retried after
/// 100 ms, and shutdown does not wait long for a browser that is already gone.
pub(crate) fn app() -> App {
    let mut app = App::new();
    app.settings.client_auto_reconnect_timeout = 100;
    app.settings.shutdown_timeout = Duration::from_secs(1);
    // Two runtime threads are plenty for one browser, and cheap on two cores.
    app.settings.max_runtime_threads = 2;
    app.settings.max_worker_threads = 2;
    app.settings.max_static_threads = 1;
    app
}

/// Starts `app` on a free loopback port, opens a fresh browser session and runs `test` with
/// both; the session is closed and the app stopped afterwards, also when `test` panics.
///
/// # Panics
///
/// If `test` fails, with its error and the window's HTML at that moment; if Chromium or
/// chromedriver is missing, saying what to install.
pub(crate) fn run(app: App, test: impl AsyncFnOnce(&Page<'_>) -> Result) {
    if skipped() {
        return;
    }
    let server = app
        .spawn("127.0.0.1:0")
        .expect("the app starts on a free port");
    let addr = server.local_addr();
    drive(Mutex::new(Some(server)), addr, test);
}

/// As [`run`], for an app that something else serves on `addr` (lona inside axum): the test
/// has no [`Page::server`] then.
pub(crate) fn run_at(addr: SocketAddr, test: impl AsyncFnOnce(&Page<'_>) -> Result) {
    if skipped() {
        return;
    }
    drive(Mutex::new(None), addr, test);
}

/// Opens a fresh browser session and runs `test` against `addr`; the session is closed and the
/// app (if `server` holds one) stopped afterwards, also when `test` panics.
fn drive(
    server: Mutex<Option<Server>>,
    addr: SocketAddr,
    test: impl AsyncFnOnce(&Page<'_>) -> Result,
) {
    let driver = driver();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime for the WebDriver client");
    let outcome: Result = runtime.block_on(async {
        // Dropped after the page on every path: deletes the session if `close` did not.
        let mut guard = SessionGuard::new(driver.addr)?;
        let client = connect(driver, &guard.profile).await?;
        guard.id = client.session_id().await?;
        let page = Page {
            client,
            server: &server,
            addr,
        };
        let result = test(&page).await;
        let result = match result {
            Ok(()) => Ok(()),
            Err(failure) => {
                let url = page.client.current_url().await;
                let url = url.map_or_else(|e| format!("<no url: {e}>"), |u| u.to_string());
                // Waits show the window themselves; other failures get it here.
                let html = if failure.0.contains("#lona") {
                    String::new()
                } else {
                    format!("\n  #lona is: {}", page.lona_html().await)
                };
                Err(fail(format!("{failure}\n  at {url}{html}")))
            }
        };
        let closed = page.client.close().await;
        if closed.is_ok() {
            guard.id = None;
        }
        result
    });
    drop(runtime);
    drop(server);
    if let Err(failure) = outcome {
        panic!("browser test failed: {failure}");
    }
}

/// Whether the browser tests are switched off with `LONA_SKIP_BROWSER_TESTS=1`.
#[allow(
    clippy::print_stderr,
    reason = "a skipped test must say so, never pass silently"
)]
fn skipped() -> bool {
    if std::env::var(SKIP_VAR).is_ok_and(|v| v == "1") {
        eprintln!("browser test skipped: {SKIP_VAR}=1");
        return true;
    }
    false
}

/// The page of one test: the browser session and the app it talks to.
pub(crate) struct Page<'a> {
    client: Client,
    /// Always `Some`, but for the moment of a [`Page::restart`] (or `None` throughout, for
    /// [`run_at`]).
    server: &'a Mutex<Option<Server>>,
    /// Where the app serves (the same across restarts).
    addr: SocketAddr,
}

/// Another browser on the same app: its own Chromium, profile and cookie jar, so another
/// session. Closed when dropped.
pub(crate) struct OtherBrowser<'a> {
    page: Page<'a>,
    /// Dropped after the page: deletes the WebDriver session and the profile.
    _guard: SessionGuard,
}

impl<'a> std::ops::Deref for OtherBrowser<'a> {
    type Target = Page<'a>;

    fn deref(&self) -> &Page<'a> {
        &self.page
    }
}

impl<'a> Page<'a> {
    /// Opens another browser (another visitor, another session) on the same app.
    pub(crate) async fn other_browser(&self) -> Result<OtherBrowser<'a>> {
        let driver = driver();
        let mut guard = SessionGuard::new(driver.addr)?;
        let client = connect(driver, &guard.profile).await?;
        guard.id = client.session_id().await?;
        Ok(OtherBrowser {
            page: Page {
                client,
                server: self.server,
                addr: self.addr,
            },
            _guard: guard,
        })
    }
}

impl Page<'_> {
    /// The WebDriver client, for what the helpers below do not cover.
    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    /// The app under test.
    pub(crate) fn server(&self) -> MappedMutexGuard<'_, Server> {
        MutexGuard::map(self.server.lock(), |server| {
            server.as_mut().expect("the app runs between restarts")
        })
    }

    /// Stops the app (gracefully, as SIGTERM does) and starts `app` on the same address, as a
    /// developer's watcher restarts a rebuilt server. The browser is left alone.
    pub(crate) fn restart(&self, app: App) -> Result {
        let mut server = self.server.lock();
        let old = server.take().expect("the app runs between restarts");
        let addr = old.local_addr();
        // Stopping and starting a server runs its tokio runtime, which may not happen inside
        // this test's runtime: on a thread of its own, while this one waits.
        let started = std::thread::Builder::new()
            .name("restart".to_owned())
            .spawn(move || {
                old.shutdown();
                app.spawn(&addr.to_string())
            })
            .map_err(|e| fail(format!("no thread to restart the app: {e}")))?
            .join()
            .map_err(|_| fail("restarting the app panicked"))?;
        *server = Some(started.map_err(|e| fail(format!("the app does not restart: {e}")))?);
        Ok(())
    }

    /// The absolute URL of `path` on the app.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Loads `path` of the app as a new page.
    pub(crate) async fn open(&self, path: &str) -> Result {
        self.client.goto(&self.url(path)).await?;
        Ok(())
    }

    /// The element matching `css`, waiting until there is one.
    pub(crate) async fn find(&self, css: &str) -> Result<Element> {
        match self
            .client
            .wait()
            .at_most(WAIT)
            .every(POLL)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => Ok(element),
            Err(error) => Err(fail(format!("no element `{css}` after {WAIT:?}: {error}"))),
        }
    }

    /// Clicks the element matching `css` as a user would (WebDriver's element click).
    pub(crate) async fn click(&self, css: &str) -> Result {
        self.find(css).await?.click().await?;
        Ok(())
    }

    /// Types `text` into the element matching `css`, key by key.
    pub(crate) async fn type_into(&self, css: &str, text: &str) -> Result {
        self.find(css).await?.send_keys(text).await?;
        Ok(())
    }

    /// Runs `body` (a function body that `return`s) with `args` as `arguments`.
    pub(crate) async fn eval(&self, body: &str, args: Vec<Json>) -> Result<Json> {
        Ok(self.client.execute(body, args).await?)
    }

    /// The text of the element matching `css`, or `None` if there is none.
    pub(crate) async fn text(&self, css: &str) -> Result<Option<String>> {
        let text = self
            .eval(
                "const e = document.querySelector(arguments[0]); return e && e.textContent;",
                vec![json!(css)],
            )
            .await?;
        Ok(text.as_str().map(str::to_owned))
    }

    /// The window's HTML (`#lona`'s `innerHTML`), for failure messages.
    pub(crate) async fn lona_html(&self) -> String {
        let html = self
            .eval(
                "const e = document.querySelector('#lona'); \
                 return e ? e.innerHTML : '<no #lona: ' + document.body.innerHTML + '>';",
                Vec::new(),
            )
            .await;
        match html {
            Ok(Json::String(html)) => html,
            Ok(other) => other.to_string(),
            Err(failure) => format!("<unreadable: {failure}>"),
        }
    }

    /// Waits until the text of the element matching `css` is exactly `expected`.
    pub(crate) async fn wait_text(&self, css: &str, expected: &str) -> Result {
        let waited = self
            .wait_until(
                &format!("`{css}` to read {expected:?}"),
                "const e = document.querySelector(arguments[0]); \
                 return e !== null && e.textContent === arguments[1];",
                vec![json!(css), json!(expected)],
            )
            .await;
        if let Err(failure) = waited {
            let actual = self.text(css).await.ok().flatten();
            return Err(fail(format!("{failure}; it reads {actual:?}")));
        }
        Ok(())
    }

    /// Polls `condition` (a function body that returns a boolean, with `args` as `arguments`)
    /// until it returns `true`, for at most [`WAIT`]. Script errors (a page being replaced)
    /// count as "not yet". The error names `what` and shows the window's HTML.
    pub(crate) async fn wait_until(&self, what: &str, condition: &str, args: Vec<Json>) -> Result {
        let deadline = Instant::now() + WAIT;
        loop {
            let last_error = match self.client.execute(condition, args.clone()).await {
                Ok(Json::Bool(true)) => return Ok(()),
                Ok(_) => None,
                Err(error) => Some(error.to_string()),
            };
            if Instant::now() >= deadline {
                let error = last_error.map_or_else(String::new, |e| format!(" (last error: {e})"));
                return Err(fail(format!(
                    "timed out after {WAIT:?} waiting for {what}{error}; #lona is: {}",
                    self.lona_html().await
                )));
            }
            tokio::time::sleep(POLL).await;
        }
    }
}

/// chromedriver, started once per test binary and killed by its watchdog when the binary
/// exits (a `static` is never dropped).
struct Driver {
    addr: SocketAddr,
    chromium: PathBuf,
    /// Holds the watchdog's pipe open for the life of the process.
    _watchdog_pipe: ChildStdin,
    _watchdog: Child,
}

static DRIVER: OnceLock<std::result::Result<Driver, String>> = OnceLock::new();

/// The shared chromedriver, started on first use.
fn driver() -> &'static Driver {
    match DRIVER.get_or_init(start_driver) {
        Ok(driver) => driver,
        Err(error) => panic!("{error}"),
    }
}

fn start_driver() -> std::result::Result<Driver, String> {
    const INSTALL: &str = "install chromium and chromium-driver (Debian: `apt-get install \
                           chromium chromium-driver`), or set LONA_SKIP_BROWSER_TESTS=1 to skip \
                           the browser tests";
    let chromium = std::env::var_os("LONA_CHROMIUM").map_or_else(|| CHROMIUM.into(), PathBuf::from);
    if !chromium.is_file() {
        return Err(format!("no Chromium at {}: {INSTALL}", chromium.display()));
    }
    let chromedriver = std::env::var_os("LONA_CHROMEDRIVER")
        .map(PathBuf::from)
        .or_else(|| find_on_path("chromedriver"))
        .ok_or_else(|| format!("no chromedriver on PATH: {INSTALL}"))?;
    remove_stale_profiles();
    let mut errors = Vec::new();
    // A port the OS handed out can be taken by someone else before chromedriver binds it;
    // then a new port is tried.
    for _ in 0..3 {
        let port = free_port().map_err(|e| format!("no free loopback port: {e}"))?;
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let mut watchdog = Command::new("sh")
            .arg("-c")
            .arg(WATCHDOG)
            .arg("lona-chromedriver-watchdog")
            .arg(&chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", chromedriver.display()))?;
        let pipe = watchdog
            .stdin
            .take()
            .expect("the watchdog's stdin is piped");
        match wait_for_driver(addr) {
            Ok(()) => {
                return Ok(Driver {
                    addr,
                    chromium,
                    _watchdog_pipe: pipe,
                    _watchdog: watchdog,
                });
            }
            Err(error) => {
                errors.push(error);
                // Closing the pipe makes the watchdog kill what it started.
                drop(pipe);
                let _ = watchdog.wait();
            }
        }
    }
    Err(format!("chromedriver did not start: {}", errors.join("; ")))
}

/// Removes the profiles of test processes that are gone without cleaning up (killed by a
/// runner's timeout, say): `lona-browser-<pid>` folders whose process no longer exists.
fn remove_stale_profiles() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|name| name.strip_prefix(PROFILES_PREFIX))
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Polls chromedriver's `/status` until it says it is ready.
fn wait_for_driver(addr: SocketAddr) -> std::result::Result<(), String> {
    let deadline = Instant::now() + WAIT;
    let mut last = String::from("no answer");
    while Instant::now() < deadline {
        match http_request(addr, "GET", "/status") {
            Ok((200, body)) if body.contains(r#""ready":true"#) => return Ok(()),
            Ok((status, body)) => last = format!("status {status}: {body}"),
            Err(error) => last = error.to_string(),
        }
        std::thread::sleep(POLL);
    }
    Err(format!("not ready on {addr} after {WAIT:?} ({last})"))
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// A port that was free a moment ago: bound, read and released.
fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Opens a browser session on a fresh profile.
async fn connect(driver: &Driver, profile: &Path) -> Result<Client> {
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".to_owned(),
        json!({
            "binary": driver.chromium,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--no-first-run",
                "--disable-component-update",
                "--disable-sync",
                "--no-default-browser-check",
                // Background tabs keep their timers: the two-tab test clicks in one tab while
                // the other one debounces and reconnects.
                "--disable-background-timer-throttling",
                "--disable-backgrounding-occluded-windows",
                "--disable-renderer-backgrounding",
                // No name resolves: a page that tried to reach the internet would fail at once.
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                "--window-size=1024,768",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    let client = ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://{}", driver.addr))
        .await
        .map_err(|e| fail(format!("cannot open a Chromium session: {e}")))?;
    Ok(client)
}

/// Deletes a browser session that is still open and removes its profile, on drop.
struct SessionGuard {
    driver: SocketAddr,
    id: Option<String>,
    profile: PathBuf,
}

/// The prefix of the folder (in the temp dir) that holds one test process's browser profiles.
const PROFILES_PREFIX: &str = "lona-browser-";

/// Orders creating a profile and removing the (empty) folder of the profiles.
static PROFILES_LOCK: Mutex<()> = Mutex::new(());

impl SessionGuard {
    fn new(driver: SocketAddr) -> Result<SessionGuard> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let profile = std::env::temp_dir()
            .join(format!("{PROFILES_PREFIX}{}", std::process::id()))
            .join(NEXT.fetch_add(1, Ordering::Relaxed).to_string());
        // A leftover of an earlier process with the same id.
        let _ = std::fs::remove_dir_all(&profile);
        {
            let _lock = PROFILES_LOCK.lock();
            std::fs::create_dir_all(&profile)?;
        }
        Ok(SessionGuard {
            driver,
            id: None,
            profile,
        })
    }
}

impl Drop for SessionGuard {
    fn drop(&mut self) {
        if let Some(id) = self.id.take() {
            // Quits this session's Chromium; blocking is fine, the test is over.
            let _ = http_request(self.driver, "DELETE", &format!("/session/{id}"));
        }
        let _ = std::fs::remove_dir_all(&self.profile);
        // The process's folder goes with its last profile (it fails while others are left).
        if let Some(parent) = self.profile.parent() {
            let _lock = PROFILES_LOCK.lock();
            let _ = std::fs::remove_dir(parent);
        }
    }
}

/// A plain HTTP/1.1 request without a body: the status and the whole response text.
/// The body ends at its `Content-Length` (chromedriver says `Connection: close` but keeps the
/// connection open), else at the end of the stream.
pub(crate) fn http_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(WAIT))?;
    stream.set_write_timeout(Some(WAIT))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    )?;
    let mut response = Vec::new();
    let mut chunk = [0; 4096];
    loop {
        let read = stream.read(&mut chunk)?;
        response.extend_from_slice(&chunk[..read]);
        if read == 0 || response_complete(&response) {
            break;
        }
    }
    let response = String::from_utf8_lossy(&response).into_owned();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("not an HTTP response: {response:?}")))?;
    Ok((status, response))
}

/// Whether `response` holds its head and as many body bytes as its `Content-Length` says.
fn response_complete(response: &[u8]) -> bool {
    let Some(end) = response.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&response[..end]);
    let length = head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse::<usize>().ok())
            .flatten()
    });
    length.is_some_and(|length| response.len() >= end + 4 + length)
}
