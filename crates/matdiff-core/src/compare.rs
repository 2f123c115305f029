//! "Is my answer right?": a claimed gradient read in the symbol context of f, decided
//! numerically against finite differences of f, and, when it is wrong, the usual mistake named.
//!
//! The verdict never depends on matdiff's own gradient: [`decide`] runs the gradient check of
//! [`numeric::run_check`] with the claim in place of the gradient, at several random samples
//! (correct when every reliable sample passes and one does; incorrect when one fails;
//! undecided when none is reliable). The diagnosis then compares the claim with the engine's
//! gradient G at exact samples: the transpose, a scalar factor (least squares, then confirmed),
//! the sign, agreement once a free square matrix is made symmetric, one term of G missing or
//! one term of the claim too many, and the shape.

use crate::api::Analysis;
use crate::diagnostic::{Diagnostic, Source};
use crate::expr::{Expr, Kind, Problem, Shape, SymbolTable};
use crate::numeric::{self, eval, Env, Sizes, Values, Verdict};
use crate::print;
use nalgebra::DMatrix;
use serde::Serialize;

mod second;
pub use second::{compare_second, decide_second, SecondComparison};

type M = DMatrix<f64>;

/// Random samples (each with the check's own replacements of bad samples) a claim must pass.
const SAMPLES: u64 = 3;
/// Relative agreement two exactly evaluated matrices need to count as equal in a diagnosis.
const AGREE: f64 = 1e-7;
/// Most terms a sum is split into for the missing-term and extra-term tests.
const MAX_TERMS: usize = 24;

/// What the claim was found to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClaimVerdict {
    Correct,
    Incorrect,
    Undecided,
}

impl ClaimVerdict {
    /// `"correct"`, `"incorrect"` or `"undecided"`.
    pub fn name(self) -> &'static str {
        match self {
            ClaimVerdict::Correct => "correct",
            ClaimVerdict::Incorrect => "incorrect",
            ClaimVerdict::Undecided => "undecided",
        }
    }
}

/// The kind of a mistake found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MistakeKind {
    /// The claim is the transpose of ∇f.
    Transposed,
    /// The claim is c ∇f for a factor c other than 1 and −1.
    Scaled,
    /// The claim is −∇f.
    Sign,
    /// The claim equals ∇f once a matrix not declared symmetric is symmetric.
    NeedsSymmetric,
    /// The claim plus one term of ∇f is ∇f.
    MissingTerm,
    /// The claim minus one of its terms is ∇f.
    ExtraTerm,
    /// The claim has another shape than the variable, or a symbol f does not have.
    Shape,
}

/// One mistake found, with a sentence for the learner.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Mistake {
    pub kind: MistakeKind,
    pub message: String,
    /// The factor c of a scaled claim (claim = c ∇f).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub factor: Option<f64>,
    /// The matrix that would have to be symmetric.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub symbol: Option<String>,
    /// The missing or extra term, in input syntax and in LaTeX.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub term: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub term_latex: Option<String>,
}

impl Mistake {
    fn new(kind: MistakeKind, message: String) -> Mistake {
        Mistake {
            kind,
            message,
            factor: None,
            symbol: None,
            term: None,
            term_latex: None,
        }
    }
}

/// The answer to "is my ∇f right?".
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    pub verdict: ClaimVerdict,
    /// What is wrong, when the claim is incorrect and a usual mistake explains it.
    pub diagnosis: Vec<Mistake>,
    /// One sentence: the verdict and why (the check's reason when incorrect or undecided).
    pub message: String,
    /// The variable.
    pub wrt: String,
    /// The claim as read, in input syntax and LaTeX.
    pub claim_text: String,
    pub claim_latex: String,
    /// matdiff's gradient, when the engine derived one.
    pub gradient_text: Option<String>,
    pub gradient_latex: Option<String>,
    /// The claim is correct and written otherwise than matdiff's gradient.
    pub written_differently: bool,
}

/// A claim read in the symbol context of f.
#[derive(Clone, Debug, PartialEq)]
pub struct Claim {
    pub expr: Expr,
    /// The claim's symbols (f's, as f has them) with the dimensions it names.
    pub symbols: SymbolTable,
    pub shape: Shape,
    /// Names the claim uses that f does not have.
    pub foreign: Vec<String>,
}

