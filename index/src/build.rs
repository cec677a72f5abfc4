//! Building an index directory from sources: import, link, write tantivy, write the manifest. All or nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tantivy::Index;

use crate::analysis::{CatalogueTokenizer, TOKENIZER_NAME};
use crate::import::{ImportFormat, ImportSource, import};
use crate::schema::{CatalogueFields, build_schema, entry_document};
use crate::screening::ScreeningList;
use crate::starter::starter_entries;
use crate::{Catalogue, Error, Result};

/// Name of the manifest file in an index directory.
pub const MANIFEST_FILE: &str = "manifest.json";
/// Name of the tantivy directory in an index directory.
pub const TANTIVY_DIR: &str = "tantivy";
/// Version of the index directory layout.
pub const FORMAT_VERSION: u32 = 1;

/// What an index directory holds: written last, so a directory with a manifest is complete.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// Content hash of the catalogue (same sources, same version).
    pub version: String,
    /// RFC 3339 UTC.
    pub built_at: String,
    pub entries: usize,
    pub by_kind: BTreeMap<String, usize>,
    /// `builtin` and each import as `format:file-name`.
    pub sources: Vec<String>,
    /// Parties of the denied-party lists imported for screening (`csl-json`).
    #[serde(default)]
    pub parties: usize,
}

/// What to build: the starter catalogue (unless left out) plus imports.
#[derive(Debug, Clone, Default)]
pub struct BuildPlan {
    pub include_builtin: bool,
    pub imports: Vec<ImportSource>,
}

/// Imports every catalogue source of the plan into one linked catalogue (denied-party lists are left out).
pub fn assemble(plan: &BuildPlan) -> Result<Catalogue> {
    let mut catalogue = Catalogue::new();
    if plan.include_builtin {
        catalogue.add(starter_entries()?)?;
    }
    for source in &plan.imports {
        if source.format == ImportFormat::CslJson {
            continue;
        }
        catalogue.add(import(source)?)?;
    }
    catalogue.link_cross_references();
    Ok(catalogue)
}

/// Everything a build needs, imported and checked, before anything is written.
#[derive(Debug)]
pub struct PreparedBuild {
    pub catalogue: Catalogue,
    pub screening: Option<ScreeningList>,
    /// The content version of the whole build: catalogue entries and denied-party list files.
    pub version: String,
    pub sources: Vec<String>,
}

/// Imports every source of the plan (all or nothing) and computes the build's version.
pub fn prepare(plan: &BuildPlan) -> Result<PreparedBuild> {
    let catalogue = assemble(plan)?;
    if catalogue.is_empty() {
        return Err(Error::BadImportSpec(
            "nothing to index: the built-in catalogue is left out and no import was given".into(),
        ));
    }
    let mut screening: Option<ScreeningList> = None;
    let mut hasher = Sha256::new();
    hasher.update(catalogue.version().as_bytes());
    for source in plan.imports.iter().filter(|s| s.format == ImportFormat::CslJson) {
        let list = ScreeningList::import_csl_json(&source.path)?;
        hasher.update(b"\ncsl-json ");
        hasher.update(crate::bundle::file_sha256(&source.path)?.as_bytes());
        match screening.as_mut() {
            Some(all) => all.merge(list),
            None => screening = Some(list),
        }
    }
    let version = if screening.is_some() { hex::encode(&hasher.finalize()[..10]) } else { catalogue.version() };
    let mut sources = Vec::new();
    if plan.include_builtin {
        sources.push("builtin".to_string());
    }
    sources.extend(plan.imports.iter().map(|s| {
        let name = s.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        format!("{}:{name}", s.format.name())
    }));
    Ok(PreparedBuild { catalogue, screening, version, sources })
}

/// Imports, links and writes a complete index into `out` (replaced only once the new one is whole).
pub fn build_index(plan: &BuildPlan, out: &Path) -> Result<Manifest> {
    write_prepared(&prepare(plan)?, out)
}

