//! The kiosk soak: the kiosk's UI on the software renderer and its real
//! runtime, in this process as on the appliance, against a real hub
//! process, driven through a week of a busy hall in minutes. Visitors wake
//! the attract loop, browse every category and product, open trace pages,
//! search, read the directory and the stories, file service requests and
//! look them up; each visit ends the way a real one does, by the
//! inactivity timer (Slint's timers run on a virtual clock here, so 90 s
//! untouched take no time); a new catalog version arrives every simulated
//! day. This process's VmHWM, VmRSS, open descriptors and the kiosk's
//! SQLite files are sampled all along.
//!
//!   cargo build --release -p e2e --bins
//!   ./target/release/soak-kiosk --days 7 --visits-per-day 300 --out docs/soak

use clap::Parser;
use e2e::fleet::config;
use e2e::harness::*;
use e2e::soak::{Sampler, memory_figures, plot, slope_per_day, write_csv};
use kiosk::controllers::navigation::Page;
use kiosk::demo::visitor::Visitor;
use kiosk::runtime::Runtime;
use kiosk::ui::{KioskUi, Nav, snapshot};
use kiosk::window_feed::WindowFeed;
use protocol::catalog::CatalogItem;
use slint::ComponentHandle;
use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
use slint::platform::{Platform, WindowAdapter};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Args {
    /// Simulated days.
    #[arg(long, default_value_t = 7)]
    days: u64,
    /// Visits per day (a busy hall: one every two minutes over ten hours).
    #[arg(long, default_value_t = 300)]
    visits_per_day: u64,
    /// Every this many visits files a service request.
    #[arg(long, default_value_t = 10)]
    request_every: u64,
    /// Days before memory is expected to settle (the slope is after it).
    #[arg(long, default_value_t = 1.0)]
    warm_up_days: f64,
    #[arg(long, default_value_t = 1000)]
    sample_ms: u64,
    /// Where `kiosk.csv` and `kiosk.png` go.
    #[arg(long, default_value = "docs/soak")]
    out: PathBuf,
}

/// Slint's clock: moved by the soak, not by the wall.
static VIRTUAL_MS: AtomicU64 = AtomicU64::new(0);

struct VirtualClock {
    window: Rc<MinimalSoftwareWindow>,
}

impl Platform for VirtualClock {
    fn create_window_adapter(&self) -> Result<Rc<dyn WindowAdapter>, slint::PlatformError> {
        Ok(self.window.clone())
    }
    fn duration_since_start(&self) -> Duration {
        Duration::from_millis(VIRTUAL_MS.load(Ordering::Relaxed))
    }
}

/// The screen and what drives it.
struct Kiosk {
    ui: KioskUi,
    window: Rc<MinimalSoftwareWindow>,
    feed: WindowFeed,
    pages: BTreeSet<String>,
    frames: u64,
}

impl Kiosk {
    /// Let `ms` of Slint time pass (timers fire), keep the runtime's feed
    /// flowing, and draw the frame a panel would show.
    fn pass(&mut self, ms: u64) {
        VIRTUAL_MS.fetch_add(ms, Ordering::Relaxed);
        slint::platform::update_timers_and_animations();
        assert!(self.feed.pump(&self.ui), "the hub asked for a restart");
        snapshot::frame(&self.window, 1080, 1920);
        self.frames += 1;
        self.pages.insert(format!("{:?}", self.ui.page()));
    }

    /// A touch: the action, then the poke every touch area gives, then a few
    /// seconds of looking.
    fn touch(&mut self, act: impl FnOnce(&Visitor)) {
        act(&Visitor(&self.ui));
        self.ui.window.global::<Nav>().invoke_poke();
        self.pass(4_000);
    }

    /// Nobody touches the screen until the visit ends by itself.
    fn walk_away(&mut self) {
        for _ in 0..40 {
            if self.ui.page() == Page::Attract {
                return;
            }
            self.pass(10_000);
        }
        panic!("the visit never ended; the screen is on {:?}", self.ui.page());
    }
}

