//! The admin shell's `views` (the running views with their accounting, sorted and cut as
//! asked) and `view ID` (one view's whole accounting, its latency histogram included).

use std::time::Duration;

use lona_protocol::RuntimeId;
use lona_runtime::{LATENCY_BUCKETS, LatencyHistogram, ViewState, ViewStats};
use serde_json::{Value as Json, json};

use super::Answer;
use crate::state::State;

const VIEWS_USAGE: &str =
    "usage: views [--sort id|memory|events|latency|bytes] [--limit N] (N from 1 on)";

/// What `views --sort` orders by: the id (oldest first), else the largest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SortKey {
    Id,
    Memory,
    Events,
    /// The 99th percentile's bucket bound, then the event count.
    Latency,
    Bytes,
}

impl SortKey {
    fn parse(word: &str) -> Option<SortKey> {
        Some(match word {
            "id" => SortKey::Id,
            "memory" => SortKey::Memory,
            "events" => SortKey::Events,
            "latency" => SortKey::Latency,
            "bytes" => SortKey::Bytes,
            _ => return None,
        })
    }
}

/// `views [--sort KEY] [--limit N]`, each at most once, in any order.
fn parse(args: &[&str]) -> Result<(SortKey, Option<usize>), String> {
    let (mut sort, mut limit) = (None, None);
    let mut words = args.iter();
    while let Some(&word) = words.next() {
        let Some(value) = words.next() else {
            return Err(format!("`{word}` needs a value; {VIEWS_USAGE}"));
        };
        match word {
            "--sort" if sort.is_none() => {
                sort = Some(
                    SortKey::parse(value)
                        .ok_or_else(|| format!("unknown sort key `{value}`; {VIEWS_USAGE}"))?,
                );
            }
            "--limit" if limit.is_none() => {
                let n = value
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| format!("`{value}` is not a limit; {VIEWS_USAGE}"))?;
                limit = Some(n);
            }
            "--sort" | "--limit" => return Err(format!("`{word}` given twice; {VIEWS_USAGE}")),
            _ => return Err(format!("unknown argument `{word}`; {VIEWS_USAGE}")),
        }
    }
    Ok((sort.unwrap_or(SortKey::Id), limit))
}

/// `views`: one line per view, sorted and cut as asked.
pub(super) fn views(state: &State, args: &[&str]) -> Answer {
    let (sort, limit) = match parse(args) {
        Ok(parsed) => parsed,
        Err(message) => return Answer::error(message),
    };
    let mut views = state.runtime.view_stats();
    match sort {
        SortKey::Id => {}
        SortKey::Memory => views.sort_by_key(|v| std::cmp::Reverse(v.memory.total())),
        SortKey::Events => views.sort_by_key(|v| std::cmp::Reverse(v.events)),
        SortKey::Latency => {
            views.sort_by_key(|v| std::cmp::Reverse((v.latency.quantile(0.99), v.latency.count())))
        }
        SortKey::Bytes => views.sort_by_key(|v| std::cmp::Reverse(v.bytes_sent)),
    }
    if let Some(limit) = limit {
        views.truncate(limit);
    }
    Answer(Ok(Json::Array(views.iter().map(line).collect())))
}

fn line(view: &ViewStats) -> Json {
    json!({
        "id": view.id.0,
        "route": view.route.as_deref(),
        "path": view.path,
        "session": view.session,
        "user": view.user.as_deref(),
        "age_seconds": view.age.as_secs(),
        "daemon": view.daemon,
        "state": view.state.name(),
        "windows": view.windows,
        "handlers": view.handlers,
        "stopped": matches!(view.state, ViewState::Stopped(_)),
        "events": view.events,
        "p50_ms": millis(view.latency.quantile(0.5)),
        "p99_ms": millis(view.latency.quantile(0.99)),
        "sent_bytes": view.bytes_sent,
        "memory_bytes": view.memory.total(),
    })
}

