//! Who may connect to the broker: each kiosk as itself, the hub as
//! [`HUB_USER`]. The MQTT password is derived from the signing secret (a
//! keyed hash), so the secret itself is never sent in a CONNECT and a broker
//! password file never holds it; rotating the secret rotates the password.

use hmac::{Hmac, Mac};

/// The hub's broker user name (and MQTT client id).
pub const HUB_USER: &str = "kh-hub";

/// The county data centre's user: reads the live feed (`kh/v1/_dc/…`).
pub const DC_USER: &str = "kh-dc";

/// The MQTT password that goes with `secret` (a kiosk's secret, or the hub
/// key for [`HUB_USER`]): 64 hex digits.
pub fn mqtt_password(secret: &[u8]) -> String {
    let mut m = Hmac::<sha2::Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    m.update(b"kh-mqtt-password\0");
    hex::encode(m.finalize().into_bytes())
}

/// The data centre's password, made from the hub key (given to the data
/// centre by `hub fleet mosquitto`).
pub fn dc_password(hub_key: &[u8]) -> String {
    let mut m = Hmac::<sha2::Sha256>::new_from_slice(hub_key).expect("HMAC takes keys of any length");
    m.update(b"kh-dc-password\0");
    hex::encode(m.finalize().into_bytes())
}

/// Checks a presented password without leaking where it differs.
pub fn password_matches(secret: &[u8], presented: &str) -> bool {
    same(&mqtt_password(secret), presented)
}

/// Constant-time comparison of two passwords.
pub fn same(want: &str, presented: &str) -> bool {
    want.len() == presented.len()
        && want.bytes().zip(presented.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_not_the_secret() {
        let secret = [7u8; 32];
        let p = mqtt_password(&secret);
        assert_eq!(p.len(), 64);
        assert_ne!(p, hex::encode(secret));
        assert!(password_matches(&secret, &p));
        assert!(!password_matches(&[8u8; 32], &p));
        assert!(!password_matches(&secret, &p[..63]));
    }
}
