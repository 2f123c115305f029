//! The rearrangement phase: from dy linear in dX to dy = Tr(Gᵀ dX) (gᵀdx, g dx), then ∇f = G.

use crate::build::{add, mul};
use crate::ctx::Ctx;
use crate::expr::map_rc;
use crate::expr::{Dim, Expr, Func, Kind, Shape};
use crate::rules::{self, Rule};
use crate::simplify::{simplify_cited, smart_t, tidy, transpose_chain};
use std::rc::Rc;

/// A term split into constant scalar factors (`coef`) and the part that holds dX (`core`).
struct Split {
    coef: Vec<Expr>,
    core: Expr,
}

fn split(term: &Expr, ctx: Ctx) -> Split {
    let mut coef = Vec::new();
    let mut core = term.clone();
    loop {
        match core {
            Expr::Mul(fs) => {
                let (c, chain): (Vec<Expr>, Vec<Expr>) = fs
                    .into_iter()
                    .partition(|f| !ctx.has_dx(f) && ctx.is_scalar(f));
                let mut done = c.is_empty();
                coef.extend(c);
                let mut chain = chain;
                if let Some(last) = scalar_ends_chain(&chain, ctx) {
                    // P s with s a scalar holding dX and P constant: P is a scalar factor too.
                    chain.pop();
                    coef.push(mul(ctx, chain));
                    chain = vec![last];
                    done = false;
                }
                core = mul(ctx, chain);
                if done && !matches!(core, Expr::Div(..)) {
                    break;
                }
            }
            // A / s = (1/s) A for a constant scalar s.
            Expr::Div(a, s) if !ctx.has_dx(&s) => {
                coef.push(Expr::Div(Rc::new(Expr::Num(1.0)), s));
                core = Rc::unwrap_or_clone(a);
            }
            c => {
                core = c;
                break;
            }
        }
    }
    Split { coef, core }
}

/// The last factor of a chain of several when it is the scalar that holds dX (not dX itself)
/// and no sum to distribute over, taken off the chain.
fn scalar_ends_chain(chain: &[Expr], ctx: Ctx) -> Option<Expr> {
    let (last, rest) = chain.split_last()?;
    let fits = !rest.is_empty()
        && ctx.is_scalar(last)
        && ctx.has_dx(last)
        && !ctx.is_dx(last)
        && rest.iter().all(|f| !ctx.has_dx(f))
        && distribute(ctx, chain, rest.len()).is_none();
    fits.then(|| last.clone())
}

fn join(ctx: Ctx, coef: &[Expr], core: Expr) -> Expr {
    let mut fs = coef.to_vec();
    fs.push(core);
    tidy(ctx, mul(ctx, fs))
}

/// The factors of a product, or the expression as a chain of one, by reference.
fn chain_ref(e: &Expr) -> &[Expr] {
    match e {
        Expr::Mul(fs) => fs,
        e => std::slice::from_ref(e),
    }
}

fn chain_of(e: &Expr) -> Vec<Expr> {
    match e {
        Expr::Mul(fs) => fs.clone(),
        e => vec![e.clone()],
    }
}

/// The variable's kind decides the final form.
#[derive(Clone, Copy)]
struct Target<'a> {
    ctx: Ctx<'a>,
    kind: Kind,
}

impl Target<'_> {
    /// Whether a product chain reads P dX with P free of dX.
    fn ends_in_dx(&self, chain: &[Expr]) -> bool {
        match chain.split_last() {
            Some((last, rest)) => self.ctx.is_dx(last) && rest.iter().all(|f| !self.ctx.has_dx(f)),
            None => false,
        }
    }

    fn is_final(&self, core: &Expr) -> bool {
        match self.kind {
            Kind::Matrix => {
                matches!(core.as_call1(), Some((Func::Tr, m)) if self.ends_in_dx(chain_ref(m)))
            }
            Kind::Vector | Kind::Scalar => self.ends_in_dx(chain_ref(core)),
        }
    }

    /// The next rewrite of one core: the first step of [`STEPS`] that applies, as the rule and
    /// the resulting cores (a sum splits). `None` for a final core, or one no step fits.
    fn next(&self, core: &Expr) -> Option<(Rule, Vec<Expr>)> {
        if !self.ctx.has_dx(core) || self.is_final(core) {
            return None;
        }
        STEPS
            .iter()
            .find_map(|step| (step.rewrite)(*self, core).map(|cores| (step.rule, cores)))
    }
}

/// One rearrangement step: the rule it cites and its rewrite of one core (a term without its
/// constant scalar factors) into the cores that replace it, `None` where it does not apply.
struct Step {
    rule: Rule,
    rewrite: fn(Target, &Expr) -> Option<Vec<Expr>>,
}

const fn step(rule: Rule, rewrite: fn(Target, &Expr) -> Option<Vec<Expr>>) -> Step {
    Step { rule, rewrite }
}

/// Every rearrangement step, in the order they are tried on a core: the first that applies is
/// taken. A core outside any trace is a sum, `Tr(M)`, `sum(M)`, a transposed scalar, a scalar
/// Hadamard product or a scalar product chain; each step matches one of these.
const STEPS: &[Step] = &[
    // A + B (outside a trace).
    step(rules::DISTRIBUTE, split_sum),
    // Tr(M).
    step(rules::TRACE_LINEARITY, trace_of_sum),
    step(rules::TRACE_LINEARITY, scalar_out_of_trace),
    step(rules::DISTRIBUTE, distribute_in_trace),
    step(rules::TRACE_OF_SCALAR, trace_ending_in_dx),
    step(rules::TRACE_CYCLIC, dx_to_the_end),
    step(rules::KRONECKER_TRANSPOSE, kron_transpose),
    step(rules::KRONECKER_MIXED_PRODUCT, kron_mixed_product),
    step(rules::TRACE_KRONECKER, trace_kron),
    step(rules::TRACE_TRANSPOSE, trace_transpose),
    step(rules::TRACE_CYCLIC, linear_factor_to_the_end),
    step(rules::TRACE_HADAMARD, trace_hadamard_quotient),
    step(rules::TRACE_HADAMARD, trace_hadamard),
    step(rules::TRACE_DIAG, trace_diag),
    step(rules::DIAG_TRACE, diag_trace),
    step(rules::TRACE_OF_SCALAR, trace_of_scalar),
    // sum(M).
    step(rules::SUM_AS_TRACE, sum_of_scalar),
    step(rules::SUM_AS_TRACE, sum_as_trace),
    // mean(M).
    step(rules::MEAN_AS_TRACE, mean_of_scalar),
    step(rules::MEAN_AS_TRACE, mean_as_trace),
    // aᵀ, a ⊙ b for scalars.
    step(rules::SCALAR_TRANSPOSE, transposed_scalar),
    step(rules::SCALAR_FACTOR, scalar_hadamard),
    // A scalar product chain.
    step(rules::DISTRIBUTE, distribute_in_chain),
    step(rules::SCALAR_FACTOR, scalar_to_the_end),
    step(rules::SCALAR_TRANSPOSE, transpose_scalar_chain),
    step(rules::SCALAR_AS_TRACE, scalar_as_trace),
];