/// A latency bucket's bound in milliseconds; null for none (no events) and for the overflow
/// bucket (above about one second: `view ID` shows it).
fn millis(bound: Option<Duration>) -> Json {
    match bound {
        Some(bound) if bound != Duration::MAX => json!(bound.as_secs_f64() * 1000.0),
        _ => Json::Null,
    }
}

/// `view ID`: one view's whole accounting.
pub(super) fn view(state: &State, args: &[&str]) -> Answer {
    let [id] = args else {
        return Answer::error("usage: view VIEW_ID");
    };
    let Ok(id) = id.parse::<u64>() else {
        return Answer::error(format!("`{id}` is not a view id (a number, see `views`)"));
    };
    let Some(view) = state.runtime.view_stats_of(RuntimeId(id)) else {
        return Answer::error(format!("no running view {id}"));
    };
    let memory = view.memory;
    let mut answer = line(&view);
    if let Json::Object(map) = &mut answer {
        for (key, value) in [
            ("detached_windows", json!(view.detached_windows)),
            ("nodes", json!(memory.nodes)),
            ("tree_bytes", json!(memory.tree_bytes)),
            ("outbox_items", json!(memory.outbox_items)),
            ("outbox_bytes", json!(memory.outbox_bytes)),
            ("replay_bytes", json!(memory.replay_bytes)),
            ("view_bytes", json!(memory.view_bytes)),
            ("latency", latency_rows(&view.latency)),
        ] {
            map.insert(key.to_owned(), value);
        }
    }
    Answer(Ok(answer))
}

/// The histogram as rows: each bucket's bound and its events (`+Inf` for the overflow).
fn latency_rows(latency: &LatencyHistogram) -> Json {
    Json::Array(
        (0..LATENCY_BUCKETS)
            .map(|index| {
                let le = match LatencyHistogram::upper_bound(index) {
                    Some(bound) => json!(bound.as_secs_f64() * 1000.0),
                    None => json!("+Inf"),
                };
                json!({"le_ms": le, "events": latency.buckets[index]})
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_are_parsed_or_refused_clearly() {
        assert_eq!(parse(&[]), Ok((SortKey::Id, None)));
        assert_eq!(
            parse(&["--limit", "3", "--sort", "memory"]),
            Ok((SortKey::Memory, Some(3)))
        );
        assert_eq!(
            parse(&["--limit", "18446744073709551615"]),
            Ok((SortKey::Id, Some(usize::MAX))),
            "a huge limit shows every view"
        );
        for (args, says) in [
            (&["--sort", "colour"][..], "unknown sort key `colour`"),
            (&["--sort"][..], "`--sort` needs a value"),
            (&["--limit", "0"][..], "`0` is not a limit"),
            (&["--limit", "-1"][..], "`-1` is not a limit"),
            (
                &["--limit", "99999999999999999999999"][..],
                "is not a limit",
            ),
            (&["--limit", "ten"][..], "`ten` is not a limit"),
            (&["--sort", "id", "--sort", "memory"][..], "given twice"),
            (&["memory"][..], "`memory` needs a value"),
            (&["--colour", "red"][..], "unknown argument `--colour`"),
        ] {
            let error = parse(args).expect_err(says);
            assert!(error.contains(says), "{args:?}: {error}");
            assert!(error.contains("usage: views"), "{error}");
        }
    }

    #[test]
    fn latencies_show_in_milliseconds() {
        assert_eq!(millis(None), Json::Null);
        assert_eq!(millis(Some(Duration::MAX)), Json::Null);
        assert_eq!(millis(Some(Duration::from_micros(64))), json!(0.064));
        let rows = latency_rows(&LatencyHistogram::default());
        assert_eq!(rows.as_array().map(Vec::len), Some(LATENCY_BUCKETS));
        assert_eq!(rows[LATENCY_BUCKETS - 1]["le_ms"], json!("+Inf"));
    }
}
