//! The soaks' short forms. The hub: three simulated days of four kiosks through
//! the same binary the month-long run uses (`soak-hub`), so the long form
//! keeps working. The binary itself checks every event counted once and
//! the aggregates against the truth; this checks that it said so and drew
//! its curves. Memory and time are figures for docs/reliability.md, never
//! asserted here.

use std::path::Path;
use std::process::Command;

/// Run a soak binary with `args` (split at spaces) and its output in
/// `out`; its summary line.
fn soak(bin: &str, args: &str, out: &Path) -> serde_json::Value {
    let run = Command::new(bin)
        .args(args.split(' '))
        .args(["--sample-ms", "200", "--out"])
        .arg(out)
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{bin} failed:\n{log}");
    serde_json::from_slice(&run.stdout).expect("one JSON line")
}

#[test]
fn three_days_of_four_kiosks_count_everything_once_and_are_plotted() {
    let out_dir = tempfile::tempdir().unwrap();
    let summary = soak(
        env!("CARGO_BIN_EXE_soak-hub"),
        "--kiosks 4 --days 3 --events-per-day 60 --parcels-per-day 10 --update-every 2 --warm-up-days 1",
        out_dir.path(),
    );
    assert_eq!(summary["events"], 4 * 3 * (60 + 10 + 1), "{summary}");
    assert_eq!(summary["events_once"], true);
    assert_eq!(summary["tickets"], 4 * 3);
    assert_eq!(summary["catalog_versions"], 2, "one update mid-run, synced by all");
    assert_eq!(summary["report_s"].as_array().map(Vec::len), Some(7));
    let png = std::fs::read(out_dir.path().join("hub.png")).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    let csv = std::fs::read_to_string(out_dir.path().join("hub.csv")).unwrap();
    assert!(csv.lines().count() > 2, "samples were taken:\n{csv}");
}

/// The kiosk soak's short form: two simulated days of a few visits each,
/// with a catalog update between them, through `soak-kiosk`. The binary
/// checks every visit ended by the inactivity timer, every page shown and
/// every event held by the hub once.
#[test]
fn two_days_of_a_kiosk_end_every_visit_and_are_plotted() {
    let out_dir = tempfile::tempdir().unwrap();
    let summary = soak(
        env!("CARGO_BIN_EXE_soak-kiosk"),
        "--days 2 --visits-per-day 4 --request-every 2 --warm-up-days 1",
        out_dir.path(),
    );
    assert_eq!(summary["visits"], 8, "{summary}");
    assert_eq!(summary["requests"], 4);
    assert_eq!(summary["catalog_versions"], 2);
    let png = std::fs::read(out_dir.path().join("kiosk.png")).unwrap();
    assert_eq!(&png[1..4], b"PNG");
}
