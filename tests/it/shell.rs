//! The admin shell: a unix socket the running server answers on. It lists a running view
//! and stops it (the browser sees VIEW_STOP), its socket file has mode 0600, and bad input
//! gets an error line, never a crash.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use lona::prelude::*;
use lona::uploads::BucketLimits;
use lona_server::shell;
use lona_test::TestServer;
use serde_json::Value as Json;

use test_support::TempDir;

/// Waits for a click that never comes, so the view runs until it is stopped.
struct Waiting;

impl View for Waiting {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let button = tags::button().with_text("never clicked");
        cx.show(&tags::div().with_child(&button))?;
        cx.await_click(&[&button])?;
        Ok(Response::Empty)
    }
}

fn app(socket: &Path) -> App {
    let mut app = App::new();
    app.view("/wait/", |_| Waiting).name("wait");
    app.shell_socket(socket);
    app
}

/// Sends one JSON request and returns its `result`, failing the test on `ok: false`.
fn ask(socket: &Path, command: &str) -> Json {
    let answer = shell::request(socket, command, true).expect("the shell answers");
    let answer: Json = serde_json::from_str(&answer).expect("one JSON line");
    assert_eq!(answer["ok"], true, "{command}: {answer}");
    answer["result"].clone()
}

#[test]
fn the_shell_lists_a_running_view_and_stops_it_and_the_browser_sees_the_stop() {
    let temp = TempDir::new("shell-stop");
    let socket = temp.path().join("shell.sock");
    let mut app = app(&socket);
    let channels = lona::channels::Channels::local();
    let _subscription = channels.subscribe("news", |_message| {});
    app.state(channels);
    let server = TestServer::start(app);
    let channels = ask(&socket, "channels");
    assert_eq!(
        channels["subscriptions"][0]["pattern"], "news",
        "{channels}"
    );
    let mut client = server.open("/wait/").expect("the page opens");
    client
        .wait_for_text("never clicked")
        .expect("the view shows");
    let runtime = client.window().runtime().expect("the view runs");

    let views = ask(&socket, "views");
    let view = views
        .as_array()
        .and_then(|views| views.iter().find(|v| v["id"] == runtime.0))
        .unwrap_or_else(|| panic!("view {runtime} is listed: {views}"));
    assert_eq!(view["route"], "wait");
    assert_eq!(view["path"], "/wait/");
    assert_eq!(view["daemon"], false);

    // Text mode, as a person types it over a plain connection.
    let stream = UnixStream::connect(&socket).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("sets a timeout");
    let mut reader = BufReader::new(stream.try_clone().expect("clones"));
    writeln!(&stream, "stop {}", runtime.0).expect("writes");
    let mut line = String::new();
    reader.read_line(&mut line).expect("reads");
    assert_eq!(line.trim(), format!("stopped: {}", runtime.0));

    client
        .wait_for(|window| window.view_stopped())
        .expect("the browser gets VIEW_STOP");
    let stopped_again =
        shell::request(&socket, &format!("stop {}", runtime.0), false).expect("the shell answers");
    assert!(stopped_again.starts_with("error: "), "{stopped_again}");
    drop(client);
    server.shutdown();
    assert!(!socket.exists(), "shutdown removes the socket file");
}

