//! The command on a symmetric variable (issue 13 §3) and the layout switch (§4):
//! `grad --format json` prints `gradient_symmetric` and `gradient_entries` shaped like X, each
//! verified here against central differences of f computed through the command itself; `derive`
//! and `check` show and check the three answers; `--layout numerator` prints df/dX = (grad f)'.

use serde_json::{json, Value};
use std::path::PathBuf;

mod common;

use common::{run, stdout};

fn scratch(name: &str, contents: &str) -> PathBuf {
    common::scratch_in("symmetric-cli-tests", name, contents)
}

/// `grad … --format json` at `values`, with extra flags.
fn grad(expr: &str, decls: &str, wrt: &str, values: &Value, extra: &[&str]) -> Value {
    // One file per call: the tests run in parallel.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let k = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = scratch(&format!("{wrt}-{k}.json"), &values.to_string());
    let mut args = vec![
        "grad",
        expr,
        "--let",
        decls,
        "--wrt",
        wrt,
        "--at",
        path.to_str().expect("utf-8"),
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    serde_json::from_str(&stdout(&run(&args, 0))).expect("json")
}

type Rows = Vec<Vec<f64>>;

fn rows(v: &Value) -> Rows {
    v.as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            r.as_array()
                .expect("a row")
                .iter()
                .map(|x| x.as_f64().expect("a number"))
                .collect()
        })
        .collect()
}

fn to_json(m: &Rows) -> Value {
    json!(m)
}

/// f at the values with the variable replaced by `x`, through the command.
fn f_at(expr: &str, decls: &str, wrt: &str, values: &Value, x: &Rows) -> f64 {
    let mut v = values.clone();
    v[wrt] = to_json(x);
    grad(expr, decls, wrt, &v, &[])["value"]
        .as_f64()
        .expect("value")
}

/// Central difference of f along the symmetric direction `dir`.
fn fd(expr: &str, decls: &str, wrt: &str, values: &Value, dir: &Rows) -> f64 {
    let x = rows(&values[wrt]);
    let h = 1e-5;
    let moved = |t: f64| -> Rows {
        x.iter()
            .zip(dir)
            .map(|(r, d)| r.iter().zip(d).map(|(a, b)| a + t * b).collect())
            .collect()
    };
    (f_at(expr, decls, wrt, values, &moved(h)) - f_at(expr, decls, wrt, values, &moved(-h)))
        / (2.0 * h)
}

fn close(a: f64, b: f64, what: &str) {
    assert!(
        (a - b).abs() <= 1e-5 * (1.0 + a.abs().max(b.abs())),
        "{what}: {a} vs {b}"
    );
}

/// Cases: (expression, declarations, variable, values), each with a symmetric 3×3 variable.
fn cases() -> Vec<(&'static str, &'static str, &'static str, Value)> {
    let s = json!([[2.0, 0.5, -0.3], [0.5, 1.5, 0.2], [-0.3, 0.2, 1.8]]);
    let a = json!([[1.0, 2.0, -1.0], [0.5, -3.0, 4.0], [2.5, 1.0, 0.7]]);
    vec![
        ("tr(A*S)", "S: symmetric n", "S", json!({"A": a, "S": s})),
        ("logdet(S)", "S: spd n", "S", json!({"S": s})),
        ("det(S)", "S: spd n", "S", json!({"S": s})),
        (
            "x'*S*x",
            "S: symmetric n, x: vector n",
            "S",
            json!({"S": s, "x": [1.0, -2.0, 0.5]}),
        ),
        ("tr(inv(S)*A)", "S: spd n", "S", json!({"A": a, "S": s})),
    ]
}

/// The contract: both keys, shaped like X; the entry form against moving X_ij and X_ji
/// together (X_ii alone), sym(G) against symmetric directions and equal to (G + G')/2.
#[test]
fn grad_json_has_the_symmetric_forms_verified_by_finite_differences() {
    for (expr, decls, wrt, values) in cases() {
        let out = grad(expr, decls, wrt, &values, &[]);
        let g = rows(&out["gradient"]);
        let sym = rows(&out["gradient_symmetric"]);
        let entries = rows(&out["gradient_entries"]);
        let n = g.len();
        assert!(sym.len() == n && entries.len() == n && sym.iter().all(|r| r.len() == n));
        for i in 0..n {
            for j in 0..n {
                close(
                    sym[i][j],
                    (g[i][j] + g[j][i]) / 2.0,
                    &format!("{expr}: sym(G) = (G + G')/2 at {i},{j}"),
                );
                let expected = if i == j { g[i][i] } else { g[i][j] + g[j][i] };
                close(
                    entries[i][j],
                    expected,
                    &format!("{expr}: G + G' - diag(G) at {i},{j}"),
                );
                // The derivative by the independent entry X_ij (i <= j): both entries move.
                if i <= j {
                    let mut dir = vec![vec![0.0; n]; n];
                    dir[i][j] = 1.0;
                    dir[j][i] = 1.0;
                    let d = fd(expr, decls, wrt, &values, &dir);
                    close(
                        entries[i][j],
                        d,
                        &format!("{expr}: entry {i},{j} against finite differences"),
                    );
                    close(
                        entries[j][i],
                        d,
                        &format!("{expr}: entry {j},{i} against finite differences"),
                    );
                }
            }
        }
        // sym(G) along a symmetric direction: <sym(G), V> is the directional derivative.
        let v = vec![
            vec![0.3, -1.0, 0.4],
            vec![-1.0, 0.8, 0.25],
            vec![0.4, 0.25, -0.6],
        ];
        let inner: f64 = (0..n)
            .flat_map(|i| (0..n).map(move |j| (i, j)))
            .map(|(i, j)| sym[i][j] * v[i][j])
            .sum();
        close(
            inner,
            fd(expr, decls, wrt, &values, &v),
            &format!("{expr}: <sym(G), V>"),
        );
        assert!(
            out["gradient_symmetric_text"].is_string() && out["gradient_entries_text"].is_string()
        );
        assert!(out.get("layout").is_none(), "{out}");
    }
}

