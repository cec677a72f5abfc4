//! `field screen`: a party name against the denied-party lists, offline, with the same matching as the server.

use anyhow::bail;
use hotline_index::screening::{MATCH_THRESHOLD, ScreeningResult};

use crate::cli::ScreenArgs;
use crate::home::FieldHome;
use crate::terminal::Style;

/// Screens the name and prints the matches.
pub fn run(home: &FieldHome, args: &ScreenArgs) -> anyhow::Result<()> {
    let index = home.open_catalogue(args.index.as_deref())?;
    let Some(lists) = index.screening()? else {
        bail!(
            "this catalogue holds no denied-party lists: build one with `field index build --import csl-json:PATH` \
             or `field sync` from a server that imports them"
        );
    };
    let result = lists.screen(&args.name.join(" "), usize::from(args.limit));
    if args.json {
        println!("{}", serde_json::to_string(&result)?);
    } else {
        print_matches(&result, Style::detect());
    }
    Ok(())
}

fn print_matches(result: &ScreeningResult, style: Style) {
    if result.matches.is_empty() {
        println!(
            "No listed party matches {:?} (match threshold {MATCH_THRESHOLD:.2}). This is not a clearance: check spellings and other names on the papers.",
            result.query
        );
        return;
    }
    println!(
        "{}",
        style.bold(&format!(
            "{} possible match(es) for {:?} — stop and ask an expert:",
            result.matches.len(),
            result.query
        ))
    );
    for hit in &result.matches {
        println!("  {:.2}  {}  [{}]", hit.score, style.bold(&hit.name), hit.countries.join(", "));
        if hit.matched_name != hit.name {
            println!("        matched the name {:?}", hit.matched_name);
        }
        println!("        {} · {}", hit.list, style.dim(&hit.reason));
    }
}
