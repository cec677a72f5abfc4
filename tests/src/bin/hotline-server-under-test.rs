//! The `hotline-server` command line, built inside the test package so that its tests can run it as a child
//! process (Cargo exposes `CARGO_BIN_EXE_*` only for a package's own binaries). Same code as the real binary,
//! with one difference: when `HOTLINE_TEST_CLOCK_FILE` names a file, the server's clock reads the time from it
//! (the system clock while it is absent), so that a test can lay out weeks of history through the real API.
//! The real binary has no way to do this.

use hotline_server::clock::Clock;

fn main() -> std::process::ExitCode {
    let clock = std::env::var_os("HOTLINE_TEST_CLOCK_FILE").map(Clock::steered_by).unwrap_or_default();
    hotline_server::cli::main_with_clock(clock)
}
