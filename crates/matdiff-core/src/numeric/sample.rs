//! Random values for the symbols: standard normal entries by default, respecting the declarations
//! (symmetric, spd) and the domain of f, with rejection of samples where f is undefined or at a kink.

use super::eval::{Ctx, EvalError, Evaluator};
use super::rng::{derive_seed, Rng};
use super::{Sizes, Values, MAX_SIZE};
use crate::expr::{Dim, Expr, Problem, Symbol, SymbolTable};
use crate::funcs::Domain;
use nalgebra::DMatrix;
use std::collections::BTreeMap;
use std::fmt;

type M = DMatrix<f64>;

/// Samples tried before giving up.
pub(crate) const MAX_TRIES: usize = 30;

/// Arguments of abs, sign, relu, step and norm1 must keep this far from 0 (relative to their size).
pub(crate) const KINK_MARGIN: f64 = 1e-3;

/// Why no sample could be drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SampleError {
    /// What went wrong, in plain English.
    pub message: String,
    /// The evaluation error of the last sample, if any.
    pub last: Option<EvalError>,
    /// Samples tried.
    pub tries: usize,
}

impl fmt::Display for SampleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SampleError {}

/// What the expression needs of one symbol's values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Needs {
    /// Positive definite (argument of logdet, det, an inverse or a matrix power): symmetric
    /// if declared so, otherwise with a skew-symmetric part added.
    pub spd: bool,
    /// Entries in [0.5, 2] (under log, sqrt, non-integer or negative powers, denominators).
    pub positive: bool,
    /// Entries in (-0.9, 0.9) (under arcsin, arccos, tan).
    pub bounded: bool,
}

/// The symbol an argument is, possibly transposed.
fn direct_symbol(e: &Expr) -> Option<&str> {
    match e {
        Expr::Sym(s) => Some(s),
        Expr::Transpose(a) => direct_symbol(a),
        _ => None,
    }
}

/// Walks `e` and records what each symbol that is directly an argument of a partial function needs.
#[cfg(test)]
pub(crate) fn needs(e: &Expr, table: &SymbolTable) -> BTreeMap<String, Needs> {
    let mut out = BTreeMap::new();
    walk(e, table, &mut out, 0);
    out
}

/// [`needs`] of f and of every step of its derivation: a function that only a step holds (the
/// inverse in the differential of an adjugate, say) constrains the samples too.
pub(crate) fn needs_with_steps(
    f: &Expr,
    steps: &[Expr],
    table: &SymbolTable,
) -> BTreeMap<String, Needs> {
    let mut out = BTreeMap::new();
    for e in std::iter::once(f).chain(steps) {
        walk(e, table, &mut out, 0);
    }
    out
}

/// Below this depth the walk stops (evaluation refuses such trees anyway).
const MAX_WALK_DEPTH: usize = 1_000;

fn walk(e: &Expr, table: &SymbolTable, out: &mut BTreeMap<String, Needs>, depth: usize) {
    if depth > MAX_WALK_DEPTH {
        return;
    }
    let mut mark = |arg: &Expr, set: &dyn Fn(&mut Needs, &Symbol)| {
        if let Some(sym) = direct_symbol(arg).and_then(|s| table.get(s)) {
            set(out.entry(sym.name.clone()).or_default(), sym);
        }
    };
    // A square matrix becomes SPD; a scalar just has to keep away from 0 and negative numbers.
    let invertible = |n: &mut Needs, s: &Symbol| {
        if s.shape.is_scalar() {
            n.positive = true;
        } else if s.shape.is_square() {
            n.spd = true;
        }
    };
    let non_integer = |p: f64| p.fract() != 0.0 || p < 0.0;
    match e {
        Expr::Call(f, args) => {
            for a in args.iter() {
                match f.info().domain {
                    Domain::Invertible => mark(a, &invertible),
                    Domain::Positive => mark(a, &|n, _| n.positive = true),
                    Domain::Bounded | Domain::AboveMinusOne => mark(a, &|n, _| n.bounded = true),
                    Domain::Any | Domain::Kink => {}
                }
            }
        }
        Expr::Inv(a) => mark(a, &invertible),
        Expr::Pow(a, p) => {
            if non_integer(*p) {
                mark(a, &|n, s| {
                    if s.shape.is_scalar() {
                        n.positive = true;
                    } else if s.shape.is_square() {
                        n.spd = true;
                    }
                });
            } else {
                mark(a, &|n, s| {
                    if !s.shape.is_scalar() && s.shape.is_square() {
                        n.spd = true;
                    }
                });
            }
        }
        Expr::HadPow(a, p) if non_integer(*p) => mark(a, &|n, _| n.positive = true),
        Expr::Div(_, b) | Expr::HadDiv(_, b) => mark(b, &|n, _| n.positive = true),
        _ => {}
    }
    e.for_each_child(|c| walk(c, table, out, depth + 1));
}

