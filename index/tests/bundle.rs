//! The offline bundle: pack, unpack, verify; damaged bundles are refused and the old index kept.

use hotline_index::{BuildPlan, CatalogueIndex, SearchRequest, bundle};

fn built() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("index");
    hotline_index::build_index(&BuildPlan { include_builtin: true, imports: Vec::new() }, &out).unwrap();
    (dir, out)
}

#[test]
fn a_bundle_unpacks_into_a_searchable_index() {
    let (dir, index_dir) = built();
    let file = dir.path().join("catalogue.bundle");
    let info = bundle::pack(&index_dir, &file).unwrap();
    assert_eq!(info.sha256, bundle::file_sha256(&file).unwrap());
    assert_eq!(bundle::peek_manifest(&file).unwrap().version, info.version);
    let dest = dir.path().join("unpacked");
    let manifest = bundle::unpack(&file, &dest, Some(&info.sha256)).unwrap();
    assert_eq!(manifest.version, info.version);
    let index = CatalogueIndex::open(&dest).unwrap();
    assert!(!index.search(&SearchRequest::new("night vision goggles")).unwrap().hits.is_empty());
    let again = bundle::pack(&index_dir, &dir.path().join("again.bundle")).unwrap();
    assert_eq!(again.sha256, info.sha256, "packing the same directory gives the same bytes");
}

#[test]
fn a_corrupted_bundle_is_refused_and_the_old_index_kept() {
    let (dir, index_dir) = built();
    let file = dir.path().join("catalogue.bundle");
    let info = bundle::pack(&index_dir, &file).unwrap();
    let dest = dir.path().join("home-catalogue");
    bundle::unpack(&file, &dest, None).unwrap();

    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    let damaged = dir.path().join("damaged.bundle");
    std::fs::write(&damaged, &bytes).unwrap();
    let error = bundle::unpack(&damaged, &dest, Some(&info.sha256)).unwrap_err();
    assert!(error.to_string().contains("checksum mismatch"), "{error}");
    let error = bundle::unpack(&damaged, &dest, None).unwrap_err();
    assert!(error.to_string().contains("corrupted") || error.to_string().contains("damaged"), "{error}");

    let truncated = dir.path().join("truncated.bundle");
    std::fs::write(&truncated, &bytes[..middle]).unwrap();
    assert!(bundle::unpack(&truncated, &dest, None).is_err());

    let index = CatalogueIndex::open(&dest).expect("the old index is still there");
    assert_eq!(index.manifest().version, info.version);
}
