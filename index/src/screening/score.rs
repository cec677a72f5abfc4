//! Precise scoring of one candidate name against a query, and the reason that says what matched.
//!
//! Query words are paired with listed words, best pairs first, each word used once. A pair is one
//! word with one word (same spelling, look-alike characters, abbreviation, initial, or up to 2
//! typos), one query word with 2–3 listed words run together (`HuaweiTechnologies`), or 2–3 query
//! words with one listed word split apart (`Tech nologies`). The score is the rarity-weighted share
//! of the listed name that was found, with extra query words counting half against it. Rarity
//! weights are what keep `Trading` or `International` alone from ever matching a party.

use super::distance::bounded_distance;
use super::index::{IndexedName, NameIndex, WordRef};
use super::normalise::{NormalisedName, STOP_WORDS, canonical_form, fold_look_alikes, normalise};

/// Extra query words (an address fragment, a trade name) count this much of their weight against
/// the match: less than a missing listed word, which is stronger evidence of another party.
const EXTRA_WORD_SHARE: f32 = 0.5;
/// Word order changed ("ZAHHAR, Mahmoud" typed "Mahmoud Zahhar"): nearly as good as in order.
const REORDERED: f32 = 0.97;
/// Words run together or split: the letters agree, the spaces do not.
const JOINED: f32 = 0.97;
/// Typos cost this share of the word's length, squared in the number of typos: 1 typo in a
/// 6-letter word → 0.92, 2 typos in an 8-letter word → 0.75 (two typos in a short word are more
/// often another name than a slip).
const TYPO_COST: f32 = 0.5;
/// Each further word with typos multiplies the score by this: one slip per name is common, a slip
/// in every word of a short name ("Yong Wang" for "Jang Gyong") is another name.
const MORE_TYPOS: f32 = 0.88;
/// Look-alike characters (`Huawe1`) or an expanded abbreviation (`Intl`).
const LOOK_ALIKE: f32 = 0.95;
/// `Tech` for `Technologies`: accepted only for words common in the list, where abbreviating is
/// usual, and for prefixes of 4 letters or more ("Ali" is not short for "Allah").
const PREFIX_ABBREVIATION: f32 = 0.85;
/// An initial (`M.` for `Mahmoud`) is half a word.
const INITIAL: f32 = 0.5;
/// A prefix counts as an abbreviation only of a word that this many listed names hold.
const COMMON_WORD_NAMES: u32 = 20;
/// A non-exact match never scores 1.0, so exact matches always rank first.
const BEST_INEXACT: f32 = 0.99;
/// At most this many words are run together or split in one place.
const MAX_JOINED_WORDS: usize = 3;

/// A query word with its rarity weight.
#[derive(Debug, Clone)]
pub(crate) struct QueryWord {
    pub plain: String,
    pub key: String,
    pub weight: f32,
}

/// A query taken apart once, compared with every candidate.
#[derive(Debug, Clone)]
pub(crate) struct PreparedQuery {
    /// As typed.
    pub text: String,
    pub normalised: NormalisedName,
    pub words: Vec<QueryWord>,
    /// Core words run together, look-alikes folded: what trigram candidates are found by.
    pub compact: String,
    /// Canonical company forms, sorted.
    pub forms: Vec<&'static str>,
}

impl PreparedQuery {
    pub fn new(text: &str, index: &NameIndex) -> PreparedQuery {
        let normalised = normalise(text);
        let words = normalised
            .core
            .iter()
            .map(|w| QueryWord {
                plain: w.plain.clone(),
                key: w.key.clone(),
                weight: index.key_id(&w.key).map_or_else(|| index.unseen_weight(), |id| index.key_weights[id as usize]),
            })
            .collect();
        let compact = normalised.compact();
        let forms = canonical_forms(normalised.forms.iter().map(String::as_str));
        PreparedQuery { text: text.to_string(), normalised, words, compact, forms }
    }
}

fn canonical_forms<'a>(forms: impl Iterator<Item = &'a str>) -> Vec<&'static str> {
    let mut canon: Vec<&'static str> = forms.flat_map(|f| canonical_form(f).iter().copied()).collect();
    canon.sort_unstable();
    canon
}

