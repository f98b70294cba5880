//! The kiosk registry: which kiosks exist, their group, station number and
//! signing secret, and the hub's own key (signs `kh/v1/_hub/state`).
//!
//! Three writes change it, each with one rule: [`register_new`] refuses an
//! id that is active, [`rotate_secret`] keeps the station number and refuses
//! a revoked kiosk, [`revoke`] retires one. The database bumps
//! [`revision`] on every write to the table, and the serving hub reloads
//! its copy when the revision moves, so a rotated or revoked secret stops
//! working in the running hub within a second, whichever process wrote it.
//! The hub refuses every message from a kiosk that is not registered or is
//! revoked.

use crate::store::{DataDir, StoreError, now_ms};
use protocol::KioskId;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashMap;

/// What the hub knows of one kiosk.
#[derive(Clone, Debug)]
pub struct KioskEntry {
    pub kid: KioskId,
    pub group: String,
    pub secret: Vec<u8>,
    /// Part of every ticket number the kiosk makes (1..=9998).
    pub station_no: u16,
}

/// Group names: the same alphabet as kiosk ids (they appear in rollout targets).
pub fn check_group(g: &str) -> Result<(), String> {
    KioskId::new(g).map(|_| ()).map_err(|_| format!("group {g:?} may only use a-z, 0-9 and '-'"))
}

/// A kiosk's credentials as issued.
#[derive(Clone, Debug)]
pub struct Registered {
    pub secret: Vec<u8>,
    pub station_no: u16,
}

