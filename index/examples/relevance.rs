//! Relevance report: recall@5 and MRR@5 of the catalogue search over the evaluation set, beside plain BM25.
//!
//! Run from the repository root: `cargo run --release -p hotline-index --example relevance [-- --misses]`.
//! Needs `../shared/data` (CCL and HS).

use std::path::Path;

use hotline_index::evaluation::{evaluate, full_catalogue_plan, load_queries};
use hotline_index::{CatalogueIndex, SearchRequest};

fn main() -> anyhow::Result<()> {
    let show_misses = std::env::args().any(|a| a == "--misses");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let data = root.join("../../shared/data");
    let dir = tempfile::tempdir()?;
    let out = dir.path().join("index");
    let plan = full_catalogue_plan(&data);
    hotline_index::build_index(&plan, &out)?;
    let index = CatalogueIndex::open(&out)?;
    let queries = load_queries(&root.join("eval"))?;
    let ours = evaluate(&queries, 5, |q| {
        let mut request = SearchRequest::new(q);
        request.limit = 5;
        Ok(index.search(&request)?.hits.into_iter().map(|h| h.id).collect())
    })?;
    let plain = evaluate(&queries, 5, |q| index.search_plain_bm25(q, 5))?;
    println!("| ranking | queries | recall@5 | MRR@5 |");
    println!("|---|---:|---:|---:|");
    for (name, report) in [("hotline search (full index)", &ours), ("plain BM25, same index and fields", &plain)] {
        println!("| {name} | {} | {:.1} % | {:.3} |", report.queries, report.recall * 100.0, report.mrr);
    }
    if show_misses {
        for (query, got) in &ours.misses {
            println!("MISS {:?} wanted {:?} got {:?}", query.query, query.relevant, got);
        }
    }
    Ok(())
}
