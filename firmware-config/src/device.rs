//! The device configuration schema (`kiosk.toml`) and its validation.
//!
//! ```toml
//! id = "shinan-huangpao-01"      # the kiosk id registered at the hub
//! role = "station"               # showroom | station | bigscreen
//! group = "shinan"               # rollout group (a village, "showroom")
//! station_no = 12                # printed in ticket numbers; from `hub fleet new`
//! language = "zh"                # zh | en: the language shown after the attract loop
//! data_dir = "/var/lib/kiosk"    # relative paths are relative to this file
//!
//! [hub]
//! address = "mqtt://192.168.10.2:1883"
//! secret_file = "secret"         # or secret = "<64 hex digits>"
//! hub_key_file = "hub.key"       # or hub_key = "<64 hex digits>"
//!
//! [display]
//! width = 1080
//! height = 1920
//! rotation = 0                   # 0 | 90 | 180 | 270
//! inactivity_s = 90              # back to the attract loop after this long untouched
//!
//! [staff]
//! pin_hash = "sha256$<salt>$<hash>"
//!
//! [parcels]
//! waybills = "hashed"            # hashed | full: how waybill numbers go to the hub
//!
//! [retention]                    # how long this kiosk keeps what it took, in days
//! parcels_days = 90              # the parcel desk's scans (the waybill numbers)
//! finished_days = 180            # requests and sign-ups the hub has closed
//!
//! [update]                     # software updates (docs/deploy.md); absent: none
//! release_key = "<64 hex>"       # the county's release key, public half
//! root = "/opt/kiosk"            # the A/B layout: releases/<version>/, current, good
//! rate_kbit = 512                # the most a release download may use of the link
//! health_deadline_s = 180        # a new release must confirm itself healthy within this
//!
//! [[serial]]
//! path = "/dev/serial/by-id/usb-Honeywell_scanner-if00"
//! kind = "scanner"               # scanner | scale | printer
//! baud = 9600
//! protocol = "auto"
//! ```

