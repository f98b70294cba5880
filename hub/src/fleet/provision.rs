//! Setting up a kiosk: register it and write everything it needs into one
//! folder to copy onto it (`kiosk.toml`, its secret, the hub key and, for
//! `mqtts://`, the county CA). Everything that can be wrong is found before
//! anything is registered, and what is written is loaded back before it is
//! handed out.

use super::county_ca::TlsFiles;
use super::registry::{self, RegistryError};
use crate::store::{DataDir, StoreError, writer::Writer};
use firmware_config::{ConfigError, DeviceConfig, HubLink, KeyStorage, Language, Role};
use protocol::{BrokerUrl, KioskId};
use std::path::{Path, PathBuf};

/// A kiosk to set up.
#[derive(Clone, Debug)]
pub struct NewKiosk {
    pub id: KioskId,
    pub role: Role,
    /// Rollout group: the village (`shinan-huangpao`), or `showroom`.
    pub group: String,
    /// The town it stands in (for the big screen's map).
    pub town: Option<String>,
    /// The broker as the kiosk reaches it.
    pub hub: BrokerUrl,
    /// The county CA for `mqtts://` (default `<data>/tls/ca.pem`).
    pub ca: Option<PathBuf>,
    /// 4–8 digits; a random 6-digit PIN is made when `None`.
    pub pin: Option<String>,
    pub language: Language,
    /// Where the kiosk keeps its data, on the kiosk.
    pub data_dir: PathBuf,
    /// The kiosk's folder is written to `<out>/<id>/`.
    pub out: PathBuf,
}

/// What `new_kiosk` handed out.
#[derive(Debug)]
pub struct Provisioned {
    pub dir: PathBuf,
    pub station_no: u16,
    /// The staff PIN, when it was made here (shown once).
    pub made_pin: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0} is TLS: make the county CA with `hub fleet tls --host <hub name>`, or give one with --ca")]
    NoCountyCa(BrokerUrl),
    #[error("--ca: {0}")]
    BadCa(county_tls::TlsError),
    #[error("the staff PIN must be 4 to 8 digits")]
    BadPin,
    #[error("{} exists: this kiosk was set up before (rotate-secret gives it a new secret)", .0.display())]
    Exists(PathBuf),
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("the written configuration does not load: {0}")]
    WrittenConfig(ConfigError),
    #[error("the hub key: {0}")]
    HubKey(std::io::Error),
}

/// The file names inside a kiosk's folder.
pub const CONFIG_FILE: &str = "kiosk.toml";
pub const SECRET_FILE: &str = "secret";
pub const HUB_KEY_FILE: &str = "hub.key";
pub const CA_FILE: &str = "ca.pem";