/// A + B → A, B.
fn split_sum(_: Target, core: &Expr) -> Option<Vec<Expr>> {
    match core {
        Expr::Add(ts) => Some(ts.clone()),
        _ => None,
    }
}

/// The argument of `Tr(·)`.
fn trace_arg(core: &Expr) -> Option<&Expr> {
    match core.as_call1() {
        Some((Func::Tr, m)) => Some(m),
        _ => None,
    }
}

/// The chain inside `Tr(·)` (not a sum) and the index of its factor that holds dX.
struct InTrace<'e> {
    /// The factors of the trace's argument, borrowed from it (a step copies what it keeps).
    chain: &'e [Expr],
    k: usize,
}

impl<'e> InTrace<'e> {
    fn of(t: Target, core: &'e Expr) -> Option<InTrace<'e>> {
        let m = trace_arg(core)?;
        if matches!(m, Expr::Add(_)) {
            return None;
        }
        let chain = chain_ref(m);
        let k = chain.iter().position(|f| t.ctx.has_dx(f))?;
        Some(InTrace { chain, k })
    }
    fn factor(&self) -> &Expr {
        &self.chain[self.k]
    }
    fn is_last(&self) -> bool {
        self.k + 1 == self.chain.len()
    }
    /// The chain rotated so that the factor with dX ends it.
    fn rotated(&self) -> Vec<Expr> {
        let mut c: Vec<Expr> = self.chain[self.k + 1..].to_vec();
        c.extend_from_slice(&self.chain[..=self.k]);
        c
    }
    /// P of Tr(P F), F the factor with dX, transposed: the left factor of a Hadamard identity.
    fn left_transposed(&self, ctx: Ctx) -> Expr {
        if self.k == 0 {
            Expr::Eye(ctx.shape(self.factor()).cols)
        } else {
            smart_t(&mul(ctx, self.chain[..self.k].to_vec()), ctx)
        }
    }
}

fn trace_of(ctx: Ctx, chain: Vec<Expr>) -> Expr {
    Expr::call(Func::Tr, tidy(ctx, mul(ctx, chain)))
}

/// Tr(A + B) = Tr(A) + Tr(B).
fn trace_of_sum(t: Target, core: &Expr) -> Option<Vec<Expr>> {
    match trace_arg(core)? {
        Expr::Add(ts) => Some(
            ts.iter()
                .map(|a| trace_of(t.ctx, vec![a.clone()]))
                .collect(),
        ),
        _ => None,
    }
}

/// Scalars leave the trace: Tr(αA) = α Tr(A).
fn scalar_out_of_trace(t: Target, core: &Expr) -> Option<Vec<Expr>> {
    let ctx = t.ctx;
    let m = trace_arg(core)?;
    if matches!(m, Expr::Add(_)) {
        return None;
    }
    let mut rest = chain_of(m);
    if rest.len() < 2 {
        return None;
    }
    let j = rest.iter().position(|f| ctx.is_scalar(f))?;
    let s = rest.remove(j);
    let tr = Expr::call(Func::Tr, mul(ctx, rest));
    Some(vec![if ctx.has_dx(&s) {
        mul(ctx, vec![tr, s])
    } else {
        mul(ctx, vec![s, tr])
    }])
}

/// Tr(S(P + Q)) = Tr(SP + SQ): the trace splits in the next step, by its linearity.
fn distribute_in_trace(t: Target, core: &Expr) -> Option<Vec<Expr>> {
    let v = InTrace::of(t, core)?;
    let cores = distribute(t.ctx, v.chain, v.k)?;
    Some(vec![Expr::call(Func::Tr, add(cores))])
}

/// Tr(p dx) = p dx, a scalar (for vectors and scalars).
fn trace_ending_in_dx(t: Target, core: &Expr) -> Option<Vec<Expr>> {
    let v = InTrace::of(t, core)?;
    (t.ctx.is_dx(v.factor()) && v.is_last()).then(|| vec![mul(t.ctx, v.chain.to_vec())])
}

/// Tr(P dX Q) = Tr(Q P dX).
fn dx_to_the_end(t: Target, core: &Expr) -> Option<Vec<Expr>> {
    let v = InTrace::of(t, core)?;
    (t.ctx.is_dx(v.factor()) && !v.is_last()).then(|| vec![trace_of(t.ctx, v.rotated())])
}

/// Whether `e` is a Kronecker product or the transpose of one.
fn is_kron(e: &Expr) -> bool {
    match e {
        Expr::Transpose(a) => matches!(**a, Expr::Call(Func::Kron, _)),
        e => matches!(e, Expr::Call(Func::Kron, _)),
    }
}

/// Whether a Kronecker product holds dX somewhere in `dy` (the rearrangement of such a term
/// is refused with its own diagnostic when no step fits it).
pub fn kron_holds_dx(dy: &Expr, ctx: Ctx) -> bool {
    dy.any(&mut |e| matches!(e, Expr::Call(Func::Kron, _)) && ctx.has_dx(e))
}

/// Tr(P (A ⊗ B)ᵀ Q) = Tr(P (Aᵀ ⊗ Bᵀ) Q), in a trace whose factor with dX is a Kronecker
/// product: every transposed Kronecker product of the chain.
fn kron_transpose(t: Target, core: &Expr) -> Option<Vec<Expr>> {
    let ctx = t.ctx;
    let v = InTrace::of(t, core)?;
    if !is_kron(v.factor()) {
        return None;
    }
    let mut changed = false;
    let chain: Vec<Expr> = v
        .chain
        .iter()
        .map(|f| match f {
            Expr::Transpose(k) => match k.as_call2() {
                Some((Func::Kron, a, b)) => {
                    changed = true;
                    Expr::call2(Func::Kron, smart_t(a, ctx), smart_t(b, ctx))
                }
                _ => f.clone(),
            },
            f => f.clone(),
        })
        .collect();
    changed.then(|| vec![trace_of(ctx, chain)])
}

/// Tr(P (A ⊗ B)(C ⊗ D) Q) = Tr(P (AC ⊗ BD) Q), in a trace whose factor with dX is a Kronecker
/// product: the first adjacent pair whose factors multiply (A's columns are C's rows, B's are
/// D's).
fn kron_mixed_product(t: Target, core: &Expr) -> Option<Vec<Expr>> {
    let ctx = t.ctx;
    let v = InTrace::of(t, core)?;
    if !matches!(v.factor(), Expr::Call(Func::Kron, _)) {
        return None;
    }
    let fits = |x: &Expr, y: &Expr| ctx.dims(x).1 == ctx.dims(y).0;
    let i = v
        .chain
        .windows(2)
        .position(|w| match (w[0].as_call2(), w[1].as_call2()) {
            (Some((Func::Kron, a, b)), Some((Func::Kron, c, d))) => fits(a, c) && fits(b, d),
            _ => false,
        })?;
    let (Some((_, a, b)), Some((_, c, d))) = (v.chain[i].as_call2(), v.chain[i + 1].as_call2())
    else {
        return None;
    };
    let merged = Expr::call2(
        Func::Kron,
        mul(ctx, vec![(**a).clone(), (**c).clone()]),
        mul(ctx, vec![(**b).clone(), (**d).clone()]),
    );
    let mut chain = v.chain[..i].to_vec();
    chain.push(merged);
    chain.extend_from_slice(&v.chain[i + 2..]);
    Some(vec![trace_of(ctx, chain)])
}

/// Tr(A ⊗ B) = Tr(A) Tr(B), for square A and B, one of them holding dX.
fn trace_kron(t: Target, core: &Expr) -> Option<Vec<Expr>> {
    let ctx = t.ctx;
    let v = InTrace::of(t, core)?;
    let (Func::Kron, a, b) = v.factor().as_call2()? else {
        return None;
    };
    if v.chain.len() != 1 || !ctx.is_square(a) || !ctx.is_square(b) {
        return None;
    }
    let tr = |x: &Rc<Expr>| Expr::call_shared(Func::Tr, x.clone());
    // The trace holding dX last, as the other steps leave it.
    let (first, second) = if ctx.has_dx(a) { (b, a) } else { (a, b) };
    Some(vec![mul(ctx, vec![tr(first), tr(second)])])
}

/// Tr(P Aᵀ Q) = Tr(Qᵀ A Pᵀ).
fn trace_transpose(t: Target, core: &Expr) -> Option<Vec<Expr>> {
    let v = InTrace::of(t, core)?;
    matches!(v.factor(), Expr::Transpose(_))
        .then(|| vec![trace_of(t.ctx, transpose_chain(v.chain, t.ctx))])
}

/// Tr(P F Q) = Tr(Q P F) for a Hadamard product, quotient or diagonal F holding dX.
fn linear_factor_to_the_end(t: Target, core: &Expr) -> Option<Vec<Expr>> {
    let v = InTrace::of(t, core)?;
    let moves = matches!(
        v.factor(),
        Expr::Had(_) | Expr::HadDiv(..) | Expr::Call(Func::Diag | Func::DiagOf, _)
    );
    (moves && !v.is_last()).then(|| vec![trace_of(t.ctx, v.rotated())])
}

/// Tr(P (A ⊘ B)) = Tr((Pᵀ ⊘ B)ᵀ A), A the factor with dX.
fn trace_hadamard_quotient(t: Target, core: &Expr) -> Option<Vec<Expr>> {
    let ctx = t.ctx;
    let v = InTrace::of(t, core)?;
    let Expr::HadDiv(a, b) = v.factor() else {
        return None;
    };
    if !ctx.has_dx(a) {
        return None;
    }
    let p = v.left_transposed(ctx);
    Some(vec![trace_of(
        ctx,
        vec![Expr::t(Expr::HadDiv(Rc::new(p), b.clone())), (**a).clone()],
    )])
}

/// Tr(P (A ⊙ B)) = Tr((Pᵀ ⊙ A)ᵀ B), B the factor with dX.
fn trace_hadamard(t: Target, core: &Expr) -> Option<Vec<Expr>> {
    let ctx = t.ctx;
    let v = InTrace::of(t, core)?;
    let Expr::Had(hs) = v.factor() else {
        return None;
    };
    let j = hs.iter().position(|g| ctx.has_dx(g))?;
    let mut others = hs.clone();
    let b = others.remove(j);
    let p = v.left_transposed(ctx);
    // 1 ⊙ A = A: the all-ones P of a sum(·) leaves no trace.
    let mut had: Vec<Expr> = if matches!(p, Expr::Ones(_)) {
        vec![]
    } else {
        vec![p]
    };
    had.extend(others);
    let a = match had.len() {
        0 => Expr::Ones(Rc::new(ctx.shape(&b))),
        1 => had.remove(0),
        _ => Expr::Had(had),
    };
    Some(vec![trace_of(ctx, vec![smart_t(&a, ctx), b])])
}

/// Tr(P diag(v)) = diag(P)ᵀ v.
fn trace_diag(t: Target, core: &Expr) -> Option<Vec<Expr>> {
    let ctx = t.ctx;
    let v = InTrace::of(t, core)?;
    let Some((Func::Diag, w)) = v.factor().as_call1() else {
        return None;
    };
    let d = if v.k == 0 {
        Expr::Ones(Rc::new(Shape::new(Dim::One, ctx.shape(w).rows)))
    } else {
        Expr::t(Expr::call(Func::DiagOf, mul(ctx, v.chain[..v.k].to_vec())))
    };
    Some(vec![mul(ctx, vec![d, (**w).clone()])])
}

/// Tr(q diag(A)) = Tr(diag(qᵀ) A), q a row.
fn diag_trace(t: Target, core: &Expr) -> Option<Vec<Expr>> {
    let ctx = t.ctx;
    let v = InTrace::of(t, core)?;
    let Some((Func::DiagOf, a)) = v.factor().as_call1() else {
        return None;
    };
    let q = mul(ctx, v.chain[..v.k].to_vec());
    Some(vec![trace_of(
        ctx,
        vec![Expr::call(Func::Diag, smart_t(&q, ctx)), (**a).clone()],
    )])
}

/// Tr(a) = a for any scalar a: a trace, sum or function of one, a 1×1 product.
fn trace_of_scalar(t: Target, core: &Expr) -> Option<Vec<Expr>> {
    let m = trace_arg(core)?;
    t.ctx.is_scalar(m).then(|| vec![m.clone()])
}

/// The argument of `sum(·)`.
fn sum_arg(core: &Expr) -> Option<&Expr> {
    match core.as_call1() {
        Some((Func::Sum, m)) => Some(m),
        _ => None,
    }
}

/// sum(a) = Tr(a) for a scalar a (the 1×1 all-ones factor is 1).
fn sum_of_scalar(t: Target, core: &Expr) -> Option<Vec<Expr>> {
    let m = sum_arg(core)?;
    t.ctx
        .is_scalar(m)
        .then(|| vec![Expr::call(Func::Tr, m.clone())])
}

/// sum(A) = Tr(1ᵀ A).
fn sum_as_trace(t: Target, core: &Expr) -> Option<Vec<Expr>> {
    let ctx = t.ctx;
    let m = sum_arg(core)?;
    let ones = Expr::Ones(Rc::new(ctx.shape(m).transposed()));
    Some(vec![Expr::call(Func::Tr, mul(ctx, vec![ones, m.clone()]))])
}

/// The argument of `mean(·)`.
fn mean_arg(core: &Expr) -> Option<&Expr> {
    match core.as_call1() {
        Some((Func::Mean, m)) => Some(m),
        _ => None,
    }
}

/// mean(a) = Tr(a) for a scalar a (one entry).
fn mean_of_scalar(t: Target, core: &Expr) -> Option<Vec<Expr>> {
    let m = mean_arg(core)?;
    t.ctx
        .is_scalar(m)
        .then(|| vec![Expr::call(Func::Tr, m.clone())])
}

/// mean(A) = Tr(1ᵀ A) / N, N the number of entries of A: a number when both sizes are, else
/// `sum(1)`, the sum of the all-ones matrix of A's shape.
fn mean_as_trace(t: Target, core: &Expr) -> Option<Vec<Expr>> {
    let ctx = t.ctx;
    let m = mean_arg(core)?;
    let shape = ctx.shape(m);
    let count = match (&shape.rows, &shape.cols) {
        (Dim::One | Dim::Num(_), Dim::One | Dim::Num(_)) => {
            let n = |d: &Dim| match d {
                Dim::Num(n) => *n as f64,
                _ => 1.0,
            };
            Expr::Num(n(&shape.rows) * n(&shape.cols))
        }
        _ => Expr::call(Func::Sum, Expr::Ones(Rc::new(shape.clone()))),
    };
    let ones = Expr::Ones(Rc::new(shape.transposed()));
    let trace = Expr::call(Func::Tr, mul(ctx, vec![ones, m.clone()]));
    Some(vec![Expr::Div(Rc::new(trace), Rc::new(count))])
}

/// aᵀ = a for a scalar a.
fn transposed_scalar(_: Target, core: &Expr) -> Option<Vec<Expr>> {
    match core {
        Expr::Transpose(a) => Some(vec![(**a).clone()]),
        _ => None,
    }
}

/// a ⊙ b = a b for scalars.
fn scalar_hadamard(t: Target, core: &Expr) -> Option<Vec<Expr>> {
    match core {
        Expr::Had(fs) if t.ctx.is_scalar(core) => Some(vec![mul(t.ctx, fs.clone())]),
        _ => None,
    }
}

/// A scalar core that is a product chain (or one factor of none of the other forms), and the
/// index of its factor that holds dX.
fn scalar_chain<'e>(t: Target, core: &'e Expr) -> Option<(&'e [Expr], usize)> {
    let other_form = match core {
        Expr::Add(_) | Expr::Call(Func::Tr | Func::Sum | Func::Mean, _) | Expr::Transpose(_) => {
            true
        }
        Expr::Had(_) => t.ctx.is_scalar(core),
        _ => false,
    };
    if other_form {
        return None;
    }
    let chain = chain_ref(core);
    let k = chain.iter().position(|f| t.ctx.has_dx(f))?;
    Some((chain, k))
}

