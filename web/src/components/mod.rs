//! The page's components, one per file.

pub mod app;
pub mod check;
pub mod claim;
pub mod copy;
pub mod derivation;
pub mod embed;
pub mod error;
pub mod gallery;
pub mod input;
pub mod math;
pub mod preview;
pub mod symbols;
