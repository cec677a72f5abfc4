//! Importers: each turns one source file into catalogue entries, or fails whole with the file, record and problem.

mod ccl;
mod hs;
mod jsonl;

use std::path::{Path, PathBuf};

use crate::{Entry, Error, Result};

pub use ccl::import_ccl_json;
pub use hs::import_hs_csv;
pub use jsonl::{import_catalogue_jsonl, parse_catalogue_jsonl};

/// The formats `--import FORMAT:PATH` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    /// The US Commerce Control List as JSON (`entries[]` with `eccn`, `heading`, `items`, ...).
    CclJson,
    /// HS nomenclature CSV with columns `section,hscode,description,parent,level`.
    HsCsv,
    /// The project's own JSON Lines format (docs/catalogue-format.md).
    CatalogueJsonl,
    /// The Consolidated Screening List JSON (denied parties; used by screening, not search).
    CslJson,
}

impl ImportFormat {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            ImportFormat::CclJson => "ccl-json",
            ImportFormat::HsCsv => "hs-csv",
            ImportFormat::CatalogueJsonl => "catalogue-jsonl",
            ImportFormat::CslJson => "csl-json",
        }
    }

    /// Parses a format name.
    pub fn parse(name: &str) -> Option<ImportFormat> {
        [ImportFormat::CclJson, ImportFormat::HsCsv, ImportFormat::CatalogueJsonl, ImportFormat::CslJson]
            .into_iter()
            .find(|format| format.name() == name)
    }
}

/// One `--import FORMAT:PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSource {
    pub format: ImportFormat,
    pub path: PathBuf,
}

impl std::str::FromStr for ImportSource {
    type Err = Error;

    fn from_str(spec: &str) -> Result<ImportSource> {
        let (name, path) = spec.split_once(':').ok_or_else(|| {
            Error::BadImportSpec(format!(
                "import {spec:?} must be FORMAT:PATH, e.g. ccl-json:../shared/data/ccl/ccl.json"
            ))
        })?;
        let format = ImportFormat::parse(name).ok_or_else(|| {
            Error::BadImportSpec(format!(
                "unknown import format {name:?}: use ccl-json, hs-csv, catalogue-jsonl or csl-json"
            ))
        })?;
        if path.is_empty() {
            return Err(Error::BadImportSpec(format!("import {spec:?} names no file")));
        }
        Ok(ImportSource { format, path: PathBuf::from(path) })
    }
}

impl std::fmt::Display for ImportSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.format.name(), self.path.display())
    }
}

/// Reads a whole file, naming it in the error.
pub(crate) fn read_file(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| Error::io(path, source))
}

/// Short source label stored in each entry: `format:file-name`.
pub(crate) fn source_label(format: ImportFormat, path: &Path) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    format!("{}:{name}", format.name())
}

/// Imports one catalogue source (not `csl-json`, which feeds screening).
pub fn import(source: &ImportSource) -> Result<Vec<Entry>> {
    match source.format {
        ImportFormat::CclJson => import_ccl_json(&source.path),
        ImportFormat::HsCsv => import_hs_csv(&source.path),
        ImportFormat::CatalogueJsonl => import_catalogue_jsonl(&source.path),
        ImportFormat::CslJson => {
            Err(Error::BadImportSpec("csl-json is a denied-party list, not catalogue entries".into()))
        }
    }
}
