//! Output of the command beyond the core's renderings: the check report and diagnostics.

use matdiff_core::{CheckReport, Derivation, Diagnostic, Source, Verdict};

/// A relative error in short scientific notation (`inf` when the step had no value).
pub(crate) fn rel(x: f64) -> String {
    if x == 0.0 {
        "0".to_string()
    } else if x.is_finite() {
        format!("{x:.1e}")
    } else {
        "inf".to_string()
    }
}

/// The report of `matdiff check`: the gradient check, one mark per dy step, the verdict.
pub fn check_report(report: &CheckReport, d: &Derivation) -> String {
    let mut out = format!("f({}) = {}\n", d.wrt, d.f_text);
    let sizes: Vec<String> = report
        .sizes
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    out.push_str(&format!(
        "sizes: {}; seed {}; samples drawn: {}\n",
        if sizes.is_empty() {
            "fixed".to_string()
        } else {
            sizes.join(", ")
        },
        report.seed,
        report.samples_tried
    ));
    if let Some(value) = report.value {
        out.push_str(&format!("f at the sample: {value}\n"));
    }
    match &report.gradient {
        Some(g) => out.push_str(&format!(
            "gradient check ({}): relative error {}, tolerance {}   {}\n",
            g.method,
            rel(g.rel_error),
            rel(g.tolerance),
            if g.passed { "ok" } else { "FAIL" }
        )),
        None => out.push_str("gradient check: not run\n"),
    }
    if !report.steps.is_empty() {
        out.push_str("step check (each dy line against the derivative along a random dX):\n");
        for (step, s) in report.dy_lines(d) {
            let rule = step
                .rule
                .map(|r| format!("   [{}]", r.id))
                .unwrap_or_default();
            out.push_str(&format!(
                "  {:<4}  {:>8}  dy = {}{rule}\n",
                if s.passed { "ok" } else { "FAIL" },
                rel(s.rel_error),
                step.text
            ));
        }
    }
    out.push_str(&format!("grad_{} f = {}\n", d.wrt, d.gradient_text));
    if let Some(note) = &d.note {
        out.push_str(&format!("note: {note}\n"));
    }
    if let Some(m) = &report.message {
        out.push_str(&format!("note: {m}\n"));
    }
    out.push_str(match report.verdict() {
        Verdict::Passed => "result: passed\n",
        Verdict::Undecided(_) => {
            "result: undecidable (no reliable sample: neither passed nor failed)\n"
        }
        Verdict::Failed(_) => "result: FAILED\n",
    });
    out
}

/// Renders a diagnostic against the text it points into, saying which input that is.
pub fn diagnostic(d: &Diagnostic, expr: &str, decls: &str) -> String {
    match d.source {
        Source::Expr => d.render(expr),
        Source::Decls => {
            let rendered = d.render(decls);
            match rendered.split_once('\n') {
                Some((first, rest)) => {
                    format!("{first}\n  --> in the declarations (--let)\n{rest}")
                }
                None => rendered,
            }
        }
        Source::Other => plain_diagnostic(d),
    }
}

/// A diagnostic that points into no text: the message, its labels as notes, the hint.
pub fn plain_diagnostic(d: &Diagnostic) -> String {
    let mut out = format!("error: {}\n", d.message);
    for label in &d.labels {
        out.push_str(&format!("  = note: {}\n", label.message));
    }
    if let Some(hint) = &d.hint {
        out.push_str(&format!("  = hint: {hint}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_diagnostics_have_no_caret() {
        let d = Diagnostic::new(0..0, "unknown dimension `k`")
            .in_source(Source::Other)
            .with_hint("use m, n");
        assert_eq!(
            diagnostic(&d, "tr(X)", ""),
            "error: unknown dimension `k`\n  = hint: use m, n\n"
        );
    }

    #[test]
    fn decls_diagnostics_say_where() {
        let d = Diagnostic::new(3..6, "unknown property").in_source(Source::Decls);
        let out = diagnostic(&d, "tr(X)", "A: foo");
        assert!(
            out.starts_with(
                "error: unknown property\n  --> in the declarations (--let)\n  | A: foo\n"
            ),
            "{out}"
        );
        assert!(out.contains("^^^"), "{out}");
    }
}
