//! The `kh/v1/…` topic namespace: builders and a strict parser.

use crate::KioskId;
use std::fmt;

/// Every topic starts with this prefix; the version lets a future `v2` run
/// beside `v1` on one broker.
pub const PREFIX: &str = "kh/v1";

/// A parsed topic. `Display` gives back the exact string.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Topic {
    /// `kh/v1/_hub/state`: the hub's retained liveness (and its will).
    HubState,
    /// `kh/v1/_dc/{path…}`: the data-centre live feed.
    DataCentre(String),
    /// `kh/v1/{kid}/status`: birth and will, retained.
    Status(KioskId),
    /// `kh/v1/{kid}/evt`: event batches from the outbox.
    Events(KioskId),
    /// `kh/v1/{kid}/evt/ack`: the hub's ack after commit.
    EventsAck(KioskId),
    /// `kh/v1/{kid}/catalog/desired`: retained pointer to the wanted version.
    CatalogDesired(KioskId),
    /// `kh/v1/{kid}/catalog/get`: a kiosk asks for a catalog document.
    CatalogGet(KioskId),
    /// `kh/v1/{kid}/catalog/doc`: the hub describes the document to fetch.
    CatalogDoc(KioskId),
    /// `kh/v1/{kid}/catalog/reported`: the kiosk's sync state, retained.
    CatalogReported(KioskId),
    /// `kh/v1/{kid}/blob/get`: a kiosk asks for blob bytes from an offset.
    BlobGet(KioskId),
    /// `kh/v1/{kid}/blob/{sha256}/{offset}`: raw chunk bytes.
    BlobChunk { kid: KioskId, sha256: String, offset: u64 },
    /// `kh/v1/{kid}/release/desired`: retained pointer to the wanted software release.
    ReleaseDesired(KioskId),
    /// `kh/v1/{kid}/release/reported`: the kiosk's release state, retained.
    ReleaseReported(KioskId),
    /// `kh/v1/{kid}/svc/ack`: service-request status updates.
    ServiceAck(KioskId),
    /// `kh/v1/{kid}/svc/seen`: the kiosk stored a status update.
    ServiceSeen(KioskId),
    /// `kh/v1/{kid}/signup/state`: a training sign-up as the hub decided it.
    SignupState(KioskId),
    /// `kh/v1/{kid}/signup/seen`: the kiosk stored a sign-up's state.
    SignupSeen(KioskId),
    /// `kh/v1/{kid}/cmd/res`: a kiosk's answer to a command.
    CommandResult(KioskId),
    /// `kh/v1/{kid}/cmd/{name}`: a command for one kiosk.
    Command { kid: KioskId, name: String },
}

/// The kind of a topic without its parameters: what a message type binds to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TopicKind {
    HubState,
    DataCentre,
    Status,
    Events,
    EventsAck,
    CatalogDesired,
    CatalogGet,
    CatalogDoc,
    CatalogReported,
    BlobGet,
    BlobChunk,
    ReleaseDesired,
    ReleaseReported,
    ServiceAck,
    ServiceSeen,
    SignupState,
    SignupSeen,
    CommandResult,
    Command,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TopicError {
    #[error("topic {0:?} is not under {PREFIX}/")]
    NotOurs(String),
    #[error("topic {topic:?}: {reason}")]
    Bad { topic: String, reason: String },
}

impl Topic {
    pub fn kind(&self) -> TopicKind {
        match self {
            Topic::HubState => TopicKind::HubState,
            Topic::DataCentre(_) => TopicKind::DataCentre,
            Topic::Status(_) => TopicKind::Status,
            Topic::Events(_) => TopicKind::Events,
            Topic::EventsAck(_) => TopicKind::EventsAck,
            Topic::CatalogDesired(_) => TopicKind::CatalogDesired,
            Topic::CatalogGet(_) => TopicKind::CatalogGet,
            Topic::CatalogDoc(_) => TopicKind::CatalogDoc,
            Topic::CatalogReported(_) => TopicKind::CatalogReported,
            Topic::BlobGet(_) => TopicKind::BlobGet,
            Topic::BlobChunk { .. } => TopicKind::BlobChunk,
            Topic::ReleaseDesired(_) => TopicKind::ReleaseDesired,
            Topic::ReleaseReported(_) => TopicKind::ReleaseReported,
            Topic::ServiceAck(_) => TopicKind::ServiceAck,
            Topic::ServiceSeen(_) => TopicKind::ServiceSeen,
            Topic::SignupState(_) => TopicKind::SignupState,
            Topic::SignupSeen(_) => TopicKind::SignupSeen,
            Topic::CommandResult(_) => TopicKind::CommandResult,
            Topic::Command { .. } => TopicKind::Command,
        }
    }

