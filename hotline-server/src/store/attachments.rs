//! Attachment records: which request a stored photo belongs to, its type and size. The bytes live in files.
//! An upload may carry the client's own id for the photo (`Idempotency-Key`), unique per uploader, so that an
//! upload retried after a lost answer finds the photo stored the first time instead of storing it twice.

use rusqlite::{Connection, OptionalExtension, params};

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

fn record_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<AttachmentRecord> {
    Ok(AttachmentRecord {
        id: row.get(0)?,
        request_id: row.get(1)?,
        content_type: row.get(2)?,
        width: row.get(3)?,
        height: row.get(4)?,
        bytes: row.get::<_, i64>(5)? as u64,
    })
}

/// The attachment the caller uploaded before under `client_upload_id`, if any.
pub fn earlier_upload(
    conn: &Connection,
    caller: &Caller,
    client_upload_id: &str,
) -> StoreResult<Option<AttachmentRecord>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, request_id, content_type, width, height, bytes FROM attachments
             WHERE uploader_id = ?1 AND client_upload_id = ?2",
        )?
        .query_row(params![caller.id(), client_upload_id], record_from_row)
        .optional()?)
}

/// What recording an upload came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// This upload's record is stored.
    New,
    /// The caller uploaded this `client_upload_id` to the same request before: that record stands.
    Earlier(AttachmentRecord),
}

/// Records an attachment (after its files are written), checking the uploader again inside the transaction.
/// With a `client_upload_id` the caller used before, nothing is stored: the earlier record is returned when it
/// belongs to the same request, and `idempotency_key_reused` refuses it when it belongs to another.
pub fn insert_attachment(
    conn: &Connection,
    caller: &Caller,
    record: &AttachmentRecord,
    client_upload_id: Option<&str>,
    now: &str,
) -> StoreResult<Recorded> {
    require_uploader(conn, caller, &record.request_id)?;
    if let Some(key) = client_upload_id
        && let Some(earlier) = earlier_upload(conn, caller, key)?
    {
        return same_request(earlier, &record.request_id).map(Recorded::Earlier);
    }
    conn.prepare_cached(
        "INSERT INTO attachments (id, request_id, uploader_id, content_type, width, height, bytes, created_at, client_upload_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        record.id,
        record.request_id,
        caller.id(),
        record.content_type,
        record.width,
        record.height,
        record.bytes as i64,
        now,
        client_upload_id
    ])?;
    Ok(Recorded::New)
}

/// `earlier` when it was uploaded to `request_id`; a key used for another request is refused.
pub fn same_request(earlier: AttachmentRecord, request_id: &str) -> StoreResult<AttachmentRecord> {
    if earlier.request_id == request_id {
        Ok(earlier)
    } else {
        Err(StoreError::Invalid {
            code: "idempotency_key_reused",
            message: "this Idempotency-Key was used for a photo of another request; send a new key for each photo"
                .into(),
        })
    }
}

/// An attachment the caller may see (it may see the request it belongs to); `NotFound` otherwise.
pub fn visible_attachment(conn: &Connection, caller: &Caller, id: &str) -> StoreResult<AttachmentRecord> {
    let record = conn
        .query_row(
            "SELECT id, request_id, content_type, width, height, bytes FROM attachments WHERE id = ?1",
            [id],
            record_from_row,
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
