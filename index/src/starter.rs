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

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn the_starter_catalogue_covers_every_category_and_regime() {
        let cards = starter_entries().unwrap();
        assert!(cards.len() >= 200, "{} cards", cards.len());
        let categories: BTreeSet<&str> = cards.iter().filter_map(|c| c.category.as_deref()).collect();
        for digit in ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"] {
            assert!(categories.contains(digit), "no card in category {digit}");
        }
        let regimes: BTreeSet<&str> = cards.iter().flat_map(|c| c.regimes.iter().map(String::as_str)).collect();
        for regime in ["Wassenaar", "NSG", "MTCR", "Australia Group", "CWC"] {
            assert!(regimes.contains(regime), "no card for {regime}");
        }
        for card in &cards {
            assert!(!card.controls.is_empty() && !card.hs.is_empty(), "{} maps codes", card.id);
            assert!(card.names.len() >= 3 && card.red_flags.len() >= 2, "{} is complete", card.id);
            for text in [&card.summary, &card.looks_like, &card.uses] {
                assert!(text.len() >= 60, "{} has full descriptions", card.id);
            }
        }
    }
}