/// How paired words compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WordMatch {
    Same,
    LookAlike,
    Abbreviation,
    Initial,
    Typos(u8),
    /// One query word holds several listed words; with this many typos.
    RunTogether(u8),
    /// Several query words make one listed word; with this many typos.
    Split(u8),
}

/// How the company forms of query and listed name compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FormChange {
    Same,
    /// Same forms, written differently (`Limited` for `Ltd`, `JSC` for `Joint Stock Company`).
    Written,
    Dropped,
    Added,
    /// Some of the listed forms missing (`Limited` for `Co., Ltd.`).
    PartlyDropped,
    /// Forms beyond the listed ones (`Co., Ltd.` for `Limited`).
    PartlyAdded,
    Different,
}

impl FormChange {
    fn factor(self) -> f32 {
        match self {
            FormChange::Same => 1.0,
            FormChange::Written => 0.99,
            FormChange::Dropped | FormChange::Added | FormChange::PartlyDropped | FormChange::PartlyAdded => 0.98,
            FormChange::Different => 0.96,
        }
    }
}

/// Query words `query..query + query_len` paired with listed words `name..name + name_len`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pair {
    pub query: usize,
    pub query_len: usize,
    pub name: usize,
    pub name_len: usize,
    pub how: WordMatch,
    /// The listed words run together in reverse order (already discounted as reordered).
    pub swapped: bool,
}

/// Why a candidate scored what it did.
#[derive(Debug, Clone)]
pub(crate) enum How {
    Exact { as_written: bool },
    Words { pairs: Vec<Pair>, extra: usize, reordered: bool, forms: FormChange },
}

#[derive(Debug, Clone)]
pub(crate) struct Assessment {
    pub score: f32,
    pub how: How,
}

/// Edits allowed in a word of this many letters: none up to 3 (too many short words are one edit
/// apart), 1 up to 7, 2 from 8.
fn allowed_typos(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

fn has_digit(text: &str) -> bool {
    text.bytes().any(|b| b.is_ascii_digit())
}

/// Compares a query word with a listed word.
fn compare_words(query: &QueryWord, plain: &str, key: &str, names_with_key: u32) -> Option<(f32, WordMatch)> {
    if query.plain == plain {
        return Some((1.0, WordMatch::Same));
    }
    if query.key == key {
        // Equal keys from different spellings: either an expanded abbreviation or look-alikes.
        let how = if fold_look_alikes(&query.plain) == fold_look_alikes(plain) {
            WordMatch::LookAlike
        } else {
            WordMatch::Abbreviation
        };
        return Some((LOOK_ALIKE, how));
    }
    let (q, n) = (query.plain.as_bytes(), plain.as_bytes());
    if (q.len() == 1 && n.len() > 1 && n[0] == q[0]) || (n.len() == 1 && q.len() > 1 && q[0] == n[0]) {
        return Some((INITIAL, WordMatch::Initial));
    }
    let numeric = has_digit(plain);
    let (short, long) = if query.key.len() < key.len() { (query.key.as_str(), key) } else { (key, query.key.as_str()) };
    if short.len() >= 4
        && long.len() >= short.len() + 3
        && long.starts_with(short)
        && names_with_key >= COMMON_WORD_NAMES
        && !numeric
    {
        return Some((PREFIX_ABBREVIATION, WordMatch::Abbreviation));
    }
    // A stop word run into the next word ("ofkosovo" for "of Kosovo"): stop words are not core
    // words, so the listed name holds only "kosovo".
    for stop in STOP_WORDS {
        if query.plain.len() > stop.len() + 2
            && ((query.plain.starts_with(stop) && query.plain[stop.len()..] == *plain)
                || (query.plain.ends_with(stop) && query.plain[..query.plain.len() - stop.len()] == *plain))
        {
            return Some((JOINED, WordMatch::RunTogether(0)));
        }
    }
    // Numbers in a listed name (plant No. 35) are never matched with a typo.
    let max = if numeric { 0 } else { allowed_typos(key.len().min(query.key.len())) };
    // Folding can hide a typo's shape ("karnda" folds to "kamda"), so the plain spelling gets a try too.
    let edits = bounded_distance(query.key.as_bytes(), key.as_bytes(), max)
        .or_else(|| bounded_distance(query.plain.as_bytes(), plain.as_bytes(), max))?;
    Some((typo_similarity(edits, query.key.len().max(key.len())), WordMatch::Typos(edits as u8)))
}

fn typo_similarity(edits: usize, len: usize) -> f32 {
    1.0 - TYPO_COST * (edits * edits) as f32 / len.max(1) as f32
}

/// Compares `one` word's key with `several` plain words run together; the similarity and the typos. At most
/// one typo, and none when a piece is shorter than 3 letters: "Ma Na" is not "Moana".
fn compare_joined<'a>(one: &str, several: impl Iterator<Item = &'a str> + Clone) -> Option<(f32, u8)> {
    let total: usize = several.clone().map(str::len).sum();
    let max = if several.clone().any(|piece| piece.len() < 3) { 0 } else { allowed_typos(total).min(1) };
    if one.len().abs_diff(total) > max {
        return None;
    }
    // Folded after joining: look-alikes can span the seam ("Peter" + "Nikolayevich" holds "rn").
    let joined = fold_look_alikes(&several.collect::<String>());
    let edits = bounded_distance(one.as_bytes(), joined.as_bytes(), max)?;
    Some((JOINED * typo_similarity(edits, one.len().max(joined.len())), edits as u8))
}