use crate::error::ConfigError;
use protocol::{BrokerUrl, KioskId};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The exhibition hall: browse, trace, attract loop.
    Showroom,
    /// A village service station: services, requests, parcel desk.
    Station,
    /// The centre's big screen: live figures.
    Bigscreen,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    Zh,
    En,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::Zh, Language::En];

    /// `zh`, `en`: as in `kiosk.toml`, the hub's `set-language` command and
    /// the translation folders (`kiosk/lang/<code>/`).
    pub fn code(self) -> &'static str {
        match self {
            Language::Zh => "zh",
            Language::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Language> {
        Self::ALL.into_iter().find(|l| l.code() == code)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SerialKind {
    Scanner,
    Scale,
    Printer,
}

/// How long the kiosk keeps what villagers gave it. A waybill number leads
/// to its recipient and a request names a villager: neither is kept longer
/// than the station needs it (parcels for disputes about a delivery, a
/// finished request for "my requests"). Open requests and sign-ups are
/// kept until the hub closes them, however long that takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    #[serde(default = "default_parcels_days")]
    pub parcels_days: u32,
    #[serde(default = "default_finished_days")]
    pub finished_days: u32,
}

impl Default for Retention {
    fn default() -> Self {
        Retention { parcels_days: default_parcels_days(), finished_days: default_finished_days() }
    }
}

fn default_parcels_days() -> u32 {
    90
}
fn default_finished_days() -> u32 {
    180
}

/// How the parcel desk sends waybill numbers (design: domain.md §7): a
/// number can lead to its recipient, so by default only a keyed hash
/// leaves the kiosk, which still counts each parcel once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WaybillPolicy {
    #[default]
    Hashed,
    /// The data centre needs the numbers themselves (it must say so).
    Full,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HubLink {
    pub url: BrokerUrl,
    /// This kiosk's signing secret (32 bytes).
    pub secret: Vec<u8>,
    /// The hub's key, which signs `_hub/state`.
    pub hub_key: Vec<u8>,
    /// The county CA for `mqtts://` (`hub fleet tls` makes one).
    pub ca_file: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Display {
    pub width: u32,
    pub height: u32,
    pub rotation: u16,
    pub inactivity_s: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SerialDevice {
    pub path: PathBuf,
    pub kind: SerialKind,
    pub baud: u32,
    pub protocol: String,
}

/// How this kiosk takes software updates (`[update]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpdateConfig {
    /// The county's release key (Ed25519, public half): a release it did
    /// not sign is never installed, whatever the hub says.
    pub release_key: [u8; protocol::release::PUBLIC_KEY_LEN],
    /// The A/B layout's folder (see `kiosk::update::layout`).
    pub root: PathBuf,
    /// The most a release download may take of the link, in kbit/s.
    pub rate_kbit: u32,
    /// A new release that is not healthy (window up, store open, connected,
    /// birth sent) this long after it starts gives up, so that the boot
    /// counter brings the previous one back.
    pub health_deadline_s: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceConfig {
    pub id: KioskId,
    pub role: Role,
    pub group: String,
    pub station_no: u16,
    pub language: Language,
    pub data_dir: PathBuf,
    pub hub: HubLink,
    pub display: Display,
    pub staff_pin_hash: Option<String>,
    pub serial: Vec<SerialDevice>,
    pub waybills: WaybillPolicy,
    pub retention: Retention,
    pub update: Option<UpdateConfig>,
}

// The file's own shape: read by `parse`, written by `to_toml`.
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    id: String,
    role: Role,
    group: String,
    station_no: u32,
    #[serde(default = "default_language")]
    language: Language,
    #[serde(default = "default_data_dir")]
    data_dir: String,
    hub: RawHub,
    #[serde(default)]
    display: RawDisplay,
    #[serde(default)]
    staff: RawStaff,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    serial: Vec<RawSerial>,
    #[serde(default)]
    parcels: RawParcels,
    #[serde(default)]
    retention: Retention,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    update: Option<RawUpdate>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawUpdate {
    release_key: String,
    root: String,
    #[serde(default = "default_rate_kbit")]
    rate_kbit: u32,
    #[serde(default = "default_health_deadline_s")]
    health_deadline_s: u32,
}

fn default_rate_kbit() -> u32 {
    512
}
fn default_health_deadline_s() -> u32 {
    180
}

#[derive(Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
struct RawParcels {
    #[serde(default)]
    waybills: WaybillPolicy,
}

fn default_language() -> Language {
    Language::Zh
}
fn default_data_dir() -> String {
    "kiosk-data".into()
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawHub {
    address: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret_file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hub_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hub_key_file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ca_file: Option<String>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
struct RawDisplay {
    width: u32,
    height: u32,
    rotation: u16,
    inactivity_s: u32,
}

impl Default for RawDisplay {
    fn default() -> Self {
        RawDisplay { width: 1080, height: 1920, rotation: 0, inactivity_s: 90 }
    }
}

#[derive(Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
struct RawStaff {
    #[serde(skip_serializing_if = "Option::is_none")]
    pin_hash: Option<String>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawSerial {
    path: String,
    kind: SerialKind,
    #[serde(default = "default_baud")]
    baud: u32,
    #[serde(default = "default_protocol")]
    protocol: String,
}

fn default_baud() -> u32 {
    9600
}
fn default_protocol() -> String {
    "auto".into()
}

const BAUDS: &[u32] = &[1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200];

/// The dotted field whose `key = value` is on 1-based line `line`:
/// `display.colour`, or `role` at the top level.
fn field_at(text: &str, line: usize) -> Option<String> {
    let mut section = None;
    for t in text.lines().take(line - 1).map(str::trim) {
        if t.starts_with('[') {
            section = Some(t.trim_matches(|c| c == '[' || c == ']').trim().to_owned());
        }
    }
    let (key, _) = text.lines().nth(line - 1)?.split_once('=')?;
    let key = key.trim().trim_matches('"');
    if key.is_empty() || key.contains(char::is_whitespace) || key.starts_with('[') {
        return None;
    }
    Some(match section {
        Some(s) => format!("{s}.{key}"),
        None => key.to_owned(),
    })
}

/// The line of `key` in `section` (`None` for the top level; for an array
/// of tables, the `nth` occurrence), to point at the field in messages.
fn line_of(text: &str, section: Option<&str>, nth: usize, key: &str) -> Option<usize> {
    let mut current: Option<String> = None;
    let mut seen = 0usize;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if let Some(h) = t.strip_prefix("[[").and_then(|h| h.split("]]").next()) {
            current = Some(h.trim().to_owned());
            if Some(h.trim()) == section {
                seen += 1;
            }
            continue;
        }
        if let Some(h) = t.strip_prefix('[').and_then(|h| h.split(']').next()) {
            current = Some(h.trim().to_owned());
            continue;
        }
        let here = current.as_deref() == section && (section.is_none() || seen == nth + 1 || seen == 0);
        if here
            && let Some(rest) = t.strip_prefix(key)
            && rest.trim_start().starts_with('=')
        {
            return Some(i + 1);
        }
    }
    None
}

impl DeviceConfig {
    /// Read and check a configuration file.
    pub fn load(path: &Path) -> Result<DeviceConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: path.to_owned(),
            line: None,
            field: None,
            message: format!("cannot read: {e}"),
        })?;
        Self::parse(&text, path)
    }

    /// Check configuration text; `path` names it in errors and anchors
    /// relative paths.
    pub fn parse(text: &str, path: &Path) -> Result<DeviceConfig, ConfigError> {
        let raw: Raw = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            // A bad value's message names no field; its line does.
            let field = line.and_then(|l| field_at(text, l));
            ConfigError { file: path.to_owned(), line, field, message: e.message().trim().to_owned() }
        })?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let at = |section: Option<&str>, key: &str| line_of(text, section, 0, key);
        let err = |section: Option<&str>, key: &str, msg: String| {
            let field = section.map_or_else(|| key.to_owned(), |s| format!("{s}.{key}"));
            ConfigError::field(path, at(section, key), &field, msg)
        };

        let id = KioskId::new(raw.id.clone()).map_err(|e| err(None, "id", e.to_string()))?;
        KioskId::new(raw.group.clone())
            .map_err(|_| err(None, "group", format!("{:?} may only use a-z, 0-9 and '-'", raw.group)))?;
        let station_no =
            u16::try_from(raw.station_no).ok().filter(|n| (1..=9998).contains(n)).ok_or_else(|| {
                err(
                    None,
                    "station_no",
                    format!("{} is not a station number (1–9998, from `hub fleet new`)", raw.station_no),
                )
            })?;

        let url =
            BrokerUrl::parse(&raw.hub.address).map_err(|e| err(Some("hub"), "address", e.to_string()))?;
        let key = |inline: &Option<String>,
                   file: &Option<String>,
                   name: &str|
         -> Result<Vec<u8>, ConfigError> {
            let file_key = format!("{name}_file");
            let (text, field) = match (inline, file) {
                (Some(_), Some(_)) => {
                    return Err(err(
                        Some("hub"),
                        name,
                        format!("give either {name} or {file_key}, not both"),
                    ));
                }
                (Some(hex), None) => (hex.clone(), name.to_owned()),
                (None, Some(f)) => {
                    let p = base.join(f);
                    let t = std::fs::read_to_string(&p).map_err(|e| {
                        err(Some("hub"), &file_key, format!("cannot read {}: {e}", p.display()))
                    })?;
                    (t, file_key)
                }
                (None, None) => {
                    return Err(err(Some("hub"), name, format!("missing: set {name} or {file_key}")));
                }
            };
            match hex::decode(text.trim()) {
                Ok(k) if k.len() == 32 => Ok(k),
                _ => Err(err(Some("hub"), &field, "must be 64 hexadecimal digits (a 32-byte key)".into())),
            }
        };
        let secret = key(&raw.hub.secret, &raw.hub.secret_file, "secret")?;
        let hub_key = key(&raw.hub.hub_key, &raw.hub.hub_key_file, "hub_key")?;
        let ca_file = raw.hub.ca_file.as_ref().map(|f| base.join(f));
        if url.tls && ca_file.is_none() {
            return Err(err(
                Some("hub"),
                "ca_file",
                "an mqtts:// address needs the county CA certificate".into(),
            ));
        }
        if let Some(ca) = &ca_file {
            match std::fs::read_to_string(ca) {
                Ok(pem) if pem.contains("-----BEGIN CERTIFICATE-----") => {}
                Ok(_) => {
                    return Err(err(
                        Some("hub"),
                        "ca_file",
                        format!("{} holds no PEM certificate", ca.display()),
                    ));
                }
                Err(e) => return Err(err(Some("hub"), "ca_file", format!("{}: {e}", ca.display()))),
            }
        }

        let d = &raw.display;
        for (name, v) in [("width", d.width), ("height", d.height)] {
            if !(320..=7680).contains(&v) {
                return Err(err(Some("display"), name, format!("{v} pixels is outside 320–7680")));
            }
        }
        if ![0, 90, 180, 270].contains(&d.rotation) {
            return Err(err(
                Some("display"),
                "rotation",
                format!("{} must be 0, 90, 180 or 270", d.rotation),
            ));
        }
        if !(10..=3600).contains(&d.inactivity_s) {
            return Err(err(
                Some("display"),
                "inactivity_s",
                format!("{} seconds is outside 10–3600", d.inactivity_s),
            ));
        }
        for (key, days) in
            [("parcels_days", raw.retention.parcels_days), ("finished_days", raw.retention.finished_days)]
        {
            if !(1..=3650).contains(&days) {
                return Err(err(Some("retention"), key, format!("{days} days is outside 1–3650")));
            }
        }
        if let Some(h) = &raw.staff.pin_hash
            && !crate::pin::is_well_formed(h)
        {
            return Err(err(
                Some("staff"),
                "pin_hash",
                "must be sha256$<salt>$<hash>, as the provisioning tool writes it".into(),
            ));
        }

        let mut serial = Vec::new();
        for (i, s) in raw.serial.iter().enumerate() {
            let e = |key: &str, msg: String| {
                ConfigError::field(
                    path,
                    line_of(text, Some("serial"), i, key),
                    &format!("serial[{i}].{key}"),
                    msg,
                )
            };
            if s.path.trim().is_empty() {
                return Err(e("path", "is empty".into()));
            }
            if raw.serial[..i].iter().any(|o| o.path == s.path) {
                return Err(e("path", format!("{} is configured twice", s.path)));
            }
            if !BAUDS.contains(&s.baud) {
                return Err(e("baud", format!("{} is not a standard rate ({BAUDS:?})", s.baud)));
            }
            let protocols: &[&str] = match s.kind {
                SerialKind::Scanner => &["auto", "crlf", "idle"],
                SerialKind::Scale => {
                    &["auto", "toledo", "toledo-checksum", "xk3190-0", "xk3190-1", "xk3190-2", "st-gs"]
                }
                SerialKind::Printer => &["auto", "escpos"],
            };
            if !protocols.contains(&s.protocol.as_str()) {
                return Err(e("protocol", format!("{:?} is not one of {protocols:?}", s.protocol)));
            }
            serial.push(SerialDevice {
                path: PathBuf::from(&s.path),
                kind: s.kind,
                baud: s.baud,
                protocol: s.protocol.clone(),
            });
        }

        let update = match &raw.update {
            None => None,
            Some(u) => {
                let release_key = protocol::release::parse_public_key(&u.release_key)
                    .map_err(|e| err(Some("update"), "release_key", e.to_string()))?;
                if u.root.trim().is_empty() {
                    return Err(err(Some("update"), "root", "is empty".into()));
                }
                if !(16..=1_000_000).contains(&u.rate_kbit) {
                    return Err(err(
                        Some("update"),
                        "rate_kbit",
                        format!("{} kbit/s is outside 16–1000000", u.rate_kbit),
                    ));
                }
                if !(30..=3600).contains(&u.health_deadline_s) {
                    return Err(err(
                        Some("update"),
                        "health_deadline_s",
                        format!("{} seconds is outside 30–3600", u.health_deadline_s),
                    ));
                }
                Some(UpdateConfig {
                    release_key,
                    root: base.join(&u.root),
                    rate_kbit: u.rate_kbit,
                    health_deadline_s: u.health_deadline_s,
                })
            }
        };

        Ok(DeviceConfig {
            id,
            role: raw.role,
            group: raw.group,
            station_no,
            language: raw.language,
            data_dir: base.join(&raw.data_dir),
            hub: HubLink { url, secret, hub_key, ca_file },
            display: Display {
                width: d.width,
                height: d.height,
                rotation: d.rotation,
                inactivity_s: d.inactivity_s,
            },
            staff_pin_hash: raw.staff.pin_hash,
            serial,
            waybills: raw.parcels.waybills,
            retention: raw.retention,
            update,
        })
    }
}

