//! The front door of the core: text in, derivation and checks out.

use crate::canon::{rearrange, Line};
use crate::ctx::{Ctx, SymbolIndex};
use crate::derive::{differentiate, Limit, MAX_DERIVATION_NODES};
use crate::diagnostic::{Code, Diagnostic, Source};
use crate::expr::{Expr, Kind, Problem, Symbol, SymbolTable};
use crate::numeric::{self, CheckReport, GradientCheck, Sizes, StepCheck};
use crate::print;
use crate::rules::Rule;
use serde::Serialize;
use std::collections::BTreeMap;

/// "Is my ∇f right?" (see [`crate::compare`]).
pub use crate::compare::{compare, compare_text, ClaimVerdict, Comparison, Mistake, MistakeKind};

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
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Analysis {
    /// Problems with the input; empty when the derivation succeeded.
    pub diagnostics: Vec<Diagnostic>,
    /// The typed problem: the expression as read, the symbols with inferred kinds, shapes and
    /// properties, and the variable chosen (`None` when parsing or typing failed).
    pub problem: Option<Problem>,
    /// How the input was read, as LaTeX and in input syntax.
    pub expr_latex: Option<String>,
    pub expr_text: Option<String>,
    pub derivation: Option<Derivation>,
    /// Other well-typed readings of one undeclared symbol each, for the page to offer (not in
    /// the command's JSON).
    pub other_readings: Vec<crate::lower::OtherReading>,
}

impl Analysis {
    /// The symbols with inferred kinds, shapes and properties (empty when parsing failed).
    pub fn symbols(&self) -> &[Symbol] {
        self.problem
            .as_ref()
            .map_or(&[][..], |p| &p.symbols.symbols[..])
    }

    /// The variable chosen.
    pub fn wrt(&self) -> Option<&str> {
        self.problem.as_ref().map(|p| p.wrt.as_str())
    }

    /// The names of the dimensions the check needs sizes for: the symbols' and those only the
    /// expression has (the size of an `eye` in `tr(eye)`), in order of appearance.
    pub fn dim_names(&self) -> Vec<String> {
        let Some(p) = &self.problem else {
            return Vec::new();
        };
        let mut names = p.symbols.dim_names();
        for n in crate::expr::expr_dim_names(&p.expr) {
            if !names.contains(&n) {
                names.push(n);
            }
        }
        names
    }

    /// The sizes the check uses: `user`'s, and small defaults for the other dimensions.
    ///
    /// Errors when a size is invalid (unknown name, zero, too large) or there is no problem.
    pub fn check_sizes(&self, user: &BTreeMap<String, usize>) -> Result<Sizes, Diagnostic> {
        let p = self.problem.as_ref().ok_or_else(|| {
            Diagnostic::new(0..0, "there is no derivation to check").in_source(Source::Other)
        })?;
        numeric::resolve_problem_sizes(p, user)
    }
}

/// The analysis as the command's JSON shows it: the symbols and the variable at the top level,
/// the problem's expression as `expr_latex` and `expr_text`.
impl Serialize for Analysis {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Shown<'a> {
            diagnostics: &'a [Diagnostic],
            symbols: &'a [Symbol],
            wrt: Option<&'a str>,
            expr_latex: &'a Option<String>,
            expr_text: &'a Option<String>,
            derivation: &'a Option<Derivation>,
        }
        Shown {
            diagnostics: &self.diagnostics,
            symbols: self.symbols(),
            wrt: self.wrt(),
            expr_latex: &self.expr_latex,
            expr_text: &self.expr_text,
            derivation: &self.derivation,
        }
        .serialize(serializer)
    }
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
    /// A sentence to show with the derivation, where the result needs one (the variable does
    /// not occur in f, so the gradient is zero); in JSON only where there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// For a variable declared symmetric: sym(G) and the derivative by independent entries
    /// (see [`crate::symmetric`]); in JSON only for such a variable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub symmetric: Option<crate::symmetric::SymmetricForms>,
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
    /// What [`Derivation::note`] says.
    pub note: Option<String>,
}

