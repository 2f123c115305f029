//! Evaluation of expression trees with nalgebra, including `d(·)` as a directional finite difference.

use super::{Sizes, Values, MAX_SIZE};
use crate::expr::{Dim, Expr, Func};
use crate::funcs::{Domain, Eval};
use nalgebra::DMatrix;
use std::fmt;
use std::rc::Rc;

pub(crate) type M = DMatrix<f64>;

/// What an expression is evaluated with.
#[derive(Clone, Copy, Debug)]
pub struct Env<'a> {
    /// The value of every symbol.
    pub values: &'a Values,
    /// The size of every symbolic dimension (for `I` and the all-ones matrices).
    pub sizes: &'a Sizes,
    /// The variable and its differential `dX`, for `d(·)` nodes; `None` when there are none.
    pub direction: Option<(&'a str, &'a DMatrix<f64>)>,
}

/// Why an expression has no value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EvalError {
    /// A value outside the domain of an operation (log of a non-positive entry, singular inverse, …).
    Domain(String),
    /// A result that overflowed or is not a number.
    NonFinite(String),
    /// Operands whose shapes do not fit: a bug in the tree, not a problem of the input.
    Shape(String),
    /// A symbol without a value, a dimension without a size, a `d(·)` without a direction.
    Missing(String),
}

impl EvalError {
    /// Whether the error comes from the values (another sample may do), rather than from the tree.
    pub fn depends_on_values(&self) -> bool {
        matches!(self, EvalError::Domain(_) | EvalError::NonFinite(_))
    }

    /// The plain-English message.
    pub fn message(&self) -> &str {
        match self {
            EvalError::Domain(m)
            | EvalError::NonFinite(m)
            | EvalError::Shape(m)
            | EvalError::Missing(m) => m,
        }
    }
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalError::Shape(m) => write!(f, "internal shape error: {m}"),
            _ => f.write_str(self.message()),
        }
    }
}

impl std::error::Error for EvalError {}

/// Evaluates `e`. Scalars come back as `1×1` matrices.
///
/// `d(e)` is `dX` when `e` is the variable of `env.direction`, zero when `e` does not
/// mention it, and otherwise a central finite difference of `e` along `dX`.
pub fn eval(e: &Expr, env: &Env) -> Result<DMatrix<f64>, EvalError> {
    Evaluator::new(Ctx::from_env(env)).eval(e)
}

/// Deeper trees are refused rather than risking the stack (a debug build uses a few KB per level).
const MAX_DEPTH: usize = 400;

/// Relative step of the finite differences: about the cube root of the machine epsilon.
pub(crate) const FD_STEP: f64 = 1e-5;

/// Condition numbers (1-norm) above this make an inverse "numerically singular".
const MAX_CONDITION: f64 = 1e13;

/// The evaluation context: an [`Env`] plus a substituted value of one symbol (for finite
/// differences without copying all values) and a multiplier of the finite-difference step.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ctx<'a> {
    pub values: &'a Values,
    pub sizes: &'a Sizes,
    pub direction: Option<(&'a str, &'a M)>,
    pub subst: Option<(&'a str, &'a M)>,
    pub h_factor: f64,
}

impl<'a> Ctx<'a> {
    pub(crate) fn from_env(env: &Env<'a>) -> Ctx<'a> {
        Ctx {
            values: env.values,
            sizes: env.sizes,
            direction: env.direction,
            subst: None,
            h_factor: 1.0,
        }
    }

    pub(crate) fn with_subst(self, name: &'a str, value: &'a M) -> Ctx<'a> {
        Ctx {
            subst: Some((name, value)),
            ..self
        }
    }

    pub(crate) fn lookup(&self, name: &str) -> Result<&'a M, EvalError> {
        if let Some((n, v)) = self.subst {
            if n == name {
                return Ok(v);
            }
        }
        self.values
            .get(name)
            .ok_or_else(|| EvalError::Missing(format!("no value for the symbol {name}")))
    }

    pub(crate) fn dim(&self, d: &Dim) -> Result<usize, EvalError> {
        let n = match d {
            Dim::One => 1,
            Dim::Num(n) => *n,
            Dim::Name(n) => *self
                .sizes
                .get(&**n)
                .ok_or_else(|| EvalError::Missing(format!("no size for the dimension {n}")))?,
            Dim::Prod(ps) => {
                let mut n = 1usize;
                for p in ps.iter() {
                    n = n.saturating_mul(self.dim(p)?);
                }
                n
            }
        };
        if n > MAX_SIZE {
            return Err(EvalError::Domain(format!(
                "the size {n} is larger than {MAX_SIZE}"
            )));
        }
        Ok(n)
    }
}

