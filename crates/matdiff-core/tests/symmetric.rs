//! Gradients with respect to a symmetric variable (issue 13 §3): a corpus of the Matrix
//! Cookbook's "symmetric" formulas and others, each form printed (snapshot) and checked
//! numerically; wrong forms fail their checks.

use matdiff_core::numeric::run_symmetric_check;
use matdiff_core::{analyze, check, CheckOptions, Expr, Input, Verdict};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// (expression, declarations, variable, source). Equation numbers as in `data/cookbook.txt` (the
/// Cookbook of November 15, 2012); "with (138)" means the Cookbook's formula for an unstructured
/// X made the symmetric one by its (138).
const CORPUS: [(&str, &str, &str, &str); 17] = [
    (
        "tr(A*S)",
        "S: symmetric n",
        "S",
        "Cookbook (139): A + A' - (A o I)",
    ),
    (
        "det(S)",
        "S: spd n",
        "S",
        "Cookbook (140): det(X)(2X^-1 - (X^-1 o I))",
    ),
    (
        "logdet(S)",
        "S: spd n",
        "S",
        "Cookbook (141): 2X^-1 - (X^-1 o I)",
    ),
    (
        "a'*S*a",
        "S: symmetric n, a: vector n",
        "S",
        "Cookbook (72) with (138)",
    ),
    (
        "a'*S*b",
        "S: symmetric n, a: vector n, b: vector n",
        "S",
        "Cookbook (70) with (138)",
    ),
    (
        "tr(S*S)",
        "S: symmetric n",
        "S",
        "Cookbook (106) with (138)",
    ),
    (
        "tr(A*S*B)",
        "S: symmetric n",
        "S",
        "Cookbook (101) with (138)",
    ),
    ("tr(inv(S)*A)", "S: spd n", "S", "Cookbook (63) with (138)"),
    (
        "tr(S'*A*S)",
        "S: symmetric n",
        "S",
        "Cookbook (108) with (138)",
    ),
    (
        "||S - A||_F^2",
        "S: symmetric n",
        "S",
        "nearest symmetric matrix (Higham 1988)",
    ),
    (
        "tr(S*P) - logdet(S)",
        "S: spd n, P: spd n",
        "S",
        "graphical lasso objective (Friedman, Hastie, Tibshirani 2008)",
    ),
    (
        "-logdet(Sigma)/2 - (x - mu)'*inv(Sigma)*(x - mu)/2",
        "Sigma: spd n, x: vector n, mu: vector n",
        "Sigma",
        "Gaussian log-likelihood in the covariance (Bishop PRML 2.118)",
    ),
    (
        "x'*inv(S)*x",
        "S: spd n, x: vector n",
        "S",
        "Cookbook (61) with (138)",
    ),
    (
        "sum(S.*S.*A)",
        "S: symmetric n",
        "S",
        "Hadamard product, Cookbook (138)",
    ),
    (
        "tr(S)",
        "S: symmetric n",
        "S",
        "Cookbook (99) with (138): a diagonal G",
    ),
    (
        "tr(S)^2",
        "S: symmetric n",
        "S",
        "Cookbook (99), the chain rule and (138)",
    ),
    (
        "tr(A*S*B*S)",
        "S: symmetric n",
        "S",
        "Cookbook (114) with (138)",
    ),
];

fn analyzed(expr: &str, decls: &str, wrt: &str) -> matdiff_core::Analysis {
    analyze(&Input {
        expr: expr.into(),
        decls: decls.into(),
        wrt: Some(wrt.into()),
    })
}

fn options(seed: u64) -> CheckOptions {
    CheckOptions {
        sizes: BTreeMap::from([("n".to_string(), 4)]),
        seed,
    }
}

