//! Catalog sync end to end over TCP, against the hub's embedded broker and
//! against an external Mosquitto: full sync, a one-product delta that moves
//! only that product and its image, presence, and a broker that forgets.

use e2e::fleet::{config, wait_catalog, wait_status};
use e2e::harness::*;
use e2e::spy::Spy;
use kiosk::runtime::Runtime;
use protocol::KioskId;
use protocol::catalog::{CatalogItem, Document};
use protocol::messages::DocKind;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(60);

/// A retained message on `topic`, as a newly arriving subscriber gets it.
/// Each try is a fresh connection: a message published while a subscriber
/// is connected reaches it live, without the retain flag, which proves
/// nothing about what the broker keeps.
async fn retained(port: u16, hub_key: &[u8], topic: &str) -> Option<Vec<u8>> {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while std::time::Instant::now() < deadline {
        let mut opts = rumqttc::MqttOptions::new(format!("probe-{}", free_port()), "127.0.0.1", port);
        opts.set_credentials(protocol::credentials::HUB_USER, protocol::credentials::mqtt_password(hub_key));
        opts.set_max_packet_size(protocol::limits::MAX_PACKET, protocol::limits::MAX_PACKET);
        let (client, mut ev) = rumqttc::AsyncClient::new(opts, 16);
        client.subscribe(topic, rumqttc::QoS::AtLeastOnce).await.unwrap();
        let found = tokio::time::timeout(Duration::from_secs(1), async {
            loop {
                match ev.poll().await {
                    Ok(rumqttc::Event::Incoming(rumqttc::Packet::Publish(p)))
                        if p.topic == topic && p.retain =>
                    {
                        return p.payload.to_vec();
                    }
                    Ok(_) => {}
                    Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
                }
            }
        })
        .await;
        if let Ok(payload) = found {
            return Some(payload);
        }
    }
    None
}