/// Why the registry refused a change.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error(
        "kiosk {0} is registered already: `hub fleet rotate-secret` gives it a new secret, `hub fleet revoke` retires it"
    )]
    AlreadyActive(KioskId),
    #[error("no kiosk {0} is registered (`hub fleet list` shows them)")]
    Unknown(KioskId),
    #[error("kiosk {0} is revoked; set it up again with `hub fleet new`")]
    Revoked(KioskId),
    #[error("all station numbers 1..=9998 are taken")]
    NoStationNumber,
    #[error("{0}")]
    Group(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for RegistryError {
    fn from(e: rusqlite::Error) -> Self {
        RegistryError::Store(e.into())
    }
}

/// Station numbers the hub hands out; 0 and 9999 are its own ticket ranges
/// (see `protocol::ticket`).
const STATION_NOS: std::ops::RangeInclusive<u16> = 1..=9998;

/// Register a new kiosk with a fresh random 32-byte secret and the next
/// free station number. An id that is active is refused; a revoked one
/// comes back with a new secret and its old station number.
pub fn register_new(conn: &Connection, kid: &KioskId, group: &str) -> Result<Registered, RegistryError> {
    check_group(group).map_err(RegistryError::Group)?;
    let existing: Option<(Option<u16>, Option<i64>)> = conn
        .query_row("SELECT station_no, revoked_at FROM kiosks WHERE kid = ?1", [kid.as_str()], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let station_no = match existing {
        Some((_, None)) => return Err(RegistryError::AlreadyActive(kid.clone())),
        Some((Some(n), Some(_))) => n,
        _ => next_station_no(conn)?,
    };
    let secret: [u8; 32] = rand::random();
    conn.execute(
        "INSERT INTO kiosks(kid, group_name, secret, created_at, station_no) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(kid) DO UPDATE SET group_name = excluded.group_name, secret = excluded.secret,
           revoked_at = NULL, station_no = excluded.station_no",
        params![kid.as_str(), group, &secret[..], now_ms(), station_no],
    )?;
    Ok(Registered { secret: secret.to_vec(), station_no })
}

/// Remember the role a kiosk was set up with (shown on the console).
/// The town a kiosk stands in (a town id or Chinese name of the catalog's
/// `towns.csv`), shown on the big screen's map; `None` clears it.
pub fn set_town(conn: &Connection, kid: &KioskId, town: Option<&str>) -> Result<bool, StoreError> {
    let n = conn.execute(
        "UPDATE kiosks SET town = ?2 WHERE kid = ?1 AND revoked_at IS NULL",
        params![kid.as_str(), town.map(str::trim).filter(|t| !t.is_empty())],
    )?;
    Ok(n == 1)
}

pub fn set_role(conn: &Connection, kid: &KioskId, role: &str) -> Result<(), StoreError> {
    conn.execute("UPDATE kiosks SET role = ?2 WHERE kid = ?1", params![kid.as_str(), role])?;
    Ok(())
}

/// A new secret for an active kiosk (the old one stops working at once);
/// its group and station number stay.
pub fn rotate_secret(conn: &Connection, kid: &KioskId) -> Result<Registered, RegistryError> {
    let existing: Option<(Option<u16>, Option<i64>)> = conn
        .query_row("SELECT station_no, revoked_at FROM kiosks WHERE kid = ?1", [kid.as_str()], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let station_no = match existing {
        None => return Err(RegistryError::Unknown(kid.clone())),
        Some((_, Some(_))) => return Err(RegistryError::Revoked(kid.clone())),
        Some((n, None)) => n.unwrap_or(0),
    };
    let secret: [u8; 32] = rand::random();
    conn.execute("UPDATE kiosks SET secret = ?2 WHERE kid = ?1", params![kid.as_str(), &secret[..]])?;
    Ok(Registered { secret: secret.to_vec(), station_no })
}

fn next_station_no(conn: &Connection) -> Result<u16, RegistryError> {
    let next: u16 = conn.query_row(
        "SELECT coalesce(max(station_no), 0) + 1 FROM kiosks WHERE station_no < 9999",
        [],
        |r| r.get(0),
    )?;
    if STATION_NOS.contains(&next) { Ok(next) } else { Err(RegistryError::NoStationNumber) }
}

/// The registry's revision: it moves with every write to the registry.
pub fn revision(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("SELECT revision FROM registry_revision", [], |r| r.get(0))?)
}

/// Every active kiosk.
pub fn all(conn: &Connection) -> Result<HashMap<KioskId, KioskEntry>, StoreError> {
    let mut st =
        conn.prepare("SELECT kid, group_name, secret, station_no FROM kiosks WHERE revoked_at IS NULL")?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Vec<u8>>(2)?,
            r.get::<_, Option<u16>>(3)?,
        ))
    })?;
    let mut out = HashMap::new();
    for row in rows {
        let (kid, group, secret, station_no) = row?;
        // A row with an invalid id cannot come from `register`; skip it.
        if let Ok(kid) = KioskId::new(kid) {
            out.insert(kid.clone(), KioskEntry { kid, group, secret, station_no: station_no.unwrap_or(0) });
        }
    }
    Ok(out)
}

/// Revoke a kiosk: the hub refuses its messages from now on, and it drops
/// out of the broker's password file. Returns false when it was unknown or
/// already revoked. [`register_new`] brings it back with a new secret.
pub fn revoke(conn: &Connection, kid: &KioskId) -> Result<bool, StoreError> {
    let n = conn.execute(
        "UPDATE kiosks SET revoked_at = ?2 WHERE kid = ?1 AND revoked_at IS NULL",
        params![kid.as_str(), now_ms()],
    )?;
    Ok(n == 1)
}

