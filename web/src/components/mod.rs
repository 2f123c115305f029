//! The page's components, one per file.

pub mod answers;
pub mod app;
pub mod check;
pub mod claim;
pub mod claim2;
pub mod copy;
pub mod derivation;
pub mod embed;
pub mod error;
pub mod exercises;
pub mod gallery;
pub mod hidden;
pub mod input;
pub mod math;
pub mod mode;
pub mod offer;
pub mod practice;
pub mod preview;
pub mod second;
pub mod symbols;
