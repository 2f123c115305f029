//! The front door of the core: text in, derivation and checks out.

use crate::canon::{rearrange, Line};
use crate::derive::{differentiate, Limit, MAX_DERIVATION_NODES};
use crate::diagnostic::{Diagnostic, Source};
use crate::expr::{Expr, Kind, Problem, Symbol, SymbolTable};
use crate::numeric::{self, CheckReport};
use crate::print;
use crate::rules::Rule;
use crate::simplify::{Ctx, SymbolIndex};
use serde::Serialize;
use std::collections::BTreeMap;

/// What the user typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Input {
    /// The expression, e.g. `tr(A*X*B)`.
    pub expr: String,
    /// Declarations, e.g. `A: 3x4, S: symmetric n, P: spd n`. May be empty.
    pub decls: String,
    /// The variable; `None` picks one (X, then x, then the first matrix, vector, scalar).
    pub wrt: Option<String>,
}

/// Everything the page and the command show for one input.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Analysis {
    /// Problems with the input; empty when the derivation succeeded.
    pub diagnostics: Vec<Diagnostic>,
    /// The symbols with inferred kinds, shapes and properties (empty when parsing failed).
    pub symbols: Vec<Symbol>,
    /// The variable chosen.
    pub wrt: Option<String>,
    /// How the input was read, as LaTeX and in input syntax.
    pub expr_latex: Option<String>,
    pub expr_text: Option<String>,
    pub derivation: Option<Derivation>,
}

/// Which side a derivation line is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lhs {
    /// `dy = …`
    Dy,
    /// `∇f = …`
    Gradient,
}

/// One line of the derivation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Step {
    pub lhs: Lhs,
    /// The rule that produced this line from the previous one; `None` on the first line.
    pub rule: Option<Rule>,
    pub expr: Expr,
    /// The right-hand side in LaTeX and in input syntax.
    pub latex: String,
    pub text: String,
    /// The named identities the rule applied, where it is the final simplification (`simplify`);
    /// in JSON only where there are some.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub identities: Vec<Rule>,
}

/// The derivation of the gradient of a scalar function.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Derivation {
    pub wrt: String,
    pub wrt_kind: Kind,
    /// LaTeX of the variable, as the lines print it.
    pub wrt_latex: String,
    pub f: Expr,
    pub f_latex: String,
    pub f_text: String,
    pub steps: Vec<Step>,
    pub gradient: Expr,
    pub gradient_latex: String,
    /// The gradient in input syntax: parses back to the same function.
    pub gradient_text: String,
}

/// Options of the numeric checks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckOptions {
    /// Sizes of symbolic dimensions (`m=3,n=4`); missing ones get small defaults.
    pub sizes: BTreeMap<String, usize>,
    pub seed: u64,
}

/// One line of a derivation before printing: what [`Step`] holds without the renderings.
#[derive(Clone, Debug, PartialEq)]
pub struct RawStep {
    pub lhs: Lhs,
    /// The rule that produced this line from the previous one; `None` on the first line.
    pub rule: Option<Rule>,
    pub expr: Expr,
    /// The named identities the rule applied, where it is the final simplification (`simplify`).
    pub identities: Vec<Rule>,
}

/// The derivation of the gradient before printing (see [`derive_exprs`]); [`render`] turns it
/// into a [`Derivation`].
#[derive(Clone, Debug, PartialEq)]
pub struct RawDerivation {
    pub wrt: String,
    pub wrt_kind: Kind,
    /// The function after grouping scalar sub-products; the first step is `d(f)`.
    pub f: Expr,
    pub steps: Vec<RawStep>,
    pub gradient: Expr,
}

/// Parses the input and its declarations, infers shapes and picks the variable: the typed
/// problem [`derive_exprs`] and [`derive`] take, with nothing printed.
pub fn problem(input: &Input) -> Result<Problem, Vec<Diagnostic>> {
    crate::lower::lower(&input.expr, &input.decls, input.wrt.as_deref())
}

