//! Tests for the benchmark summary: reading a fake criterion directory and rendering the table.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use test_support::TempDir;

use super::{
    NANOSECONDS, Row, Snapshot, criterion_rows, format_change, format_figure, render, tsv_rows,
};

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A criterion `estimates.json` reduced to the fields criterion always writes around the median.
fn estimates(median: f64) -> String {
    format!(
        r#"{{"mean":{{"confidence_interval":{{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":2.0}},"point_estimate":{median},"standard_error":0.1}},"median":{{"confidence_interval":{{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":2.0}},"point_estimate":{median},"standard_error":0.1}},"median_abs_dev":null,"slope":null,"std_dev":null}}"#
    )
}

#[test]
fn reads_fake_criterion_directory_and_renders_table() {
    let tmp = TempDir::new("xtask-bench-summary");
    let criterion = tmp.join("criterion");

    // A parameterised bench with a saved baseline `main`; the directory name is sanitized but
    // benchmark.json carries the real id.
    let keyed = criterion.join("html_diff/keyed/1000");
    write(&keyed.join("new/estimates.json"), &estimates(12_345.0));
    write(
        &keyed.join("new/benchmark.json"),
        r#"{"group_id":"html","function_id":"diff","value_str":"keyed_1000","throughput":null,"full_id":"html/diff/keyed_1000","directory_name":"html_diff/keyed/1000","title":"html/diff/keyed_1000"}"#,
    );
    write(&keyed.join("main/estimates.json"), &estimates(13_000.0));
    write(&keyed.join("base/estimates.json"), &estimates(1.0));

    // No benchmark.json: the id falls back to the path; no `main` baseline for this one.
    let encode = criterion.join("protocol/encode");
    write(&encode.join("new/estimates.json"), &estimates(2_500_000.0));

    // benchmark.json without full_id (older criterion): id built from its parts.
    let render_dir = criterion.join("html/render");
    write(&render_dir.join("new/estimates.json"), &estimates(950.0));
    write(
        &render_dir.join("new/benchmark.json"),
        r#"{"group_id":"html","function_id":"render"}"#,
    );

    // Report pages are never results, even if they contain a look-alike file.
    write(
        &criterion.join("report/new/estimates.json"),
        &estimates(1.0),
    );

    let rows = criterion_rows(&criterion, Some("main"), None).unwrap();
    assert_eq!(
        rows,
        vec![
            Row::new(
                "html/diff/keyed_1000".to_owned(),
                12_345.0,
                NANOSECONDS,
                Some(13_000.0)
            ),
            Row::new("html/render".to_owned(), 950.0, NANOSECONDS, None),
            Row::new("protocol/encode".to_owned(), 2_500_000.0, NANOSECONDS, None),
        ]
    );

    assert_eq!(
        render(&rows),
        "\
| bench | figure | baseline | vs baseline | target |
|---|---:|---:|---:|---|
| html/diff/keyed_1000 | 12.35 µs | 13.00 µs | -5.0% | - |
| html/render | 950.0 ns | - | - | - |
| protocol/encode | 2.50 ms | - | - | - |
"
    );
}

#[test]
fn skips_results_the_run_did_not_write() {
    let tmp = TempDir::new("xtask-bench-summary-stale");
    let criterion = tmp.join("criterion");
    let rewritten = criterion.join("html/rewritten/new/estimates.json");
    let stale = criterion.join("html/stale/new/estimates.json");
    let added = criterion.join("html/added/new/estimates.json");
    let long_ago = UNIX_EPOCH + Duration::from_secs(1_000_000);
    for path in [&rewritten, &stale] {
        write(path, &estimates(10.0));
        set_modified(path, long_ago);
    }

    let before = Snapshot::take(&criterion).unwrap();
    write(&rewritten, &estimates(20.0));
    set_modified(&rewritten, long_ago + Duration::from_secs(1));
    write(&added, &estimates(30.0));

    let rows = criterion_rows(&criterion, None, Some(&before)).unwrap();
    let ids: Vec<&str> = rows.iter().map(|row| row.id.as_str()).collect();
    assert_eq!(ids, ["html/added", "html/rewritten"]);
    assert_eq!(rows[1].figure, 20.0);
}

fn set_modified(path: &Path, time: SystemTime) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(time)
        .unwrap();
}

