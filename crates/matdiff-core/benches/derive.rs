//! Criterion benchmarks of parse + derive + simplify (placeholder until the engine lands).
fn main() {}
