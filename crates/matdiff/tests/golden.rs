//! Golden output of `matdiff derive` in every format for the Cookbook corpus, the examples and the
//! edge cases: the engine redesign must leave it byte-identical except where a change says why.
//!
//! The expected output is `tests/data/golden-derive.txt`. `UPDATE_GOLDEN=1 cargo test -p matdiff
//! --test golden` rewrites it; `git diff` of that file then lists exactly what changed.

#[path = "../../matdiff-core/tests/common/mod.rs"]
mod common;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;

/// Inputs beyond the corpus and the examples: refusals, limits, results the simplifier will
/// improve, and inputs whose reading depends on letters.
const EDGE: [(&str, &str, Option<&str>); 30] = [
    ("sum(tr(W))", "", None),
    ("tr(logdet(X))", "", None),
    ("sum(det(X))", "", None),
    ("sum(tr(f*Y'))", "", Some("Y")),
    ("-t'*log(exp(z)/sum(exp(z)))", "", Some("z")),
    ("-t'*log(exp(W*x)/sum(exp(W*x)))", "", Some("W")),
    ("sqrt(x'*A*x)", "", Some("x")),
    ("logdet(X*X)", "", None),
    ("log(a^2)", "", Some("a")),
    ("sum(log(vector(1) + exp(-y.*(X*w))))", "", Some("w")),
    (
        "-logdet(Sigma)/2 - (x - mu)'*inv(Sigma)*(x - mu)/2",
        "Sigma: spd n, x: vector n, mu: vector n",
        Some("Sigma"),
    ),
    ("tr(A*X)", "", Some("Y")),
    ("x'*x/2", "", Some("x")),
    ("(1/2)*||A*x - b||^2", "", Some("x")),
    ("tr(inv(X)*X)", "", None),
    ("a'*X*b", "", None),
    ("x'Ax", "", Some("x")),
    ("||Ax - b||^2", "", Some("x")),
    ("a/0", "", None),
    ("tr(X", "", None),
    ("tr(A*X) + ", "", None),
    ("x + X", "", None),
    ("tr(X^-2)", "", None),
    ("tr(A*X*B)", "A: 3x4, X: 4x5, B: 5x3", None),
    ("exp(tr(X))*det(X)", "", None),
    ("tr(M*kron(A, X))", "", None),
    ("sum(kron(A, X))", "", None),
    ("tr(kron(A))", "", None),
    ("tr(kron(A, B, X))", "", None),
    ("tr(kron(A, X)*kron(B, X))", "A: 2x2, B: 2x2, X: 3x3", None),
];

const FORMATS: [&str; 4] = ["text", "latex", "markdown", "json"];

fn golden_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/golden-derive.txt")
}

/// Every case, as (expression, declarations, variable).
fn cases() -> Vec<(String, String, Option<String>)> {
    let mut out: Vec<(String, String, Option<String>)> = common::corpus()
        .into_iter()
        .map(|e| (e.f, e.decls, Some(e.wrt)))
        .collect();
    for (f, decls, wrt) in common::NOTE
        .iter()
        .chain(common::MORE.iter())
        .chain(EDGE.iter())
    {
        out.push((f.to_string(), decls.to_string(), wrt.map(str::to_string)));
    }
    out
}

/// The output of every case in every format, as one text.
fn render_all() -> String {
    let mut out = String::new();
    for (f, decls, wrt) in cases() {
        for format in FORMATS {
            let mut args = vec![
                "derive".to_string(),
                f.clone(),
                "--let".into(),
                decls.clone(),
            ];
            if let Some(w) = &wrt {
                args.extend(["--wrt".to_string(), w.clone()]);
            }
            args.extend(["--format".to_string(), format.to_string()]);
            let o = Command::new(env!("CARGO_BIN_EXE_matdiff"))
                .args(&args)
                .output()
                .expect("run matdiff");
            writeln!(out, "=== matdiff {}", args[1..].join(" | ")).unwrap();
            writeln!(out, "--- exit {:?}", o.status.code()).unwrap();
            out.push_str(&String::from_utf8_lossy(&o.stdout));
            let err = String::from_utf8_lossy(&o.stderr);
            if !err.is_empty() {
                out.push_str("--- stderr\n");
                out.push_str(&err);
            }
        }
    }
    out
}

#[test]
fn derive_output_matches_the_golden_file() {
    let got = render_all();
    let path = golden_path();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", path.display()));
    if got != want {
        let (g, w): (Vec<&str>, Vec<&str>) = (got.lines().collect(), want.lines().collect());
        let first = g
            .iter()
            .zip(&w)
            .position(|(a, b)| a != b)
            .unwrap_or(g.len().min(w.len()));
        let header = w[..first.min(w.len())]
            .iter()
            .rev()
            .find(|l| l.starts_with("=== "))
            .copied()
            .unwrap_or("");
        panic!(
            "derive output differs from {} at line {} (case {header}):\n  want: {}\n  got:  {}\n\
             If the change is intended, rewrite it with UPDATE_GOLDEN=1 and say why in the commit.",
            path.display(),
            first + 1,
            w.get(first).unwrap_or(&"<end>"),
            g.get(first).unwrap_or(&"<end>"),
        );
    }
}
