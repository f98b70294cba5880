//! The wire contract between kiosks and the hub (`kh/v1/…`).
//!
//! This crate does no I/O. It owns the topic namespace ([`topic`]), the
//! signed envelope every control message travels in ([`envelope`]), the
//! message bodies ([`messages`]), the per-topic size limits ([`limits`]),
//! the catalog document that sync moves ([`catalog`]) and county time
//! ([`county_time`]), so that both sides agree on which day a moment is in,
//! and the release signature both sides check ([`release`]).
//! Both sides depend on it, so a change here is a change of the protocol:
//! see `docs/protocol.md`.

pub mod broker_url;
pub mod catalog;
pub mod codec;
pub mod county_time;
pub mod credentials;
pub mod envelope;
pub mod kiosk_id;
pub mod limits;
pub mod messages;
pub mod privacy;
pub mod release;
pub mod screen;
pub mod ticket;
pub mod topic;

pub use broker_url::BrokerUrl;
pub use codec::{DecodeError, Message, decode, encode};
pub use kiosk_id::{KioskId, KioskIdError};
pub use ticket::{TicketNo, TicketStatus};
pub use topic::{Topic, TopicError, TopicKind};

/// Hex-encoded SHA-256 of `bytes`, the content address used for blobs,
/// manifests and catalog documents.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// True when `s` looks like a content address (64 lower-case hex digits).
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}
