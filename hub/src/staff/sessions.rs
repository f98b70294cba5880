//! Console sessions. The browser holds a random token in an HttpOnly,
//! SameSite=Strict cookie; the store keeps only the token's SHA-256 (a copy
//! of the database opens no session), the account's name, and the session's
//! CSRF token, which every form must carry back. A session ends at logout,
//! after an hour without use, after twelve hours in any case, and as soon as
//! its account is disabled or reset.

use super::accounts::{self, Account};
use crate::store::StoreError;
use rusqlite::{Connection, OptionalExtension, params};

/// A session unused this long has ended.
pub const IDLE_MS: i64 = 60 * 60 * 1000;
/// No session lasts longer than this.
pub const MAX_AGE_MS: i64 = 12 * 60 * 60 * 1000;

/// A live session: who, and the token its forms must carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub account: Account,
    pub csrf: String,
    /// When it was last used (it is touched at most once a minute).
    pub last_seen: i64,
}

fn digest(token: &str) -> String {
    protocol::sha256_hex(token.as_bytes())
}

/// A random token: 32 bytes, hex.
pub fn new_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// Start a session for `name`: the cookie's token.
pub fn create(conn: &Connection, name: &str, now: i64) -> Result<String, StoreError> {
    let token = new_token();
    conn.execute(
        "INSERT INTO staff_sessions(token_sha256, name, csrf, created_at, last_seen) VALUES (?1, ?2, ?3, ?4, ?4)",
        params![digest(&token), name, new_token(), now],
    )?;
    Ok(token)
}

/// The session of this cookie token, if it is alive and its account may
/// still log in.
pub fn find(conn: &Connection, token: &str, now: i64) -> Result<Option<Session>, StoreError> {
    let found: Option<(String, String, i64, i64)> = conn
        .prepare_cached(
            "SELECT name, csrf, created_at, last_seen FROM staff_sessions WHERE token_sha256 = ?1",
        )?
        .query_row([digest(token)], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    let Some((name, csrf, created_at, last_seen)) = found else { return Ok(None) };
    if now - last_seen > IDLE_MS || now - created_at > MAX_AGE_MS {
        return Ok(None);
    }
    Ok(accounts::get(conn, &name)?.filter(|a| !a.disabled).map(|account| Session {
        account,
        csrf,
        last_seen,
    }))
}

/// The session was used now (kept alive).
pub fn touch(conn: &Connection, token: &str, now: i64) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE staff_sessions SET last_seen = ?2 WHERE token_sha256 = ?1",
        params![digest(token), now],
    )?;
    Ok(())
}

/// Logout.
pub fn end(conn: &Connection, token: &str) -> Result<(), StoreError> {
    conn.execute("DELETE FROM staff_sessions WHERE token_sha256 = ?1", [digest(token)])?;
    Ok(())
}

/// Every session of an account (disabled, reset, its password changed).
pub fn end_all(conn: &Connection, name: &str) -> Result<(), StoreError> {
    conn.execute("DELETE FROM staff_sessions WHERE name = ?1", [name])?;
    Ok(())
}

/// Forget sessions that have ended by time.
pub fn sweep(conn: &Connection, now: i64) -> Result<usize, StoreError> {
    Ok(conn.execute(
        "DELETE FROM staff_sessions WHERE last_seen < ?1 OR created_at < ?2",
        params![now - IDLE_MS, now - MAX_AGE_MS],
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::staff::roles::Role;

    #[test]
    fn sessions_end_by_logout_idleness_age_and_the_account() {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::store::open_write(&crate::store::DataDir::new(dir.path()).unwrap()).unwrap();
        accounts::add(&conn, "李强", Role::Viewer, "h", 0).unwrap();
        let t = create(&conn, "李强", 0).unwrap();
        let stored: String =
            conn.query_row("SELECT token_sha256 FROM staff_sessions", [], |r| r.get(0)).unwrap();
        assert_ne!(stored, t, "only the token's hash is stored");
        let s = find(&conn, &t, 1).unwrap().unwrap();
        assert_eq!(s.account.name, "李强");
        assert_eq!(s.csrf.len(), 64);
        assert!(find(&conn, &t, IDLE_MS + 1).unwrap().is_none(), "idle too long");
        touch(&conn, &t, IDLE_MS).unwrap();
        assert!(find(&conn, &t, IDLE_MS + 1).unwrap().is_some(), "kept alive");
        assert!(find(&conn, &t, MAX_AGE_MS + 1).unwrap().is_none(), "too old, however used");
        assert!(find(&conn, "not a token", 1).unwrap().is_none());
        accounts::disable(&conn, "李强", 2).unwrap();
        assert!(find(&conn, &t, 3).unwrap().is_none(), "a disabled account's sessions end");
        let t2 = create(&conn, "李强", 4).unwrap();
        end(&conn, &t2).unwrap();
        assert!(find(&conn, &t2, 5).unwrap().is_none());
    }
}
