//! Algebraic normalisation: tidying products and sums, pushing transposes, symmetry, collecting like terms.

use crate::build::{add, is_scalar_group, mul};
use crate::ctx::Ctx;
use crate::expr::{Expr, Func};
use crate::rules::{self, Rule};
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
    let e = if deep {
        e.map_children(|c| tidy(ctx, c))
    } else {
        e
    };
    match e {
        Expr::Add(ts) => {
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
            if a.is_zero() {
                return Expr::Num(0.0);
            }
            Expr::HadDiv(a, b)
        }
        Expr::Pow(a, p) => {
            if p == 1.0 {
                return Rc::unwrap_or_clone(a);
            }
            Expr::Pow(a, p)
        }
        Expr::Transpose(a) => {
            if a.is_zero() || matches!(*a, Expr::Num(_)) {
                return Rc::unwrap_or_clone(a);
            }
            Expr::Transpose(a)
        }
        Expr::Call(f, args) => {
            let zero = matches!(&*args, [a] if a.is_zero());
            if zero
                && matches!(
                    f,
                    Func::Tr | Func::Sum | Func::Mean | Func::Diag | Func::DiagOf
                )
            {
                return Expr::Num(0.0);
            }
            // 0 ⊗ B = A ⊗ 0 = 0.
            if f == Func::Kron && args.iter().any(|a| a.is_zero()) {
                return Expr::Num(0.0);
            }
            Expr::Call(f, args)
        }
        // Leaves, powers, inverses, differentials: nothing to tidy at the node itself.
        e => e,
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
    let e = e.map_children(|c| merge_like_terms(ctx, c));
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
            let mut groups = like_term_groups(&ts, true);
            if groups.iter().all(|(c, _, _)| *c == 0.0) {
                // Every term would cancel: they stay, since a zero without a shape must not
                // replace a matrix (a whole gradient that cancels is zeroed by `simplify`).
                groups = like_term_groups(&ts, false);
            } else {
                // Terms that cancel go; the others keep the sum's shape.
                groups.retain(|(c, _, _)| *c != 0.0);
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

/// The like terms of a sum: (summed coefficient, index of the first term, how many merged).
/// With `cancel`, terms whose coefficients sum to zero are merged into a group of coefficient 0;
/// without, such a term starts a group of its own.
fn like_term_groups(ts: &[Expr], cancel: bool) -> Vec<(f64, usize, usize)> {
    let mut groups: Vec<(f64, usize, usize)> = Vec::with_capacity(ts.len());
    for (i, t) in ts.iter().enumerate() {
        let (c, rest) = coef_of(t);
        match groups.iter_mut().find(|(c0, j, _)| {
            coef_of(&ts[*j]).1.same(&rest) && (cancel || *c0 + c != 0.0) && (*c0 + c).is_finite()
        }) {
            Some((c0, _, n)) => {
                *c0 += c;
                *n += 1;
            }
            None => groups.push((c, i, 1)),
        }
    }
    groups
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
            f if f.is_elementwise() => a.iter().all(|a| is_symmetric(a, ctx)),
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
        Expr::Call(..) if is_elementwise_of_transpose(e) => {
            e.clone().map_children(|a| smart_t(&a, ctx))
        }
        _ => Expr::t(e.clone()),
    }
}

/// Whether `e` is an elementwise function of a transpose, `f(Aᵀ)`.
fn is_elementwise_of_transpose(e: &Expr) -> bool {
    matches!(e.as_call1(), Some((f, a)) if f.is_elementwise() && matches!(**a, Expr::Transpose(_)))
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
    simplify_cited(e, ctx).0
}

/// How many rounds of textbook forms and tidying a result gets (a round that uses no identity ends it).
const TEXTBOOK_ROUNDS: usize = 4;

/// [`simplify`], with the named identities it used (beyond tidying), in order of first use:
/// the textbook forms of [`IDENTITIES`] and like terms collected.
pub fn simplify_cited(e: Expr, ctx: Ctx) -> (Expr, Vec<Rule>) {
    let mut e = simplify_tidy(tidy(ctx, e), ctx);
    let mut used = Vec::new();
    for _ in 0..TEXTBOOK_ROUNDS {
        let before = used.len();
        let rewritten = tidy(ctx, textbook_forms(e.clone(), ctx, &mut used));
        let merged = merge_like_terms(ctx, rewritten.clone());
        if merged != rewritten && !used.contains(&rules::LIKE_TERMS) {
            used.push(rules::LIKE_TERMS);
        }
        let next = simplify_tidy(merged, ctx);
        if next == e || used.len() == before && next == rewritten {
            e = next;
            break;
        }
        e = next;
    }
    if cancels_to_zero(&e) {
        used.push(rules::LIKE_TERMS);
        e = Expr::Num(0.0);
    }
    (e, used)
}

/// Whether `e` is a sum (or the transpose of one) whose like terms cancel to zero: `-A + A`.
/// Inside a larger expression such a sum stays (a zero without a shape must not replace a
/// matrix), but a whole gradient that vanishes is the gradient 0.
fn cancels_to_zero(e: &Expr) -> bool {
    let ts = match e {
        Expr::Add(ts) => ts,
        Expr::Transpose(a) => match &**a {
            Expr::Add(ts) => ts,
            _ => return false,
        },
        _ => return false,
    };
    let mut groups: Vec<(f64, Rest)> = Vec::new();
    for t in ts {
        let (c, rest) = coef_of(t);
        match groups.iter_mut().find(|(_, r)| r.same(&rest)) {
            Some((c0, _)) => *c0 += c,
            None => groups.push((c, rest)),
        }
    }
    groups.iter().all(|(c, _)| *c == 0.0)
}

/// [`simplify`] of a result of [`tidy`]: its children are results of `tidy` too (tidy is
/// idempotent), so they are not tidied again, and the node is tidied last over simplified children.
fn simplify_tidy(e: Expr, ctx: Ctx) -> Expr {
    let e = match e.map_children(|c| simplify_tidy(c, ctx)) {
        Expr::Add(mut ts) => {
            // Terms without transposes first: A + Aᵀ rather than Aᵀ + A.
            crate::sort::sort_by_key(&mut ts, count_transposes);
            add(ts)
        }
        Expr::Mul(fs) => {
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
        Expr::Transpose(a) => tidy(ctx, smart_t(&a, ctx)),
        Expr::Had(fs) => {
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
        e @ Expr::Call(Func::Diag, _) => match e.as_call1() {
            Some((_, a)) if matches!(**a, Expr::Ones(_)) => Expr::Eye(ctx.shape(a).rows),
            _ => e,
        },
        e => e,
    };
    tidy_node(ctx, e, false)
}

/// A named identity of the final simplification: the catalog entry a derivation cites, and the
/// rewrite of one node (children already rewritten), `None` where it does not apply.
pub struct Identity {
    pub rule: Rule,
    pub apply: fn(&Expr, Ctx) -> Option<Expr>,
}

/// The identities that bring a gradient into the form a textbook prints, tried in order at every
/// node, bottom-up (see [`textbook_forms`]).
pub const IDENTITIES: &[Identity] = &[
    Identity {
        rule: rules::POWER_OF_POWER,
        apply: power_of_power,
    },
    Identity {
        rule: rules::MERGE_POWERS,
        apply: merge_scalar_powers,
    },
    Identity {
        rule: rules::MERGE_MATRIX_POWERS,
        apply: merge_matrix_powers,
    },
    Identity {
        rule: rules::CANCEL_WITH_INVERSE,
        apply: cancel_with_inverse,
    },
    Identity {
        rule: rules::CANCEL_IN_QUOTIENT,
        apply: cancel_in_quotient,
    },
    Identity {
        rule: rules::NEGATIVE_POWER_AS_QUOTIENT,
        apply: negative_power_as_quotient,
    },
    Identity {
        rule: rules::NESTED_QUOTIENT,
        apply: nested_quotient,
    },
    Identity {
        rule: rules::HALF_POWER_AS_SQRT,
        apply: half_power_as_sqrt,
    },
    Identity {
        rule: rules::HADAMARD_INVERSE_AS_QUOTIENT,
        apply: hadamard_inverse_as_quotient,
    },
    Identity {
        rule: rules::CANCEL_IN_HADAMARD_QUOTIENT,
        apply: cancel_in_hadamard_quotient,
    },
    Identity {
        rule: rules::QUOTIENT_INNER_PRODUCT,
        apply: quotient_inner_product,
    },
    Identity {
        rule: rules::LOGISTIC_AS_SIGMOID,
        apply: logistic_as_sigmoid,
    },
    Identity {
        rule: rules::SOFTMAX_AS_QUOTIENT,
        apply: softmax_as_quotient,
    },
    Identity {
        rule: rules::EXPAND_HADAMARD,
        apply: expand_hadamard,
    },
    Identity {
        rule: rules::SCALAR_OUT_OF_HADAMARD,
        apply: scalar_out_of_hadamard,
    },
    Identity {
        rule: rules::FACTOR_COMMON,
        apply: factor_common,
    },
];

/// How many rewrites one node may take before the walk moves on (each identity shrinks or
/// reorders the node, so this is a guard, not a limit met in practice).
const REWRITES_PER_NODE: usize = 16;

/// How many rewrites one call of [`textbook_forms`] may make in all. A rewrite's new children
/// are walked again, so two identities that undo each other deep in a tree would otherwise
/// recurse without end; results of the note's examples and the corpus take a few dozen.
const REWRITES_PER_CALL: usize = 256;

/// Rewrites `e` bottom-up with [`IDENTITIES`], recording each identity used once in `used`.
/// Every rewrite keeps the value wherever the input is defined.
pub fn textbook_forms(e: Expr, ctx: Ctx, used: &mut Vec<Rule>) -> Expr {
    let mut fuel = REWRITES_PER_CALL;
    rewrite_textbook(e, ctx, used, &mut fuel)
}

fn rewrite_textbook(e: Expr, ctx: Ctx, used: &mut Vec<Rule>, fuel: &mut usize) -> Expr {
    let mut e = e.map_children(|c| rewrite_textbook(c, ctx, used, fuel));
    for _ in 0..REWRITES_PER_NODE {
        if *fuel == 0 {
            break;
        }
        let Some((rule, next)) = IDENTITIES
            .iter()
            .find_map(|id| (id.apply)(&e, ctx).map(|n| (id.rule, n)))
        else {
            break;
        };
        *fuel -= 1;
        if !used.contains(&rule) {
            used.push(rule);
        }
        // The rewrite built new nodes from rewritten children: those get their turn too.
        e = tidy(
            ctx,
            next.map_children(|c| rewrite_textbook(c, ctx, used, fuel)),
        );
    }
    e
}

/// `(a^p)^q = a^{pq}` for a whole `q`.
fn power_of_power(e: &Expr, _ctx: Ctx) -> Option<Expr> {
    match e {
        Expr::Pow(inner, q) if q.fract() == 0.0 => match &**inner {
            Expr::Pow(a, p) if (p * q).is_finite() => Some(power(a.clone(), p * q)),
            _ => None,
        },
        _ => None,
    }
}

/// `a^p`, or `a` when `p` is 1.
fn power(a: Rc<Expr>, p: f64) -> Expr {
    if p == 1.0 {
        Rc::unwrap_or_clone(a)
    } else {
        Expr::Pow(a, p)
    }
}

/// A scalar factor as base and exponent: `a^p` → (a, p), `a` → (a, 1).
fn base_exponent(f: &Expr) -> (&Expr, f64) {
    match f {
        Expr::Pow(b, p) => (b, *p),
        f => (f, 1.0),
    }
}

/// Whether a factor may merge its powers with an equal one: a scalar other than a number.
fn is_scalar_base(b: &Expr, ctx: Ctx) -> bool {
    !matches!(b, Expr::Num(_) | Expr::D(_)) && ctx.is_scalar(b)
}

/// `a^p a^q = a^{p+q}` for scalar factors of a product (scalars commute, so anywhere in it).
fn merge_scalar_powers(e: &Expr, ctx: Ctx) -> Option<Expr> {
    let Expr::Mul(fs) = e else { return None };
    let merged = merge_scalar_factors(fs, ctx)?;
    Some(mul(ctx, merged))
}

/// The factors with the scalar powers of one base merged into the first; `None` when no two
/// scalar factors share a base.
fn merge_scalar_factors(fs: &[Expr], ctx: Ctx) -> Option<Vec<Expr>> {
    let mut out: Vec<Expr> = Vec::with_capacity(fs.len());
    let mut changed = false;
    for f in fs {
        let (b, p) = base_exponent(f);
        if is_scalar_base(b, ctx) {
            if let Some(i) = out
                .iter()
                .position(|g| is_scalar_base(base_exponent(g).0, ctx) && base_exponent(g).0 == b)
            {
                let (_, q) = base_exponent(&out[i]);
                let sum = p + q;
                out[i] = if sum == 0.0 {
                    Expr::Num(1.0)
                } else {
                    power(Rc::new(b.clone()), sum)
                };
                changed = true;
                continue;
            }
        }
        out.push(f.clone());
    }
    changed.then_some(out)
}

/// A factor of a chain as a power of a square matrix: `X` → (X, 1), `X^k`, `X^{-1}`, `(X^k)^{-1}`.
fn matrix_power<'e>(f: &'e Expr, ctx: Ctx) -> Option<(&'e Expr, f64)> {
    let whole = |p: f64| p.fract() == 0.0;
    let (b, p) = match f {
        Expr::Inv(a) => match &**a {
            Expr::Pow(b, k) if whole(*k) => (&**b, -k),
            a => (a, -1.0),
        },
        Expr::Pow(b, k) if whole(*k) => match &**b {
            Expr::Inv(a) => (&**a, -k),
            b => (b, *k),
        },
        f => (f, 1.0),
    };
    let is_base = !matches!(b, Expr::Num(_) | Expr::D(_) | Expr::Eye(_))
        && !ctx.is_scalar(b)
        && ctx.is_square(b);
    is_base.then_some((b, p))
}

/// `X` to the whole power `p`: `X^p`, `X`, `X^{-1}`, `(X^{-1})^k` (a power of the inverse
/// rather than the inverse of a power, whose condition number is the power's).
fn matrix_to(b: &Expr, p: f64) -> Expr {
    let b = Rc::new(b.clone());
    match p {
        1.0 => Rc::unwrap_or_clone(b),
        -1.0 => Expr::Inv(b),
        p if p < 0.0 => Expr::Pow(Rc::new(Expr::Inv(b)), -p),
        p => Expr::Pow(b, p),
    }
}

/// `X^k X^l = X^{k+l}` with inverses as negative powers (`X X^{-2} = X^{-1}`, `X X^{-1} = I`),
/// for neighbouring matrix factors of a product.
fn merge_matrix_powers(e: &Expr, ctx: Ctx) -> Option<Expr> {
    let Expr::Mul(fs) = e else { return None };
    // Index in `out` of the last matrix factor, to merge with the next one.
    let mut out: Vec<Expr> = Vec::with_capacity(fs.len());
    let mut last: Option<usize> = None;
    let mut changed = false;
    let mut eye = None;
    for f in fs {
        if ctx.is_scalar(f) {
            out.push(f.clone());
            continue;
        }
        if let (Some(i), Some((b2, p2))) = (last, matrix_power(f, ctx)) {
            if let Some((b1, p1)) = matrix_power(&out[i], ctx) {
                if b1 == b2 {
                    let p = p1 + p2;
                    changed = true;
                    if p == 0.0 {
                        eye.get_or_insert_with(|| ctx.shape(b1).rows);
                        out.remove(i);
                        last = out.iter().rposition(|g| !ctx.is_scalar(g));
                    } else {
                        out[i] = matrix_to(b1, p);
                    }
                    continue;
                }
            }
        }
        out.push(f.clone());
        last = Some(out.len() - 1);
    }
    if !changed {
        return None;
    }
    if let Some(rows) = eye.filter(|_| out.iter().all(|g| ctx.is_scalar(g))) {
        out.push(Expr::Eye(rows));
    }
    Some(mul(ctx, out))
}

/// The chain of square factors `P` of an inverse factor `P^{-1}` or `(P^{-1})ᵀ = (Pᵀ)^{-1}`.
fn inverse_chain(f: &Expr, ctx: Ctx) -> Option<Vec<Expr>> {
    let chain = match f {
        Expr::Inv(p) => match &**p {
            Expr::Mul(fs) => fs.clone(),
            _ => return None,
        },
        Expr::Transpose(a) => match &**a {
            Expr::Inv(p) => match &**p {
                Expr::Mul(fs) => transpose_chain(fs, ctx),
                _ => return None,
            },
            _ => return None,
        },
        _ => return None,
    };
    let square = |g: &Expr| !ctx.is_scalar(g) && ctx.is_square(g);
    (chain.len() >= 2 && chain.iter().all(square)).then_some(chain)
}

/// `F (R F)^{-1} = R^{-1}` and `(F R)^{-1} F = R^{-1}` for square factors, neighbours in a product.
fn cancel_with_inverse(e: &Expr, ctx: Ctx) -> Option<Expr> {
    let Expr::Mul(fs) = e else { return None };
    let matrices: Vec<usize> = (0..fs.len()).filter(|&i| !ctx.is_scalar(&fs[i])).collect();
    for w in matrices.windows(2) {
        let (i, j) = (w[0], w[1]);
        let rest = if let Some(chain) = inverse_chain(&fs[j], ctx) {
            (chain.last() == Some(&fs[i])).then(|| chain[..chain.len() - 1].to_vec())
        } else {
            None
        };
        let rest = rest.or_else(|| {
            inverse_chain(&fs[i], ctx)
                .filter(|chain| chain.first() == Some(&fs[j]))
                .map(|chain| chain[1..].to_vec())
        });
        if let Some(rest) = rest {
            let mut out = fs.clone();
            // (Xᵀ)⁻¹ written (X⁻¹)ᵀ, as the Cookbook does.
            out[i] = match mul(ctx, rest) {
                Expr::Transpose(a) => Expr::t(Expr::Inv(a)),
                r => Expr::inv(r),
            };
            out.remove(j);
            return Some(mul(ctx, out));
        }
    }
    None
}

/// The factors of a product, or the expression as one factor.
fn factors_of(e: &Expr) -> Vec<Expr> {
    match e {
        Expr::Mul(fs) => fs.clone(),
        e => vec![e.clone()],
    }
}

/// `a^p b / a^q = a^{p-q} b`: a scalar denominator's powers cancel against the numerator's.
fn cancel_in_quotient(e: &Expr, ctx: Ctx) -> Option<Expr> {
    let Expr::Div(a, s) = e else { return None };
    if !ctx.is_scalar(s) {
        return None;
    }
    let num = factors_of(a);
    let den = factors_of(s);
    // Every factor of the denominator is inverted on its own: each must be a scalar (in
    // `x'*(x'*x)*x` only the product is).
    let scalar_factor =
        |d: &Expr| matches!(d, Expr::Num(_)) || is_scalar_base(base_exponent(d).0, ctx);
    if !den.iter().all(scalar_factor) {
        return None;
    }
    let shares = den.iter().any(|d| {
        let (b, _) = base_exponent(d);
        is_scalar_base(b, ctx) && num.iter().any(|n| base_exponent(n).0 == b)
    });
    if !shares {
        return None;
    }
    // Scalars first: the numerator's matrix chain keeps its order after them.
    let mut all: Vec<Expr> = den
        .iter()
        .map(|d| {
            let (b, p) = base_exponent(d);
            Expr::Pow(Rc::new(b.clone()), -p)
        })
        .collect();
    all.extend(num);
    let merged = merge_scalar_factors(&all, ctx)?;
    Some(mul(ctx, merged))
}

/// `(A / s) / t = A / (s t)` for scalars `s`, `t`.
fn nested_quotient(e: &Expr, ctx: Ctx) -> Option<Expr> {
    match e {
        Expr::Div(a, t) if ctx.is_scalar(t) => match &**a {
            Expr::Div(b, s) if ctx.is_scalar(s) => Some(Expr::Div(
                b.clone(),
                Rc::new(mul(ctx, vec![(**s).clone(), (**t).clone()])),
            )),
            _ => None,
        },
        _ => None,
    }
}

/// `c a^{-p} B = c B / a^p` for scalars `a` and `p > 0`, with a coefficient `1/n` as the
/// denominator's `n`: `0.5 a^{-0.5} B = B / (2 a^{0.5})`.
fn negative_power_as_quotient(e: &Expr, ctx: Ctx) -> Option<Expr> {
    let fs = match e {
        Expr::Mul(fs) => fs.clone(),
        Expr::Pow(_, p) if *p < 0.0 => vec![e.clone()],
        // (B / n) / s = B / (n s), with B = (1/n) B'.
        Expr::Div(a, s) if ctx.is_scalar(s) => {
            let Expr::Mul(fs) = &**a else { return None };
            let Some(Expr::Num(k)) = fs.first() else {
                return None;
            };
            let n = 1.0 / k;
            if k.abs() >= 1.0 || n.fract() != 0.0 {
                return None;
            }
            let mut num = fs[1..].to_vec();
            if n < 0.0 {
                num.insert(0, Expr::Num(-1.0));
            }
            return Some(Expr::Div(
                Rc::new(mul(ctx, num)),
                Rc::new(mul(ctx, vec![Expr::Num(n.abs()), (**s).clone()])),
            ));
        }
        _ => return None,
    };
    let negative = |f: &Expr| matches!(f, Expr::Pow(a, p) if *p < 0.0 && ctx.is_scalar(a));
    if !fs.iter().any(negative) {
        return None;
    }
    let mut num = Vec::with_capacity(fs.len());
    let mut den = Vec::new();
    for f in fs {
        match f {
            Expr::Pow(a, p) if p < 0.0 && ctx.is_scalar(&a) => den.push(power(a, -p)),
            Expr::Num(k) if k.abs() < 1.0 && (1.0 / k).fract() == 0.0 => {
                den.insert(0, Expr::Num((1.0 / k).abs()));
                if k < 0.0 {
                    num.insert(0, Expr::Num(-1.0));
                }
            }
            f => num.push(f),
        }
    }
    let num = if num.is_empty() {
        Expr::Num(1.0)
    } else {
        mul(ctx, num)
    };
    Some(Expr::Div(Rc::new(num), Rc::new(mul(ctx, den))))
}

/// `a^{1/2} = \sqrt{a}` for a scalar `a`.
fn half_power_as_sqrt(e: &Expr, ctx: Ctx) -> Option<Expr> {
    match e {
        Expr::Pow(a, p) if *p == 0.5 && ctx.is_scalar(a) => {
            Some(Expr::call_shared(Func::Sqrt, a.clone()))
        }
        _ => None,
    }
}

/// `A ⊙ B^{∘-1} = A ⊘ B`.
/// `(A ⊙ B) ⊘ B = A` wherever the quotient is defined, when what is left has the shape of the
/// whole (a scalar `t` in `(t ⊙ b) ⊘ b` stays: alone it would be a scalar, not a vector).
fn cancel_in_hadamard_quotient(e: &Expr, ctx: Ctx) -> Option<Expr> {
    let Expr::HadDiv(num, den) = e else {
        return None;
    };
    let Expr::Had(fs) = &**num else { return None };
    let i = fs.iter().position(|f| f == &**den)?;
    let rest: Vec<Expr> = fs
        .iter()
        .enumerate()
        .filter(|(j, _)| *j != i)
        .map(|(_, f)| f.clone())
        .collect();
    if !ctx.is_scalar(den) && rest.iter().all(|f| ctx.is_scalar(f)) {
        return None;
    }
    Some(if rest.len() == 1 {
        rest.into_iter().next().unwrap_or(Expr::Num(1.0))
    } else {
        Expr::Had(rest)
    })
}

/// `(a ⊘ b)ᵀ b = sum(a)` for column vectors a and b (wherever the quotient is defined), at any
/// adjacent pair of a product: the softmax cross-entropy's `(t ⊘ s)ᵀ s` is `sum(t)`.
fn quotient_inner_product(e: &Expr, ctx: Ctx) -> Option<Expr> {
    let Expr::Mul(fs) = e else { return None };
    let i = fs.windows(2).position(|w| match &w[0] {
        Expr::Transpose(q) => match &**q {
            Expr::HadDiv(a, b) => {
                **b == w[1]
                    && ctx.unit_dims(&w[1]) == (false, true)
                    && ctx.unit_dims(a) == (false, true)
            }
            _ => false,
        },
        _ => false,
    })?;
    let Expr::Transpose(q) = &fs[i] else {
        return None;
    };
    let Expr::HadDiv(a, _) = &**q else {
        return None;
    };
    let mut out = fs[..i].to_vec();
    out.push(Expr::call(Func::Sum, (**a).clone()));
    out.extend_from_slice(&fs[i + 2..]);
    Some(if out.len() == 1 {
        out.pop().unwrap_or(Expr::Num(0.0))
    } else {
        mul(ctx, out)
    })
}

/// `exp(u) ⊘ (1 + exp(u)) = sigmoid(u)`, also with other factors beside `exp(u)` in the
/// numerator (`(exp(u) ⊙ y) ⊘ (1 + exp(u)) = sigmoid(u) ⊙ y`) and for scalars (`/`); the one is
/// a number or the ones array.
fn logistic_as_sigmoid(e: &Expr, _ctx: Ctx) -> Option<Expr> {
    let (num, den) = match e {
        Expr::HadDiv(n, d) | Expr::Div(n, d) => (n, d),
        _ => return None,
    };
    let Expr::Add(ts) = &**den else { return None };
    let [a, b] = ts.as_slice() else { return None };
    let one = |t: &Expr| t.is_one() || matches!(t, Expr::Ones(_));
    let exp = match (one(a), one(b)) {
        (true, false) => b,
        (false, true) => a,
        _ => return None,
    };
    let (Func::Exp, u) = exp.as_call1()? else {
        return None;
    };
    let sigmoid = Expr::call(Func::Sigmoid, (**u).clone());
    match &**num {
        n if n == exp => Some(sigmoid),
        Expr::Had(fs) | Expr::Mul(fs) => {
            let i = fs.iter().position(|f| f == exp)?;
            let mut fs = fs.clone();
            fs[i] = sigmoid;
            Some(if matches!(&**num, Expr::Had(_)) {
                Expr::Had(fs)
            } else {
                Expr::Mul(fs)
            })
        }
        _ => None,
    }
}

/// `z` where `e` is `exp(z) / sum(exp(z))` with `z` a column vector: softmax written out.
pub fn softmax_quotient_arg<'a>(e: &'a Expr, ctx: Ctx) -> Option<&'a Rc<Expr>> {
    let Expr::Div(n, d) = e else { return None };
    let (Func::Exp, z) = n.as_call1()? else {
        return None;
    };
    let (Func::Sum, inner) = d.as_call1()? else {
        return None;
    };
    (**inner == **n && ctx.unit_dims(z) == (false, true)).then_some(z)
}

