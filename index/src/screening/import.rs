//! `csl-json`: the Consolidated Screening List in the compact JSON of `../shared/data/csl/` (entries
//! with keys `n`, `a`, `s`, `c`, `e`, ... and lookup `tables`), read whole or not at all.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::Party;
use crate::{Error, Result};

#[derive(Deserialize)]
struct CslFile {
    entries: Option<Vec<serde_json::Value>>,
    #[serde(default)]
    tables: Option<Tables>,
    #[serde(default, rename = "listAuthority")]
    list_authority: Option<HashMap<String, Authority>>,
}

#[derive(Deserialize)]
struct Tables {
    #[serde(default)]
    sources: Vec<String>,
}

#[derive(Deserialize)]
struct Authority {
    code: Option<String>,
}

#[derive(Deserialize)]
struct CslEntry {
    n: String,
    #[serde(default)]
    a: Option<Vec<String>>,
    s: SourceRef,
    #[serde(default)]
    c: Option<Vec<String>>,
    #[serde(default)]
    e: Option<EntityNumber>,
    #[serde(default)]
    fr: Option<String>,
}

/// `s` is an index into `tables.sources` in the published file; a list name is accepted too so
/// that hand-made lists in the same format need no tables.
#[derive(Deserialize)]
#[serde(untagged)]
enum SourceRef {
    Index(u64),
    Name(String),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum EntityNumber {
    Text(String),
    Number(u64),
}

/// What an import produces: list names and parties with their names (listed name first).
pub(crate) struct Imported {
    pub lists: Vec<String>,
    pub parties: Vec<(Party, Vec<String>)>,
}

/// A short code for a list: the file's `listAuthority` code, else the parenthesised abbreviation
/// in its name (`Entity List (EL) - ...` → `EL`), else its position.
fn list_code(name: &str, authority: Option<&HashMap<String, Authority>>, position: usize) -> String {
    let code = authority.and_then(|a| a.get(name)).and_then(|a| a.code.as_deref()).map(str::trim);
    if let Some(code) = code.filter(|c| !c.is_empty()) {
        return code.to_string();
    }
    if let (Some(open), Some(close)) = (name.find('('), name.find(')')) {
        let inner = name[open + 1..close.max(open + 1)].trim();
        if !inner.is_empty() && inner.len() <= 12 && inner.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return inner.to_string();
        }
    }
    format!("LIST{}", position + 1)
}

/// Reads a CSL JSON file: every entry or, at the first bad one, an error naming the file, the
/// entry and the problem.
pub(crate) fn read_csl_json(path: &Path) -> Result<Imported> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let file: CslFile = serde_json::from_str(&text)
        .map_err(|e| Error::BadFile { path: path.into(), problem: format!("not screening-list JSON: {e}") })?;
    let records =
        file.entries.ok_or_else(|| Error::BadFile { path: path.into(), problem: "no \"entries\" array".into() })?;
    if records.is_empty() {
        return Err(Error::BadFile { path: path.into(), problem: "\"entries\" is empty".into() });
    }
    let mut lists: Vec<String> = file.tables.map(|t| t.sources).unwrap_or_default();
    let table_len = lists.len();
    if let Some(blank) = lists.iter().position(|l| l.trim().is_empty()) {
        return Err(Error::BadFile { path: path.into(), problem: format!("tables.sources[{blank}] is empty") });
    }
    let mut codes: Vec<String> =
        lists.iter().enumerate().map(|(i, l)| list_code(l, file.list_authority.as_ref(), i)).collect();

    let mut parties = Vec::with_capacity(records.len());
    let mut ids: HashSet<String> = HashSet::new();
    for (position, value) in records.into_iter().enumerate() {
        let name_hint = value.get("n").and_then(|v| v.as_str()).map(|n| format!(" ({n:?})")).unwrap_or_default();
        let bad = |problem: String| Error::BadRecord {
            path: path.into(),
            record: format!("entry {}{name_hint}", position + 1),
            problem,
        };
        let entry: CslEntry = serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
        let name = entry.n.trim().to_string();
        if name.is_empty() {
            return Err(bad("empty name \"n\"".into()));
        }
        if super::normalise::normalise(&name).exact.is_empty() {
            return Err(bad(format!("name {name:?} has no letters or digits to match on")));
        }
        let list = match entry.s {
            SourceRef::Index(i) => {
                if i as usize >= table_len {
                    return Err(bad(format!("source \"s\": {i} is not in tables.sources ({table_len} lists)")));
                }
                i as usize
            }
            SourceRef::Name(list_name) => {
                let list_name = list_name.trim().to_string();
                if list_name.is_empty() {
                    return Err(bad("empty source \"s\"".into()));
                }
                match lists.iter().position(|l| *l == list_name) {
                    Some(i) => i,
                    None => {
                        codes.push(list_code(&list_name, file.list_authority.as_ref(), lists.len()));
                        lists.push(list_name);
                        lists.len() - 1
                    }
                }
            }
        };
        let countries: Vec<String> = entry
            .c
            .unwrap_or_default()
            .iter()
            .map(|c| c.trim().to_ascii_uppercase())
            .filter(|c| !c.is_empty())
            .collect();
        let mut names = vec![name.clone()];
        // Blank aliases carry nothing to match; skipping them is not losing data.
        names.extend(entry.a.unwrap_or_default().into_iter().map(|a| a.trim().to_string()).filter(|a| !a.is_empty()));

        // The list's own number when it has one (OFAC's entity number), else a digest of what
        // identifies the entry, so ids stay the same when the same list is imported again.
        let number = match entry.e {
            Some(EntityNumber::Text(t)) if !t.trim().is_empty() => Some(t.trim().to_string()),
            Some(EntityNumber::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let base = match number {
            Some(number) => format!("{}-{number}", codes[list]),
            None => {
                let digest = Sha256::digest(
                    format!("{name}\n{}\n{}", countries.join(","), entry.fr.as_deref().unwrap_or("")).as_bytes(),
                );
                format!("{}-{}", codes[list], &hex::encode(digest)[..10])
            }
        };
        let mut id = base.clone();
        let mut n = 2;
        while ids.contains(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        ids.insert(id.clone());
        parties.push((Party { id, name, list: list as u32, countries }, names));
    }
    Ok(Imported { lists, parties })
}
