//! Logging: the request line every HTTP request writes (target `lona::http`), and
//! [`init_logging`], the opt-in subscriber for apps that have none. The library never installs
//! a subscriber by itself: an app that has its own (JSON, OpenTelemetry...) keeps it.

use std::net::SocketAddr;
use std::time::Duration;

use lona_runtime::Untrusted;

/// Installs a `tracing-subscriber` fmt subscriber on stderr as the global default, filtered
/// by `RUST_LOG` (`info` if unset or invalid), e.g. `RUST_LOG=lona::http=warn,info`. Returns
/// `false` if a global subscriber was installed already; that one stays.
pub fn init_logging() -> bool {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init()
        .is_ok()
}

/// Writes the request line of one answered request: one `info` event per request, so that an
/// access log is a `RUST_LOG` filter away. `micros` is the time to the response head; a
/// streamed file body is still being sent then.
pub(crate) fn request_line(
    method: &str,
    path: &str,
    status: u16,
    elapsed: Duration,
    peer: SocketAddr,
) {
    let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
    // Both come from the client: a path may be kilobytes long.
    let (method, path) = (Untrusted(method), Untrusted(path));
    tracing::info!(target: "lona::http", ?method, ?path, status, micros, %peer, "request");
}

/// Replaces the standard panic message (several lines on stderr, outside the log, and a whole
/// backtrace when `RUST_BACKTRACE` is set) by one `error` event of target `lona::panic`: the
/// message, escaped, and where it happened; the backtrace only when `RUST_BACKTRACE` (or
/// `RUST_LIB_BACKTRACE`) asks for one. Views and handlers panic on the pools, which catch and
/// count the panic and go on, so a client that can make code panic must not be able to flood
/// the log. Panics on other threads, or without a tracing subscriber, print as before.
/// Installed once, at start.
pub(crate) fn install_panic_hook() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            // Only lona's own threads (the pools, `lona-io`) run code whose panics are caught
            // and survived; a panic elsewhere (the app's `main`, a test) prints as it always did.
            let lona_thread = std::thread::current()
                .name()
                .is_some_and(|name| name.starts_with("lona-"));
            let logging = tracing::dispatcher::get_default(|dispatch| {
                !dispatch.is::<tracing::subscriber::NoSubscriber>()
            });
            if !lona_thread || !logging {
                previous(info);
                return;
            }
            let message = lona_runtime::panic_message(info.payload());
            let location = info
                .location()
                .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
                .unwrap_or_default();
            let thread = std::thread::current();
            let thread = thread.name().unwrap_or("unnamed");
            let backtrace = std::backtrace::Backtrace::capture();
            let panic = lona_runtime::Untrusted(&message);
            if backtrace.status() == std::backtrace::BacktraceStatus::Captured {
                tracing::error!(
                    target: "lona::panic",
                    %panic,
                    %location,
                    thread,
                    %backtrace,
                    "panicked"
                );
            } else {
                tracing::error!(target: "lona::panic", %panic, %location, thread, "panicked");
            }
        }));
    });
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::Arc;

    use parking_lot::Mutex;

    use super::*;

    /// A writer into a shared buffer, for the fmt subscriber.
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_request_lines_client_parts_are_escaped_and_cut_short() {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_max_level(tracing::Level::INFO)
            .finish();
        let long = format!("/x\n{}", "a".repeat(8000));
        tracing::subscriber::with_default(subscriber, || {
            let peer = SocketAddr::from(([127, 0, 0, 1], 4711));
            request_line("GET\r\nEVIL", &long, 200, Duration::ZERO, peer);
        });
        let text = String::from_utf8_lossy(&buffer.0.lock()).into_owned();
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(text.contains(r#"method="GET\r\nEVIL""#), "{text}");
        assert!(text.contains(r#"path="/x\naaa"#), "{text}");
        assert!(text.contains("more bytes)"), "{text}");
        assert!(text.len() < 1000, "{} bytes", text.len());
    }

    #[test]
    fn the_request_line_has_its_fields() {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_max_level(tracing::Level::INFO)
            .finish();
        // Scoped to this thread: the event is written on it, and no other test sees it.
        tracing::subscriber::with_default(subscriber, || {
            let peer = SocketAddr::from(([127, 0, 0, 1], 4711));
            request_line("GET", "/a?b", 404, Duration::from_micros(1234), peer);
        });
        let text = String::from_utf8_lossy(&buffer.0.lock()).into_owned();
        for part in [
            "INFO",
            "lona::http",
            "request",
            "method=\"GET\"",
            "path=\"/a?b\"",
            "status=404",
            "micros=1234",
            "peer=127.0.0.1:4711",
        ] {
            assert!(text.contains(part), "{part} missing from {text}");
        }
    }

    #[test]
    fn a_panic_on_a_lona_thread_is_one_escaped_line() {
        install_panic_hook();
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let thread = std::thread::Builder::new()
            .name("lona-test".to_owned())
            .spawn(move || {
                let subscriber = tracing_subscriber::fmt()
                    .with_writer(move || writer.clone())
                    .with_ansi(false)
                    .finish();
                tracing::subscriber::with_default(subscriber, || {
                    let caught = std::panic::catch_unwind(|| panic!("boom\nforged line"));
                    assert!(caught.is_err());
                });
            })
            .expect("a thread");
        thread.join().expect("the panic was caught");
        let text = String::from_utf8_lossy(&buffer.0.lock()).into_owned();
        let first = text.lines().next().unwrap_or_default();
        for part in ["ERROR", "lona::panic", "boom\\nforged line", "logging.rs:"] {
            assert!(first.contains(part), "{part} missing from {text}");
        }
        let asked = |var: &str| std::env::var(var).is_ok_and(|v| v != "0");
        if !asked("RUST_BACKTRACE") && !asked("RUST_LIB_BACKTRACE") {
            assert_eq!(text.lines().count(), 1, "{text}");
        }
    }
}
