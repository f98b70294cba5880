//! A kiosk process killed with SIGKILL while it records and flushes loses
//! nothing and counts nothing twice: the fleet simulator records scripted
//! interactions, is killed at random moments and started again, and in the
//! end the hub holds each event exactly once.
//!
//! The truth comes from outside the kiosk's store: each run says on its
//! stdout which events it was told were durably recorded, and each run's
//! events carry its own run number in their time. An event reported kept
//! and then lost would be recorded again by the next run, under the same
//! number with another time, and the test would see it twice.

use e2e::figures::{measured, truth};
use e2e::fleet::{scripted_event, write_config_file};
use e2e::harness::*;
use std::collections::BTreeMap;
use std::io::BufRead;
use std::process::{Child, Command, Stdio};
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

    // What each run reported durably recorded: seq → t (its run's time).
    let mut durable: BTreeMap<u64, u64> = BTreeMap::new();
    let mut take = |reported: Vec<(u64, u64)>| {
        for (seq, t) in reported {
            let before = durable.insert(seq, t);
            assert!(
                before.is_none(),
                "event {seq} was reported kept ({before:?}), lost, and recorded again ({t})"
            );
        }
    };

    // Five kills at pseudo-random moments while it records (about 4,000
    // events a second) and sends.
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let mut kills = 0;
    let mut run = 0;
    while kills < 5 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        run += 1;
        let mut child =
            sim(&["--rate", "4000", "--run", &run.to_string(), "--report-durable"]).spawn().unwrap();
        let reader = durable_reader(&mut child);
        if kills == 0 {
            // The will is only published for a session the broker accepted:
            // on a slow machine the first kill must wait for the connection.
            wait_kiosk_row(&data, "the kiosk online", |r| r["state"] == "online").await;
        }
        std::thread::sleep(Duration::from_millis(300 + rng % 700));
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
            assert!(status.success(), "simulator failed:\n{err}");
            take(reader.join().unwrap().0);
            break; // it finished recording before the kill
        }
        child.kill().unwrap();
        child.wait().unwrap();
        take(reader.join().unwrap().0);
        kills += 1;
        if kills == 1 {
            // Killed without a word: the broker publishes its will.
            wait_kiosk_row(&data, "the will marking the kiosk offline", |r| r["state"] == "offline").await;
        }
    }
    assert!(kills >= 3, "only {kills} kills landed mid-run");

    // Start it once more and let it finish.
    let started = Instant::now();
    let mut child =
        sim(&["--until-acked", "--timeout-s", "120", "--run", &(run + 1).to_string(), "--report-durable"])
            .spawn()
            .unwrap();
    let reader = durable_reader(&mut child);
    let out = child.wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "simulator failed:\n{log}");
    let (reported, rest) = reader.join().unwrap();
    take(reported);
    let line: serde_json::Value =
        serde_json::from_str(rest.first().expect("the simulator's summary")).unwrap();
    assert_eq!((line["last_seq"].as_u64(), line["acked_upto"].as_u64()), (Some(EVENTS), Some(EVENTS)));
    eprintln!("{kills} kills; the last run finished in {:.1} s", started.elapsed().as_secs_f64());
    // A kill between a commit and its line leaves that one event unreported.
    assert!(EVENTS - durable.len() as u64 <= kills, "{} of {EVENTS} reported kept", durable.len());

    let conn = hub::store::open_read(&hub::store::DataDir::new(&data).unwrap()).unwrap();
    let (events, upto): (u64, u64) = conn
        .query_row("SELECT events, upto FROM kiosk_seq WHERE kid = 'sim-000'", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((events, upto), (EVENTS, EVENTS), "every event once");
    // The hub holds each event as the run that reported it kept recorded it.
    let mut stmt = conn.prepare("SELECT seq, t FROM events WHERE kid = 'sim-000' ORDER BY seq").unwrap();
    let held: BTreeMap<u64, u64> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect();
    assert!(held.keys().copied().eq(1..=EVENTS), "the hub's numbers are not 1..={EVENTS}");
    let differ: Vec<_> = durable.iter().filter(|(seq, t)| held.get(seq) != Some(t)).take(5).collect();
    assert!(
        differ.is_empty(),
        "the hub's events differ from what the kiosk reported kept, first: {differ:?}"
    );
    let all: Vec<_> = (1..=EVENTS).map(|seq| scripted_event(0, seq)).collect();
    assert_eq!(measured(&conn), truth(&[("sim-000".into(), all)]));
    let fleet: serde_json::Value = hub_json(&["kiosks", "--json", "--data", data.to_str().unwrap()]);
    assert_eq!(fleet[0]["drift"], 0, "{fleet}");
}

/// A run's `durable` lines as (seq, t), and its other lines.
type RunOutput = (Vec<(u64, u64)>, Vec<String>);

/// Read a simulator's stdout on a thread (a full pipe would stop it).
fn durable_reader(child: &mut Child) -> std::thread::JoinHandle<RunOutput> {
    let stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    std::thread::spawn(move || {
        let (mut durable, mut rest) = (Vec::new(), Vec::new());
        for line in stdout.lines() {
            // A line cut by the kill ends the stream.
            let Ok(line) = line else { break };
            match line.split(' ').collect::<Vec<_>>()[..] {
                ["durable", _, seq, t] => match (seq.parse(), t.parse()) {
                    (Ok(seq), Ok(t)) => durable.push((seq, t)),
                    _ => break, // cut mid-line
                },
                _ => rest.push(line),
            }
        }
        (durable, rest)
    })
}
