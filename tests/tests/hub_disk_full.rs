//! The hub's disk fills up while a kiosk sends: the hub acknowledges nothing
//! it did not commit, says so on `/health` and the console, and once space
//! is freed ingest resumes by itself with every event counted exactly once.
//!
//! The data folder is a small tmpfs mounted for the test (root is needed;
//! `.ci/run` runs as root). A filler file takes the last byte.

use e2e::figures::{measured, truth};
use e2e::fleet::{config, scripted_event};
use e2e::harness::*;
use kiosk::runtime::Runtime;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A tmpfs of `mib` MiB at `dir`, unmounted on drop.
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(dir: &Path, mib: u32) -> SmallDisk {
        std::fs::create_dir_all(dir).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mib}m"), "tmpfs"])
            .arg(dir)
            .output()
            .expect("run mount");
        assert!(
            out.status.success(),
            "this test mounts a small tmpfs and needs root: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        SmallDisk(dir.to_owned())
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Write to `path` until the disk refuses another byte.
fn fill(path: &Path) -> u64 {
    let mut f = std::fs::File::create(path).unwrap();
    let mut written = 0;
    for size in [1 << 20, 4096, 1] {
        let chunk = vec![0x5a; size];
        while f.write_all(&chunk).is_ok() && f.flush().is_ok() {
            written += size as u64;
        }
    }
    let _ = f.sync_all();
    written
}

/// `GET /health` on the hub's console: (status code, body).
fn health(port: u16) -> (u16, String) {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("the hub's console answers");
    s.write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
    let mut r = String::new();
    s.read_to_string(&mut r).unwrap();
    let code = r.split_whitespace().nth(1).unwrap().parse().unwrap();
    (code, r.split("\r\n\r\n").nth(1).unwrap_or("").to_owned())
}

/// The hub's contiguous high-water mark for `kid`, read from its store.
fn hub_upto(data: &Path, kid: &str) -> u64 {
    let c = rusqlite::Connection::open_with_flags(
        data.join("hub.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    c.query_row("SELECT upto FROM kiosk_seq WHERE kid = ?1", [kid], |r| r.get(0)).unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_stops_acks_and_ingest_resumes_when_space_returns() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hub");
    let _disk = SmallDisk::mount(&data, 8);
    let (secret, station) = register_kiosk_station(&data, "k1", "g");
    let mode = BrokerMode::Embedded(free_port());
    // Its log is on the same disk, as on a one-disk hub machine: a log that
    // cannot be written must not stop it.
    let mut hub = HubProcess::start(&data, mode).await;
    let rt =
        Runtime::start(config("k1", &secret, &hub_key(&data), mode.port(), station, &tmp.path().join("k1")))
            .unwrap();
    let k = rt.handle();
    let mut seq = 0;
    let mut record = |n: u64| {
        for _ in 0..n {
            seq += 1;
            let e = scripted_event(0, seq);
            assert_eq!(k.record_at(e.kind, e.t).unwrap(), seq);
        }
        seq
    };
    let log_path = &data.join("hub.log");
    let wait_acked = |upto: u64, why: &str| {
        let deadline = Instant::now() + Duration::from_secs(60);
        while rt.handle().outbox_state().unwrap().acked_upto < upto {
            if Instant::now() > deadline {
                let log = std::fs::read_to_string(log_path).unwrap_or_default();
                let tail = &log[log.len().saturating_sub(4000)..];
                panic!("{why}: acked {:?}; hub log ends:\n{tail}", rt.handle().outbox_state().unwrap());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    };

    let last = record(200);
    wait_acked(last, "before the disk filled");
    assert_eq!(health(hub.web_port).0, 200);

    // Fill the disk, then keep recording until the hub finds it cannot
    // write (SQLite may still have room in its own files for a while).
    let filler = data.join("filler");
    let filled = fill(&filler);
    assert!(filled > 0);
    let deadline = Instant::now() + Duration::from_secs(120);
    let reason = loop {
        record(50);
        assert!(hub.alive(), "the hub died");
        let (code, body) = health(hub.web_port);
        if code == 503 {
            break body;
        }
        assert!(Instant::now() < deadline, "the hub never noticed its full disk");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(reason.contains("disk full"), "{reason}");
    let last = record(300);

    // While it is full, the kiosk sends again every few seconds and is never
    // acknowledged beyond what the store holds.
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let acked = k.outbox_state().unwrap().acked_upto;
        assert!(acked <= hub_upto(&data, "k1"), "acknowledged {acked} beyond what was committed");
        assert!(acked < last);
        assert_eq!(health(hub.web_port).0, 503);
        assert!(hub.alive(), "the hub died");
    }
    assert!(k.status().borrow().outbox_depth > 0, "the kiosk keeps what was not acknowledged");

    // Space returns: no restart, no operator action on the hub.
    std::fs::remove_file(&filler).unwrap();
    wait_acked(last, "after space returned");
    assert_eq!(health(hub.web_port).0, 200);
    let c = rusqlite::Connection::open(data.join("hub.db")).unwrap();
    let rows: i64 = c.query_row("SELECT count(*) FROM events WHERE kid = 'k1'", [], |r| r.get(0)).unwrap();
    assert_eq!(rows as u64, last, "every event once");
    let all = vec![("k1".to_string(), (1..=last).map(|s| scripted_event(0, s)).collect())];
    assert_eq!(measured(&c), truth(&all), "nothing lost, nothing counted twice");
    // What it said while the disk was full is lost with the log's writes;
    // what it says after is there.
    assert!(hub.log().contains("disk space is back"));
}
