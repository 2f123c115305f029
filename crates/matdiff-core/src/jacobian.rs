//! Jacobians of vector- and matrix-valued functions as linear maps and in vec form, and
//! Hessians of scalar functions by the second differential (Magnus & Neudecker's
//! identification theorems).
//!
//! A Jacobian derivation starts from dF = d(f), applies the differentiation rules of
//! [`crate::derive`] down to the linear map dF = L[dX], then brings each term into vec form by
//! named steps — vec(A dX B) = (Bᵀ ⊗ A) vec dX, vec(dXᵀ) = K vec dX, vec(P ⊙ dX) = diag(vec P)
//! vec dX, vec(M Tr(P dX)) = vec(M) vec(Pᵀ)ᵀ vec dX — and reads off J = ∂ vec F / ∂(vec X)ᵀ
//! (numerator layout). A Hessian derivation differentiates the gradient ∇f once more with dX held
//! fixed: d²y = Tr(d(∇f)ᵀ dX), d(∇f) is the Jacobian derivation of ∇f, and with d vec ∇f = B
//! d vec X, d²y = (d vec X)ᵀ B d vec X, so H = (B + Bᵀ)/2 = B (B, the Jacobian of a gradient, is
//! symmetric).

use crate::api::{Input, RawDerivation};
use crate::ctx::{Ctx, SymbolIndex};
use crate::derive::{differentiate, Limit, MAX_DERIVATION_NODES};
use crate::diagnostic::{Code, Diagnostic, Source};
use crate::expr::{Dim, Expr, Func, Kind, Problem, Shape};
use crate::print::Renderer;
use crate::rules::{self, Rule};
use serde::Serialize;

/// A Jacobian in vec form: a product and sum of Kronecker products, commutation matrices,
/// diag(vec ·) factors and vec(·) columns and rows, with matrix expressions at the leaves.
#[derive(Clone, Debug, PartialEq)]
pub enum Jac {
    /// A matrix expression, used as it is (a vector-valued f of a vector x: J = A).
    Mat(Expr),
    /// `A ⊗ B`.
    Kron(Expr, Expr),
    /// The commutation matrix `K` of an m×n matrix: vec(Xᵀ) = K vec X.
    Comm(Dim, Dim),
    /// `diag(vec P)`.
    DiagVec(Expr),
    /// `vec M`, a column.
    VecCol(Expr),
    /// `(vec P)ᵀ`, a row.
    VecRow(Expr),
    /// A product, left to right.
    Prod(Vec<Jac>),
    /// A sum.
    Add(Vec<Jac>),
    /// A scalar coefficient (a number or a 1×1 expression) times a Jacobian.
    Scaled(Expr, Box<Jac>),
}

/// Which side a line of a Jacobian or Hessian derivation is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// `dF = …`, a line of the first differential of f.
    DF,
    /// `d vec F = J d vec X`.
    VecDF,
    /// `J = …`.
    Jacobian,
    /// `dy = …`, a line of the gradient's derivation (a Hessian's first part).
    Dy,
    /// `∇f = …`.
    Gradient,
    /// `d²y = …`.
    D2y,
    /// `d(∇f) = …`, a line of the differential of the gradient.
    DGradient,
    /// `d vec ∇f = B d vec X`.
    VecDGradient,
    /// `H = …`.
    Hessian,
}

/// The right-hand side of a line before printing.
#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    /// An expression, evaluated with dX as the direction.
    Expr(Expr),
    /// `J d vec X`.
    Applied(Jac),
    /// `(d vec X)ᵀ B d vec X`.
    Quadratic(Jac),
    /// A matrix: the Jacobian or the Hessian.
    Matrix(Jac),
}

/// One line of a Jacobian or Hessian derivation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Line {
    pub side: Side,
    /// The rule that produced this line from the previous one; `None` on a first line.
    pub rule: Option<Rule>,
    #[serde(skip)]
    pub body: Body,
    pub latex: String,
    pub text: String,
}

/// Which derivation: the Jacobian of f, or the Hessian of a scalar f.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    Jacobian,
    Hessian,
}

/// A Jacobian or Hessian derivation, printed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Derivation2 {
    pub order: Order,
    pub wrt: String,
    pub wrt_kind: Kind,
    pub wrt_latex: String,
    /// f, and its shape (a Hessian's f is a scalar).
    #[serde(skip)]
    pub f: Expr,
    pub f_latex: String,
    pub f_text: String,
    pub f_shape: Shape,
    /// The linear map dX ↦ dF (for a Hessian, dX ↦ d(∇f), the Hessian-vector product).
    #[serde(skip)]
    pub map: Expr,
    pub map_latex: String,
    pub map_text: String,
    /// The gradient, for a Hessian.
    #[serde(skip)]
    pub gradient: Option<Expr>,
    /// The Jacobian (or Hessian) in vec form, where it has a readable one.
    #[serde(skip)]
    pub matrix: Option<Jac>,
    pub lines: Vec<Line>,
    /// A sentence to show with the result (no readable Kronecker form, f independent of X).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The typed problem of a Jacobian: f may be a scalar, a vector or a matrix.
pub fn problem(input: &Input) -> Result<Problem, Vec<Diagnostic>> {
    let wrt = input.wrt.as_deref().map(crate::greek::spelled);
    crate::lower::lower_for(
        &input.expr,
        &input.decls,
        wrt.as_deref(),
        crate::lower::Goal::Array,
    )
}

fn limited(limit: Limit) -> Diagnostic {
    match limit {
        Limit::Steps => Diagnostic::new(0..0, "the derivation did not finish within its step limit")
            .in_source(Source::Other)
            .with_hint("this is a limitation of matdiff; please report the expression")
            .with_code(Code::WorkBound),
        Limit::Size => Diagnostic::new(
            0..0,
            format!(
                "the derivation grows too large to show; the limit is {MAX_DERIVATION_NODES} nodes over all its lines"
            ),
        )
        .in_source(Source::Other)
        .with_hint("try a smaller expression")
        .with_code(Code::WorkBound),
    }
}

