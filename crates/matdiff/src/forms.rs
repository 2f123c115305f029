//! The command's output beyond the gradient (issue 13 §3, §4): the two answers of a symmetric
//! variable (sym(G), the entry form) and their checks, and the layout switch (`--layout`).

use crate::format::rel;
use clap::ValueEnum;
use matdiff_core::layout::{numerator_form, numerator_lhs_latex, Layout};
use matdiff_core::numeric::{eval, evaluate_at, Env, Sizes, Values};
use matdiff_core::symmetric::{ENTRIES_SENTENCE, SYMMETRIC_SENTENCE, UNCONSTRAINED_SENTENCE};
use matdiff_core::{CheckReport, Derivation, Expr, Problem, SymbolTable};
use serde_json::{json, Value};

/// The value of `--layout`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LayoutArg {
    /// ∇f, shaped like the variable (the default).
    Gradient,
    /// ∂f/∂X = (∇f)ᵀ, shaped like the transposed variable (the Jacobian convention).
    Numerator,
}

impl LayoutArg {
    pub fn layout(self) -> Layout {
        match self {
            LayoutArg::Gradient => Layout::Gradient,
            LayoutArg::Numerator => Layout::Numerator,
        }
    }
}

/// The lines `derive --format text` adds: the symmetric forms with their sentences, and the
/// layout (with the numerator form) when `--layout` was given.
pub fn derive_text(d: &Derivation, table: &SymbolTable, layout: Option<LayoutArg>) -> String {
    let mut out = String::new();
    if let Some(s) = &d.symmetric {
        out.push_str(&format!(
            "symmetric {w}:\n  G = grad_{w} f = {}\n    {UNCONSTRAINED_SENTENCE}\n  sym(G) = {}\n    {SYMMETRIC_SENTENCE}\n  G + G' - diag(G) = {}\n    {ENTRIES_SENTENCE}\n",
            d.gradient_text,
            s.symmetric.text,
            s.entries.text,
            w = d.wrt
        ));
    }
    if let Some(layout) = layout.map(LayoutArg::layout) {
        if layout == Layout::Numerator {
            let n = numerator_form(d, table);
            out.push_str(&format!("df/d{} = {}\n", d.wrt, n.text));
        }
        out.push_str(&format!("layout: {}\n", layout.sentence()));
    }
    out
}

/// The lines `derive --format latex` and `markdown` add, as display math (`$$…$$` for
/// Markdown, a second `align*` block for LaTeX).
pub fn derive_latex(
    d: &Derivation,
    table: &SymbolTable,
    layout: Option<LayoutArg>,
    markdown: bool,
) -> String {
    // (left-hand side, right-hand side, the sentence said before it).
    let mut rows: Vec<(String, String, Option<&str>)> = Vec::new();
    if let Some(s) = &d.symmetric {
        let g = d.lhs_latex(matdiff_core::Lhs::Gradient);
        rows.push((
            format!("G = {g}"),
            d.gradient_latex.clone(),
            Some(UNCONSTRAINED_SENTENCE),
        ));
        rows.push((
            r"\operatorname{sym}(G)".to_string(),
            s.symmetric.latex.clone(),
            Some(SYMMETRIC_SENTENCE),
        ));
        rows.push((
            r"G + G^\top - G \odot I".to_string(),
            s.entries.latex.clone(),
            Some(ENTRIES_SENTENCE),
        ));
    }
    let layout = layout.map(LayoutArg::layout);
    if layout == Some(Layout::Numerator) {
        let n = numerator_form(d, table);
        rows.push((numerator_lhs_latex(d), n.latex, None));
    }
    let mut out = String::new();
    if markdown {
        for (lhs, rhs, sentence) in &rows {
            if let Some(sentence) = sentence {
                out.push_str(&format!("{sentence}\n\n"));
            }
            out.push_str(&format!("$$\n{lhs} = {rhs}\n$$\n\n"));
        }
        if let Some(layout) = layout {
            out.push_str(&format!("{}\n", layout.sentence()));
        }
        return out;
    }
    if !rows.is_empty() {
        out.push_str("\\begin{align*}\n");
        let lines: Vec<String> = rows
            .iter()
            .map(|(lhs, rhs, _)| format!("{lhs} &= {rhs}"))
            .collect();
        out.push_str(&lines.join(" \\\\\n"));
        out.push_str("\n\\end{align*}\n");
        for (lhs, _, sentence) in &rows {
            if let Some(sentence) = sentence {
                out.push_str(&format!("% {lhs}: {sentence}\n"));
            }
        }
    }
    if let Some(layout) = layout {
        out.push_str(&format!("% {}\n", layout.sentence()));
    }
    out
}

/// `derive --format json` with `--layout`: the analysis with `"layout"` and, in numerator
/// layout, `"derivative"` (the numerator form: expr, latex, text) in its derivation.
pub fn derive_json(
    mut analysis: Value,
    d: &Derivation,
    table: &SymbolTable,
    layout: LayoutArg,
) -> Value {
    if let Some(Value::Object(map)) = analysis.get_mut("derivation") {
        let layout = layout.layout();
        map.insert("layout".into(), json!(layout.name()));
        map.insert("layout_sentence".into(), json!(layout.sentence()));
        if layout == Layout::Numerator {
            map.insert("derivative".into(), json!(numerator_form(d, table)));
        }
    }
    analysis
}