/// The Cookbook's formula (141) at the values: d logdet(S) by independent entries is
/// 2 S⁻¹ − (S⁻¹ ∘ I), computed here with nalgebra.
#[test]
fn logdet_entries_are_the_cookbook_formula() {
    let (_, decls, wrt, values) = cases().swap_remove(1);
    let out = grad("logdet(S)", decls, wrt, &values, &[]);
    let s = rows(&values["S"]);
    let m = nalgebra::DMatrix::from_fn(3, 3, |i, j| s[i][j]);
    let inv = m.try_inverse().expect("invertible");
    let entries = rows(&out["gradient_entries"]);
    for i in 0..3 {
        for j in 0..3 {
            let expected = if i == j {
                inv[(i, i)]
            } else {
                2.0 * inv[(i, j)]
            };
            close(entries[i][j], expected, &format!("{i},{j}"));
        }
    }
}

#[test]
fn a_variable_not_declared_symmetric_has_no_symmetric_keys() {
    let values = json!({"A": [[1.0, 2.0], [3.0, 4.0]], "X": [[2.0, 1.0], [1.0, 3.0]]});
    let out = grad("tr(A*X)", "", "X", &values, &[]);
    assert!(out.get("gradient_symmetric").is_none() && out.get("gradient_entries").is_none());
}