/// Where a written `kiosk.toml` keeps the kiosk's two keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyStorage<'a> {
    /// In the file itself, as hex (tests, the demo).
    Inline,
    /// In files beside it, named relative to it (0600 files, as
    /// provisioning writes them).
    Files { secret: &'a str, hub_key: &'a str },
}

impl DeviceConfig {
    /// A showroom or station with the usual display, Chinese first, no
    /// staff PIN and no serial devices.
    pub fn new(
        id: KioskId,
        role: Role,
        group: &str,
        station_no: u16,
        hub: HubLink,
        data_dir: PathBuf,
    ) -> Self {
        DeviceConfig {
            id,
            role,
            group: group.to_owned(),
            station_no,
            language: Language::Zh,
            data_dir,
            hub,
            display: Display { width: 1080, height: 1920, rotation: 0, inactivity_s: 90 },
            staff_pin_hash: None,
            serial: Vec::new(),
            waybills: WaybillPolicy::Hashed,
            retention: Retention::default(),
            update: None,
        }
    }

    /// One line for a person checking the file: who, where, what hub.
    pub fn summary(&self) -> String {
        format!(
            "kiosk {} ({:?}, group {}, station {:04}), hub {}, {} serial device(s)",
            self.id,
            self.role,
            self.group,
            self.station_no,
            self.hub.url,
            self.serial.len()
        )
    }