/// `exp(z) / sum(exp(z)) = softmax(z)` for a column vector z.
fn softmax_as_quotient(e: &Expr, ctx: Ctx) -> Option<Expr> {
    softmax_quotient_arg(e, ctx).map(|z| Expr::call_shared(Func::Softmax, z.clone()))
}

fn hadamard_inverse_as_quotient(e: &Expr, _ctx: Ctx) -> Option<Expr> {
    let Expr::Had(fs) = e else { return None };
    let inverse = |f: &Expr| matches!(f, Expr::HadPow(_, p) if *p == -1.0);
    let (inv, rest): (Vec<&Expr>, Vec<&Expr>) = fs.iter().partition(|f| inverse(f));
    if inv.is_empty() || rest.is_empty() {
        return None;
    }
    let den: Vec<Expr> = inv
        .into_iter()
        .filter_map(|f| match f {
            Expr::HadPow(b, _) => Some((**b).clone()),
            _ => None,
        })
        .collect();
    let had = |mut v: Vec<Expr>| {
        if v.len() == 1 {
            v.pop().unwrap_or(Expr::Num(0.0))
        } else {
            Expr::Had(v)
        }
    };
    Some(Expr::HadDiv(
        Rc::new(had(rest.into_iter().cloned().collect())),
        Rc::new(had(den)),
    ))
}

