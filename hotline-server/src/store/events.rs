//! A request's timeline: appending events with the next gapless seq, appending messages idempotently, reading
//! events back in seq order.

use hotline_protocol::{Event, EventKind, Message, User};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::requests::load_facts;
use super::users::{optional_user_from_row, user_from_row};
use super::{StoreError, StoreResult};
use crate::access::{self, Caller};

/// Most events one page returns.
pub const MAX_PAGE: u32 = 1000;

const EVENT_SELECT: &str = "SELECT e.seq, e.request_id, e.kind, e.at, e.data,
        u.id, u.username, u.display_name, u.role,
        m.id, m.client_msg_id, m.body, m.attachments, m.cites
    FROM events e
    LEFT JOIN users u ON u.id = e.author_id
    LEFT JOIN messages m ON m.id = e.message_id";

fn event_from_row(row: &Row<'_>) -> rusqlite::Result<Event> {
    let kind: String = row.get(2)?;
    let data: String = row.get(4)?;
    let message_id: Option<String> = row.get(9)?;
    let message = match message_id {
        Some(id) => {
            let attachments: String = row.get(12)?;
            let cites: String = row.get(13)?;
            Some(Message {
                id,
                client_msg_id: row.get(10)?,
                body: row.get(11)?,
                attachments: serde_json::from_str(&attachments).unwrap_or_default(),
                cites: serde_json::from_str(&cites).unwrap_or_default(),
            })
        }
        None => None,
    };
    Ok(Event {
        seq: row.get::<_, i64>(0)? as u64,
        request_id: row.get(1)?,
        kind: EventKind::parse(&kind).unwrap_or(EventKind::Message),
        at: row.get(3)?,
        author: optional_user_from_row(row, 5)?,
        message,
        data: serde_json::from_str(&data).unwrap_or(serde_json::Value::Object(Default::default())),
    })
}

/// Events of a request with seq > `after_seq`, in seq order, at most `limit`.
pub fn load_events(conn: &Connection, request_id: &str, after_seq: u64, limit: u32) -> StoreResult<Vec<Event>> {
    let sql = format!("{EVENT_SELECT} WHERE e.request_id = ?1 AND e.seq > ?2 ORDER BY e.seq LIMIT ?3");
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map(params![request_id, after_seq as i64, limit.min(MAX_PAGE)], event_from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// One event.
pub fn load_event(conn: &Connection, request_id: &str, seq: u64) -> StoreResult<Event> {
    let sql = format!("{EVENT_SELECT} WHERE e.request_id = ?1 AND e.seq = ?2");
    Ok(conn.prepare_cached(&sql)?.query_row(params![request_id, seq as i64], event_from_row)?)
}

/// Takes the request's next seq (gapless: only ever inside the writer's transaction).
fn next_seq(conn: &Connection, request_id: &str) -> StoreResult<u64> {
    let seq: i64 = conn
        .prepare_cached("UPDATE requests SET last_seq = last_seq + 1 WHERE id = ?1 RETURNING last_seq")?
        .query_row([request_id], |row| row.get(0))?;
    Ok(seq as u64)
}

/// Appends a system or message event and returns it whole.
pub fn append_event(
    conn: &Connection,
    request_id: &str,
    kind: EventKind,
    at: &str,
    author: Option<&User>,
    message_id: Option<&str>,
    data: serde_json::Value,
) -> StoreResult<Event> {
    let seq = next_seq(conn, request_id)?;
    conn.prepare_cached("INSERT INTO events (request_id, seq, kind, at, author_id, message_id, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?.execute(params![request_id, seq as i64, kind.as_str(), at, author.map(|u| u.id.as_str()), message_id, data.to_string()],)?;
    load_event(conn, request_id, seq)
}

/// A message to append, already validated for shape.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub request_id: String,
    pub client_msg_id: String,
    pub body: String,
    pub attachments: Vec<String>,
    pub cites: Vec<String>,
}

/// What the sender is told: the durable ack's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    pub client_msg_id: String,
    pub request_id: String,
    pub seq: u64,
    pub message_id: String,
}

/// The result of a send: the ack, and the new event unless it was a repeat.
#[derive(Debug, Clone)]
pub struct Sent {
    pub ack: Ack,
    pub event: Option<Event>,
}

/// The first ack of a message sent before with this (author, client_msg_id).
fn earlier_ack(conn: &Connection, author_id: &str, client_msg_id: &str) -> StoreResult<Option<Ack>> {
    Ok(conn
        .prepare_cached("SELECT id, request_id, seq FROM messages WHERE author_id = ?1 AND client_msg_id = ?2")?
        .query_row(params![author_id, client_msg_id], |row| {
            Ok(Ack {
                message_id: row.get(0)?,
                request_id: row.get(1)?,
                seq: row.get::<_, i64>(2)? as u64,
                client_msg_id: client_msg_id.to_string(),
            })
        })
        .optional()?)
}

/// Inserts a message and its event without access checks (the caller checked them).
pub(crate) fn insert_message(conn: &Connection, author: &User, message: &NewMessage, now: &str) -> StoreResult<Sent> {
    let message_id = uuid::Uuid::now_v7().to_string();
    let seq = next_seq(conn, &message.request_id)?;
    conn.prepare_cached(
        "INSERT INTO messages (id, request_id, seq, author_id, client_msg_id, body, attachments, cites)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        message_id,
        message.request_id,
        seq as i64,
        author.id,
        message.client_msg_id,
        message.body,
        serde_json::to_string(&message.attachments)?,
        serde_json::to_string(&message.cites)?,
    ])?;
    conn.prepare_cached("INSERT INTO events (request_id, seq, kind, at, author_id, message_id, data) VALUES (?1, ?2, 'message', ?3, ?4, ?5, '{}')")?.execute(params![message.request_id, seq as i64, now, author.id, message_id],)?;
    let event = load_event(conn, &message.request_id, seq)?;
    Ok(Sent {
        ack: Ack {
            client_msg_id: message.client_msg_id.clone(),
            request_id: message.request_id.clone(),
            seq,
            message_id,
        },
        event: Some(event),
    })
}