    /// The kiosk a per-kiosk topic belongs to.
    pub fn kiosk(&self) -> Option<&KioskId> {
        match self {
            Topic::HubState | Topic::DataCentre(_) => None,
            Topic::Status(k)
            | Topic::Events(k)
            | Topic::EventsAck(k)
            | Topic::CatalogDesired(k)
            | Topic::CatalogGet(k)
            | Topic::CatalogDoc(k)
            | Topic::CatalogReported(k)
            | Topic::BlobGet(k)
            | Topic::ReleaseDesired(k)
            | Topic::ReleaseReported(k)
            | Topic::ServiceAck(k)
            | Topic::ServiceSeen(k)
            | Topic::SignupState(k)
            | Topic::SignupSeen(k)
            | Topic::CommandResult(k) => Some(k),
            Topic::BlobChunk { kid, .. } | Topic::Command { kid, .. } => Some(kid),
        }
    }

    /// Parse a topic string; anything not exactly of our grammar is an error.
    pub fn parse(s: &str) -> Result<Topic, TopicError> {
        let bad = |reason: &str| TopicError::Bad { topic: s.to_owned(), reason: reason.to_owned() };
        let rest = s
            .strip_prefix(PREFIX)
            .and_then(|r| r.strip_prefix('/'))
            .ok_or_else(|| TopicError::NotOurs(s.to_owned()))?;
        let parts: Vec<&str> = rest.split('/').collect();
        match parts.as_slice() {
            ["_hub", "state"] => return Ok(Topic::HubState),
            ["_dc", tail @ ..] if !tail.is_empty() && tail.iter().all(|p| !p.is_empty()) => {
                return Ok(Topic::DataCentre(tail.join("/")));
            }
            _ => {}
        }
        let (kid, tail) = parts.split_first().ok_or_else(|| bad("empty"))?;
        let kid = KioskId::new(*kid).map_err(|e| bad(&e.to_string()))?;
        let topic = match tail {
            ["status"] => Topic::Status(kid),
            ["evt"] => Topic::Events(kid),
            ["evt", "ack"] => Topic::EventsAck(kid),
            ["catalog", "desired"] => Topic::CatalogDesired(kid),
            ["catalog", "get"] => Topic::CatalogGet(kid),
            ["catalog", "doc"] => Topic::CatalogDoc(kid),
            ["catalog", "reported"] => Topic::CatalogReported(kid),
            ["blob", "get"] => Topic::BlobGet(kid),
            ["blob", sha, offset] => {
                if !crate::is_sha256_hex(sha) {
                    return Err(bad("blob segment is not a sha256"));
                }
                // Digits only, no leading zero: one spelling per topic (the
                // fuzzer found `…/01403` read as 1403, and `+1403` too).
                let canonical = !offset.is_empty()
                    && offset.bytes().all(|b| b.is_ascii_digit())
                    && (offset.len() == 1 || !offset.starts_with('0'));
                let offset: u64 = offset
                    .parse()
                    .ok()
                    .filter(|_| canonical)
                    .ok_or_else(|| bad("blob offset is not a number as the hub writes one"))?;
                Topic::BlobChunk { kid, sha256: (*sha).to_owned(), offset }
            }
            ["release", "desired"] => Topic::ReleaseDesired(kid),
            ["release", "reported"] => Topic::ReleaseReported(kid),
            ["svc", "ack"] => Topic::ServiceAck(kid),
            ["svc", "seen"] => Topic::ServiceSeen(kid),
            ["signup", "state"] => Topic::SignupState(kid),
            ["signup", "seen"] => Topic::SignupSeen(kid),
            ["cmd", "res"] => Topic::CommandResult(kid),
            ["cmd", name] if is_command_name(name) => Topic::Command { kid, name: (*name).to_owned() },
            _ => return Err(bad("unknown topic")),
        };
        Ok(topic)
    }

    /// The subscription filter for everything kiosks send the hub.
    pub fn hub_filters() -> Vec<String> {
        KIOSK_PUBLISHES.iter().map(|t| format!("{PREFIX}/+/{t}")).collect()
    }

    /// The topics one kiosk publishes on (what a broker ACL lets it write).
    pub fn kiosk_publishes(kid: &KioskId) -> Vec<String> {
        KIOSK_PUBLISHES.iter().map(|t| format!("{PREFIX}/{kid}/{t}")).collect()
    }

    /// The subscription filters a kiosk subscribes to at every connect
    /// (what a hub of any version allows).
    pub fn kiosk_connect_filters(kid: &KioskId) -> Vec<String> {
        let later = [Self::release_filter(kid), Self::signup_filter(kid)];
        Self::kiosk_filters(kid).into_iter().filter(|f| !later.contains(f)).collect()
    }

    /// `signup/state`, subscribed to only once the hub's state names
    /// training among its features.
    pub fn signup_filter(kid: &KioskId) -> String {
        format!("{PREFIX}/{kid}/signup/state")
    }

    /// `release/desired`, subscribed to only once the hub's state names
    /// releases among its features.
    pub fn release_filter(kid: &KioskId) -> String {
        format!("{PREFIX}/{kid}/release/desired")
    }

