//! Text analysis shared by indexing, querying and highlighting: one function turns text into terms.
//!
//! Steps per word: lowercase, fold to ASCII (diacritics, ligatures), fold UK spellings to US,
//! number words to digits, drop stopwords, English (Snowball) stemming unless the word holds a digit.
//! Because the same function runs on both sides, every fold only has to be consistent, not perfect.

use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};

mod words;

pub use words::{WordStartFilter, Words, words};

/// One analysed word: its term and where it came from in the original text (byte offsets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalysedToken {
    /// The indexed term (folded and stemmed).
    pub term: String,
    /// The folded word before stemming (used for prefix matching while typing).
    pub folded: String,
    pub start: usize,
    pub end: usize,
}

impl AnalysedToken {
    /// True when the word holds a digit: such words are never stemmed nor fuzzy-matched.
    pub fn has_digit(&self) -> bool {
        self.folded.bytes().any(|b| b.is_ascii_digit())
    }
}

const STOPWORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "into", "is", "it", "its",
    "of", "on", "or", "that", "the", "their", "this", "to", "was", "were", "which", "with", "eg", "ie", "etc", "than",
    "any", "such", "these", "those",
];

const NUMBER_WORDS: &[(&str, &str)] = &[
    ("zero", "0"),
    ("one", "1"),
    ("two", "2"),
    ("three", "3"),
    ("four", "4"),
    ("five", "5"),
    ("six", "6"),
    ("seven", "7"),
    ("eight", "8"),
    ("nine", "9"),
    ("ten", "10"),
    ("eleven", "11"),
    ("twelve", "12"),
];

/// Whole-word UK → US spellings that no rule below covers.
const UK_WORDS: &[(&str, &str)] = &[
    ("aluminium", "aluminum"),
    ("caesium", "cesium"),
    ("grey", "gray"),
    ("tyre", "tire"),
    ("tyres", "tires"),
    ("programme", "program"),
    ("programmes", "programs"),
    ("licence", "license"),
    ("licences", "licenses"),
    ("defence", "defense"),
    ("offence", "offense"),
    ("jewellery", "jewelry"),
    ("plough", "plow"),
    ("draught", "draft"),
    ("storey", "story"),
    ("kerb", "curb"),
    ("cheque", "check"),
    ("artefact", "artifact"),
    ("manoeuvre", "maneuver"),
    ("manoeuvring", "maneuvering"),
    ("aeroplane", "airplane"),
    ("aeroplanes", "airplanes"),
    ("sceptic", "skeptic"),
    ("speciality", "specialty"),
    ("tonne", "ton"),
    ("tonnes", "tons"),
    ("axe", "ax"),
    ("gaol", "jail"),
];

/// UK word starts → US word starts (`sulphuric` → `sulfuric`, `moulded` → `molded`).
const UK_STARTS: &[(&str, &str)] = &[
    ("sulph", "sulf"),
    ("mould", "mold"),
    ("smould", "smold"),
    ("haem", "hem"),
    ("anaem", "anem"),
    ("oestr", "estr"),
    ("paed", "ped"),
    ("armour", "armor"),
    ("colour", "color"),
    ("vapour", "vapor"),
    ("behaviour", "behavior"),
    ("harbour", "harbor"),
    ("favour", "favor"),
    ("honour", "honor"),
    ("labour", "labor"),
    ("humour", "humor"),
    ("odour", "odor"),
    ("flavour", "flavor"),
    ("neighbour", "neighbor"),
    ("rigour", "rigor"),
    ("tumour", "tumor"),
    ("vigour", "vigor"),
    ("endeavour", "endeavor"),
    ("fervour", "fervor"),
    ("modell", "model"),
    ("labell", "label"),
    ("travell", "travel"),
    ("cancell", "cancel"),
    ("fuell", "fuel"),
    ("signall", "signal"),
    ("levell", "level"),
    ("channell", "channel"),
    ("tunnell", "tunnel"),
    ("diall", "dial"),
    ("jewell", "jewel"),
];

fn stemmer() -> &'static Stemmer {
    static STEMMER: OnceLock<Stemmer> = OnceLock::new();
    STEMMER.get_or_init(|| Stemmer::create(Algorithm::English))
}

/// Folds one lowercase ASCII word from UK to US spelling; other words come back unchanged.
pub fn fold_spelling(word: &str) -> String {
    fold_spelling_owned(word.to_string())
}

