//! Kiosk software releases on the hub: signed artifacts kept as blobs,
//! rolled out like catalogs (a group first, then everyone), and each
//! kiosk's job as it reports it. The network side is in `server/`.
//!
//! A release is added only when its signature verifies with the county's
//! release key (`<data>/release.pub`); kiosks check it again with the key
//! in their own configuration, so a hub that was tampered with still
//! cannot install anything.

pub mod key;

use crate::blobs::BlobDir;
use crate::catalog::publish::Target;
use crate::store::{StoreError, now_ms};
use protocol::messages::{ReleasePointer, ReleaseReported};
use protocol::release::{ReleaseManifest, ReleaseVersion};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Release notes are shown on staff pages; longer ones belong in a document.
pub const MAX_NOTES: usize = 1000;

#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    #[error(
        "no release key on this hub ({0}); make one with `hub fleet release-key --out <file>`, or copy the public half there"
    )]
    NoKey(PathBuf),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{0}")]
    Bad(String),
    #[error(
        "{artifact}: unsigned: there is no {sig}; sign it with `hub release sign` where the release key is kept"
    )]
    Unsigned { artifact: PathBuf, sig: PathBuf },
    #[error("{artifact}: refused: {why}")]
    Refused { artifact: PathBuf, why: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A release checked and ready to store.
#[derive(Debug)]
pub struct Checked {
    pub manifest: ReleaseManifest,
    pub bytes: Vec<u8>,
}

/// Where `hub release sign` puts an artifact's signed manifest.
pub fn sig_path(artifact: &Path) -> PathBuf {
    let mut name = artifact.as_os_str().to_owned();
    name.push(".sig");
    PathBuf::from(name)
}

/// Read an artifact and its signed manifest and check them against each
/// other, the version asked for and the county's key.
pub fn check(
    artifact: &Path,
    sig: &Path,
    version: ReleaseVersion,
    public_key: &[u8; protocol::release::PUBLIC_KEY_LEN],
) -> Result<Checked, ReleaseError> {
    let refused = |why: String| ReleaseError::Refused { artifact: artifact.to_owned(), why };
    let bytes =
        std::fs::read(artifact).map_err(|source| ReleaseError::Io { path: artifact.to_owned(), source })?;
    let text = match std::fs::read(sig) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ReleaseError::Unsigned { artifact: artifact.to_owned(), sig: sig.to_owned() });
        }
        Err(source) => return Err(ReleaseError::Io { path: sig.to_owned(), source }),
    };
    let manifest: ReleaseManifest = serde_json::from_slice(&text)
        .map_err(|e| refused(format!("{} is not a signed manifest: {e}", sig.display())))?;
    if manifest.version != version {
        return Err(refused(format!("it is signed as {}, not {version}", manifest.version)));
    }
    let sha = protocol::sha256_hex(&bytes);
    if manifest.sha256 != sha || manifest.size != bytes.len() as u64 {
        return Err(refused("the file is not the one that was signed (its hash or size differs)".into()));
    }
    manifest.verify(public_key).map_err(|e| refused(e.to_string()))?;
    Ok(Checked { manifest, bytes })
}

/// Store a checked release (the artifact as a blob kiosks may fetch).
/// Adding the same release again changes nothing; another artifact under
/// an existing version is refused.
pub fn add(
    conn: &Connection,
    blobs: &BlobDir,
    release: &Checked,
    notes: &str,
    by: &str,
) -> Result<bool, ReleaseError> {
    let m = &release.manifest;
    if notes.chars().count() > MAX_NOTES {
        return Err(ReleaseError::Bad(format!("notes longer than {MAX_NOTES} characters")));
    }
    let existing: Option<String> = conn
        .query_row("SELECT sha256 FROM releases WHERE version = ?1", [m.version.to_string()], |r| r.get(0))
        .optional()
        .map_err(StoreError::from)?;
    match existing {
        Some(sha) if sha == m.sha256 => return Ok(false),
        Some(_) => {
            return Err(ReleaseError::Bad(format!(
                "release {} exists with another file; a changed release is a new version",
                m.version
            )));
        }
        None => {}
    }
    let sha = blobs.put(&release.bytes).map_err(StoreError::Blob)?;
    debug_assert_eq!(sha, m.sha256);
    let now = now_ms();
    conn.execute(
        "INSERT OR IGNORE INTO blobs(sha256, size, media_type, created_at) VALUES (?1, ?2, 'application/x-kiosk-release', ?3)",
        params![m.sha256, m.size, now],
    )
    .map_err(StoreError::from)?;
    conn.execute(
        "INSERT INTO releases(version, major, minor, patch, sha256, size, signature, notes, added_at, added_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            m.version.to_string(),
            m.version.major,
            m.version.minor,
            m.version.patch,
            m.sha256,
            m.size,
            m.signature,
            notes,
            now,
            by
        ],
    )
    .map_err(StoreError::from)?;
    Ok(true)
}

