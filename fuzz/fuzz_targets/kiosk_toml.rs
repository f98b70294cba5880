//! `kiosk.toml` as an installer or a repair visit leaves it: refused with a
//! message or read, and a config that was read writes back out as a file
//! that reads to the same config.
#![no_main]

use firmware_config::device::{DeviceConfig, KeyStorage};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let path = Path::new("/etc/kiosk/kiosk.toml");
    let Ok(config) = DeviceConfig::parse(text, path) else { return };
    let written = config.to_toml(KeyStorage::Inline);
    let again = DeviceConfig::parse(&written, path)
        .unwrap_or_else(|e| panic!("a config written by to_toml does not read back: {e}\n{written}"));
    assert_eq!(again.to_toml(KeyStorage::Inline), written, "writing is not stable");
});
