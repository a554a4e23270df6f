//! What the test process logged, as text, for tests that check a log line: one `tracing`
//! subscriber per process, installed by the first `log()`.

use std::io::Write;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// What the process logged, as text: one subscriber per process (nextest runs each test in a
/// process of its own; under `cargo test` the tests share it and tell their lines apart by a
/// marker in the messages).
#[derive(Clone, Default)]
pub(crate) struct Log(Arc<Mutex<Vec<u8>>>);

impl Write for Log {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub(crate) fn log() -> &'static Log {
    static LOG: OnceLock<Log> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = Log::default();
        let writer = log.clone();
        let _ = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .with_max_level(tracing_subscriber::filter::LevelFilter::INFO)
            .try_init();
        log
    })
}

impl Log {
    pub(crate) fn lines(&self) -> Vec<String> {
        String::from_utf8_lossy(&self.0.lock())
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// Waits (polling, with a deadline) until a line holds `text`; all lines then.
    pub(crate) fn wait_for(&self, text: &str) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let lines = self.lines();
            if lines.iter().any(|line| line.contains(text)) {
                return lines;
            }
            assert!(Instant::now() < deadline, "no log line holds {text}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
