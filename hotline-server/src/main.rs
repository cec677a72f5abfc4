//! `hotline-server` binary: parses the command line and runs the library (see `hotline_server::cli`).

fn main() -> std::process::ExitCode {
    hotline_server::cli::main()
}
