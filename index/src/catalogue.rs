//! A catalogue being assembled from sources: unique ids, cross-references between cards, controls and HS headings,
//! and the content version.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sha2::{Digest, Sha256};

use crate::codes::hs_digits;
use crate::{Entry, Error, Kind, Result};

/// Bumped whenever the index layout or analysis changes, so that the version changes with it.
pub const SCHEMA_VERSION: u32 = 2;

/// Entries from every source, by id.
#[derive(Debug, Default)]
pub struct Catalogue {
    entries: BTreeMap<String, Entry>,
}

impl Catalogue {
    /// An empty catalogue.
    pub fn new() -> Catalogue {
        Catalogue::default()
    }

    /// Adds entries; an id already present is an error naming both sources.
    pub fn add(&mut self, entries: Vec<Entry>) -> Result<()> {
        for entry in entries {
            if let Some(existing) = self.entries.get(&entry.id) {
                return Err(Error::DuplicateId {
                    id: entry.id.clone(),
                    first: existing.source.clone(),
                    second: entry.source.clone(),
                });
            }
            self.entries.insert(entry.id.clone(), entry);
        }
        Ok(())
    }

    /// A copy of another catalogue.
    pub fn clone_of(other: &Catalogue) -> Catalogue {
        Catalogue { entries: other.entries.clone() }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entry counts per kind.
    pub fn by_kind(&self) -> BTreeMap<String, usize> {
        let mut counts: BTreeMap<String, usize> = Kind::ALL.iter().map(|k| (k.as_str().to_string(), 0)).collect();
        for entry in self.entries.values() {
            *counts.entry(entry.kind.as_str().to_string()).or_default() += 1;
        }
        counts
    }

    /// Links cards to the controls and HS headings they name: a control entry learns the HS codes of the cards
    /// that cite it, an HS heading (and its parent heading) learns their control codes.
    pub fn link_cross_references(&mut self) {
        let mut hs_of_control: HashMap<String, BTreeSet<String>> = HashMap::new();
        let mut controls_of_hs: HashMap<String, BTreeSet<String>> = HashMap::new();
        for card in self.entries.values().filter(|e| e.kind == Kind::Guide) {
            for control in &card.controls {
                hs_of_control.entry(control.clone()).or_default().extend(card.hs.iter().cloned());
            }
            for hs in &card.hs {
                let Some(digits) = hs_digits(hs) else { continue };
                for id in [crate::codes::hs_id(&digits), crate::codes::hs_id(&digits[..4.min(digits.len())])] {
                    controls_of_hs.entry(id).or_default().extend(card.controls.iter().cloned());
                }
            }
        }
        for entry in self.entries.values_mut() {
            match entry.kind {
                Kind::Control => {
                    if let Some(hs) = hs_of_control.get(&entry.id) {
                        merge(&mut entry.hs, hs);
                    }
                }
                Kind::Hs => {
                    if let Some(controls) = controls_of_hs.get(&entry.id) {
                        merge(&mut entry.controls, controls);
                    }
                }
                Kind::Guide => {}
            }
        }
    }

    /// The content version: a hash of every entry and the schema version. Same sources, same version.
    pub fn version(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(format!("hotline-catalogue schema {SCHEMA_VERSION}\n"));
        for entry in self.entries.values() {
            hasher.update(serde_json::to_vec(entry).expect("entries serialise"));
            hasher.update(b"\n");
        }
        hex::encode(&hasher.finalize()[..10])
    }

    /// The entries, ordered by id.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values()
    }

    /// One entry by id.
    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.entries.get(id)
    }
}

fn merge(into: &mut Vec<String>, more: &BTreeSet<String>) {
    for code in more {
        if !into.contains(code) {
            into.push(code.clone());
        }
    }
}
