//! `hub backup` and `hub restore`: a hub's data folder in one file, and
//! back into an empty folder on a new machine.
//!
//! The store is copied with SQLite's `VACUUM INTO`, one read transaction:
//! a consistent copy while the hub goes on writing (WAL readers never block
//! the writer). Blobs are content-addressed and never change once written,
//! and every blob the copy names was written before the copy's transaction
//! began (catalog versions are committed after their blobs), so taking the
//! blob folder after the store loses nothing; a blob added meanwhile is
//! merely extra. The hub key, the county CA and broker certificate, and
//! staff's calendar years come along: without them the restored hub could
//! not speak to its kiosks. The archive is written under a temporary name
//! and renamed, so a file with the final name is always whole.
//!
//! Restoring checks everything before anything is in place: each file's
//! SHA-256 against the manifest, each blob against its name, the store
//! with `PRAGMA integrity_check`; then the folder is renamed into place.

use crate::store::{DataDir, StoreError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// What a backup holds, first in the archive as `backup.json`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub format: u32,
    /// Unix ms when the store was copied.
    pub taken_at: i64,
    pub hub_version: String,
    pub files: Vec<FileEntry>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileEntry {
    /// Relative to the data folder, `/`-separated.
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

const FORMAT: u32 = 1;
const MANIFEST: &str = "backup.json";
const DB: &str = "hub.db";

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("copying the store: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{0} is not a hub backup that can be read ({1})")]
    NotBackup(PathBuf, String),
    #[error("{file} in the backup is damaged ({why}); nothing was restored")]
    Damaged { file: String, why: String },
    #[error(
        "{0} already holds a hub (hub.db); restore into a new, empty folder, then point the hub at it with --data"
    )]
    NotEmpty(PathBuf),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io { path: path.to_owned(), source }
}

/// The files beside the store that a hub needs: relative paths that exist.
fn side_files(root: &Path) -> Result<Vec<String>, BackupError> {
    let mut out = Vec::new();
    for name in ["hub.key", "tls/ca.pem", "tls/ca.key", "tls/server.pem", "tls/server.key"] {
        if root.join(name).is_file() {
            out.push(name.to_owned());
        }
    }
    for folder in ["calendar", "blobs"] {
        walk(root, &root.join(folder), &mut out)?;
    }
    Ok(out)
}

/// Every regular file under `dir`, skipping blob writers' temporary files.
fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<(), BackupError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io(dir)(e)),
    };
    let mut entries: Vec<_> = entries.collect::<Result<_, _>>().map_err(io(dir))?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        let kind = e.file_type().map_err(io(&path))?;
        if kind.is_dir() {
            walk(root, &path, out)?;
        } else if kind.is_file() && !e.file_name().to_string_lossy().starts_with(".tmp-") {
            let rel = path.strip_prefix(root).expect("under the root");
            out.push(rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"));
        }
    }
    Ok(())
}

/// Write a backup of `data` to `out`. Safe while the hub runs.
pub fn backup(data: &DataDir, out: &Path, now_ms: i64) -> Result<Manifest, BackupError> {
    let dir = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let scratch = tempfile::tempdir_in(dir).map_err(io(dir))?;
    let db_copy = scratch.path().join(DB);
    {
        let conn = crate::store::open_read(data)?;
        conn.execute("VACUUM INTO ?1", [db_copy.to_string_lossy()])?;
    }
    let mut files = vec![(DB.to_owned(), db_copy)];
    files.extend(side_files(data.root())?.into_iter().map(|rel| {
        let path = data.root().join(&rel);
        (rel, path)
    }));

    let partial = scratch.path().join("backup.partial");
    // It holds the hub key and the county CA's key: readable by the owner only.
    let file = private_file(&partial)?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let mut manifest = Manifest {
        format: FORMAT,
        taken_at: now_ms,
        hub_version: env!("CARGO_PKG_VERSION").into(),
        files: vec![],
    };
    // The manifest goes last (it needs every hash); readers find it by name.
    for (rel, path) in &files {
        // Images and blobs are compressed already; the store is not.
        let method =
            if rel == DB { zip::CompressionMethod::Deflated } else { zip::CompressionMethod::Stored };
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(method)
            .large_file(true)
            .unix_permissions(0o600);
        zip.start_file(rel.as_str(), options).map_err(|e| zip_io(&partial, e))?;
        let mut src = std::fs::File::open(path).map_err(io(path))?;
        let (bytes, sha256) = copy_hashing(&mut src, &mut zip).map_err(io(path))?;
        manifest.files.push(FileEntry { path: rel.clone(), bytes, sha256 });
    }
    let text = serde_json::to_vec_pretty(&manifest).expect("a manifest serialises");
    zip.start_file(MANIFEST, zip::write::SimpleFileOptions::default()).map_err(|e| zip_io(&partial, e))?;
    zip.write_all(&text).map_err(io(&partial))?;
    let file = zip.finish().map_err(|e| zip_io(&partial, e))?;
    let file = file.into_inner().map_err(|e| io(&partial)(e.into_error()))?;
    file.sync_all().map_err(io(&partial))?;
    std::fs::rename(&partial, out).map_err(io(out))?;
    Ok(manifest)
}