#[test]
fn the_socket_is_private_and_answers_info_errors_and_long_lines() {
    let temp = TempDir::new("shell-info");
    let socket = temp.path().join("shell.sock");
    // A stale socket file from a crashed server is replaced.
    drop(std::os::unix::net::UnixListener::bind(&socket).expect("binds a stale socket"));
    let mut app = app(&socket);
    app.settings.session_secret = Some("a session secret the shell must not show".to_owned());
    let server = TestServer::start(app);
    let mode = std::fs::metadata(&socket)
        .expect("the socket exists")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);

    let info = ask(&socket, "info");
    assert_eq!(info["pid"], std::process::id());
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    let routes = ask(&socket, "routes");
    assert_eq!(routes[0]["pattern"], "/wait/");
    ask(&socket, "pools");
    ask(&socket, "static");
    ask(&socket, "middlewares");
    let settings = ask(&socket, "settings").to_string();
    assert!(settings.contains("max_runtime_threads"), "{settings}");
    assert!(
        !settings.contains("must not show"),
        "the shell shows the session key"
    );
    ask(&socket, "state");
    ask(&socket, "connections");
    // Every app has channels; these are local and unused, so they run no thread yet.
    let channels = ask(&socket, "channels");
    assert_eq!(channels["threads"], 0, "{channels}");

    let unknown = shell::request(&socket, "frobnicate", true).expect("the shell answers");
    let unknown: Json = serde_json::from_str(&unknown).expect("JSON");
    assert_eq!(unknown["ok"], false);
    assert!(
        unknown["error"]
            .as_str()
            .is_some_and(|e| e.contains("unknown command")),
        "{unknown}"
    );
    let text = shell::request(&socket, "stop nine", false).expect("the shell answers");
    assert!(text.starts_with("error: "), "{text}");
    let json_request = {
        let stream = UnixStream::connect(&socket).expect("connects");
        let mut reader = BufReader::new(stream.try_clone().expect("clones"));
        writeln!(&stream, r#"{{"command": "info", "json": true}}"#).expect("writes");
        let mut line = String::new();
        reader.read_line(&mut line).expect("reads");
        line
    };
    assert!(json_request.contains("\"pid\""), "{json_request}");

    // A line over the limit is refused and the connection closed; the server goes on.
    let stream = UnixStream::connect(&socket).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("sets a timeout");
    let mut long = vec![b'x'; shell::MAX_LINE + 10];
    long.push(b'\n');
    // The server may close before reading it all; the answer is what counts.
    let _ = (&stream).write_all(&long);
    let mut reader = BufReader::new(&stream);
    let mut line = String::new();
    reader.read_line(&mut line).expect("reads the refusal");
    assert!(line.contains("longer than"), "{line}");
    ask(&socket, "help");

    // A second server cannot take a socket that is in use.
    let taken = App::new().tap_shell(&socket).spawn("127.0.0.1:0");
    assert!(taken.is_err(), "a live socket is not replaced");

    // The command line's one-command mode.
    shell::attach(&socket, Some("info"), true).expect("attach answers");
    assert!(shell::attach(&socket, Some("nonsense"), true).is_err());
    server.shutdown();
}

trait TapShell {
    fn tap_shell(self, socket: &Path) -> App;
}

impl TapShell for App {
    fn tap_shell(mut self, socket: &Path) -> App {
        self.shell_socket(socket);
        self
    }
}

#[test]
fn the_shell_server_url_setting_opens_the_shell_and_the_command_line_reaches_it() {
    let dir = TempDir::new("shell-setting");
    let socket = dir.path().join("admin.sock");
    let mut app = App::new();
    app.view("/wait/", |_| Waiting);
    app.settings
        .apply_toml(
            &format!("SHELL_SERVER_URL = \"file://{}\"", socket.display()),
            "deploy.toml",
        )
        .expect("a file:// URL is a valid setting");
    let server = TestServer::start(app);
    assert_eq!(ask(&socket, "info")["pid"], std::process::id());
    // What `my-app shell file://PATH --json info` runs.
    let command = lona::server::Command::parse_from([
        "my-app".to_owned(),
        "shell".to_owned(),
        format!("file://{}", socket.display()),
        "--json".to_owned(),
        "info".to_owned(),
    ])
    .expect("parses");
    let mut out = Vec::new();
    App::new()
        .execute(command, "127.0.0.1:0", &mut out)
        .expect("the shell answers a known command");
    drop(server);
}

/// Holds an upload bucket of three files at most while it waits.
struct Uploading;

impl View for Uploading {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let _bucket = lona::Bucket::new(cx, BucketLimits::default().with_max_files(3))
            .map_err(|error| ViewError::Failed(Box::new(error)))?;
        let button = tags::button().with_text("bucket open");
        cx.show(&tags::div().with_child(&button))?;
        cx.await_click(&[&button])?;
        Ok(Response::Empty)
    }
}

#[test]
fn templates_and_buckets_are_listed_with_where_they_come_from() {
    let temp = TempDir::new("shell-listings");
    let socket = temp.path().join("shell.sock");
    let templates = temp.path().join("templates");
    std::fs::create_dir_all(templates.join("lona")).expect("a template folder");
    std::fs::write(templates.join("lona/header.html"), "<header></header>").expect("writes");
    std::fs::write(templates.join("page.html"), "from the folder").expect("writes");
    let mut app = app(&socket);
    app.template("page.html", "from code");
    app.template_dir(&templates);
    app.view("/upload/", |_| Uploading);
    let server = TestServer::start(app);

    let listed = ask(&socket, "templates");
    let from = |name: &str| {
        listed
            .as_array()
            .and_then(|all| all.iter().find(|t| t["template"] == name))
            .map(|t| t["from"].as_str().unwrap_or_default().to_owned())
            .unwrap_or_else(|| panic!("{name} is listed: {listed}"))
    };
    assert_eq!(from("page.html"), "code", "code wins over a folder");
    assert_eq!(from("lona/header.html"), templates.display().to_string());
    assert_eq!(from("lona/frontend.html"), "built in");

    assert_eq!(ask(&socket, "buckets"), serde_json::json!([]));
    let mut client = server.open("/upload/").expect("the page opens");
    client
        .wait_for_text("bucket open")
        .expect("the view holds a bucket");
    let buckets = ask(&socket, "buckets");
    assert_eq!(buckets[0]["files"], 0, "{buckets}");
    assert_eq!(buckets[0]["max_files"], 3, "{buckets}");
    let id = buckets[0]["id"].as_str().unwrap_or_default();
    assert!(
        id.chars().count() <= 9,
        "the id is a secret, shown cut: {id}"
    );
}