/// `(α A) ⊙ B = α (A ⊙ B)` and `(α A) ⊘ B = α (A ⊘ B)` for a number `α`: signs and
/// coefficients stand in front.
fn scalar_out_of_hadamard(e: &Expr, ctx: Ctx) -> Option<Expr> {
    let split = |f: &Expr| match f {
        Expr::Mul(gs) => match gs.first() {
            Some(Expr::Num(k)) if gs.len() >= 2 => Some((*k, mul(ctx, gs[1..].to_vec()))),
            _ => None,
        },
        _ => None,
    };
    match e {
        Expr::Had(fs) => {
            let mut coef = 1.0;
            let mut changed = false;
            let out: Vec<Expr> = fs
                .iter()
                .map(|f| match split(f) {
                    Some((k, rest)) if !ctx.is_scalar(&rest) || !ctx.is_scalar(f) => {
                        coef *= k;
                        changed = true;
                        rest
                    }
                    _ => f.clone(),
                })
                .collect();
            (changed && coef.is_finite()).then(|| mul(ctx, vec![Expr::Num(coef), Expr::Had(out)]))
        }
        Expr::HadDiv(a, b) => {
            let (k, rest) = split(a)?;
            Some(mul(
                ctx,
                vec![Expr::Num(k), Expr::HadDiv(Rc::new(rest), b.clone())],
            ))
        }
        _ => None,
    }
}

