//! The big screen's last figures, kept so that a screen restarted while the
//! hub is away shows them again (greyed, with their time) rather than an
//! empty wall. One row, replaced by each new message from the hub.

use super::StoreError;
use protocol::screen::ScreenFigures;
use rusqlite::{Connection, OptionalExtension};

/// Figures as the screen received them.
#[derive(Clone, Debug, PartialEq)]
pub struct Received {
    pub figures: ScreenFigures,
    /// When they arrived, by this device's clock (Unix ms): how stale they are.
    pub received_ms: u64,
}

pub fn save(conn: &Connection, r: &Received) -> Result<(), StoreError> {
    let body = serde_json::to_string(&r.figures).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    conn.prepare_cached(
        "INSERT INTO screen_figures(id, body, received_ms) VALUES (1, ?1, ?2)
         ON CONFLICT(id) DO UPDATE SET body = excluded.body, received_ms = excluded.received_ms",
    )?
    .execute(rusqlite::params![body, r.received_ms as i64])?;
    Ok(())
}

/// The last figures kept, if any. A row this version cannot read (written by
/// a newer one) counts as none: the next message from the hub replaces it.
pub fn load(conn: &Connection) -> Result<Option<Received>, StoreError> {
    let row = conn
        .prepare_cached("SELECT body, received_ms FROM screen_figures WHERE id = 1")?
        .query_row([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
        .optional()?;
    Ok(row.and_then(|(body, at)| match serde_json::from_str(&body) {
        Ok(figures) => Some(Received { figures, received_ms: at.max(0) as u64 }),
        Err(e) => {
            tracing::warn!(error = %e, "the kept big-screen figures are unreadable; waiting for the hub's");
            None
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_figures_survive_reopening_the_store() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("kiosk.db");
        let mut figures = ScreenFigures { ts: 7, day: "2026-12-01".into(), ..Default::default() };
        figures.today.insert("search".into(), 3);
        {
            let conn = super::super::open(&path).unwrap();
            assert_eq!(load(&conn).unwrap(), None);
            save(&conn, &Received { figures: ScreenFigures::default(), received_ms: 1 }).unwrap();
            save(&conn, &Received { figures: figures.clone(), received_ms: 9 }).unwrap();
        }
        let conn = super::super::open(&path).unwrap();
        assert_eq!(load(&conn).unwrap(), Some(Received { figures, received_ms: 9 }));
    }
}