/// Every case derives, has both forms, and every check (G, sym(G), entry form) passes at
/// several seeds.
#[test]
fn the_corpus_derives_and_checks() {
    let mut out = String::new();
    for (expr, decls, wrt, source) in CORPUS {
        let a = analyzed(expr, decls, wrt);
        let d = a
            .derivation
            .as_ref()
            .unwrap_or_else(|| panic!("{expr}: {:?}", a.diagnostics));
        let s = d
            .symmetric
            .as_ref()
            .unwrap_or_else(|| panic!("{expr}: no symmetric forms"));
        for seed in [1, 2, 3] {
            let r = check(&a, &options(seed)).expect("a check");
            assert_eq!(r.verdict(), Verdict::Passed, "{expr} seed {seed}: {r:#?}");
            let c = r.symmetric.as_ref().expect("the symmetric checks");
            let (sym, entries) = (c.symmetric.as_ref(), c.entries.as_ref());
            assert!(sym.is_some_and(|g| g.passed) && entries.is_some_and(|g| g.passed));
        }
        let _ = writeln!(
            out,
            "{expr} wrt {wrt}   [{source}]\n  G       = {}\n  sym(G)  = {}\n  entries = {}",
            d.gradient_text, s.symmetric.text, s.entries.text
        );
    }
    expect_test::expect![[r#"
        tr(A*S) wrt S   [Cookbook (139): A + A' - (A o I)]
          G       = A'
          sym(G)  = (A + A') / 2
          entries = A + A' - A .* eye
        det(S) wrt S   [Cookbook (140): det(X)(2X^-1 - (X^-1 o I))]
          G       = det(S)*inv(S)
          sym(G)  = det(S)*inv(S)
          entries = 2*det(S)*inv(S) - det(S)*(inv(S) .* eye)
        logdet(S) wrt S   [Cookbook (141): 2X^-1 - (X^-1 o I)]
          G       = inv(S)
          sym(G)  = inv(S)
          entries = 2*inv(S) - inv(S) .* eye
        a'*S*a wrt S   [Cookbook (72) with (138)]
          G       = a*a'
          sym(G)  = a*a'
          entries = 2*a*a' - (a*a') .* eye
        a'*S*b wrt S   [Cookbook (70) with (138)]
          G       = a*b'
          sym(G)  = (a*b' + b*a') / 2
          entries = a*b' + b*a' - (a*b') .* eye
        tr(S*S) wrt S   [Cookbook (106) with (138)]
          G       = 2*S
          sym(G)  = 2*S
          entries = 2*(2*S - S .* eye)
        tr(A*S*B) wrt S   [Cookbook (101) with (138)]
          G       = A'*B'
          sym(G)  = (B*A + A'*B') / 2
          entries = B*A + A'*B' - (A'*B') .* eye
        tr(inv(S)*A) wrt S   [Cookbook (63) with (138)]
          G       = -inv(S)*A'*inv(S)
          sym(G)  = -((inv(S)*A*inv(S) + inv(S)*A'*inv(S)) / 2)
          entries = -(inv(S)*A*inv(S) + inv(S)*A'*inv(S) - (inv(S)*A'*inv(S)) .* eye)
        tr(S'*A*S) wrt S   [Cookbook (108) with (138)]
          G       = A*S + A'*S
          sym(G)  = (A*S + S*A + A'*S + S*A') / 2
          entries = A*S + S*A + A'*S + S*A' - (A*S + A'*S) .* eye
        ||S - A||_F^2 wrt S   [nearest symmetric matrix (Higham 1988)]
          G       = 2*(S - A)
          sym(G)  = 2*S - A - A'
          entries = 2*(2*S - A - A' - (S - A) .* eye)
        tr(S*P) - logdet(S) wrt S   [graphical lasso objective (Friedman, Hastie, Tibshirani 2008)]
          G       = P - inv(S)
          sym(G)  = P - inv(S)
          entries = 2*(P - inv(S)) - (P - inv(S)) .* eye
        -logdet(Sigma)/2 - (x - mu)'*inv(Sigma)*(x - mu)/2 wrt Sigma   [Gaussian log-likelihood in the covariance (Bishop PRML 2.118)]
          G       = (-inv(Sigma) + inv(Sigma)*(x - mu)*(x - mu)'*inv(Sigma)) / 2
          sym(G)  = (-inv(Sigma) + inv(Sigma)*(x - mu)*(x - mu)'*inv(Sigma)) / 2
          entries = (2*(-inv(Sigma) + inv(Sigma)*(x - mu)*(x - mu)'*inv(Sigma)) - (-inv(Sigma) + inv(Sigma)*(x - mu)*(x - mu)'*inv(Sigma)) .* eye) / 2
        x'*inv(S)*x wrt S   [Cookbook (61) with (138)]
          G       = -inv(S)*x*x'*inv(S)
          sym(G)  = -inv(S)*x*x'*inv(S)
          entries = -(2*inv(S)*x*x'*inv(S) - (inv(S)*x*x'*inv(S)) .* eye)
        sum(S.*S.*A) wrt S   [Hadamard product, Cookbook (138)]
          G       = 2*(S .* A)
          sym(G)  = S .* A + (S .* A)'
          entries = 2*(S .* A + (S .* A)' - S .* A .* eye)
        tr(S) wrt S   [Cookbook (99) with (138): a diagonal G]
          G       = eye
          sym(G)  = eye
          entries = eye
        tr(S)^2 wrt S   [Cookbook (99), the chain rule and (138)]
          G       = 2*tr(S)*eye
          sym(G)  = 2*tr(S)*eye
          entries = 2*tr(S)*eye
        tr(A*S*B*S) wrt S   [Cookbook (114) with (138)]
          G       = (B*S*A + A*S*B)'
          sym(G)  = (B*S*A + A*S*B + A'*S*B' + B'*S*A') / 2
          entries = B*S*A + A*S*B + A'*S*B' + B'*S*A' - (A'*S*B' + B'*S*A') .* eye
    "#]].assert_eq(&out);
}

/// The forms' texts read back as input: each, inside `tr((F)*V)` with the same declarations,
/// parses and types (their values are checked in `the_corpus_derives_and_checks`).
#[test]
fn the_forms_print_as_input_that_reads_back() {
    for (expr, decls, wrt, _) in CORPUS {
        let a = analyzed(expr, decls, wrt);
        let s = a
            .derivation
            .as_ref()
            .and_then(|d| d.symmetric.clone())
            .expect("forms");
        for form in [&s.symmetric, &s.entries] {
            let back = analyzed(&format!("tr(({})*V)", form.text), decls, "V");
            assert!(
                back.diagnostics.is_empty(),
                "{expr}: {} does not read back: {:?}",
                form.text,
                back.diagnostics
            );
        }
    }
}

/// The checks can fail: G in place of sym(G) (not symmetric), sym(G) in place of the entry
/// form, and G + Gᵀ without the diagonal correction all fail.
#[test]
fn wrong_forms_fail_their_checks() {
    let a = analyzed("tr(A*S)", "S: symmetric n", "S");
    let p = a.problem.as_ref().expect("a problem");
    let d = a.derivation.as_ref().expect("a derivation");
    let s = d.symmetric.as_ref().expect("forms");
    let sizes = BTreeMap::from([("n".to_string(), 3)]);
    let g = &d.gradient;
    let both = Expr::Add(vec![Expr::sym("A"), Expr::t(Expr::sym("A"))]);
    let right = run_symmetric_check(p, &[], (&s.symmetric.expr, &s.entries.expr), &sizes, 5);
    assert!(right.passed, "{right:#?}");
    for (sym, entries, what) in [
        (g, &s.entries.expr, "G as sym(G)"),
        (
            &s.symmetric.expr,
            &s.symmetric.expr,
            "sym(G) as the entry form",
        ),
        (&s.symmetric.expr, &both, "G + G' as the entry form"),
    ] {
        let c = run_symmetric_check(p, &[], (sym, entries), &sizes, 5);
        assert!(!c.passed && !c.undecidable, "{what}: {c:#?}");
        assert!(c.failure().is_some(), "{what}");
    }
}

/// A variable not declared symmetric has no forms, and its report no symmetric checks.
#[test]
fn an_undeclared_variable_has_no_symmetric_forms() {
    let a = analyzed("tr(A*X)", "", "X");
    assert!(a.derivation.as_ref().is_some_and(|d| d.symmetric.is_none()));
    let r = check(&a, &options(1)).expect("a check");
    assert!(r.symmetric.is_none());
    let json = serde_json::to_string(&r).expect("json");
    assert!(!json.contains("symmetric"), "{json}");
}

/// Every form's LaTeX renders with KaTeX, with the labels the command and the page put before it.
#[test]
fn the_forms_render_with_katex() {
    let opts = katex::Opts::builder()
        .display_mode(true)
        .throw_on_error(true)
        .build()
        .expect("KaTeX options");
    for (expr, decls, wrt, _) in CORPUS {
        let a = analyzed(expr, decls, wrt);
        let s = a
            .derivation
            .as_ref()
            .and_then(|d| d.symmetric.clone())
            .expect("forms");
        for latex in [
            format!(r"\operatorname{{sym}}(G) = {}", s.symmetric.latex),
            format!(r"G + G^\top - G \odot I = {}", s.entries.latex),
        ] {
            katex::render_with_opts(&latex, &opts)
                .unwrap_or_else(|e| panic!("{expr}: {latex}: {e}"));
        }
    }
}

/// A wrong symmetric form in a derivation fails the whole check, with the form named in the
/// verdict, though G and every dy line pass.
#[test]
fn a_wrong_form_fails_the_verdict() {
    let mut a = analyzed("logdet(S)", "S: spd n", "S");
    let d = a.derivation.as_mut().expect("a derivation");
    let s = d.symmetric.as_mut().expect("forms");
    s.entries.expr = s.symmetric.expr.clone();
    let r = check(&a, &options(1)).expect("a check");
    assert!(r.gradient.as_ref().is_some_and(|g| g.passed) && r.steps.iter().all(|s| s.passed));
    assert_eq!(
        r.verdict(),
        Verdict::Failed(
            "G + G^T - diag(G) differs from finite differences of the independent entries"
                .to_string()
        )
    );
    let mut a = analyzed("tr(A*S)", "S: symmetric n", "S");
    let d = a.derivation.as_mut().expect("a derivation");
    let g = d.gradient.clone();
    d.symmetric.as_mut().expect("forms").symmetric.expr = g;
    let r = check(&a, &options(1)).expect("a check");
    assert_eq!(
        r.verdict(),
        Verdict::Failed(
            "sym(G) differs from finite differences along symmetric directions".to_string()
        )
    );
}
