//! The parcel desk on a station kiosk with Slint's testing backend: the
//! keeper opens it behind the staff PIN, scans parcels in, out and at
//! pick-up; a second scan of the same parcel is not counted again; a number
//! several carriers could own is settled with one tap and remembered; the
//! scale's settled weight goes with a dispatched parcel; a product's trace
//! code opens its trace page. Each counted parcel is one outbox event.

mod common;

use common::{STAFF_PIN, labels, press, sample_kiosk_ui};
use firmware_config::SerialKind;
use kiosk::controllers::navigation::Page;
use kiosk::peripherals::Report;
use kiosk::peripherals::scale_driver::Weight;
use kiosk::peripherals::scanner::ScanText;
use kiosk::peripherals::serial::DeviceEvent;
use kiosk::ui::KioskUi;
use protocol::catalog::CatalogItem;
use protocol::messages::{EventKind, ParcelDirection};

fn scan(ui: &KioskUi, text: &str) {
    let symbology = text.contains("://").then(|| "]Q1".to_owned());
    ui.peripheral(Report {
        kind: SerialKind::Scanner,
        path: "/dev/serial/by-id/usb-scanner".into(),
        event: DeviceEvent::Scan(ScanText { text: text.into(), symbology }),
    });
}

fn shown(ui: &KioskUi, part: &str) -> bool {
    labels(ui).iter().any(|l| l.contains(part))
}

#[test]
fn a_keeper_scans_parcels_in_out_and_at_pick_up() {
    i_slint_backend_testing::init_integration_test_with_mock_time();
    let tmp = tempfile::tempdir().unwrap();
    let (rt, ui, snap) = sample_kiosk_ui(tmp.path(), "shinan-01", "station", 7, 1920);
    let handle = rt.handle();

    // Behind the PIN.
    kiosk::demo::visitor::Visitor(&ui).staff_pin(STAFF_PIN, true);
    assert_eq!(ui.page(), Page::Staff);
    press(&ui, "包裹收发");
    assert_eq!(ui.page(), Page::Desk);
    assert!(shown(&ui, "请扫描快递面单条码"));

    // Arrivals: counted once, however often scanned.
    scan(&ui, "SF1234567890123");
    assert!(shown(&ui, "已登记 SF1234567890123 · 顺丰"), "{:?}", labels(&ui));
    scan(&ui, "SF1234567890123");
    assert!(shown(&ui, "已登记过（第 2 次扫描），不重复计数"), "{:?}", labels(&ui));

    // Dispatch with the scale's settled weight; a number two carriers
    // could own asks, one tap settles it and numbers like it next time.
    press(&ui, "寄件出站");
    ui.peripheral(Report {
        kind: SerialKind::Scale,
        path: "/dev/serial/by-id/usb-scale-A1".into(),
        event: DeviceEvent::Weight(Weight::Settled(1_235)),
    });
    assert!(shown(&ui, "1.235 kg") && shown(&ui, "重量已稳定"));
    scan(&ui, "773012345678901");
    assert!(shown(&ui, "这是哪家快递"), "{:?}", labels(&ui));
    // The same page in English: nothing Chinese is left but the carriers'
    // names (catalog data) and the button back to Chinese.
    press(&ui, "English");
    assert!(shown(&ui, "Which carrier is it?") && shown(&ui, "Weight steady"), "{:?}", labels(&ui));
    let carriers = kiosk::peripherals::waybill::Carriers::shipped().names();
    let chinese: Vec<String> = labels(&ui)
        .into_iter()
        .filter(|l| l.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)))
        .filter(|l| l != "中文" && !carriers.contains(l))
        .collect();
    assert!(chinese.is_empty(), "left in Chinese: {chinese:?}");
    press(&ui, "中文");
    press(&ui, "申通");
    assert!(shown(&ui, "已登记 773012345678901 · 申通 · 1.235 kg"), "{:?}", labels(&ui));
    scan(&ui, "779998887776665");
    assert!(shown(&ui, "已登记 779998887776665 · 申通"), "remembered: {:?}", labels(&ui));

    // Not waybills.
    scan(&ui, "13812345678");
    assert!(shown(&ui, "这是手机号码"));

    // The villager collects the first parcel.
    press(&ui, "村民取件");
    scan(&ui, "SF1234567890123");
    assert!(shown(&ui, "已登记 SF1234567890123 · 顺丰"));

    // Today's counts on the page.
    let today = handle.parcels_today().unwrap();
    assert_eq!(
        (
            today.total(ParcelDirection::In),
            today.total(ParcelDirection::Out),
            today.total(ParcelDirection::PickUp)
        ),
        (1, 2, 1)
    );
    assert!(labels(&ui).iter().any(|l| l == "寄件出站") && shown(&ui, "2 件"));

    // Four parcels, four events; waybills leave hashed, weight and scale kept.
    let events = handle.outbox_state().unwrap();
    assert_eq!(events.totals.get("parcel"), Some(&4));
    let parcels: Vec<_> = kiosk_events(&tmp.path().join("kiosk/kiosk-data/kiosk.db"))
        .into_iter()
        .filter_map(|k| match k {
            EventKind::Parcel(p) => Some(p),
            _ => None,
        })
        .collect();
    assert_eq!(parcels.len(), 4);
    assert!(parcels.iter().all(|p| p.waybill_hashed && p.waybill.len() == 32 && !p.waybill.contains("SF")));
    let sent = parcels.iter().find(|p| p.carrier == "申通").unwrap();
    assert_eq!((sent.weight_g, sent.scale_id.as_deref()), (Some(1_235), Some("usb-scale-A1")));

    // A product's trace code opens its trace page.
    let uri = snap
        .items
        .iter()
        .find_map(|i| match &i.item {
            CatalogItem::Batch(b) => Some(b.trace_uri.clone()),
            _ => None,
        })
        .unwrap();
    scan(&ui, &uri);
    assert_eq!(ui.page(), Page::Trace);
}

/// The events waiting in a kiosk's outbox.
fn kiosk_events(db: &std::path::Path) -> Vec<EventKind> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut st = conn.prepare("SELECT body FROM outbox ORDER BY seq").unwrap();
    st.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|b| serde_json::from_str::<protocol::messages::Event>(&b.unwrap()).unwrap().kind)
        .collect()
}
