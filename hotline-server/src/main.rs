//! `hotline-server` binary (skeleton).
fn main() {}
