//! Review queries for trainers and admins: closed requests filtered by date, verdict, control code, officer,
//! expert and full-text search; one request's whole transcript with annotations; statistics; export rows;
//! and officer pseudonyms.
//!
//! The list, the exports and the statistics read the summary tables of migration 3, which triggers keep in step
//! with the requests inside the writer's transactions: `review_summary` (one narrow row per closed request:
//! times, verdict, officer, assignee, milliseconds to first expert message and to close), `review_codes` (its
//! distinct outcome and cited codes, upper-cased) and `review_transcripts` (one contentless FTS5 row per closed
//! request with its subject, shipment text and message bodies). `review/filter.rs` compiles a [`ReviewFilter`]
//! against them, `review/list.rs` pages and exports, `review/stats.rs` aggregates. Whole requests and timelines
//! are still read from the requests and events tables, only for the rows shown.
//!
//! Pseudonyms: `officer-` + the first 8 hex digits of HMAC-SHA256(server secret, user id). The secret is 32
//! random bytes made by migration 2 and kept in `server_secrets`, so aliases are stable for the life of the
//! database, cannot be recomputed by someone who knows the user ids, and never equal a username.

mod filter;
mod list;
mod stats;
#[cfg(test)]
mod summary_tests;

use hmac::{Hmac, Mac};
use hotline_protocol::{Annotation, Event, NewAnnotation, Request, RequestStatus, ReviewDetail, Role, User};
use rusqlite::{Connection, params};
use sha2::Sha256;

use super::events::{MAX_PAGE, load_events};
use super::requests::{load_facts, load_request};
use super::users::user_from_row;
use super::{StoreError, StoreResult};
use crate::access::{self, Caller};

pub use filter::{ReviewFilter, fts_terms};
pub use list::{list, visit_rows};
pub use stats::{nearest_rank, stats};

/// HMAC-SHA256 (RFC 2104) of `message` under `key`.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    // HMAC takes a key of any length (a long one is hashed first), so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC accepts every key length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// The server's pseudonym secret.
pub fn pseudonym_key(conn: &Connection) -> StoreResult<Vec<u8>> {
    Ok(conn.query_row("SELECT value FROM server_secrets WHERE name = 'officer_pseudonym_key'", [], |row| row.get(0))?)
}

/// The stable alias of the officer with `user_id`.
pub fn officer_alias(key: &[u8], user_id: &str) -> String {
    format!("officer-{}", &hex::encode(hmac_sha256(key, user_id.as_bytes()))[..8])
}

/// Who the caller sees: trainers get officers as their alias, admins the user.
struct Viewer {
    pseudonymise: bool,
    key: Vec<u8>,
}

impl Viewer {
    fn new(conn: &Connection, caller: &Caller) -> StoreResult<Viewer> {
        Ok(Viewer { pseudonymise: caller.role() != Role::Admin, key: pseudonym_key(conn)? })
    }

    fn user(&self, user: User) -> User {
        if self.pseudonymise && user.role == Role::Officer {
            let alias = officer_alias(&self.key, &user.id);
            User { id: alias.clone(), username: alias.clone(), display_name: alias, role: Role::Officer }
        } else {
            user
        }
    }

    fn officer_name(&self, id: &str, username: String) -> String {
        if self.pseudonymise { officer_alias(&self.key, id) } else { username }
    }

    fn request(&self, mut request: Request) -> Request {
        request.officer = self.user(request.officer);
        request.assignee = request.assignee.map(|u| self.user(u));
        request
    }

    fn event(&self, mut event: Event) -> Event {
        event.author = event.author.map(|u| self.user(u));
        event
    }
}

/// A closed request for review; `NotFound` for open or unknown ones.
fn closed_request(conn: &Connection, id: &str) -> StoreResult<()> {
    let facts = load_facts(conn, id)?.ok_or_else(access::not_found)?;
    if facts.status != RequestStatus::Closed {
        return Err(access::not_found());
    }
    Ok(())
}

