//! The Jacobian and Hessian corpus (`data/jacobians.txt`): each entry derives, its numeric check
//! passes at two seeds, its result equals the expected matrix numerically and prints as stated;
//! every LaTeX string renders with KaTeX; snapshots of the issue's examples.

mod common;

use common::blocks;
use matdiff_core::expr::Problem;
use matdiff_core::jacobian::{self, Analysis2, Derivation2};
use matdiff_core::numeric::{self, eval, Env, Sizes, Verdict};
use matdiff_core::{CheckOptions, Expr, Func, Input};
use std::collections::BTreeMap;

#[derive(Debug, Default)]
struct Case {
    kind: String,
    src: String,
    f: String,
    decls: String,
    wrt: String,
    expect: Option<String>,
    form: Option<String>,
    line: usize,
}

impl Case {
    fn label(&self) -> String {
        format!(
            "{} of {} wrt {} [{}; line {}]",
            self.kind, self.f, self.wrt, self.src, self.line
        )
    }
    fn input(&self) -> Input {
        Input {
            expr: self.f.clone(),
            decls: self.decls.clone(),
            wrt: Some(self.wrt.clone()),
        }
    }
    fn analyze(&self) -> Analysis2 {
        match self.kind.as_str() {
            "jacobian" => jacobian::analyze_jacobian(&self.input()),
            _ => jacobian::analyze_hessian(&self.input()),
        }
    }
}

fn cases() -> Vec<Case> {
    blocks(include_str!("data/jacobians.txt"))
        .into_iter()
        .map(|fields| {
            let mut c = Case {
                line: fields[0].0,
                ..Case::default()
            };
            for (line, key, value) in fields {
                match key.as_str() {
                    "kind" => c.kind = value,
                    "src" => c.src = value,
                    "f" => c.f = value,
                    "let" => c.decls = value,
                    "wrt" => c.wrt = value,
                    "expect" => c.expect = Some(value),
                    "form" => c.form = Some(value),
                    other => panic!("line {line}: unknown field `{other}`"),
                }
            }
            assert!(
                matches!(c.kind.as_str(), "jacobian" | "hessian")
                    && !c.src.is_empty()
                    && !c.f.is_empty()
                    && !c.wrt.is_empty(),
                "incomplete record at line {}",
                c.line
            );
            c
        })
        .collect()
}

/// The engine's matrix (from the derived linear map) against the expected one at random values.
fn compare_expected(
    c: &Case,
    problem: &Problem,
    d: &Derivation2,
    expect: &str,
) -> Result<(), String> {
    let want = jacobian::problem(&Input {
        expr: expect.to_string(),
        decls: c.decls.clone(),
        wrt: None,
    })
    .map_err(|e| format!("the expected matrix does not lower: {e:?}"))?;
    let sizes: Sizes = BTreeMap::new();
    // Values where f is defined: the sampler takes a scalar, so sum(f).
    let proxy = Problem {
        expr: Expr::call(Func::Sum, problem.expr.clone()),
        ..problem.clone()
    };
    for seed in 1..=3 {
        let values = numeric::sample(&proxy, &sizes, seed).map_err(|e| e.message)?;
        let got = match d.order {
            jacobian::Order::Jacobian => {
                numeric::jacobian_at(problem, d, &values, &sizes).map(|(_, j)| j)
            }
            jacobian::Order::Hessian => numeric::hessian_at(problem, d, &values, &sizes),
        }
        .map_err(|e| format!("the engine's matrix: {e}"))?;
        let env = Env {
            values: &values,
            sizes: &sizes,
            direction: None,
        };
        let mut w = eval(&want.expr, &env).map_err(|e| format!("the expected matrix: {e}"))?;
        if w.shape() == (1, 1) && got.shape() != (1, 1) {
            w = nalgebra::DMatrix::identity(got.nrows(), got.ncols()) * w[(0, 0)];
        }
        if w.shape() != got.shape() {
            return Err(format!(
                "the expected matrix is {:?}, the engine's {:?}",
                w.shape(),
                got.shape()
            ));
        }
        let scale = w.norm().max(got.norm()).max(1e-300);
        let rel = (&w - &got).norm() / scale;
        if rel > 1e-8 {
            return Err(format!(
                "differs from the expected matrix by {rel:.1e} (seed {seed})"
            ));
        }
    }
    Ok(())
}

