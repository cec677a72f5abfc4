//! The `field` binary: parses the command line and hands over to the `field_client` library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = field_client::cli::Cli::parse();
    match field_client::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("field: {}", field_client::describe_error(&error));
            ExitCode::from(1)
        }
    }
}
