//! End-to-end tests of `matdiff compare`: every diagnosis kind, right answers written
//! otherwise (factored, transposed twice, by declared symmetry), the JSON contract, the exit
//! statuses (0 correct, 1 not, 2 bad input, 3 undecided).

use serde_json::Value;
use std::process::{Command, Output};

fn matdiff(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_matdiff"))
        .args(args)
        .output()
        .expect("run matdiff")
}

/// Runs `compare` with JSON output, checks the exit status, returns the JSON.
fn compare(expr: &str, decls: &str, wrt: &str, claim: &str, code: i32) -> Value {
    let mut args = vec!["compare", expr, "--claim", claim, "--format", "json"];
    if !wrt.is_empty() {
        args.extend(["--wrt", wrt]);
    }
    if !decls.is_empty() {
        args.extend(["--let", decls]);
    }
    let o = matdiff(&args);
    let (out, err) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    assert_eq!(
        o.status.code(),
        Some(code),
        "matdiff {args:?}\nstdout:\n{out}\nstderr:\n{err}"
    );
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// A wrong claim: f, decls, wrt, claim, the kind of its diagnosis, and the field the kind
/// carries with its value in JSON.
type Wrong = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<(&'static str, &'static str)>,
);

/// Each diagnosis kind.
const WRONG: &[Wrong] = &[
    ("tr(A*X*B)", "", "X", "B*A", "transposed", None),
    ("tr(A*X)", "A: n x n", "X", "A", "transposed", None),
    ("logdet(X)", "", "X", "inv(X)", "transposed", None),
    (
        "||A*x - b||^2",
        "",
        "x",
        "A'*(A*x - b)",
        "scaled",
        Some(("factor", "0.5")),
    ),
    ("tr(X'*X)", "", "X", "4*X", "scaled", Some(("factor", "2"))),
    (
        "||A*x - b||^2",
        "",
        "x",
        "2*A'*(b - A*x)",
        "sign",
        Some(("factor", "-1")),
    ),
    (
        "x'*A*x",
        "",
        "x",
        "2*A*x",
        "needs-symmetric",
        Some(("symbol", "\"A\"")),
    ),
    (
        "tr(X'*A*X)",
        "",
        "X",
        "2*A*X",
        "needs-symmetric",
        Some(("symbol", "\"A\"")),
    ),
    (
        "||A*x - b||^2",
        "",
        "x",
        "2*A'*A*x",
        "missing-term",
        Some(("term", "\"-2*A'*b\"")),
    ),
    (
        "x'*A*x",
        "",
        "x",
        "A*x",
        "missing-term",
        Some(("term", "\"A'*x\"")),
    ),
    (
        "||A*x - b||^2",
        "",
        "x",
        "2*A'*(A*x - b) + 2*x",
        "extra-term",
        Some(("term", "\"2*x\"")),
    ),
    ("tr(A*X*B)", "", "X", "A*B", "shape", None),
    ("||A*x - b||^2", "", "x", "2*A*x", "shape", None),
    ("||A*x - b||^2", "", "x", "2*C'*(A*x - b)", "shape", None),
];

