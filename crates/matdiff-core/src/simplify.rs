//! Algebraic normalisation: tidying products and sums, pushing transposes, symmetry, collecting like terms.

use crate::build::{add, is_scalar_group, map_children, map_rc, mul};
use crate::ctx::Ctx;
use crate::expr::{Expr, Func};
use std::rc::Rc;

/// `k / y` in lowest terms, for whole numbers with a common factor (`2/4` → `1/2`, `4/2` →
/// `2/1`, with a positive denominator); `None` when there is nothing to reduce.
fn reduce_fraction(k: f64, y: f64) -> Option<(f64, f64)> {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53: whole numbers are exact below it
    let whole = |v: f64| v.fract() == 0.0 && v.abs() < EXACT && v != 0.0;
    if !whole(k) || !whole(y) {
        return None;
    }
    let (mut a, mut b) = (k.abs() as u64, y.abs() as u64);
    while b != 0 {
        (a, b) = (b, a % b);
    }
    let g = a as f64 * y.signum();
    (g != 1.0).then_some((k / g, y / g))
}

/// Light normalisation that never changes how an expression reads beyond the obvious:
/// flattens sums and products, drops zero terms and unit factors, folds numeric factors.
#[must_use]
pub fn tidy(ctx: Ctx, e: Expr) -> Expr {
    tidy_node(ctx, e, true)
}

