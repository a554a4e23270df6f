//! Tests of the command line: parsing each subcommand, and what `routes` and `settings` print.

use std::path::PathBuf;

use test_support::TempDir;

use super::Command;
use crate::{App, HttpResponse};

fn parse(args: &[&str]) -> Command {
    Command::parse_from(std::iter::once("my-app").chain(args.iter().copied()))
        .unwrap_or_else(|error| panic!("{args:?} parses: {error}"))
}

fn paths(names: &[&str]) -> Vec<PathBuf> {
    names.iter().map(PathBuf::from).collect()
}

#[test]
fn no_subcommand_runs_the_server_with_defaults() {
    assert_eq!(
        parse(&[]),
        Command::RunServer {
            host: None,
            port: None,
            settings: Vec::new(),
            shell_server_url: None,
            live_reload: false,
        }
    );
}

#[test]
fn run_server_takes_host_port_settings_files_shell_url_and_live_reload() {
    assert_eq!(
        parse(&[
            "run-server",
            "--host",
            "0.0.0.0",
            "--port",
            "9000",
            "-s",
            "settings.toml",
            "deployment.toml",
            "--shell-server-url",
            "file:///run/lona.sock",
            "--live-reload",
        ]),
        Command::RunServer {
            host: Some("0.0.0.0".to_owned()),
            port: Some(9000),
            settings: paths(&["settings.toml", "deployment.toml"]),
            shell_server_url: Some(PathBuf::from("/run/lona.sock")),
            live_reload: true,
        }
    );
}

#[test]
fn shell_server_url_other_than_file_is_refused() {
    let error = Command::parse_from([
        "my-app",
        "run-server",
        "--shell-server-url",
        "localhost:9000",
    ])
    .expect_err("TCP is refused");
    let message = error.to_string();
    assert!(message.contains("--shell-server-url"), "{message}");
    assert!(message.contains("unix socket only"), "{message}");
    assert!(!error.is_help());
}

#[test]
fn bad_port_and_unknown_subcommand_are_refused() {
    Command::parse_from(["my-app", "run-server", "--port", "http"]).expect_err("not a port");
    Command::parse_from(["my-app", "serve"]).expect_err("no such subcommand");
    let help = Command::parse_from(["my-app", "--help"]).expect_err("help is an error");
    assert!(help.is_help());
    assert!(help.to_string().contains("collect-static"), "{help}");
}

#[test]
fn collect_static_takes_dest_clean_and_settings() {
    assert_eq!(
        parse(&[
            "collect-static",
            "/srv/static",
            "-s",
            "a.toml",
            "b.toml",
            "--clean",
            "--dry-run",
            "--silent",
        ]),
        Command::CollectStatic {
            dest: PathBuf::from("/srv/static"),
            clean: true,
            dry_run: true,
            silent: true,
            settings: paths(&["a.toml", "b.toml"]),
        }
    );
    assert_eq!(
        parse(&["collect-static", "out"]),
        Command::CollectStatic {
            dest: PathBuf::from("out"),
            clean: false,
            dry_run: false,
            silent: false,
            settings: Vec::new(),
        }
    );
    Command::parse_from(["my-app", "collect-static"]).expect_err("DEST is required");
}

#[test]
fn routes_and_settings_take_settings_files() {
    assert_eq!(
        parse(&["routes"]),
        Command::Routes {
            settings: Vec::new()
        }
    );
    assert_eq!(
        parse(&["settings", "--settings", "a.toml"]),
        Command::Settings {
            settings: paths(&["a.toml"]),
        }
    );
}

fn app() -> App {
    struct Hello;
    impl lona_runtime::View for Hello {
        fn handle_request(
            &self,
            _cx: &lona_runtime::Context,
            _request: &lona_runtime::Request,
        ) -> lona_runtime::ViewResult {
            Ok(lona_runtime::Response::Node(
                lona_html::tags::h1().with_text("Hello"),
            ))
        }
    }
    let mut app = App::new();
    app.view("/", |_| Hello).name("home");
    app.view("/report", |_| Hello).interactive(false);
    app.http("/api/<id>", |_| HttpResponse::text("ok"))
        .name("api");
    app.http_async("/health", |_| async { HttpResponse::text("ok") });
    app
}

