//! Practice of a derivation: the rule choices offered at a step, why a wrong rule is not the
//! step, and the check of a line the learner types (numerically along random dX).

use crate::api::{Analysis, Derivation};
use crate::decls::Decl;
use crate::diagnostic::Diagnostic;
use crate::expr::{Dim, Expr, Func, Kind, Problem};
use crate::numeric;
use crate::rules::{self, Rule};
use std::collections::BTreeMap;

/// How many rules a step offers: the right one and plausible wrong ones.
pub const CHOICES: usize = 3;

/// Seeds of the numeric check of a typed line: it must agree at each.
const LINE_SEEDS: [u64; 2] = [11, 29];

/// Rules that make plausible wrong choices at any step, most common confusions first.
const DISTRACTORS: &[Rule] = &[
    rules::TRACE_CYCLIC,
    rules::TRANSPOSE,
    rules::PRODUCT,
    rules::TRACE_TRANSPOSE,
    rules::LINEARITY,
    rules::CONSTANT,
    rules::SCALAR_TRANSPOSE,
    rules::INVERSE,
    rules::TRACE,
    rules::DETERMINANT,
    rules::CHAIN_SCALAR,
    rules::DISTRIBUTE,
];

/// The practised lines of a derivation: the dy lines after `dy = d(f)`, by their index in
/// [`Derivation::steps`].
pub fn practice_steps(d: &Derivation) -> std::ops::Range<usize> {
    1..d.dy_lines().count()
}

/// The rules offered at `step` (an index of [`Derivation::steps`]): the rule that produced the
/// line and [`CHOICES`]` - 1` others, chosen deterministically from the step. A wrong choice is
/// never a rule this derivation applies at this step or later (so "it is not the step here"
/// holds). Empty when the line has no rule.
pub fn rule_choices(d: &Derivation, step: usize) -> Vec<Rule> {
    let Some(right) = d.steps.get(step).and_then(|s| s.rule) else {
        return Vec::new();
    };
    let later: Vec<&str> = d.steps[step..]
        .iter()
        .filter_map(|s| s.rule.map(|r| r.id))
        .collect();
    // Rules of this derivation's earlier lines are the most plausible confusions, then the list.
    let earlier = d.steps[1..step].iter().rev().filter_map(|s| s.rule);
    let mut pool: Vec<Rule> = Vec::new();
    for r in earlier.chain(DISTRACTORS.iter().copied()) {
        if !later.contains(&r.id) && !pool.iter().any(|p| p.id == r.id) {
            pool.push(r);
        }
    }
    let wrong = CHOICES - 1;
    let mut out: Vec<Rule> = pool.into_iter().take(wrong).collect();
    // The right rule's place moves with the step, so it is not always the first button.
    out.insert((step % CHOICES).min(out.len()), right);
    out
}

/// Why `rule` is not the step that produces line `step` from the line before, without naming
/// the right rule or the next line: what the rule needs, and what the line before is like.
pub fn why_not(d: &Derivation, step: usize, rule: &Rule) -> String {
    let Some(prev) = step.checked_sub(1).and_then(|i| d.steps.get(i)) else {
        return String::new();
    };
    let seen = Seen::of(&prev.expr, &d.wrt);
    let none = |what: &str| format!("the {} is about {what}, and this line has none", rule.name);
    let need = match rule.id {
        "trace-cyclic" if !seen.trace => "the cyclic property moves a factor from one end of a trace to the other; there is no trace around this product".to_string(),
        "trace-cyclic" => "the cyclic property moves a factor from one end of a trace to the other; that does not bring this line closer to Tr(G dX) now".to_string(),
        "trace-transpose" | "trace-linearity" | "trace" | "trace-of-scalar" if !seen.trace => none("a trace"),
        "transpose" | "transpose-product" if !seen.transpose => none("a transpose"),
        "inverse" if !seen.inverse => none("an inverse"),
        "determinant" | "log-det" if !seen.determinant => none("a determinant"),
        "product-rule" if !seen.d_of_product => "the product rule takes d(·) of a product apart; no d(·) here stands around a product".to_string(),
        "constant" => "the differential of a constant is zero; no d(·) here stands around a constant alone".to_string(),
        "linearity" if !seen.d_of_sum => "linearity takes d(·) of a sum apart; no d(·) here stands around a sum".to_string(),
        _ if seen.open_d => format!("the {} is not what the next d(·) needs", rule.name),
        _ => format!("the {} does not fit this line", rule.name),
    };
    let phase = if seen.open_d {
        "d(·) still stands around more than the variable, so the differentiation is not finished"
    } else {
        "only d of the variable is left, so the line is being rearranged into Tr(Gᵀ dX)"
    };
    format!("Not this one: {need}. Here {phase}.")
}