#[test]
fn every_diagnosis_kind() {
    for &(f, decls, wrt, claim, kind, field) in WRONG {
        let v = compare(f, decls, wrt, claim, 1);
        assert_eq!(v["verdict"], "incorrect", "{f} | {claim}: {v}");
        let first = &v["diagnosis"][0];
        assert_eq!(first["kind"], kind, "{f} | {claim}: {v}");
        assert!(
            first["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{v}"
        );
        if let Some((key, value)) = field {
            let want: Value = serde_json::from_str(value).expect("a JSON value");
            match want.as_f64() {
                Some(w) => assert_eq!(first[key].as_f64(), Some(w), "{f} | {claim}: {v}"),
                None => assert_eq!(first[key], want, "{f} | {claim}: {v}"),
            }
        }
    }
}

#[test]
fn messages_name_the_mistake() {
    let v = compare("x'*A*x", "", "x", "2*A*x", 1);
    let m = v["diagnosis"][0]["message"].as_str().unwrap_or_default();
    assert!(
        m.contains("correct if A is symmetric; A is not declared symmetric"),
        "{m}"
    );
    let v = compare("tr(X'*X)", "", "X", "4*X", 1);
    let m = v["diagnosis"][0]["message"].as_str().unwrap_or_default();
    assert!(m.contains("off by a factor of 2"), "{m}");
    let v = compare("tr(A*X*B)", "A: 3x4, B: 5x3", "X", "A*B", 1);
    let m = v["diagnosis"][0]["message"].as_str().unwrap_or_default();
    assert!(m.contains("3×4") && m.contains("5×3"), "both shapes: {m}");
    let v = compare("||A*x - b||^2", "", "x", "2*A*x", 1);
    let m = v["diagnosis"][0]["message"].as_str().unwrap_or_default();
    assert!(m.contains("n×1") && m.contains("m×1"), "both shapes: {m}");
    let v = compare("||A*x - b||^2", "", "x", "2*C'*(A*x - b)", 1);
    let m = v["diagnosis"][0]["message"].as_str().unwrap_or_default();
    assert!(m.contains("C: not a symbol of f"), "{m}");
}

/// Right answers written otherwise: factored or expanded, transposed twice, by declared
/// symmetry, in Unicode and LaTeX. Each says it equals matdiff's gradient.
#[test]
fn right_answers_written_differently() {
    for (f, decls, wrt, claim) in [
        ("||A*x - b||^2", "", "x", "2*A'*A*x - 2*A'*b"),
        ("||A*x - b||^2", "", "x", "-2*A'*(b - A*x)"),
        ("x'*A*x", "", "x", "A*x + A'*x"),
        ("tr(A*X*B)", "", "X", "(B*A)'"),
        ("tr(A*X*B)", "", "X", "((A'*B')')'"),
        ("logdet(X'*X)", "", "X", "2*(inv(X'*X)*X')'"),
        ("x'*S*x", "S: symmetric n", "x", "2*S'*x"),
        ("x'*S*x", "S: symmetric n", "x", "S*x + S'*x"),
        ("tr(X'*S*X)", "S: symmetric n", "X", "(2*X'*S)'"),
        ("||A*x - b||^2", "", "x", "2Aᵀ(Ax) − 2Aᵀb"),
        ("||A*x - b||^2", "", "x", r"2 A^\top A x - 2 A^\top b"),
    ] {
        let v = compare(f, decls, wrt, claim, 0);
        assert_eq!(v["verdict"], "correct", "{f} | {claim}: {v}");
        assert_eq!(v["diagnosis"], Value::Array(Vec::new()), "{v}");
        assert_eq!(v["written_differently"], true, "{f} | {claim}: {v}");
        let m = v["message"].as_str().unwrap_or_default();
        let g = v["gradient_text"].as_str().unwrap_or_default();
        assert!(m.contains(&format!("equal to matdiff's {g}")), "{m}");
    }
    // Written as matdiff writes it (also in Unicode or LaTeX): correct, not "written differently".
    for (f, claim) in [
        ("tr(A*X*B)", "A'*B'"),
        ("||A*x - b||^2", "2Aᵀ(Ax − b)"),
        ("||A*x - b||^2", r"2 A^\top (A x - b)"),
    ] {
        let v = compare(f, "", "", claim, 0);
        assert_eq!(v["written_differently"], false, "{v}");
        assert_eq!(v["message"], "correct", "{v}");
    }
}

#[test]
fn bad_input_exits_2() {
    for args in [
        vec!["compare", "tr(A*X*B)", "--claim", "A'*("],
        vec!["compare", "tr(A*X", "--claim", "A'*B'"],
        vec!["compare", "tr(A*X*B)", "--claim", ""],
        vec!["compare", "tr(A*X*B)"],
        vec!["compare", "tr(A*X*B)", "--claim", "A'*B'", "--let", "A: 3x"],
    ] {
        let o = matdiff(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(!o.stderr.is_empty(), "{args:?}");
    }
    let o = matdiff(&["compare", "tr(A*X*B)", "--claim", "A'*("]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--> in the claimed gradient (--claim)"),
        "{err}"
    );
}

/// f undefined at every sample: no sample is reliable, so the claim is undecided (exit 3),
/// never a false verdict.
#[test]
fn undecided_exits_3() {
    let v = compare("sqrt(-1 - x'*x)", "", "x", "x", 3);
    assert_eq!(v["verdict"], "undecided", "{v}");
    assert_eq!(v["diagnosis"], Value::Array(Vec::new()), "{v}");
}

#[test]
fn text_output() {
    let o = matdiff(&["compare", "x'*A*x", "--wrt", "x", "--claim", "2*A*x"]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("verdict: incorrect"), "{out}");
    assert!(
        out.contains("  - needs-symmetric: correct if A is symmetric"),
        "{out}"
    );
    assert!(out.contains("matdiff's grad_x f = (A + A')*x"), "{out}");
    let help = matdiff(&["compare", "--help"]);
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("3 when undecided"), "{help}");
}
