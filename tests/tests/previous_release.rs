//! Mixed versions with real binaries: the previous release's kiosk
//! against this hub, and this kiosk against the previous release's hub.
//! Either way the catalog syncs, every event is acknowledged and held
//! exactly once, and a service request is answered and the answer
//! confirmed.
//!
//! The previous release is built from its commit (`tests/compat/PREVIOUS`)
//! by `tests/compat/previous-release.sh`, which then runs these tests with
//! `KH_PREVIOUS_BIN` pointing at its `hub-e2e` and `kiosk-sim`. Without it
//! they are ignored, and `cargo test` says so in its summary.

use e2e::fleet::{config, wait_catalog, wait_status, write_config_file};
use e2e::harness::*;
use kiosk::runtime::Runtime;
use kiosk::store::requests::{Lookup, RequestForm};
use protocol::TicketStatus;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn previous(bin: &str) -> PathBuf {
    let dir = std::env::var_os("KH_PREVIOUS_BIN")
        .expect("KH_PREVIOUS_BIN: run tests/compat/previous-release.sh, which builds the previous release");
    let path = Path::new(&dir).join(bin);
    assert!(path.is_file(), "{} is missing", path.display());
    path
}

/// The hub's count of a kiosk's events: (rows, distinct numbers, highest).
fn held(data: &Path, kid: &str) -> (u64, u64, u64) {
    let c = rusqlite::Connection::open_with_flags(
        data.join("hub.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    c.query_row(
        "SELECT count(*), count(DISTINCT seq), coalesce(max(seq), 0) FROM events WHERE kid = ?1",
        [kid],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .unwrap()
}

fn wait(what: &str, secs: u64, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !cond() {
        assert!(Instant::now() < deadline, "{what}: not reached in {secs} s");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the previous release's binaries: tests/compat/previous-release.sh"]
async fn the_previous_kiosk_syncs_counts_and_gets_answers_from_this_hub() {
    let sim = previous("kiosk-sim");
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hub");
    std::fs::create_dir_all(&data).unwrap();
    let d = data.to_str().unwrap();
    hub_cli(&["catalog", "publish", sample_catalog().to_str().unwrap(), "--data", d]);
    let (secret, station) = register_kiosk_station(&data, "prev-kiosk", "g");
    let mode = BrokerMode::Embedded(free_port());
    let _hub = HubProcess::start(&data, mode).await;
    let config = write_config_file(
        &tmp.path().join("k"),
        "prev-kiosk",
        &secret,
        &hub_key(&data),
        mode.port(),
        station,
    );

    // The previous kiosk records 600 scripted interactions (service
    // requests among them) over 20 s, then waits until all are acknowledged.
    let child = std::process::Command::new(&sim)
        .arg("--config")
        .arg(&config)
        .args(["--events", "600", "--rate", "30", "--until-acked", "--timeout-s", "120"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::fs::File::create(tmp.path().join("sim.log")).unwrap())
        .spawn()
        .unwrap();

    // The catalog reaches it.
    wait("the previous kiosk applies catalog 1", 60, || {
        let rows = hub_json(&["kiosks", "--json", "--data", d]);
        rows[0]["catalog_version"] == 1
    });
    // A request it took is answered; it confirms the answer.
    let mut ticket = String::new();
    wait("a ticket from the previous kiosk", 30, || {
        let list = hub_json(&["tickets", "list", "--json", "--data", d]);
        match list.as_array().and_then(|l| l.first()) {
            Some(t) => {
                ticket = t["ticket_no"].as_str().unwrap().to_owned();
                true
            }
            None => false,
        }
    });
    hub_cli(&["tickets", "accept", &ticket, "--as", "王芳", "--data", d]);
    hub_cli(&["tickets", "reply", &ticket, "--text", "已联系，明天上门", "--as", "王芳", "--data", d]);
    wait("the previous kiosk confirms the answer", 30, || {
        let shown = hub_json(&["tickets", "show", &ticket, "--json", "--data", d]);
        shown["ticket"]["seen_rev"] == shown["ticket"]["rev"] && shown["ticket"]["rev"].as_u64() >= Some(2)
    });

    let out = child.wait_with_output().unwrap();
    let log = std::fs::read_to_string(tmp.path().join("sim.log")).unwrap_or_default();
    assert!(out.status.success(), "the previous kiosk failed:\n{log}");
    let line: serde_json::Value =
        serde_json::from_slice(out.stdout.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!((line["last_seq"].as_u64(), line["acked_upto"].as_u64()), (Some(600), Some(600)));
    assert_eq!(held(&data, "prev-kiosk"), (600, 600, 600), "every event held exactly once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the previous release's binaries: tests/compat/previous-release.sh"]
async fn this_kiosk_syncs_counts_and_gets_answers_from_the_previous_hub() {
    let old_hub = previous("hub-e2e");
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hub");
    std::fs::create_dir_all(&data).unwrap();
    let d = data.to_str().unwrap();
    hub_cli_of(&old_hub, &["catalog", "publish", sample_catalog().to_str().unwrap(), "--data", d]);
    let secret = register_with(&old_hub, &data, "this-kiosk", "g", "station");
    let rows = hub_json_of(&old_hub, &["kiosks", "--json", "--data", d]);
    let station = rows[0]["station_no"].as_u64().unwrap() as u16;
    let mode = BrokerMode::Embedded(free_port());
    let _hub = HubProcess::start_binary(&old_hub, &data, mode).await;

    let rt = Runtime::start(config(
        "this-kiosk",
        &secret,
        &hub_key(&data),
        mode.port(),
        station,
        &tmp.path().join("k"),
    ))
    .unwrap();
    let k = rt.handle();
    wait_catalog(&k, Duration::from_secs(60), 1).await;
    for n in 1..=300u64 {
        let e = e2e::fleet::scripted_event(0, n);
        k.record_at(e.kind, e.t).unwrap();
    }
    let req = k
        .submit_request(&RequestForm {
            service_id: "shop-setup".into(),
            village: "黄袍山村".into(),
            phone: "13812345678".into(),
            name: None,
            note: None,
            is_complaint: false,
            job_id: None,
        })
        .unwrap();
    wait_status(&k, Duration::from_secs(60), "an empty outbox", |s| s.hub_online && s.outbox_depth == 0)
        .await;
    assert_eq!(held(&data, "this-kiosk"), (301, 301, 301), "every event held exactly once");

    hub_cli_of(&old_hub, &["tickets", "accept", &req.ticket_no, "--as", "王芳", "--data", d]);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let mine = k.my_requests(&Lookup::PhoneTail("5678".into())).unwrap();
        if mine.first().is_some_and(|m| m.status == TicketStatus::Accepted) {
            break;
        }
        assert!(Instant::now() < deadline, "the previous hub's answer never arrived: {mine:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    wait("the previous hub sees the answer confirmed", 30, || {
        let shown = hub_json_of(&old_hub, &["tickets", "show", &req.ticket_no, "--json", "--data", d]);
        shown["ticket"]["seen_rev"] == shown["ticket"]["rev"]
    });
    // It never asked the previous hub's broker for what that hub does not
    // have (a refused subscription would have closed its connection).
    assert_eq!(k.status().borrow().session, 1, "one connection all along");
}
