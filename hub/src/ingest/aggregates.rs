//! The figures the data centre asks for, kept up to date by ingest: deltas
//! are summed in memory per batch, then written as one upsert per key.

use crate::store::StoreError;
use crate::tickets::calendar::Calendar;
use protocol::messages::EventKind;
use rusqlite::{Connection, params};
use std::collections::BTreeMap;

/// Search queries are compared trimmed and lower-cased.
pub fn normalize_query(q: &str) -> String {
    q.trim().to_lowercase()
}

/// A parcel scan waiting for its (waybill, direction) dedupe.
struct ParcelRow {
    waybill: String,
    direction: &'static str,
    carrier: String,
    weight_g: Option<u32>,
    t: i64,
    day: String,
}

/// A service request as received.
struct RequestRow {
    seq: u64,
    t: i64,
    req: protocol::messages::ServiceRequest,
}

/// A training sign-up or a cancellation, in the order the kiosk recorded
/// them (a sign-up cancelled before the kiosk could send it arrives with
/// its cancellation in the same batch).
enum TrainingRow {
    Signup { seq: u64, t: i64, signup: protocol::messages::Signup },
    Cancel { signup_id: String },
}

/// Run one cached statement for each row of parameters.
fn upsert_each<P: rusqlite::Params>(
    conn: &Connection,
    sql: &str,
    rows: impl Iterator<Item = P>,
) -> Result<(), StoreError> {
    let mut rows = rows.peekable();
    if rows.peek().is_none() {
        return Ok(());
    }
    let mut st = conn.prepare_cached(sql)?;
    for p in rows {
        st.execute(p)?;
    }
    Ok(())
}

#[derive(Default)]
pub struct Deltas {
    kiosk_kind: BTreeMap<(String, String), i64>,
    product: BTreeMap<(String, String), (i64, i64)>,
    trace: BTreeMap<(String, String), i64>,
    category: BTreeMap<(String, String), i64>,
    search: BTreeMap<(String, String), (i64, i64)>,
    parcels: Vec<ParcelRow>,
    requests: Vec<RequestRow>,
    training: Vec<TrainingRow>,
    /// Content opened: (day, item kind, id) → (views, dwell).
    content: BTreeMap<(String, String, String), (i64, i64)>,
    /// Events by kind, for the live feed's minute of commit.
    minute: BTreeMap<String, i64>,
}

impl Deltas {
    /// Count one newly inserted event.
    pub fn add(&mut self, _kid: &str, day: &str, at: i64, seq: u64, kind: &EventKind) {
        let d = day.to_owned();
        *self.kiosk_kind.entry((d.clone(), kind.name().to_owned())).or_default() += 1;
        *self.minute.entry(kind.name().to_owned()).or_default() += 1;
        match kind {
            EventKind::ProductView { product_id, dwell_ms } => {
                let e = self.product.entry((d, product_id.clone())).or_default();
                e.0 += 1;
                e.1 += (*dwell_ms).min(i64::MAX as u64) as i64;
            }
            EventKind::TraceOpen { batch_id } => *self.trace.entry((d, batch_id.clone())).or_default() += 1,
            EventKind::CategoryOpen { category } => {
                *self.category.entry((d, category.clone())).or_default() += 1
            }
            EventKind::Search { query, results } => {
                let e = self.search.entry((d, normalize_query(query))).or_default();
                e.0 += 1;
                e.1 += i64::from(*results == 0);
            }
            EventKind::Parcel(p) => self.parcels.push(ParcelRow {
                waybill: p.waybill.clone(),
                direction: p.direction.wire_name(),
                carrier: p.carrier.clone(),
                weight_g: p.weight_g,
                t: at,
                day: d,
            }),
            EventKind::ServiceRequest(r) => self.requests.push(RequestRow { seq, t: at, req: r.clone() }),
            EventKind::Signup(s) => self.training.push(TrainingRow::Signup { seq, t: at, signup: s.clone() }),
            EventKind::SignupCancel { signup_id } => {
                self.training.push(TrainingRow::Cancel { signup_id: signup_id.clone() })
            }
            EventKind::ContentView { item, id, dwell_ms } => {
                let e = self.content.entry((d, item.clone(), id.clone())).or_default();
                e.0 += 1;
                e.1 += (*dwell_ms).min(i64::MAX as u64) as i64;
            }
            EventKind::AttractExit
            | EventKind::SessionEnd { .. }
            | EventKind::LargeTextOn
            | EventKind::LargeTextOff
            // A newer kiosk's kind: counted by its name, kept in `events`.
            | EventKind::Other(_) => {}
        }
    }

