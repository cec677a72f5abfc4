//! Hotline requests: idempotent creation, claim (one winner), transfer, close, and the reads behind lists,
//! the queue and single requests.

use hotline_protocol::{
    Event, EventKind, NewRequest, Outcome, Priority, Request, RequestStatus, Role, ScreeningMatch, Shipment, User,
};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::json;

use super::events::{NewMessage, append_event, insert_message};
use super::users::{find_by_username, optional_user_from_row, user_from_row};
use super::{StoreError, StoreResult};
use crate::access::{self, Caller, RequestFacts};

const REQUEST_SELECT: &str = "SELECT r.id, r.status, r.subject, r.shipment, r.priority, r.created_at, r.claimed_at,
        r.closed_at, r.last_seq, r.outcome, r.screening,
        o.id, o.username, o.display_name, o.role,
        a.id, a.username, a.display_name, a.role
    FROM requests r
    JOIN users o ON o.id = r.officer_id
    LEFT JOIN users a ON a.id = r.assignee_id";

fn request_from_row(row: &Row<'_>) -> rusqlite::Result<Request> {
    let status: String = row.get(1)?;
    let shipment: String = row.get(3)?;
    let priority: String = row.get(4)?;
    let outcome: Option<String> = row.get(9)?;
    let screening: Option<String> = row.get(10)?;
    Ok(Request {
        id: row.get(0)?,
        status: RequestStatus::parse(&status).unwrap_or(RequestStatus::Waiting),
        subject: row.get(2)?,
        shipment: serde_json::from_str::<Shipment>(&shipment).unwrap_or_default(),
        priority: Priority::parse(&priority).unwrap_or_default(),
        created_at: row.get(5)?,
        claimed_at: row.get(6)?,
        closed_at: row.get(7)?,
        last_seq: row.get::<_, i64>(8)? as u64,
        outcome: outcome.and_then(|text| serde_json::from_str::<Outcome>(&text).ok()),
        screening: screening.and_then(|text| serde_json::from_str::<Vec<ScreeningMatch>>(&text).ok()),
        officer: user_from_row(row, 11)?,
        assignee: optional_user_from_row(row, 15)?,
    })
}

/// The access facts of a request.
pub fn load_facts(conn: &Connection, id: &str) -> StoreResult<Option<RequestFacts>> {
    Ok(conn
        .prepare_cached("SELECT id, officer_id, assignee_id, status FROM requests WHERE id = ?1")?
        .query_row([id], |row| {
            let status: String = row.get(3)?;
            Ok(RequestFacts {
                id: row.get(0)?,
                officer_id: row.get(1)?,
                assignee_id: row.get(2)?,
                status: RequestStatus::parse(&status).unwrap_or(RequestStatus::Waiting),
            })
        })
        .optional()?)
}

/// A request whole, without access checks.
pub fn load_request(conn: &Connection, id: &str) -> StoreResult<Option<Request>> {
    let sql = format!("{REQUEST_SELECT} WHERE r.id = ?1");
    Ok(conn.prepare_cached(&sql)?.query_row([id], request_from_row).optional()?)
}

/// A request the caller may see; `NotFound` otherwise.
pub fn visible_request(conn: &Connection, caller: &Caller, id: &str) -> StoreResult<Request> {
    let facts = load_facts(conn, id)?.ok_or_else(access::not_found)?;
    access::require_visible(caller, &facts)?;
    load_request(conn, id)?.ok_or_else(access::not_found)
}