/// The shape of the variable, or a diagnostic.
fn wrt_shape(problem: &Problem) -> Result<(Kind, Shape), Diagnostic> {
    problem
        .symbols
        .get(&problem.wrt)
        .map(|s| (s.kind, s.shape.clone()))
        .ok_or_else(|| {
            Diagnostic::new(0..0, format!("unknown variable `{}`", problem.wrt))
                .in_source(Source::Other)
        })
}

/// The differential lines of `g` (from d(g), without it) and the linear map they end in.
fn differential_of(
    g: &Expr,
    ctx: Ctx,
    budget: &mut usize,
) -> Result<(Vec<(Rule, Expr)>, Expr), Diagnostic> {
    if !g.mentions(ctx.wrt) {
        let zero = Expr::Num(0.0);
        return Ok((vec![(rules::INDEPENDENT, zero.clone())], zero));
    }
    let mut lines = differentiate(g, ctx, budget).map_err(limited)?;
    let map = lines
        .last()
        .map_or_else(|| Expr::d(g.clone()), |(_, e)| e.clone());
    // Transposes pushed inward and identities dropped: (−X⁻¹ dX X⁻¹)ᵀ = −X⁻ᵀ dXᵀ X⁻ᵀ.
    let tidied = crate::simplify::simplify(map.clone(), ctx);
    if tidied != map && ctx.has_dx(&tidied) {
        lines.push((rules::TRANSPOSE_PRODUCT, tidied.clone()));
        return Ok((lines, tidied));
    }
    Ok((lines, map))
}

/// The Jacobian derivation of a typed problem (f of any shape).
pub fn derive_jacobian(problem: &Problem) -> Result<Derivation2, Diagnostic> {
    let (wrt_kind, x) = wrt_shape(problem)?;
    let index = SymbolIndex::new(&problem.symbols);
    let ctx = Ctx {
        table: &problem.symbols,
        wrt: &problem.wrt,
        index: &index,
    };
    let f = crate::simplify::tidy(ctx, problem.expr.clone());
    let f_shape = ctx.shape(&f);
    let mut budget = MAX_DERIVATION_NODES;
    let (diff, map) = differential_of(&f, ctx, &mut budget)?;
    let mut raw: Vec<(Side, Option<Rule>, Body)> =
        vec![(Side::DF, None, Body::Expr(Expr::d(f.clone())))];
    raw.extend(
        diff.into_iter()
            .map(|(r, e)| (Side::DF, Some(r), Body::Expr(e))),
    );
    let (matrix, note) = vec_form(&map, &x, ctx, &mut raw, Side::VecDF, Side::Jacobian);
    Ok(finish(
        Order::Jacobian,
        problem,
        (wrt_kind, f, f_shape, map, None, matrix, note),
        raw,
    ))
}

/// The vec-form lines after the linear map `map`: `d vec F = J d vec X` and `J = …`, or the
/// note saying there is no readable Kronecker form.
fn vec_form(
    map: &Expr,
    x: &Shape,
    ctx: Ctx,
    raw: &mut Vec<(Side, Option<Rule>, Body)>,
    applied: Side,
    read: Side,
) -> (Option<Jac>, Option<String>) {
    if is_zero(map) {
        let zero = Jac::Mat(Expr::Num(0.0));
        raw.push((read, Some(FIRST_IDENTIFICATION), Body::Matrix(zero.clone())));
        return (Some(zero), None);
    }
    match to_jac(map, x, ctx) {
        Some((j, rule)) => {
            let j = tidy_jac(j, ctx);
            raw.push((applied, Some(rule), Body::Applied(j.clone())));
            raw.push((read, Some(FIRST_IDENTIFICATION), Body::Matrix(j.clone())));
            (Some(j), None)
        }
        None => (
            None,
            Some(
                "this linear map has no readable Kronecker form (matdiff writes vec form for sums of \
                 A dX B, A dXᵀ B, P ⊙ dX and scalar multiples of traces); the linear map is the \
                 derivative, and the check computes J from it column by column"
                    .to_string(),
            ),
        ),
    }
}

/// The Hessian derivation of a typed scalar problem: the gradient's derivation, then the second
/// differential.
pub fn derive_hessian(problem: &Problem) -> Result<Derivation2, Diagnostic> {
    let (wrt_kind, x) = wrt_shape(problem)?;
    let first = crate::api::derive_exprs(problem)?;
    let index = SymbolIndex::new(&problem.symbols);
    let ctx = Ctx {
        table: &problem.symbols,
        wrt: &problem.wrt,
        index: &index,
    };
    let RawDerivation {
        f, steps, gradient, ..
    } = first;
    let mut raw: Vec<(Side, Option<Rule>, Body)> = steps
        .into_iter()
        .map(|s| {
            let side = match s.lhs {
                crate::api::Lhs::Dy => Side::Dy,
                crate::api::Lhs::Gradient => Side::Gradient,
            };
            (side, s.rule, Body::Expr(s.expr))
        })
        .collect();
    let dx = Expr::d(Expr::sym(&problem.wrt));
    let pair = |a: Expr| second_form(a, dx.clone(), &x);
    let second = if is_zero(&gradient) {
        Expr::Num(0.0)
    } else {
        pair(Expr::d(gradient.clone()))
    };
    raw.push((Side::D2y, Some(SECOND_DIFFERENTIAL), Body::Expr(second)));
    let mut budget = MAX_DERIVATION_NODES;
    let (diff, map) = differential_of(&gradient, ctx, &mut budget)?;
    raw.push((Side::DGradient, None, Body::Expr(Expr::d(gradient.clone()))));
    raw.extend(
        diff.into_iter()
            .map(|(r, e)| (Side::DGradient, Some(r), Body::Expr(e))),
    );
    let substituted = if is_zero(&map) {
        Expr::Num(0.0)
    } else {
        pair(map.clone())
    };
    raw.push((Side::D2y, Some(SUBSTITUTE), Body::Expr(substituted)));
    let mut tail = Vec::new();
    let (matrix, note) = vec_form(&map, &x, ctx, &mut tail, Side::VecDGradient, Side::Hessian);
    if let Some(j) = &matrix {
        // d vec ∇f = B d vec X, then d²y = (d vec X)ᵀ B d vec X, then H.
        for (side, rule, body) in tail {
            if side == Side::VecDGradient {
                raw.push((side, rule, body));
                raw.push((Side::D2y, Some(TRACE_AS_VEC), Body::Quadratic(j.clone())));
            } else {
                raw.push((side, Some(SECOND_IDENTIFICATION), body));
            }
        }
    }
    Ok(finish(
        Order::Hessian,
        problem,
        (
            wrt_kind,
            f,
            Shape::new(Dim::One, Dim::One),
            map,
            Some(gradient),
            matrix,
            note,
        ),
        raw,
    ))
}

