//! `field-client`: the officer's command-line client. Each command lives in its own module under `commands`.

pub mod cli;
mod commands;
mod home;
mod terminal;

use cli::{Cli, Command, IndexCommand};

/// Runs one parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let home = home::FieldHome::resolve(cli.home.as_deref())?;
    match cli.command {
        Command::Index(IndexCommand::Build(args)) => commands::index::build(&args),
        Command::Search(args) => commands::search::run(&home, &args),
        Command::Show(args) => commands::show::run(&home, &args),
    }
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