/// Counts what the app's own shell command reads and resets.
#[derive(Default)]
struct Hits(std::sync::atomic::AtomicU64);

#[test]
fn an_apps_own_commands_run_with_its_state_and_routes_resolve_paths() {
    use std::sync::atomic::Ordering;
    let temp = TempDir::new("shell-custom");
    let socket = temp.path().join("shell.sock");
    let mut app = app(&socket);
    app.view("/user/<name>/", |_| Waiting).name("user");
    app.state(Hits::default());
    app.http("/hit", |request| {
        if let Some(hits) = request.state::<Hits>() {
            hits.0.fetch_add(1, Ordering::Relaxed);
        }
        HttpResponse::text("hit")
    });
    app.shell_command("hits", "page hits; `hits reset` zeroes them", |call| {
        let hits = call.state::<Hits>().ok_or("no Hits")?;
        match call.args() {
            [] => Ok(serde_json::json!({"hits": hits.0.load(Ordering::Relaxed)})),
            [word] if word == "reset" => Ok(serde_json::json!({
                "was": hits.0.swap(0, Ordering::Relaxed)
            })),
            _ => Err("usage: hits [reset]".to_owned()),
        }
    });
    app.shell_command("boom", "panics", |_call| panic!("the command's own bug"));
    let server = TestServer::start(app);
    for _ in 0..3 {
        let response = server.get("/hit").expect("the route answers");
        assert_eq!(response.status, 200);
    }

    assert_eq!(ask(&socket, "hits"), serde_json::json!({"hits": 3}));
    assert_eq!(ask(&socket, "hits reset"), serde_json::json!({"was": 3}));
    assert_eq!(ask(&socket, "hits"), serde_json::json!({"hits": 0}));
    let help = ask(&socket, "help");
    assert!(
        help.as_array()
            .is_some_and(|commands| commands.iter().any(|c| c["command"] == "hits")),
        "{help}"
    );

    // The command's errors and panics are answers; the shell and the server go on.
    let refused = shell::request(&socket, "hits twice over", true).expect("an answer");
    assert!(refused.contains("usage: hits [reset]"), "{refused}");
    let panicked = shell::request(&socket, "boom", true).expect("an answer");
    assert!(panicked.contains("`boom` panicked"), "{panicked}");
    assert_eq!(ask(&socket, "hits"), serde_json::json!({"hits": 0}));
    assert_eq!(server.get("/hit").expect("still serving").status, 200);

    // `routes PATH` names the route a path takes, with its arguments.
    let route = ask(&socket, "routes /user/ada%20l/");
    assert_eq!(route["name"], "user");
    assert_eq!(route["args"]["name"], "ada l");
    assert_eq!(
        ask(&socket, "routes http://example.org/wait/?x=1")["name"],
        "wait"
    );
    let missing = shell::request(&socket, "routes /nowhere", true).expect("an answer");
    assert!(missing.contains("no route matches /nowhere"), "{missing}");
}

#[test]
fn an_own_command_may_not_shadow_a_built_in_one_or_another() {
    let temp = TempDir::new("shell-names");
    for (first, second) in [("views", None), ("two words", None), ("x", Some("x"))] {
        let mut app = app(&temp.path().join("shell.sock"));
        app.shell_command(first, "", |_| Ok(serde_json::Value::Null));
        if let Some(second) = second {
            app.shell_command(second, "", |_| Ok(serde_json::Value::Null));
        }
        let error = app
            .spawn("127.0.0.1:0")
            .map(|_| ())
            .expect_err("the app does not start");
        assert!(error.to_string().starts_with("admin shell: "), "{error}");
    }
}
