//! The differentiation phase: from dy = d(f), push d(·) inward one rule per step until only dX remains.

use crate::build::{add, mul};
use crate::ctx::Ctx;
use crate::expr::{same_name, Expr, Func, Shape};
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

/// Which rule pushes d(·) through `e` (an expression that depends on the variable).
fn classify(e: &Expr, ctx: Ctx) -> Option<Rule> {
    if ctx.is_const(e) {
        return Some(rules::CONSTANT);
    }
    classify_varying(e, ctx)
}

/// [`classify`] of an expression known to depend on the variable.
fn classify_varying(e: &Expr, ctx: Ctx) -> Option<Rule> {
    Some(match e {
        Expr::Sym(_) => return None, // the variable itself: d X is the differential dX
        Expr::Add(_) => rules::LINEARITY,
        Expr::Mul(fs) => {
            if fs.iter().any(|f| ctx.is_const(f) && ctx.is_scalar(f)) {
                rules::LINEARITY
            } else {
                rules::PRODUCT
            }
        }
        Expr::Div(_, b) => {
            if ctx.is_const(b) {
                rules::LINEARITY
            } else {
                rules::QUOTIENT
            }
        }
        Expr::Transpose(_) => rules::TRANSPOSE,
        Expr::Inv(_) => rules::INVERSE,
        Expr::Pow(b, p) => match &**b {
            Expr::Call(Func::Norm2, _) if *p == 2.0 => rules::NORM_SQUARED,
            b if ctx.is_scalar(b) => rules::SCALAR_POWER,
            _ => rules::MATRIX_POWER,
        },
        Expr::Had(_) => rules::HADAMARD,
        Expr::HadDiv(..) => rules::HADAMARD_QUOTIENT,
        Expr::HadPow(..) => rules::HADAMARD_POWER,
        Expr::Call(f, a) => match f {
            Func::Tr => rules::TRACE,
            Func::Det => rules::DETERMINANT,
            Func::LogDet => rules::LOG_DET,
            Func::Sum => rules::SUM,
            Func::Norm2 => rules::NORM,
            Func::Norm1 => rules::NORM1,
            Func::Diag | Func::DiagOf => rules::DIAG,
            _ if ctx.is_scalar(a) => rules::CHAIN_SCALAR,
            _ => rules::ELEMENTWISE,
        },
        Expr::Num(_) | Expr::Eye(_) | Expr::Ones(_) => rules::CONSTANT,
        Expr::D(_) => return None,
    })
}

/// `p` times `e` elementwise-powered: a scalar power for scalars, a Hadamard power otherwise.
fn epow(e: Expr, p: f64, scalar: bool) -> Expr {
    if p == 1.0 {
        e
    } else if scalar {
        Expr::Pow(Rc::new(e), p)
    } else {
        Expr::HadPow(Rc::new(e), p)
    }
}

/// 1 of the shape of `e`: the number 1 for scalars, the all-ones matrix otherwise.
fn one_like(shape: &Shape) -> Expr {
    if shape.is_scalar() {
        Expr::Num(1.0)
    } else {
        Expr::Ones(Rc::new(shape.clone()))
    }
}

/// f'(a) for an elementwise function.
fn derivative_of(f: Func, a: &Expr, ctx: Ctx) -> Expr {
    let shape = ctx.shape(a);
    let scalar = shape.is_scalar();
    let one = || one_like(&shape);
    let call = |g: Func| Expr::call(g, a.clone());
    let sq = || epow(a.clone(), 2.0, scalar);
    match f {
        Func::Exp => call(Func::Exp),
        Func::Log => epow(a.clone(), -1.0, scalar),
        Func::Sin => call(Func::Cos),
        Func::Cos => Expr::neg(call(Func::Sin)),
        Func::Tan => epow(call(Func::Cos), -2.0, scalar),
        Func::Asin => epow(add(vec![one(), Expr::neg(sq())]), -0.5, scalar),
        Func::Acos => Expr::neg(epow(add(vec![one(), Expr::neg(sq())]), -0.5, scalar)),
        Func::Atan => epow(add(vec![one(), sq()]), -1.0, scalar),
        Func::Tanh => add(vec![one(), Expr::neg(epow(call(Func::Tanh), 2.0, scalar))]),
        Func::Sqrt => mul(ctx, vec![Expr::Num(0.5), epow(a.clone(), -0.5, scalar)]),
        Func::Abs => call(Func::Sign),
        Func::Relu => call(Func::Step),
        // sign and step are flat away from their jump.
        _ => Expr::Num(0.0),
    }
}

