//! The staff page behind the PIN: what a keeper reads to the county over
//! the phone when something is wrong. Each line is typed data (which item,
//! what state, the figures); the UI words it in the language on screen.

use crate::runtime::{KioskStatus, LinkFailure};
use crate::store::outbox::OutboxState;
use firmware_config::{DeviceConfig, Role, SerialKind};

/// An outbox this deep is worth a call to the centre.
const OUTBOX_WORRY: u64 = 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiagItem {
    Software,
    /// The last software update's result.
    Update,
    Device,
    Catalog,
    Sync,
    Network,
    Outbox,
    Storage,
    Peripherals,
    Peripheral(SerialKind),
    Session,
}

/// How the link to the hub stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkState {
    Online,
    /// Connected to the broker, but the hub says it is offline.
    HubOffline,
    /// Not connected, and why when known.
    Down(Option<LinkFailure>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiagValue {
    /// Shown as it is (a version, a session number, a store error).
    Text(String),
    /// The release running and the one before it.
    Software {
        running: String,
        previous: Option<String>,
    },
    /// The last update: `running`, `rolled_back` or `failed`, and why.
    Update {
        version: String,
        result: &'static str,
        reason: Option<String>,
    },
    Device {
        id: String,
        role: Role,
        station_no: u16,
    },
    NoCatalog,
    Catalog {
        version: u64,
        items: usize,
    },
    SyncFailed {
        version: u64,
        error: String,
    },
    Syncing {
        version: u64,
        done: u64,
        total: u64,
    },
    UpToDate,
    Link {
        state: LinkState,
        url: String,
        detail: Option<String>,
    },
    Outbox {
        depth: u64,
        recorded: u64,
        acked: u64,
    },
    StorageFine,
    NoPeripherals,
    Peripheral {
        path: String,
        present: bool,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiagRow {
    pub item: DiagItem,
    pub value: DiagValue,
    pub ok: bool,
}

/// The staff page's lines.
pub fn diagnostics(
    config: &DeviceConfig,
    status: &KioskStatus,
    outbox: Option<&OutboxState>,
    catalog: Option<(u64, usize)>,
) -> Vec<DiagRow> {
    let row = |item, value, ok| DiagRow { item, value, ok };
    let mut rows = vec![
        row(
            DiagItem::Software,
            DiagValue::Software {
                running: status.software.running.clone(),
                previous: status.software.previous.clone(),
            },
            true,
        ),
        row(
            DiagItem::Device,
            DiagValue::Device { id: config.id.to_string(), role: config.role, station_no: config.station_no },
            true,
        ),
        match catalog {
            Some((version, items)) => row(DiagItem::Catalog, DiagValue::Catalog { version, items }, true),
            None => row(DiagItem::Catalog, DiagValue::NoCatalog, false),
        },
    ];
    if let Some((version, result, reason)) = &status.software.last {
        let value = DiagValue::Update { version: version.clone(), result, reason: reason.clone() };
        // Beside the version it explains.
        rows.insert(1, row(DiagItem::Update, value, *result == "running"));
    }
    let sync = &status.sync;
    rows.push(match (&sync.error, sync.active) {
        (Some(e), _) => {
            row(DiagItem::Sync, DiagValue::SyncFailed { version: sync.version, error: e.clone() }, false)
        }
        (None, true) => row(
            DiagItem::Sync,
            DiagValue::Syncing { version: sync.version, done: sync.bytes_done, total: sync.bytes_total },
            true,
        ),
        (None, false) => row(DiagItem::Sync, DiagValue::UpToDate, true),
    });
    let state = match (status.connected, status.hub_online) {
        (true, true) => LinkState::Online,
        (true, false) => LinkState::HubOffline,
        (false, _) => LinkState::Down(status.link_down.as_ref().map(|d| d.reason)),
    };
    let detail = match state {
        LinkState::Down(_) => status.link_down.as_ref().map(|d| d.detail.clone()),
        _ => None,
    };
    rows.push(row(
        DiagItem::Network,
        DiagValue::Link { state, url: config.hub.url.to_string(), detail },
        state == LinkState::Online,
    ));
    if let Some(o) = outbox {
        rows.push(row(
            DiagItem::Outbox,
            DiagValue::Outbox { depth: o.depth, recorded: o.last_seq, acked: o.acked_upto },
            o.depth < OUTBOX_WORRY,
        ));
    }
    rows.push(match &status.store_error {
        Some(e) => row(DiagItem::Storage, DiagValue::Text(e.clone()), false),
        None => row(DiagItem::Storage, DiagValue::StorageFine, true),
    });
    if config.serial.is_empty() {
        rows.push(row(DiagItem::Peripherals, DiagValue::NoPeripherals, true));
    }
    for d in &config.serial {
        let present = d.path.exists();
        rows.push(row(
            DiagItem::Peripheral(d.kind),
            DiagValue::Peripheral { path: d.path.display().to_string(), present },
            present,
        ));
    }
    rows.push(row(DiagItem::Session, DiagValue::Text(status.session.to_string()), true));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::LinkDown;

    #[test]
    fn the_link_line_names_the_reason_and_keeps_the_detail() {
        let config = DeviceConfig::new(
            protocol::KioskId::new("shinan-01").unwrap(),
            Role::Station,
            "shinan",
            12,
            firmware_config::HubLink {
                url: protocol::BrokerUrl::parse("mqtts://hub.local:8883").unwrap(),
                secret: vec![1; 32],
                hub_key: vec![2; 32],
                ca_file: None,
            },
            "data".into(),
        );
        let status = KioskStatus {
            link_down: Some(LinkDown {
                reason: LinkFailure::CertificateExpired,
                detail: "invalid peer certificate: Expired".into(),
            }),
            ..KioskStatus::default()
        };
        let rows = diagnostics(&config, &status, None, Some((3, 45)));
        let link = rows.iter().find(|r| r.item == DiagItem::Network).unwrap();
        assert_eq!(
            link.value,
            DiagValue::Link {
                state: LinkState::Down(Some(LinkFailure::CertificateExpired)),
                url: "mqtts://hub.local:8883".into(),
                detail: Some("invalid peer certificate: Expired".into()),
            }
        );
        assert!(!link.ok);
        assert!(rows.iter().any(|r| r.value == DiagValue::Catalog { version: 3, items: 45 }));
        assert!(rows.iter().any(|r| r.value == DiagValue::NoPeripherals));
    }
}
