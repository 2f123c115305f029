//! Output formats of a derivation (text, LaTeX `align*`, Markdown) and of diagnostics.

use crate::compat::CheckReport;
use matdiff_core::{Derivation, Diagnostic, Lhs, Rule, Source, Step};

/// Annotations start at this column at most (longer lines push theirs further right).
const MAX_ANNOTATION_COLUMN: usize = 64;

/// The left-hand side of a line, in plain text.
fn lhs_text(lhs: Lhs, wrt: &str) -> String {
    match lhs {
        Lhs::Dy => "dy".to_string(),
        Lhs::Gradient => format!("grad_{wrt} f"),
    }
}

/// Plain text: `f(X) = …`, then one `dy = …   [rule-id: rule name]` line per step.
pub fn text(d: &Derivation) -> String {
    let mut lines: Vec<(String, Option<String>)> =
        vec![(format!("f({}) = {}", d.wrt, d.f_text), None)];
    for step in &d.steps {
        let body = format!("{} = {}", lhs_text(step.lhs, &d.wrt), step.text);
        let note = step
            .rule
            .as_ref()
            .map(|r| format!("[{}: {}]", r.id, r.name));
        lines.push((body, note));
    }
    let width = lines
        .iter()
        .filter(|(_, n)| n.is_some())
        .map(|(b, _)| b.chars().count())
        .filter(|&w| w <= MAX_ANNOTATION_COLUMN)
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for (body, note) in lines {
        out.push_str(&body);
        if let Some(note) = note {
            let pad = width.saturating_sub(body.chars().count()) + 3;
            out.push_str(&" ".repeat(pad));
            out.push_str(&note);
        }
        out.push('\n');
    }
    out
}

/// The LaTeX of the variable, as the core prints symbols (bold vectors and matrices, Greek letters).
fn var_latex(d: &Derivation) -> String {
    matdiff_core::print::symbol_latex(&d.wrt, d.wrt_kind)
}

fn lhs_latex(lhs: Lhs, d: &Derivation) -> String {
    match lhs {
        Lhs::Dy => "\\mathrm{d}y".to_string(),
        Lhs::Gradient => format!("\\nabla_{{{}}} f", var_latex(d)),
    }
}

/// Escapes text for `\text{…}`.
pub fn latex_text_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '{' | '}' | '$' | '&' | '#' | '_' | '%' => {
                out.push('\\');
                out.push(c);
            }
            '^' => out.push_str("\\textasciicircum{}"),
            '~' => out.push_str("\\textasciitilde{}"),
            _ => out.push(c),
        }
    }
    out
}

/// A rule's annotation: its name, and the Matrix Cookbook equation where there is one.
fn rule_note(r: &Rule) -> String {
    match r.cookbook {
        Some(eq) => format!(
            "{} (Matrix Cookbook ({}))",
            r.name,
            eq.trim_matches(|c| c == '(' || c == ')')
        ),
        None => r.name.to_string(),
    }
}

/// Whether a step starts a new left-hand side (the first line, or the switch from dy to ∇f).
fn new_lhs(steps: &[Step], i: usize) -> bool {
    i == 0 || steps.get(i - 1).map(|s| s.lhs) != steps.get(i).map(|s| s.lhs)
}

/// A LaTeX `align*` block: `f(X) = …`, the dy lines and the gradient, each annotated
/// with `\text{rule name}`.
pub fn latex(d: &Derivation) -> String {
    let var = var_latex(d);
    let mut rows = vec![format!("f({var}) &= {}", d.f_latex)];
    for (i, step) in d.steps.iter().enumerate() {
        let lhs = if new_lhs(&d.steps, i) {
            lhs_latex(step.lhs, d)
        } else {
            String::new()
        };
        let mut row = format!("{lhs} &= {}", step.latex);
        if let Some(r) = &step.rule {
            row.push_str(&format!(
                " && \\text{{{}}}",
                latex_text_escape(&rule_note(r))
            ));
        }
        rows.push(row);
    }
    format!(
        "\\begin{{align*}}\n{}\n\\end{{align*}}\n",
        rows.join(" \\\\\n")
    )
}

/// Markdown: one `$$…$$` line per step, followed by the rule that produced it.
pub fn markdown(d: &Derivation) -> String {
    let var = var_latex(d);
    let mut out = format!("$$f({var}) = {}$$\n", d.f_latex);
    for step in &d.steps {
        out.push('\n');
        out.push_str(&format!("$${} = {}$$", lhs_latex(step.lhs, d), step.latex));
        if let Some(r) = &step.rule {
            let cookbook = r
                .cookbook
                .map(|eq| format!(", Matrix Cookbook ({})", eq.trim_matches(['(', ')'])));
            out.push_str(&format!(
                " — *{}* (`{}`{})",
                r.name,
                r.id,
                cookbook.unwrap_or_default()
            ));
        }
        out.push('\n');
    }
    out
}

/// A relative error in short scientific notation (`inf` when the step had no value).
fn rel(x: f64) -> String {
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
        let dy_steps: Vec<&Step> = d.steps.iter().filter(|s| s.lhs == Lhs::Dy).collect();
        for s in &report.steps {
            let (text, rule) = dy_steps
                .get(s.index)
                .map(|st| {
                    (
                        st.text.as_str(),
                        st.rule
                            .map(|r| format!("   [{}]", r.id))
                            .unwrap_or_default(),
                    )
                })
                .unwrap_or(("?", String::new()));
            out.push_str(&format!(
                "  {:<4}  {:>8}  dy = {text}{rule}\n",
                if s.passed { "ok" } else { "FAIL" },
                rel(s.rel_error)
            ));
        }
    }
    out.push_str(&format!("grad_{} f = {}\n", d.wrt, d.gradient_text));
    if let Some(m) = &report.message {
        out.push_str(&format!("note: {m}\n"));
    }
    out.push_str(if report.passed {
        "result: passed\n"
    } else {
        "result: FAILED\n"
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
    fn text_escape() {
        assert_eq!(
            latex_text_escape("a_b & {c} 100%"),
            "a\\_b \\& \\{c\\} 100\\%"
        );
    }

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
