//! Schema migrations, applied in order and recorded in `PRAGMA user_version`.
//! Append new steps; never edit a step that has shipped.

use super::StoreError;
use rusqlite::Connection;
use std::path::Path;

const STEPS: &[&str] = &[
    // 1: catalog versions, kiosk registry, presence, sync jobs, rejects.
    r#"
    CREATE TABLE catalog_versions (
        version         INTEGER PRIMARY KEY,
        created_at      INTEGER NOT NULL,
        source          TEXT NOT NULL,
        manifest_sha256 TEXT NOT NULL,
        items           INTEGER NOT NULL,
        blob_bytes      INTEGER NOT NULL,
        note            TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE catalog_items (
        version INTEGER NOT NULL REFERENCES catalog_versions(version),
        kind    TEXT NOT NULL,
        id      TEXT NOT NULL,
        rev     INTEGER NOT NULL,
        body    TEXT NOT NULL,
        PRIMARY KEY (version, kind, id)
    ) WITHOUT ROWID;
    -- Which version each rollout target should run: '*' is everyone,
    -- 'group:<name>' one group. A kiosk takes the newest that applies to it.
    CREATE TABLE catalog_targets (
        target     TEXT PRIMARY KEY,
        version    INTEGER NOT NULL REFERENCES catalog_versions(version),
        updated_at INTEGER NOT NULL
    );
    -- Content-addressed files in blobs/: images and catalog documents.
    CREATE TABLE blobs (
        sha256     TEXT PRIMARY KEY,
        size       INTEGER NOT NULL,
        media_type TEXT NOT NULL,
        created_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    -- Cached delta/snapshot documents, by (base, version); base 0 = snapshot.
    CREATE TABLE catalog_docs (
        base    INTEGER NOT NULL,
        version INTEGER NOT NULL,
        sha256  TEXT NOT NULL REFERENCES blobs(sha256),
        size    INTEGER NOT NULL,
        PRIMARY KEY (base, version)
    ) WITHOUT ROWID;
    CREATE TABLE kiosks (
        kid        TEXT PRIMARY KEY,
        group_name TEXT NOT NULL,
        secret     BLOB NOT NULL,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
    ) WITHOUT ROWID;
    CREATE TABLE presence (
        kid             TEXT PRIMARY KEY,
        online          INTEGER NOT NULL,
        session         INTEGER NOT NULL,
        since           INTEGER NOT NULL,
        last_seen       INTEGER NOT NULL,
        boot_id         TEXT NOT NULL DEFAULT '',
        app_version     TEXT NOT NULL DEFAULT '',
        catalog_version INTEGER NOT NULL DEFAULT 0,
        outbox_depth    INTEGER NOT NULL DEFAULT 0,
        lifetime_totals TEXT NOT NULL DEFAULT '{}'
    ) WITHOUT ROWID;
    CREATE TABLE presence_log (
        kid     TEXT NOT NULL,
        at      INTEGER NOT NULL,
        online  INTEGER NOT NULL,
        session INTEGER NOT NULL,
        reason  TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX presence_log_by_kiosk ON presence_log(kid, at);
    CREATE TABLE sync_jobs (
        kid         TEXT NOT NULL,
        version     INTEGER NOT NULL,
        state       TEXT NOT NULL,
        bytes_done  INTEGER NOT NULL DEFAULT 0,
        bytes_total INTEGER NOT NULL DEFAULT 0,
        error       TEXT,
        updated_at  INTEGER NOT NULL,
        PRIMARY KEY (kid, version)
    ) WITHOUT ROWID;
    CREATE TABLE rejects (
        kid     TEXT NOT NULL,
        topic   TEXT NOT NULL,
        reason  TEXT NOT NULL,
        count   INTEGER NOT NULL,
        last_at INTEGER NOT NULL,
        PRIMARY KEY (kid, topic, reason)
    ) WITHOUT ROWID;
    "#,
];

/// The schema version this build writes.
pub fn latest() -> i64 {
    STEPS.len() as i64
}

pub fn migrate(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if found > latest() {
        return Err(StoreError::TooNew { path: path.to_owned(), found, known: latest() });
    }
    for (i, step) in STEPS.iter().enumerate().skip(found as usize) {
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(step)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}
