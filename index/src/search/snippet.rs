//! Highlighted snippets that show why a hit matched, for exact, synonym, typo and prefix matches alike.
//!
//! The snippet is HTML: the entry's text escaped, matched words wrapped in `<mark>`. Because highlighting uses
//! the query's own expansions (not tantivy's snippet generator), fuzzy and prefix matches are marked too.

use std::collections::{BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use crate::analysis::{STEM_TAIL, WordStartFilter, fold, stem, words};

/// Longest snippet, in bytes of source text.
const WINDOW: usize = 220;
/// Context kept before the first match of a window.
const LEAD: usize = 50;

/// Escapes text for HTML.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    escape_into(&mut out, text);
    out
}

/// Appends `text` escaped for HTML: runs without special characters are copied whole.
fn escape_into(out: &mut String, text: &str) {
    let mut run = 0;
    for (at, byte) in text.bytes().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[run..at]);
        out.push_str(entity);
        run = at + 1;
    }
    out.push_str(&text[run..]);
}

/// FNV-1a: the memo below is keyed by short words, for which SipHash costs more than the lookup it serves.
#[derive(Default)]
struct WordHasher(u64);

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for byte in bytes {
            hash = (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The best window of one text: where it starts in the text's matches, and how many distinct terms it holds.
#[derive(Clone, Copy)]
struct Window {
    first: usize,
    distinct: usize,
}

/// Finds the matches of one text into `query.matches` (start, end, index of the term), and its best window: the
/// one holding the most distinct matched terms.
fn best_window(text: &str, query: &mut SnippetQuery) -> Option<Window> {
    query.matches.clear();
    let mut split = words(text);
    while let Some((start, raw, is_ascii)) = split.next_word() {
        if !query.filter.may_match_word(raw, is_ascii) {
            continue;
        }
        let term_index = match query.seen.get(raw) {
            Some(known) => *known,
            None => {
                // Folding is cheap, stemming is not: only a word that starts like some term is stemmed.
                let index = fold(raw)
                    .filter(|folded| query.stem_starts.iter().any(|start| folded.starts_with(start.as_str())))
                    .and_then(|folded| {
                        let term = stem(&folded);
                        query.terms.iter().position(|t| *t == term)
                    });
                query.seen.insert(raw.to_string(), index);
                index
            }
        };
        if let Some(index) = term_index {
            query.matches.push((start, start + raw.len(), index));
        }
    }
    let matches = &query.matches;
    if matches.is_empty() {
        return None;
    }
    // Sliding window over the matches: the window starting at `first` reaches as far as WINDOW bytes allow.
    let counts = &mut query.counts;
    counts.clear();
    counts.resize(query.terms.len(), 0);
    let mut distinct = 0;
    let mut last = 0; // one past the last match inside the current window
    let mut best = Window { first: 0, distinct: 0 };
    for first in 0..matches.len() {
        let limit = matches[first].0 + WINDOW - LEAD.min(matches[first].0);
        while last < matches.len() && matches[last].1 <= limit {
            if counts[matches[last].2] == 0 {
                distinct += 1;
            }
            counts[matches[last].2] += 1;
            last += 1;
        }
        if distinct > best.distinct {
            best = Window { first, distinct };
        }
        if last > first {
            counts[matches[first].2] -= 1;
            if counts[matches[first].2] == 0 {
                distinct -= 1;
            }
        } else {
            last = first + 1;
        }
    }
    Some(best)
}

/// The HTML of a text's best window (`matches` are the text's, as found by [`best_window`]).
fn fragment_html(text: &str, matches: &[(usize, usize, usize)], first: usize) -> String {
    let mut start = matches[first].0.saturating_sub(LEAD);
    while start > 0 && !text.is_char_boundary(start) {
        start -= 1;
    }
    if start > 0 {
        // Begin at a word boundary.
        if let Some(space) = text[start..matches[first].0].find(char::is_whitespace) {
            start += space + 1;
        }
    }
    let mut end = (start + WINDOW).min(text.len());
    while end < text.len() && !text.is_char_boundary(end) {
        end += 1;
    }
    if end < text.len()
        && let Some(space) = text[matches[first].1.min(end)..end].rfind(char::is_whitespace)
    {
        end = matches[first].1.min(end) + space;
    }
    let mut html = String::with_capacity(end - start + 64);
    if start > 0 {
        html.push('…');
    }
    let mut cursor = start;
    for &(from, to, _) in matches.iter().filter(|m| m.0 >= start && m.1 <= end) {
        escape_into(&mut html, &text[cursor..from]);
        html.push_str("<mark>");
        escape_into(&mut html, &text[from..to]);
        html.push_str("</mark>");
        cursor = to;
    }
    escape_into(&mut html, &text[cursor..end]);
    if end < text.len() {
        html.push('…');
    }
    html
}

/// Plain start of a text, cut at a word boundary.
fn plain_start(text: &str) -> String {
    if text.len() <= WINDOW {
        return escape_html(text);
    }
    let mut end = WINDOW;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let cut = text[..end].rfind(char::is_whitespace).unwrap_or(end);
    let mut out = escape_html(&text[..cut]);
    out.push('…');
    out
}

/// What one search highlights: its terms, their start filter, and how many query words it has.
#[derive(Debug)]
pub struct SnippetQuery {
    pub terms: BTreeSet<String>,
    pub filter: WordStartFilter,
    pub wanted: usize,
    /// Each term less its last [`STEM_TAIL`] letters: a folded word that starts with none of them stems to no term.
    stem_starts: Vec<String>,
    /// Words already analysed during this search, and which term (if any) each is: hits share most words.
    seen: HashMap<String, Option<usize>, BuildHasherDefault<WordHasher>>,
    /// Scratch space reused across texts and hits: the matches of the current text, and counts per term.
    matches: Vec<(usize, usize, usize)>,
    counts: Vec<usize>,
}

impl SnippetQuery {
    /// The highlighting of a query with `wanted` words and these terms.
    pub fn new(terms: BTreeSet<String>, wanted: usize) -> SnippetQuery {
        let filter = WordStartFilter::new(&terms);
        let mut stem_starts: Vec<String> =
            terms.iter().map(|t| t.get(..t.len().saturating_sub(STEM_TAIL)).unwrap_or_default().to_string()).collect();
        stem_starts.sort_unstable();
        stem_starts.dedup();
        SnippetQuery {
            terms,
            filter,
            wanted,
            stem_starts,
            seen: HashMap::default(),
            matches: Vec::new(),
            counts: Vec::new(),
        }
    }
}

/// The texts of a hit a snippet may come from: title, names, body parts (stored or borrowed strings alike).
#[derive(Debug)]
pub struct HitText<'a, S> {
    pub title: &'a str,
    pub names: &'a [S],
    pub body: &'a [S],
}

#[cfg(test)]
impl<'a> HitText<'a, String> {
    /// The texts of a whole hit record.
    pub fn of(hit: &'a crate::HitRecord) -> HitText<'a, String> {
        HitText { title: &hit.title, names: &hit.names, body: &hit.body }
    }
}

/// The snippet of a hit: matched codes first, then the best-matching fragment of title, names or body.
/// `wanted` is how many query words there are: a fragment matching that many distinct terms ends the scan.
pub fn snippet<S: AsRef<str>>(hit: &HitText<'_, S>, query: &mut SnippetQuery, matched_codes: &[String]) -> String {
    let wanted = query.wanted.max(1);
    let names = (!hit.names.is_empty()).then(|| {
        let mut joined = String::new();
        for (i, name) in hit.names.iter().enumerate() {
            if i > 0 {
                joined.push_str(" · ");
            }
            joined.push_str(name.as_ref());
        }
        joined
    });
    let sources = std::iter::once(hit.title).chain(names.as_deref()).chain(hit.body.iter().map(AsRef::as_ref));
    let mut best: Option<(String, usize)> = None;
    if !query.terms.is_empty() {
        for text in sources {
            if let Some(window) = best_window(text, query)
                && best.as_ref().is_none_or(|b| window.distinct > b.1)
            {
                best = Some((fragment_html(text, &query.matches, window.first), window.distinct));
            }
            if best.as_ref().is_some_and(|b| b.1 >= wanted) {
                break;
            }
        }
    }
    let mut out = String::new();
    for code in matched_codes {
        out.push_str("<mark>");
        escape_into(&mut out, code);
        out.push_str("</mark> ");
    }
    match best {
        Some((html, _)) => out.push_str(&html),
        None if !matched_codes.is_empty() => out.push_str(&plain_start(hit.title)),
        None => out.push_str(&plain_start(hit.body.first().map_or(hit.title, AsRef::as_ref))),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Entry, HitRecord, Kind};

    fn terms(words: &[&str]) -> BTreeSet<String> {
        words.iter().map(|w| crate::analysis::analyse(w)[0].term.clone()).collect()
    }

    #[test]
    fn matched_words_are_marked_and_text_escaped() {
        let mut entry = Entry::new("guide:x", Kind::Guide, "Carbon fibre <prepreg>");
        entry.summary = "Sheets of fiber & resin.".into();
        let html =
            snippet(&HitText::of(&HitRecord::from_entry(&entry)), &mut SnippetQuery::new(terms(&["fiber"]), 1), &[]);
        assert_eq!(html, "Carbon <mark>fibre</mark> &lt;prepreg&gt;");
    }

    #[test]
    fn codes_lead_the_snippet() {
        let entry = Entry::new("2B001", Kind::Control, "Machine tools");
        assert_eq!(
            snippet(
                &HitText::of(&HitRecord::from_entry(&entry)),
                &mut SnippetQuery::new(BTreeSet::new(), 0),
                &["2B001".into()]
            ),
            "<mark>2B001</mark> Machine tools"
        );
    }

    #[test]
    fn long_bodies_are_cut_around_the_match() {
        let mut entry = Entry::new("c", Kind::Control, "Title");
        entry.summary = format!("{} beryllium foil {}", "word ".repeat(100), "more ".repeat(100));
        let html = snippet(
            &HitText::of(&HitRecord::from_entry(&entry)),
            &mut SnippetQuery::new(terms(&["beryllium"]), 1),
            &[],
        );
        assert!(html.starts_with('…') && html.ends_with('…'), "{html}");
        assert!(html.contains("<mark>beryllium</mark>"));
        assert!(html.len() < 400);
    }
}
