//! Criterion benchmark of derive + check on adversarial inputs (issue 4: every accepted input
//! finishes within 50 ms natively). `MATDIFF_ADVERSARIAL_TABLE=1 cargo bench --bench adversarial`
//! prints a one-shot table instead (median of a few runs, analyze and check timed apart).

use criterion::{black_box, BenchmarkId, Criterion};
use matdiff_core::{analyze, check, CheckOptions, Input};
use std::time::{Duration, Instant};

/// The adversarial inputs: name, expression, declarations.
fn inputs() -> Vec<(&'static str, String, &'static str)> {
    let nest = |open: &str, inner: &str, close: &str, n: usize| {
        format!("{}{inner}{}", open.repeat(n), close.repeat(n))
    };
    let terms: Vec<String> = (1..=200).map(|k| format!("{k}*tr(A*X*B)")).collect();
    let gram = ["X'*X"; 10].join("*");
    let letters = "ABCDEFGHKLMNOPQRSTUV";
    let distinct: Vec<String> = letters.chars().map(|c| c.to_string()).collect();
    let square_decls: String = letters
        .chars()
        .map(|c| format!("{c}: n x n"))
        .collect::<Vec<_>>()
        .join(", ");
    let square_decls: &'static str = Box::leak(square_decls.into_boxed_str());
    vec![
        (
            "nested-parens-500",
            format!("tr({})", nest("(", "X", ")", 500)),
            "",
        ),
        ("sum-of-200-terms", terms.join(" + "), ""),
        ("power-50", "tr(X^50)".to_string(), ""),
        (
            "nested-inv-30",
            format!("tr({})", nest("inv(", "X", ")", 30)),
            "",
        ),
        ("logdet-gram-20-factors", format!("logdet({gram})"), ""),
        (
            "logdet-20-distinct-factors",
            format!("logdet({} X)", distinct[..19].join(" ")),
            square_decls,
        ),
        (
            "implicit-product-100",
            format!("tr({})", "AX".repeat(50)),
            "",
        ),
        (
            "nested-exp-log-60",
            format!("sum({})", nest("exp(log(", "x", "))", 60)),
            "",
        ),
        (
            "hadamard-chain-100",
            format!("sum({})", vec!["X"; 100].join(" .* ")),
            "",
        ),
        (
            "power-tower-12",
            "det((((P)^2)^2)^3)".to_string(),
            "P: spd n",
        ),
        ("product-of-500-traces", "tr(X)".repeat(500), ""),
        ("minus-3000", format!("{}tr(X)", "-".repeat(3000)), ""),
        ("transpose-1000", format!("tr(X{})", "'".repeat(1000)), ""),
        ("norm-bars-1000", "||".repeat(1000), ""),
        ("nested-tr-1500", nest("tr(", "X", ")", 1500), ""),
        // Found by the derive_check fuzzer (a timeout): det of a run of 33 capitals.
        (
            "fuzz-det-33-factors",
            "det(1UUUUUUUU \nUUUWUUUUUUUUU \nUUUWUUUUUUU)".to_string(),
            "",
        ),
        // The largest inputs the caps accept (lower::MAX_FACTORS, MAX_HADAMARD_FACTORS,
        // MAX_NESTED_FUNCTIONS, MAX_TOTAL_FACTORS): these bound the work of any accepted input.
        (
            "implicit-product-32",
            format!("tr({})", "AX".repeat(16)),
            "",
        ),
        ("det-product-24", format!("det({})", "AX".repeat(12)), ""),
        // Found by the parse fuzzer (a timeout under the sanitizers).
        (
            "fuzz-hadamard-inverse-power",
            "tr(O.*OOOOOX^-50A)".to_string(),
            "",
        ),
        ("power-100", "tr(X^100)".to_string(), ""),
        ("power-minus-100", "tr(X^-100)".to_string(), ""),
        ("two-powers-100", "tr(A X^100 B X^100)".to_string(), ""),
        // Found by the fuzzers (slow units): negative and large powers inside products.
        ("fuzz-power-minus-91", "tr(Xxtau^-91A)".to_string(), ""),
        ("fuzz-power-62", "tr(XX^{61})".to_string(), ""),
        ("fuzz-power-minus-63", "tr(X^-63A)".to_string(), ""),
        ("power-minus-50", "tr(X^-50)".to_string(), ""),
        // Slow units of the last fuzz round (within the caps).
        ("fuzz-det-sum-of-runs", "det(1UUUUUUUUUUUUU-UUUUUU)".to_string(), ""),
        ("fuzz-logdet-run", "1logdet(A-XXXXXXXXXXXXXXXXXC C)".to_string(), ""),
        (
            "fuzz-logdet-products",
            "1logdet(JJJCJJJCCJJJ -CJJJ -A)logdet(JJJCJJJCCJJJ JJCJJJCCJJJ -CJJJ -A)logdet(J-CJJJ -A)"
                .to_string(),
            "",
        ),
        ("fuzz-norm1-run", "norm1(OOTT'OOOOOTT'OOO*B)".to_string(), ""),
        ("fuzz-nested-inverse-powers", "tr(O.*OOOOOX^-09Atr(O.*OOOOOX^-18A))".to_string(), ""),
        // Nested traces whose symmetry checks were exponential (4 s before the symmetry budget);
        // `Xr` in it now reads as X·r, so `r` is declared a scalar to keep it well typed.
        (
            "fuzz-nested-traces",
            include_str!("../tests/robustness/timeout-nested-traces-symmetry").to_string(),
            "r: scalar",
        ),
        // The slowest accepted input the fuzzers found (40–46 ms before the engine's speed-up).
        (
            "fuzz-nested-inverse-powers-accepted",
            "tr(O.*OOOOOX^-09Atr(O.*OOOOOX^-09A))".to_string(),
            "",
        ),
        ("power-minus-20", "tr(X^-20)".to_string(), ""),
        (
            "logdet-product-32",
            format!("logdet({})", "AX".repeat(16)),
            "",
        ),
        (
            "tr-inv-product-32",
            format!("tr(inv({}))", "AX".repeat(16)),
            "",
        ),
        ("product-of-24-traces", "tr(X)".repeat(24), ""),
        (
            "hadamard-chain-32",
            format!("sum({})", ["X"; 32].join(" .* ")),
            "",
        ),
        (
            "nested-exp-log-11",
            format!("sum({})", nest("exp(log(", "x", "))", 11)),
            "",
        ),
    ]
}

