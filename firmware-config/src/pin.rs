//! The staff PIN, stored only as a salted SHA-256: `sha256$<salt hex>$<hash hex>`.
//! A short PIN is no secret from someone holding the file; the hash keeps it
//! off screens, logs and backups.

use sha2::{Digest, Sha256};

fn digest(salt: &[u8], pin: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(pin.as_bytes());
    hex::encode(h.finalize())
}

/// Hash `pin` with `salt` (the provisioning tool uses 16 random bytes).
pub fn hash(pin: &str, salt: &[u8]) -> String {
    format!("sha256${}${}", hex::encode(salt), digest(salt, pin))
}

/// Whether `stored` is a well-formed PIN hash.
pub fn is_well_formed(stored: &str) -> bool {
    let mut parts = stored.split('$');
    matches!(
        (parts.next(), parts.next(), parts.next(), parts.next()),
        (Some("sha256"), Some(salt), Some(h), None)
            if hex::decode(salt).is_ok_and(|s| !s.is_empty()) && h.len() == 64 && hex::decode(h).is_ok()
    )
}

/// Check a typed PIN against the stored hash.
pub fn verify(stored: &str, pin: &str) -> bool {
    let mut parts = stored.split('$');
    let (Some("sha256"), Some(salt), Some(h), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let Ok(salt) = hex::decode(salt) else { return false };
    // Constant-time enough for a kiosk: compare full digests.
    digest(&salt, pin).as_bytes() == h.as_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifies_only_the_right_pin() {
        let stored = hash("2468", b"salty");
        assert!(is_well_formed(&stored));
        assert!(verify(&stored, "2468"));
        assert!(!verify(&stored, "2469"));
        assert!(!verify("2468", "2468"));
        assert!(!is_well_formed("sha256$$abc"));
    }
}