/// Point a group (or everyone) at a release; `hours` limits when kiosks
/// may install it (county hours `[from, to)`).
pub fn set_target(
    conn: &Connection,
    target: &Target,
    version: ReleaseVersion,
    hours: Option<[u8; 2]>,
) -> Result<(), ReleaseError> {
    let exists: bool = conn
        .query_row("SELECT count(*) > 0 FROM releases WHERE version = ?1", [version.to_string()], |r| {
            r.get(0)
        })
        .map_err(StoreError::from)?;
    if !exists {
        return Err(ReleaseError::Bad(format!(
            "there is no release {version}; add it with `hub release add` (see `hub release versions`)"
        )));
    }
    if let Some([from, to]) = hours
        && (from > 23 || to > 24 || from == to)
    {
        return Err(ReleaseError::Bad(format!("install hours {from}-{to}: give two different hours, 0–24")));
    }
    conn.execute(
        "INSERT INTO release_targets(target, version, hours_from, hours_to, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(target) DO UPDATE SET version = excluded.version, hours_from = excluded.hours_from,
           hours_to = excluded.hours_to, updated_at = excluded.updated_at",
        params![target.key(), version.to_string(), hours.map(|h| h[0]), hours.map(|h| h[1]), now_ms()],
    )
    .map_err(StoreError::from)?;
    Ok(())
}

/// A stamp of the release targets: changes with every rollout.
pub fn targets_stamp(conn: &Connection) -> Result<String, StoreError> {
    Ok(conn.query_row(
        "SELECT coalesce(group_concat(target || '=' || version || '@' || updated_at), '') FROM release_targets",
        [],
        |r| r.get(0),
    )?)
}

/// The release a kiosk of `group` should run: the newest of the global
/// target and its group's (as for catalogs), with that target's hours.
pub fn pointer_for(conn: &Connection, group: &str) -> Result<Option<ReleasePointer>, StoreError> {
    let row = conn
        .query_row(
            "SELECT r.version, r.sha256, r.size, r.signature, r.notes, t.hours_from, t.hours_to
             FROM release_targets t JOIN releases r ON r.version = t.version
             WHERE t.target = '*' OR t.target = ?1
             ORDER BY r.major DESC, r.minor DESC, r.patch DESC, t.target = '*' LIMIT 1",
            [format!("group:{group}")],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, u64>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<u8>>(5)?,
                    r.get::<_, Option<u8>>(6)?,
                ))
            },
        )
        .optional()?;
    let Some((version, sha256, size, signature, notes, from, to)) = row else { return Ok(None) };
    let Ok(version) = version.parse() else { return Ok(None) };
    Ok(Some(ReleasePointer {
        manifest: ReleaseManifest { version, sha256, size, signature },
        notes,
        install_hours: from.zip(to).map(|(f, t)| [f, t]),
    }))
}

/// A kiosk was pointed at a release: its job is queued until it reports.
pub fn job_queued(conn: &Connection, kid: &str, version: ReleaseVersion) -> Result<(), StoreError> {
    conn.execute(
        "INSERT OR IGNORE INTO release_jobs(kid, version, state, updated_at) VALUES (?1, ?2, 'queued', ?3)",
        params![kid, version.to_string(), now_ms()],
    )?;
    Ok(())
}

/// Apply a kiosk's report. An outcome (running, rolled back, failed) is
/// not overwritten by a progress report that overtook it.
pub fn job_reported(conn: &Connection, kid: &str, r: &ReleaseReported) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO release_jobs(kid, version, state, bytes_done, bytes_total, error, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT(kid, version) DO UPDATE SET state = excluded.state, bytes_done = excluded.bytes_done,
           bytes_total = excluded.bytes_total, error = excluded.error, updated_at = excluded.updated_at
         WHERE NOT (release_jobs.state IN ('running', 'rolled_back', 'failed')
                    AND excluded.state IN ('downloading', 'verifying'))",
        params![kid, r.version.to_string(), r.state.as_str(), r.bytes_done, r.bytes_total, r.error, now_ms()],
    )?;
    conn.execute(
        "UPDATE presence SET app_version = ?2, previous_version = ?3 WHERE kid = ?1",
        params![kid, r.running, r.previous],
    )?;
    Ok(())
}

