//! The review list (a count and one page, newest first) and the export rows, read from `review_summary` in the
//! order of its `(created_at, request_rowid)` index: newest first, then latest inserted, as the requests table
//! would order them.

use hotline_protocol::{Outcome, Request, ReviewRow, Shipment};
use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};

use super::Viewer;
use super::filter::{ReviewFilter, Selection};
use crate::access::Caller;
use crate::store::StoreResult;
use crate::store::requests::load_request;

const NEWEST_FIRST: &str = "ORDER BY s.created_at DESC, s.request_rowid DESC";

/// `GET /api/v1/review/requests`: how many closed requests match, and one page of them, newest first.
pub fn list(
    conn: &Connection,
    caller: &Caller,
    filter: &ReviewFilter,
    limit: u32,
    offset: u64,
) -> StoreResult<(u64, Vec<Request>)> {
    let viewer = Viewer::new(conn, caller)?;
    let selection = Selection::new(conn, &viewer, filter)?;
    let offset = offset.min(i64::MAX as u64);
    let (total, ids) = match selection.among() {
        None => {
            let (clause, values) = selection.clause();
            let total: i64 = conn
                .prepare_cached(&format!("SELECT count(*) FROM review_summary s WHERE {clause}"))?
                .query_row(params_from_iter(values.iter()), |row| row.get(0))?;
            let mut values = values.to_vec();
            values.push(Value::Integer(limit.into()));
            values.push(Value::Integer(offset as i64));
            let mut statement = conn.prepare_cached(&format!(
                "SELECT s.request_id FROM review_summary s WHERE {clause} {NEWEST_FIRST} LIMIT ? OFFSET ?"
            ))?;
            let ids = statement.query_map(params_from_iter(values.iter()), |row| row.get::<_, String>(0))?;
            (total as u64, ids.collect::<Result<Vec<_>, _>>()?)
        }
        Some(set) => {
            // Only ids while scanning (the index holds them); the request ids of the page come after.
            let known_total = selection.only_sets().then_some(set.len() as u64);
            let end = offset.saturating_add(limit.into());
            let mut seen = 0u64;
            let mut page: Vec<i64> = Vec::new();
            selection.visit(conn, "s.id", "", NEWEST_FIRST, |row| {
                if seen >= offset && seen < end {
                    page.push(row.get(0)?);
                }
                seen += 1;
                // With nothing but the sets restricting, their size is the count: stop after the page.
                Ok(known_total.is_none() || seen < end)
            })?;
            let mut by_id = conn.prepare_cached("SELECT request_id FROM review_summary WHERE id = ?1")?;
            let ids = page
                .iter()
                .map(|id| by_id.query_row([id], |row| row.get::<_, String>(0)))
                .collect::<Result<Vec<_>, _>>()?;
            (known_total.unwrap_or(seen), ids)
        }
    };
    let mut requests = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(request) = load_request(conn, &id)? {
            requests.push(viewer.request(request));
        }
    }
    Ok((total, requests))
}

/// Milliseconds as the wire's seconds.
pub(super) fn seconds(ms: Option<i64>) -> Option<f64> {
    ms.map(|ms| ms as f64 / 1000.0)
}

/// Calls `each` with one export row per matching closed request, newest first (no paging), until it returns
/// `false`; all rows come from one read snapshot.
pub fn visit_rows(
    conn: &Connection,
    caller: &Caller,
    filter: &ReviewFilter,
    mut each: impl FnMut(ReviewRow) -> StoreResult<bool>,
) -> StoreResult<()> {
    let viewer = Viewer::new(conn, caller)?;
    let selection = Selection::new(conn, &viewer, filter)?;
    let columns =
        "s.id, r.id, r.created_at, r.claimed_at, r.closed_at, r.officer_id, o.username, a.username, r.outcome,
                   r.subject, r.shipment, s.first_response_ms, s.resolution_ms";
    let joins = "JOIN requests r ON r.id = s.request_id JOIN users o ON o.id = r.officer_id
                 LEFT JOIN users a ON a.id = r.assignee_id";
    selection.visit(conn, columns, joins, NEWEST_FIRST, |row| {
        let officer_id: String = row.get(5)?;
        let outcome: Option<String> = row.get(8)?;
        let outcome = outcome.and_then(|text| serde_json::from_str::<Outcome>(&text).ok());
        let shipment: String = row.get(10)?;
        let shipment = serde_json::from_str::<Shipment>(&shipment).unwrap_or_default();
        each(ReviewRow {
            id: row.get(1)?,
            created_at: row.get(2)?,
            claimed_at: row.get(3)?,
            closed_at: row.get(4)?,
            officer: viewer.officer_name(&officer_id, row.get(6)?),
            expert: row.get(7)?,
            verdict: outcome.as_ref().map(|o| o.verdict.as_str().to_string()),
            controls: outcome.map(|o| o.controls).unwrap_or_default(),
            subject: row.get(9)?,
            hs_code: shipment.hs_code,
            origin_country: shipment.origin_country,
            destination_country: shipment.destination_country,
            first_response_s: seconds(row.get(11)?),
            resolution_s: seconds(row.get(12)?),
        })
    })
}
