//! Tickets in the store: made from service requests at ingest (at most one
//! per `request_id`), changed by staff through the state machine, every
//! change logged with who and when and bumping `rev` so it reaches the kiosk.

use super::calendar::Calendar;
use super::deadlines::{self, DueState};
use super::machine::{self, Action, TicketState, TransitionError};
use crate::fleet::registry;
use crate::store::StoreError;
use protocol::county_time;
use protocol::messages::ServiceRequest;
use protocol::privacy::{mask_name, mask_phone};
use protocol::{TicketNo, TicketStatus};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum TicketError {
    #[error("no ticket {0}")]
    NotFound(String),
    #[error("ticket {no}: {source}")]
    Transition { no: String, source: TransitionError },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for TicketError {
    fn from(e: rusqlite::Error) -> Self {
        TicketError::Store(e.into())
    }
}

/// Choose the ticket number: the kiosk's own when it is well formed, carries
/// the kiosk's station number and is free; otherwise the next free one in
/// the hub's range for the county day of submission. Returns the number and,
/// when the kiosk's was not kept, why. Tickets and training sign-ups share
/// one numbering (a station counts both in one daily count), so a receipt's
/// number finds one thing.
pub(crate) fn choose_number(
    conn: &Connection,
    kid: &str,
    submitted_at: i64,
    proposed: &str,
) -> Result<(TicketNo, Option<String>), StoreError> {
    let taken = |no: &str| -> Result<bool, StoreError> {
        Ok(conn
            .query_row(
                "SELECT 1 FROM tickets WHERE ticket_no = ?1 UNION ALL SELECT 1 FROM signups WHERE number = ?1",
                [no],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    };
    let why = match TicketNo::parse(proposed) {
        Err(e) => e.to_string(),
        Ok(no) => match registry::station_no(conn, kid)? {
            Some(s) if s == no.station() && !taken(no.as_str())? => return Ok((no, None)),
            Some(s) if s == no.station() => format!("kiosk's number {no} is already taken"),
            s => format!("kiosk's number {no} is not of its station {:04}", s.unwrap_or(0)),
        },
    };
    let yymmdd = county_time::yymmdd_of(submitted_at);
    let registered: std::collections::BTreeSet<u16> = conn
        .prepare_cached("SELECT station_no FROM kiosks WHERE station_no IS NOT NULL")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let hub_stations = std::iter::once(0).chain((1..=9999).rev()).filter(|s| !registered.contains(s));
    for station in hub_stations {
        let prefix = format!("{yymmdd}{station:04}");
        let used: u16 = conn.query_row(
            "SELECT coalesce(max(CAST(substr(no, 11, 3) AS INTEGER)), 0)
             FROM (SELECT ticket_no AS no FROM tickets UNION ALL SELECT number FROM signups)
             WHERE substr(no, 1, 10) = ?1",
            [&prefix],
            |r| r.get(0),
        )?;
        if used < 999 {
            let no = TicketNo::new(&yymmdd, station, used + 1).expect("valid parts");
            return Ok((no, Some(why)));
        }
    }
    Err(StoreError::Corrupt(format!("no free hub ticket number left on {yymmdd}")))
}

/// One line for a ticket's append-only history.
struct LogLine<'a> {
    at: i64,
    actor: &'a str,
    action: &'a str,
    from: Option<TicketStatus>,
    to: TicketStatus,
    note: &'a str,
}

fn log(conn: &Connection, no: &str, l: LogLine) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO ticket_log(ticket_no, at, actor, action, from_status, to_status, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![no, l.at, l.actor, l.action, l.from.map(|s| s.name()), l.to.name(), l.note])?;
    Ok(())
}

/// Make the ticket for a newly stored service request (inside the ingest
/// transaction). `submitted_at` is when the villager submitted it.
pub fn create(
    conn: &Connection,
    kid: &str,
    submitted_at: i64,
    req: &ServiceRequest,
    cal: &Calendar,
    now: i64,
) -> Result<TicketNo, StoreError> {
    let (no, replaced) = choose_number(conn, kid, submitted_at, &req.ticket_no)?;
    let mut notes = Vec::new();
    if let Some(why) = replaced {
        tracing::warn!(kiosk = kid, ticket = %no, reason = %why, "hub assigned the ticket number");
        notes.push(format!("number assigned by the hub: {why}"));
    }
    let resolution_due = if req.is_complaint {
        match deadlines::resolution_due(cal, submitted_at) {
            Ok(due) => Some(due),
            Err(e) => {
                notes.push(format!("resolution deadline not set: {e}"));
                None
            }
        }
    } else {
        None
    };
    conn.prepare_cached(
        "INSERT INTO tickets(ticket_no, request_id, kid, service_id, is_complaint, status, submitted_at,
                             response_due, resolution_due, rev, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1, ?10)",
    )?
    .execute(params![
        no.as_str(),
        req.request_id,
        kid,
        req.service_id,
        req.is_complaint,
        TicketStatus::Submitted.name(),
        submitted_at,
        deadlines::response_due(submitted_at),
        resolution_due,
        now
    ])?;
    let (actor, note) = (format!("kiosk {kid}"), notes.join("; "));
    let line = LogLine {
        at: now,
        actor: &actor,
        action: "submit",
        from: None,
        to: TicketStatus::Submitted,
        note: &note,
    };
    log(conn, no.as_str(), line)?;
    Ok(no)
}

