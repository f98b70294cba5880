//! Figures for the big screen without a fleet: a hub store with the sample
//! catalog, the SAMPLE online sales, the county's target and a month of
//! made-up activity at six stations, read by the hub's own
//! `reports::screen::figures` — so `kiosk snapshot` shows the wall as the
//! hub would feed it. Deterministic for a given time: the same figures for
//! the same moment, nothing after it.

use hub::store::DataDir;
use protocol::KioskId;
use protocol::messages::{
    Birth, Death, Event, EventBatch, EventKind, ParcelDirection, ParcelScan, ServiceRequest, Status,
};
use protocol::screen::ScreenFigures;
use std::path::Path;

/// The SAMPLE online sales shipped with the sample catalog.
pub fn sample_sales() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/sales/tongcheng")
}

const STATIONS: [(&str, &str); 6] = [
    ("shinan-01", "石南镇"),
    ("magang-01", "马港镇"),
    ("tanghu-01", "塘湖镇"),
    ("maishi-01", "麦市镇"),
    ("guandao-01", "关刀镇"),
    ("sizhuang-01", "四庄乡"),
];
const CARRIERS: [&str; 5] = ["中国邮政", "中通", "圆通", "顺丰", "极兔"];
const WANTED: [&str; 3] = ["竹笋干", "蜂蜜", "毛尖茶"];

/// A small deterministic generator (xorshift): the same sample every run.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// The SAMPLE online sales and the plan's target (100 enterprises selling
/// online) into a hub store that holds the sample catalog: what the demo's
/// data centre shows beside the kiosks' own counts.
pub fn import_sample_sales(conn: &rusqlite::Connection, now: i64) -> anyhow::Result<()> {
    let today = protocol::county_time::date_of(now);
    let known = hub::sales::import::Enterprises::from_catalog(conn)?;
    let sales = hub::sales::check(&sample_sales(), &known, (today.year(), u8::from(today.month())));
    anyhow::ensure!(
        !sales.diags.has_errors(),
        "the sample sales do not import: {}",
        sales.diags.items.first().map(|d| d.to_string()).unwrap_or_default()
    );
    hub::sales::store::apply(conn, &sales.rows, "sample", &sales.files, &sales.sha256, now)?;
    hub::sales::targets::set(conn, hub::sales::targets::ENTERPRISES_ONLINE, Some(100), "sample", now)?;
    Ok(())
}