fn check_case(c: &Case) -> Result<(), String> {
    let a = c.analyze();
    let (Some(problem), Some(d)) = (&a.problem, &a.derivation) else {
        return Err(format!("no derivation: {:?}", a.diagnostics));
    };
    for seed in [1, 2] {
        let r = jacobian::check2(
            &a,
            &CheckOptions {
                sizes: BTreeMap::new(),
                seed,
            },
        )
        .map_err(|e| e.message)?;
        if r.verdict() != Verdict::Passed {
            return Err(format!("check (seed {seed}): {:?}", r.verdict()));
        }
        let lines = d.lines.len()
            - r.first.as_ref().map_or(0, |_| {
                d.lines
                    .iter()
                    .take_while(|l| matches!(l.side, jacobian::Side::Dy | jacobian::Side::Gradient))
                    .count()
            });
        if r.lines.len() != lines {
            return Err(format!("{} lines checked of {lines}", r.lines.len()));
        }
    }
    if let Some(expect) = &c.expect {
        compare_expected(c, problem, d, expect)?;
    }
    if let Some(form) = &c.form {
        let last = d.lines.last().map(|l| l.text.as_str()).unwrap_or_default();
        match (form.as_str(), &d.matrix) {
            ("none", None) => {}
            ("none", Some(_)) => return Err(format!("expected no vec form, got {last}")),
            (_, None) => return Err(format!("no vec form; expected {form}")),
            (want, Some(_)) if want != last => {
                return Err(format!("prints {last}, expected {want}"))
            }
            _ => {}
        }
    }
    Ok(())
}

#[test]
fn corpus_is_large_and_cited() {
    let cases = cases();
    let j = cases.iter().filter(|c| c.kind == "jacobian").count();
    let h = cases.iter().filter(|c| c.kind == "hessian").count();
    assert!(j >= 40, "only {j} Jacobians");
    assert!(h >= 40, "only {h} Hessians");
    for c in &cases {
        assert!(
            c.src.contains("MN") || c.src.contains("CB") || c.src.contains("ML"),
            "uncited: {}",
            c.label()
        );
    }
}

