//! What the UI tests share: reading the screen and pressing buttons through
//! Slint's testing backend, and an offline kiosk to record into.

use i_slint_backend_testing::{AccessibleRole, ElementHandle, ElementQuery};
use kiosk::runtime::Runtime;
use kiosk::ui::KioskUi;

/// Every accessible label on screen.
pub fn labels(ui: &KioskUi) -> Vec<String> {
    ElementQuery::from_root(&ui.window)
        .find_all()
        .into_iter()
        .filter_map(|e| e.accessible_label().map(|l| l.to_string()))
        .filter(|l| !l.is_empty())
        .collect()
}

/// Press the button with this label, as a touch would (a `Text` showing the
/// same words is not a button).
pub fn press(ui: &KioskUi, label: &str) {
    let found = ElementHandle::find_by_accessible_label(&ui.window, label)
        .find(|e| e.accessible_role() == Some(AccessibleRole::Button));
    let e = found.unwrap_or_else(|| panic!("no button {label:?}; on screen: {:?}", labels(ui)));
    e.invoke_accessible_default_action();
}

/// The staff PIN of [`offline_kiosk`].
pub const STAFF_PIN: &str = "2468";

/// A kiosk whose hub is unreachable: everything it records stays in its outbox.
pub fn offline_kiosk(dir: &std::path::Path, id: &str, role: &str, station_no: u16) -> Runtime {
    use firmware_config::{DeviceConfig, HubLink, Role};
    let hub = HubLink {
        url: protocol::BrokerUrl { host: "127.0.0.1".into(), port: 9, tls: false },
        secret: vec![0x11; 32],
        hub_key: vec![0x22; 32],
        ca_file: None,
    };
    let role = if role == "station" { Role::Station } else { Role::Showroom };
    let id = protocol::KioskId::new(id).unwrap();
    let mut config = DeviceConfig::new(id, role, "g", station_no, hub, dir.join("kiosk-data"));
    config.staff_pin_hash = Some(firmware_config::pin::hash(STAFF_PIN, b"salt"));
    Runtime::start(config).unwrap()
}

/// An [`offline_kiosk`] of `role` under `dir`, showing the sample catalog in
/// a window 1080 px wide and `height` px tall (tall enough for what the test
/// reads). Keep the runtime alive as long as the window.
pub fn sample_kiosk_ui(
    dir: &std::path::Path,
    id: &str,
    role: &str,
    station_no: u16,
    height: u32,
) -> (Runtime, KioskUi, std::sync::Arc<protocol::catalog::Snapshot>) {
    use slint::ComponentHandle;
    let (snap, blobs) =
        kiosk::demo::sample::load(&kiosk::demo::sample::default_catalog(), &dir.join("hub")).unwrap();
    let rt = offline_kiosk(&dir.join("kiosk"), id, role, station_no);
    let images = std::rc::Rc::new(move |sha: &str| kiosk::demo::sample::hub_blob_path(&blobs, sha));
    let ui = KioskUi::new(&rt.handle(), images, "2026-11-29".into()).unwrap();
    ui.window.window().set_size(slint::PhysicalSize::new(1080, height));
    ui.set_catalog(snap.clone());
    (rt, ui, snap)
}
