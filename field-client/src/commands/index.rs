//! `field index build`: imports the sources and writes a catalogue index directory.

use std::time::Instant;

use anyhow::Context;
use hotline_index::{BuildPlan, ImportSource};
use serde_json::json;

use crate::cli::BuildArgs;

/// Builds the index and prints a summary (or the JSON counts).
pub fn build(args: &BuildArgs) -> anyhow::Result<()> {
    let imports = args.imports.iter().map(|spec| spec.parse::<ImportSource>()).collect::<Result<Vec<_>, _>>()?;
    let plan = BuildPlan { include_builtin: !args.no_builtin, imports };
    let started = Instant::now();
    if !args.json {
        let mut sources: Vec<String> = Vec::new();
        if plan.include_builtin {
            sources.push("built-in starter catalogue".into());
        }
        sources.extend(plan.imports.iter().map(ToString::to_string));
        eprintln!("field: importing {} and building the index…", sources.join(", "));
    }
    let manifest = hotline_index::build_index(&plan, &args.out)
        .with_context(|| format!("the index in {} was not built", args.out.display()))?;
    if args.json {
        let mut summary = json!({"entries": manifest.entries, "by_kind": manifest.by_kind});
        if manifest.parties > 0 {
            summary["parties"] = json!(manifest.parties);
        }
        println!("{summary}");
    } else {
        let kinds: Vec<String> = manifest.by_kind.iter().map(|(kind, n)| format!("{kind} {n}")).collect();
        println!(
            "built catalogue index in {}: {} entries ({}), version {}, in {:.1} s",
            args.out.display(),
            manifest.entries,
            kinds.join(", "),
            manifest.version,
            started.elapsed().as_secs_f64()
        );
        if manifest.parties > 0 {
            println!("with {} denied parties for `field screen`", manifest.parties);
        }
    }
    Ok(())
}
