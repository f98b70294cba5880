//! `StaffAdapter`: the PIN page and the staff page's diagnostics, and the
//! demo's role switch.

use super::model;
use crate::controllers::pin::PinProblem;
use crate::controllers::screens::{Dirty, Screens};
use crate::controllers::staff::{DiagItem, DiagValue, LinkState, diagnostics};
use crate::runtime::{Handle, LinkFailure};
use crate::ui::{AppWindow, DeviceKind, DiagRow, DiagText, Glue, LinkReason, StaffAdapter};
use firmware_config::{Role, SerialKind};
use slint::{ComponentHandle, SharedString};

pub fn connect(window: &AppWindow, glue: &Glue) {
    let a = window.global::<StaffAdapter>();
    let g = glue.clone();
    a.on_open_staff(move || g.act(|s, now| s.open_staff(now)));
    let g = glue.clone();
    a.on_pin_key(move |k| g.act(|s, now| s.pin_key(&k, now)));
    let g = glue.clone();
    a.on_refresh(move || g.act(|s, _| s.refresh_staff()));
    let g = glue.clone();
    a.on_switch_role(move || {
        let switch = g.switch_role.borrow().clone();
        if let Some(f) = switch {
            f();
        }
    });
}

pub fn show(window: &AppWindow, screens: &Screens, runtime: &Handle, dirty: &Dirty) {
    let a = window.global::<StaffAdapter>();
    a.set_station(screens.identity().station.is_some());
    if dirty.pin {
        a.set_pin_shown(screens.pin.shown().into());
        a.set_pin_problem(match screens.pin.problem {
            None => crate::ui::PinProblem::None,
            Some(PinProblem::Wrong) => crate::ui::PinProblem::Wrong,
            Some(PinProblem::Resting) => crate::ui::PinProblem::Resting,
            Some(PinProblem::NotSet) => crate::ui::PinProblem::NotSet,
        });
    }
    if dirty.staff {
        let status = runtime.status().borrow().clone();
        let catalog = screens.snapshot().map(|c| (c.version, c.items.len()));
        let rows = diagnostics(runtime.config(), &status, runtime.outbox_state().ok().as_ref(), catalog);
        a.set_rows(model(rows.into_iter().map(|r| diag_row(r.item, r.value, r.ok)).collect()));
    }
}

fn strings(items: &[String]) -> slint::ModelRc<SharedString> {
    model(items.iter().map(SharedString::from).collect())
}

pub(crate) fn device_kind(k: SerialKind) -> DeviceKind {
    match k {
        SerialKind::Scanner => DeviceKind::Scanner,
        SerialKind::Scale => DeviceKind::Scale,
        SerialKind::Printer => DeviceKind::Printer,
    }
}

fn link_reason(r: Option<LinkFailure>) -> LinkReason {
    match r {
        None | Some(LinkFailure::Other) => LinkReason::Unknown,
        Some(LinkFailure::CertificateUnknownIssuer) => LinkReason::CertificateUnknownIssuer,
        Some(LinkFailure::CertificateWrongName) => LinkReason::CertificateWrongName,
        Some(LinkFailure::CertificateExpired) => LinkReason::CertificateExpired,
        Some(LinkFailure::CertificateNotYetValid) => LinkReason::CertificateNotYetValid,
        Some(LinkFailure::Tls) => LinkReason::Tls,
        Some(LinkFailure::LoginRefused) => LinkReason::LoginRefused,
        Some(LinkFailure::NoAnswer) => LinkReason::NoAnswer,
        Some(LinkFailure::Network) => LinkReason::Network,
    }
}

fn diag_row(item: DiagItem, value: DiagValue, ok: bool) -> DiagRow {
    let (item, device) = match item {
        DiagItem::Software => (crate::ui::DiagItem::Software, DeviceKind::None),
        DiagItem::Update => (crate::ui::DiagItem::Update, DeviceKind::None),
        DiagItem::Device => (crate::ui::DiagItem::Device, DeviceKind::None),
        DiagItem::Catalog => (crate::ui::DiagItem::Catalog, DeviceKind::None),
        DiagItem::Sync => (crate::ui::DiagItem::Sync, DeviceKind::None),
        DiagItem::Network => (crate::ui::DiagItem::Network, DeviceKind::None),
        DiagItem::Outbox => (crate::ui::DiagItem::Outbox, DeviceKind::None),
        DiagItem::Storage => (crate::ui::DiagItem::Storage, DeviceKind::None),
        DiagItem::Peripherals => (crate::ui::DiagItem::Peripherals, DeviceKind::None),
        DiagItem::Peripheral(k) => (crate::ui::DiagItem::Peripheral, device_kind(k)),
        DiagItem::Session => (crate::ui::DiagItem::Session, DeviceKind::None),
    };
    let mut reason = LinkReason::Unknown;
    let (text, args): (DiagText, Vec<String>) = match value {
        DiagValue::Text(t) => (DiagText::AsIs, vec![t]),
        DiagValue::Software { running, previous: None } => (DiagText::AsIs, vec![running]),
        DiagValue::Software { running, previous: Some(p) } => (DiagText::SoftwarePrevious, vec![running, p]),
        DiagValue::Update { version, result, reason } => {
            let text = match result {
                "running" => DiagText::UpdateRunning,
                "rolled_back" => DiagText::UpdateRolledBack,
                _ => DiagText::UpdateFailed,
            };
            (text, std::iter::once(version).chain(reason).collect())
        }
        DiagValue::Device { id, role, station_no } => {
            let role = match role {
                Role::Showroom => "showroom",
                Role::Station => "station",
                Role::Bigscreen => "bigscreen",
            };
            (DiagText::Device, vec![id, role.into(), format!("{station_no:04}")])
        }
        DiagValue::NoCatalog => (DiagText::NoCatalog, vec![]),
        DiagValue::Catalog { version, items } => {
            (DiagText::Catalog, vec![version.to_string(), items.to_string()])
        }
        DiagValue::SyncFailed { version, error } => (DiagText::SyncFailed, vec![version.to_string(), error]),
        DiagValue::Syncing { version, done, total } => {
            (DiagText::Syncing, vec![version.to_string(), done.to_string(), total.to_string()])
        }
        DiagValue::UpToDate => (DiagText::UpToDate, vec![]),
        DiagValue::Link { state, url, detail } => match state {
            LinkState::Online => (DiagText::LinkOnline, vec![url]),
            LinkState::HubOffline => (DiagText::LinkHubOffline, vec![url]),
            LinkState::Down(why) => {
                reason = link_reason(why);
                (DiagText::LinkDown, std::iter::once(url).chain(detail).collect())
            }
        },
        DiagValue::Outbox { depth, recorded, acked } => {
            (DiagText::Outbox, vec![depth.to_string(), recorded.to_string(), acked.to_string()])
        }
        DiagValue::StorageFine => (DiagText::StorageFine, vec![]),
        DiagValue::NoPeripherals => (DiagText::NoPeripherals, vec![]),
        DiagValue::Peripheral { path, present: true } => (DiagText::PeripheralPresent, vec![path]),
        DiagValue::Peripheral { path, present: false } => (DiagText::PeripheralMissing, vec![path]),
    };
    DiagRow { item, device, text, args: strings(&args), reason, ok }
}
