//! End-to-end tests of the `matdiff` binary: formats, exit statuses, diagnostics, `grad --at`;
//! and of its check output for reports of broken derivations, built with the core.

use std::path::PathBuf;

mod common;

use common::{matdiff, run, stderr, stdout};

/// A file under the target directory for this test.
fn scratch(name: &str, contents: &str) -> PathBuf {
    common::scratch_in("cli-tests", name, contents)
}

const LS: &str = "||A*x - b||^2";
const LS_DECLS: &str = "";

#[test]
fn derive_text_shows_rules_and_gradient() {
    let o = run(&["derive", LS, "--let", LS_DECLS, "--wrt", "x"], 0);
    let out = stdout(&o);
    assert!(out.starts_with("dy = d("), "{out}");
    for id in ["[product-rule:", "[transpose:", "[constant:"] {
        assert!(out.contains(id), "{id} missing:\n{out}");
    }
    assert!(out.lines().any(|l| l.starts_with("dy = ")), "{out}");
    assert!(out.contains("grad_x f = 2*A'*(A*x - b)"), "{out}");
    assert!(stderr(&o).is_empty());
}

#[test]
fn derive_text_trace_and_logdet() {
    let out = stdout(&run(&["derive", "tr(A*X*B)"], 0));
    assert!(
        out.contains("[trace-cyclic:") && out.contains("grad_X f = A'*B'"),
        "{out}"
    );
    let out = stdout(&run(&["derive", "logdet(X'*X)"], 0));
    assert!(
        out.contains("[log-det:") && out.contains("grad_X f = 2*X*inv(X'*X)"),
        "{out}"
    );
}

#[test]
fn derive_latex_is_an_align_block() {
    let out = stdout(&run(&["derive", "tr(A*X*B)", "--format", "latex"], 0));
    assert!(out.starts_with("\\begin{align*}\n"), "{out}");
    assert!(out.trim_end().ends_with("\\end{align*}"), "{out}");
    assert!(out.contains("&& \\text{"), "{out}");
    assert!(out.contains("\\nabla_{"), "{out}");
    assert_eq!(
        out.matches("\\begin{").count(),
        out.matches("\\end{").count(),
        "{out}"
    );
    assert_eq!(out.matches('{').count(), out.matches('}').count(), "{out}");
}

#[test]
fn derive_markdown_has_display_math_and_rule_names() {
    let out = stdout(&run(&["derive", "logdet(X'*X)", "-f", "markdown"], 0));
    let fences = out.lines().filter(|l| *l == "$$").count();
    assert!(fences >= 10 && fences % 2 == 0, "{out}");
    assert!(out.contains("(`log-det`)"), "{out}");
    assert!(out.contains("\\nabla_{"), "{out}");
}

#[test]
fn derive_json_is_the_analysis() {
    let out = stdout(&run(
        &[
            "derive", LS, "--let", LS_DECLS, "--wrt", "x", "--format", "json",
        ],
        0,
    ));
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    let d = &v["derivation"];
    assert_eq!(d["wrt"], "x");
    assert_eq!(d["gradient_text"], "2*A'*(A*x - b)");
    let steps = d["steps"].as_array().expect("steps");
    assert!(steps.len() > 5);
    assert!(steps[0]["rule"].is_null());
    assert!(steps[1]["rule"]["id"].is_string());
    assert!(steps
        .iter()
        .all(|s| s["latex"].is_string() && s["text"].is_string()));
    assert_eq!(v["diagnostics"].as_array().map(Vec::len), Some(0));
}

#[test]
fn check_passes_and_prints_marks() {
    let o = run(
        &["check", "tr(A*inv(X)*B)", "--size", "n=4", "--seed", "7"],
        0,
    );
    let out = stdout(&o);
    assert!(out.contains("gradient check ("), "{out}");
    assert!(out.contains("relative error"), "{out}");
    assert!(
        out.lines()
            .filter(|l| l.trim_start().starts_with("ok "))
            .count()
            >= 3,
        "{out}"
    );
    assert!(!out.contains("FAIL"), "{out}");
    assert!(out.contains("n=4"), "{out}");
    assert!(out.trim_end().ends_with("result: passed"), "{out}");
}

#[test]
fn check_json() {
    let out = stdout(&run(
        &["check", "x'*A*x", "--wrt", "x", "--format", "json"],
        0,
    ));
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(v["passed"], true);
    assert!(
        v["gradient"]["rel_error"]
            .as_f64()
            .is_some_and(|e| e < 1e-4),
        "{v}"
    );
    assert!(v["steps"].as_array().is_some_and(|s| !s.is_empty()));
}

