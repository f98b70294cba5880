//! The one writer: a thread that owns the write connection and commits the
//! operations sent to it in batches.
//!
//! Each operation runs inside its own SAVEPOINT, so one that fails is rolled
//! back alone while the rest of its batch commits. Callers get their result
//! only after COMMIT returned: whatever a caller acknowledges on the strength
//! of a result is durable.

use super::{DataDir, StoreError, open_write};
use rusqlite::Connection;
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;

/// Most operations committed in one transaction.
const MAX_BATCH: usize = 512;

type Completion = Box<dyn FnOnce(bool) + Send>;
type Job = Box<dyn FnOnce(&Connection) -> (bool, Completion) + Send>;

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
        let handle = std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || run(conn, rx))
            .expect("spawning a thread");
        Ok(Writer { inner: Arc::new(Inner { jobs: Some(tx), thread: Some(handle) }) })
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
            let done: Completion =
                Box::new(move |committed| then(if committed { result } else { Err(StoreError::WriterGone) }));
            (ok, done)
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

fn run(conn: Connection, jobs: mpsc::Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        let mut done = Vec::with_capacity(batch.len());
        let began = conn.execute_batch("BEGIN IMMEDIATE").is_ok();
        for job in batch {
            if !began || run_cached(&conn, "SAVEPOINT op").is_err() {
                // Nothing can be written: every caller hears that it failed.
                let (_, completion) = job(&conn);
                done.push(completion);
                continue;
            }
            let (ok, completion) = job(&conn);
            let _ = if ok {
                run_cached(&conn, "RELEASE op")
            } else {
                run_cached(&conn, "ROLLBACK TO op").and_then(|_| run_cached(&conn, "RELEASE op"))
            };
            done.push(completion);
        }
        let committed = began && conn.execute_batch("COMMIT").is_ok();
        if began && !committed {
            tracing::error!("store commit failed; the batch is rolled back and its callers told");
            let _ = conn.execute_batch("ROLLBACK");
        }
        for completion in done {
            completion(committed);
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
