//! The name index: every listed name and alias taken apart once at import, word weights by rarity,
//! and postings (trigrams of the compacted name, hashes of exact and reordered forms) that pick
//! candidates for a query without looking at all 57,000 names.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::normalise::{NormalisedName, core_hash, normalise, stable_hash};

/// Characters of a compacted name map to 1..=36 (`a`–`z`, `0`–`9`); 0 pads both ends so short
/// names ("DJI", "AL") still have trigrams and a name's first and last letters weigh in.
const TRIGRAM_BASE: u32 = 37;
/// Number of possible trigram codes: postings offsets are a dense table over all of them.
pub(crate) const TRIGRAM_SPACE: usize = (TRIGRAM_BASE * TRIGRAM_BASE * TRIGRAM_BASE) as usize;
/// Names whose compacted form has at most this many letters are also kept in a table by length:
/// a typo in a 5-letter name destroys most of its trigrams, so short queries are compared with
/// short names directly (a few thousand cheap comparisons).
pub(crate) const SHORT_NAME: usize = 7;

/// Many strings in one allocation: loading 100,000 names as one buffer and an offsets table takes
/// a memcpy, as separate `String`s it takes 100,000 allocations.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Strings {
    pub text: String,
    /// End of string `i` in `text`; string `i` starts where `i - 1` ended.
    pub ends: Vec<u32>,
}

impl Strings {
    pub fn push(&mut self, s: &str) -> u32 {
        self.text.push_str(s);
        self.ends.push(self.text.len() as u32);
        (self.ends.len() - 1) as u32
    }

    pub fn get(&self, i: u32) -> &str {
        let i = i as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        // `check` proved every range valid at load; "" is unreachable, not a silent fallback.
        self.text.get(start..self.ends[i] as usize).unwrap_or("")
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Every range inside the text and on character boundaries.
    pub fn check(&self) -> Result<(), String> {
        let mut start = 0usize;
        for &end in &self.ends {
            let end = end as usize;
            if end < start || end > self.text.len() || !self.text.is_char_boundary(end) {
                return Err("a string table is damaged".into());
            }
            start = end;
        }
        Ok(())
    }
}

/// One listed name or alias.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub(crate) struct IndexedName {
    /// Index of the party in [`super::ScreeningList`]'s parties.
    pub party: u32,
    /// As written in the list (id into [`NameIndex::texts`]).
    pub text: u32,
    /// True for an alias, false for the party's listed name.
    pub alias: bool,
    /// Range of this name's core words in [`NameIndex::words`].
    pub core_start: u32,
    pub core_len: u32,
    /// Range of this name's company forms in [`NameIndex::forms`].
    pub forms_start: u32,
    pub forms_len: u32,
    /// Number of distinct trigrams of the compacted name (the denominator of candidate overlap).
    pub trigrams: u32,
}

/// One core word of a listed name: its spelling and comparison key, as ids into the index tables.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WordRef {
    pub plain: u32,
    pub key: u32,
}

/// Everything the screener reads at query time; built by [`NameIndex::build`], saved as is.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub(crate) struct NameIndex {
    /// Grouped by party, in party order; a party's names are contiguous (listed name first).
    pub names: Vec<IndexedName>,
    /// The names as written.
    pub texts: Strings,
    pub words: Vec<WordRef>,
    /// Company forms of all names (ids into `plains`).
    pub forms: Vec<u32>,
    /// Distinct word and form spellings.
    pub plains: Strings,
    /// Distinct comparison keys, sorted so a query word is found by binary search.
    pub keys: Strings,
    /// Rarity weight per key: `ln(1 + names / names with the key)`, so `trading` weighs about a
    /// third of a word seen once.
    pub key_weights: Vec<f32>,
    /// Number of names holding each key.
    pub key_names: Vec<u32>,
    /// Dense postings: the names holding trigram `t` are delta-encoded varints in
    /// `trigram_postings[offsets[t]..offsets[t+1]]`. Kept encoded in memory too: a query reads a
    /// few dozen lists, while decoding all 1.2 million entries would dominate loading.
    pub trigram_offsets: Vec<u32>,
    pub trigram_postings: Vec<u8>,
    /// `(hash of the exact form, name)`, sorted: exact matches whatever else ranks.
    pub exact_hashes: Vec<(u64, u32)>,
    /// `(hash of the sorted core keys, name)`, sorted: the same words in any order, any form.
    pub core_hashes: Vec<(u64, u32)>,
    /// Short names by compacted length: those of length `n` are `short_names[short_offsets[n]..short_offsets[n + 1]]`,
    /// their compacted forms the same positions of `short_compacts`.
    pub short_offsets: Vec<u32>,
    pub short_names: Vec<u32>,
    pub short_compacts: Strings,
}

