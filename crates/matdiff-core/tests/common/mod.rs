//! Shared helpers of the integration tests: the Cookbook corpus, the example inputs, shortcuts to the API.
#![allow(dead_code)]

use matdiff_core::numeric::{eval, evaluate_at, resolve_problem_sizes, sample, Env, Sizes};
use matdiff_core::{analyze, check, Analysis, CheckOptions, Derivation, Input};

/// Random points per identity.
const POINTS: u64 = 3;
/// Largest accepted relative difference between the engine's gradient and the expected one.
const TOLERANCE: f64 = 1e-8;

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
    records(include_str!("../data/cookbook.txt"))
}

/// The textbook table (`data/textbook.txt`), parsed: its `src` is the entry's `eq`.
pub fn textbook() -> Vec<Entry> {
    records(include_str!("../data/textbook.txt"))
}

/// Records of `key: value` lines separated by blank lines, `#` lines skipped.
fn records(text: &str) -> Vec<Entry> {
    blocks(text)
        .into_iter()
        .map(|fields| {
            let mut e = Entry {
                line: fields[0].0,
                ..Entry::default()
            };
            for (line, key, value) in fields {
                match key.as_str() {
                    "eq" | "src" => e.eq = value,
                    "f" => e.f = value,
                    "let" => e.decls = value,
                    "wrt" => e.wrt = value,
                    "grad" => e.grad = value,
                    "canonical" => e.canonical = Some(value),
                    other => panic!("line {line}: unknown field `{other}`"),
                }
            }
            assert!(
                !e.eq.is_empty() && !e.f.is_empty() && !e.wrt.is_empty() && !e.grad.is_empty(),
                "incomplete record at line {}",
                e.line
            );
            e
        })
        .collect()
}

/// The records of a data file: blocks of `key: value` lines separated by blank lines, `#`
/// lines ignored; each field with its line number, key and trimmed value.
pub fn blocks(text: &str) -> Vec<Vec<(usize, String, String)>> {
    let mut out: Vec<Vec<(usize, String, String)>> = Vec::new();
    let mut cur = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        if line.is_empty() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let (key, value) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("line {}: no `key:`", i + 1));
        cur.push((i + 1, key.trim().to_string(), value.trim().to_string()));
    }
    if !cur.is_empty() {
        out.push(cur);
    }
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
pub const MORE: [(&str, &str, Option<&str>); 17] = [
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
    ("||kron(A, X)||_F^2", "", None),
];

/// The expected gradient as a tree with the shapes of the problem: lowered inside
/// `sum((G) .* X)`, so that `I` and the like get the variable's size, then taken out again.
pub fn expected_gradient(e: &Entry) -> Result<matdiff_core::Expr, String> {
    let text = format!("sum(({}) .* {})", e.grad, e.wrt);
    let p = matdiff_core::lower::lower(&text, &e.decls, Some(&e.wrt)).map_err(|ds| {
        let rendered: Vec<String> = ds.iter().map(|d| d.render(&text)).collect();
        format!(
            "the expected gradient does not lower:\n{}",
            rendered.join("")
        )
    })?;
    use matdiff_core::Expr;
    // `G .* X` lowers to a Hadamard product, `G .* x` of a scalar variable to a product `G x`:
    // either way G is the factors before the variable.
    let inner = match p.expr.as_call1() {
        Some((matdiff_core::Func::Sum, inner)) => (**inner).clone(),
        _ => {
            return Err(format!(
                "unexpected lowering of the expected gradient: {:?}",
                p.expr
            ))
        }
    };
    let (mut factors, rebuild) = match inner {
        Expr::Had(f) => (f, Expr::Had as fn(Vec<Expr>) -> Expr),
        Expr::Mul(f) => (f, Expr::Mul as fn(Vec<Expr>) -> Expr),
        other => {
            return Err(format!(
                "unexpected lowering of the expected gradient: {other:?}"
            ))
        }
    };
    if factors.len() < 2 || factors.last() != Some(&Expr::sym(&e.wrt)) {
        return Err(format!(
            "unexpected lowering of the expected gradient: {:?}",
            rebuild(factors)
        ));
    }
    factors.pop();
    Ok(if factors.len() == 1 {
        factors.remove(0)
    } else {
        rebuild(factors)
    })
}

pub fn rel_diff(a: &nalgebra::DMatrix<f64>, b: &nalgebra::DMatrix<f64>) -> f64 {
    let scale = a.norm().max(b.norm());
    if scale == 0.0 {
        0.0
    } else {
        (a - b).norm() / scale
    }
}

/// Everything one entry must satisfy; `Err` says what failed.
pub fn check_entry(e: &Entry) -> Result<(), String> {
    let analysis = run(&e.f, &e.decls, Some(&e.wrt));
    let d = match (&analysis.derivation, analysis.diagnostics.is_empty()) {
        (Some(d), true) => d.clone(),
        _ => {
            let msgs: Vec<String> = analysis
                .diagnostics
                .iter()
                .map(|d| d.message.clone())
                .collect();
            return Err(format!("no derivation: {}", msgs.join("; ")));
        }
    };
    let problem = analysis
        .problem
        .as_ref()
        .ok_or("a derivation without its problem")?;
    let expected = expected_gradient(e)?;
    let sizes: Sizes = resolve_problem_sizes(problem, &Sizes::new()).map_err(|d| d.message)?;
    for seed in 0..POINTS {
        let values = sample(problem, &sizes, seed).map_err(|err| format!("no sample: {err}"))?;
        let (_, engine) = evaluate_at(problem, &d.gradient, &values, &sizes).map_err(|err| {
            format!(
                "the engine's gradient {} does not evaluate: {err}",
                d.gradient_text
            )
        })?;
        let env = Env {
            values: &values,
            sizes: &sizes,
            direction: None,
        };
        let want = eval(&expected, &env)
            .map_err(|err| format!("the expected gradient does not evaluate: {err}"))?;
        if want.shape() != engine.shape() {
            return Err(format!(
                "shape {:?} expected, the engine's is {:?}",
                want.shape(),
                engine.shape()
            ));
        }
        let diff = rel_diff(&engine, &want);
        if diff.is_nan() || diff > TOLERANCE {
            return Err(format!(
                "gradient {} differs from the expected {} by {diff:.2e} (seed {seed})",
                d.gradient_text, e.grad
            ));
        }
        let report = check(
            &analysis,
            &CheckOptions {
                sizes: Default::default(),
                seed,
            },
        )
        .map_err(|d| format!("check refused: {}", d.message))?;
        if !report.passed {
            return Err(format!("numeric check failed (seed {seed}): {report:?}"));
        }
    }
    if let Some(want) = &e.canonical {
        if &d.gradient_text != want {
            return Err(format!(
                "gradient printed as {}, expected exactly {want}",
                d.gradient_text
            ));
        }
    }
    Ok(())
}