#[test]
fn check_undefined_everywhere_fails_with_status_1() {
    // log of a negative-definite form: undefined at every sample.
    let o = run(
        &["check", "sum(log(-(x .* x) - vector(1)))", "--wrt", "x"],
        1,
    );
    let out = stdout(&o);
    // Undefined everywhere is not a wrong derivation: neither passed nor failed.
    assert!(out.contains("result: undecidable"), "{out}");
    assert!(
        out.contains("note: f is undefined at every sample"),
        "{out}"
    );
}

#[test]
fn check_json_has_the_verdict() {
    let v = |args: &[&str], code| -> serde_json::Value {
        serde_json::from_str(&stdout(&run(args, code))).expect("valid JSON")
    };
    let passed = v(&["check", "x'*A*x", "--wrt", "x", "--format", "json"], 0);
    assert_eq!(passed["verdict"], serde_json::json!({"outcome": "passed"}));
    let undecided = v(
        &[
            "check",
            "sum(log(-(x .* x) - vector(1)))",
            "--wrt",
            "x",
            "--format",
            "json",
        ],
        1,
    );
    assert_eq!(undecided["verdict"]["outcome"], "undecided");
    assert_eq!(undecided["verdict"]["reason"], undecided["message"]);
    assert_eq!(undecided["undecidable"], true);
}

/// `tr(A*X*B)` with its gradient replaced by `A`, of the wrong shape: the gradient check cannot
/// compare it with finite differences at all. The page showed this "undecided" while the
/// command printed FAILED; both show the report's verdict now (the page's side is tested in
/// the web crate's `components::check` tests).
fn broken_gradient_report() -> (matdiff_core::CheckReport, matdiff_core::Derivation) {
    let mut a = matdiff_core::analyze(&matdiff_core::Input {
        expr: "tr(A*X*B)".into(),
        decls: "A: 3x4, X: 4x5, B: 5x3".into(),
        wrt: None,
    });
    let d = a.derivation.as_mut().expect("a derivation");
    d.gradient = matdiff_core::Expr::sym("A");
    let r = matdiff_core::check(&a, &matdiff_core::CheckOptions::default()).expect("a check");
    (r, a.derivation.expect("a derivation"))
}

#[test]
fn a_broken_gradient_fails_with_status_1_and_its_reason() {
    use matdiff::cli::ReportFormat;
    use matdiff::run::check_outcome;
    let (report, d) = broken_gradient_report();
    let why = "the gradient is 3×4 but X is 4×5: a gradient has the shape of its variable";
    assert_eq!(
        report.verdict(),
        matdiff_core::Verdict::Failed(why.to_string())
    );
    let text = check_outcome(&report, &d, ReportFormat::Text);
    assert_eq!(text.code, 1);
    assert!(
        text.stdout.contains("gradient check: not run\n"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains(&format!("note: {why}\n")),
        "{}",
        text.stdout
    );
    assert!(text.stdout.ends_with("result: FAILED\n"), "{}", text.stdout);
    let json = check_outcome(&report, &d, ReportFormat::Json);
    assert_eq!(json.code, 1);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("valid JSON");
    assert_eq!(
        v["verdict"],
        serde_json::json!({"outcome": "failed", "reason": why})
    );
    assert_eq!(
        (&v["passed"], &v["undecidable"]),
        (&false.into(), &false.into())
    );
}

#[test]
fn a_wrong_dy_line_is_marked_and_fails() {
    use matdiff::cli::ReportFormat;
    let mut a = matdiff_core::analyze(&matdiff_core::Input {
        expr: "tr(A*X*B)".into(),
        ..Default::default()
    });
    let d = a.derivation.as_mut().expect("a derivation");
    d.steps[2].expr = matdiff_core::Expr::neg(d.steps[2].expr.clone());
    let r = matdiff_core::check(&a, &matdiff_core::CheckOptions::default()).expect("a check");
    let d = a.derivation.as_ref().expect("a derivation");
    let out = matdiff::run::check_outcome(&r, d, ReportFormat::Text);
    assert_eq!(out.code, 1);
    let marks: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.contains("  dy = "))
        .map(|l| l.split_whitespace().next().unwrap_or(""))
        .collect();
    assert_eq!(marks[..4], ["ok", "ok", "FAIL", "ok"], "{}", out.stdout);
    assert!(out.stdout.ends_with("result: FAILED\n"), "{}", out.stdout);
    let json = matdiff::run::check_outcome(&r, d, ReportFormat::Json);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("valid JSON");
    assert_eq!(
        v["verdict"],
        serde_json::json!({"outcome": "failed", "reason": "step 2 disagrees with dy"})
    );
}