/// An elementwise monomial: a number times the Hadamard product of its factors (none: the ones).
type Monomial = (f64, Vec<Expr>);

/// The most monomials [`expand_hadamard`] expands a sum into before it gives up.
const MAX_MONOMIALS: usize = 12;

/// `e` as a sum of elementwise monomials, with the all-ones array it met (the unit of `⊙`);
/// `None` past [`MAX_MONOMIALS`].
fn monomials(e: &Expr, ones: &mut Option<Expr>) -> Option<Vec<Monomial>> {
    let out = match e {
        Expr::Add(ts) => {
            let mut out = Vec::new();
            for t in ts {
                out.extend(monomials(t, ones)?);
            }
            out
        }
        Expr::Mul(fs) if fs.len() == 2 => match &fs[0] {
            Expr::Num(k) => monomials(&fs[1], ones)?
                .into_iter()
                .map(|(c, m)| (c * k, m))
                .collect(),
            _ => vec![(1.0, vec![e.clone()])],
        },
        Expr::Had(fs) => {
            let mut out: Vec<Monomial> = vec![(1.0, Vec::new())];
            for f in fs {
                let g = monomials(f, ones)?;
                if out.len() * g.len() > MAX_MONOMIALS {
                    return None;
                }
                out = out
                    .iter()
                    .flat_map(|(c, m)| {
                        g.iter().map(move |(d, n)| {
                            let mut both = m.clone();
                            both.extend(n.iter().cloned());
                            (c * d, both)
                        })
                    })
                    .collect();
            }
            out
        }
        Expr::Ones(_) => {
            *ones = Some(e.clone());
            vec![(1.0, Vec::new())]
        }
        Expr::Num(k) => vec![(*k, Vec::new())],
        _ => vec![(1.0, vec![e.clone()])],
    };
    (out.len() <= MAX_MONOMIALS).then_some(out)
}