/// The sample wall's figures at `now` (Unix ms), with the hub store in `work`.
pub fn sample_figures(work: &Path, now: i64) -> anyhow::Result<ScreenFigures> {
    super::sample::load(&super::sample::default_catalog(), work)?;
    let data = DataDir::new(work)?;
    let conn = hub::store::open_write(&data)?;
    let today = protocol::county_time::date_of(now);
    import_sample_sales(&conn, now)?;

    let snap = hub::catalog::publish::latest_snapshot(&conn)?.ok_or_else(|| anyhow::anyhow!("no catalog"))?;
    let mut products = Vec::new();
    let mut batches = Vec::new();
    for v in &snap.items {
        match &v.item {
            protocol::catalog::CatalogItem::Product(p) => products.push(p.id.clone()),
            protocol::catalog::CatalogItem::Batch(b) => batches.push(b.id.clone()),
            _ => {}
        }
    }
    let cal = hub::tickets::calendar::Calendar::load(None)?;
    let mut dice = Dice(0x5eed_cafe);
    let day_ms = 86_400_000;
    let start_today = protocol::county_time::start_of_day(today);
    for (n, (id, town)) in STATIONS.iter().enumerate() {
        let kid = KioskId::new(*id).map_err(anyhow::Error::msg)?;
        let station_no = hub::fleet::registry::register_new(&conn, &kid, "stations")?.station_no;
        hub::fleet::registry::set_town(&conn, &kid, Some(town))?;
        hub::fleet::registry::set_role(&conn, &kid, "station")?;
        let mut events = Vec::new();
        let mut push = |t: i64, kind: EventKind| {
            events.push(Event { seq: events.len() as u64 + 1, t: t as u64, clock_trusted: true, kind });
        };
        for back in (0..30).rev() {
            let day_start = start_today - back * day_ms;
            // Opening hours, 08:00 to 20:00; today only up to now.
            let open = day_start + 8 * 3_600_000;
            let close =
                if back == 0 { now.min(day_start + 20 * 3_600_000) } else { day_start + 20 * 3_600_000 };
            let at = |dice: &mut Dice| {
                if close <= open { close } else { open + dice.roll((close - open) as u64) as i64 }
            };
            let busy = 1 + (n as u64 % 3);
            // Today is not over yet.
            let scale = if back == 0 { 2 } else { 1 };
            for dir in [ParcelDirection::Out, ParcelDirection::In] {
                let count = match dir {
                    ParcelDirection::Out => 4 * busy + dice.roll(10),
                    _ => 8 * busy + dice.roll(14),
                } / scale;
                for _ in 0..count {
                    let carrier = CARRIERS[dice.roll(CARRIERS.len() as u64) as usize].to_owned();
                    let waybill = format!("SAMPLE{id}{back:02}{:08}", dice.roll(100_000_000));
                    let scan = ParcelScan {
                        direction: dir,
                        waybill,
                        waybill_hashed: true,
                        carrier,
                        weight_g: Some(300 + dice.roll(4000) as u32),
                        scale_id: None,
                    };
                    let t = at(&mut dice);
                    push(t, EventKind::Parcel(scan));
                }
            }
            // Recent requests only: the sample does not answer them.
            if back < 2 {
                for k in 0..dice.roll(2) + 1 {
                    let t = at(&mut dice);
                    let yymmdd = protocol::county_time::yymmdd_of(t);
                    let ticket_no = protocol::TicketNo::new(&yymmdd, station_no, k as u16 + 1)
                        .map_err(anyhow::Error::msg)?;
                    let request = ServiceRequest {
                        request_id: format!("{id}-{back}-{}", dice.roll(1_000_000)),
                        ticket_no: ticket_no.as_str().to_owned(),
                        service_id: "shop-setup".into(),
                        village: (*town).to_owned(),
                        phone: format!("1380000{:04}", dice.roll(10_000)),
                        name: None,
                        note: None,
                        is_complaint: dice.roll(5) == 0,
                        job_id: None,
                    };
                    push(t, EventKind::ServiceRequest(request));
                }
            }
        }
        // Today's visitors at the station's screen, up to now.
        let open = start_today + 8 * 3_600_000;
        for _ in 0..20 + dice.roll(30) {
            let t = if now <= open { now } else { open + dice.roll((now - open) as u64) as i64 };
            let kind = match dice.roll(10) {
                0..=1 => EventKind::AttractExit,
                2 => EventKind::CategoryOpen { category: "farm_produce".into() },
                3..=5 => EventKind::ProductView {
                    product_id: products
                        [(dice.roll(3) + dice.roll(products.len() as u64)) as usize % products.len()]
                    .clone(),
                    dwell_ms: 5_000 + dice.roll(40_000),
                },
                6..=7 => EventKind::TraceOpen {
                    batch_id: batches[dice.roll(batches.len() as u64) as usize].clone(),
                },
                _ => {
                    let miss = dice.roll(3) == 0;
                    let query = if miss { WANTED[dice.roll(3) as usize] } else { "油茶" };
                    EventKind::Search { query: query.into(), results: if miss { 0 } else { 3 } }
                }
            };
            push(t, kind);
        }
        events.sort_by_key(|e| e.t);
        let mut totals = std::collections::BTreeMap::new();
        for (i, e) in events.iter_mut().enumerate() {
            e.seq = i as u64 + 1;
            *totals.entry(e.kind.name().to_owned()).or_insert(0u64) += 1;
        }
        let batch = EventBatch { session: 1, events };
        hub::ingest::ingest(&conn, &kid, &[batch], now, &cal)?;
        let birth = Birth {
            session: 1,
            boot_id: "sample".into(),
            app_version: env!("CARGO_PKG_VERSION").into(),
            catalog_version: 1,
            outbox_depth: 0,
            lifetime_totals: totals,
            ts: (start_today + 7 * 3_600_000) as u64,
            held_from: None,
            features: Vec::new(),
        };
        hub::fleet::presence::record(&conn, &kid, &Status::Online(birth), start_today + 7 * 3_600_000)?;
        // One station lost its link this morning.
        if n == 4 {
            let t = (start_today + 10 * 3_600_000 + 17 * 60_000).min(now);
            hub::fleet::presence::record(
                &conn,
                &kid,
                &Status::Offline(Death { session: 1, reason: None }),
                t,
            )?;
        }
    }
    Ok(hub::reports::screen::figures(&conn, now)?)
}