fn input(expr: &str, decls: &str) -> Input {
    Input {
        expr: expr.to_string(),
        decls: decls.to_string(),
        wrt: None,
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Families of the slow inputs at several sizes, to place the caps.
fn scaled() -> Vec<(String, String, &'static str)> {
    let mut out = Vec::new();
    for n in [10, 20, 30, 40] {
        let e = format!("sum({}x{})", "exp(log(".repeat(n), "))".repeat(n));
        out.push((format!("nested-exp-log-{n}"), e, ""));
    }
    for n in [20, 40, 60, 80] {
        out.push((format!("product-of-{n}-traces"), "tr(X)".repeat(n), ""));
        out.push((
            format!("hadamard-chain-{n}"),
            format!("sum({})", vec!["X"; n].join(" .* ")),
            "",
        ));
        out.push((
            format!("implicit-product-{n}"),
            format!("tr({})", "AX".repeat(n / 2)),
            "",
        ));
    }
    for n in [12, 16, 20, 24] {
        out.push((
            format!("det-product-{n}"),
            format!("det({})", "AX".repeat(n / 2)),
            "",
        ));
        out.push((
            format!("tr-inv-product-{n}"),
            format!("tr(inv({}))", "AX".repeat(n / 2)),
            "",
        ));
        out.push((
            format!("fuzz-det-U-{n}"),
            format!("det({})", "U".repeat(n)),
            "",
        ));
    }
    for n in [10, 15, 20, 25] {
        out.push((
            format!("nested-inv-{n}"),
            format!("tr({}X{})", "inv(".repeat(n), ")".repeat(n)),
            "",
        ));
    }
    out
}

/// One-shot table: analyze and check times (median of 5), and what came out.
fn table() {
    println!("| input | bytes | analyze | check | total | outcome |");
    println!("|---|---:|---:|---:|---:|---|");
    let all: Vec<(String, String, &str)> = inputs()
        .into_iter()
        .map(|(n, e, d)| (n.to_string(), e, d))
        .chain(
            if std::env::var_os("MATDIFF_ADVERSARIAL_SCALED").is_some() {
                scaled()
            } else {
                Vec::new()
            },
        )
        .collect();
    for (name, expr, decls) in all {
        let inp = input(&expr, decls);
        let (mut ta, mut tc) = (Vec::new(), Vec::new());
        let mut outcome = String::new();
        for _ in 0..5 {
            let t = Instant::now();
            let a = analyze(black_box(&inp));
            ta.push(t.elapsed());
            let t = Instant::now();
            let r = check(&a, &CheckOptions::default());
            tc.push(t.elapsed());
            outcome = match (&a.derivation, r) {
                (None, _) => format!("rejected: {}", a.diagnostics[0].message),
                (Some(_), Ok(r)) if r.passed => "passed".to_string(),
                (Some(_), Ok(r)) if r.undecidable => "undecidable".to_string(),
                (Some(_), Ok(r)) => format!("failed: {}", r.message.unwrap_or_default()),
                (Some(_), Err(d)) => format!("check refused: {}", d.message),
            };
        }
        let (a, c) = (median(ta), median(tc));
        let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1e3);
        outcome.truncate(90);
        println!(
            "| {name} | {} | {} | {} | {} | {outcome} |",
            expr.len(),
            ms(a),
            ms(c),
            ms(a + c)
        );
    }
}

fn adversarial(c: &mut Criterion) {
    let mut g = c.benchmark_group("adversarial");
    g.sample_size(10);
    g.warm_up_time(Duration::from_millis(500));
    g.measurement_time(Duration::from_secs(2));
    for (name, expr, decls) in inputs() {
        let inp = input(&expr, decls);
        g.bench_with_input(BenchmarkId::from_parameter(name), &inp, |b, inp| {
            b.iter(|| {
                let a = analyze(black_box(inp));
                black_box(check(&a, &CheckOptions::default()))
            })
        });
    }
    g.finish();
}

fn main() {
    if std::env::var_os("MATDIFF_ADVERSARIAL_TABLE").is_some() {
        table();
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    adversarial(&mut c);
    c.final_summary();
}
