//! Expanding a query word into the indexed terms it may mean: typo corrections and as-you-type completions.
//!
//! Expansions are read from the term dictionaries, so each one is a real term with a known document frequency;
//! they are scored as ordinary boosted term queries (weight by edit distance) and fed to highlighting.

use std::collections::HashMap;
use std::sync::OnceLock;

use levenshtein_automata::{Distance, LevenshteinAutomatonBuilder, DFA, SINK_STATE};
use tantivy::schema::Field;
use tantivy::Searcher;

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
    let dfa = automaton_builder(distance).build_dfa(term);
    let mut found: HashMap<String, Expansion> = HashMap::new();
    for segment in searcher.segment_readers() {
        for field in fields {
            let inverted = segment.inverted_index(*field)?;
            let mut stream = inverted.terms().search(DfaAutomaton(&dfa)).into_stream().map_err(tantivy::TantivyError::from)?;
            while stream.advance() {
                let Ok(key) = std::str::from_utf8(stream.key()) else { continue };
                if key == term {
                    continue;
                }
                let Distance::Exact(d) = dfa.eval(key.as_bytes()) else { continue };
                let doc_freq = u64::from(stream.value().doc_freq);
                found
                    .entry(key.to_string())
                    .and_modify(|e| e.doc_freq += doc_freq)
                    .or_insert(Expansion { term: key.to_string(), distance: d, doc_freq });
            }
        }
    }
    Ok(best(found, max))
}

/// Indexed terms that start with `prefix`, most frequent first.
pub fn completions(
    searcher: &Searcher,
    fields: &[Field],
    prefix: &str,
    max: usize,
) -> Result<Vec<Expansion>> {
    let mut upper = prefix.as_bytes().to_vec();
    match upper.last_mut() {
        Some(last) if *last < 0xff => *last += 1,
        _ => return Ok(Vec::new()),
    }
    let mut found: HashMap<String, Expansion> = HashMap::new();
    for segment in searcher.segment_readers() {
        for field in fields {
            let inverted = segment.inverted_index(*field)?;
            let mut stream = inverted.terms().range().ge(prefix).lt(&upper).into_stream().map_err(tantivy::TantivyError::from)?;
            let mut scanned = 0;
            while stream.advance() && scanned < 2_000 {
                scanned += 1;
                let Ok(key) = std::str::from_utf8(stream.key()) else { continue };
                let doc_freq = u64::from(stream.value().doc_freq);
                found
                    .entry(key.to_string())
                    .and_modify(|e| e.doc_freq += doc_freq)
                    .or_insert(Expansion { term: key.to_string(), distance: 0, doc_freq });
            }
        }
    }
    Ok(best(found, max))
}

fn best(found: HashMap<String, Expansion>, max: usize) -> Vec<Expansion> {
    let mut all: Vec<Expansion> = found.into_values().collect();
    all.sort_by(|a, b| {
        a.distance.cmp(&b.distance).then(b.doc_freq.cmp(&a.doc_freq)).then(a.term.cmp(&b.term))
    });
    all.truncate(max);
    all
}
