//! A village station's day at the parcel desk, end to end: a scanner and a
//! parcel scale on pseudo-terminals (opened by stable links, as by-id paths
//! are), the kiosk's serial threads, the desk's rules, its outbox, and a
//! real hub process that is killed and restarted mid-day. Parcels are
//! scanned twice (double triggers and real re-scans), the scanner is
//! unplugged and plugged back in, and at the end `hub report --by carrier`
//! shows every parcel exactly once, with the dispatched weights.
#![cfg(unix)]

use e2e::fleet::{config, wait_status};
use e2e::harness::*;
use firmware_config::{SerialDevice, SerialKind};
use kiosk::controllers::parcel_desk::{DeskNote, ParcelDesk};
use kiosk::peripherals::scale_driver::Weight;
use kiosk::peripherals::serial::DeviceEvent;
use kiosk::peripherals::waybill::Carriers;
use kiosk::peripherals::{Peripherals, Report};
use kiosk::runtime::Runtime;
use protocol::messages::ParcelDirection;
use serde_json::Value;
use serialport::{SerialPort, TTYPort};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

/// A device's cable: the simulator's end, and the path of the kiosk's end.
fn cable() -> (TTYPort, String) {
    let (master, slave) = TTYPort::pair().expect("a pseudo-terminal");
    (master, slave.name().unwrap())
}

/// Plugged in: udev makes the by-id link.
fn plug(link: &Path) -> TTYPort {
    let (master, name) = cable();
    let _ = std::fs::remove_file(link);
    std::os::unix::fs::symlink(name, link).unwrap();
    master
}

/// The keeper's side of the desk: device reports in, outcomes out.
struct Keeper {
    desk: ParcelDesk,
    book: kiosk::runtime::Handle,
    reports: Receiver<Report>,
    scanner: TTYPort,
}

impl Keeper {
    fn next(&mut self, what: &str, want: impl Fn(&DeviceEvent) -> bool) -> DeviceEvent {
        let end = Instant::now() + Duration::from_secs(15);
        while Instant::now() < end {
            let Ok(r) = self.reports.recv_timeout(Duration::from_millis(50)) else { continue };
            let event = r.event.clone();
            if let DeviceEvent::Weight(_) = event {
                self.desk.report(r);
            }
            if want(&event) {
                return event;
            }
        }
        panic!("no {what} within 15 s");
    }

    /// Scan `bytes` (one or more codes) and handle the one scan it makes;
    /// an ambiguous number gets the keeper's tap on the likeliest carrier.
    fn scan(&mut self, bytes: &[u8], expect: &str) -> DeskNote {
        self.scanner.write_all(bytes).unwrap();
        let DeviceEvent::Scan(s) = self.next("scan", |e| matches!(e, DeviceEvent::Scan(_))) else {
            unreachable!()
        };
        assert_eq!(s.text, expect, "one scan per trigger");
        self.desk.scan(&self.book, &s);
        if let Some(DeskNote::AskCarrier { candidates, .. }) = self.desk.note.clone() {
            self.desk.choose_carrier(&self.book, &candidates[0]);
        }
        self.desk.note.clone().expect("the desk says what it did")
    }

    /// Wait until the scale has settled on `grams`.
    fn settled(&mut self, grams: i64) {
        if self.desk.weight() == Some(Weight::Settled(grams)) {
            return;
        }
        self.next("settled weight", |e| *e == DeviceEvent::Weight(Weight::Settled(grams)));
    }
}

/// A Toledo scale showing `grams` (10 g steps) 20 times a second.
fn scale_sim(
    mut master: TTYPort,
    grams: Arc<AtomicU32>,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            let tens = grams.load(Ordering::Relaxed) / 10;
            let frame = format!("\x02\x2C\x30\x20{tens:06}000000\r");
            let _ = master.write_all(frame.as_bytes());
            std::thread::sleep(Duration::from_millis(50));
        }
    })
}

