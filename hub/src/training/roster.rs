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

/// A session's sign-ups in the order they arrived. `None` for a session
/// with no sign-ups that the newest catalog does not offer either.
pub fn roster(conn: &Connection, session_id: &str, reveal: bool) -> Result<Option<Report>, StoreError> {
    let mut r =
        Report::new(&["number", "status", "waitlist", "town", "phone", "taken_at", "kiosk", "signup_id"]);
    let mut st = conn.prepare_cached(
        "SELECT number, status, town, phone, taken_at, kid, signup_id,
                CASE WHEN status = 'waitlisted' THEN
                  (SELECT count(*) FROM signups w WHERE w.session_id = s.session_id
                     AND w.status = 'waitlisted' AND w.arrival <= s.arrival) END
         FROM signups s WHERE session_id = ?1 ORDER BY arrival",
    )?;
    let rows = st.query_map([session_id], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, i64>(4)?,
            row.get::<_, String>(5)?,
            row.get::<_, String>(6)?,
            row.get::<_, Option<i64>>(7)?,
        ))
    })?;
    for row in rows {
        let (number, status, town, phone, taken_at, kid, id, place) = row?;
        let number = protocol::TicketNo::parse(&number).map(|t| t.grouped()).unwrap_or(number);
        r.push(vec![
            number.into(),
            status.into(),
            place.map(Cell::Int).unwrap_or_else(|| "".into()),
            town.into(),
            if reveal { phone } else { mask_phone(&phone) }.into(),
            minute_text(taken_at).into(),
            kid.into(),
            id.into(),
        ]);
    }
    if r.rows.is_empty() && sessions::find(conn, session_id)?.is_none() {
        return Ok(None);
    }
    Ok(Some(r))
}

/// Record that `actor` saw a session's full phone numbers.
pub fn log_reveal(conn: &Connection, session_id: &str, actor: &str, now: i64) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO signup_log(at, actor, action, session_id, signup_id, detail) VALUES (?1, ?2, 'reveal_contacts', ?3, NULL, '')",
        params![now, actor, session_id],
    )?;
    Ok(())
}
