//! Temporary stand-ins for `matdiff_core::numeric` functions that are not on main yet (to be deleted).

use matdiff_core::{Diagnostic, Expr, Problem, Source, SymbolTable};
use nalgebra::DMatrix;
use std::collections::BTreeMap;

pub type Values = BTreeMap<String, DMatrix<f64>>;
pub type Sizes = BTreeMap<String, usize>;

#[derive(Debug)]
pub struct EvalError(pub String);

impl std::fmt::Display for EvalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub fn values_from_json(json: &str, table: &SymbolTable) -> Result<(Values, Sizes), Diagnostic> {
    let _ = (json, table);
    Err(
        Diagnostic::new(0..0, "values from JSON are not available in this build")
            .in_source(Source::Other),
    )
}

pub fn evaluate_at(
    problem: &Problem,
    gradient: &Expr,
    values: &Values,
    sizes: &Sizes,
) -> Result<(f64, DMatrix<f64>), EvalError> {
    let _ = (problem, gradient, values, sizes);
    Err(EvalError(
        "evaluation is not available in this build".into(),
    ))
}

/// Mirror of `matdiff_core::numeric::CheckReport` (on the numeric branch, not merged yet).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct CheckReport {
    pub sizes: Sizes,
    pub seed: u64,
    pub value: Option<f64>,
    pub gradient: Option<GradientCheck>,
    pub steps: Vec<StepCheck>,
    pub passed: bool,
    pub message: Option<String>,
    pub samples_tried: usize,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct GradientCheck {
    pub method: String,
    pub rel_error: f64,
    pub tolerance: f64,
    pub passed: bool,
    pub symbolic: Option<Vec<Vec<f64>>>,
    pub numeric: Option<Vec<Vec<f64>>>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct StepCheck {
    pub index: usize,
    pub value: f64,
    pub rel_error: f64,
    pub passed: bool,
}

pub fn check(
    analysis: &matdiff_core::Analysis,
    options: &matdiff_core::CheckOptions,
) -> Option<CheckReport> {
    let _ = (analysis, options);
    None
}