#[test]
fn check_bad_sizes_exit_2() {
    let o = run(&["check", "tr(X)", "--size", "n=abc"], 2);
    assert!(stderr(&o).contains("--size"), "{}", stderr(&o));
    let o = run(&["check", "tr(X)", "--size", "q=3"], 2);
    assert!(stderr(&o).contains("q"), "{}", stderr(&o));
}

#[test]
fn grad_json_matrix_and_vector() {
    let values = scratch(
        "trace.json",
        r#"{"A": [[1, 2], [3, 4]], "X": [[1, 0], [0, 1]]}"#,
    );
    let out = stdout(&run(
        &[
            "grad",
            "tr(A*X)",
            "--wrt",
            "X",
            "--at",
            values.to_str().unwrap(),
            "--format",
            "json",
        ],
        0,
    ));
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(v["value"], 5.0);
    assert_eq!(v["gradient"], serde_json::json!([[1.0, 3.0], [2.0, 4.0]]));

    let values = scratch("quad.json", r#"{"x": [1, 2], "A": [[2, 0], [0, 3]]}"#);
    let out = stdout(&run(
        &[
            "grad",
            "x'*A*x",
            "--wrt",
            "x",
            "--at",
            values.to_str().unwrap(),
            "--format",
            "json",
        ],
        0,
    ));
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(v["value"], 14.0);
    assert_eq!(v["gradient"], serde_json::json!([4.0, 12.0]));
}

#[test]
fn grad_text() {
    let values = scratch("text.json", r#"{"x": [3, 4]}"#);
    let out = stdout(&run(
        &[
            "grad",
            "||x||",
            "--wrt",
            "x",
            "--at",
            values.to_str().unwrap(),
        ],
        0,
    ));
    assert!(out.starts_with("f = 5\n"), "{out}");
    assert!(out.contains("[0.6, 0.8]'"), "{out}");
}

#[test]
fn grad_bad_values_exit_2() {
    let missing = scratch("missing.json", r#"{"A": [[1, 2], [3, 4]]}"#);
    let malformed = scratch(
        "malformed.json",
        r#"{"A": [[1, 2], [3, 4]], "X": [[1, 0], [0, 1]"#,
    );
    let ragged = scratch(
        "ragged.json",
        r#"{"A": [[1, 2], [3]], "X": [[1, 0], [0, 1]]}"#,
    );
    let nonfinite = scratch(
        "huge.json",
        r#"{"A": [[1e308, 1e308], [1, 1]], "X": [[1e308, 0], [0, 1e308]]}"#,
    );
    let singular = scratch("singular.json", r#"{"X": [[1, 2], [2, 4]]}"#);
    for (expr, path) in [
        ("tr(A*X)", missing.to_str().unwrap()),
        ("tr(A*X)", malformed.to_str().unwrap()),
        ("tr(A*X)", ragged.to_str().unwrap()),
        ("tr(A*X)", nonfinite.to_str().unwrap()),
        ("tr(inv(X))", singular.to_str().unwrap()),
        ("tr(A*X)", "/nonexistent/values.json"),
    ] {
        let o = run(&["grad", expr, "--wrt", "X", "--at", path], 2);
        assert!(stderr(&o).starts_with("error: "), "{path}: {}", stderr(&o));
        assert!(stdout(&o).is_empty(), "{path}: {}", stdout(&o));
    }
}

#[test]
fn bad_input_shows_a_caret_and_exits_2() {
    let o = run(&["derive", "tr(A*X +)"], 2);
    let err = stderr(&o);
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("  | tr(A*X +)\n"), "{err}");
    assert!(
        err.lines()
            .any(|l| l.starts_with("  | ") && l.contains('^')),
        "{err}"
    );
    assert!(stdout(&o).is_empty());
}

#[test]
fn shape_mismatch_points_at_the_operator() {
    // A matrix and a vector: no reading adds them.
    let o = run(
        &[
            "derive",
            "sum(A*X + x)",
            "--let",
            "A: 3x4, X: 4x3, x: vector n",
        ],
        2,
    );
    let err = stderr(&o);
    let lines: Vec<&str> = err.lines().collect();
    let caret = lines
        .iter()
        .position(|l| l.contains('^'))
        .unwrap_or_else(|| panic!("no caret:\n{err}"));
    let col = lines[caret].find('^').unwrap_or(0);
    assert_eq!(&lines[caret - 1][col..col + 1], "+", "{err}");
}

#[test]
fn bad_declarations_point_into_the_let() {
    let o = run(&["derive", "tr(X)", "--let", "X: blue 3"], 2);
    let err = stderr(&o);
    assert!(err.contains("--let"), "{err}");
    assert!(err.contains("  | X: blue 3"), "{err}");
}

#[test]
fn bad_flags_exit_2() {
    for args in [
        &["derive", "tr(X)", "--format", "pdf"][..],
        &["derive"][..],
        &["frobnicate"][..],
        &["derive", "tr(X)", "--nope"][..],
        &["grad", "tr(X)"][..],
        &["check", "tr(X)", "--seed", "-3"][..],
        &[][..],
    ] {
        let o = matdiff(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).is_empty(), "{args:?}");
    }
}

#[test]
fn help_and_version() {
    let o = run(&["--help"], 0);
    let out = stdout(&o);
    for word in ["derive", "check", "grad", "Examples:", "Exit status"] {
        assert!(out.contains(word), "{word} missing:\n{out}");
    }
    let out = stdout(&run(&["derive", "--help"], 0));
    assert!(
        out.contains("--format") && out.contains("markdown") && out.contains("--let"),
        "{out}"
    );
    assert!(stdout(&run(&["--version"], 0)).starts_with("matdiff "));
}

#[test]
fn leading_minus_is_an_expression_not_a_flag() {
    let out = stdout(&run(&["derive", "-tr(X)"], 0));
    assert!(out.contains("grad_X f = -eye"), "{out}");
}

#[test]
fn hostile_inputs_never_crash() {
    let deep = format!("tr({}X{})", "(".repeat(5000), ")".repeat(5000));
    for expr in [
        "",
        " ",
        "\u{1}",
        "é",
        "tr(Ẍ)",
        "||",
        "1e999*tr(X)",
        "X^1e300",
        &deep,
        "tr(X)\ntr(X)",
    ] {
        let o = matdiff(&["derive", expr]);
        let code = o.status.code();
        assert!(
            code == Some(0) || code == Some(2),
            "{expr:?}: {code:?} {}",
            stderr(&o)
        );
        let o = matdiff(&["check", expr]);
        let code = o.status.code();
        assert!(
            matches!(code, Some(0..=2)),
            "{expr:?}: {code:?} {}",
            stderr(&o)
        );
    }
}

/// `grad --at`: every kind of bad values file is a clear error naming the problem, exit 2.
#[test]
fn grad_values_errors_are_clear() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "inf.json",
            r#"{"A": [[1, 2], [3, 4]], "X": [[1e400, 0], [0, 1]]}"#,
            "too large for a 64-bit float",
        ),
        (
            "nan.json",
            r#"{"A": [[1, 2], [3, 4]], "X": [[NaN, 0], [0, 1]]}"#,
            "NaN and infinities",
        ),
        (
            "neginf.json",
            r#"{"A": [[1, 2], [3, 4]], "X": [[-Infinity, 0], [0, 1]]}"#,
            "NaN and infinities",
        ),
        (
            "vector-for-matrix.json",
            r#"{"A": [[1, 2], [3, 4]], "X": [1, 2]}"#,
            "`X` is a matrix",
        ),
        (
            "shapes.json",
            r#"{"A": [[1, 2, 3], [3, 4, 5], [1, 1, 1]], "X": [[1, 0], [0, 1]]}"#,
            "conflicting sizes",
        ),
        (
            "string.json",
            r#"{"A": [[1, 2], [3, 4]], "X": [[1, 0], [0, "1"]]}"#,
            "is a string, not a number",
        ),
        ("null.json", r#"{"A": [[1, 2], [3, 4]], "X": null}"#, "null"),
        (
            "nested.json",
            r#"{"A": [[1, 2], [3, 4]], "X": [[[1]], [0]]}"#,
            "is an array, not a number",
        ),
        (
            "empty-rows.json",
            r#"{"A": [[]], "X": [[1, 0], [0, 1]]}"#,
            "empty",
        ),
        (
            "empty-array.json",
            r#"{"A": [], "X": [[1, 0], [0, 1]]}"#,
            "empty array",
        ),
        (
            "ragged.json",
            r#"{"A": [[1, 2], [3]], "X": [[1, 0], [0, 1]]}"#,
            "A",
        ),
        (
            "unknown.json",
            r#"{"A": [[1, 2], [3, 4]], "X": [[1, 0], [0, 1]], "Z": 3}"#,
            "unknown symbol `Z`",
        ),
        ("missing.json", r#"{"X": [[1, 0], [0, 1]]}"#, "A"),
        (
            "twice.json",
            r#"{"A": [[1, 2], [3, 4]], "X": [[1, 0], [0, 1]], "X": [[1]]}"#,
            "`X` is given twice",
        ),
        ("array.json", "[[1, 2]]", "must be a JSON object"),
        ("empty.json", "", "not valid JSON"),
        (
            "truncated.json",
            r#"{"A": [[1, 2], [3, 4]], "X": [[1, 0], [0, 1]"#,
            "not valid JSON",
        ),
        (
            "overflow.json",
            r#"{"A": [[1e200, 2], [3, 4]], "X": [[1e200, 0], [0, 1]]}"#,
            "too large",
        ),
    ];
    for (name, json, expect) in cases {
        let path = scratch(name, json);
        let o = run(
            &[
                "grad",
                "tr(A*X)",
                "--wrt",
                "X",
                "--at",
                path.to_str().unwrap(),
            ],
            2,
        );
        let err = stderr(&o);
        assert!(err.starts_with("error: "), "{name}: {err}");
        assert!(
            err.contains(expect),
            "{name}: expected {expect:?} in\n{err}"
        );
        assert!(stdout(&o).is_empty(), "{name}: {}", stdout(&o));
    }
    let deep = scratch(
        "deep.json",
        &format!("{{\"X\": {}{}}}", "[".repeat(5000), "]".repeat(5000)),
    );
    let o = run(&["grad", "tr(X)", "--at", deep.to_str().unwrap()], 2);
    assert!(stderr(&o).starts_with("error: "), "{}", stderr(&o));
    let binary = scratch("binary.json", "{\"X\": [[1]]}\u{FFFD}");
    std::fs::write(&binary, b"{\"X\": [[1]]}\xff").expect("write");
    let o = run(&["grad", "tr(X)", "--at", binary.to_str().unwrap()], 2);
    assert!(stderr(&o).starts_with("error: "), "{}", stderr(&o));
}

/// Hidden characters in the expression are named in the message, never echoed raw.
#[test]
fn hidden_characters_are_escaped_in_cli_errors() {
    for expr in [
        "tr(X)\u{202E}",
        "tr(X\u{1B}[2J)",
        "\u{2066}tr(X)",
        "tr(X\u{7})",
    ] {
        let o = run(&["derive", expr], 2);
        let err = stderr(&o);
        assert!(err.contains("U+"), "{expr:?}: {err}");
        assert!(
            err.chars().all(|c| c == '\n' || !c.is_control())
                && !err.contains(['\u{202E}', '\u{2066}']),
            "{expr:?}: {err:?}"
        );
    }
}

/// Injection attempts are input errors, and nothing of them reaches the output as LaTeX.
#[test]
fn injection_attempts_exit_2() {
    for expr in [
        "<img src=x onerror=alert(1)>",
        r"\href{javascript:alert(1)}{x}",
        r"\url{https://example.com}",
        r"\htmlClass{x}{y}",
    ] {
        for format in ["text", "latex", "json"] {
            let o = run(&["derive", expr, "--format", format], 2);
            if format == "json" {
                // The analysis with its diagnostics, and nothing read from the input.
                let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
                assert!(
                    v["derivation"].is_null() && v["expr_latex"].is_null(),
                    "{v}"
                );
            } else {
                assert!(stdout(&o).is_empty(), "{expr}: {}", stdout(&o));
            }
            let err = stderr(&o);
            assert!(
                err.contains("unexpected character `<`")
                    || err.contains("unknown LaTeX command `\\"),
                "{expr}: {err}"
            );
        }
    }
}

/// The note's examples pasted as LaTeX and typed in Unicode derive the note's gradients, and
/// their checks pass.
#[test]
fn latex_and_unicode_input_derive_the_notes_gradients() {
    for (expr, gradient) in [
        (
            r"\operatorname{Tr}(\mathbf{A}\mathbf{X}\mathbf{B})",
            "grad_X f = A'*B'",
        ),
        ("‖Ax − b‖²", "grad_x f = 2*A'*(A*x - b)"),
        (
            r"\left\|\mathbf{A}\mathbf{x} - \mathbf{b}\right\|_2^2",
            "grad_x f = 2*A'*(A*x - b)",
        ),
        (
            r"\log\det\left(\mathbf{X}^\top\mathbf{X}\right)",
            "grad_X f = 2*X*inv(X'*X)",
        ),
        ("log det(XᵀX)", "grad_X f = 2*X*inv(X'*X)"),
    ] {
        let out = stdout(&run(&["derive", expr], 0));
        // The last line, without the rule it cites.
        let last = out.lines().last().unwrap_or("");
        let last = last.split("  [").next().unwrap_or("").trim_end();
        assert_eq!(last, gradient, "{expr}:\n{out}");
        let out = stdout(&run(&["check", expr], 0));
        assert!(out.contains("result: passed"), "{expr}:\n{out}");
    }
}

/// A Greek character names its letter in the expression, the declarations, the variable and the
/// keys of the values.
#[test]
fn greek_characters_in_declarations_variable_and_values() {
    let out = stdout(&run(
        &[
            "derive",
            "logdet(Σ) + λ*tr(Σ)",
            "--let",
            "Σ: spd n",
            "--wrt",
            "Σ",
        ],
        0,
    ));
    assert!(
        out.contains("grad_Sigma f = inv(Sigma) + lambda*eye"),
        "{out}"
    );
    let values = scratch("greek.json", r#"{"λ": 2, "x": [1, 2]}"#);
    let out = stdout(&run(
        &[
            "grad",
            "λ*x'x",
            "--wrt",
            "x",
            "--at",
            values.to_str().unwrap(),
        ],
        0,
    ));
    assert!(out.contains("grad_x f = [4, 8]'"), "{out}");
}

/// Unknown LaTeX commands and look-alike characters are named, with carets under them.
#[test]
fn unknown_commands_and_look_alikes_are_named() {
    let err = stderr(&run(&["derive", r"tr(X) + \foo{x} + ∑x"], 2));
    assert!(err.contains("unknown LaTeX command `\\foo`"), "{err}");
    assert!(
        err.contains("  | tr(X) + \\foo{x} + ∑x\n  |         ^^^^\n"),
        "{err}"
    );
    assert!(err.contains("unexpected character `∑` (U+2211)"), "{err}");
    assert!(err.contains("\n  |                   ^\n"), "{err}");
}

/// The `"value"` and the gradient entries (column-major) of `matdiff grad … --format json`.
fn grad_json(expr: &str, wrt: &str, values: &serde_json::Value, decls: &str) -> (f64, Vec<f64>) {
    let path = scratch(&format!("kinds-{wrt}.json"), &values.to_string());
    let path = path.to_str().expect("utf-8 path");
    let o = run(
        &[
            "grad", expr, "--wrt", wrt, "--at", path, "--let", decls, "--format", "json",
        ],
        0,
    );
    let out: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let value = out["value"].as_f64().expect("value");
    let g = &out["gradient"];
    let mut entries = Vec::new();
    match g {
        serde_json::Value::Number(x) => entries.push(x.as_f64().expect("number")),
        serde_json::Value::Array(items) if items.iter().all(|x| x.is_number()) => {
            entries.extend(items.iter().map(|x| x.as_f64().expect("number")));
        }
        serde_json::Value::Array(rows) => {
            let cols = rows[0].as_array().expect("row").len();
            for j in 0..cols {
                for r in rows {
                    entries.push(r[j].as_f64().expect("number"));
                }
            }
        }
        other => panic!("gradient {other}"),
    }
    (value, entries)
}

/// The entries of a value, column-major, and a function that writes them back.
fn entries_of(v: &serde_json::Value) -> Vec<f64> {
    match v {
        serde_json::Value::Number(x) => vec![x.as_f64().expect("number")],
        serde_json::Value::Array(items) if items.iter().all(|x| x.is_number()) => {
            items.iter().map(|x| x.as_f64().expect("number")).collect()
        }
        serde_json::Value::Array(rows) => {
            let cols = rows[0].as_array().expect("row").len();
            (0..cols)
                .flat_map(|j| rows.iter().map(move |r| r[j].as_f64().expect("number")))
                .collect()
        }
        other => panic!("value {other}"),
    }
}

fn with_entry(v: &serde_json::Value, k: usize, x: f64) -> serde_json::Value {
    let mut v = v.clone();
    match &mut v {
        serde_json::Value::Number(_) => v = serde_json::json!(x),
        serde_json::Value::Array(items) if items.iter().all(|x| x.is_number()) => {
            items[k] = serde_json::json!(x)
        }
        serde_json::Value::Array(rows) => {
            let n = rows.len();
            rows[k % n][k / n] = serde_json::json!(x);
        }
        _ => unreachable!(),
    }
    v
}

/// `grad --at` with kinds taken from the values (no declarations): the gradient agrees with
/// central differences of the printed value, entry by entry.
#[test]
fn grad_takes_kinds_from_values() {
    use serde_json::json;
    let cases = [
        (
            "a'*X*b",
            "X",
            json!({"a": [1, 2], "X": [[1, 2, 3], [4, 5, 6]], "b": [1, 0.5, 2]}),
        ),
        (
            "tr(inv(A + t*B))",
            "t",
            json!({"t": 0.5, "A": [[2, 1], [1, 3]], "B": [[1, 0.2], [0, 1]]}),
        ),
        ("x'*x/(2*s^2)", "s", json!({"x": [1, 2, 3], "s": 0.7})),
        (
            "x'*A*x + b'*x",
            "x",
            json!({"x": [1, -1], "A": [[2, 1], [0, 3]], "b": [0.5, 2]}),
        ),
        ("k*det(X)", "X", json!({"k": 1.5, "X": [[2, 1], [1, 3]]})),
        // An n×1 matrix is a column vector, whatever letter names it.
        (
            "norm2(x - Y)",
            "x",
            json!({"x": [1, 2, 3], "Y": [[1], [0], [3]]}),
        ),
        ("y'*X", "X", json!({"y": [1, 2, 3], "X": [[1], [2], [4]]})),
        // A number is a scalar, whatever letter names it.
        ("tr(A*X)", "X", json!({"A": [[1, 2], [3, 4]], "X": 3})),
    ];
    for (expr, wrt, values) in cases {
        let (_, g) = grad_json(expr, wrt, &values, "");
        let x0 = entries_of(&values[wrt]);
        assert_eq!(g.len(), x0.len(), "{expr}: gradient size");
        for (k, xk) in x0.iter().enumerate() {
            let h = 1e-5 * xk.abs().max(1.0);
            let at = |x: f64| {
                let mut moved = values.clone();
                moved[wrt] = with_entry(&values[wrt], k, x);
                grad_json(expr, wrt, &moved, "").0
            };
            let fd = (at(xk + h) - at(xk - h)) / (2.0 * h);
            assert!(
                (fd - g[k]).abs() <= 1e-6 * fd.abs().max(1.0),
                "{expr} wrt {wrt}, entry {k}: gradient {} but finite differences {fd}",
                g[k]
            );
        }
    }
}

/// A value whose kind contradicts a declaration is an error naming both.
#[test]
fn grad_value_against_declaration_names_both() {
    let path = scratch(
        "contradiction.json",
        r#"{"a": [1, 2], "X": [[1, 2], [3, 4]], "b": [1, 1]}"#,
    );
    let o = run(
        &[
            "grad",
            "a'*X*b",
            "--wrt",
            "X",
            "--let",
            "a: scalar",
            "--at",
            path.to_str().unwrap(),
        ],
        2,
    );
    let err = stderr(&o);
    assert!(
        err.contains("`a` is declared a scalar (--let), but its value is a vector"),
        "{err}"
    );
}

/// A variable f does not mention: every format derives the gradient 0 by the rule
/// `independent` and says why; `check` passes (finite differences are exactly 0) and `grad`
/// gives zeros shaped like the variable.
#[test]
fn a_variable_not_in_f_has_the_gradient_zero_in_every_command() {
    let base = ["derive", "tr(A)", "--wrt", "X", "--let", "X: 2x3"];
    let text = stdout(&run(&base, 0));
    assert!(
        text.contains("dy = 0") && text.contains("[independent:"),
        "{text}"
    );
    assert!(text.contains("grad_X f = 0 "), "{text}");
    let note = "X does not occur in f (the only symbol of f is A), so the gradient with respect to X is zero";
    assert!(
        text.trim_end().ends_with(&format!("note: {note}")),
        "{text}"
    );
    let latex = stdout(&run(&[&base[..], &["--format", "latex"]].concat(), 0));
    assert!(
        latex.contains(r"&= 0 && \text{f does not depend on the variable}"),
        "{latex}"
    );
    assert!(latex.trim_end().ends_with(&format!("% {note}")), "{latex}");
    let md = stdout(&run(&[&base[..], &["--format", "markdown"]].concat(), 0));
    assert!(
        md.contains("(`independent`)") && md.trim_end().ends_with(&format!("{note}.")),
        "{md}"
    );
    let json = stdout(&run(&[&base[..], &["--format", "json"]].concat(), 0));
    let v: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    let d = &v["derivation"];
    assert_eq!(d["gradient_text"], "0");
    assert_eq!(d["note"], note);
    assert_eq!(d["steps"][1]["rule"]["id"], "independent");
    let x = &v["symbols"][1];
    assert_eq!(
        (&x["name"], &x["declared"]),
        (&"X".into(), &true.into()),
        "{x}"
    );
    // A name close to a symbol of f gets a hint.
    let near = stdout(&run(&["derive", "tr(A*X)", "--wrt", "x"], 0));
    assert!(
        near.contains("(the symbols of f are A, X)") && near.contains("did you mean X?"),
        "{near}"
    );

    let check = stdout(&run(
        &["check", "tr(A)", "--wrt", "X", "--format", "json"],
        0,
    ));
    let v: serde_json::Value = serde_json::from_str(&check).expect("valid JSON");
    assert_eq!(v["passed"], true);
    assert_eq!(v["gradient"]["rel_error"], 0.0, "{v}");
    assert_eq!(v["gradient_text"], "0");
    let check = stdout(&run(&["check", "tr(A)", "--wrt", "X"], 0));
    assert!(check.contains(&format!("note: {note}")), "{check}");

    let values = scratch(
        "absent.json",
        r#"{"A": [[1, 2], [3, 4]], "X": [[1, 2, 3], [4, 5, 6]]}"#,
    );
    let grad = stdout(&run(
        &[
            "grad",
            "tr(A)",
            "--wrt",
            "X",
            "--at",
            values.to_str().unwrap(),
            "--format",
            "json",
        ],
        0,
    ));
    let v: serde_json::Value = serde_json::from_str(&grad).expect("valid JSON");
    assert_eq!(v["value"], 5.0);
    assert_eq!(
        v["gradient"],
        serde_json::json!([[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    );
    // The variable still needs a value: its size is not known otherwise.
    let values = scratch("absent-missing.json", r#"{"A": [[1, 2], [3, 4]]}"#);
    let o = run(
        &[
            "grad",
            "tr(A)",
            "--wrt",
            "X",
            "--at",
            values.to_str().unwrap(),
        ],
        2,
    );
    assert!(stderr(&o).contains("no value for `X`"), "{}", stderr(&o));
    // A name that cannot be one symbol is still refused.
    let o = run(&["derive", "tr(A)", "--wrt", "AX"], 2);
    assert!(
        stderr(&o).contains("`AX` is not a symbol of the expression"),
        "{}",
        stderr(&o)
    );
}

/// `grad --format json` lists the symbols with where each kind came from: `value` for a kind
/// taken from the values file, `declared` for `--let`, and the letter or the context otherwise.
#[test]
fn grad_json_symbols_say_where_each_kind_came_from() {
    let path = scratch(
        "origins.json",
        r#"{"a": [1, 2], "X": [[1, 2, 3], [4, 5, 6]], "b": [1, 0.5, 2], "c": 2}"#,
    );
    let o = run(
        &[
            "grad",
            "c*a'*X*b",
            "--wrt",
            "X",
            "--let",
            "X: matrix",
            "--at",
            path.to_str().unwrap(),
            "--format",
            "json",
        ],
        0,
    );
    let out: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let origins: Vec<(String, String, String)> = out["symbols"]
        .as_array()
        .expect("symbols")
        .iter()
        .map(|s| {
            let field = |k: &str| s[k].as_str().expect(k).to_string();
            (field("name"), field("kind"), field("origin"))
        })
        .collect();
    let want = |n: &str, k: &str, o: &str| (n.to_string(), k.to_string(), o.to_string());
    assert_eq!(
        origins,
        vec![
            want("c", "scalar", "value"),
            want("a", "vector", "value"),
            want("X", "matrix", "declared"),
            want("b", "vector", "value"),
        ]
    );
    // The gradient c·a·bᵀ, as the values give it.
    assert_eq!(
        out["gradient"],
        serde_json::json!([[2.0, 1.0, 4.0], [4.0, 2.0, 8.0]])
    );
}
