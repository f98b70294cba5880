//! Listing published versions and comparing two of them.

use super::publish::load_snapshot;
use crate::store::StoreError;
use protocol::catalog::{CatalogItem, ItemKey};
use rusqlite::Connection;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Serialize)]
pub struct VersionInfo {
    pub version: u64,
    pub created_at: i64,
    pub items: u64,
    pub blob_bytes: u64,
    pub manifest_sha256: String,
    pub source: String,
    pub note: String,
    /// Rollout targets pointing here: `*` or `group:<name>`.
    pub targets: Vec<String>,
    pub kiosks_applied: u64,
}

pub fn list(conn: &Connection) -> Result<Vec<VersionInfo>, StoreError> {
    let mut st = conn.prepare(
        "SELECT v.version, v.created_at, v.items, v.blob_bytes, v.manifest_sha256, v.source, v.note,
                (SELECT group_concat(target, ' ') FROM catalog_targets t WHERE t.version = v.version),
                (SELECT count(*) FROM sync_jobs j WHERE j.version = v.version AND j.state = 'applied')
         FROM catalog_versions v ORDER BY v.version",
    )?;
    let rows = st.query_map([], |r| {
        Ok(VersionInfo {
            version: r.get(0)?,
            created_at: r.get(1)?,
            items: r.get(2)?,
            blob_bytes: r.get(3)?,
            manifest_sha256: r.get(4)?,
            source: r.get(5)?,
            note: r.get(6)?,
            targets: r
                .get::<_, Option<String>>(7)?
                .map(|s| s.split(' ').map(str::to_owned).collect())
                .unwrap_or_default(),
            kiosks_applied: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub enum Change {
    Added,
    Removed,
    /// The top-level fields whose value differs.
    Changed(Vec<String>),
}

/// What changed from version `a` to version `b`, item by item.
pub fn diff(conn: &Connection, a: u64, b: u64) -> Result<BTreeMap<ItemKey, Change>, StoreError> {
    for v in [a, b] {
        if !super::publish::version_exists(conn, v)? {
            return Err(StoreError::Corrupt(format!("there is no catalog version {v}")));
        }
    }
    let old = load_snapshot(conn, a)?;
    let new = load_snapshot(conn, b)?;
    let fields = |i: &CatalogItem| -> BTreeMap<String, serde_json::Value> {
        match serde_json::to_value(i).expect("items serialise") {
            serde_json::Value::Object(m) => m.into_iter().collect(),
            _ => BTreeMap::new(),
        }
    };
    let mut out = BTreeMap::new();
    for n in &new.items {
        let key = n.item.key();
        match old.get(&key) {
            None => {
                out.insert(key, Change::Added);
            }
            Some(o) if o.item != n.item => {
                let (fo, fnew) = (fields(&o.item), fields(&n.item));
                let changed =
                    fnew.iter().filter(|(k, v)| fo.get(*k) != Some(v)).map(|(k, _)| k.clone()).collect();
                out.insert(key, Change::Changed(changed));
            }
            _ => {}
        }
    }
    for o in &old.items {
        if new.get(&o.item.key()).is_none() {
            out.insert(o.item.key(), Change::Removed);
        }
    }
    Ok(out)
}
