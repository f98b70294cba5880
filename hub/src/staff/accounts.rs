//! Staff accounts: a name (as colleagues and villagers know the person), a
//! role, and a password kept only as an argon2id hash. An account starts
//! with a one-time password that must be changed at first login; five
//! wrong passwords in a row lock it for a quarter of an hour. Every
//! change and every refusal is written to `staff_log` and the log.
//!
//! Hashing is slow on purpose, so it never runs on the store's writer
//! thread: callers hash or verify first, then record the outcome here.

use super::roles::Role;
use crate::store::StoreError;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rusqlite::{Connection, OptionalExtension, params};

/// Wrong passwords in a row before the account rests.
pub const MAX_FAILURES: u32 = 5;
/// How long a locked account rests.
pub const LOCK_MS: i64 = 15 * 60 * 1000;
/// The shortest password staff may choose.
pub const MIN_PASSWORD_CHARS: usize = 10;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub name: String,
    pub role: Role,
    /// The one-time password is still in use: change it before anything else.
    pub must_change: bool,
    pub disabled: bool,
    pub locked_until: Option<i64>,
    pub created_at: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{0:?} is not a usable name: 1 to 32 characters, no spaces at either end, no control characters")]
    BadName(String),
    #[error("there is already an account {0}")]
    Exists(String),
    #[error("there is no account {0} (`hub staff list` shows them)")]
    Unknown(String),
    #[error("a password needs at least {MIN_PASSWORD_CHARS} characters and must not be the account's name")]
    WeakPassword,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for AccountError {
    fn from(e: rusqlite::Error) -> Self {
        AccountError::Store(e.into())
    }
}

/// Why a login was refused. The login page says the same for an unknown
/// name and a wrong password, so it cannot be used to find names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    WrongNameOrPassword,
    /// Until this time (Unix ms).
    Locked(i64),
    Disabled,
}

pub fn check_name(name: &str) -> Result<(), AccountError> {
    let ok = !name.is_empty()
        && name.chars().count() <= 32
        && name.trim() == name
        && !name.chars().any(char::is_control);
    if ok { Ok(()) } else { Err(AccountError::BadName(name.to_owned())) }
}

/// Whether `password` may become `name`'s password.
pub fn check_new_password(name: &str, password: &str) -> Result<(), AccountError> {
    if password.chars().count() < MIN_PASSWORD_CHARS || password.trim() == name {
        return Err(AccountError::WeakPassword);
    }
    Ok(())
}

/// An argon2id hash in PHC form (`$argon2id$v=19$m=…`), with a random salt.
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>()).expect("16 bytes encode as a salt");
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2id with its default parameters hashes any password")
        .to_string()
}

pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .is_ok_and(|h| argon2::Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A one-time password to read out or hand over: twelve characters from an
/// alphabet without look-alikes (no 0/O, 1/l/I).
pub fn one_time_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789";
    (0..12).map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char).collect()
}

/// A line of `staff_log`.
pub fn log(conn: &Connection, name: &str, event: &str, detail: &str, now: i64) -> Result<(), StoreError> {
    conn.prepare_cached("INSERT INTO staff_log(at, name, event, detail) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![now, name, event, detail])?;
    Ok(())
}

fn row(r: &rusqlite::Row) -> rusqlite::Result<Account> {
    let role: String = r.get(1)?;
    Ok(Account {
        name: r.get(0)?,
        role: Role::from_name(&role).unwrap_or(Role::Viewer),
        must_change: r.get(2)?,
        disabled: r.get::<_, Option<i64>>(3)?.is_some(),
        locked_until: r.get(4)?,
        created_at: r.get(5)?,
    })
}

const COLUMNS: &str = "name, role, must_change, disabled_at, locked_until, created_at";

pub fn get(conn: &Connection, name: &str) -> Result<Option<Account>, StoreError> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM staff WHERE name = ?1"))?
        .query_row([name], row)
        .optional()?)
}

