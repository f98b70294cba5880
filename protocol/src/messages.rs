//! Message bodies, one type per topic kind. Times are Unix milliseconds (UTC).

use crate::ticket::TicketStatus;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `kh/v1/_hub/state`: retained; the hub's will sets `online: false`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HubState {
    pub online: bool,
    pub ts: u64,
    pub hub_id: String,
    /// What this hub serves beyond the first version of the protocol
    /// ([`HubState::RELEASES`]): a kiosk subscribes to a feature's topics
    /// only when its hub names it, since an older hub's broker refuses a
    /// subscription it does not know and closes the connection.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
}

impl HubState {
    /// Software releases: `release/desired` and `release/reported`.
    pub const RELEASES: &'static str = "releases";
    /// Training sign-ups: `signup/state` and `signup/seen`.
    pub const TRAINING: &'static str = "training";

    pub fn has(&self, feature: &str) -> bool {
        self.features.iter().any(|f| f == feature)
    }
}

/// `kh/v1/{kid}/status`: a birth, a will, or a clean shutdown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Status {
    Online(Birth),
    Offline(Death),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Birth {
    /// Increments on every connect; a death older than the latest birth is stale.
    pub session: u64,
    pub boot_id: String,
    pub app_version: String,
    pub catalog_version: u64,
    pub outbox_depth: u64,
    /// Events ever recorded, by kind: lets the hub detect drift.
    pub lifetime_totals: BTreeMap<String, u64>,
    pub ts: u64,
    /// The oldest event the kiosk still holds (it keeps acknowledged events
    /// a week): events below it that the hub lacks cannot come back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_from: Option<u64>,
    /// What this kiosk reads beyond the first version of the protocol
    /// ([`crate::catalog::features`]): the hub sends it the view of each
    /// catalog version that these allow. Absent from older kiosks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Death {
    pub session: u64,
    /// Absent for a will (the broker publishes it); set for a clean shutdown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `kh/v1/{kid}/evt`: a contiguous range of outbox events.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventBatch {
    pub session: u64,
    pub events: Vec<Event>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Per-kiosk, persisted, never reset.
    pub seq: u64,
    /// When it happened (kiosk clock, Unix ms).
    pub t: u64,
    /// False when the kiosk had no trusted time source yet.
    pub clock_trusted: bool,
    #[serde(flatten)]
    pub kind: EventKind,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    AttractExit,
    CategoryOpen {
        category: String,
    },
    ProductView {
        product_id: String,
        dwell_ms: u64,
    },
    TraceOpen {
        batch_id: String,
    },
    Search {
        query: String,
        results: u32,
    },
    ServiceRequest(ServiceRequest),
    Parcel(ParcelScan),
    SessionEnd {
        duration_ms: u64,
    },
    /// 长辈模式 switched on (larger text until the visit ends), or off again.
    LargeTextOn,
    LargeTextOff,
    /// A place asked for at a training session (the hub decides it).
    Signup(Signup),
    /// The villager cancelled a sign-up at a kiosk.
    SignupCancel {
        signup_id: String,
    },
    /// A story, course, session, job or news item was open this long.
    ContentView {
        /// The item's kind as the catalog names it (`story`, `session`, …).
        item: String,
        id: String,
        dwell_ms: u64,
    },
    /// A kind this build does not know, from a newer kiosk: kept whole (its
    /// `kind` included) and counted under its name, so that a mixed fleet
    /// loses nothing and no outbox stalls on it.
    #[serde(untagged)]
    Other(serde_json::Map<String, serde_json::Value>),
}

impl EventKind {
    /// Every kind this build knows, by its wire name.
    pub const KNOWN: [&'static str; 13] = [
        "attract_exit",
        "category_open",
        "product_view",
        "trace_open",
        "search",
        "service_request",
        "parcel",
        "session_end",
        "large_text_on",
        "large_text_off",
        "signup",
        "signup_cancel",
        "content_view",
    ];

