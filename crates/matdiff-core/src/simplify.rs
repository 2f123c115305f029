//! Algebraic normalisation: tidying products and sums, pushing transposes, symmetry, collecting like terms.

use crate::expr::{shape_of, Expr, Func, Shape, SymbolTable};

/// What the simplifier needs to know about the problem.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub table: &'a SymbolTable,
    pub wrt: &'a str,
}

impl Ctx<'_> {
    pub fn shape(&self, e: &Expr) -> Shape {
        shape_of(e, self.table)
    }
    pub fn is_scalar(&self, e: &Expr) -> bool {
        self.shape(e).is_scalar()
    }
    /// Whether `e` is the differential of the variable, `dX`.
    pub fn is_dx(&self, e: &Expr) -> bool {
        matches!(e, Expr::D(a) if matches!(&**a, Expr::Sym(s) if s == self.wrt))
    }
    pub fn has_dx(&self, e: &Expr) -> bool {
        e.any(&mut |n| self.is_dx(n))
    }
    /// Whether `e` does not depend on the variable.
    pub fn is_const(&self, e: &Expr) -> bool {
        !e.mentions(self.wrt)
    }
}

/// Builds a product, flattening nested products.
#[must_use]
pub fn mul(ctx: Ctx, factors: Vec<Expr>) -> Expr {
    let n = factors.len();
    let mut out = Vec::with_capacity(n);
    for f in factors {
        match f {
            // A scalar product of several factors stays grouped inside a longer product:
            // flattened, (xᵀy)A would not read as a valid chain, nor would its transpose.
            Expr::Mul(inner) if n == 1 || !is_scalar_group(&inner, ctx) => out.extend(inner),
            f => out.push(f),
        }
    }
    let mut out = regroup(out, ctx);
    match out.len() {
        0 => Expr::Num(1.0),
        1 => out.pop().unwrap_or(Expr::Num(1.0)),
        _ => Expr::Mul(out),
    }
}

/// Groups every run of a chain whose product is 1×1, unless the run ends the chain:
/// `[xᵀ, y, z]` → `[(xᵀy), z]`. Read left to right both mean the same, but only the grouped
/// chain stays valid when reversed (a transpose) or rotated (the trace's cyclic property).
fn regroup(chain: Vec<Expr>, ctx: Ctx) -> Vec<Expr> {
    let n = chain.len();
    let mut out: Vec<Expr> = Vec::with_capacity(n);
    let mut run_start = 0;
    let mut acc: Option<Shape> = None; // shape of the current run of matrix factors
    for (i, f) in chain.into_iter().enumerate() {
        let s = ctx.shape(&f);
        if s.is_scalar() {
            out.push(f);
            continue;
        }
        acc = Some(match acc {
            None => {
                run_start = out.len();
                s
            }
            Some(a) => Shape::new(a.rows, s.cols),
        });
        out.push(f);
        if acc.as_ref().is_some_and(Shape::is_scalar) {
            acc = None;
            if i + 1 < n && out.len() - run_start >= 2 {
                let group = out.split_off(run_start);
                out.push(Expr::Mul(group));
            }
        }
    }
    out
}

/// Whether a product of `factors` is 1×1 although not all factors are scalars.
fn is_scalar_group(factors: &[Expr], ctx: Ctx) -> bool {
    factors.iter().any(|f| !ctx.is_scalar(f)) && ctx.is_scalar(&Expr::Mul(factors.to_vec()))
}

/// Builds a sum, flattening nested sums.
#[must_use]
pub fn add(terms: Vec<Expr>) -> Expr {
    let mut out = Vec::with_capacity(terms.len());
    for t in terms {
        match t {
            Expr::Add(inner) => out.extend(inner),
            t => out.push(t),
        }
    }
    match out.len() {
        0 => Expr::Num(0.0),
        1 => out.pop().unwrap_or(Expr::Num(0.0)),
        _ => Expr::Add(out),
    }
}

