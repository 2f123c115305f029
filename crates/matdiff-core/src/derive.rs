//! The differentiation phase: from dy = d(f), push d(·) inward one rule per step until only dX remains.

use crate::build::{add, mul};
use crate::ctx::Ctx;
use crate::expr::{same_name, Dim, Expr, Func, Shape};
use crate::funcs::Derivative;
use crate::rules::{self, Rule};
use crate::simplify::{merge_like_terms, merge_node, merges_children, tidy, tidy_shallow};
use std::rc::Rc;

/// Upper bound on the steps of one phase; a derivation that needs more is reported, never looped.
pub const MAX_STEPS: usize = 400;

/// Upper bound on the size of a whole derivation: the printed nodes of all its lines together.
/// The product rule on nested products of traces doubles the terms at every level, and every
/// line is simplified, printed and checked numerically; a derivation past this size is refused
/// (the largest of the Cookbook corpus and the adversarial benchmark are under a fifth of it).
pub const MAX_DERIVATION_NODES: usize = 40_000;

/// Why a phase stopped without finishing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// [`MAX_STEPS`] steps were not enough.
    Steps,
    /// The lines together grew past [`MAX_DERIVATION_NODES`].
    Size,
}

/// A differential rule: its catalog entry, which operands of d(·) it applies to, and the
/// rewrite of d(e) with d(·) moved inward.
pub struct DiffRule {
    pub rule: Rule,
    /// Whether the rule pushes d(·) through `e`, an expression that depends on the variable
    /// (for [`CONSTANT`]: any expression).
    pub applies: fn(&Expr, Ctx) -> bool,
    /// d(e) rewritten; called only where `applies` holds.
    pub apply: fn(&Rc<Expr>, Ctx) -> Expr,
}

impl DiffRule {
    fn is(&self, other: &DiffRule) -> bool {
        std::ptr::eq(self, other)
    }
}

/// d of a constant is 0; tried before the rules of [`VARYING`].
pub static CONSTANT: DiffRule = DiffRule {
    rule: rules::CONSTANT,
    applies: |e, ctx| ctx.is_const(e),
    apply: |_, _| Expr::Num(0.0),
};