/// Distributes a product over a sum factor that holds dX: P(A + B)Q = PAQ + PBQ; a transposed
/// sum and a Hadamard product with a sum count as sums.
fn distribute(ctx: Ctx, chain: &[Expr], k: usize) -> Option<Vec<Expr>> {
    let terms: Vec<Expr> = match &chain[k] {
        Expr::Add(ts) => ts.clone(),
        Expr::Transpose(a) => match &**a {
            Expr::Add(ts) => ts.iter().map(|t| smart_t(t, ctx)).collect(),
            _ => return None,
        },
        Expr::Had(fs) => {
            let j = fs
                .iter()
                .position(|g| matches!(g, Expr::Add(_)) && ctx.has_dx(g))?;
            let Expr::Add(ts) = &fs[j] else { return None };
            ts.iter()
                .map(|t| {
                    let mut g = fs.clone();
                    g[j] = t.clone();
                    Expr::Had(g)
                })
                .collect()
        }
        _ => return None,
    };
    Some(
        terms
            .into_iter()
            .map(|t| {
                let mut c = chain.to_vec();
                c[k] = t;
                tidy(ctx, mul(ctx, c))
            })
            .collect(),
    )
}

/// P (A + B) Q = P A Q + P B Q, outside a trace.
fn distribute_in_chain(t: Target, core: &Expr) -> Option<Vec<Expr>> {
    let (chain, k) = scalar_chain(t, core)?;
    distribute(t.ctx, chain, k)
}