/// `send`: appends a message once per (author, client_msg_id); a repeat gets the first ack and creates nothing.
pub fn append_message(conn: &Connection, caller: &Caller, message: &NewMessage, now: &str) -> StoreResult<Sent> {
    let facts = load_facts(conn, &message.request_id)?.ok_or_else(access::not_found)?;
    access::require_visible(caller, &facts)?;
    if let Some(ack) = earlier_ack(conn, caller.id(), &message.client_msg_id)? {
        return Ok(Sent { ack, event: None });
    }
    access::require_chat_writer(caller, &facts)?;
    for attachment in &message.attachments {
        let on_request: Option<String> = conn
            .prepare_cached("SELECT request_id FROM attachments WHERE id = ?1")?
            .query_row([attachment], |row| row.get(0))
            .optional()?;
        if on_request.as_deref() != Some(message.request_id.as_str()) {
            return Err(StoreError::Invalid {
                code: "unknown_attachment",
                message: format!("attachment {attachment:?} was not uploaded to this request; upload it first"),
            });
        }
    }
    insert_message(conn, &caller.user, message, now)
}

/// `read`: stores the reader's mark (never moving back).
pub fn set_read_mark(conn: &Connection, caller: &Caller, request_id: &str, seq: u64) -> StoreResult<u64> {
    let facts = load_facts(conn, request_id)?.ok_or_else(access::not_found)?;
    access::require_visible(caller, &facts)?;
    if !access::is_participant(caller, &facts) {
        return Err(StoreError::Forbidden("only the request's officer and assignee send read receipts".into()));
    }
    let last_seq: i64 = conn
        .prepare_cached("SELECT last_seq FROM requests WHERE id = ?1")?
        .query_row([request_id], |row| row.get(0))?;
    if seq as i64 > last_seq {
        return Err(StoreError::Invalid {
            code: "invalid_seq",
            message: format!("seq {seq} is past the newest event ({last_seq})"),
        });
    }
    conn.prepare_cached(
        "INSERT INTO read_marks (request_id, user_id, seq) VALUES (?1, ?2, ?3)
         ON CONFLICT (request_id, user_id) DO UPDATE SET seq = max(seq, excluded.seq)",
    )?
    .execute(params![request_id, caller.id(), seq as i64])?;
    Ok(seq)
}

/// The stored read marks of `request_id`, except `except_user`'s own: who has read up to which seq.
pub fn read_marks(conn: &Connection, request_id: &str, except_user: &str) -> StoreResult<Vec<(User, u64)>> {
    let mut statement = conn.prepare_cached(
        "SELECT u.id, u.username, u.display_name, u.role, m.seq FROM read_marks m JOIN users u ON u.id = m.user_id
         WHERE m.request_id = ?1 AND m.user_id <> ?2 ORDER BY u.username",
    )?;
    let marks = statement.query_map(params![request_id, except_user], |row| {
        Ok((user_from_row(row, 0)?, row.get::<_, i64>(4)?.max(0) as u64))
    })?;
    Ok(marks.collect::<Result<Vec<_>, _>>()?)
}
