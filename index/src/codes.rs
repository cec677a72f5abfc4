//! Recognising and normalising control-list codes (ECCNs) and HS codes as officers type them.
//!
//! Codes are never fuzzy-matched: `2B001` and `2B003` are one edit apart and mean different things.

/// What a query token looks like as a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeToken {
    /// A whole ECCN, normalised lowercase (`2b001`), with the paragraph part dropped.
    Eccn(String),
    /// The start of an ECCN (`2b`, `2b0`), lowercase.
    EccnPrefix(String),
    /// HS digits without punctuation (`845811`, `8458`, `84`).
    Hs(String),
}

/// Canonical ECCN spelling (`2B001`) if `text` is one, ignoring case, spaces and a paragraph suffix.
pub fn canonical_eccn(text: &str) -> Option<String> {
    let compact: String = text.trim().chars().filter(|c| !c.is_whitespace()).collect();
    let base = compact.split('.').next().unwrap_or("");
    is_eccn(base).then(|| base.to_ascii_uppercase())
}

/// True for five characters shaped like an ECCN: digit, letter A–E, three digits.
pub fn is_eccn(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 5
        && b[0].is_ascii_digit()
        && matches!(b[1].to_ascii_uppercase(), b'A'..=b'E')
        && b[2..].iter().all(u8::is_ascii_digit)
}

/// True for the start of an ECCN of at least two characters (`2B`, `2b00`).
fn is_eccn_prefix(text: &str) -> bool {
    let b = text.as_bytes();
    (2..5).contains(&b.len())
        && b[0].is_ascii_digit()
        && matches!(b[1].to_ascii_uppercase(), b'A'..=b'E')
        && b[2..].iter().all(u8::is_ascii_digit)
}

/// HS digits (`845811`) from any punctuation (`8458.11`, `8458 11`, `8458-11`), if `text` is an HS code.
pub fn hs_digits(text: &str) -> Option<String> {
    let trimmed = text.trim();
    if trimmed.is_empty() || !trimmed.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | ' ' | '-')) {
        return None;
    }
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    (2..=10).contains(&digits.len()).then_some(digits)
}

/// The display form of HS digits: `8458`, `8458.11`, `8458.11.90`.
pub fn hs_display(digits: &str) -> String {
    match digits.len() {
        0..=4 => digits.to_string(),
        5..=6 => format!("{}.{}", &digits[..4], &digits[4..]),
        _ => format!("{}.{}.{}", &digits[..4], &digits[4..6], &digits[6..]),
    }
}

/// The catalogue id of an HS heading given its digits.
pub fn hs_id(digits: &str) -> String {
    format!("hs:{}", hs_display(digits))
}

/// Classifies one raw query token (`ECCN`-shaped, HS-shaped or neither).
pub fn classify(token: &str) -> Option<CodeToken> {
    if let Some(eccn) = canonical_eccn(token) {
        return Some(CodeToken::Eccn(eccn.to_ascii_lowercase()));
    }
    let lower = token.to_ascii_lowercase();
    if is_eccn_prefix(&lower) {
        return Some(CodeToken::EccnPrefix(lower));
    }
    hs_digits(token).map(CodeToken::Hs)
}

/// The terms an entry's own code is indexed under for prefix lookup: every prefix of at least two characters.
pub fn prefixes(normalised: &str) -> impl Iterator<Item = &str> {
    (2..=normalised.len()).map(move |end| &normalised[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eccns_in_any_case_and_with_paragraphs() {
        assert_eq!(canonical_eccn("2b001"), Some("2B001".into()));
        assert_eq!(canonical_eccn("2B001.b.2"), Some("2B001".into()));
        assert_eq!(canonical_eccn(" 9a004 "), Some("9A004".into()));
        assert_eq!(canonical_eccn("2F001"), None);
        assert_eq!(canonical_eccn("2B0011"), None);
        assert_eq!(canonical_eccn("845811"), None);
    }

    #[test]
    fn hs_codes_in_any_punctuation() {
        assert_eq!(hs_digits("8458.11"), Some("845811".into()));
        assert_eq!(hs_digits("845811"), Some("845811".into()));
        assert_eq!(hs_digits("8458"), Some("8458".into()));
        assert_eq!(hs_digits("8458-11"), Some("845811".into()));
        assert_eq!(hs_digits("5"), None);
        assert_eq!(hs_digits("84a"), None);
        assert_eq!(hs_display("845811"), "8458.11");
        assert_eq!(hs_id("8458"), "hs:8458");
    }

    #[test]
    fn query_tokens_are_classified() {
        assert_eq!(classify("2B001.b.2"), Some(CodeToken::Eccn("2b001".into())));
        assert_eq!(classify("2b"), Some(CodeToken::EccnPrefix("2b".into())));
        assert_eq!(classify("2B00"), Some(CodeToken::EccnPrefix("2b00".into())));
        assert_eq!(classify("8458.11"), Some(CodeToken::Hs("845811".into())));
        assert_eq!(classify("lathe"), None);
        assert_eq!(classify("5"), None);
    }

    #[test]
    fn prefixes_start_at_two_characters() {
        assert_eq!(prefixes("2b001").collect::<Vec<_>>(), ["2b", "2b0", "2b00", "2b001"]);
    }
}
