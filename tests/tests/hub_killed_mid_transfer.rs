//! `kill -9` of the hub in the middle of a large image transfer: the kiosk
//! resumes from the offset it reached and converges; no blob is fetched
//! twice in full.

use e2e::harness::*;
use e2e::test_kiosk::{KioskConfig, TestKiosk};
use protocol::KioskId;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kiosk_converges_after_the_hub_is_killed_mid_transfer() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hub");
    let catalog = tmp.path().join("catalog");
    std::fs::create_dir_all(catalog.join("images")).unwrap();
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(
        catalog.join("catalog.toml"),
        "name = \"big\"\ncounty_code = \"421222\"\ntrace_base = \"https://trace.example.gov.cn\"\n",
    )
    .unwrap();
    std::fs::write(
        catalog.join("producers.csv"),
        "id,kind,name_zh,town,address\np1,enterprise,某公司,隽水镇,通城大道1号\n",
    )
    .unwrap();
    // Three photos of noise (incompressible): about 4.4 MB to move.
    let names: Vec<String> = (0..3).map(|i| format!("big-{i}.png")).collect();
    for (i, n) in names.iter().enumerate() {
        make_png(&catalog.join("images").join(n), 700, 700, [0; 3], Some(i as u64 + 1));
    }
    std::fs::write(
        catalog.join("products.csv"),
        format!("id,category,subcategory_zh,name_zh,spec_zh,producer_id,images\nbig,industrial,竹木制品,大图,1件,p1,{}\n", names.join(";")),
    )
    .unwrap();
    let d = data.to_str().unwrap();
    hub_cli(&["catalog", "publish", catalog.to_str().unwrap(), "--data", d]);
    let secret = register_kiosk(&data, "k1", "g");
    let mode = BrokerMode::Embedded(free_port());
    let hub = HubProcess::start(&data, mode).await;
    let total: u64 =
        names.iter().map(|n| std::fs::metadata(catalog.join("images").join(n)).unwrap().len()).sum();

    let k = TestKiosk::start(KioskConfig {
        kid: KioskId::new("k1").unwrap(),
        secret,
        hub_key: hub_key(&data),
        host: "127.0.0.1".into(),
        port: mode.port(),
        dir: tmp.path().join("k1"),
    });
    let o = k.wait_for(Duration::from_secs(60), "1 MB of images", |o| o.chunk_bytes() > 1_000_000).await;
    assert_eq!(o.applied_version(), 0, "the transfer finished before the kill; make the images larger");
    hub.kill();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut hub = HubProcess::start(&data, mode).await;

    let o = k
        .wait_for(Duration::from_secs(90), "version 1 applied after the restart", |o| {
            o.applied_version() == 1
        })
        .await;
    assert!(o.connects >= 2, "the kiosk reconnected");
    assert!(o.errors.is_empty(), "{:?}", o.errors);
    for b in o.applied.as_ref().unwrap().blobs() {
        assert!(k.has_blob(&b.sha256));
    }
    // Resumed, not restarted: at most one window per blob is sent twice.
    let window = protocol::limits::BLOB_WINDOW_CHUNKS * protocol::limits::BLOB_CHUNK as u64;
    let images: u64 = o
        .chunks
        .iter()
        .filter(|c| o.applied.as_ref().unwrap().blobs().iter().any(|b| b.sha256 == c.0))
        .map(|c| c.2 as u64)
        .sum();
    assert!(images <= total + 2 * window, "moved {images} bytes for {total} bytes of images");
    assert!(hub.alive());
}