/// The rules for operands that depend on the variable. At most one applies to any operand.
pub static VARYING: [DiffRule; 27] = [
    DiffRule {
        rule: rules::LINEARITY,
        applies: |e, ctx| match e {
            Expr::Add(_) => true,
            Expr::Mul(fs) => has_constant_scalar(fs, ctx),
            Expr::Div(_, b) => ctx.is_const(b),
            _ => false,
        },
        apply: |e, ctx| match &**e {
            Expr::Add(ts) => add(ts.iter().map(|t| linear_term(t, ctx)).collect()),
            Expr::Div(a, b) => Expr::Div(Rc::new(linear_term(a, ctx)), b.clone()),
            e => linear_term(e, ctx),
        },
    },
    DiffRule {
        rule: rules::PRODUCT,
        applies: |e, ctx| matches!(e, Expr::Mul(fs) if !has_constant_scalar(fs, ctx)),
        apply: |e, _| match &**e {
            Expr::Mul(fs) => add(product_rule(fs, Expr::Mul)),
            _ => mismatch(e),
        },
    },
    DiffRule {
        rule: rules::QUOTIENT,
        applies: |e, ctx| {
            matches!(e, Expr::Div(_, b) if !ctx.is_const(b))
                && crate::simplify::softmax_quotient_arg(e, ctx).is_none()
        },
        apply: |e, ctx| match &**e {
            Expr::Div(a, b) => add(vec![
                Expr::Div(Rc::new(d(a)), b.clone()),
                Expr::neg(Expr::Div(
                    Rc::new(mul(ctx, vec![(**a).clone(), d(b)])),
                    Rc::new(Expr::Pow(b.clone(), 2.0)),
                )),
            ]),
            _ => mismatch(e),
        },
    },
    DiffRule {
        // `exp(z) / sum(exp(z))` is read as `softmax(z)`, whose rule follows.
        rule: rules::SOFTMAX_AS_QUOTIENT,
        applies: |e, ctx| {
            !ctx.is_const(e) && crate::simplify::softmax_quotient_arg(e, ctx).is_some()
        },
        apply: |e, ctx| match crate::simplify::softmax_quotient_arg(e, ctx) {
            Some(z) => d(&Rc::new(Expr::call_shared(Func::Softmax, z.clone()))),
            None => mismatch(e),
        },
    },
    DiffRule {
        rule: rules::TRANSPOSE,
        applies: |e, _| matches!(e, Expr::Transpose(_)),
        apply: |e, _| match &**e {
            Expr::Transpose(a) => Expr::t(d(a)),
            _ => mismatch(e),
        },
    },
    DiffRule {
        rule: rules::INVERSE,
        applies: |e, _| matches!(e, Expr::Inv(_)),
        apply: |e, ctx| match &**e {
            Expr::Inv(a) => mul(
                ctx,
                vec![Expr::Num(-1.0), (**e).clone(), d(a), (**e).clone()],
            ),
            _ => mismatch(e),
        },
    },
    DiffRule {
        rule: rules::NORM_SQUARED,
        applies: |e, _| is_norm_squared(e),
        apply: |e, ctx| {
            let Expr::Pow(b, _) = &**e else {
                return mismatch(e);
            };
            let Some((_, u)) = b.as_call1() else {
                return mismatch(e);
            };
            let s = ctx.shape(u);
            let t = || Expr::Transpose(u.clone());
            Expr::d(if s.is_scalar() {
                Expr::Pow(u.clone(), 2.0)
            } else if s.is_col_vector() {
                Expr::Mul(vec![t(), (**u).clone()])
            } else if s.rows == Dim::One {
                Expr::Mul(vec![(**u).clone(), t()])
            } else {
                Expr::call(Func::Tr, Expr::Mul(vec![t(), (**u).clone()]))
            })
        },
    },
    DiffRule {
        rule: rules::SCALAR_POWER,
        applies: |e, ctx| matches!(e, Expr::Pow(b, _) if !is_norm_squared(e) && ctx.is_scalar(b)),
        apply: |e, ctx| match &**e {
            Expr::Pow(b, p) => mul(
                ctx,
                vec![Expr::Num(*p), epow((**b).clone(), p - 1.0, true), d(b)],
            ),
            _ => mismatch(e),
        },
    },
    DiffRule {
        rule: rules::MATRIX_POWER,
        applies: |e, ctx| matches!(e, Expr::Pow(b, _) if !is_norm_squared(e) && !ctx.is_scalar(b)),
        apply: |e, ctx| {
            let Expr::Pow(b, p) = &**e else {
                return mismatch(e);
            };
            let k = *p as usize;
            add((0..k)
                .map(|i| {
                    let pw = |n: usize| match n {
                        0 => None,
                        1 => Some((**b).clone()),
                        n => Some(Expr::Pow(b.clone(), n as f64)),
                    };
                    let mut fs = Vec::new();
                    fs.extend(pw(i));
                    fs.push(d(b));
                    fs.extend(pw(k - 1 - i));
                    mul(ctx, fs)
                })
                .collect())
        },
    },
    DiffRule {
        rule: rules::HADAMARD,
        applies: |e, _| matches!(e, Expr::Had(_)),
        apply: |e, _| match &**e {
            Expr::Had(fs) => add(product_rule(fs, Expr::Had)),
            _ => mismatch(e),
        },
    },
    DiffRule {
        rule: rules::HADAMARD_QUOTIENT,
        applies: |e, _| matches!(e, Expr::HadDiv(..)),
        apply: |e, _| match &**e {
            Expr::HadDiv(a, b) => add(vec![
                Expr::HadDiv(Rc::new(d(a)), b.clone()),
                Expr::neg(Expr::Had(vec![
                    Expr::HadDiv(a.clone(), Rc::new(Expr::HadPow(b.clone(), 2.0))),
                    d(b),
                ])),
            ]),
            _ => mismatch(e),
        },
    },
    DiffRule {
        rule: rules::HADAMARD_POWER,
        applies: |e, _| matches!(e, Expr::HadPow(..)),
        apply: |e, ctx| match &**e {
            Expr::HadPow(b, p) => mul(
                ctx,
                vec![
                    Expr::Num(*p),
                    Expr::Had(vec![epow((**b).clone(), p - 1.0, false), d(b)]),
                ],
            ),
            _ => mismatch(e),
        },
    },
    DiffRule {
        rule: rules::TRACE,
        applies: |e, _| matches!(e, Expr::Call(Func::Tr, _)),
        apply: |e, _| match e.as_call1() {
            Some((_, a)) => Expr::call(Func::Tr, d(a)),
            _ => mismatch(e),
        },
    },
    DiffRule {
        rule: rules::DETERMINANT,
        applies: |e, _| matches!(e, Expr::Call(Func::Det, _)),
        apply: |e, ctx| match e.as_call1() {
            Some((_, a)) => mul(ctx, vec![(**e).clone(), tr_inv_d(a, ctx)]),
            _ => mismatch(e),
        },
    },
    DiffRule {
        rule: rules::LOG_DET,
        applies: |e, _| matches!(e, Expr::Call(Func::LogDet, _)),
        apply: |e, ctx| match e.as_call1() {
            Some((_, a)) => tr_inv_d(a, ctx),
            _ => mismatch(e),
        },
    },
    DiffRule {
        rule: rules::ADJUGATE,
        applies: |e, _| matches!(e, Expr::Call(Func::Adj, _)),
        apply: |e, ctx| match e.as_call1() {
            // d adj X = adj X · Tr(X⁻¹dX) − X⁻¹ dX adj X.
            Some((_, a)) => add(vec![
                mul(ctx, vec![(**e).clone(), tr_inv_d(a, ctx)]),
                Expr::neg(mul(ctx, vec![Expr::Inv(a.clone()), d(a), (**e).clone()])),
            ]),
            _ => mismatch(e),
        },
    },
    DiffRule {
        rule: rules::SUM,
        applies: |e, _| matches!(e, Expr::Call(Func::Sum, _)),
        apply: |e, _| match e.as_call1() {
            Some((_, a)) => Expr::call(Func::Sum, d(a)),
            _ => mismatch(e),
        },
    },
    DiffRule {
        rule: rules::MEAN,
        applies: |e, _| matches!(e, Expr::Call(Func::Mean, _)),
        apply: |e, _| match e.as_call1() {
            Some((_, a)) => Expr::call(Func::Mean, d(a)),
            _ => mismatch(e),
        },
    },
    DiffRule {
        rule: rules::LOG_SUM_EXP,
        applies: |e, _| matches!(e, Expr::Call(Func::LogSumExp, _)),
        apply: |e, ctx| match e.as_call1() {
            Some((_, z)) => {
                let weights = if ctx.shape(z).is_col_vector() {
                    Expr::call_shared(Func::Softmax, z.clone())
                } else {
                    // exp(Z − logsumexp(Z)·1): the softmax of all the entries of Z.
                    let ones = Expr::Ones(Rc::new(ctx.shape(z)));
                    let shift = mul(ctx, vec![(**e).clone(), ones]);
                    Expr::call(Func::Exp, add(vec![(**z).clone(), Expr::neg(shift)]))
                };
                Expr::call(Func::Sum, Expr::Had(vec![weights, d(z)]))
            }
            _ => mismatch(e),
        },
    },
    DiffRule {
        rule: rules::SOFTMAX,
        applies: |e, _| matches!(e, Expr::Call(Func::Softmax, _)),
        apply: |e, ctx| match e.as_call1() {
            Some((_, z)) => {
                let s = || (**e).clone();
                let inner = mul(ctx, vec![Expr::t(s()), d(z)]);
                add(vec![
                    Expr::Had(vec![s(), d(z)]),
                    Expr::neg(mul(ctx, vec![s(), inner])),
                ])
            }
            _ => mismatch(e),
        },
    },
    DiffRule {
        rule: rules::NORM,
        applies: |e, _| matches!(e, Expr::Call(Func::Norm2, _)),
        apply: |e, ctx| {
            let Some((_, u)) = e.as_call1() else {
                return mismatch(e);
            };
            let s = ctx.shape(u);
            let inner = if s.is_scalar() {
                return mul(ctx, vec![Expr::call_shared(Func::Sign, u.clone()), d(u)]);
            } else if s.is_col_vector() {
                Expr::Mul(vec![Expr::Transpose(u.clone()), d(u)])
            } else if s.rows == Dim::One {
                Expr::Mul(vec![(**u).clone(), Expr::t(d(u))])
            } else {
                Expr::call(Func::Tr, Expr::Mul(vec![Expr::Transpose(u.clone()), d(u)]))
            };
            Expr::Div(Rc::new(inner), e.clone())
        },
    },
    DiffRule {
        rule: rules::NORM1,
        applies: |e, _| matches!(e, Expr::Call(Func::Norm1, _)),
        apply: |e, ctx| match e.as_call1() {
            Some((_, u)) if ctx.is_scalar(u) => {
                mul(ctx, vec![Expr::call_shared(Func::Sign, u.clone()), d(u)])
            }
            Some((_, u)) => Expr::call(
                Func::Sum,
                Expr::Had(vec![Expr::call_shared(Func::Sign, u.clone()), d(u)]),
            ),
            _ => mismatch(e),
        },
    },
    DiffRule {
        rule: rules::DIAG,
        applies: |e, _| matches!(e, Expr::Call(Func::Diag | Func::DiagOf, _)),
        apply: |e, _| match e.as_call1() {
            Some((f, a)) => Expr::call(f, d(a)),
            _ => mismatch(e),
        },
    },
    DiffRule {
        rule: rules::KRONECKER,
        applies: |e, _| matches!(e, Expr::Call(Func::Kron, _)),
        apply: |e, _| match e.as_call2() {
            Some((f, a, b)) => add(vec![
                Expr::Call(f, Rc::from([Rc::new(d(a)), b.clone()])),
                Expr::Call(f, Rc::from([a.clone(), Rc::new(d(b))])),
            ]),
            None => mismatch(e),
        },
    },
    DiffRule {
        rule: rules::CHAIN_SCALAR,
        applies: |e, ctx| matches!(e.as_call1(), Some((f, a)) if f.is_elementwise() && ctx.is_scalar(a)),
        apply: |e, ctx| match (e.as_call1(), elementwise_derivative(e)) {
            (Some((_, a)), Some(df)) => mul(ctx, vec![df(a, ctx), d(a)]),
            _ => mismatch(e),
        },
    },
    DiffRule {
        rule: rules::ELEMENTWISE,
        applies: |e, ctx| matches!(e.as_call1(), Some((f, a)) if f.is_elementwise() && !ctx.is_scalar(a)),
        apply: |e, ctx| match (e.as_call1(), elementwise_derivative(e)) {
            (Some((_, a)), Some(df)) => Expr::Had(vec![df(a, ctx), d(a)]),
            _ => mismatch(e),
        },
    },
    // Constants that reach the varying rules (never, as they do not depend on the variable);
    // listed so that every node kind has a rule.
    DiffRule {
        rule: rules::CONSTANT,
        applies: |e, _| matches!(e, Expr::Num(_) | Expr::Eye(_) | Expr::Ones(_)),
        apply: |_, _| Expr::Num(0.0),
    },
];