/// Scalars commute: the scalar factor that holds dX moves to the end of the chain.
fn scalar_to_the_end(t: Target, core: &Expr) -> Option<Vec<Expr>> {
    let ctx = t.ctx;
    let (chain, k) = scalar_chain(t, core)?;
    if !ctx.is_scalar(&chain[k]) || k + 1 == chain.len() {
        return None;
    }
    let mut rest: Vec<Expr> = chain.to_vec();
    let moved = rest.remove(k);
    rest.push(moved);
    Some(vec![mul(ctx, rest)])
}

/// pᵀ q = qᵀ p: a scalar chain whose factor with dX is transposed reads reversed.
fn transpose_scalar_chain(t: Target, core: &Expr) -> Option<Vec<Expr>> {
    let (chain, k) = scalar_chain(t, core)?;
    matches!(chain[k], Expr::Transpose(_)).then(|| vec![mul(t.ctx, transpose_chain(chain, t.ctx))])
}

/// a = Tr(a) for a scalar chain a.
fn scalar_as_trace(t: Target, core: &Expr) -> Option<Vec<Expr>> {
    let (chain, _) = scalar_chain(t, core)?;
    Some(vec![Expr::call(Func::Tr, mul(t.ctx, chain.to_vec()))])
}

/// A finished term: numeric coefficient, other scalar factors, and P of `P dX`.
struct Final {
    num: f64,
    coef: Vec<Expr>,
    p: Vec<Expr>,
}