/// Reads `text` as a gradient in the symbol context of `problem`: the same symbols with the
/// same kinds, shapes and properties. Unicode and LaTeX are read as in f. Errors are
/// diagnostics with spans into `text`.
/// Beside the result, the names the claim uses that f does not have (also when it does not
/// type: a foreign symbol is the better explanation).
pub fn read_claim(problem: &Problem, text: &str) -> (Result<Claim, Vec<Diagnostic>>, Vec<String>) {
    let (p, foreign) = crate::lower::lower_claim(text, &problem.symbols, &problem.wrt);
    let claim = p.map(|p| Claim {
        shape: crate::expr::shape_of(&p.expr, &p.symbols),
        expr: p.expr,
        symbols: p.symbols,
        foreign: foreign.clone(),
    });
    (claim, foreign)
}

/// A claimed identity pasted from notes, `f = …, ∇f = …`: the two right-hand sides, split at
/// the top-level comma (or semicolon) before `∇f`, `grad f` or `\nabla f`. `None` when `text`
/// is not of that form.
pub fn split_identity(text: &str) -> Option<(&str, &str)> {
    let t = text.trim();
    let rest = t.strip_prefix("f")?.trim_start().strip_prefix('=')?;
    let mut depth = 0i32;
    for (i, c) in rest.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' | ';' if depth == 0 => {
                // The second left-hand side names a gradient of f: `∇f`, `∇_X f`,
                // `\nabla_{X} f`, `grad f`, `df/dX`.
                let (lhs, claim) = rest[i + 1..].split_once('=')?;
                let lhs = lhs.trim();
                let gradient = ["∇", "\\nabla", "grad", "df/d"]
                    .iter()
                    .any(|p| lhs.starts_with(p))
                    && lhs.contains('f');
                return gradient.then(|| (rest[..i].trim(), claim.trim()));
            }
            _ => {}
        }
    }
    None
}

/// The verdict on a claimed gradient expression, and the reason when it is not correct.
///
/// The gradient check of f against `claim` at [`SAMPLES`] random samples: incorrect as soon
/// as one sample fails reliably, correct when one passes and none fails, undecided when no
/// sample allows a reliable check. This is the function a practice mode reuses for a typed ∇f.
pub fn decide(problem: &Problem, claim: &Expr, sizes: &Sizes, seed: u64) -> (ClaimVerdict, String) {
    let mut passed = false;
    let mut undecided = String::new();
    for k in 0..SAMPLES {
        let s = if k == 0 {
            seed
        } else {
            crate::numeric::derive_seed(seed, 500 + k)
        };
        match numeric::run_check(problem, &[], claim, sizes, s).verdict() {
            Verdict::Passed => passed = true,
            Verdict::Failed(reason) => return (ClaimVerdict::Incorrect, reason),
            Verdict::Undecided(reason) => undecided = reason,
        }
    }
    if passed {
        (ClaimVerdict::Correct, String::new())
    } else {
        (ClaimVerdict::Undecided, undecided)
    }
}