fn pump_until(k: &mut Kiosk, what: &str, timeout: Duration, done: impl Fn(&Kiosk) -> bool) {
    let deadline = Instant::now() + timeout;
    while !done(k) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        assert!(k.feed.pump(&k.ui));
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn main() {
    let a = Args::parse();
    std::fs::create_dir_all(&a.out).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hub");
    std::fs::create_dir_all(&data).unwrap();
    let catalog = tmp.path().join("catalog");
    copy_dir(&sample_catalog(), &catalog);
    let d = data.to_str().unwrap().to_owned();
    hub_cli(&["catalog", "publish", catalog.to_str().unwrap(), "--data", &d]);
    let (secret, station) = register_kiosk_station(&data, "hall-01", "shinan");
    let mode = BrokerMode::Embedded(free_port());
    let tokio = tokio::runtime::Runtime::new().unwrap();
    let hub = tokio.block_on(HubProcess::start(&data, mode));
    let key = hub_key(&data);

    let window = MinimalSoftwareWindow::new(RepaintBufferType::ReusedBuffer);
    slint::platform::set_platform(Box::new(VirtualClock { window: window.clone() })).unwrap();
    let kiosk_dir = tmp.path().join("kiosk");
    let rt = Runtime::start(config("hall-01", &secret, &key, mode.port(), station, &kiosk_dir)).unwrap();
    let ui = kiosk::window_feed::window_for(&rt.handle()).unwrap();
    let mut k = Kiosk { ui, window, feed: WindowFeed::new(rt.handle()), pages: BTreeSet::new(), frames: 0 };
    k.pass(0);
    pump_until(&mut k, "the catalog", Duration::from_secs(60), |k| {
        k.feed.handle().status().borrow().hub_online && k.feed.handle().catalog().borrow().is_some()
    });
    let snap = k.feed.handle().catalog().borrow().clone().unwrap();
    let mut products = Vec::new();
    let (mut services, mut stories) = (Vec::new(), Vec::new());
    for i in &snap.items {
        match &i.item {
            CatalogItem::Product(p) => products.push((p.id.clone(), p.category.as_str().to_owned())),
            CatalogItem::Service(s) if !s.is_complaint => services.push(s.id.clone()),
            CatalogItem::Story(s) => stories.push(s.id.clone()),
            _ => {}
        }
    }
    assert!(!products.is_empty() && !services.is_empty(), "the sample catalog has products and services");
    let searches = ["yc", "cy", "hpsc", "tc", "xyz"];

    // The sampler: this process (UI and runtime, as on the appliance).
    let visits_done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let sampler = {
        let (visits_done, per_day) = (visits_done.clone(), a.visits_per_day);
        let day = move || visits_done.load(Ordering::Relaxed) as f64 / per_day as f64;
        let db = vec![kiosk_dir.join("kiosk.db")];
        Sampler::start(std::process::id(), db, Duration::from_millis(a.sample_ms), started, day)
    };

    let mut version = snap.version;
    let mut requests = 0u64;
    for v in 0..a.days * a.visits_per_day {
        let (p, cat) = products[v as usize % products.len()].clone();
        k.touch(|x| x.wake());
        k.touch(|x| x.category(&cat));
        k.touch(|x| x.product(&p));
        k.touch(|x| x.trace());
        k.touch(|x| x.search(searches[v as usize % searches.len()]));
        if v % 3 == 0 {
            k.touch(|x| x.directory());
        }
        if v % 4 == 0 && !stories.is_empty() {
            let s = stories[v as usize % stories.len()].clone();
            k.touch(|x| {
                x.stories();
                x.story(&s);
            });
        }
        if v % a.request_every.max(1) == 0 {
            let service = services[v as usize % services.len()].clone();
            k.touch(|x| x.home());
            k.touch(|x| x.service_form(&service));
            k.touch(|x| x.town(kiosk::controllers::service_request::TOWNS[v as usize % 3]));
            k.touch(|x| x.keypad(&format!("1380000{:04}", v % 10_000)));
            k.touch(|x| x.submit());
            requests += 1;
            k.touch(|x| x.my_requests_by_phone(&format!("{:04}", v % 10_000)));
        }
        k.walk_away();
        // The attract loop turns its slides for a while.
        for _ in 0..3 {
            k.pass(6_000);
        }
        visits_done.fetch_add(1, Ordering::Relaxed);
        if (v + 1) % a.visits_per_day == 0 && v + 1 < a.days * a.visits_per_day {
            // A new catalog arrives while the attract loop runs.
            edit_sample_catalog(&catalog, version);
            version += 1;
            let publish = {
                let (c, d) = (catalog.to_str().unwrap().to_owned(), d.clone());
                std::thread::spawn(move || hub_cli(&["catalog", "publish", &c, "--data", &d]))
            };
            pump_until(&mut k, "the new catalog", Duration::from_secs(120), |k| {
                k.feed.handle().catalog().borrow().as_ref().is_some_and(|s| s.version == version)
            });
            publish.join().unwrap();
            eprintln!(
                "day {} done after {:.0} s",
                (v + 1) / a.visits_per_day,
                started.elapsed().as_secs_f64()
            );
        }
    }
    pump_until(&mut k, "every event acknowledged", Duration::from_secs(120), |k| {
        k.feed.handle().outbox_state().is_ok_and(|s| s.depth == 0)
    });
    let samples = sampler.finish();
    let soak_s = started.elapsed().as_secs_f64();

    let outbox = k.feed.handle().outbox_state().unwrap();
    let hub_events: u64 = {
        let conn = hub::store::open_read(&hub::store::DataDir::new(&data).unwrap()).unwrap();
        conn.query_row("SELECT events FROM kiosk_seq WHERE kid = 'hall-01'", [], |r| r.get(0)).unwrap()
    };
    assert_eq!(hub_events, outbox.last_seq, "the hub holds every event the kiosk recorded, once");
    let visits = outbox.totals.get("session_end").copied().unwrap_or(0);
    assert_eq!(visits, a.days * a.visits_per_day, "every visit ended by the inactivity timer: {outbox:?}");
    for page in
        ["Attract", "Category", "Product", "Trace", "Search", "Directory", "Request", "Receipt", "Mine"]
    {
        assert!(k.pages.contains(page), "the soak never showed {page}: {:?}", k.pages);
    }
    drop(rt);
    drop(hub);

    let (csv, png) = (a.out.join("kiosk.csv"), a.out.join("kiosk.png"));
    write_csv(&csv, &samples).unwrap();
    let title =
        format!("kiosk soak: {} days, {} visits, {} frames", a.days, a.days * a.visits_per_day, k.frames);
    plot(&png, &title, &samples, a.warm_up_days).unwrap();
    let last = samples.last().copied().unwrap_or_default();
    let mut summary = serde_json::json!({
        "days": a.days,
        "visits": visits,
        "requests": requests,
        "frames": k.frames,
        "events": outbox.last_seq,
        "catalog_versions": version,
        "pages": k.pages,
        "soak_s": soak_s,
        "db_mb_at_end": last.db_bytes as f64 / 1_048_576.0,
        "wal_mb_at_end": last.wal_bytes as f64 / 1_048_576.0,
        "db_slope_kb_per_day_after_warm_up": slope_per_day(&samples, a.warm_up_days, |s| s.db_bytes as f64 / 1024.0),
        "csv": csv,
        "png": png,
    });
    summary.as_object_mut().expect("an object").extend(memory_figures(&samples, a.warm_up_days));
    println!("{summary}");
}
