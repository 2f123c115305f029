//! Tests of the gradient and step checks on hand-built problems, gradients and derivation chains.

use super::*;
use crate::expr::{Dim, Func, Shape, Symbol};
use crate::numeric::testutil::*;
use expect_test::{expect, Expect};

fn sizes(list: &[(&str, usize)]) -> Sizes {
    list.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

fn call(f: Func, e: Expr) -> Expr {
    Expr::call(f, e)
}

fn t(e: Expr) -> Expr {
    Expr::t(e)
}

fn inv(e: Expr) -> Expr {
    Expr::inv(e)
}

fn had_div(a: Expr, b: Expr) -> Expr {
    Expr::HadDiv(bx(a), bx(b))
}

/// A test case: f, its symbols, the variable, the sizes, and a gradient.
struct Case {
    name: &'static str,
    f: Expr,
    symbols: Vec<Symbol>,
    wrt: &'static str,
    sizes: Sizes,
    gradient: Expr,
}

fn case(
    name: &'static str,
    f: Expr,
    symbols: Vec<Symbol>,
    wrt: &'static str,
    sz: &[(&str, usize)],
    g: Expr,
) -> Case {
    Case {
        name,
        f,
        symbols,
        wrt,
        sizes: sizes(sz),
        gradient: g,
    }
}

fn run(c: &Case, seed: u64) -> CheckReport {
    let p = problem(c.f.clone(), c.symbols.clone(), c.wrt);
    run_check(&p, &[], &c.gradient, &c.sizes, seed)
}

/// One line per case: name, verdict, method, and the verdict's reason (or a pass's note) if any.
fn summary(c: &Case, r: &CheckReport) -> String {
    let verdict = r.verdict();
    let method = r.gradient.as_ref().map_or("-", |g| g.method.as_str());
    let msg = verdict
        .reason()
        .or(r.message.as_deref())
        .map(|m| format!(" ({m})"))
        .unwrap_or_default();
    format!("{}: {} {method}{msg}\n", c.name, verdict.name())
}

fn check_cases(cases: &[Case], expect: Expect) {
    let out: String = cases.iter().map(|c| summary(c, &run(c, 1))).collect();
    expect.assert_eq(&out);
}

/// tr(A X B) with A p×m, X m×n, B n×p.
fn tr_axb_symbols() -> Vec<Symbol> {
    vec![
        symbol("A", "p", "m"),
        symbol("X", "m", "n"),
        symbol("B", "n", "p"),
    ]
}

fn tr_axb() -> Expr {
    tr(mul(vec![sym("A"), sym("X"), sym("B")]))
}

fn residual() -> Expr {
    sub(mul(vec![sym("A"), sym("x")]), sym("b"))
}

fn least_squares() -> Expr {
    Expr::Pow(bx(call(Func::Norm2, residual())), 2.0)
}

fn ls_symbols() -> Vec<Symbol> {
    vec![
        symbol("A", "m", "n"),
        symbol("x", "n", "1"),
        symbol("b", "m", "1"),
    ]
}

fn quad() -> Expr {
    mul(vec![t(sym("x")), sym("A"), sym("x")])
}

fn quad_symbols() -> Vec<Symbol> {
    vec![symbol("x", "n", "1"), symbol("A", "n", "n")]
}

fn xtx() -> Expr {
    mul(vec![t(sym("X")), sym("X")])
}

const MNP: &[(&str, usize)] = &[("m", 3), ("n", 4), ("p", 2)];
const TALL: &[(&str, usize)] = &[("m", 4), ("n", 3)];

/// Correct gradients, including the lecture note's three examples.
fn correct_cases() -> Vec<Case> {
    let n4 = &[("n", 4)];
    vec![
        case(
            "tr(AXB)",
            tr_axb(),
            tr_axb_symbols(),
            "X",
            MNP,
            mul(vec![t(sym("A")), t(sym("B"))]),
        ),
        case(
            "logdet(X'X)",
            call(Func::LogDet, xtx()),
            vec![symbol("X", "m", "n")],
            "X",
            TALL,
            mul(vec![num(2.0), sym("X"), inv(xtx())]),
        ),
        case(
            "||Ax-b||^2",
            least_squares(),
            ls_symbols(),
            "x",
            TALL,
            mul(vec![num(2.0), t(sym("A")), residual()]),
        ),
        case(
            "x'Ax",
            quad(),
            quad_symbols(),
            "x",
            n4,
            mul(vec![add(vec![sym("A"), t(sym("A"))]), sym("x")]),
        ),
        case(
            "tr(inv(X))",
            tr(inv(sym("X"))),
            vec![symbol("X", "n", "n")],
            "X",
            n4,
            Expr::neg(t(mul(vec![inv(sym("X")), inv(sym("X"))]))),
        ),
        case(
            "det(X)",
            call(Func::Det, sym("X")),
            vec![symbol("X", "n", "n")],
            "X",
            n4,
            mul(vec![call(Func::Det, sym("X")), t(inv(sym("X")))]),
        ),
        case(
            "tr(X^3)",
            tr(Expr::Pow(bx(sym("X")), 3.0)),
            vec![symbol("X", "n", "n")],
            "X",
            n4,
            mul(vec![num(3.0), t(Expr::Pow(bx(sym("X")), 2.0))]),
        ),
        case(
            "sum(log(x))",
            call(Func::Sum, call(Func::Log, sym("x"))),
            vec![symbol("x", "n", "1")],
            "x",
            n4,
            had_div(num(1.0), sym("x")),
        ),
        case(
            "sqrt(x'x)",
            Expr::Pow(bx(mul(vec![t(sym("x")), sym("x")])), 0.5),
            vec![symbol("x", "n", "1")],
            "x",
            n4,
            Expr::Div(bx(sym("x")), bx(call(Func::Norm2, sym("x")))),
        ),
        case(
            "norm1(x)",
            call(Func::Norm1, sym("x")),
            vec![symbol("x", "n", "1")],
            "x",
            n4,
            call(Func::Sign, sym("x")),
        ),
        case(
            "sum(relu(A x))",
            call(Func::Sum, call(Func::Relu, mul(vec![sym("A"), sym("x")]))),
            vec![symbol("A", "m", "n"), symbol("x", "n", "1")],
            "x",
            TALL,
            mul(vec![
                t(sym("A")),
                call(Func::Step, mul(vec![sym("A"), sym("x")])),
            ]),
        ),
        case(
            "sum(arcsin(x))",
            call(Func::Sum, call(Func::Asin, sym("x"))),
            vec![symbol("x", "n", "1")],
            "x",
            n4,
            had_div(
                num(1.0),
                call(
                    Func::Sqrt,
                    sub(
                        Expr::Ones(Shape::new(dim("n"), Dim::One).into()),
                        Expr::HadPow(bx(sym("x")), 2.0),
                    ),
                ),
            ),
        ),
        case(
            "sum(sin(100 x))",
            call(Func::Sum, call(Func::Sin, mul(vec![num(100.0), sym("x")]))),
            vec![symbol("x", "n", "1")],
            "x",
            n4,
            mul(vec![
                num(100.0),
                call(Func::Cos, mul(vec![num(100.0), sym("x")])),
            ]),
        ),
        case(
            "exp(a b)",
            call(Func::Exp, mul(vec![sym("a"), sym("b")])),
            vec![symbol("a", "1", "1"), symbol("b", "1", "1")],
            "a",
            &[],
            mul(vec![
                sym("b"),
                call(Func::Exp, mul(vec![sym("a"), sym("b")])),
            ]),
        ),
        case(
            "tr(A) wrt X",
            tr(sym("A")),
            vec![symbol("A", "n", "n"), symbol("X", "n", "n")],
            "X",
            n4,
            num(0.0),
        ),
        case(
            "tr(X) - tr(X')",
            sub(tr(sym("X")), tr(t(sym("X")))),
            vec![symbol("X", "n", "n")],
            "X",
            n4,
            num(0.0),
        ),
        case(
            "sum(X) - sum(X')",
            sub(
                call(Func::Sum, mul(vec![sym("A"), sym("X")])),
                call(Func::Sum, t(mul(vec![sym("A"), sym("X")]))),
            ),
            vec![symbol("A", "n", "n"), symbol("X", "n", "n")],
            "X",
            n4,
            num(0.0),
        ),
    ]
}

/// Honest wrong gradients: the right shape, the wrong values (and a few wrong shapes).
fn wrong_cases() -> Vec<Case> {
    let n4 = &[("n", 4)];
    vec![
        // Forgot the transposes (shape n×... differs only when the sizes do).
        case(
            "tr(AXB) as B'A'",
            tr_axb(),
            tr_axb_symbols(),
            "X",
            MNP,
            mul(vec![t(sym("B")), t(sym("A"))]),
        ),
        // Off by 0.1 percent: still far outside the tolerance.
        case(
            "tr(AXB) * 1.001",
            tr_axb(),
            tr_axb_symbols(),
            "X",
            MNP,
            mul(vec![num(1.001), t(sym("A")), t(sym("B"))]),
        ),
        case(
            "logdet(X'X) without 2",
            call(Func::LogDet, xtx()),
            vec![symbol("X", "m", "n")],
            "X",
            TALL,
            mul(vec![sym("X"), inv(xtx())]),
        ),
        case(
            "logdet(X'X) as 2X'",
            call(Func::LogDet, xtx()),
            vec![symbol("X", "n", "n")],
            "X",
            n4,
            mul(vec![num(2.0), t(sym("X"))]),
        ),
        case(
            "||Ax-b||^2 without 2",
            least_squares(),
            ls_symbols(),
            "x",
            TALL,
            mul(vec![t(sym("A")), residual()]),
        ),
        case(
            "||Ax-b||^2 with a row vector",
            least_squares(),
            ls_symbols(),
            "x",
            TALL,
            mul(vec![num(2.0), t(residual()), sym("A")]),
        ),
        case(
            "x'Ax as 2Ax",
            quad(),
            quad_symbols(),
            "x",
            n4,
            mul(vec![num(2.0), sym("A"), sym("x")]),
        ),
        case(
            "x'Ax as A'x",
            quad(),
            quad_symbols(),
            "x",
            n4,
            mul(vec![t(sym("A")), sym("x")]),
        ),
        case(
            "tr(inv(X)) without transpose",
            tr(inv(sym("X"))),
            vec![symbol("X", "n", "n")],
            "X",
            n4,
            Expr::neg(mul(vec![inv(sym("X")), inv(t(sym("X")))])),
        ),
        case(
            "sum(relu(A x)) as A'relu(Ax)",
            call(Func::Sum, call(Func::Relu, mul(vec![sym("A"), sym("x")]))),
            vec![symbol("A", "m", "n"), symbol("x", "n", "1")],
            "x",
            TALL,
            mul(vec![
                t(sym("A")),
                call(Func::Relu, mul(vec![sym("A"), sym("x")])),
            ]),
        ),
        case(
            "tr(X^3) as 3X^2",
            tr(Expr::Pow(bx(sym("X")), 3.0)),
            vec![symbol("X", "n", "n")],
            "X",
            n4,
            mul(vec![num(3.0), Expr::Pow(bx(sym("X")), 2.0)]),
        ),
        case(
            "zero gradient of x'Ax",
            quad(),
            quad_symbols(),
            "x",
            n4,
            num(0.0),
        ),
    ]
}

#[test]
fn correct_gradients_pass() {
    check_cases(
        &correct_cases(),
        expect![[r#"
            tr(AXB): passed entrywise
            logdet(X'X): passed entrywise
            ||Ax-b||^2: passed entrywise
            x'Ax: passed entrywise
            tr(inv(X)): passed entrywise
            det(X): passed entrywise
            tr(X^3): passed entrywise
            sum(log(x)): passed entrywise
            sqrt(x'x): passed entrywise
            norm1(x): passed entrywise
            sum(relu(A x)): passed entrywise
            sum(arcsin(x)): passed entrywise
            sum(sin(100 x)): passed entrywise
            exp(a b): passed entrywise
            tr(A) wrt X: passed entrywise (the gradient vanishes at every sample tried: both sides are zero to within the accuracy of finite differences, so their relative error compares rounding noise)
            tr(X) - tr(X'): passed entrywise (the gradient vanishes at every sample tried: both sides are zero to within the accuracy of finite differences, so their relative error compares rounding noise)
            sum(X) - sum(X'): passed entrywise (the gradient vanishes at every sample tried: both sides are zero to within the accuracy of finite differences, so their relative error compares rounding noise)
        "#]],
    );
}

#[test]
fn wrong_gradients_fail() {
    check_cases(
        &wrong_cases(),
        expect![[r#"
            tr(AXB) as B'A': failed - (the gradient cannot be evaluated: internal shape error: cannot multiply 2×4 by 3×2)
            tr(AXB) * 1.001: failed entrywise (the gradient differs from finite differences)
            logdet(X'X) without 2: failed entrywise (the gradient differs from finite differences)
            logdet(X'X) as 2X': failed entrywise (the gradient differs from finite differences)
            ||Ax-b||^2 without 2: failed entrywise (the gradient differs from finite differences)
            ||Ax-b||^2 with a row vector: failed - (the gradient is 1×3 but x is 3×1: a gradient has the shape of its variable)
            x'Ax as 2Ax: failed entrywise (the gradient differs from finite differences)
            x'Ax as A'x: failed entrywise (the gradient differs from finite differences)
            tr(inv(X)) without transpose: failed entrywise (the gradient differs from finite differences)
            sum(relu(A x)) as A'relu(Ax): failed entrywise (the gradient differs from finite differences)
            tr(X^3) as 3X^2: failed entrywise (the gradient differs from finite differences)
            zero gradient of x'Ax: failed entrywise (the gradient differs from finite differences)
        "#]],
    );
}

/// No false verdicts over many samples: every correct gradient passes and every wrong one fails.
#[test]
fn verdicts_hold_for_many_seeds() {
    for seed in 0..25 {
        for c in correct_cases() {
            let r = run(&c, seed);
            assert!(r.passed, "{} seed {seed}: {r:?}", c.name);
        }
        for c in wrong_cases() {
            let r = run(&c, seed);
            assert!(!r.passed, "{} seed {seed}: {r:?}", c.name);
            // A verdict, not "could not decide": a gradient that cannot even be evaluated fails.
            assert!(
                matches!(r.verdict(), Verdict::Failed(_)),
                "{} seed {seed}: {:?}",
                c.name,
                r.verdict()
            );
            assert!(
                r.gradient.is_some()
                    || r.message
                        .as_deref()
                        .is_some_and(|m| m.starts_with("the gradient"))
            );
        }
    }
}

#[test]
fn report_shows_both_gradients_for_small_variables() {
    let c = &correct_cases()[0];
    let r = run(c, 5);
    let g = r.gradient.unwrap();
    let (sym, numeric) = (g.symbolic.unwrap(), g.numeric.unwrap());
    assert_eq!((sym.len(), sym[0].len()), (3, 4));
    for (a, b) in sym.iter().flatten().zip(numeric.iter().flatten()) {
        assert!((a - b).abs() < 1e-6 * a.abs().max(1.0), "{a} vs {b}");
    }
    assert!(g.rel_error <= g.tolerance && g.tolerance >= 1e-6);
    assert_eq!(r.samples_tried, 1);
    assert_eq!(r.seed, 5);
    // The value is f at the sample of the seed.
    let p = problem(c.f.clone(), c.symbols.clone(), c.wrt);
    let values = crate::numeric::sample(&p, &c.sizes, 5).unwrap();
    let (f, _) = evaluate_at(&p, &c.gradient, &values, &c.sizes).unwrap();
    assert_eq!(r.value, Some(f));
    // Serializes (the page and the command print it as JSON).
    let json = serde_json::to_string(&run(c, 0)).unwrap();
    assert!(
        json.contains("\"method\":\"entrywise\"") && json.contains("\"samples_tried\":1"),
        "{json}"
    );
}

#[test]
fn large_variables_are_checked_along_random_directions() {
    let big = &[("m", 25), ("n", 20), ("p", 3)];
    let good = case(
        "big tr(AXB)",
        tr_axb(),
        tr_axb_symbols(),
        "X",
        big,
        mul(vec![t(sym("A")), t(sym("B"))]),
    );
    let bad = case(
        "big tr(AXB) * 1.001",
        tr_axb(),
        tr_axb_symbols(),
        "X",
        big,
        mul(vec![num(1.001), t(sym("A")), t(sym("B"))]),
    );
    let r = run(&good, 0);
    let g = r.gradient.as_ref().unwrap();
    assert!(
        r.passed && g.method == "directional" && g.symbolic.is_none(),
        "{r:?}"
    );
    let r = run(&bad, 0);
    assert!(
        !r.passed && r.gradient.as_ref().unwrap().method == "directional",
        "{r:?}"
    );
    // 20×20 = 400 entries is still entrywise, but both gradients are too many to show.
    let edge = case(
        "400",
        tr(sym("X")),
        vec![symbol("X", "n", "n")],
        "X",
        &[("n", 20)],
        Expr::Eye(dim("n")),
    );
    let r = run(&edge, 0);
    let g = r.gradient.as_ref().unwrap();
    assert!(
        r.passed && g.method == "entrywise" && g.numeric.is_none(),
        "{r:?}"
    );
}

#[test]
fn undefined_everywhere_is_not_a_verdict() {
    let c = case(
        "log(-exp(a))",
        call(Func::Log, Expr::neg(call(Func::Exp, sym("a")))),
        vec![symbol("a", "1", "1")],
        "a",
        &[],
        num(1.0),
    );
    let r = run(&c, 0);
    assert!(!r.passed && r.gradient.is_none() && r.value.is_none());
    assert_eq!(r.samples_tried, 30);
    assert_eq!(
        r.verdict(),
        Verdict::Undecided(r.message.clone().unwrap_or_default())
    );
    expect!["f is undefined at every sample tried (30 random samples); the last one failed with: log of a non-positive entry"]
        .assert_eq(r.message.as_deref().unwrap());
}

#[test]
fn ill_conditioned_everywhere_is_not_a_verdict() {
    // sin(1e5 x): the finite differences cannot resolve the oscillation at any sample.
    let c = case(
        "sum(sin(1e5 x))",
        call(Func::Sum, call(Func::Sin, mul(vec![num(1e5), sym("x")]))),
        vec![symbol("x", "n", "1")],
        "x",
        &[("n", 3)],
        mul(vec![
            num(1e5),
            call(Func::Cos, mul(vec![num(1e5), sym("x")])),
        ]),
    );
    let r = run(&c, 0);
    assert!(!r.passed && r.gradient.is_none(), "{r:?}");
    assert_eq!(r.samples_tried, 8);
    let m = r.message.unwrap();
    assert!(
        m.starts_with("no sample allowed a reliable check (8 random samples tried)"),
        "{m}"
    );
}

#[test]
fn broken_inputs_are_reported() {
    let p = problem(tr_axb(), tr_axb_symbols(), "Y");
    let r = run_check(&p, &[], &num(0.0), &sizes(MNP), 0);
    assert_eq!(
        r.message.as_deref(),
        Some("the variable Y is not a symbol of f")
    );
    let p = problem(tr_axb(), tr_axb_symbols(), "X");
    let r = run_check(&p, &[], &mul(vec![sym("A"), sym("A")]), &sizes(MNP), 0);
    expect!["the gradient cannot be evaluated: internal shape error: cannot multiply 2×3 by 2×3"]
        .assert_eq(r.message.as_deref().unwrap());
    assert!(!r.passed && r.gradient.is_none() && r.value.is_some());
}

/// The chain for tr(A X B) of the lecture note, with each step index checked.
fn chain() -> Vec<Expr> {
    let dx = || Expr::d(sym("X"));
    vec![
        Expr::d(tr_axb()),
        tr(Expr::d(mul(vec![sym("A"), sym("X"), sym("B")]))),
        tr(mul(vec![sym("A"), dx(), sym("B")])),
        tr(mul(vec![dx(), sym("B"), sym("A")])),
        tr(mul(vec![t(mul(vec![t(sym("A")), t(sym("B"))])), dx()])),
    ]
}

fn check_steps(steps: &[Expr], expect: Expect) {
    let p = problem(tr_axb(), tr_axb_symbols(), "X");
    let r = run_check(
        &p,
        steps,
        &mul(vec![t(sym("A")), t(sym("B"))]),
        &sizes(MNP),
        3,
    );
    let mut out = format!("passed: {}\n", r.passed);
    for s in &r.steps {
        out.push_str(&format!(
            "step {}: {}\n",
            s.index,
            if s.passed { "ok" } else { "WRONG" }
        ));
    }
    if let Some(m) = &r.message {
        out.push_str(&format!("message: {m}\n"));
    }
    let verdict = r.verdict();
    out.push_str(&format!("verdict: {}", verdict.name()));
    if let Some(why) = verdict.reason() {
        out.push_str(&format!(" ({why})"));
    }
    out.push('\n');
    expect.assert_eq(&out);
}

#[test]
fn step_check_accepts_a_correct_chain() {
    check_steps(
        &chain(),
        expect![[r#"
            passed: true
            step 0: ok
            step 1: ok
            step 2: ok
            step 3: ok
            step 4: ok
            verdict: passed
        "#]],
    );
}

#[test]
fn step_check_flags_the_wrong_step() {
    // A product rule applied twice: tr(A dX B) counted double.
    let mut steps = chain();
    steps[2] = add(vec![
        steps[2].clone(),
        tr(mul(vec![sym("A"), Expr::d(sym("X")), sym("B")])),
    ]);
    check_steps(
        &steps,
        expect![[r#"
            passed: false
            step 0: ok
            step 1: ok
            step 2: WRONG
            step 3: ok
            step 4: ok
            verdict: failed (step 2 disagrees with dy)
        "#]],
    );
    // A lost sign in the last step.
    let mut steps = chain();
    steps[4] = Expr::neg(steps[4].clone());
    check_steps(
        &steps,
        expect![[r#"
            passed: false
            step 0: ok
            step 1: ok
            step 2: ok
            step 3: ok
            step 4: WRONG
            verdict: failed (step 4 disagrees with dy)
        "#]],
    );
    // A step that is not even a scalar.
    let mut steps = chain();
    steps[1] = mul(vec![sym("A"), Expr::d(sym("X")), sym("B")]);
    check_steps(
        &steps,
        expect![[r#"
            passed: false
            step 0: ok
            step 1: WRONG
            step 2: ok
            step 3: ok
            step 4: ok
            message: step 1 cannot be evaluated: internal shape error: the value is a 2×2 matrix, not a scalar
            verdict: failed (step 1 cannot be evaluated: internal shape error: the value is a 2×2 matrix, not a scalar)
        "#]],
    );
}

#[test]
fn step_values_agree_with_the_directional_derivative() {
    let p = problem(tr_axb(), tr_axb_symbols(), "X");
    let r = run_check(
        &p,
        &chain(),
        &mul(vec![t(sym("A")), t(sym("B"))]),
        &sizes(MNP),
        8,
    );
    let v0 = r.steps[0].value;
    assert!(v0.abs() > 1e-3);
    for s in &r.steps {
        assert!((s.value - v0).abs() < 1e-7 * v0.abs(), "{s:?}");
        assert!(s.rel_error < 1e-7);
    }
}

#[test]
fn evaluate_at_given_values() {
    let p = problem(quad(), quad_symbols(), "x");
    let mut v = Values::new();
    v.insert("x".into(), mat(2, 1, &[1.0, 2.0]));
    v.insert("A".into(), mat(2, 2, &[1.0, 2.0, 3.0, 4.0]));
    let s = sizes(&[("n", 2)]);
    let g = mul(vec![add(vec![sym("A"), t(sym("A"))]), sym("x")]);
    let (f, grad) = evaluate_at(&p, &g, &v, &s).unwrap();
    assert_eq!(f, 27.0);
    assert_eq!(show(&grad), "[12; 21]");
    let (_, zero) = evaluate_at(&p, &num(0.0), &v, &s).unwrap();
    assert_eq!(show(&zero), "[0; 0]");
    let err = evaluate_at(&p, &t(g.clone()), &v, &s).unwrap_err();
    assert_eq!(
        err.to_string(),
        "internal shape error: the gradient is 1×2 but x is 2×1"
    );
    let p = problem(call(Func::Log, quad()), quad_symbols(), "x");
    v.insert("A".into(), mat(2, 2, &[-1.0, 0.0, 0.0, -1.0]));
    assert_eq!(
        evaluate_at(&p, &g, &v, &s).unwrap_err().to_string(),
        "log of a non-positive entry"
    );
}

/// Inputs of the kind issue 4 lists as adversarial: high powers, nested inverses, long products.
fn adversarial_cases() -> Vec<Case> {
    let n4 = &[("n", 4)];
    let mut nested = sym("X");
    for _ in 0..30 {
        nested = inv(nested);
    }
    let x20 = mul(vec![sym("X"); 20]);
    vec![
        case(
            "tr(X^50)",
            tr(Expr::Pow(bx(sym("X")), 50.0)),
            vec![symbol("X", "n", "n")],
            "X",
            n4,
            mul(vec![num(50.0), t(Expr::Pow(bx(sym("X")), 49.0))]),
        ),
        case(
            "tr(inv^30(X))",
            tr(nested),
            vec![symbol("X", "n", "n")],
            "X",
            n4,
            Expr::Eye(dim("n")),
        ),
        case(
            "logdet(X^20 as a product)",
            call(Func::LogDet, x20),
            vec![symbol("X", "n", "n")],
            "X",
            n4,
            mul(vec![num(20.0), t(inv(sym("X")))]),
        ),
    ]
}

#[test]
fn adversarial_inputs_get_honest_reports() {
    check_cases(
        &adversarial_cases(),
        expect![[r#"
        tr(X^50): passed entrywise
        tr(inv^30(X)): passed entrywise
        logdet(X^20 as a product): passed entrywise
    "#]],
    );
}

#[test]
fn lecture_note_examples_pass_with_default_sizes() {
    let examples = [
        (
            tr_axb(),
            tr_axb_symbols(),
            "X",
            mul(vec![t(sym("A")), t(sym("B"))]),
        ),
        (
            call(Func::LogDet, xtx()),
            vec![symbol("X", "m", "n")],
            "X",
            mul(vec![num(2.0), sym("X"), inv(xtx())]),
        ),
        (
            least_squares(),
            ls_symbols(),
            "x",
            mul(vec![num(2.0), t(sym("A")), residual()]),
        ),
    ];
    for (f, symbols, wrt, g) in examples {
        let p = problem(f, symbols, wrt);
        let sizes = crate::numeric::resolve_sizes(&p.symbols, &Sizes::new()).unwrap();
        for seed in 0..5 {
            let r = run_check(&p, &[], &g, &sizes, seed);
            assert!(r.passed, "{r:?}");
        }
    }
}

#[test]
fn relative_errors_of_huge_values_stay_finite() {
    // exp(exp(·)) reaches 1e209 at a sample; squaring such entries overflowed to ∞ and the
    // relative error was NaN, failing a right gradient.
    let sym = [1.6045576740016683e209, -7.429510510306003e209];
    let fd = [1.6045576739961034e209, -7.429510509244663e209];
    let (rel, tol) = compare(&sym, &fd, 0.0);
    assert!(rel.is_finite() && rel < 1e-9, "{rel}");
    assert!(rel <= tol);
    assert_eq!(norm([3e300, 4e300].into_iter()), 5e300);
    assert_eq!(norm([0.0, 0.0].into_iter()), 0.0);
    assert!(norm([f64::NAN, 1.0].into_iter()).is_nan());
}

#[test]
fn overflow_past_f64_is_not_a_failure() {
    // 1e308 t tr(X): at most samples f or its finite differences are infinite; a right gradient
    // is then undecided at that sample, never failed.
    let f = mul(vec![num(1e308), sym("t"), call(Func::Tr, sym("X"))]);
    let c = case(
        "1e308 t tr(X)",
        f,
        vec![symbol("t", "1", "1"), symbol("X", "n", "n")],
        "X",
        &[("n", 4)],
        mul(vec![num(1e308), sym("t"), Expr::Eye(Dim::Name("n".into()))]),
    );
    for seed in 0..16 {
        let r = run(&c, seed);
        assert!(
            !matches!(r.verdict(), Verdict::Failed(_)),
            "seed {seed}: {r:?}"
        );
    }
}
