//! Software updates end to end, with real processes: a hub, and three
//! kiosks each under a supervisor that behaves like systemd (boot check
//! before every start, restart on exit, start timeout and watchdog).
//!
//! Release 2 to group `a` → the two kiosks of `a` download it, install it
//! beside 1, switch at an idle moment, confirm and report "running 2"; the
//! third stays on 1. A broken release 3 (it exits at start) → both try it
//! twice and come back to 2 by themselves, reporting "rolled back"; the
//! same for a release 3.1 that hangs at start (killed for not saying it is
//! ready, as systemd's start timeout does). A
//! release signed with another key is refused by the hub, and, forced onto
//! a kiosk through the hub's store, refused by the kiosk. Every event the
//! kiosks record across all this is held by the hub exactly once.
//!
//! A release here is a small script that runs the fleet simulator (the
//! real kiosk runtime without a window): what is tested is the update
//! machinery, whatever executable a release carries.

use e2e::fleet::write_config_file;
use e2e::harness::*;
use e2e::supervisor::{Ended, Supervisor, Unit};
use kiosk::update::layout::Layout;
use protocol::release::ReleaseManifest;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Events each kiosk records, at 25 a second, across the updates.
const EVENTS: u64 = 1500;

struct Kiosk {
    id: &'static str,
    root: PathBuf,
    supervisor: Supervisor,
}

fn write_release(dir: &Path, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, body).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn sign(file: &Path, version: &str, key: &Path) {
    hub_cli(&[
        "release",
        "sign",
        file.to_str().unwrap(),
        "--version",
        version,
        "--key",
        key.to_str().unwrap(),
    ]);
}

fn versions(data: &Path) -> serde_json::Value {
    hub_json(&["release", "versions", "--json", "--data", data.to_str().unwrap()])
}

fn kiosk_row<'a>(v: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    v["kiosks"].as_array().unwrap().iter().find(|k| k["kiosk"] == id).expect("kiosk listed")
}