fn finished(term: &Expr, target: Target) -> Option<Final> {
    let ctx = target.ctx;
    let Split { coef, core } = split(term, ctx);
    let chain = match (target.kind, core.as_call1()) {
        (Kind::Matrix, Some((Func::Tr, m))) => chain_ref(m),
        (Kind::Matrix, _) => return None,
        _ => chain_ref(&core),
    };
    if !target.ends_in_dx(chain) {
        return None;
    }
    let (_, p) = chain.split_last()?;
    // Scalar factors of P commute into the coefficient, so P holds only matrix factors.
    let (scalars, p): (Vec<Expr>, Vec<Expr>) = p.iter().cloned().partition(|f| ctx.is_scalar(f));
    let mut p = crate::simplify::merge_powers(p, ctx);
    if target.kind == Kind::Matrix && p.is_empty() {
        // Tr(α dX): the gradient is α I.
        p.push(Expr::Eye(ctx.shape(&Expr::sym(ctx.wrt)).rows));
    }
    let mut num = 1.0;
    let mut rest = Vec::new();
    for c in coef.into_iter().chain(scalars) {
        match c {
            // Numbers fold while the product stays finite (1e308*10 stays as is).
            Expr::Num(x) if (num * x).is_finite() => num *= x,
            c => rest.push(c),
        }
    }
    Some(Final { num, coef: rest, p })
}

/// Collects like terms and factors out common leading or trailing factors.
fn collect(terms: Vec<Final>, ctx: Ctx) -> Expr {
    let mut merged: Vec<Final> = Vec::new();
    for t in terms {
        if let Some(m) = merged
            .iter_mut()
            .find(|m| m.coef == t.coef && m.p == t.p && (m.num + t.num).is_finite())
        {
            m.num += t.num;
        } else {
            merged.push(t);
        }
    }
    merged.retain(|t| t.num != 0.0);
    factor(merged, ctx)
}

fn factor(terms: Vec<Final>, ctx: Ctx) -> Expr {
    let as_expr = |t: &Final| {
        let mut fs = vec![Expr::Num(t.num)];
        fs.extend(t.coef.iter().cloned());
        fs.extend(t.p.iter().cloned());
        tidy(ctx, mul(ctx, fs))
    };
    if terms.len() >= 2 {
        let first = terms[0].p.first().cloned();
        if let Some(f) = first.filter(|f| !ctx.is_scalar(f)) {
            if terms
                .iter()
                .all(|t| t.p.len() >= 2 && t.p.first() == Some(&f))
            {
                let rest = terms.into_iter().map(|mut t| {
                    t.p.remove(0);
                    t
                });
                return tidy(ctx, mul(ctx, vec![f, factor(rest.collect(), ctx)]));
            }
        }
        let last = terms[0].p.last().cloned();
        if let Some(f) = last.filter(|f| !ctx.is_scalar(f)) {
            if terms
                .iter()
                .all(|t| t.p.len() >= 2 && t.p.last() == Some(&f))
            {
                let rest = terms.into_iter().map(|mut t| {
                    t.p.pop();
                    t
                });
                return tidy(ctx, mul(ctx, vec![factor(rest.collect(), ctx), f]));
            }
        }
    }
    add(terms.iter().map(as_expr).collect())
}

/// One line of the rearrangement or of the gradient.
pub enum Line {
    Dy(Rule, Expr),
    Gradient(Rule, Expr),
    /// The final simplification ([`rules::SIMPLIFY`]), with the named identities it used.
    Simplified(Vec<Rule>, Expr),
}