fn zip_io(path: &Path, e: zip::result::ZipError) -> BackupError {
    io(path)(std::io::Error::other(e))
}

fn copy_hashing(src: &mut impl Read, dst: &mut impl Write) -> std::io::Result<(u64, String)> {
    let mut hash = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        let n = src.read(&mut buf)?;
        if n == 0 {
            return Ok((total, hex::encode(hash.finalize())));
        }
        hash.update(&buf[..n]);
        dst.write_all(&buf[..n])?;
        total += n as u64;
    }
}

/// Restore the backup `file` into `data`, which must not hold a hub yet.
pub fn restore(file: &Path, data: &Path) -> Result<Manifest, BackupError> {
    if data.join(DB).exists() {
        return Err(BackupError::NotEmpty(data.to_owned()));
    }
    let not_backup = |why: String| BackupError::NotBackup(file.to_owned(), why);
    let reader = std::fs::File::open(file).map_err(io(file))?;
    let mut zip =
        zip::ZipArchive::new(std::io::BufReader::new(reader)).map_err(|e| not_backup(e.to_string()))?;
    let manifest: Manifest = {
        let mut entry = zip.by_name(MANIFEST).map_err(|_| not_backup(format!("no {MANIFEST}")))?;
        let mut text = Vec::new();
        entry.read_to_end(&mut text).map_err(|e| not_backup(e.to_string()))?;
        serde_json::from_slice(&text).map_err(|e| not_backup(e.to_string()))?
    };
    if manifest.format != FORMAT {
        return Err(not_backup(format!("format {} (this hub reads {FORMAT})", manifest.format)));
    }
    let parent = data.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(io(parent))?;
    let staging = tempfile::tempdir_in(parent).map_err(io(parent))?;
    for f in &manifest.files {
        let damaged = |why: String| BackupError::Damaged { file: f.path.clone(), why };
        if !safe_relative(&f.path) {
            return Err(damaged("a path outside the data folder".into()));
        }
        let mut entry = zip.by_name(&f.path).map_err(|e| damaged(e.to_string()))?;
        let target = staging.path().join(&f.path);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).map_err(io(dir))?;
        }
        let mut out = std::fs::File::create(&target).map_err(io(&target))?;
        let (bytes, sha) = copy_hashing(&mut entry, &mut out).map_err(|e| damaged(e.to_string()))?;
        if (bytes, sha.as_str()) != (f.bytes, f.sha256.as_str()) {
            return Err(damaged(format!(
                "{bytes} bytes with SHA-256 {sha}, the manifest says {} and {}",
                f.bytes, f.sha256
            )));
        }
        if let Some(name) = f.path.strip_prefix("blobs/") {
            if name.replace('/', "") != sha {
                return Err(damaged("a blob whose content is not its name".into()));
            }
        }
        out.sync_all().map_err(io(&target))?;
        set_private(&target)?;
    }
    let db = staging.path().join(DB);
    let check: String =
        rusqlite::Connection::open(&db)?.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if check != "ok" {
        return Err(BackupError::Damaged { file: DB.into(), why: check });
    }
    // Into place: the folder itself when new, else its (empty of a hub) content.
    let staged = staging.keep();
    if !data.exists() {
        std::fs::rename(&staged, data).map_err(io(data))?;
    } else {
        for e in std::fs::read_dir(&staged).map_err(io(&staged))? {
            let e = e.map_err(io(&staged))?;
            let to = data.join(e.file_name());
            if to.exists() && to.is_dir() && std::fs::read_dir(&to).map_err(io(&to))?.next().is_none() {
                std::fs::remove_dir(&to).map_err(io(&to))?;
            }
            std::fs::rename(e.path(), &to).map_err(io(&to))?;
        }
        let _ = std::fs::remove_dir(&staged);
    }
    Ok(manifest)
}