/// Root mean square of the entries (0 for an empty matrix).
pub(crate) fn rms(m: &M) -> f64 {
    if m.is_empty() {
        0.0
    } else {
        m.norm() / (m.len() as f64).sqrt()
    }
}

/// The finite-difference step for moving `x` along `v`: small relative to the size of `x`
/// (entries of order one or the actual size, whichever is larger) and scaled by the size of `v`.
pub(crate) fn fd_step(x: &M, v: &M) -> f64 {
    let sv = v.amax();
    if sv == 0.0 || !sv.is_finite() {
        return 0.0;
    }
    FD_STEP * rms(x).max(0.1) / sv
}

/// The evaluator proper. Besides the value it records how close the arguments of the
/// non-differentiable functions (abs, sign, relu, step, norm1) come to their kink at 0.
pub(crate) struct Evaluator<'a> {
    ctx: Ctx<'a>,
    depth: usize,
    /// Smallest |entry| / max(rms, 1) over the arguments of kinked functions; infinity if none.
    pub kink: f64,
}

pub(crate) fn shape_str(m: &M) -> String {
    format!("{}×{}", m.nrows(), m.ncols())
}

pub(crate) fn scalar(x: f64) -> M {
    M::from_element(1, 1, x)
}

fn is_scalar(m: &M) -> bool {
    m.nrows() == 1 && m.ncols() == 1
}

/// The matrix 1-norm (largest column sum of absolute values).
fn norm1(m: &M) -> f64 {
    m.column_iter()
        .map(|c| c.iter().map(|x| x.abs()).sum::<f64>())
        .fold(0.0, f64::max)
}

#[cold]
fn non_finite(e: &Expr) -> EvalError {
    EvalError::NonFinite(format!(
        "{} gave a number too large to represent (or not a number)",
        describe(e)
    ))
}

fn describe(e: &Expr) -> &'static str {
    match e {
        Expr::Num(_) => "a number",
        Expr::Sym(_) => "a symbol",
        Expr::Eye(_) => "an identity matrix",
        Expr::Ones(_) => "a matrix of ones",
        Expr::Add(_) => "a sum",
        Expr::Mul(_) => "a product",
        Expr::Div(..) => "a division",
        Expr::Had(_) => "an elementwise product",
        Expr::HadDiv(..) => "an elementwise division",
        Expr::HadPow(..) => "an elementwise power",
        Expr::Pow(..) => "a power",
        Expr::Transpose(_) => "a transpose",
        Expr::Inv(_) => "an inverse",
        Expr::Call(f, _) => f.info().what,
        Expr::D(_) => "a differential",
    }
}

