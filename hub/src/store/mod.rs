//! The hub's SQLite store under `--data`: WAL mode, migrations, one writer.
//!
//! Readers (CLI, reports, the sync server's lookups) open their own
//! connections with [`open_read`]; every write goes through the single
//! [`writer::Writer`] thread, which commits many operations per transaction.

pub mod migrations;
pub mod retention;
pub mod writer;

use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create data folder {path}: {source}")]
    DataDir { path: PathBuf, source: std::io::Error },
    #[error("database {path}: {source}")]
    Open { path: PathBuf, source: rusqlite::Error },
    #[error(
        "database {path} has schema version {found}, newer than this hub understands ({known}); upgrade the hub"
    )]
    TooNew { path: PathBuf, found: i64, known: i64 },
    #[error(transparent)]
    Sql(#[from] rusqlite::Error),
    #[error("blob store: {0}")]
    Blob(std::io::Error),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("the store writer has stopped")]
    WriterGone,
    #[error("the disk holding the hub's data is full: nothing was written; free some space")]
    DiskFull,
    #[error(
        "database {path} is damaged ({detail}); the hub will not run on it. Keep the folder for inspection, \
         restore the latest backup into a new folder with `hub restore <backup.zip> --data <new folder>` and \
         start the hub on that; the kiosks send again what they still hold"
    )]
    Damaged { path: PathBuf, detail: String },
}

impl StoreError {
    /// SQLite found no room to write (`SQLITE_FULL`): the disk is full.
    pub fn is_disk_full(&self) -> bool {
        match self {
            StoreError::DiskFull => true,
            StoreError::Sql(e) => e.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull),
            _ => false,
        }
    }
}

/// Paths inside a data folder.
#[derive(Clone, Debug)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    pub fn new(root: impl Into<PathBuf>) -> Result<Self, StoreError> {
        let root = root.into();
        std::fs::create_dir_all(root.join("blobs"))
            .map_err(|source| StoreError::DataDir { path: root.clone(), source })?;
        Ok(Self { root })
    }
    pub fn root(&self) -> &Path {
        &self.root
    }
    pub fn db_path(&self) -> PathBuf {
        self.root.join("hub.db")
    }
    pub fn blobs(&self) -> PathBuf {
        self.root.join("blobs")
    }
    /// Staff's working-day calendar files for years the hub does not ship.
    pub fn calendar(&self) -> PathBuf {
        self.root.join("calendar")
    }
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "foreign_keys", true)?;
    Ok(())
}

/// A damaged file, as SQLite reports it.
fn damaged(path: &Path, e: StoreError) -> StoreError {
    let code = match &e {
        StoreError::Sql(s) | StoreError::Open { source: s, .. } => s.sqlite_error_code(),
        _ => None,
    };
    match code {
        Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt) => {
            StoreError::Damaged { path: path.to_owned(), detail: e.to_string() }
        }
        _ => e,
    }
}

/// Open the database for writing, switch it to WAL and run migrations. A
/// damaged file is [`StoreError::Damaged`], which says how to restore.
pub fn open_write(dir: &DataDir) -> Result<Connection, StoreError> {
    let path = dir.db_path();
    open_write_at(&path).map_err(|e| damaged(&path, e))
}

/// SQLite's quick check of the whole file (0.9 s for 680 MB from the page
/// cache, `docs/benchmarks.md`): a hub does not start serving on a damaged
/// store.
pub fn check_integrity(dir: &DataDir) -> Result<(), StoreError> {
    let path = dir.db_path();
    let conn = open_write(dir)?;
    let verdict: String =
        conn.query_row("PRAGMA quick_check(1)", [], |r| r.get(0)).map_err(|e| damaged(&path, e.into()))?;
    if verdict == "ok" { Ok(()) } else { Err(StoreError::Damaged { path, detail: verdict }) }
}

fn open_write_at(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).map_err(|source| StoreError::Open { path: path.to_owned(), source })?;
    configure(&conn)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // NORMAL in WAL mode is durable at every checkpoint and never corrupts;
    // FULL makes each commit survive power loss, which is what acks promise.
    conn.pragma_update(None, "synchronous", "FULL")?;
    // The writer runs a few dozen distinct statements (ingest alone uses
    // about fifteen); rusqlite's default cache of 16 would re-parse them.
    conn.set_prepared_statement_cache_capacity(64);
    migrations::migrate(&conn, path)?;
    Ok(conn)
}

/// Open a read-only connection (the schema must already exist).
pub fn open_read(dir: &DataDir) -> Result<Connection, StoreError> {
    let path = dir.db_path();
    if !path.exists() {
        // Create and migrate once so that reading an empty data folder works.
        drop(open_write(dir)?);
    }
    let conn = Connection::open_with_flags(
        &path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|source| StoreError::Open { path: path.clone(), source })?;
    configure(&conn)?;
    Ok(conn)
}

/// Milliseconds since the Unix epoch, the unit of every stored time.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
