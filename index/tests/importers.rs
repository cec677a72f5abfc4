//! Bad-file tests for every importer: a clear error naming the file, the record and the problem, and nothing built.

use std::path::Path;

use hotline_index::{BuildPlan, CatalogueIndex, Error, ImportSource};

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// Builds with one import and returns the error text, checking that no index was written.
#[track_caller]
fn build_error(format: &str, name: &str, text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), name, text);
    let out = dir.path().join("index");
    let source: ImportSource = format!("{format}:{path}").parse().unwrap();
    let plan = BuildPlan { include_builtin: true, imports: vec![source] };
    let error = hotline_index::build_index(&plan, &out).expect_err("a bad file is refused");
    assert!(!out.exists(), "nothing is written when an import fails");
    let message = error.to_string();
    assert!(message.contains(name), "the error names the file: {message}");
    message
}

#[test]
fn ccl_json_errors_name_the_record() {
    let message = build_error(
        "ccl-json",
        "ccl.json",
        "{\"entries\": [{\"eccn\": \"2B001\", \"heading\": \"Machine tools\"}, {\"eccn\": \"2X001\", \"heading\": \"x\"}]}",
    );
    assert!(message.contains("entry 2 (eccn 2X001)") && message.contains("not an ECCN"), "{message}");
    let message = build_error("ccl-json", "broken.json", "{\"entries\": [");
    assert!(message.contains("not CCL JSON"), "{message}");
    let message = build_error("ccl-json", "other.json", "{\"items\": []}");
    assert!(message.contains("no \"entries\" array"), "{message}");
    let message = build_error("ccl-json", "noheading.json", "{\"entries\": [{\"eccn\": \"2B001\"}]}");
    assert!(message.contains("entry 1") && message.contains("heading"), "{message}");
}

#[test]
fn hs_csv_errors_name_the_line() {
    let header = "section,hscode,description,parent,level\n";
    let message = build_error("hs-csv", "hs.csv", &format!("{header}XVI,8458,Lathes,84,4\nXVI,84581,Lathes,8458,6\n"));
    assert!(message.contains("line 3") && message.contains("6 digits"), "{message}");
    let message = build_error("hs-csv", "cols.csv", "code,text\n8458,Lathes\n");
    assert!(message.contains("columns"), "{message}");
    let message = build_error("hs-csv", "nodesc.csv", &format!("{header}XVI,8458,,84,4\n"));
    assert!(message.contains("line 2") && message.contains("no description"), "{message}");
    let message = build_error("hs-csv", "letters.csv", &format!("{header}XVI,84AB,Lathes,84,4\n"));
    assert!(message.contains("not digits"), "{message}");
}

#[test]
fn catalogue_jsonl_errors_name_the_line() {
    let good =
        r#"{"id": "guide:test-item", "kind": "guide", "title": "Test item", "controls": ["2B001"], "hs": ["8458.11"]}"#;
    let message =
        build_error("catalogue-jsonl", "cards.jsonl", &format!("{good}\n{{\"id\": \"x\", \"kind\": \"guide\"}}\n"));
    assert!(message.contains("line 2") && message.contains("title"), "{message}");
    let message =
        build_error("catalogue-jsonl", "typo.jsonl", r#"{"id": "a", "kind": "guide", "title": "A", "contrls": []}"#);
    assert!(message.contains("line 1") && message.contains("contrls"), "unknown fields are refused: {message}");
    let message = build_error(
        "catalogue-jsonl",
        "code.jsonl",
        r#"{"id": "a", "kind": "guide", "title": "A", "controls": ["2B0O1"]}"#,
    );
    assert!(message.contains("not an ECCN"), "{message}");
    let message =
        build_error("catalogue-jsonl", "hs.jsonl", r#"{"id": "a", "kind": "guide", "title": "A", "hs": ["84581"]}"#);
    assert!(message.contains("not an HS code"), "{message}");
    let message = build_error("catalogue-jsonl", "kind.jsonl", r#"{"id": "a", "kind": "gadget", "title": "A"}"#);
    assert!(message.contains("kind"), "{message}");
    let message = build_error("catalogue-jsonl", "dup.jsonl", &format!("{good}\n{good}\n"));
    assert!(message.contains("defined twice"), "{message}");
}

#[test]
fn a_missing_file_is_named() {
    let source: ImportSource = "ccl-json:/no/such/ccl.json".parse().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let error =
        hotline_index::build_index(&BuildPlan { include_builtin: false, imports: vec![source] }, &dir.path().join("i"))
            .unwrap_err();
    assert!(matches!(error, Error::Io { .. }) && error.to_string().contains("/no/such/ccl.json"), "{error}");
}

#[test]
fn import_specs_are_checked() {
    assert!("ccl-json".parse::<ImportSource>().unwrap_err().to_string().contains("FORMAT:PATH"));
    assert!("xml:foo.xml".parse::<ImportSource>().unwrap_err().to_string().contains("unknown import format"));
}

#[test]
fn a_good_jsonl_file_is_searchable_and_replaces_a_failed_build_of_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "own.jsonl",
        r#"{"id": "guide:widget-press", "kind": "guide", "title": "Widget press", "names": ["gizmo squeezer"], "summary": "A press for widgets.", "controls": ["2B004"], "hs": ["8462"]}"#,
    );
    let out = dir.path().join("index");
    let plan = BuildPlan { include_builtin: false, imports: vec![format!("catalogue-jsonl:{path}").parse().unwrap()] };
    let manifest = hotline_index::build_index(&plan, &out).unwrap();
    assert_eq!(manifest.entries, 1);
    let index = CatalogueIndex::open(&out).unwrap();
    let results = index.search(&hotline_index::SearchRequest::new("gizmo squeezer")).unwrap();
    assert_eq!(results.hits[0].id, "guide:widget-press");
    assert_eq!(results.hits[0].controls, vec!["2B004".to_string()]);
    assert_eq!(results.hits[0].hs, vec!["8462".to_string()]);
}

#[test]
fn the_same_sources_give_the_same_version() {
    let dir = tempfile::tempdir().unwrap();
    let plan = BuildPlan { include_builtin: true, imports: Vec::new() };
    let first = hotline_index::build_index(&plan, &dir.path().join("a")).unwrap();
    let second = hotline_index::build_index(&plan, &dir.path().join("b")).unwrap();
    assert_eq!(first.version, second.version);
    assert!(first.by_kind["guide"] >= 200, "the starter catalogue has at least 200 cards");
}
