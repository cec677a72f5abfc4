//! Reading a hit's stored record without its whole entry.
//!
//! Documents store, in this order, `id`, `hit` (the slim [`HitRecord`]) and `entry` (the whole entry, often
//! ten times larger). The doc store hands values over one by one, so a hit stops reading after the first two
//! and never copies the entry; an index with another order still works, through the whole document. The record is
//! then parsed in place: the texts only read for the snippet (names, body) borrow from the stored JSON.

use std::borrow::Cow;

use serde::Deserialize;
use tantivy::schema::document::{DeserializeError, DocumentDeserialize, DocumentDeserializer};
use tantivy::schema::{Field, Value};
use tantivy::{DocAddress, Searcher, TantivyDocument};

use crate::{Error, Kind, Result};

/// How many leading stored values hold the hit record in an index built by this crate.
const LEADING: usize = 2;

/// The first [`LEADING`] stored values of a document (all text in this schema), the rest left unread.
struct Leading(Vec<(Field, String)>);

impl DocumentDeserialize for Leading {
    fn deserialize<'de, D>(mut deserializer: D) -> std::result::Result<Self, DeserializeError>
    where
        D: DocumentDeserializer<'de>,
    {
        let mut values = Vec::with_capacity(LEADING);
        while values.len() < LEADING {
            match deserializer.next_field::<String>()? {
                Some(value) => values.push(value),
                None => break,
            }
        }
        Ok(Leading(values))
    }
}

/// The stored JSON of field `hit` of a document.
pub fn hit_json(searcher: &Searcher, hit: Field, address: DocAddress) -> Result<String> {
    if let Ok(Leading(values)) = searcher.doc::<Leading>(address)
        && let Some((_, json)) = values.into_iter().find(|(field, _)| *field == hit)
    {
        return Ok(json);
    }
    let doc: TantivyDocument = searcher.doc(address)?;
    doc.get_first(hit)
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .ok_or_else(|| Error::BadQuery("index document without its hit record".into()))
}

/// A [`crate::HitRecord`] as read back for a hit.
#[derive(Debug, Deserialize)]
pub struct StoredHit<'a> {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    pub code: Option<String>,
    pub controls: Vec<String>,
    pub hs: Vec<String>,
    #[serde(borrow)]
    pub names: Vec<Text<'a>>,
    #[serde(borrow)]
    pub body: Vec<Text<'a>>,
}

/// A stored text, borrowed from the JSON unless it holds escapes.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct Text<'a>(#[serde(borrow)] pub Cow<'a, str>);

impl AsRef<str> for Text<'_> {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Parses a hit record read by [`hit_json`] (`dir` names the index in errors).
pub fn parse_hit<'a>(json: &'a str, dir: &std::path::Path) -> Result<StoredHit<'a>> {
    serde_json::from_str(json)
        .map_err(|e| Error::BadBundle { path: dir.to_path_buf(), problem: format!("stored hit unreadable: {e}") })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Entry, HitRecord};

    #[test]
    fn a_stored_hit_reads_back_whole() {
        let mut entry = Entry::new("2B001", Kind::Control, "Machine \"tools\"");
        entry.code = Some("2B001".into());
        entry.controls = vec!["2B001".into()];
        entry.names = vec!["CNC".into(), "quote \" inside".into()];
        entry.summary = "Lathes\nand mills".into();
        let json = serde_json::to_string(&HitRecord::from_entry(&entry)).unwrap();
        let hit = parse_hit(&json, std::path::Path::new("x")).unwrap();
        assert_eq!((hit.id.as_str(), hit.kind, hit.title.as_str()), ("2B001", Kind::Control, "Machine \"tools\""));
        assert_eq!(hit.code.as_deref(), Some("2B001"));
        assert_eq!(hit.controls, ["2B001"]);
        let names: Vec<&str> = hit.names.iter().map(AsRef::as_ref).collect();
        assert_eq!(names, ["CNC", "quote \" inside"]);
        assert!(matches!(hit.names[0].0, Cow::Borrowed(_)));
        assert_eq!(hit.body[0].as_ref(), "Lathes\nand mills");
    }
}
