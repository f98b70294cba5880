//! The big screen against `hub report`: three simulated stations send a day
//! of interactions, parcels (re-scans included) and requests, the SAMPLE
//! sales are imported, and both the figures on `kh/v1/_dc/screen` (logged
//! in with the screen's own credentials, signed with the hub key) and what
//! the big screen's window then shows (read from its own model) equal what
//! `hub report` says for the same periods.

use e2e::event_sender::{EventSender, Faults, SenderConfig};
use e2e::figures::event_kind;
use e2e::harness::*;
use protocol::messages::{Event, EventKind};
use protocol::screen::ScreenFigures;
use protocol::{KioskId, Topic, decode};
use rumqttc::{Event as MqttEvent, Packet, QoS};
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

const KIOSKS: usize = 3;
const EVENTS: u64 = 400;

fn n(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_big_screen_shows_what_hub_report_says() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hub");
    let d = data.to_str().unwrap();
    hub_cli(&["catalog", "publish", sample_catalog().to_str().unwrap(), "--data", d]);
    let sales = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/sales/tongcheng");
    hub_cli(&["data", "import", sales.to_str().unwrap(), "--data", d]);
    let kids: Vec<String> = (0..KIOSKS).map(|i| format!("st-{i}")).collect();
    let secrets: Vec<Vec<u8>> = kids.iter().map(|k| register_kiosk(&data, k, "stations")).collect();
    let screen_secret = register_as(&data, "hall-screen", "hall", "bigscreen");
    hub_cli(&["data", "target", "--enterprises", "100", "--data", d]);
    // One station placed on the map by its town's Chinese name, one by id.
    hub_cli(&["fleet", "town", "st-0", "石南镇", "--data", d]);
    hub_cli(&["fleet", "town", "st-1", "magang", "--data", d]);
    let mode = BrokerMode::Embedded(free_port());
    let _hub = HubProcess::start(&data, mode).await;
    let key = hub_key(&data);

    // The screen logs in as itself and reads the feed.
    let (client, ev) = e2e::logins::connect(
        mode.port(),
        "hall-screen",
        "hall-screen",
        &protocol::credentials::mqtt_password(&screen_secret),
        None,
    )
    .await
    .expect("the screen logs in");
    let mut ev = e2e::mqtt_pump::pump(ev);
    let topic = Topic::DataCentre("screen".into());
    client.subscribe(topic.to_string(), QoS::AtLeastOnce).await.unwrap();

    // Today's events, now (the hub counts them on today's county day), on
    // the sample catalog's products and batches.
    let ids = |file: &str, col: usize| -> Vec<String> {
        let mut r = csv::Reader::from_path(sample_catalog().join(file)).unwrap();
        r.records().map(|rec| rec.unwrap()[col].to_owned()).collect()
    };
    let (products, batches) = (ids("products.csv", 0), ids("batches.csv", 0));
    let on_sample = |kind: EventKind, n: u64| match kind {
        EventKind::ProductView { dwell_ms, .. } => EventKind::ProductView {
            product_id: products[(n % 7) as usize % products.len()].clone(),
            dwell_ms,
        },
        EventKind::TraceOpen { .. } => {
            EventKind::TraceOpen { batch_id: batches[(n % 4) as usize % batches.len()].clone() }
        }
        k => k,
    };
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
    let mut senders = Vec::new();
    for (i, kid) in kids.iter().enumerate() {
        let events: Vec<Event> = (1..=EVENTS)
            .map(|seq| Event {
                seq,
                t: now,
                clock_trusted: true,
                kind: on_sample(
                    event_kind(((seq * 31 + i as u64 * 17) % 251) as u8, seq * 13 + i as u64),
                    seq,
                ),
            })
            .collect();
        senders.push(EventSender::start(SenderConfig {
            kid: KioskId::new(kid).unwrap(),
            secret: secrets[i].clone(),
            hub_key: key.clone(),
            host: "127.0.0.1".into(),
            port: mode.port(),
            events: Arc::new(events),
            batch: 32,
            window_batches: 4,
            faults: Faults::default(),
            seed: i as u64,
        }));
    }
    let total = KIOSKS as u64 * EVENTS;
    let deadline = Instant::now() + Duration::from_secs(60);
    while senders.iter().map(EventSender::acked).sum::<u64>() < total {
        assert!(Instant::now() < deadline, "the stations never finished");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // The barrier: a screen message that counts every acknowledged event.
    let deadline = Instant::now() + Duration::from_secs(30);
    let f: ScreenFigures = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let msg = tokio::time::timeout(left, ev.recv()).await.expect("no screen figures with every event");
        if let Some(Ok(MqttEvent::Incoming(Packet::Publish(p)))) = msg {
            let f: ScreenFigures = decode(&topic, &p.payload, &key).expect("signed with the hub key");
            if f.today.values().sum::<u64>() == total {
                break f;
            }
        }
    };
    let day = f.day.clone();

    // Today, by kind, against the day's report.
    let by_day = &hub_report(&data, "day", &day, &day)[0];
    let kind = |k: &str| f.today.get(k).copied().unwrap_or(0);
    assert_eq!(kind("product_view"), n(&by_day["product_views"]));
    assert_eq!(kind("trace_open"), n(&by_day["trace_opens"]));
    assert_eq!(kind("category_open"), n(&by_day["category_opens"]));
    assert_eq!(kind("search"), n(&by_day["searches"]));

    // The rankings: the report's first rows.
    let products = hub_report(&data, "product", &day, &day);
    let mut viewed: Vec<(String, u64)> =
        products.iter().map(|r| (r["product"].as_str().unwrap().to_owned(), n(&r["views"]))).collect();
    viewed.retain(|v| v.1 > 0);
    viewed.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let shown: Vec<(String, u64)> = f.top_viewed.iter().map(|r| (r.id.clone(), r.count)).collect();
    assert_eq!(shown, viewed.into_iter().take(5).collect::<Vec<_>>());
    assert!(
        !f.top_viewed.is_empty() && f.top_viewed[0].name_zh != f.top_viewed[0].id,
        "named from the catalog"
    );
    let mut traced: Vec<(String, u64)> =
        products.iter().map(|r| (r["product"].as_str().unwrap().to_owned(), n(&r["trace_opens"]))).collect();
    traced.retain(|v| v.1 > 0);
    traced.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let shown: Vec<(String, u64)> = f.top_traced.iter().map(|r| (r.id.clone(), r.count)).collect();
    assert_eq!(shown, traced.into_iter().take(5).collect::<Vec<_>>());
    let searches = hub_report(&data, "search", &day, &day);
    let not_found: Vec<(String, u64)> = searches
        .iter()
        .filter(|r| n(&r["no_result"]) > 0)
        .take(5)
        .map(|r| (r["query"].as_str().unwrap().to_owned(), n(&r["no_result"])))
        .collect();
    assert_eq!(f.not_found.iter().map(|r| (r.id.clone(), r.count)).collect::<Vec<_>>(), not_found);

    // Parcels: today per carrier, and the last 30 days.
    let carriers = hub_report(&data, "carrier", &day, &day);
    assert_eq!(f.carriers_today.len(), carriers.len());
    for (c, r) in f.carriers_today.iter().zip(&carriers) {
        assert_eq!(
            (c.key.as_str(), c.parcels_in, c.parcels_out),
            (r["carrier"].as_str().unwrap(), n(&r["parcels_in"]), n(&r["parcels_out"]))
        );
    }
    assert_eq!(f.parcels_30d.len(), 30);
    let first = &f.parcels_30d[0].day;
    let days = hub_report(&data, "day", first, &day);
    for (p, r) in f.parcels_30d.iter().zip(&days) {
        assert_eq!(
            (p.day.as_str(), p.parcels_in, p.parcels_out),
            (r["day"].as_str().unwrap(), n(&r["parcels_in"]), n(&r["parcels_out"]))
        );
    }
    assert!(
        f.parcels_30d[29].parcels_in + f.parcels_30d[29].parcels_out > 0,
        "today's parcels are in the chart"
    );

    // The stations: parcels and requests today; the screen itself is not one.
    let stations = hub_report(&data, "station", &day, &day);
    let listed: Vec<&str> = f.stations.iter().map(|s| s.kiosk.as_str()).collect();
    assert_eq!(listed, ["st-0", "st-1", "st-2"], "every station, not the screen");
    for s in &f.stations {
        let r = stations.iter().find(|r| r["station"] == s.kiosk.as_str()).unwrap();
        assert_eq!(s.parcels_in_today, n(&r["parcels_in"]), "{}", s.kiosk);
        assert_eq!(s.parcels_out_today, n(&r["parcels_out"]), "{}", s.kiosk);
        assert_eq!(s.requests_today, n(&r["service_requests"]), "{}", s.kiosk);
        assert!(s.online, "{} sent everything while online", s.kiosk);
    }

    // Service requests this month: the service report's deadline counts.
    let month_start = format!("{}-01", &f.tickets.month);
    let services = hub_report(&data, "service", &month_start, &day);
    let sum = |col: &str| services.iter().map(|r| n(&r[col])).sum::<u64>();
    assert_eq!(f.tickets.submitted, sum("requests"));
    assert_eq!(f.tickets.answered_in_time, sum("response_met"));
    assert_eq!(f.tickets.answer_due, sum("response_met") + sum("response_late") + sum("response_overdue"));
    assert_eq!(f.tickets.resolved_in_time, sum("resolution_met"));
    assert_eq!(
        f.tickets.resolution_due,
        sum("resolution_met") + sum("resolution_late") + sum("resolution_overdue")
    );
    assert!(f.tickets.submitted > 0);

    // Online sales: the last 12 months held, as `hub report --by month`.
    assert_eq!(f.sales.len(), 12);
    let months =
        hub_report(&data, "month", &format!("{}-01", f.sales[0].month), &format!("{}-28", f.sales[11].month));
    for (m, r) in f.sales.iter().zip(&months) {
        assert_eq!(m.month, r["month"].as_str().unwrap());
        assert_eq!(m.enterprises, n(&r["enterprises_online"]), "{}", m.month);
        assert_eq!(m.orders, n(&r["orders"]), "{}", m.month);
        assert_eq!(
            format!("{}.{:02}", m.sales_fen / 100, m.sales_fen % 100),
            format!("{:.2}", r["sales_yuan"].as_f64().unwrap())
        );
        assert_eq!(m.by_platform.values().sum::<u64>(), m.sales_fen);
    }

    // The wall: a `bigscreen` kiosk with its window, fed by the hub, shows
    // the same figures, read from the window's own model.
    let _headless = kiosk::ui::snapshot::install().unwrap();
    let mut wall = e2e::wall::Wall::start(e2e::wall::config(
        "hall-screen",
        &screen_secret,
        &key,
        mode.port(),
        &tmp.path().join("wall"),
    ));
    let visitors: i32 = kiosk::controllers::big_screen::VISITOR_KINDS.iter().map(|k| kind_n(&f, k)).sum();
    let w =
        wall.until(Duration::from_secs(30), "every event, live", |s| s.live && s.interactions == visitors);
    let i = |v: &Value| n(v) as i32;
    let kinds: Vec<(String, i32)> = w.by_kind.clone();
    let shown_kind = |k: &str| kinds.iter().find(|x| x.0 == k).map_or(0, |x| x.1);
    assert_eq!(shown_kind("product_view"), i(&by_day["product_views"]));
    assert_eq!(shown_kind("trace_open"), i(&by_day["trace_opens"]));
    assert_eq!(shown_kind("category_open"), i(&by_day["category_opens"]));
    assert_eq!(shown_kind("search"), i(&by_day["searches"]));
    // The headline: the report's kinds, and visits and request events (the
    // report has no column for them: it counts tickets, one per request id,
    // and the simulator reuses ids) as the hub counted them.
    let reported: i32 =
        ["product_views", "trace_opens", "category_opens", "searches"].iter().map(|c| i(&by_day[*c])).sum();
    assert_eq!(shown_kind("service_request"), kind_n(&f, "service_request"));
    assert_eq!(w.interactions, reported + kind_n(&f, "attract_exit") + kind_n(&f, "service_request"));
    assert_eq!((w.requests_open, w.requests_overdue), (f.tickets.open as i32, f.tickets.overdue as i32));
    // Rankings by name, in the report's order.
    let names: std::collections::BTreeMap<String, String> = {
        let mut r = csv::Reader::from_path(sample_catalog().join("products.csv")).unwrap();
        r.records().map(|rec| rec.unwrap()).map(|rec| (rec[0].to_owned(), rec[3].to_owned())).collect()
    };
    let name_of = |rows: &[(String, u64)]| -> Vec<(String, i32)> {
        rows.iter().map(|(id, c)| (names[id].clone(), *c as i32)).collect()
    };
    assert_eq!(
        w.top_viewed,
        name_of(&f.top_viewed.iter().map(|r| (r.id.clone(), r.count)).collect::<Vec<_>>())
    );
    assert_eq!(
        w.top_traced,
        name_of(&f.top_traced.iter().map(|r| (r.id.clone(), r.count)).collect::<Vec<_>>())
    );
    assert_eq!(w.not_found, not_found.iter().map(|(q, c)| (q.clone(), *c as i32)).collect::<Vec<_>>());
    // Parcels: today, 30 days day by day, per carrier.
    let today_row = days.last().unwrap();
    assert_eq!(w.parcels_today, (i(&today_row["parcels_in"]), i(&today_row["parcels_out"])));
    let sum = |col: &str| days.iter().map(|r| i(&r[col])).sum::<i32>();
    assert_eq!(w.parcels_30d_total, (sum("parcels_in"), sum("parcels_out")));
    let report_days: Vec<(String, i32, i32)> = days
        .iter()
        .map(|r| (r["day"].as_str().unwrap().to_owned(), i(&r["parcels_in"]), i(&r["parcels_out"])))
        .collect();
    assert_eq!(w.parcels_30d, report_days);
    let report_carriers: Vec<(String, i32, i32)> = carriers
        .iter()
        .map(|r| (r["carrier"].as_str().unwrap().to_owned(), i(&r["parcels_in"]), i(&r["parcels_out"])))
        .collect();
    assert_eq!(w.carriers, report_carriers);
    // Stations.
    for (id, online, p_in, p_out, requests) in &w.stations {
        let r = stations.iter().find(|r| r["station"] == id.as_str()).unwrap();
        assert_eq!(
            (*p_in, *p_out, *requests),
            (i(&r["parcels_in"]), i(&r["parcels_out"]), i(&r["service_requests"])),
            "{id}"
        );
        assert!(online, "{id}");
    }
    assert_eq!(w.stations.len(), 3);
    assert_eq!(w.stations_online, 3);
    // The map: the sample's towns.csv, stations at their towns' places.
    let towns = csv::Reader::from_path(sample_catalog().join("towns.csv")).unwrap().records().count();
    assert_eq!(w.towns, towns);
    assert_eq!(
        w.station_places,
        [
            ("st-0".to_owned(), "石南镇".to_owned(), 0.38, 0.64),
            ("st-1".to_owned(), "马港镇".to_owned(), 0.18, 0.50),
            ("st-2".to_owned(), String::new(), -1.0, -1.0),
        ]
    );
    assert_eq!(w.stations_unplaced, 1);
    // Service requests this month.
    let ssum = |col: &str| services.iter().map(|r| i(&r[col])).sum::<i32>();
    assert_eq!(w.requests_submitted, ssum("requests"));
    assert_eq!(
        w.answered,
        (ssum("response_met"), ssum("response_met") + ssum("response_late") + ssum("response_overdue"))
    );
    assert_eq!(
        w.resolved,
        (
            ssum("resolution_met"),
            ssum("resolution_met") + ssum("resolution_late") + ssum("resolution_overdue")
        )
    );
    // Online sales, month by month, in 万元 as shown.
    assert_eq!(w.sales.len(), months.len());
    for (m, r) in w.sales.iter().zip(&months) {
        assert_eq!(
            (m.0.as_str(), m.1, m.2),
            (r["month"].as_str().unwrap(), i(&r["enterprises_online"]), i(&r["orders"]))
        );
        let yuan = |col: &str| r[col].as_f64().unwrap() / 10_000.0;
        assert!(
            (f64::from(m.3) - yuan("sales_yuan")).abs() < 0.005,
            "{} sales {} vs {}",
            m.0,
            m.3,
            yuan("sales_yuan")
        );
        assert!(
            (f64::from(m.4) - yuan("farm_sales_yuan")).abs() < 0.005,
            "{} farm {} vs {}",
            m.0,
            m.4,
            yuan("farm_sales_yuan")
        );
    }
    assert_eq!(w.enterprises, i(&months.last().unwrap()["enterprises_online"]));
    assert_eq!(w.enterprises_target, 100, "hub data target --enterprises 100");
}

/// A kind's count in the feed's `today`.
fn kind_n(f: &ScreenFigures, kind: &str) -> i32 {
    f.today.get(kind).copied().unwrap_or(0) as i32
}