fn is_zero(e: &Expr) -> bool {
    matches!(e, Expr::Num(z) if *z == 0.0)
}

/// `Tr(aᵀ dX)` for a matrix variable, `aᵀ dx` for a vector, `a dx` for a scalar.
fn second_form(a: Expr, dx: Expr, x: &Shape) -> Expr {
    if x.is_scalar() {
        Expr::Mul(vec![a, dx])
    } else if x.cols.is_one() {
        Expr::Mul(vec![Expr::t(a), dx])
    } else {
        Expr::call(Func::Tr, Expr::Mul(vec![Expr::t(a), dx]))
    }
}

type Parts = (
    Kind,
    Expr,
    Shape,
    Expr,
    Option<Expr>,
    Option<Jac>,
    Option<String>,
);

fn finish(
    order: Order,
    problem: &Problem,
    (wrt_kind, f, f_shape, map, gradient, matrix, note): Parts,
    raw: Vec<(Side, Option<Rule>, Body)>,
) -> Derivation2 {
    let render = Renderer::new(&problem.symbols);
    let x_latex = render.symbol_latex(&problem.wrt);
    let vector = problem
        .symbols
        .get(&problem.wrt)
        .is_some_and(|s| s.shape.cols.is_one());
    let lines = raw
        .into_iter()
        .map(|(side, rule, body)| {
            let (latex, text) = body_strings(&body, &render, &x_latex, &problem.wrt, vector);
            Line {
                side,
                rule,
                body,
                latex,
                text,
            }
        })
        .collect();
    Derivation2 {
        order,
        wrt: problem.wrt.clone(),
        wrt_kind,
        wrt_latex: x_latex,
        f_latex: render.latex(&f),
        f_text: render.text(&f),
        f,
        f_shape,
        map_latex: render.latex(&map),
        map_text: render.text(&map),
        map,
        gradient,
        matrix,
        lines,
        note,
    }
}

fn body_strings(
    body: &Body,
    render: &Renderer,
    x_latex: &str,
    x: &str,
    vector: bool,
) -> (String, String) {
    let dvec = if vector {
        format!(r"\mathrm{{d}}{x_latex}")
    } else {
        format!(r"\mathrm{{d}}\operatorname{{vec}} {x_latex}")
    };
    let dvec_text = if vector {
        format!("d{x}")
    } else {
        format!("dvec({x})")
    };
    match body {
        Body::Expr(e) => (render.latex(e), render.text(e)),
        Body::Applied(j) => (
            format!(r"{} \, {dvec}", jac_latex(j, render, true)),
            format!("{} * {dvec_text}", jac_text(j, render, true)),
        ),
        Body::Quadratic(j) => {
            let (l, t) = (jac_latex(j, render, true), jac_text(j, render, true));
            let (l, t) = if matches!(j, Jac::Scaled(..)) {
                (format!(r"\left({l}\right)"), format!("({t})"))
            } else {
                (l, t)
            };
            (
                format!(r"({dvec})^\top {l} \, {dvec}"),
                format!("{dvec_text}' * {t} * {dvec_text}"),
            )
        }
        Body::Matrix(j) => (jac_latex(j, render, false), jac_text(j, render, false)),
    }
}

// ---------------------------------------------------------------------------------------------
// From the linear map to vec form.

/// The Jacobian of one linear term `t` (vec t = J vec dX), with the rule that names the step.
fn to_jac(t: &Expr, x: &Shape, ctx: Ctx) -> Option<(Jac, Rule)> {
    let mut rule = rules::SIMPLIFY;
    let j = jac_of(t, x, ctx, &mut rule)?;
    Some((j, rule))
}

fn eye(d: &Dim) -> Expr {
    if d.is_one() {
        Expr::Num(1.0)
    } else {
        Expr::Eye(d.clone())
    }
}

fn product(ctx: Ctx, factors: Vec<Expr>, rows: &Dim) -> Expr {
    match factors.len() {
        0 => eye(rows),
        1 => factors.into_iter().next().unwrap_or(Expr::Num(1.0)),
        _ => crate::build::mul(ctx, factors),
    }
}

