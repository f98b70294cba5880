//! The staff console under a county's load: response times of the home,
//! fleet and ticket-queue pages of a real `hub serve` with 200 kiosks and
//! 50,000 tickets in its store; and the hub's ingest throughput while 20
//! staff browsers poll the queue's live rows, against the same ingest
//! without them, in the same run.
//!
//! Run in release mode (see docs/benchmarks.md):
//!   cargo run --release -p e2e --bin bench-console

use clap::Parser;
use e2e::event_sender::{EventSender, Faults, SenderConfig};
use e2e::figures::event_kind;
use e2e::harness::*;
use e2e::soak::median;
use http_body_util::{BodyExt, Empty};
use hub::store::{self, DataDir};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use protocol::KioskId;
use protocol::messages::{Event, EventBatch, EventKind, ServiceRequest};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Args {
    #[arg(long, default_value_t = 200)]
    kiosks: u64,
    #[arg(long, default_value_t = 50_000)]
    tickets: u64,
    /// Of which still open (the rest resolved and closed, as most are).
    #[arg(long, default_value_t = 5_000)]
    open: u64,
    /// Requests per page per round (after 20 to warm up).
    #[arg(long, default_value_t = 200)]
    requests: usize,
    /// Rounds of everything (the figures are medians over rounds).
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Staff browsers polling the live rows.
    #[arg(long, default_value_t = 20)]
    browsers: usize,
    /// Events per sending kiosk in each ingest run (16 kiosks, batches of 64).
    #[arg(long, default_value_t = 40_000)]
    events: u64,
}

const SENDERS: u64 = 16;
const DAY_MS: i64 = 86_400_000;
/// live.js refreshes a live part every 5 s.
const POLL_EVERY: Duration = Duration::from_secs(5);

type Http = Client<HttpConnector, Empty<Bytes>>;

async fn get(http: &Http, url: &str, cookie: &str) -> (u16, usize) {
    try_get(http, url, cookie).await.expect("the console answers")
}