/// Parses the input and its declarations, infers shapes and picks the variable: the typed
/// problem [`derive_exprs`] and [`derive`] take, with nothing printed.
pub fn problem(input: &Input) -> Result<Problem, Vec<Diagnostic>> {
    // The variable may be typed with a Greek character: `λ` is `lambda`.
    let wrt = input.wrt.as_deref().map(crate::greek::spelled);
    crate::lower::lower(&input.expr, &input.decls, wrt.as_deref())
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
            .with_code(Code::WorkBound)
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
    if !problem.expr.mentions(&problem.wrt) {
        // f does not depend on the variable: dy = 0 = Tr(0ᵀ dX), so the gradient is zero.
        steps.push(line(
            Lhs::Dy,
            Some(crate::rules::INDEPENDENT),
            Expr::Num(0.0),
        ));
        steps.push(line(
            Lhs::Gradient,
            Some(crate::rules::READ_OFF),
            Expr::Num(0.0),
        ));
        return Ok(RawDerivation {
            wrt: problem.wrt.clone(),
            wrt_kind,
            note: Some(absent_note(problem)),
            f,
            steps,
            gradient: Expr::Num(0.0),
        });
    }
    let too_large = || {
        Diagnostic::new(
            0..0,
            format!(
                "the derivation grows too large to show; the limit is {MAX_DERIVATION_NODES} nodes over all its lines"
            ),
        )
        .in_source(Source::Other)
        .with_hint("the product rule doubles the terms at every level of nested products; try a smaller expression")
        .with_code(Code::WorkBound)
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
        if crate::canon::kron_holds_dx(&dy, ctx) {
            return Diagnostic::new(
                0..0,
                "matdiff cannot take dX out of this Kronecker product: it rearranges traces of \
                 Kronecker products of square matrices, Tr(A ⊗ dX) = Tr(A) Tr(dX), not a \
                 Kronecker product next to another matrix or inside sum(·)",
            )
            .in_source(Source::Other)
            .with_hint(
                "supported: tr(kron(A, X)), tr(kron(X, B)), ||kron(A, X)||_F^2, tr(kron(A, X)*kron(B, X))",
            )
            .with_code(Code::Limitation);
        }
        Diagnostic::new(
            0..0,
            "matdiff could not bring this differential into the form Tr(Gᵀ dX)",
        )
        .in_source(Source::Other)
        .with_hint("this is a limitation of matdiff; please report the expression")
        .with_code(Code::Limitation)
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
        note: None,
    })
}

/// The sentence shown with the derivation of a function that does not mention its variable:
/// its symbols (so a misspelt variable shows), and the likely intended one where the variable's
/// name differs from a symbol's only in case or in one letter.
fn absent_note(problem: &Problem) -> String {
    let w = problem.wrt.as_str();
    let others: Vec<&str> = problem
        .symbols
        .symbols
        .iter()
        .map(|s| s.name.as_str())
        .filter(|n| *n != w && problem.expr.mentions(n))
        .collect();
    let symbols = match others.as_slice() {
        [] => "f has no symbols".to_string(),
        [one] => format!("the only symbol of f is {one}"),
        many => format!("the symbols of f are {}", many.join(", ")),
    };
    let mut note =
        format!("{w} does not occur in f ({symbols}), so the gradient with respect to {w} is zero");
    if let Some(near) = others.iter().find(|n| near_miss(n, w)) {
        note.push_str(&format!("; did you mean {near}?"));
    }
    note
}

/// Whether two names differ only in letter case, or by one letter changed, added or removed.
fn near_miss(a: &str, b: &str) -> bool {
    if a.eq_ignore_ascii_case(b) {
        return true;
    }
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    if short.len() < 2 || long.len() - short.len() > 1 {
        return false;
    }
    let prefix = short
        .iter()
        .zip(long.iter())
        .take_while(|(x, y)| x == y)
        .count();
    if short.len() == long.len() {
        short[prefix + 1..] == long[prefix + 1..]
    } else {
        short[prefix..] == long[prefix + 1..]
    }
}