fn jac_of(t: &Expr, x: &Shape, ctx: Ctx, rule: &mut Rule) -> Option<Jac> {
    let numel = Dim::product(&x.rows, &x.cols);
    if ctx.is_dx(t) {
        return Some(Jac::Mat(eye(&numel)));
    }
    if !ctx.has_dx(t) {
        return if t.has_d() {
            None
        } else {
            Some(Jac::Mat(Expr::Num(0.0)))
        };
    }
    match t {
        Expr::Transpose(a) => {
            let (r, c) = ctx.dims(a);
            let inner = jac_of(a, x, ctx, rule)?;
            if r.is_one() || c.is_one() {
                // The transpose of a vector has the same entries in the same order.
                return Some(inner);
            }
            if *rule == rules::SIMPLIFY {
                *rule = COMMUTATION;
            }
            Some(Jac::Prod(vec![
                Jac::Comm(r.into_owned(), c.into_owned()),
                inner,
            ]))
        }
        Expr::Add(terms) => {
            let js = terms
                .iter()
                .map(|a| jac_of(a, x, ctx, rule))
                .collect::<Option<Vec<_>>>()?;
            Some(Jac::Add(js))
        }
        Expr::Div(a, s) if !ctx.has_dx(s) && !s.has_d() => Some(Jac::Scaled(
            Expr::Div(std::rc::Rc::new(Expr::Num(1.0)), s.clone()),
            Box::new(jac_of(a, x, ctx, rule)?),
        )),
        Expr::Mul(fs) => {
            let holders: Vec<usize> = (0..fs.len()).filter(|&i| fs[i].has_d()).collect();
            let [k] = holders[..] else { return None };
            if !ctx.has_dx(&fs[k]) {
                return None;
            }
            let inner = jac_of(&fs[k], x, ctx, rule)?;
            // Scalar factors out front.
            let mut coef: Vec<Expr> = Vec::new();
            let mut left: Vec<Expr> = Vec::new();
            let mut right: Vec<Expr> = Vec::new();
            for (i, e) in fs.iter().enumerate() {
                if i == k {
                    continue;
                }
                if ctx.is_scalar(e) {
                    coef.push(e.clone());
                } else if i < k {
                    left.push(e.clone());
                } else {
                    right.push(e.clone());
                }
            }
            let held = &fs[k];
            let j = if ctx.is_scalar(held) {
                // M·s(dX) with s a scalar: vec(M s) = vec(M) s.
                let rest: Vec<Expr> = left.into_iter().chain(right).collect();
                if rest.is_empty() {
                    inner
                } else {
                    let m = crate::build::mul(ctx, rest);
                    *rule = VEC_SCALAR;
                    Jac::Prod(vec![Jac::VecCol(m), inner])
                }
            } else if left.is_empty() && right.is_empty() {
                inner
            } else {
                let (hr, hc) = ctx.dims(held);
                let a = product(ctx, left, &hr);
                let b = product(ctx, right, &hc);
                let bt = crate::simplify::smart_t(&b, ctx);
                if *rule == rules::SIMPLIFY || *rule == COMMUTATION {
                    *rule = VEC_KRONECKER;
                }
                Jac::Prod(vec![Jac::Kron(bt, a), inner])
            };
            Some(match coef.len() {
                0 => j,
                _ => Jac::Scaled(crate::build::mul(ctx, coef), Box::new(j)),
            })
        }
        Expr::Had(fs) => {
            let holders: Vec<usize> = (0..fs.len()).filter(|&i| fs[i].has_d()).collect();
            let [k] = holders[..] else { return None };
            let inner = jac_of(&fs[k], x, ctx, rule)?;
            let others: Vec<Expr> = fs
                .iter()
                .enumerate()
                .filter(|&(i, _)| i != k)
                .map(|(_, e)| e.clone())
                .collect();
            let p = if others.len() == 1 {
                others.into_iter().next()?
            } else {
                Expr::Had(others)
            };
            if ctx.is_scalar(&p) {
                return Some(Jac::Scaled(p, Box::new(inner)));
            }
            if *rule == rules::SIMPLIFY || *rule == COMMUTATION || *rule == VEC_KRONECKER {
                *rule = VEC_HADAMARD;
            }
            Some(Jac::Prod(vec![Jac::DiagVec(p), inner]))
        }
        Expr::HadDiv(a, p) if !p.has_d() && ctx.has_dx(a) => {
            // dU ⊘ P = P^{∘−1} ⊙ dU.
            let inner = jac_of(a, x, ctx, rule)?;
            if ctx.is_scalar(p) {
                return Some(Jac::Scaled(
                    Expr::Div(std::rc::Rc::new(Expr::Num(1.0)), p.clone()),
                    Box::new(inner),
                ));
            }
            if *rule == rules::SIMPLIFY || *rule == COMMUTATION || *rule == VEC_KRONECKER {
                *rule = VEC_HADAMARD;
            }
            Some(Jac::Prod(vec![
                Jac::DiagVec(Expr::HadPow(p.clone(), -1.0)),
                inner,
            ]))
        }
        Expr::Call(Func::Tr, args) => {
            let a = args.first()?;
            // Tr(L T R) = Tr(R L T) = vec((R L)ᵀ)ᵀ vec T.
            let (m, held) = match &**a {
                Expr::Mul(fs) => {
                    let holders: Vec<usize> = (0..fs.len()).filter(|&i| fs[i].has_d()).collect();
                    let [k] = holders[..] else { return None };
                    let rl: Vec<Expr> = fs[k + 1..].iter().chain(&fs[..k]).cloned().collect();
                    let (hr, _) = ctx.dims(&fs[k]);
                    (product(ctx, rl, &hr), fs[k].clone())
                }
                other => {
                    let (r, _) = ctx.dims(other);
                    (eye(&r), other.clone())
                }
            };
            let inner = jac_of(&held, x, ctx, rule)?;
            *rule = VEC_TRACE;
            if ctx.is_scalar(&held) {
                // Tr(M s) = Tr(M) s for a scalar s.
                let c = if ctx.is_scalar(&m) {
                    m
                } else {
                    Expr::call(Func::Tr, m)
                };
                return Some(Jac::Scaled(c, Box::new(inner)));
            }
            if ctx.is_scalar(&m) {
                // Tr(c dX) = c vec(I)ᵀ vec dX: the scalar is a coefficient, not the matrix.
                let (r, _) = ctx.dims(&held);
                return Some(Jac::Scaled(
                    m,
                    Box::new(Jac::Prod(vec![Jac::VecRow(eye(&r)), inner])),
                ));
            }
            let mt = crate::simplify::smart_t(&m, ctx);
            Some(Jac::Prod(vec![Jac::VecRow(mt), inner]))
        }
        Expr::Call(Func::Sum, args) => {
            let a = args.first()?;
            let (p, held) = match &**a {
                Expr::Had(fs) if fs.len() == 2 && fs[0].has_d() != fs[1].has_d() => {
                    let k = usize::from(fs[1].has_d());
                    (fs[1 - k].clone(), fs[k].clone())
                }
                other => {
                    let s = ctx.shape(other);
                    (Expr::Ones(std::rc::Rc::new(s)), other.clone())
                }
            };
            let inner = jac_of(&held, x, ctx, rule)?;
            *rule = VEC_TRACE;
            Some(Jac::Prod(vec![Jac::VecRow(p), inner]))
        }
        _ => None,
    }
}

