//! Relevance evaluation: officer-style queries with the entries that should come back, scored by recall@k and MRR@k.
//!
//! The query sets live in `index/eval/queries-*.jsonl`: `{"query", "relevant": [ids], "note"}`. A query is answered
//! at k when any relevant id is among the first k hits.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::{BuildPlan, Error, ImportFormat, ImportSource, Result};

/// One evaluation query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalQuery {
    pub query: String,
    pub relevant: Vec<String>,
    #[serde(default)]
    pub note: String,
}

/// Scores of one ranking function over a query set.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalReport {
    pub queries: usize,
    pub k: usize,
    /// Share of queries with a relevant hit in the top k.
    pub recall: f64,
    /// Mean reciprocal rank of the first relevant hit within the top k (0 when none).
    pub mrr: f64,
    /// Queries with no relevant hit in the top k, with what came back.
    pub misses: Vec<(EvalQuery, Vec<String>)>,
}

/// Loads every `queries-*.jsonl` file in `dir`, in file-name order.
pub fn load_queries(dir: &Path) -> Result<Vec<EvalQuery>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|item| item.ok().map(|i| i.path()))
        .filter(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            name.starts_with("queries-") && name.ends_with(".jsonl")
        })
        .collect();
    files.sort();
    let mut queries = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        for (index, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let query: EvalQuery = serde_json::from_str(line).map_err(|e| Error::BadRecord {
                path: path.clone(),
                record: format!("line {}", index + 1),
                problem: e.to_string(),
            })?;
            queries.push(query);
        }
    }
    Ok(queries)
}

/// Scores a ranking function (query → ranked ids) on the queries at cut-off `k`.
pub fn evaluate(
    queries: &[EvalQuery],
    k: usize,
    mut rank: impl FnMut(&str) -> Result<Vec<String>>,
) -> Result<EvalReport> {
    let mut answered = 0usize;
    let mut reciprocal = 0f64;
    let mut misses = Vec::new();
    for query in queries {
        let ids = rank(&query.query)?;
        match ids.iter().take(k).position(|id| query.relevant.contains(id)) {
            Some(position) => {
                answered += 1;
                reciprocal += 1.0 / (position as f64 + 1.0);
            }
            None => misses.push((query.clone(), ids.into_iter().take(k).collect())),
        }
    }
    let n = queries.len().max(1) as f64;
    Ok(EvalReport { queries: queries.len(), k, recall: answered as f64 / n, mrr: reciprocal / n, misses })
}

/// The full catalogue of the benchmarks and real-data tests: the starter cards plus the CCL and HS files in
/// `data` (the repository's `../shared/data`).
pub fn full_catalogue_plan(data: &Path) -> BuildPlan {
    BuildPlan {
        include_builtin: true,
        imports: vec![
            ImportSource { format: ImportFormat::CclJson, path: data.join("ccl/ccl.json") },
            ImportSource { format: ImportFormat::HsCsv, path: data.join("hs/harmonized-system.csv") },
        ],
    }
}
