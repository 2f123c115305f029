//! matdiff-web: the Yew page that shows a gradient's derivation by differentials and checks it.

pub mod decls;
pub mod diag;
pub mod examples;
pub mod state;
pub mod url;