#[test]
fn values_of_a_symmetric_variable_must_be_symmetric() {
    let path = scratch("bad.json", r#"{"A": [[1,2],[3,4]], "S": [[2,1],[0,3]]}"#);
    let o = run(
        &[
            "grad",
            "tr(A*S)",
            "--let",
            "S: symmetric n",
            "--wrt",
            "S",
            "--at",
            path.to_str().expect("utf-8"),
            "--format",
            "json",
        ],
        2,
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("`S` is declared symmetric but its value is not symmetric"),
        "{err}"
    );
}

#[test]
fn derive_and_check_show_and_check_the_three_answers() {
    let args = ["tr(A*S)", "--let", "S: symmetric n", "--wrt", "S"];
    let out = stdout(&run(&[&["derive"][..], &args].concat(), 0));
    for line in [
        "  G = grad_S f = A'",
        "  sym(G) = (A + A') / 2",
        "  G + G' - diag(G) = A + A' - A .* eye",
        "gradient within symmetric matrices under the Frobenius inner product",
        "it is not a gradient for the Frobenius inner product",
    ] {
        assert!(out.contains(line), "{line}:\n{out}");
    }
    let out = stdout(&run(&[&["check"][..], &args].concat(), 0));
    assert!(
        out.contains("sym(G) check (symmetric directions): relative error"),
        "{out}"
    );
    assert!(
        out.contains("G + G' - diag(G) check (independent entries): relative error"),
        "{out}"
    );
    assert!(out.trim_end().ends_with("result: passed"), "{out}");
    let json: Value = serde_json::from_str(&stdout(&run(
        &[&["check"][..], &args, &["--format", "json"]].concat(),
        0,
    )))
    .expect("json");
    assert_eq!(
        json["symmetric"]["symmetric"]["passed"],
        json!(true),
        "{json}"
    );
    assert_eq!(
        json["symmetric"]["entries"]["passed"],
        json!(true),
        "{json}"
    );
    let json: Value = serde_json::from_str(&stdout(&run(
        &[&["derive"][..], &args, &["--format", "json"]].concat(),
        0,
    )))
    .expect("json");
    let s = &json["derivation"]["symmetric"];
    assert_eq!(s["symmetric"]["text"], json!("(A + A') / 2"), "{s}");
    assert_eq!(s["entries"]["text"], json!("A + A' - A .* eye"), "{s}");
}

/// `--layout numerator`: df/dX = (grad f)' printed and, in `grad` JSON, `"derivative"` (rows of
/// the transposed gradient, the printed tree evaluated) with `"layout"`; `"gradient"` unchanged.
#[test]
fn layout_numerator_prints_the_transposed_gradient() {
    let out = stdout(&run(&["derive", "tr(A*X*B)", "--layout", "numerator"], 0));
    assert!(out.contains("df/dX = B*A\n"), "{out}");
    assert!(out.contains("layout: Numerator layout"), "{out}");
    let out = stdout(&run(&["derive", "tr(A*X*B)", "--layout", "gradient"], 0));
    assert!(
        out.contains("layout: Gradient (denominator) layout") && !out.contains("df/dX"),
        "{out}"
    );
    let plain = stdout(&run(&["derive", "tr(A*X*B)"], 0));
    assert!(!plain.contains("layout"), "{plain}");
    let out = stdout(&run(&["check", "x'*A*x", "--layout", "numerator"], 0));
    assert!(
        out.contains("df/dx = x'*(A + A')\n") && out.contains("result: passed"),
        "{out}"
    );
    let json: Value = serde_json::from_str(&stdout(&run(
        &[
            "derive",
            "a'*X*b",
            "--layout",
            "numerator",
            "--format",
            "json",
        ],
        0,
    )))
    .expect("json");
    assert_eq!(json["derivation"]["layout"], json!("numerator"));
    assert_eq!(json["derivation"]["derivative"]["text"], json!("b*a'"));

    let values = json!({"A": [[1.0, 2.0], [3.0, 4.0], [0.5, -1.0]], "X": [[1.0, 0.0, 2.0], [0.5, 1.0, -1.0]], "B": [[2.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 3.0, 1.0]]});
    let plain = grad("tr(A*X*B)", "", "X", &values, &[]);
    let out = grad("tr(A*X*B)", "", "X", &values, &["--layout", "numerator"]);
    assert_eq!(out["gradient"], plain["gradient"]);
    assert_eq!(out["layout"], json!("numerator"));
    let g = rows(&out["gradient"]);
    let d = rows(&out["derivative"]);
    assert_eq!((g.len(), g[0].len()), (2, 3));
    assert_eq!((d.len(), d[0].len()), (3, 2));
    for i in 0..2 {
        for j in 0..3 {
            close(d[j][i], g[i][j], "df/dX = grad'");
            // The gradient itself against finite differences of the command's f.
            let mut dir = vec![vec![0.0; 3]; 2];
            dir[i][j] = 1.0;
            close(
                g[i][j],
                fd("tr(A*X*B)", "", "X", &values, &dir),
                "grad against finite differences",
            );
        }
    }
    let out = grad(
        "x'*A*x",
        "",
        "x",
        &json!({"x": [1.0, 2.0], "A": [[1.0, 2.0], [0.0, 3.0]]}),
        &["--layout", "gradient"],
    );
    assert_eq!(out["layout"], json!("gradient"));
    assert!(out.get("derivative").is_none());
}

/// A report whose entry form is wrong exits 1, and the text report marks that form FAIL.
#[test]
fn a_wrong_form_fails_the_check_command() {
    use matdiff::cli::ReportFormat;
    let mut a = matdiff_core::analyze(&matdiff_core::Input {
        expr: "tr(A*S)".into(),
        decls: "S: symmetric n".into(),
        wrt: Some("S".into()),
    });
    let d = a.derivation.as_mut().expect("a derivation");
    let s = d.symmetric.as_mut().expect("forms");
    s.entries.expr = s.symmetric.expr.clone();
    let report = matdiff_core::check(&a, &matdiff_core::CheckOptions::default()).expect("a report");
    let d = a.derivation.as_ref().expect("a derivation");
    let out = matdiff::run::check_outcome(&report, d, ReportFormat::Text);
    assert_eq!(out.code, matdiff::run::EXIT_CHECK_FAILED);
    let text = matdiff::forms::check_text(&report, d);
    assert!(
        text.contains("sym(G) check (symmetric directions)") && text.contains("   ok\n"),
        "{text}"
    );
    assert!(
        text.contains("G + G' - diag(G) check (independent entries)") && text.contains("   FAIL\n"),
        "{text}"
    );
}

/// LaTeX and Markdown in numerator layout: the line ∂f/∂X = … and the layout's sentence once.
#[test]
fn layout_numerator_in_latex_and_markdown() {
    let out = stdout(&run(
        &[
            "derive",
            "tr(A*X*B)",
            "--layout",
            "numerator",
            "--format",
            "latex",
        ],
        0,
    ));
    assert!(
        out.contains("\\frac{\\partial f}{\\partial \\mathbf{X}} &= \\mathbf{B} \\mathbf{A}\n"),
        "{out}"
    );
    assert_eq!(out.matches("Numerator layout").count(), 1, "{out}");
    let out = stdout(&run(
        &[
            "derive",
            "tr(A*X*B)",
            "--layout",
            "numerator",
            "--format",
            "markdown",
        ],
        0,
    ));
    assert!(
        out.contains(
            "$$\n\\frac{\\partial f}{\\partial \\mathbf{X}} = \\mathbf{B} \\mathbf{A}\n$$"
        ),
        "{out}"
    );
    assert_eq!(out.matches("Numerator layout").count(), 1, "{out}");
}
