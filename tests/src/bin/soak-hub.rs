//! The hub soak: a real hub process and a fleet of real kiosk runtimes (no
//! display) in this process, driven through a month of a county's traffic
//! in minutes — interactions, parcels with their own waybills, service
//! requests (tickets), and a new catalog version every week that every
//! kiosk syncs. The hub's VmHWM, VmRSS, open descriptors and SQLite files
//! are sampled all along; at the end every event is checked counted once,
//! and `hub report` is timed on the month's store.
//!
//!   cargo build --release -p e2e --bins
//!   ./target/release/soak-hub --kiosks 200 --days 30 --out docs/soak
//!
//! Each simulated day ends when the hub has acknowledged everything (a
//! barrier, so the samples say what a day of data costs, not how fast a
//! queue fills). Events carry the simulated day's time (the month of
//! October 2026) so the reports group them as a real month; parcel rows
//! and tickets take the wall clock, as kiosks stamp them.

use clap::Parser;
use e2e::figures::{event_kind, measured, truth};
use e2e::fleet::{config, wait_catalog};
use e2e::harness::*;
use e2e::soak::{Sampler, median, memory_figures, plot, write_csv};
use kiosk::runtime::{Handle, Runtime};
use protocol::KioskId;
use protocol::messages::{Event, EventKind, ParcelDirection, ParcelScan, ServiceRequest};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Args {
    #[arg(long, default_value_t = 200)]
    kiosks: usize,
    /// Simulated days.
    #[arg(long, default_value_t = 30)]
    days: u64,
    /// Interactions per kiosk per day (views, trace opens, categories,
    /// searches, attract exits).
    #[arg(long, default_value_t = 150)]
    events_per_day: u64,
    /// Parcels scanned per kiosk per day, each with its own waybill.
    #[arg(long, default_value_t = 30)]
    parcels_per_day: u64,
    /// Service requests per kiosk per day (each becomes a ticket).
    #[arg(long, default_value_t = 1)]
    requests_per_day: u64,
    /// A new catalog version every this many days.
    #[arg(long, default_value_t = 7)]
    update_every: u64,
    /// Days before memory is expected to settle (the slope is after it).
    #[arg(long, default_value_t = 3.0)]
    warm_up_days: f64,
    /// Milliseconds between samples.
    #[arg(long, default_value_t = 1000)]
    sample_ms: u64,
    /// Where `hub.csv` and `hub.png` go.
    #[arg(long, default_value = "docs/soak")]
    out: PathBuf,
    /// Keep the hub's data folder here (a new folder) for later reading,
    /// e.g. timing `hub report` again on a quiet machine.
    #[arg(long)]
    keep_data: Option<PathBuf>,
}

/// 2026-10-01 00:00 county time.
const MONTH_START: u64 = 1_790_812_800_000;
const DAY_MS: u64 = 86_400_000;

/// Kiosk `k`'s events of simulated day `d`, numbered from `first_seq`.
fn day_events(a: &Args, k: usize, d: u64, first_seq: u64) -> Vec<Event> {
    let per_day = a.events_per_day + a.parcels_per_day + a.requests_per_day;
    let mut kinds = Vec::with_capacity(per_day as usize);
    for i in 0..a.events_per_day {
        // The interaction kinds of figures::event_kind (no parcels or requests).
        let code = [0u8, 1, 2, 3, 5][((i * 7 + k as u64 * 3 + d) % 5) as usize];
        kinds.push(event_kind(code, i * 13 + k as u64 + d * 101));
    }
    for i in 0..a.parcels_per_day {
        kinds.push(EventKind::Parcel(ParcelScan {
            direction: if i % 3 == 0 { ParcelDirection::Out } else { ParcelDirection::In },
            waybill: format!("YT{k:04}{d:04}{i:05}"),
            waybill_hashed: false,
            carrier: ["yto", "sf", "zto", "ems"][(i % 4) as usize].into(),
            weight_g: Some(300 + (i * 37 % 5000) as u32),
            scale_id: None,
        }));
    }
    for i in 0..a.requests_per_day {
        kinds.push(EventKind::ServiceRequest(ServiceRequest {
            request_id: format!("soak-{k}-{d}-{i}"),
            ticket_no: String::new(),
            service_id: if (k as u64 + d + i) % 10 == 0 { "complaint".into() } else { "policy".into() },
            village: "石南镇".into(),
            phone: "13800001234".into(),
            name: None,
            note: None,
            is_complaint: (k as u64 + d + i) % 10 == 0,
            job_id: None,
        }));
    }
    // Spread over the county's opening hours, 08:00 to 18:00.
    let n = kinds.len() as u64;
    kinds
        .into_iter()
        .enumerate()
        .map(|(i, kind)| Event {
            seq: first_seq + i as u64,
            t: MONTH_START + d * DAY_MS + 8 * 3_600_000 + i as u64 * (10 * 3_600_000 / n.max(1)),
            clock_trusted: true,
            kind,
        })
        .collect()
}