/// Compares a claimed gradient with f of `analysis`: reads it, decides it and diagnoses it.
///
/// Errors (bad input) when f has no problem, the claim does not parse or type, or a size is
/// invalid; the diagnostics' spans point into `claim`. A claim that only has another shape
/// or a symbol f lacks is not bad input: it is incorrect, with a `shape` diagnosis.
pub fn compare(
    analysis: &Analysis,
    claim: &str,
    options: &crate::api::CheckOptions,
) -> Result<Comparison, Vec<Diagnostic>> {
    let Some(problem) = &analysis.problem else {
        return Err(vec![Diagnostic::new(
            0..0,
            "f has to be read before a claim can be compared",
        )
        .in_source(Source::Other)]);
    };
    let gradient = analysis.derivation.as_ref().map(|d| &d.gradient);
    let mut out = Comparison {
        verdict: ClaimVerdict::Incorrect,
        diagnosis: Vec::new(),
        message: String::new(),
        wrt: problem.wrt.clone(),
        claim_text: String::new(),
        claim_latex: String::new(),
        gradient_text: analysis
            .derivation
            .as_ref()
            .map(|d| d.gradient_text.clone()),
        gradient_latex: analysis
            .derivation
            .as_ref()
            .map(|d| d.gradient_latex.clone()),
        written_differently: false,
    };
    let (read, foreign) = read_claim(problem, claim);
    if !foreign.is_empty() {
        let names = &foreign[0];
        out.message = format!("not correct: f has no {names}");
        out.claim_text = claim.trim().to_string();
        out.diagnosis.push(Mistake::new(
            MistakeKind::Shape,
            format!("{names}: not a symbol of f"),
        ));
        return Ok(out);
    }
    let claim = match read {
        Ok(c) => c,
        // A claim that parses but does not type (`A*B` for tr(AXB)) is a wrong answer of no
        // shape, not bad input; what does not parse, or is too large, is.
        Err(diags) => {
            let typed = crate::syntax::parse(claim).diagnostics.is_empty();
            match diags.first() {
                Some(d) if typed && d.code == crate::diagnostic::Code::Input => {
                    out.claim_text = claim.trim().to_string();
                    out.message = format!("not correct: your ∇f has no shape: {}", d.message);
                    out.diagnosis.push(Mistake::new(
                        MistakeKind::Shape,
                        format!("your ∇f does not type with f's shapes: {}", d.message),
                    ));
                    return Ok(out);
                }
                _ => return Err(diags),
            }
        }
    };
    out.claim_text = print::text(&claim.expr, &claim.symbols);
    out.claim_latex = print::latex(&claim.expr, &claim.symbols);
    let mut sizes = numeric::resolve_problem_sizes(problem, &options.sizes).map_err(|d| vec![d])?;
    // Sizes only the claim names (an identity of its own size) get defaults too.
    let claim_dims = crate::expr::expr_dim_names(&claim.expr);
    if claim_dims.iter().any(|d| !sizes.contains_key(d)) {
        let own = numeric::resolve_sizes_with(&claim.symbols, &claim_dims, &Sizes::new())
            .map_err(|d| vec![d])?;
        // f's sizes win over the claim's defaults.
        let mut own = own;
        own.extend(std::mem::take(&mut sizes));
        sizes = own;
    }
    let var_shape = problem
        .symbols
        .get(&problem.wrt)
        .map(|s| s.shape.clone())
        .unwrap_or_else(Shape::scalar);
    let is_zero = matches!(claim.expr, Expr::Num(z) if z == 0.0);
    if claim.shape != var_shape && !is_zero {
        out.message = format!("not correct: {} is a {var_shape}", problem.wrt);
        // A row where a column is wanted (or the other way): transposed when its transpose is
        // right, decided as the claim itself would be.
        let transposed = claim.shape == var_shape.transposed()
            && decide(problem, &Expr::t(claim.expr.clone()), &sizes, options.seed).0
                == ClaimVerdict::Correct;
        let (kind, what) = if transposed {
            (MistakeKind::Transposed, "this is the transpose of ∇f")
        } else {
            (
                MistakeKind::Shape,
                "a gradient has the shape of its variable",
            )
        };
        out.diagnosis.push(Mistake::new(
            kind,
            format!(
                "{what}: yours is a {}, {} is a {var_shape}",
                claim.shape, problem.wrt
            ),
        ));
        return Ok(out);
    }
    let (verdict, reason) = decide(problem, &claim.expr, &sizes, options.seed);
    out.verdict = verdict;
    match verdict {
        ClaimVerdict::Correct => {
            out.written_differently = out
                .gradient_text
                .as_ref()
                .is_some_and(|g| *g != out.claim_text);
            out.message = match &out.gradient_text {
                Some(g) if out.written_differently => {
                    format!("correct, written differently: equal to matdiff's {g}")
                }
                _ => "correct".to_string(),
            };
        }
        ClaimVerdict::Undecided => {
            out.message = format!("undecided: {reason}");
        }
        ClaimVerdict::Incorrect => {
            out.message = format!("not correct: {reason}");
            if let Some(g) = gradient {
                // The engine's gradient is only used to explain when it passes its own check.
                let trusted = matches!(
                    decide(problem, g, &sizes, options.seed).0,
                    ClaimVerdict::Correct
                );
                if trusted {
                    let samples = Samples::draw(problem, &claim.expr, g, &sizes, options.seed);
                    out.diagnosis = diagnose(problem, &claim, g, &samples, &sizes);
                }
            }
            if out.diagnosis.is_empty() {
                out.message.push_str("; no usual mistake explains it");
            }
        }
    }
    Ok(out)
}

