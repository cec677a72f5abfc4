//! `hs-csv`: Harmonized System nomenclature CSV with columns `section,hscode,description,parent,level`.

use std::collections::HashMap;
use std::path::Path;

use super::{ImportFormat, source_label};
use crate::codes::{hs_display, hs_id};
use crate::{Entry, Error, Kind, Result};

const COLUMNS: [&str; 5] = ["section", "hscode", "description", "parent", "level"];

/// Imports every heading of an HS CSV file, or none.
pub fn import_hs_csv(path: &Path) -> Result<Vec<Entry>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(path)
        .map_err(|e| Error::BadFile { path: path.into(), problem: e.to_string() })?;
    let headers = reader
        .headers()
        .map_err(|e| Error::BadFile { path: path.into(), problem: format!("unreadable header: {e}") })?
        .clone();
    let found: Vec<&str> = headers.iter().map(str::trim).collect();
    if found != COLUMNS {
        return Err(Error::BadFile {
            path: path.into(),
            problem: format!("columns are {found:?}, expected {COLUMNS:?}"),
        });
    }
    let source = source_label(ImportFormat::HsCsv, path);
    let mut entries: Vec<Entry> = Vec::new();
    let mut titles: HashMap<String, String> = HashMap::new();
    for (index, row) in reader.records().enumerate() {
        let line = index + 2;
        let bad = |problem: String| Error::BadRecord { path: path.into(), record: format!("line {line}"), problem };
        let row = row.map_err(|e| bad(e.to_string()))?;
        let field = |i: usize| row.get(i).unwrap_or("").trim();
        let (code, description, parent, level) = (field(1), field(2), field(3), field(4));
        if code == "TOTAL" {
            // The nomenclature's grand-total row is an aggregate, not a heading.
            continue;
        }
        if code.is_empty() || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(format!("hscode {code:?} is not digits")));
        }
        let level: usize = level.parse().map_err(|_| bad(format!("level {level:?} is not a number")))?;
        if !matches!(level, 2 | 4 | 6 | 8 | 10) || code.len() != level {
            return Err(bad(format!("hscode {code:?} does not have {level} digits as its level says")));
        }
        if description.is_empty() {
            return Err(bad(format!("hscode {code} has no description")));
        }
        let mut entry = Entry::new(hs_id(code), Kind::Hs, description);
        entry.code = Some(hs_display(code));
        entry.category = Some(code[..2].to_string());
        entry.hs = vec![hs_display(code)];
        if parent.bytes().all(|b| b.is_ascii_digit()) && !parent.is_empty() {
            entry.parent = Some(hs_id(parent));
            if let Some(parent_title) = titles.get(parent) {
                entry.summary = parent_title.clone();
            }
        }
        entry.source = source.clone();
        titles.insert(code.to_string(), description.to_string());
        entries.push(entry);
    }
    if entries.is_empty() {
        return Err(Error::BadFile { path: path.into(), problem: "no rows".into() });
    }
    Ok(entries)
}
