//! An image whose bytes do not match its hash is never put on screen, and
//! the kiosk recovers with the next good version. (A transfer cut by a hub
//! crash: `hub_killed_mid_transfer.rs`.)

use e2e::fleet::{config, wait_catalog, wait_status};
use e2e::harness::*;
use kiosk::runtime::Runtime;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_image_with_the_wrong_bytes_is_refused_and_nothing_changes_on_screen() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hub");
    std::fs::create_dir_all(&data).unwrap();
    let d = data.to_str().unwrap();
    hub_cli(&["catalog", "publish", sample_catalog().to_str().unwrap(), "--data", d]);
    let (secret, station) = register_kiosk_station(&data, "k1", "g");
    // Damage one image in the hub's store, keeping its length.
    let versions: serde_json::Value = hub_json(&["catalog", "versions", "--json", "--data", d]);
    assert_eq!(versions[0]["version"], 1, "{versions}");
    let conn = hub::store::open_read(&hub::store::DataDir::new(&data).unwrap()).unwrap();
    let sha: String = conn
        .query_row(
            "SELECT sha256 FROM blobs WHERE media_type = 'image/png' ORDER BY sha256 LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let path = data.join("blobs").join(&sha[..2]).join(&sha[2..]);
    let good = std::fs::read(&path).unwrap();
    let mut bad = good.clone();
    let mid = bad.len() / 2;
    bad[mid] ^= 0xff;
    std::fs::write(&path, &bad).unwrap();

    let mode = BrokerMode::Embedded(free_port());
    let _hub = HubProcess::start(&data, mode).await;
    let rt = Runtime::start(config(
        "k1",
        &secret,
        &hub_key(&data),
        mode.port(),
        station,
        &tmp.path().join("kiosk"),
    ))
    .unwrap();
    let k = rt.handle();
    wait_status(&k, Duration::from_secs(60), "the version to fail", |s| s.sync.error.is_some()).await;
    let error = k.status().borrow().sync.error.clone().unwrap();
    assert!(error.contains(&sha) && error.contains("hash"), "{error}");
    assert!(k.catalog().borrow().is_none(), "nothing half-verified is on screen");
    assert!(!k.blob_path(&sha).exists(), "the bad bytes were not kept");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let fleet: serde_json::Value = hub_json(&["kiosks", "--json", "--data", d]);
        if fleet[0]["sync_state"] == "failed" {
            break; // the hub knows
        }
        assert!(Instant::now() < deadline, "{fleet}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Repaired and republished: the kiosk takes the new version at once.
    std::fs::write(&path, &good).unwrap();
    let edited = tmp.path().join("catalog");
    copy_dir(&sample_catalog(), &edited);
    let products = std::fs::read_to_string(edited.join("products.csv")).unwrap();
    std::fs::write(edited.join("products.csv"), products.replacen(",68,元/瓶,", ",72,元/瓶,", 1)).unwrap();
    hub_cli(&["catalog", "publish", edited.to_str().unwrap(), "--data", d, "--note", "price"]);
    wait_catalog(&k, Duration::from_secs(60), 2).await;
    assert!(k.blob_path(&sha).is_file());
}
