//! Developer commands: `cargo xtask serve`, `cargo xtask test`.
fn main() {}