/// [`compare`] for what a learner types: a claimed ∇f, or a whole identity pasted from notes,
/// `f = …, ∇f = …` ([`split_identity`]), whose ∇f is then compared with its own f (read with
/// `input`'s declarations, its own variable). Returns the f of the identity as read, if any.
pub fn compare_text(
    input: &crate::api::Input,
    analysis: &Analysis,
    text: &str,
    options: &crate::api::CheckOptions,
) -> (Result<Comparison, Vec<Diagnostic>>, Option<String>) {
    match split_identity(text) {
        Some((f, g)) => {
            // The identity's own variable: X, else x, else the first matrix, vector, scalar.
            let own = crate::api::analyze(&crate::api::Input {
                expr: f.to_string(),
                wrt: None,
                ..input.clone()
            });
            if own.problem.is_none() {
                return (Err(own.diagnostics), Some(f.to_string()));
            }
            (compare(&own, g, options), own.expr_text.clone())
        }
        None => (compare(analysis, text, options), None),
    }
}

/// Exact values of the claim and of G at a few samples of f's domain, with the values drawn.
struct Samples {
    points: Vec<(Values, M, M)>,
}

impl Samples {
    fn draw(problem: &Problem, claim: &Expr, g: &Expr, sizes: &Sizes, seed: u64) -> Samples {
        let mut points = Vec::new();
        for k in 0..SAMPLES + 3 {
            if points.len() as u64 == SAMPLES {
                break;
            }
            let s = crate::numeric::derive_seed(seed, 900 + k);
            let Ok(values) =
                numeric::sample_counted(problem, &[claim.clone(), g.clone()], sizes, s).0
            else {
                continue;
            };
            if let (Some(c), Some(gv)) = (
                value(claim, &values, sizes, problem),
                value(g, &values, sizes, problem),
            ) {
                points.push((values, c, gv));
            }
        }
        Samples { points }
    }
}

/// The value of a gradient expression, `0` as zeros of the variable's shape; `None` when it
/// has none or is not finite.
fn value(e: &Expr, values: &Values, sizes: &Sizes, problem: &Problem) -> Option<M> {
    let m = eval(
        e,
        &Env {
            values,
            sizes,
            direction: None,
        },
    )
    .ok()?;
    if !m.iter().all(|x| x.is_finite()) {
        return None;
    }
    if m.shape() == (1, 1) && m[(0, 0)] == 0.0 {
        let x = values.get(&problem.wrt)?;
        return Some(M::zeros(x.nrows(), x.ncols()));
    }
    Some(m)
}

/// Whether `a` and `b` have the same shape and agree to [`AGREE`] relative to their size.
fn agree(a: &M, b: &M) -> bool {
    if a.shape() != b.shape() {
        return false;
    }
    let scale = a.norm().max(b.norm());
    (a - b).norm() <= AGREE * scale.max(1e-300) || scale == 0.0
}

/// The factor c that best fits `c ≈ c·g` over the samples (least squares), when it fits.
fn factor(pairs: &[(M, M)]) -> Option<f64> {
    let (num, den) = pairs.iter().fold((0.0, 0.0), |(n, d), (c, g)| {
        let (cg, gg) = c
            .iter()
            .zip(g.iter())
            .fold((0.0, 0.0), |(a, b), (x, y)| (a + x * y, b + y * y));
        (n + cg, d + gg)
    });
    if den == 0.0 || pairs.is_empty() {
        return None;
    }
    let k = num / den;
    let k = nice(k);
    (k.is_finite() && pairs.iter().all(|(c, g)| agree(c, &(g * k)))).then_some(k)
}

/// `k` rounded to a simple fraction p/q (q ≤ 12) when it is that to within rounding.
fn nice(k: f64) -> f64 {
    for q in 1..=12 {
        let p = (k * q as f64).round();
        if (p / q as f64 - k).abs() <= 1e-9 * k.abs().max(1.0) {
            return p / q as f64;
        }
    }
    k
}

/// `k` for a sentence: `2`, `-1`, `0.5`, `0.3333`.
fn show_factor(k: f64) -> String {
    format!("{}", (k * 1e4).round() / 1e4)
}

