//! The core promise, end to end: simulated kiosks send their events over MQTT
//! with duplicated, reordered and replayed batches while the hub is killed
//! with SIGKILL at random moments and the broker is restarted (forgetting
//! every session and retained message). Afterwards every aggregate equals
//! the truth, and each kiosk's events were counted exactly once.
//!
//! The million-event run goes through Mosquitto, where a hub kill leaves the
//! kiosks connected (their in-flight batches to the dead hub are lost and
//! must be resent) and a broker restart drops everyone. Without Mosquitto it
//! runs on the embedded broker, where every hub kill drops every connection.
//! A smaller run always covers the embedded broker.
//!
//! Scale: `KH_INGEST_KIOSKS` × `KH_INGEST_EVENTS` (default 100 × 10,000 =
//! 1,000,000 events), `KH_INGEST_KILLS` (default 5), `KH_INGEST_RESTARTS`
//! (broker restarts, default 3).

use e2e::event_sender::{EventSender, Faults, SenderConfig};
use e2e::figures::{event_kind, measured, truth};
use e2e::harness::*;
use protocol::KioskId;
use protocol::messages::Event;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

const DAY0: u64 = 1_790_812_800_000; // 2026-10-01 00:00 in Tongcheng

#[derive(Clone, Copy, Debug)]
enum Fault {
    KillHub,
    RestartBroker,
}