/// d(·) of a shared operand shares it.
fn d(x: &Rc<Expr>) -> Expr {
    Expr::D(x.clone())
}

/// Tr(X⁻¹ dX) for the operand `a` of a determinant-like function.
fn tr_inv_d(a: &Rc<Expr>, ctx: Ctx) -> Expr {
    Expr::call(Func::Tr, mul(ctx, vec![Expr::Inv(a.clone()), d(a)]))
}

/// Whether some factor is a constant scalar (d(αX) = α dX then applies).
fn has_constant_scalar(fs: &[Expr], ctx: Ctx) -> bool {
    fs.iter().any(|f| ctx.is_const(f) && ctx.is_scalar(f))
}

/// ‖u‖², read as an inner product.
fn is_norm_squared(e: &Expr) -> bool {
    matches!(e, Expr::Pow(b, p) if *p == 2.0 && matches!(**b, Expr::Call(Func::Norm2, _)))
}

/// f' of a call of an elementwise function, from the table of functions.
fn elementwise_derivative(e: &Expr) -> Option<fn(&Expr, Ctx) -> Expr> {
    match e {
        Expr::Call(f, _) => match f.info().derivative {
            Derivative::Elementwise(df) => Some(df),
            Derivative::Rule(_) => None,
        },
        _ => None,
    }
}