/// Tidies a Jacobian: identities and 1×1 Kronecker factors out, vec of vectors as the vectors,
/// products and sums flattened.
pub fn tidy_jac(j: Jac, ctx: Ctx) -> Jac {
    match j {
        Jac::Kron(a, b) => {
            let (ar, ac) = ctx.unit_dims(&a);
            let (br, bc) = ctx.unit_dims(&b);
            if ar && ac {
                return Jac::Mat(mul_num(ctx, a, b));
            }
            if br && bc {
                return Jac::Mat(mul_num(ctx, b, a));
            }
            let _ = (ar, bc);
            Jac::Kron(a, b)
        }
        Jac::DiagVec(p) => {
            if ctx.unit_dims(&p).1 {
                Jac::Mat(Expr::call(Func::Diag, p))
            } else {
                Jac::DiagVec(p)
            }
        }
        Jac::VecCol(m) => {
            if ctx.unit_dims(&m).1 {
                Jac::Mat(m)
            } else {
                Jac::VecCol(m)
            }
        }
        Jac::VecRow(p) => {
            if ctx.unit_dims(&p).1 {
                Jac::Mat(crate::simplify::smart_t(&p, ctx))
            } else {
                Jac::VecRow(p)
            }
        }
        Jac::Prod(fs) => {
            let mut out: Vec<Jac> = Vec::new();
            for f in fs.into_iter().map(|f| tidy_jac(f, ctx)) {
                match f {
                    Jac::Prod(inner) => out.extend(inner),
                    Jac::Mat(Expr::Eye(_)) => {}
                    Jac::Mat(Expr::Num(1.0)) => {}
                    other => out.push(other),
                }
            }
            // Scalar coefficients out in front.
            let mut coef: Vec<Expr> = Vec::new();
            let out: Vec<Jac> = out
                .into_iter()
                .flat_map(|f| match f {
                    Jac::Scaled(c, j) => {
                        coef.push(c);
                        match *j {
                            Jac::Prod(inner) => inner,
                            j => vec![j],
                        }
                    }
                    Jac::Mat(e) if ctx.is_scalar(&e) => {
                        coef.push(e);
                        Vec::new()
                    }
                    f => vec![f],
                })
                .collect();
            if !coef.is_empty() {
                let c = crate::simplify::simplify(crate::build::mul(ctx, coef), ctx);
                return tidy_jac(Jac::Scaled(c, Box::new(Jac::Prod(out))), ctx);
            }
            // Adjacent plain matrices multiply into one product.
            let mut merged: Vec<Jac> = Vec::new();
            for f in out {
                match (merged.last_mut(), f) {
                    (Some(Jac::Mat(a)), Jac::Mat(b)) => {
                        let prev = std::mem::replace(a, Expr::Num(1.0));
                        *a = crate::build::mul(ctx, vec![prev, b]);
                    }
                    (_, f) => merged.push(f),
                }
            }
            match merged.len() {
                0 => Jac::Mat(Expr::Num(1.0)),
                1 => merged.pop().unwrap_or(Jac::Mat(Expr::Num(1.0))),
                _ => Jac::Prod(merged),
            }
        }
        Jac::Add(ts) => {
            let mut out = Vec::new();
            for t in ts.into_iter().map(|t| tidy_jac(t, ctx)) {
                match t {
                    Jac::Add(inner) => out.extend(inner),
                    Jac::Mat(Expr::Num(0.0)) => {}
                    other => out.push(other),
                }
            }
            // Like terms: equal terms counted.
            let mut counted: Vec<(f64, Jac)> = Vec::new();
            for t in out {
                let (n, t) = match t {
                    Jac::Scaled(Expr::Num(n), j) => (n, *j),
                    t => (1.0, t),
                };
                match counted.iter_mut().find(|(_, u)| *u == t) {
                    Some((m, _)) => *m += n,
                    None => counted.push((n, t)),
                }
            }
            let mut out: Vec<Jac> = counted
                .into_iter()
                .filter(|(n, _)| *n != 0.0)
                .map(|(n, t)| {
                    if n == 1.0 {
                        t
                    } else {
                        tidy_jac(Jac::Scaled(Expr::Num(n), Box::new(t)), ctx)
                    }
                })
                .collect();
            // A sum of plain matrices is one matrix, tidied (like terms collected).
            if !out.is_empty() && out.iter().all(|t| matches!(t, Jac::Mat(_))) {
                let terms: Vec<Expr> = out
                    .into_iter()
                    .filter_map(|t| match t {
                        Jac::Mat(e) => Some(e),
                        _ => None,
                    })
                    .collect();
                return Jac::Mat(crate::simplify::simplify(crate::build::add(terms), ctx));
            }
            match out.len() {
                0 => Jac::Mat(Expr::Num(0.0)),
                1 => out.pop().unwrap_or(Jac::Mat(Expr::Num(0.0))),
                _ => Jac::Add(out),
            }
        }
        Jac::Scaled(Expr::Num(1.0), j) => tidy_jac(*j, ctx),
        Jac::Scaled(c, j) => match tidy_jac(*j, ctx) {
            Jac::Mat(e) => Jac::Mat(crate::simplify::simplify(
                crate::build::mul(ctx, vec![c, e]),
                ctx,
            )),
            Jac::Scaled(c2, j2) => Jac::Scaled(
                crate::simplify::simplify(crate::build::mul(ctx, vec![c, c2]), ctx),
                j2,
            ),
            j => Jac::Scaled(c, Box::new(j)),
        },
        Jac::Mat(e) => Jac::Mat(crate::simplify::simplify(e, ctx)),
        other => other,
    }
}