pub fn list(conn: &Connection) -> Result<Vec<Account>, StoreError> {
    let mut st = conn.prepare(&format!("SELECT {COLUMNS} FROM staff ORDER BY name"))?;
    let rows = st.query_map([], row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The stored hash, for the caller to verify a password against.
pub fn password_hash(conn: &Connection, name: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT password_hash FROM staff WHERE name = ?1")?
        .query_row([name], |r| r.get(0))
        .optional()?)
}

/// A new account with the one-time password whose hash is `hash`.
pub fn add(conn: &Connection, name: &str, role: Role, hash: &str, now: i64) -> Result<(), AccountError> {
    check_name(name)?;
    if get(conn, name)?.is_some() {
        return Err(AccountError::Exists(name.to_owned()));
    }
    conn.execute(
        "INSERT INTO staff(name, role, password_hash, must_change, created_at) VALUES (?1, ?2, ?3, 1, ?4)",
        params![name, role.name(), hash, now],
    )?;
    log(conn, name, "created", role.name(), now)?;
    Ok(())
}

/// A new one-time password (hash `hash`): the account is unlocked and
/// enabled again, and every session it had ends.
pub fn reset(conn: &Connection, name: &str, hash: &str, now: i64) -> Result<(), AccountError> {
    let n = conn.execute(
        "UPDATE staff SET password_hash = ?2, must_change = 1, failures = 0, locked_until = NULL,
           disabled_at = NULL WHERE name = ?1",
        params![name, hash],
    )?;
    if n == 0 {
        return Err(AccountError::Unknown(name.to_owned()));
    }
    super::sessions::end_all(conn, name)?;
    log(conn, name, "reset", "", now)?;
    Ok(())
}

/// No more logins; every session the account had ends.
pub fn disable(conn: &Connection, name: &str, now: i64) -> Result<(), AccountError> {
    let n = conn.execute("UPDATE staff SET disabled_at = ?2 WHERE name = ?1", params![name, now])?;
    if n == 0 {
        return Err(AccountError::Unknown(name.to_owned()));
    }
    super::sessions::end_all(conn, name)?;
    log(conn, name, "disabled", "", now)?;
    Ok(())
}

/// Record a login attempt whose password check gave `password_ok`: the
/// account if it may come in, or why not (five failures in a row lock it).
pub fn record_login(
    conn: &Connection,
    name: &str,
    password_ok: bool,
    now: i64,
) -> Result<Result<Account, Refusal>, StoreError> {
    let Some(account) = get(conn, name)? else {
        log(conn, name, "login refused", "no such account", now)?;
        return Ok(Err(Refusal::WrongNameOrPassword));
    };
    if account.disabled {
        log(conn, name, "login refused", "disabled", now)?;
        return Ok(Err(Refusal::Disabled));
    }
    if let Some(until) = account.locked_until.filter(|u| *u > now) {
        log(conn, name, "login refused", "locked", now)?;
        return Ok(Err(Refusal::Locked(until)));
    }
    if password_ok {
        conn.execute("UPDATE staff SET failures = 0, locked_until = NULL WHERE name = ?1", [name])?;
        log(conn, name, "login", "", now)?;
        return Ok(Ok(Account { locked_until: None, ..account }));
    }
    let failures: u32 = conn.query_row(
        "UPDATE staff SET failures = failures + 1 WHERE name = ?1 RETURNING failures",
        [name],
        |r| r.get(0),
    )?;
    if failures >= MAX_FAILURES {
        let until = now + LOCK_MS;
        conn.execute(
            "UPDATE staff SET failures = 0, locked_until = ?2 WHERE name = ?1",
            params![name, until],
        )?;
        log(conn, name, "locked", &format!("{MAX_FAILURES} wrong passwords"), now)?;
        tracing::warn!(account = name, "staff account locked after {MAX_FAILURES} wrong passwords");
        return Ok(Err(Refusal::Locked(until)));
    }
    log(conn, name, "login refused", "wrong password", now)?;
    tracing::warn!(account = name, failures, "wrong staff password");
    Ok(Err(Refusal::WrongNameOrPassword))
}

/// The account's own new password (hash `hash`, checked by the caller).
pub fn set_password(conn: &Connection, name: &str, hash: &str, now: i64) -> Result<(), AccountError> {
    let n = conn.execute(
        "UPDATE staff SET password_hash = ?2, must_change = 0 WHERE name = ?1 AND disabled_at IS NULL",
        params![name, hash],
    )?;
    if n == 0 {
        return Err(AccountError::Unknown(name.to_owned()));
    }
    log(conn, name, "password changed", "", now)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::store::open_write(&crate::store::DataDir::new(dir.path()).unwrap()).unwrap();
        (dir, conn)
    }

    #[test]
    fn passwords_are_argon2id_and_checked() {
        let h = hash_password("correct horse");
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password(&h, "correct horse"));
        assert!(!verify_password(&h, "correct horsE"));
        assert_ne!(hash_password("correct horse"), h, "salted");
        assert!(check_new_password("王芳", "short").is_err());
        assert!(check_new_password("wangfang10", "wangfang10").is_err());
        assert!(check_new_password("王芳", "一二三四五六七八九十").is_ok());
        let otp = one_time_password();
        assert_eq!(otp.len(), 12);
        assert!(!otp.contains(['0', 'O', '1', 'l', 'I']));
    }

    #[test]
    fn five_wrong_passwords_lock_the_account_and_a_reset_lets_it_in() {
        let (_dir, conn) = store();
        add(&conn, "王芳", Role::Tickets, "h", 0).unwrap();
        assert!(matches!(add(&conn, "王芳", Role::Admin, "h", 0), Err(AccountError::Exists(_))));
        assert!(matches!(add(&conn, " x", Role::Admin, "h", 0), Err(AccountError::BadName(_))));
        for _ in 0..4 {
            assert_eq!(record_login(&conn, "王芳", false, 10).unwrap(), Err(Refusal::WrongNameOrPassword));
        }
        assert_eq!(record_login(&conn, "王芳", false, 10).unwrap(), Err(Refusal::Locked(10 + LOCK_MS)));
        assert_eq!(
            record_login(&conn, "王芳", true, 20).unwrap(),
            Err(Refusal::Locked(10 + LOCK_MS)),
            "even right"
        );
        let a = record_login(&conn, "王芳", true, 11 + LOCK_MS).unwrap().unwrap();
        assert!(a.must_change && a.role == Role::Tickets);
        assert_eq!(record_login(&conn, "nobody", true, 0).unwrap(), Err(Refusal::WrongNameOrPassword));
        disable(&conn, "王芳", 30).unwrap();
        assert_eq!(record_login(&conn, "王芳", true, 31 + LOCK_MS).unwrap(), Err(Refusal::Disabled));
        reset(&conn, "王芳", "h2", 40).unwrap();
        assert!(record_login(&conn, "王芳", true, 41 + LOCK_MS).unwrap().is_ok());
        let events: Vec<String> = conn
            .prepare("SELECT event FROM staff_log WHERE name = '王芳' ORDER BY rowid")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            events.contains(&"locked".to_owned()) && events.contains(&"disabled".to_owned()),
            "{events:?}"
        );
        assert_eq!(events.iter().filter(|e| *e == "login refused").count(), 6);
    }
}