/// One release as `hub release versions` lists it.
#[derive(Debug, Serialize)]
pub struct ReleaseRow {
    pub version: String,
    pub added_at: i64,
    pub added_by: String,
    pub size: u64,
    pub sha256: String,
    pub notes: String,
    /// `*` (everyone) or `group:<name>`, with install hours when set.
    pub targets: Vec<String>,
}

/// One kiosk's software as `hub release versions` lists it.
#[derive(Debug, Serialize)]
pub struct KioskSoftware {
    pub kiosk: String,
    pub group: String,
    pub running: Option<String>,
    pub previous: Option<String>,
    pub desired: Option<String>,
    /// The desired release's job: queued, downloading, verifying,
    /// installed, running, rolled_back, failed.
    pub job: Option<String>,
    pub bytes_done: u64,
    pub bytes_total: u64,
    pub error: Option<String>,
    /// Jobs of other releases that did not work (rolled back or failed).
    pub given_up: Vec<String>,
}

pub fn releases(conn: &Connection) -> Result<Vec<ReleaseRow>, StoreError> {
    let mut st = conn.prepare(
        "SELECT version, added_at, added_by, size, sha256, notes,
                (SELECT group_concat(target || coalesce(' ' || hours_from || '-' || hours_to || 'h', ''), ',')
                 FROM release_targets t WHERE t.version = r.version)
         FROM releases r ORDER BY major DESC, minor DESC, patch DESC",
    )?;
    let rows = st
        .query_map([], |r| {
            Ok(ReleaseRow {
                version: r.get(0)?,
                added_at: r.get(1)?,
                added_by: r.get(2)?,
                size: r.get(3)?,
                sha256: r.get(4)?,
                notes: r.get(5)?,
                targets: r
                    .get::<_, Option<String>>(6)?
                    .map(|t| t.split(',').map(str::to_owned).collect())
                    .unwrap_or_default(),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub fn kiosks(conn: &Connection) -> Result<Vec<KioskSoftware>, StoreError> {
    let mut st = conn.prepare(
        "SELECT k.kid, k.group_name, nullif(p.app_version, ''), p.previous_version
         FROM kiosks k LEFT JOIN presence p ON p.kid = k.kid
         WHERE k.revoked_at IS NULL ORDER BY k.group_name, k.kid",
    )?;
    let base = st
        .query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?, r.get(3)?))
        })?
        .collect::<Result<Vec<(String, String, Option<String>, Option<String>)>, _>>()?;
    let mut out = Vec::with_capacity(base.len());
    for (kiosk, group, running, previous) in base {
        let desired = pointer_for(conn, &group)?.map(|p| p.manifest.version.to_string());
        let job = match &desired {
            Some(v) => conn
                .query_row(
                    "SELECT state, bytes_done, bytes_total, error FROM release_jobs WHERE kid = ?1 AND version = ?2",
                    params![kiosk, v],
                    |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?,
            None => None,
        };
        // A kiosk already on the desired release has nothing to do for it
        // (and reports no job: it was there before it was pointed at it).
        let job = match (job, &desired, &running) {
            (_, Some(d), Some(r)) if d == r => Some(("running".to_owned(), 0, 0, None)),
            (j, ..) => j,
        };
        let mut given = conn.prepare(
            "SELECT version FROM release_jobs WHERE kid = ?1 AND state IN ('rolled_back', 'failed') ORDER BY updated_at",
        )?;
        let given_up = given.query_map([&kiosk], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?;
        let (job, bytes_done, bytes_total, error) = match job {
            Some((s, d, t, e)) => (Some(s), d, t, e),
            None => (None, 0, 0, None),
        };
        out.push(KioskSoftware {
            kiosk,
            group,
            running,
            previous,
            desired,
            job,
            bytes_done,
            bytes_total,
            error,
            given_up,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{DataDir, open_write};
    use ring::signature::{Ed25519KeyPair, KeyPair};

    fn v(s: &str) -> ReleaseVersion {
        s.parse().unwrap()
    }

    struct Fixture {
        dir: tempfile::TempDir,
        conn: Connection,
        blobs: BlobDir,
        key: Ed25519KeyPair,
        public: [u8; 32],
    }

    fn fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::new(dir.path().join("hub")).unwrap();
        let conn = open_write(&data).unwrap();
        let blobs = BlobDir::new(data.blobs());
        let rng = ring::rand::SystemRandom::new();
        let key = Ed25519KeyPair::from_pkcs8(Ed25519KeyPair::generate_pkcs8(&rng).unwrap().as_ref()).unwrap();
        let public = key.public_key().as_ref().try_into().unwrap();
        Fixture { dir, conn, blobs, key, public }
    }

    fn artifact(f: &Fixture, name: &str, version: &str, body: &[u8], key: &Ed25519KeyPair) -> PathBuf {
        let path = f.dir.path().join(name);
        std::fs::write(&path, body).unwrap();
        let (sha256, size) = (protocol::sha256_hex(body), body.len() as u64);
        let signature = hex::encode(key.sign(&protocol::release::signed_bytes(v(version), &sha256, size)));
        let m = ReleaseManifest { version: v(version), sha256, size, signature };
        std::fs::write(sig_path(&path), serde_json::to_vec(&m).unwrap()).unwrap();
        path
    }

    #[test]
    fn only_a_release_signed_by_the_county_for_that_version_is_added() {
        let f = fixture();
        let good = artifact(&f, "k2", "2.0.0", b"release two", &f.key);
        let c = check(&good, &sig_path(&good), v("2.0.0"), &f.public).unwrap();
        assert!(add(&f.conn, &f.blobs, &c, "fixes", "test").unwrap());
        assert!(
            !add(&f.conn, &f.blobs, &c, "fixes", "test").unwrap(),
            "the same release again changes nothing"
        );
        assert!(f.blobs.size(&c.manifest.sha256) == Some(11));

        let e = check(&good, &sig_path(&good), v("2.0.1"), &f.public).unwrap_err().to_string();
        assert!(e.contains("signed as 2.0.0, not 2.0.1"), "{e}");
        let rng = ring::rand::SystemRandom::new();
        let other =
            Ed25519KeyPair::from_pkcs8(Ed25519KeyPair::generate_pkcs8(&rng).unwrap().as_ref()).unwrap();
        let foreign = artifact(&f, "k3", "3.0.0", b"release three", &other);
        let e = check(&foreign, &sig_path(&foreign), v("3.0.0"), &f.public).unwrap_err().to_string();
        assert!(e.contains("does not verify"), "{e}");
        std::fs::write(&good, b"release two, changed").unwrap();
        let e = check(&good, &sig_path(&good), v("2.0.0"), &f.public).unwrap_err().to_string();
        assert!(e.contains("not the one that was signed"), "{e}");
        let bare = f.dir.path().join("bare");
        std::fs::write(&bare, b"x").unwrap();
        assert!(matches!(
            check(&bare, &sig_path(&bare), v("1.0.0"), &f.public),
            Err(ReleaseError::Unsigned { .. })
        ));
    }

    #[test]
    fn a_group_gets_its_release_first_and_everyone_after_promotion() {
        let f = fixture();
        for (name, ver) in [("a", "1.0.0"), ("b", "1.1.0")] {
            let p = artifact(&f, name, ver, ver.as_bytes(), &f.key);
            let c = check(&p, &sig_path(&p), v(ver), &f.public).unwrap();
            add(&f.conn, &f.blobs, &c, "", "t").unwrap();
        }
        set_target(&f.conn, &Target::All, v("1.0.0"), None).unwrap();
        set_target(&f.conn, &Target::Group("a".into()), v("1.1.0"), Some([2, 5])).unwrap();
        let a = pointer_for(&f.conn, "a").unwrap().unwrap();
        assert_eq!((a.manifest.version, a.install_hours), (v("1.1.0"), Some([2, 5])));
        assert_eq!(pointer_for(&f.conn, "b").unwrap().unwrap().manifest.version, v("1.0.0"));
        set_target(&f.conn, &Target::All, v("1.1.0"), None).unwrap();
        assert_eq!(pointer_for(&f.conn, "b").unwrap().unwrap().manifest.version, v("1.1.0"));
        assert!(set_target(&f.conn, &Target::All, v("9.0.0"), None).is_err(), "no such release");
        assert!(set_target(&f.conn, &Target::All, v("1.0.0"), Some([3, 3])).is_err());
    }
}
