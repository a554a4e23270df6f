//! A deployment as the seeds describe it: `collect-static` output is nginx's document root for
//! `/static/`, and nginx proxies everything else to the app. nginx (Debian's package) is started
//! by the test on a free loopback port with a generated configuration.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use lona::prelude::*;
use lona::statics::StaticFile;

use test_support::TempDir;

pub(crate) const SKIP_VAR: &str = "LONA_SKIP_NGINX_TESTS";

struct Hello;

impl View for Hello {
    fn handle_request(&self, _cx: &Context, _request: &Request) -> ViewResult {
        Ok(Response::Node(tags::h1().with_text("Hello")))
    }
}

/// nginx running in the foreground; stopped when dropped.
pub(crate) struct Nginx(Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGKILL would orphan the worker processes; SIGTERM makes the master stop them.
        test_support::terminate(&mut self.0);
    }
}

/// nginx, or `None` if it is not installed and its tests are skipped.
pub(crate) fn nginx_binary() -> Option<PathBuf> {
    test_support::installed(&["/usr/sbin/nginx", "/usr/bin/nginx"], "nginx", SKIP_VAR)
}

pub(crate) fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binds");
    listener.local_addr().expect("an address").port()
}

fn start_nginx(binary: &Path, prefix: &Path, port: u16, root: &Path, app: &str) -> Nginx {
    let site = format!(
        r#"server {{
        listen 127.0.0.1:{port};
        location /static/ {{ alias {root}/; }}
        location / {{
            proxy_pass http://{app};
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_set_header Host $host;
        }}
    }}"#,
        root = root.display(),
    );
    run_nginx(binary, prefix, port, &site)
}

/// Starts nginx in the foreground with everything it writes under `prefix`, `site` (upstreams,
/// maps, servers) in its http block, and waits until `port` accepts connections.
pub(crate) fn run_nginx(binary: &Path, prefix: &Path, port: u16, site: &str) -> Nginx {
    for dir in ["body", "proxy", "fastcgi", "uwsgi", "scgi"] {
        std::fs::create_dir_all(prefix.join(dir)).expect("creates nginx's temp dirs");
    }
    let p = prefix.display();
    let config = format!(
        r#"daemon off;
worker_processes 1;
error_log {p}/error.log;
pid {p}/nginx.pid;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {p}/body;
    proxy_temp_path {p}/proxy;
    fastcgi_temp_path {p}/fastcgi;
    uwsgi_temp_path {p}/uwsgi;
    scgi_temp_path {p}/scgi;
{site}
}}
"#
    );
    let conf = prefix.join("nginx.conf");
    std::fs::write(&conf, config).expect("writes the config");
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
        .expect("nginx starts");
    let nginx = Nginx(child);
    // nginx is ready when its port accepts connections.
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "nginx did not listen: {}",
            std::fs::read_to_string(prefix.join("error.log")).unwrap_or_default()
        );
        std::thread::yield_now();
    }
    nginx
}

/// A GET; returns the status and the body.
fn get(addr: &str, path: &str) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).expect("connects");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).expect("writes");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("reads");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header end")
        + 4;
    let head = String::from_utf8_lossy(&raw[..split]);
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = raw[split..].to_vec();
    // nginx's proxied answers may be chunked; this test reads static files (never chunked)
    // and only checks that a proxied page arrives.
    (status, body)
}

#[test]
fn collect_static_output_is_the_document_root_nginx_serves() {
    let Some(binary) = nginx_binary() else {
        return;
    };
    let files = TempDir::new("static-src");
    std::fs::create_dir_all(files.join("css")).expect("creates");
    std::fs::write(files.join("css/app.css"), "body { margin: 0; }").expect("writes");
    std::fs::write(
        files.join("logo.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    )
    .expect("writes");

    let build_app = || {
        let mut app = App::new();
        app.view("/", |_| Hello);
        app.settings.static_dirs = vec![files.path().to_path_buf()];
        app.static_file(StaticFile::css("app", "css/app.css"));
        app
    };
    let collected = TempDir::new("collected");
    let manifest = build_app()
        .collect_static(collected.path(), true)
        .expect("collect-static works");
    assert!(
        manifest.files.contains_key("lona/lona.js"),
        "{:?}",
        manifest.files
    );

    let app = build_app().spawn("127.0.0.1:0").expect("the app starts");
    let app_addr = app.local_addr().to_string();
    let prefix = TempDir::new("nginx");
    let port = free_port();
    let _nginx = start_nginx(&binary, prefix.path(), port, collected.path(), &app_addr);
    let nginx_addr = format!("127.0.0.1:{port}");

    // Every collected file, under its plain and its hashed name, is what the app serves.
    let mut compared = 0;
    for (plain, hashed) in &manifest.files {
        for name in [plain, hashed] {
            let url = format!("/static/{name}");
            let (app_status, app_body) = get(&app_addr, &url);
            let (nginx_status, nginx_body) = get(&nginx_addr, &url);
            assert_eq!((app_status, nginx_status), (200, 200), "{url}");
            assert!(
                app_body == nginx_body,
                "{url}: nginx serves other bytes than the app"
            );
            compared += 1;
        }
    }
    assert!(compared >= 4, "compared {compared} files");

    // Everything else reaches the app through the proxy: the frontend page.
    let (status, page) = get(&nginx_addr, "/");
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&page).contains("id=\"lona\""));
    app.shutdown();
}
