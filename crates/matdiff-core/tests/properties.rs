//! Property tests: random well-shaped expressions from the grammar (as text) derive or get a
//! diagnostic, never panic, and their derivations pass the numeric gradient and step checks.

use matdiff_core::{analyze, check, CheckOptions, Code, Input};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// Every symbol the generators use, with shapes that fit: `M` is n×m and `N` m×n, so products
/// through them change shape.
const DECLS: &str = "A: n x n, B: n x n, S: spd n, X: n x n, x: vector n, u: vector n, v: vector n, c: scalar, M: n x m, N: m x n, w: vector m";

/// The variables the properties differentiate by, one of each kind and a non-square matrix.
const VARIABLES: &[&str] = &["x", "X", "M", "c"];

fn num() -> impl Strategy<Value = String> {
    prop_oneof![Just("2"), Just("0.5"), Just("3"), Just("-1"), Just("1e-1")].prop_map(String::from)
}

/// Scalars without recursion, to use as factors, divisors and arguments inside matrices.
fn scalar_leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("c"),
        Just("tr(X)"),
        Just("x'*X*x"),
        Just("det(S + X'*X)"),
        Just("logdet(S + M*M')"),
        Just("sum(M)"),
        Just("w'*N*x"),
        Just("norm2(M'*x)"),
        Just("c^2"),
    ]
    .prop_map(String::from)
}

/// n×n matrix expressions.
fn mat() -> impl Strategy<Value = String> {
    let leaf =
        prop_oneof![4 => Just("X"), 1 => Just("A"), 1 => Just("B"), 1 => Just("S"), 1 => Just("I"),
        1 => Just("M*N"), 1 => Just("M*M'"), 1 => Just("N'*N")]
        .prop_map(String::from);
    leaf.prop_recursive(3, 12, 2, |m| {
        prop_oneof![
            3 => (m.clone(), m.clone()).prop_map(|(a, b)| format!("({a})*({b})")),
            2 => (m.clone(), m.clone()).prop_map(|(a, b)| format!("{a} + {b}")),
            1 => (m.clone(), m.clone()).prop_map(|(a, b)| format!("{a} - ({b})")),
            1 => (m.clone(), m.clone()).prop_map(|(a, b)| format!("({a}) .* ({b})")),
            1 => (m.clone(), m.clone()).prop_map(|(a, b)| format!("({a}) .* ({b})'")),
            2 => m.clone().prop_map(|a| format!("({a})'")),
            1 => (num(), m.clone()).prop_map(|(c, a)| format!("{c}*({a})")),
            1 => (scalar_leaf(), m.clone()).prop_map(|(s, a)| format!("({s})*({a})")),
            1 => (scalar_leaf(), m.clone()).prop_map(|(s, a)| format!("({a}) / (2 + ({s})^2)")),
            1 => m.clone().prop_map(|a| format!("sin({a})")),
            1 => m.clone().prop_map(|a| format!("tanh({a})")),
            1 => (m.clone(), m.clone()).prop_map(|(a, b)| format!("tanh(({a})*({b}))")),
            1 => m.clone().prop_map(|a| format!("M*exp(N*({a})'*M)*N")),
            1 => m.clone().prop_map(|a| format!("({a})^2")),
            1 => m.clone().prop_map(|a| format!("({a}) .^ 2")),
            1 => (m.clone(), m.clone()).prop_map(|(a, b)| format!("({a}) ./ (matrix(2) + ({b}) .^ 2)")),
            1 => m.clone().prop_map(|a| format!("inv(S + ({a})'*({a}))")),
            1 => (m.clone(), vec_()).prop_map(|(a, v)| format!("diag({v})*({a})")),
            1 => m.clone().prop_map(|a| format!("M*N*({a})")),
        ]
    })
}

/// Column vectors of length n.
fn vec_() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![3 => Just("x"), 1 => Just("u"), 1 => Just("v"), 1 => Just("M*w")]
        .prop_map(String::from);
    leaf.prop_recursive(2, 8, 2, |w| {
        prop_oneof![
            2 => w.clone().prop_map(|a| format!("X*({a})")),
            1 => w.clone().prop_map(|a| format!("A'*({a})")),
            1 => w.clone().prop_map(|a| format!("M*N*({a})")),
            2 => (w.clone(), w.clone()).prop_map(|(a, b)| format!("{a} + {b}")),
            1 => (w.clone(), w.clone()).prop_map(|(a, b)| format!("({a}) .* ({b})")),
            1 => w.clone().prop_map(|a| format!("sin({a})")),
            1 => w.clone().prop_map(|a| format!("exp(X*({a})) / sum(exp(X*({a})))")),
            1 => (num(), w.clone()).prop_map(|(c, a)| format!("{c}*({a})")),
            1 => (scalar_leaf(), w.clone()).prop_map(|(s, a)| format!("({a}) / (1 + ({s})^2)")),
        ]
    })
}