    /// The `kind` tag this event carries on the wire.
    pub fn name(&self) -> &str {
        match self {
            EventKind::AttractExit => "attract_exit",
            EventKind::CategoryOpen { .. } => "category_open",
            EventKind::ProductView { .. } => "product_view",
            EventKind::TraceOpen { .. } => "trace_open",
            EventKind::Search { .. } => "search",
            EventKind::ServiceRequest(_) => "service_request",
            EventKind::Parcel(_) => "parcel",
            EventKind::SessionEnd { .. } => "session_end",
            EventKind::LargeTextOn => "large_text_on",
            EventKind::LargeTextOff => "large_text_off",
            EventKind::Signup(_) => "signup",
            EventKind::SignupCancel { .. } => "signup_cancel",
            EventKind::ContentView { .. } => "content_view",
            EventKind::Other(body) => body.get("kind").and_then(|k| k.as_str()).unwrap_or(""),
        }
    }

    /// Why an event that fits no known kind is not one a newer kiosk may
    /// send: a known kind with a broken body, or no kind at all.
    pub fn malformed(&self) -> Option<String> {
        let EventKind::Other(body) = self else { return None };
        match body.get("kind").and_then(|k| k.as_str()) {
            None | Some("") => Some("an event without a kind".into()),
            Some(k) if Self::KNOWN.contains(&k) => {
                Some(format!("a {k} event with a body this kind does not have"))
            }
            Some(_) => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceRequest {
    /// Made by the kiosk; the hub creates at most one ticket per id.
    pub request_id: String,
    /// The number printed on the receipt (see [`crate::ticket::TicketNo`]).
    /// A string here so that a malformed one is replaced by the hub instead
    /// of blocking the kiosk's outbox.
    pub ticket_no: String,
    pub service_id: String,
    pub village: String,
    /// Full number, for the call-back; masked on every screen and export.
    pub phone: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub is_complaint: bool,
    /// Set when the request is an "I am interested" in a job opening: the
    /// centre calls back about that job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
}

/// A sign-up for a training session, taken at a kiosk (offline too): the
/// receipt says "pending" until the hub confirms or waitlists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Signup {
    /// Made by the kiosk; the hub keeps at most one sign-up per id.
    pub signup_id: String,
    /// The number on the receipt: the ticket-number format, from the same
    /// daily count as the station's tickets (see [`crate::ticket::TicketNo`]).
    pub number: String,
    pub session_id: String,
    /// The town the villager said they come from (a town of the catalog).
    pub town: String,
    /// Full number, for the organiser's call; masked on every screen and export.
    pub phone: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParcelDirection {
    /// 工业品下行: received at the station for a villager.
    In,
    /// 农产品上行: dispatched from the village.
    Out,
    /// 取件: the villager collected it.
    PickUp,
}

impl ParcelDirection {
    pub const ALL: [ParcelDirection; 3] =
        [ParcelDirection::In, ParcelDirection::Out, ParcelDirection::PickUp];

    /// The name on the wire and in both stores (`in`, `out`, `pick_up`),
    /// the same as its serde form.
    pub fn wire_name(self) -> &'static str {
        match self {
            ParcelDirection::In => "in",
            ParcelDirection::Out => "out",
            ParcelDirection::PickUp => "pick_up",
        }
    }

    pub fn from_wire_name(name: &str) -> Option<ParcelDirection> {
        Self::ALL.into_iter().find(|d| d.wire_name() == name)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParcelScan {
    pub direction: ParcelDirection,
    /// The waybill number, or its hash when the privacy policy says so.
    pub waybill: String,
    pub waybill_hashed: bool,
    pub carrier: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_g: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_id: Option<String>,
}

/// `kh/v1/{kid}/evt/ack`: everything `<= upto` is committed, except the
/// `missing` ranges (inclusive) the kiosk must send again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventsAck {
    pub upto: u64,
    #[serde(default)]
    pub missing: Vec<(u64, u64)>,
}

/// `kh/v1/{kid}/catalog/desired`: a small retained pointer (< 1 KiB).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogPointer {
    pub version: u64,
    /// SHA-256 of the version's canonical snapshot (see `catalog::Snapshot`).
    pub manifest_sha256: String,
    /// Bytes of every blob the version names.
    pub size: u64,
    pub items: u64,
}

/// `kh/v1/{kid}/catalog/get`: `have` is 0 when the kiosk has nothing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogGet {
    pub have: u64,
    pub want: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    Delta,
    Snapshot,
}

/// `kh/v1/{kid}/catalog/doc`: where to fetch the catalog document. The
/// document itself is a content-addressed blob (gzip JSON), fetched with
/// `blob/get` like an image, so it is resumable by offset too.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogDoc {
    pub want: u64,
    /// For a delta, the version it applies to; 0 for a snapshot.
    pub base: u64,
    pub kind: DocKind,
    pub doc_sha256: String,
    pub doc_size: u64,
    pub manifest_sha256: String,
    /// Set when the hub cannot serve `want` (unknown or withdrawn version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `kh/v1/{kid}/blob/get`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobGet {
    pub sha256: String,
    pub offset: u64,
    /// How many chunks this window may hold (1–16; absent: 16). A kiosk
    /// asks for small windows for a release, so that the release never
    /// holds up events or a catalog on a slow link; a hub that predates
    /// the field sends full windows, which is still correct.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunks: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    Downloading,
    Applied,
    Failed,
}

