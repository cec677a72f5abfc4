//! `field show`: one catalogue entry, whole.

use anyhow::bail;
use hotline_index::Entry;

use crate::cli::ShowArgs;
use crate::home::FieldHome;
use crate::terminal::Style;

/// Prints the entry, or fails with a clear message when the id is unknown.
pub fn run(home: &FieldHome, args: &ShowArgs) -> anyhow::Result<()> {
    let index = home.open_catalogue(args.index.as_deref())?;
    let Some(entry) = lookup(&index, &args.id)? else {
        bail!("no catalogue entry has the id {:?}; search for it with `field search {}`", args.id, args.id);
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&entry)?);
    } else {
        print_entry(&entry, Style::detect());
    }
    Ok(())
}

/// Finds an entry by its id as typed: exact, then an ECCN in any case, then an HS code without `hs:`.
fn lookup(index: &hotline_index::CatalogueIndex, id: &str) -> anyhow::Result<Option<Entry>> {
    if let Some(entry) = index.entry(id)? {
        return Ok(Some(entry));
    }
    if let Some(eccn) = hotline_index::codes::canonical_eccn(id) {
        return Ok(index.entry(&eccn)?);
    }
    if let Some(digits) = hotline_index::codes::hs_digits(id.trim_start_matches("hs:")) {
        return Ok(index.entry(&hotline_index::codes::hs_id(&digits))?);
    }
    Ok(None)
}

fn section(style: Style, name: &str, text: &str) {
    if !text.is_empty() {
        println!("\n{}\n  {}", style.bold(name), text);
    }
}

fn print_entry(entry: &Entry, style: Style) {
    let label = entry.code.clone().unwrap_or_else(|| entry.id.clone());
    println!("{}  [{}]  {}", style.bold(&label), entry.kind, entry.title);
    if let Some(category) = &entry.category {
        println!("{}", style.dim(&format!("id {} · category {category} · source {}", entry.id, entry.source)));
    }
    if !entry.names.is_empty() {
        section(style, "Also known as", &entry.names.join(", "));
    }
    section(style, "What it is", &entry.summary);
    section(style, "What it looks like", &entry.looks_like);
    section(style, "Legitimate uses", &entry.uses);
    if !entry.red_flags.is_empty() {
        println!("\n{}", style.bold("Red flags"));
        for flag in &entry.red_flags {
            println!("  - {flag}");
        }
    }
    if let Some(reasons) = &entry.reasons {
        section(style, "Reasons for control", reasons);
    }
    if !entry.paragraphs.is_empty() {
        println!("\n{}", style.bold("Paragraphs"));
        for paragraph in &entry.paragraphs {
            let indent = "  ".repeat(paragraph.depth.max(1) as usize);
            match &paragraph.label {
                Some(label) => println!("{indent}{label}. {}", paragraph.text),
                None => println!("{indent}{}", paragraph.text),
            }
        }
    }
    if let Some(related) = &entry.related {
        section(style, "Related controls", related);
    }
    section(style, "Control codes", &entry.controls.join(" "));
    section(style, "HS codes", &entry.hs.join(" "));
    section(style, "Regimes", &entry.regimes.join(", "));
    if let Some(parent) = &entry.parent {
        section(style, "Part of", parent);
    }
}
