//! Catalog views end to end (issue #19): a kiosk that reads only the first
//! protocol's items (as every kiosk built before content existed) is sent
//! each version without stories, courses, sessions, jobs and news, and
//! applies it; after its software is updated the same store gets them,
//! through a delta that cannot fit the older view and the snapshot that
//! follows it, with no failure reported.

use e2e::fleet::{config, wait_catalog, wait_status};
use e2e::harness::*;
use e2e::spy::Spy;
use kiosk::runtime::{Handle, Runtime};
use protocol::KioskId;
use protocol::catalog::{CatalogItem, ItemKind};
use protocol::messages::DocKind;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(60);

fn content_items(k: &Handle) -> usize {
    let snap = k.catalog().borrow().clone().expect("a catalog");
    snap.items.iter().filter(|i| i.item.key().kind.feature().is_some()).count()
}

fn product_price(k: &Handle, id: &str) -> Option<u64> {
    let snap = k.catalog().borrow().clone()?;
    snap.items.iter().find_map(|i| match &i.item {
        CatalogItem::Product(p) if p.id == id => p.price_fen,
        _ => None,
    })
}

/// Publish the catalog folder again with one product's price changed.
fn publish_price(catalog: &std::path::Path, data: &str, from: &str, to: &str) {
    let products = std::fs::read_to_string(catalog.join("products.csv")).unwrap();
    let row = "黄袍山压榨山茶油,Huangpao camellia oil,500毫升/瓶,";
    let changed = products.replacen(&format!("{row}{from},"), &format!("{row}{to},"), 1);
    assert_ne!(changed, products, "the fixture row exists");
    std::fs::write(catalog.join("products.csv"), changed).unwrap();
    hub_cli(&["catalog", "publish", catalog.to_str().unwrap(), "--data", data]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_kiosk_is_sent_no_content_and_gets_it_once_its_software_reads_it() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hub");
    let catalog = tmp.path().join("catalog");
    std::fs::create_dir_all(&data).unwrap();
    copy_dir(&sample_catalog(), &catalog);
    let d = data.to_str().unwrap();
    hub_cli(&["catalog", "publish", catalog.to_str().unwrap(), "--data", d]);
    let (secret, station) = register_kiosk_station(&data, "maishi-01", "maishi");
    let mode = BrokerMode::Embedded(free_port());
    let mut hub = HubProcess::start(&data, mode).await;
    let kid = KioskId::new("maishi-01").unwrap();
    let spy = Spy::start(mode.port(), &kid, &secret, &hub_key(&data)).await;
    let kiosk_dir = tmp.path().join("k1");
    let cfg = || config("maishi-01", &secret, &hub_key(&data), mode.port(), station, &kiosk_dir);

    // As an older build: version 1 without content, and verified.
    let rt = Runtime::start_reading(cfg(), Vec::new()).unwrap();
    let k = rt.handle();
    wait_catalog(&k, WAIT, 1).await;
    assert_eq!(content_items(&k), 0, "an older kiosk is never sent an item it cannot read");
    let snap = k.catalog().borrow().clone().unwrap();
    assert!(snap.items.iter().any(|i| i.item.key().kind == ItemKind::Product));
    // A delta of its view: the one changed product.
    publish_price(&catalog, d, "68", "72");
    wait_catalog(&k, WAIT, 2).await;
    assert_eq!(product_price(&k, "camellia-oil-500"), Some(7200));
    assert_eq!(content_items(&k), 0);
    assert!(k.status().borrow().sync.error.is_none());
    drop(rt);

    // While it is off, version 3. Then its software is updated: it says it
    // reads content, and the same store catches up.
    publish_price(&catalog, d, "72", "75");
    let docs_before = spy.snapshot().docs.len();
    let rt = Runtime::start(cfg()).unwrap();
    let k = rt.handle();
    let deadline = Instant::now() + WAIT;
    while !(k.catalog().borrow().as_ref().is_some_and(|s| s.version == 3) && content_items(&k) > 0) {
        assert!(Instant::now() < deadline, "no content after the update; status {:?}", *k.status().borrow());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    wait_status(&k, WAIT, "sync idle", |s| !s.sync.active).await;
    let snap = k.catalog().borrow().clone().unwrap();
    for kind in [ItemKind::Story, ItemKind::Course, ItemKind::Session, ItemKind::Job, ItemKind::News] {
        assert!(snap.items.iter().any(|i| i.item.key().kind == kind), "{kind:?} missing");
    }
    assert_eq!(product_price(&k, "camellia-oil-500"), Some(7500));
    assert!(k.status().borrow().sync.error.is_none(), "catching up is not a failure");
    // The delta from version 2 was built for the wider view, which this
    // store did not hold: a snapshot followed it at once.
    let docs: Vec<(DocKind, u64, u64)> =
        spy.snapshot().docs[docs_before..].iter().map(|d| (d.kind, d.base, d.want)).collect();
    assert_eq!(docs.last(), Some(&(DocKind::Snapshot, 0, 3)), "{docs:?}");
    assert!(docs.contains(&(DocKind::Delta, 2, 3)), "{docs:?}");
    wait_kiosk_row(&data, "version 3 applied", |r| r["catalog_version"] == 3 && r["sync_state"] == "applied")
        .await;
    assert!(hub.alive(), "hub died:\n{}", hub.log());
}