/// `kh/v1/{kid}/catalog/reported`: retained.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogReported {
    pub version: u64,
    pub state: SyncState,
    pub bytes_done: u64,
    pub bytes_total: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `kh/v1/{kid}/release/desired`: retained; the software release this
/// kiosk should run. The kiosk checks `signature` with the county's release
/// key from its own configuration before it installs anything.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleasePointer {
    #[serde(flatten)]
    pub manifest: crate::release::ReleaseManifest,
    /// Shown on the staff pages and in `hub release versions`.
    #[serde(default)]
    pub notes: String,
    /// County hours `[from, to)` in which the kiosk may install (`to` below
    /// `from` wraps past midnight); absent: whenever no one is using it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub install_hours: Option<[u8; 2]>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseState {
    Downloading,
    /// Downloaded; the signature and hash are being checked.
    Verifying,
    /// Side by side with the running version; it starts at the next idle moment.
    Installed,
    /// Started and confirmed healthy: this is what the kiosk runs.
    Running,
    /// It did not confirm itself healthy; the previous version came back.
    RolledBack,
    /// Refused (bad signature, no room, not set up for updates) or broken in transit.
    Failed,
}

impl ReleaseState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReleaseState::Downloading => "downloading",
            ReleaseState::Verifying => "verifying",
            ReleaseState::Installed => "installed",
            ReleaseState::Running => "running",
            ReleaseState::RolledBack => "rolled_back",
            ReleaseState::Failed => "failed",
        }
    }
}

/// `kh/v1/{kid}/release/reported`: retained; where the kiosk is with a
/// release, and what it runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseReported {
    pub version: crate::release::ReleaseVersion,
    pub state: ReleaseState,
    #[serde(default)]
    pub bytes_done: u64,
    #[serde(default)]
    pub bytes_total: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The version running now, and the one before it (what a rollback returns to).
    pub running: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
}

/// `kh/v1/{kid}/svc/ack`: a ticket as it stands now. Sent on every change
/// and again after each birth until the kiosk answers with `svc/seen`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceAck {
    pub request_id: String,
    /// The ticket number in force; differs from the kiosk's own number when
    /// the hub had to assign one.
    pub ticket_no: String,
    /// Increases with every change; a kiosk keeps the highest it has seen.
    pub rev: u64,
    pub status: TicketStatus,
    /// The first staff member who accepted it (首问责任人); never changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responsible: Option<String>,
    /// Who handles it now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handler: Option<String>,
    /// The latest message to the requester.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<String>,
    /// A substantive answer is due by then (Unix ms).
    pub response_due: u64,
    /// Complaints only: resolution due (end of the 5th working day).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution_due: Option<u64>,
    pub ts: u64,
}

