//! Query analysis: what an officer typed becomes codes, words, and for each word the alternatives it may mean.

use std::collections::BTreeSet;

use tantivy::Searcher;

use super::expand::{allowed_distance, completions, typo_corrections};
use crate::Result;
use crate::analysis::{AnalysedToken, analyse};
use crate::codes::{CodeToken, classify};
use crate::schema::CatalogueFields;
use crate::synonyms::rules_at;

/// Weight of a word as typed.
pub const EXACT_WEIGHT: f32 = 1.0;
/// Weight of a synonym from the table.
pub const SYNONYM_WEIGHT: f32 = 0.8;
/// Weight of an as-you-type completion of the last word.
pub const COMPLETION_WEIGHT: f32 = 0.7;
/// Weight of a typo correction at distance 1 and 2.
pub const TYPO_WEIGHTS: [f32; 2] = [0.55, 0.3];

/// Words that announce a code and carry no meaning of their own (`ECCN 2B001`, `HS 8458.11`).
const CODE_LABELS: &[&str] = &["eccn", "hs", "hts", "cn", "code", "heading", "tariff"];

/// One way of reading a query word: terms that must all match, with a weight.
#[derive(Debug, Clone, PartialEq)]
pub struct Alternative {
    pub terms: Vec<String>,
    pub weight: f32,
    pub why: AlternativeKind,
}

/// Where an alternative came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlternativeKind {
    Exact,
    Synonym,
    Completion,
    Typo(u8),
}

/// One query word and all its readings; the best-scoring reading counts.
#[derive(Debug, Clone, PartialEq)]
pub struct WordGroup {
    pub word: String,
    pub alternatives: Vec<Alternative>,
}

/// A whole query, analysed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryPlan {
    pub codes: Vec<CodeToken>,
    pub words: Vec<WordGroup>,
}

impl QueryPlan {
    /// Every term a hit may be highlighted for.
    pub fn highlight_terms(&self) -> BTreeSet<String> {
        self.words
            .iter()
            .flat_map(|group| group.alternatives.iter())
            .flat_map(|alt| alt.terms.iter().cloned())
            .collect()
    }

    /// True when there is nothing to search for.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty() && self.words.is_empty()
    }
}

fn trim_punctuation(piece: &str) -> &str {
    piece.trim_matches(|c: char| !c.is_alphanumeric())
}

/// Splits a raw query into code tokens and analysed words.
pub fn split_query(query: &str) -> (Vec<CodeToken>, Vec<AnalysedToken>) {
    let pieces: Vec<&str> = query.split_whitespace().map(trim_punctuation).filter(|p| !p.is_empty()).collect();
    let mut codes = Vec::new();
    let mut words = Vec::new();
    for (index, piece) in pieces.iter().enumerate() {
        let lower = piece.to_ascii_lowercase();
        let next_is_code = pieces.get(index + 1).and_then(|p| classify(p)).is_some();
        if CODE_LABELS.contains(&lower.as_str()) && next_is_code {
            continue;
        }
        match classify(piece) {
            Some(code @ CodeToken::Eccn(_)) => codes.push(code),
            Some(CodeToken::Hs(digits)) if digits.len() == 2 && pieces.len() > 1 => {
                // A bare two-digit number among words is a quantity ("10 kw laser"), not an HS chapter.
                words.extend(analyse(piece));
            }
            Some(code @ CodeToken::Hs(_)) => codes.push(code),
            Some(code @ CodeToken::EccnPrefix(_)) => {
                codes.push(code);
                words.extend(analyse(piece));
            }
            None => words.extend(analyse(piece)),
        }
    }
    (codes, words)
}

