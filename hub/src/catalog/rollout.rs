//! Catalog rollout, the store side of the sync server: which version each
//! kiosk should run (its pointer), the documents that take it there (delta
//! or snapshot, cached as blobs), and per kiosk × version job state. The
//! network side is in `server/`.

use crate::blobs::BlobDir;
use crate::catalog::publish::{desired_version, version_exists};
use crate::catalog::views;
use crate::store::{StoreError, now_ms};
use protocol::catalog::Document;
use protocol::messages::{CatalogDoc, CatalogPointer, CatalogReported, DocKind, SyncState};
use rusqlite::{Connection, OptionalExtension, params};

/// A kiosk further behind than this gets a snapshot instead of a delta.
pub const MAX_DELTA_SPAN: u64 = 50;
/// A job with no progress for this long is marked timed out.
pub const JOB_TIMEOUT_MS: i64 = 10 * 60 * 1000;

/// The pointer for a kiosk of `group` that reads `view`, if any version
/// targets it.
pub fn pointer_for(
    conn: &Connection,
    group: &str,
    view: &[&str],
) -> Result<Option<CatalogPointer>, StoreError> {
    let Some(v) = desired_version(conn, group)? else { return Ok(None) };
    Ok(Some(conn.query_row(
        "SELECT manifest_sha256, blob_bytes, items FROM catalog_views WHERE version = ?1 AND view = ?2",
        params![v, views::key(view)],
        |r| Ok(CatalogPointer { version: v, manifest_sha256: r.get(0)?, size: r.get(1)?, items: r.get(2)? }),
    )?))
}

/// A stamp of the rollout targets: it changes with every publish,
/// promotion or rollback, whichever process made it.
pub fn targets_stamp(conn: &Connection) -> Result<String, StoreError> {
    Ok(conn.query_row(
        "SELECT coalesce(group_concat(target || '=' || version || '@' || updated_at), '') FROM catalog_targets",
        [],
        |r| r.get(0),
    )?)
}

/// A document that is not yet cached: the caller stores it through the writer.
pub struct NewDoc {
    pub base: u64,
    pub version: u64,
    pub view: String,
    pub sha256: String,
    pub size: u64,
}

/// Describe (building and caching it if needed) the document that takes a
/// kiosk reading `view` from `have` to `want`.
pub fn document(
    conn: &Connection,
    blobs: &BlobDir,
    have: u64,
    want: u64,
    view: &[&str],
) -> Result<(CatalogDoc, Option<NewDoc>), StoreError> {
    let view_key = views::key(view);
    let manifest: Option<String> = conn
        .query_row(
            "SELECT manifest_sha256 FROM catalog_views WHERE version = ?1 AND view = ?2",
            params![want, view_key],
            |r| r.get(0),
        )
        .optional()?;
    let Some(manifest_sha256) = manifest else {
        return Ok((
            CatalogDoc {
                want,
                base: 0,
                kind: DocKind::Snapshot,
                doc_sha256: String::new(),
                doc_size: 0,
                manifest_sha256: String::new(),
                error: Some(format!("version {want} does not exist")),
            },
            None,
        ));
    };
    let base = if have > 0 && have < want && want - have <= MAX_DELTA_SPAN && version_exists(conn, have)? {
        have
    } else {
        0
    };
    let cached: Option<(String, u64)> = conn
        .query_row(
            "SELECT sha256, size FROM catalog_docs WHERE base = ?1 AND version = ?2 AND view = ?3",
            params![base, want, view_key],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (sha256, size, new) = match cached {
        Some((sha, size)) if blobs.size(&sha) == Some(size) => (sha, size, None),
        _ => {
            let target = views::load(conn, want, view)?;
            let doc = if base > 0 {
                Document::Delta(views::load(conn, base, view)?.delta_to(&target))
            } else {
                Document::Snapshot(target)
            };
            let bytes = doc.to_bytes();
            let sha = blobs.put(&bytes).map_err(StoreError::Blob)?;
            let size = bytes.len() as u64;
            (sha.clone(), size, Some(NewDoc { base, version: want, view: view_key, sha256: sha, size }))
        }
    };
    let kind = if base > 0 { DocKind::Delta } else { DocKind::Snapshot };
    Ok((
        CatalogDoc { want, base, kind, doc_sha256: sha256, doc_size: size, manifest_sha256, error: None },
        new,
    ))
}

/// Record a built document so later requests reuse it.
pub fn remember_doc(conn: &Connection, d: &NewDoc) -> Result<(), StoreError> {
    conn.execute(
        "INSERT OR IGNORE INTO blobs(sha256, size, media_type, created_at) VALUES (?1, ?2, 'application/gzip', ?3)",
        params![d.sha256, d.size, now_ms()],
    )?;
    conn.execute(
        "INSERT OR REPLACE INTO catalog_docs(base, version, view, sha256, size) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![d.base, d.version, d.view, d.sha256, d.size],
    )?;
    Ok(())
}

/// The size of a blob kiosks may fetch (catalog images and documents only).
pub fn fetchable_blob(conn: &Connection, sha256: &str) -> Result<Option<u64>, StoreError> {
    Ok(conn.query_row("SELECT size FROM blobs WHERE sha256 = ?1", [sha256], |r| r.get(0)).optional()?)
}

/// A job exists (queued) once a kiosk is pointed at a version.
pub fn job_queued(conn: &Connection, kid: &str, version: u64) -> Result<(), StoreError> {
    conn.execute(
        "INSERT OR IGNORE INTO sync_jobs(kid, version, state, updated_at) VALUES (?1, ?2, 'queued', ?3)",
        params![kid, version, now_ms()],
    )?;
    Ok(())
}

/// A kiosk asked for a document: its job is downloading.
pub fn job_started(conn: &Connection, kid: &str, version: u64) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO sync_jobs(kid, version, state, updated_at) VALUES (?1, ?2, 'downloading', ?3)
         ON CONFLICT(kid, version) DO UPDATE SET state = 'downloading', error = NULL, updated_at = excluded.updated_at
         WHERE sync_jobs.state != 'applied'",
        params![kid, version, now_ms()],
    )?;
    Ok(())
}