/// Scalar-valued expressions: traces, forms, norms, logdet of SPD forms, elementwise sums, and
/// scalar functions of them nested inside sums and traces.
fn scalar() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        3 => mat().prop_map(|m| format!("tr({m})")),
        2 => vec_().prop_map(|w| format!("x'*({w})")),
        2 => (vec_(), mat(), vec_()).prop_map(|(a, m, b)| format!("({a})'*({m})*({b})")),
        2 => vec_().prop_map(|w| format!("||{w}||^2")),
        1 => vec_().prop_map(|w| format!("sqrt(1 + ||{w}||^2)")),
        2 => mat().prop_map(|m| format!("||{m}||_F^2")),
        2 => mat().prop_map(|m| format!("logdet(S + ({m})'*({m}))")),
        1 => mat().prop_map(|m| format!("det(S + ({m})*({m})')")),
        1 => mat().prop_map(|m| format!("tr(inv(S + ({m})*({m})'))")),
        1 => mat().prop_map(|m| format!("sum({m})")),
        1 => mat().prop_map(|m| format!("sum(exp(tanh({m})))")),
        1 => mat().prop_map(|m| format!("tr(N*({m})*M)")),
        1 => mat().prop_map(|m| format!("sum(tanh(M'*({m})*M))")),
        1 => vec_().prop_map(|v| format!("w'*tanh(N*({v}))")),
        1 => vec_().prop_map(|w| format!("-u'*log(exp({w}) / sum(exp({w})))")),
        1 => vec_().prop_map(|w| format!("sum(log(vector(1) + ({w}) .^ 2))")),
        1 => scalar_leaf(),
    ];
    leaf.prop_recursive(2, 6, 2, |s| {
        prop_oneof![
            2 => (s.clone(), s.clone()).prop_map(|(a, b)| format!("{a} + {b}")),
            1 => (s.clone(), s.clone()).prop_map(|(a, b)| format!("{a} - ({b})")),
            1 => (s.clone(), s.clone()).prop_map(|(a, b)| format!("({a})*({b})")),
            1 => (num(), s.clone()).prop_map(|(c, a)| format!("{c}*({a})")),
            1 => (s.clone(), s.clone()).prop_map(|(a, b)| format!("({a}) / (1 + ({b})^2)")),
            1 => s.clone().prop_map(|a| format!("exp(sin({a}))")),
            1 => s.clone().prop_map(|a| format!("log(1 + ({a})^2)")),
            1 => s.clone().prop_map(|a| format!("(1 + ({a})^2)^1.5")),
            1 => s.clone().prop_map(|a| format!("sum(tr({a}))")),
            1 => s.clone().prop_map(|a| format!("tr(exp(sin({a})))")),
            1 => (s.clone(), mat()).prop_map(|(a, m)| format!("tr(({a})*({m}))")),
            1 => (s.clone(), vec_()).prop_map(|(a, v)| format!("sum(({a})*({v}))")),
            1 => (s.clone(), vec_()).prop_map(|(a, v)| format!("x'*(({a})*({v}))")),
        ]
    })
}

/// The check's report says no usable sample was found (f undefined or too ill-conditioned there).
fn undefined_at_samples(report: &matdiff_core::CheckReport) -> bool {
    report.gradient.is_none()
        && report
            .message
            .as_deref()
            .is_some_and(|m| m.contains("sample"))
}

fn derive_and_check(expr: &str, wrt: &str, seed: u64) -> Result<(), TestCaseError> {
    derive_and_check_with(expr, DECLS, wrt, seed)
}

/// Derives `expr` with respect to `wrt` and checks the derivation numerically: fails on a
/// limitation refusal and on a failed check; work bounds and input refusals pass.
fn derive_and_check_with(
    expr: &str,
    decls: &str,
    wrt: &str,
    seed: u64,
) -> Result<(), TestCaseError> {
    let input = Input {
        expr: expr.to_string(),
        decls: decls.to_string(),
        wrt: Some(wrt.to_string()),
    };
    let analysis = analyze(&input);
    if let Some(d) = analysis
        .diagnostics
        .iter()
        .find(|d| d.code == Code::Limitation)
    {
        return Err(TestCaseError::fail(format!(
            "{expr} (wrt {wrt}): refused as a limitation: {}",
            d.message
        )));
    }
    match (&analysis.derivation, analysis.diagnostics.is_empty()) {
        (Some(_), true) => {}
        // Work bounds and input refusals (nesting limits, shapes).
        (None, false) => return Ok(()),
        _ => {
            return Err(TestCaseError::fail(format!(
                "{expr}: both or neither of derivation and diagnostics"
            )))
        }
    }
    let report = check(
        &analysis,
        &CheckOptions {
            sizes: Default::default(),
            seed,
        },
    )
    .map_err(|d| TestCaseError::fail(format!("{expr}: check refused: {}", d.message)))?;
    if report.passed || undefined_at_samples(&report) {
        return Ok(());
    }
    let d = analysis
        .derivation
        .as_ref()
        .map(|d| d.gradient_text.clone())
        .unwrap_or_default();
    Err(TestCaseError::fail(format!(
        "{expr} (wrt {wrt}, seed {seed}): gradient {d}\n{report:#?}"
    )))
}

