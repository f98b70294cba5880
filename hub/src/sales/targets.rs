//! The county's targets for its online figures, set by the data centre
//! (`hub data target`) and shown beside the figures on the big screen. The
//! plan's headline: at least 100 enterprises selling online (网络经营主体).

use crate::store::StoreError;
use rusqlite::{Connection, OptionalExtension, params};

/// Enterprises selling online in a month.
pub const ENTERPRISES_ONLINE: &str = "enterprises_online";

/// A target's value, if set.
pub fn get(conn: &Connection, name: &str) -> Result<Option<u64>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT value FROM sales_targets WHERE name = ?1")?
        .query_row([name], |r| r.get::<_, i64>(0))
        .optional()?
        .map(|v| v.max(0) as u64))
}

/// Set a target (`None`: no target), recording who set it and when.
pub fn set(conn: &Connection, name: &str, value: Option<u64>, by: &str, now: i64) -> Result<(), StoreError> {
    match value {
        Some(v) => conn.execute(
            "INSERT INTO sales_targets(name, value, set_by, set_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(name) DO UPDATE SET value = excluded.value, set_by = excluded.set_by,
                                             set_at = excluded.set_at",
            params![name, v as i64, by, now],
        )?,
        None => conn.execute("DELETE FROM sales_targets WHERE name = ?1", [name])?,
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_is_set_replaced_and_cleared() {
        let tmp = tempfile::tempdir().unwrap();
        let conn = crate::store::open_write(&crate::store::DataDir::new(tmp.path()).unwrap()).unwrap();
        assert_eq!(get(&conn, ENTERPRISES_ONLINE).unwrap(), None);
        set(&conn, ENTERPRISES_ONLINE, Some(100), "王芳", 1).unwrap();
        set(&conn, ENTERPRISES_ONLINE, Some(120), "王芳", 2).unwrap();
        assert_eq!(get(&conn, ENTERPRISES_ONLINE).unwrap(), Some(120));
        set(&conn, ENTERPRISES_ONLINE, None, "王芳", 3).unwrap();
        assert_eq!(get(&conn, ENTERPRISES_ONLINE).unwrap(), None);
    }
}