/// The usual mistakes that explain an incorrect claim of the variable's shape, first kind
/// that fits: the transpose (possibly with a factor), a factor or the sign, a free square
/// matrix that would have to be symmetric, one term of ∇f missing, one term of the claim too
/// many.
fn diagnose(
    problem: &Problem,
    claim: &Claim,
    g: &Expr,
    samples: &Samples,
    sizes: &Sizes,
) -> Vec<Mistake> {
    let table = &problem.symbols;
    let pairs: Vec<(M, M)> = samples
        .points
        .iter()
        .map(|(_, c, g)| (c.clone(), g.clone()))
        .collect();
    if pairs.is_empty() || pairs.iter().all(|(_, g)| g.norm() == 0.0) {
        return Vec::new();
    }
    let g_text = print::text(g, table);
    // The transpose, possibly with a factor; then a factor alone.
    let square = pairs[0].0.is_square() && pairs[0].0.nrows() > 1;
    let transposed: Vec<(M, M)> = pairs
        .iter()
        .filter(|_| square)
        .map(|(c, g)| (c.transpose(), g.clone()))
        .collect();
    for (t, list) in [(true, &transposed), (false, &pairs)] {
        let Some(k) = factor(list).filter(|&k| k != 0.0 && (t || k != 1.0)) else {
            continue;
        };
        let mut out = Vec::new();
        if t {
            out.push(Mistake::new(
                MistakeKind::Transposed,
                format!("this is the transpose of ∇f: matdiff's is {g_text}"),
            ));
        }
        if k != 1.0 {
            let (kind, message) = if k == -1.0 {
                (
                    MistakeKind::Sign,
                    "the sign is wrong: your ∇f is minus".to_string(),
                )
            } else {
                let k = show_factor(k);
                (
                    MistakeKind::Scaled,
                    format!("off by a factor of {k}: your ∇f is {k} times"),
                )
            };
            let of = if t { " the transpose of" } else { "" };
            out.push(Mistake {
                factor: Some(k),
                ..Mistake::new(kind, format!("{message}{of} matdiff's {g_text}"))
            });
        }
        return out;
    }
    // Right only when a free square matrix is symmetric: each alone, then all together.
    let free: Vec<&str> = table
        .symbols
        .iter()
        .filter(|s| {
            s.kind == Kind::Matrix
                && !s.symmetric
                && s.name != problem.wrt
                && s.shape.rows == s.shape.cols
                && claim.expr.mentions(&s.name)
        })
        .map(|s| s.name.as_str())
        .collect();
    let holds_at = |names: &[&str], extra: Option<(&Expr, f64)>| -> bool {
        let mut tried = 0;
        for (values, _, _) in &samples.points {
            let mut v = values.clone();
            for n in names {
                if let Some(m) = v.get_mut(*n) {
                    *m = (&*m + m.transpose()) * 0.5;
                }
            }
            let (Some(mut c), Some(gv)) = (
                value(&claim.expr, &v, sizes, problem),
                value(g, &v, sizes, problem),
            ) else {
                continue;
            };
            if let Some((t, sign)) = extra {
                match value(t, &v, sizes, problem) {
                    Some(tv) if tv.shape() == c.shape() => c += tv * sign,
                    _ => continue,
                }
            }
            if !agree(&c, &gv) {
                return false;
            }
            tried += 1;
        }
        tried > 0
    };
    // Each alone, then all together (`2AXB` for tr(AXBXᵀ) needs both A and B symmetric).
    let all = [free.clone()];
    let alone = free
        .chunks(1)
        .chain(all.iter().map(Vec::as_slice).filter(|s| s.len() > 1));
    if let Some(set) = alone.into_iter().find(|s| holds_at(s, None)) {
        let names = set.join(" and ");
        let is = if set.len() == 1 { "is" } else { "are" };
        return set
            .iter()
            .map(|n| Mistake {
                symbol: Some((*n).to_string()),
                ..Mistake::new(
                    MistakeKind::NeedsSymmetric,
                    format!(
                        "correct if {names} {is} symmetric; {names} {is} not declared symmetric"
                    ),
                )
            })
            .collect();
    }
    // One term of G missing, or one term of the claim too many.
    for (from, sign, kind, symbols) in [
        (g, 1.0, MistakeKind::MissingTerm, table),
        (&claim.expr, -1.0, MistakeKind::ExtraTerm, &claim.symbols),
    ] {
        let render = print::Renderer::new(symbols);
        if let Some(t) = terms(from, symbols, &problem.wrt)
            .into_iter()
            .find(|t| holds_at(&[], Some((t, sign))))
        {
            let text = render.text(&t);
            let message = if sign > 0.0 {
                format!("a term of ∇f is missing: {text}")
            } else {
                format!("a term too many: {text} is not part of ∇f")
            };
            return vec![Mistake {
                term: Some(text),
                term_latex: Some(render.latex(&t)),
                ..Mistake::new(kind, message)
            }];
        }
    }
    Vec::new()
}