/// The requests the caller may see, newest first, optionally of one status.
pub fn list_requests(conn: &Connection, caller: &Caller, status: Option<RequestStatus>) -> StoreResult<Vec<Request>> {
    let (scope, owner): (&str, Option<&str>) = match caller.role() {
        Role::Officer => ("r.officer_id = ?1", Some(caller.id())),
        Role::Expert | Role::Admin => ("?1 IS NULL", None),
        Role::Trainer => ("?1 IS NULL AND r.status = 'closed'", None),
    };
    let sql = format!(
        "{REQUEST_SELECT} WHERE {scope} AND (?2 IS NULL OR r.status = ?2) ORDER BY r.created_at DESC, r.rowid DESC LIMIT 1000"
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map(params![owner, status.map(|s| s.as_str())], request_from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// The expert queue: waiting and claimed requests, oldest first.
pub fn queue(conn: &Connection) -> StoreResult<Vec<Request>> {
    let sql = format!("{REQUEST_SELECT} WHERE r.status IN ('waiting', 'claimed') ORDER BY r.created_at, r.rowid");
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map([], request_from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// How many requests wait for an expert.
pub fn waiting_count(conn: &Connection) -> StoreResult<u64> {
    let count: i64 = conn
        .prepare_cached("SELECT count(*) FROM requests WHERE status = 'waiting'")?
        .query_row([], |row| row.get(0))?;
    Ok(count as u64)
}

/// What creating a request did.
#[derive(Debug, Clone)]
pub struct Created {
    pub request: Request,
    /// False when the same `client_request_id` had already created it.
    pub created: bool,
    pub events: Vec<Event>,
}

/// Creates a request (validated by the caller) once per (officer, client_request_id).
pub fn create_request(
    conn: &Connection,
    caller: &Caller,
    new: &NewRequest,
    screening: Option<&[ScreeningMatch]>,
    now: &str,
) -> StoreResult<Created> {
    if caller.role() != Role::Officer {
        return Err(StoreError::Forbidden("only officers open hotline requests".into()));
    }
    let existing: Option<String> = conn
        .prepare_cached("SELECT id FROM requests WHERE officer_id = ?1 AND client_request_id = ?2")?
        .query_row(params![caller.id(), new.client_request_id], |row| row.get(0))
        .optional()?;
    if let Some(id) = existing {
        let request = load_request(conn, &id)?.ok_or_else(access::not_found)?;
        return Ok(Created { request, created: false, events: Vec::new() });
    }
    let id = uuid::Uuid::now_v7().to_string();
    let priority = new.priority.unwrap_or_default();
    conn.prepare_cached("INSERT INTO requests (id, officer_id, client_request_id, status, subject, shipment, priority, created_at, last_seq, screening)
         VALUES (?1, ?2, ?3, 'waiting', ?4, ?5, ?6, ?7, 0, ?8)")?.execute(params![
            id,
            caller.id(),
            new.client_request_id,
            new.subject,
            serde_json::to_string(&new.shipment)?,
            priority.as_str(),
            now,
            screening.map(serde_json::to_string).transpose()?,
        ],)?;
    let mut events = vec![append_event(
        conn,
        &id,
        EventKind::Created,
        now,
        Some(&caller.user),
        None,
        json!({"subject": new.subject, "priority": priority.as_str()}),
    )?];
    if let Some(body) = new.body.as_deref().filter(|b| !b.trim().is_empty()) {
        let message = NewMessage {
            request_id: id.clone(),
            client_msg_id: new.client_request_id.clone(),
            body: body.to_string(),
            attachments: Vec::new(),
            cites: Vec::new(),
        };
        if let Some(event) = insert_message(conn, &caller.user, &message, now)?.event {
            events.push(event);
        }
    }
    let request = load_request(conn, &id)?.ok_or_else(access::not_found)?;
    Ok(Created { request, created: true, events })
}

/// A change of status or assignee: the request after it and the event it appended (none for a no-op).
#[derive(Debug, Clone)]
pub struct Changed {
    pub request: Request,
    pub event: Option<Event>,
}

/// `claim`: waiting → claimed by the caller. Exactly one expert wins; the others get `already_claimed`.
pub fn claim(conn: &Connection, caller: &Caller, id: &str, now: &str) -> StoreResult<Changed> {
    let facts = load_facts(conn, id)?.ok_or_else(access::not_found)?;
    access::require_expert(caller, &facts)?;
    match facts.status {
        RequestStatus::Waiting => {}
        RequestStatus::Claimed if facts.assignee_id.as_deref() == Some(caller.id()) => {
            let request = load_request(conn, id)?.ok_or_else(access::not_found)?;
            return Ok(Changed { request, event: None });
        }
        RequestStatus::Claimed => {
            return Err(StoreError::Conflict {
                code: "already_claimed",
                message: "another expert already holds this request".into(),
            });
        }
        RequestStatus::Closed => {
            return Err(StoreError::Conflict {
                code: "request_closed",
                message: "this request is already closed".into(),
            });
        }
    }
    let updated = conn.prepare_cached("UPDATE requests SET status = 'claimed', assignee_id = ?2, claimed_at = ?3 WHERE id = ?1 AND status = 'waiting'")?.execute(params![id, caller.id(), now],)?;
    if updated != 1 {
        return Err(StoreError::Conflict {
            code: "already_claimed",
            message: "another expert already holds this request".into(),
        });
    }
    let event =
        append_event(conn, id, EventKind::Claimed, now, Some(&caller.user), None, json!({"assignee": caller.user}))?;
    let request = load_request(conn, id)?.ok_or_else(access::not_found)?;
    Ok(Changed { request, event: Some(event) })
}

/// `transfer`: the assignee hands the request to another expert.
pub fn transfer(conn: &Connection, caller: &Caller, id: &str, to_username: &str, now: &str) -> StoreResult<Changed> {
    let facts = load_facts(conn, id)?.ok_or_else(access::not_found)?;
    access::require_assignee(caller, &facts)?;
    let target: User =
        find_by_username(conn, to_username)?.filter(|user| user.role == Role::Expert).ok_or_else(|| {
            StoreError::Invalid { code: "unknown_expert", message: format!("there is no expert named {to_username:?}") }
        })?;
    if target.id == caller.id() {
        return Err(StoreError::Invalid { code: "invalid_transfer", message: "you already hold this request".into() });
    }
    conn.prepare_cached("UPDATE requests SET assignee_id = ?2 WHERE id = ?1")?.execute(params![id, target.id])?;
    let event = append_event(
        conn,
        id,
        EventKind::Transferred,
        now,
        Some(&caller.user),
        None,
        json!({"from": caller.user, "to": target}),
    )?;
    let request = load_request(conn, id)?.ok_or_else(access::not_found)?;
    Ok(Changed { request, event: Some(event) })
}

/// `close`: the assignee closes the request with an outcome.
pub fn close(conn: &Connection, caller: &Caller, id: &str, outcome: &Outcome, now: &str) -> StoreResult<Changed> {
    let facts = load_facts(conn, id)?.ok_or_else(access::not_found)?;
    access::require_assignee(caller, &facts)?;
    conn.prepare_cached("UPDATE requests SET status = 'closed', closed_at = ?2, outcome = ?3 WHERE id = ?1")?
        .execute(params![id, now, serde_json::to_string(outcome)?])?;
    let event = append_event(conn, id, EventKind::Closed, now, Some(&caller.user), None, json!({"outcome": outcome}))?;
    let request = load_request(conn, id)?.ok_or_else(access::not_found)?;
    Ok(Changed { request, event: Some(event) })
}
