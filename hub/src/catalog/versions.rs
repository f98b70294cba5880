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

/// One top-level field of an item, before and after, as text.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub enum Change {
    Added,
    Removed,
    /// The top-level fields whose value differs.
    Changed(Vec<FieldChange>),
}

/// What happened to one item between two versions.
#[derive(Debug, Serialize)]
pub struct ItemChange {
    pub key: ItemKey,
    /// Its Chinese name (or label), for people; the id when it has none.
    pub title: String,
    pub change: Change,
}

type Fields = BTreeMap<String, serde_json::Value>;

fn fields(i: &CatalogItem) -> Fields {
    match serde_json::to_value(i).expect("items serialise") {
        serde_json::Value::Object(m) => m.into_iter().collect(),
        _ => BTreeMap::new(),
    }
}

fn title(f: &Fields, id: &str) -> String {
    ["title_zh", "name_zh", "label_zh", "name"]
        .iter()
        .find_map(|k| f.get(*k).and_then(|v| v.as_str()).filter(|s| !s.is_empty()))
        .unwrap_or(id)
        .to_owned()
}

/// A field's value as a person reads it: text as is, lists one per `; `.
fn shown(v: Option<&serde_json::Value>) -> String {
    match v {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Array(a)) => a.iter().map(|x| shown(Some(x))).collect::<Vec<_>>().join("; "),
        Some(other) => other.to_string(),
    }
}

/// What changed from version `a` to version `b`, item by item, in key order.
pub fn diff(conn: &Connection, a: u64, b: u64) -> Result<Vec<ItemChange>, StoreError> {
    for v in [a, b] {
        if !super::publish::version_exists(conn, v)? {
            return Err(StoreError::Corrupt(format!("there is no catalog version {v}")));
        }
    }
    let old = load_snapshot(conn, a)?;
    let new = load_snapshot(conn, b)?;
    let mut out = BTreeMap::new();
    for n in &new.items {
        let key = n.item.key();
        let fnew = fields(&n.item);
        let change = match old.get(&key) {
            None => Change::Added,
            Some(o) if o.item != n.item => {
                let fo = fields(&o.item);
                let names: std::collections::BTreeSet<&String> = fo.keys().chain(fnew.keys()).collect();
                Change::Changed(
                    names
                        .into_iter()
                        .filter(|k| fo.get(*k) != fnew.get(*k))
                        .map(|k| FieldChange {
                            field: k.clone(),
                            before: shown(fo.get(k)),
                            after: shown(fnew.get(k)),
                        })
                        .collect(),
                )
            }
            _ => continue,
        };
        let title = title(&fnew, &key.id);
        out.insert(key.clone(), ItemChange { key, title, change });
    }
    for o in &old.items {
        let key = o.item.key();
        if new.get(&key).is_none() {
            let title = title(&fields(&o.item), &key.id);
            out.insert(key.clone(), ItemChange { key, title, change: Change::Removed });
        }
    }
    Ok(out.into_values().collect())
}