/// [`tidy`] of one node. With `deep`, the children are tidied first; without, they must
/// already be results of [`tidy`] (tidy is idempotent, so the result is the same).
fn tidy_node(ctx: Ctx, e: Expr, deep: bool) -> Expr {
    let sub = |e: Expr| if deep { tidy(ctx, e) } else { e };
    // A shared child is kept as it is when it need not be tidied.
    let subr = |e: Rc<Expr>| {
        if deep {
            map_rc(e, |e| tidy(ctx, e))
        } else {
            e
        }
    };
    match e {
        Expr::Add(ts) => {
            let ts: Vec<Expr> = if deep {
                ts.into_iter().map(sub).collect()
            } else {
                ts
            };
            // No nested sum and no constant to fold: the loop below would keep every term.
            let folds = |t: &Expr| match t {
                Expr::Add(_) => true,
                Expr::Num(x) => x.is_finite(),
                _ => false,
            };
            if !ts.iter().any(folds) {
                return add(ts);
            }
            let mut out = Vec::with_capacity(ts.len());
            let mut constant = 0.0;
            // The folded constant stays where the first constant stood: 1 - tanh(x)^2.
            let mut constant_at = None;
            for t in ts {
                match t {
                    Expr::Add(inner) => out.extend(inner),
                    // Constants fold only while the sum stays finite (1e308 + 1e308 stays as is).
                    Expr::Num(x) if (constant + x).is_finite() => {
                        constant += x;
                        constant_at.get_or_insert(out.len());
                    }
                    t => out.push(t),
                }
            }
            if let Some(at) = constant_at.filter(|_| constant != 0.0) {
                out.insert(at, Expr::Num(constant));
            }
            add(out)
        }
        Expr::Mul(fs) => {
            let fs: Vec<Expr> = if deep {
                fs.into_iter().map(sub).collect()
            } else {
                fs
            };
            let n = fs.len();
            // No number to fold and no product to flatten: the loop below would keep every
            // factor, with the coefficient 1.
            let changes = |f: &Expr| match f {
                Expr::Num(x) => x.is_finite(),
                Expr::Mul(inner) => n == 1 || !is_scalar_group(inner, ctx),
                _ => false,
            };
            if n > 0 && !fs.iter().any(changes) {
                return mul(ctx, fs);
            }
            let mut coef = 1.0;
            // Room for every factor of flattened products and the coefficient in front.
            let len: usize = fs
                .iter()
                .map(|f| match f {
                    Expr::Mul(inner) => inner.len(),
                    _ => 1,
                })
                .sum();
            let mut out = Vec::with_capacity(len + 1);
            // Constants fold only while the product stays finite (1e308*10 stays as is).
            for f in fs {
                match f {
                    Expr::Num(x) if (coef * x).is_finite() => coef *= x,
                    Expr::Mul(inner) if n == 1 || !is_scalar_group(&inner, ctx) => {
                        for g in inner {
                            match g {
                                Expr::Num(x) if (coef * x).is_finite() => coef *= x,
                                g => out.push(g),
                            }
                        }
                    }
                    f => out.push(f),
                }
            }
            if coef == 0.0 {
                return Expr::Num(0.0);
            }
            if out.is_empty() {
                return Expr::Num(coef);
            }
            if coef != 1.0 {
                out.insert(0, Expr::Num(coef));
            }
            mul(ctx, out)
        }
        Expr::Had(fs) => {
            let fs: Vec<Expr> = fs.into_iter().map(sub).collect();
            if fs.iter().any(Expr::is_zero) {
                return Expr::Num(0.0);
            }
            if fs.len() > 1 && !fs.iter().any(|f| matches!(f, Expr::Had(_))) {
                return Expr::Had(fs);
            }
            let mut out = Vec::new();
            for f in fs {
                match f {
                    Expr::Had(inner) => out.extend(inner),
                    f => out.push(f),
                }
            }
            if out.len() == 1 {
                return out.pop().unwrap_or(Expr::Num(0.0));
            }
            Expr::Had(out)
        }
        Expr::Div(a, b) => {
            let a = subr(a);
            let b = subr(b);
            if a.is_zero() {
                return Expr::Num(0.0);
            }
            if b.is_one() {
                return Rc::unwrap_or_clone(a);
            }
            if let (Expr::Num(x), Expr::Num(y)) = (&*a, &*b) {
                if *y != 0.0 && (x / y).is_finite() && (x / y).fract() == 0.0 {
                    return Expr::Num(x / y);
                }
            }
            // (2 x) / 2 → x, (4 x) / 2 → 2 x, (2 x) / 4 → x / 2: whole coefficients reduced.
            if let (Expr::Mul(fs), Expr::Num(y)) = (&*a, &*b) {
                if let Some(Expr::Num(k)) = fs.first() {
                    if let Some((k, y)) = reduce_fraction(*k, *y) {
                        let mut rest = fs[1..].to_vec();
                        if k != 1.0 {
                            rest.insert(0, Expr::Num(k));
                        }
                        let num = tidy_node(ctx, mul(ctx, rest), false);
                        return if y == 1.0 {
                            num
                        } else {
                            Expr::Div(Rc::new(num), Rc::new(Expr::Num(y)))
                        };
                    }
                }
            }
            Expr::Div(a, b)
        }
        Expr::HadDiv(a, b) => {
            let a = subr(a);
            if a.is_zero() {
                return Expr::Num(0.0);
            }
            Expr::HadDiv(a, subr(b))
        }
        Expr::HadPow(a, p) => Expr::HadPow(subr(a), p),
        Expr::Pow(a, p) => {
            let a = subr(a);
            if p == 1.0 {
                return Rc::unwrap_or_clone(a);
            }
            Expr::Pow(a, p)
        }
        Expr::Transpose(a) => {
            let a = subr(a);
            if a.is_zero() || matches!(*a, Expr::Num(_)) {
                return Rc::unwrap_or_clone(a);
            }
            Expr::Transpose(a)
        }
        Expr::Inv(a) => Expr::Inv(subr(a)),
        Expr::Call(f, a) => {
            let a = subr(a);
            if a.is_zero() && matches!(f, Func::Tr | Func::Sum | Func::Diag | Func::DiagOf) {
                return Expr::Num(0.0);
            }
            Expr::Call(f, a)
        }
        Expr::D(a) => Expr::D(subr(a)),
        e @ (Expr::Num(_) | Expr::Sym(_) | Expr::Eye(_) | Expr::Ones(_)) => e,
    }
}

fn count_transposes(e: &Expr) -> usize {
    let mut n = 0;
    e.any(&mut |x| {
        if matches!(x, Expr::Transpose(_)) {
            n += 1;
        }
        false
    });
    n
}

/// The part of a term after its leading numeric coefficient, by reference (`2 A dX` → 2 and `A dX`).
#[derive(Clone, Copy)]
enum Rest<'e> {
    /// The whole term (coefficient 1), or the single factor after the coefficient.
    One(&'e Expr, bool),
    /// The factors after the coefficient, read as a product.
    Chain(&'e [Expr]),
}

impl Rest<'_> {
    /// Whether this is the whole term (no coefficient was split off).
    fn is_whole(&self) -> bool {
        matches!(self, Rest::One(_, true))
    }
    /// Whether both stand for equal expressions (as whole expressions).
    fn same(&self, other: &Rest) -> bool {
        match (self, other) {
            (Rest::One(a, _), Rest::One(b, _)) => a == b,
            (Rest::Chain(a), Rest::Chain(b)) => a == b,
            (Rest::One(a, _), Rest::Chain(b)) | (Rest::Chain(b), Rest::One(a, _)) => {
                matches!(a, Expr::Mul(v) if v.as_slice() == *b)
            }
        }
    }
}