#[test]
fn missing_criterion_directory_gives_no_rows() {
    let tmp = TempDir::new("xtask-bench-summary-empty");
    assert!(
        criterion_rows(&tmp.join("criterion"), None, None)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn rows_from_other_sources_share_the_table() {
    // A later load-generator scenario reports throughput, not time.
    let rows = vec![
        Row::new(
            "e2e/roundtrip/p99".to_owned(),
            1_500_000.0,
            NANOSECONDS,
            Some(1_000_000.0),
        ),
        Row::new(
            "e2e/load/throughput".to_owned(),
            12_345.6,
            "req/s",
            Some(12_000.0),
        ),
    ];
    assert_eq!(
        render(&rows),
        "\
| bench | figure | baseline | vs baseline | target |
|---|---:|---:|---:|---|
| e2e/load/throughput | 12346 req/s | 12000 req/s | +2.9% | - |
| e2e/roundtrip/p99 | 1.50 ms | 1.00 ms | +50.0% | - |
"
    );
}

#[test]
fn formats_human_units_and_changes() {
    assert_eq!(format_figure(12.34, NANOSECONDS), "12.3 ns");
    assert_eq!(format_figure(1_234.0, NANOSECONDS), "1.23 µs");
    assert_eq!(format_figure(1_234_567.0, NANOSECONDS), "1.23 ms");
    assert_eq!(format_figure(2_500_000_000.0, NANOSECONDS), "2.50 s");
    assert_eq!(format_figure(3.5, "req/s"), "3.50 req/s");
    assert_eq!(format_change(1.0), "+0.0%");
    assert_eq!(format_change(0.9996), "+0.0%");
    assert_eq!(format_change(0.5), "-50.0%");
    assert_eq!(format_change(1.25), "+25.0%");
}

#[test]
fn reads_rows_that_other_benches_wrote() {
    let dir = TempDir::new("xtask-tsv-rows");
    write(
        &dir.join("memory.tsv"),
        "runtime/memory_per_async_view/10000\t4893\tbytes\t11674\nruntime/memory_per_blocking_view/1000\t11674\tbytes\t\n",
    );
    write(&dir.join("notes.txt"), "ignored");
    let rows = tsv_rows(dir.path()).expect("rows parse");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].id, "runtime/memory_per_async_view/10000");
    assert_eq!(rows[0].unit, "bytes");
    assert_eq!(rows[0].baseline, Some(11674.0));
    assert!(
        rows[0]
            .ratio
            .is_some_and(|r| (r - 4893.0 / 11674.0).abs() < 1e-9)
    );
    assert_eq!(rows[1].baseline, None);
    write(&dir.join("bad.tsv"), "id\tnot-a-number\tbytes\n");
    assert!(tsv_rows(dir.path()).is_err());
    assert!(
        tsv_rows(&dir.join("missing"))
            .expect("a missing dir has no rows")
            .is_empty()
    );
}

#[test]
fn in_run_baselines_show_a_ratio_and_targets_say_whether_they_were_met() {
    use super::Target;
    let rows = vec![
        Row::beside(
            "server/click/p50".to_owned(),
            90_000.0,
            NANOSECONDS,
            45_000.0,
        )
        .with_target(Some(Target::RatioAtMost(2.0))),
        Row::new(
            "html/render/10000".to_owned(),
            1_200_000.0,
            NANOSECONDS,
            None,
        )
        .with_target(Some(Target::AtMost(1_000_000.0))),
        Row::beside("server/hello/rps".to_owned(), 8_000.0, "req/s", 10_000.0)
            .with_target(Some(Target::RatioAtLeast(0.7))),
    ];
    assert_eq!(
        render(&rows),
        "\
| bench | figure | baseline | vs baseline | target |
|---|---:|---:|---:|---|
| html/render/10000 | 1.20 ms | - | - | ≤ 1.00 ms: MISSED |
| server/click/p50 | 90.00 µs | 45.00 µs | 2.00x | ≤ 2x baseline: met |
| server/hello/rps | 8000 req/s | 10000 req/s | 0.80x | ≥ 0.7x baseline: met |
"
    );
}

#[test]
fn saved_rows_read_back_with_their_figures() {
    let dir = TempDir::new("xtask-saved-rows");
    let rows = vec![
        Row::new(
            "e2e/click_p99/100views_1hz".to_owned(),
            524_290.0,
            NANOSECONDS,
            None,
        ),
        Row::beside("e2e/hello/16conn".to_owned(), 43_470.5, "req/s", 55_272.0),
    ];
    let file = dir.join("main.tsv");
    write(&file, &super::to_tsv(&rows));
    let back = super::tsv_rows_of(&file).expect("the saved rows parse");
    let figures: Vec<(&str, f64, &str)> = back
        .iter()
        .map(|r| (r.id.as_str(), r.figure, r.unit.as_str()))
        .collect();
    assert_eq!(
        figures,
        [
            ("e2e/click_p99/100views_1hz", 524_290.0, "ns"),
            ("e2e/hello/16conn", 43_470.5, "req/s")
        ]
    );
    assert!(
        super::tsv_rows_of(&dir.join("missing.tsv"))
            .expect("no file, no rows")
            .is_empty()
    );
}
