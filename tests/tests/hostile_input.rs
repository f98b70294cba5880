//! Malformed, oversized, unsigned, wrongly signed and misaddressed messages:
//! each is logged with kiosk and topic, counted, and changes nothing; the
//! hub never dies of input, and honest kiosks are served afterwards.

use e2e::fleet::{config, wait_catalog};
use e2e::harness::*;
use kiosk::runtime::Runtime;
use protocol::messages::*;
use protocol::{KioskId, Topic, encode};
use rumqttc::{AsyncClient, MqttOptions, QoS};
use std::time::Duration;

fn event(seq: u64) -> Event {
    Event { seq, t: 0, clock_trusted: true, kind: EventKind::AttractExit }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_messages_are_refused_counted_and_harmless() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hub");
    std::fs::create_dir_all(&data).unwrap();
    let d = data.to_str().unwrap();
    hub_cli(&["catalog", "publish", sample_catalog().to_str().unwrap(), "--data", d]);
    let (k1_secret, k1_station) = register_kiosk_station(&data, "k1", "g");
    let k2_secret = register_kiosk(&data, "k2", "g");
    let mode = BrokerMode::Embedded(free_port());
    let mut hub = HubProcess::start(&data, mode).await;

    // The broker's ACL keeps a kiosk's login on its own topics (tests/tests/
    // insider.rs); these are the hub's own checks behind it, reached with a
    // login that may write anywhere: k2 speaking for k1, ghosts, junk.
    let mut opts = MqttOptions::new("attacker", "127.0.0.1", mode.port());
    opts.set_credentials(
        protocol::credentials::HUB_USER,
        protocol::credentials::mqtt_password(&hub_key(&data)),
    );
    opts.set_max_packet_size(protocol::limits::MAX_PACKET, protocol::limits::MAX_PACKET);
    let (c, ev) = AsyncClient::new(opts, 1024);
    let mut ev = e2e::mqtt_pump::pump(ev);
    // Publish only once connected, or a slow first connect loses the lot.
    while !matches!(ev.recv().await, Some(Ok(rumqttc::Event::Incoming(rumqttc::Packet::ConnAck(_))))) {}
    tokio::spawn(async move { while ev.recv().await.is_some() {} });
    let k1 = KioskId::new("k1").unwrap();
    let status = Topic::Status(k1.clone());
    let get = Topic::CatalogGet(k1.clone());
    let good = encode(&status, &test_birth(1), &k1_secret).unwrap();

    let mut sent: Vec<(String, Vec<u8>, &str)> = vec![
        (status.to_string(), b"\x00\xff garbage".to_vec(), "unsigned"),
        (status.to_string(), br#"{"state":"online","session":9}"#.to_vec(), "unsigned"),
        (status.to_string(), encode(&status, &test_birth(1), b"wrong key").unwrap(), "bad signature"),
        // k2 speaks for k1: its own key, k1's topic.
        (status.to_string(), encode(&status, &test_birth(1), &k2_secret).unwrap(), "bad signature"),
        // A message signed for k2's topic replayed on k1's.
        (
            status.to_string(),
            encode(&Topic::Status(KioskId::new("k2").unwrap()), &test_birth(1), &k2_secret).unwrap(),
            "bad signature",
        ),
        (status.to_string(), good[..good.len() / 2].to_vec(), "truncated"),
        (get.to_string(), vec![b' '; 4096], "oversize"),
        // Signed correctly, but the body is not a catalog request.
        (
            get.to_string(),
            protocol::envelope::seal(&k1_secret, &get.to_string(), br#"{"have":"zero","want":1}"#),
            "malformed",
        ),
        (
            "kh/v1/ghost/status".into(),
            encode(&Topic::Status(KioskId::new("ghost").unwrap()), &test_birth(1), b"k").unwrap(),
            "unknown kiosk",
        ),
        (
            Topic::BlobGet(k1.clone()).to_string(),
            encode(
                &Topic::BlobGet(k1.clone()),
                &BlobGet { sha256: "ab".repeat(32), offset: 0, chunks: None },
                &k1_secret,
            )
            .unwrap(),
            "unknown blob",
        ),
        ("kh/v1/K1/status".into(), good.clone(), "?"),
        // Signed, but not a contiguous run of sequence numbers.
        (
            Topic::Events(k1.clone()).to_string(),
            encode(
                &Topic::Events(k1.clone()),
                &EventBatch { session: 1, events: vec![event(1), event(3)] },
                &k1_secret,
            )
            .unwrap(),
            "bad batch",
        ),
    ];
    // A burst of random bytes on every topic the hub reads.
    for (i, t) in
        ["status", "evt", "catalog/get", "catalog/reported", "blob/get", "cmd/res"].iter().enumerate()
    {
        for j in 0..20u8 {
            let junk: Vec<u8> =
                (0..(j as usize * 37 + i)).map(|n| (n as u8).wrapping_mul(j).wrapping_add(i as u8)).collect();
            sent.push((format!("kh/v1/k1/{t}"), junk, "*"));
        }
    }
    for (topic, payload, _) in &sent {
        c.publish(topic.as_str(), QoS::AtLeastOnce, false, payload.clone()).await.unwrap();
    }

    // Every message is counted as refused, under the right reason.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let totals = loop {
        let conn = hub::store::open_read(&hub::store::DataDir::new(&data).unwrap()).unwrap();
        let t = hub::fleet::rejects::totals(&conn).unwrap();
        if t.iter().map(|r| r.3).sum::<u64>() >= sent.len() as u64 || std::time::Instant::now() > deadline {
            break t;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let count = |kid: &str, reason: &str| {
        totals.iter().filter(|r| r.0 == kid && r.2 == reason).map(|r| r.3).sum::<u64>()
    };
    assert_eq!(
        totals.iter().map(|r| r.3).sum::<u64>(),
        sent.len() as u64,
        "{totals:#?}\nhub log:\n{}",
        hub.log()
    );
    assert!(count("k1", "unsigned") >= 2);
    assert_eq!(count("k1", "bad signature"), 3);
    assert!(count("k1", "truncated") >= 1);
    assert_eq!(count("k1", "oversize"), 1);
    assert_eq!(count("k1", "malformed"), 1);
    assert_eq!(count("ghost", "unknown kiosk"), 1);
    assert_eq!(count("k1", "unknown blob"), 1);
    assert_eq!(count("k1", "bad batch"), 1);
    assert_eq!(totals.iter().filter(|r| r.0 == "?").map(|r| r.3).sum::<u64>(), 1);
    assert!(hub.log().contains("message refused"), "refusals are logged");
    assert!(hub.log().contains("kiosk=k1") && hub.log().contains("topic=kh/v1/k1/status"));

    // Nothing changed: k1 was never seen, and the hub is alive and serving.
    let rows: serde_json::Value = hub_json(&["kiosks", "--json", "--data", d]);
    let k1_row = rows.as_array().unwrap().iter().find(|r| r["kiosk"] == "k1").unwrap();
    assert_eq!(k1_row["state"], "never");
    assert_eq!(k1_row["refused"].as_u64().unwrap(), sent.len() as u64 - 2);
    assert!(hub.alive(), "hub died:\n{}", hub.log());
    let rt = Runtime::start(config(
        "k1",
        &k1_secret,
        &hub_key(&data),
        mode.port(),
        k1_station,
        &tmp.path().join("k1"),
    ))
    .unwrap();
    wait_catalog(&rt.handle(), Duration::from_secs(60), 1).await; // the honest kiosk is served
    drop(k1);
}