fn size(d: &Dim, sizes: &Sizes) -> Result<usize, String> {
    let n = match d {
        Dim::One => 1,
        Dim::Num(n) => *n,
        Dim::Name(n) => *sizes
            .get(&**n)
            .ok_or_else(|| format!("no size for the dimension {n}"))?,
        Dim::Prod(ps) => {
            let mut n = 1usize;
            for p in ps.iter() {
                n = n.saturating_mul(size(p, sizes)?);
            }
            n
        }
    };
    if n > MAX_SIZE {
        return Err(format!("the size {n} is larger than {MAX_SIZE}"));
    }
    Ok(n)
}

/// `(m + mᵀ)/2`, exactly symmetric.
fn symmetrize(m: &M) -> M {
    (m + m.transpose()) * 0.5
}

/// Random values for one symbol.
fn draw(sym: &Symbol, needs: Needs, sizes: &Sizes, rng: &mut Rng) -> Result<M, String> {
    let (r, c) = (size(&sym.shape.rows, sizes)?, size(&sym.shape.cols, sizes)?);
    let entry = |rng: &mut Rng| {
        if needs.positive {
            rng.uniform_in(0.5, 2.0)
        } else if needs.bounded {
            rng.uniform_in(-0.9, 0.9)
        } else {
            rng.normal()
        }
    };
    if r == c && (sym.spd || needs.spd) {
        // B Bᵀ / n + I: positive definite with eigenvalues of order one.
        let b = M::from_fn(r, r, |_, _| entry(rng));
        let s = symmetrize(&(&b * b.transpose() / r as f64 + M::identity(r, r)));
        if sym.spd || sym.symmetric {
            return Ok(s);
        }
        // Not declared symmetric: add a skew-symmetric part. The symmetric part stays positive
        // definite, so every real eigenvalue is positive (det > 0, logdet and inverse defined),
        // yet a gradient with a missing transpose is not hidden by a symmetric sample.
        let k = M::from_fn(r, r, |_, _| rng.normal());
        return Ok(s + (&k - k.transpose()) * 0.25);
    }
    let m = M::from_fn(r, c, |_, _| entry(rng));
    Ok(if r == c && sym.symmetric {
        symmetrize(&m)
    } else {
        m
    })
}

/// Values for every symbol of the problem from one seed (no rejection).
pub(crate) fn draw_all(
    problem: &Problem,
    needs: &BTreeMap<String, Needs>,
    sizes: &Sizes,
    seed: u64,
) -> Result<Values, String> {
    let mut rng = Rng::new(seed);
    let mut values = Values::new();
    for s in &problem.symbols.symbols {
        let n = needs.get(&s.name).copied().unwrap_or_default();
        values.insert(s.name.clone(), draw(s, n, sizes, &mut rng)?);
    }
    Ok(values)
}

/// A hint for the usual cause of "singular everywhere": a Gram matrix of a wide matrix.
fn singular_hint(e: &EvalError) -> &'static str {
    let m = e.message();
    if m.contains("singular") || m.contains("determinant") {
        " (a product like XᵀX is singular when X has more columns than rows, and XXᵀ when X has more rows than columns: try other sizes)"
    } else {
        ""
    }
}