/// Light normalisation that never changes how an expression reads beyond the obvious:
/// flattens sums and products, drops zero terms and unit factors, folds numeric factors.
#[must_use]
pub fn tidy(ctx: Ctx, e: Expr) -> Expr {
    match e {
        Expr::Add(ts) => {
            let mut out = Vec::new();
            let mut constant = 0.0;
            // The folded constant stays where the first constant stood: 1 - tanh(x)^2.
            let mut constant_at = None;
            for t in ts.into_iter().map(|e| tidy(ctx, e)) {
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
            let mut coef = 1.0;
            let mut out = Vec::new();
            let n = fs.len();
            // Constants fold only while the product stays finite (1e308*10 stays as is).
            for f in fs.into_iter().map(|e| tidy(ctx, e)) {
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
            let fs: Vec<Expr> = fs.into_iter().map(|e| tidy(ctx, e)).collect();
            if fs.iter().any(Expr::is_zero) {
                return Expr::Num(0.0);
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
            let a = tidy(ctx, *a);
            let b = tidy(ctx, *b);
            if a.is_zero() {
                return Expr::Num(0.0);
            }
            if b.is_one() {
                return a;
            }
            if let (Expr::Num(x), Expr::Num(y)) = (&a, &b) {
                if *y != 0.0 && (x / y).is_finite() && (x / y).fract() == 0.0 {
                    return Expr::Num(x / y);
                }
            }
            Expr::Div(Box::new(a), Box::new(b))
        }
        Expr::HadDiv(a, b) => {
            let a = tidy(ctx, *a);
            if a.is_zero() {
                return Expr::Num(0.0);
            }
            Expr::HadDiv(Box::new(a), Box::new(tidy(ctx, *b)))
        }
        Expr::HadPow(a, p) => Expr::HadPow(Box::new(tidy(ctx, *a)), p),
        Expr::Pow(a, p) => {
            let a = tidy(ctx, *a);
            if p == 1.0 {
                return a;
            }
            Expr::Pow(Box::new(a), p)
        }
        Expr::Transpose(a) => {
            let a = tidy(ctx, *a);
            if a.is_zero() || matches!(a, Expr::Num(_)) {
                return a;
            }
            Expr::Transpose(Box::new(a))
        }
        Expr::Inv(a) => Expr::Inv(Box::new(tidy(ctx, *a))),
        Expr::Call(f, a) => {
            let a = tidy(ctx, *a);
            if a.is_zero() && matches!(f, Func::Tr | Func::Sum | Func::Diag | Func::DiagOf) {
                return Expr::Num(0.0);
            }
            Expr::Call(f, Box::new(a))
        }
        Expr::D(a) => Expr::D(Box::new(tidy(ctx, *a))),
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

/// Merges identical terms of sums (at any depth): `A dX + A dX` → `2 A dX`. Values never change.
#[must_use]
pub fn merge_like_terms(ctx: Ctx, e: Expr) -> Expr {
    fn split_coef(t: Expr) -> (f64, Expr) {
        match t {
            Expr::Mul(mut fs) if matches!(fs.first(), Some(Expr::Num(_))) && fs.len() > 1 => {
                let Expr::Num(c) = fs.remove(0) else {
                    return (1.0, Expr::Mul(fs));
                };
                (
                    c,
                    if fs.len() == 1 {
                        fs.remove(0)
                    } else {
                        Expr::Mul(fs)
                    },
                )
            }
            t => (1.0, t),
        }
    }
    let e = match e {
        Expr::Add(ts) => {
            let mut merged: Vec<(f64, Expr)> = Vec::with_capacity(ts.len());
            for t in ts {
                let (c, rest) = split_coef(merge_like_terms(ctx, t));
                // Terms that would cancel stay: a zero without a shape must not replace a matrix.
                match merged
                    .iter_mut()
                    .find(|(c0, r)| *r == rest && *c0 + c != 0.0 && (*c0 + c).is_finite())
                {
                    Some((c0, _)) => *c0 += c,
                    None => merged.push((c, rest)),
                }
            }
            add(merged
                .into_iter()
                .map(|(c, r)| mul(ctx, vec![Expr::Num(c), r]))
                .collect())
        }
        Expr::Mul(fs) => Expr::Mul(fs.into_iter().map(|f| merge_like_terms(ctx, f)).collect()),
        Expr::Had(fs) => Expr::Had(fs.into_iter().map(|f| merge_like_terms(ctx, f)).collect()),
        Expr::Transpose(a) => Expr::t(merge_like_terms(ctx, *a)),
        Expr::Call(f, a) => Expr::call(f, merge_like_terms(ctx, *a)),
        Expr::D(a) => Expr::d(merge_like_terms(ctx, *a)),
        e => e,
    };
    tidy(ctx, e)
}

/// Whether `e` is symmetric: declared, or by structure (XᵀX, A + Aᵀ, inverses of symmetric matrices, …).
/// The differential dX is never symmetric: its entries are independent.
pub fn is_symmetric(e: &Expr, ctx: Ctx) -> bool {
    if !matches!(e, Expr::Sym(_) | Expr::Num(_) | Expr::Eye(_)) && !ctx.shape(e).is_square() {
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
        Expr::Ones(s) => Expr::Ones(s.transposed()),
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
                    Expr::Pow(_, p) => Expr::Pow(Box::new(inner), *p),
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
        Expr::Div(a, s) => Expr::Div(Box::new(smart_t(a, ctx)), s.clone()),
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
                |b: &Expr| !matches!(b, Expr::Num(_) | Expr::D(_)) && ctx.shape(b).is_square();
            if b1 == b2 && is_matrix_power(b1) {
                let merged = Expr::Pow(Box::new(b1.clone()), p1 + p2);
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
    let e = tidy(ctx, e);
    let e = match e {
        Expr::Add(ts) => {
            // Terms without transposes first: A + Aᵀ rather than Aᵀ + A.
            let mut ts: Vec<Expr> = ts.into_iter().map(|t| simplify(t, ctx)).collect();
            ts.sort_by_key(count_transposes);
            add(ts)
        }
        Expr::Mul(fs) => {
            let fs: Vec<Expr> = fs.into_iter().map(|f| simplify(f, ctx)).collect();
            let has_other_matrix =
                |fs: &[Expr]| fs.iter().filter(|f| !ctx.is_scalar(f)).count() >= 2;
            let mut fs = if has_other_matrix(&fs) {
                let mut kept = Vec::new();
                let total = fs.len();
                for (i, f) in fs.iter().enumerate() {
                    let rest_has_matrix = fs
                        .iter()
                        .enumerate()
                        .any(|(j, g)| j != i && !ctx.is_scalar(g) && !matches!(g, Expr::Eye(_)));
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
                        *f = Expr::Div(Box::new(Expr::Num(1.0)), s.clone());
                    }
                }
            }
            // (c / s) A → c A / s
            if let Some(pos) = fs
                .iter()
                .position(|f| matches!(f, Expr::Div(a, _) if matches!(**a, Expr::Num(_))))
            {
                if let Expr::Div(a, s) = fs.remove(pos) {
                    let mut num = vec![*a];
                    num.extend(fs);
                    return tidy(ctx, Expr::Div(Box::new(tidy(ctx, mul(ctx, num))), s));
                }
            }
            tidy(ctx, mul(ctx, fs))
        }
        Expr::Transpose(a) => {
            let a = simplify(*a, ctx);
            tidy(ctx, smart_t(&a, ctx))
        }
        Expr::Div(a, b) => Expr::Div(Box::new(simplify(*a, ctx)), Box::new(simplify(*b, ctx))),
        Expr::Had(fs) => {
            let fs: Vec<Expr> = fs.into_iter().map(|f| simplify(f, ctx)).collect();
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
        Expr::Inv(a) => Expr::inv(simplify(*a, ctx)),
        Expr::Pow(a, p) => Expr::Pow(Box::new(simplify(*a, ctx)), p),
        Expr::HadPow(a, p) => Expr::HadPow(Box::new(simplify(*a, ctx)), p),
        Expr::HadDiv(a, b) => {
            Expr::HadDiv(Box::new(simplify(*a, ctx)), Box::new(simplify(*b, ctx)))
        }
        Expr::Call(Func::Diag, a) if matches!(*a, Expr::Ones(_)) => Expr::Eye(ctx.shape(&a).rows),
        Expr::Call(f, a) => Expr::call(f, simplify(*a, ctx)),
        e => e,
    };
    tidy(ctx, e)
}
