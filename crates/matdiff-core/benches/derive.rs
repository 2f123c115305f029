//! Criterion benchmarks: parse + shapes + derive + simplify without LaTeX (`derive-note`), the
//! whole `analyze` with LaTeX (`analyze-note`) of the note's examples and the Cookbook corpus,
//! derive + check of adversarial inputs, and the Hessian derivations of the note's examples
//! beside their gradient derivations, both printed (`hessian-note`; issue 13 asks ≤ 4×).

#[path = "../tests/common/mod.rs"]
mod common;

use criterion::{black_box, BenchmarkId, Criterion};
use matdiff_core::{analyze, check, derive_exprs, problem, CheckOptions, Input};
use std::time::{Duration, Instant};

fn input(expr: &str, decls: &str, wrt: Option<&str>) -> Input {
    common::input(expr, decls, wrt)
}

/// Parse, shapes, differentiation, rearrangement and simplification: everything but printing.
fn derive_only(inp: &Input) -> usize {
    problem(inp)
        .ok()
        .and_then(|p| derive_exprs(&p).ok())
        .map_or(0, |d| d.steps.len())
}

fn note_derive(c: &mut Criterion) {
    let mut g = c.benchmark_group("derive-note");
    for (name, (expr, decls, wrt)) in ["least-squares", "trace-AXB", "logdet-XtX"]
        .into_iter()
        .zip(common::NOTE)
    {
        let inp = input(expr, decls, wrt);
        assert!(derive_only(&inp) > 0, "{name} derives");
        g.bench_function(name, |b| b.iter(|| derive_only(black_box(&inp))));
    }
    g.finish();
}

fn note(c: &mut Criterion) {
    let mut g = c.benchmark_group("analyze-note");
    for (name, (expr, decls, wrt)) in ["least-squares", "trace-AXB", "logdet-XtX"]
        .into_iter()
        .zip(common::NOTE)
    {
        let inp = input(expr, decls, wrt);
        g.bench_function(name, |b| b.iter(|| analyze(black_box(&inp))));
    }
    g.finish();
}

fn corpus(c: &mut Criterion) {
    let inputs: Vec<Input> = common::corpus()
        .iter()
        .map(|e| input(&e.f, &e.decls, Some(&e.wrt)))
        .collect();
    c.bench_function("analyze-corpus-all", |b| {
        b.iter(|| {
            for inp in &inputs {
                black_box(analyze(black_box(inp)));
            }
        })
    });
}

/// The adversarial inputs, by name.
fn adversarial_inputs() -> Vec<(&'static str, String, &'static str)> {
    let terms: Vec<String> = (1..=200).map(|k| format!("{k}*tr(A*X*B)")).collect();
    let gram: Vec<&str> = std::iter::repeat_n("X'*X", 10).collect();
    vec![
        (
            "nested-parens-500",
            format!("tr({}X{})", "(".repeat(500), ")".repeat(500)),
            "",
        ),
        ("sum-of-200-terms", terms.join(" + "), ""),
        ("power-50", "tr(X^50)".to_string(), ""),
        (
            "nested-inv-30",
            format!("tr({}X{})", "inv(".repeat(30), ")".repeat(30)),
            "",
        ),
        (
            "logdet-20-factors",
            format!("logdet({})", gram.join("*")),
            "",
        ),
        (
            "implicit-product-40",
            format!("tr({})", "AX".repeat(20)),
            "",
        ),
    ]
}

fn adversarial(c: &mut Criterion) {
    let mut g = c.benchmark_group("adversarial-derive-check");
    g.sample_size(10);
    for (name, expr, decls) in adversarial_inputs() {
        let inp = input(&expr, decls, None);
        g.bench_with_input(BenchmarkId::from_parameter(name), &inp, |b, inp| {
            b.iter(|| {
                let a = analyze(black_box(inp));
                let _ = black_box(check(&a, &CheckOptions::default()));
            })
        });
    }
    g.finish();
}

/// The median time of `analyze` (and of the derivation without LaTeX) over the corpus: each
/// entry's median of a few runs, then the median over entries (what the README quotes). Printed
/// before the criterion groups.
fn corpus_median() {
    corpus_median_of("analyze", |inp| {
        analyze(inp).derivation.map_or(0, |d| d.steps.len())
    });
    corpus_median_of("derive without LaTeX", derive_only);
}

fn corpus_median_of(what: &str, run: impl Fn(&Input) -> usize) {
    let mut medians: Vec<Duration> = common::corpus()
        .iter()
        .map(|e| {
            let inp = input(&e.f, &e.decls, Some(&e.wrt));
            let mut runs: Vec<Duration> = (0..31)
                .map(|_| {
                    let t = Instant::now();
                    black_box(run(black_box(&inp)));
                    t.elapsed()
                })
                .collect();
            runs.sort();
            runs[runs.len() / 2]
        })
        .collect();
    medians.sort();
    let n = medians.len();
    if n > 0 {
        println!(
            "{what} over the corpus ({n} identities): median {:?}, fastest {:?}, slowest {:?}",
            medians[n / 2],
            medians[0],
            medians[n - 1]
        );
    }
}

/// The note's examples from the typed problem: the gradient's derivation printed
/// (`api::derive`) and the Hessian's (`jacobian::derive_hessian`, which derives the gradient
/// first).
fn note_hessian(c: &mut Criterion) {
    let mut g = c.benchmark_group("hessian-note");
    for (name, (expr, decls, wrt)) in ["least-squares", "trace-AXB", "logdet-XtX"]
        .into_iter()
        .zip(common::NOTE)
    {
        let p = problem(&input(expr, decls, wrt)).expect("the note's example lowers");
        assert!(matdiff_core::jacobian::derive_hessian(&p).is_ok(), "{name}");
        g.bench_function(format!("gradient/{name}"), |b| {
            b.iter(|| matdiff_core::derive(black_box(&p)).map_or(0, |d| d.steps.len()))
        });
        g.bench_function(format!("hessian/{name}"), |b| {
            b.iter(|| {
                matdiff_core::jacobian::derive_hessian(black_box(&p)).map_or(0, |d| d.lines.len())
            })
        });
    }
    g.finish();
}

criterion::criterion_group!(
    benches,
    note_derive,
    note,
    corpus,
    adversarial,
    note_hessian
);

fn main() {
    // `cargo test --benches` passes `--test`: run each benchmark once, skip the corpus summary.
    if !std::env::args().any(|a| a == "--test") {
        corpus_median();
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