/// Complaints whose deadline year had no calendar when they arrived: set
/// the deadline now if staff have added the year since. Returns how many.
pub fn fill_missing_deadlines(conn: &Connection, cal: &Calendar) -> Result<usize, StoreError> {
    let rows: Vec<(String, i64)> = conn
        .prepare("SELECT ticket_no, submitted_at FROM tickets WHERE is_complaint AND resolution_due IS NULL")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut n = 0;
    for (no, at) in rows {
        if let Ok(due) = deadlines::resolution_due(cal, at) {
            conn.execute(
                "UPDATE tickets SET resolution_due = ?2, rev = rev + 1, updated_at = ?3 WHERE ticket_no = ?1",
                params![no, due, crate::store::now_ms()],
            )?;
            n += 1;
        }
    }
    Ok(n)
}

/// One ticket with its requester, as staff and exports see it: contact
/// details masked.
#[derive(Clone, Debug, Serialize)]
pub struct TicketView {
    pub ticket_no: String,
    pub ticket_no_grouped: String,
    pub request_id: String,
    pub kiosk: String,
    pub service_id: String,
    pub is_complaint: bool,
    pub village: String,
    pub requester: Option<String>,
    pub phone: String,
    pub note: Option<String>,
    pub status: TicketStatus,
    pub first_responder: Option<String>,
    pub handler: Option<String>,
    pub reply: Option<String>,
    pub submitted_at: i64,
    pub responded_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub response_due: i64,
    pub response: DueState,
    pub resolution_due: Option<i64>,
    pub resolution: DueState,
    /// A deadline has passed with the work undone.
    pub overdue: bool,
    pub rev: u64,
    /// The newest revision the kiosk confirmed.
    pub seen_rev: u64,
}

const VIEW_SQL: &str =
    "SELECT t.ticket_no, t.request_id, t.kid, t.service_id, t.is_complaint, r.village, r.name,
        r.phone, r.note, t.status, t.first_responder, t.handler, t.reply, t.submitted_at, t.responded_at,
        t.resolved_at, t.closed_at, t.response_due, t.resolution_due, t.rev, t.seen_rev
     FROM tickets t JOIN service_requests r USING (request_id)";

fn view(r: &Row, now: i64) -> rusqlite::Result<TicketView> {
    let no: String = r.get(0)?;
    let status: String = r.get(9)?;
    let status = TicketStatus::from_name(&status).unwrap_or(TicketStatus::Submitted);
    let is_complaint: bool = r.get(4)?;
    let (responded_at, resolved_at): (Option<i64>, Option<i64>) = (r.get(14)?, r.get(15)?);
    let response_due: i64 = r.get(17)?;
    let resolution_due: Option<i64> = r.get(18)?;
    let response = DueState::of(Some(response_due), responded_at, now);
    let resolution = match (is_complaint, resolution_due) {
        (true, None) => DueState::NoCalendar,
        // A referred complaint is not ours to resolve.
        (true, Some(_)) if status == TicketStatus::Referred => DueState::NotApplicable,
        (true, due) => DueState::of(due, resolved_at, now),
        (false, _) => DueState::NotApplicable,
    };
    Ok(TicketView {
        ticket_no_grouped: TicketNo::parse(&no).map(|t| t.grouped()).unwrap_or_else(|_| no.clone()),
        ticket_no: no,
        request_id: r.get(1)?,
        kiosk: r.get(2)?,
        service_id: r.get(3)?,
        is_complaint,
        village: r.get(5)?,
        requester: r.get::<_, Option<String>>(6)?.map(|n| mask_name(&n)),
        phone: mask_phone(&r.get::<_, String>(7)?),
        note: r.get(8)?,
        status,
        first_responder: r.get(10)?,
        handler: r.get(11)?,
        reply: r.get(12)?,
        submitted_at: r.get(13)?,
        responded_at,
        resolved_at,
        closed_at: r.get(16)?,
        response_due,
        response,
        resolution_due,
        resolution,
        overdue: response == DueState::Overdue || resolution == DueState::Overdue,
        rev: r.get(19)?,
        seen_rev: r.get(20)?,
    })
}