/// Draws values where f is defined and away from kinks; also returns the number of samples tried.
/// `steps` are the lines of the derivation, whose functions constrain the samples as f's do.
pub(crate) fn sample_counted(
    problem: &Problem,
    steps: &[Expr],
    sizes: &Sizes,
    seed: u64,
) -> (Result<Values, SampleError>, usize) {
    let needs = needs_with_steps(&problem.expr, steps, &problem.symbols);
    let mut last: Option<EvalError> = None;
    let mut kinks = 0;
    for k in 0..MAX_TRIES {
        let tries = k + 1;
        let s = if k == 0 {
            seed
        } else {
            derive_seed(seed, k as u64)
        };
        let values = match draw_all(problem, &needs, sizes, s) {
            Ok(v) => v,
            Err(message) => {
                return (
                    Err(SampleError {
                        message,
                        last: None,
                        tries,
                    }),
                    tries,
                )
            }
        };
        let ctx = Ctx {
            values: &values,
            sizes,
            direction: None,
            subst: None,
            h_factor: 1.0,
        };
        let mut ev = Evaluator::new(ctx);
        match ev.eval(&problem.expr) {
            Ok(m) if m.shape() != (1, 1) => {
                let message = format!(
                    "f is not a scalar: its value is a {}×{} matrix",
                    m.nrows(),
                    m.ncols()
                );
                return (
                    Err(SampleError {
                        message,
                        last: None,
                        tries,
                    }),
                    tries,
                );
            }
            Ok(_) if ev.kink < KINK_MARGIN => kinks += 1,
            Ok(_) => return (Ok(values), tries),
            Err(e) if e.depends_on_values() => last = Some(e),
            Err(e) => {
                let message = format!("f cannot be evaluated: {e}");
                return (
                    Err(SampleError {
                        message,
                        last: Some(e),
                        tries,
                    }),
                    tries,
                );
            }
        }
    }
    let message = match &last {
        Some(e) => {
            let kinks = if kinks > 0 { format!(" ({kinks} of them at a kink of abs, sign, relu, step or norm1)") } else { String::new() };
            format!(
                "f is undefined at every sample tried ({MAX_TRIES} random samples{kinks}); the last one failed with: {e}{}",
                singular_hint(e)
            )
        }
        None => format!(
            "every sample tried ({MAX_TRIES} random samples) puts an argument of abs, sign, relu, step or norm1 \
             at (or within {KINK_MARGIN} of) 0, where f is not differentiable"
        ),
    };
    (
        Err(SampleError {
            message,
            last,
            tries: MAX_TRIES,
        }),
        MAX_TRIES,
    )
}