fn compare_forms(
    query: &[&'static str],
    query_plain: &[String],
    name: &[&'static str],
    name_plain: &[&str],
) -> FormChange {
    match (query.is_empty(), name.is_empty()) {
        (true, true) => FormChange::Same,
        (true, false) => FormChange::Dropped,
        (false, true) => FormChange::Added,
        (false, false) if query == name => {
            if query_plain.iter().map(String::as_str).eq(name_plain.iter().copied()) {
                FormChange::Same
            } else {
                FormChange::Written
            }
        }
        (false, false) if contains_all(name, query) => FormChange::PartlyDropped,
        (false, false) if contains_all(query, name) => FormChange::PartlyAdded,
        (false, false) => FormChange::Different,
    }
}

/// True when the sorted multiset `all` holds every element of the sorted multiset `some`.
fn contains_all(all: &[&str], some: &[&str]) -> bool {
    let mut rest = all.iter();
    some.iter().all(|s| rest.any(|a| a == s))
}

/// A possible pair with its similarity.
struct PairOption {
    similarity: f32,
    /// Weight of the listed words it covers (ties go to the pair that covers more).
    weight: f32,
    pair: Pair,
}

/// Every pairing worth considering between query words and the listed words `core`.
fn pair_options(query: &PreparedQuery, index: &NameIndex, core: &[WordRef]) -> Vec<PairOption> {
    let plain = |w: &WordRef| index.plains.get(w.plain);
    let key = |w: &WordRef| index.keys.get(w.key);
    let weight = |w: &WordRef| index.key_weights[w.key as usize];
    // A word spelled the same on both sides pairs that way (nothing beats it), so its other
    // pairings are not worth computing: this keeps long names (15+ words) cheap.
    // Only as many times as the word occurs on the other side: "Federal ... Science Federal"
    // typed "Federal ... ScienceFederal" must leave the second "federal" free to pair otherwise.
    let mut query_same = vec![false; query.words.len()];
    let mut name_same = vec![false; core.len()];
    for (qi, qword) in query.words.iter().enumerate() {
        let in_query = query.words.iter().filter(|w| w.plain == qword.plain).count();
        let in_name = core.iter().filter(|w| plain(w) == qword.plain).count();
        if in_name == 0 {
            continue;
        }
        query_same[qi] = in_name >= in_query;
        if in_query >= in_name {
            for (ni, word) in core.iter().enumerate() {
                if plain(word) == qword.plain {
                    name_same[ni] = true;
                }
            }
        }
    }
    let mut options = Vec::new();
    for (qi, qword) in query.words.iter().enumerate() {
        for (ni, word) in core.iter().enumerate() {
            if (query_same[qi] || name_same[ni]) && qword.plain != plain(word) {
                continue;
            }
            if let Some((similarity, how)) =
                compare_words(qword, plain(word), key(word), index.key_names[word.key as usize])
            {
                let pair = Pair { query: qi, query_len: 1, name: ni, name_len: 1, how, swapped: false };
                options.push(PairOption { similarity, weight: weight(word), pair });
            }
        }
    }
    // Run together: one query word for 2–3 consecutive listed words.
    for (qi, qword) in query.words.iter().enumerate() {
        if query_same[qi] {
            continue;
        }
        for start in 0..core.len() {
            for len in 2..=MAX_JOINED_WORDS.min(core.len() - start) {
                let words = &core[start..start + len];
                if name_same[start..start + len].contains(&true) || words.iter().any(|w| has_digit(plain(w))) {
                    continue;
                }
                let weight = words.iter().map(weight).sum();
                if let Some((similarity, edits)) = compare_joined(&qword.key, words.iter().map(plain)) {
                    let pair = Pair {
                        query: qi,
                        query_len: 1,
                        name: start,
                        name_len: len,
                        how: WordMatch::RunTogether(edits),
                        swapped: false,
                    };
                    options.push(PairOption { similarity, weight, pair });
                } else if len == 2 {
                    // Two words swapped and run together ("BensonHia" for "HIA, Benson").
                    if let Some((similarity, edits)) = compare_joined(&qword.key, words.iter().rev().map(plain)) {
                        let pair = Pair {
                            query: qi,
                            query_len: 1,
                            name: start,
                            name_len: len,
                            how: WordMatch::RunTogether(edits),
                            swapped: true,
                        };
                        options.push(PairOption { similarity: similarity * REORDERED, weight, pair });
                    }
                }
            }
        }
    }
    // Split: 2–3 consecutive query words for one listed word.
    for (ni, word) in core.iter().enumerate() {
        if name_same[ni] || has_digit(plain(word)) {
            continue;
        }
        for start in 0..query.words.len() {
            for len in 2..=MAX_JOINED_WORDS.min(query.words.len() - start) {
                if query_same[start..start + len].contains(&true) {
                    continue;
                }
                let words = &query.words[start..start + len];
                if let Some((similarity, edits)) = compare_joined(key(word), words.iter().map(|w| w.plain.as_str())) {
                    let pair = Pair {
                        query: start,
                        query_len: len,
                        name: ni,
                        name_len: 1,
                        how: WordMatch::Split(edits),
                        swapped: false,
                    };
                    options.push(PairOption { similarity, weight: weight(word), pair });
                }
            }
        }
    }
    options
}

/// Scores one listed name against the query; `exact` says the exact forms were already found equal.
pub(crate) fn assess(query: &PreparedQuery, index: &NameIndex, name: &IndexedName, exact: bool) -> Option<Assessment> {
    if exact {
        let as_written = collapse(index.text_of(name)).eq_ignore_ascii_case(&collapse(&query.text));
        return Some(Assessment { score: 1.0, how: How::Exact { as_written } });
    }
    let core = index.core_of(name);
    let name_forms_plain: Vec<&str> = index.forms_of(name).iter().map(|&id| index.plains.get(id)).collect();
    let name_forms = canonical_forms(name_forms_plain.iter().copied());
    let forms = compare_forms(&query.forms, &query.normalised.forms, &name_forms, &name_forms_plain);

    let mut options = pair_options(query, index, core);
    // Best pairs first; among equals, the pair whose words sit at the same relative place in
    // both names, so a repeated word ("Commercial Bank Lanta Bank") pairs with its own position.
    let place = |start: usize, len: usize, of: usize| (start as f32 + len as f32 / 2.0) / of.max(1) as f32;
    let drift =
        |p: &Pair| (place(p.query, p.query_len, query.words.len()) - place(p.name, p.name_len, core.len())).abs();
    options.sort_by(|a, b| {
        b.similarity
            .total_cmp(&a.similarity)
            .then(b.weight.total_cmp(&a.weight))
            .then(drift(&a.pair).total_cmp(&drift(&b.pair)))
    });
    let mut query_used = vec![false; query.words.len()];
    let mut name_used = vec![false; core.len()];
    let mut pairs = Vec::new();
    let mut found = 0.0f32;
    for option in options {
        let pair = option.pair;
        let query_range = pair.query..pair.query + pair.query_len;
        let name_range = pair.name..pair.name + pair.name_len;
        if query_used[query_range.clone()].iter().chain(&name_used[name_range.clone()]).any(|&used| used) {
            continue;
        }
        query_used[query_range].fill(true);
        name_used[name_range].fill(true);
        found += option.similarity * option.weight;
        pairs.push(pair);
    }
    if pairs.is_empty() {
        return None;
    }
    let listed: f32 = core.iter().map(|w| index.key_weights[w.key as usize]).sum();
    let extra_weight: f32 =
        query.words.iter().zip(&query_used).filter(|(_, used)| !**used).map(|(w, _)| w.weight).sum();
    let extra = query_used.iter().filter(|u| !**u).count();
    pairs.sort_by_key(|p| p.query);
    let reordered = pairs.windows(2).any(|w| w[0].name > w[1].name) || pairs.iter().any(|p| p.swapped);
    let mut score = found / (listed + EXTRA_WORD_SHARE * extra_weight);
    if pairs.windows(2).any(|w| w[0].name > w[1].name) {
        score *= REORDERED;
    }
    let with_typos = pairs
        .iter()
        .filter(|p| matches!(p.how, WordMatch::Typos(_) | WordMatch::RunTogether(1..) | WordMatch::Split(1..)))
        .count();
    if with_typos > 1 {
        score *= MORE_TYPOS.powi(with_typos as i32 - 1);
    }
    score *= forms.factor();
    Some(Assessment { score: score.min(BEST_INEXACT), how: How::Words { pairs, extra, reordered, forms } })
}

/// Trims and collapses runs of whitespace.
pub(crate) fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("{n} {one}") } else { format!("{n} {many}") }
}

