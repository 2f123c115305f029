//! The `matdiff` command.
fn main() {}
