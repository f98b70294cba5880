//! The data centre's live feed: once a minute, the last complete minute of
//! ingest and the county day so far, retained on `kh/v1/_dc/minute`.
//!
//! Everything comes from the store (per-minute counts are written in the
//! ingest transaction), so a hub restart neither loses nor repeats a minute's
//! figures; the feed just resumes with the next minute.

use super::Ctx;
use crate::ingest::county_day;
use crate::store::{StoreError, now_ms};
use crate::tickets::records;
use protocol::Topic;
use protocol::messages::LiveMinute;
use rusqlite::Connection;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Commits of batches received just before a minute ends land a moment
/// after it; wait this long before reading the minute.
const SETTLE_MS: i64 = 2_000;

pub const TOPIC: &str = "minute";

/// The figures for the minute starting at `minute` (Unix ms), as of `now`.
pub fn minute_figures(conn: &Connection, minute: i64, now: i64) -> Result<LiveMinute, StoreError> {
    let counts = |sql: &str, p: &dyn rusqlite::ToSql| -> Result<BTreeMap<String, u64>, StoreError> {
        let mut st = conn.prepare_cached(sql)?;
        let rows = st.query_map([p], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.max(0) as u64)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    };
    let day = county_day(now);
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

/// Publish the last complete minute once it has settled and was not sent yet.
pub(crate) async fn publish_if_due(ctx: &Arc<Ctx>, last_sent: &mut i64) {
    let now = now_ms();
    let minute = (now - SETTLE_MS).div_euclid(60_000) * 60_000 - 60_000;
    if minute <= *last_sent {
        return;
    }
    match ctx.read(|c| minute_figures(c, minute, now)) {
        Ok(figures) => {
            ctx.link.send_hub(&Topic::DataCentre(TOPIC.into()), &figures, true).await;
            *last_sent = minute;
        }
        Err(e) => tracing::error!(error = %e, "cannot compute the live feed"),
    }
}
