//! Settings from TOML files, applied in order over the settings set in code, reach the running
//! server; a refused file stops startup with the key and file named; the command line runs
//! `collect-static` and `settings` with the same files; docs/settings.md lists every setting.

use lona::prelude::*;
use lona::server::Command;
use lona_test::TestServer;

use test_support::TempDir;

fn echo_app() -> App {
    let mut app = App::new();
    app.http("/echo", |request| {
        HttpResponse::text(format!("{} bytes", request.body().len()))
    });
    app
}

#[test]
fn body_limit_from_the_last_settings_file_gives_413() {
    let temp = TempDir::new("settings-413");
    let first = temp.write("settings.toml", "max_body_size = 1000\ntitle = \"Echo\"\n");
    let second = temp.write("deployment.toml", "MAX_BODY_SIZE = 500\n");
    let mut app = echo_app();
    app.settings.max_body_size = 10;
    app.settings
        .load_files([&first, &second])
        .expect("the files load");
    let server = TestServer::start(app);
    let answer = server
        .request("POST", "/echo", &[], &[b'x'; 501])
        .expect("POST");
    assert_eq!(answer.status, 413);
    let answer = server
        .request("POST", "/echo", &[], &[b'x'; 500])
        .expect("POST");
    assert_eq!((answer.status, answer.body.as_str()), (200, "500 bytes"));
}

#[test]
fn an_unknown_key_stops_startup_naming_key_and_file() {
    let temp = TempDir::new("settings-unknown");
    let file = temp.write("deployment.toml", "MAX_RUNTIME_THREAD = 50\n");
    let mut app = echo_app();
    let error: lona::Error = app
        .settings
        .load_file(&file)
        .expect_err("a typo is refused")
        .into();
    assert!(error.is_settings());
    let message = error.to_string();
    assert!(message.contains("`MAX_RUNTIME_THREAD`"), "{message}");
    assert!(message.contains("deployment.toml"), "{message}");
}

#[test]
fn command_line_collects_static_files_from_a_settings_file_folder() {
    let temp = TempDir::new("settings-collect");
    temp.write("static/app.css", "body { color: red }");
    let static_dir = temp.path().join("static");
    let settings = temp.write(
        "settings.toml",
        format!("STATIC_DIRS = [{:?}]\n", static_dir.to_string_lossy()),
    );
    let dest = temp.path().join("collected");
    let settings = settings.to_string_lossy().into_owned();
    let dest_arg = dest.to_string_lossy().into_owned();
    let command = Command::parse_from([
        "my-app",
        "collect-static",
        &dest_arg,
        "-s",
        &settings,
        "--clean",
    ])
    .expect("parses");
    let mut out = Vec::new();
    echo_app()
        .execute(command, "127.0.0.1:0", &mut out)
        .expect("collects");
    assert!(dest.join("app.css").is_file());
    let out = String::from_utf8_lossy(&out);
    let app_css = format!(" {}", dest.join("app.css").display());
    assert!(
        out.lines()
            .any(|line| line.starts_with("cp ") && line.ends_with(&app_css)),
        "each copy is printed: {out}"
    );
    let summary = out.lines().last().unwrap_or_default();
    assert!(summary.starts_with("lona: collected "), "{out}");
}

#[test]
fn command_line_prints_the_effective_settings() {
    let temp = TempDir::new("settings-print");
    let settings = temp.write("settings.toml", "CLIENT_PING_INTERVAL = 0\n");
    let settings = settings.to_string_lossy().into_owned();
    let command = Command::parse_from(["my-app", "settings", "-s", &settings]).expect("parses");
    let mut out = Vec::new();
    echo_app()
        .execute(command, "127.0.0.1:0", &mut out)
        .expect("prints");
    let out = String::from_utf8_lossy(&out);
    assert!(out.contains("client_ping_interval = 0\n"), "{out}");
}

#[test]
fn docs_list_every_setting_with_its_environment_variable() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/settings.md");
    let docs = std::fs::read_to_string(&path).expect("docs/settings.md");
    for name in lona::Settings::names() {
        let row = format!("| `{name}` |");
        let env = format!("`LONA_{}`", name.to_ascii_uppercase());
        assert!(
            docs.contains(&row),
            "docs/settings.md lacks a row for {name}"
        );
        assert!(docs.contains(&env), "docs/settings.md lacks {env}");
    }
}