/// Where a sign-up stands. `Pending` is the kiosk's own state until the
/// hub's word arrives; the hub never sends it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignupStatus {
    Pending,
    Confirmed,
    /// No seat left: first on the list gets the next cancelled seat.
    Waitlisted,
    Cancelled,
    /// Not taken: the session is unknown, its sign-up closed, or it is full
    /// of sign-ups for the same phone.
    Refused,
    Attended,
}

impl SignupStatus {
    pub const ALL: [SignupStatus; 6] =
        [Self::Pending, Self::Confirmed, Self::Waitlisted, Self::Cancelled, Self::Refused, Self::Attended];
    pub fn name(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Confirmed => "confirmed",
            Self::Waitlisted => "waitlisted",
            Self::Cancelled => "cancelled",
            Self::Refused => "refused",
            Self::Attended => "attended",
        }
    }
    pub fn from_name(name: &str) -> Option<SignupStatus> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// `kh/v1/{kid}/signup/state`: a sign-up as it stands now. Sent on every
/// change and again after each birth until the kiosk answers with
/// `signup/seen`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignupState {
    pub signup_id: String,
    pub number: String,
    pub session_id: String,
    /// Increases with every change; a kiosk keeps the highest it has seen.
    pub rev: u64,
    pub status: SignupStatus,
    /// 1 for the first on the waiting list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waitlist_position: Option<u32>,
    /// Why it was refused or cancelled, in words for the villager.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub ts: u64,
}

/// `kh/v1/_dc/seats`: retained, signed with the hub key: how many seats are
/// left at each session that takes sign-ups at kiosks, for "seats left" on
/// a course's page. Public figures (no one's sign-up is in them); a kiosk
/// subscribes once the hub names `training`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatsLeft {
    /// When the hub counted (its clock, Unix ms).
    pub ts: u64,
    pub sessions: BTreeMap<String, SessionSeats>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionSeats {
    pub left: u32,
    /// On the waiting list.
    pub waiting: u32,
}

impl SeatsLeft {
    pub const PATH: &'static str = "seats";

    pub fn topic() -> crate::Topic {
        crate::Topic::DataCentre(Self::PATH.into())
    }
}

/// `kh/v1/{kid}/signup/seen`: the kiosk stored this revision of a sign-up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignupSeen {
    pub signup_id: String,
    pub rev: u64,
}

/// `kh/v1/{kid}/svc/seen`: the kiosk stored this revision of a ticket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceSeen {
    pub request_id: String,
    pub rev: u64,
}

/// `kh/v1/_dc/minute`: retained, signed with the hub key. The last complete
/// minute of ingest (by hub clock) and the county day so far, for live
/// dashboards; the authoritative figures are `hub report`'s.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveMinute {
    /// Start of the minute, Unix ms.
    pub minute: u64,
    /// Events committed in that minute, by kind.
    pub events: BTreeMap<String, u64>,
    /// The county day (`YYYY-MM-DD`, Asia/Shanghai) the totals below are for.
    pub day: String,
    /// Events committed today so far, by kind.
    pub today: BTreeMap<String, u64>,
    /// Parcels counted today (each waybill once per direction), by direction.
    pub parcels_today: BTreeMap<String, u64>,
    pub tickets_open: u64,
    pub tickets_overdue: u64,
    pub kiosks_online: u64,
    pub kiosks_total: u64,
    pub ts: u64,
}

/// `kh/v1/{kid}/cmd/{name}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
// The one message that refuses what it does not know: an option a kiosk
// ignored would run a different command than the hub meant (a new option is
// a new command; docs/protocol.md, "Mixed versions").
#[serde(deny_unknown_fields)]
pub struct Command {
    pub cid: String,
    #[serde(default)]
    pub args: BTreeMap<String, String>,
    /// Unix ms after which the kiosk ignores it.
    pub expires: u64,
}

/// `kh/v1/{kid}/cmd/res`. A result with a file (a screenshot's PNG) comes
/// as numbered parts first, then the result itself without a part.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandResult {
    pub cid: String,
    pub ok: bool,
    pub detail: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<ResultPart>,
}

