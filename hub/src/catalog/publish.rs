//! Publishing a checked catalog as a new version, all or nothing.

use super::import::Authored;
use crate::blobs::BlobDir;
use crate::store::{StoreError, now_ms};
use protocol::catalog::{CatalogItem, ItemKey, ItemKind, Snapshot, VersionedItem};
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashMap;

/// Where a version goes: everyone, or one group first (staged rollout).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    All,
    Group(String),
}

impl Target {
    pub fn key(&self) -> String {
        match self {
            Target::All => "*".into(),
            Target::Group(g) => format!("group:{g}"),
        }
    }
}

#[derive(Debug)]
pub struct Published {
    pub version: u64,
    /// False when the content equals the newest version (nothing new stored).
    pub new_version: bool,
    pub changed_items: usize,
    pub new_blobs: usize,
    pub blob_bytes: u64,
}

/// The newest version's snapshot, if any.
pub fn latest_snapshot(conn: &Connection) -> Result<Option<Snapshot>, StoreError> {
    let v: Option<u64> = conn.query_row("SELECT max(version) FROM catalog_versions", [], |r| r.get(0))?;
    v.map(|v| load_snapshot(conn, v)).transpose()
}

/// Load version `v` as a snapshot.
pub fn load_snapshot(conn: &Connection, v: u64) -> Result<Snapshot, StoreError> {
    let mut st = conn.prepare_cached("SELECT rev, body FROM catalog_items WHERE version = ?1")?;
    let items = st
        .query_map([v], |r| Ok((r.get::<_, u64>(0)?, r.get::<_, String>(1)?)))?
        .map(|row| {
            let (rev, body) = row?;
            let item: CatalogItem = serde_json::from_str(&body).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, Box::new(e))
            })?;
            Ok(VersionedItem { rev, item })
        })
        .collect::<Result<Vec<_>, rusqlite::Error>>()?;
    Snapshot::new(v, items).map_err(|e| StoreError::Corrupt(format!("version {v}: {e}")))
}

/// Every item of `kinds` as the newest version that has it holds it: what
/// the centre last said of a course or a job, even one withdrawn since
/// (last year's report still names it).
pub fn newest_items(conn: &Connection, kinds: &[ItemKind]) -> Result<Vec<CatalogItem>, StoreError> {
    let list = kinds.iter().map(|k| format!("'{}'", k.as_str())).collect::<Vec<_>>().join(", ");
    let mut st = conn.prepare(&format!(
        "SELECT body FROM catalog_items i WHERE kind IN ({list})
           AND version = (SELECT max(version) FROM catalog_items j WHERE j.kind = i.kind AND j.id = i.id)"
    ))?;
    let bodies = st.query_map([], |r| r.get::<_, String>(0))?.collect::<Result<Vec<String>, _>>()?;
    bodies
        .iter()
        .map(|b| serde_json::from_str(b).map_err(|e| StoreError::Corrupt(format!("catalog item: {e}"))))
        .collect()
}

pub fn version_exists(conn: &Connection, v: u64) -> Result<bool, StoreError> {
    Ok(conn
        .query_row("SELECT 1 FROM catalog_versions WHERE version = ?1", [v], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Store the authored catalog as the next version (or reuse the newest when
/// nothing changed) and point `target` at it. Runs inside the caller's
/// transaction: either everything is applied or nothing is.
pub fn publish(
    conn: &Connection,
    blobs: &BlobDir,
    authored: &Authored,
    source: &str,
    target: &Target,
    note: &str,
) -> Result<Published, StoreError> {
    let previous = latest_snapshot(conn)?;
    let prev_items: HashMap<ItemKey, &VersionedItem> =
        previous.iter().flat_map(|s| s.items.iter()).map(|i| (i.item.key(), i)).collect();
    let next = previous.as_ref().map_or(1, |s| s.version + 1);
    let mut changed = 0;
    let items: Vec<VersionedItem> = authored
        .items
        .iter()
        .map(|item| match prev_items.get(&item.key()) {
            Some(old) if &old.item == item => (*old).clone(),
            _ => {
                changed += 1;
                VersionedItem { rev: next, item: item.clone() }
            }
        })
        .collect();
    let authored_keys: std::collections::HashSet<ItemKey> =
        authored.items.iter().map(CatalogItem::key).collect();
    let removed = prev_items.keys().filter(|k| !authored_keys.contains(*k)).count();
    let snapshot = Snapshot::new(next, items).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let blob_bytes: u64 = snapshot.blobs().iter().map(|b| b.size).sum();

    if let Some(prev) = &previous
        && changed == 0
        && removed == 0
    {
        set_target(conn, target, prev.version)?;
        return Ok(Published {
            version: prev.version,
            new_version: false,
            changed_items: 0,
            new_blobs: 0,
            blob_bytes,
        });
    }

    // Blob files first (content-addressed, so a rollback leaves only
    // harmless orphans), then the rows.
    let now = now_ms();
    let mut new_blobs = 0;
    for img in authored.images.values() {
        let inserted = conn.execute(
            "INSERT OR IGNORE INTO blobs(sha256, size, media_type, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![img.blob.sha256, img.blob.size, img.blob.media_type, now],
        )?;
        blobs.put(&img.bytes).map_err(StoreError::Blob)?;
        new_blobs += inserted;
    }
    conn.execute(
        "INSERT INTO catalog_versions(version, created_at, source, manifest_sha256, items, blob_bytes, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![next, now, source, snapshot.manifest_sha256(), snapshot.items.len(), blob_bytes, note],
    )?;
    let mut ins = conn.prepare_cached(
        "INSERT INTO catalog_items(version, kind, id, rev, body) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for i in &snapshot.items {
        let key = i.item.key();
        let body = serde_json::to_string(&i.item).expect("items serialise");
        ins.execute(params![next, key.kind.as_str(), key.id, i.rev, body])?;
    }
    super::views::record(conn, &snapshot)?;
    set_target(conn, target, next)?;
    Ok(Published {
        version: next,
        new_version: true,
        changed_items: changed + removed,
        new_blobs,
        blob_bytes,
    })
}

/// Point a rollout target at an existing version.
pub fn set_target(conn: &Connection, target: &Target, version: u64) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO catalog_targets(target, version, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT(target) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at",
        params![target.key(), version, now_ms()],
    )?;
    Ok(())
}

/// The version a kiosk of `group` should run: the newest of the global
/// target and its group's target.
pub fn desired_version(conn: &Connection, group: &str) -> Result<Option<u64>, StoreError> {
    Ok(conn.query_row(
        "SELECT max(version) FROM catalog_targets WHERE target = '*' OR target = ?1",
        [format!("group:{group}")],
        |r| r.get(0),
    )?)
}
