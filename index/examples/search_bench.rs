//! Search benchmark: latency of the catalogue search over the evaluation queries on the full index, beside a plain
//! tantivy BM25 query on the same index in the same run; index build time, bundle size, and `field search`
//! whole-process wall time when a release `field` binary is present.
//!
//! Run from the repository root: `cargo build --release -p field-client && cargo run --release -p hotline-index --example search_bench`.
//! Needs `../shared/data`.

use std::path::Path;
use std::time::{Duration, Instant};

use hotline_index::evaluation::{full_catalogue_plan, load_queries};
use hotline_index::{CatalogueIndex, SearchRequest, bundle};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn main() -> anyhow::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let data = root.join("../../shared/data");
    let dir = tempfile::tempdir()?;
    let out = dir.path().join("index");
    let plan = full_catalogue_plan(&data);
    let started = Instant::now();
    let manifest = hotline_index::build_index(&plan, &out)?;
    let build_time = started.elapsed();
    let bundle_file = dir.path().join("catalogue.bundle");
    let info = bundle::pack(&out, &bundle_file)?;

    let index = CatalogueIndex::open(&out)?;
    let queries: Vec<String> = load_queries(&root.join("eval"))?.into_iter().map(|q| q.query).collect();
    let rounds: usize = std::env::var("BENCH_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(20);
    // Warm both paths once.
    for q in &queries {
        index.search(&SearchRequest::new(q.as_str()))?;
        index.search_plain_bm25(q, 10)?;
    }
    let mut ours = Vec::new();
    let mut plain = Vec::new();
    for _ in 0..rounds {
        for q in &queries {
            let t = Instant::now();
            index.search(&SearchRequest::new(q.as_str()))?;
            ours.push(t.elapsed());
            let t = Instant::now();
            index.search_plain_bm25(q, 10)?;
            plain.push(t.elapsed());
        }
    }
    ours.sort();
    plain.sort();
    let (o50, o99) = (percentile(&ours, 50.0), percentile(&ours, 99.0));
    let (p50, p99) = (percentile(&plain, 50.0), percentile(&plain, 99.0));
    println!(
        "Full index: {} entries ({:?}), {} queries × {rounds} rounds\n",
        manifest.entries,
        manifest.by_kind,
        queries.len()
    );
    println!("| search, top 10, in-process | p50 µs | p99 µs |");
    println!("|---|---:|---:|");
    println!(
        "| hotline search (codes, synonyms, typos, prefixes, snippets) | {:.0} | {:.0} |",
        micros(o50),
        micros(o99)
    );
    println!("| plain tantivy BM25 (QueryParser, same fields, ids loaded) | {:.0} | {:.0} |", micros(p50), micros(p99));
    println!("| ratio | {:.2} | {:.2} |", micros(o50) / micros(p50), micros(o99) / micros(p99));
    println!();
    println!("| build and bundle | value |");
    println!("|---|---:|");
    println!("| index build (import + write), full data | {:.2} s |", build_time.as_secs_f64());
    println!("| bundle size | {:.2} MiB ({} bytes) |", info.bytes as f64 / 1048576.0, info.bytes);

    let field = root.join("../target/release/field");
    if field.exists() {
        let mut walls = Vec::new();
        for q in queries.iter().take(40) {
            let t = Instant::now();
            let status = std::process::Command::new(&field)
                .args(["search", "--json", "--index"])
                .arg(&out)
                .args(q.split_whitespace())
                .stdout(std::process::Stdio::null())
                .status()?;
            walls.push(t.elapsed());
            anyhow::ensure!(status.success(), "field search failed for {q:?}");
        }
        walls.sort();
        println!(
            "| `field search --json` whole process, p50 / p99 of {} | {:.1} ms / {:.1} ms |",
            walls.len(),
            micros(percentile(&walls, 50.0)) / 1000.0,
            micros(percentile(&walls, 99.0)) / 1000.0
        );
    } else {
        println!("(build `cargo build --release -p field-client` to measure `field search` wall time)");
    }
    Ok(())
}
