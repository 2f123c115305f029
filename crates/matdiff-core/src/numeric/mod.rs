//! Numbers: evaluation with nalgebra, sizes, random samples, gradient and step checks, values from JSON.
//!
//! Everything here works on the typed [`Expr`](crate::expr::Expr) trees of the other layers.
//! Scalars are `1×1` matrices. Nothing panics on user input: evaluation problems come back
//! as [`EvalError`]s, bad sizes and bad values files as [`Diagnostic`](crate::Diagnostic)s,
//! and a function that cannot be checked is reported as such in the [`CheckReport`].

mod check;
pub(crate) mod eval;
mod jacobian;
mod json;
mod rng;
mod sample;
mod sizes;
#[cfg(test)]
mod testutil;

use nalgebra::DMatrix;
use std::collections::BTreeMap;

/// The value of every symbol, by name. Scalars are `1×1`, column vectors `n×1`.
pub type Values = BTreeMap<String, DMatrix<f64>>;
/// The size of every symbolic dimension, by name.
pub type Sizes = BTreeMap<String, usize>;

/// The largest size a dimension may have.
pub const MAX_SIZE: usize = 200;

pub use check::{
    evaluate_at, run_check, run_symmetric_check, CheckReport, GradientCheck, StepCheck,
    SymmetricCheck, Verdict,
};
pub use eval::{eval, Env, EvalError};
pub use jacobian::{hessian_at, jacobian_at, run_check2, Check2Report, LineResult, MatrixCheck};
pub use json::{decls_from_values, values_from_json, with_value_origins};
pub(crate) use rng::derive_seed;
pub(crate) use sample::needs_with_steps;
pub(crate) use sample::sample_counted;
pub use sample::{sample, SampleError};
pub use sizes::{resolve_problem_sizes, resolve_sizes, resolve_sizes_with};
