//! The catalog version on screen, stored item by item. A new version
//! replaces it in one transaction, only after sync has verified it whole.

use super::StoreError;
use protocol::catalog::{Snapshot, VersionedItem};
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;
use std::sync::Mutex;

pub struct CatalogCache {
    conn: Mutex<Connection>,
}

impl CatalogCache {
    pub fn open(path: &Path) -> Result<CatalogCache, StoreError> {
        Ok(CatalogCache { conn: Mutex::new(super::open(path)?) })
    }

    /// The applied version, if any.
    pub fn load(&self) -> Result<Option<Snapshot>, StoreError> {
        let c = self.conn.lock().expect("catalog lock");
        let version: Option<String> = c
            .query_row("SELECT value FROM catalog_meta WHERE key = 'version'", [], |r| r.get(0))
            .optional()?;
        let Some(version) = version else { return Ok(None) };
        let version: u64 = version.parse().map_err(|_| StoreError::Corrupt("catalog version".into()))?;
        let mut st = c.prepare("SELECT body FROM catalog_items ORDER BY kind, id")?;
        let items: Vec<VersionedItem> = st
            .query_map([], |r| r.get::<_, String>(0))?
            .map(|b| {
                let b = b?;
                serde_json::from_str(&b).map_err(|e| StoreError::Corrupt(format!("catalog item: {e}")))
            })
            .collect::<Result<_, StoreError>>()?;
        let snap = Snapshot::new(version, items).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(Some(snap))
    }

    /// Make `snap` the version on screen, all at once.
    pub fn apply(&self, snap: &Snapshot) -> Result<(), StoreError> {
        let mut c = self.conn.lock().expect("catalog lock");
        let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM catalog_items", [])?;
        {
            let mut ins =
                tx.prepare("INSERT INTO catalog_items(kind, id, rev, body) VALUES (?1, ?2, ?3, ?4)")?;
            for i in &snap.items {
                let key = i.item.key();
                ins.execute(params![
                    key.kind.as_str(),
                    key.id,
                    i.rev as i64,
                    serde_json::to_string(i).expect("items serialise")
                ])?;
            }
        }
        for (k, v) in [("version", snap.version.to_string()), ("manifest_sha256", snap.manifest_sha256())] {
            tx.execute(
                "INSERT INTO catalog_meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![k, v],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}
