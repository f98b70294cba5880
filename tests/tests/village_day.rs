//! A day at a village station over a failing line (issue #20): a real hub
//! process, a real kiosk runtime behind a village link
//! (`e2e::village_link`: 512 kbit/s up, 2 Mbit/s down, 150–400 ms round
//! trip, 3% loss), recording interactions and parcels all day and taking
//! villagers' requests, while the line
//!
//! 1. goes silent for a long cut (no FIN, no reset),
//! 2. flaps: silent, reset and back every 2–5 seconds for a while,
//! 3. is reset and stays down for a second long cut,
//!
//! and the centre's staff answer the requests while the station cannot hear
//! them. At the end of the day every event is held by the hub exactly once
//! (the counts per kind equal the truth kept by the test), every staff step
//! on every ticket has reached the kiosk and been confirmed, and the hub's
//! presence log shows the station offline during each long cut and online
//! again after it, each at the right time.
//!
//! The county's cuts last 30 minutes. Every timer that matters is far
//! shorter (the broker's keep-alive ends a silent session after 15 s, the
//! kiosk retries every 3 s at most), so CI cuts for 40 s;
//! `KH_VILLAGE_CUT_S=1800 cargo test -p e2e --test village_day -- --nocapture`
//! runs the real length (about 65 minutes).

use e2e::figures::{event_kind, measured, truth};
use e2e::fleet::{config, wait_catalog, wait_status};
use e2e::harness::*;
use e2e::village_link::{Shape, VillageLink};
use kiosk::runtime::{Handle, Runtime};
use kiosk::store::requests::{Lookup, RequestForm};
use protocol::messages::Event;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// 2026-10-01 06:00 in Tongcheng: the station opens.
const OPENING: u64 = 1_790_812_800_000 + 6 * 3_600_000;
const KID: &str = "station-a";

fn cut_len() -> Duration {
    let secs = std::env::var("KH_VILLAGE_CUT_S").ok().map(|s| s.parse().expect("KH_VILLAGE_CUT_S: seconds"));
    Duration::from_secs(secs.unwrap_or(40))
}

fn wall_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64
}

/// The station's interactions and parcels, recorded at a steady pace on a
/// thread of their own whatever the line is doing. What it recorded is the
/// truth the hub is compared with.
struct Recorder {
    stop: Arc<AtomicBool>,
    events: Arc<Mutex<Vec<Event>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Recorder {
    fn start(k: Handle) -> Recorder {
        let stop = Arc::new(AtomicBool::new(false));
        let events = Arc::new(Mutex::new(Vec::new()));
        let (s, e) = (stop.clone(), events.clone());
        let thread = std::thread::spawn(move || {
            let mut n = 0u64;
            while !s.load(Ordering::Relaxed) {
                n += 1;
                // Every kind the hub aggregates but requests, which the day
                // makes through the request form.
                let code = [0, 1, 2, 3, 4, 5, 7][(n * 5 % 7) as usize];
                let kind = event_kind(code, n);
                // A minute of the station's day per event.
                let t = OPENING + n * 60_000;
                let seq = k.record_at(kind.clone(), t).expect("recording never fails");
                e.lock().unwrap().push(Event { seq, t, clock_trusted: true, kind });
                std::thread::sleep(Duration::from_millis(150));
            }
        });
        Recorder { stop, events, thread: Some(thread) }
    }

    fn finish(mut self) -> Vec<Event> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.take().unwrap().join().unwrap();
        std::mem::take(&mut *self.events.lock().unwrap())
    }
}