/// Random values for every symbol of `problem`, deterministic for a given seed.
///
/// Entries are standard normal, except: declared `symmetric` and `spd` symbols get such
/// matrices; a symbol that is directly the argument of logdet, det, an inverse or a matrix
/// power is made SPD (when square); one under log, sqrt, a non-integer or negative power,
/// or in a denominator gets entries in [0.5, 2]; one under arcsin, arccos or tan gets entries
/// in (−0.9, 0.9). A sample where f is undefined, or where an argument of abs, sign, relu,
/// step or norm1 comes within a small margin of 0, is replaced by one from a derived seed,
/// up to 30 times.
pub fn sample(problem: &Problem, sizes: &Sizes, seed: u64) -> Result<Values, SampleError> {
    sample_counted(problem, &[], sizes, seed).0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::Func;
    use crate::numeric::testutil::*;

    fn sizes() -> Sizes {
        Sizes::from([("n".to_string(), 4), ("m".to_string(), 3)])
    }

    fn is_spd(m: &M) -> bool {
        m == &m.transpose() && m.clone().cholesky().is_some()
    }

    /// A function that only a step of the derivation holds constrains the samples too: the
    /// inverse in d adj X = adj X Tr(X⁻¹dX) − X⁻¹ dX adj X, a log in a step but not in f.
    #[test]
    fn domains_come_from_the_steps_too() {
        let table = SymbolTable {
            symbols: vec![symbol("X", "n", "n"), symbol("x", "n", "1")],
        };
        let f = add(vec![
            tr(Expr::call(Func::Exp, sym("X"))),
            Expr::call(Func::Sum, sym("x")),
        ]);
        let steps = [
            tr(mul(vec![Expr::inv(sym("X")), Expr::d(sym("X"))])),
            Expr::call(Func::Sum, Expr::call(Func::Log, sym("x"))),
        ];
        assert!(needs(&f, &table).is_empty());
        let n = needs_with_steps(&f, &steps, &table);
        assert!(n["X"].spd && n["x"].positive, "{n:?}");
        // adj's own domain: its differential holds the inverse.
        let adj = needs(&tr(Expr::call(Func::Adj, sym("X"))), &table);
        assert!(adj["X"].spd, "{adj:?}");
    }

    #[test]
    fn deterministic_for_a_seed() {
        let p = problem(
            tr(mul(vec![sym("A"), sym("X")])),
            vec![symbol("A", "m", "n"), symbol("X", "n", "m")],
            "X",
        );
        let a = sample(&p, &sizes(), 9).unwrap();
        let b = sample(&p, &sizes(), 9).unwrap();
        let c = sample(&p, &sizes(), 10).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a["A"].shape(), (3, 4));
        assert_eq!(a["X"].shape(), (4, 3));
    }

    #[test]
    fn declarations_and_domains_are_respected() {
        let mut s = symbol("S", "n", "n");
        s.symmetric = true;
        let mut p_decl = symbol("P", "n", "n");
        p_decl.spd = true;
        p_decl.symmetric = true;
        let f = add(vec![
            tr(mul(vec![sym("S"), sym("P")])),
            Expr::call(Func::LogDet, sym("X")),
            tr(Expr::inv(Expr::t(sym("Y")))),
            Expr::call(Func::Sum, Expr::call(Func::Log, sym("x"))),
            Expr::call(Func::Sum, Expr::HadPow(bx(sym("y")), 0.5)),
            Expr::call(Func::Sum, Expr::call(Func::Asin, sym("z"))),
            Expr::Div(bx(sym("a")), bx(sym("b"))),
            Expr::Pow(bx(sym("c")), 1.5),
            Expr::call(Func::Sum, sym("w")),
        ]);
        let symbols = vec![
            s,
            p_decl,
            symbol("X", "n", "n"),
            symbol("Y", "n", "n"),
            symbol("x", "n", "1"),
            symbol("y", "n", "1"),
            symbol("z", "n", "1"),
            symbol("a", "1", "1"),
            symbol("b", "1", "1"),
            symbol("c", "1", "1"),
            symbol("w", "m", "1"),
        ];
        let p = problem(f, symbols, "X");
        let needs = needs(&p.expr, &p.symbols);
        assert!(
            needs["X"].spd
                && needs["Y"].spd
                && !needs.contains_key("S")
                && !needs.contains_key("w")
        );
        let (mut negative_w, mut negative_a) = (false, false);
        for seed in 0..20 {
            let v = sample(&p, &sizes(), seed).unwrap();
            negative_w |= v["w"].iter().any(|e| *e < 0.0);
            negative_a |= v["a"][(0, 0)] < 0.0;
            assert_eq!(v["S"], v["S"].transpose());
            assert!(is_spd(&v["P"]));
            // Undeclared arguments of logdet and inverses: positive definite, not symmetric.
            for name in ["X", "Y"] {
                let m = &v[name];
                assert!(
                    m != &m.transpose() && is_spd(&symmetrize(m)) && m.determinant() > 0.0,
                    "{name}: {m}"
                );
            }
            for name in ["x", "y", "b", "c"] {
                assert!(
                    v[name].iter().all(|e| (0.5..=2.0).contains(e)),
                    "{name}: {}",
                    v[name]
                );
            }
            assert!(v["z"].iter().all(|e| e.abs() < 0.9));
        }
        // Unconstrained symbols (w, and the numerator a) are standard normal: some entries are negative.
        assert!(negative_w && negative_a);
    }

    #[test]
    fn samples_avoid_kinks_and_undefined_points() {
        // sum(abs(x - c)) with c sampled near x in one coordinate is rejected; we check the
        // margin directly on every accepted sample.
        let f = Expr::call(Func::Norm1, sub(sym("x"), sym("y")));
        let p = problem(f, vec![symbol("x", "n", "1"), symbol("y", "n", "1")], "x");
        for seed in 0..50 {
            let v = sample(&p, &sizes(), seed).unwrap();
            let d = &v["x"] - &v["y"];
            let scale = crate::numeric::eval::rms(&d).max(1.0);
            assert!(d.iter().all(|e| e.abs() / scale >= KINK_MARGIN));
        }
        // log(det(X)) where X is not a direct argument: rejection finds X with det > 0.
        let f = Expr::call(
            Func::Log,
            Expr::call(Func::Det, add(vec![sym("X"), sym("B")])),
        );
        let p = problem(f, vec![symbol("X", "n", "n"), symbol("B", "n", "n")], "X");
        let v = sample(&p, &sizes(), 3).unwrap();
        assert!((&v["X"] + &v["B"]).determinant() > 0.0);
    }

    #[test]
    fn undefined_everywhere_says_so() {
        let f = Expr::call(Func::Log, Expr::neg(Expr::call(Func::Exp, sym("a"))));
        let p = problem(f, vec![symbol("a", "1", "1")], "a");
        let err = sample(&p, &sizes(), 0).unwrap_err();
        assert_eq!(err.tries, MAX_TRIES);
        assert_eq!(
            err.last,
            Some(EvalError::Domain("log of a non-positive entry".into()))
        );
        expect_test::expect!["f is undefined at every sample tried (30 random samples); the last one failed with: log of a non-positive entry"]
            .assert_eq(&err.to_string());
        // A Gram matrix of a wide matrix is singular whatever the values.
        let f = Expr::call(Func::LogDet, mul(vec![Expr::t(sym("X")), sym("X")]));
        let p = problem(f, vec![symbol("X", "m", "n")], "X");
        expect_test::expect!["f is undefined at every sample tried (30 random samples); the last one failed with: logdet of a numerically singular matrix (a product like XᵀX is singular when X has more columns than rows, and XXᵀ when X has more rows than columns: try other sizes)"]
            .assert_eq(&sample(&p, &sizes(), 0).unwrap_err().to_string());
        // Always at a kink.
        let f = Expr::call(Func::Abs, sub(sym("a"), sym("a")));
        let p = problem(f, vec![symbol("a", "1", "1")], "a");
        expect_test::expect!["every sample tried (30 random samples) puts an argument of abs, sign, relu, step or norm1 at (or within 0.001 of) 0, where f is not differentiable"]
            .assert_eq(&sample(&p, &sizes(), 0).unwrap_err().to_string());
        // Not a scalar, and a missing size.
        let p = problem(sym("x"), vec![symbol("x", "n", "1")], "x");
        assert_eq!(
            sample(&p, &sizes(), 0).unwrap_err().message,
            "f is not a scalar: its value is a 4×1 matrix"
        );
        let p = problem(
            Expr::call(Func::Sum, sym("x")),
            vec![symbol("x", "k", "1")],
            "x",
        );
        assert_eq!(
            sample(&p, &sizes(), 0).unwrap_err().message,
            "no size for the dimension k"
        );
        let p = problem(
            Expr::call(Func::Sum, sym("x")),
            vec![symbol("x", "1000", "1")],
            "x",
        );
        assert_eq!(
            sample(&p, &sizes(), 0).unwrap_err().message,
            "the size 1000 is larger than 200"
        );
    }
}
