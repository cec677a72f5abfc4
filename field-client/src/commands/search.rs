//! `field search`: the same search as the server, run offline on the local catalogue.

use hotline_index::{Kind, SearchRequest, SearchResults};
use hotline_protocol::{SearchHit, SearchResult};

use crate::cli::SearchArgs;
use crate::home::FieldHome;
use crate::terminal::Style;

/// The protocol's search result from the index's.
pub fn to_wire(results: SearchResults) -> SearchResult {
    SearchResult {
        query: results.query,
        total: results.total as u64,
        took_us: results.took_us,
        hits: results
            .hits
            .into_iter()
            .map(|hit| SearchHit {
                id: hit.id,
                kind: hit.kind.as_str().to_string(),
                title: hit.title,
                code: hit.code,
                controls: hit.controls,
                hs: hit.hs,
                score: hit.score,
                snippet: hit.snippet,
            })
            .collect(),
    }
}

/// Runs the search (offline, or on the server with `--online`) and prints the hits.
pub fn run(home: &FieldHome, args: &SearchArgs) -> anyhow::Result<()> {
    let query = args.query.join(" ");
    let result = if args.online {
        let (_, api) = super::signed_in(home)?;
        crate::block_on(api.search(&query, args.limit, args.kind.as_deref(), args.category.as_deref()))??
    } else {
        let index = home.open_catalogue(args.index.as_deref())?;
        let request = SearchRequest {
            query,
            limit: usize::from(args.limit),
            kind: args.kind.as_deref().and_then(Kind::parse),
            category: args.category.clone(),
        };
        to_wire(index.search(&request)?)
    };
    if args.json {
        println!("{}", serde_json::to_string(&result)?);
        return Ok(());
    }
    print_hits(&result, Style::detect());
    Ok(())
}

fn print_hits(result: &SearchResult, style: Style) {
    if result.hits.is_empty() {
        println!(
            "No entries match {:?}. Try fewer words, a control code such as 2B001, or an HS code such as 8458.11.",
            result.query
        );
        return;
    }
    for (rank, hit) in result.hits.iter().enumerate() {
        let label = hit.code.clone().unwrap_or_else(|| hit.id.clone());
        println!("{:>2}. {}  {}  {}", rank + 1, style.bold(&label), style.dim(&format!("[{}]", hit.kind)), hit.title);
        println!("    {}", style.snippet(&hit.snippet));
        let mut refs = Vec::new();
        if !hit.controls.is_empty() {
            refs.push(format!("controls {}", hit.controls.join(" ")));
        }
        if !hit.hs.is_empty() {
            refs.push(format!("HS {}", hit.hs.iter().take(6).cloned().collect::<Vec<_>>().join(" ")));
        }
        if hit.code.is_none() {
            refs.push(format!("id {}", hit.id));
        }
        println!("    {}", style.dim(&refs.join(" · ")));
    }
    println!(
        "{}",
        style.dim(&format!(
            "{} of {} matching entries, {} µs. `field show ID` shows one whole.",
            result.hits.len(),
            result.total,
            result.took_us
        ))
    );
}
