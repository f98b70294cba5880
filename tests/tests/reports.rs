//! `hub report` over a day of real traffic through a hub process: parcels
//! scanned twice and batches replayed count once, product figures carry the
//! catalog's names, uptime comes from presence, and no report contains a
//! phone number.

use e2e::harness::*;
use e2e::raw_kiosk::RawKiosk;
use protocol::messages::*;
use protocol::{TicketNo, Topic};
use serde_json::Value;

const PHONE: &str = "13812345678";

fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64
}

fn parcel(direction: ParcelDirection, waybill: &str, carrier: &str, weight_g: Option<u32>) -> EventKind {
    EventKind::Parcel(ParcelScan {
        direction,
        waybill: waybill.into(),
        waybill_hashed: false,
        carrier: carrier.into(),
        weight_g,
        scale_id: None,
    })
}

fn events(kinds: Vec<EventKind>, t: u64) -> Vec<Event> {
    kinds
        .into_iter()
        .enumerate()
        .map(|(i, kind)| Event { seq: i as u64 + 1, t, clock_trusted: true, kind })
        .collect()
}

fn report(d: &str, day: &str, by: &str, format: &str, extra: &[&str]) -> String {
    let mut args = vec!["report", "--data", d, "--from", day, "--to", day, "--by", by, "--format", format];
    args.extend_from_slice(extra);
    let out = hub_cli(&args);
    assert!(!out.contains(PHONE), "a phone number in the {by} report:\n{out}");
    out
}

fn json(d: &str, day: &str, by: &str, extra: &[&str]) -> Vec<Value> {
    serde_json::from_str::<Value>(&report(d, day, by, "json", extra)).unwrap().as_array().unwrap().clone()
}