/// Apply a kiosk's report to its job (and its presence on success). A
/// progress report that arrives after the job was applied (reports are
/// handled concurrently, so one can overtake another) changes nothing.
pub fn job_reported(conn: &Connection, kid: &str, r: &CatalogReported) -> Result<(), StoreError> {
    let state = match r.state {
        SyncState::Downloading => "downloading",
        SyncState::Applied => "applied",
        SyncState::Failed => "failed",
    };
    conn.execute(
        "INSERT INTO sync_jobs(kid, version, state, bytes_done, bytes_total, error, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT(kid, version) DO UPDATE SET state = excluded.state, bytes_done = excluded.bytes_done,
           bytes_total = excluded.bytes_total, error = excluded.error, updated_at = excluded.updated_at
         WHERE NOT (sync_jobs.state = 'applied' AND excluded.state = 'downloading')",
        params![kid, r.version, state, r.bytes_done, r.bytes_total, r.error, now_ms()],
    )?;
    if r.state == SyncState::Applied {
        conn.execute("UPDATE presence SET catalog_version = ?2 WHERE kid = ?1", params![kid, r.version])?;
    }
    Ok(())
}

/// Mark stalled downloads as timed out; returns how many.
pub fn time_out_jobs(conn: &Connection, now: i64) -> Result<usize, StoreError> {
    Ok(conn.execute(
        "UPDATE sync_jobs SET state = 'timed_out', updated_at = ?1 WHERE state = 'downloading' AND updated_at < ?2",
        params![now, now - JOB_TIMEOUT_MS],
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::publish::{Target, set_target};
    use crate::store::{DataDir, open_write};

    fn insert_views(conn: &Connection, v: u64) {
        for view in views::ALL {
            conn.execute(
                "INSERT INTO catalog_views(version, view, manifest_sha256, items, blob_bytes) VALUES (?1, ?2, ?3, 1, 0)",
                params![v, views::key(view), format!("{v:064}")],
            )
            .unwrap();
        }
    }

    fn store() -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let conn = open_write(&DataDir::new(dir.path()).unwrap()).unwrap();
        for v in 1..=2 {
            conn.execute(
                "INSERT INTO catalog_versions(version, created_at, source, manifest_sha256, items, blob_bytes) VALUES (?1, 0, 't', ?2, 1, 0)",
                params![v, format!("{v:064}")],
            )
            .unwrap();
            insert_views(&conn, v);
        }
        (dir, conn)
    }

    #[test]
    fn a_staged_rollout_reaches_only_its_group_until_promoted() {
        let (_d, c) = store();
        set_target(&c, &Target::All, 1).unwrap();
        set_target(&c, &Target::Group("showroom".into()), 2).unwrap();
        assert_eq!(pointer_for(&c, "showroom", &[]).unwrap().unwrap().version, 2);
        assert_eq!(pointer_for(&c, "maishi", &[]).unwrap().unwrap().version, 1);
        set_target(&c, &Target::All, 2).unwrap();
        assert_eq!(pointer_for(&c, "maishi", &[]).unwrap().unwrap().version, 2);
    }

    #[test]
    fn stalled_downloads_time_out_and_applied_jobs_stay_applied() {
        let (_d, c) = store();
        job_queued(&c, "k1", 1).unwrap();
        job_started(&c, "k1", 1).unwrap();
        let state = |c: &Connection| -> String {
            c.query_row("SELECT state FROM sync_jobs WHERE kid = 'k1' AND version = 1", [], |r| r.get(0))
                .unwrap()
        };
        assert_eq!(time_out_jobs(&c, now_ms()).unwrap(), 0, "fresh progress does not time out");
        assert_eq!(time_out_jobs(&c, now_ms() + JOB_TIMEOUT_MS + 1).unwrap(), 1);
        assert_eq!(state(&c), "timed_out");
        let applied = CatalogReported {
            version: 1,
            state: SyncState::Applied,
            bytes_done: 1,
            bytes_total: 1,
            error: None,
        };
        job_reported(&c, "k1", &applied).unwrap();
        job_started(&c, "k1", 1).unwrap();
        assert_eq!(state(&c), "applied", "a repeated request does not reopen an applied job");
        let late = CatalogReported { state: SyncState::Downloading, bytes_done: 0, ..applied };
        job_reported(&c, "k1", &late).unwrap();
        assert_eq!(state(&c), "applied", "a progress report overtaken by its result changes nothing");
    }
}
