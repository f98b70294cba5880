//! `kh/v1/_dc/screen`: everything the centre's big screen shows, retained
//! and signed with the hub key, published by the hub within a second of a
//! commit that changes it. Aggregates only: no phone, name or waybill ever
//! travels here. Every figure is one `hub report` gives for the same period.

use crate::Topic;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The feed's path under `kh/v1/_dc/`.
pub const PATH: &str = "screen";

/// `kh/v1/_dc/screen`.
pub fn topic() -> Topic {
    Topic::DataCentre(PATH.into())
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScreenFigures {
    /// When the hub read these figures (its clock, Unix ms): the screen's
    /// "as of".
    pub ts: u64,
    /// The county day the `today` figures are for (`YYYY-MM-DD`).
    pub day: String,
    /// Visitors' interactions today, by event kind.
    pub today: BTreeMap<String, u64>,
    /// Today's most viewed products, most first (at most 5).
    pub top_viewed: Vec<Ranked>,
    /// Today's most traced products (trace-QR opens), most first (at most 5).
    pub top_traced: Vec<Ranked>,
    /// Today's searches that found nothing, most first (at most 5; digits
    /// of anything like a phone number masked).
    pub not_found: Vec<Ranked>,
    /// Parcels per day for the last 30 county days, oldest first, today last.
    pub parcels_30d: Vec<DayParcels>,
    /// Today's parcels per carrier.
    pub carriers_today: Vec<Parcels>,
    /// Every station and showroom kiosk, by id.
    pub stations: Vec<Station>,
    pub tickets: Tickets,
    /// Online sales for the last 12 months held, oldest first.
    pub sales: Vec<MonthSales>,
    /// The county's target for enterprises selling online, when set.
    pub enterprises_target: Option<u64>,
    /// The names of the platforms in `sales`, in the hub's list order.
    /// Fields added after the first version default, so a wall and a hub a
    /// version apart still read each other.
    #[serde(default)]
    pub platforms: Vec<Named>,
    /// The county's towns on the schematic map (the catalog's `towns.csv`).
    #[serde(default)]
    pub towns: Vec<TownPoint>,
    /// What the plan counts of training.
    #[serde(default)]
    pub training: Training,
}

/// Training as the plan counts it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Training {
    /// People trained this county year (sign-ups marked present).
    pub trained_year: u64,
    /// Of those, at sessions for the dedicated groups (women, people with
    /// disabilities, low-income households).
    pub trained_dedicated_year: u64,
    /// Sign-ups taken this county month that hold or wait for a place.
    pub signups_month: u64,
    /// Sessions still to come that take sign-ups and have a seat free.
    pub sessions_open: u64,
}

/// A town on the schematic map: 0–100 across (west→east) and down.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TownPoint {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub x: u8,
    pub y: u8,
}

/// Something shown by name in either language.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Named {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
}

/// A product or a search word with its count.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ranked {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub count: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayParcels {
    pub day: String,
    /// Inbound (下行): parcels arriving for villagers.
    pub parcels_in: u64,
    /// Outbound (上行): what the county sends out.
    pub parcels_out: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parcels {
    pub key: String,
    pub parcels_in: u64,
    pub parcels_out: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Station {
    pub kiosk: String,
    pub group: String,
    pub online: bool,
    /// Since when it has been online or offline (Unix ms), if ever seen.
    pub since: Option<u64>,
    pub parcels_in_today: u64,
    pub parcels_out_today: u64,
    pub requests_today: u64,
    /// The town it stands in: a `towns` id, or the name as registered when
    /// no town of the catalog matches; `None` when not registered.
    #[serde(default)]
    pub town: Option<String>,
}

/// Service requests: open and overdue now, and this month's deadlines.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tickets {
    pub open: u64,
    pub overdue: u64,
    /// The county month these counts are for (`YYYY-MM`).
    pub month: String,
    pub submitted: u64,
    /// First answers within 48 h, of those whose answer is due or given.
    pub answered_in_time: u64,
    pub answer_due: u64,
    /// Complaints resolved within the deadline, of those due or resolved.
    pub resolved_in_time: u64,
    pub resolution_due: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthSales {
    pub month: String,
    pub enterprises: u64,
    pub orders: u64,
    pub sales_fen: u64,
    pub farm_sales_fen: u64,
    /// Sales per platform id, in fen.
    pub by_platform: BTreeMap<String, u64>,
}
