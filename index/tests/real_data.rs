//! Real-data tests: the whole CCL and HS files imported, then lookups and typical officer queries.
//! Needs `../shared/data`; skipped (with a note) where it is absent, always run in CI.

mod common;

use hotline_index::{Kind, SearchRequest, SearchResults};

fn search(query: &str) -> Option<SearchResults> {
    let index = common::full_index()?;
    Some(index.search(&SearchRequest::new(query)).expect("search runs"))
}

#[track_caller]
fn check_first(query: &str, expected_id: &str) {
    let Some(results) = search(query) else { return };
    let ids: Vec<&str> = results.hits.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids.first().copied(), Some(expected_id), "query {query:?} gave {ids:?}");
}

#[track_caller]
fn check_in_top(query: &str, k: usize, expected_id: &str) {
    let Some(results) = search(query) else { return };
    let ids: Vec<&str> = results.hits.iter().take(k).map(|h| h.id.as_str()).collect();
    assert!(ids.contains(&expected_id), "query {query:?}: {expected_id} not in top {k}: {ids:?}");
}

#[test]
fn every_ccl_entry_and_hs_heading_is_imported() {
    let Some(index) = common::full_index() else { return };
    let manifest = index.manifest();
    assert_eq!(manifest.by_kind["control"], 633);
    assert_eq!(manifest.by_kind["hs"], 6939, "every HS2022 row but the grand total");
    assert!(manifest.by_kind["guide"] >= 200);
    let entry = index.entry("2B001").unwrap().expect("2B001 is there");
    assert_eq!(entry.kind, Kind::Control);
    assert_eq!(entry.reasons.as_deref(), Some("NS, NP, AT"));
    assert!(entry.related.as_deref().unwrap_or("").contains("2B002"));
    let deep = index.entry("3A001").unwrap().expect("3A001 is there");
    assert!(deep.paragraphs.len() > 50, "3A001 keeps its paragraph text");
    let hs = index.entry("hs:8458.11").unwrap().expect("8458.11 is there");
    assert_eq!(hs.parent.as_deref(), Some("hs:8458"));
}

#[test]
fn eccns_in_any_spelling_come_first() {
    for query in ["2B001", "2b001", "2B001.b.2", "ECCN 2B001", "eccn 2b001"] {
        check_first(query, "2B001");
    }
    check_first("9a004", "9A004");
    check_first("1C350", "1C350");
}

#[test]
fn a_code_is_never_fuzzy() {
    let Some(results) = search("2B003") else { return };
    assert_eq!(results.hits[0].id, "2B003");
    assert!(results.hits.iter().all(|h| h.id != "2B001" || h.controls.contains(&"2B003".to_string())));
    let Some(results) = search("8458.19") else { return };
    assert_eq!(results.hits[0].id, "hs:8458.19");
    assert!(results.hits.iter().all(|h| h.id != "hs:8458.11"), "8458.11 is not a typo of 8458.19");
}

#[test]
fn hs_codes_in_any_punctuation_bring_mapped_cards_and_controls() {
    check_first("8458.11", "hs:8458.11");
    check_first("845811", "hs:8458.11");
    check_first("8458", "hs:8458");
    let Some(results) = search("8458.11") else { return };
    let kinds: Vec<Kind> = results.hits.iter().map(|h| h.kind).collect();
    assert!(kinds.contains(&Kind::Guide), "a card mapped to 8458.11 comes back: {kinds:?}");
    assert!(results.hits.iter().any(|h| h.id == "2B001"), "2B001 comes back through the cards");
    assert!(results.hits[0].controls.contains(&"2B001".to_string()), "the heading lists its mapped controls");
}

#[test]
fn partial_codes_are_prefixes() {
    let Some(results) = search("2B00") else { return };
    assert!(results.hits.iter().take(5).all(|h| h.id.starts_with("2B00")), "{:?}", results.hits);
}