fn annotations(conn: &Connection, request_id: &str) -> StoreResult<Vec<Annotation>> {
    let mut statement = conn.prepare_cached(
        "SELECT n.id, n.request_id, n.training_case, n.note, n.created_at, u.id, u.username, u.display_name, u.role
         FROM annotations n JOIN users u ON u.id = n.author_id WHERE n.request_id = ?1 ORDER BY n.created_at, n.rowid",
    )?;
    let rows = statement.query_map([request_id], |row| {
        Ok(Annotation {
            id: row.get(0)?,
            request_id: row.get(1)?,
            training_case: row.get(2)?,
            note: row.get(3)?,
            at: row.get(4)?,
            author: user_from_row(row, 5)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// `GET /api/v1/review/requests/{id}`: the request, its whole timeline and its annotations.
pub fn detail(conn: &Connection, caller: &Caller, id: &str) -> StoreResult<ReviewDetail> {
    closed_request(conn, id)?;
    let viewer = Viewer::new(conn, caller)?;
    let request = load_request(conn, id)?.ok_or_else(access::not_found)?;
    let mut events = Vec::new();
    loop {
        let page = load_events(conn, id, events.last().map(|e: &Event| e.seq).unwrap_or(0), MAX_PAGE)?;
        let full = page.len() as u32 == MAX_PAGE;
        events.extend(page);
        if !full {
            break;
        }
    }
    Ok(ReviewDetail {
        request: viewer.request(request),
        events: events.into_iter().map(|e| viewer.event(e)).collect(),
        annotations: annotations(conn, id)?,
    })
}

/// Training cases: closed requests with at least one annotation marking them, newest first.
pub fn training_case_ids(conn: &Connection) -> StoreResult<Vec<String>> {
    let mut statement = conn.prepare_cached(
        "SELECT r.id FROM requests r WHERE r.status = 'closed'
           AND EXISTS (SELECT 1 FROM annotations n WHERE n.request_id = r.id AND n.training_case = 1)
         ORDER BY r.created_at DESC, r.rowid DESC",
    )?;
    let rows = statement.query_map([], |row| row.get::<_, String>(0))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// `GET /api/v1/review/cases`: every training case with its annotations, newest first, as the caller sees them.
pub fn training_cases(conn: &Connection, caller: &Caller) -> StoreResult<Vec<(Request, Vec<Annotation>)>> {
    let viewer = Viewer::new(conn, caller)?;
    let mut cases = Vec::new();
    for id in training_case_ids(conn)? {
        if let Some(request) = load_request(conn, &id)? {
            cases.push((viewer.request(request), annotations(conn, &id)?));
        }
    }
    Ok(cases)
}

/// The photos of a request, oldest first: `(attachment id, content type)`.
pub fn photos(conn: &Connection, request_id: &str) -> StoreResult<Vec<(String, String)>> {
    let mut statement = conn
        .prepare_cached("SELECT id, content_type FROM attachments WHERE request_id = ?1 ORDER BY created_at, rowid")?;
    let rows = statement.query_map([request_id], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Adds a trainer's or admin's annotation to a closed request (on the writer).
pub fn add_annotation(
    conn: &Connection,
    caller: &Caller,
    id: &str,
    new: &NewAnnotation,
    now: &str,
) -> StoreResult<Annotation> {
    closed_request(conn, id)?;
    if !matches!(caller.role(), Role::Trainer | Role::Admin) {
        return Err(StoreError::Forbidden("only trainers and admins annotate requests".into()));
    }
    let annotation_id = uuid::Uuid::now_v7().to_string();
    conn.execute(
        "INSERT INTO annotations (id, request_id, author_id, training_case, note, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![annotation_id, id, caller.id(), new.training_case, new.note, now],
    )?;
    Ok(Annotation {
        id: annotation_id,
        request_id: id.to_string(),
        training_case: new.training_case,
        note: new.note.clone(),
        author: caller.user.clone(),
        at: now.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(hex::encode(mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }
}