impl<'a> Evaluator<'a> {
    pub(crate) fn new(ctx: Ctx<'a>) -> Evaluator<'a> {
        Evaluator {
            ctx,
            depth: 0,
            kink: f64::INFINITY,
        }
    }

    pub(crate) fn eval(&mut self, e: &Expr) -> Result<M, EvalError> {
        if self.depth >= MAX_DEPTH {
            return Err(EvalError::Shape(
                "the expression is nested too deeply to evaluate".into(),
            ));
        }
        self.depth += 1;
        let r = self.node(e);
        self.depth -= 1;
        let m = r?;
        if m.iter().any(|x| !x.is_finite()) {
            return Err(non_finite(e));
        }
        Ok(m)
    }

    // The arms are separate functions so that the recursion through `eval` keeps small
    // stack frames (a debug build would otherwise reserve the locals of every arm).
    fn node(&mut self, e: &Expr) -> Result<M, EvalError> {
        match e {
            Expr::Num(x) => Ok(scalar(*x)),
            Expr::Sym(s) => Ok(self.ctx.lookup(s)?.clone()),
            Expr::Eye(d) => {
                let n = self.ctx.dim(d)?;
                Ok(M::identity(n, n))
            }
            Expr::Ones(s) => Ok(M::from_element(
                self.ctx.dim(&s.rows)?,
                self.ctx.dim(&s.cols)?,
                1.0,
            )),
            Expr::Add(terms) => self.sum(terms),
            Expr::Mul(factors) => self.product(factors),
            Expr::Div(a, b) => self.div(a, b),
            Expr::Had(factors) => self.hadamard(factors),
            Expr::HadDiv(a, b) => self.had_div(a, b),
            Expr::HadPow(a, p) => self.had_pow(a, *p),
            Expr::Pow(a, p) => self.pow(a, *p),
            Expr::Transpose(a) => Ok(self.eval(a)?.transpose()),
            Expr::Inv(a) => inverse(self.eval(a)?),
            Expr::Call(f, args) => self.call(*f, args),
            Expr::D(a) => self.differential(a),
        }
    }

    fn sum(&mut self, terms: &[Expr]) -> Result<M, EvalError> {
        let mut acc: Option<M> = None;
        for t in terms {
            let v = self.eval(t)?;
            acc = Some(match acc {
                None => v,
                Some(a) if a.shape() == v.shape() => a + v,
                Some(a) => {
                    return Err(EvalError::Shape(format!(
                        "cannot add {} and {}",
                        shape_str(&a),
                        shape_str(&v)
                    )))
                }
            });
        }
        Ok(acc.unwrap_or_else(|| scalar(0.0)))
    }

    fn product(&mut self, factors: &[Expr]) -> Result<M, EvalError> {
        let mut acc: Option<M> = None;
        for f in factors {
            let v = self.eval(f)?;
            acc = Some(match acc {
                None => v,
                Some(a) => mat_mul(&a, &v)?,
            });
        }
        Ok(acc.unwrap_or_else(|| scalar(1.0)))
    }

    fn div(&mut self, a: &Expr, b: &Expr) -> Result<M, EvalError> {
        let a = self.eval(a)?;
        let b = self.eval(b)?;
        if !is_scalar(&b) {
            return Err(EvalError::Shape(format!(
                "cannot divide by a {} matrix",
                shape_str(&b)
            )));
        }
        let d = b[(0, 0)];
        if d == 0.0 {
            return Err(EvalError::Domain("division by zero".into()));
        }
        Ok(a / d)
    }

    fn hadamard(&mut self, factors: &[Expr]) -> Result<M, EvalError> {
        let mut acc: Option<M> = None;
        for f in factors {
            let v = self.eval(f)?;
            acc = Some(match acc {
                None => v,
                Some(a) => zip(&a, &v, "multiply elementwise", |x, y| Ok(x * y))?,
            });
        }
        Ok(acc.unwrap_or_else(|| scalar(1.0)))
    }

    fn had_div(&mut self, a: &Expr, b: &Expr) -> Result<M, EvalError> {
        let a = self.eval(a)?;
        let b = self.eval(b)?;
        zip(&a, &b, "divide elementwise", |x, y| {
            if y == 0.0 {
                Err(EvalError::Domain(
                    "elementwise division by a zero entry".into(),
                ))
            } else {
                Ok(x / y)
            }
        })
    }

    fn had_pow(&mut self, a: &Expr, p: f64) -> Result<M, EvalError> {
        let a = self.eval(a)?;
        map(&a, |x| real_pow(x, p, "entry"))
    }

    fn pow(&mut self, a: &Expr, p: f64) -> Result<M, EvalError> {
        let a = self.eval(a)?;
        if is_scalar(&a) {
            return Ok(scalar(real_pow(a[(0, 0)], p, "number")?));
        }
        matrix_pow(a, p)
    }

    fn note_kink(&mut self, a: &M) {
        let scale = rms(a).max(1.0);
        for x in a.iter() {
            self.kink = self.kink.min(x.abs() / scale);
        }
    }

    fn call(&mut self, f: Func, args: &[Rc<Expr>]) -> Result<M, EvalError> {
        let info = f.info();
        let mut values = Vec::with_capacity(args.len());
        for a in args {
            values.push(self.eval(a)?);
        }
        if info.domain == Domain::Kink {
            for a in &values {
                self.note_kink(a);
            }
        }
        let arity = || {
            EvalError::Shape(format!(
                "{} takes {} argument(s), not {}",
                f.name(),
                info.arity,
                args.len()
            ))
        };
        match (info.eval, values.as_slice()) {
            (Eval::Entry(entry), [a]) => map(a, entry),
            (Eval::Matrix(eval), [_]) => eval(values.swap_remove(0)),
            (Eval::Matrix2(eval), [a, b]) => eval(a, b),
            _ => Err(arity()),
        }
    }

    /// `d(a)` along the direction of the context.
    fn differential(&mut self, a: &Expr) -> Result<M, EvalError> {
        let Some((var, dx)) = self.ctx.direction else {
            return Err(EvalError::Missing(
                "a differential d(·) needs a direction dX to be evaluated".into(),
            ));
        };
        let x = self.ctx.lookup(var)?;
        if x.shape() != dx.shape() {
            return Err(EvalError::Shape(format!(
                "the direction is {} but {var} is {}",
                shape_str(dx),
                shape_str(x)
            )));
        }
        if matches!(a, Expr::Sym(s) if &**s == var) {
            return Ok(dx.clone());
        }
        if !a.mentions(var) {
            let v = self.eval(a)?;
            return Ok(M::zeros(v.nrows(), v.ncols()));
        }
        let h = fd_step(x, dx) * self.ctx.h_factor;
        if h == 0.0 {
            let v = self.eval(a)?;
            return Ok(M::zeros(v.nrows(), v.ncols()));
        }
        let ctx = self.ctx;
        let at = |t: f64| -> Result<M, EvalError> {
            let moved = x + dx * t;
            Evaluator::new(ctx.with_subst(var, &moved)).eval(a)
        };
        let (p1, m1, p2, m2) = (at(h)?, at(-h)?, at(2.0 * h)?, at(-2.0 * h)?);
        // Central differences with steps h and 2h, combined by Richardson extrapolation.
        let c1 = (p1 - m1) / (2.0 * h);
        let c2 = (p2 - m2) / (4.0 * h);
        Ok((c1 * 4.0 - c2) / 3.0)
    }
}

/// Matrix product, where a `1×1` factor that does not fit as a matrix scales the other.
fn mat_mul(a: &M, b: &M) -> Result<M, EvalError> {
    if a.ncols() == b.nrows() {
        Ok(a * b)
    } else if is_scalar(a) {
        Ok(b * a[(0, 0)])
    } else if is_scalar(b) {
        Ok(a * b[(0, 0)])
    } else {
        Err(EvalError::Shape(format!(
            "cannot multiply {} by {}",
            shape_str(a),
            shape_str(b)
        )))
    }
}

fn map(a: &M, f: impl Fn(f64) -> Result<f64, EvalError>) -> Result<M, EvalError> {
    let mut out = a.clone();
    for x in out.iter_mut() {
        *x = f(*x)?;
    }
    Ok(out)
}

/// Entrywise combination; a `1×1` operand is broadcast.
fn zip(
    a: &M,
    b: &M,
    what: &str,
    f: impl Fn(f64, f64) -> Result<f64, EvalError>,
) -> Result<M, EvalError> {
    if a.shape() == b.shape() {
        let mut out = a.clone();
        for (o, y) in out.iter_mut().zip(b.iter()) {
            *o = f(*o, *y)?;
        }
        Ok(out)
    } else if is_scalar(a) {
        map(b, |y| f(a[(0, 0)], y))
    } else if is_scalar(b) {
        map(a, |x| f(x, b[(0, 0)]))
    } else {
        Err(EvalError::Shape(format!(
            "cannot {what} {} and {}",
            shape_str(a),
            shape_str(b)
        )))
    }
}

/// `x^p` for real `p`, refusing what has no real value.
fn real_pow(x: f64, p: f64, what: &str) -> Result<f64, EvalError> {
    let integer = p.fract() == 0.0;
    if x < 0.0 && !integer {
        return Err(EvalError::Domain(format!(
            "non-integer power of a negative {what}"
        )));
    }
    if x == 0.0 && p < 0.0 {
        return Err(EvalError::Domain(format!(
            "negative power of a zero {what}"
        )));
    }
    if integer && p.abs() <= f64::from(i32::MAX) {
        // powi is exact for small integer powers and keeps the sign of negative bases.
        #[allow(clippy::cast_possible_truncation)]
        return Ok(x.powi(p as i32));
    }
    Ok(x.powf(p))
}

/// Integer power of a square matrix by repeated squaring; negative powers invert first.
fn matrix_pow(a: M, p: f64) -> Result<M, EvalError> {
    if !a.is_square() {
        return Err(EvalError::Shape(format!(
            "power of a non-square {} matrix",
            shape_str(&a)
        )));
    }
    if p.fract() != 0.0 || !p.is_finite() {
        return Err(EvalError::Shape(format!(
            "non-integer power {p} of a matrix"
        )));
    }
    if p.abs() > 1e9 {
        return Err(EvalError::Domain(format!("matrix power {p} is too large")));
    }
    let base = if p < 0.0 { inverse(a)? } else { a };
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let mut k = p.abs() as u64;
    let n = base.nrows();
    let mut result = M::identity(n, n);
    let mut square = base;
    while k > 0 {
        if k & 1 == 1 {
            result = &result * &square;
        }
        k >>= 1;
        if k > 0 {
            square = &square * &square;
            if square.iter().any(|x| !x.is_finite()) {
                return Err(EvalError::NonFinite("a matrix power overflowed".into()));
            }
        }
    }
    Ok(result)
}

fn inverse(a: M) -> Result<M, EvalError> {
    if !a.is_square() {
        return Err(EvalError::Shape(format!(
            "inverse of a non-square {} matrix",
            shape_str(&a)
        )));
    }
    if is_scalar(&a) {
        let x = a[(0, 0)];
        if x == 0.0 {
            return Err(EvalError::Domain("inverse of zero".into()));
        }
        return Ok(scalar(1.0 / x));
    }
    let norm = norm1(&a);
    let inv = a
        .try_inverse()
        .ok_or_else(|| EvalError::Domain("inverse of a singular matrix".into()))?;
    let cond = norm * norm1(&inv);
    if cond.is_nan() || cond > MAX_CONDITION {
        return Err(EvalError::Domain(format!(
            "inverse of a numerically singular matrix (condition number about {cond:.0e})"
        )));
    }
    Ok(inv)
}

/// Refuses a triangular factor whose pivots span more than the trusted condition number.
fn check_pivots(pivots: impl Iterator<Item = f64>, squared: bool) -> Result<(), EvalError> {
    let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
    for p in pivots {
        lo = lo.min(p.abs());
        hi = hi.max(p.abs());
    }
    let ratio = if squared { (hi / lo).powi(2) } else { hi / lo };
    if ratio.is_nan() || ratio > MAX_CONDITION {
        return Err(EvalError::Domain(
            "logdet of a numerically singular matrix".into(),
        ));
    }
    Ok(())
}

/// log det by Cholesky for exactly symmetric positive definite matrices, else by LU with a sign check.
pub(crate) fn logdet(a: M) -> Result<f64, EvalError> {
    let non_positive =
        || EvalError::Domain("logdet of a matrix with non-positive determinant".into());
    if a == a.transpose() {
        if let Some(c) = a.clone().cholesky() {
            check_pivots(c.l_dirty().diagonal().iter().copied(), true)?;
            return Ok(c.ln_determinant());
        }
    }
    let lu = a.lu();
    let mut sign: f64 = lu.p().determinant();
    let mut acc = 0.0;
    let u = lu.u();
    for d in u.diagonal().iter() {
        if *d == 0.0 {
            return Err(non_positive());
        }
        if *d < 0.0 {
            sign = -sign;
        }
        acc += d.abs().ln();
    }
    if sign < 0.0 {
        return Err(non_positive());
    }
    check_pivots(u.diagonal().iter().copied(), false)?;
    Ok(acc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::Shape;
    use crate::numeric::testutil::*;
    use expect_test::{expect, Expect};

    fn values() -> Values {
        let mut v = Values::new();
        v.insert("A".into(), mat(2, 3, &[1.0, 2.0, -1.0, 0.5, 3.0, 2.0]));
        v.insert("B".into(), mat(3, 2, &[2.0, -1.0, 1.0, 1.0, 0.0, 4.0]));
        v.insert("S".into(), mat(2, 2, &[4.0, 1.0, 1.0, 3.0]));
        v.insert("N".into(), mat(2, 2, &[1.0, 2.0, 3.0, 4.0]));
        v.insert("Z".into(), mat(2, 2, &[1.0, 2.0, 2.0, 4.0]));
        v.insert("x".into(), mat(3, 1, &[1.0, -2.0, 0.5]));
        v.insert("y".into(), mat(3, 1, &[0.25, 1.0, 2.0]));
        v.insert("a".into(), mat(1, 1, &[2.0]));
        v
    }

    fn sizes() -> Sizes {
        Sizes::from([("n".to_string(), 3), ("m".to_string(), 2)])
    }

    /// Evaluates and prints the result (rounded) or the error.
    fn check(e: Expr, expect: Expect) {
        let (v, s) = (values(), sizes());
        let env = Env {
            values: &v,
            sizes: &s,
            direction: None,
        };
        let out = match eval(&e, &env) {
            Ok(m) => show(&m),
            Err(err) => format!("error: {err}"),
        };
        expect.assert_eq(&out);
    }

    #[test]
    fn leaves_and_structure() {
        check(num(2.5), expect!["[2.5]"]);
        check(sym("x"), expect!["[1; -2; 0.5]"]);
        check(
            Expr::Eye(Dim::Name("n".into())),
            expect!["[1 0 0; 0 1 0; 0 0 1]"],
        );
        check(
            Expr::Ones(Shape::new(Dim::Name("m".into()), Dim::Num(3)).into()),
            expect!["[1 1 1; 1 1 1]"],
        );
        check(
            Expr::Ones(Shape::new(Dim::Name("k".into()), Dim::One).into()),
            expect!["error: no size for the dimension k"],
        );
        check(
            Expr::Eye(Dim::Num(100_000)),
            expect!["error: the size 100000 is larger than 200"],
        );
        check(sym("q"), expect!["error: no value for the symbol q"]);
        check(add(vec![sym("x"), sym("y")]), expect!["[1.25; -1; 2.5]"]);
        check(
            add(vec![sym("x"), Expr::neg(sym("y"))]),
            expect!["[0.75; -3; -1.5]"],
        );
        check(
            add(vec![sym("x"), sym("a")]),
            expect!["error: internal shape error: cannot add 3×1 and 1×1"],
        );
        check(Expr::t(sym("A")), expect!["[1 0.5; 2 3; -1 2]"]);
    }

    #[test]
    fn products() {
        check(mul(vec![sym("A"), sym("B")]), expect!["[4 -3; 4 10.5]"]);
        check(mul(vec![sym("a"), sym("A"), sym("x")]), expect!["[-7; -9]"]);
        // x'y is 1×1 and then scales the following vector.
        check(
            mul(vec![Expr::t(sym("x")), sym("y"), sym("x")]),
            expect!["[-0.75; 1.5; -0.375]"],
        );
        check(
            mul(vec![sym("A"), sym("A")]),
            expect!["error: internal shape error: cannot multiply 2×3 by 2×3"],
        );
        check(
            Expr::Div(bx(sym("x")), bx(num(4.0))),
            expect!["[0.25; -0.5; 0.125]"],
        );
        check(
            Expr::Div(bx(sym("x")), bx(num(0.0))),
            expect!["error: division by zero"],
        );
        check(
            Expr::Div(bx(sym("x")), bx(sym("y"))),
            expect!["error: internal shape error: cannot divide by a 3×1 matrix"],
        );
    }

    #[test]
    fn elementwise_operations() {
        check(
            Expr::Had(vec![sym("x"), sym("y")]),
            expect!["[0.25; -2; 1]"],
        );
        check(
            Expr::HadDiv(bx(sym("x")), bx(sym("y"))),
            expect!["[4; -2; 0.25]"],
        );
        check(
            Expr::HadDiv(bx(num(1.0)), bx(sym("y"))),
            expect!["[4; 1; 0.5]"],
        );
        check(
            Expr::HadDiv(bx(sym("y")), bx(sym("x"))),
            expect!["[0.25; -0.5; 4]"],
        );
        check(
            Expr::HadDiv(bx(sym("y")), bx(add(vec![sym("x"), Expr::neg(sym("x"))]))),
            expect!["error: elementwise division by a zero entry"],
        );
        check(Expr::HadPow(bx(sym("x")), 2.0), expect!["[1; 4; 0.25]"]);
        check(
            Expr::HadPow(bx(sym("y")), 0.5),
            expect!["[0.5; 1; 1.41421]"],
        );
        check(
            Expr::HadPow(bx(sym("x")), 0.5),
            expect!["error: non-integer power of a negative entry"],
        );
        check(Expr::HadPow(bx(sym("x")), -1.0), expect!["[1; -0.5; 2]"]);
        check(
            Expr::Had(vec![sym("x"), sym("A")]),
            expect!["error: internal shape error: cannot multiply elementwise 3×1 and 2×3"],
        );
    }

    #[test]
    fn powers_and_inverses() {
        check(Expr::Pow(bx(sym("a")), 0.5), expect!["[1.41421]"]);
        check(
            Expr::Pow(bx(num(-8.0)), 1.0 / 3.0),
            expect!["error: non-integer power of a negative number"],
        );
        check(Expr::Pow(bx(num(-2.0)), 3.0), expect!["[-8]"]);
        check(
            Expr::Pow(bx(num(0.0)), -1.0),
            expect!["error: negative power of a zero number"],
        );
        check(Expr::Pow(bx(sym("N")), 3.0), expect!["[37 54; 81 118]"]);
        check(Expr::Pow(bx(sym("N")), 0.0), expect!["[1 0; 0 1]"]);
        check(Expr::Pow(bx(sym("N")), -1.0), expect!["[-2 1; 1.5 -0.5]"]);
        check(
            Expr::Pow(bx(sym("N")), 1.5),
            expect!["error: internal shape error: non-integer power 1.5 of a matrix"],
        );
        check(
            Expr::Pow(bx(sym("A")), 2.0),
            expect!["error: internal shape error: power of a non-square 2×3 matrix"],
        );
        check(
            Expr::Pow(bx(sym("N")), 3000.0),
            expect!["error: a matrix power overflowed"],
        );
        check(Expr::inv(sym("N")), expect!["[-2 1; 1.5 -0.5]"]);
        check(Expr::inv(sym("a")), expect!["[0.5]"]);
        check(
            Expr::inv(sym("Z")),
            expect!["error: inverse of a singular matrix"],
        );
        check(
            Expr::inv(sym("A")),
            expect!["error: internal shape error: inverse of a non-square 2×3 matrix"],
        );
        check(
            Expr::call(Func::Exp, num(1000.0)),
            expect!["error: exp gave a number too large to represent (or not a number)"],
        );
    }

    #[test]
    fn matrix_functions() {
        check(Expr::call(Func::Tr, sym("N")), expect!["[5]"]);
        check(
            Expr::call(Func::Tr, sym("A")),
            expect!["error: internal shape error: trace of a non-square 2×3 matrix"],
        );
        check(Expr::call(Func::Det, sym("N")), expect!["[-2]"]);
        check(Expr::call(Func::LogDet, sym("S")), expect!["[2.3979]"]);
        check(
            Expr::call(Func::LogDet, sym("N")),
            expect!["error: logdet of a matrix with non-positive determinant"],
        );
        check(
            Expr::call(Func::LogDet, sym("Z")),
            expect!["error: logdet of a matrix with non-positive determinant"],
        );
        // Not symmetric (so LU, not Cholesky) with determinant -2.
        check(
            Expr::call(Func::LogDet, Expr::neg(sym("N"))),
            expect!["error: logdet of a matrix with non-positive determinant"],
        );
        check(
            Expr::call(Func::LogDet, mul(vec![sym("N"), sym("N")])),
            expect!["[1.38629]"],
        );
        check(Expr::call(Func::Sum, sym("A")), expect!["[7.5]"]);
        check(Expr::call(Func::Norm1, sym("x")), expect!["[3.5]"]);
        check(Expr::call(Func::Norm2, sym("N")), expect!["[5.47723]"]);
        check(
            Expr::call(Func::Diag, sym("x")),
            expect!["[1 0 0; 0 -2 0; 0 0 0.5]"],
        );
        check(
            Expr::call(Func::Diag, sym("A")),
            expect!["error: internal shape error: diag of a 2×3 matrix, not a vector"],
        );
        check(Expr::call(Func::DiagOf, sym("N")), expect!["[1; 4]"]);
    }

    #[test]
    fn elementwise_functions() {
        let y = || sym("y");
        check(
            Expr::call(Func::Exp, y()),
            expect!["[1.28403; 2.71828; 7.38906]"],
        );
        check(
            Expr::call(Func::Log, y()),
            expect!["[-1.38629; 0; 0.693147]"],
        );
        check(
            Expr::call(Func::Log, sym("x")),
            expect!["error: log of a non-positive entry"],
        );
        check(
            Expr::call(Func::Sin, y()),
            expect!["[0.247404; 0.841471; 0.909297]"],
        );
        check(
            Expr::call(Func::Cos, y()),
            expect!["[0.968912; 0.540302; -0.416147]"],
        );
        check(
            Expr::call(Func::Tan, y()),
            expect!["[0.255342; 1.55741; -2.18504]"],
        );
        check(
            Expr::call(Func::Asin, Expr::Div(bx(y()), bx(num(4.0)))),
            expect!["[0.0625408; 0.25268; 0.523599]"],
        );
        check(
            Expr::call(Func::Asin, y()),
            expect!["error: arcsin of an entry outside [-1, 1]"],
        );
        check(
            Expr::call(Func::Acos, Expr::Div(bx(y()), bx(num(4.0)))),
            expect!["[1.50826; 1.31812; 1.0472]"],
        );
        check(
            Expr::call(Func::Acos, y()),
            expect!["error: arccos of an entry outside [-1, 1]"],
        );
        check(
            Expr::call(Func::Atan, y()),
            expect!["[0.244979; 0.785398; 1.10715]"],
        );
        check(
            Expr::call(Func::Tanh, y()),
            expect!["[0.244919; 0.761594; 0.964028]"],
        );
        check(Expr::call(Func::Sqrt, y()), expect!["[0.5; 1; 1.41421]"]);
        check(
            Expr::call(Func::Sqrt, sym("x")),
            expect!["error: square root of a negative entry"],
        );
        let shifted = || {
            add(vec![
                sym("x"),
                Expr::Ones(Shape::new(Dim::Name("n".into()), Dim::One).into()),
            ])
        };
        check(Expr::call(Func::Abs, sym("x")), expect!["[1; 2; 0.5]"]);
        check(Expr::call(Func::Sign, shifted()), expect!["[1; -1; 1]"]);
        check(
            Expr::call(Func::Sign, Expr::neg(shifted())),
            expect!["[-1; 1; -1]"],
        );
        check(
            Expr::call(Func::Sign, Expr::HadPow(bx(shifted()), 2.0)),
            expect!["[1; 1; 1]"],
        );
        check(
            Expr::call(Func::Sign, mul(vec![num(0.0), sym("x")])),
            expect!["[0; 0; 0]"],
        );
        check(Expr::call(Func::Relu, sym("x")), expect!["[1; 0; 0.5]"]);
        check(Expr::call(Func::Step, sym("x")), expect!["[1; 0; 1]"]);
        check(
            Expr::call(Func::Step, mul(vec![num(0.0), sym("x")])),
            expect!["[0; 0; 0]"],
        );
    }

    #[test]
    fn logdet_agrees_with_log_of_det_on_spd_matrices() {
        let mut rng = crate::numeric::rng::Rng::new(3);
        for n in [1usize, 2, 3, 5, 8] {
            let b = M::from_fn(n, n, |_, _| rng.normal());
            let s = &b * b.transpose() + M::identity(n, n);
            let s = (&s + s.transpose()) / 2.0;
            let direct = s.clone().determinant().ln();
            let ours = logdet(s.clone()).unwrap();
            assert!(
                (direct - ours).abs() < 1e-10 * direct.abs().max(1.0),
                "n={n}: {direct} vs {ours}"
            );
            // The LU path (a non-symmetric matrix with the same determinant) agrees too.
            let mut t = s.clone();
            if n > 1 {
                t[(0, 1)] += 0.125;
                let direct = t.clone().determinant().ln();
                assert!((logdet(t).unwrap() - direct).abs() < 1e-10 * direct.abs().max(1.0));
            }
        }
    }

    #[test]
    fn products_agree_with_nalgebra_on_random_matrices() {
        let mut rng = crate::numeric::rng::Rng::new(11);
        let mut v = Values::new();
        let a = M::from_fn(3, 4, |_, _| rng.normal());
        let b = M::from_fn(4, 2, |_, _| rng.normal());
        let c = M::from_fn(2, 2, |_, _| rng.normal());
        v.insert("A".into(), a.clone());
        v.insert("B".into(), b.clone());
        v.insert("C".into(), c.clone());
        let s = Sizes::new();
        let env = Env {
            values: &v,
            sizes: &s,
            direction: None,
        };
        let e = mul(vec![
            sym("A"),
            sym("B"),
            Expr::inv(sym("C")),
            Expr::t(sym("B")),
        ]);
        let want = &a * &b * c.clone().try_inverse().unwrap() * b.transpose();
        assert!((eval(&e, &env).unwrap() - want).amax() < 1e-12);
        let e = Expr::Pow(bx(sym("C")), 5.0);
        let want = &c * &c * &c * &c * &c;
        assert!((eval(&e, &env).unwrap() - want).amax() < 1e-12);
    }

    #[test]
    fn differentials() {
        let mut rng = crate::numeric::rng::Rng::new(5);
        let x = M::from_fn(3, 3, |_, _| rng.normal()) + M::identity(3, 3) * 3.0;
        let dx = M::from_fn(3, 3, |_, _| rng.normal());
        let a = M::from_fn(3, 3, |_, _| rng.normal());
        let mut v = Values::new();
        v.insert("X".into(), x.clone());
        v.insert("A".into(), a.clone());
        let s = Sizes::new();
        let env = Env {
            values: &v,
            sizes: &s,
            direction: Some(("X", &dx)),
        };
        // dX itself, and the differential of a constant.
        assert_eq!(eval(&Expr::d(sym("X")), &env).unwrap(), dx);
        assert_eq!(eval(&Expr::d(sym("A")), &env).unwrap(), M::zeros(3, 3));
        // d(X⁻¹) = −X⁻¹ dX X⁻¹
        let xi = x.clone().try_inverse().unwrap();
        let want = -(&xi * &dx * &xi);
        let got = eval(&Expr::d(Expr::inv(sym("X"))), &env).unwrap();
        assert!((got - &want).amax() < 1e-8 * want.amax(), "d(inv X)");
        // d(logdet X) = tr(X⁻¹ dX); the determinant of X + 3I is positive for this seed.
        let want = (&xi * &dx).trace();
        let got = eval(&Expr::d(Expr::call(Func::LogDet, sym("X"))), &env).unwrap()[(0, 0)];
        assert!(
            (got - want).abs() < 1e-8 * want.abs().max(1.0),
            "d(logdet X): {got} vs {want}"
        );
        // d(tr(A X X)) = tr(A dX X + A X dX)
        let want = (&a * &dx * &x + &a * &x * &dx).trace();
        let e = Expr::d(Expr::call(
            Func::Tr,
            mul(vec![sym("A"), sym("X"), sym("X")]),
        ));
        let got = eval(&e, &env).unwrap()[(0, 0)];
        assert!(
            (got - want).abs() < 1e-8 * want.abs().max(1.0),
            "d(tr AXX): {got} vs {want}"
        );
        // Differentials inside larger expressions: tr(A d(X))
        let e = Expr::call(Func::Tr, mul(vec![sym("A"), Expr::d(sym("X"))]));
        assert!((eval(&e, &env).unwrap()[(0, 0)] - (&a * &dx).trace()).abs() < 1e-12);
        // Without a direction, a differential has no value.
        let env = Env {
            values: &v,
            sizes: &s,
            direction: None,
        };
        let err = eval(&Expr::d(sym("X")), &env).unwrap_err();
        assert_eq!(
            err.to_string(),
            "a differential d(·) needs a direction dX to be evaluated"
        );
    }

    #[test]
    fn deep_trees_are_refused_not_overflowing_the_stack() {
        let mut e = sym("a");
        for _ in 0..5000 {
            e = Expr::t(e);
        }
        let (v, s) = (values(), sizes());
        let env = Env {
            values: &v,
            sizes: &s,
            direction: None,
        };
        assert!(matches!(eval(&e, &env), Err(EvalError::Shape(_))));
    }
}