#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    pub overdue_only: bool,
    pub status: Option<TicketStatus>,
    pub kiosk: Option<String>,
    /// Last 4 digits of the requester's phone.
    pub phone_tail: Option<String>,
}

/// Tickets, newest first.
pub fn list(conn: &Connection, filter: &ListFilter, now: i64) -> Result<Vec<TicketView>, StoreError> {
    let sql = format!(
        "{VIEW_SQL} WHERE (?1 IS NULL OR t.status = ?1) AND (?2 IS NULL OR t.kid = ?2)
           AND (?3 IS NULL OR substr(r.phone, -4) = ?3)
         ORDER BY t.submitted_at DESC, t.ticket_no DESC"
    );
    let mut st = conn.prepare(&sql)?;
    let rows = st
        .query_map(params![filter.status.map(|s| s.name()), filter.kiosk, filter.phone_tail], |r| {
            view(r, now)
        })?;
    let mut out = Vec::new();
    for row in rows {
        let v = row?;
        if !filter.overdue_only || v.overdue {
            out.push(v);
        }
    }
    Ok(out)
}

/// Which tickets the staff's queue shows.
#[derive(Clone, Debug, Default)]
pub struct QueueFilter {
    /// One status; by default every ticket still needing work.
    pub status: Option<TicketStatus>,
    pub service: Option<String>,
    pub kiosk: Option<String>,
    pub village: Option<String>,
    /// Last 4 digits of the requester's phone.
    pub phone_tail: Option<String>,
}