/// The terms of the product rule over `fs` (an ordinary or a Hadamard product): each factor
/// cloned once, the i-th only as d(·).
fn product_rule(fs: &[Expr], node: fn(Vec<Expr>) -> Expr) -> Vec<Expr> {
    (0..fs.len())
        .map(|i| {
            let g = fs
                .iter()
                .enumerate()
                .map(|(j, f)| {
                    if j == i {
                        Expr::d(f.clone())
                    } else {
                        f.clone()
                    }
                })
                .collect();
            node(g)
        })
        .collect()
}

/// An applier called where its matcher does not hold: a bug of the rule table, caught by the
/// tests (a debug assertion); in release builds the d(·) is left unchanged.
fn mismatch(e: &Rc<Expr>) -> Expr {
    debug_assert!(false, "a rule was applied where it does not match: {e:?}");
    Expr::D(e.clone())
}

/// Which rule pushes d(·) through `e`.
fn classify(e: &Expr, ctx: Ctx) -> Option<&'static DiffRule> {
    if (CONSTANT.applies)(e, ctx) {
        return Some(&CONSTANT);
    }
    classify_varying(e, ctx)
}

/// [`classify`] of an expression known to depend on the variable: the rule of [`VARYING`]
/// that applies.
fn classify_varying(e: &Expr, ctx: Ctx) -> Option<&'static DiffRule> {
    VARYING.iter().find(|r| (r.applies)(e, ctx))
}

