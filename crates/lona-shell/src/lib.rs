//! The admin shell's client: [`attach`], what `my-app shell file://PATH` runs (one command, or
//! an interactive prompt with line editing and history), and [`request`], one command and its
//! answer, for scripts and tests.
//!
//! It speaks the shell's line protocol (`docs/shell.md`) over the server's unix socket and
//! knows nothing else of the server: the server answers, formats and limits.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::time::Duration;

use serde_json::Value as Json;

/// Sends one command to the shell at `path` and returns the answer: with `json`, the one
/// JSON line (`{"ok":true,"result":...}` or `{"ok":false,"error":"..."}`), else the text
/// without its closing empty line.
///
/// # Errors
///
/// The socket cannot be reached or closes before the answer ends.
pub fn request(path: &Path, command: &str, json: bool) -> std::io::Result<String> {
    let stream = std::os::unix::net::UnixStream::connect(path)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    ask(&mut &stream, &mut reader, command, json)
}

fn ask(
    write: &mut impl Write,
    read: &mut impl BufRead,
    command: &str,
    json: bool,
) -> std::io::Result<String> {
    let command = command.trim();
    if command.contains('\n') {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "one command per line",
        ));
    }
    if json {
        writeln!(write, "json {command}")?;
    } else {
        writeln!(write, "{command}")?;
    }
    write.flush()?;
    let mut answer = String::new();
    loop {
        let mut line = String::new();
        if read.read_line(&mut line)? == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the shell closed the connection",
            ));
        }
        if json {
            return Ok(line.trim_end().to_owned());
        }
        if line == "\n" {
            return Ok(answer);
        }
        answer.push_str(&line);
    }
}

/// The `shell` command of a command line: attaches to the admin shell at `path`. With
/// `command`, sends it, prints the answer (one JSON line with `json`) and returns; a command
/// the server refused is an error then, so the caller can exit non-zero. Without, reads
/// commands with line editing and history (kept in `$HOME/.lona_shell_history`) until
/// end of input or `exit`.
///
/// # Errors
///
/// The socket cannot be reached, it closes, or (one command) the server refused the command.
#[allow(
    clippy::print_stdout,
    reason = "the shell client prints its answers for a person or a script"
)]
pub fn attach(path: &Path, command: Option<&str>, json: bool) -> std::io::Result<()> {
    if let Some(command) = command {
        let answer = request(path, command, json)?;
        let failed = if json {
            serde_json::from_str::<Json>(&answer)
                .ok()
                .and_then(|a| a.get("ok").and_then(Json::as_bool))
                != Some(true)
        } else {
            answer.starts_with("error: ")
        };
        print!("{answer}");
        if json {
            println!();
        }
        if failed {
            return Err(std::io::Error::other(format!("`{command}` failed")));
        }
        return Ok(());
    }
    let stream = std::os::unix::net::UnixStream::connect(path)?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut editor = rustyline::DefaultEditor::new().map_err(std::io::Error::other)?;
    let history = std::env::var_os("HOME").map(|home| Path::new(&home).join(".lona_shell_history"));
    if let Some(history) = &history {
        // No history yet is the normal first run.
        let _ = editor.load_history(history);
    }
    println!(
        "lona shell on {} (`help` lists the commands, Ctrl-D leaves)",
        path.display()
    );
    loop {
        let line = match editor.readline("lona> ") {
            Ok(line) => line,
            Err(rustyline::error::ReadlineError::Interrupted) => continue,
            Err(rustyline::error::ReadlineError::Eof) => break,
            Err(error) => return Err(std::io::Error::other(error)),
        };
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if matches!(line, "exit" | "quit") {
            break;
        }
        let _ = editor.add_history_entry(line);
        let answer = ask(&mut &stream, &mut reader, line, json)?;
        print!("{answer}");
        if json {
            println!();
        }
    }
    if let Some(history) = &history
        && let Err(error) = editor.save_history(history)
    {
        tracing::debug!(%error, "cannot save the shell history");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_answer_ends_at_the_empty_line_and_a_json_answer_is_one_line() {
        let mut sent = Vec::new();
        let mut read = "a  b\n1  2\n\nnext\n".as_bytes();
        let answer = ask(&mut sent, &mut read, " views ", false).expect("an answer");
        assert_eq!(answer, "a  b\n1  2\n");
        assert_eq!(sent, b"views\n");

        let mut sent = Vec::new();
        let mut read = "{\"ok\":true,\"result\":[]}\n".as_bytes();
        let answer = ask(&mut sent, &mut read, "views", true).expect("an answer");
        assert_eq!(answer, "{\"ok\":true,\"result\":[]}");
        assert_eq!(sent, b"json views\n");
    }

    #[test]
    fn two_lines_are_refused_and_a_closed_socket_is_an_error() {
        let mut read = "".as_bytes();
        let error = ask(&mut Vec::new(), &mut read, "a\nb", false).expect_err("refused");
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
        let error = ask(&mut Vec::new(), &mut read, "views", false).expect_err("closed");
        assert_eq!(error.kind(), std::io::ErrorKind::UnexpectedEof);
    }
}
