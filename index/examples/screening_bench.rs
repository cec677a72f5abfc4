//! Screening latency over the whole real list, in-process: import, save and load times, then p50/p99
//! of `ScreeningList::screen` over 2,000 queries drawn (fixed seed) from `eval/screening-labelled.jsonl`.
//! Prints markdown tables. Run: `cargo run --release -p hotline-index --example screening_bench`.

use std::path::Path;
use std::time::{Duration, Instant};

use hotline_index::screening::{SCREENING_FILE, ScreeningList};

const QUERIES: usize = 2000;
/// Each query is screened this many times; the median of its runs is its latency, so one
/// scheduler hiccup on a shared 2-core machine does not become the p99.
const RUNS: usize = 5;
const LIMIT: usize = 10;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at]
}

fn micros(d: Duration) -> String {
    format!("{:.0} µs", d.as_secs_f64() * 1e6)
}

fn millis(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let list_path = root.join("../../shared/data/csl/screening-list.json");
    let labelled_path = root.join("eval/screening-labelled.jsonl");
    if !list_path.exists() || !labelled_path.exists() {
        eprintln!(
            "skipped: needs {} and {} (made by `cargo test -p hotline-index screening`)",
            list_path.display(),
            labelled_path.display()
        );
        return;
    }

    let started = Instant::now();
    let list = ScreeningList::import_csl_json(&list_path).expect("the list imports");
    let import = started.elapsed();
    let dir = std::env::temp_dir().join(format!("screening-bench-{}", std::process::id()));
    let started = Instant::now();
    list.save(&dir).expect("save");
    let save = started.elapsed();
    let bytes = std::fs::metadata(dir.join(SCREENING_FILE)).expect("saved file").len();
    let mut loads: Vec<Duration> = (0..20)
        .map(|_| {
            let started = Instant::now();
            let loaded = ScreeningList::load(&dir).expect("load").expect("present");
            let took = started.elapsed();
            assert_eq!(loaded.len(), list.len());
            took
        })
        .collect();
    loads.sort();
    std::fs::remove_dir_all(&dir).ok();

    // Fixed-seed draw (SplitMix64) from the labelled set.
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&labelled_path)
        .expect("labelled set")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    let mut state: u64 = 0x5C2E_E41A_B0B0_2026;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let drawn: Vec<(&str, bool)> = (0..QUERIES)
        .map(|_| {
            let line = &lines[(next() % lines.len() as u64) as usize];
            let listed = line["expect"].as_array().is_some_and(|e| !e.is_empty());
            (line["query"].as_str().expect("query"), listed)
        })
        .collect();

    // Warm up caches and lazily built tables, as a server would be after its first request.
    for (query, _) in drawn.iter().take(100) {
        list.screen(query, LIMIT);
    }
    let mut all = Vec::with_capacity(QUERIES);
    let mut listed = Vec::new();
    let mut unlisted = Vec::new();
    for &(query, is_listed) in &drawn {
        let mut runs: Vec<Duration> = (0..RUNS)
            .map(|_| {
                let started = Instant::now();
                std::hint::black_box(list.screen(std::hint::black_box(query), LIMIT));
                started.elapsed()
            })
            .collect();
        runs.sort();
        let took = runs[RUNS / 2];
        all.push(took);
        if is_listed { listed.push(took) } else { unlisted.push(took) }
    }

    println!(
        "Screening list: {} parties, {} lists; index file {:.1} MB\n",
        list.len(),
        list.lists().len(),
        bytes as f64 / 1e6
    );
    println!("| step | time |");
    println!("|---|---:|");
    println!("| import `csl-json` (parse, normalise, index) | {} |", millis(import));
    println!("| save `{SCREENING_FILE}` | {} |", millis(save));
    println!("| load `{SCREENING_FILE}`, p50 of 20 | {} |", millis(percentile(&loads, 0.5)));
    println!("| load `{SCREENING_FILE}`, max of 20 | {} |", millis(*loads.last().expect("loads")));
    println!();
    println!(
        "`screen(name, {LIMIT})` in-process, {QUERIES} queries from eval/screening-labelled.jsonl (median of {RUNS} runs each):\n"
    );
    println!("| queries | n | p50 | p90 | p99 | max |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (label, mut times) in [("all", all), ("variants of listed names", listed), ("names on no list", unlisted)] {
        times.sort();
        if times.is_empty() {
            continue;
        }
        println!(
            "| {label} | {} | {} | {} | {} | {} |",
            times.len(),
            micros(percentile(&times, 0.5)),
            micros(percentile(&times, 0.9)),
            micros(percentile(&times, 0.99)),
            micros(*times.last().expect("times"))
        );
    }
}
