//! Splitting text into words, and the start filter that lets highlighting skip most of them.
//!
//! Both run over every word of every hit's text, so they work on bytes: ASCII is classified by a table, other
//! characters are decoded one at a time.

use super::{NUMBER_WORDS, UK_STARTS, UK_WORDS};

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
            at +=
                bytes[at..].iter().position(|&b| BYTE_CLASS[usize::from(b)] != ASCII_WORD).unwrap_or(bytes.len() - at);
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
        let mut starts: Vec<u32> =
            terms.into_iter().filter(|t| t.is_ascii()).map(|t| start_key(t.as_bytes())).collect();
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
