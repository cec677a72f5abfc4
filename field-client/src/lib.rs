//! `field-client`: the officer's command-line client. Each command lives in its own module under `commands`;
//! the hotline side talks to the server through `api` (REST) and `link` (WebSocket) and never sends anything
//! that is not first written to the `outbox`.

pub mod api;
mod backoff;
pub mod cli;
mod commands;
mod delivery;
pub mod error;
mod home;
mod link;
pub mod outbox;
pub mod photo;
mod render;
mod session;
mod terminal;

use cli::{Cli, Command, IndexCommand};

/// Runs one parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let home = home::FieldHome::resolve(cli.home.as_deref())?;
    match cli.command {
        Command::Index(IndexCommand::Build(args)) => commands::index::build(&args),
        Command::Search(args) => commands::search::run(&home, &args),
        Command::Show(args) => commands::show::run(&home, &args),
        Command::Screen(args) => commands::screen::run(&home, &args),
        Command::Login(args) => commands::login::run(&home, &args),
        Command::Sync => commands::sync::run(&home),
        Command::Ask(args) => commands::ask::run(&home, &args),
        Command::Chat(args) => commands::chat::run(&home, &args.request_id),
        Command::Send(args) => commands::send::run(&home, &args),
        Command::Requests(args) => commands::requests::run(&home, args.json),
        Command::History(args) => commands::history::run(&home, &args),
        Command::Outbox(args) => commands::outbox::run(&home, &args),
    }
}

/// Runs the async part of a command on a single-threaded runtime: one officer, one connection at a time.
fn block_on<F: std::future::Future>(future: F) -> anyhow::Result<F::Output> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    Ok(runtime.block_on(future))
}

/// A plain sentence for an error, with its causes, never a backtrace.
pub fn describe_error(error: &anyhow::Error) -> String {
    let mut text = error.to_string();
    for cause in error.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}