/// The staff's queue: what is due first at the top (the answer's deadline
/// until answered, then a complaint's resolution deadline), at most
/// `limit` tickets.
pub fn queue(
    conn: &Connection,
    f: &QueueFilter,
    now: i64,
    limit: usize,
) -> Result<Vec<TicketView>, StoreError> {
    let sql = format!(
        "{VIEW_SQL} WHERE (?1 IS NULL OR t.status = ?1) AND (?1 IS NOT NULL OR t.status NOT IN ('resolved', 'closed', 'referred'))
           AND (?2 IS NULL OR t.service_id = ?2) AND (?3 IS NULL OR t.kid = ?3) AND (?4 IS NULL OR r.village = ?4)
           AND (?5 IS NULL OR substr(r.phone, -4) = ?5)
         ORDER BY CASE WHEN t.responded_at IS NULL THEN t.response_due
                       WHEN t.is_complaint AND t.resolved_at IS NULL THEN coalesce(t.resolution_due, 9223372036854775807)
                       ELSE 9223372036854775807 END, t.submitted_at, t.ticket_no
         LIMIT ?6"
    );
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st.query_map(
        params![f.status.map(|s| s.name()), f.service, f.kiosk, f.village, f.phone_tail, limit as i64],
        |r| view(r, now),
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn get(conn: &Connection, no: &str, now: i64) -> Result<Option<TicketView>, StoreError> {
    let no = TicketNo::parse(no).map(|t| t.to_string()).unwrap_or_else(|_| no.to_owned());
    Ok(conn.query_row(&format!("{VIEW_SQL} WHERE t.ticket_no = ?1"), [&no], |r| view(r, now)).optional()?)
}

/// Tickets still needing staff work, and how many of all tickets are
/// overdue (a deadline passed with its work undone).
pub fn open_and_overdue(conn: &Connection, now: i64) -> Result<(u64, u64), StoreError> {
    let (open, overdue): (i64, i64) = conn.query_row(
        "SELECT count(*) FILTER (WHERE status NOT IN ('resolved', 'closed', 'referred')),
                count(*) FILTER (WHERE (responded_at IS NULL AND response_due < ?1)
                   OR (is_complaint AND status NOT IN ('resolved', 'closed', 'referred')
                       AND resolution_due < ?1))
         FROM tickets",
        [now],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok((open.max(0) as u64, overdue.max(0) as u64))
}

/// One line of a ticket's history.
#[derive(Clone, Debug, Serialize)]
pub struct LogEntry {
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub note: String,
}

pub fn history(conn: &Connection, no: &str) -> Result<Vec<LogEntry>, StoreError> {
    let mut st = conn.prepare(
        "SELECT at, actor, action, from_status, to_status, note FROM ticket_log
         WHERE ticket_no = ?1 ORDER BY at, rowid",
    )?;
    let rows = st.query_map([no], |r| {
        Ok(LogEntry {
            at: r.get(0)?,
            actor: r.get(1)?,
            action: r.get(2)?,
            from_status: r.get(3)?,
            to_status: r.get(4)?,
            note: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn load_state(conn: &Connection, no: &str) -> Result<Option<TicketState>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT status, first_responder, handler, reply, responded_at, resolved_at, closed_at
             FROM tickets WHERE ticket_no = ?1",
            [no],
            |r| {
                let status: String = r.get(0)?;
                Ok(TicketState {
                    status: TicketStatus::from_name(&status).unwrap_or(TicketStatus::Submitted),
                    first_responder: r.get(1)?,
                    handler: r.get(2)?,
                    reply: r.get(3)?,
                    responded_at: r.get(4)?,
                    resolved_at: r.get(5)?,
                    closed_at: r.get(6)?,
                })
            },
        )
        .optional()?)
}

/// A staff action on a ticket: checked by the state machine, stored with a
/// log line, and `rev` bumped so the kiosk hears of it.
pub fn act(
    conn: &Connection,
    no: &str,
    actor: &str,
    action: &Action,
    now: i64,
) -> Result<TicketState, TicketError> {
    let no = TicketNo::parse(no).map(|t| t.to_string()).map_err(|_| TicketError::NotFound(no.to_owned()))?;
    let before = load_state(conn, &no)?.ok_or_else(|| TicketError::NotFound(no.clone()))?;
    let after = machine::apply(&before, actor, action, now)
        .map_err(|source| TicketError::Transition { no: no.clone(), source })?;
    conn.execute(
        "UPDATE tickets SET status = ?2, first_responder = ?3, handler = ?4, reply = ?5, responded_at = ?6,
           resolved_at = ?7, closed_at = ?8, rev = rev + 1, updated_at = ?9 WHERE ticket_no = ?1",
        params![
            no,
            after.status.name(),
            after.first_responder,
            after.handler,
            after.reply,
            after.responded_at,
            after.resolved_at,
            after.closed_at,
            now
        ],
    )?;
    let line = LogLine {
        at: now,
        actor: actor.trim(),
        action: action.name(),
        from: Some(before.status),
        to: after.status,
        note: action.note().trim(),
    };
    log(conn, &no, line)?;
    Ok(after)
}

/// The requester's full name and phone, for the call-back. Every look is
/// logged with who looked.
pub fn reveal_contact(
    conn: &Connection,
    no: &str,
    actor: &str,
    now: i64,
) -> Result<(Option<String>, String), TicketError> {
    if actor.trim().is_empty() {
        return Err(TicketError::Transition { no: no.to_owned(), source: TransitionError::NoActor });
    }
    let no = TicketNo::parse(no).map(|t| t.to_string()).map_err(|_| TicketError::NotFound(no.to_owned()))?;
    let (name, phone, status): (Option<String>, String, String) = conn
        .query_row(
            "SELECT r.name, r.phone, t.status FROM tickets t JOIN service_requests r USING (request_id)
             WHERE t.ticket_no = ?1",
            [&no],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?
        .ok_or_else(|| TicketError::NotFound(no.clone()))?;
    let status = TicketStatus::from_name(&status).unwrap_or(TicketStatus::Submitted);
    let line = LogLine {
        at: now,
        actor: actor.trim(),
        action: "reveal_contact",
        from: Some(status),
        to: status,
        note: "",
    };
    log(conn, &no, line)?;
    Ok((name, phone))
}