fn county_day(offset_days: i64) -> String {
    protocol::county_time::iso_date(protocol::county_time::today() + time::Duration::days(offset_days))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_at_the_parcel_desk_is_reported_once_per_parcel() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hub");
    std::fs::create_dir_all(&data).unwrap();
    let d = data.to_str().unwrap();
    let (secret, station) = register_kiosk_station(&data, "station-shinan", "shinan");
    let mode = BrokerMode::Embedded(free_port());
    let hub = HubProcess::start(&data, mode).await;
    let key = hub_key(&data);

    let (scanner_link, scale_link) = (tmp.path().join("scanner"), tmp.path().join("scale"));
    let scanner = plug(&scanner_link);
    let scale = plug(&scale_link);
    let mut cfg = config("station-shinan", &secret, &key, mode.port(), station, &tmp.path().join("kiosk"));
    cfg.serial = vec![
        SerialDevice {
            path: scanner_link.clone(),
            kind: SerialKind::Scanner,
            baud: 9600,
            protocol: "auto".into(),
        },
        SerialDevice {
            path: scale_link.clone(),
            kind: SerialKind::Scale,
            baud: 9600,
            protocol: "toledo".into(),
        },
    ];
    let (tx, reports) = std::sync::mpsc::channel();
    let mut devices = Peripherals::start(&cfg.serial, tx).unwrap();
    let rt = Runtime::start(cfg).unwrap();
    let k = rt.handle();
    let grams = Arc::new(AtomicU32::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let scale_thread = scale_sim(scale, grams.clone(), stop.clone());
    let mut keeper = Keeper { desk: ParcelDesk::new(Carriers::shipped()), book: k.clone(), reports, scanner };
    for _ in 0..2 {
        keeper.next("devices", |e| *e == DeviceEvent::Connected);
    }

    // What the data centre should see: (carrier) -> [in, out, picked up, grams out].
    let mut want: BTreeMap<String, [i64; 4]> = BTreeMap::new();
    let mut count = |o: &DeskNote, d: ParcelDirection| {
        if let DeskNote::Counted { carrier, weight_g, .. } = o {
            let w = want.entry(carrier.clone()).or_default();
            match d {
                ParcelDirection::In => w[0] += 1,
                ParcelDirection::Out => {
                    w[1] += 1;
                    w[3] += i64::from(weight_g.unwrap());
                }
                ParcelDirection::PickUp => w[2] += 1,
            }
        }
    };

    // Morning: parcels arrive. Each is double-triggered (one scan), and
    // some are scanned again later (counted once).
    let arrivals = [
        "SF1234567890123",
        "SF1234567890124",
        "JT0001112223334",
        "YT1234567890123",
        "JDVA11408814483",
        "73123456789012", // 中通 by shape: the keeper taps once …
        "73123456789013", // … and the next is known
        "SF1234567890125",
    ];
    keeper.desk.set_direction(ParcelDirection::In);
    for w in arrivals {
        let o = keeper.scan(format!("{w}\r\n{w}\r\n").as_bytes(), w);
        assert!(matches!(o, DeskNote::Counted { .. }), "{w}: {o:?}");
        count(&o, ParcelDirection::In);
    }
    for w in ["SF1234567890123", "73123456789012"] {
        let o = keeper.scan(format!("{w}\r").as_bytes(), w);
        assert!(matches!(o, DeskNote::Again { .. }), "{w}: {o:?}");
    }

    // The hub goes down at noon; the scanner's cable is pulled and put back.
    hub.kill();
    let (spare, spare_name) = cable();
    drop(std::mem::replace(&mut keeper.scanner, spare));
    std::fs::remove_file(&scanner_link).unwrap();
    keeper.next("scanner lost", |e| matches!(e, DeviceEvent::Lost(_)));
    std::os::unix::fs::symlink(spare_name, &scanner_link).unwrap();
    keeper.next("scanner back", |e| *e == DeviceEvent::Connected);

    // Afternoon: farm produce goes out, weighed; villagers collect parcels.
    keeper.desk.set_direction(ParcelDirection::Out);
    for (w, g) in [("SF9000000000001", 5_250), ("JT9000000000002", 1_230), ("SF9000000000003", 880)] {
        grams.store(g, Ordering::Relaxed);
        keeper.settled(i64::from(g));
        let o = keeper.scan(format!("]C0{w}\r").as_bytes(), w);
        assert!(matches!(o, DeskNote::Counted { weight_g: Some(x), .. } if x == g), "{w}: {o:?}");
        count(&o, ParcelDirection::Out);
    }
    // Scanned again at the counter: not counted again.
    let again = keeper.scan(b"SF9000000000001\r", "SF9000000000001");
    assert!(matches!(again, DeskNote::Again { .. }));
    keeper.desk.set_direction(ParcelDirection::PickUp);
    for w in ["SF1234567890123", "JT0001112223334", "73123456789012", "SF1234567890123"] {
        let o = keeper.scan(format!("{w}\r").as_bytes(), w);
        count(&o, ParcelDirection::PickUp);
    }
    assert_eq!(k.outbox_state().unwrap().totals.get("parcel"), Some(&(8 + 3 + 3)));

    // Evening: the hub is back and takes the day.
    let _hub = HubProcess::start(&data, mode).await;
    wait_status(&k, Duration::from_secs(60), "an empty outbox", |s| s.hub_online && s.outbox_depth == 0)
        .await;
    let out = hub_cli(&[
        "report",
        "--data",
        d,
        "--from",
        &county_day(-1),
        "--to",
        &county_day(1),
        "--by",
        "carrier",
        "--format",
        "json",
    ]);
    let rows: Vec<Value> = serde_json::from_str(&out).unwrap();
    let got: BTreeMap<String, [i64; 4]> = rows
        .iter()
        .map(|r| {
            let n = |f: &str| r[f].as_i64().unwrap_or_else(|| panic!("{f} in {r}"));
            let kg = r["weight_out_kg"]
                .as_str()
                .map(|s| s.parse::<f64>().unwrap())
                .or(r["weight_out_kg"].as_f64());
            let grams = (kg.unwrap() * 1000.0).round() as i64;
            (
                r["carrier"].as_str().unwrap().to_owned(),
                [n("parcels_in"), n("parcels_out"), n("parcels_picked_up"), grams],
            )
        })
        .collect();
    assert_eq!(got, want, "the report:\n{out}");
    assert_eq!(want["顺丰"], [3, 2, 1, 6_130]);
    assert_eq!(want["中通"], [2, 0, 1, 0]);
    // Only hashes of the waybill numbers left the kiosk.
    assert!(!out.contains("SF1234567890123"));
    let conn = hub::store::open_read(&hub::store::DataDir::new(&data).unwrap()).unwrap();
    let stored: i64 =
        conn.query_row("SELECT count(*) FROM parcels WHERE waybill LIKE 'SF%'", [], |r| r.get(0)).unwrap();
    assert_eq!(stored, 0, "the hub holds hashed waybills only");

    stop.store(true, Ordering::Relaxed);
    scale_thread.join().unwrap();
    devices.stop();
}