    /// This configuration as `kiosk.toml` text, the inverse of
    /// [`DeviceConfig::parse`]: paths are written as they are held (a
    /// relative `data_dir` or `ca_file` is then relative to the file).
    pub fn to_toml(&self, keys: KeyStorage<'_>) -> String {
        let (secret, secret_file, hub_key, hub_key_file) = match keys {
            KeyStorage::Inline => {
                (Some(hex::encode(&self.hub.secret)), None, Some(hex::encode(&self.hub.hub_key)), None)
            }
            KeyStorage::Files { secret, hub_key } => {
                (None, Some(secret.to_owned()), None, Some(hub_key.to_owned()))
            }
        };
        let path_text = |p: &Path| p.to_string_lossy().into_owned();
        let raw = Raw {
            id: self.id.to_string(),
            role: self.role,
            group: self.group.clone(),
            station_no: u32::from(self.station_no),
            language: self.language,
            data_dir: path_text(&self.data_dir),
            hub: RawHub {
                address: self.hub.url.to_string(),
                secret,
                secret_file,
                hub_key,
                hub_key_file,
                ca_file: self.hub.ca_file.as_deref().map(path_text),
            },
            display: RawDisplay {
                width: self.display.width,
                height: self.display.height,
                rotation: self.display.rotation,
                inactivity_s: self.display.inactivity_s,
            },
            staff: RawStaff { pin_hash: self.staff_pin_hash.clone() },
            serial: self
                .serial
                .iter()
                .map(|d| RawSerial {
                    path: path_text(&d.path),
                    kind: d.kind,
                    baud: d.baud,
                    protocol: d.protocol.clone(),
                })
                .collect(),
            parcels: RawParcels { waybills: self.waybills },
            retention: self.retention,
            update: self.update.as_ref().map(|u| RawUpdate {
                release_key: hex::encode(u.release_key),
                root: path_text(&u.root),
                rate_kbit: u.rate_kbit,
                health_deadline_s: u.health_deadline_s,
            }),
        };
        toml::to_string(&raw).expect("a device configuration is plain TOML")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
id = "shinan-01"
role = "station"
group = "shinan"
station_no = 12

[hub]
address = "mqtt://127.0.0.1:1883"
secret = "0000000000000000000000000000000000000000000000000000000000000001"
hub_key = "0000000000000000000000000000000000000000000000000000000000000002"

[display]
width = 1920
height = 1080
inactivity_s = 60

[[serial]]
path = "/dev/ttyUSB0"
kind = "scanner"

[[serial]]
path = "/dev/ttyUSB1"
kind = "scale"
baud = 2400
protocol = "xk3190-1"

[update]
release_key = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"
root = "/opt/kiosk"
rate_kbit = 256
"#;

    fn check(text: &str) -> Result<DeviceConfig, String> {
        DeviceConfig::parse(text, Path::new("/etc/kiosk/kiosk.toml")).map_err(|e| e.to_string())
    }

    #[test]
    fn a_good_file() {
        let c = check(GOOD).unwrap();
        assert_eq!((c.id.as_str(), c.role, c.station_no), ("shinan-01", Role::Station, 12));
        assert_eq!(c.language, Language::Zh);
        assert_eq!(c.data_dir, PathBuf::from("/etc/kiosk/kiosk-data"));
        assert_eq!(c.hub.secret[31], 1);
        assert_eq!(c.display, Display { width: 1920, height: 1080, rotation: 0, inactivity_s: 60 });
        assert_eq!(c.serial[1].protocol, "xk3190-1");
        let u = c.update.unwrap();
        assert_eq!((u.root, u.rate_kbit, u.health_deadline_s), (PathBuf::from("/opt/kiosk"), 256, 180));
        assert_eq!(u.release_key[0], 0x3d);
    }

    #[test]
    fn retention_has_defaults_and_bounds() {
        assert_eq!(check(GOOD).unwrap().retention, Retention { parcels_days: 90, finished_days: 180 });
        let set = GOOD.replace("[update]", "[retention]\nparcels_days = 30\n\n[update]");
        assert_eq!(check(&set).unwrap().retention, Retention { parcels_days: 30, finished_days: 180 });
        let zero = GOOD.replace("[update]", "[retention]\nfinished_days = 0\n\n[update]");
        let e = check(&zero).unwrap_err();
        assert!(e.contains("`retention.finished_days`: 0 days is outside 1–3650"), "{e}");
        let c = check(&set).unwrap();
        let again = DeviceConfig::parse(&c.to_toml(KeyStorage::Inline), Path::new("/etc/kiosk/kiosk.toml"));
        assert_eq!(again.unwrap().retention, c.retention, "written and read back");
    }

    #[test]
    fn each_mistake_is_one_line_naming_the_field() {
        let cases: &[(&str, &str, &str)] = &[
            ("id = \"shinan-01\"", "id = \"Shinan 01\"", "kiosk.toml:2: `id`: kiosk id \"Shinan 01\""),
            ("station_no = 12", "station_no = 0", "kiosk.toml:5: `station_no`: 0 is not a station number"),
            ("address = \"mqtt://127.0.0.1:1883\"", "address = \"127.0.0.1\"", "kiosk.toml:8: `hub.address`"),
            (
                "secret = \"00000000000000000000000000000000000000000000000000000000000000",
                "secret = \"0000",
                "`hub.secret`: must be 64 hexadecimal digits",
            ),
            (
                "inactivity_s = 60",
                "inactivity_s = 5",
                "kiosk.toml:15: `display.inactivity_s`: 5 seconds is outside 10–3600",
            ),
            ("baud = 2400", "baud = 2500", "kiosk.toml:24: `serial[1].baud`: 2500 is not a standard rate"),
            ("protocol = \"xk3190-1\"", "protocol = \"escpos\"", "`serial[1].protocol`"),
            ("role = \"station\"", "role = \"kiosk\"", "kiosk.toml:3: `role`: unknown variant `kiosk`"),
            (
                "width = 1920",
                "width = 1920\ncolour = 3",
                "kiosk.toml:14: `display.colour`: unknown field `colour`",
            ),
            ("station_no = 12\n", "", "missing field `station_no`"),
            (
                "release_key = \"3d40",
                "release_key = \"3d4",
                "`update.release_key`: the release key must be 64 hexadecimal digits",
            ),
            ("rate_kbit = 256", "rate_kbit = 2", "`update.rate_kbit`: 2 kbit/s is outside 16–1000000"),
            ("root = \"/opt/kiosk\"\n", "", "missing field `root`"),
        ];
        for (from, to, want) in cases {
            assert!(GOOD.contains(from), "{from}");
            let got = check(&GOOD.replacen(from, to, 1)).unwrap_err();
            assert!(got.contains(want), "for {to:?}: got {got:?}, want {want:?}");
            assert_eq!(got.lines().count(), 1, "{got}");
        }
    }

    #[test]
    fn keys_from_files_relative_to_the_config() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("secret"), "ab".repeat(32) + "\n").unwrap();
        let text = GOOD.replace(
            "secret = \"0000000000000000000000000000000000000000000000000000000000000001\"",
            "secret_file = \"secret\"",
        );
        let c = DeviceConfig::parse(&text, &dir.path().join("kiosk.toml")).unwrap();
        assert_eq!(c.hub.secret, vec![0xab; 32]);
        let missing =
            DeviceConfig::parse(&text.replace("\"secret\"", "\"nope\""), &dir.path().join("kiosk.toml"));
        assert!(missing.unwrap_err().to_string().contains("`hub.secret_file`: cannot read"));
    }

    #[test]
    fn a_tls_address_needs_a_readable_ca_certificate() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.toml");
        let tls = GOOD.replace("mqtt://127.0.0.1:1883", "mqtts://hub.local:8883");
        let e = DeviceConfig::parse(&tls, &path).unwrap_err().to_string();
        assert!(e.contains("`hub.ca_file`: an mqtts:// address needs"), "{e}");
        let with_ca = tls.replace("[hub]\n", "[hub]\nca_file = \"ca.pem\"\n");
        assert_ne!(with_ca, tls, "the fixture has a [hub] table");
        let e = DeviceConfig::parse(&with_ca, &path).unwrap_err().to_string();
        assert!(e.contains("`hub.ca_file`") && e.contains("ca.pem"), "{e}");
        std::fs::write(dir.path().join("ca.pem"), "hello\n").unwrap();
        let e = DeviceConfig::parse(&with_ca, &path).unwrap_err().to_string();
        assert!(e.contains("no PEM certificate"), "{e}");
        std::fs::write(
            dir.path().join("ca.pem"),
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let c = DeviceConfig::parse(&with_ca, &path).unwrap();
        assert!(c.hub.url.tls);
        assert_eq!(c.hub.ca_file, Some(dir.path().join("ca.pem")));
    }

    #[test]
    fn a_written_file_reads_back_as_the_same_configuration() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.toml");
        let mut c = check(GOOD).unwrap();
        c.data_dir = dir.path().join("data");
        c.staff_pin_hash = Some(crate::pin::hash("1234", b"salt"));
        c.waybills = WaybillPolicy::Full;
        let text = c.to_toml(KeyStorage::Inline);
        assert_eq!(DeviceConfig::parse(&text, &path).unwrap(), c);
        std::fs::write(dir.path().join("secret"), hex::encode(&c.hub.secret)).unwrap();
        std::fs::write(dir.path().join("hub.key"), hex::encode(&c.hub.hub_key)).unwrap();
        let text = c.to_toml(KeyStorage::Files { secret: "secret", hub_key: "hub.key" });
        assert!(!text.contains(&hex::encode(&c.hub.secret)), "the secret stays in its own file:\n{text}");
        assert_eq!(DeviceConfig::parse(&text, &path).unwrap(), c);
    }
}
