//! Kiosk software releases: their version numbers and the county's release
//! signature, which both sides check (the hub when a release is added, the
//! kiosk again before it installs one, whatever the hub says).
//!
//! The signature is Ed25519 over [`signed_bytes`]: a domain tag, the
//! version, the artifact's SHA-256 and its size. Signing the version with
//! the bytes means a signed release cannot be passed off as another
//! version, and signing the size lets a kiosk refuse an oversized download
//! before it has it all.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Separates release signatures from anything else the key could sign.
pub const SIGNING_TAG: &[u8] = b"kh-release-v1\0";
/// An Ed25519 public key is 32 bytes; a signature 64.
pub const PUBLIC_KEY_LEN: usize = 32;
pub const SIGNATURE_LEN: usize = 64;

/// `major.minor.patch`, ordered numerically (1.10.0 is after 1.9.0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReleaseVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReleaseError {
    #[error("{0:?} is not a release version (major.minor.patch, such as 1.4.0)")]
    BadVersion(String),
    #[error("the release key must be 64 hexadecimal digits (an Ed25519 public key)")]
    BadKey,
    #[error("the signature is not 128 hexadecimal digits")]
    BadSignatureText,
    #[error("the signature does not verify with the county's release key")]
    BadSignature,
}

impl FromStr for ReleaseVersion {
    type Err = ReleaseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ReleaseError::BadVersion(s.chars().take(40).collect());
        let mut parts = s.split('.');
        let mut next = || -> Result<u32, ReleaseError> {
            let p = parts.next().ok_or_else(bad)?;
            // No signs, no leading zeros: one spelling per version.
            if p.is_empty()
                || p.len() > 9
                || !p.bytes().all(|b| b.is_ascii_digit())
                || (p.len() > 1 && p.starts_with('0'))
            {
                return Err(bad());
            }
            p.parse().map_err(|_| bad())
        };
        let v = ReleaseVersion { major: next()?, minor: next()?, patch: next()? };
        if parts.next().is_some() {
            return Err(bad());
        }
        Ok(v)
    }
}

impl fmt::Display for ReleaseVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

impl Serialize for ReleaseVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ReleaseVersion {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The bytes the release key signs.
pub fn signed_bytes(version: ReleaseVersion, sha256: &str, size: u64) -> Vec<u8> {
    let mut b = SIGNING_TAG.to_vec();
    b.extend_from_slice(format!("{version}\0{sha256}\0{size}").as_bytes());
    b
}

/// A release key's public half from its hex text (`kiosk.toml`, `<data>/release.pub`).
pub fn parse_public_key(hex_text: &str) -> Result<[u8; PUBLIC_KEY_LEN], ReleaseError> {
    hex::decode(hex_text.trim()).ok().and_then(|k| k.try_into().ok()).ok_or(ReleaseError::BadKey)
}

/// Check a release's signature (hex) against the county's public key.
pub fn verify(
    public_key: &[u8; PUBLIC_KEY_LEN],
    version: ReleaseVersion,
    sha256: &str,
    size: u64,
    signature_hex: &str,
) -> Result<(), ReleaseError> {
    let sig = hex::decode(signature_hex.trim())
        .ok()
        .filter(|s| s.len() == SIGNATURE_LEN)
        .ok_or(ReleaseError::BadSignatureText)?;
    ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, public_key)
        .verify(&signed_bytes(version, sha256, size), &sig)
        .map_err(|_| ReleaseError::BadSignature)
}

/// What a signed release says about itself: the `<file>.sig` that `hub
/// release sign` writes beside the artifact, and what a kiosk keeps beside
/// an installed release (`releases/<version>/release.json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseManifest {
    pub version: ReleaseVersion,
    pub sha256: String,
    pub size: u64,
    /// Ed25519, hex, over [`signed_bytes`].
    pub signature: String,
}

impl ReleaseManifest {
    pub fn verify(&self, public_key: &[u8; PUBLIC_KEY_LEN]) -> Result<(), ReleaseError> {
        verify(public_key, self.version, &self.sha256, self.size, &self.signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::signature::{Ed25519KeyPair, KeyPair};

    fn key() -> Ed25519KeyPair {
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
        Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap()
    }

    #[test]
    fn versions_have_one_spelling_and_order_numerically() {
        let v = |s: &str| s.parse::<ReleaseVersion>();
        assert!(v("1.10.0").unwrap() > v("1.9.3").unwrap());
        assert_eq!(v("2.0.1").unwrap().to_string(), "2.0.1");
        for bad in ["1.4", "1.4.0.1", "01.4.0", "1.-4.0", "1.4.x", "", "1..0", "v1.4.0", "1.4.0 "] {
            assert!(v(bad).is_err(), "{bad:?} accepted");
        }
        let json = serde_json::to_string(&v("1.4.0").unwrap()).unwrap();
        assert_eq!(json, "\"1.4.0\"");
        assert!(serde_json::from_str::<ReleaseVersion>("\"1.4\"").is_err());
    }

    #[test]
    fn only_the_county_key_over_the_same_version_bytes_and_size_verifies() {
        let (county, other) = (key(), key());
        let public: [u8; 32] = county.public_key().as_ref().try_into().unwrap();
        let v: ReleaseVersion = "1.4.0".parse().unwrap();
        let sha = "ab".repeat(32);
        let sign =
            |k: &Ed25519KeyPair, v: ReleaseVersion, size| hex::encode(k.sign(&signed_bytes(v, &sha, size)));
        let good =
            ReleaseManifest { version: v, sha256: sha.clone(), size: 7, signature: sign(&county, v, 7) };
        assert_eq!(good.verify(&public), Ok(()));
        let foreign = ReleaseManifest { signature: sign(&other, v, 7), ..good.clone() };
        assert_eq!(foreign.verify(&public), Err(ReleaseError::BadSignature));
        let renamed = ReleaseManifest { version: "1.5.0".parse().unwrap(), ..good.clone() };
        assert_eq!(renamed.verify(&public), Err(ReleaseError::BadSignature), "a signed 1.4.0 is not 1.5.0");
        let longer = ReleaseManifest { size: 8, ..good.clone() };
        assert_eq!(longer.verify(&public), Err(ReleaseError::BadSignature));
        let garbled = ReleaseManifest { signature: "zz".into(), ..good };
        assert_eq!(garbled.verify(&public), Err(ReleaseError::BadSignatureText));
        assert_eq!(parse_public_key("12"), Err(ReleaseError::BadKey));
        assert_eq!(parse_public_key(&hex::encode(public)), Ok(public));
    }
}
