//! The built-in starter catalogue: identification cards written for this project, embedded in the binary.

use std::path::Path;

use crate::import::parse_catalogue_jsonl;
use crate::{Entry, Result};

/// The card files, by name, as compiled in.
const CARD_FILES: &[(&str, &str)] = &[
    ("cat-0-1-materials.jsonl", include_str!("../catalogue/starter/cat-0-1-materials.jsonl")),
    ("cat-1-chembio-2.jsonl", include_str!("../catalogue/starter/cat-1-chembio-2.jsonl")),
    ("cat-3-4-5.jsonl", include_str!("../catalogue/starter/cat-3-4-5.jsonl")),
    ("cat-6-7-8-9.jsonl", include_str!("../catalogue/starter/cat-6-7-8-9.jsonl")),
];

/// Every built-in identification card.
pub fn starter_entries() -> Result<Vec<Entry>> {
    let mut entries = Vec::new();
    for (name, text) in CARD_FILES.iter().filter(|(_, text)| !text.trim().is_empty()) {
        let path = Path::new("index/catalogue/starter").join(name);
        entries.extend(parse_catalogue_jsonl(text, &path, "builtin")?);
    }
    Ok(entries)
}