/// Analyses a query against the index: which words are typos, which is being typed, which have synonyms.
pub fn plan_query(searcher: &Searcher, fields: &CatalogueFields, query: &str) -> Result<QueryPlan> {
    let (codes, tokens) = split_query(query);
    let typing_last_word = !query.ends_with(char::is_whitespace);
    let text_fields = [fields.title, fields.names, fields.body];
    let terms: Vec<String> = tokens.iter().map(|t| t.term.clone()).collect();
    let mut words = Vec::with_capacity(tokens.len());
    for (position, token) in tokens.iter().enumerate() {
        let mut alternatives =
            vec![Alternative { terms: vec![token.term.clone()], weight: EXACT_WEIGHT, why: AlternativeKind::Exact }];
        for rule in rules_at(&terms, position) {
            for terms in &rule.alternatives {
                alternatives.push(Alternative {
                    terms: terms.clone(),
                    weight: SYNONYM_WEIGHT,
                    why: AlternativeKind::Synonym,
                });
            }
        }
        if let Some(next) = tokens.get(position + 1) {
            // Words split apart on paper ("triethanol amine") also search as one word, when the index knows it.
            if !token.has_digit() && !next.has_digit() {
                let joined = crate::analysis::stem(&format!("{}{}", token.folded, next.folded));
                if is_known(searcher, fields, &joined)? {
                    alternatives.push(Alternative {
                        terms: vec![joined],
                        weight: SYNONYM_WEIGHT,
                        why: AlternativeKind::Synonym,
                    });
                }
            }
        }
        let is_last = position + 1 == tokens.len();
        let mut completed = false;
        if is_last && typing_last_word && !token.has_digit() && token.folded.len() >= 3 {
            for expansion in completions(searcher, &text_fields, &token.folded, 8)? {
                if expansion.term != token.term {
                    completed = true;
                    alternatives.push(Alternative {
                        terms: vec![expansion.term],
                        weight: COMPLETION_WEIGHT,
                        why: AlternativeKind::Completion,
                    });
                }
            }
        }
        let distance = allowed_distance(&token.term);
        if !completed && !token.has_digit() && distance > 0 && !is_known(searcher, fields, &token.term)? {
            // Distance 1 first: most typos are one edit, and the distance-2 automaton costs far more to build.
            let mut corrections = typo_corrections(searcher, &text_fields, &token.term, 1, 4)?;
            if corrections.is_empty() && distance > 1 {
                corrections = typo_corrections(searcher, &text_fields, &token.term, distance, 4)?;
            }
            for expansion in corrections {
                let weight = TYPO_WEIGHTS[usize::from(expansion.distance.clamp(1, 2)) - 1];
                alternatives.push(Alternative {
                    terms: vec![expansion.term],
                    weight,
                    why: AlternativeKind::Typo(expansion.distance),
                });
            }
        }
        words.push(WordGroup { word: token.folded.clone(), alternatives });
    }
    Ok(QueryPlan { codes, words })
}

/// True when some text field holds the term.
fn is_known(searcher: &Searcher, fields: &CatalogueFields, term: &str) -> Result<bool> {
    for field in [fields.title, fields.names, fields.body] {
        if searcher.doc_freq(&tantivy::Term::from_field_text(field, term))? > 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(query: &str) -> Vec<CodeToken> {
        split_query(query).0
    }

    fn words(query: &str) -> Vec<String> {
        split_query(query).1.into_iter().map(|t| t.term).collect()
    }

    #[test]
    fn code_labels_are_dropped_before_codes() {
        assert_eq!(codes("ECCN 2B001"), vec![CodeToken::Eccn("2b001".into())]);
        assert!(words("ECCN 2B001").is_empty());
        assert_eq!(codes("HS 8458.11"), vec![CodeToken::Hs("845811".into())]);
        assert!(words("hs 8458.11").is_empty());
    }

    #[test]
    fn codes_and_words_mix() {
        assert_eq!(codes("cnc lathe 8458.11"), vec![CodeToken::Hs("845811".into())]);
        assert_eq!(words("cnc lathe 8458.11"), vec!["cnc".to_string(), "lath".into()]);
        assert_eq!(codes("2B001.b.2"), vec![CodeToken::Eccn("2b001".into())]);
    }

    #[test]
    fn small_numbers_among_words_are_quantities() {
        assert!(codes("10 kw laser").is_empty());
        assert_eq!(codes("84"), vec![CodeToken::Hs("84".into())]);
    }

    #[test]
    fn a_code_label_alone_is_a_word() {
        assert_eq!(words("heading"), vec!["head".to_string()]);
    }
}
