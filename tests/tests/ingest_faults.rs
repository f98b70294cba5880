//! The core promise, end to end: simulated kiosks send their events over MQTT
//! with duplicated, reordered and replayed batches while the hub is killed
//! with SIGKILL at random moments (each kill also drops every connection to
//! the embedded broker). Afterwards every aggregate equals the truth, and
//! each kiosk's events were counted exactly once.
//!
//! Scale: `KH_INGEST_KIOSKS` × `KH_INGEST_EVENTS` (default 100 × 10,000 =
//! 1,000,000 events) and `KH_INGEST_KILLS` (default 5).

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_counts_once_through_duplicates_replays_and_hub_kills() {
    let kiosks = env("KH_INGEST_KIOSKS", 100);
    let per_kiosk = env("KH_INGEST_EVENTS", 10_000);
    let kills = env("KH_INGEST_KILLS", 5);
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
            secrets.push(writer.exec(move |c| hub::registry::register(c, &kid, "sim")).await.unwrap().secret);
        }
    }
    let mode = BrokerMode::Embedded(free_port());
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

    // Kill the hub at pseudo-random moments while events flow.
    let started = Instant::now();
    let mut rng = 0x2545_F491_4F6C_DD1Du64;
    for k in 0..kills {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        // Kill when between 10% and 90% of the run is acked, spread over the kills.
        let target = total * (10 + (80 * k + rng % 15) / kills.max(1)) / 100;
        let deadline = Instant::now() + Duration::from_secs(300);
        while acked(&senders) < target && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        hub.kill();
        tokio::time::sleep(Duration::from_millis(200 + rng % 400)).await;
        hub = HubProcess::start(&data, mode).await;
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
    eprintln!("{total} events from {kiosks} kiosks in {elapsed:?}, {sent} batches sent, {kills} hub kills");

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