/// Lines of plain text, each followed by its rule's note in brackets, the notes lined up in one
/// column after the longest line: `dy = tr(A*dX*B)   [trace: …]`.
pub(crate) fn text_with_rules(rows: &[(String, Option<String>)]) -> String {
    let width = rows
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for (line, rule) in rows {
        match rule {
            Some(rule) => {
                let pad = width - line.chars().count();
                out.push_str(&format!("{line}{}   [{rule}]\n", " ".repeat(pad)));
            }
            None => out.push_str(&format!("{line}\n")),
        }
    }
    out
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
                        latex: format!(r"\mathrm{{d}}{}", print::parenthesized(&f_latex)),
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
    let symmetric = crate::symmetric::symmetric_forms(&raw.gradient, &raw.wrt, symbols);
    Derivation {
        symmetric,
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
        note: raw.note,
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
    let wrt = input.wrt.as_deref().map(crate::greek::spelled);
    let problem = match crate::lower::lower_offering(&input.expr, &input.decls, wrt.as_deref()) {
        Ok((p, others)) => {
            analysis.other_readings = others;
            p
        }
        Err(diagnostics) => {
            analysis.diagnostics = diagnostics;
            return analysis;
        }
    };
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
    analysis.problem = Some(problem);
    analysis
}

/// Runs the gradient check and the step check of an analysis's derivation at random values:
/// the problem's f against the gradient, and every dy line against the directional derivative.
///
/// Errors when there is no derivation or a size is invalid (unknown name, zero, too large).
pub fn check(analysis: &Analysis, options: &CheckOptions) -> Result<CheckReport, Diagnostic> {
    let (Some(problem), Some(d)) = (&analysis.problem, &analysis.derivation) else {
        return Err(
            Diagnostic::new(0..0, "there is no derivation to check").in_source(Source::Other)
        );
    };
    let sizes = numeric::resolve_problem_sizes(problem, &options.sizes)?;
    let dy: Vec<Expr> = d.dy_lines().map(|s| s.expr.clone()).collect();
    let report = numeric::run_check(problem, &dy, &d.gradient, &sizes, options.seed);
    Ok(match &d.symmetric {
        Some(s) => report.with_symmetric(numeric::run_symmetric_check(
            problem,
            &dy,
            (&s.symmetric.expr, &s.entries.expr),
            &sizes,
            options.seed,
        )),
        None => report,
    })
}

/// The check of one derivation line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LineCheck<'a> {
    /// A dy line, against the directional derivative of f.
    Dy(&'a StepCheck),
    /// A ∇f line, by the gradient check.
    Gradient(&'a GradientCheck),
    /// Not checked (the check stopped before it).
    None,
}

impl LineCheck<'_> {
    /// Whether the line's check passed; `None` when it was not checked.
    pub fn passed(&self) -> Option<bool> {
        match self {
            LineCheck::Dy(s) => Some(s.passed),
            LineCheck::Gradient(g) => Some(g.passed),
            LineCheck::None => None,
        }
    }
}

impl CheckReport {
    /// The check of every line of `d`, the derivation this report checked, in order: the dy
    /// lines by their step checks, the ∇f lines by the gradient check.
    pub fn lines<'a>(&'a self, d: &'a Derivation) -> Vec<(&'a Step, LineCheck<'a>)> {
        let mut dy = self.steps.iter();
        d.steps
            .iter()
            .map(|s| {
                let check = match s.lhs {
                    Lhs::Dy => dy.next().map_or(LineCheck::None, LineCheck::Dy),
                    Lhs::Gradient => self
                        .gradient
                        .as_ref()
                        .map_or(LineCheck::None, LineCheck::Gradient),
                };
                (s, check)
            })
            .collect()
    }

    /// The dy lines of `d` with their step checks, in order.
    pub fn dy_lines<'a>(&'a self, d: &'a Derivation) -> Vec<(&'a Step, &'a StepCheck)> {
        d.dy_lines().zip(&self.steps).collect()
    }
}

