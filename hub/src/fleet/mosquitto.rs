//! Files for a Mosquitto broker: a password file in `mosquitto_passwd`'s
//! own format and an ACL that confines each kiosk to its own topics (it
//! writes what a kiosk sends, reads what the hub sends it, and reads the
//! hub's state), while the hub reads and writes everything under `kh/v1/`.

use super::acl::Client;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use protocol::KioskId;
use protocol::credentials::{DC_USER, HUB_USER, dc_password, mqtt_password};

/// `mosquitto_passwd`'s PBKDF2 rounds and salt length.
const ROUNDS: u32 = 101;
const SALT_BYTES: usize = 12;

/// One `user:$7$rounds$salt$hash` line (PBKDF2-SHA-512), as
/// `mosquitto_passwd -b` writes it.
pub fn password_line(user: &str, password: &str, salt: [u8; SALT_BYTES]) -> String {
    let mut hash = [0u8; 64];
    pbkdf2::pbkdf2_hmac::<sha2::Sha512>(password.as_bytes(), &salt, ROUNDS, &mut hash);
    format!("{user}:$7${ROUNDS}${}${}", STANDARD.encode(salt), STANDARD.encode(hash))
}

/// The password file: the hub and the data centre (their passwords come
/// from `hub_key`) and every kiosk given with its secret. Revoked kiosks
/// are simply not in it.
pub fn password_file(hub_key: &[u8], kiosks: &[(KioskId, Vec<u8>)]) -> String {
    let mut out = password_line(HUB_USER, &mqtt_password(hub_key), rand::random());
    out.push('\n');
    out.push_str(&password_line(DC_USER, &dc_password(hub_key), rand::random()));
    out.push('\n');
    for (kid, secret) in kiosks {
        out.push_str(&password_line(kid.as_str(), &mqtt_password(secret), rand::random()));
        out.push('\n');
    }
    out
}

/// The ACL file for these kiosks: each client's grants from
/// [`super::acl`], the rules the embedded broker's gate enforces too.
pub fn acl_file(kiosks: &[KioskId]) -> String {
    let mut out = String::from(
        "# Written by `hub fleet mosquitto`; regenerate it rather than edit it.\n\
         # Nothing is allowed that is not listed (Mosquitto denies by default).\n",
    );
    let clients =
        [Client::Hub, Client::DataCentre].into_iter().chain(kiosks.iter().cloned().map(Client::Kiosk));
    for client in clients {
        out.push_str(&format!("\nuser {}\n", client.name()));
        let grants = client.grants();
        for f in &grants.write {
            let access = if grants.read.contains(f) { "readwrite" } else { "write" };
            out.push_str(&format!("topic {access} {f}\n"));
        }
        for f in grants.read.iter().filter(|f| !grants.write.contains(f)) {
            out.push_str(&format!("topic read {f}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_lines_are_mosquitto_passwd_format() {
        let line = password_line("shinan-01", "secret", [1; 12]);
        let parts: Vec<&str> = line.split('$').collect();
        assert_eq!(parts[0], "shinan-01:");
        assert_eq!(parts[1], "7");
        assert_eq!(parts[2], "101");
        assert_eq!(STANDARD.decode(parts[3]).unwrap(), [1; 12]);
        assert_eq!(STANDARD.decode(parts[4]).unwrap().len(), 64);
        // Salted: the same password twice gives two lines.
        assert_ne!(password_line("a", "p", [1; 12]), password_line("a", "p", [2; 12]));
    }

    #[test]
    fn each_kiosk_gets_only_its_own_topics() {
        let a = KioskId::new("shinan-01").unwrap();
        let acl = acl_file(&[a]);
        assert!(acl.contains("user kh-hub\ntopic readwrite kh/v1/#\n"));
        assert!(acl.contains("user shinan-01\ntopic write kh/v1/shinan-01/status\n"));
        assert!(acl.contains("topic read kh/v1/shinan-01/cmd/+\n"));
        assert!(acl.contains("topic read kh/v1/_hub/state\n"));
        assert!(!acl.contains("topic write kh/v1/shinan-01/evt/ack"));
        let wild: Vec<&str> = acl.lines().filter(|l| l.ends_with("/#")).collect();
        assert_eq!(wild, ["topic readwrite kh/v1/#", "topic read kh/v1/_dc/#"], "no kiosk has a wildcard");
    }
}