fn safe_relative(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && path.split('/').all(|part| !part.is_empty() && part != "." && part != "..")
}

fn private_file(path: &Path) -> Result<std::fs::File, BackupError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map_err(io(path))
}

#[cfg(unix)]
fn set_private(path: &Path) -> Result<(), BackupError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(io(path))
}

#[cfg(not(unix))]
fn set_private(_: &Path) -> Result<(), BackupError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blobs::BlobDir;
    use crate::fleet::registry;

    /// A data folder with a kiosk, a blob, a key and a calendar year.
    fn a_hub(root: &Path) -> (DataDir, String) {
        let data = DataDir::new(root).unwrap();
        let conn = crate::store::open_write(&data).unwrap();
        let kid = protocol::KioskId::new("station-a").unwrap();
        registry::register_new(&conn, &kid, "shinan").unwrap();
        std::fs::write(root.join("hub.key"), "00".repeat(32)).unwrap();
        std::fs::create_dir_all(root.join("calendar")).unwrap();
        std::fs::write(root.join("calendar/2027.toml"), "year = 2027\n").unwrap();
        let sha = BlobDir::new(data.blobs()).put(b"a picture").unwrap();
        // A blob writer's leftover is not part of the hub.
        std::fs::write(data.blobs().join(&sha[..2]).join(".tmp-1-ff"), b"half").unwrap();
        (data, sha)
    }

    #[test]
    fn a_backup_restores_into_a_new_folder_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let (data, sha) = a_hub(&tmp.path().join("old"));
        let file = tmp.path().join("hub.backup");
        let manifest = backup(&data, &file, 1_790_000_000_000).unwrap();
        let paths: Vec<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths[0], "hub.db");
        assert!(paths.contains(&"hub.key") && paths.contains(&"calendar/2027.toml"), "{paths:?}");
        assert!(!paths.iter().any(|p| p.contains(".tmp-")), "{paths:?}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
                0o600,
                "it holds keys"
            );
        }

        let new = tmp.path().join("new");
        let restored = restore(&file, &new).unwrap();
        assert_eq!(restored, manifest);
        let conn = crate::store::open_read(&DataDir::new(&new).unwrap()).unwrap();
        assert_eq!(
            registry::all(&conn).unwrap().keys().map(|k| k.to_string()).collect::<Vec<_>>(),
            ["station-a"]
        );
        assert_eq!(std::fs::read(BlobDir::new(new.join("blobs")).path(&sha)).unwrap(), b"a picture");
        assert_eq!(
            std::fs::read(new.join("hub.key")).unwrap(),
            std::fs::read(data.root().join("hub.key")).unwrap()
        );
        // Never over a hub.
        assert!(matches!(restore(&file, &new), Err(BackupError::NotEmpty(_))));
    }

    #[test]
    fn a_damaged_backup_restores_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let (data, _) = a_hub(&tmp.path().join("old"));
        let file = tmp.path().join("hub.backup");
        backup(&data, &file, 0).unwrap();
        // Flip one byte of the stored (uncompressed) key's contents.
        let mut bytes = std::fs::read(&file).unwrap();
        let at = bytes.windows(8).position(|w| w == b"00000000").unwrap();
        bytes[at] = b'1';
        let broken = tmp.path().join("broken.backup");
        std::fs::write(&broken, &bytes).unwrap();
        let new = tmp.path().join("new");
        let err = restore(&broken, &new).unwrap_err().to_string();
        assert!(err.contains("hub.key") && err.contains("nothing was restored"), "{err}");
        assert!(!new.exists(), "nothing put in place");
        let err = restore(&tmp.path().join("old/hub.key"), &new).unwrap_err().to_string();
        assert!(err.contains("not a hub backup"), "{err}");
    }
}
