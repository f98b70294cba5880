//! The kiosk runtime against a real hub process over TCP: it syncs the
//! sample catalog, records interactions that reach the hub exactly once
//! (also after a week offline), takes service requests that come back as
//! tickets, and ignores updates it cannot trust.

use e2e::figures::{event_kind, measured, truth};
use e2e::fleet::{config, wait_catalog, wait_status};
use e2e::harness::*;
use kiosk::runtime::Runtime;
use kiosk::store::requests::{Lookup, RequestForm};
use protocol::messages::*;
use protocol::{TicketNo, TicketStatus, Topic, encode};
use std::time::Duration;

const DAY0: u64 = 1_790_812_800_000; // 2026-10-01 00:00 in Tongcheng

fn hub_counts(data: &std::path::Path, kid: &str) -> (u64, u64) {
    let conn = hub::store::open_read(&hub::store::DataDir::new(data).unwrap()).unwrap();
    conn.query_row("SELECT events, upto FROM kiosk_seq WHERE kid = ?1", [kid], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap_or((0, 0))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kiosk_syncs_records_and_takes_requests_after_a_week_offline() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hub");
    std::fs::create_dir_all(&data).unwrap();
    let d = data.to_str().unwrap();
    hub_cli(&["catalog", "publish", sample_catalog().to_str().unwrap(), "--data", d]);
    let (secret, station) = register_kiosk_station(&data, "station-a", "shinan");
    let mode = BrokerMode::Embedded(free_port());
    // The hub key exists once a hub has run; start it once to make it.
    drop(HubProcess::start(&data, mode).await);
    let key = hub_key(&data);

    // A week offline: the hub is down while the kiosk records.
    let rt =
        Runtime::start(config("station-a", &secret, &key, mode.port(), station, &tmp.path().join("kiosk")))
            .unwrap();
    let k = rt.handle();
    let per_day = 700u64;
    let mut events = Vec::new();
    for day in 0..7u64 {
        for i in 0..per_day {
            let n = day * per_day + i + 1;
            let kind = event_kind(((n * 31) % 251) as u8, n * 13);
            let t = DAY0 + day * 86_400_000 + i * 60_000;
            let seq = k.record_at(kind.clone(), t).unwrap();
            events.push(Event { seq, t, clock_trusted: true, kind });
        }
    }
    let req = k
        .submit_request(&RequestForm {
            service_id: "shop-setup".into(),
            village: "黄袍山村".into(),
            phone: "13812345678".into(),
            name: Some("张秀英".into()),
            note: None,
            is_complaint: false,
            job_id: None,
        })
        .unwrap();
    assert_eq!(TicketNo::parse(&req.ticket_no).unwrap().station(), station);
    assert_eq!(k.outbox_state().unwrap().depth, 7 * per_day + 1, "everything waits in the outbox");
    assert!(!k.status().borrow().connected);

    // The hub comes back: the catalog arrives, every event is counted once.
    let _hub = HubProcess::start(&data, mode).await;
    wait_catalog(&k, Duration::from_secs(60), 1).await;
    wait_status(&k, Duration::from_secs(60), "an empty outbox", |s| s.hub_online && s.outbox_depth == 0)
        .await;
    let catalog = k.catalog().borrow().clone().unwrap();
    for b in catalog.blobs() {
        assert!(k.blob_path(&b.sha256).is_file(), "image {} is in place", b.sha256);
    }
    assert_eq!(hub_counts(&data, "station-a"), (7 * per_day + 1, 7 * per_day + 1));
    let conn = hub::store::open_read(&hub::store::DataDir::new(&data).unwrap()).unwrap();
    let mut want = truth(&[("station-a".into(), events)]);
    // The request made at the kiosk is counted too.
    *want.kinds.entry(("station-a".into(), "service_request".into())).or_default() += 1;
    *want.tickets.entry("shop-setup".into()).or_default() = {
        let v = want.tickets.get("shop-setup").copied().unwrap_or_default();
        (v.0 + 1, v.1)
    };
    assert_eq!(measured(&conn), want);

    // The ticket comes back to the kiosk, and staff work on it reaches it.
    hub_cli(&["tickets", "accept", &req.ticket_no, "--as", "王芳", "--data", d]);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let mine = k.my_requests(&Lookup::PhoneTail("5678".into())).unwrap();
        if mine[0].status == TicketStatus::Accepted {
            assert_eq!(mine[0].responsible.as_deref(), Some("王芳"));
            assert_eq!(mine[0].phone_masked, "138****5678");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "ticket update never arrived: {mine:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    loop {
        let shown: serde_json::Value = hub_json(&["tickets", "show", &req.ticket_no, "--json", "--data", d]);
        if shown["ticket"]["seen_rev"] == shown["ticket"]["rev"] {
            break; // the kiosk confirmed the update
        }
        assert!(std::time::Instant::now() < deadline, "never confirmed: {shown}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // An update signed with the wrong key is ignored: the kiosk keeps
    // version 1. The kiosk counts what it refuses: once the count moves,
    // the forged pointer has been handled (no guessing how long to wait).
    let refused = k.status().borrow().refused;
    let spy = spy_client(mode.port(), &key).await;
    let topic = Topic::CatalogDesired(protocol::KioskId::new("station-a").unwrap());
    let forged = CatalogPointer { version: 9, manifest_sha256: "00".repeat(32), size: 1, items: 1 };
    let payload = encode(&topic, &forged, b"not the kiosk's secret").unwrap();
    spy.publish(topic.to_string(), rumqttc::QoS::AtLeastOnce, false, payload).await.unwrap();
    wait_status(&k, Duration::from_secs(20), "the forged pointer refused", |s| s.refused > refused).await;
    assert_eq!(k.catalog().borrow().as_ref().unwrap().version, 1);
    assert!(!k.status().borrow().sync.active, "no download started for a forged pointer");

    // Recording goes on while online, and is counted once more each.
    for _ in 0..10 {
        k.record(EventKind::AttractExit).unwrap();
    }
    wait_status(&k, Duration::from_secs(20), "an empty outbox", |s| s.outbox_depth == 0).await;
    assert_eq!(hub_counts(&data, "station-a").0, 7 * per_day + 11);
}

/// A client that may publish anywhere (the broker lets it in as the hub; what
/// it publishes is signed with keys of the test's choosing).
async fn spy_client(port: u16, hub_key: &[u8]) -> rumqttc::AsyncClient {
    let mut opts = rumqttc::MqttOptions::new("spy", "127.0.0.1", port);
    opts.set_credentials(protocol::credentials::HUB_USER, protocol::credentials::mqtt_password(hub_key));
    opts.set_max_packet_size(protocol::limits::MAX_PACKET, protocol::limits::MAX_PACKET);
    let (client, ev) = rumqttc::AsyncClient::new(opts, 64);
    let mut ev = e2e::mqtt_pump::pump(ev);
    while !matches!(ev.recv().await, Some(Ok(rumqttc::Event::Incoming(rumqttc::Packet::ConnAck(_))))) {}
    tokio::spawn(async move { while ev.recv().await.is_some() {} });
    client
}