/// A name to index: which party, the text, and whether it is an alias.
#[derive(Debug, Clone)]
pub(crate) struct NameSource {
    pub party: u32,
    pub text: String,
    pub alias: bool,
}

/// The code of one compacted-name character (input is folded lower-case ASCII).
fn char_code(b: u8) -> u32 {
    match b {
        b'a'..=b'z' => u32::from(b - b'a') + 1,
        b'0'..=b'9' => u32::from(b - b'0') + 27,
        _ => 0,
    }
}

/// The distinct trigram codes of a compacted name, padded at both ends, sorted.
pub(crate) fn trigrams(compact: &str, out: &mut Vec<u32>) {
    out.clear();
    if compact.is_empty() {
        return;
    }
    let mut codes = Vec::with_capacity(compact.len() + 2);
    codes.push(0);
    codes.extend(compact.bytes().map(char_code));
    codes.push(0);
    out.extend(codes.windows(3).map(|w| (w[0] * TRIGRAM_BASE + w[1]) * TRIGRAM_BASE + w[2]));
    out.sort_unstable();
    out.dedup();
}

fn push_varint(out: &mut Vec<u8>, mut v: u32) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// The names of one trigram's postings, decoded on the fly. Stops at the first damaged byte or
/// out-of-range name (the file's postings are not all checked at load; see [`NameIndex::check`]).
pub(crate) struct Postings<'a> {
    bytes: &'a [u8],
    at: usize,
    previous: u32,
    names: u32,
}

impl Iterator for Postings<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        let mut value = 0u32;
        let mut shift = 0u32;
        loop {
            let byte = *self.bytes.get(self.at)?;
            self.at += 1;
            value |= u32::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                break;
            }
            shift += 7;
            if shift > 28 {
                self.at = self.bytes.len();
                return None;
            }
        }
        self.previous = self.previous.checked_add(value).filter(|&n| n < self.names).or_else(|| {
            self.at = self.bytes.len();
            None
        })?;
        Some(self.previous)
    }
}