/// The lines `check --format text` adds for a symmetric variable: each form's check.
pub fn check_text(report: &CheckReport, d: &Derivation) -> String {
    let (Some(s), Some(c)) = (&d.symmetric, &report.symmetric) else {
        return String::new();
    };
    let mut out = String::new();
    let line = |name: &str, text: &str, g: Option<&matdiff_core::numeric::GradientCheck>| match g {
        Some(g) => format!(
            "{name} check ({}): relative error {}, tolerance {}   {}\n  {name} = {text}\n",
            g.method,
            rel(g.rel_error),
            rel(g.tolerance),
            if g.passed { "ok" } else { "FAIL" }
        ),
        None => format!("{name} check: not run\n  {name} = {text}\n"),
    };
    out.push_str(&line("sym(G)", &s.symmetric.text, c.symmetric.as_ref()));
    out.push_str(&line(
        "G + G' - diag(G)",
        &s.entries.text,
        c.entries.as_ref(),
    ));
    if let Some(m) = &c.message {
        out.push_str(&format!("note: {m}\n"));
    }
    out
}

/// A matrix as JSON rows (for the numerator form: a row vector is one row).
pub fn rows_json(m: &nalgebra::DMatrix<f64>) -> Value {
    if m.len() == 1 {
        return json!(m[(0, 0)]);
    }
    Value::Array(
        (0..m.nrows())
            .map(|i| Value::Array((0..m.ncols()).map(|j| json!(m[(i, j)])).collect()))
            .collect(),
    )
}

/// One result `grad` prints beside the gradient: its JSON key, its value, its tree as text.
pub struct Extra {
    pub key: &'static str,
    pub value: nalgebra::DMatrix<f64>,
    pub text: String,
}

/// What `grad` adds: one [`Extra`] per result at the values — the symmetric
/// forms (`gradient_symmetric`, `gradient_entries`, shaped like X) and, in numerator layout,
/// `derivative` (∂f/∂X = (∇f)ᵀ, as rows). Errors when one cannot be evaluated there.
pub fn grad_extras(
    problem: &Problem,
    d: &Derivation,
    values: &Values,
    sizes: &Sizes,
    layout: Option<LayoutArg>,
) -> Result<Vec<Extra>, String> {
    let at = |e: &Expr, what: &str| {
        evaluate_at(problem, e, values, sizes)
            .map(|(_, m)| m)
            .map_err(|e| format!("error: cannot evaluate {what} at the given values: {e}\n"))
    };
    let mut out = Vec::new();
    if let Some(s) = &d.symmetric {
        out.push(Extra {
            key: "gradient_symmetric",
            value: at(&s.symmetric.expr, "sym(G)")?,
            text: s.symmetric.text.clone(),
        });
        out.push(Extra {
            key: "gradient_entries",
            value: at(&s.entries.expr, "G + G' - diag(G)")?,
            text: s.entries.text.clone(),
        });
    }
    if layout == Some(LayoutArg::Numerator) {
        let n = numerator_form(d, &problem.symbols);
        // ∂f/∂X = (∇f)ᵀ, its tree evaluated: shaped like Xᵀ (`0` stands for zeros).
        let env = Env {
            values,
            sizes,
            direction: None,
        };
        let x = at(&d.gradient, "the gradient")?;
        let m = eval(&n.expr, &env)
            .map_err(|e| format!("error: cannot evaluate df/dX at the given values: {e}\n"))?;
        let m = if n.expr.is_zero() {
            nalgebra::DMatrix::zeros(x.ncols(), x.nrows())
        } else {
            m
        };
        if m.shape() != (x.ncols(), x.nrows()) {
            return Err(
                "error: df/dX is not shaped like the transposed variable (internal error)\n".into(),
            );
        }
        out.push(Extra {
            key: "derivative",
            value: m,
            text: n.text,
        });
    }
    for e in &out {
        if e.value.iter().any(|x| !x.is_finite()) {
            return Err("error: a form of the gradient is not finite at the given values\n".into());
        }
    }
    Ok(out)
}

/// The text report of `check` with the symmetric forms' checks and the layout inserted before
/// its verdict line (`result: …`).
pub fn with_check_text(
    report_text: &str,
    report: &CheckReport,
    d: &Derivation,
    table: &SymbolTable,
    layout: Option<LayoutArg>,
) -> String {
    let mut extra = check_text(report, d);
    if let Some(layout) = layout.map(LayoutArg::layout) {
        if layout == Layout::Numerator {
            let n = numerator_form(d, table);
            extra.push_str(&format!("df/d{} = {}\n", d.wrt, n.text));
        }
        extra.push_str(&format!("layout: {}\n", layout.sentence()));
    }
    if extra.is_empty() {
        return report_text.to_string();
    }
    match report_text.rfind("result: ") {
        Some(i) => format!("{}{extra}{}", &report_text[..i], &report_text[i..]),
        None => format!("{report_text}{extra}"),
    }
}