/// [`fold_spelling`] of a word already owned: most words need no fold and come back without a copy.
fn fold_spelling_owned(word: String) -> String {
    if let Some((_, us)) = UK_WORDS.iter().find(|(uk, _)| *uk == word) {
        return (*us).to_string();
    }
    if let Some((uk, us)) = UK_STARTS.iter().find(|(uk, _)| word.starts_with(uk)) {
        return format!("{us}{}", &word[uk.len()..]);
    }
    // -isation, -iser, -ise(d|s), -ising → -iz…; -yse → -yze (analyse, catalyse).
    for (uk, us) in [
        ("isation", "ization"),
        ("isations", "izations"),
        ("iser", "izer"),
        ("isers", "izers"),
        ("ised", "ized"),
        ("ises", "izes"),
        ("ising", "izing"),
        ("ise", "ize"),
        ("yse", "yze"),
        ("ysed", "yzed"),
        ("yser", "yzer"),
        ("ysing", "yzing"),
    ] {
        if word.len() >= uk.len() + 3 && word.ends_with(uk) {
            return format!("{}{us}", &word[..word.len() - uk.len()]);
        }
    }
    // -tre/-bre → -ter/-ber (fibre, centre, metre, litre, calibre), plurals too.
    for (uk, us) in [("tre", "ter"), ("bre", "ber"), ("tres", "ters"), ("bres", "bers")] {
        if word.len() >= uk.len() + 2 && word.ends_with(uk) {
            return format!("{}{us}", &word[..word.len() - uk.len()]);
        }
    }
    // -ogue → -og (catalogue, analogue, dialogue).
    if word.len() >= 7 && word.ends_with("ogue") {
        let mut word = word;
        word.truncate(word.len() - 2);
        return word;
    }
    word
}

/// Lowercases and folds one raw word to ASCII.
fn fold_word(raw: &str) -> String {
    let ascii = if raw.is_ascii() {
        let mut lower = raw.to_ascii_lowercase();
        lower.retain(|c| c.is_ascii_alphanumeric());
        lower
    } else {
        deunicode::deunicode(&raw.to_lowercase()).to_lowercase().chars().filter(char::is_ascii_alphanumeric).collect()
    };
    if let Some((_, digit)) = NUMBER_WORDS.iter().find(|(word, _)| *word == ascii) {
        return (*digit).to_string();
    }
    fold_spelling_owned(ascii)
}

/// Stems a folded word unless it holds a digit.
pub fn stem(folded: &str) -> String {
    if folded.bytes().any(|b| b.is_ascii_digit()) || folded.len() < 3 {
        folded.to_string()
    } else {
        stemmer().stem(folded).into_owned()
    }
}

/// True for words too common to help a search.
pub fn is_stopword(folded: &str) -> bool {
    STOPWORDS.contains(&folded)
}

/// At most how many letters of a term stemming wrote: English (Porter 2) stemming keeps a start of the folded
/// word and replaces the rest with at most four letters (`-ization` → `-ize`, `-enci` → `-ence`, `dying` → `die`), so
/// a folded word can stem to a term only if it starts with the term less its last four letters. Highlighting uses
/// this to stem only the words that can match.
pub const STEM_TAIL: usize = 4;

/// The folded form of one raw word, the input of [`stem`], or `None` for a stopword.
pub fn fold(raw: &str) -> Option<String> {
    let folded = fold_word(raw);
    (!folded.is_empty() && !is_stopword(&folded)).then_some(folded)
}

/// Analyses one raw word at `start`, or `None` for a stopword.
fn analyse_word(start: usize, raw: &str) -> Option<AnalysedToken> {
    let folded = fold(raw)?;
    Some(AnalysedToken { term: stem(&folded), folded, start, end: start + raw.len() })
}

/// Analyses only the words that pass `filter` (the others cannot match), keeping offsets.
pub fn analyse_filtered(text: &str, filter: &WordStartFilter) -> Vec<AnalysedToken> {
    words(text).filter(|(_, raw)| filter.may_match(raw)).filter_map(|(start, raw)| analyse_word(start, raw)).collect()
}

/// Analyses text into terms, stopwords dropped.
pub fn analyse(text: &str) -> Vec<AnalysedToken> {
    words(text).filter_map(|(start, raw)| analyse_word(start, raw)).collect()
}

/// The analyser as a tantivy tokenizer, registered under [`TOKENIZER_NAME`].
#[derive(Debug, Clone, Default)]
pub struct CatalogueTokenizer;

/// Name under which [`CatalogueTokenizer`] is registered in the index.
pub const TOKENIZER_NAME: &str = "catalogue_en";

/// A token stream over analysed tokens.
#[derive(Debug)]
pub struct AnalysedTokenStream {
    tokens: Vec<tantivy::tokenizer::Token>,
    next: usize,
}

