//! The Jacobian and Hessian parts of the command: `derive`/`check` of a vector- or
//! matrix-valued f (its Jacobian) and with `--hessian`, `matdiff jacobian`, and the matrix that
//! `grad --hessian` adds.

use crate::cli::{DeriveFormat, JacobianArgs, ReportFormat};
use crate::format;
use crate::format::rel;
use crate::run::matrix_text;
use crate::run::{
    input, read_values, shaped_json, to_json, Outcome, EXIT_CHECK_FAILED, EXIT_INPUT,
};
use matdiff_core::diagnostic::escape;
use matdiff_core::expr::{shape_of, Problem};
use matdiff_core::jacobian::{analyze_hessian, analyze_jacobian, check2, Analysis2, Derivation2};
use matdiff_core::numeric::{
    decls_from_values, hessian_at, jacobian_at, values_from_json, Check2Report, Sizes, Values,
};
use matdiff_core::{CheckOptions, Diagnostic, Input, Kind, Verdict};
use nalgebra::DMatrix;
use serde_json::{json, Value};

/// The Jacobian analysis of an input whose f is a vector or a matrix, given the diagnostics of
/// its gradient's analysis; `None` unless those refused f only for not being a scalar (they
/// then stand).
pub fn array_analysis(input: &Input, refused: &[Diagnostic]) -> Option<Analysis2> {
    let only_not_scalar =
        matches!(refused, [d] if d.message.ends_with(matdiff_core::lower::NOT_SCALAR));
    if !only_not_scalar {
        return None;
    }
    let a = analyze_jacobian(input);
    match &a.problem {
        Some(p) if shape_of(&p.expr, &p.symbols).is_scalar() => None,
        // A vector or a matrix; or one that reaches a work bound (its diagnostic says which).
        _ => Some(a),
    }
}

/// The Hessian analysis of an input.
pub fn hessian_analysis(input: &Input) -> Analysis2 {
    analyze_hessian(input)
}

fn errors(a: &Analysis2, input: &Input) -> String {
    let mut out = String::new();
    for d in &a.diagnostics {
        out.push_str(&format::diagnostic(d, &input.expr, &input.decls));
    }
    if out.is_empty() && a.derivation.is_none() {
        out.push_str("error: no derivation came out of this input (internal error)\n");
    }
    out
}

/// The analysis as JSON: diagnostics, variable and the derivation.
fn analysis_json(a: &Analysis2) -> String {
    to_json(&json!({
        "diagnostics": a.diagnostics,
        "wrt": a.problem.as_ref().map(|p| p.wrt.clone()),
        "derivation": a.derivation,
    }))
}

/// `matdiff derive` of a Jacobian or Hessian analysis.
pub fn derive(a: &Analysis2, input: &Input, format: DeriveFormat) -> Outcome {
    match (&a.derivation, a.diagnostics.is_empty()) {
        (Some(d), true) => Outcome::ok(match format {
            DeriveFormat::Text => d.to_text(),
            DeriveFormat::Latex => d.to_align(),
            DeriveFormat::Markdown => d.to_markdown(),
            DeriveFormat::Json => analysis_json(a),
            DeriveFormat::Html => {
                return Outcome::input_error(
                    "error: --format html is for gradient derivations; for a Jacobian or a \
                     Hessian use --format latex or --format markdown\n"
                        .to_string(),
                )
            }
        }),
        _ => {
            let mut out = Outcome::input_error(errors(a, input));
            if format == DeriveFormat::Json {
                out.stdout = analysis_json(a);
            }
            out
        }
    }
}

