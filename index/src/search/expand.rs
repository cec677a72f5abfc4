//! Expanding a query word into the indexed terms it may mean: typo corrections and as-you-type completions.
//!
//! Expansions are read from the term dictionaries, so each one is a real term with a known document frequency;
//! they are scored as ordinary boosted term queries (weight by edit distance) and fed to highlighting.

use std::collections::HashMap;
use std::sync::OnceLock;

use levenshtein_automata::{DFA, Distance, LevenshteinAutomatonBuilder, SINK_STATE};
use tantivy::Searcher;
use tantivy::schema::Field;

use crate::Result;

/// A term of the index that a query word was expanded to.
#[derive(Debug, Clone, PartialEq)]
pub struct Expansion {
    pub term: String,
    /// Edit distance for typo corrections; 0 for completions.
    pub distance: u8,
    pub doc_freq: u64,
}

struct DfaAutomaton<'a>(&'a DFA);

impl tantivy_fst::Automaton for DfaAutomaton<'_> {
    type State = u32;

    fn start(&self) -> u32 {
        self.0.initial_state()
    }

    fn is_match(&self, state: &u32) -> bool {
        matches!(self.0.distance(*state), Distance::Exact(_))
    }

    fn can_match(&self, state: &u32) -> bool {
        *state != SINK_STATE
    }

    fn accept(&self, state: &u32, byte: u8) -> u32 {
        self.0.transition(*state, byte)
    }
}

fn automaton_builder(distance: u8) -> &'static LevenshteinAutomatonBuilder {
    static ONE: OnceLock<LevenshteinAutomatonBuilder> = OnceLock::new();
    static TWO: OnceLock<LevenshteinAutomatonBuilder> = OnceLock::new();
    match distance {
        1 => ONE.get_or_init(|| LevenshteinAutomatonBuilder::new(1, true)),
        _ => TWO.get_or_init(|| LevenshteinAutomatonBuilder::new(2, true)),
    }
}