/// What a line has, for [`why_not`]: found in one walk.
#[derive(Default)]
struct Seen {
    trace: bool,
    transpose: bool,
    inverse: bool,
    determinant: bool,
    d_of_product: bool,
    d_of_sum: bool,
    /// A d(·) around something other than the variable.
    open_d: bool,
}

impl Seen {
    fn of(e: &Expr, wrt: &str) -> Seen {
        let mut s = Seen::default();
        e.any(&mut |n| {
            match n {
                Expr::Call(Func::Tr, _) => s.trace = true,
                Expr::Call(Func::Det | Func::LogDet, _) => s.determinant = true,
                Expr::Transpose(_) => s.transpose = true,
                Expr::Inv(_) => s.inverse = true,
                Expr::D(a) => match &**a {
                    Expr::Sym(x) if &**x == wrt => {}
                    inner => {
                        s.open_d = true;
                        s.d_of_product |= matches!(inner, Expr::Mul(_));
                        s.d_of_sum |= matches!(inner, Expr::Add(_));
                    }
                },
                _ => {}
            }
            false
        });
        s
    }
}

/// What became of a line the learner typed.
#[derive(Clone, Debug, PartialEq)]
pub enum LineVerdict {
    /// The line equals the right next line numerically along random dX.
    Accepted,
    /// It does not, with why.
    Rejected(String),
    /// No random sample allowed a reliable comparison.
    Undecided(String),
    /// It does not parse or type in the problem's context.
    Invalid(Vec<Diagnostic>),
}

/// Checks a line typed as the next line `step` (an index of [`Derivation::steps`], a dy line
/// after the first): parsed in the problem's symbols (with their shapes and properties), where
/// `dX` or `d(X)` is the differential of the variable X; accepted when it equals the right line
/// numerically along random dX at every seed tried, and is not just the previous line again.
/// A leading `dy =` is allowed.
pub fn check_line(analysis: &Analysis, step: usize, text: &str) -> LineVerdict {
    let (Some(problem), Some(d)) = (&analysis.problem, &analysis.derivation) else {
        return invalid("there is no derivation to practise");
    };
    if !practice_steps(d).contains(&step) {
        return invalid("there is no such line to practise");
    }
    let typed = match lower_line(problem, text) {
        Ok(e) => e,
        Err(diags) => return LineVerdict::Invalid(diags),
    };
    // A size the line has that f does not (the length of a `vector(1)` nothing else fixes).
    let known = analysis.dim_names();
    if let Some(free) = crate::expr::expr_dim_names(&typed)
        .into_iter()
        .find(|n| !known.contains(n))
    {
        return invalid(&format!(
            "a size in this line is not fixed by anything in it (it would be a new dimension {free}): \
             give the ones vector or matrix a size through the symbols of f"
        ));
    }
    let render = crate::print::Renderer::new(&problem.symbols);
    if render.text(&typed) == d.steps[step - 1].text {
        return LineVerdict::Rejected(
            "that is the line you already have: apply one rule to it".to_string(),
        );
    }
    let sizes = match numeric::resolve_problem_sizes(problem, &BTreeMap::new()) {
        Ok(s) => s,
        Err(e) => return LineVerdict::Invalid(vec![e]),
    };
    let lines = [d.steps[step].expr.clone(), typed];
    for seed in LINE_SEEDS {
        let r = numeric::run_check(problem, &lines, &d.gradient, &sizes, seed);
        if r.undecidable {
            return LineVerdict::Undecided(r.message.unwrap_or_default());
        }
        match (r.steps.first(), r.steps.get(1)) {
            (Some(right), Some(mine)) if right.passed && !mine.passed => {
                let why = match &r.message {
                    Some(m) => format!("it cannot be evaluated: {m}"),
                    None => "it differs from dy along a random dX".to_string(),
                };
                return LineVerdict::Rejected(format!("Not equal to dy: {why}."));
            }
            (Some(right), Some(_)) if right.passed => {}
            _ => {
                return LineVerdict::Undecided(
                    r.message
                        .unwrap_or_else(|| "the right line could not be checked".to_string()),
                )
            }
        }
    }
    LineVerdict::Accepted
}

fn invalid(message: &str) -> LineVerdict {
    LineVerdict::Invalid(vec![
        Diagnostic::new(0..0, message).in_source(crate::diagnostic::Source::Other)
    ])
}

/// The name the differential of `wrt` has while a typed line is read.
fn differential_name(wrt: &str) -> String {
    format!("d{wrt}")
}

