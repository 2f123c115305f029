//! The rule catalog: every rule a derivation step can cite, as data with a stable kebab-case id.

use serde::Serialize;

/// A rule a derivation step cites.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Stable kebab-case id, e.g. `product-rule`.
    pub id: &'static str,
    /// Human name, e.g. "product rule".
    pub name: &'static str,
    /// The identity, in LaTeX.
    pub identity: &'static str,
    /// Equation number in the Matrix Cookbook (2012 edition), where there is one.
    pub cookbook: Option<&'static str>,
}
