//! What every console request shares: the hub's data folder, the store's
//! single writer for changes, and a few read connections for pages.

use crate::store::{self, DataDir, StoreError, writer::Writer};
use std::sync::Mutex;

/// Read connections: enough for a few pages at once (SQLite in WAL mode
/// reads beside the writer).
const READERS: usize = 4;

pub struct Console {
    pub data: DataDir,
    pub writer: Writer,
    readers: Vec<Mutex<rusqlite::Connection>>,
    /// Cookies carry `Secure` (the console is on HTTPS or on this machine).
    pub secure_cookies: bool,
    /// What one catalog upload may hold.
    pub upload_limits: crate::catalog::upload::Limits,
    /// Whether the store can write (a full disk shows on every home page).
    pub health: std::sync::Arc<store::writer::Health>,
}

impl Console {
    pub fn new(data: DataDir, writer: Writer, secure_cookies: bool) -> Result<Console, StoreError> {
        let readers =
            (0..READERS).map(|_| store::open_read(&data).map(Mutex::new)).collect::<Result<_, _>>()?;
        let health = writer.health();
        Ok(Console { data, writer, readers, secure_cookies, upload_limits: Default::default(), health })
    }

    /// Run `f` on a read connection, off the async threads.
    pub async fn read<R: Send + 'static>(
        self: &std::sync::Arc<Self>,
        f: impl FnOnce(&rusqlite::Connection) -> Result<R, StoreError> + Send + 'static,
    ) -> Result<R, StoreError> {
        let me = self.clone();
        tokio::task::spawn_blocking(move || {
            // A free connection if there is one, else wait for the first.
            let guard = me
                .readers
                .iter()
                .find_map(|m| m.try_lock().ok())
                .unwrap_or_else(|| me.readers[0].lock().expect("read connection lock"));
            f(&guard)
        })
        .await
        .map_err(|_| StoreError::WriterGone)?
    }

    /// Run `f` on the store's writer (one savepoint), as the CLI does.
    pub async fn write<R: Send + 'static>(
        &self,
        f: impl FnOnce(&rusqlite::Connection) -> Result<R, StoreError> + Send + 'static,
    ) -> Result<R, StoreError> {
        self.writer.exec(f).await
    }
}
