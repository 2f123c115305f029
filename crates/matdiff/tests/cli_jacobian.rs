//! End-to-end tests of the Jacobian and Hessian parts of the `matdiff` binary: `derive` and
//! `check` of vector- and matrix-valued f and with `--hessian`, `matdiff jacobian`, and
//! `grad --hessian`; the numbers are compared with values computed here independently.

#![allow(clippy::needless_range_loop)] // index arithmetic of vec order reads best as indices

use serde_json::Value;
use std::path::PathBuf;
use std::process::Output;

mod common;

use common::{run, stdout};

fn scratch(name: &str, contents: &str) -> PathBuf {
    common::scratch_in("cli-jacobian-tests", name, contents)
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).expect("JSON output")
}

fn matrix(v: &Value) -> Vec<Vec<f64>> {
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

type Mat = Vec<Vec<f64>>;

fn mul(a: &Mat, b: &Mat) -> Mat {
    (0..a.len())
        .map(|i| {
            (0..b[0].len())
                .map(|j| (0..b.len()).map(|k| a[i][k] * b[k][j]).sum())
                .collect()
        })
        .collect()
}

/// Column-major vec.
fn vec_of(a: &Mat) -> Vec<f64> {
    (0..a[0].len())
        .flat_map(|j| a.iter().map(move |r| r[j]))
        .collect()
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * a.abs().max(b.abs()).max(1.0)
}

/// `jacobian A*X*B`: the value in its shape and the Jacobian in column-major vec order, against
/// central differences of A X B computed here.
#[test]
fn jacobian_json_matches_finite_differences() {
    let a: Mat = vec![vec![1.0, 2.0], vec![3.0, 4.0], vec![5.0, -6.0]];
    let x: Mat = vec![vec![1.0, 0.5, -1.0], vec![2.0, 1.0, 0.25]];
    let b: Mat = vec![vec![1.0, -2.0], vec![2.0, 0.5], vec![-1.0, 3.0]];
    let values = serde_json::json!({"A": a, "X": x, "B": b}).to_string();
    let path = scratch("axb.json", &values);
    let o = run(
        &[
            "jacobian",
            "A*X*B",
            "--wrt",
            "X",
            "--at",
            path.to_str().unwrap(),
            "--format",
            "json",
        ],
        0,
    );
    let v = json(&o);
    let f = |x: &Mat| mul(&mul(&a, x), &b);
    assert_eq!(matrix(&v["value"]), f(&x));
    let j = matrix(&v["jacobian"]);
    assert_eq!((j.len(), j[0].len()), (3 * 2, 2 * 3));
    let h = 1e-6;
    for k in 0..6 {
        // Entry k of vec X is X[k mod 2][k div 2].
        let (r, c) = (k % 2, k / 2);
        let mut xp = x.clone();
        xp[r][c] += h;
        let mut xm = x.clone();
        xm[r][c] -= h;
        let (fp, fm) = (vec_of(&f(&xp)), vec_of(&f(&xm)));
        for i in 0..6 {
            let fd = (fp[i] - fm[i]) / (2.0 * h);
            assert!(
                close(j[i][k], fd, 1e-6),
                "J[{i}][{k}] = {} vs {fd}",
                j[i][k]
            );
        }
    }
    assert_eq!(v["jacobian_text"], "kron(B', A)");
    assert_eq!(v["wrt"], "X");
}

/// A vector-valued f of a vector: value as a flat array, J = A.
#[test]
fn jacobian_of_a_vector_function() {
    let path = scratch("ax.json", r#"{"A": [[1,2,3],[4,5,6]], "x": [1,-1,2]}"#);
    let o = run(
        &[
            "jacobian",
            "A*x",
            "--wrt",
            "x",
            "--at",
            path.to_str().unwrap(),
            "--format",
            "json",
        ],
        0,
    );
    let v = json(&o);
    assert_eq!(v["value"], serde_json::json!([5.0, 11.0]));
    assert_eq!(
        matrix(&v["jacobian"]),
        vec![vec![1.0, 2.0, 3.0], vec![4.0, 5.0, 6.0]]
    );
    let o = run(
        &[
            "jacobian",
            "A*x",
            "--wrt",
            "x",
            "--at",
            path.to_str().unwrap(),
        ],
        0,
    );
    assert!(stdout(&o).contains("J = d vec F"), "{}", stdout(&o));
}

/// `grad --hessian`: x'Ax has H = A + A'; logdet(X) has H[k][l] = -(X⁻¹)[j][p] (X⁻¹)[q][i]
/// for k = (i, j), l = (p, q) in column-major vec order; a scalar variable gives a number.
#[test]
fn grad_hessian_json() {
    let path = scratch("xax.json", r#"{"A": [[2,1],[0,3]], "x": [1,2]}"#);
    let o = run(
        &[
            "grad",
            "x'*A*x",
            "--wrt",
            "x",
            "--at",
            path.to_str().unwrap(),
            "--format",
            "json",
            "--hessian",
        ],
        0,
    );
    let v = json(&o);
    assert_eq!(matrix(&v["hessian"]), vec![vec![4.0, 1.0], vec![1.0, 6.0]]);
    assert!(v["gradient"].is_array());

    let path = scratch("logdet.json", r#"{"X": [[2,1],[0.5,3]]}"#);
    let o = run(
        &[
            "grad",
            "logdet(X)",
            "--wrt",
            "X",
            "--at",
            path.to_str().unwrap(),
            "--format",
            "json",
            "--hessian",
        ],
        0,
    );
    let h = matrix(&json(&o)["hessian"]);
    let det = 2.0 * 3.0 - 1.0 * 0.5;
    let inv = [[3.0 / det, -1.0 / det], [-0.5 / det, 2.0 / det]];
    for k in 0..4 {
        for l in 0..4 {
            let (i, j) = (k % 2, k / 2);
            let (p, q) = (l % 2, l / 2);
            let want = -inv[j][p] * inv[q][i];
            assert!(
                close(h[k][l], want, 1e-9),
                "H[{k}][{l}] = {} vs {want}",
                h[k][l]
            );
        }
    }

    let path = scratch("t.json", r#"{"a": 2, "t": 1.5}"#);
    let o = run(
        &[
            "grad",
            "a*t^3",
            "--wrt",
            "t",
            "--at",
            path.to_str().unwrap(),
            "--format",
            "json",
            "--hessian",
        ],
        0,
    );
    let v = json(&o);
    assert!(
        close(
            v["hessian"].as_f64().expect("a number"),
            6.0 * 2.0 * 1.5,
            1e-9
        ),
        "{v}"
    );
    // Without --hessian there is no such key.
    let o = run(
        &[
            "grad",
            "a*t^3",
            "--wrt",
            "t",
            "--at",
            path.to_str().unwrap(),
            "--format",
            "json",
        ],
        0,
    );
    assert!(json(&o).get("hessian").is_none());
}

/// `derive` of a matrix-valued f shows the Jacobian derivation; `--hessian` the Hessian's, in
/// every format; `check` checks both (exit 0).
#[test]
fn derive_and_check_jacobians_and_hessians() {
    let o = run(&["derive", "inv(X)", "--wrt", "X"], 0);
    let out = stdout(&o);
    assert!(out.starts_with("dF = d(inv(X))"), "{out}");
    assert!(out.contains("J = -kron(inv(X)', inv(X))"), "{out}");
    assert!(out.contains("[vec-kronecker:"), "{out}");

    let o = run(&["derive", "logdet(X)", "--wrt", "X", "--hessian"], 0);
    let out = stdout(&o);
    assert!(out.contains("H = -kron(inv(X), inv(X)')*K(n,n)"), "{out}");
    assert!(out.contains("[second-identification:"), "{out}");
    assert!(
        out.contains("linear map: dX |-> -inv(X)'*(dX)'*inv(X)'"),
        "{out}"
    );

    for format in ["latex", "markdown", "json"] {
        run(
            &["derive", "softmax(W*x)", "--wrt", "x", "--format", format],
            0,
        );
        run(
            &["derive", "logsumexp(x)", "--hessian", "--format", format],
            0,
        );
    }
    let o = run(&["derive", "A*X*B", "--format", "json"], 0);
    let v = json(&o);
    assert_eq!(v["derivation"]["order"], "jacobian");
    assert!(v["derivation"]["lines"]
        .as_array()
        .is_some_and(|l| l.len() >= 4));

    let o = run(&["check", "X'*X", "--size", "n=3,m=2"], 0);
    assert!(stdout(&o).contains("verdict: passed"), "{}", stdout(&o));
    let o = run(
        &["check", "||A*x - b||^2", "--hessian", "--format", "json"],
        0,
    );
    let v = json(&o);
    assert_eq!(v["verdict"]["outcome"], "passed");
    assert_eq!(v["order"], "hessian");
    let o = run(&["check", "tr(X'*A*X)", "--hessian"], 0);
    assert!(stdout(&o).contains("asymmetry"), "{}", stdout(&o));
    // Large sizes: the Jacobian along random directions, the vec form not evaluated (it would
    // have 3600² entries), said so.
    let o = run(&["check", "A*X*B", "--size", "n=60,m=60,p=60"], 0);
    let out = stdout(&o);
    assert!(out.contains("(directional,"), "{out}");
    assert!(out.contains("too large to evaluate"), "{out}");
}

/// Bad input: clear messages, exit 2.
#[test]
fn bad_input_is_a_clear_error() {
    let o = run(&["derive", "A*x", "--wrt", "x", "--hessian"], 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("scalar"));
    let o = run(&["derive", "A*(x", "--wrt", "x"], 2);
    assert!(!o.stderr.is_empty());
    let path = scratch("bad.json", r#"{"A": [[1,2],[3,4]], "x": [1,2,3]}"#);
    let o = run(
        &[
            "jacobian",
            "A*x",
            "--wrt",
            "x",
            "--at",
            path.to_str().unwrap(),
        ],
        2,
    );
    assert!(!o.stderr.is_empty());
    // A matrix-valued f over a work bound: the bound, not "wrap it in tr(·)".
    let nested = format!("{}X{}", "inv(".repeat(30), ")".repeat(30));
    let o = run(&["derive", &nested], 2);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("the limit is 24") && !err.contains("wrap it"),
        "{err}"
    );
}