/// `p` times `e` elementwise-powered: a scalar power for scalars, a Hadamard power otherwise.
pub(crate) fn epow(e: Expr, p: f64, scalar: bool) -> Expr {
    if p == 1.0 {
        e
    } else if scalar {
        Expr::Pow(Rc::new(e), p)
    } else {
        Expr::HadPow(Rc::new(e), p)
    }
}

/// 1 of the shape of `e`: the number 1 for scalars, the all-ones matrix otherwise.
pub(crate) fn one_like(shape: &Shape) -> Expr {
    if shape.is_scalar() {
        Expr::Num(1.0)
    } else {
        Expr::Ones(Rc::new(shape.clone()))
    }
}

/// d(term) with constant scalar factors pulled out: d(αX) = α dX.
fn linear_term(t: &Expr, ctx: Ctx) -> Expr {
    match t {
        Expr::Mul(fs) => {
            // Partitioned by reference: the factors are cloned only when the split applies.
            let (consts, rest): (Vec<&Expr>, Vec<&Expr>) =
                fs.iter().partition(|f| ctx.is_const(f) && ctx.is_scalar(f));
            if consts.is_empty() || rest.is_empty() {
                return Expr::d(t.clone());
            }
            let mut out: Vec<Expr> = Vec::with_capacity(consts.len() + 1);
            out.extend(consts.into_iter().cloned());
            out.push(Expr::d(mul(ctx, rest.into_iter().cloned().collect())));
            Expr::Mul(out)
        }
        t => Expr::d(t.clone()),
    }
}

/// The first d(·) in reading order that still has a rule to apply, and that rule.
#[cfg(test)]
fn first_rule(e: &Expr, ctx: Ctx) -> Option<&'static DiffRule> {
    match e {
        Expr::D(a) => classify(a, ctx),
        _ => e.find_map_child(|c| first_rule(c, ctx)),
    }
}

#[cfg(test)]
fn has_constant_d(e: &Expr, ctx: Ctx) -> bool {
    e.any(&mut |n| matches!(n, Expr::D(a) if ctx.is_const(a)))
}