async fn all_acked(handles: &[Handle], timeout: Duration) {
    let deadline = Instant::now() + timeout;
    for (i, h) in handles.iter().enumerate() {
        loop {
            let s = h.outbox_state().expect("outbox readable");
            if s.acked_upto == s.last_seq {
                break;
            }
            assert!(Instant::now() < deadline, "kiosk {i} never had everything acknowledged: {s:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// The database's size with its write-ahead log folded in (no hub running).
fn settled_db_bytes(db: &Path) -> u64 {
    let c = rusqlite::Connection::open(db).unwrap();
    c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).unwrap();
    drop(c);
    std::fs::metadata(db).unwrap().len()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let a = Args::parse();
    std::fs::create_dir_all(&a.out).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let data = a.keep_data.clone().unwrap_or_else(|| tmp.path().join("hub"));
    assert!(!data.exists(), "{} exists already", data.display());
    std::fs::create_dir_all(&data).unwrap();
    let catalog = tmp.path().join("catalog");
    copy_dir(&sample_catalog(), &catalog);
    let d = data.to_str().unwrap().to_owned();
    hub_cli(&["catalog", "publish", catalog.to_str().unwrap(), "--data", &d]);
    let mut regs = Vec::new();
    {
        let writer = hub::store::writer::Writer::start(&hub::store::DataDir::new(&data).unwrap()).unwrap();
        for i in 0..a.kiosks {
            let kid = KioskId::new(format!("k{i:03}")).unwrap();
            let reg = writer.exec(move |c| Ok(hub::fleet::registry::register_new(c, &kid, "fleet"))).await;
            regs.push(reg.unwrap().unwrap());
        }
    }
    let db_before = settled_db_bytes(&data.join("hub.db"));
    let mode = BrokerMode::Embedded(free_port());
    let hub = HubProcess::start(&data, mode).await;
    let key = hub_key(&data);
    let runtimes: Vec<Runtime> = regs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let dir = tmp.path().join(format!("k{i:03}"));
            Runtime::start(config(&format!("k{i:03}"), &r.secret, &key, mode.port(), r.station_no, &dir))
                .unwrap()
        })
        .collect();
    let handles: Vec<Handle> = runtimes.iter().map(Runtime::handle).collect();
    for h in &handles {
        wait_catalog(h, Duration::from_secs(600), 1).await;
    }
    eprintln!("{} kiosks online with catalog 1", a.kiosks);

    // The sampler: the hub process, against the simulated day.
    let per_day = (a.events_per_day + a.parcels_per_day + a.requests_per_day) * a.kiosks as u64;
    let recorded = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let sampler = {
        let recorded = recorded.clone();
        let day = move || recorded.load(Ordering::Relaxed) as f64 / per_day as f64;
        Sampler::start(hub.pid(), vec![data.join("hub.db")], Duration::from_millis(a.sample_ms), started, day)
    };

    let mut all: Vec<(String, Vec<Event>)> =
        (0..a.kiosks).map(|i| (format!("k{i:03}"), Vec::new())).collect();
    let mut version = 1;
    let mut sync_s = Vec::new();
    for day in 0..a.days {
        // Two recording threads (each event is a durable commit on its kiosk).
        let todays: Vec<Vec<Event>> =
            all.iter().enumerate().map(|(k, (_, ev))| day_events(&a, k, day, ev.len() as u64 + 1)).collect();
        std::thread::scope(|s| {
            for part in 0..2 {
                let (handles, todays, recorded) = (&handles, &todays, &recorded);
                s.spawn(move || {
                    for k in (part..handles.len()).step_by(2) {
                        for e in &todays[k] {
                            let seq = handles[k].record_at(e.kind.clone(), e.t).expect("recorded");
                            assert_eq!(seq, e.seq, "kiosk {k} numbers its events in order");
                            recorded.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                });
            }
        });
        for ((_, ev), today) in all.iter_mut().zip(todays) {
            ev.extend(today);
        }
        all_acked(&handles, Duration::from_secs(900)).await;
        if a.update_every > 0 && (day + 1) % a.update_every == 0 && day + 1 < a.days {
            edit_sample_catalog(&catalog, version);
            version += 1;
            let t = Instant::now();
            hub_cli(&["catalog", "publish", catalog.to_str().unwrap(), "--data", &d]);
            for h in &handles {
                wait_catalog(h, Duration::from_secs(900), version).await;
            }
            sync_s.push(t.elapsed().as_secs_f64());
        }
        eprintln!("day {} done after {:.0} s", day + 1, started.elapsed().as_secs_f64());
    }
    let samples = sampler.finish();
    let soak_s = started.elapsed().as_secs_f64();

    // Every event once, with the figures the truth says.
    let conn = hub::store::open_read(&hub::store::DataDir::new(&data).unwrap()).unwrap();
    let (events, duplicates): (u64, u64) = conn
        .query_row("SELECT sum(events), sum(duplicates) FROM kiosk_seq", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    let sent: u64 = all.iter().map(|(_, e)| e.len() as u64).sum();
    assert_eq!(events, sent, "the hub holds every event once");
    assert_eq!(measured(&conn), truth(&all), "the aggregates are the truth");
    let tickets: u64 = conn.query_row("SELECT count(*) FROM tickets", [], |r| r.get(0)).unwrap();
    assert_eq!(tickets, a.requests_per_day * a.days * a.kiosks as u64, "one ticket per request");
    drop(conn);

    // `hub report` on the month, while the hub serves: median of three.
    let (from, to) = (
        protocol::county_time::iso_date_of(MONTH_START as i64),
        protocol::county_time::iso_date_of((MONTH_START + (a.days - 1) * DAY_MS) as i64),
    );
    let mut report_s = Vec::new();
    for by in ["day", "station", "product", "category", "carrier", "service", "search"] {
        let times: Vec<f64> = (0..3)
            .map(|_| {
                let t = Instant::now();
                let rows = hub_report(&data, by, &from, &to);
                assert!(!rows.is_empty(), "hub report --by {by} has rows");
                t.elapsed().as_secs_f64()
            })
            .collect();
        report_s.push((by, median(times)));
    }
    drop(runtimes);
    drop(hub);
    let db_after = settled_db_bytes(&data.join("hub.db"));

    let csv = a.out.join("hub.csv");
    let png = a.out.join("hub.png");
    write_csv(&csv, &samples).unwrap();
    let title = format!("hub soak: {} kiosks, {} days, {} events", a.kiosks, a.days, sent);
    plot(&png, &title, &samples, a.warm_up_days).unwrap();

    let store_end = folder_bytes(&data);
    let db_month = db_after.saturating_sub(db_before) as f64 / a.days as f64 * 30.0;
    let mut summary = serde_json::json!({
        "kiosks": a.kiosks,
        "days": a.days,
        "events": sent,
        "events_once": true,
        "duplicates_refused": duplicates,
        "tickets": tickets,
        "catalog_versions": version,
        "catalog_sync_s": sync_s,
        "soak_s": soak_s,
        "db_mb_at_end": db_after as f64 / 1_048_576.0,
        "db_mb_per_month": db_month / 1_048_576.0,
        "data_folder_mb_at_end": store_end as f64 / 1_048_576.0,
        "report_s": report_s.iter().map(|(by, s)| serde_json::json!({"by": by, "median_s": s})).collect::<Vec<_>>(),
        "csv": csv,
        "png": png,
    });
    summary.as_object_mut().expect("an object").extend(memory_figures(&samples, a.warm_up_days));
    println!("{summary}");
}
