//! Gradients with respect to a symmetric variable (issue 13 §3): sym(G) = (G + Gᵀ)/2 and the
//! derivative by the independent entries, G + Gᵀ − diag(G), built from the gradient G as trees.

use crate::build::{add, mul};
use crate::ctx::{Ctx, SymbolIndex};
use crate::expr::{Dim, Expr, Func, SymbolTable};
use crate::print::Renderer;
use crate::simplify::{is_symmetric, simplify, smart_t};
use serde::Serialize;

/// One answer beside the gradient: its tree and its renderings.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Form {
    pub expr: Expr,
    pub latex: String,
    /// In input syntax: parses back to the same function.
    pub text: String,
}

/// The two answers a symmetric variable has beside the unconstrained gradient G.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SymmetricForms {
    /// sym(G) = (G + Gᵀ)/2: the gradient within symmetric matrices under the Frobenius inner
    /// product.
    pub symmetric: Form,
    /// G + Gᵀ − diag(G): the derivative with respect to the independent entries X_ij, i ≤ j
    /// (the Matrix Cookbook's "symmetric" formulas); not a gradient for the Frobenius inner product.
    pub entries: Form,
}

/// What the page and the command say about sym(G), in one sentence.
pub const SYMMETRIC_SENTENCE: &str = "sym(G) = (G + G^T)/2 is the gradient within symmetric \
    matrices under the Frobenius inner product: the one to use for gradient descent on a \
    symmetric X.";

/// What the page and the command say about the entry form, in one sentence.
pub const ENTRIES_SENTENCE: &str = "G + G^T - diag(G) is the derivative with respect to the \
    independent entries X_ij, i <= j (the Matrix Cookbook's formulas for symmetric X); it is not \
    a gradient for the Frobenius inner product.";

/// What the page and the command say about G when the variable is symmetric, in one sentence.
pub const UNCONSTRAINED_SENTENCE: &str = "G is the gradient as if the entries of X were \
    independent (the default result); for symmetric directions V, tr(G^T V) = tr(sym(G)^T V).";

/// The diagonal part of a square matrix of size `n`, as a matrix: G ∘ I, as the Cookbook
/// writes it (eq. 141); a transpose inside and scalar factors in front are taken out first.
fn diagonal_part(g: &Expr, n: &Dim, ctx: Ctx) -> Expr {
    let (scalars, rest): (Vec<Expr>, Vec<Expr>) = match g {
        Expr::Mul(fs) => fs.iter().cloned().partition(|f| ctx.is_scalar(f)),
        _ => (Vec::new(), vec![g.clone()]),
    };
    let rest = mul(ctx, rest);
    let rest = match rest {
        Expr::Transpose(a) => (*a).clone(),
        other => other,
    };
    let diagonal = match rest {
        // I ∘ I = I, diag(v) ∘ I = diag(v), 1 1ᵀ ∘ I = I.
        _ if is_diagonal(&rest, ctx) => rest,
        Expr::Ones(_) => Expr::Eye(n.clone()),
        _ => Expr::Had(vec![rest, Expr::Eye(n.clone())]),
    };
    let mut factors = scalars;
    factors.push(diagonal);
    mul(ctx, factors)
}

/// Whether `e` is a diagonal matrix by its form: the identity or `diag(v)` of a vector, times
/// scalars.
fn is_diagonal(e: &Expr, ctx: Ctx) -> bool {
    match e {
        Expr::Eye(_) => true,
        Expr::Mul(fs) => {
            let mut matrices = fs.iter().filter(|f| !ctx.is_scalar(f));
            matches!((matrices.next(), matrices.next()), (Some(m), None) if is_diagonal(m, ctx))
        }
        _ => matches!(e.as_call1(), Some((Func::Diag, _))),
    }
}