/// Like [`build_index`], but keeps the index already in `out` when its version is the one the plan gives.
/// Returns the manifest and whether the index was (re)built.
pub fn build_or_reuse(plan: &BuildPlan, out: &Path) -> Result<(Manifest, bool)> {
    let prepared = prepare(plan)?;
    if let Ok(existing) = read_manifest(out)
        && existing.version == prepared.version
        && existing.format == FORMAT_VERSION
    {
        return Ok((existing, false));
    }
    Ok((write_prepared(&prepared, out)?, true))
}

/// Writes a catalogue as an index directory at `out` (no screening lists; see [`write_prepared`]).
pub fn write_index(catalogue: &Catalogue, sources: Vec<String>, out: &Path) -> Result<Manifest> {
    let prepared = PreparedBuild {
        version: catalogue.version(),
        catalogue: Catalogue::clone_of(catalogue),
        screening: None,
        sources,
    };
    write_prepared(&prepared, out)
}

/// Writes a prepared build as an index directory at `out`.
pub fn write_prepared(prepared: &PreparedBuild, out: &Path) -> Result<Manifest> {
    let catalogue = &prepared.catalogue;
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    let staging = staging_path(out);
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
    }
    let tantivy_dir = staging.join(TANTIVY_DIR);
    std::fs::create_dir_all(&tantivy_dir).map_err(|e| Error::io(&tantivy_dir, e))?;

    let schema = build_schema();
    let fields = CatalogueFields::from_schema(&schema)?;
    let index = Index::create_in_dir(&tantivy_dir, schema)?;
    index.tokenizers().register(TOKENIZER_NAME, CatalogueTokenizer);
    let mut writer = index.writer_with_num_threads::<tantivy::TantivyDocument>(1, 100_000_000)?;
    for entry in catalogue.entries() {
        writer.add_document(entry_document(&fields, entry))?;
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    if let Some(screening) = &prepared.screening {
        screening.save(&staging)?;
    }

    let manifest = Manifest {
        format: FORMAT_VERSION,
        version: prepared.version.clone(),
        built_at: now_rfc3339(),
        entries: catalogue.len(),
        by_kind: catalogue.by_kind(),
        sources: prepared.sources.clone(),
        parties: prepared.screening.as_ref().map_or(0, ScreeningList::len),
    };
    write_manifest(&staging, &manifest)?;
    replace_dir(&staging, out)?;
    Ok(manifest)
}

/// Writes `manifest.json` into `dir`.
pub(crate) fn write_manifest(dir: &Path, manifest: &Manifest) -> Result<()> {
    let path = dir.join(MANIFEST_FILE);
    let json = serde_json::to_vec_pretty(manifest).expect("manifest serialises");
    std::fs::write(&path, json).map_err(|e| Error::io(&path, e))
}

/// Reads `manifest.json` from an index directory.
pub fn read_manifest(dir: &Path) -> Result<Manifest> {
    let path = dir.join(MANIFEST_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::NoIndex(dir.to_path_buf()),
        _ => Error::io(&path, e),
    })?;
    serde_json::from_str(&text)
        .map_err(|e| Error::BadBundle { path: path.clone(), problem: format!("unreadable manifest: {e}") })
}

/// A sibling path for building `out` before it replaces the old one.
pub(crate) fn staging_path(out: &Path) -> PathBuf {
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "index".into());
    out.with_file_name(format!(".{name}.building-{}", std::process::id()))
}

/// Moves `staging` to `out`, replacing any old directory there.
pub(crate) fn replace_dir(staging: &Path, out: &Path) -> Result<()> {
    if out.exists() {
        let old = out.with_file_name(format!(
            ".{}.old-{}",
            out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            std::process::id()
        ));
        std::fs::rename(out, &old).map_err(|e| Error::io(out, e))?;
        std::fs::rename(staging, out).map_err(|e| Error::io(out, e))?;
        std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
    } else {
        std::fs::rename(staging, out).map_err(|e| Error::io(out, e))?;
    }
    Ok(())
}

/// The current time as RFC 3339 UTC, whole seconds.
pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc().replace_nanosecond(0).expect("zero nanoseconds is valid");
    now.format(&time::format_description::well_known::Rfc3339).expect("RFC 3339 formats")
}
