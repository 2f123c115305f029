//! What each subcommand does: analyze the input, run checks or evaluate, and build the output and exit status.

use crate::cli::{
    CheckArgs, Cli, Command, DeriveArgs, DeriveFormat, GradArgs, ProblemArgs, ReportFormat,
};
use crate::export::export;
use crate::format;
use crate::forms;
use matdiff_core::diagnostic::escape;
use matdiff_core::numeric::{decls_from_values, evaluate_at, values_from_json, with_value_origins};
use matdiff_core::{analyze, Analysis, CheckReport, Derivation, Input, Kind, Verdict};
use nalgebra::DMatrix;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Exit status of bad input and bad usage.
pub const EXIT_INPUT: u8 = 2;
/// Exit status of a failed numeric check.
pub const EXIT_CHECK_FAILED: u8 = 1;

/// What the command prints and how it exits.
#[derive(Debug, Default)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub code: u8,
}

impl Outcome {
    pub(crate) fn ok(stdout: String) -> Outcome {
        Outcome {
            stdout,
            stderr: String::new(),
            code: 0,
        }
    }
    pub(crate) fn input_error(stderr: String) -> Outcome {
        Outcome {
            stdout: String::new(),
            stderr,
            code: EXIT_INPUT,
        }
    }
}

pub fn run(cli: Cli) -> Outcome {
    match cli.command {
        Command::Derive(args) => derive(&args),
        Command::Check(args) => check(&args),
        Command::Grad(args) => grad(&args),
        Command::Jacobian(args) => crate::jacobian::jacobian(&args),
        Command::Export(args) => export(&args),
        Command::Compare(args) => crate::compare::run(&args),
    }
}

pub(crate) fn input(problem: &ProblemArgs, wrt: Option<&str>) -> Input {
    Input {
        expr: problem.expr.clone(),
        decls: problem.decls.clone(),
        wrt: wrt.map(str::to_string),
    }
}

/// The analysis and its derivation, or the rendered diagnostics.
pub(crate) fn analyze_or_report(
    input: &Input,
) -> Result<(Analysis, Derivation), (Box<Analysis>, String)> {
    let analysis = analyze(input);
    let mut errors = String::new();
    for d in &analysis.diagnostics {
        errors.push_str(&format::diagnostic(d, &input.expr, &input.decls));
    }
    match (&analysis.derivation, errors.is_empty()) {
        (Some(d), true) => {
            let d = d.clone();
            Ok((analysis, d))
        }
        (_, false) => Err((Box::new(analysis), errors)),
        (None, true) => Err((
            Box::new(analysis),
            "error: no derivation came out of this input (internal error)\n".to_string(),
        )),
    }
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_string_pretty(value) {
        Ok(mut s) => {
            s.push('\n');
            s
        }
        Err(e) => format!("{{\"error\": {}}}\n", Value::String(e.to_string())),
    }
}

fn derive(args: &DeriveArgs) -> Outcome {
    let input = input(&args.problem, args.wrt.as_deref());
    if let Err(e) = args.publish.validate(args.format) {
        return Outcome::input_error(e);
    }
    if args.hessian {
        let a = crate::jacobian::hessian_analysis(&input);
        return crate::jacobian::derive(&a, &input, args.format);
    }
    match analyze_or_report(&input) {
        Ok((analysis, d)) => {
            let table = analysis.problem.as_ref().map(|p| &p.symbols);
            let table = table.cloned().unwrap_or_default();
            Outcome::ok(match args.format {
                DeriveFormat::Text => d.to_text() + &forms::derive_text(&d, &table, args.layout),
                DeriveFormat::Latex => {
                    d.to_align() + &forms::derive_latex(&d, &table, args.layout, false)
                }
                DeriveFormat::Markdown => {
                    args.publish.markdown(&d) + &forms::derive_latex(&d, &table, args.layout, true)
                }
                DeriveFormat::Html => match args.publish.html(&d) {
                    Ok(out) => out,
                    Err(e) => return Outcome::input_error(e),
                },
                DeriveFormat::Json => match args.layout {
                    Some(layout) => {
                        let value = serde_json::to_value(&analysis).unwrap_or(Value::Null);
                        to_json(&forms::derive_json(value, &d, &table, layout))
                    }
                    None => to_json(&analysis),
                },
            })
        }
        Err((analysis, errors)) => {
            // A vector- or matrix-valued f: its Jacobian.
            if let Some(a) = crate::jacobian::array_analysis(&input, &analysis.diagnostics) {
                return crate::jacobian::derive(&a, &input, args.format);
            }
            let mut out = Outcome::input_error(errors);
            if args.format == DeriveFormat::Json {
                out.stdout = to_json(&analysis);
            }
            out
        }
    }
}

