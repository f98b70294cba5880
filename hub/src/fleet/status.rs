//! The fleet view behind `hub kiosks`: registry joined with presence,
//! rollout and refused-message counts.

use crate::catalog::publish::desired_version;
use crate::store::StoreError;
use rusqlite::Connection;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct KioskRow {
    pub kiosk: String,
    pub group: String,
    /// As it was set up (`hub fleet new --role`); none for older kiosks.
    pub role: Option<String>,
    /// Part of the ticket numbers this kiosk makes.
    pub station_no: Option<u16>,
    /// The town it stands in, as registered (`hub fleet new --town`).
    pub town: Option<String>,
    /// online, offline, or never (registered but never seen).
    pub state: String,
    pub since: Option<i64>,
    pub last_seen: Option<i64>,
    pub catalog_version: Option<u64>,
    pub desired_version: Option<u64>,
    /// The job state for the desired version (queued, downloading, applied, failed, timed_out).
    pub sync_state: Option<String>,
    /// The job's bytes so far and in all.
    pub sync_bytes: Option<(u64, u64)>,
    pub outbox_depth: Option<u64>,
    pub app_version: Option<String>,
    pub refused: u64,
    /// Events ingested from this kiosk.
    pub events: u64,
    /// At its last birth (see `fleet::presence::drift`): negative when the
    /// kiosk lost its database, positive when acked events were lost.
    pub drift: i64,
    /// Events written off: lost at the hub (restored from an old backup) and
    /// no longer held by the kiosk.
    pub lost: u64,
}

pub fn list(conn: &Connection) -> Result<Vec<KioskRow>, StoreError> {
    let mut st = conn.prepare(
        "SELECT k.kid, k.group_name, p.online, p.since, p.last_seen, p.catalog_version, p.outbox_depth, p.app_version,
                (SELECT coalesce(sum(count), 0) FROM rejects r WHERE r.kid = k.kid),
                (SELECT coalesce(events, 0) FROM kiosk_seq s WHERE s.kid = k.kid), coalesce(p.drift, 0), k.station_no,
                k.role, (SELECT coalesce(lost, 0) FROM kiosk_seq s WHERE s.kid = k.kid), k.town
         FROM kiosks k LEFT JOIN presence p ON p.kid = k.kid
         WHERE k.revoked_at IS NULL ORDER BY k.group_name, k.kid",
    )?;
    let rows = st
        .query_map([], |r| {
            let online: Option<bool> = r.get(2)?;
            Ok(KioskRow {
                kiosk: r.get(0)?,
                group: r.get(1)?,
                role: r.get(12)?,
                station_no: r.get(11)?,
                town: r.get(14)?,
                state: match online {
                    Some(true) => "online",
                    Some(false) => "offline",
                    None => "never",
                }
                .into(),
                since: r.get(3)?,
                last_seen: r.get(4)?,
                catalog_version: r.get::<_, Option<u64>>(5)?.filter(|v| *v > 0),
                desired_version: None,
                sync_state: None,
                sync_bytes: None,
                outbox_depth: r.get(6)?,
                app_version: r.get(7)?,
                refused: r.get(8)?,
                events: r.get::<_, Option<u64>>(9)?.unwrap_or(0),
                drift: r.get(10)?,
                lost: r.get::<_, Option<u64>>(13)?.unwrap_or(0),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = Vec::with_capacity(rows.len());
    for mut row in rows {
        row.desired_version = desired_version(conn, &row.group)?;
        if let Some(v) = row.desired_version {
            if let Ok((state, done, total)) = conn.query_row(
                "SELECT state, bytes_done, bytes_total FROM sync_jobs WHERE kid = ?1 AND version = ?2",
                rusqlite::params![row.kiosk, v],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, u64>(1)?, r.get::<_, u64>(2)?)),
            ) {
                row.sync_state = Some(state);
                row.sync_bytes = Some((done, total));
            }
        }
        out.push(row);
    }
    Ok(out)
}