/// The examples issue 11 names, refused as limitations once, each with respect to every symbol
/// (typed by first letter where that types them: `f` a scalar, `t`, `z`, `w`, `x`, `mean` and
/// `bias` vectors; the layer normalisation declares the scalar `var` and the gain vector `g`):
/// each must derive and pass the checks at several seeds.
#[test]
fn the_named_examples_derive_and_check() {
    let cases: &[(&str, &str, &[&str])] = &[
        ("sum(tr(W))", "", &["W"]),
        ("tr(logdet(X))", "", &["X"]),
        ("sum(tr(f*Y'))", "", &["Y", "f"]),
        ("sum(det(X))", "", &["X"]),
        ("-t'*log(exp(z)/sum(exp(z)))", "", &["z", "t"]),
        (
            "w'*(((x - mean)/sqrt(var + eps)).*g + bias)",
            "var: scalar, g: vector n",
            &["x", "g", "bias", "w", "mean", "var", "eps"],
        ),
    ];
    for (expr, decls, vars) in cases {
        for wrt in *vars {
            let a = analyze(&Input {
                expr: expr.to_string(),
                decls: decls.to_string(),
                wrt: Some(wrt.to_string()),
            });
            assert!(
                a.derivation.is_some(),
                "{expr} (wrt {wrt}): {:?}",
                a.diagnostics
            );
            for seed in 0..3 {
                if let Err(e) = derive_and_check_with(expr, decls, wrt, seed) {
                    panic!("{e}");
                }
            }
        }
    }
}

/// What the random run found, as (expression, variable), with [`DECLS`]: each derives and passes
/// the checks.
const REGRESSIONS: &[(&str, &str)] = &[
    // The simplifier factored `a + a` into `a*(1 + 1)`, then 1 out of `1 + 1` without end
    // (a stack overflow; seed 20261130).
    ("tr(exp(sin(exp(sin(||(N'*N) / (2 + (c)^2)||_F^2)))))", "c"),
    ("||N/(2 + c^2)||_F^2", "c"),
];

#[test]
fn regressions_derive_and_check() {
    for (expr, wrt) in REGRESSIONS {
        let a = analyze(&Input {
            expr: expr.to_string(),
            decls: DECLS.to_string(),
            wrt: Some(wrt.to_string()),
        });
        assert!(a.derivation.is_some(), "{expr}: {:?}", a.diagnostics);
        for seed in 0..3 {
            if let Err(e) = derive_and_check(expr, wrt, seed) {
                panic!("{e}");
            }
        }
    }
}

/// The number of cases: `PROPTEST_CASES` when set (for long runs), else `default` (the CI run).
/// An explicit `cases` in a config would otherwise ignore the variable.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(1500), max_shrink_iters: 200, ..ProptestConfig::default() })]

    #[test]
    fn random_scalar_functions_check(expr in scalar(), wrt in proptest::sample::select(VARIABLES), seed in 0u64..1000) {
        derive_and_check(&expr, wrt, seed)?;
    }
}

