//! The command line of `field`, as fixed by `spec/cli.md`; `--help` teaches each command.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// The customs officer's hotline client: identify controlled items offline and ask a licensing expert.
///
/// Search works with no network: it uses the catalogue synced into --home (or, before the first sync,
/// the built-in starter catalogue, which is set up there automatically).
#[derive(Debug, Parser)]
#[command(name = "field", version, about, long_about = None, after_help = EXAMPLES)]
pub struct Cli {
    /// Where the client keeps its config, token, offline catalogue and outbox.
    #[arg(long, global = true, env = "FIELD_HOME", value_name = "DIR")]
    pub home: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

const EXAMPLES: &str = "Examples:
  field search 5 axis machining centre
  field search --kind control 2b001
  field search --json 8458.11
  field show 2B001
  field index build --out ./catalogue --import ccl-json:../shared/data/ccl/ccl.json";

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build or inspect catalogue indexes.
    #[command(subcommand)]
    Index(IndexCommand),
    /// Search the catalogue: codes (2B001, 8458.11), words, trade names; typos are forgiven.
    Search(SearchArgs),
    /// Show one catalogue entry whole, by id (2B001, hs:8458.11, guide:...).
    Show(ShowArgs),
}

/// `field index ...`
#[derive(Debug, Subcommand)]
pub enum IndexCommand {
    /// Build a catalogue index in DIR from the built-in starter catalogue plus each import.
    Build(BuildArgs),
}

/// `field index build`
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Directory to write the index into (replaced only once the new index is complete).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Leave out the built-in starter catalogue of identification cards.
    #[arg(long)]
    pub no_builtin: bool,
    /// Add a source: ccl-json:PATH, hs-csv:PATH, catalogue-jsonl:PATH or csl-json:PATH. Repeatable.
    #[arg(long = "import", value_name = "FORMAT:PATH")]
    pub imports: Vec<String>,
    /// Print `{"entries": N, "by_kind": {...}}` instead of a summary.
    #[arg(long)]
    pub json: bool,
}

/// `field search`
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Search this index directory instead of the offline catalogue in --home.
    #[arg(long, value_name = "DIR")]
    pub index: Option<PathBuf>,
    /// Print the protocol's search result JSON.
    #[arg(long)]
    pub json: bool,
    /// How many hits to show (1-100).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=100))]
    pub limit: u16,
    /// Only hits of this kind.
    #[arg(long, value_parser = ["control", "guide", "hs"])]
    pub kind: Option<String>,
    /// Only hits of this category: a control-list category digit 0-9 (an HS chapter such as 84 for HS headings).
    #[arg(long)]
    pub category: Option<String>,
    /// The query: the words after the flags.
    #[arg(required = true, num_args = 1.., value_name = "QUERY")]
    pub query: Vec<String>,
}

/// `field show`
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Read from this index directory instead of the offline catalogue in --home.
    #[arg(long, value_name = "DIR")]
    pub index: Option<PathBuf>,
    /// Print the entry as JSON.
    #[arg(long)]
    pub json: bool,
    /// The entry id: an ECCN (2B001), an HS id (hs:8458.11) or a card id (guide:...).
    pub id: String,
}