impl NameIndex {
    /// The names holding a trigram code.
    pub fn trigram_names(&self, gram: u32) -> Postings<'_> {
        let (start, end) =
            (self.trigram_offsets[gram as usize] as usize, self.trigram_offsets[gram as usize + 1] as usize);
        Postings { bytes: &self.trigram_postings[start..end], at: 0, previous: 0, names: self.names.len() as u32 }
    }

    /// Indexes names; `sources` must be grouped by party in party order.
    pub fn build(sources: Vec<NameSource>) -> NameIndex {
        let mut index = NameIndex::default();
        let mut plain_ids: HashMap<String, u32> = HashMap::new();
        let mut intern = |plains: &mut Strings, text: &str| -> u32 {
            if let Some(&id) = plain_ids.get(text) {
                return id;
            }
            let id = plains.push(text);
            plain_ids.insert(text.to_string(), id);
            id
        };

        // Pass 1: normalise, drop a party's duplicate spellings, collect keys.
        let mut kept: Vec<(NameSource, NormalisedName)> = Vec::with_capacity(sources.len());
        let mut seen_in_party: Vec<String> = Vec::new();
        let mut current_party = u32::MAX;
        for source in sources {
            if source.party != current_party {
                current_party = source.party;
                seen_in_party.clear();
            }
            let normalised = normalise(&source.text);
            if normalised.exact.is_empty() || seen_in_party.contains(&normalised.exact) {
                continue;
            }
            seen_in_party.push(normalised.exact.clone());
            kept.push((source, normalised));
        }
        let mut key_list: Vec<String> = kept.iter().flat_map(|(_, n)| n.core.iter().map(|w| w.key.clone())).collect();
        key_list.sort_unstable();
        key_list.dedup();
        let key_ids: HashMap<&str, u32> = key_list.iter().enumerate().map(|(i, k)| (k.as_str(), i as u32)).collect();
        let mut key_names = vec![0u32; key_list.len()];

        // Pass 2: words, forms, trigrams, hashes.
        let mut trigram_counts = vec![0u32; TRIGRAM_SPACE];
        let mut name_trigrams: Vec<Vec<u32>> = Vec::with_capacity(kept.len());
        let mut short: Vec<(usize, u32, String)> = Vec::new();
        let mut scratch = Vec::new();
        let mut distinct_keys: Vec<u32> = Vec::new();
        for (name_id, (source, normalised)) in kept.into_iter().enumerate() {
            let name_id = name_id as u32;
            let core_start = index.words.len() as u32;
            distinct_keys.clear();
            for word in &normalised.core {
                let key = key_ids[word.key.as_str()];
                let plain = intern(&mut index.plains, &word.plain);
                index.words.push(WordRef { plain, key });
                if !distinct_keys.contains(&key) {
                    distinct_keys.push(key);
                    key_names[key as usize] += 1;
                }
            }
            let forms_start = index.forms.len() as u32;
            for form in &normalised.forms {
                let id = intern(&mut index.plains, form);
                index.forms.push(id);
            }
            let compact = normalised.compact();
            trigrams(&compact, &mut scratch);
            if compact.len() <= SHORT_NAME {
                short.push((compact.len(), name_id, compact));
            }
            for &t in &scratch {
                trigram_counts[t as usize] += 1;
            }
            index.exact_hashes.push((stable_hash(&[&normalised.exact]), name_id));
            index.core_hashes.push((core_hash(&normalised.core), name_id));
            index.names.push(IndexedName {
                party: source.party,
                text: index.texts.push(&source.text),
                alias: source.alias,
                core_start,
                core_len: normalised.core.len() as u32,
                forms_start,
                forms_len: normalised.forms.len() as u32,
                trigrams: scratch.len() as u32,
            });
            name_trigrams.push(scratch.clone());
        }

        // Counting sort into dense postings (names in increasing order within each trigram).
        let mut starts = Vec::with_capacity(TRIGRAM_SPACE + 1);
        let mut total = 0u32;
        for count in &trigram_counts[..TRIGRAM_SPACE] {
            starts.push(total);
            total += count;
        }
        starts.push(total);
        let mut fill = starts.clone();
        let mut postings = vec![0u32; total as usize];
        for (name_id, grams) in name_trigrams.iter().enumerate() {
            for &t in grams {
                postings[fill[t as usize] as usize] = name_id as u32;
                fill[t as usize] += 1;
            }
        }
        index.trigram_offsets = Vec::with_capacity(TRIGRAM_SPACE + 1);
        for t in 0..TRIGRAM_SPACE {
            index.trigram_offsets.push(index.trigram_postings.len() as u32);
            let mut previous = 0;
            for &name in &postings[starts[t] as usize..starts[t + 1] as usize] {
                push_varint(&mut index.trigram_postings, name - previous);
                previous = name;
            }
        }
        index.trigram_offsets.push(index.trigram_postings.len() as u32);
        short.sort();
        index.short_offsets = (0..=SHORT_NAME + 1).map(|len| short.partition_point(|s| s.0 < len) as u32).collect();
        for (_, name_id, compact) in short {
            index.short_names.push(name_id);
            index.short_compacts.push(&compact);
        }

        let name_count = index.names.len().max(1) as f32;
        index.key_weights = key_names.iter().map(|&df| (1.0 + name_count / df.max(1) as f32).ln()).collect();
        index.key_names = key_names;
        for key in &key_list {
            index.keys.push(key);
        }
        index.exact_hashes.sort_unstable();
        index.core_hashes.sort_unstable();
        index
    }

    /// The id of a comparison key, if any listed name holds it.
    pub fn key_id(&self, key: &str) -> Option<u32> {
        let (mut low, mut high) = (0u32, self.keys.len() as u32);
        while low < high {
            let middle = low + (high - low) / 2;
            match self.keys.get(middle).cmp(key) {
                std::cmp::Ordering::Less => low = middle + 1,
                std::cmp::Ordering::Greater => high = middle,
                std::cmp::Ordering::Equal => return Some(middle),
            }
        }
        None
    }

    /// The weight of a word no listed name holds: as rare as a word seen once.
    pub fn unseen_weight(&self) -> f32 {
        (1.0 + self.names.len().max(1) as f32).ln()
    }

    /// Names whose stored hash equals `hash`.
    pub fn with_hash(table: &[(u64, u32)], hash: u64) -> impl Iterator<Item = u32> + '_ {
        let start = table.partition_point(|&(h, _)| h < hash);
        table[start..].iter().take_while(move |&&(h, _)| h == hash).map(|&(_, name)| name)
    }

    /// A name as written.
    pub fn text_of(&self, name: &IndexedName) -> &str {
        self.texts.get(name.text)
    }

    /// The core words of a name.
    pub fn core_of(&self, name: &IndexedName) -> &[WordRef] {
        &self.words[name.core_start as usize..(name.core_start + name.core_len) as usize]
    }

    /// The company forms of a name (ids into `plains`).
    pub fn forms_of(&self, name: &IndexedName) -> &[u32] {
        &self.forms[name.forms_start as usize..(name.forms_start + name.forms_len) as usize]
    }

    /// Checks that every id points inside its table, so a damaged file fails at load instead of
    /// panicking in the middle of a screening.
    pub fn check(&self, parties: usize) -> Result<(), String> {
        self.texts.check()?;
        self.plains.check()?;
        self.keys.check()?;
        if self.texts.len() != self.names.len() {
            return Err("name texts and names differ in number".into());
        }
        let words = self.words.len() as u64;
        let forms = self.forms.len() as u64;
        for (i, name) in self.names.iter().enumerate() {
            if name.party as usize >= parties
                || u64::from(name.core_start) + u64::from(name.core_len) > words
                || u64::from(name.forms_start) + u64::from(name.forms_len) > forms
                || name.text as usize >= self.texts.len()
            {
                return Err(format!("name {i} points outside the tables"));
            }
        }
        if self.words.iter().any(|w| w.plain as usize >= self.plains.len() || w.key as usize >= self.keys.len())
            || self.forms.iter().any(|&f| f as usize >= self.plains.len())
        {
            return Err("a word points outside the tables".into());
        }
        if self.key_weights.len() != self.keys.len() || self.key_names.len() != self.keys.len() {
            return Err("key tables differ in length".into());
        }
        if self.trigram_offsets.len() != TRIGRAM_SPACE + 1
            || self.trigram_offsets.windows(2).any(|w| w[0] > w[1])
            || self.trigram_offsets.last().copied() != Some(self.trigram_postings.len() as u32)
        {
            return Err("trigram offsets are damaged".into());
        }
        let names = self.names.len() as u32;
        self.short_compacts.check()?;
        if self.short_offsets.len() != SHORT_NAME + 2
            || self.short_offsets.windows(2).any(|w| w[0] > w[1])
            || self.short_offsets.last().copied() != Some(self.short_names.len() as u32)
            || self.short_compacts.len() != self.short_names.len()
            || self.short_names.iter().any(|&n| n >= names)
        {
            return Err("the short-name table is damaged".into());
        }
        if self.exact_hashes.iter().chain(&self.core_hashes).any(|&(_, n)| n >= names) {
            return Err("a posting points outside the names".into());
        }
        Ok(())
    }
}
