//! Attachment records: which request a stored photo belongs to, its type and size. The bytes live in files.

use rusqlite::{params, Connection, OptionalExtension};

use super::requests::load_facts;
use super::{StoreError, StoreResult};
use crate::access::{self, Caller};

/// A stored attachment's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentRecord {
    pub id: String,
    pub request_id: String,
    pub content_type: String,
    pub width: u32,
    pub height: u32,
    pub bytes: u64,
}

/// Checks that the caller may upload to the request: its officer, or its assignee, while open.
pub fn require_uploader(conn: &Connection, caller: &Caller, request_id: &str) -> StoreResult<()> {
    let facts = load_facts(conn, request_id)?.ok_or_else(access::not_found)?;
    access::require_chat_writer(caller, &facts)
}

/// Records an attachment (after its files are written), checking the uploader again inside the transaction.
pub fn insert_attachment(conn: &Connection, caller: &Caller, record: &AttachmentRecord, now: &str) -> StoreResult<()> {
    require_uploader(conn, caller, &record.request_id)?;
    conn.execute(
        "INSERT INTO attachments (id, request_id, uploader_id, content_type, width, height, bytes, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            record.id,
            record.request_id,
            caller.id(),
            record.content_type,
            record.width,
            record.height,
            record.bytes as i64,
            now
        ],
    )?;
    Ok(())
}

/// An attachment the caller may see (it may see the request it belongs to); `NotFound` otherwise.
pub fn visible_attachment(conn: &Connection, caller: &Caller, id: &str) -> StoreResult<AttachmentRecord> {
    let record = conn
        .query_row(
            "SELECT id, request_id, content_type, width, height, bytes FROM attachments WHERE id = ?1",
            [id],
            |row| {
                Ok(AttachmentRecord {
                    id: row.get(0)?,
                    request_id: row.get(1)?,
                    content_type: row.get(2)?,
                    width: row.get(3)?,
                    height: row.get(4)?,
                    bytes: row.get::<_, i64>(5)? as u64,
                })
            },
        )
        .optional()?
        .ok_or_else(|| StoreError::NotFound("no such attachment (or it is not yours to see)".into()))?;
    let facts = load_facts(conn, &record.request_id)?
        .ok_or_else(|| StoreError::NotFound("no such attachment (or it is not yours to see)".into()))?;
    if !access::can_see(caller, &facts) {
        return Err(StoreError::NotFound("no such attachment (or it is not yours to see)".into()));
    }
    Ok(record)
}
