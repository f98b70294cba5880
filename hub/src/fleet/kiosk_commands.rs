//! Commands from centre staff to one kiosk (`hub kiosks command`): the CLI
//! queues a row, the serving hub sends it while the kiosk is online and
//! records the kiosk's answer (and a screenshot's PNG) in the same row.
//! A command not sent before it expires is answered "expired" by the hub.

use crate::store::StoreError;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use std::collections::BTreeMap;

/// A command as the CLI shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CommandRow {
    pub cid: String,
    pub kid: String,
    pub name: String,
    pub args: BTreeMap<String, String>,
    pub created_at: i64,
    pub expires: i64,
    pub sent_at: Option<i64>,
    pub done_at: Option<i64>,
    pub ok: Option<bool>,
    pub detail: Option<String>,
    /// A file the answer carried, relative to the data folder.
    pub file: Option<String>,
}

/// Queue a command; returns its id.
pub fn queue(
    conn: &Connection,
    kid: &str,
    name: &str,
    args: &BTreeMap<String, String>,
    now: i64,
    expires: i64,
) -> Result<String, StoreError> {
    let cid = hex::encode(rand::random::<[u8; 8]>());
    conn.execute(
        "INSERT INTO commands(cid, kid, name, args, created_at, expires) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![cid, kid, name, serde_json::to_string(args).expect("a string map serialises"), now, expires],
    )?;
    Ok(cid)
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CommandRow> {
    let args: String = r.get(3)?;
    Ok(CommandRow {
        cid: r.get(0)?,
        kid: r.get(1)?,
        name: r.get(2)?,
        args: serde_json::from_str(&args).unwrap_or_default(),
        created_at: r.get(4)?,
        expires: r.get(5)?,
        sent_at: r.get(6)?,
        done_at: r.get(7)?,
        ok: r.get(8)?,
        detail: r.get(9)?,
        file: r.get(10)?,
    })
}

const COLUMNS: &str = "cid, kid, name, args, created_at, expires, sent_at, done_at, ok, detail, file";

pub fn get(conn: &Connection, cid: &str) -> Result<Option<CommandRow>, StoreError> {
    Ok(conn.query_row(&format!("SELECT {COLUMNS} FROM commands WHERE cid = ?1"), [cid], row).optional()?)
}

/// Commands to send now: not sent, not expired, to a kiosk that is online.
pub fn to_send(conn: &Connection, now: i64) -> Result<Vec<CommandRow>, StoreError> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM commands c
         WHERE sent_at IS NULL AND done_at IS NULL AND expires > ?1
           AND EXISTS (SELECT 1 FROM presence p WHERE p.kid = c.kid AND p.online = 1)
         ORDER BY created_at"
    ))?;
    let rows = st.query_map([now], row)?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub fn mark_sent(conn: &Connection, cid: &str, now: i64) -> Result<(), StoreError> {
    conn.execute("UPDATE commands SET sent_at = ?2 WHERE cid = ?1", params![cid, now])?;
    Ok(())
}

/// The kiosk's answer, once: a repeated answer changes nothing. Only the
/// kiosk the command went to can answer it.
pub fn answered(
    conn: &Connection,
    kid: &str,
    cid: &str,
    ok: bool,
    detail: &str,
    file: Option<&str>,
    now: i64,
) -> Result<bool, StoreError> {
    let n = conn.execute(
        "UPDATE commands SET done_at = ?3, ok = ?4, detail = ?5, file = ?6
         WHERE cid = ?1 AND kid = ?2 AND done_at IS NULL",
        params![cid, kid, now, ok, detail, file],
    )?;
    Ok(n == 1)
}

/// The newest screenshot a kiosk sent: its command id and the file,
/// relative to the data folder.
pub fn latest_screenshot(conn: &Connection, kid: &str) -> Result<Option<(String, String, i64)>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT cid, file, done_at FROM commands WHERE kid = ?1 AND name = 'screenshot' AND ok = 1
               AND file IS NOT NULL ORDER BY done_at DESC LIMIT 1",
        )?
        .query_row([kid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?)
}

/// Answer "expired" for commands whose kiosk never came online in time.
pub fn expire(conn: &Connection, now: i64) -> Result<usize, StoreError> {
    Ok(conn.execute(
        "UPDATE commands SET done_at = ?1, ok = 0,
           detail = CASE WHEN sent_at IS NULL THEN 'expired: the kiosk was not online' ELSE 'expired: sent, never answered' END
         WHERE done_at IS NULL AND expires <= ?1",
        [now],
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let data = crate::store::DataDir::new(dir.path()).unwrap();
        let conn = crate::store::open_write(&data).unwrap();
        (dir, conn)
    }

    #[test]
    fn queued_sent_only_while_online_answered_once_or_expired() {
        let (_dir, c) = db();
        let args = BTreeMap::from([("lang".to_owned(), "en".to_owned())]);
        let a = queue(&c, "k1", "set-language", &args, 1_000, 31_000).unwrap();
        let b = queue(&c, "k2", "screenshot", &BTreeMap::new(), 1_000, 31_000).unwrap();
        assert!(to_send(&c, 2_000).unwrap().is_empty(), "nobody is online");
        c.execute(
            "INSERT INTO presence(kid, online, session, since, last_seen) VALUES ('k1', 1, 1, 0, 0)",
            [],
        )
        .unwrap();
        let due = to_send(&c, 2_000).unwrap();
        assert_eq!(due.iter().map(|r| r.cid.as_str()).collect::<Vec<_>>(), [a.as_str()]);
        assert_eq!(due[0].args, args);
        mark_sent(&c, &a, 2_500).unwrap();
        assert!(to_send(&c, 3_000).unwrap().is_empty());
        assert!(!answered(&c, "k2", &a, true, "forged", None, 3_000).unwrap(), "another kiosk cannot answer");
        assert!(answered(&c, "k1", &a, true, "language en", None, 3_000).unwrap());
        assert!(!answered(&c, "k1", &a, false, "again", None, 3_100).unwrap(), "answered once");
        assert_eq!(get(&c, &a).unwrap().unwrap().detail.as_deref(), Some("language en"));
        assert_eq!(expire(&c, 40_000).unwrap(), 1);
        let late = get(&c, &b).unwrap().unwrap();
        assert_eq!(
            (late.ok, late.detail.as_deref()),
            (Some(false), Some("expired: the kiosk was not online"))
        );
    }
}
