//! Real kiosk runtimes for end-to-end tests and the simulator: a device
//! configuration pointing at a test hub, and helpers to wait on a kiosk.

use firmware_config::{DeviceConfig, HubLink, KeyStorage, Role};
use kiosk::runtime::{Handle, KioskStatus};
use protocol::{BrokerUrl, KioskId};
use std::path::Path;
use std::time::{Duration, Instant};

/// A station kiosk of the `sim` group pointing at a test hub on `port`.
pub fn config(
    kid: &str,
    secret: &[u8],
    hub_key: &[u8],
    port: u16,
    station_no: u16,
    data: &Path,
) -> DeviceConfig {
    let hub = HubLink {
        url: BrokerUrl { host: "127.0.0.1".into(), port, tls: false },
        secret: secret.to_vec(),
        hub_key: hub_key.to_vec(),
        ca_file: None,
    };
    DeviceConfig::new(KioskId::new(kid).unwrap(), Role::Station, "sim", station_no, hub, data.to_owned())
}

/// The same configuration as a `kiosk.toml` file in `dir` (what
/// provisioning writes), with both keys in files beside it and the data
/// folder `<kid>-data` relative to it.
pub fn write_config_file(
    dir: &Path,
    kid: &str,
    secret: &[u8],
    hub_key: &[u8],
    port: u16,
    station_no: u16,
) -> std::path::PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let (secret_file, key_file) = (format!("{kid}.secret"), format!("{kid}.hub-key"));
    std::fs::write(dir.join(&secret_file), hex::encode(secret)).unwrap();
    std::fs::write(dir.join(&key_file), hex::encode(hub_key)).unwrap();
    let c = config(kid, secret, hub_key, port, station_no, Path::new(&format!("{kid}-data")));
    let path = dir.join(format!("{kid}.toml"));
    std::fs::write(&path, c.to_toml(KeyStorage::Files { secret: &secret_file, hub_key: &key_file })).unwrap();
    path
}

/// The event a simulated kiosk records as number `seq` (the same after a
/// crash and restart, so the truth is known from the count alone).
pub fn scripted_event(kiosk_ix: u64, seq: u64) -> protocol::messages::Event {
    protocol::messages::Event {
        seq,
        t: 1_790_812_800_000 + seq * 60_000,
        clock_trusted: true,
        kind: crate::figures::event_kind(((seq * 31 + kiosk_ix * 17) % 251) as u8, seq * 13 + kiosk_ix),
    }
}

/// Wait until the kiosk's status satisfies `cond`.
pub async fn wait_status(k: &Handle, timeout: Duration, what: &str, cond: impl Fn(&KioskStatus) -> bool) {
    let deadline = Instant::now() + timeout;
    let mut rx = k.status();
    loop {
        if cond(&rx.borrow_and_update()) {
            return;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || tokio::time::timeout(left, rx.changed()).await.is_err() {
            panic!("timed out waiting for {what}; status {:?}", *rx.borrow());
        }
    }
}

/// Wait until the kiosk shows catalog version `v`.
pub async fn wait_catalog(k: &Handle, timeout: Duration, v: u64) {
    let deadline = Instant::now() + timeout;
    let mut rx = k.catalog();
    loop {
        if rx.borrow_and_update().as_ref().is_some_and(|s| s.version == v) {
            return;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || tokio::time::timeout(left, rx.changed()).await.is_err() {
            let have = rx.borrow().as_ref().map(|s| s.version);
            panic!(
                "timed out waiting for catalog version {v}; have {have:?}; status {:?}",
                *k.status().borrow()
            );
        }
    }
}