/// `s·a` for a 1×1 `s` (the Kronecker product with a scalar).
fn mul_num(ctx: Ctx, s: Expr, a: Expr) -> Expr {
    match (&s, &a) {
        (Expr::Num(n), _) if *n == 1.0 => a,
        (_, Expr::Num(n)) if *n == 1.0 => s,
        _ => crate::simplify::simplify(crate::build::mul(ctx, vec![s, a]), ctx),
    }
}

// ---------------------------------------------------------------------------------------------
// Printing.

fn leaf_latex(e: &Expr, render: &Renderer) -> String {
    let s = render.latex(e);
    if matches!(e, Expr::Add(_))
        || (matches!(e, Expr::Mul(v) if matches!(v.first(), Some(Expr::Num(n)) if *n < 0.0)))
    {
        format!(r"\left({s}\right)")
    } else {
        s
    }
}

fn leaf_text(e: &Expr, render: &Renderer) -> String {
    let s = render.text(e);
    if matches!(e, Expr::Add(_)) {
        format!("({s})")
    } else {
        s
    }
}

fn dim_latex(d: &Dim) -> String {
    d.to_string()
        .replace('·', "")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// LaTeX of a Jacobian; `factor` when it stands in a product (sums in parentheses).
pub fn jac_latex(j: &Jac, render: &Renderer, factor: bool) -> String {
    match j {
        Jac::Mat(e) => {
            if factor {
                leaf_latex(e, render)
            } else {
                render.latex(e)
            }
        }
        Jac::Kron(a, b) => {
            let s = format!(
                r"{} \otimes {}",
                leaf_latex(a, render),
                leaf_latex(b, render)
            );
            if factor {
                format!(r"\left({s}\right)")
            } else {
                s
            }
        }
        Jac::Comm(m, n) => format!(r"\mathbf{{K}}_{{{},{}}}", dim_latex(m), dim_latex(n)),
        Jac::DiagVec(p) => format!(
            r"\operatorname{{diag}}(\operatorname{{vec}} {})",
            leaf_latex(p, render)
        ),
        Jac::VecCol(m) => format!(r"\operatorname{{vec}}({})", render.latex(m)),
        Jac::VecRow(p) => format!(r"\operatorname{{vec}}({})^\top", render.latex(p)),
        Jac::Prod(fs) => fs
            .iter()
            .map(|f| jac_latex(f, render, true))
            .collect::<Vec<_>>()
            .join(r" \, "),
        Jac::Add(ts) => {
            let mut s = String::new();
            for (i, t) in ts.iter().enumerate() {
                let one = jac_latex(t, render, false);
                if i > 0 {
                    if let Some(rest) = one.strip_prefix('-') {
                        s.push_str(" - ");
                        s.push_str(rest);
                        continue;
                    }
                    s.push_str(" + ");
                }
                s.push_str(&one);
            }
            if factor {
                format!(r"\left({s}\right)")
            } else {
                s
            }
        }
        Jac::Scaled(c, j) => {
            let inner = jac_latex(j, render, true);
            match c {
                Expr::Num(n) if *n == -1.0 => format!("-{inner}"),
                _ => format!(r"{} \, {inner}", leaf_latex(c, render)),
            }
        }
    }
}

/// Plain text of a Jacobian, in input-like syntax (`kron(B', A)`, `K(m,n)`, `diag(vec(P))`).
pub fn jac_text(j: &Jac, render: &Renderer, factor: bool) -> String {
    match j {
        Jac::Mat(e) => {
            if factor {
                leaf_text(e, render)
            } else {
                render.text(e)
            }
        }
        Jac::Kron(a, b) => format!("kron({}, {})", render.text(a), render.text(b)),
        Jac::Comm(m, n) => format!("K({m},{n})"),
        Jac::DiagVec(p) => format!("diag(vec({}))", render.text(p)),
        Jac::VecCol(m) => format!("vec({})", render.text(m)),
        Jac::VecRow(p) => format!("vec({})'", render.text(p)),
        Jac::Prod(fs) => fs
            .iter()
            .map(|f| jac_text(f, render, true))
            .collect::<Vec<_>>()
            .join("*"),
        Jac::Add(ts) => {
            let s = ts
                .iter()
                .map(|t| jac_text(t, render, false))
                .collect::<Vec<_>>()
                .join(" + ")
                .replace("+ -", "- ");
            if factor {
                format!("({s})")
            } else {
                s
            }
        }
        Jac::Scaled(c, j) => {
            let inner = jac_text(j, render, true);
            match c {
                Expr::Num(n) if *n == -1.0 => format!("-{inner}"),
                _ => format!("{}*{inner}", leaf_text(c, render)),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Rules of this module (also in the catalog, `rules::ALL`).

pub use crate::rules::{
    COMMUTATION, FIRST_IDENTIFICATION, SECOND_DIFFERENTIAL, SECOND_IDENTIFICATION, SUBSTITUTE,
    TRACE_AS_VEC, VEC_HADAMARD, VEC_KRONECKER, VEC_SCALAR, VEC_TRACE,
};

impl Derivation2 {
    /// LaTeX of the left-hand side of a line.
    pub fn side_latex(&self, side: Side) -> String {
        let x = &self.wrt_latex;
        // vec of a column vector is the vector itself.
        let (vec_f, vec_x) = self.vec_prefixes(r"\operatorname{vec} ");
        match side {
            Side::DF => r"\mathrm{d}F".to_string(),
            Side::VecDF => format!(r"\mathrm{{d}}{vec_f}F"),
            Side::Jacobian => {
                format!(r"\mathbf{{J}} = \frac{{\partial {vec_f}F}}{{\partial ({vec_x}{x})^\top}}")
            }
            Side::Dy => r"\mathrm{d}y".to_string(),
            Side::Gradient => format!(r"\nabla_{{{x}}} f"),
            Side::D2y => r"\mathrm{d}^2 y".to_string(),
            Side::DGradient => format!(r"\mathrm{{d}}(\nabla_{{{x}}} f)"),
            Side::VecDGradient if vec_x.is_empty() => format!(r"\mathrm{{d}}(\nabla_{{{x}}} f)"),
            Side::VecDGradient => format!(r"\mathrm{{d}}\operatorname{{vec}}(\nabla_{{{x}}} f)"),
            Side::Hessian => r"\mathbf{H}".to_string(),
        }
    }

    /// `vec` (as given) for f and for the variable, or nothing for a column vector or a scalar,
    /// whose vec is itself.
    fn vec_prefixes<'a>(&self, vec: &'a str) -> (&'a str, &'a str) {
        let f = if self.f_shape.cols.is_one() { "" } else { vec };
        let x = if self.wrt_kind == Kind::Matrix {
            vec
        } else {
            ""
        };
        (f, x)
    }

    /// Plain text of the left-hand side of a line.
    pub fn side_text(&self, side: Side) -> String {
        let x = &self.wrt;
        let vector_f = self.vec_prefixes("vec").0.is_empty();
        let vector_x = self.vec_prefixes("vec").1.is_empty();
        match side {
            Side::DF => "dF".to_string(),
            Side::VecDF if vector_f => "dF".to_string(),
            Side::VecDF => "dvec(F)".to_string(),
            Side::Jacobian => "J".to_string(),
            Side::Dy => "dy".to_string(),
            Side::Gradient => format!("grad_{x} f"),
            Side::D2y => "d2y".to_string(),
            Side::DGradient => format!("d(grad_{x} f)"),
            Side::VecDGradient if vector_x => format!("d(grad_{x} f)"),
            Side::VecDGradient => format!("dvec(grad_{x} f)"),
            Side::Hessian => "H".to_string(),
        }
    }

    /// Plain text, one line per step with its rule, like [`crate::Derivation::to_text`].
    pub fn to_text(&self) -> String {
        let rows: Vec<(String, Option<String>)> = self
            .lines
            .iter()
            .map(|l| {
                let line = format!("{} = {}", self.side_text(l.side), l.text);
                let rule = l
                    .rule
                    .map(|r| format!("{}: {}", r.id, crate::api::rule_note(&r)));
                (line, rule)
            })
            .collect();
        let mut out = crate::api::text_with_rules(&rows);
        out.push_str(&format!(
            "linear map: d{} |-> {}\n",
            self.wrt, self.map_text
        ));
        if let Some(note) = &self.note {
            out.push_str(&format!("note: {note}\n"));
        }
        out
    }

    /// An `align*` block with the rules as `\text{…}` annotations.
    pub fn to_align(&self) -> String {
        let mut out = String::from("\\begin{align*}\n");
        let mut prev: Option<Side> = None;
        for l in &self.lines {
            let lhs = if prev == Some(l.side) {
                String::new()
            } else {
                self.side_latex(l.side)
            };
            prev = Some(l.side);
            out.push_str(&format!("{lhs} &= {}", l.latex));
            if let Some(rule) = l.rule {
                out.push_str(&format!(r" && \text{{{}}}", crate::api::rule_note(&rule)));
            }
            out.push_str(" \\\\\n");
        }
        // The linear map, the readable form of the derivative.
        out.push_str(&format!(
            "{} &\\mapsto {} && \\text{{the linear map}}\n",
            self.map_lhs_latex(),
            self.map_latex
        ));
        out.push_str("\\end{align*}\n");
        if let Some(note) = &self.note {
            out.push_str(&format!("% {note}\n"));
        }
        out
    }

    /// LaTeX of the linear map's argument, `dX`.
    pub fn map_lhs_latex(&self) -> String {
        format!(r"\mathrm{{d}}{}", self.wrt_latex)
    }

    /// Markdown: each line as display math after the rule that produced it.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        for l in &self.lines {
            if let Some(rule) = l.rule {
                out.push_str(&format!(
                    "*by {}* (`{}`)\n\n",
                    crate::api::rule_note(&rule),
                    rule.id
                ));
            }
            out.push_str(&format!(
                "$$\n{} = {}\n$$\n\n",
                self.side_latex(l.side),
                l.latex
            ));
        }
        out.push_str(&format!(
            "*the linear map*\n\n$$\n{} \\mapsto {}\n$$\n\n",
            self.map_lhs_latex(),
            self.map_latex
        ));
        if let Some(note) = &self.note {
            out.push_str(&format!("{note}.\n"));
        }
        out
    }
}

/// What the page and the command show for a Jacobian or Hessian.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Analysis2 {
    /// Problems with the input; empty when the derivation succeeded.
    pub diagnostics: Vec<Diagnostic>,
    pub problem: Option<Problem>,
    pub derivation: Option<Derivation2>,
}

fn analyze_with(
    problem: Result<Problem, Vec<Diagnostic>>,
    derive: fn(&Problem) -> Result<Derivation2, Diagnostic>,
) -> Analysis2 {
    match problem {
        Err(diagnostics) => Analysis2 {
            diagnostics,
            ..Analysis2::default()
        },
        Ok(p) => match derive(&p) {
            Ok(d) => Analysis2 {
                diagnostics: Vec::new(),
                derivation: Some(d),
                problem: Some(p),
            },
            Err(e) => Analysis2 {
                diagnostics: vec![e],
                derivation: None,
                problem: Some(p),
            },
        },
    }
}

/// Parses, types (f of any shape) and derives the Jacobian. Never panics.
pub fn analyze_jacobian(input: &Input) -> Analysis2 {
    analyze_with(problem(input), derive_jacobian)
}

/// Parses, types (f a scalar) and derives the Hessian. Never panics.
pub fn analyze_hessian(input: &Input) -> Analysis2 {
    analyze_with(crate::api::problem(input), derive_hessian)
}

/// Checks a Jacobian or Hessian derivation numerically (see [`crate::numeric::run_check2`]).
///
/// Errors when there is no derivation or a size is invalid.
pub fn check2(
    analysis: &Analysis2,
    options: &crate::api::CheckOptions,
) -> Result<crate::numeric::Check2Report, Diagnostic> {
    let (Some(problem), Some(d)) = (&analysis.problem, &analysis.derivation) else {
        return Err(
            Diagnostic::new(0..0, "there is no derivation to check").in_source(Source::Other)
        );
    };
    let sizes = crate::numeric::resolve_problem_sizes(problem, &options.sizes)?;
    Ok(crate::numeric::run_check2(problem, d, &sizes, options.seed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::CheckOptions;
    use crate::numeric::Verdict;

    fn input(expr: &str, wrt: &str) -> Input {
        Input {
            expr: expr.into(),
            decls: String::new(),
            wrt: Some(wrt.into()),
        }
    }

    fn verdict(a: &Analysis2) -> Verdict {
        check2(
            a,
            &CheckOptions {
                sizes: Default::default(),
                seed: 3,
            },
        )
        .expect("a check")
        .verdict()
    }

    /// A wrong vec form (the Kronecker factors swapped, the commutation matrix dropped), a wrong
    /// linear map and a wrong line each fail the check.
    #[test]
    fn wrong_jacobians_fail() {
        let mut a = analyze_jacobian(&input("A*X*B", "X"));
        assert_eq!(verdict(&a), Verdict::Passed);
        let d = a.derivation.as_mut().expect("a derivation");
        let last = d.lines.len() - 1;
        d.lines[last].body = Body::Matrix(Jac::Kron(Expr::sym("A"), Expr::t(Expr::sym("B"))));
        assert!(matches!(verdict(&a), Verdict::Failed(_)));

        let mut a = analyze_jacobian(&input("X'", "X"));
        let d = a.derivation.as_mut().expect("a derivation");
        let last = d.lines.len() - 1;
        d.lines[last].body = Body::Matrix(Jac::Mat(Expr::Eye(d.f_shape.rows.clone())));
        assert!(matches!(verdict(&a), Verdict::Failed(_)));

        let mut a = analyze_jacobian(&input("inv(X)", "X"));
        let d = a.derivation.as_mut().expect("a derivation");
        d.map = Expr::neg(d.map.clone());
        assert_eq!(
            verdict(&a),
            Verdict::Failed("the Jacobian differs from finite differences".into())
        );

        let mut a = analyze_hessian(&input("x'*A*x", "x"));
        assert_eq!(verdict(&a), Verdict::Passed);
        let d = a.derivation.as_mut().expect("a derivation");
        let i = d
            .lines
            .iter()
            .position(|l| l.side == Side::DGradient && l.rule.is_some())
            .expect("a d(grad) line");
        let Body::Expr(e) = &d.lines[i].body else {
            panic!("an expression")
        };
        d.lines[i].body = Body::Expr(Expr::Mul(vec![Expr::Num(2.0), e.clone()]));
        assert_eq!(
            verdict(&a),
            Verdict::Failed(format!("line {i} disagrees with finite differences"))
        );
    }

    /// A Hessian that is not symmetric fails even where it matches finite differences of a
    /// (wrong) gradient: here the map of a non-gradient.
    #[test]
    fn an_asymmetric_hessian_fails() {
        let mut a = analyze_hessian(&input("x'*A*x", "x"));
        let d = a.derivation.as_mut().expect("a derivation");
        // d(A x) = A dx: not symmetric, and not the derivative of the gradient (A + Aᵀ) x.
        d.map = Expr::Mul(vec![Expr::sym("A"), Expr::d(Expr::sym("x"))]);
        assert!(matches!(verdict(&a), Verdict::Failed(_)));
    }

    /// The command's vec order: entry k of vec X is X[k mod m][k div m], and K vec A = vec Aᵀ.
    #[test]
    fn vec_order_is_column_major() {
        let a = analyze_jacobian(&input("X'", "X"));
        let (p, d) = (a.problem.as_ref().unwrap(), a.derivation.as_ref().unwrap());
        let x = nalgebra::DMatrix::from_row_slice(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let values = std::collections::BTreeMap::from([("X".to_string(), x.clone())]);
        let sizes = std::collections::BTreeMap::from([("n".to_string(), 2), ("m".to_string(), 3)]);
        let (f, j) = crate::numeric::jacobian_at(p, d, &values, &sizes).expect("values");
        assert_eq!(f, x.transpose());
        let vec_x: Vec<f64> = x.iter().copied().collect();
        assert_eq!(vec_x, [1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
        let vec_f = &j * nalgebra::DMatrix::from_column_slice(6, 1, &vec_x);
        let want: Vec<f64> = x.transpose().iter().copied().collect();
        assert_eq!(vec_f.iter().copied().collect::<Vec<_>>(), want);
    }

    /// Refusals: a Hessian of a vector-valued f is a diagnostic, not a crash.
    #[test]
    fn a_hessian_of_an_array_is_refused() {
        let a = analyze_hessian(&input("A*x", "x"));
        assert!(a.derivation.is_none());
        assert!(
            a.diagnostics[0].message.contains("scalar"),
            "{:?}",
            a.diagnostics
        );
    }
}
