//! `matdiff compare`: a claimed gradient against f, with its verdict, diagnosis and exit status.

use crate::cli::{CompareArgs, ReportFormat};
use crate::format;
use crate::run::{input, parse_sizes, to_json, Outcome, EXIT_CHECK_FAILED, EXIT_INPUT};
use matdiff_core::api::{compare, ClaimVerdict, Comparison};
use matdiff_core::{analyze, CheckOptions, Source};

/// Exit status of a claim no random sample could decide.
pub const EXIT_UNDECIDED: u8 = 3;

fn input_error(stderr: String) -> Outcome {
    Outcome {
        stdout: String::new(),
        stderr,
        code: EXIT_INPUT,
    }
}

/// Runs `matdiff compare`: exit 0 correct, 1 not correct, 3 undecided, 2 bad input.
pub fn run(args: &CompareArgs) -> Outcome {
    let input = input(&args.problem, args.wrt.as_deref());
    let sizes = match args.size.as_deref().map(parse_sizes).transpose() {
        Ok(s) => s.unwrap_or_default(),
        Err(e) => return input_error(e),
    };
    let analysis = analyze(&input);
    if analysis.problem.is_none() {
        let mut errors = String::new();
        for d in &analysis.diagnostics {
            errors.push_str(&format::diagnostic(d, &input.expr, &input.decls));
        }
        return input_error(errors);
    }
    let options = CheckOptions {
        sizes,
        seed: args.seed,
    };
    let comparison = match compare(&analysis, &args.claim, &options) {
        Ok(c) => c,
        Err(diags) => {
            let mut errors = String::new();
            for d in &diags {
                let rendered = format::diagnostic(d, &args.claim, &input.decls);
                match (d.source, rendered.split_once('\n')) {
                    (Source::Expr, Some((first, rest))) => errors.push_str(&format!(
                        "{first}\n  --> in the claimed gradient (--claim)\n{rest}"
                    )),
                    _ => errors.push_str(&rendered),
                }
            }
            return input_error(errors);
        }
    };
    let code = match comparison.verdict {
        ClaimVerdict::Correct => 0,
        ClaimVerdict::Incorrect => EXIT_CHECK_FAILED,
        ClaimVerdict::Undecided => EXIT_UNDECIDED,
    };
    let stdout = match args.format {
        ReportFormat::Json => to_json(&comparison),
        ReportFormat::Text => text(&comparison, analysis.expr_text.as_deref().unwrap_or("")),
    };
    Outcome {
        stdout,
        stderr: String::new(),
        code,
    }
}

/// The text report: f, the claim, the verdict with its reason, each mistake, matdiff's ∇f.
fn text(c: &Comparison, f: &str) -> String {
    let mut out = format!(
        "f({}) = {f}\nyour grad_{} f = {}\n",
        c.wrt, c.wrt, c.claim_text
    );
    out.push_str(&format!("verdict: {}\n{}\n", c.verdict.name(), c.message));
    for m in &c.diagnosis {
        let kind = serde_json::to_value(m.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        out.push_str(&format!("  - {kind}: {}\n", m.message));
    }
    if let Some(g) = &c.gradient_text {
        out.push_str(&format!("matdiff's grad_{} f = {g}\n", c.wrt));
    }
    out
}