/// The rest of a term after its leading numeric coefficient ([`coef_of`]'s rest), by move.
fn rest_of(t: Expr) -> Expr {
    match t {
        Expr::Mul(mut fs) if fs.len() > 1 && matches!(fs[0], Expr::Num(_)) => {
            fs.remove(0);
            if fs.len() == 1 {
                fs.pop().unwrap_or(Expr::Num(1.0))
            } else {
                Expr::Mul(fs)
            }
        }
        t => t,
    }
}

/// Splits a leading numeric coefficient off a term, by reference: `2 A dX` → (2, `A dX`).
fn coef_of(t: &Expr) -> (f64, Rest<'_>) {
    match t {
        Expr::Mul(fs) if fs.len() > 1 => match fs[0] {
            Expr::Num(c) if fs.len() == 2 => (c, Rest::One(&fs[1], false)),
            Expr::Num(c) => (c, Rest::Chain(&fs[1..])),
            _ => (1.0, Rest::One(t, true)),
        },
        t => (1.0, Rest::One(t, true)),
    }
}

/// Whether [`merge_like_terms`] descends into the children of `e` (otherwise it only tidies them).
pub(crate) fn merges_children(e: &Expr) -> bool {
    matches!(
        e,
        Expr::Add(_)
            | Expr::Mul(_)
            | Expr::Had(_)
            | Expr::Transpose(_)
            | Expr::Call(..)
            | Expr::D(_)
    )
}

/// Merges identical terms of sums (at any depth): `A dX + A dX` → `2 A dX`. Values never change.
#[must_use]
pub fn merge_like_terms(ctx: Ctx, e: Expr) -> Expr {
    if !merges_children(&e) {
        return tidy(ctx, e);
    }
    let e = map_children(e, &mut |c| merge_like_terms(ctx, c));
    merge_node(ctx, e)
}

/// The node-level work of [`merge_like_terms`] on a node whose children are already merged:
/// like terms of a sum combined, then the node tidied.
pub(crate) fn merge_node(ctx: Ctx, e: Expr) -> Expr {
    match e {
        Expr::Add(ts) => {
            // The usual case, checked without allocating: no coefficients and no equal terms, so
            // every term is kept as it is (see below).
            let whole = |t: &Expr| coef_of(t).1.is_whole();
            if ts.iter().all(whole) && ts.iter().enumerate().all(|(i, t)| !ts[..i].contains(t)) {
                return tidy_node(ctx, add(ts), false);
            }
            // Like terms found by reference first: (coefficient, first term, merged count).
            let mut groups: Vec<(f64, usize, usize)> = Vec::with_capacity(ts.len());
            for (i, t) in ts.iter().enumerate() {
                let (c, rest) = coef_of(t);
                // Terms that would cancel stay: a zero without a shape must not replace a matrix.
                match groups.iter_mut().find(|(c0, j, _)| {
                    coef_of(&ts[*j]).1.same(&rest) && *c0 + c != 0.0 && (*c0 + c).is_finite()
                }) {
                    Some((c0, _, n)) => {
                        *c0 += c;
                        *n += 1;
                    }
                    None => groups.push((c, i, 1)),
                }
            }
            // A term that merged with none and had no coefficient is its own result: `t` is
            // merged, so tidy(1·t) = t (tidy is idempotent). The others are rebuilt from the
            // first term's rest, moved out of it.
            let mut ts: Vec<Option<Expr>> = ts.into_iter().map(Some).collect();
            let terms = groups
                .into_iter()
                .map(|(c, i, n)| {
                    let t = ts[i].take().unwrap_or(Expr::Num(0.0));
                    let whole = coef_of(&t).1.is_whole();
                    if n == 1 && c == 1.0 && whole {
                        t
                    } else {
                        tidy_node(ctx, mul(ctx, vec![Expr::Num(c), rest_of(t)]), false)
                    }
                })
                .collect();
            tidy_node(ctx, add(terms), false)
        }
        e if merges_children(&e) => tidy_node(ctx, e, false),
        e => tidy(ctx, e),
    }
}