/// `kills` hub kills with `restarts` broker restarts spread among them.
fn fault_plan(kills: u64, restarts: u64) -> Vec<Fault> {
    let n = kills + restarts;
    let mut plan = Vec::new();
    let (mut k, mut r) = (0, 0);
    for i in 0..n {
        // Place restarts evenly: the i-th fault is a restart when it keeps
        // the restarts' share on track.
        if r < restarts && (r * n) <= (i * restarts) {
            plan.push(Fault::RestartBroker);
            r += 1;
        } else if k < kills {
            plan.push(Fault::KillHub);
            k += 1;
        } else {
            plan.push(Fault::RestartBroker);
            r += 1;
        }
    }
    plan
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    kh_no_mosquitto,
    ignore = "mosquitto is not installed (apt-get install mosquitto mosquitto-clients)"
)]
async fn a_million_events_count_once_through_duplicates_replays_hub_kills_and_broker_restarts() {
    let (kiosks, per_kiosk) = (env("KH_INGEST_KIOSKS", 100), env("KH_INGEST_EVENTS", 10_000));
    let (kills, restarts) = (env("KH_INGEST_KILLS", 5), env("KH_INGEST_RESTARTS", 3));
    let m = Mosquitto::start();
    scenario(BrokerMode::External(m.port), Some(m), kiosks, per_kiosk, fault_plan(kills, restarts)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_count_once_through_hub_kills_on_the_embedded_broker() {
    scenario(BrokerMode::Embedded(free_port()), None, 20, 5_000, fault_plan(3, 0)).await;
}

async fn scenario(
    mode: BrokerMode,
    mut broker: Option<Mosquitto>,
    kiosks: u64,
    per_kiosk: u64,
    plan: Vec<Fault>,
) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hub");
    std::fs::create_dir_all(&data).unwrap();
    let kids: Vec<String> = (0..kiosks).map(|i| format!("sim-{i:03}")).collect();
    // Register every kiosk with one writer, not one process each.
    let mut secrets: Vec<Vec<u8>> = Vec::new();
    {
        let writer = hub::store::writer::Writer::start(&hub::store::DataDir::new(&data).unwrap()).unwrap();
        for k in &kids {
            let kid = KioskId::new(k).unwrap();
            secrets.push(
                writer
                    .exec(move |c| Ok(hub::fleet::registry::register_new(c, &kid, "sim")))
                    .await
                    .unwrap()
                    .unwrap()
                    .secret,
            );
        }
    }
    let mut hub = HubProcess::start(&data, mode).await;
    let hub_key = hub_key(&data);

    // A week of interactions per kiosk.
    let mut all = Vec::new();
    let mut senders = Vec::new();
    for (i, kid) in kids.iter().enumerate() {
        let events: Vec<Event> = (1..=per_kiosk)
            .map(|seq| {
                let code = ((seq * 31 + i as u64 * 17) % 251) as u8;
                Event {
                    seq,
                    t: DAY0 + (seq * 7 * 86_400_000) / per_kiosk,
                    clock_trusted: true,
                    kind: event_kind(code, seq * 13 + i as u64),
                }
            })
            .collect();
        let events = Arc::new(events);
        senders.push(EventSender::start(SenderConfig {
            kid: KioskId::new(kid).unwrap(),
            secret: secrets[i].clone(),
            hub_key: hub_key.clone(),
            host: "127.0.0.1".into(),
            port: mode.port(),
            events: events.clone(),
            batch: 64,
            window_batches: 8,
            faults: Faults { duplicate: 5, reorder: 5, replay: 3 },
            seed: 0x9E37_79B9 ^ i as u64,
        }));
        all.push((kid.clone(), events.as_ref().clone()));
    }
    let total = kiosks * per_kiosk;
    let acked = |s: &[EventSender]| s.iter().map(EventSender::acked).sum::<u64>();

    // Kill the hub, or restart the broker, at pseudo-random moments while events flow.
    let started = Instant::now();
    let mut rng = 0x2545_F491_4F6C_DD1Du64;
    let faults = plan.len() as u64;
    for (k, fault) in plan.iter().enumerate() {
        let k = k as u64;
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        // Kill when between 10% and 90% of the run is acked, spread over the kills.
        let target = total * (10 + (80 * k + rng % 15) / faults.max(1)) / 100;
        let deadline = Instant::now() + Duration::from_secs(300);
        while acked(&senders) < target && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        match fault {
            Fault::KillHub => {
                hub.kill();
                tokio::time::sleep(Duration::from_millis(200 + rng % 400)).await;
                hub = HubProcess::start(&data, mode).await;
            }
            Fault::RestartBroker => {
                broker.as_mut().expect("broker restarts need an external broker").restart();
                assert!(hub.alive(), "hub died when the broker restarted:\n{}", hub.log());
            }
        }
    }
    let deadline = Instant::now() + Duration::from_secs(env("KH_INGEST_DEADLINE_S", 900));
    while acked(&senders) < total {
        if Instant::now() > deadline {
            let connects: u64 =
                senders.iter().map(|s| s.progress.connects.load(std::sync::atomic::Ordering::Relaxed)).sum();
            let errors: Vec<String> = senders
                .iter()
                .filter_map(|s| s.progress.last_error.lock().unwrap().clone())
                .take(5)
                .collect();
            panic!(
                "only {} of {total} events acked; {connects} connects; errors {errors:?}",
                acked(&senders)
            );
        }
        assert!(hub.alive(), "hub died:\n{}", hub.log());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let elapsed = started.elapsed();
    let sent: u64 =
        senders.iter().map(|s| s.progress.batches_sent.load(std::sync::atomic::Ordering::Relaxed)).sum();
    drop(senders);
    eprintln!(
        "{total} events from {kiosks} kiosks in {elapsed:?}, {sent} batches sent, faults {plan:?} ({mode:?})"
    );

    let conn = hub::store::open_read(&hub::store::DataDir::new(&data).unwrap()).unwrap();
    assert_eq!(measured(&conn), truth(&all));
    for kid in &kids {
        let (events, upto): (u64, u64) = conn
            .query_row("SELECT events, upto FROM kiosk_seq WHERE kid = ?1", [kid], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((events, upto), (per_kiosk, per_kiosk), "{kid}");
    }
    let stored: u64 = conn.query_row("SELECT count(*) FROM events", [], |r| r.get(0)).unwrap();
    assert_eq!(stored, total);
}