/// The terms a sum may be said to have: its top-level terms, then each product among them
/// with one of its sum factors distributed (`(W + Wᵀ)(x − m)` has the terms `W(x − m)` and
/// `Wᵀ(x − m)`, and `(W + Wᵀ)x` and `−(W + Wᵀ)m`), each tidied (numeric factors in front).
/// Without repetitions, at most [`MAX_TERMS`].
pub fn terms(e: &Expr, table: &SymbolTable, wrt: &str) -> Vec<Expr> {
    let index = crate::ctx::SymbolIndex::new(table);
    let ctx = crate::ctx::Ctx {
        table,
        wrt,
        index: &index,
    };
    let top = split_top(e);
    let mut out: Vec<Expr> = Vec::new();
    for t in &top {
        out.push(crate::simplify::tidy(ctx, t.clone()));
        let Expr::Mul(fs) = t else { continue };
        for (i, f) in fs.iter().enumerate() {
            for p in split_top(f)
                .into_iter()
                .filter(|_| matches!(f, Expr::Add(_)))
            {
                let mut v = fs.clone();
                v[i] = p;
                out.push(crate::simplify::tidy(ctx, Expr::Mul(v)));
            }
        }
    }
    out.dedup();
    out.truncate(MAX_TERMS);
    out
}

/// The top-level terms of a sum (a numeric factor in front of a sum goes to each term).
fn split_top(e: &Expr) -> Vec<Expr> {
    match e {
        Expr::Add(ts) => ts.iter().flat_map(split_top).collect(),
        Expr::Mul(fs) => match fs.as_slice() {
            [Expr::Num(k), sum @ Expr::Add(_)] => split_top(sum)
                .into_iter()
                .map(|t| Expr::Mul(vec![Expr::Num(*k), t]))
                .collect(),
            _ => vec![e.clone()],
        },
        other => vec![other.clone()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_split_at_the_top_level_comma() {
        assert_eq!(
            split_identity("f = x'*A*x, ∇f = (A + A')*x"),
            Some(("x'*A*x", "(A + A')*x"))
        );
        assert_eq!(
            split_identity(r"f = \operatorname{tr}(AXB), \nabla_X f = A^T B^T"),
            Some((r"\operatorname{tr}(AXB)", "A^T B^T"))
        );
        assert_eq!(
            split_identity("f = tr(kron(A, X)), grad f = 0"),
            Some(("tr(kron(A, X))", "0"))
        );
        assert_eq!(split_identity("A'*B'"), None);
        assert_eq!(split_identity("f = tr(X)"), None);
    }

    /// Hostile or broken claims: an answer or a diagnostic, never a panic; and a claim that
    /// only fails to type is a wrong answer, not bad input.
    #[test]
    fn odd_claims_get_an_answer_or_a_diagnostic() {
        let input = crate::api::Input {
            expr: "tr(A*X*B)".into(),
            decls: String::new(),
            wrt: None,
        };
        let a = crate::api::analyze(&input);
        let options = crate::api::CheckOptions::default();
        let long = "X+".repeat(3000);
        for claim in [
            "",
            "   ",
            "(((",
            r"\frac{",
            "A'*B' +",
            "f = , ∇f =",
            "f = x, grad f = ",
            "\0",
            "A*B",
            "X^50",
            "inv(inv(inv(X)))",
            "1/0",
            "log(-1)*A'*B'",
            "ones",
            "I",
            "0",
            "f = tr(X), ∇f = I",
            "∇f = A'*B'",
            &long,
            "A'*B' .* X ./ X",
        ] {
            let (result, _) = compare_text(&input, &a, claim, &options);
            if let Ok(c) = &result {
                assert!(
                    c.verdict != ClaimVerdict::Correct
                        || claim.contains("A'*B'")
                        || claim.starts_with("f ="),
                    "{claim}: {c:?}"
                );
            }
        }
        let c = compare(&a, "A*B", &options).expect("a wrong answer, not bad input");
        assert_eq!(c.diagnosis[0].kind, MistakeKind::Shape);
        assert!(compare(&a, "A'*(", &options).is_err());
    }

    #[test]
    fn factors_print_simply() {
        assert_eq!(show_factor(2.0), "2");
        assert_eq!(show_factor(-1.0), "-1");
        assert_eq!(show_factor(0.5), "0.5");
        assert_eq!(show_factor(1.0 / 3.0), "0.3333");
        assert_eq!(nice(0.499_999_999_999_9), 0.5);
    }
}