/// Whether two monomials have the same factors, in any order.
fn same_factors(a: &[Expr], b: &[Expr]) -> bool {
    a.len() == b.len() && {
        let mut rest: Vec<&Expr> = b.iter().collect();
        a.iter().all(|f| match rest.iter().position(|g| *g == f) {
            Some(i) => {
                rest.swap_remove(i);
                true
            }
            None => false,
        })
    }
}

/// `a ⊙ (1 − b) + a ⊙ b = a`: an array-valued sum with Hadamard products of sums, expanded into
/// elementwise monomials whose like terms are collected, kept when that is smaller (the 0/1
/// logistic loss's `-(y ⊙ (1 − σ)) + (1 − y) ⊙ σ` is `σ − y`).
fn expand_hadamard(e: &Expr, ctx: Ctx) -> Option<Expr> {
    let Expr::Add(ts) = e else { return None };
    let has_product_of_sum = |t: &Expr| {
        let t = match t {
            Expr::Mul(fs) if fs.len() == 2 && matches!(fs[0], Expr::Num(_)) => &fs[1],
            t => t,
        };
        matches!(t, Expr::Had(fs) if fs.iter().any(|f| matches!(f, Expr::Add(_))))
    };
    if ctx.is_scalar(e) || !ts.iter().any(has_product_of_sum) {
        return None;
    }
    let mut ones = None;
    let mut collected: Vec<Monomial> = Vec::new();
    for (c, m) in monomials(e, &mut ones)? {
        match collected.iter_mut().find(|(_, n)| same_factors(n, &m)) {
            Some((d, _)) => *d += c,
            None => collected.push((c, m)),
        }
    }
    // Positive terms first, as a textbook writes `σ − y`.
    collected.retain(|(c, _)| *c != 0.0);
    crate::sort::sort_by_key(&mut collected, |(c, _)| *c < 0.0);
    let terms: Vec<Expr> = collected
        .into_iter()
        .map(|(c, mut m)| {
            let body = match m.len() {
                0 => ones.clone(),
                1 => m.pop(),
                _ => Some(Expr::Had(m)),
            }?;
            Some(match c {
                1.0 => body,
                _ => mul(ctx, vec![Expr::Num(c), body]),
            })
        })
        .collect::<Option<_>>()?;
    if terms.is_empty() {
        return None;
    }
    let out = tidy(ctx, add(terms));
    (out.size() < e.size()).then_some(out)
}