/// Rearranges `dy` (free of d(·) but for dX) into the canonical form and reads off the gradient.
/// Returns the lines and the gradient; `None` if some term has no canonical form.
/// Each line's printed size is taken out of `budget`; `None` with the budget at 0 when it runs out.
pub fn rearrange(dy: &Expr, kind: Kind, ctx: Ctx, budget: &mut usize) -> Option<(Vec<Line>, Expr)> {
    let target = Target { ctx, kind };
    let mut lines = Vec::new();
    let mut terms: Vec<Expr> = match tidy(ctx, quotients_as_factors(dy.clone(), ctx)) {
        Expr::Add(ts) => ts,
        e if e.is_zero() => vec![],
        e => vec![e],
    };
    // Each term's next rewrite, worked out once per term: a term the chosen rule leaves alone
    // keeps its plan for the next round.
    let plan = |t: &Expr| -> Option<(Rule, Vec<Expr>)> {
        let Split { coef, core } = split(t, ctx);
        target.next(&core).map(|(rule, cores)| {
            (
                rule,
                cores.into_iter().map(|c| join(ctx, &coef, c)).collect(),
            )
        })
    };
    let mut plans: Vec<Option<(Rule, Vec<Expr>)>> = terms.iter().map(plan).collect();
    for _ in 0..crate::derive::MAX_STEPS {
        let Some(rule) = plans.iter().flatten().map(|(r, _)| *r).next() else {
            break;
        };
        let mut next = Vec::new();
        let mut next_plans = Vec::new();
        for (t, p) in terms.into_iter().zip(plans) {
            match p {
                Some((r, new)) if r == rule => {
                    for e in new {
                        let parts = match e {
                            Expr::Add(ts) => ts,
                            e => vec![e],
                        };
                        for e in parts.into_iter().filter(|e| !e.is_zero()) {
                            next_plans.push(plan(&e));
                            next.push(e);
                        }
                    }
                }
                p => {
                    if !t.is_zero() {
                        next.push(t);
                        next_plans.push(p);
                    }
                }
            }
        }
        terms = next;
        plans = next_plans;
        let line = add(terms.clone());
        if !line.spend_printed_size(budget) {
            *budget = 0;
            return None;
        }
        lines.push(Line::Dy(rule, line));
    }
    let finals: Vec<Final> = terms
        .iter()
        .map(|t| finished(t, target))
        .collect::<Option<_>>()?;
    let n_terms = finals.len();
    let p = collect(finals, ctx);
    let dx = Expr::d(Expr::sym(ctx.wrt));
    let collected = match kind {
        _ if p.is_zero() => Expr::Num(0.0),
        Kind::Matrix => {
            // Numeric coefficients stand outside the trace: 2 Tr(P dX).
            let (num, rest) = match &p {
                Expr::Mul(fs) if matches!(fs.first(), Some(Expr::Num(_))) => {
                    (fs[0].clone(), mul(ctx, fs[1..].to_vec()))
                }
                p => (Expr::Num(1.0), p.clone()),
            };
            tidy(
                ctx,
                mul(
                    ctx,
                    vec![num, Expr::call(Func::Tr, mul(ctx, vec![rest, dx]))],
                ),
            )
        }
        _ => mul(ctx, vec![p.clone(), dx]),
    };
    if n_terms > 1 {
        lines.push(Line::Dy(rules::COLLECT, collected));
    }
    let raw = match kind {
        Kind::Scalar => p,
        _ if p.is_zero() => p,
        _ => Expr::t(p),
    };
    lines.push(Line::Gradient(rules::READ_OFF, raw.clone()));
    let pushed = tidy(ctx, smart_t_top(&raw, ctx));
    if pushed != raw {
        lines.push(Line::Gradient(rules::TRANSPOSE_PRODUCT, pushed.clone()));
    }
    let (simple, identities) = simplify_cited(pushed.clone(), ctx);
    if simple != pushed {
        lines.push(Line::Simplified(identities, simple.clone()));
    }
    Some((lines, simple))
}

/// `A / s` with dX in `A` becomes `(1/s) A`, so the scalar 1/s moves like any other scalar factor.
fn quotients_as_factors(e: Expr, ctx: Ctx) -> Expr {
    let go = |e: Expr| quotients_as_factors(e, ctx);
    match e {
        Expr::Div(a, s) if ctx.has_dx(&a) && !ctx.has_dx(&s) => Expr::Mul(vec![
            Expr::Div(Rc::new(Expr::Num(1.0)), s),
            go(Rc::unwrap_or_clone(a)),
        ]),
        Expr::Add(v) => Expr::Add(v.into_iter().map(go).collect()),
        Expr::Mul(v) => Expr::Mul(v.into_iter().map(go).collect()),
        Expr::Had(v) => Expr::Had(v.into_iter().map(go).collect()),
        Expr::Transpose(a) => Expr::Transpose(map_rc(a, go)),
        e @ Expr::Call(..) => e.map_children(go),
        Expr::HadDiv(a, b) => Expr::HadDiv(map_rc(a, go), b),
        e => e,
    }
}

/// Pushes the outer transpose of the read-off gradient inward.
fn smart_t_top(e: &Expr, ctx: Ctx) -> Expr {
    match e {
        Expr::Transpose(a) => smart_t(a, ctx),
        e => e.clone(),
    }
}

#[cfg(test)]
mod tests {
    use crate::api::derive;
    use crate::expr::{Dim, Expr, Func, Kind, Problem, Shape, Symbol, SymbolTable};
    use expect_test::{expect, Expect};
    use std::rc::Rc;

    fn sym(name: &str, kind: Kind, rows: &str, cols: &str, symmetric: bool) -> Symbol {
        let d = |s: &str| {
            if s == "1" {
                Dim::One
            } else {
                Dim::Name(s.into())
            }
        };
        Symbol {
            name: name.into(),
            kind,
            shape: Shape::new(d(rows), d(cols)),
            symmetric,
            spd: false,
            origin: crate::expr::Origin::Letter,
        }
    }
    fn s(n: &str) -> Expr {
        Expr::sym(n)
    }

    /// Renders a derivation as `rule: text` lines.
    fn check(expr: Expr, symbols: Vec<Symbol>, wrt: &str, expect: Expect) {
        let p = Problem {
            expr,
            symbols: SymbolTable { symbols },
            wrt: wrt.into(),
        };
        let d = derive(&p).expect("derivation");
        let dy: Vec<Expr> = d
            .steps
            .iter()
            .filter(|s| s.lhs == crate::api::Lhs::Dy)
            .map(|s| s.expr.clone())
            .collect();
        let sizes = crate::numeric::resolve_sizes(&p.symbols, &Default::default()).expect("sizes");
        for seed in 0..3 {
            let report = crate::numeric::run_check(&p, &dy, &d.gradient, &sizes, seed);
            assert!(
                report.passed,
                "check failed at seed {seed}: {report:#?}\n{}",
                d.to_text()
            );
        }
        let mut out = String::new();
        for st in &d.steps {
            let lhs = match st.lhs {
                crate::api::Lhs::Dy => "dy",
                crate::api::Lhs::Gradient => "grad",
            };
            out.push_str(&format!(
                "{:<22} {lhs} = {}\n",
                st.rule.map_or("", |r| r.id),
                st.text
            ));
        }
        expect.assert_eq(&out);
    }

    /// The catalog's rearrangement rules (from `distribute` to `diag-trace`) each have a step.
    #[test]
    fn every_rearrangement_rule_has_a_step() {
        let at = |rule| crate::rules::ALL.iter().position(|r| *r == rule).unwrap();
        let (first, last) = (at(crate::rules::DISTRIBUTE), at(crate::rules::DIAG_TRACE));
        for rule in &crate::rules::ALL[first..=last] {
            assert!(
                super::STEPS.iter().any(|s| s.rule == *rule),
                "no step cites {}",
                rule.id
            );
        }
    }

