//! The Matrix Cookbook corpus (`data/cookbook.txt`): each identity derives, its gradient equals the
//! Cookbook's numerically at random points, the numeric checks pass, and canonical forms print as stated.

mod common;

use common::{corpus, Entry};
use matdiff_core::numeric::{eval, evaluate_at, resolve_problem_sizes, sample, Env, Sizes};
use matdiff_core::{check, CheckOptions, Expr, Func};
use nalgebra::DMatrix;

/// Random points per identity.
const POINTS: u64 = 3;
/// Largest accepted relative difference between the engine's gradient and the expected one.
const TOLERANCE: f64 = 1e-8;

/// The expected gradient as a tree with the shapes of the problem: lowered inside
/// `sum((G) .* X)`, so that `I` and the like get the variable's size, then taken out again.
fn expected_gradient(e: &Entry) -> Result<Expr, String> {
    let text = format!("sum(({}) .* {})", e.grad, e.wrt);
    let p = matdiff_core::lower::lower(&text, &e.decls, Some(&e.wrt)).map_err(|ds| {
        let rendered: Vec<String> = ds.iter().map(|d| d.render(&text)).collect();
        format!(
            "the expected gradient does not lower:\n{}",
            rendered.join("")
        )
    })?;
    match p.expr {
        Expr::Call(Func::Sum, inner) => match std::rc::Rc::unwrap_or_clone(inner) {
            Expr::Had(mut factors)
                if factors.len() >= 2 && factors.last() == Some(&Expr::sym(&e.wrt)) =>
            {
                factors.pop();
                Ok(if factors.len() == 1 {
                    factors.remove(0)
                } else {
                    Expr::Had(factors)
                })
            }
            other => Err(format!(
                "unexpected lowering of the expected gradient: {other:?}"
            )),
        },
        other => Err(format!(
            "unexpected lowering of the expected gradient: {other:?}"
        )),
    }
}

fn rel_diff(a: &DMatrix<f64>, b: &DMatrix<f64>) -> f64 {
    let scale = a.norm().max(b.norm());
    if scale == 0.0 {
        0.0
    } else {
        (a - b).norm() / scale
    }
}

/// Everything one entry must satisfy; `Err` says what failed.
fn check_entry(e: &Entry) -> Result<(), String> {
    let analysis = common::run(&e.f, &e.decls, Some(&e.wrt));
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

#[test]
fn corpus_is_large_and_labelled() {
    let entries = corpus();
    assert!(entries.len() >= 60, "only {} identities", entries.len());
    let numbered = entries.iter().filter(|e| e.eq != "derived").count();
    assert!(
        numbered >= 50,
        "only {numbered} identities carry a Cookbook equation number"
    );
    for e in &entries {
        assert!(
            e.eq == "derived" || (e.eq.parse::<u32>().is_ok_and(|n| (1..=600).contains(&n))),
            "bad label {}",
            e.label()
        );
    }
    assert_eq!(entries.iter().filter(|e| e.canonical.is_some()).count(), 2);
}

#[test]
fn cookbook_identities() {
    let entries = corpus();
    let failures: Vec<String> = entries
        .iter()
        .filter_map(|e| {
            check_entry(e)
                .err()
                .map(|m| format!("{}\n    {m}", e.label()))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} identities failed:\n{}",
        failures.len(),
        entries.len(),
        failures.join("\n")
    );
}

/// The third canonical form of the note, `logdet(X'*X)`, without declarations.
#[test]
fn note_logdet_is_canonical() {
    let d = common::derivation("logdet(X'*X)", "", None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d.gradient_text, "2*X*inv(X'*X)");
}

/// Checks `(f, wrt, expected gradient)` cases like corpus entries; with `canonical`, the gradient
/// must also print exactly as expected.
fn check_derived(cases: &[(&str, &str, &str)], canonical: bool) {
    for &(f, wrt, grad) in cases {
        let e = Entry {
            eq: "derived".into(),
            f: f.into(),
            wrt: wrt.into(),
            grad: grad.into(),
            canonical: canonical.then(|| grad.into()),
            ..Entry::default()
        };
        check_entry(&e).unwrap_or_else(|err| panic!("{}: {err}", e.label()));
    }
}

/// Names written as implicit products (`Ax`, `x'Ax`, `SigmaX`) and subscripted Greek scalars
/// (`lambda_1`) derive like their explicit forms: each gradient is compared with the explicit
/// one at random points and checked numerically, like a corpus entry.
#[test]
fn implicit_products_and_greek_subscripts_derive_like_explicit_forms() {
    let cases = [
        ("||Ax - b||^2", "x", "2*A'*(A*x - b)"),
        ("x'Ax", "x", "(A + A')*x"),
        ("x'Ax", "A", "x*x'"),
        ("tr(SigmaX)", "X", "Sigma'"),
        ("tr(AXB) + lambda_1*tr(X'X)", "X", "A'*B' + 2*lambda_1*X"),
        ("alpha2*x'x", "x", "2*alpha2*x"),
    ];
    check_derived(&cases, false);
    // The two readings agree exactly, not only numerically.
    let implicit = common::derivation("||Ax - b||^2", "", None).unwrap_or_else(|e| panic!("{e}"));
    let explicit = common::derivation("||A*x - b||^2", "", None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(implicit.gradient_text, explicit.gradient_text);
    assert_eq!(implicit.wrt, "x");
}

/// A whole coefficient over a number is reduced: `x'x/2` has the gradient `x`, not `2*x / 2`.
/// Each is also compared with the expected gradient at random points and checked numerically.
#[test]
fn whole_coefficients_over_a_number_are_reduced() {
    let cases = [
        ("x'*x/2", "x", "x"),
        ("(1/2)*||A*x - b||^2", "x", "A'*(A*x - b)"),
        ("x'*x/4", "x", "x / 2"),
        ("x'*x/(-2)", "x", "-x"),
        ("x'*x/3", "x", "2*x / 3"),
    ];
    check_derived(&cases, true);
}
