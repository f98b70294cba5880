//! Losing the hub machine. A backup taken while 50 simulated kiosks send is
//! consistent: restored into a new folder, every figure equals what the
//! events it holds say. And a hub restored from last night's backup gets the
//! day it lost back from real kiosk runtimes, which keep acknowledged events
//! for a week; what a kiosk no longer holds is written off and counted.

use e2e::event_sender::{EventSender, Faults, SenderConfig};
use e2e::figures::{measured, truth};
use e2e::fleet::{config, scripted_event};
use e2e::harness::*;
use hub::ingest::ranges::Received;
use kiosk::runtime::Runtime;
use protocol::KioskId;
use protocol::messages::Event;
use rusqlite::Connection;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the store holds per kiosk: its received ranges.
fn received(c: &Connection) -> Vec<(String, Received)> {
    let mut st = c.prepare("SELECT kid, upto, above FROM kiosk_seq ORDER BY kid").unwrap();
    st.query_map([], |r| {
        let above: String = r.get(2)?;
        Ok((r.get(0)?, Received { upto: r.get(1)?, above: serde_json::from_str(&above).unwrap() }))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn holds(r: &Received, seq: u64) -> bool {
    seq <= r.upto || r.above.iter().any(|&(a, b)| (a..=b).contains(&seq))
}

fn open(data: &Path) -> Connection {
    Connection::open(data.join("hub.db")).unwrap()
}

fn restore(file: &Path, into: &Path) {
    hub_cli(&["restore", file.to_str().unwrap(), "--data", into.to_str().unwrap()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_50_kiosks_send_restores_to_exact_figures() {
    const KIOSKS: usize = 50;
    const EVENTS: u64 = 2_000;
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hub");
    std::fs::create_dir_all(&data).unwrap();
    let kids: Vec<String> = (0..KIOSKS).map(|i| format!("sim-{i:03}")).collect();
    let secrets: Vec<Vec<u8>> = kids.iter().map(|k| register_kiosk(&data, k, "sim")).collect();
    let mode = BrokerMode::Embedded(free_port());
    let _hub = HubProcess::start(&data, mode).await;
    let key = hub_key(&data);

    let mut all = Vec::new();
    let mut senders = Vec::new();
    for (i, kid) in kids.iter().enumerate() {
        let events: Arc<Vec<Event>> =
            Arc::new((1..=EVENTS).map(|seq| scripted_event(i as u64, seq)).collect());
        senders.push(EventSender::start(SenderConfig {
            kid: KioskId::new(kid).unwrap(),
            secret: secrets[i].clone(),
            hub_key: key.clone(),
            host: "127.0.0.1".into(),
            port: mode.port(),
            events: events.clone(),
            batch: 16,
            window_batches: 4,
            faults: Faults::default(),
            seed: i as u64,
        }));
        all.push((kid.clone(), events));
    }
    let acked = |senders: &[EventSender]| senders.iter().map(EventSender::acked).sum::<u64>();
    let total = KIOSKS as u64 * EVENTS;
    let deadline = Instant::now() + Duration::from_secs(120);
    while acked(&senders) < total / 5 {
        assert!(Instant::now() < deadline, "the kiosks never got going");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    // The backup, from another process, while they send.
    let file = tmp.path().join("hub-backup.zip");
    hub_cli(&["backup", "--data", data.to_str().unwrap(), "--out", file.to_str().unwrap()]);
    while acked(&senders) < total {
        assert!(Instant::now() < deadline, "the kiosks never finished: {} of {total}", acked(&senders));
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    let restored = tmp.path().join("restored");
    restore(&file, &restored);
    let c = open(&restored);
    let held = received(&c);
    // The events the backup holds, by what each kiosk's ranges say.
    let held_events: Vec<(String, Vec<Event>)> = all
        .iter()
        .map(|(kid, events)| {
            let r = held.iter().find(|(k, _)| k == kid).map(|(_, r)| r.clone()).unwrap_or_default();
            (kid.clone(), events.iter().filter(|e| holds(&r, e.seq)).cloned().collect())
        })
        .collect();
    let n_held: usize = held_events.iter().map(|(_, e)| e.len()).sum();
    let n_rows: i64 = c.query_row("SELECT count(*) FROM events", [], |r| r.get(0)).unwrap();
    assert_eq!(n_rows as usize, n_held, "the events table and the ranges agree");
    assert!(
        n_held as u64 >= total / 5 && (n_held as u64) < total,
        "taken mid-stream: {n_held} of {total} events held"
    );
    // The aggregates `hub report` reads, table by table.
    assert_eq!(measured(&c), truth(&held_events), "every figure matches the events the backup holds");
}

/// Each kiosk records its scripted events `from..=to`.
fn record(runtimes: &[Runtime], from: u64, to: u64) {
    for (i, rt) in runtimes.iter().enumerate() {
        for seq in from..=to {
            let e = scripted_event(i as u64, seq);
            assert_eq!(rt.handle().record_at(e.kind, e.t).unwrap(), seq);
        }
    }
}

async fn all_acked(runtimes: &[Runtime], upto: u64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !runtimes.iter().all(|rt| rt.handle().outbox_state().unwrap().acked_upto == upto) {
        assert!(Instant::now() < deadline, "not all acknowledged up to {upto}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_restored_from_last_nights_backup_gets_the_day_back_from_its_kiosks() {
    const BEFORE: u64 = 30;
    const AFTER: u64 = 20;
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hub");
    std::fs::create_dir_all(&data).unwrap();
    let mode = BrokerMode::Embedded(free_port());
    let kids = ["k0", "k1", "k2"];
    let regs: Vec<(Vec<u8>, u16)> = kids.iter().map(|k| register_kiosk_station(&data, k, "g")).collect();
    let hub = HubProcess::start(&data, mode).await;
    let key = hub_key(&data);
    let runtimes: Vec<Runtime> = kids
        .iter()
        .zip(&regs)
        .map(|(k, (secret, station))| {
            Runtime::start(config(k, secret, &key, mode.port(), *station, &tmp.path().join(k))).unwrap()
        })
        .collect();

    record(&runtimes, 1, BEFORE);
    all_acked(&runtimes, BEFORE).await;
    let file = tmp.path().join("last-night.zip");
    hub_cli(&["backup", "--data", data.to_str().unwrap(), "--out", file.to_str().unwrap()]);
    record(&runtimes, BEFORE + 1, BEFORE + AFTER);
    all_acked(&runtimes, BEFORE + AFTER).await;
    // Every kiosk keeps what was acknowledged (for a week).
    assert_eq!(runtimes[0].handle().outbox_state().unwrap().held_from, 1);

    // k2's oldest ten of the lost day passed their keeping time meanwhile.
    let k2_db = tmp.path().join("k2").join("kiosk.db");
    let forgotten = Connection::open(&k2_db)
        .unwrap()
        .execute("DELETE FROM outbox WHERE acked_at IS NOT NULL AND seq <= ?1", [(BEFORE + 10) as i64])
        .unwrap();
    assert_eq!(forgotten as u64, BEFORE + 10);

    // The hub machine dies; a new one is set up from last night's backup.
    hub.kill();
    let new_data = tmp.path().join("new-hub");
    restore(&file, &new_data);
    let hub = HubProcess::start(&new_data, mode).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let held = received(&open(&new_data));
        if held.len() == kids.len()
            && held.iter().all(|(_, r)| r.upto == BEFORE + AFTER && r.above.is_empty())
        {
            break;
        }
        assert!(Instant::now() < deadline, "the lost day never came back: {held:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let c = open(&new_data);
    // Exactly the events that still existed somewhere, each once.
    let expected: Vec<(String, Vec<Event>)> = kids
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let events = (1..=BEFORE + AFTER)
                .filter(|seq| *k != "k2" || *seq <= BEFORE || *seq > BEFORE + 10)
                .map(|seq| scripted_event(i as u64, seq))
                .collect();
            (k.to_string(), events)
        })
        .collect();
    assert_eq!(measured(&c), truth(&expected));
    let per_kiosk = |sql: &str| -> Vec<(String, i64)> {
        let mut st = c.prepare(sql).unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
    };
    assert_eq!(
        per_kiosk("SELECT kid, count(*) FROM events GROUP BY kid ORDER BY kid"),
        [("k0".into(), 50), ("k1".into(), 50), ("k2".into(), 40)]
    );
    assert_eq!(
        per_kiosk("SELECT kid, duplicates FROM kiosk_seq ORDER BY kid"),
        [("k0".into(), 0), ("k1".into(), 0), ("k2".into(), 0)],
        "nothing came twice"
    );
    assert_eq!(
        per_kiosk("SELECT kid, lost FROM kiosk_seq ORDER BY kid"),
        [("k0".into(), 0), ("k1".into(), 0), ("k2".into(), 10)],
        "what nobody holds any more is written off and counted"
    );
    // The hub noticed the loss when each kiosk was born to it (the drift),
    // and shows the write-off.
    let rows: serde_json::Value = hub_json(&["kiosks", "--json", "--data", new_data.to_str().unwrap()]);
    let field =
        |kid: &str, f: &str| rows.as_array().unwrap().iter().find(|r| r["kiosk"] == kid).unwrap()[f].clone();
    assert_eq!(field("k0", "drift"), AFTER as i64);
    assert_eq!(field("k2", "lost"), 10);
    // The kiosks are acknowledged again up to their last event.
    all_acked(&runtimes, BEFORE + AFTER).await;
    drop(hub);
}

/// `hub serve` on `data` for a moment: whether it came up (its console
/// answered while it ran).
fn serve_once_briefly(data: &Path) -> bool {
    let web = free_port();
    let mut child = std::process::Command::new(hub_bin())
        .args([
            "serve",
            "--web",
            &format!("127.0.0.1:{web}"),
            "--listen",
            &format!("127.0.0.1:{}", free_port()),
        ])
        .arg("--data")
        .arg(data)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let up = loop {
        if std::net::TcpStream::connect(("127.0.0.1", web)).is_ok() {
            break child.try_wait().unwrap().is_none();
        }
        if child.try_wait().unwrap().is_some() || Instant::now() > deadline {
            break false;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let _ = child.kill();
    let _ = child.wait();
    up
}

/// `hub serve` on `data`: its exit status and what it said, or a panic if
/// it is still running after 30 s.
fn serve_once(data: &Path) -> (bool, String) {
    let mut child = std::process::Command::new(hub_bin())
        .args(["serve", "--no-web", "--listen", &format!("127.0.0.1:{}", free_port()), "--data"])
        .arg(data)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("hub serve kept running on a damaged store");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    (status.success(), err)
}

#[test]
fn a_damaged_store_refuses_to_start_and_names_the_restore() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hub");
    hub_cli(&["catalog", "publish", sample_catalog().to_str().unwrap(), "--data", data.to_str().unwrap()]);
    let file = tmp.path().join("backup.zip");
    hub_cli(&["backup", "--data", data.to_str().unwrap(), "--out", file.to_str().unwrap()]);
    let db = data.join("hub.db");
    let good = std::fs::read(&db).unwrap();
    let page = u16::from_be_bytes([good[16], good[17]]) as usize;
    let pages = good.len() / page;
    assert!(pages > 8, "a store of {pages} pages");

    // A page in the middle overwritten (a bad sector, a torn write): only
    // the check of the whole file finds it.
    let mut bad = good.clone();
    bad[page * (pages / 2)..page * (pages / 2) + 64].fill(0xff);
    std::fs::write(&db, &bad).unwrap();
    let (ok, err) = serve_once(&data);
    assert!(!ok);
    assert!(err.contains("is damaged") && err.contains("hub restore"), "{err}");

    // The header gone: not a database at all.
    let mut bad = good.clone();
    bad[..100].fill(0);
    std::fs::write(&db, &bad).unwrap();
    let (ok, err) = serve_once(&data);
    assert!(!ok);
    assert!(err.contains("is damaged") && err.contains("hub restore"), "{err}");

    // What the message says to do works.
    let fresh = tmp.path().join("restored");
    restore(&file, &fresh);
    let c = open(&fresh);
    let items: i64 = c.query_row("SELECT count(*) FROM catalog_items", [], |r| r.get(0)).unwrap();
    assert!(items > 0, "the restored store holds the catalog");
    assert!(serve_once_briefly(&fresh), "the hub runs on the restored folder");
}