    #[test]
    fn note_example_least_squares() {
        let f = Expr::Pow(
            Rc::new(Expr::call(
                Func::Norm2,
                Expr::Add(vec![Expr::Mul(vec![s("A"), s("x")]), Expr::neg(s("b"))]),
            )),
            2.0,
        );
        check(
            f,
            vec![
                sym("A", Kind::Matrix, "m", "n", false),
                sym("x", Kind::Vector, "n", "1", false),
                sym("b", Kind::Vector, "m", "1", false),
            ],
            "x",
            expect![[r#"
                                       dy = d(norm2(A*x - b)^2)
                norm-squared           dy = d((A*x - b)'*(A*x - b))
                product-rule           dy = d((A*x - b)')*(A*x - b) + (A*x - b)'*d(A*x - b)
                transpose              dy = (d(A*x - b))'*(A*x - b) + (A*x - b)'*d(A*x - b)
                linearity              dy = (d(A*x) - db)'*(A*x - b) + (A*x - b)'*(d(A*x) - db)
                constant               dy = (d(A*x))'*(A*x - b) + (A*x - b)'*d(A*x)
                product-rule           dy = (dA*x + A*dx)'*(A*x - b) + (A*x - b)'*(dA*x + A*dx)
                constant               dy = (A*dx)'*(A*x - b) + (A*x - b)'*A*dx
                scalar-transpose       dy = (A*x - b)'*A*dx + (A*x - b)'*A*dx
                collect                dy = 2*(A*x - b)'*A*dx
                read-off               grad = (2*(A*x - b)'*A)'
                transpose-product      grad = 2*A'*(A*x - b)
            "#]],
        );
    }

    #[test]
    fn note_example_trace() {
        let f = Expr::call(Func::Tr, Expr::Mul(vec![s("A"), s("X"), s("B")]));
        check(
            f,
            vec![
                sym("A", Kind::Matrix, "p", "m", false),
                sym("X", Kind::Matrix, "m", "n", false),
                sym("B", Kind::Matrix, "n", "p", false),
            ],
            "X",
            expect![[r#"
                                       dy = d(tr(A*X*B))
                trace                  dy = tr(d(A*X*B))
                product-rule           dy = tr(dA*X*B + A*dX*B + A*X*dB)
                constant               dy = tr(A*dX*B)
                trace-cyclic           dy = tr(B*A*dX)
                read-off               grad = (B*A)'
                transpose-product      grad = A'*B'
            "#]],
        );
    }

    #[test]
    fn note_example_logdet() {
        let f = Expr::call(Func::LogDet, Expr::Mul(vec![Expr::t(s("X")), s("X")]));
        check(
            f,
            vec![sym("X", Kind::Matrix, "m", "n", false)],
            "X",
            expect![[r#"
                                       dy = d(logdet(X'*X))
                log-det                dy = tr(inv(X'*X)*d(X'*X))
                product-rule           dy = tr(inv(X'*X)*(d(X')*X + X'*dX))
                transpose              dy = tr(inv(X'*X)*((dX)'*X + X'*dX))
                distribute             dy = tr(inv(X'*X)*(dX)'*X + inv(X'*X)*X'*dX)
                trace-linearity        dy = tr(inv(X'*X)*(dX)'*X) + tr(inv(X'*X)*X'*dX)
                trace-transpose        dy = tr(X'*dX*inv(X'*X)) + tr(inv(X'*X)*X'*dX)
                trace-cyclic           dy = tr(inv(X'*X)*X'*dX) + tr(inv(X'*X)*X'*dX)
                collect                dy = 2*tr(inv(X'*X)*X'*dX)
                read-off               grad = (2*inv(X'*X)*X')'
                transpose-product      grad = 2*X*inv(X'*X)
            "#]],
        );
    }

    #[test]
    fn quadratic_form_symmetric_and_not() {
        let f = || Expr::Mul(vec![Expr::t(s("x")), s("A"), s("x")]);
        check(
            f(),
            vec![
                sym("x", Kind::Vector, "n", "1", false),
                sym("A", Kind::Matrix, "n", "n", false),
            ],
            "x",
            expect![[r#"
                                       dy = d(x'*A*x)
                product-rule           dy = d(x')*A*x + x'*dA*x + x'*A*dx
                constant               dy = d(x')*A*x + x'*A*dx
                transpose              dy = (dx)'*A*x + x'*A*dx
                scalar-transpose       dy = x'*A'*dx + x'*A*dx
                collect                dy = x'*(A' + A)*dx
                read-off               grad = (x'*(A' + A))'
                transpose-product      grad = (A' + A)*x
                simplify               grad = (A + A')*x
            "#]],
        );
        check(
            f(),
            vec![
                sym("x", Kind::Vector, "n", "1", false),
                sym("A", Kind::Matrix, "n", "n", true),
            ],
            "x",
            expect![[r#"
                                       dy = d(x'*A*x)
                product-rule           dy = d(x')*A*x + x'*dA*x + x'*A*dx
                constant               dy = d(x')*A*x + x'*A*dx
                transpose              dy = (dx)'*A*x + x'*A*dx
                scalar-transpose       dy = x'*A*dx + x'*A*dx
                collect                dy = 2*x'*A*dx
                read-off               grad = (2*x'*A)'
                transpose-product      grad = 2*A*x
            "#]],
        );
    }

    fn table() -> Vec<Symbol> {
        vec![
            sym("A", Kind::Matrix, "m", "n", false),
            sym("X", Kind::Matrix, "n", "n", false),
            sym("W", Kind::Matrix, "m", "n", false),
            sym("x", Kind::Vector, "n", "1", false),
            sym("y", Kind::Vector, "m", "1", false),
            sym("a", Kind::Scalar, "1", "1", false),
        ]
    }

    fn many(cases: &[(&str, Expr, &str)], expect: Expect) {
        let mut out = String::new();
        for (name, f, wrt) in cases {
            let p = Problem {
                expr: f.clone(),
                symbols: SymbolTable { symbols: table() },
                wrt: (*wrt).into(),
            };
            let d = derive(&p).expect("derivation");
            let rules: Vec<&str> = d
                .steps
                .iter()
                .filter_map(|s| s.rule.map(|r| r.id))
                .collect();
            let dy: Vec<Expr> = d
                .steps
                .iter()
                .filter(|s| s.lhs == crate::api::Lhs::Dy)
                .map(|s| s.expr.clone())
                .collect();
            let sizes =
                crate::numeric::resolve_sizes(&p.symbols, &Default::default()).expect("sizes");
            for seed in 0..3 {
                let report = crate::numeric::run_check(&p, &dy, &d.gradient, &sizes, seed);
                assert!(
                    report.passed,
                    "{name}: check failed at seed {seed}: {report:#?}\n{}",
                    d.to_text()
                );
            }
            out.push_str(&format!(
                "{name}: {}\n  {}\n  = {}\n",
                d.f_text,
                rules.join(" "),
                d.gradient_text
            ));
        }
        expect.assert_eq(&out);
    }

    #[test]
    fn rule_paths() {
        let call = Expr::call;
        let m = |v: Vec<Expr>| Expr::Mul(v);
        many(
            &[
                (
                    "elementwise",
                    call(Func::Sum, call(Func::Exp, m(vec![s("A"), s("x")]))),
                    "x",
                ),
                (
                    "hadamard",
                    call(
                        Func::Tr,
                        m(vec![Expr::t(s("A")), Expr::Had(vec![s("W"), s("W")])]),
                    ),
                    "W",
                ),
                (
                    "inverse",
                    m(vec![Expr::t(s("x")), Expr::inv(s("X")), s("x")]),
                    "X",
                ),
                ("det", call(Func::Det, s("X")), "X"),
                ("sum", call(Func::Sum, s("W")), "W"),
                (
                    "diag",
                    m(vec![Expr::t(s("x")), call(Func::Diag, s("x")), s("x")]),
                    "x",
                ),
                ("diagof", call(Func::Sum, call(Func::DiagOf, s("X"))), "X"),
                ("norm", call(Func::Norm2, s("x")), "x"),
                ("norm-frob", call(Func::Norm2, s("W")), "W"),
                ("norm1", call(Func::Norm1, m(vec![s("A"), s("x")])), "x"),
                (
                    "quotient",
                    Expr::Div(
                        Rc::new(m(vec![Expr::t(s("x")), s("x")])),
                        Rc::new(call(Func::Tr, s("X"))),
                    ),
                    "X",
                ),
                (
                    "power",
                    call(Func::Tr, Expr::Pow(Rc::new(s("X")), 3.0)),
                    "X",
                ),
                (
                    "scalar",
                    m(vec![
                        Expr::Pow(Rc::new(s("a")), 2.0),
                        call(Func::Tr, s("X")),
                    ]),
                    "a",
                ),
                (
                    "scalar-in-vector",
                    m(vec![s("a"), Expr::t(s("x")), s("x")]),
                    "a",
                ),
                (
                    "log-sum",
                    call(Func::Log, call(Func::Sum, call(Func::Exp, s("x")))),
                    "x",
                ),
                (
                    "hadamard-div",
                    call(
                        Func::Sum,
                        Expr::HadDiv(Rc::new(s("x")), Rc::new(call(Func::Exp, s("x")))),
                    ),
                    "x",
                ),
                ("trace-of-x", call(Func::Tr, s("X")), "X"),
                (
                    "inner-scalar",
                    m(vec![
                        m(vec![Expr::t(s("x")), s("x")]),
                        m(vec![Expr::t(s("y")), s("A"), s("x")]),
                    ]),
                    "x",
                ),
                ("constant", call(Func::Tr, s("X")), "x"),
            ],
            expect![[r#"
                elementwise: sum(exp(A*x))
                  sum elementwise-function product-rule constant sum-as-trace trace-hadamard trace-of-scalar read-off transpose-product
                  = A'*exp(A*x)
                hadamard: tr(A'*(W .* W))
                  trace product-rule constant hadamard-product distribute trace-linearity trace-hadamard collect read-off transpose-product
                  = 2*(A .* W)
                inverse: x'*inv(X)*x
                  product-rule constant inverse scalar-as-trace trace-cyclic read-off transpose-product
                  = -inv(X)'*x*x'*inv(X)'
                det: det(X)
                  determinant read-off transpose-product
                  = det(X)*inv(X)'
                sum: sum(W)
                  sum sum-as-trace read-off transpose-product
                  = matrix(1)
                diag: x'*diag(x)*x
                  product-rule transpose diag scalar-transpose scalar-as-trace trace-cyclic trace-diag collect read-off transpose-product
                  = 2*diag(x)*x + diag(x*x')
                diagof: sum(diag(X))
                  sum diag sum-as-trace diag-trace read-off transpose-product simplify
                  = eye
                norm: norm2(x)
                  norm read-off transpose-product simplify
                  = x / norm2(x)
                norm-frob: norm2(W)
                  norm read-off transpose-product simplify
                  = W / norm2(W)
                norm1: norm1(A*x)
                  norm1 product-rule constant sum-as-trace trace-hadamard trace-of-scalar read-off transpose-product
                  = A'*sign(A*x)
                quotient: x'*x / tr(X)
                  quotient constant trace read-off transpose-product simplify
                  = -(x'*x)*eye / tr(X)^2
                power: tr(X^3)
                  trace matrix-power trace-linearity trace-cyclic collect read-off transpose-product
                  = 3*(X^2)'
                scalar: a^2*tr(X)
                  linearity scalar-power read-off
                  = 2*tr(X)*a
                scalar-in-vector: a*x'*x
                  product-rule constant scalar-factor read-off
                  = x'*x
                log-sum: log(sum(exp(x)))
                  chain-scalar sum elementwise-function sum-as-trace trace-hadamard trace-of-scalar read-off transpose-product simplify
                  = softmax(x)
                hadamard-div: sum(x ./ exp(x))
                  sum hadamard-quotient elementwise-function sum-as-trace distribute trace-linearity trace-hadamard trace-of-scalar trace-linearity trace-hadamard trace-of-scalar collect read-off transpose-product
                  = vector(1) ./ exp(x) - (x ./ exp(x).^2) .* exp(x)
                trace-of-x: tr(X)
                  trace read-off transpose-product
                  = eye
                inner-scalar: (x'*x)*(y'*A*x)
                  product-rule product-rule constant transpose distribute scalar-transpose collect read-off transpose-product
                  = 2*(y'*A*x)*x + (x'*x)*A'*y
                constant: tr(X)
                  independent read-off
                  = 0
            "#]],
        );
    }
}