/// One piece of a command's file, hex-encoded (JSON carries no bytes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultPart {
    pub index: u32,
    pub count: u32,
    pub hex: String,
}

impl ResultPart {
    /// Raw bytes per part: hex doubles them, and a part must fit the
    /// 64 KiB limit of `cmd/res` with its envelope.
    pub const BYTES: usize = 24 * 1024;
    /// A command's file may not exceed this many parts (12 MiB).
    pub const MAX_PARTS: u32 = 512;

    /// Split `data` into parts.
    pub fn split(data: &[u8]) -> Vec<ResultPart> {
        let count = data.len().div_ceil(Self::BYTES).max(1) as u32;
        (0..count)
            .map(|i| {
                let from = i as usize * Self::BYTES;
                let to = (from + Self::BYTES).min(data.len());
                ResultPart { index: i, count, hex: hex::encode(&data[from..to]) }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::{EventKind, ParcelDirection, ParcelScan, ServiceRequest, Signup};

    /// `KNOWN` lists exactly the tags the variants carry: a kind added
    /// without it would let its broken bodies pass as a newer kiosk's.
    #[test]
    fn the_known_kinds_are_exactly_the_variants_tags() {
        let request = ServiceRequest {
            request_id: "r".into(),
            ticket_no: "t".into(),
            service_id: "s".into(),
            village: "v".into(),
            phone: "p".into(),
            name: None,
            note: None,
            is_complaint: false,
            job_id: None,
        };
        let scan = ParcelScan {
            direction: ParcelDirection::In,
            waybill: "w".into(),
            waybill_hashed: false,
            carrier: "c".into(),
            weight_g: None,
            scale_id: None,
        };
        // One of each variant; the match makes a new variant a compile error here.
        let all = [
            EventKind::AttractExit,
            EventKind::CategoryOpen { category: "c".into() },
            EventKind::ProductView { product_id: "p".into(), dwell_ms: 1 },
            EventKind::TraceOpen { batch_id: "b".into() },
            EventKind::Search { query: "q".into(), results: 0 },
            EventKind::ServiceRequest(request),
            EventKind::Parcel(scan),
            EventKind::SessionEnd { duration_ms: 1 },
            EventKind::LargeTextOn,
            EventKind::LargeTextOff,
            EventKind::Signup(Signup {
                signup_id: "s".into(),
                number: "n".into(),
                session_id: "x".into(),
                town: "t".into(),
                phone: "p".into(),
            }),
            EventKind::SignupCancel { signup_id: "s".into() },
            EventKind::ContentView { item: "story".into(), id: "s".into(), dwell_ms: 1 },
        ];
        for k in &all {
            match k {
                EventKind::AttractExit
                | EventKind::CategoryOpen { .. }
                | EventKind::ProductView { .. }
                | EventKind::TraceOpen { .. }
                | EventKind::Search { .. }
                | EventKind::ServiceRequest(_)
                | EventKind::Parcel(_)
                | EventKind::SessionEnd { .. }
                | EventKind::LargeTextOn
                | EventKind::LargeTextOff
                | EventKind::Signup(_)
                | EventKind::SignupCancel { .. }
                | EventKind::ContentView { .. }
                | EventKind::Other(_) => {}
            }
            let tag = serde_json::to_value(k).unwrap()["kind"].as_str().unwrap().to_owned();
            assert_eq!(tag, k.name());
            assert!(EventKind::KNOWN.contains(&k.name()), "{tag} missing from KNOWN");
            assert_eq!(k.malformed(), None);
        }
        assert_eq!(EventKind::KNOWN.len(), all.len());
    }

    #[test]
    fn a_direction_has_one_name_on_the_wire() {
        for d in ParcelDirection::ALL {
            let json = serde_json::to_string(&d).unwrap();
            assert_eq!(json, format!("\"{}\"", d.wire_name()));
            assert_eq!(ParcelDirection::from_wire_name(d.wire_name()), Some(d));
        }
        assert_eq!(ParcelDirection::from_wire_name("sideways"), None);
    }
}