/// Parses and types a typed line in the problem's context: every symbol of f with its shape and
/// properties declared, and `dX` a symbol of the variable's shape, then made the differential.
fn lower_line(problem: &Problem, text: &str) -> Result<Expr, Vec<Diagnostic>> {
    let wrt = problem.wrt.as_str();
    let dx = differential_name(wrt);
    let body = text.trim();
    let body = body
        .strip_prefix("dy")
        .map(str::trim_start)
        .and_then(|r| r.strip_prefix('='))
        .unwrap_or(body);
    // `d(e)`: read as a call of a stand-in elementwise function the line does not use (its
    // typing is the differential's: the shape of e), then made `D(e)`.
    let Some(stand_in) = STAND_INS.iter().copied().find(|f| !body.contains(f.name())) else {
        return Err(vec![Diagnostic::new(
            0..body.len(),
            "this line uses too many functions to be read",
        )]);
    };
    let body = differentials(body, stand_in.name());
    let parsed = crate::syntax::parse(&body);
    let ast = match (parsed.ast, parsed.diagnostics.is_empty()) {
        (Some(ast), true) => ast,
        (_, _) if !parsed.diagnostics.is_empty() => return Err(parsed.diagnostics),
        _ => {
            return Err(vec![Diagnostic::new(
                0..0,
                "type the next line, e.g. tr(A*dX*B)",
            )])
        }
    };

    let mut decls: Vec<Decl> = problem.symbols.symbols.iter().map(decl_of).collect();
    // `dA` is the differential of the symbol A (zero for a constant, as the derivation writes it).
    let differentials: Vec<(String, String)> = problem
        .symbols
        .symbols
        .iter()
        .map(|s| (differential_name(&s.name), s.name.clone()))
        .filter(|(d, _)| problem.symbols.get(d).is_none())
        .collect();
    for (name, of) in &differentials {
        if let Some(x) = problem.symbols.get(of) {
            let mut d = decl_of(x);
            d.name = name.clone();
            d.symmetric = false;
            d.spd = false;
            decls.push(d);
        }
    }
    let line = crate::lower::lower_ast(&ast, &decls, Some(&dx))?;
    let known =
        |n: &str| problem.symbols.get(n).is_some() || differentials.iter().any(|(d, _)| d == n);
    let mut stray = None;
    line.expr.any(&mut |n| match n {
        Expr::Sym(s) if !known(s) => {
            stray = Some(s.to_string());
            true
        }
        _ => false,
    });
    if let Some(s) = stray {
        let msg = if s == "d" {
            format!("write the differential of the variable as d{wrt}; d(·) of other expressions is not read in a typed line")
        } else {
            format!("f has no symbol {s}")
        };
        return Err(vec![Diagnostic::new(0..body.len(), msg)]);
    }
    Ok(replace_differential(line.expr, &differentials, stand_in))
}

/// Elementwise functions that stand in for `d(·)` while a typed line is lowered.
const STAND_INS: &[Func] = &[
    Func::Step,
    Func::Log1p,
    Func::Softplus,
    Func::Asin,
    Func::Acos,
];

/// The text with every `d(` (the name `d` right before a parenthesis) made `name(`.
fn differentials(text: &str, name: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut prev = ' ';
    for (i, c) in text.char_indices() {
        let alone = !(prev.is_alphanumeric() || prev == '_');
        if c == 'd' && alone && text[i + 1..].starts_with('(') {
            out.push_str(name);
        } else {
            out.push(c);
        }
        prev = c;
    }
    out
}

/// The tree with the symbols `dA` replaced by `d(A)` and calls of `stand_in` by `d(·)`.
fn replace_differential(e: Expr, differentials: &[(String, String)], stand_in: Func) -> Expr {
    match e {
        Expr::Sym(s) => match differentials.iter().find(|(d, _)| **d == *s) {
            Some((_, of)) => Expr::d(Expr::sym(of)),
            None => Expr::Sym(s),
        },
        Expr::Call(f, args) if f == stand_in && args.len() == 1 => Expr::d(replace_differential(
            (*args[0]).clone(),
            differentials,
            stand_in,
        )),
        other => other.map_children(|c| replace_differential(c, differentials, stand_in)),
    }
}

/// The declaration of a symbol as it was typed in the problem: kind, shape and properties.
fn decl_of(s: &crate::expr::Symbol) -> Decl {
    let dim = |d: &Dim| Some(d.clone());
    Decl {
        name: s.name.clone(),
        name_span: 0..0,
        span: 0..0,
        kind: s.kind,
        rows: dim(&s.shape.rows),
        cols: dim(&s.shape.cols),
        square: s.kind == Kind::Matrix && s.shape.rows == s.shape.cols,
        symmetric: s.symmetric,
        spd: s.spd,
    }
}

#[cfg(test)]
mod tests;
