//! The one writer: a thread that owns the write connection and commits the
//! operations sent to it in batches.
//!
//! Each operation runs inside its own SAVEPOINT, so one that fails is rolled
//! back alone while the rest of its batch commits. Callers get their result
//! only after COMMIT returned: whatever a caller acknowledges on the strength
//! of a result is durable.
//!
//! A full disk fails every transaction, so nothing is acknowledged; the
//! writer keeps trying with each new operation and says so in [`Health`]
//! (the console and `/health` show it) until a commit succeeds again.

use super::{DataDir, StoreError, open_write};
use rusqlite::Connection;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;

/// Most operations committed in one transaction.
const MAX_BATCH: usize = 512;

/// Told how the transaction ended: `None` committed, else why not.
type Completion = Box<dyn FnOnce(Option<StoreError>) + Send>;
/// Runs an operation: whether it succeeded, whether it found the disk full,
/// and what to tell its caller once the transaction ended.
type Job = Box<dyn FnOnce(&Connection) -> (bool, bool, Completion) + Send>;

/// Free space at which a full disk counts as having room again (below it,
/// small commits may pass while others fail: the state would flap).
const ROOM_AGAIN: u64 = 1 << 20;

/// Whether the store can write, for the people watching the hub.
#[derive(Debug)]
pub struct Health {
    /// When (Unix ms) writing first failed for a full disk; 0 while it works.
    disk_full_since: AtomicI64,
    /// The data folder, whose disk is asked for its free space.
    root: std::path::PathBuf,
}

/// Less free space than this on the store's disk is worth a warning (the
/// console's home page, `hub kiosks`), so that staff act before it fills.
pub const LOW_SPACE: u64 = 1 << 30;

/// Bytes free for us on the disk holding `path`, when it can be told.
pub fn free_space(path: &std::path::Path) -> Option<u64> {
    let s = rustix::fs::statvfs(path).ok()?;
    Some(s.f_bavail.saturating_mul(s.f_frsize))
}

impl Health {
    /// Since when the disk has been full, if it is.
    pub fn disk_full_since(&self) -> Option<i64> {
        Some(self.disk_full_since.load(Ordering::Relaxed)).filter(|t| *t > 0)
    }

    fn note(&self, full: bool, committed: bool) {
        if full {
            let now = super::now_ms();
            if self.disk_full_since.compare_exchange(0, now, Ordering::Relaxed, Ordering::Relaxed).is_ok() {
                tracing::error!(
                    "the disk holding the hub's data is full: nothing more is acknowledged (kiosks keep their events); free some space and the hub resumes by itself"
                );
            }
        } else if committed
            && self.disk_full_since.load(Ordering::Relaxed) > 0
            && free_space(&self.root).is_none_or(|free| free >= ROOM_AGAIN)
        {
            self.disk_full_since.store(0, Ordering::Relaxed);
            tracing::warn!("disk space is back: the hub writes and acknowledges again");
        }
    }
}

/// A handle to the writer thread; cheap to clone. When the last handle is
/// dropped, the queue closes, pending operations commit, and the thread is
/// joined.
#[derive(Clone)]
pub struct Writer {
    inner: Arc<Inner>,
}

struct Inner {
    jobs: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
    health: Arc<Health>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        drop(self.jobs.take()); // closing the queue ends the thread's loop
        if let Some(h) = self.thread.take() {
            let _ = h.join();
        }
    }
}

