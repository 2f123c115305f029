//! The matdiff web page.
fn main() {}
