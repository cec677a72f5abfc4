//! Highlighted snippets that show why a hit matched, for exact, synonym, typo and prefix matches alike.
//!
//! The snippet is HTML: the entry's text escaped, matched words wrapped in `<mark>`. Because highlighting uses
//! the query's own expansions (not tantivy's snippet generator), fuzzy and prefix matches are marked too.

use std::collections::BTreeSet;

use crate::analysis::analyse;
use crate::Entry;

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
fn best_fragment(text: &str, terms: &BTreeSet<String>) -> Option<Candidate> {
    let tokens = analyse(text);
    let matches: Vec<(usize, usize, &str)> = tokens
        .iter()
        .filter(|t| terms.contains(&t.term))
        .map(|t| (t.start, t.end, t.term.as_str()))
        .collect();
    if matches.is_empty() {
        return None;
    }
    let mut best = (0usize, 0usize);
    for first in 0..matches.len() {
        let limit = matches[first].0 + WINDOW - LEAD.min(matches[first].0);
        let distinct: BTreeSet<&str> =
            matches[first..].iter().take_while(|m| m.1 <= limit).map(|m| m.2).collect();
        if distinct.len() > best.1 {
            best = (first, distinct.len());
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
    if end < text.len() {
        if let Some(space) = text[matches[first].1.min(end)..end].rfind(char::is_whitespace) {
            end = matches[first].1.min(end) + space;
        }
    }
    let mut html = String::new();
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

/// The snippet of a hit: matched codes first, then the best-matching fragment of title, names or body.
pub fn snippet(entry: &Entry, terms: &BTreeSet<String>, matched_codes: &[String]) -> String {
    let names = entry.names.join(" · ");
    let body = entry.body_text();
    let mut best: Option<Candidate> = None;
    for text in [&entry.title, &names, &body] {
        if let Some(candidate) = best_fragment(text, terms) {
            if best.as_ref().is_none_or(|b| candidate.distinct > b.distinct) {
                best = Some(candidate);
            }
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
        None if !matched_codes.is_empty() => out.push_str(&plain_start(&entry.title)),
        None => out.push_str(&plain_start(if body.is_empty() { &entry.title } else { &body })),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Kind;

    fn terms(words: &[&str]) -> BTreeSet<String> {
        words.iter().map(|w| analyse(w)[0].term.clone()).collect()
    }

    #[test]
    fn matched_words_are_marked_and_text_escaped() {
        let mut entry = Entry::new("guide:x", Kind::Guide, "Carbon fibre <prepreg>");
        entry.summary = "Sheets of fiber & resin.".into();
        let html = snippet(&entry, &terms(&["fiber"]), &[]);
        assert_eq!(html, "Carbon <mark>fibre</mark> &lt;prepreg&gt;");
    }

    #[test]
    fn codes_lead_the_snippet() {
        let entry = Entry::new("2B001", Kind::Control, "Machine tools");
        assert_eq!(snippet(&entry, &BTreeSet::new(), &["2B001".into()]), "<mark>2B001</mark> Machine tools");
    }

    #[test]
    fn long_bodies_are_cut_around_the_match() {
        let mut entry = Entry::new("c", Kind::Control, "Title");
        entry.summary = format!("{} beryllium foil {}", "word ".repeat(100), "more ".repeat(100));
        let html = snippet(&entry, &terms(&["beryllium"]), &[]);
        assert!(html.starts_with('…') && html.ends_with('…'), "{html}");
        assert!(html.contains("<mark>beryllium</mark>"));
        assert!(html.len() < 400);
    }
}
