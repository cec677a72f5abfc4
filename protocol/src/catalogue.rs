//! Catalogue wire types: search results, catalogue info.

use serde::{Deserialize, Serialize};

/// `GET /api/v1/search` and `field search --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResult {
    pub query: String,
    pub total: u64,
    pub took_us: u64,
    pub hits: Vec<SearchHit>,
}

/// One search hit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    pub id: String,
    /// `control`, `guide` or `hs`.
    pub kind: String,
    pub title: String,
    pub code: Option<String>,
    /// Every control-list code the hit is or points to.
    pub controls: Vec<String>,
    /// Every HS code the hit is or maps to.
    pub hs: Vec<String>,
    pub score: f32,
    /// HTML: escaped text with `<mark>` around what matched.
    pub snippet: String,
}

/// `GET /api/v1/catalogue`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogueInfo {
    /// Content hash; also the bundle's ETag.
    pub version: String,
    pub built_at: String,
    pub entries: u64,
    pub bytes: u64,
    pub sha256: String,
}
