//! `hotline-index`: the catalogue of controlled items, its importers, its tantivy index, its search and its
//! offline bundle. One search implementation serves both the server and the offline field client.
//! This crate does no networking.

pub mod analysis;
mod build;
pub mod bundle;
mod catalogue;
pub mod codes;
mod error;
pub mod evaluation;
pub mod import;
mod model;
mod schema;
pub mod screening;
mod search;
mod starter;
pub mod synonyms;

pub use build::{
    BuildPlan, Manifest, PreparedBuild, assemble, build_index, build_or_reuse, now_rfc3339, prepare, read_manifest,
    write_index, write_prepared,
};
pub use catalogue::{Catalogue, SCHEMA_VERSION};
pub use error::{Error, Result};
pub use import::{ImportFormat, ImportSource};
pub use model::{Entry, HitRecord, Kind, Paragraph};
pub use search::{
    Alternative, AlternativeKind, CatalogueIndex, MAX_LIMIT, QueryPlan, SearchHit, SearchRequest, SearchResults,
    WordGroup, escape_html, split_query,
};
pub use starter::starter_entries;
