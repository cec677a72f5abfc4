//! The `field` command line, built inside the test package so that its tests can run it as a child process
//! (Cargo exposes `CARGO_BIN_EXE_*` only for a package's own binaries). Same code as field-client's `main.rs`.

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