impl tantivy::tokenizer::Tokenizer for CatalogueTokenizer {
    type TokenStream<'a> = AnalysedTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> AnalysedTokenStream {
        let tokens = analyse(text)
            .into_iter()
            .enumerate()
            .map(|(position, token)| tantivy::tokenizer::Token {
                offset_from: token.start,
                offset_to: token.end,
                position,
                text: token.term,
                position_length: 1,
            })
            .collect();
        AnalysedTokenStream { tokens, next: 0 }
    }
}

impl tantivy::tokenizer::TokenStream for AnalysedTokenStream {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &tantivy::tokenizer::Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut tantivy::tokenizer::Token {
        &mut self.tokens[self.next - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<String> {
        analyse(text).into_iter().map(|t| t.term).collect()
    }

    #[test]
    fn uk_and_us_spellings_meet() {
        assert_eq!(terms("carbon fibre"), terms("carbon fiber"));
        assert_eq!(terms("aluminium alloy"), terms("aluminum alloy"));
        assert_eq!(terms("armour plate"), terms("armor plate"));
        assert_eq!(terms("machining centre"), terms("machining center"));
        assert_eq!(terms("sulphuric acid"), terms("sulfuric acid"));
        assert_eq!(terms("vaporisation"), terms("vaporization"));
        assert_eq!(terms("analyser"), terms("analyzer"));
        assert_eq!(terms("catalogue"), terms("catalog"));
        assert_eq!(terms("moulded"), terms("molded"));
    }

    #[test]
    fn case_diacritics_and_number_words_fold() {
        assert_eq!(terms("Five-Axis"), terms("5 axis"));
        assert_eq!(terms("Zürich"), terms("zurich"));
        assert_eq!(terms("LATHES"), terms("lathe"));
    }

    #[test]
    fn stopwords_drop_and_codes_survive_unstemmed() {
        assert_eq!(terms("the 2B001 machines"), vec!["2b001".to_string(), "machin".into()]);
        assert!(terms("of the and").is_empty());
    }

    #[test]
    fn the_start_filter_keeps_every_word_that_can_match() {
        let text = "Five-axis aluminium centres, grey Armour and tyres; zero other words here";
        let wanted: Vec<String> = terms("5 aluminum center gray armor tire 0");
        let filter = WordStartFilter::new(&wanted);
        let filtered: Vec<String> =
            analyse_filtered(text, &filter).into_iter().map(|t| t.term).filter(|t| wanted.contains(t)).collect();
        let full: Vec<String> = terms(text).into_iter().filter(|t| wanted.contains(t)).collect();
        assert_eq!(filtered, full);
        assert!(!filter.may_match("other"));
    }

    #[test]
    fn stemming_keeps_a_start_of_the_word() {
        let tricky = "skies dying lying tying idly gently ugly early only singly news generalization organisations \
            relational conditional valency hopefully happiness luxuriated centres analysed fibres catalogues sulphuric \
            armoured manoeuvring aeroplanes hopping filing controlling abilities sensibility electricity";
        let cards: Vec<String> =
            crate::starter_entries().unwrap().iter().map(|e| format!("{} {}", e.title, e.body_text())).collect();
        for text in std::iter::once(tricky).chain(cards.iter().map(String::as_str)) {
            for (_, raw) in words(text) {
                let Some(folded) = fold(raw) else { continue };
                let term = stem(&folded);
                let kept = &term[..term.len().saturating_sub(STEM_TAIL)];
                assert!(folded.starts_with(kept), "{raw}: {folded} → {term}");
            }
        }
    }

    #[test]
    fn ascii_and_unicode_text_split_alike() {
        let ascii: Vec<_> = words("  5-axis, CNC (2B001.b)  ").collect();
        assert_eq!(ascii, vec![(2, "5"), (4, "axis"), (10, "CNC"), (15, "2B001"), (21, "b")]);
        let unicode: Vec<_> = words("5-axis, Zürich").collect();
        assert_eq!(unicode, vec![(0, "5"), (2, "axis"), (8, "Zürich")]);
        let mut split = words("Zürich abc «éa» x—y");
        let flags: Vec<_> = std::iter::from_fn(|| split.next_word()).map(|(_, word, ascii)| (word, ascii)).collect();
        assert_eq!(flags, vec![("Zürich", false), ("abc", true), ("éa", false), ("x", true), ("y", true)]);
    }

    #[test]
    fn offsets_point_into_the_original_text() {
        let text = "Wärme-Bildkamera, fibre";
        let tokens = analyse(text);
        assert_eq!(&text[tokens[0].start..tokens[0].end], "Wärme");
        assert_eq!(&text[tokens[2].start..tokens[2].end], "fibre");
        assert_eq!(tokens[2].folded, "fiber");
    }
}
