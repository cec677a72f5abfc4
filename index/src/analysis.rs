//! Text analysis shared by indexing, querying and highlighting: one function turns text into terms.
//!
//! Steps per word: lowercase, fold to ASCII (diacritics, ligatures), fold UK spellings to US,
//! number words to digits, drop stopwords, English (Snowball) stemming unless the word holds a digit.
//! Because the same function runs on both sides, every fold only has to be consistent, not perfect.

use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};

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
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "into",
    "is", "it", "its", "of", "on", "or", "that", "the", "their", "this", "to", "was", "were",
    "which", "with", "eg", "ie", "etc", "than", "any", "such", "these", "those",
];

const NUMBER_WORDS: &[(&str, &str)] = &[
    ("zero", "0"), ("one", "1"), ("two", "2"), ("three", "3"), ("four", "4"), ("five", "5"),
    ("six", "6"), ("seven", "7"), ("eight", "8"), ("nine", "9"), ("ten", "10"),
    ("eleven", "11"), ("twelve", "12"),
];

/// Whole-word UK → US spellings that no rule below covers.
const UK_WORDS: &[(&str, &str)] = &[
    ("aluminium", "aluminum"), ("caesium", "cesium"), ("grey", "gray"), ("tyre", "tire"),
    ("tyres", "tires"), ("programme", "program"), ("programmes", "programs"),
    ("licence", "license"), ("licences", "licenses"), ("defence", "defense"),
    ("offence", "offense"), ("jewellery", "jewelry"), ("plough", "plow"), ("draught", "draft"),
    ("storey", "story"), ("kerb", "curb"), ("cheque", "check"), ("artefact", "artifact"),
    ("manoeuvre", "maneuver"), ("manoeuvring", "maneuvering"), ("aeroplane", "airplane"),
    ("aeroplanes", "airplanes"), ("sceptic", "skeptic"), ("speciality", "specialty"),
    ("tonne", "ton"), ("tonnes", "tons"), ("axe", "ax"), ("gaol", "jail"),
];

/// UK word starts → US word starts (`sulphuric` → `sulfuric`, `moulded` → `molded`).
const UK_STARTS: &[(&str, &str)] = &[
    ("sulph", "sulf"), ("mould", "mold"), ("smould", "smold"), ("haem", "hem"), ("anaem", "anem"),
    ("oestr", "estr"), ("paed", "ped"), ("armour", "armor"), ("colour", "color"),
    ("vapour", "vapor"), ("behaviour", "behavior"), ("harbour", "harbor"), ("favour", "favor"),
    ("honour", "honor"), ("labour", "labor"), ("humour", "humor"), ("odour", "odor"),
    ("flavour", "flavor"), ("neighbour", "neighbor"), ("rigour", "rigor"), ("tumour", "tumor"),
    ("vigour", "vigor"), ("endeavour", "endeavor"), ("fervour", "fervor"), ("modell", "model"),
    ("labell", "label"), ("travell", "travel"), ("cancell", "cancel"), ("fuell", "fuel"),
    ("signall", "signal"), ("levell", "level"), ("channell", "channel"), ("tunnell", "tunnel"),
    ("diall", "dial"), ("jewell", "jewel"),
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
    for (uk, us) in [("isation", "ization"), ("isations", "izations"), ("iser", "izer"),
        ("isers", "izers"), ("ised", "ized"), ("ises", "izes"), ("ising", "izing"),
        ("ise", "ize"), ("yse", "yze"), ("ysed", "yzed"), ("yser", "yzer"), ("ysing", "yzing")]
    {
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

/// Splits text into raw words: runs of letters and digits, with byte offsets.
pub fn words(text: &str) -> Words<'_> {
    Words { text, at: 0 }
}

/// The iterator of [`words`]: ASCII bytes are classified by a table, other characters decoded one at a time.
#[derive(Debug, Clone)]
pub struct Words<'a> {
    text: &'a str,
    at: usize,
}

/// Byte classes for splitting: ASCII separators, ASCII letters and digits, and bytes of other characters.
const SEPARATOR: u8 = 0;
const ASCII_WORD: u8 = 1;
const NON_ASCII: u8 = 2;
static BYTE_CLASS: [u8; 256] = {
    let mut table = [NON_ASCII; 256];
    let mut byte = 0;
    while byte < 128 {
        table[byte] = if (byte as u8).is_ascii_alphanumeric() { ASCII_WORD } else { SEPARATOR };
        byte += 1;
    }
    table
};

/// The character starting at byte `at` of `text` (a character boundary, not ASCII): whether it is a letter or
/// digit, and its length in bytes.
#[cold]
fn decode_at(text: &str, at: usize) -> (bool, usize) {
    match text[at..].chars().next() {
        Some(ch) => (ch.is_alphanumeric(), ch.len_utf8()),
        None => (false, 1),
    }
}

