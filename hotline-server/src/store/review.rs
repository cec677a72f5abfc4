//! Review queries for trainers and admins: closed requests filtered by date, verdict, control code, officer,
//! expert and full-text search; one request's whole transcript with annotations; statistics; export rows;
//! and officer pseudonyms.
//!
//! Full-text search uses the FTS5 table `transcript_fts` (migration 2): one row per request (subject and
//! shipment text) and one per message body, filled by `AFTER INSERT` triggers on `requests` and `messages`.
//! The triggers run inside the writer's transaction that creates the request or appends the message, so the
//! index can never lag behind or run ahead of the timeline; requests' subject and shipment and messages are
//! never updated or deleted, so insert triggers are all it needs.
//!
//! Pseudonyms: `officer-` + the first 8 hex digits of HMAC-SHA256(server secret, user id). The secret is 32
//! random bytes made by the migration and kept in `server_secrets`, so aliases are stable for the life of the
//! database, cannot be recomputed by someone who knows the user ids, and never equal a username.

use std::collections::BTreeMap;

use hotline_protocol::{
    Annotation, DayCount, Event, NewAnnotation, Outcome, Percentiles, Request, RequestStatus, ReviewDetail, ReviewRow,
    ReviewStats, Role, Shipment, User,
};
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection};
use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::events::{load_events, MAX_PAGE};
use super::requests::{load_facts, load_request};
use super::users::user_from_row;
use super::{StoreError, StoreResult};
use crate::access::{self, Caller};

/// Most days `by_day` fills with zero counts; a longer range lists only the days that have requests.
const MAX_FILLED_DAYS: i64 = 3700;

/// The list's filters, already validated by the route (dates as `YYYY-MM-DD`, verdict a wire name).
#[derive(Debug, Clone, Default)]
pub struct ReviewFilter {
    pub from: Option<String>,
    pub to: Option<String>,
    pub verdict: Option<String>,
    /// A control code or a code prefix, any case.
    pub control: Option<String>,
    /// Words to find in the transcripts (every word must occur in the request's transcript).
    pub q: Option<String>,
    /// The officer's pseudonym (trainers) or pseudonym or username (admins).
    pub officer: Option<String>,
    /// The closing expert's username.
    pub expert: Option<String>,
}

/// HMAC-SHA256 (RFC 2104) with SHA-256's 64-byte block.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    inner.update(message);
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
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

/// Most words of a search that count; the rest are ignored.
const MAX_SEARCH_WORDS: usize = 8;

/// One FTS5 query per word of `text`, each word quoted so that no operator syntax reaches FTS5. A request
/// matches when every word occurs somewhere in its transcript (not necessarily in one message).
pub fn fts_terms(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(MAX_SEARCH_WORDS)
        .map(|w| format!("\"{w}\""))
        .collect()
}

