//! The Apache2 deployment of docs/deployment.md, run for real: two lona servers sharing
//! channels through Redis behind Apache's balancer with its sticky `ROUTEID` cookie, using the
//! site file of docs/deployment/apache.conf rendered with the test's ports and folders.

use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use lona_test::{Session, TestClient};

use crate::deployed::{
    TIMEOUT, TwoProcesses, get, issued_session, kill_under, process_of, start_two_processes,
};
use crate::nginx::free_port;
use test_support::TempDir;

/// Set to `1` to skip this test when Apache2 is not installed.
const SKIP_VAR: &str = "LONA_SKIP_APACHE_TESTS";
const SITE: &str = include_str!("../../docs/deployment/apache.conf");
const MODULES: &str = "/usr/lib/apache2/modules";

/// Apache in the foreground; stopped (SIGTERM, so it stops its children) when dropped.
struct Apache(Child);

impl Drop for Apache {
    fn drop(&mut self) {
        test_support::terminate(&mut self.0);
    }
}

/// Apache2, or `None` if it is not installed and its tests are skipped.
fn apache_binary() -> Option<PathBuf> {
    test_support::installed(
        &["/usr/sbin/apache2", "/usr/sbin/httpd"],
        "apache2",
        SKIP_VAR,
    )
}

/// docs/deployment/apache.conf with the test's addresses and folders, after the server-wide
/// lines Debian's apache2.conf and `a2enmod` would give.
fn render_config(backends: [SocketAddr; 2], port: u16, collected: &Path, prefix: &Path) -> String {
    let replacements = [
        ("127.0.0.1:8101", backends[0].to_string()),
        ("127.0.0.1:8102", backends[1].to_string()),
        (
            "<VirtualHost *:80>",
            format!("<VirtualHost 127.0.0.1:{port}>"),
        ),
        ("/srv/my-app/static/", format!("{}/", collected.display())),
    ];
    let mut site = SITE.to_owned();
    for (from, to) in replacements {
        assert!(
            site.contains(from),
            "docs/deployment/apache.conf lost `{from}`"
        );
        site = site.replace(from, &to);
    }
    let p = prefix.display();
    let mut config = String::new();
    for (name, file) in [
        ("mpm_event", "mod_mpm_event.so"),
        ("authz_core", "mod_authz_core.so"),
        ("mime", "mod_mime.so"),
        ("alias", "mod_alias.so"),
        ("headers", "mod_headers.so"),
        ("rewrite", "mod_rewrite.so"),
        ("proxy", "mod_proxy.so"),
        ("proxy_http", "mod_proxy_http.so"),
        ("proxy_wstunnel", "mod_proxy_wstunnel.so"),
        ("slotmem_shm", "mod_slotmem_shm.so"),
        ("proxy_balancer", "mod_proxy_balancer.so"),
        ("lbmethod_byrequests", "mod_lbmethod_byrequests.so"),
    ] {
        config.push_str(&format!("LoadModule {name}_module {MODULES}/{file}\n"));
    }
    config.push_str(&format!(
        "ServerName 127.0.0.1\nListen 127.0.0.1:{port}\nPidFile {p}/httpd.pid\n\
         ErrorLog {p}/error.log\nDefaultRuntimeDir {p}\nMutex file:{p}\n\
         TypesConfig /etc/mime.types\nLogLevel warn\n{site}"
    ));
    config
}

fn start_apache(binary: &Path, prefix: &Path, port: u16, config: &str) -> Apache {
    let conf = prefix.join("httpd.conf");
    std::fs::write(&conf, config).expect("writes the config");
    let child = Command::new(binary)
        .arg("-f")
        .arg(&conf)
        .arg("-DFOREGROUND")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("apache starts");
    let apache = Apache(child);
    let deadline = Instant::now() + TIMEOUT;
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "apache did not listen: {}",
            std::fs::read_to_string(prefix.join("error.log")).unwrap_or_default()
        );
        std::thread::yield_now();
    }
    apache
}

/// Which process answers `/whoami` through Apache, and the `ROUTEID` Apache set, if any.
fn whoami(apache: SocketAddr, cookie: Option<&str>) -> (String, Option<String>) {
    let (status, head, body) = get(apache, "/whoami", cookie);
    assert_eq!(status, 200, "{head}");
    let body = String::from_utf8_lossy(&body);
    let process = ["process-a", "process-b"]
        .into_iter()
        .find(|p| body.contains(p))
        .unwrap_or_else(|| panic!("no process in {body}"));
    let route = head
        .lines()
        .filter_map(|line| line.strip_prefix("set-cookie: "))
        .find(|c| c.starts_with("routeid="))
        .and_then(|c| c.split(';').next())
        .map(|c| c.replacen("routeid", "ROUTEID", 1));
    (process.to_owned(), route)
}

#[test]
fn two_processes_behind_apache_stick_by_routeid_share_channels_and_survive_a_kill() {
    let Some(binary) = apache_binary() else {
        return;
    };
    let Some(TwoProcesses {
        _redis,
        _files,
        collected,
        hashed_css,
        mut a,
        b,
    }) = start_two_processes("apache")
    else {
        return;
    };
    let prefix = TempDir::new("apache");
    let port = free_port();
    let config = render_config(
        [a.local_addr(), b.local_addr()],
        port,
        collected.path(),
        prefix.path(),
    );
    let _apache = start_apache(&binary, prefix.path(), port, &config);
    let apache = SocketAddr::from(([127, 0, 0, 1], port));

    // Static files come from the collected folder through Apache; lona does not serve them.
    let (status, head, body) = get(apache, &format!("/static/{hashed_css}"), None);
    assert_eq!(status, 200, "{head}");
    assert_eq!(body, b"body { margin: 0; }");
    assert!(head.contains("immutable"), "{head}");

    // The first answer names the process in ROUTEID; with it, every request goes there.
    let (first, route) = whoami(apache, None);
    let route = route.expect("apache sets ROUTEID on the first answer");
    for _ in 0..5 {
        assert_eq!(whoami(apache, Some(&route)).0, first);
    }
    // Sessions the app issued, each with the route that pins it to a process.
    let session = |route: &str| {
        let issued = issued_session(apache, Some(route));
        Session::from_cookie(format!("{route}; {issued}"))
    };
    let (ada_session, bob_session) = (session("ROUTEID=.1"), session("ROUTEID=.2"));
    let open = |session: &Session| {
        TestClient::connect(apache, "/", Some(session), TIMEOUT)
            .expect("a tab opens through apache")
    };
    let mut ada = open(&ada_session);
    let mut bob = open(&bob_session);
    assert_eq!(process_of(&mut ada), "process-a");
    assert_eq!(process_of(&mut bob), "process-b");

    // A message published in process A reaches the view in process B through Redis.
    ada.wait_for_selector("#send").expect("ada's view");
    bob.wait_for_selector("#send").expect("bob's view");
    ada.click("#send").expect("ada publishes");
    bob.wait_for_node_text("#lines", "from process-a;")
        .expect("the message crosses to process b");

    // Process A is killed (SIGKILL): its tab sees the socket close instead of hanging, and
    // the session reconnects through Apache, which fails over to process B.
    kill_under(&mut a, &mut ada);
    let mut ada = open(&ada_session);
    assert_eq!(process_of(&mut ada), "process-b");
    assert!(
        ada.text("#lines").unwrap_or_default().is_empty(),
        "the view is a fresh one"
    );
}
