//! The signed envelope: `{"sig":"<hex>","body":<json>}`.
//!
//! The signature is HMAC-SHA256 over a domain tag, the topic and the exact
//! bytes of `body` as they stand in the payload (read back with
//! `serde_json::value::RawValue`, so no canonical JSON is needed). Binding the
//! topic means a message cannot be replayed onto another kiosk's topic or
//! reflected back in the other direction. The payload stays plain JSON, so
//! `mosquitto_sub` shows it.

use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::value::RawValue;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

const DOMAIN: &[u8] = b"kh-sig-v1\0";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    #[error("payload is not a signed envelope: {0}")]
    Unsigned(String),
    #[error("payload ends early (truncated)")]
    Truncated,
    #[error("signature does not match topic and body")]
    BadSignature,
}

fn mac(key: &[u8], topic: &str, body: &[u8]) -> HmacSha256 {
    let mut m = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    m.update(DOMAIN);
    m.update(topic.as_bytes());
    m.update(b"\0");
    m.update(body);
    m
}

/// Wrap `body` (JSON bytes) in a signed envelope for `topic`.
pub fn seal(key: &[u8], topic: &str, body: &[u8]) -> Vec<u8> {
    let sig = hex::encode(mac(key, topic, body).finalize().into_bytes());
    let mut out = Vec::with_capacity(body.len() + 90);
    out.extend_from_slice(b"{\"sig\":\"");
    out.extend_from_slice(sig.as_bytes());
    out.extend_from_slice(b"\",\"body\":");
    out.extend_from_slice(body);
    out.push(b'}');
    out
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope<'a> {
    sig: &'a str,
    #[serde(borrow)]
    body: &'a RawValue,
}

/// Check the envelope's signature and return the body's bytes.
pub fn open<'a>(key: &[u8], topic: &str, payload: &'a [u8]) -> Result<&'a [u8], EnvelopeError> {
    let env: Envelope<'a> = serde_json::from_slice(payload).map_err(|e| {
        if e.is_eof() { EnvelopeError::Truncated } else { EnvelopeError::Unsigned(e.to_string()) }
    })?;
    let sig = hex::decode(env.sig).map_err(|_| EnvelopeError::BadSignature)?;
    let body = env.body.get().as_bytes();
    mac(key, topic, body).verify_slice(&sig).map_err(|_| EnvelopeError::BadSignature)?;
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_bytes_survive_exactly() {
        let body = br#"{"b": 1,  "a":[1,2]}"#;
        let sealed = seal(b"k", "kh/v1/a/evt", body);
        assert_eq!(open(b"k", "kh/v1/a/evt", &sealed).unwrap(), body);
        assert_eq!(open(b"k", "kh/v1/b/evt", &sealed), Err(EnvelopeError::BadSignature));
        assert_eq!(open(b"x", "kh/v1/a/evt", &sealed), Err(EnvelopeError::BadSignature));
        assert_eq!(open(b"k", "kh/v1/a/evt", &sealed[..20]), Err(EnvelopeError::Truncated));
        assert!(matches!(open(b"k", "t", br#"{"a":1}"#), Err(EnvelopeError::Unsigned(_))));
    }
}