fn with_typos(text: String, typos: u8) -> String {
    if typos == 0 { text } else { format!("{text} and {}", plural(usize::from(typos), "typo", "typos")) }
}

/// The reason shown to officers and experts: what kind of listed name, and what matched.
pub(crate) fn describe(
    assessment: &Assessment,
    query: &PreparedQuery,
    index: &NameIndex,
    name: &IndexedName,
) -> String {
    let kind = if name.alias { "alias" } else { "name" };
    let core = index.core_of(name);
    let (pairs, extra, reordered, forms) = match &assessment.how {
        How::Exact { as_written: true } => return format!("exact {kind}"),
        How::Exact { as_written: false } => {
            return format!("exact {kind}, apart from case, punctuation or accents");
        }
        How::Words { pairs, extra, reordered, forms } => (pairs, *extra, *reordered, *forms),
    };
    let listed = |pair: &Pair| {
        core[pair.name..pair.name + pair.name_len]
            .iter()
            .map(|w| index.plains.get(w.plain))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let typed = |pair: &Pair| {
        query.words[pair.query..pair.query + pair.query_len]
            .iter()
            .map(|w| w.plain.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let covered: usize = pairs.iter().map(|p| p.name_len).sum();
    let mut parts: Vec<String> = Vec::new();
    let mut coverage =
        if covered == core.len() { "all words".to_string() } else { format!("{covered} of {} words", core.len()) };
    if reordered {
        coverage.push_str(", reordered");
    }
    parts.push(coverage);
    if extra > 0 {
        parts.push(format!("{} more in the query", plural(extra, "word", "words")));
    }
    for pair in pairs {
        let (listed, typed) = (listed(pair), typed(pair));
        match pair.how {
            WordMatch::Same => {}
            WordMatch::LookAlike => parts.push(format!("look-alike characters in '{listed}' ('{typed}')")),
            WordMatch::Abbreviation => parts.push(format!("'{typed}' for '{listed}'")),
            WordMatch::Initial => parts.push(format!("initial '{typed}' for '{listed}'")),
            WordMatch::Typos(n) => {
                parts.push(format!("{} in '{listed}' ('{typed}')", plural(usize::from(n), "typo", "typos")))
            }
            WordMatch::RunTogether(n) => {
                parts.push(with_typos(format!("words run together ('{typed}' for '{listed}')"), n))
            }
            WordMatch::Split(n) => parts.push(with_typos(format!("word split ('{typed}' for '{listed}')"), n)),
        }
    }
    match forms {
        FormChange::Same => {}
        FormChange::Written => parts.push("company form written differently".into()),
        FormChange::Dropped => parts.push("company form dropped".into()),
        FormChange::Added => parts.push("company form added".into()),
        FormChange::PartlyDropped => parts.push("company form partly dropped".into()),
        FormChange::PartlyAdded => parts.push("company form partly added".into()),
        FormChange::Different => parts.push("other company form".into()),
    }
    format!("{kind}: {}", parts.join("; "))
}