/// One line of the fleet listing.
#[derive(Clone, Debug)]
pub struct Listed {
    pub kid: String,
    pub group: String,
    pub station_no: u16,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// Every kiosk ever registered, revoked ones too, by id.
pub fn list(conn: &Connection) -> Result<Vec<Listed>, StoreError> {
    let mut st = conn.prepare(
        "SELECT kid, group_name, coalesce(station_no, 0), created_at, revoked_at FROM kiosks ORDER BY kid",
    )?;
    let rows = st.query_map([], |r| {
        Ok(Listed {
            kid: r.get(0)?,
            group: r.get(1)?,
            station_no: r.get(2)?,
            created_at: r.get(3)?,
            revoked_at: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Who the embedded broker lets in: the hub, the data centre (their
/// passwords come from the hub key) and every registered kiosk that is not
/// revoked, by its id and the password derived from its secret. Read from
/// the store at each connect, so a revocation takes effect at once.
pub fn authenticator(dir: &DataDir, hub_key: Vec<u8>) -> Result<crate::broker::Authenticator, StoreError> {
    use protocol::credentials::{DC_USER, HUB_USER, dc_password, password_matches, same};
    let conn = std::sync::Mutex::new(crate::store::open_read(dir)?);
    Ok(std::sync::Arc::new(move |user: &str, password: &str| match user {
        HUB_USER => password_matches(&hub_key, password),
        DC_USER => same(&dc_password(&hub_key), password),
        kid => {
            let conn = conn.lock().expect("registry connection lock");
            let secret: Option<Vec<u8>> = conn
                .query_row("SELECT secret FROM kiosks WHERE kid = ?1 AND revoked_at IS NULL", [kid], |r| {
                    r.get(0)
                })
                .optional()
                .unwrap_or_else(|e| {
                    tracing::error!(error = %e, "cannot read the kiosk registry");
                    None
                });
            secret.is_some_and(|s| password_matches(&s, password))
        }
    }))
}

/// A kiosk's station number, if it is registered.
pub fn station_no(conn: &Connection, kid: &str) -> Result<Option<u16>, StoreError> {
    Ok(conn
        .query_row("SELECT station_no FROM kiosks WHERE kid = ?1", [kid], |r| r.get::<_, Option<u16>>(0))
        .optional()?
        .flatten())
}

/// The hub's own secret, created on first use in `<data>/hub.key` (hex).
pub fn hub_key(dir: &DataDir) -> std::io::Result<Vec<u8>> {
    let path = dir.root().join("hub.key");
    match std::fs::read_to_string(&path) {
        Ok(s) => hex::decode(s.trim()).map_err(|e| {
            std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{}: {e}", path.display()))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key: [u8; 32] = rand::random();
            let tmp = path.with_extension("key.tmp");
            std::fs::write(&tmp, hex::encode(key))?;
            std::fs::rename(&tmp, &path)?;
            Ok(key.to_vec())
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::new(dir.path()).unwrap();
        let conn = crate::store::open_write(&data).unwrap();
        (dir, conn)
    }

    #[test]
    fn one_way_to_register_and_every_write_moves_the_revision() {
        let (_dir, conn) = store();
        let (a, b) = (KioskId::new("shinan-01").unwrap(), KioskId::new("maishi-01").unwrap());
        let r0 = revision(&conn).unwrap();
        let first = register_new(&conn, &a, "shinan").unwrap();
        let r1 = revision(&conn).unwrap();
        assert!(r1 > r0);
        assert!(matches!(register_new(&conn, &a, "shinan"), Err(RegistryError::AlreadyActive(_))));
        assert_eq!(register_new(&conn, &b, "maishi").unwrap().station_no, first.station_no + 1);
        assert!(matches!(register_new(&conn, &b, "Bad Group"), Err(RegistryError::Group(_))));

        // Rotation: a new secret, the same station number, a new revision.
        let r2 = revision(&conn).unwrap();
        let rotated = rotate_secret(&conn, &a).unwrap();
        assert_ne!(rotated.secret, first.secret);
        assert_eq!(rotated.station_no, first.station_no);
        assert!(revision(&conn).unwrap() > r2, "a rotation changes no count, but the revision");
        assert_eq!(all(&conn).unwrap()[&a].secret, rotated.secret);

        // Revoked: no rotation; `register_new` brings it back on its number.
        assert!(revoke(&conn, &a).unwrap());
        assert!(!revoke(&conn, &a).unwrap());
        assert!(matches!(rotate_secret(&conn, &a), Err(RegistryError::Revoked(_))));
        assert!(!all(&conn).unwrap().contains_key(&a));
        assert_eq!(register_new(&conn, &a, "shinan").unwrap().station_no, first.station_no);
        let stranger = KioskId::new("nobody").unwrap();
        assert!(matches!(rotate_secret(&conn, &stranger), Err(RegistryError::Unknown(_))));
    }
}
