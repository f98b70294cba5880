//! Size limits, set on purpose for every message type.
//!
//! rumqttc's default packet limit is 10 KiB (rumqtt #884), which silently
//! breaks larger catalog documents; every client and the embedded broker are
//! configured with [`MAX_PACKET`] instead, and each topic kind has its own,
//! smaller, limit that decoding enforces before parsing anything.

use crate::TopicKind;

/// Bytes of raw data in one blob chunk.
pub const BLOB_CHUNK: usize = 64 * 1024;
/// Chunks the hub sends for one `blob/get` before the kiosk asks again
/// (flow control: a slow kiosk is never flooded).
pub const BLOB_WINDOW_CHUNKS: u64 = 16;
/// Chunks per window for a software release: 128 KiB, so that on a slow
/// link what waits behind a release window is a fraction of a second.
pub const RELEASE_WINDOW_CHUNKS: u32 = 2;
/// The largest MQTT packet any of our clients or the embedded broker accept.
pub const MAX_PACKET: usize = 512 * 1024;
/// A catalog document may not inflate beyond this (a guard against
/// compression bombs).
pub const MAX_DOC_INFLATED: usize = 64 * 1024 * 1024;
/// The most events one batch may carry.
pub const MAX_EVENTS_PER_BATCH: usize = 512;

/// The largest payload accepted on a topic of this kind.
pub fn max_payload(kind: TopicKind) -> usize {
    match kind {
        TopicKind::HubState
        | TopicKind::CatalogDesired
        | TopicKind::CatalogGet
        | TopicKind::BlobGet
        | TopicKind::ServiceSeen
        | TopicKind::SignupSeen => 1024,
        TopicKind::CatalogDoc
        | TopicKind::CatalogReported
        | TopicKind::ReleaseDesired
        | TopicKind::ReleaseReported
        | TopicKind::ServiceAck
        | TopicKind::SignupState
        | TopicKind::Command => 4 * 1024,
        TopicKind::Status => 8 * 1024,
        TopicKind::EventsAck | TopicKind::CommandResult => 64 * 1024,
        TopicKind::BlobChunk => BLOB_CHUNK,
        TopicKind::Events | TopicKind::DataCentre => 256 * 1024,
    }
}