/// The derivation phase without printing: differentiation, then the rearrangement into
/// `Tr(Gᵀ dX)`, with each line's rule and simplified expression and the gradient.
pub fn derive_exprs(problem: &Problem) -> Result<RawDerivation, Diagnostic> {
    let index = SymbolIndex::new(&problem.symbols);
    let ctx = Ctx {
        table: &problem.symbols,
        wrt: &problem.wrt,
        index: &index,
    };
    let wrt_kind = problem
        .symbols
        .get(&problem.wrt)
        .map(|s| s.kind)
        .ok_or_else(|| {
            Diagnostic::new(0..0, format!("unknown variable `{}`", problem.wrt))
                .in_source(Source::Other)
        })?;
    let too_long = || {
        Diagnostic::new(0..0, "the derivation did not finish within its step limit")
            .in_source(Source::Other)
            .with_hint("this is a limitation of matdiff; please report the expression")
    };
    let line = |lhs: Lhs, rule: Option<Rule>, expr: Expr| RawStep {
        lhs,
        rule,
        expr,
        identities: Vec::new(),
    };
    // Scalar sub-products grouped (see `simplify::mul`), so later rearrangements keep chains valid.
    let f = crate::simplify::tidy(ctx, problem.expr.clone());
    let mut steps = vec![line(Lhs::Dy, None, Expr::d(f.clone()))];
    let too_large = || {
        Diagnostic::new(
            0..0,
            format!(
                "the derivation grows too large to show; the limit is {MAX_DERIVATION_NODES} nodes over all its lines"
            ),
        )
        .in_source(Source::Other)
        .with_hint("the product rule doubles the terms at every level of nested products; try a smaller expression")
    };
    let mut budget = MAX_DERIVATION_NODES;
    let diff = differentiate(&f, ctx, &mut budget).map_err(|limit| match limit {
        Limit::Steps => too_long(),
        Limit::Size => too_large(),
    })?;
    let dy = diff
        .last()
        .map_or_else(|| Expr::d(f.clone()), |(_, e)| e.clone());
    steps.extend(
        diff.into_iter()
            .map(|(rule, e)| line(Lhs::Dy, Some(rule), e)),
    );
    let (lines, gradient) = rearrange(&dy, wrt_kind, ctx, &mut budget).ok_or_else(|| {
        if budget == 0 {
            return too_large();
        }
        Diagnostic::new(
            0..0,
            "matdiff could not bring this differential into the form Tr(Gᵀ dX)",
        )
        .in_source(Source::Other)
        .with_hint("this is a limitation of matdiff; please report the expression")
    })?;
    steps.extend(lines.into_iter().map(|l| match l {
        Line::Dy(rule, e) => line(Lhs::Dy, Some(rule), e),
        Line::Gradient(rule, e) => line(Lhs::Gradient, Some(rule), e),
        Line::Simplified(identities, expr) => RawStep {
            identities,
            ..line(Lhs::Gradient, Some(crate::rules::SIMPLIFY), expr)
        },
    }));
    Ok(RawDerivation {
        wrt: problem.wrt.clone(),
        wrt_kind,
        f,
        steps,
        gradient,
    })
}

/// The LaTeX phase: prints each line of a derivation in LaTeX and in input syntax.
pub fn render(raw: RawDerivation, symbols: &SymbolTable) -> Derivation {
    let render = print::Renderer::new(symbols);
    let f_latex = render.latex(&raw.f);
    let f_text = render.text(&raw.f);
    let f_is_symbol = matches!(raw.f, Expr::Sym(_));
    let steps: Vec<Step> = raw
        .steps
        .into_iter()
        .enumerate()
        .map(
            |(
                i,
                RawStep {
                    lhs,
                    rule,
                    expr,
                    identities,
                },
            )| {
                if i == 0 && rule.is_none() && !f_is_symbol {
                    // The first line, d(f), printed around f's renderings (as the printers would).
                    Step {
                        lhs,
                        rule,
                        latex: format!(r"\mathrm{{d}}\left({f_latex}\right)"),
                        text: format!("d({f_text})"),
                        expr,
                        identities,
                    }
                } else {
                    Step {
                        lhs,
                        rule,
                        latex: render.latex(&expr),
                        text: render.text(&expr),
                        expr,
                        identities,
                    }
                }
            },
        )
        .collect();
    // The gradient is usually the last line's expression: its renderings are already there.
    let (gradient_latex, gradient_text) = match steps.last() {
        Some(last) if last.expr == raw.gradient => (last.latex.clone(), last.text.clone()),
        _ => (render.latex(&raw.gradient), render.text(&raw.gradient)),
    };
    Derivation {
        wrt_latex: render.symbol_latex(&raw.wrt),
        wrt: raw.wrt,
        wrt_kind: raw.wrt_kind,
        f: raw.f,
        f_latex,
        f_text,
        steps,
        gradient: raw.gradient,
        gradient_latex,
        gradient_text,
    }
}

/// Derives the gradient of a typed problem: [`derive_exprs`], then [`render`].
pub fn derive(problem: &Problem) -> Result<Derivation, Diagnostic> {
    derive_exprs(problem).map(|raw| render(raw, &problem.symbols))
}

/// LaTeX of the left-hand side of a line: `dy` or `∇_X f`.
pub fn lhs_latex(lhs: Lhs, wrt: &str, kind: Kind) -> String {
    match lhs {
        Lhs::Dy => r"\mathrm{d}y".to_string(),
        Lhs::Gradient => format!(r"\nabla_{{{}}} f", print::symbol_latex(wrt, kind)),
    }
}

/// Parses, types and derives. Never panics; problems come back as diagnostics.
pub fn analyze(input: &Input) -> Analysis {
    let mut analysis = Analysis::default();
    let problem = match problem(input) {
        Ok(p) => p,
        Err(diagnostics) => {
            analysis.diagnostics = diagnostics;
            return analysis;
        }
    };
    analysis.symbols = problem.symbols.symbols.clone();
    analysis.wrt = Some(problem.wrt.clone());
    match derive(&problem) {
        Ok(d) => analysis.derivation = Some(d),
        Err(d) => analysis.diagnostics.push(d),
    }
    // How the input was read; the derivation's f is usually the same tree, already rendered.
    let (expr_latex, expr_text) = match &analysis.derivation {
        Some(d) if d.f == problem.expr => (d.f_latex.clone(), d.f_text.clone()),
        _ => (
            print::latex(&problem.expr, &problem.symbols),
            print::text(&problem.expr, &problem.symbols),
        ),
    };
    analysis.expr_latex = Some(expr_latex);
    analysis.expr_text = Some(expr_text);
    analysis
}

