//! The review filters compiled against the summary tables of migration 3: conditions SQL evaluates on
//! `review_summary s` (dates, verdict, officer, expert), and sets of summary ids that a match must belong to
//! (full-text words, control codes), taken from their own indexes and intersected as bitsets.
//!
//! Why sets and not SQL subqueries: a common word or a short code prefix matches most requests, and
//! `s.id IN (SELECT …)` makes SQLite build and probe a temporary index of all of them (for every query, and
//! again for the count). A bitset of the ids costs one pass over the FTS5 doclist or the code index, and each
//! summary row then costs one bit test. A small set goes the other way: its ids are handed to SQL, which looks
//! each one up by key, so a rare word never scans the whole summary.

use rusqlite::types::Value;
use rusqlite::{Connection, Row, params_from_iter};

use super::{Viewer, officer_alias};
use crate::store::StoreResult;

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

/// Most words of a search that count; the rest are ignored.
const MAX_SEARCH_WORDS: usize = 8;

/// One FTS5 phrase per word of `text`, each word quoted so that no operator syntax reaches FTS5. A request
/// matches when every word occurs somewhere in its transcript (not necessarily in one message).
pub fn fts_terms(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(MAX_SEARCH_WORDS)
        .map(|w| format!("\"{w}\""))
        .collect()
}

