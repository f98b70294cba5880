//! Views of a catalog version. A kiosk built before an item kind existed
//! rejects a document that holds one (an unknown `type` fails the whole
//! document), so each kiosk is sent the view its software reads: the items
//! of the first protocol plus those of the features its birth names. Each
//! view has its own manifest, recorded when the version is published.

use crate::store::StoreError;
use protocol::catalog::{Snapshot, features};
use rusqlite::{Connection, OptionalExtension, params};

/// Every view this hub serves, by the features it reads.
pub const ALL: [&[&str]; 2] = [&[], &[features::CONTENT]];

/// The features of `announced` that this hub knows, in a fixed order: a
/// newer kiosk that reads more is sent everything this hub has.
pub fn known(announced: &[String]) -> Vec<&'static str> {
    features::READ_BY_THIS_BUILD.into_iter().filter(|f| announced.iter().any(|a| a == f)).collect()
}

/// The name a view is stored under: its features, joined with ','.
pub fn key(features: &[&str]) -> String {
    features.join(",")
}

/// Record every view of a newly published version.
pub fn record(conn: &Connection, whole: &Snapshot) -> Result<(), StoreError> {
    let mut ins = conn.prepare_cached(
        "INSERT INTO catalog_views(version, view, manifest_sha256, items, blob_bytes) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for view in ALL {
        let v = whole.view(view);
        let bytes: u64 = v.blobs().iter().map(|b| b.size).sum();
        ins.execute(params![v.version, key(view), v.manifest_sha256(), v.items.len(), bytes])?;
    }
    Ok(())
}

/// The features a kiosk announced in its latest birth (none before its first).
pub fn of_kiosk(conn: &Connection, kid: &str) -> Result<Vec<&'static str>, StoreError> {
    let stored: Option<String> =
        conn.query_row("SELECT features FROM presence WHERE kid = ?1", [kid], |r| r.get(0)).optional()?;
    let announced: Vec<String> =
        stored.unwrap_or_default().split(',').filter(|f| !f.is_empty()).map(str::to_owned).collect();
    Ok(known(&announced))
}

/// Version `v` as the kiosks of a view see it.
pub fn load(conn: &Connection, v: u64, view: &[&str]) -> Result<Snapshot, StoreError> {
    Ok(super::publish::load_snapshot(conn, v)?.view(view))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kiosk_is_served_the_features_this_hub_knows_of_those_it_reads() {
        assert!(known(&[]).is_empty());
        assert_eq!(known(&["content".into(), "holograms".into()]), ["content"]);
        assert_eq!(key(&known(&["content".into()])), "content");
        assert_eq!(key(&[]), "");
    }
}
