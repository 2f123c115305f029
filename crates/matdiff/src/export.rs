//! `matdiff export`: the gradient as a self-contained Python module (the core writes it).

use crate::cli::{ExportArgs, ExportTarget};
use crate::format;
use crate::run::{analyze_or_report, input, Outcome};
use matdiff_core::export::{python, Target};

/// What `--hessian` answers until the Hessian derivation exists.
pub const HESSIAN_REFUSAL: &str =
    "error: Hessian export needs the Hessian derivation, not available yet\n";

pub fn export(args: &ExportArgs) -> Outcome {
    if args.hessian {
        return Outcome::input_error(HESSIAN_REFUSAL.to_string());
    }
    let target = match args.to {
        ExportTarget::Numpy => Target::Numpy,
        ExportTarget::Torch => Target::Torch,
        ExportTarget::Jax => Target::Jax,
    };
    let input = input(&args.problem, args.wrt.as_deref());
    let (analysis, d) = match analyze_or_report(&input) {
        Ok(x) => x,
        Err((_, errors)) => return Outcome::input_error(errors),
    };
    let Some(problem) = &analysis.problem else {
        return Outcome::input_error(
            "error: no problem came out of this input (internal error)\n".to_string(),
        );
    };
    match python(problem, &d, target) {
        Ok(code) => Outcome::ok(code),
        Err(diag) => Outcome::input_error(format!(
            "error: cannot export to {}: {}\n",
            target.label(),
            format::plain_diagnostic(&diag).trim_start_matches("error: ")
        )),
    }
}
