//! The offline outbox: a SQLite file in `--home` holding every ask, photo and message until the server has it.
//!
//! Everything an officer sends is written here first (synchronous=FULL), then delivered in `seq` order and
//! removed only once the server confirmed it. Resending is safe: the server is idempotent on
//! `client_request_id` and on (user, `client_msg_id`). A queued ask has no server id yet, so later entries
//! name their request by its `client_request_id` until `created_requests` maps it.

use std::path::{Path, PathBuf};

use hotline_protocol::NewRequest;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::error::{ClientError, Result};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id TEXT NOT NULL UNIQUE,
    request TEXT NOT NULL,
    payload TEXT NOT NULL,
    queued_at TEXT NOT NULL,
    failure TEXT
);
CREATE TABLE IF NOT EXISTS created_requests (client_request_id TEXT PRIMARY KEY, request_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS uploaded_photos (client_photo_id TEXT PRIMARY KEY, attachment_id TEXT NOT NULL);
";

/// What an entry delivers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Payload {
    /// `POST /api/v1/requests`; the entry's `client_id` is the `client_request_id`.
    Ask { new: NewRequest },
    /// A shrunk JPEG kept in the outbox's photo folder, uploaded to the entry's request.
    Photo { file: PathBuf, name: String },
    /// A `send` frame; `photos` are the `client_id`s of photo entries whose attachment ids it carries.
    Message {
        body: String,
        #[serde(default)]
        photos: Vec<String>,
    },
}

impl Payload {
    /// `ask`, `photo` or `message`.
    pub fn kind(&self) -> &'static str {
        match self {
            Payload::Ask { .. } => "ask",
            Payload::Photo { .. } => "photo",
            Payload::Message { .. } => "message",
        }
    }
}

/// One queued item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// Delivery order.
    pub seq: i64,
    /// `client_request_id`, `client_msg_id`, or the photo's own id.
    pub client_id: String,
    /// The server's request id, or the `client_request_id` of an ask not yet created.
    pub request: String,
    #[serde(flatten)]
    pub payload: Payload,
    pub queued_at: String,
    /// Why the server refused it for good (kept, never dropped silently); `None` while it waits.
    pub failure: Option<String>,
}

/// The outbox database.
#[derive(Debug)]
pub struct Outbox {
    conn: Connection,
    path: PathBuf,
}

impl Outbox {
    /// Opens (creating) the outbox file.
    pub fn open(path: &Path) -> Result<Outbox> {
        let fail = |source| ClientError::Outbox { path: path.to_path_buf(), source };
        let conn = Connection::open(path).map_err(fail)?;
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(fail)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(fail)?;
        conn.pragma_update(None, "synchronous", "FULL").map_err(fail)?;
        conn.execute_batch(SCHEMA).map_err(fail)?;
        Ok(Outbox { conn, path: path.to_path_buf() })
    }

    fn fail(&self, source: rusqlite::Error) -> ClientError {
        ClientError::Outbox { path: self.path.clone(), source }
    }

    /// Queues an entry; the same `client_id` again is a no-op. Returns its `seq`.
    pub fn enqueue(&self, client_id: &str, request: &str, payload: &Payload) -> Result<i64> {
        let text = serde_json::to_string(payload).map_err(|e| ClientError::Protocol(e.to_string()))?;
        self.conn
            .execute(
                "INSERT OR IGNORE INTO outbox (client_id, request, payload, queued_at) VALUES (?1, ?2, ?3, ?4)",
                params![client_id, request, text, hotline_index::now_rfc3339()],
            )
            .map_err(|e| self.fail(e))?;
        self.conn
            .query_row("SELECT seq FROM outbox WHERE client_id = ?1", [client_id], |row| row.get(0))
            .map_err(|e| self.fail(e))
    }