impl Writer {
    /// Open the database (migrating it) and start the writer thread.
    pub fn start(dir: &DataDir) -> Result<Writer, StoreError> {
        let conn = open_write(dir)?;
        let (tx, rx) = mpsc::channel::<Job>();
        let health = Arc::new(Health { disk_full_since: AtomicI64::new(0), root: dir.root().to_owned() });
        let h = health.clone();
        let handle = std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || run(conn, rx, &h))
            .expect("spawning a thread");
        Ok(Writer { inner: Arc::new(Inner { jobs: Some(tx), thread: Some(handle), health }) })
    }

    /// Whether the store can write.
    pub fn health(&self) -> Arc<Health> {
        self.inner.health.clone()
    }

    /// Queue `f` now and return a receiver for its result after commit.
    /// Queueing order is commit order, which `exec` from spawned tasks
    /// would not guarantee.
    pub fn submit<R: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<R, StoreError> + Send + 'static,
    ) -> Result<tokio::sync::oneshot::Receiver<Result<R, StoreError>>, StoreError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.submit_then(f, move |result| {
            let _ = tx.send(result);
        })?;
        Ok(rx)
    }

    /// Queue `f` now; `then` gets its result on the writer thread right
    /// after the commit (or the failure). `then` must be quick: it delays
    /// the next transaction.
    pub fn submit_then<R: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<R, StoreError> + Send + 'static,
        then: impl FnOnce(Result<R, StoreError>) + Send + 'static,
    ) -> Result<(), StoreError> {
        let job: Job = Box::new(move |conn| {
            let result = f(conn);
            let ok = result.is_ok();
            let full = result.as_ref().is_err_and(StoreError::is_disk_full);
            let done: Completion = Box::new(move |failed| {
                then(match failed {
                    None => result,
                    Some(e) => Err(e),
                })
            });
            (ok, full, done)
        });
        let jobs = self.inner.jobs.as_ref().ok_or(StoreError::WriterGone)?;
        jobs.send(job).map_err(|_| StoreError::WriterGone)
    }

    /// Run `f` in the writer's next transaction; resolves after commit.
    pub async fn exec<R: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<R, StoreError> + Send + 'static,
    ) -> Result<R, StoreError> {
        self.submit(f)?.await.map_err(|_| StoreError::WriterGone)?
    }

    /// The same, for callers outside an async runtime.
    pub fn exec_blocking<R: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<R, StoreError> + Send + 'static,
    ) -> Result<R, StoreError> {
        self.submit(f)?.blocking_recv().map_err(|_| StoreError::WriterGone)?
    }
}

/// Savepoint statements run once per operation: parse them once.
fn run_cached(conn: &Connection, sql: &str) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute([])
}

fn run(conn: Connection, jobs: mpsc::Receiver<Job>, health: &Health) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        let mut done = Vec::with_capacity(batch.len());
        let is_full = |r: &rusqlite::Result<()>| {
            r.as_ref().is_err_and(|e| e.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull))
        };
        let begin = conn.execute_batch("BEGIN IMMEDIATE");
        let began = begin.is_ok();
        let mut full = is_full(&begin);
        for job in batch {
            if !began || run_cached(&conn, "SAVEPOINT op").is_err() {
                // Nothing can be written: every caller hears that it failed.
                let (_, _, completion) = job(&conn);
                done.push(completion);
                continue;
            }
            let (ok, job_full, completion) = job(&conn);
            full |= job_full;
            let _ = if ok {
                run_cached(&conn, "RELEASE op")
            } else {
                run_cached(&conn, "ROLLBACK TO op").and_then(|_| run_cached(&conn, "RELEASE op"))
            };
            done.push(completion);
        }
        let commit = if began { conn.execute_batch("COMMIT") } else { begin };
        let committed = commit.is_ok();
        full |= is_full(&commit);
        if began && !committed {
            if !full {
                tracing::error!("store commit failed; the batch is rolled back and its callers told");
            }
            let _ = conn.execute_batch("ROLLBACK");
        }
        health.note(full, committed);
        for completion in done {
            completion(match (committed, full) {
                (true, _) => None,
                (false, true) => Some(StoreError::DiskFull),
                (false, false) => Some(StoreError::WriterGone),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_operation_does_not_spoil_its_batch() {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::new(dir.path()).unwrap();
        let w = Writer::start(&data).unwrap();
        let ok = w.clone();
        let insert = |kid: &'static str| {
            move |c: &Connection| -> Result<(), StoreError> {
                c.execute(
                    "INSERT INTO kiosks(kid, group_name, secret, created_at) VALUES (?1, 'g', x'00', 0)",
                    [kid],
                )?;
                Ok(())
            }
        };
        ok.exec_blocking(insert("a")).unwrap();
        assert!(ok.exec_blocking(insert("a")).is_err(), "duplicate key fails alone");
        ok.exec_blocking(insert("b")).unwrap();
        let n: i64 =
            ok.exec_blocking(|c| Ok(c.query_row("SELECT count(*) FROM kiosks", [], |r| r.get(0))?)).unwrap();
        assert_eq!(n, 2);
    }
}
