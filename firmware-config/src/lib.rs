//! The kiosk's device configuration (`kiosk.toml`): its schema, read and
//! written ([`DeviceConfig::parse`], [`DeviceConfig::to_toml`]), its errors
//! and the staff PIN's hash.
//!
//! A wrong file stops the kiosk with one line naming the file, the line and
//! the field, never a half-configured device. This crate is a leaf: the
//! kiosk reads these files and the hub's fleet tools (`hub fleet`) write
//! them, and neither has to link the other for it.

pub mod device;
pub mod error;
pub mod pin;

pub use device::{
    DeviceConfig, Display, HubLink, KeyStorage, Language, Retention, Role, SerialDevice, SerialKind,
    UpdateConfig, WaybillPolicy,
};
pub use error::ConfigError;