/// `α A + α B = α (A + B)` for a scalar `α` common to every term, and `A/s + B/s = (A + B)/s`.
fn factor_common(e: &Expr, ctx: Ctx) -> Option<Expr> {
    let Expr::Add(ts) = e else { return None };
    if ts.len() < 2 {
        return None;
    }
    // A common scalar denominator.
    if let Expr::Div(_, s) = &ts[0] {
        if ts.iter().all(|t| matches!(t, Expr::Div(_, s2) if s2 == s)) {
            let nums: Vec<Expr> = ts
                .iter()
                .filter_map(|t| match t {
                    Expr::Div(a, _) => Some((**a).clone()),
                    _ => None,
                })
                .collect();
            return Some(Expr::Div(Rc::new(add(nums)), s.clone()));
        }
    }
    // Common scalar factors other than numbers: those of the first term found in every other.
    let mut rests: Vec<Vec<Expr>> = ts.iter().map(factors_of).collect();
    let mut common = Vec::new();
    for f in factors_of(&ts[0]) {
        if !is_scalar_base(&f, ctx) {
            continue;
        }
        if rests.iter().all(|r| r.contains(&f)) {
            for r in rests.iter_mut() {
                if let Some(i) = r.iter().position(|g| *g == f) {
                    r.remove(i);
                }
            }
            common.push(f);
        }
    }
    // A common number.
    let first_num = |r: &[Expr]| match r.first() {
        Some(Expr::Num(k)) => Some(*k),
        _ => None,
    };
    // (Not 1 or -1: taking those out changes nothing, and `1 + 1` would become `1*(1 + 1)`,
    // tidied back to `1 + 1`, for ever.)
    if let Some(k) = first_num(&rests[0]).filter(|k| k.abs() != 1.0) {
        if rests.iter().all(|r| first_num(r) == Some(k)) {
            for r in rests.iter_mut() {
                r.remove(0);
            }
            common.insert(0, Expr::Num(k));
        }
    }
    if common.is_empty() {
        return None;
    }
    // What is left of each term; numbers only (`a + a` leaves 1 and 1) add up to one number.
    let number = |r: &[Expr]| match r {
        [] => Some(1.0),
        [Expr::Num(k)] => Some(*k),
        _ => None,
    };
    let sum = match rests
        .iter()
        .map(|r| number(r))
        .collect::<Option<Vec<f64>>>()
    {
        Some(ks) => Expr::Num(ks.iter().sum()),
        None => add(rests.into_iter().map(|r| mul(ctx, r)).collect()),
    };
    common.push(sum);
    Some(mul(ctx, common))
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
        let before = match whole.as_call1() {
            Some((Func::Sum, a)) => (**a).clone(),
            _ => whole,
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

    /// `a + a` factors to `a (1 + 1)`, and the `1 + 1` left there must not factor again.
    #[test]
    fn a_sum_of_equal_terms_factors_once() {
        let twice = |e: Expr| Expr::Add(vec![e.clone(), e]);
        let step = |e: Expr, ctx: Ctx| textbook_forms(twice(e), ctx, &mut Vec::new());
        check_step("a", step, twice, expect!["2*a"]);
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
        // Terms that cancel go while others keep the shape; when all cancel they stay, since a
        // zero without a shape must not replace a matrix.
        check_merge("x'A x - x'A x + a", expect!["a"]);
        check_merge("sum(A*x - x + A*x - A*x)", expect!["A*x - x"]);
        check_merge("sum(A*x - A*x)", expect!["A*x - A*x"]);
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
    fn textbook_forms_end_on_sums_of_ones() {
        // `1 + 1` (left unfolded by an earlier step) once made factor-common loop for ever.
        let p = crate::lower::lower("tr(X)", "", None).expect("lowers");
        let index = SymbolIndex::new(&p.symbols);
        let ctx = Ctx {
            table: &p.symbols,
            wrt: &p.wrt,
            index: &index,
        };
        let mut used = Vec::new();
        let e = textbook_forms(
            Expr::Add(vec![Expr::Num(1.0), Expr::Num(1.0)]),
            ctx,
            &mut used,
        );
        assert_eq!(text(&e, &p.symbols), "1 + 1");
        assert!(used.is_empty(), "{used:?}");
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

#[cfg(test)]
mod cited_tests {
    use crate::api::{analyze, check as check_numerically, CheckOptions, Input};
    use expect_test::{expect, Expect};

    /// The gradient of `f` and the identities its final line cites; the gradient is checked
    /// numerically at two points.
    fn check(f: &str, decls: &str, wrt: &str, expect: Expect) {
        let a = analyze(&Input {
            expr: f.into(),
            decls: decls.into(),
            wrt: Some(wrt.into()),
        });
        let d = a.derivation.as_ref().expect("a derivation");
        for seed in 0..2 {
            let options = CheckOptions {
                sizes: Default::default(),
                seed,
            };
            let report = check_numerically(&a, &options).expect("a check report");
            assert!(report.passed, "{f}: {report:?}");
        }
        let cited: Vec<&str> = d
            .steps
            .last()
            .map(|s| s.identities.iter().map(|r| r.id).collect())
            .unwrap_or_default();
        expect.assert_eq(&format!("{}  [{}]", d.gradient_text, cited.join(", ")));
    }

    #[test]
    fn common_factor_and_half_power() {
        check(
            "sqrt(x'*A*x)",
            "",
            "x",
            expect![[
                r#"(A + A')*x / (2*sqrt(x'*A*x))  [negative-power-as-quotient, half-power-as-sqrt, factor-common]"#
            ]],
        );
    }

    #[test]
    fn matrix_powers_across_inverses() {
        check(
            "logdet(X*X)",
            "",
            "X",
            expect![[r#"2*inv(X)'  [merge-matrix-powers, like-terms]"#]],
        );
    }

    #[test]
    fn scalar_powers_across_a_quotient() {
        check(
            "log(a^2)",
            "a: scalar",
            "a",
            expect!["2 / a  [cancel-in-quotient, negative-power-as-quotient]"],
        );
    }

    #[test]
    fn factor_cancels_its_inverse() {
        check(
            "det(X'*A*X)",
            "X: n x n, A: n x n",
            "X",
            expect!["2*det(X'*A*X)*inv(X)'  [cancel-with-inverse, factor-common, like-terms]"],
        );
    }

    #[test]
    fn hadamard_inverse_and_signs() {
        check(
            "sum(log(vector(1) + exp(-y .* (X*w))))",
            "X: n x m, w: vector m, y: vector n",
            "w",
            expect!["-X'*(sigmoid(-(y .* (X*w))) .* y)  [scalar-out-of-hadamard, hadamard-inverse-as-quotient, logistic-as-sigmoid]"],
        );
    }

    #[test]
    fn hadamard_products_expand_when_their_terms_cancel() {
        check(
            "-sum(y .* log(sigmoid(X*w)) + (1 - y) .* log(1 - sigmoid(X*w)))",
            "X: n x m, w: vector m, y: vector n",
            "w",
            expect!["X'*(sigmoid(X*w) - y)  [hadamard-inverse-as-quotient, cancel-in-hadamard-quotient, expand-hadamard]"],
        );
        // Nothing cancels: the factored form stays.
        check(
            "sum((y - 1) .* log(sigmoid(X*w)))",
            "X: n x m, w: vector m, y: vector n",
            "w",
            expect!["X'*((y - vector(1)) .* (vector(1) - sigmoid(X*w)))  [hadamard-inverse-as-quotient, cancel-in-hadamard-quotient]"],
        );
    }

    #[test]
    fn common_denominator() {
        check(
            "-logdet(Sigma)/2 - x'*inv(Sigma)*x/2",
            "Sigma: spd n, x: vector n",
            "Sigma",
            expect!["(-inv(Sigma) + inv(Sigma)*x*x'*inv(Sigma)) / 2  [factor-common]"],
        );
    }

    #[test]
    fn a_vanishing_gradient_is_zero() {
        check(
            "tr(inv(X)*X)",
            "",
            "X",
            expect!["0  [merge-matrix-powers, like-terms]"],
        );
    }

    #[test]
    fn only_scalar_factors_cancel() {
        // The denominator x'(x'x)x is a scalar, but x' and x are not: they stay put.
        check(
            "log(x'*(x'*x)*x)",
            "",
            "x",
            expect!["4*(x'*x)*x / (x'*(x'*x)*x)  []"],
        );
    }

    #[test]
    fn nested_quotient() {
        check("sqrt(x'*x) / (1 + x'*x)", "", "x", expect!["x / (sqrt(x'*x)*(1 + x'*x)) - 2*sqrt(x'*x)*x / (1 + x'*x)^2  [negative-power-as-quotient, half-power-as-sqrt, nested-quotient]"]);
    }
}