/// Wait until `hub release versions` satisfies `cond`, or fail with the
/// table and the kiosks' logs.
fn wait_versions(data: &Path, kiosks: &[Kiosk], what: &str, cond: impl Fn(&serde_json::Value) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let v = versions(data);
        if cond(&v) {
            return;
        }
        if Instant::now() > deadline {
            let logs: String = kiosks
                .iter()
                .map(|k| {
                    let log = std::fs::read_to_string(k.root.join("kiosk.log")).unwrap_or_default();
                    let tail: Vec<&str> = log.lines().rev().take(30).collect();
                    format!(
                        "--- {} ({:?})\n{}\n",
                        k.id,
                        k.supervisor.starts(),
                        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                    )
                })
                .collect();
            panic!("{what}: not reached in 120 s\n{}\n{logs}", serde_json::to_string_pretty(&v).unwrap());
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn releases_roll_out_by_group_roll_back_by_themselves_and_need_the_county_key() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hub");
    std::fs::create_dir_all(&data).unwrap();
    let d = data.to_str().unwrap();
    hub_cli(&["catalog", "publish", sample_catalog().to_str().unwrap(), "--data", d]);
    let key = tmp.path().join("release-key.pk8");
    hub_cli(&["fleet", "--data", d, "release-key", "--out", key.to_str().unwrap()]);
    let public = std::fs::read_to_string(data.join("release.pub")).unwrap().trim().to_owned();
    let mode = BrokerMode::Embedded(free_port());
    let _hub = HubProcess::start(&data, mode).await;

    // Releases: 1 and 2 run the simulator, 3 cannot start, 4 is signed by a stranger.
    let sim = kiosk_sim_bin();
    let rel = tmp.path().join("releases");
    std::fs::create_dir_all(&rel).unwrap();
    let runs = |v: &str| format!("#!/bin/sh\n# kiosk release {v} (test)\nexec '{}' \"$@\"\n", sim.display());
    let r1 = write_release(&rel, "kiosk-1.0.0", &runs("1.0.0"));
    let r2 = write_release(&rel, "kiosk-2.0.0", &runs("2.0.0"));
    let r3 = write_release(&rel, "kiosk-3.0.0", "#!/bin/sh\necho 'release 3.0.0 cannot start' >&2\nexit 3\n");
    let r31 =
        write_release(&rel, "kiosk-3.1.0", "#!/bin/sh\necho 'release 3.1.0 hangs' >&2\nexec sleep 600\n");
    let r4 = write_release(&rel, "kiosk-4.0.0", &runs("4.0.0"));
    sign(&r1, "1.0.0", &key);
    sign(&r2, "2.0.0", &key);
    sign(&r3, "3.0.0", &key);
    sign(&r31, "3.1.0", &key);
    let stranger = tmp.path().join("stranger.pk8");
    let elsewhere = tmp.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    hub_cli(&[
        "fleet",
        "--data",
        elsewhere.to_str().unwrap(),
        "release-key",
        "--out",
        stranger.to_str().unwrap(),
    ]);
    sign(&r4, "4.0.0", &stranger);
    hub_cli(&["release", "add", r1.to_str().unwrap(), "--version", "1.0.0", "--data", d]);
    hub_cli(&["release", "promote", "1.0.0", "--data", d]);

    // Three appliances on release 1, each under its supervisor.
    let manifest1: ReleaseManifest =
        serde_json::from_slice(&std::fs::read(rel.join("kiosk-1.0.0.sig")).unwrap()).unwrap();
    let mut kiosks = Vec::new();
    for (id, group) in [("upd-a1", "a"), ("upd-a2", "a"), ("upd-b1", "b")] {
        let (secret, station) = register_kiosk_station(&data, id, group);
        let dir = tmp.path().join(id);
        let config = write_config_file(&dir, id, &secret, &hub_key(&data), mode.port(), station);
        let root = dir.join("root");
        let mut text = std::fs::read_to_string(&config).unwrap();
        text.push_str(&format!(
            "\n[update]\nrelease_key = \"{public}\"\nroot = \"root\"\nrate_kbit = 100000\nhealth_deadline_s = 30\n"
        ));
        std::fs::write(&config, text).unwrap();
        Layout::new(&root).install_first(&manifest1, &r1).unwrap();
        let c = config.clone().into_os_string();
        let unit = Unit {
            name: id.into(),
            exec_start_pre: vec![
                root.join("good/kiosk").into(),
                "--config".into(),
                c.clone(),
                "--boot-check".into(),
            ],
            exec_start: vec![
                root.join("current/kiosk").into(),
                "--config".into(),
                c,
                "--serve".into(),
                "--events".into(),
                EVENTS.to_string().into(),
                "--rate".into(),
                "25".into(),
            ],
            restart_sec: Duration::from_millis(300),
            start_timeout: Duration::from_secs(5),
            watchdog: Duration::from_secs(10),
            log: root.join("kiosk.log"),
        };
        let layout = Layout::new(&root);
        let supervisor =
            Supervisor::start(unit, move || layout.current().map_or_else(|| "-".into(), |v| v.to_string()));
        kiosks.push(Kiosk { id, root, supervisor });
    }
    wait_versions(&data, &kiosks, "all three running 1.0.0", |v| {
        ["upd-a1", "upd-a2", "upd-b1"].iter().all(|k| kiosk_row(v, k)["running"] == "1.0.0")
    });

    // Release 2 to group a.
    hub_cli(&[
        "release",
        "add",
        r2.to_str().unwrap(),
        "--version",
        "2.0.0",
        "--notes",
        "快递柜 fix",
        "--data",
        d,
    ]);
    hub_cli(&["release", "publish", "2.0.0", "--group", "a", "--data", d]);
    wait_versions(&data, &kiosks, "group a running 2.0.0", |v| {
        ["upd-a1", "upd-a2"].iter().all(|k| {
            let r = kiosk_row(v, k);
            r["running"] == "2.0.0" && r["job"] == "running" && r["previous"] == "1.0.0"
        })
    });
    let v = versions(&data);
    let b1 = kiosk_row(&v, "upd-b1");
    assert_eq!((b1["running"].as_str(), b1["desired"].as_str()), (Some("1.0.0"), Some("1.0.0")), "{v}");
    for k in &kiosks[..2] {
        let layout = Layout::new(&k.root);
        assert_eq!(
            layout.good().map(|g| g.to_string()).as_deref(),
            Some("2.0.0"),
            "{} confirmed 2.0.0",
            k.id
        );
        assert!(layout.is_installed("1.0.0".parse().unwrap()), "1.0.0 kept beside it");
    }

    // A broken release 3 to group a: both come back to 2 by themselves.
    hub_cli(&["release", "add", r3.to_str().unwrap(), "--version", "3.0.0", "--data", d]);
    hub_cli(&["release", "publish", "3.0.0", "--group", "a", "--data", d]);
    wait_versions(&data, &kiosks, "group a rolled back from 3.0.0", |v| {
        ["upd-a1", "upd-a2"].iter().all(|k| {
            let r = kiosk_row(v, k);
            r["running"] == "2.0.0" && r["desired"] == "3.0.0" && r["job"] == "rolled_back"
        })
    });
    let v = versions(&data);
    for k in &kiosks[..2] {
        let r = kiosk_row(&v, k.id);
        let error = r["error"].as_str().unwrap_or("");
        assert!(error.contains("did not confirm itself healthy") && error.contains("back on 2.0.0"), "{r}");
        let tries: Vec<_> = k.supervisor.starts().into_iter().filter(|s| s.ran == "3.0.0").collect();
        assert_eq!(tries.len(), 2, "{}: release 3 tried twice: {tries:?}", k.id);
        assert!(tries.iter().all(|s| s.ended == Some(Ended::Exited(Some(3))) && !s.ready), "{tries:?}");
        assert_eq!(Layout::new(&k.root).current().map(|c| c.to_string()).as_deref(), Some("2.0.0"));
    }

    // A release 3.1 that hangs at start: killed twice, then 2 again.
    hub_cli(&["release", "add", r31.to_str().unwrap(), "--version", "3.1.0", "--data", d]);
    hub_cli(&["release", "publish", "3.1.0", "--group", "a", "--data", d]);
    wait_versions(&data, &kiosks, "group a rolled back from 3.1.0", |v| {
        ["upd-a1", "upd-a2"].iter().all(|k| {
            let r = kiosk_row(v, k);
            r["running"] == "2.0.0" && r["desired"] == "3.1.0" && r["job"] == "rolled_back"
        })
    });
    for k in &kiosks[..2] {
        let tries: Vec<_> = k.supervisor.starts().into_iter().filter(|s| s.ran == "3.1.0").collect();
        assert_eq!(tries.len(), 2, "{}: release 3.1 tried twice: {tries:?}", k.id);
        assert!(tries.iter().all(|s| s.ended == Some(Ended::StartTimeout)), "{tries:?}");
    }
    let v = versions(&data);
    for k in ["upd-a1", "upd-a2"] {
        let mut given: Vec<String> = serde_json::from_value(kiosk_row(&v, k)["given_up"].clone()).unwrap();
        given.sort();
        assert_eq!(given, ["3.0.0", "3.1.0"], "{k} lists the releases it gave up: {v}");
    }

    // Signed by another key: the hub refuses it…
    let (ok, out) =
        hub_cli_status(&["release", "add", r4.to_str().unwrap(), "--version", "4.0.0", "--data", d]);
    assert!(!ok && out.contains("does not verify"), "{out}");
    // …and a hub forced to serve it anyway (written into its store by
    // hand) cannot make a kiosk install it.
    let m4: ReleaseManifest =
        serde_json::from_slice(&std::fs::read(rel.join("kiosk-4.0.0.sig")).unwrap()).unwrap();
    hub::blobs::BlobDir::new(data.join("blobs")).put(&std::fs::read(&r4).unwrap()).unwrap();
    {
        let c = rusqlite::Connection::open(data.join("hub.db")).unwrap();
        c.busy_timeout(Duration::from_secs(10)).unwrap();
        c.execute(
            "INSERT INTO blobs(sha256, size, media_type, created_at) VALUES (?1, ?2, 'application/x-kiosk-release', 0)",
            rusqlite::params![m4.sha256, m4.size],
        )
        .unwrap();
        c.execute(
            "INSERT INTO releases(version, major, minor, patch, sha256, size, signature, notes, added_at, added_by)
             VALUES ('4.0.0', 4, 0, 0, ?1, ?2, ?3, 'forced', 0, 'intruder')",
            rusqlite::params![m4.sha256, m4.size, m4.signature],
        )
        .unwrap();
        c.execute(
            "INSERT INTO release_targets(target, version, updated_at) VALUES ('group:b', '4.0.0', 1)",
            [],
        )
        .unwrap();
    }
    wait_versions(&data, &kiosks, "upd-b1 refused 4.0.0", |v| {
        let r = kiosk_row(v, "upd-b1");
        r["desired"] == "4.0.0" && r["job"] == "failed"
    });
    let v = versions(&data);
    let b1 = kiosk_row(&v, "upd-b1");
    assert!(b1["error"].as_str().unwrap_or("").contains("does not verify"), "{b1}");
    assert_eq!(b1["running"], "1.0.0");
    assert!(
        !Layout::new(&kiosks[2].root).is_installed("4.0.0".parse().unwrap()),
        "nothing of 4.0.0 installed"
    );

    // Every event recorded across the updates is held exactly once.
    let deadline = Instant::now() + Duration::from_secs(180);
    let hub_db = rusqlite::Connection::open_with_flags(
        data.join("hub.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    for k in &kiosks {
        loop {
            let (n, distinct, max): (u64, u64, Option<u64>) = hub_db
                .query_row(
                    "SELECT count(*), count(DISTINCT seq), max(seq) FROM events WHERE kid = ?1",
                    [k.id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .unwrap();
            assert_eq!(n, distinct, "{}: an event counted twice", k.id);
            if n == EVENTS {
                assert_eq!(max, Some(EVENTS));
                break;
            }
            assert!(Instant::now() < deadline, "{}: the hub holds {n} of {EVENTS} events", k.id);
            std::thread::sleep(Duration::from_millis(250));
        }
    }
    for k in &mut kiosks {
        k.supervisor.stop();
    }
}
