//! matdiff-core: parse → shapes → derivation → simplification → LaTeX → numeric checks.
//!
//! No I/O and no web dependencies: the same code runs natively (the `matdiff` command)
//! and in wasm32 (the page). Bad input never panics; it comes back as [`Diagnostic`]s.

pub mod api;
pub mod build;
pub mod canon;
pub mod compare;
pub mod ctx;
pub mod decls;
pub mod derive;
pub mod diagnostic;
pub mod exercises;
pub mod export;
pub mod expr;
pub mod funcs;
pub mod greek;
pub mod jacobian;
pub mod layout;
pub mod lower;
pub mod numeric;
pub mod practice;
pub mod print;
pub mod publish;
pub mod rules;
pub mod simplify;
pub mod sort;
pub mod symmetric;
pub mod syntax;

pub use api::{
    analyze, check, derive, derive_exprs, problem, render, Analysis, CheckOptions, Derivation,
    Input, Lhs, LineCheck, RawDerivation, RawStep, Step,
};
pub use diagnostic::{Code, Diagnostic, Label, Source, Span};
pub use expr::{Dim, Expr, Func, Kind, Origin, Problem, Shape, Symbol, SymbolTable};
pub use lower::OtherReading;
pub use numeric::{CheckReport, Verdict};
pub use rules::Rule;