/// `matdiff check` of a Jacobian or Hessian analysis.
pub fn check(
    a: &Analysis2,
    input: &Input,
    options: &CheckOptions,
    format: ReportFormat,
) -> Outcome {
    let Some(d) = a.derivation.as_ref().filter(|_| a.diagnostics.is_empty()) else {
        return Outcome::input_error(errors(a, input));
    };
    let report = match check2(a, options) {
        Ok(r) => r,
        Err(diag) => {
            return Outcome::input_error(format::diagnostic(&diag, &input.expr, &input.decls))
        }
    };
    let verdict = report.verdict();
    let code = match verdict {
        Verdict::Passed => 0,
        Verdict::Failed(_) | Verdict::Undecided(_) => EXIT_CHECK_FAILED,
    };
    let stdout = match format {
        ReportFormat::Json => {
            let mut value = serde_json::to_value(&report).unwrap_or(Value::Null);
            if let Value::Object(map) = &mut value {
                map.insert("verdict".into(), json!(verdict));
                map.insert("order".into(), json!(d.order));
                map.insert("wrt".into(), json!(d.wrt));
                map.insert("f_text".into(), json!(d.f_text));
                map.insert("map_text".into(), json!(d.map_text));
            }
            to_json(&value)
        }
        ReportFormat::Text => report_text(&report, d),
    };
    Outcome {
        stdout,
        stderr: String::new(),
        code,
    }
}

/// The text report of a Jacobian or Hessian check: the matrix check, one mark per line.
fn report_text(r: &Check2Report, d: &Derivation2) -> String {
    let what = match d.order {
        matdiff_core::jacobian::Order::Jacobian => "Jacobian",
        matdiff_core::jacobian::Order::Hessian => "Hessian",
    };
    let sizes: Vec<String> = r.sizes.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let mut out = format!(
        "f({}) = {}\nsizes: {}; seed {}\n",
        d.wrt,
        d.f_text,
        if sizes.is_empty() {
            "fixed".to_string()
        } else {
            sizes.join(", ")
        },
        r.seed
    );
    if let Some(first) = &r.first {
        match &first.gradient {
            Some(g) => out.push_str(&format!(
                "gradient check ({}): relative error {}, tolerance {}   {}\n",
                g.method,
                rel(g.rel_error),
                rel(g.tolerance),
                if g.passed { "ok" } else { "FAIL" }
            )),
            None => out.push_str("gradient check: not run\n"),
        }
        for (line, s) in d
            .lines
            .iter()
            .filter(|l| l.side == matdiff_core::jacobian::Side::Dy)
            .zip(&first.steps)
        {
            out.push_str(&format!(
                "  {:<4}  {:>8}  dy = {}\n",
                if s.passed { "ok" } else { "FAIL" },
                rel(s.rel_error),
                line.text
            ));
        }
    }
    match &r.matrix {
        Some(m) => {
            out.push_str(&format!(
                "{what} check ({}, from the linear map against finite differences): relative error {}, tolerance {}{}   {}\n",
                m.method,
                rel(m.rel_error),
                rel(m.tolerance),
                m.asymmetry
                    .map(|a| format!(", asymmetry {}", rel(a)))
                    .unwrap_or_default(),
                if m.passed { "ok" } else { "FAIL" }
            ));
        }
        None => out.push_str(&format!("{what} check: not run\n")),
    }
    if !r.lines.is_empty() {
        out.push_str("line check (each line against finite differences along a random dX):\n");
        for l in &r.lines {
            if let Some(line) = d.lines.get(l.index) {
                out.push_str(&format!(
                    "  {:<4}  {:>8}  {} = {}\n",
                    if l.passed { "ok" } else { "FAIL" },
                    rel(l.rel_error),
                    d.side_text(line.side),
                    line.text
                ));
            }
        }
    }
    let verdict = r.verdict();
    if let (Some(m), true) = (&r.message, r.passed) {
        out.push_str(&format!("note: {m}\n"));
    }
    out.push_str(&format!("verdict: {}", verdict.name()));
    if let Some(reason) = verdict.reason() {
        out.push_str(&format!(": {reason}"));
    }
    out.push('\n');
    out
}

/// A matrix as rows.
fn rows_json(m: &DMatrix<f64>) -> Value {
    Value::Array(
        (0..m.nrows())
            .map(|i| Value::Array((0..m.ncols()).map(|j| json!(m[(i, j)])).collect()))
            .collect(),
    )
}

