//! The kiosk's device configuration: one TOML file per device, read at
//! start-up. A wrong file stops the kiosk with one line naming the file, the
//! line and the field, never a half-configured device.
//!
//! Fleet provisioning (issue #7) writes these files; the kiosk reads them.

pub mod county_ca;
pub mod device;
pub mod error;
pub mod mosquitto;
pub mod pin;

pub use device::{DeviceConfig, Display, HubLink, Language, Role, SerialDevice, SerialKind, WaybillPolicy};
pub use error::ConfigError;
