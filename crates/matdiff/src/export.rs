//! `matdiff export`: the gradient (and with `--hessian` the Hessian) as a self-contained Python
//! module (the core writes it).

use crate::cli::{ExportArgs, ExportTarget};
use crate::format;
use crate::run::{analyze_or_report, input, Outcome};
use matdiff_core::export::{python, python_with_hessian, Target};

pub fn export(args: &ExportArgs) -> Outcome {
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
    let code = if args.hessian {
        match matdiff_core::jacobian::derive_hessian(problem) {
            Ok(h) => python_with_hessian(problem, &d, &h, target),
            Err(diag) => {
                return Outcome::input_error(format!(
                    "error: no Hessian to export: {}\n",
                    format::plain_diagnostic(&diag)
                        .trim_start_matches("error: ")
                        .trim_end()
                ))
            }
        }
    } else {
        python(problem, &d, target)
    };
    match code {
        Ok(code) => Outcome::ok(code),
        Err(diag) => Outcome::input_error(format!(
            "error: cannot export to {}: {}\n",
            target.label(),
            format::plain_diagnostic(&diag).trim_start_matches("error: ")
        )),
    }
}