/// The smallest string above every string that starts with `prefix` (in code point order, which is SQLite's
/// BINARY order for UTF-8), or `None` when there is none. `prefix <= code < successor` is then exactly "code starts
/// with prefix", and an index can answer it as a range.
pub fn prefix_successor(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = match last as u32 + 1 {
            0xD800 => 0xE000,
            n => n,
        };
        if let Some(next) = char::from_u32(next) {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// A set of summary ids, as a bitset.
#[derive(Debug, Clone, Default)]
pub(super) struct IdSet {
    words: Vec<u64>,
    len: usize,
}

impl IdSet {
    pub(super) fn insert(&mut self, id: i64) {
        let Ok(id) = usize::try_from(id) else { return };
        let (word, bit) = (id / 64, 1u64 << (id % 64));
        if word >= self.words.len() {
            self.words.resize(word + 1, 0);
        }
        if self.words[word] & bit == 0 {
            self.words[word] |= bit;
            self.len += 1;
        }
    }

    pub(super) fn contains(&self, id: i64) -> bool {
        usize::try_from(id).is_ok_and(|id| self.words.get(id / 64).is_some_and(|word| word & (1u64 << (id % 64)) != 0))
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    fn intersect(&mut self, other: &IdSet) {
        self.words.truncate(other.words.len());
        for (word, theirs) in self.words.iter_mut().zip(&other.words) {
            *word &= theirs;
        }
        self.len = self.words.iter().map(|w| w.count_ones() as usize).sum();
    }

    /// The ids, ascending.
    pub(super) fn ids(&self) -> impl Iterator<Item = i64> + '_ {
        self.words.iter().enumerate().flat_map(|(index, &word)| {
            (0..64).filter(move |bit| word & (1u64 << bit) != 0).map(move |bit| (index * 64 + bit) as i64)
        })
    }

    /// The ids as a JSON array, for `json_each(?)`.
    pub(super) fn json(&self) -> String {
        let ids: Vec<String> = self.ids().map(|id| id.to_string()).collect();
        format!("[{}]", ids.join(","))
    }

    /// The ids the first column of `sql` returns.
    fn query(conn: &Connection, sql: &str, values: &[Value]) -> StoreResult<IdSet> {
        let mut set = IdSet::default();
        let mut statement = conn.prepare_cached(sql)?;
        let mut rows = statement.query(params_from_iter(values.iter()))?;
        while let Some(row) = rows.next()? {
            set.insert(row.get(0)?);
        }
        Ok(set)
    }
}

/// A set below this fraction of all summaries is looked up id by id instead of tested against every row.
const SMALL_SET_DIVISOR: usize = 8;

/// A filter compiled against the summary tables.
pub(super) struct Selection {
    /// Conditions on `review_summary s`, joined with AND (`1` when there are none), and their parameters.
    clause: String,
    values: Vec<Value>,
    /// Summary ids a match must be among (full-text words and control codes); `None` when neither is asked.
    among: Option<IdSet>,
    /// The largest summary id: how many rows a scan would visit.
    max_id: i64,
}

impl Selection {
    pub(super) fn new(conn: &Connection, viewer: &Viewer, filter: &ReviewFilter) -> StoreResult<Selection> {
        let mut conditions: Vec<&str> = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        if let Some(from) = &filter.from {
            conditions.push("s.created_at >= ?");
            values.push(Value::Text(from.clone()));
        }
        if let Some(to) = &filter.to {
            // Stored times are `YYYY-MM-DDTHH:MM:SS.mmmZ`: every time of day `to` sorts below `to` + "U".
            conditions.push("s.created_at < ?");
            values.push(Value::Text(format!("{to}U")));
        }
        if let Some(verdict) = &filter.verdict {
            conditions.push("s.verdict = ?");
            values.push(Value::Text(verdict.clone()));
        }
        if let Some(officer) = &filter.officer {
            // An unknown officer is NULL, which equals nothing: the list is then empty.
            conditions.push("s.officer_id = ?");
            values.push(resolve_officer(conn, viewer, officer)?.map_or(Value::Null, Value::Text));
        }
        if let Some(expert) = &filter.expert {
            conditions.push("s.assignee_id = ?");
            values.push(resolve_user(conn, expert)?.map_or(Value::Null, Value::Text));
        }
        let clause = if conditions.is_empty() { "1".to_string() } else { conditions.join(" AND ") };
        let mut among: Option<IdSet> = None;
        let mut narrow = |set: IdSet| match &mut among {
            Some(current) => current.intersect(&set),
            None => among = Some(set),
        };
        if let Some(control) = &filter.control {
            narrow(code_matches(conn, &control.trim().to_uppercase())?);
        }
        let terms = filter.q.as_deref().map(fts_terms).unwrap_or_default();
        if !terms.is_empty() {
            narrow(transcript_matches(conn, &terms)?);
        }
        let max_id: i64 =
            conn.prepare_cached("SELECT coalesce(max(id), 0) FROM review_summary")?.query_row([], |row| row.get(0))?;
        Ok(Selection { clause, values, among, max_id })
    }

    /// True when only the id sets restrict (no date, verdict, officer or expert condition).
    pub(super) fn only_sets(&self) -> bool {
        self.values.is_empty()
    }

    /// The id set, when a word or code filter asked for one.
    pub(super) fn among(&self) -> Option<&IdSet> {
        self.among.as_ref()
    }

    /// The WHERE clause over `s` and its parameters, for a query without id sets.
    pub(super) fn clause(&self) -> (&str, &[Value]) {
        (&self.clause, &self.values)
    }

    /// True when `set` is so much smaller than the summaries that looking its ids up beats scanning.
    pub(super) fn is_small(&self, set: &IdSet) -> bool {
        set.len().saturating_mul(SMALL_SET_DIVISOR) < usize::try_from(self.max_id).unwrap_or(0)
    }

    /// Calls `visit` with each matching row of `SELECT {columns} FROM review_summary s {joins} … {order}`, whose
    /// first column must be `s.id`, until it returns `false`.
    pub(super) fn visit(
        &self,
        conn: &Connection,
        columns: &str,
        joins: &str,
        order: &str,
        mut visit: impl FnMut(&Row<'_>) -> StoreResult<bool>,
    ) -> StoreResult<()> {
        let mut values = self.values.clone();
        let (restrict, test) = match &self.among {
            Some(set) if set.len() == 0 => return Ok(()),
            Some(set) if self.is_small(set) => {
                values.push(Value::Text(set.json()));
                (" AND s.id IN (SELECT value FROM json_each(?))", None)
            }
            Some(set) => ("", Some(set)),
            None => ("", None),
        };
        let sql = format!("SELECT {columns} FROM review_summary s {joins} WHERE {}{restrict} {order}", self.clause);
        let mut statement = conn.prepare_cached(&sql)?;
        let mut rows = statement.query(params_from_iter(values.iter()))?;
        while let Some(row) = rows.next()? {
            if let Some(set) = test
                && !set.contains(row.get(0)?)
            {
                continue;
            }
            if !visit(row)? {
                break;
            }
        }
        Ok(())
    }
}

/// The summaries with a code (outcome or cited) that starts with `prefix` (already upper-cased).
fn code_matches(conn: &Connection, prefix: &str) -> StoreResult<IdSet> {
    match prefix_successor(prefix) {
        Some(end) => IdSet::query(
            conn,
            "SELECT summary_id FROM review_codes WHERE code >= ?1 AND code < ?2",
            &[Value::Text(prefix.to_string()), Value::Text(end)],
        ),
        None => IdSet::query(
            conn,
            "SELECT summary_id FROM review_codes WHERE code >= ?1",
            &[Value::Text(prefix.to_string())],
        ),
    }
}

/// The summaries whose transcript holds every one of `terms` (quoted phrases). FTS5 ignores a phrase with no
/// token in an AND, where the word alone matches nothing; so when any word on its own matches nothing, the
/// answer is nothing, as a word-by-word intersection would say.
fn transcript_matches(conn: &Connection, terms: &[String]) -> StoreResult<IdSet> {
    if terms.len() > 1 {
        let mut probe =
            conn.prepare_cached("SELECT 1 FROM review_transcripts WHERE review_transcripts MATCH ?1 LIMIT 1")?;
        for term in terms {
            if !probe.exists([term])? {
                return Ok(IdSet::default());
            }
        }
    }
    IdSet::query(
        conn,
        "SELECT rowid FROM review_transcripts WHERE review_transcripts MATCH ?1",
        &[Value::Text(terms.join(" "))],
    )
}

/// The officer id a filter names, or `None` when it names nobody.
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

/// The id of the user called `username`, if any.
fn resolve_user(conn: &Connection, username: &str) -> StoreResult<Option<String>> {
    let mut statement = conn.prepare_cached("SELECT id FROM users WHERE username = ?1")?;
    let mut rows = statement.query([username])?;
    Ok(match rows.next()? {
        Some(row) => Some(row.get(0)?),
        None => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fts_terms_quote_every_word() {
        assert_eq!(fts_terms("inconel \"tube\" OR x*"), ["\"inconel\"", "\"tube\"", "\"OR\"", "\"x\""]);
        assert!(fts_terms(" -- ").is_empty());
    }

    #[test]
    fn prefix_successor_bounds_exactly_the_strings_with_the_prefix() {
        assert_eq!(prefix_successor("2B").as_deref(), Some("2C"));
        assert_eq!(prefix_successor("5A002.").as_deref(), Some("5A002/"));
        assert_eq!(prefix_successor(""), None);
        assert_eq!(prefix_successor("A\u{10FFFF}").as_deref(), Some("B"));
        assert_eq!(prefix_successor("\u{D7FF}").as_deref(), Some("\u{E000}"));
        let end = prefix_successor("2B").unwrap();
        for code in ["2B", "2B001", "2B\u{10FFFF}x"] {
            assert!("2B" <= code && code < end.as_str(), "{code}");
        }
        for code in ["2A999", "2C", "2", "3B"] {
            assert!(!("2B" <= code && code < end.as_str()), "{code}");
        }
    }

    #[test]
    fn id_sets_intersect() {
        let mut a = IdSet::default();
        let mut b = IdSet::default();
        for id in [1, 64, 65, 200, 200] {
            a.insert(id);
        }
        for id in [64, 200, 300] {
            b.insert(id);
        }
        assert_eq!(a.len(), 4);
        a.intersect(&b);
        assert_eq!(a.ids().collect::<Vec<_>>(), [64, 200]);
        assert_eq!((a.len(), a.json()), (2, "[64,200]".to_string()));
        assert!(a.contains(64) && !a.contains(1) && !a.contains(300) && !a.contains(-1));
    }
}
