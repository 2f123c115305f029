//! Tree builders: products and sums that flatten as they are built.

use crate::ctx::Ctx;
use crate::expr::Expr;

/// Builds a product, flattening nested products.
#[must_use]
pub fn mul(ctx: Ctx, factors: Vec<Expr>) -> Expr {
    let n = factors.len();
    // A scalar product of several factors stays grouped inside a longer product:
    // flattened, (xᵀy)A would not read as a valid chain, nor would its transpose.
    let flattens =
        |f: &Expr| matches!(f, Expr::Mul(inner) if n == 1 || !is_scalar_group(inner, ctx));
    let out = if factors.iter().any(flattens) {
        let len = factors
            .iter()
            .map(|f| match f {
                Expr::Mul(inner) => inner.len(),
                _ => 1,
            })
            .sum();
        let mut out = Vec::with_capacity(len);
        for f in factors {
            match f {
                Expr::Mul(inner) if n == 1 || !is_scalar_group(&inner, ctx) => out.extend(inner),
                f => out.push(f),
            }
        }
        out
    } else {
        factors
    };
    let mut out = regroup(out, ctx);
    match out.len() {
        0 => Expr::Num(1.0),
        1 => out.pop().unwrap_or(Expr::Num(1.0)),
        _ => Expr::Mul(out),
    }
}

/// Per factor: (is 1×1, has one row, has one column).
fn unit_dims(f: &Expr, ctx: Ctx) -> (bool, bool, bool) {
    let (r1, c1) = ctx.unit_dims(f);
    (r1 && c1, r1, c1)
}

/// Groups every run of a chain whose product is 1×1, unless the run ends the chain:
/// `[xᵀ, y, z]` → `[(xᵀy), z]`. Read left to right both mean the same, but only the grouped
/// chain stays valid when reversed (a transpose) or rotated (the trace's cyclic property).
fn regroup(chain: Vec<Expr>, ctx: Ctx) -> Vec<Expr> {
    // A run of matrix factors is 1×1 when its first factor has one row and its last one column.
    // First find whether any run needs grouping; most chains are returned as they are.
    let n = chain.len();
    let mut needs_group = false;
    let mut run: Option<(usize, bool)> = None; // (length so far, first factor has one row)
    for (i, f) in chain.iter().enumerate() {
        let (scalar, r1, c1) = unit_dims(f, ctx);
        if scalar {
            continue;
        }
        let (len, rows_one) = match run {
            None => (1, r1),
            Some((len, r)) => (len + 1, r),
        };
        run = Some((len, rows_one));
        if rows_one && c1 {
            run = None;
            if i + 1 < n && len >= 2 {
                needs_group = true;
                break;
            }
        }
    }
    if !needs_group {
        return chain;
    }
    let mut out: Vec<Expr> = Vec::with_capacity(n);
    let mut run_start = 0;
    // Whether the current run of matrix factors has one row (None: no run open).
    let mut run_rows_one: Option<bool> = None;
    for (i, f) in chain.into_iter().enumerate() {
        let (scalar, r1, c1) = unit_dims(&f, ctx);
        if scalar {
            out.push(f);
            continue;
        }
        let rows_one = match run_rows_one {
            None => {
                run_start = out.len();
                r1
            }
            Some(r) => r,
        };
        run_rows_one = Some(rows_one);
        out.push(f);
        if rows_one && c1 {
            run_rows_one = None;
            if i + 1 < n && out.len() - run_start >= 2 {
                let group = out.split_off(run_start);
                out.push(Expr::Mul(group));
            }
        }
    }
    out
}

/// Whether a product of `factors` is 1×1 although not all factors are scalars.
pub(crate) fn is_scalar_group(factors: &[Expr], ctx: Ctx) -> bool {
    let mut any_matrix = false;
    let mut acc = (true, true);
    for f in factors {
        let s = ctx.unit_dims(f);
        let s_scalar = s.0 && s.1;
        if !s_scalar {
            any_matrix = true;
        }
        if acc.0 && acc.1 {
            acc = s;
        } else if !s_scalar {
            acc.1 = s.1;
        }
    }
    any_matrix && acc.0 && acc.1
}

/// Builds a sum, flattening nested sums.
#[must_use]
pub fn add(terms: Vec<Expr>) -> Expr {
    if !terms.iter().any(|t| matches!(t, Expr::Add(_))) {
        // Nothing to flatten: the terms are the sum (no new vector).
        let mut terms = terms;
        return match terms.len() {
            0 => Expr::Num(0.0),
            1 => terms.pop().unwrap_or(Expr::Num(0.0)),
            _ => Expr::Add(terms),
        };
    }
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
