//! Output formats of a derivation (text, LaTeX `align*`, Markdown) and of diagnostics.

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

/// The LaTeX of a symbol name: Greek names as their letters, `X_1`-style subscripts kept.
pub fn symbol_latex(name: &str) -> String {
    const GREEK: [&str; 35] = [
        "alpha",
        "beta",
        "gamma",
        "delta",
        "epsilon",
        "zeta",
        "eta",
        "theta",
        "iota",
        "kappa",
        "lambda",
        "mu",
        "nu",
        "xi",
        "pi",
        "rho",
        "sigma",
        "tau",
        "upsilon",
        "phi",
        "chi",
        "psi",
        "omega",
        "Gamma",
        "Delta",
        "Theta",
        "Lambda",
        "Xi",
        "Pi",
        "Sigma",
        "Upsilon",
        "Phi",
        "Psi",
        "Omega",
        "varepsilon",
    ];
    let (base, sub) = match name.split_once('_') {
        Some((b, s)) if !b.is_empty() && !s.is_empty() => (b, Some(s)),
        _ => (name, None),
    };
    let base = if GREEK.contains(&base) {
        format!("\\{base}")
    } else if base.chars().count() > 1 {
        format!("\\mathrm{{{}}}", latex_text_escape(base))
    } else {
        base.to_string()
    };
    match sub {
        Some(s) => format!("{base}_{{\\mathrm{{{}}}}}", latex_text_escape(s)),
        None => base,
    }
}

fn lhs_latex(lhs: Lhs, wrt: &str) -> String {
    match lhs {
        Lhs::Dy => "dy".to_string(),
        Lhs::Gradient => format!("\\nabla_{{{}}} f", symbol_latex(wrt)),
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
    let var = symbol_latex(&d.wrt);
    let mut rows = vec![format!("f({var}) &= {}", d.f_latex)];
    for (i, step) in d.steps.iter().enumerate() {
        let lhs = if new_lhs(&d.steps, i) {
            lhs_latex(step.lhs, &d.wrt)
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
    let var = symbol_latex(&d.wrt);
    let mut out = format!("$$f({var}) = {}$$\n", d.f_latex);
    for step in &d.steps {
        out.push('\n');
        out.push_str(&format!(
            "$${} = {}$$",
            lhs_latex(step.lhs, &d.wrt),
            step.latex
        ));
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
    fn symbol_names() {
        assert_eq!(symbol_latex("X"), "X");
        assert_eq!(symbol_latex("Sigma"), "\\Sigma");
        assert_eq!(symbol_latex("x_1"), "x_{\\mathrm{1}}");
        assert_eq!(symbol_latex("Wa"), "\\mathrm{Wa}");
    }

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
