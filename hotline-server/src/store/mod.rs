//! The SQLite store: one writer thread that group-commits, reader connections used from `spawn_blocking`,
//! versioned migrations, and the domain queries (users, sessions, requests, events, attachments).
//!
//! Nothing here runs on an async worker thread: writes go through [`Writer::submit`], reads through
//! [`Readers::read`]. Keeping every SQL statement behind this module is what lets another store replace it.

mod connection;
mod migrations;
mod readers;
mod writer;

pub mod attachments;
pub mod events;
pub mod requests;
pub mod review;
pub mod sessions;
pub mod users;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use readers::Readers;
pub use writer::{WriteStats, Writer};

/// What a store operation can fail with: domain refusals decided inside the transaction, or the database.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    #[error("sqlite: {0}")]
    Sqlite(String),
    /// The writer has stopped (shutdown).
    #[error("the store is closed")]
    Closed,
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> StoreError {
        StoreError::Sqlite(error.to_string())
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(error: serde_json::Error) -> StoreError {
        StoreError::Sqlite(format!("stored JSON: {error}"))
    }
}

/// Result with [`StoreError`].
pub type StoreResult<T> = Result<T, StoreError>;

/// The database file inside a data directory.
pub fn database_path(data_dir: &Path) -> PathBuf {
    data_dir.join("hotline.sqlite3")
}

/// The store: a writer and a pool of readers on one database file.
#[derive(Clone)]
pub struct Store {
    pub writer: Arc<Writer>,
    pub readers: Readers,
}

impl Store {
    /// Opens (creating and migrating) the database and starts the writer thread.
    pub fn open(path: &Path) -> StoreResult<Store> {
        let mut conn = connection::open_writer(path)?;
        migrations::migrate(&mut conn)?;
        let writer = Arc::new(Writer::start(conn)?);
        let readers = Readers::new(path.to_path_buf());
        Ok(Store { writer, readers })
    }

    /// Opens the database for a one-off command (`user add`): migrated, no writer thread.
    pub fn open_direct(path: &Path) -> StoreResult<rusqlite::Connection> {
        let mut conn = connection::open_writer(path)?;
        migrations::migrate(&mut conn)?;
        Ok(conn)
    }
}

/// A consistent copy of the database at `path` into `out` (works while a server writes to it).
pub fn backup(path: &Path, out: &Path) -> StoreResult<()> {
    if !path.exists() {
        return Err(StoreError::NotFound(format!("no database at {}", path.display())));
    }
    if out.exists() {
        return Err(StoreError::Conflict {
            code: "exists",
            message: format!("{} already exists; choose a new file", out.display()),
        });
    }
    let conn = connection::open_reader(path)?;
    let target = out.to_str().ok_or_else(|| StoreError::Invalid {
        code: "bad_path",
        message: "the backup path must be valid UTF-8".into(),
    })?;
    conn.execute("VACUUM INTO ?1", [target])?;
    Ok(())
}