/// The node-level work of [`tidy`] on a node whose children are already tidy.
pub(crate) fn tidy_shallow(ctx: Ctx, e: Expr) -> Expr {
    tidy_node(ctx, e, false)
}

/// How many nested [`is_symmetric`] calls one question may make. Symmetry by structure looks at
/// the transposes of a sum's terms, which look at symmetry again: on deeply nested sums and
/// products that is exponential (a fuzz-found input took 4 s). Past the budget a matrix is
/// simply not known to be symmetric: a simplification missed, never a wrong result.
pub const SYMMETRY_BUDGET: usize = 64;

thread_local! {
    /// Calls left to the outermost [`is_symmetric`] in progress, and whether one is in progress.
    static SYMMETRY_CALLS: std::cell::Cell<(usize, bool)> = const { std::cell::Cell::new((0, false)) };
}

/// Whether `e` is symmetric: declared, or by structure (XᵀX, A + Aᵀ, inverses of symmetric matrices, …).
/// The differential dX is never symmetric: its entries are independent.
pub fn is_symmetric(e: &Expr, ctx: Ctx) -> bool {
    let (left, nested) = SYMMETRY_CALLS.get();
    if !nested {
        SYMMETRY_CALLS.set((SYMMETRY_BUDGET, true));
        let r = symmetric_within_budget(e, ctx);
        SYMMETRY_CALLS.set((0, false));
        return r;
    }
    if left == 0 {
        return false;
    }
    SYMMETRY_CALLS.set((left - 1, true));
    symmetric_within_budget(e, ctx)
}

fn symmetric_within_budget(e: &Expr, ctx: Ctx) -> bool {
    if !matches!(e, Expr::Sym(_) | Expr::Num(_) | Expr::Eye(_)) && !ctx.is_square(e) {
        return false;
    }
    match e {
        Expr::Sym(s) => ctx
            .table
            .get(s)
            .is_some_and(|s| s.symmetric || s.spd || s.shape.is_scalar()),
        Expr::Num(_) | Expr::Eye(_) => true,
        Expr::Ones(s) => s.is_square(),
        Expr::Add(ts) => {
            ts.iter().all(|t| is_symmetric(t, ctx))
                || ts.len() <= 8 && {
                    // A sum equal to its own transpose, like A + Aᵀ.
                    let tt: Vec<Expr> = ts.iter().map(|t| tidy(ctx, smart_t(t, ctx))).collect();
                    // As multisets: X + X + Xᵀ is not symmetric though every term's transpose is a term.
                    let count = |v: &[Expr], t: &Expr| v.iter().filter(|u| *u == t).count();
                    ts.iter().all(|t| count(ts, t) == count(&tt, t))
                }
        }
        Expr::Mul(fs) => {
            let nonscalar: Vec<&Expr> = fs.iter().filter(|f| !ctx.is_scalar(f)).collect();
            match nonscalar.len() {
                0 => true,
                1 => is_symmetric(nonscalar[0], ctx),
                _ => {
                    let chain: Vec<Expr> = nonscalar.into_iter().cloned().collect();
                    transpose_chain(&chain, ctx) == chain
                }
            }
        }
        Expr::Div(a, _)
        | Expr::Inv(a)
        | Expr::Pow(a, _)
        | Expr::HadPow(a, _)
        | Expr::Transpose(a) => is_symmetric(a, ctx),
        Expr::Had(fs) => fs.iter().all(|f| is_symmetric(f, ctx)),
        Expr::HadDiv(a, b) => is_symmetric(a, ctx) && is_symmetric(b, ctx),
        Expr::Call(f, a) => match f {
            Func::Diag => true,
            f if f.is_elementwise() => is_symmetric(a, ctx),
            _ => ctx.is_scalar(e),
        },
        Expr::D(_) => ctx.is_scalar(e),
    }
}

/// The transpose of a product chain: reversed, each factor transposed with [`smart_t`].
pub fn transpose_chain(chain: &[Expr], ctx: Ctx) -> Vec<Expr> {
    let reversed: Vec<Expr> = chain.iter().rev().map(|f| smart_t(f, ctx)).collect();
    match mul(ctx, reversed) {
        Expr::Mul(fs) => fs,
        e => vec![e],
    }
}