#[test]
fn officer_queries_find_the_right_card() {
    check_first("5 axis machining centre", "guide:five-axis-machining-centre");
    check_in_top("five-axis machining center", 3, "guide:five-axis-machining-centre");
    check_in_top("carbon fibre prepreg", 3, "guide:carbon-fibre-prepreg");
    check_in_top("carbon fiber prepreg", 3, "guide:carbon-fibre-prepreg");
    check_in_top("berylium", 3, "guide:beryllium-metal-and-products");
    check_in_top("maraging steal tube", 5, "guide:maraging-steel");
}

#[test]
fn typos_rank_below_exact_matches_and_are_highlighted() {
    let Some(results) = search("berylium") else { return };
    let hit = &results.hits[0];
    assert!(hit.snippet.contains("<mark>"), "the fuzzy match is highlighted: {}", hit.snippet);
    let Some(exact) = search("beryllium") else { return };
    assert!(exact.hits[0].score > hit.score, "an exact match scores above the same hit found by a typo");
}

#[test]
fn every_hit_has_controls_hs_and_a_snippet() {
    for query in ["night vision", "thermal camera", "2B001", "8458", "sodium cyanide", "gyro"] {
        let Some(results) = search(query) else { return };
        assert!(!results.hits.is_empty(), "{query} finds something");
        for hit in &results.hits {
            assert!(!hit.snippet.is_empty(), "{query}: {} has a snippet", hit.id);
            if hit.kind == Kind::Control {
                assert_eq!(hit.controls.first(), hit.code.as_ref());
            }
            if hit.kind == Kind::Guide {
                assert!(!hit.controls.is_empty() && !hit.hs.is_empty(), "{query}: card {} maps codes", hit.id);
            }
            if hit.kind == Kind::Hs {
                assert_eq!(hit.hs.first(), hit.code.as_ref());
            }
        }
    }
}

#[test]
fn filters_by_kind_and_category() {
    let Some(index) = common::full_index() else { return };
    let mut request = SearchRequest::new("machine tools");
    request.kind = Some(Kind::Control);
    let results = index.search(&request).unwrap();
    assert!(!results.hits.is_empty() && results.hits.iter().all(|h| h.kind == Kind::Control));
    request.kind = None;
    request.category = Some("2".into());
    let results = index.search(&request).unwrap();
    assert!(!results.hits.is_empty());
    for hit in &results.hits {
        let entry = index.entry(&hit.id).unwrap().unwrap();
        assert_eq!(entry.category.as_deref(), Some("2"), "{} is in category 2", hit.id);
    }
}

#[test]
fn the_evaluation_set_is_answered() {
    let Some(index) = common::full_index() else { return };
    let queries = hotline_index::evaluation::load_queries(&common::eval_dir()).unwrap();
    assert!(queries.len() >= 60, "at least 60 evaluation queries");
    let report = hotline_index::evaluation::evaluate(&queries, 5, |q| {
        let mut request = SearchRequest::new(q);
        request.limit = 5;
        Ok(index.search(&request)?.hits.into_iter().map(|h| h.id).collect())
    })
    .unwrap();
    for (query, got) in &report.misses {
        eprintln!("miss: {:?} wanted {:?}, got {:?}", query.query, query.relevant, got);
    }
    eprintln!("recall@5 {:.3}, MRR@5 {:.3} over {} queries", report.recall, report.mrr, report.queries);
    assert!(report.recall >= 0.95, "recall@5 is {:.3}", report.recall);
}

#[test]
fn every_card_points_to_real_control_entries_and_hs_headings() {
    let Some(index) = common::full_index() else { return };
    for card in hotline_index::starter_entries().unwrap() {
        for control in &card.controls {
            assert!(index.entry(control).unwrap().is_some(), "{}: control {control} is not in the CCL", card.id);
        }
        for hs in &card.hs {
            let id = format!("hs:{hs}");
            assert!(index.entry(&id).unwrap().is_some(), "{}: {hs} is not an HS2022 code", card.id);
        }
    }
}