#[test]
fn every_jacobian_and_hessian_derives_and_checks() {
    let cases = cases();
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| {
            check_case(c)
                .err()
                .map(|m| format!("{}\n    {m}", c.label()))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} entries failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn every_latex_string_renders() {
    let opts = katex::Opts::builder()
        .display_mode(true)
        .throw_on_error(true)
        .build()
        .expect("KaTeX options");
    let mut failures = Vec::new();
    let mut count = 0;
    for c in cases() {
        let a = c.analyze();
        let Some(d) = &a.derivation else { continue };
        let mut strings = vec![d.f_latex.clone(), d.map_latex.clone(), d.to_align()];
        for l in &d.lines {
            strings.push(l.latex.clone());
            strings.push(format!("{} = {}", d.side_latex(l.side), l.latex));
        }
        for s in strings {
            count += 1;
            if let Err(e) = katex::render_with_opts(&s, &opts) {
                failures.push(format!("{}\n    {s}\n    KaTeX: {e}", c.label()));
            }
        }
    }
    assert!(count > 1000, "{count}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn text_of(kind: &str, expr: &str, decls: &str, wrt: &str) -> String {
    let c = Case {
        kind: kind.into(),
        f: expr.into(),
        decls: decls.into(),
        wrt: wrt.into(),
        ..Case::default()
    };
    let a = c.analyze();
    a.derivation
        .map(|d| d.to_text())
        .unwrap_or_else(|| format!("{:?}", a.diagnostics))
}

#[test]
fn snapshots_of_the_issues_jacobians() {
    let mut out = String::new();
    for (expr, wrt) in [
        ("A*X*B", "X"),
        ("inv(X)", "X"),
        ("X'*X", "X"),
        ("softmax(W*x)", "x"),
        ("tanh(W*x + b)", "x"),
        ("X.*X", "X"),
    ] {
        out.push_str(&format!(
            "== {expr}\n{}\n",
            text_of("jacobian", expr, "", wrt)
        ));
    }
    expect_test::expect_file!["snapshots/jacobians.txt"].assert_eq(&out);
}

#[test]
fn snapshots_of_the_issues_hessians() {
    let mut out = String::new();
    for (expr, decls, wrt) in [
        ("x'*A*x", "", "x"),
        ("||A*x - b||^2", "", "x"),
        ("logdet(X)", "", "X"),
        ("tr(X'*A*X)", "", "X"),
        ("sum(log(1 + exp(X*w))) - y'*X*w", "", "w"),
        ("logsumexp(x)", "", "x"),
    ] {
        out.push_str(&format!(
            "== {expr}\n{}\n",
            text_of("hessian", expr, decls, wrt)
        ));
    }
    expect_test::expect_file!["snapshots/hessians.txt"].assert_eq(&out);
}

/// The Jacobian of every scalar function of the Cookbook corpus (a row: the gradient
/// transposed, by the same vec steps) derives, and its check passes or cannot decide; none fails.
#[test]
fn the_cookbook_corpus_as_jacobians_never_fails() {
    let mut failures = Vec::new();
    let mut passed = 0;
    for e in common::corpus() {
        let a = jacobian::analyze_jacobian(&common::input(&e.f, &e.decls, Some(&e.wrt)));
        if a.derivation.is_none() {
            failures.push(format!("{}: {:?}", e.label(), a.diagnostics));
            continue;
        }
        let r = jacobian::check2(&a, &CheckOptions::default()).map_err(|d| d.message);
        match r.as_ref().map(|r| r.verdict()) {
            Ok(Verdict::Passed) => passed += 1,
            Ok(Verdict::Undecided(_)) => {}
            other => failures.push(format!("{}: {other:?}", e.label())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(passed >= 100, "{passed}");
}

/// Random edits of the corpus's functions through both entry points: never a panic, a
/// derivation or diagnostics (not both, not neither), every LaTeX line non-empty, and a sample
/// of the derivations checks out (passes or cannot decide; never fails).
#[test]
fn mutation_run_never_panics_and_never_fails_a_check() {
    const TOKENS: [&str; 24] = [
        "*X", "'", "+A", "-x", ".*X", "inv(", ")", "(", "tr(", "exp(", "X*", "*2", "A*", "x'",
        "log(", "softmax(", "sum(", "kron(A,", ",", "^2", ".^2", "tanh(", "logdet(", " ",
    ];
    let mut state: u64 = 0x0005_EED0_13AC;
    let mut below = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n.max(1) as u64) as usize
    };
    let seeds: Vec<(String, String)> = cases().into_iter().map(|c| (c.f, c.decls)).collect();
    let (mut derived, mut checked, mut undecided) = (0, 0, 0);
    let mut failures = Vec::new();
    for case in 0..12_000 {
        let (base, decls) = &seeds[below(seeds.len())];
        let mut chars: Vec<char> = base.chars().collect();
        {
            let i = below(chars.len() + 1);
            let j = (i + below(4)).min(chars.len());
            let tok: Vec<char> = TOKENS[below(TOKENS.len())].chars().collect();
            chars.splice(i..j, tok);
        }
        let expr: String = chars.into_iter().collect();
        // Half the mutants without declarations: the letters type them, as typed on the page.
        let input = Input {
            expr: expr.clone(),
            decls: if case % 2 == 0 {
                decls.clone()
            } else {
                String::new()
            },
            wrt: None,
        };
        for a in [
            jacobian::analyze_jacobian(&input),
            jacobian::analyze_hessian(&input),
        ] {
            assert!(
                a.derivation.is_some() == a.diagnostics.is_empty(),
                "{expr:?}: a derivation xor diagnostics"
            );
            let Some(d) = &a.derivation else { continue };
            derived += 1;
            assert!(d.lines.iter().all(|l| !l.latex.is_empty()), "{expr:?}");
            if case % 6 == 0 {
                checked += 1;
                let r = jacobian::check2(
                    &a,
                    &CheckOptions {
                        sizes: BTreeMap::new(),
                        seed: case,
                    },
                );
                match r.map(|r| r.verdict()) {
                    Ok(Verdict::Passed) => {}
                    Ok(Verdict::Undecided(_)) => undecided += 1,
                    other => failures.push(format!("{expr:?} ({:?}): {other:?}", d.order)),
                }
            }
        }
    }
    eprintln!("mutation run: {derived} derived, {checked} checked, {undecided} undecided");
    assert!(derived > 3000, "too few mutants derived ({derived})");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Inputs the mutation run found: a zero gradient (its Hessian lines compare zeros of the
/// variable's shape), a d(0) line whose coarse finite difference has another shape (was a
/// panic), terms that cancel inside one expression, and a trace of a matrix times a scalar that
/// holds dX (Tr(M s) = Tr(M) s: the vec form multiplied a row of M's size by the scalar's).
#[test]
fn mutation_finds_stay_fixed() {
    for (expr, decls) in [
        ("||x -x- a||^2", ""),
        ("tr(X*inv(X))", "X: 3x3"),
        ("det(x'X)", ""),
        ("A*X*inv(X)*B", ""),
        ("tr(x'*3*X)*logdet(S + X'*X)", ""),
        ("tr(inv(x'X)*A)", ""),
        ("tr(X'*A*X*B) + softmax(C*X)", ""),
    ] {
        let input = Input {
            expr: expr.into(),
            decls: decls.into(),
            wrt: None,
        };
        for a in [
            jacobian::analyze_jacobian(&input),
            jacobian::analyze_hessian(&input),
        ] {
            if a.derivation.is_none() {
                continue;
            }
            let r = jacobian::check2(&a, &CheckOptions::default()).expect("a check");
            assert_eq!(r.verdict(), Verdict::Passed, "{expr}");
        }
    }
}