/// The transpose of `e`, pushed inward where that does not add transposes:
/// (AB)ᵀ = BᵀAᵀ, (Aᵀ)ᵀ = A, Sᵀ = S for symmetric S, aᵀ = a for scalars.
#[must_use]
pub fn smart_t(e: &Expr, ctx: Ctx) -> Expr {
    match e {
        Expr::Transpose(a) => (**a).clone(),
        _ if ctx.is_scalar(e) => e.clone(),
        Expr::Mul(fs) => {
            let (scalars, chain): (Vec<Expr>, Vec<Expr>) =
                fs.iter().cloned().partition(|f| ctx.is_scalar(f));
            if chain.is_empty() {
                return e.clone();
            }
            let mut out = scalars;
            out.extend(transpose_chain(&chain, ctx));
            mul(ctx, out)
        }
        _ if !matches!(e, Expr::D(_)) && is_symmetric(e, ctx) => e.clone(),
        Expr::Ones(s) => Expr::Ones(Rc::new(s.transposed())),
        Expr::Add(ts) => {
            let pushed: Vec<Expr> = ts.iter().map(|t| smart_t(t, ctx)).collect();
            let before: usize = ts.iter().map(count_transposes).sum();
            let after: usize = pushed.iter().map(count_transposes).sum();
            if after <= before {
                add(pushed)
            } else {
                Expr::t(e.clone())
            }
        }
        Expr::Inv(a) | Expr::Pow(a, _) => {
            let inner = smart_t(a, ctx);
            if count_transposes(&inner) <= count_transposes(a) {
                match e {
                    Expr::Inv(_) => Expr::inv(inner),
                    Expr::Pow(_, p) => Expr::Pow(Rc::new(inner), *p),
                    _ => unreachable!("matched Inv or Pow above"),
                }
            } else {
                Expr::t(e.clone())
            }
        }
        Expr::Had(fs) => {
            let pushed: Vec<Expr> = fs.iter().map(|t| smart_t(t, ctx)).collect();
            let before: usize = fs.iter().map(count_transposes).sum();
            let after: usize = pushed.iter().map(count_transposes).sum();
            if after <= before {
                Expr::Had(pushed)
            } else {
                Expr::t(e.clone())
            }
        }
        Expr::Div(a, s) => Expr::Div(Rc::new(smart_t(a, ctx)), s.clone()),
        Expr::Call(f, a) if f.is_elementwise() && matches!(**a, Expr::Transpose(_)) => {
            Expr::call(*f, smart_t(a, ctx))
        }
        _ => Expr::t(e.clone()),
    }
}

/// Merges adjacent powers of the same base in a product chain: A^k A^l = A^(k+l), A A^k = A^(k+1).
pub fn merge_powers(chain: Vec<Expr>, ctx: Ctx) -> Vec<Expr> {
    fn split(e: &Expr) -> (&Expr, f64) {
        match e {
            Expr::Pow(b, p) if p.fract() == 0.0 && *p >= 1.0 => (b, *p),
            e => (e, 1.0),
        }
    }
    let mut out: Vec<Expr> = Vec::with_capacity(chain.len());
    for f in chain {
        if let Some(last) = out.last() {
            let (b1, p1) = split(last);
            let (b2, p2) = split(&f);
            let is_matrix_power =
                |b: &Expr| !matches!(b, Expr::Num(_) | Expr::D(_)) && ctx.is_square(b);
            if b1 == b2 && is_matrix_power(b1) {
                let merged = Expr::Pow(Rc::new(b1.clone()), p1 + p2);
                out.pop();
                out.push(merged);
                continue;
            }
        }
        out.push(f);
    }
    out
}

/// Simplification of a finished result: tidy, drop identities in products, merge powers,
/// turn `(1/s) A` into `A / s`. Values never change.
#[must_use]
pub fn simplify(e: Expr, ctx: Ctx) -> Expr {
    simplify_tidy(tidy(ctx, e), ctx)
}

