//! Review statistics in two passes over narrow indexed rows: the matching summaries (day, verdict, time to
//! first response and to close, index-only through `review_summary_by_created`), then their codes from
//! `review_codes` in summary order. Percentiles by nearest rank with a selection, not a sort.

use std::collections::BTreeMap;

use hotline_protocol::{DayCount, Percentiles, ReviewStats};
use rusqlite::{Connection, Row};

use super::Viewer;
use super::filter::{IdSet, ReviewFilter, Selection};
use super::list::seconds;
use crate::access::Caller;
use crate::store::StoreResult;

/// Most days `by_day` fills with zero counts; a longer range lists only the days that have requests.
const MAX_FILLED_DAYS: i64 = 3700;

/// The value at nearest rank `p` percent of `values` (reordered here), `None` when empty.
pub fn nearest_rank(values: &mut [i64], p: f64) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * values.len() as f64).ceil() as usize;
    let (_, value, _) = values.select_nth_unstable(rank.clamp(1, values.len()) - 1);
    Some(*value)
}

fn percentiles(mut ms: Vec<i64>) -> Percentiles {
    Percentiles { p50: seconds(nearest_rank(&mut ms, 50.0)), p90: seconds(nearest_rank(&mut ms, 90.0)) }
}

fn parse_day(day: &str) -> Option<time::Date> {
    time::Date::parse(day, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

/// The text in column `index` of `row`, borrowed.
fn text<'r>(row: &'r Row<'_>, index: usize) -> StoreResult<Option<&'r str>> {
    Ok(row.get_ref(index)?.as_str_or_null().map_err(rusqlite::Error::from)?)
}

/// Adds one to `key`'s count, allocating the key only the first time.
fn count(map: &mut BTreeMap<String, u64>, key: &str) {
    match map.get_mut(key) {
        Some(n) => *n += 1,
        None => {
            map.insert(key.to_string(), 1);
        }
    }
}

/// Statistics of the matching closed requests. `by_control` counts each request once per distinct code among its
/// outcome's and its messages' cited codes, trimmed and upper-cased (so it agrees with the `control` filter);
/// `by_category` counts each request once per control-list category (ECCN first digit) among those codes;
/// `by_day` lists every day of the range (or from the first to the last request) with zero days included.
pub fn stats(conn: &Connection, caller: &Caller, filter: &ReviewFilter) -> StoreResult<ReviewStats> {
    let viewer = Viewer::new(conn, caller)?;
    let selection = Selection::new(conn, &viewer, filter)?;
    let mut matched = Vec::new();
    let mut by_verdict: BTreeMap<String, u64> = BTreeMap::new();
    let mut per_day: BTreeMap<String, u64> = BTreeMap::new();
    let (mut first_response, mut resolution) = (Vec::new(), Vec::new());
    let columns = "s.id, s.created_at, s.verdict, s.first_response_ms, s.resolution_ms";
    selection.visit(conn, columns, "", "", |row| {
        matched.push(row.get::<_, i64>(0)?);
        let created_at = text(row, 1)?.unwrap_or_default();
        count(&mut per_day, created_at.get(..10).unwrap_or_default());
        if let Some(verdict) = text(row, 2)? {
            count(&mut by_verdict, verdict);
        }
        first_response.extend(row.get::<_, Option<i64>>(3)?);
        resolution.extend(row.get::<_, Option<i64>>(4)?);
        Ok(true)
    })?;
    let (by_control, by_category) = control_counts(conn, &matched, &selection)?;
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
        requests: matched.len() as u64,
        first_response_s: percentiles(first_response),
        resolution_s: percentiles(resolution),
        by_verdict,
        by_control,
        by_category,
        by_day,
    })
}

/// The Commerce Control List category (the ECCN's first digit, `"0"`..`"9"`) of a code, `None` for codes
/// that are not ECCNs (HS codes, `EAR99`, ...).
pub fn ccl_category(code: &str) -> Option<&str> {
    hotline_index::codes::canonical_eccn(code).and(code.trim().get(..1))
}

/// Requests per code among the summaries `matched`: each request once per distinct trimmed, upper-cased code;
/// and requests per control-list category, each request once per distinct category among its codes.
fn control_counts(
    conn: &Connection,
    matched: &[i64],
    selection: &Selection,
) -> StoreResult<(BTreeMap<String, u64>, BTreeMap<String, u64>)> {
    let mut by_control: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_category: BTreeMap<String, u64> = BTreeMap::new();
    if matched.is_empty() {
        return Ok((by_control, by_category));
    }
    let mut set = IdSet::default();
    for &id in matched {
        set.insert(id);
    }
    // A few requests: their codes by key. Most of them: one pass over the whole (summary_id, code) index.
    let few = selection.is_small(&set);
    let sql = if few {
        "SELECT summary_id, code FROM review_codes WHERE summary_id IN (SELECT value FROM json_each(?1)) ORDER BY summary_id"
    } else {
        "SELECT summary_id, code FROM review_codes INDEXED BY review_codes_by_summary ORDER BY summary_id"
    };
    let mut statement = conn.prepare_cached(sql)?;
    let mut rows = if few { statement.query([set.json()])? } else { statement.query([])? };
    // The codes of one request, normalised; counted when the next request starts.
    let mut current: Option<i64> = None;
    let mut codes: Vec<String> = Vec::new();
    let mut flush = |codes: &mut Vec<String>| {
        codes.sort_unstable();
        codes.dedup();
        let mut categories: Vec<&str> = codes.iter().filter_map(|code| ccl_category(code)).collect();
        categories.dedup(); // sorted codes: a category's codes are neighbours
        for category in categories {
            count(&mut by_category, category);
        }
        for code in codes.drain(..) {
            *by_control.entry(code).or_default() += 1;
        }
    };
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        if !set.contains(id) {
            continue;
        }
        if current != Some(id) {
            flush(&mut codes);
            current = Some(id);
        }
        let code = text(row, 1)?.unwrap_or_default().trim();
        if !code.is_empty() {
            codes.push(code.to_uppercase());
        }
    }
    flush(&mut codes);
    Ok((by_control, by_category))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let mut values: Vec<i64> = (1..=10).rev().collect();
        assert_eq!(nearest_rank(&mut values, 50.0), Some(5));
        assert_eq!(nearest_rank(&mut values, 90.0), Some(9));
        assert_eq!(nearest_rank(&mut [7], 90.0), Some(7));
        assert_eq!(nearest_rank(&mut [], 50.0), None);
        assert_eq!(percentiles(vec![1500, 250, 1000]), Percentiles { p50: Some(1.0), p90: Some(1.5) });
    }

    #[test]
    fn categories_are_the_first_digit_of_eccns_only() {
        assert_eq!(ccl_category("2B001"), Some("2"));
        assert_eq!(ccl_category("9E003"), Some("9"));
        assert_eq!(ccl_category("8459.61"), None);
        assert_eq!(ccl_category("EAR99"), None);
        assert_eq!(ccl_category("2X001"), None);
    }
}
