//! The tantivy schema of the catalogue index and how an entry becomes a document.

use tantivy::TantivyDocument;
use tantivy::schema::{FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions};

use crate::analysis::TOKENIZER_NAME;
use crate::codes::{canonical_eccn, hs_digits, prefixes};
use crate::{Entry, Kind};

/// The fields of the catalogue index.
#[derive(Debug, Clone, Copy)]
pub struct CatalogueFields {
    pub id: Field,
    pub kind: Field,
    pub category: Field,
    /// The entry's own code, normalised (`2b001`, `845811`).
    pub code: Field,
    /// Every prefix of the entry's own code of at least two characters.
    pub code_prefix: Field,
    /// Control codes the entry points to (cards, mapped HS headings), normalised.
    pub ref_control: Field,
    /// HS codes the entry maps to, and their 4-digit headings, as digits.
    pub ref_hs: Field,
    pub title: Field,
    pub names: Field,
    pub body: Field,
    /// The whole entry as JSON, for `show`.
    pub entry: Field,
    /// The entry's [`crate::HitRecord`] as JSON, for hits.
    pub hit: Field,
    /// Kind as a number for the ranking prior (see `KIND_PRIOR`).
    pub kind_rank: Field,
}

/// The text fields searched with words, and their weights.
pub const TEXT_WEIGHTS: [(TextField, f32); 3] =
    [(TextField::Title, 3.0), (TextField::Names, 2.5), (TextField::Body, 1.0)];

/// The analysed text fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextField {
    Title,
    Names,
    Body,
}

impl CatalogueFields {
    /// The tantivy field of a text field.
    pub fn text(&self, field: TextField) -> Field {
        match field {
            TextField::Title => self.title,
            TextField::Names => self.names,
            TextField::Body => self.body,
        }
    }

    /// Resolves the fields in an opened index's schema.
    pub fn from_schema(schema: &Schema) -> tantivy::Result<CatalogueFields> {
        let f = |name: &str| schema.get_field(name);
        Ok(CatalogueFields {
            id: f("id")?,
            kind: f("kind")?,
            category: f("category")?,
            code: f("code")?,
            code_prefix: f("code_prefix")?,
            ref_control: f("ref_control")?,
            ref_hs: f("ref_hs")?,
            title: f("title")?,
            names: f("names")?,
            body: f("body")?,
            entry: f("entry")?,
            hit: f("hit")?,
            kind_rank: f("kind_rank")?,
        })
    }
}

/// Builds the schema.
pub fn build_schema() -> Schema {
    let mut builder = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer(TOKENIZER_NAME).set_index_option(IndexRecordOption::WithFreqs),
    );
    builder.add_text_field("id", STRING | STORED);
    builder.add_text_field("kind", STRING);
    builder.add_text_field("category", STRING);
    builder.add_text_field("code", STRING);
    builder.add_text_field("code_prefix", STRING);
    builder.add_text_field("ref_control", STRING);
    builder.add_text_field("ref_hs", STRING);
    builder.add_text_field("title", text.clone());
    builder.add_text_field("names", text.clone());
    builder.add_text_field("body", text);
    builder.add_text_field("entry", STORED);
    builder.add_text_field("hit", STORED);
    builder.add_u64_field("kind_rank", FAST);
    builder.build()
}

/// The normalised form of a code for the code fields: lowercase ECCN or HS digits.
pub fn normalised_code(code: &str) -> Option<String> {
    canonical_eccn(code).map(|c| c.to_ascii_lowercase()).or_else(|| hs_digits(code))
}

/// Turns one entry into its document.
pub fn entry_document(fields: &CatalogueFields, entry: &Entry) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.id, &entry.id);
    doc.add_text(fields.kind, entry.kind.as_str());
    if let Some(category) = &entry.category {
        doc.add_text(fields.category, category);
    }
    if let Some(code) = entry.code.as_deref().and_then(normalised_code) {
        for prefix in prefixes(&code) {
            doc.add_text(fields.code_prefix, prefix);
        }
        doc.add_text(fields.code, &code);
    }
    for control in &entry.controls {
        if entry.kind == Kind::Control && Some(control) == entry.code.as_ref() {
            continue;
        }
        if let Some(code) = normalised_code(control) {
            doc.add_text(fields.ref_control, &code);
        }
    }
    for hs in &entry.hs {
        if entry.kind == Kind::Hs && Some(hs) == entry.code.as_ref() {
            continue;
        }
        if let Some(digits) = hs_digits(hs) {
            doc.add_text(fields.ref_hs, &digits);
            if digits.len() > 4 {
                doc.add_text(fields.ref_hs, &digits[..4]);
            }
        }
    }
    doc.add_text(fields.title, &entry.title);
    for name in &entry.names {
        doc.add_text(fields.names, name);
    }
    doc.add_text(fields.body, entry.body_text());
    doc.add_u64(fields.kind_rank, kind_rank(entry.kind));
    doc.add_text(fields.hit, serde_json::to_string(&crate::HitRecord::from_entry(entry)).expect("hits serialise"));
    doc.add_text(fields.entry, serde_json::to_string(entry).expect("entries serialise"));
    doc
}

/// The number stored for a kind in `kind_rank`.
pub fn kind_rank(kind: Kind) -> u64 {
    match kind {
        Kind::Guide => 0,
        Kind::Control => 1,
        Kind::Hs => 2,
    }
}

/// Score multiplier per `kind_rank`: cards are written for officers and explain the most, HS headings are
/// many and terse, so for equal text evidence a card ranks first, then the control entry, then the heading.
pub const KIND_PRIOR: [f32; 3] = [1.25, 1.0, 0.8];