async fn scenario(mode: BrokerMode, mut mosquitto: Option<Mosquitto>) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hub");
    let catalog = tmp.path().join("catalog");
    std::fs::create_dir_all(&data).unwrap();
    copy_dir(&sample_catalog(), &catalog);
    let d = data.to_str().unwrap();
    hub_cli(&["catalog", "publish", catalog.to_str().unwrap(), "--data", d]);
    let (secret, station) = register_kiosk_station(&data, "maishi-01", "maishi");
    let mut hub = HubProcess::start(&data, mode).await;

    // Version 1 in full: every blob fetched and verified.
    let kid = KioskId::new("maishi-01").unwrap();
    let spy = Spy::start(mode.port(), &kid, &secret, &hub_key(&data)).await;
    let kiosk_dir = tmp.path().join("k1");
    let rt = Runtime::start(config("maishi-01", &secret, &hub_key(&data), mode.port(), station, &kiosk_dir))
        .unwrap();
    let k = rt.handle();
    wait_catalog(&k, WAIT, 1).await;
    wait_status(&k, WAIT, "the hub online", |s| s.hub_online && s.sync.error.is_none()).await;
    let v1 = k.catalog().borrow().clone().unwrap();
    assert!(v1.items.len() > 100);
    for b in v1.blobs() {
        let bytes =
            std::fs::read(k.blob_path(&b.sha256)).unwrap_or_else(|_| panic!("blob {} missing", b.sha256));
        assert_eq!(protocol::sha256_hex(&bytes), b.sha256);
    }
    let o = spy.snapshot();
    assert_eq!(o.docs.last().unwrap().kind, DocKind::Snapshot);
    // The kiosk's birth (its new version) and its "applied" report travel on
    // different topics and may reach the hub in either order: wait for both.
    let row = wait_kiosk_row(&data, "version 1 applied", |r| {
        r["catalog_version"] == 1 && r["sync_state"] == "applied"
    })
    .await;
    assert_eq!(row["kiosk"], "maishi-01");
    assert_eq!(row["state"], "online");

    // Change one product's price and one of its images: version 2.
    let products = std::fs::read_to_string(catalog.join("products.csv")).unwrap();
    let changed = products.replacen(
        "黄袍山压榨山茶油,Huangpao camellia oil,500毫升/瓶,68,",
        "黄袍山压榨山茶油,Huangpao camellia oil,500毫升/瓶,72,",
        1,
    );
    assert_ne!(changed, products, "the fixture row exists");
    std::fs::write(catalog.join("products.csv"), changed).unwrap();
    let new_image = catalog.join("images/camellia-oil-500-1.png");
    make_png(&new_image, 320, 240, [200, 150, 40], None);
    let new_image_bytes = std::fs::read(&new_image).unwrap();
    let new_sha = protocol::sha256_hex(&new_image_bytes);
    let chunks_before = o.chunks.len();
    hub_cli(&["catalog", "publish", catalog.to_str().unwrap(), "--data", d]);

    wait_catalog(&k, WAIT, 2).await;
    assert!(k.status().borrow().sync.error.is_none());
    let o = spy.snapshot();
    let doc = o.docs.last().unwrap();
    assert_eq!((doc.kind, doc.base, doc.want), (DocKind::Delta, 1, 2));
    // The delta carries exactly that product (read from the hub: the kiosk
    // deletes a document once it has read it).
    let delta_bytes =
        std::fs::read(hub::blobs::BlobDir::new(data.join("blobs")).path(&doc.doc_sha256)).unwrap();
    assert!(!k.blob_path(&doc.doc_sha256).exists(), "the kiosk keeps no document it has applied");
    let Document::Delta(delta) = Document::from_bytes(&delta_bytes).unwrap() else { panic!("not a delta") };
    assert!(delta.deletes.is_empty());
    assert_eq!(delta.upserts.len(), 1);
    let CatalogItem::Product(p) = &delta.upserts[0].item else { panic!("not a product") };
    assert_eq!((p.id.as_str(), p.price_fen), ("camellia-oil-500", Some(7200)));
    // And the only bytes moved are the delta document and the new image.
    let moved: std::collections::BTreeSet<&str> =
        o.chunks[chunks_before..].iter().map(|c| c.0.as_str()).collect();
    assert_eq!(moved, [doc.doc_sha256.as_str(), new_sha.as_str()].into_iter().collect());
    let image_bytes: u64 =
        o.chunks[chunks_before..].iter().filter(|c| c.0 == new_sha).map(|c| c.2 as u64).sum();
    assert_eq!(image_bytes, new_image_bytes.len() as u64);
    assert_eq!(std::fs::read(k.blob_path(&new_sha)).unwrap(), new_image_bytes);
    wait_kiosk_row(&data, "version 2 applied", |r| r["catalog_version"] == 2 && r["sync_state"] == "applied")
        .await;
    // The kiosk's blobs are version 2's images and nothing else: the
    // replaced image and both documents are gone (deleted before the
    // kiosk reports the version applied, which the hub has seen).
    let v2 = k.catalog().borrow().clone().unwrap();
    let wanted: std::collections::BTreeSet<std::path::PathBuf> =
        v2.blobs().iter().map(|b| k.blob_path(&b.sha256)).collect();
    let mut held = std::collections::BTreeSet::new();
    for dir in std::fs::read_dir(kiosk_dir.join("blobs")).unwrap() {
        for f in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            held.insert(f.unwrap().path());
        }
    }
    assert_eq!(held, wanted, "the kiosk holds exactly version 2's blobs");
    // Every verified message counts as a sign of life, not only births.
    wait_kiosk_row(&data, "last seen after the birth", |r| r["last_seen"].as_i64() > r["since"].as_i64())
        .await;

    // The kiosk shuts down: it says so, and the hub shows it offline.
    drop(rt);
    wait_kiosk_row(&data, "the kiosk offline", |r| r["state"] == "offline").await;

    // A broker that forgets everything: the hub puts the pointers back.
    match mode {
        BrokerMode::Embedded(_) => {
            hub.kill(); // the embedded broker dies with the hub process
            hub = HubProcess::start(&data, mode).await;
        }
        BrokerMode::External(_) => mosquitto.as_mut().unwrap().restart(),
    }
    let payload = retained(mode.port(), &hub_key(&data), "kh/v1/maishi-01/catalog/desired").await;
    let payload = payload
        .unwrap_or_else(|| panic!("no retained pointer after the broker restart; hub log:\n{}", hub.log()));
    let topic = protocol::Topic::parse("kh/v1/maishi-01/catalog/desired").unwrap();
    let pointer: protocol::messages::CatalogPointer = protocol::decode(&topic, &payload, &secret).unwrap();
    assert_eq!(pointer.version, 2);
    let state = retained(mode.port(), &hub_key(&data), "kh/v1/_hub/state").await.expect("retained hub state");
    let state: protocol::messages::HubState =
        protocol::decode(&protocol::Topic::HubState, &state, &hub_key(&data)).unwrap();
    assert!(state.online);
    assert!(hub.alive(), "hub died:\n{}", hub.log());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalog_sync_over_the_embedded_broker() {
    scenario(BrokerMode::Embedded(free_port()), None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    kh_no_mosquitto,
    ignore = "mosquitto is not installed (apt-get install mosquitto mosquitto-clients)"
)]
async fn catalog_sync_over_mosquitto() {
    let m = Mosquitto::start();
    scenario(BrokerMode::External(m.port), Some(m)).await;
}