fn row<'a>(rows: &'a [Value], key: &str, value: &str) -> &'a Value {
    rows.iter().find(|r| r[key] == value).unwrap_or_else(|| panic!("no row with {key} = {value}: {rows:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_of_traffic_reported_every_way() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hub");
    std::fs::create_dir_all(&data).unwrap();
    let d = data.to_str().unwrap();
    hub_cli(&["catalog", "publish", sample_catalog().to_str().unwrap(), "--data", d]);
    let station_secret = register_kiosk(&data, "station-shinan", "shinan");
    let showroom_secret = register_kiosk(&data, "showroom-1", "showroom");
    let mode = BrokerMode::Embedded(free_port());
    let _hub = HubProcess::start(&data, mode).await;

    let now = now_ms();
    let day = protocol::county_time::iso_date_of(now as i64);
    let yymmdd = protocol::county_time::yymmdd_of(now as i64);

    // The station: parcels in, out and picked up, each scanned more than once.
    let mut station = RawKiosk::connect("station-shinan", &station_secret, mode.port(), 1).await;
    let station_events = events(
        vec![
            parcel(ParcelDirection::In, "SF1000000000001", "sf", Some(1200)),
            parcel(ParcelDirection::In, "SF1000000000001", "sf", Some(1200)),
            parcel(ParcelDirection::In, "SF1000000000002", "sf", None),
            parcel(ParcelDirection::In, "YT7000000000001", "yto", Some(300)),
            parcel(ParcelDirection::Out, "SF1000000000009", "sf", Some(5_250)),
            parcel(ParcelDirection::Out, "SF1000000000009", "sf", Some(5_250)),
            parcel(ParcelDirection::PickUp, "SF1000000000001", "sf", None),
            EventKind::Search { query: "yc".into(), results: 3 },
            EventKind::Search { query: PHONE.into(), results: 0 },
            EventKind::Search { query: "hongshu".into(), results: 0 },
            EventKind::Search { query: "HongShu ".into(), results: 0 },
            EventKind::ServiceRequest(ServiceRequest {
                request_id: "req-1".into(),
                ticket_no: TicketNo::new(&yymmdd, 1, 1).unwrap().to_string(),
                service_id: "complaint".into(),
                village: "黄袍山村".into(),
                phone: PHONE.into(),
                name: Some("张秀英".into()),
                note: None,
                is_complaint: true,
                job_id: None,
            }),
        ],
        now,
    );
    let (first, second) = station_events.split_at(6);
    let topic = Topic::Events(station.kid.clone());
    station.publish(&topic, &EventBatch { session: 1, events: first.to_vec() }).await;
    station.publish(&topic, &EventBatch { session: 1, events: second.to_vec() }).await;
    // A replay of the first batch, as after a lost ack.
    station.publish(&topic, &EventBatch { session: 1, events: first.to_vec() }).await;
    station.wait_acked(station_events.len() as u64).await;

    // The showroom: views, a trace-QR scan and a category.
    let mut showroom = RawKiosk::connect("showroom-1", &showroom_secret, mode.port(), 1).await;
    let showroom_events = events(
        vec![
            EventKind::CategoryOpen { category: "farm_produce".into() },
            EventKind::ProductView { product_id: "camellia-oil-500".into(), dwell_ms: 5_000 },
            EventKind::ProductView { product_id: "camellia-oil-500".into(), dwell_ms: 7_000 },
            EventKind::TraceOpen { batch_id: "camellia-oil-500-260901-a1".into() },
            // 长辈模式: on, off, on again.
            EventKind::LargeTextOn,
            EventKind::LargeTextOff,
            EventKind::LargeTextOn,
        ],
        now,
    );
    showroom
        .publish(&Topic::Events(showroom.kid.clone()), &EventBatch { session: 1, events: showroom_events })
        .await;
    showroom.wait_acked(7).await;

    let carriers = json(d, &day, "carrier", &[]);
    assert_eq!(carriers.len(), 2, "{carriers:?}");
    let sf = row(&carriers, "carrier", "sf");
    assert_eq!(
        (&sf["parcels_in"], &sf["parcels_out"], &sf["parcels_picked_up"]),
        (&2.into(), &1.into(), &1.into())
    );
    assert_eq!((&sf["weight_in_kg"], &sf["weight_out_kg"]), (&1.2.into(), &5.25.into()));
    let yto = row(&carriers, "carrier", "yto");
    assert_eq!((&yto["parcels_in"], &yto["parcels_out"]), (&1.into(), &0.into()));
    assert!(json(d, &day, "carrier", &["--station", "showroom-1"]).is_empty());

    let products = json(d, &day, "product", &[]);
    assert_eq!(products.len(), 45, "every catalog product is listed, viewed or not");
    let oil = &products[0];
    assert_eq!(oil["product"], "camellia-oil-500", "most viewed first");
    assert_eq!(
        (&oil["name"], &oil["views"], &oil["avg_dwell_s"]),
        (&"黄袍山压榨山茶油".into(), &2.into(), &6.0.into())
    );
    assert_eq!(oil["trace_opens"], 1);

    let categories = json(d, &day, "category", &[]);
    let farm = row(&categories, "category", "farm_produce");
    assert_eq!(
        (&farm["category_opens"], &farm["product_views"], &farm["trace_opens"]),
        (&1.into(), &2.into(), &1.into())
    );

    let stations = json(d, &day, "station", &[]);
    let s = row(&stations, "station", "station-shinan");
    assert_eq!((&s["events"], &s["parcels_in"], &s["service_requests"]), (&12.into(), &3.into(), &1.into()));
    assert_eq!(s["station_no"], "0001");
    assert!(s["uptime_pct"].as_f64().unwrap() > 0.0, "{s}");
    assert_eq!(row(&stations, "station", "showroom-1")["events"], 7);

    let services = json(d, &day, "service", &[]);
    let c = row(&services, "service", "complaint");
    assert_eq!((&c["requests"], &c["complaints"], &c["open"]), (&1.into(), &1.into(), &1.into()));
    assert_eq!((&c["response_overdue"], &c["resolution_overdue"]), (&0.into(), &0.into()));
    assert_eq!((&c["response_pending"], &c["resolution_pending"]), (&1.into(), &1.into()));

    let searches = json(d, &day, "search", &[]);
    assert_eq!(searches[0]["query"], "hongshu", "the most-missed search first, case and spaces folded");
    assert_eq!((&searches[0]["searches"], &searches[0]["no_result"]), (&2.into(), &2.into()));
    assert!(searches.iter().any(|r| r["query"] == "138****5678"), "{searches:?}");

    let days = report(d, &day, "day", "csv", &[]);
    assert!(days.starts_with("\u{feff}day,product_views,"), "{days}");
    let line = days.lines().nth(1).unwrap();
    assert!(line.starts_with(&format!("{day},2,12,1,1,4,3,3,1,1,5.250,1,1,2,")), "{line}");
    assert!(line.ends_with(",2"), "large text switched on twice: {line}");
    let table = report(d, &day, "service", "table", &[]);
    assert!(table.contains("complaint") && table.lines().count() == 2, "{table}");
    if std::env::var_os("KH_SHOW_REPORTS").is_some() {
        for by in ["day", "station", "carrier", "category", "service", "search"] {
            println!("--by {by}\n{}", report(d, &day, by, "table", &[]));
        }
    }
}
