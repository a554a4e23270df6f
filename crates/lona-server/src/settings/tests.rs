//! Tests of loading settings from TOML files and the environment, and of printing them.

use std::path::PathBuf;
use std::time::Duration;

use test_support::TempDir;

use super::{Settings, SettingsError};

fn env(vars: &[(&str, &str)]) -> Vec<(String, String)> {
    vars.iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

#[test]
fn later_file_overrides_earlier_one_and_code() {
    let dir = TempDir::new("settings-order");
    let first = dir.join("settings.toml");
    let second = dir.join("deployment.toml");
    std::fs::write(&first, "max_runtime_threads = 10\ntitle = \"first\"\n").expect("write");
    std::fs::write(&second, "max_runtime_threads = 20\n").expect("write");
    let mut settings = Settings {
        max_worker_threads: 7,
        ..Settings::default()
    };
    settings
        .load_files([&first, &second])
        .expect("both files load");
    assert_eq!(settings.max_runtime_threads, 20);
    assert_eq!(settings.title, "first");
    // Set in code, untouched by the files.
    assert_eq!(settings.max_worker_threads, 7);
}

#[test]
fn lona_upper_case_names_and_aliases_are_accepted() {
    let mut settings = Settings::default();
    settings
        .apply_toml(
            "MAX_RUNTIME_THREADS = 50\nMAX_WORKER_THREADS = 100\nSESSIONS_KEY_NAME = \"sid\"\n\
             BUCKETS_URL_PREFIX = \"/up/\"\nCLIENT_AUTO_RECONNECT = false\n\
             STATIC_DIRS = [\"static\", \"more\"]\nshutdown_timeout = 2.5\n",
            "settings.toml",
        )
        .expect("Lona's names load");
    assert_eq!(settings.max_runtime_threads, 50);
    assert_eq!(settings.max_worker_threads, 100);
    assert_eq!(settings.session_cookie_name, "sid");
    assert_eq!(settings.bucket_url_prefix, "/up/");
    assert!(!settings.client_auto_reconnect);
    assert_eq!(
        settings.static_dirs,
        [PathBuf::from("static"), PathBuf::from("more")]
    );
    assert_eq!(settings.shutdown_timeout, Duration::from_millis(2500));
}

#[test]
fn environment_overrides_files() {
    let mut settings = Settings::default();
    settings
        .apply_toml(
            "max_runtime_threads = 10\ntitle = \"file\"",
            "settings.toml",
        )
        .expect("loads");
    settings
        .apply_env(env(&[
            ("LONA_MAX_RUNTIME_THREADS", "50"),
            ("LONA_TITLE", "from env"),
            ("LONA_STATIC_FILES_DISABLED", "a.css, b.js"),
            ("LONA_SESSION_COOKIE_SECURE", "true"),
            ("LONA_SHUTDOWN_TIMEOUT", "0.5"),
            ("LONA_BUCKET_DIR", "/srv/buckets"),
            ("LONA_ALLOWED_ORIGINS", r#"["https://a.example"]"#),
            ("LONA_SHELL_SERVER_URL", "file:///run/lona.sock"),
            // Not settings: shared with tools and tests, so ignored.
            ("LONA_ADDR", "0.0.0.0:9000"),
            ("LONA_SKIP_BROWSER_TESTS", "1"),
            ("PATH", "/bin"),
        ]))
        .expect("the environment loads");
    assert_eq!(settings.max_runtime_threads, 50);
    assert_eq!(settings.title, "from env");
    assert_eq!(settings.static_files_disabled, ["a.css", "b.js"]);
    assert!(settings.session_cookie_secure);
    assert_eq!(settings.shutdown_timeout, Duration::from_millis(500));
    assert_eq!(settings.bucket_dir, Some(PathBuf::from("/srv/buckets")));
    assert_eq!(settings.allowed_origins, ["https://a.example"]);
    assert_eq!(
        settings.shell_server_url,
        Some(PathBuf::from("/run/lona.sock"))
    );
}

#[test]
fn unknown_key_names_key_and_file() {
    let dir = TempDir::new("settings-unknown");
    let path = dir.join("deployment.toml");
    std::fs::write(&path, "max_runtime_threads = 3\nMAX_RUNTIME_THREAD = 5\n").expect("write");
    let mut settings = Settings::default();
    let error = settings.load_file(&path).expect_err("a typo stops startup");
    assert!(
        matches!(&error, SettingsError::UnknownKey { key, .. } if key == "MAX_RUNTIME_THREAD"),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(message.contains("`MAX_RUNTIME_THREAD`"), "{message}");
    assert!(message.contains("deployment.toml"), "{message}");
    // Nothing of the refused file was applied.
    assert_eq!(settings.max_runtime_threads, 6);
}

#[test]
fn wrong_type_names_key_file_and_what_was_expected() {
    let mut settings = Settings::default();
    let error = settings
        .apply_toml("max_body_size = \"1 MB\"", "settings.toml")
        .expect_err("a string is not a size");
    assert_eq!(
        error.to_string(),
        "setting `max_body_size` in settings.toml: expected a non-negative integer, \
         found string \"1 MB\""
    );
    let error = settings
        .apply_toml("MAX_WORKER_THREADS = -1", "settings.toml")
        .expect_err("negative");
    assert!(
        error.to_string().contains("`MAX_WORKER_THREADS`"),
        "{error}"
    );
    let error = settings
        .apply_toml("static_dirs = [1]", "settings.toml")
        .expect_err("not paths");
    assert!(
        matches!(error, SettingsError::WrongType { .. }),
        "{error:?}"
    );
}

#[test]
fn wrong_type_in_environment_names_the_variable() {
    let mut settings = Settings::default();
    let error = settings
        .apply_env(env(&[("LONA_MAX_RUNTIME_THREADS", "many")]))
        .expect_err("not a number");
    assert_eq!(
        error.to_string(),
        "setting `max_runtime_threads` in environment variable LONA_MAX_RUNTIME_THREADS: \
         expected a non-negative integer, found \"many\""
    );
    let error = settings
        .apply_env(env(&[("LONA_CLIENT_AUTO_RECONNECT", "maybe")]))
        .expect_err("not a bool");
    assert!(error.to_string().contains("true or false"), "{error}");
}

#[test]
fn shell_server_url_must_be_a_file_url() {
    let mut settings = Settings::default();
    settings
        .apply_toml(r#"shell_server_url = "file://lona.sock""#, "settings.toml")
        .expect("a file URL");
    assert_eq!(settings.shell_server_url, Some(PathBuf::from("lona.sock")));
    let error = settings
        .apply_toml(r#"shell_server_url = "localhost:9000""#, "settings.toml")
        .expect_err("TCP is refused");
    assert!(error.to_string().contains("a file:// URL"), "{error}");
}

#[test]
fn syntax_error_and_missing_file_name_the_file() {
    let mut settings = Settings::default();
    let error = settings
        .apply_toml("max_body_size = ", "broken.toml")
        .expect_err("not TOML");
    assert!(
        error
            .to_string()
            .starts_with("broken.toml is not valid TOML"),
        "{error}"
    );
    let error = settings
        .load_file("/nonexistent/lona-settings.toml")
        .expect_err("no such file");
    assert!(
        error
            .to_string()
            .contains("/nonexistent/lona-settings.toml"),
        "{error}"
    );
}

#[test]
fn printed_settings_load_back_to_the_same_values() {
    let settings = Settings {
        max_runtime_threads: 50,
        static_dirs: vec![PathBuf::from("static")],
        shutdown_timeout: Duration::from_millis(1500),
        shell_server_url: Some(PathBuf::from("/run/lona.sock")),
        ..Settings::default()
    };
    let text = settings.to_toml();
    assert!(text.contains("max_runtime_threads = 50\n"), "{text}");
    assert!(
        text.contains("shell_server_url = \"file:///run/lona.sock\"\n"),
        "{text}"
    );
    assert!(text.contains("# bucket_dir is not set\n"), "{text}");
    let mut loaded = Settings::default();
    loaded
        .apply_toml(&text, "printed")
        .expect("what is printed loads");
    assert_eq!(loaded.to_toml(), text);
}

#[test]
fn every_setting_is_printed_once() {
    let text = Settings::default().to_toml();
    for name in Settings::names() {
        let lines = text
            .lines()
            .filter(|line| {
                line.starts_with(&format!("{name} = ")) || line.starts_with(&format!("# {name} "))
            })
            .count();
        assert_eq!(lines, 1, "{name} in\n{text}");
    }
}

#[test]
fn the_session_settings_load_and_the_secret_is_never_printed() {
    let mut settings = Settings::default();
    settings
        .apply_toml(
            "session_secret = \"0123456789abcdef0123456789abcdef\"\nsession_cookie_max_age = 3600\nmax_client_errors_per_minute = 3",
            "t.toml",
        )
        .expect("valid");
    assert_eq!(
        settings.session_cookie_max_age,
        Some(Duration::from_secs(3600))
    );
    assert_eq!(settings.max_client_errors_per_minute, 3);
    let printed = settings.to_toml();
    assert!(!printed.contains("0123456789abcdef"), "{printed}");
    assert!(
        printed.contains("# session_secret is set (not printed)"),
        "{printed}"
    );
    assert!(
        printed.contains("session_cookie_max_age = 3600"),
        "{printed}"
    );
    settings
        .apply_env([("LONA_SESSION_COOKIE_MAX_AGE".to_owned(), String::new())])
        .expect("empty is none");
    assert_eq!(settings.session_cookie_max_age, None);
}

#[test]
fn debug_output_names_every_setting_but_never_shows_the_session_secret() {
    let settings = Settings {
        session_secret: Some("k".repeat(40)),
        ..Settings::default()
    };
    let shown = format!("{settings:?}");
    assert!(!shown.contains(&"k".repeat(40)), "{shown}");
    assert!(
        shown.contains("session_secret: Some(\"(set, not shown)\")"),
        "{shown}"
    );
    for name in Settings::names() {
        assert!(
            shown.contains(&format!("{name}: ")),
            "{name} missing from {shown}"
        );
    }
}
