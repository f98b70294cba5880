//! What the centre reads: each session with its figures, and a session's
//! roster. Phones are masked unless revealed, and a reveal is logged with
//! who looked.

use super::sessions;
use crate::reports::table::{Cell, Report};
use crate::store::StoreError;
use protocol::county_time::minute_text;
use protocol::privacy::mask_phone;
use rusqlite::{Connection, params};
use std::collections::BTreeMap;

/// Every session of the newest catalog with its sign-ups by status.
pub fn sessions(conn: &Connection) -> Result<Report, StoreError> {
    let mut counts: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut st = conn.prepare_cached("SELECT session_id, status, count(*) FROM signups GROUP BY 1, 2")?;
    for row in
        st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?)))?
    {
        let (s, status, n) = row?;
        counts.insert((s, status), n);
    }
    let n = |s: &str, status: &str| {
        Cell::Int(counts.get(&(s.to_owned(), status.to_owned())).copied().unwrap_or(0))
    };
    let mut r = Report::new(&[
        "session",
        "course",
        "kind",
        "audience",
        "starts",
        "place",
        "signup",
        "seats",
        "confirmed",
        "waitlisted",
        "attended",
        "cancelled",
        "refused",
    ]);
    for f in sessions::all(conn)? {
        let s = &f.session;
        let (title, kind, audience) = match &f.course {
            Some(c) => (c.title_zh.clone(), c.kind.as_str(), c.audience.as_str()),
            None => (s.course_id.clone(), "", ""),
        };
        let way = serde_json::to_value(s.signup).ok().and_then(|v| v.as_str().map(str::to_owned));
        r.push(vec![
            s.id.as_str().into(),
            title.into(),
            kind.into(),
            audience.into(),
            minute_text(s.starts_at as i64).into(),
            s.place_zh.as_str().into(),
            way.unwrap_or_default().into(),
            Cell::Int(i64::from(s.seats)),
            n(&s.id, "confirmed"),
            n(&s.id, "waitlisted"),
            n(&s.id, "attended"),
            n(&s.id, "cancelled"),
            n(&s.id, "refused"),
        ]);
    }
    Ok(r)
}

/// One sign-up of a roster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RosterRow {
    pub signup_id: String,
    /// As printed on the receipt (grouped).
    pub number: String,
    pub status: String,
    /// The place on the waiting list, for those waiting.
    pub waitlist: Option<i64>,
    pub town: String,
    /// Masked unless revealed.
    pub phone: String,
    pub taken_at: i64,
    pub kiosk: String,
}

/// A session's sign-ups in the order they arrived. `None` for a session
/// with no sign-ups that the newest catalog does not offer either.
pub fn roster_rows(
    conn: &Connection,
    session_id: &str,
    reveal: bool,
) -> Result<Option<Vec<RosterRow>>, StoreError> {
    let mut st = conn.prepare_cached(
        "SELECT number, status, town, phone, taken_at, kid, signup_id,
                CASE WHEN status = 'waitlisted' THEN
                  (SELECT count(*) FROM signups w WHERE w.session_id = s.session_id
                     AND w.status = 'waitlisted' AND w.arrival <= s.arrival) END
         FROM signups s WHERE session_id = ?1 ORDER BY arrival",
    )?;
    let rows = st
        .query_map([session_id], |row| {
            let number: String = row.get(0)?;
            let phone: String = row.get(3)?;
            Ok(RosterRow {
                number: protocol::TicketNo::parse(&number).map(|t| t.grouped()).unwrap_or(number),
                status: row.get(1)?,
                town: row.get(2)?,
                phone: if reveal { phone } else { mask_phone(&phone) },
                taken_at: row.get(4)?,
                kiosk: row.get(5)?,
                signup_id: row.get(6)?,
                waitlist: row.get(7)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    if rows.is_empty() && sessions::find(conn, session_id)?.is_none() {
        return Ok(None);
    }
    Ok(Some(rows))
}

/// [`roster_rows`] as a report (the CLI's table, CSV and JSON).
pub fn roster(conn: &Connection, session_id: &str, reveal: bool) -> Result<Option<Report>, StoreError> {
    let Some(rows) = roster_rows(conn, session_id, reveal)? else { return Ok(None) };
    let mut r =
        Report::new(&["number", "status", "waitlist", "town", "phone", "taken_at", "kiosk", "signup_id"]);
    for x in rows {
        r.push(vec![
            x.number.into(),
            x.status.into(),
            x.waitlist.map(Cell::Int).unwrap_or_else(|| "".into()),
            x.town.into(),
            x.phone.into(),
            minute_text(x.taken_at).into(),
            x.kiosk.into(),
            x.signup_id.into(),
        ]);
    }
    Ok(Some(r))
}

/// Seats left and people waiting at every session of the newest catalog
/// that takes sign-ups at kiosks and has not closed them by `now`.
pub fn seats_left(conn: &Connection, now: i64) -> Result<protocol::messages::SeatsLeft, StoreError> {
    use protocol::messages::{SeatsLeft, SessionSeats};
    let mut st = conn.prepare_cached(
        "SELECT count(*) FILTER (WHERE status IN ('confirmed', 'attended')), count(*) FILTER (WHERE status = 'waitlisted')
         FROM signups WHERE session_id = ?1",
    )?;
    let mut out = SeatsLeft { ts: now.max(0) as u64, sessions: BTreeMap::new() };
    for f in sessions::all(conn)? {
        let s = &f.session;
        if s.signup != protocol::catalog::SignupWay::Kiosk || s.signup_closes_at as i64 <= now {
            continue;
        }
        let (seated, waiting): (u32, u32) = st.query_row([&s.id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        out.sessions.insert(s.id.clone(), SessionSeats { left: s.seats.saturating_sub(seated), waiting });
    }
    Ok(out)
}

/// Record that `actor` saw a session's full phone numbers.
pub fn log_reveal(conn: &Connection, session_id: &str, actor: &str, now: i64) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO signup_log(at, actor, action, session_id, signup_id, detail) VALUES (?1, ?2, 'reveal_contacts', ?3, NULL, '')",
        params![now, actor, session_id],
    )?;
    Ok(())
}
