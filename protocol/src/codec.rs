//! Encoding and decoding of signed messages, bound to their topic kind.

use crate::envelope::{self, EnvelopeError};
use crate::messages::*;
use crate::{KioskId, Topic, TopicKind, limits};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A message body that travels on one kind of topic.
pub trait Message: Serialize + DeserializeOwned {
    const KIND: TopicKind;

    /// What the shape alone cannot say is wrong (checked after parsing).
    fn check(&self) -> Result<(), String> {
        Ok(())
    }
}

macro_rules! bind {
    ($($t:ty => $k:ident),* $(,)?) => { $(impl Message for $t { const KIND: TopicKind = TopicKind::$k; })* };
}

impl Message for EventBatch {
    const KIND: TopicKind = TopicKind::Events;

    /// An unknown kind is a newer kiosk's and is kept; a known kind that
    /// does not parse is an error, as it was before unknown kinds were kept.
    fn check(&self) -> Result<(), String> {
        match self.events.iter().find_map(|e| e.kind.malformed().map(|why| (e.seq, why))) {
            Some((seq, why)) => Err(format!("event {seq}: {why}")),
            None => Ok(()),
        }
    }
}

bind! {
    HubState => HubState,
    Status => Status,
    EventsAck => EventsAck,
    CatalogPointer => CatalogDesired,
    ReleasePointer => ReleaseDesired,
    ReleaseReported => ReleaseReported,
    CatalogGet => CatalogGet,
    CatalogDoc => CatalogDoc,
    CatalogReported => CatalogReported,
    BlobGet => BlobGet,
    ServiceAck => ServiceAck,
    ServiceSeen => ServiceSeen,
    SignupState => SignupState,
    SignupSeen => SignupSeen,
    LiveMinute => DataCentre,
    SeatsLeft => DataCentre,
    crate::screen::ScreenFigures => DataCentre,
    Command => Command,
    CommandResult => CommandResult,
}

/// Why a message was refused. Every variant changes nothing on the receiver.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("a {got:?} topic cannot carry a {expected:?} message")]
    WrongTopic { expected: TopicKind, got: TopicKind },
    #[error("message for kiosk {got} received by {expected}")]
    WrongKiosk { expected: KioskId, got: String },
    #[error("payload of {size} bytes exceeds the {limit}-byte limit for this topic")]
    Oversize { size: usize, limit: usize },
    #[error("payload ends early (truncated)")]
    Truncated,
    #[error("payload is not signed: {0}")]
    Unsigned(String),
    #[error("signature does not match topic and body")]
    BadSignature,
    #[error("malformed body: {0}")]
    Malformed(String),
}

impl From<EnvelopeError> for DecodeError {
    fn from(e: EnvelopeError) -> Self {
        match e {
            EnvelopeError::Unsigned(s) => DecodeError::Unsigned(s),
            EnvelopeError::Truncated => DecodeError::Truncated,
            EnvelopeError::BadSignature => DecodeError::BadSignature,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    #[error("a {got:?} topic cannot carry a {expected:?} message")]
    WrongTopic { expected: TopicKind, got: TopicKind },
    #[error("encoded message of {size} bytes exceeds the {limit}-byte limit for this topic")]
    Oversize { size: usize, limit: usize },
}

/// Serialise and sign `msg` for `topic` with `key`.
pub fn encode<M: Message>(topic: &Topic, msg: &M, key: &[u8]) -> Result<Vec<u8>, EncodeError> {
    if topic.kind() != M::KIND {
        return Err(EncodeError::WrongTopic { expected: M::KIND, got: topic.kind() });
    }
    let body = serde_json::to_vec(msg).expect("message types always serialise");
    let payload = envelope::seal(key, &topic.to_string(), &body);
    let limit = limits::max_payload(topic.kind());
    if payload.len() > limit {
        return Err(EncodeError::Oversize { size: payload.len(), limit });
    }
    Ok(payload)
}

/// Check size, signature and shape, then parse the body. Nothing is parsed
/// before the signature is verified.
pub fn decode<M: Message>(topic: &Topic, payload: &[u8], key: &[u8]) -> Result<M, DecodeError> {
    if topic.kind() != M::KIND {
        return Err(DecodeError::WrongTopic { expected: M::KIND, got: topic.kind() });
    }
    let limit = limits::max_payload(topic.kind());
    if payload.len() > limit {
        return Err(DecodeError::Oversize { size: payload.len(), limit });
    }
    let body = envelope::open(key, &topic.to_string(), payload)?;
    let msg: M = serde_json::from_slice(body).map_err(|e| DecodeError::Malformed(e.to_string()))?;
    msg.check().map_err(DecodeError::Malformed)?;
    Ok(msg)
}

/// A kiosk refuses anything addressed to another kiosk before decoding it.
pub fn check_addressee(topic: &Topic, me: &KioskId) -> Result<(), DecodeError> {
    match topic.kiosk() {
        Some(k) if k != me => Err(DecodeError::WrongKiosk { expected: me.clone(), got: k.to_string() }),
        _ => Ok(()),
    }
}