/// The rule of the next step: [`rules::CONSTANT`] if some d(·) holds a constant, else
/// [`first_rule`]; both found in one walk.
fn next_rule(e: &Expr, ctx: Ctx) -> Option<&'static DiffRule> {
    let mut first: Option<&'static DiffRule> = None;
    if scan(e, ctx, &mut first) {
        return Some(&CONSTANT);
    }
    first
}

/// Whether a d(·) under `e` holds a constant (as [`has_constant_d`]); meanwhile, while `first`
/// is `None`, sets it as [`first_rule`] does (which does not look inside a d(·)).
fn scan(e: &Expr, ctx: Ctx, first: &mut Option<&'static DiffRule>) -> bool {
    if let Expr::D(a) = e {
        let (varying, constant_d) = scan_operand(a, ctx);
        if constant_d || !varying {
            return true;
        }
        if first.is_none() {
            *first = classify_varying(a, ctx);
        }
        return false;
    }
    e.find_map_child(|c| scan(c, ctx, first).then_some(()))
        .is_some()
}

/// For the operand of a d(·), in one walk: whether it mentions the variable (is not constant),
/// and whether a d(·) inside it holds a constant. Stops at the first such d(·).
fn scan_operand(e: &Expr, ctx: Ctx) -> (bool, bool) {
    match e {
        Expr::Sym(s) => (same_name(s, ctx.wrt), false),
        Expr::D(a) => {
            let (varying, constant_d) = scan_operand(a, ctx);
            (varying, constant_d || !varying)
        }
        _ => {
            let mut varying = false;
            let constant_d = e
                .find_map_child(|c| {
                    let (v, k) = scan_operand(c, ctx);
                    varying |= v;
                    k.then_some(())
                })
                .is_some();
            (varying, constant_d)
        }
    }
}

/// Rewrites every d(·) whose rule is `rule`; leaves the others. The whole-tree form of [`step`]
/// (without the merging), kept as the tests' reference.
#[cfg(test)]
fn rewrite(e: &Expr, rule: &DiffRule, ctx: Ctx) -> Expr {
    match e {
        Expr::D(a) => {
            if classify(a, ctx).is_some_and(|r| r.is(rule)) {
                (rule.apply)(a, ctx)
            } else {
                e.clone()
            }
        }
        _ => e
            .map_children_ref(|c| Some(rewrite(c, rule, ctx)))
            .unwrap_or_else(|| e.clone()),
    }
}

/// One step of the phase on `e`, a result of the previous step: every d(·) whose rule is `rule`
/// rewritten, then like terms merged (`merging`) or the tree tidied, as
/// `merge_like_terms(rewrite(e))` would — but only along the paths that changed, since the rest
/// is already merged. `None` when nothing under `e` changed.
fn step(e: &Expr, rule: &DiffRule, ctx: Ctx, merging: bool) -> Option<Expr> {
    match e {
        Expr::D(a) => classify(a, ctx).is_some_and(|r| r.is(rule)).then(|| {
            let new = (rule.apply)(a, ctx);
            if merging {
                merge_like_terms(ctx, new)
            } else {
                tidy(ctx, new)
            }
        }),
        _ => {
            let merging = merging && merges_children(e);
            // Most subtrees don't change: then nothing is allocated.
            let node = e.map_children_ref(|c| step(c, rule, ctx, merging))?;
            Some(if merging {
                merge_node(ctx, node)
            } else {
                tidy_shallow(ctx, node)
            })
        }
    }
}