    /// Every filter one kiosk may subscribe to (what a broker ACL lets it read).
    pub fn kiosk_filters(kid: &KioskId) -> Vec<String> {
        vec![
            format!("{PREFIX}/_hub/state"),
            format!("{PREFIX}/{kid}/evt/ack"),
            format!("{PREFIX}/{kid}/catalog/desired"),
            format!("{PREFIX}/{kid}/catalog/doc"),
            format!("{PREFIX}/{kid}/blob/+/+"),
            Self::release_filter(kid),
            format!("{PREFIX}/{kid}/svc/ack"),
            Self::signup_filter(kid),
            format!("{PREFIX}/{kid}/cmd/+"),
        ]
    }
}

/// What a kiosk publishes under `kh/v1/{kid}/`; everything else under its
/// id comes from the hub.
pub const KIOSK_PUBLISHES: [&str; 9] = [
    "status",
    "evt",
    "catalog/get",
    "catalog/reported",
    "blob/get",
    "release/reported",
    "svc/seen",
    "signup/seen",
    "cmd/res",
];

/// A command name the topic scheme allows (`cmd/{name}`; `res` is taken).
pub fn is_command_name(name: &str) -> bool {
    name != "res"
        && !name.is_empty()
        && name.len() <= 32
        && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Topic::HubState => write!(f, "{PREFIX}/_hub/state"),
            Topic::DataCentre(p) => write!(f, "{PREFIX}/_dc/{p}"),
            Topic::Status(k) => write!(f, "{PREFIX}/{k}/status"),
            Topic::Events(k) => write!(f, "{PREFIX}/{k}/evt"),
            Topic::EventsAck(k) => write!(f, "{PREFIX}/{k}/evt/ack"),
            Topic::CatalogDesired(k) => write!(f, "{PREFIX}/{k}/catalog/desired"),
            Topic::CatalogGet(k) => write!(f, "{PREFIX}/{k}/catalog/get"),
            Topic::CatalogDoc(k) => write!(f, "{PREFIX}/{k}/catalog/doc"),
            Topic::CatalogReported(k) => write!(f, "{PREFIX}/{k}/catalog/reported"),
            Topic::BlobGet(k) => write!(f, "{PREFIX}/{k}/blob/get"),
            Topic::BlobChunk { kid, sha256, offset } => write!(f, "{PREFIX}/{kid}/blob/{sha256}/{offset}"),
            Topic::ReleaseDesired(k) => write!(f, "{PREFIX}/{k}/release/desired"),
            Topic::ReleaseReported(k) => write!(f, "{PREFIX}/{k}/release/reported"),
            Topic::ServiceAck(k) => write!(f, "{PREFIX}/{k}/svc/ack"),
            Topic::ServiceSeen(k) => write!(f, "{PREFIX}/{k}/svc/seen"),
            Topic::SignupState(k) => write!(f, "{PREFIX}/{k}/signup/state"),
            Topic::SignupSeen(k) => write!(f, "{PREFIX}/{k}/signup/seen"),
            Topic::CommandResult(k) => write!(f, "{PREFIX}/{k}/cmd/res"),
            Topic::Command { kid, name } => write!(f, "{PREFIX}/{kid}/cmd/{name}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_it_prints() {
        let k = KioskId::new("maishi-01").unwrap();
        let sha = "ab".repeat(32);
        let topics = [
            Topic::HubState,
            Topic::DataCentre("minute/products".into()),
            Topic::Status(k.clone()),
            Topic::Events(k.clone()),
            Topic::EventsAck(k.clone()),
            Topic::CatalogDesired(k.clone()),
            Topic::CatalogGet(k.clone()),
            Topic::CatalogDoc(k.clone()),
            Topic::CatalogReported(k.clone()),
            Topic::BlobGet(k.clone()),
            Topic::BlobChunk { kid: k.clone(), sha256: sha, offset: 65536 },
            Topic::ReleaseDesired(k.clone()),
            Topic::ReleaseReported(k.clone()),
            Topic::ServiceAck(k.clone()),
            Topic::ServiceSeen(k.clone()),
            Topic::SignupState(k.clone()),
            Topic::SignupSeen(k.clone()),
            Topic::CommandResult(k.clone()),
            Topic::Command { kid: k, name: "rebirth".into() },
        ];
        for t in topics {
            assert_eq!(Topic::parse(&t.to_string()), Ok(t));
        }
    }

    #[test]
    fn refuses_foreign_and_malformed_topics() {
        for bad in [
            "kh/v2/a/status",
            "kh/v1",
            "kh/v1/",
            "kh/v1/a/status/x",
            "kh/v1/A/status",
            "kh/v1/a/blob/xyz/0",
            "kh/v1/a/blob/",
            "kh/v1/_dc",
            "kh/v1/_dc//x",
            "kh/v1/a/cmd/Bad",
            // Found by fuzz/ (topic): another spelling of offset 1403.
            &format!("kh/v1/a/blob/{}/01403", "ab".repeat(32)),
            &format!("kh/v1/a/blob/{}/+1403", "ab".repeat(32)),
            &format!("kh/v1/a/blob/{}/", "ab".repeat(32)),
        ] {
            assert!(Topic::parse(bad).is_err(), "{bad:?}");
        }
    }
}