/// The edit distance allowed for a word of this length: none below 4 letters, 1 up to 7, then 2.
pub fn allowed_distance(word: &str) -> u8 {
    match word.len() {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// Builds the distance-2 automaton once, so that the first query does not pay for it.
pub fn warm_up() {
    automaton_builder(1);
    automaton_builder(2);
}

/// Indexed terms within `distance` edits of `term` (transpositions count as one), closest and most frequent first.
pub fn typo_corrections(
    searcher: &Searcher,
    fields: &[Field],
    term: &str,
    distance: u8,
    max: usize,
) -> Result<Vec<Expansion>> {
    Ok(best(corrections(searcher, fields, term, distance, distance == 1)?, max))
}

/// All the indexed terms within `distance` edits of `term`; `split_first_letter` (for one edit) walks only the
/// part of the dictionary that starts with the term's first letter, and looks the other candidates up.
fn corrections(
    searcher: &Searcher,
    fields: &[Field],
    term: &str,
    distance: u8,
    split_first_letter: bool,
) -> Result<HashMap<String, Expansion>> {
    let dfa = automaton_builder(distance).build_dfa(term);
    let first_letter =
        (split_first_letter && distance == 1 && term.len() >= 2 && term.is_ascii()).then(|| first_letter_edits(term));
    let mut found: HashMap<String, Expansion> = HashMap::new();
    let mut record = |key: &str, distance: u8, doc_freq: u64| {
        found.entry(key.to_string()).and_modify(|e| e.doc_freq += doc_freq).or_insert(Expansion {
            term: key.to_string(),
            distance,
            doc_freq,
        });
    };
    for segment in searcher.segment_readers() {
        for field in fields {
            let inverted = segment.inverted_index(*field)?;
            let dictionary = inverted.terms();
            let mut search = dictionary.search(DfaAutomaton(&dfa));
            if let Some(edits) = &first_letter {
                // One edit: the terms that keep the first letter come from the automaton over that letter's part of
                // the dictionary, the others (the edit is on the first letter) are looked up one by one. Walking
                // the whole dictionary costs more: the stream decodes every child of every node it passes.
                let first = term.as_bytes()[0];
                search = search.ge([first]).lt([first + 1]);
                for candidate in edits {
                    if let Some(info) = dictionary.get(candidate).map_err(tantivy::TantivyError::from)? {
                        record(candidate, 1, u64::from(info.doc_freq));
                    }
                }
            }
            let mut stream = search.into_stream().map_err(tantivy::TantivyError::from)?;
            while stream.advance() {
                let Ok(key) = std::str::from_utf8(stream.key()) else { continue };
                if key == term {
                    continue;
                }
                let Distance::Exact(d) = dfa.eval(key.as_bytes()) else { continue };
                record(key, d, u64::from(stream.value().doc_freq));
            }
        }
    }
    Ok(found)
}

/// Every word one edit away from `term` (ASCII, two letters or more) whose first letter differs from its first
/// letter: substitution, insertion or deletion of the first letter, or swapping the first two; once each. Terms
/// hold only lowercase letters and digits.
fn first_letter_edits(term: &str) -> Vec<String> {
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let bytes = term.as_bytes();
    let (first, rest) = (bytes[0], &term[1..]);
    let mut edits = Vec::with_capacity(2 * ALPHABET.len() + 2);
    for &letter in ALPHABET.iter().filter(|&&letter| letter != first) {
        let letter = char::from(letter);
        edits.push(format!("{letter}{rest}"));
        edits.push(format!("{letter}{term}"));
    }
    if bytes[1] != first {
        edits.push(rest.to_string());
        edits.push(format!("{}{}{}", char::from(bytes[1]), char::from(first), &term[2..]));
    }
    edits.sort_unstable();
    edits.dedup();
    edits
}

/// Indexed terms that start with `prefix`, most frequent first.
pub fn completions(searcher: &Searcher, fields: &[Field], prefix: &str, max: usize) -> Result<Vec<Expansion>> {
    let mut upper = prefix.as_bytes().to_vec();
    match upper.last_mut() {
        Some(last) if *last < 0xff => *last += 1,
        _ => return Ok(Vec::new()),
    }
    let mut found: HashMap<String, Expansion> = HashMap::new();
    for segment in searcher.segment_readers() {
        for field in fields {
            let inverted = segment.inverted_index(*field)?;
            let mut stream =
                inverted.terms().range().ge(prefix).lt(&upper).into_stream().map_err(tantivy::TantivyError::from)?;
            let mut scanned = 0;
            while stream.advance() && scanned < 2_000 {
                scanned += 1;
                let Ok(key) = std::str::from_utf8(stream.key()) else { continue };
                let doc_freq = u64::from(stream.value().doc_freq);
                found.entry(key.to_string()).and_modify(|e| e.doc_freq += doc_freq).or_insert(Expansion {
                    term: key.to_string(),
                    distance: 0,
                    doc_freq,
                });
            }
        }
    }
    Ok(best(found, max))
}

fn best(found: HashMap<String, Expansion>, max: usize) -> Vec<Expansion> {
    let mut all: Vec<Expansion> = found.into_values().collect();
    all.sort_by(|a, b| a.distance.cmp(&b.distance).then(b.doc_freq.cmp(&a.doc_freq)).then(a.term.cmp(&b.term)));
    all.truncate(max);
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{CatalogueFields, build_schema};

    #[test]
    fn one_edit_corrections_are_those_of_the_whole_dictionary() {
        let schema = build_schema();
        let fields = CatalogueFields::from_schema(&schema).unwrap();
        let index = tantivy::Index::create_in_ram(schema);
        index.tokenizers().register(crate::analysis::TOKENIZER_NAME, crate::analysis::CatalogueTokenizer);
        let mut writer = index.writer_with_num_threads::<tantivy::TantivyDocument>(1, 15_000_000).unwrap();
        let words = [
            "beryllium",
            "krytron",
            "jammer",
            "steel",
            "seal",
            "steam",
            "teal",
            "tseal",
            "asteal",
            "xteal",
            "stela",
            "tsela",
            "a",
            "ab",
            "ba",
            "b",
            "aab",
            "bab",
            "hafnium",
            "motor",
            "meter",
            "mower",
            "mother",
            "7a",
        ];
        for (i, word) in words.iter().enumerate() {
            let mut doc = tantivy::TantivyDocument::default();
            doc.add_text([fields.title, fields.names, fields.body][i % 3], word);
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let text = [fields.title, fields.names, fields.body];
        let sorted = |found: HashMap<String, Expansion>| {
            let mut all: Vec<(String, u8, u64)> =
                found.into_values().map(|e| (e.term, e.distance, e.doc_freq)).collect();
            all.sort();
            all
        };
        for term in ["steal", "stea", "teal", "seal", "berylium", "kritron", "jamer", "ab", "ba", "aa", "moter", "7b"] {
            let split = sorted(corrections(&searcher, &text, term, 1, true).unwrap());
            let walked = sorted(corrections(&searcher, &text, term, 1, false).unwrap());
            assert_eq!(split, walked, "{term}");
        }
        assert_eq!(sorted(corrections(&searcher, &text, "steal", 1, true).unwrap()).len(), 8);
    }
}