impl<'a> Words<'a> {
    /// The next word, its offset, and whether it is all ASCII (known from the split, without another pass).
    #[inline]
    pub fn next_word(&mut self) -> Option<(usize, &'a str, bool)> {
        let text = self.text;
        let bytes = text.as_bytes();
        let mut at = self.at;
        let start = loop {
            // Runs of ASCII separators, then one character that is not one.
            at += bytes[at..].iter().position(|&b| BYTE_CLASS[usize::from(b)] != SEPARATOR).unwrap_or(bytes.len() - at);
            let Some(&byte) = bytes.get(at) else {
                self.at = at;
                return None;
            };
            if byte < 0x80 {
                break at;
            }
            match decode_at(text, at) {
                (true, _) => break at,
                (false, n) => at += n,
            }
        };
        let mut ascii = true;
        loop {
            at += bytes[at..].iter().position(|&b| BYTE_CLASS[usize::from(b)] != ASCII_WORD).unwrap_or(bytes.len() - at);
            match bytes.get(at) {
                Some(&byte) if byte >= 0x80 => match decode_at(text, at) {
                    (true, n) => {
                        ascii = false;
                        at += n;
                    }
                    (false, _) => break,
                },
                _ => break,
            }
        }
        self.at = at;
        Some((start, &text[start..at], ascii))
    }
}

impl<'a> Iterator for Words<'a> {
    type Item = (usize, &'a str);

    #[inline]
    fn next(&mut self) -> Option<(usize, &'a str)> {
        self.next_word().map(|(start, word, _)| (start, word))
    }
}

/// A cheap pre-filter for highlighting: the first (up to) three letters a word must start with, lowercased and
/// before folding, to possibly analyse to one of the terms. Words that fail it need no folding or stemming.
/// Stems keep the first three letters of their word; the folds that change a word's start are allowed for.
#[derive(Debug, Clone, Default)]
pub struct WordStartFilter {
    /// The allowed starts packed by [`start_key`], in an open-addressing table (0 marks a free slot; no key is 0).
    slots: Vec<u32>,
}

/// The first (up to) three bytes of an ASCII word, lowercased, and how many they are, packed in one number.
#[inline]
fn start_key(word: &[u8]) -> u32 {
    let n = word.len().min(3);
    let mut key = (n as u32) << 24;
    for (shift, byte) in word[..n].iter().enumerate() {
        key |= u32::from(byte.to_ascii_lowercase()) << (8 * shift);
    }
    key
}

impl WordStartFilter {
    /// The filter for a set of analysed terms.
    pub fn new<'a>(terms: impl IntoIterator<Item = &'a String>) -> WordStartFilter {
        let mut starts: Vec<u32> = terms.into_iter().filter(|t| t.is_ascii()).map(|t| start_key(t.as_bytes())).collect();
        let folds = NUMBER_WORDS.iter().chain(UK_WORDS.iter()).chain(UK_STARTS.iter());
        let mut extra = Vec::new();
        for (from, to) in folds {
            if starts.contains(&start_key(to.as_bytes())) {
                extra.push(start_key(from.as_bytes()));
            }
        }
        starts.extend(extra);
        starts.sort_unstable();
        starts.dedup();
        let mut filter = WordStartFilter { slots: vec![0; (starts.len() * 4).next_power_of_two().max(16)] };
        for key in starts {
            let mut slot = filter.slot_of(key);
            while filter.slots[slot] != 0 {
                slot = (slot + 1) & (filter.slots.len() - 1);
            }
            filter.slots[slot] = key;
        }
        filter
    }

    #[inline]
    fn slot_of(&self, key: u32) -> usize {
        (key.wrapping_mul(0x9e37_79b1) >> 16) as usize & (self.slots.len() - 1)
    }

    /// False when `raw` (a word as written) cannot analyse to any of the terms.
    #[inline]
    pub fn may_match(&self, raw: &str) -> bool {
        self.may_match_word(raw, raw.is_ascii())
    }

    /// [`WordStartFilter::may_match`] for a word known to be all ASCII or not, as [`Words::next_word`] tells.
    #[inline]
    pub fn may_match_word(&self, raw: &str, is_ascii: bool) -> bool {
        if !is_ascii {
            return true;
        }
        if self.slots.is_empty() {
            return false;
        }
        let key = start_key(raw.as_bytes());
        let mut slot = self.slot_of(key);
        loop {
            match self.slots[slot] {
                0 => return false,
                found if found == key => return true,
                _ => slot = (slot + 1) & (self.slots.len() - 1),
            }
        }
    }
}

/// Analyses one raw word at `start`, or `None` for a stopword.
fn analyse_word(start: usize, raw: &str) -> Option<AnalysedToken> {
    let folded = fold_word(raw);
    if folded.is_empty() || is_stopword(&folded) {
        return None;
    }
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
