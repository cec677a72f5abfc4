//! `ccl-json`: the US Commerce Control List as JSON (`entries[]` with `eccn`, `heading`, `items`, ...).

use std::path::Path;

use serde::Deserialize;

use super::{ImportFormat, read_file, source_label};
use crate::codes::canonical_eccn;
use crate::{Entry, Error, Kind, Paragraph, Result};

#[derive(Deserialize)]
struct CclFile {
    entries: Option<Vec<serde_json::Value>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CclEntry {
    eccn: String,
    category: Option<String>,
    heading: String,
    reason_for_control: Option<String>,
    related_controls: Option<String>,
    #[serde(default)]
    items: Vec<CclItem>,
}

#[derive(Deserialize)]
struct CclItem {
    paragraph: Option<String>,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    depth: u32,
    text: String,
}

/// Maps a reason-for-control code to the regime behind it.
fn regime_of(reason: &str) -> Option<&'static str> {
    match reason {
        "NS" => Some("Wassenaar"),
        "NP" => Some("NSG"),
        "MT" => Some("MTCR"),
        "CB" => Some("Australia Group"),
        "CW" => Some("CWC"),
        _ => None,
    }
}

/// Shortens the list's boilerplate ending of a heading (`as follows (see List of Items Controlled).`).
fn clean_heading(heading: &str) -> String {
    let mut title = heading.trim().to_string();
    for tail in ["(see List of Items Controlled).", "(see List of Items Controlled)"] {
        if let Some(stripped) = title.strip_suffix(tail) {
            title = stripped.trim_end().to_string();
        }
    }
    if let Some(stripped) = title.strip_suffix(", as follows") {
        title = stripped.to_string();
    } else if let Some(stripped) = title.strip_suffix(" as follows") {
        title = stripped.trim_end_matches(',').to_string();
    }
    title.trim_end_matches([';', ':']).trim().to_string()
}

/// Imports every entry of a CCL JSON file, or none.
pub fn import_ccl_json(path: &Path) -> Result<Vec<Entry>> {
    let text = read_file(path)?;
    let file: CclFile = serde_json::from_str(&text)
        .map_err(|e| Error::BadFile { path: path.into(), problem: format!("not CCL JSON: {e}") })?;
    let records =
        file.entries.ok_or_else(|| Error::BadFile { path: path.into(), problem: "no \"entries\" array".into() })?;
    if records.is_empty() {
        return Err(Error::BadFile { path: path.into(), problem: "\"entries\" is empty".into() });
    }
    let source = source_label(ImportFormat::CclJson, path);
    let mut entries = Vec::with_capacity(records.len());
    for (index, value) in records.into_iter().enumerate() {
        let eccn_hint = value.get("eccn").and_then(|v| v.as_str()).unwrap_or("?").to_string();
        let bad = |problem: String| Error::BadRecord {
            path: path.into(),
            record: format!("entry {} (eccn {eccn_hint})", index + 1),
            problem,
        };
        let record: CclEntry = serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
        let eccn = canonical_eccn(&record.eccn)
            .filter(|c| c.eq_ignore_ascii_case(record.eccn.trim()))
            .ok_or_else(|| bad(format!("{:?} is not an ECCN like 2B001", record.eccn)))?;
        if record.heading.trim().is_empty() {
            return Err(bad("empty heading".into()));
        }
        let mut entry = Entry::new(eccn.clone(), Kind::Control, clean_heading(&record.heading));
        entry.code = Some(eccn.clone());
        entry.category = Some(record.category.unwrap_or_else(|| eccn[..1].to_string()));
        entry.controls = vec![eccn.clone()];
        entry.summary = record.heading.trim().to_string();
        entry.reasons = record.reason_for_control.filter(|r| !r.trim().is_empty());
        if let Some(reasons) = &entry.reasons {
            for reason in reasons.split([',', ' ']).filter(|r| !r.is_empty()) {
                if let Some(regime) = regime_of(reason)
                    && !entry.regimes.iter().any(|r| r == regime)
                {
                    entry.regimes.push(regime.to_string());
                }
            }
        }
        entry.related = record.related_controls.filter(|r| !r.trim().is_empty());
        entry.paragraphs = record
            .items
            .into_iter()
            .filter(|item| !item.text.trim().is_empty() && item.text.trim() != "[Reserved]")
            .map(|item| Paragraph {
                label: item.paragraph.filter(|p| !p.is_empty()),
                kind: item.kind,
                depth: item.depth,
                text: item.text.trim().to_string(),
            })
            .collect();
        entry.source = source.clone();
        entries.push(entry);
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_lose_the_list_boilerplate() {
        assert_eq!(
            clean_heading("Machine tools for removing metals, as follows (see List of Items Controlled)."),
            "Machine tools for removing metals"
        );
        assert_eq!(clean_heading("Software."), "Software.");
    }
}