/// Parses `m=3,n=4` (commas or semicolons between entries).
pub fn parse_sizes(text: &str) -> Result<BTreeMap<String, usize>, String> {
    let mut sizes = BTreeMap::new();
    for entry in text
        .split([',', ';'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        let Some((name, value)) = entry.split_once('=') else {
            return Err(format!(
                "error: bad size `{}` in --size: expected name=value, e.g. m=3,n=4\n",
                escape(entry)
            ));
        };
        let (name, value) = (name.trim(), value.trim());
        let valid_name = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid_name {
            return Err(format!(
                "error: bad dimension name `{}` in --size\n",
                escape(name)
            ));
        }
        let size: usize = match value.parse() {
            Ok(n) if n > 0 => n,
            _ => {
                return Err(format!(
                    "error: bad size `{}` for `{name}` in --size: expected a positive integer\n",
                    escape(value)
                ))
            }
        };
        if sizes.insert(name.to_string(), size).is_some() {
            return Err(format!(
                "error: the size of `{name}` is given twice in --size\n"
            ));
        }
    }
    Ok(sizes)
}

fn check(args: &CheckArgs) -> Outcome {
    let input = input(&args.problem, args.wrt.as_deref());
    let sizes = match args.size.as_deref().map(parse_sizes).transpose() {
        Ok(s) => s.unwrap_or_default(),
        Err(e) => return Outcome::input_error(e),
    };
    let options = matdiff_core::CheckOptions {
        sizes,
        seed: args.seed,
    };
    if args.hessian {
        let a = crate::jacobian::hessian_analysis(&input);
        return crate::jacobian::check(&a, &input, &options, args.format);
    }
    let (analysis, derivation) = match analyze_or_report(&input) {
        Ok(x) => x,
        Err((analysis, errors)) => {
            match crate::jacobian::array_analysis(&input, &analysis.diagnostics) {
                Some(a) => return crate::jacobian::check(&a, &input, &options, args.format),
                None => return Outcome::input_error(errors),
            }
        }
    };
    match matdiff_core::check(&analysis, &options) {
        Ok(report) => {
            let mut out = check_outcome(&report, &derivation, args.format);
            if args.format == ReportFormat::Text {
                let table = analysis.problem.as_ref().map(|p| p.symbols.clone());
                let table = table.unwrap_or_default();
                out.stdout =
                    forms::with_check_text(&out.stdout, &report, &derivation, &table, args.layout);
            }
            out
        }
        Err(d) => Outcome::input_error(format::diagnostic(&d, &input.expr, &input.decls)),
    }
}

/// The output of `matdiff check` for a report of the derivation `d`, and its exit status from
/// the report's verdict (0 passed, 1 failed or undecided).
pub fn check_outcome(report: &CheckReport, d: &Derivation, format: ReportFormat) -> Outcome {
    let verdict = report.verdict();
    let code = match verdict {
        Verdict::Passed => 0,
        Verdict::Failed(_) | Verdict::Undecided(_) => EXIT_CHECK_FAILED,
    };
    let stdout = match format {
        ReportFormat::Json => {
            let mut value = serde_json::to_value(report).unwrap_or(Value::Null);
            if let Value::Object(map) = &mut value {
                map.insert("verdict".into(), json!(verdict));
                map.insert("wrt".into(), json!(d.wrt));
                map.insert("f_text".into(), json!(d.f_text));
                map.insert("gradient_text".into(), json!(d.gradient_text));
            }
            to_json(&value)
        }
        ReportFormat::Text => format::check_report(report, d),
    };
    Outcome {
        stdout,
        stderr: String::new(),
        code,
    }
}

/// A matrix as JSON shaped like the variable: a number, a flat array or an array of rows.
pub(crate) fn shaped_json(m: &DMatrix<f64>, kind: Kind) -> Value {
    match kind {
        Kind::Scalar if m.len() == 1 => json!(m[(0, 0)]),
        Kind::Vector | Kind::Scalar => Value::Array(m.iter().map(|x| json!(x)).collect()),
        Kind::Matrix => Value::Array(
            (0..m.nrows())
                .map(|i| Value::Array((0..m.ncols()).map(|j| json!(m[(i, j)])).collect()))
                .collect(),
        ),
    }
}

/// A matrix as text: a number, a column vector as `[a, b, c]'`, a matrix as rows.
fn shaped_text(m: &DMatrix<f64>, kind: Kind) -> String {
    match kind {
        Kind::Scalar if m.len() == 1 => format!("{}", m[(0, 0)]),
        Kind::Vector | Kind::Scalar => {
            format!(
                "[{}]'",
                m.iter()
                    .map(|x| format!("{x}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        Kind::Matrix => format!("\n{}", matrix_text(m)),
    }
}

/// A matrix as rows of right-aligned numbers, `  [ 1  2 ]`, one line each.
pub(crate) fn matrix_text(m: &DMatrix<f64>) -> String {
    let cells: Vec<Vec<String>> = (0..m.nrows())
        .map(|i| (0..m.ncols()).map(|j| format!("{}", m[(i, j)])).collect())
        .collect();
    let width = cells.iter().flatten().map(String::len).max().unwrap_or(0);
    cells
        .iter()
        .map(|row| {
            format!(
                "  [ {} ]",
                row.iter()
                    .map(|c| format!("{c:>width$}"))
                    .collect::<Vec<_>>()
                    .join("  ")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub(crate) fn read_values(path: &std::path::Path) -> Result<String, String> {
    if path.as_os_str() == "-" {
        let mut s = String::new();
        return std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map(|_| s)
            .map_err(|e| format!("error: cannot read the values from standard input: {e}\n"));
    }
    let shown = || escape(&path.display().to_string());
    // Values hold at most a few 200×200 matrices: a larger file is a mistake, not values.
    const MAX_VALUES_BYTES: u64 = 16 << 20;
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.is_file() && meta.len() > MAX_VALUES_BYTES {
            return Err(format!(
                "error: the values file `{}` is too large ({} bytes; the limit is {MAX_VALUES_BYTES})\n",
                shown(),
                meta.len()
            ));
        }
    }
    std::fs::read_to_string(path)
        .map_err(|e| format!("error: cannot read the values file `{}`: {e}\n", shown()))
}

fn grad(args: &GradArgs) -> Outcome {
    let json_text = match read_values(&args.at) {
        Ok(t) => t,
        Err(e) => return Outcome::input_error(e),
    };
    // Each symbol the values give takes its kind and size from its value, before its letter
    // or its context (declarations still win).
    let plain = input(&args.problem, Some(&args.wrt));
    let from_values = match decls_from_values(&json_text, &plain.decls) {
        Ok(d) => d,
        Err(diag) => {
            return Outcome::input_error(format!(
                "{}  --> in the values file `{}`\n",
                format::plain_diagnostic(&diag),
                escape(&args.at.display().to_string())
            ))
        }
    };
    let typed = Input {
        decls: match (plain.decls.trim().is_empty(), from_values.is_empty()) {
            (_, true) => plain.decls.clone(),
            (true, false) => from_values.clone(),
            (false, false) => format!("{}, {from_values}", plain.decls),
        },
        ..plain.clone()
    };
    // Where the kinds of the values do not type f but f types without them, the values are
    // what is wrong: the values check below says which one.
    let (analysis, d) = match analyze_or_report(&typed) {
        Ok(x) => x,
        Err((_, errors)) => match analyze_or_report(&plain) {
            Ok(x) if typed.decls != plain.decls => x,
            _ => return Outcome::input_error(errors),
        },
    };
    let Some(problem) = &analysis.problem else {
        return Outcome::input_error(
            "error: no problem came out of this input (internal error)\n".to_string(),
        );
    };
    let (values, sizes) = match values_from_json(&json_text, &problem.symbols) {
        Ok(x) => x,
        Err(diag) => {
            return Outcome::input_error(format!(
                "{}  --> in the values file `{}`\n",
                format::plain_diagnostic(&diag),
                escape(&args.at.display().to_string())
            ))
        }
    };
    let kind = d.wrt_kind;
    let (value, gradient) = match evaluate_at(problem, &d.gradient, &values, &sizes) {
        Ok(x) => x,
        Err(e) => {
            return Outcome::input_error(format!(
                "error: cannot evaluate at the given values: {e}\n"
            ))
        }
    };
    if !value.is_finite() || gradient.iter().any(|x| !x.is_finite()) {
        return Outcome::input_error(format!(
            "error: f or its gradient is not finite at the given values (f = {value})\n"
        ));
    }
    let extras = match forms::grad_extras(problem, &d, &values, &sizes, args.layout) {
        Ok(x) => x,
        Err(e) => return Outcome::input_error(e),
    };
    let hessian = if args.hessian {
        match crate::jacobian::hessian_json(problem, &values, &sizes) {
            Ok(h) => Some(h),
            Err(e) => return Outcome::input_error(e),
        }
    } else {
        None
    };
    Outcome::ok(match args.format {
        ReportFormat::Json => {
            let mut out = json!({
                "wrt": d.wrt,
                "value": value,
                "gradient": shaped_json(&gradient, kind),
                "gradient_text": d.gradient_text,
                "symbols": with_value_origins(analysis.symbols(), &from_values),
            });
            if let Value::Object(map) = &mut out {
                for e in &extras {
                    let shaped = match e.key {
                        "derivative" => forms::rows_json(&e.value),
                        _ => shaped_json(&e.value, kind),
                    };
                    map.insert(e.key.into(), shaped);
                    map.insert(format!("{}_text", e.key), json!(e.text));
                }
                if let Some(layout) = args.layout {
                    map.insert("layout".into(), json!(layout.layout().name()));
                }
                if let Some(h) = hessian {
                    map.insert("hessian".into(), h);
                }
            }
            to_json(&out)
        }
        ReportFormat::Text => {
            let mut out = format!(
                "f = {value}\ngrad_{} f = {}\n  where grad_{} f = {}\n",
                d.wrt,
                shaped_text(&gradient, kind),
                d.wrt,
                d.gradient_text
            );
            for e in &extras {
                let name = match e.key {
                    "gradient_symmetric" => "sym(G)".to_string(),
                    "gradient_entries" => "G + G' - diag(G)".to_string(),
                    _ => format!("df/d{}", d.wrt),
                };
                let shown = match e.key {
                    "derivative" => shaped_text(&e.value, Kind::Matrix),
                    _ => shaped_text(&e.value, kind),
                };
                out.push_str(&format!("{name} = {shown}\n  where {name} = {}\n", e.text));
            }
            if let Some(layout) = args.layout {
                out.push_str(&format!("layout: {}\n", layout.layout().sentence()));
            }
            if let Some(h) = hessian {
                out.push_str(&format!("hessian (vec order) = {h}\n"));
            }
            out
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        let s = parse_sizes("m=3, n = 4").unwrap();
        assert_eq!(
            s.into_iter().collect::<Vec<_>>(),
            vec![("m".to_string(), 3), ("n".to_string(), 4)]
        );
        assert!(parse_sizes("").unwrap().is_empty());
        for bad in [
            "m",
            "m=",
            "m=0",
            "m=-1",
            "m=x",
            "=3",
            "3=3",
            "m=3,m=4",
            "m=99999999999999999999999",
        ] {
            assert!(parse_sizes(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn shaped_values() {
        let m = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.5]);
        assert_eq!(
            shaped_json(&m, Kind::Matrix).to_string(),
            "[[1.0,2.0],[3.0,4.5]]"
        );
        let v = DMatrix::from_row_slice(2, 1, &[1.0, -2.0]);
        assert_eq!(shaped_json(&v, Kind::Vector).to_string(), "[1.0,-2.0]");
        let s = DMatrix::from_row_slice(1, 1, &[0.25]);
        assert_eq!(shaped_json(&s, Kind::Scalar).to_string(), "0.25");
        assert_eq!(shaped_text(&v, Kind::Vector), "[1, -2]'");
        assert_eq!(
            shaped_text(&m, Kind::Matrix),
            "\n  [   1    2 ]\n  [   3  4.5 ]"
        );
    }
}