/// [`simplify`] of a result of [`tidy`]: its children are results of `tidy` too (tidy is
/// idempotent), so they are not tidied again, and the node is tidied last over simplified children.
fn simplify_tidy(e: Expr, ctx: Ctx) -> Expr {
    let e = match e {
        Expr::Add(ts) => {
            // Terms without transposes first: A + Aᵀ rather than Aᵀ + A.
            let mut ts: Vec<Expr> = ts.into_iter().map(|t| simplify_tidy(t, ctx)).collect();
            ts.sort_by_key(count_transposes);
            add(ts)
        }
        Expr::Mul(fs) => {
            let fs: Vec<Expr> = fs.into_iter().map(|f| simplify_tidy(f, ctx)).collect();
            let has_other_matrix =
                |fs: &[Expr]| fs.iter().filter(|f| !ctx.is_scalar(f)).count() >= 2;
            let mut fs = if has_other_matrix(&fs) {
                let mut kept = Vec::new();
                let total = fs.len();
                // Whether some factor other than the i-th is a matrix other than I: counted once.
                let is_matrix = |g: &Expr| !ctx.is_scalar(g) && !matches!(g, Expr::Eye(_));
                let matrices = fs.iter().filter(|g| is_matrix(g)).count();
                for f in &fs {
                    let rest_has_matrix = matrices > usize::from(is_matrix(f));
                    if matches!(f, Expr::Eye(_)) && rest_has_matrix && total > 1 {
                        continue;
                    }
                    kept.push(f.clone());
                }
                kept
            } else {
                fs
            };
            fs = merge_powers(fs, ctx);
            // s⁻¹ A → (1/s) A for a scalar s
            for f in fs.iter_mut() {
                if let Expr::Pow(s, p) = f {
                    if *p == -1.0 && ctx.is_scalar(s) {
                        *f = Expr::Div(Rc::new(Expr::Num(1.0)), s.clone());
                    }
                }
            }
            // (c / s) A → c A / s
            if let Some(pos) = fs
                .iter()
                .position(|f| matches!(f, Expr::Div(a, _) if matches!(**a, Expr::Num(_))))
            {
                if let Expr::Div(a, s) = fs.remove(pos) {
                    let mut num = vec![Rc::unwrap_or_clone(a)];
                    num.extend(fs);
                    return tidy(ctx, Expr::Div(Rc::new(tidy(ctx, mul(ctx, num))), s));
                }
            }
            tidy(ctx, mul(ctx, fs))
        }
        Expr::Transpose(a) => {
            let a = simplify_tidy(Rc::unwrap_or_clone(a), ctx);
            tidy(ctx, smart_t(&a, ctx))
        }
        Expr::Div(a, b) => Expr::Div(
            map_rc(a, |a| simplify_tidy(a, ctx)),
            map_rc(b, |b| simplify_tidy(b, ctx)),
        ),
        Expr::Had(fs) => {
            let fs: Vec<Expr> = fs.into_iter().map(|f| simplify_tidy(f, ctx)).collect();
            // 1 ⊙ A = A
            let kept: Vec<Expr> = fs
                .iter()
                .filter(|f| !matches!(f, Expr::Ones(_)))
                .cloned()
                .collect();
            match kept.len() {
                0 => Expr::Had(fs),
                1 => kept.into_iter().next().unwrap_or(Expr::Num(0.0)),
                _ => Expr::Had(kept),
            }
        }
        Expr::Inv(a) => Expr::Inv(map_rc(a, |a| simplify_tidy(a, ctx))),
        Expr::Pow(a, p) => Expr::Pow(map_rc(a, |a| simplify_tidy(a, ctx)), p),
        Expr::HadPow(a, p) => Expr::HadPow(map_rc(a, |a| simplify_tidy(a, ctx)), p),
        Expr::HadDiv(a, b) => Expr::HadDiv(
            map_rc(a, |a| simplify_tidy(a, ctx)),
            map_rc(b, |b| simplify_tidy(b, ctx)),
        ),
        Expr::Call(Func::Diag, a) if matches!(*a, Expr::Ones(_)) => Expr::Eye(ctx.shape(&a).rows),
        Expr::Call(f, a) => Expr::Call(f, map_rc(a, |a| simplify_tidy(a, ctx))),
        e => e,
    };
    tidy_node(ctx, e, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctx::SymbolIndex;
    use crate::numeric::{eval, resolve_problem_sizes, sample, Env};
    use crate::print::text;
    use expect_test::{expect, Expect};

    /// Lowers `input`, tidies it, applies `step` to the argument of its outermost `sum(·)` (or
    /// to all of it), checks at a sampled point that the result has the value of
    /// `meaning(argument)`, and compares the result, in the input syntax, with `expect`.
    fn check_step(
        input: &str,
        step: impl Fn(Expr, Ctx) -> Expr,
        meaning: impl Fn(Expr) -> Expr,
        expect: Expect,
    ) {
        let p = crate::lower::lower(input, "", None).unwrap_or_else(|d| panic!("{input}: {d:?}"));
        let index = SymbolIndex::new(&p.symbols);
        let ctx = Ctx {
            table: &p.symbols,
            wrt: &p.wrt,
            index: &index,
        };
        let whole = tidy(ctx, p.expr.clone());
        let before = match whole {
            Expr::Call(Func::Sum, a) => Rc::unwrap_or_clone(a),
            e => e,
        };
        let after = step(before.clone(), ctx);
        let sizes = resolve_problem_sizes(&p, &Default::default()).expect("sizes");
        let values = sample(&p, &sizes, 7).expect("sample");
        let env = Env {
            values: &values,
            sizes: &sizes,
            direction: None,
        };
        let (x, y) = (eval(&meaning(before), &env), eval(&after, &env));
        match (x, y) {
            (Ok(x), Ok(y)) => {
                assert_eq!(x.shape(), y.shape(), "{input}: the shape changed");
                let scale = 1.0 + x.norm();
                assert!((x - y).norm() <= 1e-9 * scale, "{input}: the value changed");
            }
            (x, y) => panic!("{input}: {x:?} {y:?}"),
        }
        expect.assert_eq(&text(&after, &p.symbols));
    }

    fn check_tidy(input: &str, expect: Expect) {
        check_step(input, |e, _| e, |e| e, expect);
    }

    fn check_merge(input: &str, expect: Expect) {
        check_step(input, |e, ctx| merge_like_terms(ctx, e), |e| e, expect);
    }

    fn check_smart_t(input: &str, expect: Expect) {
        check_step(input, |e, ctx| tidy(ctx, smart_t(&e, ctx)), Expr::t, expect);
    }

    fn check_merge_powers(input: &str, expect: Expect) {
        let step = |e: Expr, ctx: Ctx| match e {
            Expr::Mul(chain) => mul(ctx, merge_powers(chain, ctx)),
            e => e,
        };
        check_step(input, step, |e| e, expect);
    }

    fn check_simplify(input: &str, expect: Expect) {
        check_step(input, simplify, |e| e, expect);
    }

    #[test]
    fn tidy_flattens_and_folds() {
        check_tidy("-x'*y - -a", expect!["-x'*y + a"]);
        check_tidy("2*(3*a) + 0*b", expect!["6*a"]);
        check_tidy("sum(2*A*(3*B)*1)", expect!["6*A*B"]);
        check_tidy("a/4*2", expect!["2*(a / 4)"]);
        check_tidy("sum((A + (B + C)) .* 1)", expect!["A + B + C"]);
        check_tidy("x'*x*(y'*A*z)", expect!["(x'*x)*y'*A*z"]);
    }

    #[test]
    fn merge_collects_like_terms() {
        check_merge("sum(A*x + A*x + 2*(A*x))", expect!["4*A*x"]);
        // Terms that cancel stay: a zero without a shape must not replace a matrix.
        check_merge("x'A x - x'A x + a", expect!["x'*A*x - x'*A*x + a"]);
        check_merge("tr(X + 3*X - X')", expect!["tr(4*X - X')"]);
    }

    #[test]
    fn smart_t_pushes_transposes_inward() {
        check_smart_t("sum(A*B*x)", expect!["x'*B'*A'"]);
        check_smart_t("sum(A' + B)", expect!["A + B'"]);
        check_smart_t("sum(X'*X)", expect!["X'*X"]);
        check_smart_t("sum(inv(A)*x)", expect!["x'*inv(A)'"]);
        check_smart_t("x'*A*y", expect!["x'*A*y"]);
    }

    #[test]
    fn merge_powers_joins_equal_bases() {
        check_merge_powers("sum(X*X*X^2*A)", expect!["X^4*A"]);
        check_merge_powers("sum(A^2*A*B*B)", expect!["A^3*B^2"]);
        check_merge_powers("sum(inv(X)*X^3*B)", expect!["inv(X)*X^3*B"]);
        check_merge_powers("sum(X*Y*X)", expect!["X*Y*X"]);
    }

    #[test]
    fn simplify_finishes_results() {
        check_simplify("tr(A*I*B)", expect!["tr(A*B)"]);
        check_simplify("sum(matrix(1) .* A)", expect!["A"]);
        check_simplify("sum((A*B)')", expect!["B'*A'"]);
        check_simplify("sum(X*X^2)", expect!["X^3"]);
        check_simplify("sum(a^-1*A)", expect!["A / a"]);
        check_simplify("sum(1/a*A)", expect!["A / a"]);
    }
}