    fn select(&self, filter: &str) -> Result<Vec<OutboxEntry>> {
        let sql =
            format!("SELECT seq, client_id, request, payload, queued_at, failure FROM outbox {filter} ORDER BY seq");
        let mut statement = self.conn.prepare(&sql).map_err(|e| self.fail(e))?;
        let rows = statement
            .query_map([], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get::<_, String>(3)?, row.get(4)?, row.get(5)?))
            })
            .map_err(|e| self.fail(e))?;
        let mut entries = Vec::new();
        for row in rows {
            let (seq, client_id, request, payload, queued_at, failure) = row.map_err(|e| self.fail(e))?;
            let payload = serde_json::from_str(&payload)
                .map_err(|e| ClientError::Protocol(format!("outbox entry {seq}: {e}")))?;
            entries.push(OutboxEntry { seq, client_id, request, payload, queued_at, failure });
        }
        Ok(entries)
    }

    /// Entries waiting for delivery, in order.
    pub fn pending(&self) -> Result<Vec<OutboxEntry>> {
        self.select("WHERE failure IS NULL")
    }

    /// Every entry, waiting or refused, in order.
    pub fn all(&self) -> Result<Vec<OutboxEntry>> {
        self.select("")
    }

    /// Whether `client_id` is still queued (waiting or refused).
    pub fn contains(&self, client_id: &str) -> Result<bool> {
        self.conn
            .query_row("SELECT 1 FROM outbox WHERE client_id = ?1", [client_id], |_| Ok(()))
            .optional()
            .map(|found| found.is_some())
            .map_err(|e| self.fail(e))
    }

    /// The server confirmed the entry: it leaves the outbox.
    pub fn delivered(&self, client_id: &str) -> Result<()> {
        self.conn.execute("DELETE FROM outbox WHERE client_id = ?1", [client_id]).map_err(|e| self.fail(e))?;
        Ok(())
    }

    /// The server refused the entry for good: it stays, marked, and is not retried.
    pub fn refused(&self, client_id: &str, reason: &str) -> Result<()> {
        self.conn
            .execute("UPDATE outbox SET failure = ?2 WHERE client_id = ?1", params![client_id, reason])
            .map_err(|e| self.fail(e))?;
        Ok(())
    }

    /// Remembers the server's id of a created request and delivers its ask entry, in one transaction.
    pub fn request_created(&self, client_request_id: &str, request_id: &str) -> Result<()> {
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .and_then(|()| {
                self.conn.execute(
                    "INSERT OR REPLACE INTO created_requests (client_request_id, request_id) VALUES (?1, ?2)",
                    params![client_request_id, request_id],
                )?;
                self.conn.execute("DELETE FROM outbox WHERE client_id = ?1", [client_request_id])?;
                self.conn.execute_batch("COMMIT")
            })
            .map_err(|e| {
                let _ = self.conn.execute_batch("ROLLBACK");
                self.fail(e)
            })
    }

    /// The server's id for a request reference: mapped when it was a queued ask, else the reference itself.
    /// `None` while the ask that creates it is still in the outbox.
    pub fn resolve_request(&self, reference: &str) -> Result<Option<String>> {
        let mapped: Option<String> = self
            .conn
            .query_row("SELECT request_id FROM created_requests WHERE client_request_id = ?1", [reference], |row| {
                row.get(0)
            })
            .optional()
            .map_err(|e| self.fail(e))?;
        if mapped.is_some() {
            return Ok(mapped);
        }
        Ok(if self.contains(reference)? { None } else { Some(reference.to_string()) })
    }

    /// Remembers a photo's attachment id and delivers its entry, in one transaction.
    pub fn photo_uploaded(&self, client_photo_id: &str, attachment_id: &str) -> Result<()> {
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .and_then(|()| {
                self.conn.execute(
                    "INSERT OR REPLACE INTO uploaded_photos (client_photo_id, attachment_id) VALUES (?1, ?2)",
                    params![client_photo_id, attachment_id],
                )?;
                self.conn.execute("DELETE FROM outbox WHERE client_id = ?1", [client_photo_id])?;
                self.conn.execute_batch("COMMIT")
            })
            .map_err(|e| {
                let _ = self.conn.execute_batch("ROLLBACK");
                self.fail(e)
            })
    }

    /// The attachment id of an uploaded photo.
    pub fn attachment_of(&self, client_photo_id: &str) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT attachment_id FROM uploaded_photos WHERE client_photo_id = ?1",
                [client_photo_id],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| self.fail(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(body: &str) -> Payload {
        Payload::Message { body: body.into(), photos: Vec::new() }
    }

    #[test]
    fn entries_come_out_in_order_once_and_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("outbox.sqlite");
        {
            let outbox = Outbox::open(&path).unwrap();
            outbox.enqueue("m1", "r1", &message("one")).unwrap();
            outbox.enqueue("m2", "r1", &message("two")).unwrap();
            outbox.enqueue("m1", "r1", &message("one again")).unwrap();
        }
        let outbox = Outbox::open(&path).unwrap();
        let pending = outbox.pending().unwrap();
        assert_eq!(pending.iter().map(|e| e.client_id.as_str()).collect::<Vec<_>>(), ["m1", "m2"]);
        assert_eq!(pending[0].payload, message("one"));
        outbox.delivered("m1").unwrap();
        outbox.refused("m2", "request_closed").unwrap();
        assert!(outbox.pending().unwrap().is_empty());
        assert_eq!(outbox.all().unwrap()[0].failure.as_deref(), Some("request_closed"));
    }

    #[test]
    fn a_queued_ask_resolves_once_created() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = Outbox::open(&dir.path().join("o.sqlite")).unwrap();
        let new = NewRequest {
            client_request_id: "c1".into(),
            subject: "s".into(),
            shipment: Default::default(),
            priority: None,
            body: None,
        };
        outbox.enqueue("c1", "c1", &Payload::Ask { new }).unwrap();
        assert_eq!(outbox.resolve_request("c1").unwrap(), None);
        outbox.request_created("c1", "req-9").unwrap();
        assert_eq!(outbox.resolve_request("c1").unwrap().as_deref(), Some("req-9"));
        assert_eq!(outbox.resolve_request("req-3").unwrap().as_deref(), Some("req-3"));
        assert!(outbox.all().unwrap().is_empty());
    }
}
