//! The `hotline-server` command line: `serve`, `user add`, `backup` (spec/cli.md), and process concerns:
//! logging, the runtime, signals, exit codes (0 done, 1 failed, 2 usage).

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use hotline_index::ImportSource;
use hotline_protocol::Role;

use crate::auth::password;
use crate::clock::Clock;
use crate::config::Config;
use crate::store::{self, Store, users};

/// Border Hotline server: customs officers ask, licensing experts answer, live.
#[derive(Debug, Parser)]
#[command(name = "hotline-server", version, about, long_about = None)]
pub struct Cli {
    /// Where the database, attachments and catalogue index live (created on first start).
    #[arg(long, global = true, env = "HOTLINE_DATA_DIR", default_value = "./hotline-data", value_name = "DIR")]
    pub data_dir: PathBuf,
    /// Log as JSON lines (to stderr) instead of text.
    #[arg(long, global = true)]
    pub log_json: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the server; prints `listening on http://HOST:PORT` once it accepts connections.
    Serve(ServeArgs),
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Write a consistent copy of the database to FILE (safe while the server runs).
    Backup {
        /// The new backup file (must not exist).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

/// `serve` options.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub bind: String,
    /// Add a catalogue source (repeatable): ccl-json, hs-csv, catalogue-jsonl or csl-json, e.g.
    /// `--import ccl-json:../shared/data/ccl/ccl.json`. The index is rebuilt at start when its content changed.
    #[arg(long = "import", value_name = "FORMAT:PATH")]
    pub imports: Vec<ImportSource>,
    /// Create the users officer, expert, expert2, trainer and admin if missing, with random passwords printed
    /// once and kept in DATA_DIR/demo-credentials.txt.
    #[arg(long)]
    pub demo: bool,
    /// Seconds between WebSocket pings; a connection silent for three of them is closed.
    #[arg(long, default_value_t = 20, value_name = "SECONDS")]
    pub heartbeat_secs: u64,
    /// Hours a login token stays valid.
    #[arg(long, default_value_t = 168, value_name = "HOURS")]
    pub session_ttl_hours: u64,
    /// On SIGTERM or Ctrl-C, seconds that HTTP responses still in flight may take before their connections are
    /// dropped (WebSockets get the acks of what they had sent, then a 1001 close; nothing acknowledged is lost).
    #[arg(long, default_value_t = 10, value_name = "SECONDS")]
    pub shutdown_grace_secs: u64,
    /// Seconds a connection may take to send a whole request head (and may stay idle between requests) before
    /// it is closed, so stalled or hostile clients cannot hold sockets open.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub header_read_timeout_secs: u64,
}

/// `user` subcommands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is read from the first line of standard input.
    Add {
        #[arg(long)]
        username: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        /// Shown to other users (defaults to the username).
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from standard input (required: passwords never go on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

/// A role on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Officer,
    Expert,
    Trainer,
    Admin,
}

impl From<RoleArg> for Role {
    fn from(role: RoleArg) -> Role {
        match role {
            RoleArg::Officer => Role::Officer,
            RoleArg::Expert => Role::Expert,
            RoleArg::Trainer => Role::Trainer,
            RoleArg::Admin => Role::Admin,
        }
    }
}

/// The binary's whole `main`, on the system clock.
pub fn main() -> ExitCode {
    main_with_clock(Clock::System)
}

/// `main` with the clock every recorded time comes from: the real binary passes [`Clock::System`]; only the
/// tests' build of this command line passes a steered clock (see [`crate::clock`]).
pub fn main_with_clock(clock: Clock) -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.log_json);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(execute(cli, clock));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(1)
        }
    }
}

fn init_tracing(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tower_http=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn execute(cli: Cli, clock: Clock) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve(&cli.data_dir, args, clock).await,
        Command::User(UserCommand::Add { username, role, display_name, password_stdin: _ }) => {
            add_user(&cli.data_dir, username, role.into(), display_name, clock).await
        }
        Command::Backup { out } => {
            let db = store::database_path(&cli.data_dir);
            tokio::task::spawn_blocking(move || store::backup(&db, &out).map(|()| out)).await?.map(|out| {
                println!("backup written to {}", out.display());
            })?;
            Ok(())
        }
    }
}

async fn serve(data_dir: &Path, args: ServeArgs, clock: Clock) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(&args.bind)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", args.bind))?;
    let mut config = Config::new(data_dir.to_path_buf());
    config.imports = args.imports;
    config.demo = args.demo;
    config.clock = clock;
    config.limits.ws_heartbeat = Duration::from_secs(args.heartbeat_secs.max(1));
    config.limits.ws_idle_timeout = config.limits.ws_heartbeat * 3;
    config.limits.session_ttl = Duration::from_secs(args.session_ttl_hours.max(1) * 3600);
    config.limits.shutdown_grace = Duration::from_secs(args.shutdown_grace_secs);
    config.limits.header_read_timeout = Duration::from_secs(args.header_read_timeout_secs.max(1));
    let state = crate::prepare(config).await?;
    let address = listener.local_addr()?;
    println!("listening on http://{address}");
    tracing::info!(%address, "listening");
    crate::serve(listener, state, shutdown_signal()).await
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
}

/// Usernames: 1 to 64 of lowercase letters, digits, `.`, `_`, `-`.
fn check_username(username: &str) -> anyhow::Result<()> {
    let ok = !username.is_empty()
        && username.len() <= 64
        && username.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    anyhow::ensure!(ok, "username {username:?} must be 1 to 64 of a-z, 0-9, '.', '_' and '-'");
    Ok(())
}

async fn add_user(
    data_dir: &Path,
    username: String,
    role: Role,
    display_name: Option<String>,
    clock: Clock,
) -> anyhow::Result<()> {
    check_username(&username)?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let secret = line.trim_end_matches(['\r', '\n']).to_string();
    password::check_new_password(&secret).map_err(|e| anyhow::anyhow!("{}", e.public_message()))?;
    let hash = password::hash(secret).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let display_name = display_name.unwrap_or_else(|| username.clone());
    std::fs::create_dir_all(data_dir)?;
    let db = store::database_path(data_dir);
    let user = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let conn = Store::open_direct(&db)?;
        let now = clock.now_rfc3339();
        Ok(users::insert_user(&conn, &username, &display_name, role, &hash, &now)?)
    })
    .await??;
    println!("created {} user {} ({})", user.role, user.username, user.id);
    Ok(())
}
