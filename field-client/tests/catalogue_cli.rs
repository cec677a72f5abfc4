//! End-to-end tests of `field index build | search | show`: the real binary, real files, the real data sets
//! (tests that need `../shared/data` say so and are skipped where it is absent; CI always has it).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn field(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_field"))
        .arg("--home")
        .arg(home)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("field runs")
}

#[track_caller]
fn check_ok(output: &Output) -> String {
    assert!(output.status.success(), "field failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout.clone()).expect("utf-8 stdout")
}

#[track_caller]
fn check_json(output: &Output) -> Value {
    let stdout = check_ok(output);
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("stdout is one JSON document ({e}): {stdout}"))
}

fn real_data(relative: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data").join(relative);
    if path.exists() {
        Some(path)
    } else {
        eprintln!("SKIPPED: needs the real data set {} (absent in this clone)", path.display());
        None
    }
}

#[test]
fn build_search_and_show_on_the_full_data() {
    let (Some(ccl), Some(hs)) = (real_data("ccl/ccl.json"), real_data("hs/harmonized-system.csv")) else { return };
    let temp = tempfile::tempdir().unwrap();
    let index = temp.path().join("index");
    let index_arg = index.to_str().unwrap();
    let built = check_json(&field(
        temp.path(),
        &[
            "index",
            "build",
            "--out",
            index_arg,
            "--json",
            "--import",
            &format!("ccl-json:{}", ccl.display()),
            "--import",
            &format!("hs-csv:{}", hs.display()),
        ],
    ));
    assert_eq!(built["by_kind"]["control"], 633);
    assert_eq!(built["by_kind"]["hs"], 6939);
    let guides = built["by_kind"]["guide"].as_u64().unwrap();
    assert!(guides >= 200);
    assert_eq!(built["entries"].as_u64().unwrap(), 633 + 6939 + guides);

    let result = check_json(&field(temp.path(), &["search", "--index", index_arg, "--json", "--limit", "5", "2b001"]));
    assert_eq!(result["query"], "2b001");
    assert_eq!(result["hits"][0]["id"], "2B001");
    assert_eq!(result["hits"][0]["kind"], "control");
    assert_eq!(result["hits"][0]["code"], "2B001");
    assert!(result["hits"].as_array().unwrap().len() <= 5);
    for hit in result["hits"].as_array().unwrap() {
        for key in ["id", "kind", "title", "code", "controls", "hs", "score", "snippet"] {
            assert!(hit.get(key).is_some(), "hit has {key}: {hit}");
        }
    }
    assert!(result["total"].as_u64().unwrap() >= 1 && result["took_us"].is_u64());

    let result = check_json(&field(temp.path(), &["search", "--index", index_arg, "--json", "8458.11"]));
    assert_eq!(result["hits"][0]["id"], "hs:8458.11");

    let result =
        check_json(&field(temp.path(), &["search", "--index", index_arg, "--json", "--kind", "guide", "berylium"]));
    assert!(result["hits"].as_array().unwrap().iter().all(|h| h["kind"] == "guide"));
    assert!(result["hits"][0]["snippet"].as_str().unwrap().contains("<mark>"));

    let text = check_ok(&field(temp.path(), &["search", "--index", index_arg, "5", "axis", "machining", "centre"]));
    assert!(text.contains("Five-axis"), "text output names the card: {text}");
    assert!(text.contains("[") && !text.contains("<mark>"), "marks become brackets off a terminal: {text}");

    let entry = check_json(&field(temp.path(), &["show", "--index", index_arg, "--json", "2B001"]));
    assert_eq!(entry["id"], "2B001");
    assert_eq!(entry["kind"], "control");
    let shown = check_ok(&field(temp.path(), &["show", "--index", index_arg, "2b001"]));
    assert!(shown.contains("Machine tools") && shown.contains("Reasons for control"), "{shown}");
}

#[test]
fn search_works_offline_on_the_built_in_catalogue_before_any_sync() {
    let temp = tempfile::tempdir().unwrap();
    let output = field(temp.path(), &["search", "--json", "night", "vision", "goggles"]);
    let result = check_json(&output);
    assert!(String::from_utf8_lossy(&output.stderr).contains("built-in starter catalogue"));
    assert_eq!(result["hits"][0]["kind"], "guide");
    let again = field(temp.path(), &["search", "--json", "thermal", "camera"]);
    check_json(&again);
    assert!(
        again.stderr.is_empty(),
        "the starter catalogue is set up once: {}",
        String::from_utf8_lossy(&again.stderr)
    );
}

#[test]
fn unknown_ids_and_bad_imports_fail_clearly() {
    let temp = tempfile::tempdir().unwrap();
    let output = field(temp.path(), &["show", "guide:no-such-card"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no catalogue entry") && stderr.contains("guide:no-such-card"), "{stderr}");
    assert!(output.stdout.is_empty());

    let bad = temp.path().join("bad.jsonl");
    std::fs::write(&bad, "{\"id\": \"x\", \"kind\": \"guide\"}\n").unwrap();
    let out = temp.path().join("index");
    let output = field(
        temp.path(),
        &["index", "build", "--out", out.to_str().unwrap(), "--import", &format!("catalogue-jsonl:{}", bad.display())],
    );
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("bad.jsonl") && stderr.contains("line 1"), "{stderr}");
    assert!(!out.exists(), "nothing half-written");

    let output = field(temp.path(), &["index", "build", "--out", out.to_str().unwrap(), "--import", "xml:foo"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown import format"));

    let output = field(temp.path(), &["search"]);
    assert_eq!(output.status.code(), Some(2), "a usage error exits 2");
}