/// A census of the random run, for long runs: `PROPTEST_CASES` expressions (1000 unless set) from
/// the same generator at the seed `PROPTEST_RNG_SEED`, each derived and checked; prints how many
/// were refused as limitations, refused otherwise, failed the check, were undecided or passed,
/// with the first of the failures, and fails on any limitation. Ignored in the CI run (the
/// property above covers it there); run it with
/// `PROPTEST_CASES=5000 PROPTEST_RNG_SEED=7 cargo test -p matdiff-core --test properties -- --ignored --nocapture census`.
#[test]
#[ignore]
fn census_of_limitations_and_checks() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, TestRunner};
    let mut runner = TestRunner::new(Config::default());
    let cases = cases(1000);
    let strategy = (scalar(), proptest::sample::select(VARIABLES), 0u64..1000);
    let (mut limitations, mut refused, mut failed, mut undecided, mut passed) = (0, 0, 0, 0, 0);
    let mut shown = Vec::new();
    for _ in 0..cases {
        let (expr, wrt, seed) = strategy.new_tree(&mut runner).expect("a case").current();
        let a = analyze(&Input {
            expr: expr.clone(),
            decls: DECLS.to_string(),
            wrt: Some(wrt.to_string()),
        });
        if a.diagnostics.iter().any(|d| d.code == Code::Limitation) {
            limitations += 1;
            shown.push(format!("limitation: {expr} (wrt {wrt})"));
            continue;
        }
        if a.derivation.is_none() {
            refused += 1;
            if refused <= 5 {
                let why: Vec<&str> = a.diagnostics.iter().map(|d| d.message.as_str()).collect();
                shown.push(format!(
                    "refused: {} (wrt {wrt}): {why:?}",
                    &expr[..expr.len().min(80)]
                ));
            }
            continue;
        }
        let options = CheckOptions {
            sizes: Default::default(),
            seed,
        };
        match check(&a, &options) {
            Ok(r) if r.passed => passed += 1,
            Ok(r) if undefined_at_samples(&r) => undecided += 1,
            Ok(r) => {
                failed += 1;
                let error = r.gradient.as_ref().map(|g| (g.rel_error, g.tolerance));
                shown.push(format!(
                    "check failed: {expr} (wrt {wrt}, seed {seed}), f = {:?}, gradient (rel_error, tolerance) = {error:?}, {:?}",
                    r.value, r.message
                ));
            }
            Err(d) => {
                failed += 1;
                shown.push(format!("check refused: {expr} (wrt {wrt}): {}", d.message));
            }
        }
    }
    println!(
        "census: {cases} cases at seed {:?}: {limitations} limitation refusals, {refused} other refusals, {failed} check failures, {undecided} undecided, {passed} passed",
        std::env::var("PROPTEST_RNG_SEED").ok()
    );
    for line in shown.iter().take(40) {
        println!("  {line}");
    }
    assert_eq!(limitations, 0, "limitation refusals from well-typed input");
}

/// Characters of the input language, so that random strings reach the parser's deeper states.
const ALPHABET: &[char] = &[
    'A', 'X', 'x', 'b', 'S', 'I', 'n', 't', 'r', 'l', 'o', 'g', 'd', 'e', '1', '2', '0', '.', '+',
    '-', '*', '/', '^', '\'', '(', ')', '|', '_', ' ', ',', ':', 'T', 'F',
];

/// Diagnostics point inside the text they are about, on character boundaries, and render.
fn spans_fit(a: &matdiff_core::Analysis, expr: &str, decls: &str) -> Result<(), TestCaseError> {
    for d in &a.diagnostics {
        let text = match d.source {
            matdiff_core::Source::Expr => expr,
            matdiff_core::Source::Decls => decls,
            matdiff_core::Source::Other => continue,
        };
        let r = &d.range;
        prop_assert!(
            r.start <= r.end
                && r.end <= text.len()
                && text.is_char_boundary(r.start)
                && text.is_char_boundary(r.end),
            "span {:?} does not fit {:?}: {}",
            r,
            text,
            d.message
        );
        prop_assert!(d.render(text).contains('^'));
    }
    Ok(())
}

fn grammarish() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        4 => proptest::sample::select(ALPHABET).prop_map(|c| c.to_string()),
        1 => proptest::sample::select(&["tr(", "logdet(", "inv(", "det(", "||", "^-1", "^T", ".*", "./", ".^", "norm2(",
            "sum(", "exp(", "diag(", "eye", "vector(", "1e400", "1e-400", "NaN", "inf", "0/0", "x'A x", "AXB"][..])
            .prop_map(String::from),
    ];
    proptest::collection::vec(token, 0..30).prop_map(|v| v.concat())
}

fn decls_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("A: 3x4".to_string()),
        Just("S: spd n, x: vector m".to_string()),
        Just("X: symmetric 0".to_string()),
        Just("X: 100000000000000000000x2".to_string()),
        "[A-Za-z0-9:, x;]{0,20}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(expr in "\\PC{0,40}", decls in "\\PC{0,20}", wrt in proptest::option::of("[A-Za-z]{1,3}")) {
        let a = analyze(&Input { expr: expr.clone(), decls: decls.clone(), wrt });
        prop_assert_eq!(a.derivation.is_some(), a.diagnostics.is_empty());
        spans_fit(&a, &expr, &decls)?;
    }

    #[test]
    fn grammar_like_text_never_panics(expr in grammarish(), decls in decls_strategy(), seed in 0u64..5) {
        let a = analyze(&Input { expr: expr.clone(), decls: decls.clone(), wrt: None });
        spans_fit(&a, &expr, &decls)?;
        if a.derivation.is_some() {
            prop_assert!(a.diagnostics.is_empty());
            // The checks must not panic either, whatever they conclude.
            let _ = check(&a, &CheckOptions { sizes: Default::default(), seed });
        } else {
            prop_assert!(!a.diagnostics.is_empty(), "no derivation and no diagnostic");
        }
    }
}
