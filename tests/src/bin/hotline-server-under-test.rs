//! The `hotline-server` command line, built inside the test package so that its tests can run it as a child
//! process (Cargo exposes `CARGO_BIN_EXE_*` only for a package's own binaries). Same code as the real binary.

fn main() -> std::process::ExitCode {
    hotline_server::cli::main()
}
