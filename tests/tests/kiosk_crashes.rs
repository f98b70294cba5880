//! A kiosk process killed with SIGKILL while it records and flushes loses
//! nothing and counts nothing twice: the fleet simulator records scripted
//! interactions, is killed at random moments and started again, and in the
//! end the hub holds each event exactly once.

use e2e::figures::{measured, truth};
use e2e::fleet::{scripted_event, write_config_file};
use e2e::harness::*;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const EVENTS: u64 = 20_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kiosk_killed_while_recording_and_flushing_loses_and_repeats_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hub");
    std::fs::create_dir_all(&data).unwrap();
    hub_cli(&["catalog", "publish", sample_catalog().to_str().unwrap(), "--data", data.to_str().unwrap()]);
    let (secret, station) = register_kiosk_station(&data, "sim-000", "sim");
    let mode = BrokerMode::Embedded(free_port());
    let _hub = HubProcess::start(&data, mode).await;
    let config = write_config_file(
        &tmp.path().join("kiosks"),
        "sim-000",
        &secret,
        &hub_key(&data),
        mode.port(),
        station,
    );
    let sim = |extra: &[&str]| {
        let mut c = Command::new(kiosk_sim_bin());
        c.arg("--config").arg(&config).args(["--events", &EVENTS.to_string()]).args(extra);
        c.stdout(Stdio::piped()).stderr(Stdio::piped());
        c
    };

    // Five kills at pseudo-random moments while it records (about 4,000
    // events a second) and sends.
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let mut kills = 0;
    while kills < 5 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let mut child = sim(&["--rate", "4000"]).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(300 + rng % 700));
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
            assert!(status.success(), "simulator failed:\n{err}");
            break; // it finished recording before the kill
        }
        child.kill().unwrap();
        child.wait().unwrap();
        kills += 1;
        if kills == 1 {
            // Killed without a word: the broker publishes its will.
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                let rows: serde_json::Value =
                    hub_json(&["kiosks", "--json", "--data", data.to_str().unwrap()]);
                if rows[0]["state"] == "offline" {
                    break;
                }
                assert!(Instant::now() < deadline, "the will never marked the kiosk offline: {rows}");
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
    assert!(kills >= 3, "only {kills} kills landed mid-run");

    // Start it once more and let it finish.
    let started = Instant::now();
    let out = sim(&["--until-acked", "--timeout-s", "120"]).output().unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "simulator failed:\n{log}");
    let line: serde_json::Value =
        serde_json::from_slice(out.stdout.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!((line["last_seq"].as_u64(), line["acked_upto"].as_u64()), (Some(EVENTS), Some(EVENTS)));
    eprintln!("{kills} kills; the last run finished in {:.1} s", started.elapsed().as_secs_f64());

    let conn = hub::store::open_read(&hub::store::DataDir::new(&data).unwrap()).unwrap();
    let (events, upto): (u64, u64) = conn
        .query_row("SELECT events, upto FROM kiosk_seq WHERE kid = 'sim-000'", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((events, upto), (EVENTS, EVENTS), "every event once");
    let all: Vec<_> = (1..=EVENTS).map(|seq| scripted_event(0, seq)).collect();
    assert_eq!(measured(&conn), truth(&[("sim-000".into(), all)]));
    let fleet: serde_json::Value = hub_json(&["kiosks", "--json", "--data", data.to_str().unwrap()]);
    assert_eq!(fleet[0]["drift"], 0, "{fleet}");
}
