//! The server's catalogue: the index built at start into `DATA_DIR/catalogue/` (reused when its content
//! version is unchanged), opened for search, and packed as the offline bundle served to field clients.

use std::path::Path;

use axum::body::Bytes;
use hotline_index::{BuildPlan, CatalogueIndex, ImportSource, bundle};
use hotline_protocol::{CatalogueInfo, ScreeningMatch, ScreeningResult};

/// The catalogue as served.
pub struct CatalogueService {
    pub index: CatalogueIndex,
    pub info: CatalogueInfo,
    /// The bundle file's bytes, served whole (it is a few MiB).
    pub bundle: Bytes,
}

impl CatalogueService {
    /// Screens a party name against the denied-party lists imported with `--import csl-json:PATH`
    /// (blocking CPU work: call it off the runtime). `None` when the server has no lists.
    pub fn screen(&self, name: &str, limit: usize) -> anyhow::Result<Option<Vec<ScreeningMatch>>> {
        let Some(lists) = self.index.screening()? else { return Ok(None) };
        Ok(Some(to_wire(lists.screen(name, limit)).matches))
    }

    /// The full screening result for `GET /api/v1/screen`, or `None` when the server has no lists.
    pub fn screening_result(&self, name: &str, limit: usize) -> anyhow::Result<Option<ScreeningResult>> {
        let Some(lists) = self.index.screening()? else { return Ok(None) };
        Ok(Some(to_wire(lists.screen(name, limit))))
    }
}

/// The protocol's screening result from the index's (scores rounded so that `0.98` stays `0.98` in JSON).
fn to_wire(result: hotline_index::screening::ScreeningResult) -> ScreeningResult {
    ScreeningResult {
        query: result.query,
        took_us: result.took_us,
        matches: result
            .matches
            .into_iter()
            .map(|m| ScreeningMatch {
                id: m.id,
                name: m.name,
                matched_name: m.matched_name,
                list: m.list,
                countries: m.countries,
                score: (f64::from(m.score) * 1000.0).round() / 1000.0,
                reason: m.reason,
            })
            .collect(),
    }
}

/// Builds (or reuses) the index and the bundle under `data_dir` (blocking: run it off the runtime).
pub fn prepare_blocking(data_dir: &Path, imports: &[ImportSource]) -> anyhow::Result<CatalogueService> {
    let index_dir = data_dir.join("catalogue");
    let bundle_file = data_dir.join("catalogue.bundle");
    let plan = BuildPlan { include_builtin: true, imports: imports.to_vec() };
    let (manifest, rebuilt) = hotline_index::build_or_reuse(&plan, &index_dir)?;
    let version = manifest.version.clone();
    if rebuilt {
        tracing::info!(entries = manifest.entries, parties = manifest.parties, version = %version, "catalogue index built");
    } else {
        tracing::info!(version = %version, "catalogue index reused");
    }
    let bundled = bundle::peek_manifest(&bundle_file).ok().map(|m| m.version);
    let info = if bundled.as_deref() == Some(version.as_str()) {
        let bytes = std::fs::metadata(&bundle_file)?.len();
        bundle::BundleInfo { version: version.clone(), bytes, sha256: bundle::file_sha256(&bundle_file)? }
    } else {
        bundle::pack(&index_dir, &bundle_file)?
    };
    let index = CatalogueIndex::open(&index_dir)?;
    let manifest = index.manifest().clone();
    let bundle = Bytes::from(std::fs::read(&bundle_file)?);
    Ok(CatalogueService {
        info: CatalogueInfo {
            version: manifest.version,
            built_at: manifest.built_at,
            entries: manifest.entries as u64,
            bytes: info.bytes,
            sha256: info.sha256,
        },
        index,
        bundle,
    })
}
