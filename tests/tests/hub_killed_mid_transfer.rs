//! `kill -9` of the hub in the middle of a large image transfer to a real
//! kiosk runtime: the kiosk resumes the cut image from the byte it reached
//! (in the hub's log of the windows it was asked for) and converges; nothing is
//! fetched twice in full.

use e2e::fleet::{config, wait_catalog};
use e2e::harness::*;
use e2e::spy::Spy;
use kiosk::runtime::Runtime;
use protocol::KioskId;
use std::time::{Duration, Instant};

/// A one-product catalog with three photos of noise (incompressible):
/// about 4.4 MB to move. Returns the bytes of its images.
fn big_catalog(dir: &std::path::Path) -> u64 {
    std::fs::create_dir_all(dir.join("images")).unwrap();
    std::fs::write(
        dir.join("catalog.toml"),
        "name = \"big\"\ncounty_code = \"421222\"\ntrace_base = \"https://trace.example.gov.cn\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("producers.csv"),
        "id,kind,name_zh,town,address\np1,enterprise,某公司,隽水镇,通城大道1号\n",
    )
    .unwrap();
    let names: Vec<String> = (0..3).map(|i| format!("big-{i}.png")).collect();
    for (i, n) in names.iter().enumerate() {
        make_png(&dir.join("images").join(n), 700, 700, [0; 3], Some(i as u64 + 1));
    }
    std::fs::write(
        dir.join("products.csv"),
        format!(
            "id,category,subcategory_zh,name_zh,spec_zh,producer_id,images\nbig,industrial,竹木制品,大图,1件,p1,{}\n",
            names.join(";")
        ),
    )
    .unwrap();
    names.iter().map(|n| std::fs::metadata(dir.join("images").join(n)).unwrap().len()).sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_image_transfer_cut_by_a_hub_crash_resumes_from_its_offset() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hub");
    std::fs::create_dir_all(&data).unwrap();
    let catalog = tmp.path().join("catalog");
    let total = big_catalog(&catalog);
    hub_cli(&["catalog", "publish", catalog.to_str().unwrap(), "--data", data.to_str().unwrap()]);
    let (secret, station) = register_kiosk_station(&data, "k1", "g");
    let mode = BrokerMode::Embedded(free_port());
    // Both hubs log each window asked for: the hub's own record of what it
    // sent, which a spy on the broker could miss while it reconnects.
    let filter = "info,hub::server::dispatch=debug";
    let hub = HubProcess::start_logging(&data, mode, filter).await;
    let kid = KioskId::new("k1").unwrap();
    let spy = Spy::start(mode.port(), &kid, &secret, &hub_key(&data)).await;
    let kiosk_dir = tmp.path().join("kiosk");
    let rt =
        Runtime::start(config("k1", &secret, &hub_key(&data), mode.port(), station, &kiosk_dir)).unwrap();
    let k = rt.handle();

    // Kill the hub while an image is in its first window at the kiosk: its
    // next window is not asked for yet, so whatever is still in flight
    // cannot finish it, however late a loaded machine lets the kiosk read.
    // (Killing at a count of bytes on the broker raced with the kiosk
    // finishing the image from its socket buffer.)
    let window = protocol::limits::BLOB_WINDOW_CHUNKS * protocol::limits::BLOB_CHUNK as u64;
    let in_first_window = || {
        std::fs::read_dir(kiosk_dir.join("partial"))
            .into_iter()
            .flatten()
            .flatten()
            .any(|e| e.metadata().is_ok_and(|m| m.len() > 0 && m.len() < window))
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while spy.snapshot().chunk_bytes() < 200_000 || !in_first_window() {
        assert!(Instant::now() < deadline, "transfer did not start: {:?}", *k.status().borrow());
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    hub.kill();
    assert!(k.catalog().borrow().is_none(), "the transfer finished before the kill; make the images larger");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let partials: Vec<(String, u64)> = std::fs::read_dir(kiosk_dir.join("partial"))
        .unwrap()
        .flatten()
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.metadata().unwrap().len()))
        .filter(|(_, len)| *len > 0)
        .collect();
    assert_eq!(partials.len(), 1, "one image was cut off mid-transfer: {partials:?}");
    let (sha, reached) = partials[0].clone();

    let mut hub = HubProcess::start_logging(&data, mode, filter).await;
    wait_catalog(&k, Duration::from_secs(90), 1).await;
    let log = hub.log();
    let restarted = log.rfind("hub starting").expect("the restart is logged");
    let windows = |log: &str| -> Vec<(String, u64)> {
        log.lines()
            .filter(|l| l.contains("blob window requested"))
            .map(|l| {
                let field = |name: &str| l.split(name).nth(1).unwrap().split_whitespace().next().unwrap();
                (field("sha256=").to_owned(), field("offset=").parse().unwrap())
            })
            .collect()
    };
    let again: Vec<u64> =
        windows(&log[restarted..]).into_iter().filter(|(s, _)| *s == sha).map(|(_, o)| o).collect();
    assert!(!again.is_empty(), "the cut image was asked for again");
    assert_eq!(again[0], reached, "it resumed from the byte it reached, not from zero");
    assert!(again.iter().all(|o| *o >= reached), "{again:?}");
    // Resumed, not restarted: over both hubs, each image's windows were asked
    // for at most once more than its size needs (the one cut by the kill).
    let window = protocol::limits::BLOB_WINDOW_CHUNKS * protocol::limits::BLOB_CHUNK as u64;
    let all = windows(&log);
    let catalog = k.catalog().borrow().clone().unwrap();
    let mut served = 0;
    for b in catalog.blobs() {
        let size = std::fs::metadata(k.blob_path(&b.sha256)).unwrap().len();
        let asked: Vec<u64> = all.iter().filter(|(s, _)| *s == b.sha256).map(|(_, o)| *o).collect();
        assert!(asked.len() as u64 <= size.div_ceil(window) + 1, "{}: windows at {asked:?}", b.sha256);
        served += asked.iter().map(|o| window.min(size - o)).sum::<u64>();
    }
    assert!(served <= total + 3 * window, "served {served} bytes for {total} of images");
    for b in catalog.blobs() {
        let bytes = std::fs::read(k.blob_path(&b.sha256)).unwrap();
        assert_eq!(protocol::sha256_hex(&bytes), b.sha256);
    }
    assert!(hub.alive());
}