/// A transposed sum as the sum of the transposed terms, `(A + B)ᵀ = Aᵀ + Bᵀ`, so that like
/// terms can merge with its transpose's; anything else as it is.
fn sum_pushed(h: Expr, ctx: Ctx) -> Expr {
    match &h {
        Expr::Transpose(a) => match &**a {
            Expr::Add(ts) => add(ts.iter().map(|t| smart_t(t, ctx)).collect()),
            _ => h,
        },
        _ => h,
    }
}

/// The transpose of `h`, taken term by term in a sum so that like terms can merge with `h`'s.
fn transpose_terms(h: &Expr, ctx: Ctx) -> Expr {
    match h {
        Expr::Add(ts) => add(ts.iter().map(|t| smart_t(t, ctx)).collect()),
        _ => smart_t(h, ctx),
    }
}

/// `g` as a number times the rest: `(2, H)` for `2·H`, `(0.5, H)` for `H/2`, `(1, g)` otherwise.
fn split_number(g: &Expr, ctx: Ctx) -> (f64, Expr) {
    match g {
        Expr::Mul(fs) => match fs.split_first() {
            Some((Expr::Num(k), rest)) => (*k, mul(ctx, rest.to_vec())),
            _ => (1.0, g.clone()),
        },
        Expr::Div(a, c) => match &**c {
            Expr::Num(c) if *c != 0.0 => (1.0 / c, (**a).clone()),
            _ => (1.0, g.clone()),
        },
        _ => (1.0, g.clone()),
    }
}

/// `q·e` as a reader writes it: `e`, `e/c` when q = 1/c for a whole c > 1, `q e` otherwise.
fn times(q: f64, e: Expr, ctx: Ctx) -> Expr {
    let c = 1.0 / q;
    if q < 0.0 {
        crate::simplify::tidy(ctx, Expr::neg(times(-q, e, ctx)))
    } else if q == 1.0 {
        e
    } else if c > 1.0 && c.fract() == 0.0 && c < 1e6 {
        Expr::Div(std::rc::Rc::new(e), std::rc::Rc::new(Expr::Num(c)))
    } else {
        crate::simplify::tidy(ctx, mul(ctx, vec![Expr::Num(q), e]))
    }
}

/// `sum − diag(G)`, the diagonal part simplified alone so that it comes last, as the Cookbook
/// writes it.
fn minus_diagonal(sum: Expr, g: &Expr, n: &Dim, ctx: Ctx) -> Expr {
    let diagonal = simplify(Expr::neg(diagonal_part(g, n, ctx)), ctx);
    add(vec![sum, diagonal])
}

/// The two forms of the gradient `gradient` of a function of the symmetric variable `wrt`;
/// `None` when `wrt` is not declared symmetric (or spd) or is not a square matrix.
pub fn symmetric_forms(gradient: &Expr, wrt: &str, table: &SymbolTable) -> Option<SymmetricForms> {
    let var = table.get(wrt)?;
    if !(var.symmetric || var.spd) || !var.shape.is_square() || var.shape.is_scalar() {
        return None;
    }
    let index = SymbolIndex::new(table);
    let ctx = Ctx {
        table,
        wrt,
        index: &index,
    };
    let n = &var.shape.rows;
    // A zero gradient (`0` for zeros of X's shape) has zero forms.
    let (symmetric, entries) = if gradient.is_zero() {
        (Expr::Num(0.0), Expr::Num(0.0))
    } else {
        // G = q·H with a number q: the forms of H, times q (2·(H/2) would not cancel).
        let (q, h) = split_number(gradient, ctx);
        let h = sum_pushed(h, ctx);
        if is_diagonal(&h, ctx) {
            // A diagonal H: G + Gᵀ − diag(G) = 2G − G = G.
            (gradient.clone(), gradient.clone())
        } else if is_symmetric(&h, ctx) {
            // H = Hᵀ: sym(G) = G and G + Gᵀ − diag(G) = q·(2H − diag(H)).
            let twice = simplify(mul(ctx, vec![Expr::Num(2.0), h.clone()]), ctx);
            let entries = minus_diagonal(twice, &h, n, ctx);
            (gradient.clone(), times(q, entries, ctx))
        } else {
            let both = simplify(add(vec![h.clone(), transpose_terms(&h, ctx)]), ctx);
            let entries = minus_diagonal(both.clone(), &h, n, ctx);
            (times(q / 2.0, both, ctx), times(q, entries, ctx))
        }
    };
    let render = Renderer::new(table);
    let form = |expr: Expr| Form {
        latex: render.latex(&expr),
        text: render.text(&expr),
        expr,
    };
    Some(SymmetricForms {
        symmetric: form(symmetric),
        entries: form(entries),
    })
}