/// Applies `rule` to d(e). Returns the rewritten expression (with d(·) moved inward).
fn apply(rule: Rule, shared: &Rc<Expr>, ctx: Ctx) -> Expr {
    let e: &Expr = shared;
    // d(·) of a shared operand shares it; of a factor of a product, copies the factor.
    let d = |x: &Rc<Expr>| Expr::D(x.clone());
    let df = |x: &Expr| Expr::d(x.clone());
    match (rule.id, e) {
        ("constant", _) => Expr::Num(0.0),
        ("linearity", Expr::Add(ts)) => add(ts.iter().map(|t| linear_term(t, ctx)).collect()),
        ("linearity", Expr::Mul(_)) => linear_term(e, ctx),
        ("linearity", Expr::Div(a, b)) => Expr::Div(Rc::new(linear_term(a, ctx)), b.clone()),
        ("product-rule", Expr::Mul(fs)) => add((0..fs.len())
            .map(|i| {
                // Each factor cloned once: the i-th only as d(·).
                let g = fs
                    .iter()
                    .enumerate()
                    .map(|(j, f)| if j == i { df(f) } else { f.clone() })
                    .collect();
                Expr::Mul(g)
            })
            .collect()),
        ("quotient", Expr::Div(a, b)) => add(vec![
            Expr::Div(Rc::new(d(a)), b.clone()),
            Expr::neg(Expr::Div(
                Rc::new(mul(ctx, vec![(**a).clone(), d(b)])),
                Rc::new(Expr::Pow(b.clone(), 2.0)),
            )),
        ]),
        ("transpose", Expr::Transpose(a)) => Expr::t(d(a)),
        ("inverse", Expr::Inv(a)) => mul(ctx, vec![Expr::Num(-1.0), e.clone(), d(a), e.clone()]),
        ("trace", Expr::Call(_, a)) => Expr::call(Func::Tr, d(a)),
        ("determinant", Expr::Call(_, a)) => mul(
            ctx,
            vec![
                e.clone(),
                Expr::call(Func::Tr, mul(ctx, vec![Expr::Inv(a.clone()), d(a)])),
            ],
        ),
        ("log-det", Expr::Call(_, a)) => {
            Expr::call(Func::Tr, mul(ctx, vec![Expr::Inv(a.clone()), d(a)]))
        }
        ("norm-squared", Expr::Pow(b, _)) => {
            let Expr::Call(_, u) = &**b else {
                return Expr::D(shared.clone());
            };
            let s = ctx.shape(u);
            let t = || Expr::Transpose(u.clone());
            Expr::d(if s.is_scalar() {
                Expr::Pow(u.clone(), 2.0)
            } else if s.is_col_vector() {
                Expr::Mul(vec![t(), (**u).clone()])
            } else if s.rows == crate::expr::Dim::One {
                Expr::Mul(vec![(**u).clone(), t()])
            } else {
                Expr::call(Func::Tr, Expr::Mul(vec![t(), (**u).clone()]))
            })
        }
        ("norm", Expr::Call(_, u)) => {
            let s = ctx.shape(u);
            let inner = if s.is_scalar() {
                return mul(ctx, vec![Expr::Call(Func::Sign, u.clone()), d(u)]);
            } else if s.is_col_vector() {
                Expr::Mul(vec![Expr::Transpose(u.clone()), d(u)])
            } else if s.rows == crate::expr::Dim::One {
                Expr::Mul(vec![(**u).clone(), Expr::t(d(u))])
            } else {
                Expr::call(Func::Tr, Expr::Mul(vec![Expr::Transpose(u.clone()), d(u)]))
            };
            Expr::Div(Rc::new(inner), Rc::new(e.clone()))
        }
        ("norm1", Expr::Call(_, u)) => {
            if ctx.is_scalar(u) {
                mul(ctx, vec![Expr::Call(Func::Sign, u.clone()), d(u)])
            } else {
                Expr::call(
                    Func::Sum,
                    Expr::Had(vec![Expr::Call(Func::Sign, u.clone()), d(u)]),
                )
            }
        }
        ("scalar-power", Expr::Pow(b, p)) => mul(
            ctx,
            vec![Expr::Num(*p), epow((**b).clone(), p - 1.0, true), d(b)],
        ),
        ("matrix-power", Expr::Pow(b, p)) => {
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
        }
        ("hadamard-product", Expr::Had(fs)) => add((0..fs.len())
            .map(|i| {
                // Each factor cloned once: the i-th only as d(·).
                let g = fs
                    .iter()
                    .enumerate()
                    .map(|(j, f)| if j == i { df(f) } else { f.clone() })
                    .collect();
                Expr::Had(g)
            })
            .collect()),
        ("hadamard-quotient", Expr::HadDiv(a, b)) => add(vec![
            Expr::HadDiv(Rc::new(d(a)), b.clone()),
            Expr::neg(Expr::Had(vec![
                Expr::HadDiv(a.clone(), Rc::new(Expr::HadPow(b.clone(), 2.0))),
                d(b),
            ])),
        ]),
        ("hadamard-power", Expr::HadPow(b, p)) => mul(
            ctx,
            vec![
                Expr::Num(*p),
                Expr::Had(vec![epow((**b).clone(), p - 1.0, false), d(b)]),
            ],
        ),
        ("elementwise-function", Expr::Call(f, a)) => {
            Expr::Had(vec![derivative_of(*f, a, ctx), d(a)])
        }
        ("chain-scalar", Expr::Call(f, a)) => mul(ctx, vec![derivative_of(*f, a, ctx), d(a)]),
        ("sum", Expr::Call(_, a)) => Expr::call(Func::Sum, d(a)),
        ("diag", Expr::Call(f, a)) => Expr::call(*f, d(a)),
        _ => Expr::D(shared.clone()),
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
fn first_rule(e: &Expr, ctx: Ctx) -> Option<Rule> {
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
fn next_rule(e: &Expr, ctx: Ctx) -> Option<Rule> {
    let mut first: Option<Rule> = None;
    if scan(e, ctx, &mut first) {
        return Some(rules::CONSTANT);
    }
    first
}

/// Whether a d(·) under `e` holds a constant (as [`has_constant_d`]); meanwhile, while `first`
/// is `None`, sets it as [`first_rule`] does (which does not look inside a d(·)).
fn scan(e: &Expr, ctx: Ctx, first: &mut Option<Rule>) -> bool {
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
fn rewrite(e: &Expr, rule: Rule, ctx: Ctx) -> Expr {
    match e {
        Expr::D(a) => {
            if classify(a, ctx) == Some(rule) {
                apply(rule, a, ctx)
            } else {
                e.clone()
            }
        }
        Expr::Num(_) | Expr::Sym(_) | Expr::Eye(_) | Expr::Ones(_) => e.clone(),
        Expr::Add(v) => Expr::Add(v.iter().map(|c| rewrite(c, rule, ctx)).collect()),
        Expr::Mul(v) => Expr::Mul(v.iter().map(|c| rewrite(c, rule, ctx)).collect()),
        Expr::Had(v) => Expr::Had(v.iter().map(|c| rewrite(c, rule, ctx)).collect()),
        Expr::Div(a, b) => Expr::Div(
            Rc::new(rewrite(a, rule, ctx)),
            Rc::new(rewrite(b, rule, ctx)),
        ),
        Expr::HadDiv(a, b) => Expr::HadDiv(
            Rc::new(rewrite(a, rule, ctx)),
            Rc::new(rewrite(b, rule, ctx)),
        ),
        Expr::HadPow(a, p) => Expr::HadPow(Rc::new(rewrite(a, rule, ctx)), *p),
        Expr::Pow(a, p) => Expr::Pow(Rc::new(rewrite(a, rule, ctx)), *p),
        Expr::Transpose(a) => Expr::t(rewrite(a, rule, ctx)),
        Expr::Inv(a) => Expr::inv(rewrite(a, rule, ctx)),
        Expr::Call(f, a) => Expr::call(*f, rewrite(a, rule, ctx)),
    }
}

/// One step of the phase on `e`, a result of the previous step: every d(·) whose rule is `rule`
/// rewritten, then like terms merged (`merging`) or the tree tidied, as
/// `merge_like_terms(rewrite(e))` would — but only along the paths that changed, since the rest
/// is already merged. `None` when nothing under `e` changed.
fn step(e: &Expr, rule: Rule, ctx: Ctx, merging: bool) -> Option<Expr> {
    match e {
        Expr::D(a) => (classify(a, ctx) == Some(rule)).then(|| {
            let new = apply(rule, a, ctx);
            if merging {
                merge_like_terms(ctx, new)
            } else {
                tidy(ctx, new)
            }
        }),
        Expr::Num(_) | Expr::Sym(_) | Expr::Eye(_) | Expr::Ones(_) => None,
        _ => {
            let merging = merging && merges_children(e);
            // The children's results, allocated only once one changed (most subtrees don't).
            let mut changed: Vec<Option<Expr>> = Vec::new();
            let mut unchanged = 0;
            e.find_map_child(|c| {
                match step(c, rule, ctx, merging) {
                    None if changed.is_empty() => unchanged += 1,
                    new => {
                        if changed.is_empty() {
                            changed.reserve_exact(child_count(e));
                            changed.resize_with(unchanged, || None);
                        }
                        changed.push(new);
                    }
                }
                None::<()>
            });
            if changed.is_empty() {
                return None;
            }
            let node = rebuild(e, &mut changed);
            Some(if merging {
                merge_node(ctx, node)
            } else {
                tidy_shallow(ctx, node)
            })
        }
    }
}

/// A copy of the node `e` with its children replaced by `changed` where given (in order); the
/// other children are copied, and shared ones (operands of d(·), transposes, …) only referenced.
fn rebuild(e: &Expr, changed: &mut [Option<Expr>]) -> Expr {
    let mut at = changed.iter_mut();
    let mut next = || at.next().and_then(Option::take);
    let mut rc = |x: &Rc<Expr>| next().map_or_else(|| x.clone(), Rc::new);
    match e {
        Expr::Add(v) | Expr::Mul(v) | Expr::Had(v) => {
            let v = v
                .iter()
                .map(|c| next().unwrap_or_else(|| c.clone()))
                .collect();
            match e {
                Expr::Add(_) => Expr::Add(v),
                Expr::Mul(_) => Expr::Mul(v),
                _ => Expr::Had(v),
            }
        }
        Expr::Div(x, y) => {
            let x = rc(x);
            Expr::Div(x, rc(y))
        }
        Expr::HadDiv(x, y) => {
            let x = rc(x);
            Expr::HadDiv(x, rc(y))
        }
        Expr::HadPow(x, p) => Expr::HadPow(rc(x), *p),
        Expr::Pow(x, p) => Expr::Pow(rc(x), *p),
        Expr::Transpose(x) => Expr::Transpose(rc(x)),
        Expr::Inv(x) => Expr::Inv(rc(x)),
        Expr::Call(g, x) => Expr::Call(*g, rc(x)),
        Expr::D(x) => Expr::D(rc(x)),
        Expr::Num(_) | Expr::Sym(_) | Expr::Eye(_) | Expr::Ones(_) => e.clone(),
    }
}

/// How many direct children `e` has.
fn child_count(e: &Expr) -> usize {
    match e {
        Expr::Num(_) | Expr::Sym(_) | Expr::Eye(_) | Expr::Ones(_) => 0,
        Expr::Add(v) | Expr::Mul(v) | Expr::Had(v) => v.len(),
        Expr::Div(..) | Expr::HadDiv(..) => 2,
        Expr::HadPow(..)
        | Expr::Pow(..)
        | Expr::Transpose(_)
        | Expr::Inv(_)
        | Expr::Call(..)
        | Expr::D(_) => 1,
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
        steps.push((rule, next));
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
                rules::CONSTANT
            } else {
                match first_rule(&dy, ctx) {
                    Some(r) => r,
                    None => return Some(steps),
                }
            };
            dy = merge_like_terms(ctx, rewrite(&dy, rule, ctx));
            steps.push((rule, dy.clone()));
        }
        None
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
