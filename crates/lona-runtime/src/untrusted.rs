//! [`Untrusted`]: how text a client sent is written into a log line, so that no client can
//! start a line of its own (log forgery) or fill the log with one message.

use std::fmt;

/// The most characters of one client string that reach a log line.
pub const UNTRUSTED_MAX_CHARS: usize = 256;

/// Displays a client's string escaped and truncated: control characters (newlines, carriage
/// returns, ANSI escapes) are written as Rust escapes (`\n`, `\u{1b}`), and after
/// [`UNTRUSTED_MAX_CHARS`] characters the rest is replaced by `…(N more bytes)`.
///
/// Log every string that came from a browser or a socket through it:
/// `tracing::warn!(message = %Untrusted(&text), "...")`.
#[derive(Clone, Copy)]
pub struct Untrusted<'a>(pub &'a str);

impl fmt::Display for Untrusted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut chars = self.0.char_indices();
        for (_, c) in chars.by_ref().take(UNTRUSTED_MAX_CHARS) {
            if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
                for escaped in c.escape_default() {
                    fmt::Write::write_char(f, escaped)?;
                }
            } else {
                fmt::Write::write_char(f, c)?;
            }
        }
        if let Some((at, _)) = chars.next() {
            write!(f, "…({} more bytes)", self.0.len() - at)?;
        }
        Ok(())
    }
}

impl fmt::Debug for Untrusted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newlines_and_escapes_cannot_start_a_line() {
        let forged = "oops\n2026-01-01T00:00:00Z  INFO lona::http: request path=/admin\r\u{1b}[2J";
        let shown = Untrusted(forged).to_string();
        assert!(!shown.contains('\n') && !shown.contains('\r') && !shown.contains('\u{1b}'));
        assert!(shown.starts_with("oops\\n2026"), "{shown}");
        assert!(shown.contains("\\u{1b}[2J"), "{shown}");
    }

    #[test]
    fn long_text_is_cut_with_what_was_left_out() {
        let long = "é".repeat(1000);
        let shown = Untrusted(&long).to_string();
        assert_eq!(
            shown.chars().filter(|c| *c == 'é').count(),
            UNTRUSTED_MAX_CHARS
        );
        assert!(shown.ends_with("…(1488 more bytes)"), "{shown}");
        assert_eq!(Untrusted("short").to_string(), "short");
    }
}
