//! The matdiff web page's entry point.
fn main() {}
