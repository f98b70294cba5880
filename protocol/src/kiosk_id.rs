//! Kiosk identifiers: the `{kid}` segment of every per-kiosk topic.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A validated kiosk id: 1–32 characters of `[a-z0-9-]`, starting with a
/// letter or digit. Ids never start with `_`, so they cannot collide with the
/// hub's own subtrees (`kh/v1/_hub`, `kh/v1/_dc`), and never contain MQTT
/// wildcards or separators.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KioskId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KioskIdError {
    #[error("kiosk id is empty")]
    Empty,
    #[error("kiosk id {0:?} is longer than 32 characters")]
    TooLong(String),
    #[error("kiosk id {0:?} may only use a-z, 0-9 and '-', and must start with a letter or digit")]
    BadCharacter(String),
}

impl KioskId {
    pub const MAX_LEN: usize = 32;

    pub fn new(s: impl Into<String>) -> Result<Self, KioskIdError> {
        let s = s.into();
        if s.is_empty() {
            return Err(KioskIdError::Empty);
        }
        if s.len() > Self::MAX_LEN {
            return Err(KioskIdError::TooLong(s));
        }
        let ok_char = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-';
        let first_ok = s.as_bytes()[0].is_ascii_lowercase() || s.as_bytes()[0].is_ascii_digit();
        if !first_ok || !s.bytes().all(ok_char) {
            return Err(KioskIdError::BadCharacter(s));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for KioskId {
    type Error = KioskIdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::new(s)
    }
}

impl From<KioskId> for String {
    fn from(k: KioskId) -> String {
        k.0
    }
}

impl fmt::Display for KioskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for KioskId {
    type Err = KioskIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_ids_and_rejects_topic_syntax() {
        assert!(KioskId::new("showroom-01").is_ok());
        assert!(KioskId::new("maishi-3").is_ok());
        for bad in ["", "_hub", "a/b", "a+", "#", "Upper", "-x", "a b"] {
            assert!(KioskId::new(bad).is_err(), "{bad:?} must be refused");
        }
        assert!(matches!(KioskId::new("a".repeat(33)), Err(KioskIdError::TooLong(_))));
    }
}
