//! Reader connections: a small pool of read-only connections, each used inside `spawn_blocking`.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rusqlite::Connection;

use super::{StoreError, StoreResult, connection};

/// Most idle reader connections kept open.
const MAX_IDLE: usize = 8;

/// A pool of read-only connections. Cloning shares the pool.
#[derive(Clone)]
pub struct Readers {
    path: Arc<PathBuf>,
    idle: Arc<Mutex<Vec<Connection>>>,
}

impl Readers {
    /// Readers of the database at `path` (opened lazily).
    pub fn new(path: PathBuf) -> Readers {
        Readers { path: Arc::new(path), idle: Arc::new(Mutex::new(Vec::new())) }
    }

    /// Runs `query` on a reader connection on the blocking pool, never on an async worker.
    pub async fn read<T, F>(&self, query: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let readers = self.clone();
        tokio::task::spawn_blocking(move || readers.read_blocking(query))
            .await
            .map_err(|e| StoreError::Sqlite(format!("reader task failed: {e}")))?
    }

    /// Runs `query` on a reader connection on the current (blocking) thread.
    pub fn read_blocking<T>(&self, query: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
        let taken = self.idle.lock().map_err(|_| StoreError::Sqlite("reader pool poisoned".into()))?.pop();
        let conn = match taken {
            Some(conn) => conn,
            None => connection::open_reader(&self.path)?,
        };
        let result = query(&conn);
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < MAX_IDLE
        {
            idle.push(conn);
        }
        result
    }
}
