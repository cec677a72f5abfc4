//! `catalogue-jsonl`: the project's own format, one entry per line (docs/catalogue-format.md).

use std::path::Path;

use serde::Deserialize;

use super::{ImportFormat, read_file, source_label};
use crate::codes::{canonical_eccn, hs_digits, hs_display};
use crate::{Entry, Error, Kind, Result};

/// One line of a catalogue JSON Lines file. Unknown fields are refused so that typos surface.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueRecord {
    id: String,
    kind: String,
    title: String,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    names: Vec<String>,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    looks_like: String,
    #[serde(default)]
    uses: String,
    #[serde(default)]
    red_flags: Vec<String>,
    #[serde(default)]
    controls: Vec<String>,
    #[serde(default)]
    hs: Vec<String>,
    #[serde(default)]
    regimes: Vec<String>,
}

/// Imports a catalogue JSON Lines file, or nothing.
pub fn import_catalogue_jsonl(path: &Path) -> Result<Vec<Entry>> {
    let text = read_file(path)?;
    parse_catalogue_jsonl(&text, path, &source_label(ImportFormat::CatalogueJsonl, path))
}

/// Parses catalogue JSON Lines text; `path` only names the file in errors.
pub fn parse_catalogue_jsonl(text: &str, path: &Path, source: &str) -> Result<Vec<Entry>> {
    let mut entries = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let bad =
            |problem: String| Error::BadRecord { path: path.into(), record: format!("line {}", index + 1), problem };
        let record: CatalogueRecord = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
        let kind = Kind::parse(&record.kind)
            .ok_or_else(|| bad(format!("kind {:?} is not control, guide or hs", record.kind)))?;
        if record.id.trim().is_empty() || record.id.chars().any(|c| c.is_whitespace() || c == '/') {
            return Err(bad(format!("id {:?} must be non-empty, without spaces or '/'", record.id)));
        }
        if record.title.trim().is_empty() {
            return Err(bad(format!("entry {} has no title", record.id)));
        }
        let mut controls = Vec::new();
        for code in &record.controls {
            let eccn =
                canonical_eccn(code).ok_or_else(|| bad(format!("control {code:?} is not an ECCN like 2B001")))?;
            if !controls.contains(&eccn) {
                controls.push(eccn);
            }
        }
        let mut hs = Vec::new();
        for code in &record.hs {
            let digits = hs_digits(code)
                .filter(|d| d.len() % 2 == 0)
                .ok_or_else(|| bad(format!("hs {code:?} is not an HS code like 8458 or 8458.11")))?;
            let display = hs_display(&digits);
            if !hs.contains(&display) {
                hs.push(display);
            }
        }
        let mut entry = Entry::new(record.id.trim(), kind, record.title.trim());
        entry.code = record.code.filter(|c| !c.trim().is_empty());
        if kind == Kind::Control {
            let code = entry.code.clone().unwrap_or_else(|| entry.id.clone());
            let eccn =
                canonical_eccn(&code).ok_or_else(|| bad(format!("control entry code {code:?} is not an ECCN")))?;
            if !controls.contains(&eccn) {
                controls.insert(0, eccn.clone());
            }
            entry.code = Some(eccn);
        }
        entry.category =
            record.category.filter(|c| !c.trim().is_empty()).or_else(|| controls.first().map(|c| c[..1].to_string()));
        entry.names = record.names;
        entry.summary = record.summary;
        entry.looks_like = record.looks_like;
        entry.uses = record.uses;
        entry.red_flags = record.red_flags;
        entry.controls = controls;
        entry.hs = hs;
        entry.regimes = record.regimes;
        entry.source = source.to_string();
        entries.push(entry);
    }
    if entries.is_empty() {
        return Err(Error::BadFile { path: path.into(), problem: "no entries".into() });
    }
    Ok(entries)
}
