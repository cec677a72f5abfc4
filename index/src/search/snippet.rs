//! Highlighted snippets that show why a hit matched, for exact, synonym, typo and prefix matches alike.
//!
//! The snippet is HTML: the entry's text escaped, matched words wrapped in `<mark>`. Because highlighting uses
//! the query's own expansions (not tantivy's snippet generator), fuzzy and prefix matches are marked too.

use std::collections::BTreeSet;

use crate::analysis::{analyse_filtered, words, WordStartFilter};
use crate::HitRecord;

/// Longest snippet, in bytes of source text.
const WINDOW: usize = 220;
/// Context kept before the first match of a window.
const LEAD: usize = 50;

/// Escapes text for HTML.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

struct Candidate {
    html: String,
    distinct: usize,
}

/// The best fragment of one text: the window holding the most distinct matched terms.
fn best_fragment(text: &str, query: &mut SnippetQuery) -> Option<Candidate> {
    if query.terms.is_empty() {
        return None;
    }
    // Each match as (start, end, index of its term among the terms).
    let mut matches: Vec<(usize, usize, usize)> = Vec::new();
    for (start, raw) in words(text) {
        if !query.filter.may_match(raw) {
            continue;
        }
        let term_index = match query.seen.get(raw) {
            Some(known) => *known,
            None => {
                let analysed = analyse_filtered(raw, &query.filter);
                let index = analysed.first().and_then(|t| query.terms.iter().position(|term| *term == t.term));
                query.seen.insert(raw.to_string(), index);
                index
            }
        };
        if let Some(index) = term_index {
            matches.push((start, start + raw.len(), index));
        }
    }
    if matches.is_empty() {
        return None;
    }
    // Sliding window over the matches: the window starting at `first` reaches as far as WINDOW bytes allow.
    let mut counts = vec![0usize; query.terms.len()];
    let mut distinct = 0;
    let mut last = 0; // one past the last match inside the current window
    let mut best = (0usize, 0usize);
    for first in 0..matches.len() {
        let limit = matches[first].0 + WINDOW - LEAD.min(matches[first].0);
        while last < matches.len() && matches[last].1 <= limit {
            if counts[matches[last].2] == 0 {
                distinct += 1;
            }
            counts[matches[last].2] += 1;
            last += 1;
        }
        if distinct > best.1 {
            best = (first, distinct);
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
    let (first, distinct) = best;
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
        && let Some(space) = text[matches[first].1.min(end)..end].rfind(char::is_whitespace) {
            end = matches[first].1.min(end) + space;
        }
    let mut html = String::with_capacity(end - start + 64);
    if start > 0 {
        html.push('…');
    }
    let mut cursor = start;
    for &(from, to, _) in matches.iter().filter(|m| m.0 >= start && m.1 <= end) {
        html.push_str(&escape_html(&text[cursor..from]));
        html.push_str("<mark>");
        html.push_str(&escape_html(&text[from..to]));
        html.push_str("</mark>");
        cursor = to;
    }
    html.push_str(&escape_html(&text[cursor..end]));
    if end < text.len() {
        html.push('…');
    }
    Some(Candidate { html, distinct })
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
    format!("{}…", escape_html(&text[..cut]))
}

/// What one search highlights: its terms, their start filter, and how many query words it has.
#[derive(Debug)]
pub struct SnippetQuery {
    pub terms: BTreeSet<String>,
    pub filter: WordStartFilter,
    pub wanted: usize,
    /// Words already analysed during this search, and which term (if any) each is: hits share most words.
    seen: std::collections::HashMap<String, Option<usize>>,
}

impl SnippetQuery {
    /// The highlighting of a query with `wanted` words and these terms.
    pub fn new(terms: BTreeSet<String>, wanted: usize) -> SnippetQuery {
        let filter = WordStartFilter::new(&terms);
        SnippetQuery { terms, filter, wanted, seen: std::collections::HashMap::new() }
    }
}

/// The texts of a hit a snippet may come from, in order of preference.
fn snippet_sources(hit: &HitRecord) -> Vec<std::borrow::Cow<'_, str>> {
    use std::borrow::Cow;
    let mut sources: Vec<Cow<'_, str>> = vec![Cow::Borrowed(hit.title.as_str())];
    if !hit.names.is_empty() {
        sources.push(Cow::Owned(hit.names.join(" · ")));
    }
    sources.extend(hit.body.iter().map(|part| Cow::Borrowed(part.as_str())));
    sources
}

/// The snippet of a hit: matched codes first, then the best-matching fragment of title, names or body.
/// `wanted` is how many query words there are: a fragment matching that many distinct terms ends the scan.
pub fn snippet(hit: &HitRecord, query: &mut SnippetQuery, matched_codes: &[String]) -> String {
    let wanted = query.wanted;
    let sources = snippet_sources(hit);
    let mut best: Option<Candidate> = None;
    for text in &sources {
        if let Some(candidate) = best_fragment(text, query)
            && best.as_ref().is_none_or(|b| candidate.distinct > b.distinct) {
                best = Some(candidate);
            }
        if best.as_ref().is_some_and(|b| b.distinct >= wanted.max(1)) {
            break;
        }
    }
    let mut out = String::new();
    for code in matched_codes {
        out.push_str("<mark>");
        out.push_str(&escape_html(code));
        out.push_str("</mark> ");
    }
    match best {
        Some(candidate) => out.push_str(&candidate.html),
        None if !matched_codes.is_empty() => out.push_str(&plain_start(&hit.title)),
        None => out.push_str(&plain_start(hit.body.first().unwrap_or(&hit.title))),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Entry, Kind};

    fn terms(words: &[&str]) -> BTreeSet<String> {
        words.iter().map(|w| crate::analysis::analyse(w)[0].term.clone()).collect()
    }

    #[test]
    fn matched_words_are_marked_and_text_escaped() {
        let mut entry = Entry::new("guide:x", Kind::Guide, "Carbon fibre <prepreg>");
        entry.summary = "Sheets of fiber & resin.".into();
        let html = snippet(&HitRecord::from_entry(&entry), &mut SnippetQuery::new(terms(&["fiber"]), 1), &[]);
        assert_eq!(html, "Carbon <mark>fibre</mark> &lt;prepreg&gt;");
    }

    #[test]
    fn codes_lead_the_snippet() {
        let entry = Entry::new("2B001", Kind::Control, "Machine tools");
        assert_eq!(snippet(&HitRecord::from_entry(&entry), &mut SnippetQuery::new(BTreeSet::new(), 0), &["2B001".into()]), "<mark>2B001</mark> Machine tools");
    }

    #[test]
    fn long_bodies_are_cut_around_the_match() {
        let mut entry = Entry::new("c", Kind::Control, "Title");
        entry.summary = format!("{} beryllium foil {}", "word ".repeat(100), "more ".repeat(100));
        let html = snippet(&HitRecord::from_entry(&entry), &mut SnippetQuery::new(terms(&["beryllium"]), 1), &[]);
        assert!(html.starts_with('…') && html.ends_with('…'), "{html}");
        assert!(html.contains("<mark>beryllium</mark>"));
        assert!(html.len() < 400);
    }
}