/// Runs the differentiation phase from dy = d(f). Returns each new line with its rule, or the
/// limit that stopped it; each line's printed size is taken out of `budget`.
pub fn differentiate(f: &Expr, ctx: Ctx, budget: &mut usize) -> Result<Vec<(Rule, Expr)>, Limit> {
    let first = Expr::d(f.clone());
    let mut steps: Vec<(Rule, Expr)> = Vec::new();
    for _ in 0..MAX_STEPS {
        let dy = steps.last().map_or(&first, |(_, e)| e);
        let Some(rule) = next_rule(dy, ctx) else {
            return Ok(steps);
        };
        let next = step(dy, rule, ctx, true).unwrap_or_else(|| dy.clone());
        if !next.spend_printed_size(budget) {
            return Err(Limit::Size);
        }
        steps.push((rule.rule, next));
    }
    Err(Limit::Steps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simplify::tidy;

    /// The phase as first written: rewrite the whole tree, then merge like terms in all of it.
    fn differentiate_whole_tree(f: &Expr, ctx: Ctx) -> Option<Vec<(Rule, Expr)>> {
        let mut dy = Expr::d(f.clone());
        let mut steps = Vec::new();
        for _ in 0..MAX_STEPS {
            let rule = if has_constant_d(&dy, ctx) {
                &CONSTANT
            } else {
                match first_rule(&dy, ctx) {
                    Some(r) => r,
                    None => return Some(steps),
                }
            };
            dy = merge_like_terms(ctx, rewrite(&dy, rule, ctx));
            steps.push((rule.rule, dy.clone()));
        }
        None
    }

    fn problem(f: &str, decls: &str, wrt: &str) -> crate::expr::Problem {
        crate::lower::lower(f, decls, Some(wrt)).unwrap_or_else(|e| panic!("{f}: {e:?}"))
    }

    /// One operand of d(·) per kind of node, all depending on the variable `X` (or constant,
    /// for the leaves that cannot). The match makes a new kind of node a compile error here
    /// until it has an example, and the test below then asks for its rule.
    fn example_of_every_node() -> Vec<Expr> {
        let x = || Rc::new(Expr::sym("X"));
        let ones = Rc::new(Shape::new(Dim::Name("n".into()), Dim::Name("n".into())));
        let examples = vec![
            Expr::Num(2.0),
            Expr::Sym("X".into()),
            Expr::Eye(Dim::Name("n".into())),
            Expr::Ones(ones),
            Expr::Add(vec![Expr::sym("X"), Expr::sym("A")]),
            Expr::Mul(vec![Expr::sym("A"), Expr::sym("X")]),
            Expr::Div(x(), Rc::new(Expr::sym("a"))),
            Expr::Had(vec![Expr::sym("A"), Expr::sym("X")]),
            Expr::HadDiv(Rc::new(Expr::sym("A")), x()),
            Expr::HadPow(x(), 3.0),
            Expr::Pow(x(), 2.0),
            Expr::Transpose(x()),
            Expr::Inv(x()),
            Expr::call_shared(Func::Tr, x()),
            Expr::D(x()),
        ];
        for e in &examples {
            match e {
                Expr::Num(_)
                | Expr::Sym(_)
                | Expr::Eye(_)
                | Expr::Ones(_)
                | Expr::Add(_)
                | Expr::Mul(_)
                | Expr::Div(..)
                | Expr::Had(_)
                | Expr::HadDiv(..)
                | Expr::HadPow(..)
                | Expr::Pow(..)
                | Expr::Transpose(_)
                | Expr::Inv(_)
                | Expr::Call(..)
                | Expr::D(_) => {}
            }
        }
        examples
    }

    /// Every kind of node has exactly one rule (the variable and a differential none), and
    /// every function of the table the one its row names.
    #[test]
    fn every_node_and_function_has_exactly_one_rule() {
        let p = problem("tr(A*X) + a + sum(X)", "X: n x n, A: n x n", "X");
        let index = crate::ctx::SymbolIndex::new(&p.symbols);
        let ctx = Ctx {
            table: &p.symbols,
            wrt: &p.wrt,
            index: &index,
        };
        let matching = |e: &Expr| -> Vec<Rule> {
            std::iter::once(&CONSTANT)
                .chain(VARYING.iter())
                .filter(|r| (r.applies)(e, ctx) && (r.is(&CONSTANT) || !ctx.is_const(e)))
                .map(|r| r.rule)
                .collect()
        };
        let mut seen = std::collections::HashSet::new();
        for e in example_of_every_node() {
            seen.insert(std::mem::discriminant(&e));
            let found = matching(&e);
            if matches!(e, Expr::Sym(_) | Expr::D(_)) {
                assert!(found.is_empty(), "{e:?}: {found:?}");
            } else {
                assert_eq!(found.len(), 1, "{e:?}: {found:?}");
                assert_eq!(classify(&e, ctx).map(|r| r.rule), found.first().copied());
            }
        }
        assert_eq!(seen.len(), 15, "one example per kind of node");
        let vector = problem("sum(x)", "x: vector n", "x");
        for &f in Func::ALL {
            let arg = match f.info().typing {
                crate::funcs::Typing::VectorToDiagonal | crate::funcs::Typing::VectorToVector => {
                    "x"
                }
                _ => "X",
            };
            let p = if arg == "x" { &vector } else { &p };
            let index = crate::ctx::SymbolIndex::new(&p.symbols);
            let ctx = Ctx {
                table: &p.symbols,
                wrt: &p.wrt,
                index: &index,
            };
            // A call with as many arguments as the function takes.
            let call = |a: Expr| {
                let shared = Rc::new(a);
                Expr::Call(f, vec![shared; f.info().arity].into())
            };
            let scalar = call(Expr::call(Func::Sum, Expr::sym(arg)));
            for e in [call(Expr::sym(arg)), scalar] {
                let found: Vec<Rule> = VARYING
                    .iter()
                    .filter(|r| (r.applies)(&e, ctx))
                    .map(|r| r.rule)
                    .collect();
                let want = match f.info().derivative {
                    Derivative::Rule(r) => r,
                    Derivative::Elementwise(_) if ctx.is_scalar(&e) => rules::CHAIN_SCALAR,
                    Derivative::Elementwise(_) => rules::ELEMENTWISE,
                };
                assert_eq!(found, vec![want], "{f:?}: {e:?}");
                // The applier rewrites it (a mismatch would fail its debug assertion).
                let rewritten =
                    (classify_varying(&e, ctx).unwrap().apply)(&Rc::new(e.clone()), ctx);
                assert_ne!(rewritten, Expr::d(e.clone()), "{f:?}");
            }
        }
    }

    /// Rewriting only the changed paths gives the same lines as rewriting and merging the whole tree.
    #[test]
    fn step_by_changed_paths_matches_whole_tree() {
        let corpus = include_str!("../tests/data/cookbook.txt");
        let mut cases: Vec<(String, String, String)> = Vec::new();
        let (mut f, mut decls) = (String::new(), String::new());
        for line in corpus.lines() {
            if let Some(v) = line.strip_prefix("f:") {
                f = v.trim().to_string();
            } else if let Some(v) = line.strip_prefix("let:") {
                decls = v.trim().to_string();
            } else if let Some(v) = line.strip_prefix("wrt:") {
                cases.push((f.clone(), decls.clone(), v.trim().to_string()));
            }
        }
        for extra in [
            "||A*x - b||^2",
            "tr(X^5)",
            "sum(exp(log(exp(X .* X))))",
            "x'*inv(X + X')*x / tr(X*X)",
            "logdet(X'*X*X'*X) + tr(A*X*B) + tr(A*X*B)",
            "norm1(A*x) + norm2(A*x - b)^2 * (x'*x)",
        ] {
            cases.push((extra.to_string(), String::new(), "x".to_string()));
            cases.push((extra.to_string(), String::new(), "X".to_string()));
        }
        assert!(cases.len() > 60);
        let mut compared = 0;
        for (f, decls, wrt) in &cases {
            let Ok(p) = crate::lower::lower(f, decls, Some(wrt)) else {
                continue;
            };
            let index = crate::ctx::SymbolIndex::new(&p.symbols);
            let ctx = Ctx {
                table: &p.symbols,
                wrt: &p.wrt,
                index: &index,
            };
            let e = tidy(ctx, p.expr.clone());
            assert_eq!(
                differentiate(&e, ctx, &mut { MAX_DERIVATION_NODES }).ok(),
                differentiate_whole_tree(&e, ctx),
                "{f} wrt {wrt}"
            );
            compared += 1;
        }
        assert!(compared > 60, "only {compared} inputs lowered");
    }
}