/// The officer id a filter names, or `None` when it names nobody (the list is then empty).
fn resolve_officer(conn: &Connection, viewer: &Viewer, name: &str) -> StoreResult<Option<String>> {
    let mut statement = conn.prepare_cached("SELECT id, username FROM users WHERE role = 'officer'")?;
    let officers = statement.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))?;
    for officer in officers {
        let (id, username) = officer?;
        if officer_alias(&viewer.key, &id) == name || (!viewer.pseudonymise && username == name) {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

/// The WHERE clause (over `requests r` and `users a` the assignee) and its parameters.
fn where_clause(conn: &Connection, viewer: &Viewer, filter: &ReviewFilter) -> StoreResult<(String, Vec<Value>)> {
    let mut sql = String::from("r.status = 'closed'");
    let mut values: Vec<Value> = Vec::new();
    if let Some(from) = &filter.from {
        sql.push_str(" AND r.created_at >= ?");
        values.push(Value::Text(from.clone()));
    }
    if let Some(to) = &filter.to {
        // Stored times are `YYYY-MM-DDTHH:MM:SS.mmmZ`: every time of day `to` sorts below `to` + "U".
        sql.push_str(" AND r.created_at < ?");
        values.push(Value::Text(format!("{to}U")));
    }
    if let Some(verdict) = &filter.verdict {
        sql.push_str(" AND json_extract(r.outcome, '$.verdict') = ?");
        values.push(Value::Text(verdict.clone()));
    }
    if let Some(control) = &filter.control {
        let code = control.trim().to_uppercase();
        sql.push_str(
            " AND (EXISTS (SELECT 1 FROM json_each(r.outcome, '$.controls') j WHERE upper(substr(j.value, 1, ?)) = ?)
               OR EXISTS (SELECT 1 FROM messages m, json_each(m.cites) j
                          WHERE m.request_id = r.id AND upper(substr(j.value, 1, ?)) = ?))",
        );
        for _ in 0..2 {
            values.push(Value::Integer(code.chars().count() as i64));
            values.push(Value::Text(code.clone()));
        }
    }
    for term in filter.q.as_deref().map(fts_terms).unwrap_or_default() {
        sql.push_str(" AND r.id IN (SELECT request_id FROM transcript_fts WHERE transcript_fts MATCH ?)");
        values.push(Value::Text(term));
    }
    if let Some(officer) = &filter.officer {
        sql.push_str(" AND r.officer_id = ?");
        values.push(match resolve_officer(conn, viewer, officer)? {
            Some(id) => Value::Text(id),
            None => Value::Null,
        });
    }
    if let Some(expert) = &filter.expert {
        sql.push_str(" AND a.username = ?");
        values.push(Value::Text(expert.clone()));
    }
    Ok((sql, values))
}

/// `GET /api/v1/review/requests`: how many closed requests match, and one page of them, newest first.
pub fn list(
    conn: &Connection,
    caller: &Caller,
    filter: &ReviewFilter,
    limit: u32,
    offset: u64,
) -> StoreResult<(u64, Vec<Request>)> {
    let viewer = Viewer::new(conn, caller)?;
    let (clause, mut values) = where_clause(conn, &viewer, filter)?;
    let from = "FROM requests r LEFT JOIN users a ON a.id = r.assignee_id";
    let total: i64 =
        conn.prepare(&format!("SELECT count(*) {from} WHERE {clause}"))?.query_row(params_from_iter(values.iter()), |row| row.get(0))?;
    values.push(Value::Integer(limit as i64));
    values.push(Value::Integer(offset.min(i64::MAX as u64) as i64));
    let mut statement =
        conn.prepare(&format!("SELECT r.id {from} WHERE {clause} ORDER BY r.created_at DESC, r.rowid DESC LIMIT ? OFFSET ?"))?;
    let ids = statement.query_map(params_from_iter(values.iter()), |row| row.get::<_, String>(0))?;
    let mut requests = Vec::new();
    for id in ids {
        if let Some(request) = load_request(conn, &id?)? {
            requests.push(viewer.request(request));
        }
    }
    Ok((total as u64, requests))
}

fn seconds_between(start: &str, end: Option<&str>) -> Option<f64> {
    let start = OffsetDateTime::parse(start, &Rfc3339).ok()?;
    let end = OffsetDateTime::parse(end?, &Rfc3339).ok()?;
    Some((end - start).whole_milliseconds() as f64 / 1000.0)
}

/// One export row per matching closed request, newest first (no paging).
pub fn rows(conn: &Connection, caller: &Caller, filter: &ReviewFilter) -> StoreResult<Vec<ReviewRow>> {
    let viewer = Viewer::new(conn, caller)?;
    let (clause, values) = where_clause(conn, &viewer, filter)?;
    let sql = format!(
        "SELECT r.id, r.created_at, r.claimed_at, r.closed_at, r.officer_id, o.username, a.username, r.outcome,
                r.subject, r.shipment,
                (SELECT min(e.at) FROM events e JOIN users u ON u.id = e.author_id
                  WHERE e.request_id = r.id AND e.kind = 'message' AND u.role = 'expert' AND e.at >= r.created_at)
         FROM requests r JOIN users o ON o.id = r.officer_id LEFT JOIN users a ON a.id = r.assignee_id
         WHERE {clause} ORDER BY r.created_at DESC, r.rowid DESC"
    );
    let mut statement = conn.prepare(&sql)?;
    let rows = statement.query_map(params_from_iter(values.iter()), |row| {
        let created_at: String = row.get(1)?;
        let closed_at: Option<String> = row.get(3)?;
        let officer_id: String = row.get(4)?;
        let outcome: Option<String> = row.get(7)?;
        let outcome = outcome.and_then(|text| serde_json::from_str::<Outcome>(&text).ok());
        let shipment: String = row.get(9)?;
        let shipment = serde_json::from_str::<Shipment>(&shipment).unwrap_or_default();
        let first_response_at: Option<String> = row.get(10)?;
        Ok(ReviewRow {
            id: row.get(0)?,
            first_response_s: seconds_between(&created_at, first_response_at.as_deref()),
            resolution_s: seconds_between(&created_at, closed_at.as_deref()),
            claimed_at: row.get(2)?,
            officer: viewer.officer_name(&officer_id, row.get(5)?),
            expert: row.get(6)?,
            verdict: outcome.as_ref().map(|o| o.verdict.as_str().to_string()),
            controls: outcome.map(|o| o.controls).unwrap_or_default(),
            subject: row.get(8)?,
            hs_code: shipment.hs_code,
            origin_country: shipment.origin_country,
            destination_country: shipment.destination_country,
            created_at,
            closed_at,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// The value at nearest rank `p` percent of `values` (sorted here), `None` when empty.
pub fn nearest_rank(values: &mut [f64], p: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * values.len() as f64).ceil() as usize;
    Some(values[rank.clamp(1, values.len()) - 1])
}

fn percentiles(mut values: Vec<f64>) -> Percentiles {
    Percentiles { p50: nearest_rank(&mut values, 50.0), p90: nearest_rank(&mut values, 90.0) }
}

fn parse_day(day: &str) -> Option<time::Date> {
    time::Date::parse(day, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

/// Statistics of the matching closed requests. `by_control` counts each request once per distinct code among its
/// outcome's and its messages' cited codes (so it agrees with the `control` filter); `by_day` lists every day of
/// the range (or from the first to the last request) with zero days included.
pub fn stats(conn: &Connection, caller: &Caller, filter: &ReviewFilter) -> StoreResult<ReviewStats> {
    let rows = rows(conn, caller, filter)?;
    let mut by_verdict: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_control: BTreeMap<String, u64> = BTreeMap::new();
    let mut per_day: BTreeMap<String, u64> = BTreeMap::new();
    let mut cites = conn.prepare_cached("SELECT cites FROM messages WHERE request_id = ?1")?;
    for row in &rows {
        if let Some(verdict) = &row.verdict {
            *by_verdict.entry(verdict.clone()).or_default() += 1;
        }
        let mut codes: std::collections::BTreeSet<String> = row.controls.iter().map(|c| c.trim().to_uppercase()).collect();
        let cited = cites.query_map([&row.id], |r| r.get::<_, String>(0))?;
        for text in cited {
            let list: Vec<String> = serde_json::from_str(&text?).unwrap_or_default();
            codes.extend(list.into_iter().map(|c| c.trim().to_uppercase()));
        }
        for code in codes.into_iter().filter(|c| !c.is_empty()) {
            *by_control.entry(code).or_default() += 1;
        }
        *per_day.entry(row.created_at.get(..10).unwrap_or_default().to_string()).or_default() += 1;
    }
    let first = filter.from.clone().or_else(|| per_day.keys().next().cloned());
    let last = filter.to.clone().or_else(|| per_day.keys().next_back().cloned());
    let mut by_day = Vec::new();
    match (first.as_deref().and_then(parse_day), last.as_deref().and_then(parse_day)) {
        (Some(start), Some(end)) if start <= end && (end - start).whole_days() <= MAX_FILLED_DAYS => {
            let mut day = start;
            loop {
                let name = day.to_string();
                by_day.push(DayCount { requests: per_day.get(&name).copied().unwrap_or(0), day: name });
                match day.next_day() {
                    Some(next) if next <= end => day = next,
                    _ => break,
                }
            }
        }
        _ => by_day.extend(per_day.into_iter().map(|(day, requests)| DayCount { day, requests })),
    }
    Ok(ReviewStats {
        requests: rows.len() as u64,
        first_response_s: percentiles(rows.iter().filter_map(|r| r.first_response_s).collect()),
        resolution_s: percentiles(rows.iter().filter_map(|r| r.resolution_s).collect()),
        by_verdict,
        by_control,
        by_day,
    })
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
    let mut statement =
        conn.prepare_cached("SELECT id, content_type FROM attachments WHERE request_id = ?1 ORDER BY created_at, rowid")?;
    let rows = statement.query_map([request_id], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Adds a trainer's or admin's annotation to a closed request (on the writer).
pub fn add_annotation(conn: &Connection, caller: &Caller, id: &str, new: &NewAnnotation, now: &str) -> StoreResult<Annotation> {
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

    #[test]
    fn nearest_rank_percentiles() {
        let mut values: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(nearest_rank(&mut values, 50.0), Some(5.0));
        assert_eq!(nearest_rank(&mut values, 90.0), Some(9.0));
        assert_eq!(nearest_rank(&mut [7.0], 90.0), Some(7.0));
        assert_eq!(nearest_rank(&mut [], 50.0), None);
    }

    #[test]
    fn fts_terms_quote_every_word() {
        assert_eq!(fts_terms("inconel \"tube\" OR x*"), ["\"inconel\"", "\"tube\"", "\"OR\"", "\"x\""]);
        assert!(fts_terms(" -- ").is_empty());
    }
}