fn execute(app: App, args: &[&str]) -> String {
    let mut out = Vec::new();
    app.execute(parse(args), "127.0.0.1:0", &mut out)
        .unwrap_or_else(|error| panic!("{args:?} runs: {error}"));
    String::from_utf8(out).expect("UTF-8")
}

#[test]
fn routes_prints_pattern_name_and_kind() {
    expect_test::expect![[r#"
        PATTERN    NAME  KIND
        /          home  interactive view
        /report    -     non-interactive view
        /api/<id>  api   http
        /health    -     http async
    "#]]
    .assert_eq(&execute(app(), &["routes"]));
}

#[test]
fn settings_prints_code_then_files_as_toml() {
    let dir = TempDir::new("cli-settings");
    let file = dir.write("settings.toml", "MAX_BODY_SIZE = 1000\n");
    let mut app = app();
    app.settings.title = "From code".to_owned();
    let file = file.to_string_lossy().into_owned();
    let printed = execute(app, &["settings", "-s", &file]);
    assert!(printed.contains("title = \"From code\"\n"), "{printed}");
    assert!(printed.contains("max_body_size = 1000\n"), "{printed}");
    assert!(printed.contains("max_runtime_threads = 6\n"), "{printed}");
}

#[test]
fn settings_file_errors_stop_the_command() {
    let error = app()
        .execute(
            parse(&["settings", "-s", "/nonexistent/lona.toml"]),
            "127.0.0.1:0",
            &mut Vec::new(),
        )
        .expect_err("a missing file stops it");
    assert!(
        matches!(error, crate::ServerError::Settings(_)),
        "{error:?}"
    );
}

#[test]
fn host_and_port_replace_parts_of_the_default_address() {
    use super::listen_addr;
    assert_eq!(listen_addr("127.0.0.1:8080", None, None), "127.0.0.1:8080");
    assert_eq!(
        listen_addr("127.0.0.1:8080", None, Some(9000)),
        "127.0.0.1:9000"
    );
    assert_eq!(
        listen_addr("127.0.0.1:8080", Some("0.0.0.0"), None),
        "0.0.0.0:8080"
    );
    assert_eq!(
        listen_addr("127.0.0.1:8080", Some("::1"), Some(1)),
        "[::1]:1"
    );
}

#[cfg(feature = "shell")]
#[test]
fn shell_takes_a_file_url_json_and_one_command() {
    assert_eq!(
        parse(&["shell", "file:///run/app.sock", "--json", "stop", "7"]),
        Command::Shell {
            socket: PathBuf::from("/run/app.sock"),
            json: true,
            command: Some("stop 7".to_owned()),
        }
    );
    assert_eq!(
        parse(&["shell", "file:///run/app.sock"]),
        Command::Shell {
            socket: PathBuf::from("/run/app.sock"),
            json: false,
            command: None,
        }
    );
    assert!(Command::parse_from(["my-app", "shell", "tcp://127.0.0.1:1"]).is_err());
}

#[test]
fn collect_static_prints_each_step_and_a_dry_run_changes_nothing() {
    let dir = TempDir::new("cli-collect");
    let dest = dir.join("static");
    let dest_arg = dest.to_string_lossy().into_owned();

    let planned = execute(app(), &["collect-static", &dest_arg, "--dry-run"]);
    assert!(!dest.exists(), "a dry run creates nothing");
    let last = planned.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("lona: would collect (dry run"),
        "{planned}"
    );
    assert!(
        planned
            .lines()
            .any(|line| line.starts_with("cp embedded:lona/lona.js ")),
        "{planned}"
    );

    let done = execute(app(), &["collect-static", &dest_arg]);
    assert!(dest.join("lona/lona.js").exists());
    let steps = |text: &str| -> Vec<String> {
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        lines.pop();
        lines
    };
    assert_eq!(
        steps(&planned),
        steps(&done),
        "the dry run said what was done"
    );

    let silent = execute(app(), &["collect-static", &dest_arg, "--clean", "--silent"]);
    assert_eq!(silent.lines().count(), 1, "{silent}");
    assert!(silent.starts_with("lona: collected "), "{silent}");
}