impl Derivation {
    /// The dy lines, in order: the steps up to the read-off of the gradient, the ones the step
    /// check evaluates along a random dX.
    pub fn dy_lines(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(|s| s.lhs == Lhs::Dy)
    }

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
        if let Some(note) = &self.note {
            out.push_str(&format!("% {note}\n"));
        }
        out
    }

    /// Plain text, one line per step with its rule: `dy = tr(A*dX*B)    [constant]`.
    pub fn to_text(&self) -> String {
        let lhs_text = |lhs: Lhs| match lhs {
            Lhs::Dy => "dy".to_string(),
            Lhs::Gradient => format!("grad_{} f", self.wrt),
        };
        let rows: Vec<(String, Option<String>)> = self
            .steps
            .iter()
            .map(|s| {
                let line = format!("{} = {}", lhs_text(s.lhs), s.text);
                (line, s.rule.map(|r| format!("{}: {}", r.id, s.note())))
            })
            .collect();
        let mut out = text_with_rules(&rows);
        if let Some(note) = &self.note {
            out.push_str(&format!("note: {note}\n"));
        }
        out
    }

    /// Markdown with `$$…$$` display math (Pandoc, Quarto, Jupyter Book): each line after the
    /// rule that produced it. [`crate::publish::markdown`] also writes mdBook's syntax.
    pub fn to_markdown(&self) -> String {
        crate::publish::markdown(self, crate::publish::MathSyntax::Pandoc)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numeric::Verdict;
    use std::fmt::Write as _;

    fn input(expr: &str, decls: &str) -> Input {
        Input {
            expr: expr.into(),
            decls: decls.into(),
            wrt: None,
        }
    }

    fn checked(a: &Analysis) -> CheckReport {
        check(
            a,
            &CheckOptions {
                sizes: BTreeMap::new(),
                seed: 1,
            },
        )
        .expect("a check")
    }

    #[test]
    fn the_analysis_carries_the_problem_whole() {
        let i = input("tr(A*X*B)", "A: 3x4, X: 4x5, B: 5x3");
        let a = analyze(&i);
        assert_eq!(a.problem, problem(&i).ok());
        assert_eq!(a.wrt(), Some("X"));
        let names: Vec<&str> = a.symbols().iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["A", "X", "B"]);
        // Bad input leaves no problem, no symbols and no variable.
        let bad = analyze(&input("tr(X", ""));
        assert!(bad.problem.is_none() && bad.symbols().is_empty() && bad.wrt().is_none());
        assert!(check(&bad, &CheckOptions::default()).is_err());
    }

    #[test]
    fn dimension_names_include_those_only_the_expression_has() {
        // The identity's size is its own dimension: no symbol carries it.
        let a = analyze(&input("tr(eye) + tr(X)", "X: n x n"));
        assert_eq!(a.symbols().len(), 1);
        assert_eq!(a.dim_names(), ["n", "m"]);
        let a = analyze(&input("x'*A*x", ""));
        assert_eq!(a.dim_names(), ["n"]);
        let sizes = a.check_sizes(&BTreeMap::from([("n".to_string(), 5)]));
        assert_eq!(sizes.ok().and_then(|s| s.get("n").copied()), Some(5));
        assert!(a
            .check_sizes(&BTreeMap::from([("q".to_string(), 5)]))
            .is_err());
    }

    #[test]
    fn every_line_has_its_check_dy_lines_by_step_and_gradient_lines_by_the_gradient() {
        let a = analyze(&input("logdet(X'*X)", ""));
        let d = a.derivation.as_ref().expect("a derivation");
        let r = checked(&a);
        assert_eq!(r.verdict(), Verdict::Passed);
        let lines = r.lines(d);
        assert_eq!(lines.len(), d.steps.len());
        let dy = d.dy_lines().count();
        assert!(dy >= 3 && dy < d.steps.len(), "{dy} of {}", d.steps.len());
        assert_eq!(r.dy_lines(d).len(), dy);
        for (i, (step, c)) in lines.iter().enumerate() {
            assert!(std::ptr::eq(*step, &d.steps[i]));
            match (step.lhs, c) {
                (Lhs::Dy, LineCheck::Dy(s)) => assert!(std::ptr::eq(*s, &r.steps[i]) && s.passed),
                (Lhs::Gradient, LineCheck::Gradient(g)) => assert!(g.passed),
                other => panic!("line {i}: {other:?}"),
            }
        }
    }

    /// A variable f does not mention: dy = 0 by the rule `independent`, the gradient 0 of the
    /// variable's shape, a note naming f's symbols (and a near miss), and a check that passes
    /// with finite differences exactly zero.
    #[test]
    fn a_variable_that_does_not_occur_in_f_has_the_gradient_zero() {
        let mut out = String::new();
        for (expr, decls, wrt) in [
            ("tr(A)", "", "X"),
            ("tr(A)", "X: 3x4", "X"),
            ("tr(A*X)", "", "x"),
            ("x'*A*x", "", "Y"),
            ("log(a) + b", "", "alpha"),
            ("2 + 3", "", "w"),
        ] {
            let a = analyze(&Input {
                wrt: Some(wrt.into()),
                ..input(expr, decls)
            });
            let d = a.derivation.as_ref().expect("a derivation");
            let var = a
                .symbols()
                .iter()
                .find(|s| s.name == wrt)
                .expect("the variable");
            let r = checked(&a);
            let g = r.gradient.as_ref().expect("a gradient check");
            assert_eq!(r.verdict(), Verdict::Passed, "{expr} wrt {wrt}");
            assert_eq!(g.rel_error, 0.0, "{expr} wrt {wrt}");
            assert!(r.steps.iter().all(|s| s.passed), "{expr} wrt {wrt}");
            let _ = writeln!(
                out,
                "{expr} wrt {wrt} ({} {}×{}):\n{}",
                var.kind,
                var.shape.rows,
                var.shape.cols,
                d.to_text()
            );
        }
        expect_test::expect![[r#"
            tr(A) wrt X (matrix m×p):
            dy = d(tr(A))
            dy = 0          [independent: f does not depend on the variable]
            grad_X f = 0    [read-off: differential-gradient equation]
            note: X does not occur in f (the only symbol of f is A), so the gradient with respect to X is zero

            tr(A) wrt X (matrix 3×4):
            dy = d(tr(A))
            dy = 0          [independent: f does not depend on the variable]
            grad_X f = 0    [read-off: differential-gradient equation]
            note: X does not occur in f (the only symbol of f is A), so the gradient with respect to X is zero

            tr(A*X) wrt x (vector p×1):
            dy = d(tr(A*X))
            dy = 0            [independent: f does not depend on the variable]
            grad_x f = 0      [read-off: differential-gradient equation]
            note: x does not occur in f (the symbols of f are A, X), so the gradient with respect to x is zero; did you mean X?

            x'*A*x wrt Y (matrix m×p):
            dy = d(x'*A*x)
            dy = 0           [independent: f does not depend on the variable]
            grad_Y f = 0     [read-off: differential-gradient equation]
            note: Y does not occur in f (the symbols of f are x, A), so the gradient with respect to Y is zero

            log(a) + b wrt alpha (scalar 1×1):
            dy = d(log(a) + b)
            dy = 0               [independent: f does not depend on the variable]
            grad_alpha f = 0     [read-off: differential-gradient equation]
            note: alpha does not occur in f (the symbols of f are a, b), so the gradient with respect to alpha is zero

            2 + 3 wrt w (vector n×1):
            dy = d(5)
            dy = 0         [independent: f does not depend on the variable]
            grad_w f = 0   [read-off: differential-gradient equation]
            note: w does not occur in f (f has no symbols), so the gradient with respect to w is zero

        "#]]
        .assert_eq(&out);
    }

    /// The variable of `tr(A*X*B)` with A 3×4 and X 4×5, with its gradient replaced by `A`, a
    /// 3×4 matrix: a gradient of the wrong shape, which cannot be compared with finite
    /// differences at all.
    fn broken_gradient() -> Analysis {
        let mut a = analyze(&input("tr(A*X*B)", "A: 3x4, X: 4x5, B: 5x3"));
        let d = a.derivation.as_mut().expect("a derivation");
        d.gradient = Expr::sym("A");
        a
    }

    #[test]
    fn a_gradient_that_cannot_be_evaluated_fails() {
        let a = broken_gradient();
        let r = checked(&a);
        assert!(r.gradient.is_none() && !r.passed && !r.undecidable);
        expect_test::expect![[r#"
            Failed(
                "the gradient is 3×4 but X is 4×5: a gradient has the shape of its variable",
            )
        "#]]
        .assert_debug_eq(&r.verdict());
        // The gradient lines are not checked; the dy lines still are.
        let d = a.derivation.as_ref().expect("a derivation");
        let marks: Vec<Option<bool>> = r.lines(d).iter().map(|(_, c)| c.passed()).collect();
        let dy = d.dy_lines().count();
        assert_eq!(marks[..dy], vec![Some(true); dy][..]);
        assert!(marks[dy..].iter().all(Option::is_none), "{marks:?}");
    }

    #[test]
    fn a_wrong_dy_line_fails_by_its_number() {
        let mut a = analyze(&input("tr(A*X*B)", ""));
        let d = a.derivation.as_mut().expect("a derivation");
        d.steps[2].expr = Expr::neg(d.steps[2].expr.clone());
        let r = checked(&a);
        assert_eq!(
            r.verdict(),
            Verdict::Failed("step 2 disagrees with dy".to_string())
        );
        let marks: Vec<Option<bool>> = r
            .lines(a.derivation.as_ref().expect("a derivation"))
            .iter()
            .map(|(_, c)| c.passed())
            .collect();
        assert_eq!(
            marks[..4],
            [Some(true), Some(true), Some(false), Some(true)]
        );
    }
}
