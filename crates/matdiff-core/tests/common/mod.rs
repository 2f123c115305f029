//! Shared helpers of the integration tests: the Cookbook corpus, the example inputs, shortcuts to the API.
#![allow(dead_code)]

use matdiff_core::{analyze, Analysis, Derivation, Input};

/// One identity of `data/cookbook.txt`.
#[derive(Clone, Debug, Default)]
pub struct Entry {
    /// Equation number in the Matrix Cookbook, or `derived`.
    pub eq: String,
    pub f: String,
    pub decls: String,
    pub wrt: String,
    /// The expected gradient, in input syntax.
    pub grad: String,
    /// The exact `gradient_text` expected, where the form is canonical.
    pub canonical: Option<String>,
    /// Line of the record's first field in the data file.
    pub line: usize,
}

impl Entry {
    pub fn label(&self) -> String {
        let eq = if self.eq == "derived" {
            "derived".to_string()
        } else {
            format!("({})", self.eq)
        };
        format!("{eq} d/d{} {}  [line {}]", self.wrt, self.f, self.line)
    }
}

/// The corpus, parsed. Panics on a malformed record (a bug in the data file).
pub fn corpus() -> Vec<Entry> {
    let text = include_str!("../data/cookbook.txt");
    let mut out = Vec::new();
    let mut cur: Option<Entry> = None;
    let finish = |cur: &mut Option<Entry>, out: &mut Vec<Entry>| {
        if let Some(e) = cur.take() {
            assert!(
                !e.eq.is_empty() && !e.f.is_empty() && !e.wrt.is_empty() && !e.grad.is_empty(),
                "incomplete record at line {}",
                e.line
            );
            out.push(e);
        }
    };
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        if line.is_empty() {
            finish(&mut cur, &mut out);
            continue;
        }
        let (key, value) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("line {}: no `key:`", i + 1));
        let value = value.trim().to_string();
        let e = cur.get_or_insert_with(|| Entry {
            line: i + 1,
            ..Entry::default()
        });
        match key.trim() {
            "eq" => e.eq = value,
            "f" => e.f = value,
            "let" => e.decls = value,
            "wrt" => e.wrt = value,
            "grad" => e.grad = value,
            "canonical" => e.canonical = Some(value),
            other => panic!("line {}: unknown field `{other}`", i + 1),
        }
    }
    finish(&mut cur, &mut out);
    out
}

pub fn input(expr: &str, decls: &str, wrt: Option<&str>) -> Input {
    Input {
        expr: expr.to_string(),
        decls: decls.to_string(),
        wrt: wrt.map(str::to_string),
    }
}

pub fn run(expr: &str, decls: &str, wrt: Option<&str>) -> Analysis {
    analyze(&input(expr, decls, wrt))
}

/// The derivation, or the diagnostics rendered against the input.
pub fn derivation(expr: &str, decls: &str, wrt: Option<&str>) -> Result<Derivation, String> {
    let a = run(expr, decls, wrt);
    match a.derivation {
        Some(d) if a.diagnostics.is_empty() => Ok(d),
        _ => Err(a
            .diagnostics
            .iter()
            .map(|d| {
                d.render(if d.source == matdiff_core::Source::Decls {
                    decls
                } else {
                    expr
                })
            })
            .collect()),
    }
}

/// The lecture note's three examples.
pub const NOTE: [(&str, &str, Option<&str>); 3] = [
    ("||A*x - b||^2", "", Some("x")),
    ("tr(A*X*B)", "", None),
    ("logdet(X'*X)", "", None),
];

/// More inputs for snapshots and LaTeX checks: one per family of rules.
pub const MORE: [(&str, &str, Option<&str>); 16] = [
    ("x'*A*x", "", Some("x")),
    ("x'*S*x", "S: symmetric n", Some("x")),
    ("det(X)", "", None),
    ("tr(A*inv(X)*B)", "", None),
    ("a'*inv(X)*b", "a: vector n, b: vector n", None),
    ("||X||_F", "", None),
    ("||x - a||", "a: vector n", Some("x")),
    ("sum(exp(A*x))", "", Some("x")),
    ("tr(A'*(B .* X))", "", None),
    ("sum(log(x))", "", Some("x")),
    ("tr(X^3)", "", None),
    ("alpha*tr(X'*X) + beta*sum(X)", "", None),
    ("logdet(P + X'*X)", "P: spd n", None),
    ("norm1(x)", "", Some("x")),
    ("sqrt(x'*x) / (1 + x'*x)", "", Some("x")),
    ("tr(diag(x)*A)", "", Some("x")),
];
