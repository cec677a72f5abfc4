//! The index crate's error type.

use std::path::PathBuf;

/// Everything that can go wrong while importing, building, opening or searching a catalogue.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// One record of an import file is wrong; nothing from that file was imported.
    #[error("{path}: {record}: {problem}; nothing was imported from this file")]
    BadRecord { path: PathBuf, record: String, problem: String },
    /// An import file as a whole is wrong (not JSON, wrong columns, no entries).
    #[error("{path}: {problem}; nothing was imported from this file")]
    BadFile { path: PathBuf, problem: String },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    /// Two sources define the same entry id.
    #[error("entry id {id:?} is defined twice ({first} and {second}); ids must be unique")]
    DuplicateId { id: String, first: String, second: String },
    /// An import spec such as `ccl-json:PATH` is malformed.
    #[error("{0}")]
    BadImportSpec(String),
    /// The directory holds no catalogue index.
    #[error("no catalogue index in {0}: build one with `field index build --out DIR` or fetch one with `field sync`")]
    NoIndex(PathBuf),
    /// A bundle file is damaged or of another format.
    #[error("catalogue bundle {path}: {problem}")]
    BadBundle { path: PathBuf, problem: String },
    /// The query cannot be run.
    #[error("{0}")]
    BadQuery(String),
    /// tantivy failed.
    #[error("search index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io { path: path.into(), source }
    }
}

/// Result with the index crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