#[cfg(test)]
mod tests {
    use crate::api::{analyze, Input};
    use std::fmt::Write as _;

    fn forms_of(expr: &str, decls: &str, wrt: &str) -> String {
        let a = analyze(&Input {
            expr: expr.into(),
            decls: decls.into(),
            wrt: Some(wrt.into()),
        });
        let d = a
            .derivation
            .as_ref()
            .unwrap_or_else(|| panic!("{expr}: {:?}", a.diagnostics));
        let p = a.problem.as_ref().expect("a problem");
        match super::symmetric_forms(&d.gradient, &p.wrt, &p.symbols) {
            Some(s) => format!(
                "G = {}\nsym(G) = {}   $ {} $\nentries = {}   $ {} $\n",
                d.gradient_text,
                s.symmetric.text,
                s.symmetric.latex,
                s.entries.text,
                s.entries.latex
            ),
            None => format!("G = {} (not symmetric)\n", d.gradient_text),
        }
    }

    /// The forms as trees, simplified; their values are checked in `tests/symmetric.rs`.
    #[test]
    fn forms_of_the_textbook_examples() {
        let mut out = String::new();
        for (expr, decls, wrt) in [
            ("tr(A*S)", "S: symmetric n", "S"),
            ("x'*S*x", "S: symmetric n", "S"),
            ("logdet(S)", "S: spd n", "S"),
            ("tr(S*S)", "S: symmetric n", "S"),
            ("tr(A*X)", "", "X"),
            ("a*tr(B)", "S: symmetric n", "S"),
        ] {
            let _ = writeln!(out, "{expr} wrt {wrt}:\n{}", forms_of(expr, decls, wrt));
        }
        expect_test::expect![[r#"
            tr(A*S) wrt S:
            G = A'
            sym(G) = (A + A') / 2   $ \frac{\mathbf{A} + \mathbf{A}^\top}{2} $
            entries = A + A' - A .* eye   $ \mathbf{A} + \mathbf{A}^\top - \mathbf{A} \odot \mathbf{I} $

            x'*S*x wrt S:
            G = x*x'
            sym(G) = x*x'   $ \mathbf{x} \mathbf{x}^\top $
            entries = 2*x*x' - (x*x') .* eye   $ 2 \mathbf{x} \mathbf{x}^\top - (\mathbf{x} \mathbf{x}^\top) \odot \mathbf{I} $

            logdet(S) wrt S:
            G = inv(S)
            sym(G) = inv(S)   $ \mathbf{S}^{-1} $
            entries = 2*inv(S) - inv(S) .* eye   $ 2 \mathbf{S}^{-1} - \mathbf{S}^{-1} \odot \mathbf{I} $

            tr(S*S) wrt S:
            G = 2*S
            sym(G) = 2*S   $ 2 \mathbf{S} $
            entries = 2*(2*S - S .* eye)   $ 2 (2 \mathbf{S} - \mathbf{S} \odot \mathbf{I}) $

            tr(A*X) wrt X:
            G = A' (not symmetric)

            a*tr(B) wrt S:
            G = 0
            sym(G) = 0   $ 0 $
            entries = 0   $ 0 $

        "#]].assert_eq(&out);
    }
}