async fn try_get(http: &Http, url: &str, cookie: &str) -> Result<(u16, usize), String> {
    let req = hyper::Request::get(url).header("cookie", cookie).body(Empty::new()).unwrap();
    let resp = http.request(req).await.map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    let body = resp.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes();
    Ok((status, body.len()))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

/// 200 kiosks in 10 groups, the sample catalog, `tickets` requests over the
/// last 60 days (one in ten a complaint), all but `open` of them closed.
fn fill_store(data: &std::path::Path, a: &Args) -> Vec<(KioskId, Vec<u8>)> {
    let dir = DataDir::new(data).unwrap();
    let conn = store::open_write(&dir).unwrap();
    let cal = hub::tickets::calendar::Calendar::load(None).unwrap();
    let mut diags = hub::catalog::Diagnostics::default();
    let authored = hub::catalog::import(&sample_catalog(), protocol::county_time::today(), &mut diags)
        .expect("the sample");
    let blobs = hub::blobs::BlobDir::new(dir.blobs());
    hub::catalog::publish::publish(
        &conn,
        &blobs,
        &authored,
        "bench",
        &hub::catalog::publish::Target::All,
        "",
    )
    .unwrap();
    let kiosks: Vec<KioskId> =
        (0..a.kiosks).map(|i| KioskId::new(format!("station-{i:03}")).unwrap()).collect();
    for (i, k) in kiosks.iter().enumerate() {
        hub::fleet::registry::register_new(&conn, k, &format!("town-{}", i % 10)).unwrap();
    }
    let now = hub::store::now_ms();
    let per_kiosk = a.tickets / a.kiosks;
    for (i, k) in kiosks.iter().enumerate() {
        let events: Vec<Event> = (1..=per_kiosk)
            .map(|seq| {
                let n = i as u64 * per_kiosk + seq;
                let at = now - (n as i64 * 60 * DAY_MS / a.tickets as i64);
                Event {
                    seq,
                    t: at as u64,
                    clock_trusted: true,
                    kind: EventKind::ServiceRequest(ServiceRequest {
                        request_id: format!("r{n}"),
                        ticket_no: String::new(),
                        service_id: ["shop-setup", "complaint", "training", "logistics"][n as usize % 4]
                            .into(),
                        village: format!("镇{}", n % 12),
                        phone: format!("138{:08}", n),
                        name: Some("张秀英".into()),
                        note: Some("想在网上卖山茶油".into()),
                        is_complaint: n % 10 == 0,
                        job_id: None,
                    }),
                }
            })
            .collect();
        conn.execute_batch("BEGIN").unwrap();
        hub::ingest::ingest(&conn, k, &[EventBatch { session: 1, events }], now, &cal).unwrap();
        conn.execute_batch("COMMIT").unwrap();
    }
    // The oldest tickets are done: resolved and closed.
    conn.execute(
        "UPDATE tickets SET status = 'closed', responded_at = submitted_at + 3600000,
                resolved_at = submitted_at + 86400000, closed_at = submitted_at + 90000000
         WHERE ticket_no IN (SELECT ticket_no FROM tickets ORDER BY submitted_at LIMIT ?1)",
        [a.tickets - a.open],
    )
    .unwrap();
    // Kiosks that will send events, one fresh set per ingest run.
    let mut senders = Vec::new();
    for r in 0..(2 * a.rounds as u64 * SENDERS) {
        let k = KioskId::new(format!("sender-{r:03}")).unwrap();
        let secret = hub::fleet::registry::register_new(&conn, &k, "senders").unwrap().secret;
        senders.push((k, secret));
    }
    // The staff member the browsers are logged in as.
    let hash = hub::staff::accounts::hash_password("bench-password-long-enough");
    hub::staff::accounts::add(&conn, "bench", hub::staff::roles::Role::Admin, &hash, now).unwrap();
    hub::staff::accounts::set_password(&conn, "bench", &hash, now).unwrap();
    senders
}

/// Events per second committed by the hub from SENDERS kiosks.
async fn ingest(port: u16, hub_key: &[u8], senders: &[(KioskId, Vec<u8>)], per_kiosk: u64) -> f64 {
    let started = Instant::now();
    let running: Vec<EventSender> = senders
        .iter()
        .enumerate()
        .map(|(i, (kid, secret))| {
            let events: Vec<Event> = (1..=per_kiosk)
                .map(|seq| Event {
                    seq,
                    t: 1_790_812_800_000 + seq * 1000,
                    clock_trusted: true,
                    kind: event_kind((seq % 251) as u8 | 1, seq), // no service requests: tickets stay as set
                })
                .collect();
            EventSender::start(SenderConfig {
                kid: kid.clone(),
                secret: secret.clone(),
                hub_key: hub_key.to_vec(),
                host: "127.0.0.1".into(),
                port,
                events: Arc::new(events),
                batch: 64,
                window_batches: 32,
                faults: Faults::default(),
                seed: i as u64,
            })
        })
        .collect();
    let total = senders.len() as u64 * per_kiosk;
    while running.iter().map(EventSender::acked).sum::<u64>() < total {
        tokio::time::sleep(Duration::from_millis(5)).await;
        assert!(started.elapsed() < Duration::from_secs(600), "ingest stalled");
    }
    total as f64 / started.elapsed().as_secs_f64()
}

/// `n` browsers fetching the queue's live rows, each every `every` (none: back to back).
fn pollers(
    http: &Http,
    base: &str,
    cookie: &str,
    n: usize,
    every: Option<Duration>,
) -> (Arc<AtomicBool>, Arc<AtomicU64>) {
    let stop = Arc::new(AtomicBool::new(false));
    let count = Arc::new(AtomicU64::new(0));
    for i in 0..n {
        let (http, url, cookie) = (http.clone(), format!("{base}/tickets/rows?status="), cookie.to_owned());
        let (stop, count) = (stop.clone(), count.clone());
        tokio::spawn(async move {
            // Browsers opened the page at different moments.
            if let Some(e) = every {
                tokio::time::sleep(e * i as u32 / n as u32).await;
            }
            while !stop.load(Ordering::Relaxed) {
                match try_get(&http, &url, &cookie).await {
                    Ok((status, _)) => assert_eq!(status, 200, "live rows"),
                    // The benchmark is over and the hub gone.
                    Err(_) if stop.load(Ordering::Relaxed) => break,
                    Err(e) => panic!("live rows: {e}"),
                }
                count.fetch_add(1, Ordering::Relaxed);
                if let Some(e) = every {
                    tokio::time::sleep(e).await;
                }
            }
        });
    }
    (stop, count)
}

#[tokio::main]
async fn main() {
    let a = Args::parse();
    let tmp = tempfile::tempdir().unwrap();
    let t0 = Instant::now();
    let senders = fill_store(tmp.path(), &a);
    eprintln!("store filled in {:.1} s", t0.elapsed().as_secs_f64());
    let mode = BrokerMode::Embedded(free_port());
    let hub = HubProcess::start_logging(tmp.path(), mode, "warn").await;
    let key = hub_key(tmp.path());
    let token = {
        let conn = store::open_write(&DataDir::new(tmp.path()).unwrap()).unwrap();
        hub::staff::sessions::create(&conn, "bench", hub::store::now_ms()).unwrap()
    };
    let cookie = format!("{}={token}", hub::console::auth::SESSION_COOKIE);
    let base = format!("http://127.0.0.1:{}", hub.web_port);
    let http: Http = Client::builder(hyper_util::rt::TokioExecutor::new()).build_http();

    println!(
        "store: {} kiosks (+{} senders), {} tickets ({} open)\n",
        a.kiosks,
        senders.len(),
        a.tickets,
        a.open
    );
    println!("| page | bytes | p50 ms | p95 ms | max ms | p95 per round |");
    println!("|---|---|---|---|---|---|");
    for page in ["/", "/fleet", "/tickets"] {
        let url = format!("{base}{page}");
        let mut p50s = Vec::new();
        let mut p95s = Vec::new();
        let mut maxes = Vec::new();
        let mut size = 0;
        for _ in 0..a.rounds {
            for _ in 0..20 {
                get(&http, &url, &cookie).await;
            }
            let mut ms = Vec::with_capacity(a.requests);
            for _ in 0..a.requests {
                let t = Instant::now();
                let (status, bytes) = get(&http, &url, &cookie).await;
                ms.push(t.elapsed().as_secs_f64() * 1000.0);
                assert_eq!(status, 200, "{page}");
                size = bytes;
            }
            ms.sort_by(f64::total_cmp);
            p50s.push(percentile(&ms, 0.50));
            p95s.push(percentile(&ms, 0.95));
            maxes.push(*ms.last().unwrap());
        }
        let rounds: Vec<String> = p95s.iter().map(|x| format!("{x:.1}")).collect();
        println!(
            "| `{page}` | {size} | {:.1} | {:.1} | {:.1} | {} |",
            median(p50s),
            median(p95s.clone()),
            median(maxes),
            rounds.join(", ")
        );
    }

    println!("\n| ingest (16 kiosks, batches of 64) | events/s per round | median |");
    println!("|---|---|---|");
    let mut runs = senders.chunks(SENDERS as usize);
    let mut alone = Vec::new();
    let mut polled = Vec::new();
    let mut hammered = Vec::new();
    let mut polls = 0;
    for _ in 0..a.rounds {
        alone.push(ingest(mode.port(), &key, runs.next().unwrap(), a.events).await);
        let (stop, count) = pollers(&http, &base, &cookie, a.browsers, Some(POLL_EVERY));
        polled.push(ingest(mode.port(), &key, runs.next().unwrap(), a.events).await);
        stop.store(true, Ordering::Relaxed);
        polls += count.load(Ordering::Relaxed);
    }
    // The worst case: every browser refreshing back to back (no pause).
    let worst_senders: Vec<(KioskId, Vec<u8>)> = {
        let conn = store::open_write(&DataDir::new(tmp.path()).unwrap()).unwrap();
        (0..a.rounds as u64 * SENDERS)
            .map(|r| {
                let k = KioskId::new(format!("worst-{r:03}")).unwrap();
                let s = hub::fleet::registry::register_new(&conn, &k, "senders").unwrap().secret;
                (k, s)
            })
            .collect()
    };
    // The serving hub hears of the new kiosks through the registry's revision.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mut hammer_polls = 0;
    for chunk in worst_senders.chunks(SENDERS as usize) {
        let (stop, count) = pollers(&http, &base, &cookie, a.browsers, None);
        hammered.push(ingest(mode.port(), &key, chunk, a.events).await);
        stop.store(true, Ordering::Relaxed);
        hammer_polls += count.load(Ordering::Relaxed);
    }
    // Let requests under way finish before the hub stops.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let show = |v: &[f64]| v.iter().map(|x| format!("{x:.0}")).collect::<Vec<_>>().join(", ");
    println!("| no browser | {} | {:.0} |", show(&alone), median(alone.clone()));
    println!(
        "| {} browsers polling the live rows every {} s ({polls} polls) | {} | {:.0} |",
        a.browsers,
        POLL_EVERY.as_secs(),
        show(&polled),
        median(polled.clone())
    );
    println!(
        "| {} browsers polling back to back ({hammer_polls} polls) | {} | {:.0} |",
        a.browsers,
        show(&hammered),
        median(hammered.clone())
    );
    drop(hub);
}
