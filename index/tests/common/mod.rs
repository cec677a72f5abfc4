//! Helpers shared by the index crate's integration tests: the real data sets and a full index built once.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use hotline_index::CatalogueIndex;

/// `../shared/data` relative to the repository root.
pub fn shared_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data")
}

/// The real data file, or `None` (and a note on stderr) when this clone has no `../shared/data`.
pub fn real_data(relative: &str) -> Option<PathBuf> {
    let path = shared_data().join(relative);
    if path.exists() {
        Some(path)
    } else {
        eprintln!("SKIPPED: this test needs the real data set {} (absent in this clone)", path.display());
        None
    }
}

/// The full index (starter + CCL + HS), built once per test binary into a temporary directory.
pub fn full_index() -> Option<&'static CatalogueIndex> {
    static INDEX: OnceLock<Option<(tempfile::TempDir, CatalogueIndex)>> = OnceLock::new();
    INDEX
        .get_or_init(|| {
            real_data("ccl/ccl.json")?;
            real_data("hs/harmonized-system.csv")?;
            let dir = tempfile::tempdir().expect("temporary directory");
            let out = dir.path().join("index");
            let plan = hotline_index::evaluation::full_catalogue_plan(&shared_data());
            hotline_index::build_index(&plan, &out).expect("full index builds");
            let index = CatalogueIndex::open(&out).expect("full index opens");
            Some((dir, index))
        })
        .as_ref()
        .map(|(_, index)| index)
}

/// The evaluation query sets.
pub fn eval_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("eval")
}
