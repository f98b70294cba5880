//! The kiosk's local state: one SQLite file (WAL, `synchronous=FULL`, so a
//! recorded interaction survives power loss) holding the outbox, the
//! service requests taken here, and the catalog cache; images live in a
//! content-addressed folder beside it ([`crate::blobs`]).
//!
//! Two connections: the outbox's, used by the UI thread to record and by the
//! flusher, and the catalog's, used by sync. Every write transaction starts
//! IMMEDIATE: a deferred one that read first cannot wait for the other
//! connection's write to finish (SQLite answers "database is locked" at once).

pub mod catalog_cache;
pub mod outbox;
pub mod parcels;
pub mod requests;
pub mod retention;
pub mod screen_figures;
pub mod signups;

use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("kiosk database {path}: {source}")]
    Open { path: PathBuf, source: rusqlite::Error },
    #[error(
        "kiosk database {path} has schema version {found}, newer than this kiosk ({known}); update the kiosk"
    )]
    TooNew { path: PathBuf, found: i64, known: i64 },
    /// The disk is full: the interaction was not recorded, and the kiosk
    /// says so on its status and staff page rather than dropping it silently.
    #[error("the kiosk's disk is full; the interaction was not recorded")]
    DiskFull,
    #[error(transparent)]
    Sql(rusqlite::Error),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DiskFull) => StoreError::DiskFull,
            _ => StoreError::Sql(e),
        }
    }
}

const STEPS: &[&str] = &[
    r#"
    -- Interactions not yet acknowledged by the hub, with the next sequence
    -- number and lifetime totals kept beside them in the same transaction.
    CREATE TABLE outbox (
        seq  INTEGER PRIMARY KEY,
        body TEXT NOT NULL
    );
    CREATE TABLE counters (
        name  TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE totals (
        kind  TEXT PRIMARY KEY,
        count INTEGER NOT NULL
    ) WITHOUT ROWID;
    -- Requests taken at this kiosk, for "my requests". No full phone number:
    -- the masked form for display and the last four digits for lookup.
    CREATE TABLE my_requests (
        request_id     TEXT PRIMARY KEY,
        ticket_no      TEXT NOT NULL,
        submitted_at   INTEGER NOT NULL,
        service_id     TEXT NOT NULL,
        village        TEXT NOT NULL,
        phone_masked   TEXT NOT NULL,
        phone_tail     TEXT NOT NULL,
        is_complaint   INTEGER NOT NULL,
        status         TEXT NOT NULL,
        rev            INTEGER NOT NULL DEFAULT 0,
        responsible    TEXT,
        handler        TEXT,
        reply          TEXT,
        response_due   INTEGER,
        resolution_due INTEGER,
        updated_at     INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX my_requests_by_tail ON my_requests(phone_tail);
    CREATE TABLE ticket_counts (
        day TEXT PRIMARY KEY,
        n   INTEGER NOT NULL
    ) WITHOUT ROWID;
    -- The catalog version on screen.
    CREATE TABLE catalog_items (
        kind TEXT NOT NULL,
        id   TEXT NOT NULL,
        rev  INTEGER NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (kind, id)
    ) WITHOUT ROWID;
    CREATE TABLE catalog_meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID;
"#,
    r#"
    -- The parcel desk: one row per (waybill, direction), however often it
    -- is scanned; the number stays on this kiosk (see store::parcels).
    CREATE TABLE parcels (
        waybill   TEXT NOT NULL,
        direction TEXT NOT NULL,
        carrier   TEXT NOT NULL,
        weight_g  INTEGER,
        day       TEXT NOT NULL,
        t         INTEGER NOT NULL,
        scans     INTEGER NOT NULL DEFAULT 1,
        PRIMARY KEY (waybill, direction)
    ) WITHOUT ROWID;
    CREATE INDEX parcels_by_day ON parcels(day);
    -- The keeper's answer for waybill numbers several carriers could own,
    -- by the number's shape (length and first two digits).
    CREATE TABLE carrier_memory (
        shape   TEXT PRIMARY KEY,
        carrier TEXT NOT NULL
    ) WITHOUT ROWID;
"#,
    r#"
    -- Acknowledged events stay a while (see outbox::KEEP_ACKED), so that a
    -- hub restored from last night's backup can have them again.
    ALTER TABLE outbox ADD COLUMN acked_at INTEGER;
    CREATE INDEX outbox_by_acked_at ON outbox(acked_at) WHERE acked_at IS NOT NULL;
"#,
    r#"
    -- The big screen's last figures from the hub (see store::screen_figures).
    CREATE TABLE screen_figures (
        id          INTEGER PRIMARY KEY CHECK (id = 1),
        body        TEXT NOT NULL,
        received_ms INTEGER NOT NULL
    );
"#,
    r#"
    -- Training sign-ups taken here (see store::signups): like my_requests,
    -- no full phone number.
    CREATE TABLE my_signups (
        signup_id        TEXT PRIMARY KEY,
        number           TEXT NOT NULL,
        taken_at         INTEGER NOT NULL,
        session_id       TEXT NOT NULL,
        town             TEXT NOT NULL,
        phone_masked     TEXT NOT NULL,
        phone_tail       TEXT NOT NULL,
        status           TEXT NOT NULL,
        rev              INTEGER NOT NULL DEFAULT 0,
        waitlist_place   INTEGER,
        reason           TEXT,
        cancel_requested INTEGER NOT NULL DEFAULT 0,
        updated_at       INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX my_signups_by_tail ON my_signups(phone_tail);
    -- The hub's last count of seats left (kh/v1/_dc/seats), for a station
    -- that restarts while its line is down.
    CREATE TABLE seats_left (
        id   INTEGER PRIMARY KEY CHECK (id = 1),
        body TEXT NOT NULL
    );
"#,
    r#"
    -- One sign-up per phone and session, recognised by a keyed hash of the
    -- number (protocol::privacy::phone_key), not by its masked form, which
    -- two phones can share.
    ALTER TABLE my_signups ADD COLUMN phone_key TEXT NOT NULL DEFAULT '';
"#,
];

fn migrate(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let known = STEPS.len() as i64;
    if found > known {
        return Err(StoreError::TooNew { path: path.to_owned(), found, known });
    }
    for (i, step) in STEPS.iter().enumerate().skip(found as usize) {
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(step)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

/// Open (creating and migrating) the kiosk database at `path`.
pub fn open(path: &Path) -> Result<Connection, StoreError> {
    let wrap = |source| StoreError::Open { path: path.to_owned(), source };
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let conn = Connection::open(path).map_err(wrap)?;
    conn.busy_timeout(Duration::from_secs(10)).map_err(wrap)?;
    conn.pragma_update(None, "journal_mode", "WAL").map_err(wrap)?;
    conn.pragma_update(None, "synchronous", "FULL").map_err(wrap)?;
    conn.set_prepared_statement_cache_capacity(32);
    migrate(&conn, path)?;
    Ok(conn)
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Read a counter (0 when never set).
pub(crate) fn counter_value(conn: &Connection, name: &str) -> Result<u64, StoreError> {
    counter(conn, name)
}

fn counter(conn: &Connection, name: &str) -> Result<u64, StoreError> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .prepare_cached("SELECT value FROM counters WHERE name = ?1")?
        .query_row([name], |r| r.get::<_, i64>(0))
        .optional()?
        .unwrap_or(0)
        .max(0) as u64)
}

fn set_counter(conn: &Connection, name: &str, value: u64) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO counters(name, value) VALUES (?1, ?2) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
    )?
    .execute(rusqlite::params![name, value as i64])?;
    Ok(())
}
