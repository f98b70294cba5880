//! Real kiosk runtimes for end-to-end tests and the simulator: a device
//! configuration pointing at a test hub, and helpers to wait on a kiosk.

use firmware_config::{DeviceConfig, Display, HubLink, Language, Role};
use kiosk::runtime::{Handle, KioskStatus};
use protocol::{BrokerUrl, KioskId};
use std::path::Path;
use std::time::{Duration, Instant};

/// The configuration `kiosk-fleet new` would write for this kiosk.
pub fn config(
    kid: &str,
    secret: &[u8],
    hub_key: &[u8],
    port: u16,
    station_no: u16,
    data: &Path,
) -> DeviceConfig {
    DeviceConfig {
        id: KioskId::new(kid).unwrap(),
        role: Role::Station,
        group: "sim".into(),
        station_no,
        language: Language::Zh,
        data_dir: data.to_owned(),
        hub: HubLink {
            url: BrokerUrl { host: "127.0.0.1".into(), port, tls: false },
            secret: secret.to_vec(),
            hub_key: hub_key.to_vec(),
            ca_file: None,
        },
        display: Display { width: 1080, height: 1920, rotation: 0, inactivity_s: 90 },
        staff_pin_hash: None,
        serial: Vec::new(),
        waybills: firmware_config::WaybillPolicy::Hashed,
    }
}

/// The same configuration as a `kiosk.toml` file (what provisioning
/// writes), with the secret in a file beside it.
pub fn write_config_file(
    dir: &Path,
    kid: &str,
    secret: &[u8],
    hub_key: &[u8],
    port: u16,
    station_no: u16,
) -> std::path::PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(format!("{kid}.secret")), hex::encode(secret)).unwrap();
    let text = format!(
        "id = \"{kid}\"\nrole = \"station\"\ngroup = \"sim\"\nstation_no = {station_no}\ndata_dir = \"{kid}-data\"\n\n\
         [hub]\naddress = \"mqtt://127.0.0.1:{port}\"\nsecret_file = \"{kid}.secret\"\nhub_key = \"{}\"\n",
        hex::encode(hub_key)
    );
    let path = dir.join(format!("{kid}.toml"));
    std::fs::write(&path, text).unwrap();
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
