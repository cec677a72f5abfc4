//! The `main` of a benchmark example that drives the real server (`examples/hotline_bench.rs`,
//! `examples/review_bench.rs`): the example binary is also the server under test, so one `cargo run --example`
//! measures the release build of both.

use std::future::Future;
use std::process::{Command, ExitCode};

/// Started by [`crate::TestServer`] (first argument `--data-dir`): runs as `hotline-server` itself. Otherwise,
/// once `precondition` holds (exit 2 with its message when not), runs again with `HOTLINE_SERVER_BIN` pointing
/// at this binary, where `TestServer` takes the server from, and that run calls `run` on a Tokio runtime.
pub fn main<F: Future<Output = ()>>(
    precondition: impl FnOnce() -> Result<(), String>,
    run: impl FnOnce() -> F,
) -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).is_some_and(|arg| arg == "--data-dir") {
        return hotline_server::cli::main();
    }
    if let Err(message) = precondition() {
        eprintln!("{message}");
        return ExitCode::from(2);
    }
    if std::env::var_os("HOTLINE_SERVER_BIN").is_none() {
        let exe = std::env::current_exe().expect("the benchmark's own path");
        let status =
            Command::new(&exe).args(&args[1..]).env("HOTLINE_SERVER_BIN", &exe).status().expect("the benchmark runs");
        return if status.success() { ExitCode::SUCCESS } else { ExitCode::FAILURE };
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    runtime.block_on(run());
    ExitCode::SUCCESS
}
