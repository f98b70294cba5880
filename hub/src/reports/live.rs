//! The figures of the data centre's live feed (`kh/v1/_dc/minute`): one
//! minute of ingest and the county day so far, read from the aggregates
//! and tickets. `server/live.rs` publishes them once a minute.

use crate::store::StoreError;
use crate::tickets::records;
use protocol::messages::LiveMinute;
use rusqlite::Connection;
use std::collections::BTreeMap;

/// The figures for the minute starting at `minute` (Unix ms), as of `now`.
pub fn minute_figures(conn: &Connection, minute: i64, now: i64) -> Result<LiveMinute, StoreError> {
    let counts = |sql: &str, p: &dyn rusqlite::ToSql| -> Result<BTreeMap<String, u64>, StoreError> {
        let mut st = conn.prepare_cached(sql)?;
        let rows = st.query_map([p], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.max(0) as u64)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    };
    let day = protocol::county_time::iso_date_of(now);
    let (tickets_open, tickets_overdue) = records::open_and_overdue(conn, now)?;
    let (kiosks_online, kiosks_total): (i64, i64) = conn.query_row(
        "SELECT (SELECT count(*) FROM presence p JOIN kiosks k USING (kid) WHERE p.online AND k.revoked_at IS NULL),
                (SELECT count(*) FROM kiosks WHERE revoked_at IS NULL)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(LiveMinute {
        minute: minute.max(0) as u64,
        events: counts("SELECT kind, count FROM agg_minute WHERE minute = ?1", &minute)?,
        today: counts("SELECT kind, sum(count) FROM agg_kiosk_day WHERE day = ?1 GROUP BY kind", &day)?,
        parcels_today: counts(
            "SELECT direction, sum(parcels) FROM agg_parcel_day WHERE day = ?1 GROUP BY direction",
            &day,
        )?,
        day,
        tickets_open,
        tickets_overdue,
        kiosks_online: kiosks_online as u64,
        kiosks_total: kiosks_total as u64,
        ts: now.max(0) as u64,
    })
}