/// Runs the gradient check and the step check of a derivation at random values.
///
/// Errors when there is no derivation or a size is invalid (unknown name, zero, too large).
pub fn check(analysis: &Analysis, options: &CheckOptions) -> Result<CheckReport, Diagnostic> {
    let d = analysis.derivation.as_ref().ok_or_else(|| {
        Diagnostic::new(0..0, "there is no derivation to check").in_source(Source::Other)
    })?;
    let problem = Problem {
        expr: d.f.clone(),
        symbols: SymbolTable {
            symbols: analysis.symbols.clone(),
        },
        wrt: d.wrt.clone(),
    };
    let sizes = numeric::resolve_problem_sizes(&problem, &options.sizes)?;
    let dy: Vec<Expr> = d
        .steps
        .iter()
        .filter(|s| s.lhs == Lhs::Dy)
        .map(|s| s.expr.clone())
        .collect();
    Ok(numeric::run_check(
        &problem,
        &dy,
        &d.gradient,
        &sizes,
        options.seed,
    ))
}

impl Derivation {
    /// LaTeX of the left-hand side of a line: `dy` or `∇_X f`.
    pub fn lhs_latex(&self, lhs: Lhs) -> String {
        match lhs {
            Lhs::Dy => lhs_latex(lhs, &self.wrt, self.wrt_kind),
            Lhs::Gradient => format!(r"\nabla_{{{}}} f", self.wrt_latex),
        }
    }

    /// The whole derivation as an `align*` block with `\text{…}` rule annotations, ready to paste.
    pub fn to_align(&self) -> String {
        let mut out = String::from("\\begin{align*}\n");
        let mut prev: Option<Lhs> = None;
        for (i, step) in self.steps.iter().enumerate() {
            let lhs = if prev == Some(step.lhs) {
                String::new()
            } else {
                self.lhs_latex(step.lhs)
            };
            prev = Some(step.lhs);
            out.push_str(&format!("{lhs} &= {}", step.latex));
            if step.rule.is_some() {
                out.push_str(&format!(r" && \text{{{}}}", step.note()));
            }
            out.push_str(if i + 1 < self.steps.len() {
                " \\\\\n"
            } else {
                "\n"
            });
        }
        out.push_str("\\end{align*}\n");
        out
    }

    /// Plain text, one line per step with its rule: `dy = tr(A*dX*B)    [constant]`.
    pub fn to_text(&self) -> String {
        let lhs_text = |lhs: Lhs| match lhs {
            Lhs::Dy => "dy".to_string(),
            Lhs::Gradient => format!("grad_{} f", self.wrt),
        };
        let rows: Vec<(String, &Step)> = self
            .steps
            .iter()
            .map(|s| (format!("{} = {}", lhs_text(s.lhs), s.text), s))
            .collect();
        let width = rows
            .iter()
            .map(|(l, _)| l.chars().count())
            .max()
            .unwrap_or(0);
        let mut out = String::new();
        for (line, step) in rows {
            match step.rule {
                Some(rule) => {
                    let pad = width - line.chars().count();
                    out.push_str(&format!(
                        "{line}{}   [{}: {}]\n",
                        " ".repeat(pad),
                        rule.id,
                        step.note()
                    ));
                }
                None => out.push_str(&format!("{line}\n")),
            }
        }
        out
    }

    /// Markdown: each line as display math followed by the rule that produced it.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        for step in &self.steps {
            if let Some(rule) = step.rule {
                out.push_str(&format!("*by {}* (`{}`)\n\n", step.note(), rule.id));
            }
            out.push_str(&format!(
                "$$\n{} = {}\n$$\n\n",
                self.lhs_latex(step.lhs),
                step.latex
            ));
        }
        out
    }
}

impl Step {
    /// The rule's note ([`rule_note`]), followed by the identities it applied:
    /// "identities and constants: common scalar factor, half power as a square root". ASCII only.
    pub fn note(&self) -> String {
        let rule = self.rule.map(|r| rule_note(&r)).unwrap_or_default();
        if self.identities.is_empty() {
            return rule;
        }
        let used: Vec<String> = self.identities.iter().map(rule_note).collect();
        format!("{rule}: {}", used.join(", "))
    }
}

/// The rule's name with its Matrix Cookbook equation, e.g. "product rule (Cookbook 37)". ASCII only.
pub fn rule_note(rule: &Rule) -> String {
    match rule.cookbook {
        Some(eq) => format!("{} (Cookbook {eq})", rule.name),
        None => rule.name.to_string(),
    }
}
