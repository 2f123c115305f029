//! The front door of the core: text in, derivation and checks out.

use crate::diagnostic::Diagnostic;
use crate::expr::{Expr, Kind, Symbol};
use crate::rules::Rule;
use serde::Serialize;
use std::collections::BTreeMap;

/// What the user typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Input {
    /// The expression, e.g. `tr(A*X*B)`.
    pub expr: String,
    /// Declarations, e.g. `A: 3x4, S: symmetric n, P: spd n`. May be empty.
    pub decls: String,
    /// The variable; `None` picks one (X, then x, then the first matrix, vector, scalar).
    pub wrt: Option<String>,
}

/// Everything the page and the command show for one input.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Analysis {
    /// Problems with the input; empty when the derivation succeeded.
    pub diagnostics: Vec<Diagnostic>,
    /// The symbols with inferred kinds, shapes and properties (empty when parsing failed).
    pub symbols: Vec<Symbol>,
    /// The variable chosen.
    pub wrt: Option<String>,
    /// How the input was read, as LaTeX and in input syntax.
    pub expr_latex: Option<String>,
    pub expr_text: Option<String>,
    pub derivation: Option<Derivation>,
}

/// Which side a derivation line is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lhs {
    /// `dy = …`
    Dy,
    /// `∇f = …`
    Gradient,
}

/// One line of the derivation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Step {
    pub lhs: Lhs,
    /// The rule that produced this line from the previous one; `None` on the first line.
    pub rule: Option<Rule>,
    pub expr: Expr,
    /// The right-hand side in LaTeX and in input syntax.
    pub latex: String,
    pub text: String,
}

/// The derivation of the gradient of a scalar function.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Derivation {
    pub wrt: String,
    pub wrt_kind: Kind,
    pub f: Expr,
    pub f_latex: String,
    pub f_text: String,
    pub steps: Vec<Step>,
    pub gradient: Expr,
    pub gradient_latex: String,
    /// The gradient in input syntax: parses back to the same function.
    pub gradient_text: String,
}

/// Options of the numeric checks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckOptions {
    /// Sizes of symbolic dimensions (`m=3,n=4`); missing ones get small defaults.
    pub sizes: BTreeMap<String, usize>,
    pub seed: u64,
}

/// Parses, types and derives. Never panics; problems come back as diagnostics.
pub fn analyze(input: &Input) -> Analysis {
    let _ = input;
    Analysis {
        diagnostics: vec![],
        symbols: vec![],
        wrt: None,
        expr_latex: None,
        expr_text: None,
        derivation: None,
    }
}

/// Runs the gradient check and the step check of a derivation.
pub fn check(analysis: &Analysis, options: &CheckOptions) -> Option<crate::numeric::CheckReport> {
    let _ = (analysis, options);
    None
}
