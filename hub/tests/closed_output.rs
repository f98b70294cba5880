//! A CLI whose reader went away (`hub report … | head`) ends quietly: exit
//! 0, nothing on stderr, no "Broken pipe" panic.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn a_report_piped_into_head_ends_quietly() {
    let data = tempfile::tempdir().unwrap();
    let dir = hub::store::DataDir::new(data.path()).unwrap();
    drop(hub::store::open_write(&dir).unwrap());

    // Thirty years by day: far more than a pipe's 64 KiB buffer, so the hub
    // is still writing when the reader closes after one line.
    let mut child = Command::new(env!("CARGO_BIN_EXE_hub"))
        .args(["report", "--data", data.path().to_str().unwrap(), "--by", "day"])
        .args(["--from", "2000-01-01", "--to", "2029-12-31", "--format", "csv"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert!(first.contains(','), "a CSV heading first: {first:?}");
    // The reader is gone now (dropped with the BufReader).
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    assert!(stderr.is_empty(), "nothing to say on stderr: {stderr}");
}