/// The hub's presence log for the station: (at ms, online).
fn presence_log(data: &Path) -> Vec<(u64, bool)> {
    let conn = hub::store::open_read(&hub::store::DataDir::new(data).unwrap()).unwrap();
    let mut st = conn.prepare("SELECT at, online FROM presence_log WHERE kid = ?1 ORDER BY rowid").unwrap();
    st.query_map([KID], |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? != 0)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn hub_counts(data: &Path) -> (u64, u64) {
    let conn = hub::store::open_read(&hub::store::DataDir::new(data).unwrap()).unwrap();
    conn.query_row("SELECT events, upto FROM kiosk_seq WHERE kid = ?1", [KID], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap_or((0, 0))
}

fn request(k: &Handle, phone_tail: u32) -> String {
    k.submit_request(&RequestForm {
        service_id: "shop-setup".into(),
        village: "黄袍山村".into(),
        phone: format!("1381234{phone_tail:04}"),
        name: Some("张秀英".into()),
        note: None,
        is_complaint: false,
        job_id: None,
    })
    .expect("a request is always taken")
    .ticket_no
}

/// A staff step on a ticket through the CLI, as the front desk does it.
fn staff(data: &Path, args: &[&str]) {
    let mut all = vec!["tickets"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--as", "王芳", "--data", data.to_str().unwrap()]);
    hub_cli(&all);
}

/// Wait until a request made at the station is a ticket at the hub: staff
/// can only work on what has reached them.
async fn arrived(data: &Path, no: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !hub_cli_status(&["tickets", "show", no, "--data", data.to_str().unwrap()]).0 {
        assert!(Instant::now() < deadline, "request {no} never reached the hub");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A window of time in wall-clock milliseconds, for the presence checks.
#[derive(Clone, Copy, Debug)]
struct Window {
    from: u64,
    to: u64,
}

impl Window {
    fn holds(&self, at: u64) -> bool {
        (self.from..=self.to).contains(&at)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_of_cuts_and_flapping_loses_nothing_and_counts_nothing_twice() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hub");
    std::fs::create_dir_all(&data).unwrap();
    hub_cli(&["catalog", "publish", sample_catalog().to_str().unwrap(), "--data", data.to_str().unwrap()]);
    let (secret, station) = register_kiosk_station(&data, KID, "shinan");
    let mode = BrokerMode::Embedded(free_port());
    let _hub = HubProcess::start(&data, mode).await;
    let link = VillageLink::start(mode.port(), Shape::village()).await;
    let rt =
        Runtime::start(config(KID, &secret, &hub_key(&data), link.port, station, &tmp.path().join("kiosk")))
            .unwrap();
    let k = rt.handle();
    wait_catalog(&k, Duration::from_secs(180), 1).await;
    wait_kiosk_row(&data, "the station online", |r| r["state"] == "online").await;
    let cut = cut_len();
    let day_began = Instant::now();

    // Morning, a good line.
    let recorder = Recorder::start(k.clone());
    let mut tickets = vec![request(&k, 1)];
    tokio::time::sleep(Duration::from_secs(10)).await;

    // The first long cut: silence. The front desk answers the morning's
    // request and a villager makes another at the station meanwhile.
    let cut1 = Window { from: wall_ms(), to: 0 };
    link.outage();
    staff(&data, &["accept", &tickets[0]]);
    staff(&data, &["reply", &tickets[0], "--text", "已联系，明天上门"]);
    tickets.push(request(&k, 2));
    tokio::time::sleep(cut).await;
    let back1 = Window { from: wall_ms(), to: 0 };
    link.restore();
    wait_status(&k, Duration::from_secs(60), "the station online after the first cut", |s| {
        s.connected && s.hub_online
    })
    .await;
    let back1 = Window { to: wall_ms() + 30_000, ..back1 };
    let cut1 = Window { to: cut1.from + 120_000, ..cut1 };
    arrived(&data, &tickets[1]).await;

    // Flapping: silent, reset or up every 2–5 s. Requests and replies go
    // on in the middle of it.
    let flap = Window { from: wall_ms(), to: 0 };
    let flap_for = Duration::from_secs(40);
    let flap_began = Instant::now();
    let mut turn = 0u64;
    while flap_began.elapsed() < flap_for {
        match turn % 3 {
            0 => link.outage(),
            1 => link.restore(),
            _ => link.cut(),
        }
        if turn == 4 {
            tickets.push(request(&k, 3));
            staff(&data, &["accept", &tickets[1]]);
            staff(&data, &["reply", &tickets[1], "--text", "请带身份证到镇便民中心"]);
        }
        turn += 1;
        tokio::time::sleep(Duration::from_millis(2_000 + (turn * 7_919 % 3_000))).await;
    }
    link.restore();
    wait_status(&k, Duration::from_secs(60), "the station online after flapping", |s| {
        s.connected && s.hub_online
    })
    .await;
    let flap = Window { to: wall_ms() + 30_000, ..flap };
    arrived(&data, &tickets[2]).await;

    // The second long cut: the router resets every connection and stays
    // down. Staff resolve the first request and answer the third.
    let cut2 = Window { from: wall_ms(), to: 0 };
    link.cut();
    staff(&data, &["resolve", &tickets[0], "--text", "网店已开通"]);
    staff(&data, &["accept", &tickets[2]]);
    staff(&data, &["reply", &tickets[2], "--text", "已登记，三天内回电"]);
    tickets.push(request(&k, 4));
    tokio::time::sleep(cut).await;
    let back2 = Window { from: wall_ms(), to: 0 };
    link.restore();
    wait_status(&k, Duration::from_secs(60), "the station online after the second cut", |s| {
        s.connected && s.hub_online
    })
    .await;
    let back2 = Window { to: wall_ms() + 30_000, ..back2 };
    let cut2 = Window { to: cut2.from + 120_000, ..cut2 };

    // Evening: the last request of the day is taken up at once.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let events = recorder.finish();
    wait_status(&k, Duration::from_secs(120), "an empty outbox", |s| s.hub_online && s.outbox_depth == 0)
        .await;
    let ticket4 = tickets[3].clone();
    staff(&data, &["accept", &ticket4]);

    // Every ticket: the kiosk shows what the hub holds, and confirmed it.
    let deadline = Instant::now() + Duration::from_secs(60);
    for no in &tickets {
        loop {
            let hub: serde_json::Value =
                hub_json(&["tickets", "show", no, "--json", "--data", data.to_str().unwrap()]);
            let t = &hub["ticket"];
            let mine = k.my_requests(&Lookup::Ticket(no.clone())).unwrap();
            let shown = mine.iter().find(|m| &m.ticket_no == no);
            let same = shown.is_some_and(|m| {
                t["rev"].as_u64() == Some(m.rev)
                    && t["status"].as_str() == Some(m.status.name())
                    && t["reply"].as_str() == m.reply.as_deref()
            });
            if same && t["seen_rev"] == t["rev"] && t["rev"].as_u64() > Some(0) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "ticket {no} never reached the kiosk: hub {t}, kiosk {shown:?}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    // Every event once: the hub's count and contiguous mark are the number
    // recorded (events plus the four requests), and the figures per kind
    // equal the truth.
    let recorded = events.len() as u64 + tickets.len() as u64;
    assert_eq!(hub_counts(&data), (recorded, recorded), "events held and acknowledged up to");
    let conn = hub::store::open_read(&hub::store::DataDir::new(&data).unwrap()).unwrap();
    let mut want = truth(&[(KID.to_owned(), events.clone())]);
    *want.kinds.entry((KID.into(), "service_request".into())).or_default() += tickets.len() as i64;
    want.tickets.insert("shop-setup".into(), (tickets.len() as i64, 0));
    assert_eq!(measured(&conn), want);

    // Presence: offline during each long cut and online after it, at the
    // right times; during flapping anything, but nothing outside the three
    // windows, and the day ends online.
    let log = presence_log(&data);
    let first_offline_after = |w: Window| log.iter().find(|(at, on)| !on && *at >= w.from).copied();
    let (off1, _) = first_offline_after(cut1).expect("offline during the first cut");
    assert!(cut1.holds(off1), "offline at {off1}, the first cut began at {} ({log:?})", cut1.from);
    let (on1, _) =
        log.iter().find(|(at, on)| *on && *at > off1).copied().expect("online after the first cut");
    assert!(back1.holds(on1), "online at {on1}, the line came back at {} ({log:?})", back1.from);
    let (off2, _) = first_offline_after(cut2).expect("offline during the second cut");
    assert!(cut2.holds(off2), "offline at {off2}, the second cut began at {} ({log:?})", cut2.from);
    let (on2, _) =
        log.iter().find(|(at, on)| *on && *at > off2).copied().expect("online after the second cut");
    assert!(back2.holds(on2), "online at {on2}, the line came back at {} ({log:?})", back2.from);
    let day = Window { from: cut1.from, to: wall_ms() };
    for (at, online) in log.iter().filter(|(at, _)| day.holds(*at)) {
        let explained = (cut1.holds(*at) && !online && *at <= back1.from)
            || back1.holds(*at)
            || flap.holds(*at)
            || (cut2.holds(*at) && !online && *at <= back2.from)
            || back2.holds(*at);
        assert!(explained, "presence changed to {online} at {at}, outside every cut ({log:?})");
    }
    assert_eq!(log.last().map(|(_, on)| *on), Some(true), "the day ends online");

    eprintln!(
        "a village day: {} events and {} requests over {:.0} s with cuts of {} s; the hub shows the station offline \
         {:.1} s and {:.1} s into the cuts and online {:.1} s and {:.1} s after the line returned; {} presence \
         changes, {} connections through the link, {} bytes up and {} down",
        events.len(),
        tickets.len(),
        day_began.elapsed().as_secs_f64(),
        cut.as_secs(),
        (off1 - cut1.from) as f64 / 1000.0,
        (off2 - cut2.from) as f64 / 1000.0,
        (on1 - back1.from) as f64 / 1000.0,
        (on2 - back2.from) as f64 / 1000.0,
        log.len(),
        link.connections(),
        link.bytes_up(),
        link.bytes_down(),
    );
}
