//! The catalogue model: one `Entry` type for control-list entries, identification cards and HS headings.

use serde::{Deserialize, Serialize};

/// The three kinds of catalogue entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A control-list entry such as ECCN `2B001`.
    Control,
    /// An identification card written for officers.
    Guide,
    /// A Harmonized System heading or subheading.
    Hs,
}

impl Kind {
    /// The lowercase name used on the wire and in the index.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Control => "control",
            Kind::Guide => "guide",
            Kind::Hs => "hs",
        }
    }

    /// Parses `control`, `guide` or `hs` (any case).
    pub fn parse(text: &str) -> Option<Kind> {
        match text.to_ascii_lowercase().as_str() {
            "control" => Some(Kind::Control),
            "guide" => Some(Kind::Guide),
            "hs" => Some(Kind::Hs),
            _ => None,
        }
    }

    /// All kinds, in display order.
    pub const ALL: [Kind; 3] = [Kind::Control, Kind::Guide, Kind::Hs];
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One paragraph of a control-list entry (`2B001.b.2` and its text).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Paragraph {
    /// Paragraph label such as `b.2`, absent for running text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// `item`, `note` or `text`, as in the source list.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
    /// Nesting depth in the source list (0 for running text).
    #[serde(default)]
    pub depth: u32,
    /// The paragraph's text.
    pub text: String,
}

/// One catalogue entry, whole. Fields that do not apply to a kind stay empty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Stable id: the ECCN for controls (`2B001`), `hs:8458.11` for HS, `guide:slug` for cards.
    pub id: String,
    pub kind: Kind,
    /// The code officers type: ECCN or HS code; none for cards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub title: String,
    /// Control-list category digit (`0`..`9`) for controls and cards; the HS chapter for HS headings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Trade names, synonyms and spelling variants.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
    /// What it is, in plain words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub summary: String,
    /// What it looks like: shape, size, markings, packaging.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub looks_like: String,
    /// Legitimate uses.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub uses: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub red_flags: Vec<String>,
    /// Every control-list code this entry is or points to.
    #[serde(default)]
    pub controls: Vec<String>,
    /// Every HS code this entry is or maps to (`8458.11`, `8458`).
    #[serde(default)]
    pub hs: Vec<String>,
    /// Export-control regimes: Wassenaar, NSG, MTCR, Australia Group, CWC.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regimes: Vec<String>,
    /// Reasons for control as listed (`NS, NP, AT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasons: Option<String>,
    /// The list's paragraphs (controls only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paragraphs: Vec<Paragraph>,
    /// Related controls text from the list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related: Option<String>,
    /// Parent entry id (HS subheading → heading → chapter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Where the entry came from: `builtin`, or the import's format and file name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
}

impl Entry {
    /// A bare entry with the fields every kind has; the rest empty.
    pub fn new(id: impl Into<String>, kind: Kind, title: impl Into<String>) -> Entry {
        Entry {
            id: id.into(),
            kind,
            code: None,
            title: title.into(),
            category: None,
            names: Vec::new(),
            summary: String::new(),
            looks_like: String::new(),
            uses: String::new(),
            red_flags: Vec::new(),
            controls: Vec::new(),
            hs: Vec::new(),
            regimes: Vec::new(),
            reasons: None,
            paragraphs: Vec::new(),
            related: None,
            parent: None,
            source: String::new(),
        }
    }

    /// The descriptive text searched with normal weight, in display order.
    pub fn body_text(&self) -> String {
        let mut parts: Vec<&str> = Vec::new();
        for part in [&self.summary, &self.looks_like, &self.uses] {
            if !part.is_empty() {
                parts.push(part);
            }
        }
        for flag in &self.red_flags {
            parts.push(flag);
        }
        for paragraph in &self.paragraphs {
            parts.push(&paragraph.text);
        }
        parts.join(" \n")
    }
}

/// What a search hit needs of an entry, stored beside it so that hits do not parse whole entries: the codes,
/// the names and the first [`HitRecord::BODY_LIMIT`] bytes of the body, in parts, for the snippet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HitRecord {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    pub code: Option<String>,
    pub controls: Vec<String>,
    pub hs: Vec<String>,
    pub names: Vec<String>,
    pub body: Vec<String>,
}

impl HitRecord {
    /// Most bytes of an entry's body kept for snippets: long control entries are cut, so that a snippet costs
    /// microseconds; the whole text is still searched.
    pub const BODY_LIMIT: usize = 1_200;

    /// The hit record of an entry.
    pub fn from_entry(entry: &Entry) -> HitRecord {
        let mut budget = Self::BODY_LIMIT;
        let mut body = Vec::new();
        let parts = [&entry.summary, &entry.looks_like, &entry.uses]
            .into_iter()
            .map(String::as_str)
            .chain(entry.red_flags.iter().map(String::as_str))
            .chain(entry.paragraphs.iter().map(|p| p.text.as_str()));
        for part in parts.filter(|p| !p.is_empty()) {
            if budget == 0 {
                break;
            }
            let mut end = part.len().min(budget);
            while !part.is_char_boundary(end) {
                end -= 1;
            }
            budget -= end;
            body.push(part[..end].to_string());
        }
        HitRecord {
            id: entry.id.clone(),
            kind: entry.kind,
            title: entry.title.clone(),
            code: entry.code.clone(),
            controls: entry.controls.clone(),
            hs: entry.hs.clone(),
            names: entry.names.clone(),
            body,
        }
    }
}