/// The Hessian of `problem` (a scalar f) at the values, as `grad --hessian` prints it: rows
/// N×N in vec order, a number for a scalar variable.
pub fn hessian_json(problem: &Problem, values: &Values, sizes: &Sizes) -> Result<Value, String> {
    let d = matdiff_core::jacobian::derive_hessian(problem)
        .map_err(|diag| format!("error: no Hessian: {}\n", diag.message))?;
    let h = hessian_at(problem, &d, values, sizes)
        .map_err(|e| format!("error: cannot evaluate the Hessian at the given values: {e}\n"))?;
    if h.iter().any(|x| !x.is_finite()) {
        return Err("error: the Hessian is not finite at the given values\n".to_string());
    }
    Ok(if h.len() == 1 {
        json!(h[(0, 0)])
    } else {
        rows_json(&h)
    })
}

/// The kind a value of f's shape is written as in values.json.
fn kind_of(m: &DMatrix<f64>) -> Kind {
    match m.shape() {
        (1, 1) => Kind::Scalar,
        (_, 1) => Kind::Vector,
        _ => Kind::Matrix,
    }
}

/// `matdiff jacobian`: f and its Jacobian at the values of a JSON file.
pub fn jacobian(args: &JacobianArgs) -> Outcome {
    let json_text = match read_values(&args.at) {
        Ok(t) => t,
        Err(e) => return Outcome::input_error(e),
    };
    let in_file = || escape(&args.at.display().to_string());
    let plain = input(&args.problem, Some(&args.wrt));
    let from_values = match decls_from_values(&json_text, &plain.decls) {
        Ok(d) => d,
        Err(diag) => {
            return Outcome::input_error(format!(
                "{}  --> in the values file `{}`\n",
                format::plain_diagnostic(&diag),
                in_file()
            ))
        }
    };
    let typed = Input {
        decls: match (plain.decls.trim().is_empty(), from_values.is_empty()) {
            (_, true) => plain.decls.clone(),
            (true, false) => from_values,
            (false, false) => format!("{}, {from_values}", plain.decls),
        },
        ..plain.clone()
    };
    let mut a = analyze_jacobian(&typed);
    if a.derivation.is_none() && typed.decls != plain.decls {
        let b = analyze_jacobian(&plain);
        if b.derivation.is_some() {
            a = b;
        }
    }
    let (Some(problem), Some(d)) = (&a.problem, &a.derivation) else {
        return Outcome::input_error(errors(&a, &typed));
    };
    let (values, sizes) = match values_from_json(&json_text, &problem.symbols) {
        Ok(x) => x,
        Err(diag) => {
            return Outcome::input_error(format!(
                "{}  --> in the values file `{}`\n",
                format::plain_diagnostic(&diag),
                in_file()
            ))
        }
    };
    let (value, jac) = match jacobian_at(problem, d, &values, &sizes) {
        Ok(x) => x,
        Err(e) => {
            return Outcome {
                stdout: String::new(),
                stderr: format!("error: cannot evaluate at the given values: {e}\n"),
                code: EXIT_INPUT,
            }
        }
    };
    if value.iter().chain(jac.iter()).any(|x| !x.is_finite()) {
        return Outcome::input_error(
            "error: f or its Jacobian is not finite at the given values\n".to_string(),
        );
    }
    let jac_text = d.lines.last().map(|l| l.text.clone());
    Outcome::ok(match args.format {
        ReportFormat::Json => to_json(&json!({
            "wrt": d.wrt,
            "value": shaped_json(&value, kind_of(&value)),
            "jacobian": rows_json(&jac),
            "map_text": d.map_text,
            "jacobian_text": d.matrix.as_ref().and(jac_text),
        })),
        ReportFormat::Text => {
            let mut out = format!("F = {}\n", d.f_text);
            out.push_str(&format!("value:\n{}\n", matrix_text(&value)));
            out.push_str(&format!(
                "J = d vec F / d (vec {})' ({}×{}, column-major vec order):\n{}\n",
                d.wrt,
                jac.nrows(),
                jac.ncols(),
                matrix_text(&jac)
            ));
            out.push_str(&format!("  where dF = {}\n", d.map_text));
            out
        }
    })
}