    /// Write the deltas for `kid` (inside the ingest transaction); new
    /// service requests become tickets, with deadlines from `cal`.
    pub fn apply(self, conn: &Connection, kid: &str, now: i64, cal: &Calendar) -> Result<(), StoreError> {
        upsert_each(
            conn,
            "INSERT INTO agg_minute(minute, kind, count) VALUES (?1, ?2, ?3)
             ON CONFLICT DO UPDATE SET count = count + excluded.count",
            self.minute.iter().map(|(kind, n)| (now - now.rem_euclid(60_000), kind, n)),
        )?;
        upsert_each(
            conn,
            "INSERT INTO agg_kiosk_day(day, kid, kind, count) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT DO UPDATE SET count = count + excluded.count",
            self.kiosk_kind.iter().map(|((day, kind), n)| (day, kid, kind, n)),
        )?;
        upsert_each(
            conn,
            "INSERT INTO agg_product_day(day, product_id, kid, views, dwell_ms) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT DO UPDATE SET views = views + excluded.views, dwell_ms = dwell_ms + excluded.dwell_ms",
            self.product.iter().map(|((day, product), (views, dwell))| (day, product, kid, views, dwell)),
        )?;
        upsert_each(
            conn,
            "INSERT INTO agg_trace_day(day, batch_id, kid, opens) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT DO UPDATE SET opens = opens + excluded.opens",
            self.trace.iter().map(|((day, batch), n)| (day, batch, kid, n)),
        )?;
        upsert_each(
            conn,
            "INSERT INTO agg_category_day(day, category, kid, opens) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT DO UPDATE SET opens = opens + excluded.opens",
            self.category.iter().map(|((day, cat), n)| (day, cat, kid, n)),
        )?;
        upsert_each(
            conn,
            "INSERT INTO agg_search_day(day, query, kid, searches, no_result) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT DO UPDATE SET searches = searches + excluded.searches, no_result = no_result + excluded.no_result",
            self.search.iter().map(|((day, q), (n, zero))| (day, q, kid, n, zero)),
        )?;
        upsert_each(
            conn,
            "INSERT INTO agg_content_day(day, item, id, kid, views, dwell_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT DO UPDATE SET views = views + excluded.views, dwell_ms = dwell_ms + excluded.dwell_ms",
            self.content.iter().map(|((day, item, id), (views, dwell))| (day, item, id, kid, views, dwell)),
        )?;
        // Seats are decided here, in the one writer's order of arrival.
        for row in &self.training {
            match row {
                TrainingRow::Signup { seq, t, signup } => {
                    crate::training::seats::take(conn, kid, *seq, *t, signup, now)?;
                }
                TrainingRow::Cancel { signup_id } => {
                    crate::training::seats::cancel(
                        conn,
                        signup_id,
                        crate::training::seats::Canceller::Kiosk(kid),
                        now,
                    )?;
                }
            }
        }
        if self.parcels.is_empty() && self.requests.is_empty() {
            return Ok(());
        }
        // A parcel counts once per (waybill, direction), whichever kiosk or
        // event reports it again.
        let mut ins = conn.prepare_cached(
            "INSERT OR IGNORE INTO parcels(waybill, direction, kid, carrier, weight_g, t, day) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        let mut agg = conn.prepare_cached(
            "INSERT INTO agg_parcel_day(day, kid, carrier, direction, parcels, weight_g) VALUES (?1, ?2, ?3, ?4, 1, ?5)
             ON CONFLICT DO UPDATE SET parcels = parcels + 1, weight_g = weight_g + excluded.weight_g",
        )?;
        for p in &self.parcels {
            if ins.execute(params![p.waybill, p.direction, kid, p.carrier, p.weight_g, p.t, p.day])? == 1 {
                agg.execute(params![p.day, kid, p.carrier, p.direction, p.weight_g.unwrap_or(0)])?;
            }
        }
        let mut st = conn.prepare_cached(
            "INSERT OR IGNORE INTO service_requests(request_id, kid, seq, submitted_at, service_id, village, phone, name, note, is_complaint, job_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?;
        for r in &self.requests {
            let q = &r.req;
            let stored = st.execute(params![
                q.request_id,
                kid,
                r.seq,
                r.t,
                q.service_id,
                q.village,
                q.phone,
                q.name,
                q.note,
                q.is_complaint,
                q.job_id
            ])?;
            // A request seen before (same id, even under another seq) keeps its one ticket.
            if stored == 1 {
                crate::tickets::records::create(conn, kid, r.t, q, cal, now)?;
            }
        }
        Ok(())
    }
}
