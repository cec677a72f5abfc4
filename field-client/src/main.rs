//! `field` binary.
fn main() {}