/// Register `k` (through `writer`, the store's single writer) and write its folder.
pub fn new_kiosk(data: &DataDir, writer: &Writer, k: &NewKiosk) -> Result<Provisioned, ProvisionError> {
    registry::check_group(&k.group).map_err(|e| ProvisionError::Registry(RegistryError::Group(e)))?;
    let county_ca = TlsFiles::in_data_dir(data.root()).ca_cert();
    let ca = match &k.ca {
        Some(ca) => Some(ca.clone()),
        None if k.hub.tls && county_ca.exists() => Some(county_ca),
        None if k.hub.tls => return Err(ProvisionError::NoCountyCa(k.hub.clone())),
        None => None,
    };
    if let Some(ca) = &ca {
        county_tls::client_config(ca).map_err(ProvisionError::BadCa)?;
    }
    let (pin, made_pin) = match &k.pin {
        Some(p) if (4..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()) => (p.clone(), None),
        Some(_) => return Err(ProvisionError::BadPin),
        None => {
            let p = format!("{:06}", rand::random::<u32>() % 1_000_000);
            (p.clone(), Some(p))
        }
    };
    let dir = k.out.join(k.id.as_str());
    if dir.join(CONFIG_FILE).exists() {
        return Err(ProvisionError::Exists(dir));
    }
    let hub_key = registry::hub_key(data).map_err(ProvisionError::HubKey)?;
    let (id, group, town) = (k.id.clone(), k.group.clone(), k.town.clone());
    let role = match k.role {
        Role::Showroom => "showroom",
        Role::Station => "station",
        Role::Bigscreen => "bigscreen",
    };
    let reg = writer.exec_blocking(move |c| {
        Ok(registry::register_new(c, &id, &group).and_then(|r| {
            registry::set_role(c, &id, role)?;
            registry::set_town(c, &id, town.as_deref())?;
            Ok(r)
        }))
    })??;

    let mut config = DeviceConfig::new(
        k.id.clone(),
        k.role,
        &k.group,
        reg.station_no,
        HubLink {
            url: k.hub.clone(),
            secret: reg.secret.clone(),
            hub_key: hub_key.clone(),
            ca_file: ca.as_ref().map(|_| PathBuf::from(CA_FILE)),
        },
        k.data_dir.clone(),
    );
    config.language = k.language;
    // With a release key on the hub, the kiosk takes updates signed with it.
    config.update = match crate::releases::key::public_key(data.root()) {
        Ok(release_key) => Some(firmware_config::UpdateConfig {
            release_key,
            root: PathBuf::from("/opt/kiosk"),
            rate_kbit: 512,
            health_deadline_s: 180,
        }),
        Err(crate::releases::ReleaseError::NoKey(_)) => None,
        Err(e) => {
            tracing::warn!(error = %e, "the kiosk is written without [update]");
            None
        }
    };
    config.staff_pin_hash = Some(firmware_config::pin::hash(&pin, &rand::random::<[u8; 8]>()));
    let text = format!(
        "# Written by `hub fleet new`; checked with `hub fleet check`.\n{}\n\
         # Serial devices by their stable paths (ls /dev/serial/by-id/), e.g.\n\
         # [[serial]]\n# path = \"/dev/serial/by-id/usb-…-if00\"\n# kind = \"scanner\"   # scanner | scale | printer\n",
        config.to_toml(KeyStorage::Files { secret: SECRET_FILE, hub_key: HUB_KEY_FILE })
    );
    std::fs::create_dir_all(&dir).map_err(|source| ProvisionError::Io { path: dir.clone(), source })?;
    write_file(&dir.join(SECRET_FILE), &hex::encode(&reg.secret), 0o600)?;
    write_file(&dir.join(HUB_KEY_FILE), &hex::encode(&hub_key), 0o600)?;
    if let Some(ca) = &ca {
        std::fs::copy(ca, dir.join(CA_FILE))
            .map_err(|source| ProvisionError::Io { path: ca.clone(), source })?;
    }
    write_file(&dir.join(CONFIG_FILE), &text, 0o644)?;
    DeviceConfig::load(&dir.join(CONFIG_FILE)).map_err(ProvisionError::WrittenConfig)?;
    Ok(Provisioned { dir, station_no: reg.station_no, made_pin })
}

/// A new secret for `id`, written to `<out>/<id>/secret` to copy to the
/// kiosk; returns that file.
pub fn rotate_secret(writer: &Writer, id: &KioskId, out: &Path) -> Result<PathBuf, ProvisionError> {
    let kid = id.clone();
    let reg = writer.exec_blocking(move |c| Ok(registry::rotate_secret(c, &kid)))??;
    let dir = out.join(id.as_str());
    std::fs::create_dir_all(&dir).map_err(|source| ProvisionError::Io { path: dir.clone(), source })?;
    let file = dir.join(SECRET_FILE);
    write_file(&file, &hex::encode(&reg.secret), 0o600)?;
    Ok(file)
}

/// Write `text` to `path` with this Unix mode (also when the file was there
/// before), and make it durable: secrets are readable by their owner only.
pub fn write_file(path: &Path, text: &str, mode: u32) -> Result<(), ProvisionError> {
    use std::io::Write;
    let io = |source| ProvisionError::Io { path: path.to_owned(), source };
    #[cfg(unix)]
    let mut file = {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(mode).open(path);
        f.and_then(|f| f.set_permissions(std::fs::Permissions::from_mode(mode)).map(|()| f)).map_err(io)?
    };
    #[cfg(not(unix))]
    let mut file = {
        let _ = mode;
        std::fs::File::create(path).map_err(io)?
    };
    file.write_all(text.as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)
}
