//! Messages refused by the hub: logged with kiosk and topic, and counted.

use crate::store::{StoreError, now_ms};
use rusqlite::{Connection, params};

pub fn count(conn: &Connection, kid: &str, topic: &str, reason: &str) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO rejects(kid, topic, reason, count, last_at) VALUES (?1, ?2, ?3, 1, ?4)
         ON CONFLICT(kid, topic, reason) DO UPDATE SET count = count + 1, last_at = excluded.last_at",
        params![kid, topic, reason, now_ms()],
    )?;
    Ok(())
}

/// Total refused messages, per kiosk (`?` for unparseable topics).
pub fn totals(conn: &Connection) -> Result<Vec<(String, String, String, u64)>, StoreError> {
    let mut st = conn.prepare("SELECT kid, topic, reason, count FROM rejects ORDER BY kid, topic, reason")?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
