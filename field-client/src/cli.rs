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
  field screen --index ./catalogue Huawei Technologies Co Ltd
  field index build --out ./catalogue --import ccl-json:../shared/data/ccl/ccl.json
  field login --server http://hotline.example:8080 --username officer
  field sync
  field ask --subject \"CNC spindle?\" --hs 8459.61 --origin LV --photo plate.jpg --message \"Nameplate attached\"
  field chat REQUEST_ID
  field outbox --flush";

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
    /// Sign in to a hotline server; the token is kept in --home (readable by you only).
    Login(LoginArgs),
    /// Download the server's catalogue for offline search when it changed (verified, swapped in atomically).
    Sync,
    /// Open a hotline request with the shipment's details and photos (shrunk before upload), then chat.
    Ask(AskArgs),
    /// The interactive chat of one request: type to send, `/photo FILE` to send a photo, `/quit` to leave.
    Chat(ChatArgs),
    /// Send one message; queued in the outbox when the server cannot be reached.
    Send(SendArgs),
    /// Your hotline requests and their status.
    Requests(JsonArgs),
    /// The whole timeline of one request.
    History(HistoryArgs),
    /// What waits in the offline outbox; `--flush` delivers it now.
    Outbox(OutboxArgs),
    /// Screen a party name (a consignee) against the denied-party lists, offline.
    Screen(ScreenArgs),
}

/// `field login`
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The hotline server, as http://HOST:PORT.
    #[arg(long, value_name = "URL")]
    pub server: String,
    /// Your user name on the hotline.
    #[arg(long, value_name = "U")]
    pub username: String,
    /// Read the password from the first line of standard input instead of prompting.
    #[arg(long)]
    pub password_stdin: bool,
}

/// `field ask`
#[derive(Debug, Args)]
pub struct AskArgs {
    /// What the question is about, in one line.
    #[arg(long, value_name = "S")]
    pub subject: String,
    /// The HS code on the declaration.
    #[arg(long, value_name = "CODE")]
    pub hs: Option<String>,
    /// The consignee named on the declaration (screened against the denied-party lists).
    #[arg(long, value_name = "NAME")]
    pub consignee: Option<String>,
    /// Country of origin, ISO 3166 alpha-2 (LV).
    #[arg(long, value_name = "CC")]
    pub origin: Option<String>,
    /// Country of destination, ISO 3166 alpha-2.
    #[arg(long, value_name = "CC")]
    pub destination: Option<String>,
    /// The declared description of the goods (defaults to the subject).
    #[arg(long, value_name = "TEXT")]
    pub declared: Option<String>,
    /// Your own or the declaration's reference.
    #[arg(long, value_name = "REF")]
    pub reference: Option<String>,
    /// Mark the request urgent.
    #[arg(long)]
    pub urgent: bool,
    /// A photo to attach (JPEG, PNG or WebP); shrunk to 1600 px and stripped of metadata. Repeatable.
    #[arg(long = "photo", value_name = "FILE")]
    pub photos: Vec<PathBuf>,
    /// The first message, sent with the photos.
    #[arg(long, value_name = "TEXT")]
    pub message: Option<String>,
    /// Print `{"request": Request}` and return instead of opening the chat.
    #[arg(long)]
    pub json: bool,
}

/// `field chat`
#[derive(Debug, Args)]
pub struct ChatArgs {
    /// The request's id (as `field requests` lists it).
    pub request_id: String,
}

/// `field send`
#[derive(Debug, Args)]
pub struct SendArgs {
    /// The request's id.
    pub request_id: String,
    /// The message; several words are joined with spaces.
    #[arg(required = true, num_args = 1.., value_name = "TEXT")]
    pub text: Vec<String>,
}

/// A command whose only flag is `--json`.
#[derive(Debug, Args)]
pub struct JsonArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `field history`
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The request's id.
    pub request_id: String,
    /// Print `{"request": Request, "events": [Event...]}`.
    #[arg(long)]
    pub json: bool,
}

/// `field outbox`
#[derive(Debug, Args)]
pub struct OutboxArgs {
    /// Deliver what is queued now, in order.
    #[arg(long)]
    pub flush: bool,
    /// Print `{"entries": [...]}` (with `--flush`, also `"delivered": N`).
    #[arg(long)]
    pub json: bool,
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
    /// Ask the server instead of the offline catalogue (needs `field login`).
    #[arg(long, conflicts_with = "index")]
    pub online: bool,
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

/// `field screen`
#[derive(Debug, Args)]
pub struct ScreenArgs {
    /// Screen against this index directory instead of the offline catalogue in --home.
    #[arg(long, value_name = "DIR")]
    pub index: Option<PathBuf>,
    /// Print the protocol's screening result JSON.
    #[arg(long)]
    pub json: bool,
    /// How many matches to show at most.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=50))]
    pub limit: u16,
    /// The party name as written on the papers: the words after the flags.
    #[arg(required = true, num_args = 1.., value_name = "NAME")]
    pub name: Vec<String>,
}
