//! A 20 MiB release over a link cut three times, each time in the middle of
//! a window: the download resumes where it stopped and each cut costs at
//! most the window under way, as counted on the link itself (a proxy
//! between the kiosk and the broker, held to 40 Mbit/s so that a window is
//! on the wire long enough to be cut).
//! A second kiosk fetches the same release over an uncut link in the same
//! run, for the like-for-like figure. The bytes are in docs/benchmarks.md.

use e2e::fleet::config;
use e2e::harness::*;
use e2e::link::Link;
use kiosk::runtime::Runtime;
use kiosk::update::layout::Layout;
use protocol::limits;
use protocol::release::ReleaseManifest;
use std::path::Path;
use std::time::{Duration, Instant};

const SIZE: usize = 20 * 1024 * 1024;
const WINDOW: u64 = limits::RELEASE_WINDOW_CHUNKS as u64 * limits::BLOB_CHUNK as u64;
/// The link's bandwidth towards the kiosk, in bytes a second (40 Mbit/s).
const LINK_RATE: u64 = 5_000_000;

struct Fetched {
    moved: u64,
}

/// Start kiosk `kid` (group `a`) behind its own link and wait until it has
/// installed release 2.0.0, cutting the link at each fraction in `cuts`.
#[allow(clippy::too_many_arguments)]
async fn fetch(
    tmp: &Path,
    data: &Path,
    hub_port: u16,
    kid: &str,
    public: [u8; 32],
    first: (&ReleaseManifest, &Path),
    second: &ReleaseManifest,
    cuts: &[f64],
) -> Fetched {
    let (secret, station) = register_kiosk_station(data, kid, "a");
    let link = Link::start_with(hub_port, Some(LINK_RATE)).await;
    let mut cfg = config(kid, &secret, &hub_key(data), link.port, station, &tmp.join(kid));
    let root = tmp.join(kid).join("root");
    cfg.update = Some(firmware_config::UpdateConfig {
        release_key: public,
        root: root.clone(),
        rate_kbit: 100_000,
        health_deadline_s: 180,
    });
    Layout::new(&root).install_first(first.0, first.1).unwrap();
    let partial = cfg.data_dir.join("partial").join(&second.sha256);
    let before = link.bytes_down();
    let rt = Runtime::start(cfg).unwrap();
    rt.handle().ui_ready();
    let layout = Layout::new(&root);
    let deadline = Instant::now() + Duration::from_secs(240);
    let mut next_cut = cuts.iter().peekable();
    while !layout.is_installed(second.version) {
        assert!(Instant::now() < deadline, "{kid}: release not installed in 240 s");
        let held = std::fs::metadata(&partial).map(|m| m.len()).unwrap_or(0);
        // Cut past each fraction while part of a chunk is on the wire
        // (crossed the link, not yet in the kiosk's file; each chunk's MQTT
        // framing is about 110 bytes).
        let in_flight =
            (link.bytes_down() - before).saturating_sub(held + held / limits::BLOB_CHUNK as u64 * 110);
        if let Some(f) = next_cut.peek()
            && held as f64 >= **f * second.size as f64
            && in_flight > 16 * 1024
        {
            next_cut.next();
            link.cut();
            eprintln!("{kid}: cut with {held} bytes held and about {in_flight} on the wire");
            tokio::time::sleep(Duration::from_millis(500)).await;
            link.restore();
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    assert!(next_cut.peek().is_none(), "{kid}: finished before every cut was made");
    let moved = link.bytes_down() - before;
    drop(rt);
    Fetched { moved }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_release_download_cut_three_times_moves_at_most_one_extra_window_per_cut() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hub");
    std::fs::create_dir_all(&data).unwrap();
    let d = data.to_str().unwrap();
    let key = tmp.path().join("release-key.pk8");
    hub_cli(&["fleet", "--data", d, "release-key", "--out", key.to_str().unwrap()]);
    let public =
        protocol::release::parse_public_key(&std::fs::read_to_string(data.join("release.pub")).unwrap())
            .unwrap();
    // Release 1: what the kiosks run; release 2: 20 MiB that does not compress.
    let (r1, r2) = (tmp.path().join("kiosk-1"), tmp.path().join("kiosk-2"));
    std::fs::write(&r1, b"#!/bin/sh\nexit 0\n").unwrap();
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    let body: Vec<u8> = (0..SIZE)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    std::fs::write(&r2, &body).unwrap();
    for (file, v) in [(&r1, "1.0.0"), (&r2, "2.0.0")] {
        hub_cli(&["release", "sign", file.to_str().unwrap(), "--version", v, "--key", key.to_str().unwrap()]);
    }
    let manifest = |f: &Path| -> ReleaseManifest {
        serde_json::from_slice(&std::fs::read(hub::releases::sig_path(f)).unwrap()).unwrap()
    };
    let (m1, m2) = (manifest(&r1), manifest(&r2));
    hub_cli(&["release", "add", r2.to_str().unwrap(), "--version", "2.0.0", "--data", d]);
    hub_cli(&["release", "publish", "2.0.0", "--group", "a", "--data", d]);
    let mode = BrokerMode::Embedded(free_port());
    let _hub = HubProcess::start(&data, mode).await;

    let uncut = fetch(tmp.path(), &data, mode.port(), "dl-uncut", public, (&m1, &r1), &m2, &[]).await;
    let cut =
        fetch(tmp.path(), &data, mode.port(), "dl-cut", public, (&m1, &r1), &m2, &[0.25, 0.5, 0.75]).await;
    let extra = cut.moved.saturating_sub(uncut.moved);
    println!(
        "release {} bytes: uncut link moved {} bytes (+{:.2}%), cut three times {} bytes; the cuts cost {} bytes = {:.2} windows of {} ({:.2} per cut)",
        SIZE,
        uncut.moved,
        (uncut.moved as f64 / SIZE as f64 - 1.0) * 100.0,
        cut.moved,
        extra,
        extra as f64 / WINDOW as f64,
        WINDOW,
        extra as f64 / WINDOW as f64 / 3.0
    );
    assert!(uncut.moved >= SIZE as u64, "the whole release crossed the link");
    assert!(uncut.moved < SIZE as u64 + SIZE as u64 / 100, "framing costs under 1%: {}", uncut.moved);
    assert!(extra <= 3 * WINDOW, "each cut may cost one window ({WINDOW} bytes); the three cost {extra}");
}
