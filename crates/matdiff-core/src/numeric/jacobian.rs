//! Numbers for Jacobian and Hessian derivations: the Jacobian taken from the derived linear
//! map (column k is vec L[E_k], so it is the engine's answer, not finite differences), the vec
//! form evaluated (Kronecker products, commutation matrices), and both checked against central
//! finite differences of f (a Hessian: of the gradient), with every line checked along a random
//! direction.

use super::check::{run_check, CheckReport, ENTRYWISE_MAX};
use super::eval::{fd_step, rms, Ctx, EvalError, Evaluator, FD_STEP};
use super::rng::{derive_seed, Rng};
use super::sample::sample_counted;
use super::{Sizes, Values};
use crate::expr::{Expr, Func, Problem};
use crate::jacobian::{Body, Derivation2, Jac, Order, Side};
use nalgebra::DMatrix;
use serde::Serialize;

type M = DMatrix<f64>;

/// Random directions of the directional checks (large variables, and every line).
const DIRECTIONS: usize = 8;
/// The vec form is evaluated only where its largest factor, at most max(numel F, numel X)²
/// entries, has at most this many; the command's Jacobian likewise.
pub const MAX_MATRIX_ENTRIES: usize = 1 << 20;
/// Matrices with at most this many entries are shown in the report.
const SHOW_MAX: usize = 144;
/// Relative tolerance floor.
const TOL_FLOOR: f64 = 1e-6;
/// Safety factor on the estimated finite-difference error.
const SAFETY: f64 = 10.0;
/// Samples tried when one cannot decide.
const MAX_ATTEMPTS: u64 = 8;
/// Above this estimated relative error the finite differences cannot decide.
const ILL: f64 = 1e-3;

/// The Jacobian (or Hessian) from the linear map against finite differences.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MatrixCheck {
    /// `"entrywise"` (one finite difference per entry of the variable) or `"directional"`.
    pub method: String,
    pub rel_error: f64,
    pub tolerance: f64,
    pub passed: bool,
    /// For a Hessian: ‖H − Hᵀ‖ / ‖H‖ (it must be symmetric).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asymmetry: Option<f64>,
    /// Both matrices as rows, for small sizes.
    pub symbolic: Option<Vec<Vec<f64>>>,
    pub numeric: Option<Vec<Vec<f64>>>,
}

/// One line's check.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LineResult {
    /// Position of the line in the derivation.
    pub index: usize,
    pub rel_error: f64,
    pub passed: bool,
}

/// The result of [`run_check2`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Check2Report {
    pub sizes: Sizes,
    pub seed: u64,
    /// The gradient check of a Hessian's first part (its dy and ∇f lines).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first: Option<CheckReport>,
    pub matrix: Option<MatrixCheck>,
    /// One entry per line of the derivation checked here (a Hessian's first part is in `first`).
    pub lines: Vec<LineResult>,
    pub passed: bool,
    pub undecidable: bool,
    pub message: Option<String>,
}

impl Check2Report {
    /// The verdict, as [`CheckReport::verdict`] gives it.
    pub fn verdict(&self) -> super::Verdict {
        use super::Verdict;
        if self.passed {
            return Verdict::Passed;
        }
        if let Some(first) = &self.first {
            if !first.passed {
                return first.verdict();
            }
        }
        let reason = self.message.clone();
        if self.undecidable {
            return Verdict::Undecided(
                reason.unwrap_or_else(|| "no random sample allowed a reliable check".into()),
            );
        }
        let what = if self.first.is_some() {
            "Hessian"
        } else {
            "Jacobian"
        };
        Verdict::Failed(reason.unwrap_or_else(|| {
            match (&self.matrix, self.lines.iter().find(|l| !l.passed)) {
                (Some(m), _) if !m.passed => format!("the {what} differs from finite differences"),
                (_, Some(l)) => format!("line {} disagrees with finite differences", l.index),
                _ => "the check did not pass".into(),
            }
        }))
    }
}

enum Trouble {
    Bad(String),
    Broken(String),
}

fn trouble(what: &str, e: EvalError) -> Trouble {
    if e.depends_on_values() {
        Trouble::Bad(format!("{what} is undefined at or next to the sample: {e}"))
    } else {
        Trouble::Broken(format!("{what} cannot be evaluated: {e}"))
    }
}

fn ctx<'a>(values: &'a Values, sizes: &'a Sizes) -> Ctx<'a> {
    Ctx {
        values,
        sizes,
        direction: None,
        subst: None,
        h_factor: 1.0,
    }
}

fn rows(m: &M) -> Vec<Vec<f64>> {
    m.row_iter().map(|r| r.iter().copied().collect()).collect()
}

fn as_column(m: &M) -> M {
    M::from_column_slice(m.len(), 1, m.as_slice())
}

/// `a·b` where a 1×1 factor that does not fit scales the other.
fn times(a: &M, b: &M) -> Result<M, EvalError> {
    if a.ncols() == b.nrows() {
        Ok(a * b)
    } else if a.shape() == (1, 1) {
        Ok(b * a[(0, 0)])
    } else if b.shape() == (1, 1) {
        Ok(a * b[(0, 0)])
    } else {
        Err(EvalError::Shape(format!(
            "cannot multiply {}×{} by {}×{}",
            a.nrows(),
            a.ncols(),
            b.nrows(),
            b.ncols()
        )))
    }
}

/// The commutation matrix K of an m×n matrix: K vec A = vec Aᵀ.
fn commutation(m: usize, n: usize) -> M {
    let mut k = M::zeros(m * n, m * n);
    for i in 0..m {
        for j in 0..n {
            k[(j + i * n, i + j * m)] = 1.0;
        }
    }
    k
}

/// The value of a Jacobian in vec form; `size` is (numel F, numel X), for zeros and identities.
pub(crate) fn eval_jac(j: &Jac, c: Ctx, size: (usize, usize)) -> Result<M, EvalError> {
    let v = eval_jac_inner(j, c)?;
    if v.shape() == (1, 1) && size != (1, 1) {
        // A number stands for that multiple of the identity (0 for zeros).
        if v[(0, 0)] == 0.0 {
            return Ok(M::zeros(size.0, size.1));
        }
        if size.0 == size.1 {
            return Ok(M::identity(size.0, size.1) * v[(0, 0)]);
        }
    }
    Ok(v)
}

fn eval_jac_inner(j: &Jac, c: Ctx) -> Result<M, EvalError> {
    let ev = |e: &Expr| Evaluator::new(c).eval(e);
    Ok(match j {
        Jac::Mat(e) => ev(e)?,
        Jac::Kron(a, b) => ev(a)?.kronecker(&ev(b)?),
        Jac::Comm(m, n) => commutation(c.dim(m)?, c.dim(n)?),
        Jac::DiagVec(p) => M::from_diagonal(&as_column(&ev(p)?).column(0).into_owned()),
        Jac::VecCol(m) => as_column(&ev(m)?),
        Jac::VecRow(p) => as_column(&ev(p)?).transpose(),
        Jac::Prod(fs) => {
            let mut acc = M::from_element(1, 1, 1.0);
            for f in fs {
                acc = times(&acc, &eval_jac_inner(f, c)?)?;
            }
            acc
        }
        Jac::Add(ts) => {
            let mut acc: Option<M> = None;
            for t in ts {
                let v = eval_jac_inner(t, c)?;
                acc = Some(match acc {
                    None => v,
                    Some(a) if a.shape() == v.shape() => a + v,
                    Some(a) => {
                        return Err(EvalError::Shape(format!(
                            "cannot add {}×{} and {}×{}",
                            a.nrows(),
                            a.ncols(),
                            v.nrows(),
                            v.ncols()
                        )))
                    }
                });
            }
            acc.unwrap_or_else(|| M::zeros(1, 1))
        }
        Jac::Scaled(s, j) => {
            let s = ev(s)?;
            times(&s, &eval_jac_inner(j, c)?)?
        }
    })
}

/// The size of a Jacobian's terms: the sum of their norms (a sum that cancels to zero still
/// has the rounding noise of its terms).
fn magnitude(j: &Jac, c: Ctx) -> Result<f64, EvalError> {
    match j {
        Jac::Add(ts) => ts.iter().map(|t| magnitude(t, c)).sum(),
        Jac::Scaled(s, inner) => {
            let s = Evaluator::new(c).eval(s)?;
            Ok(s.norm() * magnitude(inner, c)?)
        }
        Jac::Prod(fs) => fs.iter().map(|f| magnitude(f, c)).product(),
        other => Ok(eval_jac_inner(other, c)?.norm()),
    }
}

/// The linear map applied to `dx`, as a column (vec order).
fn apply_map(map: &Expr, c: Ctx, var: &str, dx: &M, rows: usize) -> Result<M, EvalError> {
    let v = Evaluator::new(Ctx {
        direction: Some((var, dx)),
        ..c
    })
    .eval(map)?;
    if v.shape() == (1, 1) && v[(0, 0)] == 0.0 && rows != 1 {
        return Ok(M::zeros(rows, 1));
    }
    Ok(as_column(&v))
}

/// The Jacobian from the linear map: column k is vec L[E_k].
pub(crate) fn jacobian_of_map(
    map: &Expr,
    c: Ctx,
    var: &str,
    x: &M,
    rows: usize,
) -> Result<M, EvalError> {
    let n = x.len();
    if rows.saturating_mul(n) > MAX_MATRIX_ENTRIES {
        return Err(EvalError::Missing(format!(
            "the matrix would have {rows}×{n} entries (the limit is {MAX_MATRIX_ENTRIES})"
        )));
    }
    let mut j = M::zeros(rows, n);
    for k in 0..n {
        let mut e = M::zeros(x.nrows(), x.ncols());
        e[k] = 1.0;
        let col = apply_map(map, c, var, &e, rows)?;
        if col.len() != rows {
            return Err(EvalError::Shape(format!(
                "the linear map gives {} entries where f has {rows}",
                col.len()
            )));
        }
        j.set_column(k, &col.column(0));
    }
    Ok(j)
}

/// f and its Jacobian (from the derived linear map) at given values, for `matdiff jacobian`.
pub fn jacobian_at(
    problem: &Problem,
    d: &Derivation2,
    values: &Values,
    sizes: &Sizes,
) -> Result<(M, M), EvalError> {
    let c = ctx(values, sizes);
    let f = Evaluator::new(c).eval(&problem.expr)?;
    let x = c.lookup(&problem.wrt)?;
    let j = jacobian_of_map(&d.map, c, &problem.wrt, x, f.len())?;
    Ok((f, j))
}

/// The Hessian (from the derived linear map dX ↦ d(∇f)) at given values, for
/// `matdiff grad --hessian`: N×N, N = numel(X), in vec order.
pub fn hessian_at(
    problem: &Problem,
    d: &Derivation2,
    values: &Values,
    sizes: &Sizes,
) -> Result<M, EvalError> {
    let c = ctx(values, sizes);
    let x = c.lookup(&problem.wrt)?;
    jacobian_of_map(&d.map, c, &problem.wrt, x, x.len())
}

/// Central differences of a matrix-valued g with steps h and 2h, extrapolated, and the error
/// estimate (the gap between the two, plus rounding).
fn central(g: &mut dyn FnMut(f64) -> Result<M, EvalError>, h: f64) -> Result<(M, f64), EvalError> {
    let (p1, m1, p2, m2) = (g(h)?, g(-h)?, g(2.0 * h)?, g(-2.0 * h)?);
    if [&m1, &p2, &m2].iter().any(|m| m.shape() != p1.shape()) {
        return Err(EvalError::Shape("f changes its shape".into()));
    }
    let c1 = (&p1 - &m1) / (2.0 * h);
    let c2 = (&p2 - &m2) / (4.0 * h);
    let fmax = [&p1, &m1, &p2, &m2]
        .iter()
        .map(|m| m.amax())
        .fold(0.0, f64::max);
    let err = (&c1 - &c2).amax() + 8.0 * f64::EPSILON * fmax / h;
    Ok(((c1 * 4.0 - c2) / 3.0, err))
}

/// Relative error of `a` against `b` with the tolerance from an absolute error estimate.
fn compare(a: &M, b: &M, err: f64) -> (f64, f64) {
    if a.shape() != b.shape() {
        return (f64::INFINITY, 0.0);
    }
    let scale = a.norm().max(b.norm());
    let scale = if scale > 0.0 { scale } else { 1.0 };
    ((a - b).norm() / scale, TOL_FLOOR.max(SAFETY * err / scale))
}

/// Everything one attempt needs.
struct Probe<'a> {
    /// The function whose Jacobian is checked: f, or a Hessian's gradient.
    g: &'a Expr,
    var: &'a str,
    x: &'a M,
    values: &'a Values,
    sizes: &'a Sizes,
    /// For a Hessian: the variable's shape, which a gradient `0` has.
    zero_shape: Option<(usize, usize)>,
}

impl Probe<'_> {
    fn c(&self) -> Ctx<'_> {
        ctx(self.values, self.sizes)
    }

    fn g_at(&self, moved: &M) -> Result<M, EvalError> {
        let g = Evaluator::new(self.c().with_subst(self.var, moved)).eval(self.g)?;
        // A gradient `0` stands for zeros of the variable's shape.
        match self.zero_shape {
            Some((r, c)) if g.shape() == (1, 1) && g[(0, 0)] == 0.0 => Ok(M::zeros(r, c)),
            _ => Ok(g),
        }
    }

    /// vec of the directional derivative of g along v, with its error estimate.
    fn along(&self, v: &M) -> Result<(M, f64), EvalError> {
        let h = fd_step(self.x, v);
        if h == 0.0 {
            let g0 = self.g_at(self.x)?;
            return Ok((M::zeros(g0.len(), 1), 0.0));
        }
        let (d, err) = central(&mut |t| self.g_at(&(self.x + v * t)), h)?;
        Ok((as_column(&d), err))
    }

    /// The finite-difference Jacobian of g, column by column, with its error estimate.
    fn fd_jacobian(&self, rows: usize) -> Result<(M, f64), EvalError> {
        let n = self.x.len();
        let h = FD_STEP * rms(self.x).max(0.1);
        let mut j = M::zeros(rows, n);
        let mut err: f64 = 0.0;
        for k in 0..n {
            let (col, e) = central(
                &mut |t| {
                    let mut moved = self.x.clone();
                    moved[k] += t;
                    self.g_at(&moved)
                },
                h,
            )?;
            err = err.max(e);
            let col = as_column(&col);
            if col.len() != rows {
                return Err(EvalError::Shape("f changes its shape".into()));
            }
            j.set_column(k, &col.column(0));
        }
        Ok((j, err * (rows as f64 * n as f64).sqrt()))
    }
}

/// Checks a Jacobian or Hessian derivation numerically at random values, deterministic for a
/// given seed: the Jacobian from the linear map against finite differences of f (of the
/// gradient for a Hessian, which must also be symmetric), the vec form against the linear map,
/// and every line along random directions.
pub fn run_check2(problem: &Problem, d: &Derivation2, sizes: &Sizes, seed: u64) -> Check2Report {
    let mut report = Check2Report {
        sizes: sizes.clone(),
        seed,
        first: None,
        matrix: None,
        lines: Vec::new(),
        passed: false,
        undecidable: false,
        message: None,
    };
    // A Hessian's first part is the gradient's derivation: checked as gradients are.
    let first_len = if d.order == Order::Hessian {
        let dy: Vec<Expr> = d
            .lines
            .iter()
            .filter(|l| l.side == Side::Dy)
            .filter_map(|l| match &l.body {
                Body::Expr(e) => Some(e.clone()),
                _ => None,
            })
            .collect();
        let gradient = d.gradient.clone().unwrap_or(Expr::Num(0.0));
        let first = run_check(problem, &dy, &gradient, sizes, seed);
        let ok = first.passed;
        report.undecidable = first.undecidable;
        report.first = Some(first);
        if !ok {
            return report;
        }
        d.lines
            .iter()
            .take_while(|l| matches!(l.side, Side::Dy | Side::Gradient))
            .count()
    } else {
        0
    };
    let g = match (d.order, &d.gradient) {
        (Order::Hessian, Some(g)) => g.clone(),
        _ => problem.expr.clone(),
    };
    // Samples where g (and every line) is defined: the sampler takes a scalar f, so sum(g).
    let proxy = Problem {
        expr: Expr::call(Func::Sum, g.clone()),
        ..problem.clone()
    };
    let exprs: Vec<Expr> = d
        .lines
        .iter()
        .filter_map(|l| match &l.body {
            Body::Expr(e) => Some(e.clone()),
            _ => None,
        })
        .collect();
    let mut last = String::new();
    for k in 0..MAX_ATTEMPTS {
        let s = if k == 0 {
            seed
        } else {
            derive_seed(seed, 2000 + k)
        };
        let values = match sample_counted(&proxy, &exprs, sizes, s).0 {
            Ok(v) => v,
            Err(e) => {
                report.undecidable = e.last.as_ref().is_none_or(EvalError::depends_on_values);
                report.message = Some(e.message);
                return report;
            }
        };
        match attempt(
            problem,
            d,
            &g,
            first_len,
            &values,
            sizes,
            derive_seed(s, 78),
        ) {
            Ok((matrix, lines)) => {
                report.passed = matrix.passed && lines.iter().all(|l| l.passed);
                if lines.len() + first_len < d.lines.len() {
                    report.message = Some(
                        "the vec-form lines are too large to evaluate at these sizes; the linear \
                         map above them was checked"
                            .into(),
                    );
                }
                report.matrix = Some(matrix);
                report.lines = lines;
                report.undecidable = false;
                return report;
            }
            Err(Trouble::Broken(m)) => {
                report.message = Some(m);
                return report;
            }
            Err(Trouble::Bad(m)) => last = m,
        }
    }
    report.undecidable = true;
    report.message = Some(format!(
        "no sample allowed a reliable check ({MAX_ATTEMPTS} samples tried); the last problem: {last}"
    ));
    report
}

fn attempt(
    problem: &Problem,
    d: &Derivation2,
    g: &Expr,
    first_len: usize,
    values: &Values,
    sizes: &Sizes,
    seed: u64,
) -> Result<(MatrixCheck, Vec<LineResult>), Trouble> {
    let var = problem.wrt.as_str();
    let x = values
        .get(var)
        .ok_or_else(|| Trouble::Broken(format!("no value for the variable {var}")))?;
    let probe = Probe {
        g,
        var,
        x,
        values,
        sizes,
        zero_shape: (d.order == Order::Hessian).then(|| x.shape()),
    };
    let c = probe.c();
    let g0 = probe.g_at(x).map_err(|e| trouble("f", e))?;
    let rows = g0.len();
    let n = x.len();
    let hessian = d.order == Order::Hessian;
    let mut rng = Rng::new(seed);
    // The Jacobian from the linear map, against finite differences.
    let (matrix, sym_j) = if n <= ENTRYWISE_MAX && rows * n <= 40_000 {
        let j =
            jacobian_of_map(&d.map, c, var, x, rows).map_err(|e| trouble("the linear map", e))?;
        let (fd, err) = probe.fd_jacobian(rows).map_err(|e| trouble("f", e))?;
        if err > ILL * fd.norm().max(1e-300) && err > 1e-8 {
            return Err(Trouble::Bad(format!(
                "finite differences are too inaccurate at the sample (estimated error {err:.1e})"
            )));
        }
        let (rel_error, tolerance) = compare(&j, &fd, err);
        let asymmetry = hessian.then(|| {
            let s = j.norm();
            if !j.is_square() {
                f64::INFINITY
            } else if s > 0.0 {
                (&j - j.transpose()).norm() / s
            } else {
                0.0
            }
        });
        let show = rows * n <= SHOW_MAX;
        let symmetric_ok = asymmetry.is_none_or(|a| a <= tolerance.max(1e-9));
        (
            MatrixCheck {
                method: "entrywise".into(),
                rel_error,
                tolerance,
                passed: rel_error <= tolerance && symmetric_ok,
                asymmetry,
                symbolic: show.then(|| rows_of(&j)),
                numeric: show.then(|| rows_of(&fd)),
            },
            Some(j),
        )
    } else {
        let mut worst = (0.0_f64, TOL_FLOOR);
        for _ in 0..DIRECTIONS {
            let v = M::from_fn(x.nrows(), x.ncols(), |_, _| rng.normal());
            let sym =
                apply_map(&d.map, c, var, &v, rows).map_err(|e| trouble("the linear map", e))?;
            let (fd, err) = probe.along(&v).map_err(|e| trouble("f", e))?;
            let (r, t) = compare(&sym, &fd, err);
            if r / t > worst.0 / worst.1 {
                worst = (r, t);
            }
        }
        (
            MatrixCheck {
                method: "directional".into(),
                rel_error: worst.0,
                tolerance: worst.1,
                passed: worst.0 <= worst.1,
                asymmetry: None,
                symbolic: None,
                numeric: None,
            },
            None,
        )
    };
    // Every line along one random direction.
    let v = M::from_fn(x.nrows(), x.ncols(), |_, _| rng.normal());
    let (dg, err) = probe.along(&v).map_err(|e| trouble("f", e))?;
    let vcol = as_column(&v);
    // d²y along v: ⟨d(∇f), v⟩.
    let d2y = if dg.len() == vcol.len() {
        M::from_element(1, 1, dg.dot(&vcol))
    } else {
        M::from_element(1, 1, f64::NAN)
    };
    let d2y_err = err * vcol.norm() * (rows as f64).sqrt();
    let jsize = (rows, n);
    // Differences below this are rounding whatever the size of J (terms inside one
    // expression that cancel to zero, as det(x'X)'s Hessian −xxᵀ + xxᵀ).
    let abs_floor = 1e-9 * g0.amax().max(1.0) / rms(x).max(0.1);
    let big = rows.max(n);
    let vec_form_fits = big.saturating_mul(big) <= MAX_MATRIX_ENTRIES;
    let mut lines = Vec::new();
    for (index, line) in d.lines.iter().enumerate().skip(first_len) {
        if !vec_form_fits && !matches!(line.body, Body::Expr(_)) {
            // Too large to evaluate: the linear map above it was checked.
            continue;
        }
        let dir = Ctx {
            direction: Some((var, &v)),
            ..c
        };
        let (want, want_err) = match line.side {
            Side::D2y => (&d2y, d2y_err),
            _ => (&dg, err * (rows as f64).sqrt()),
        };
        let got: Result<(M, f64), EvalError> = match &line.body {
            Body::Expr(e) => {
                let value = Evaluator::new(dir).eval(e).map(|m| {
                    if m.shape() == (1, 1) && m[(0, 0)] == 0.0 && want.len() != 1 {
                        M::zeros(want.len(), 1)
                    } else {
                        as_column(&m)
                    }
                });
                // A line with d(·) of more than the variable has its own finite-difference error.
                let own = if e.has_d() {
                    Evaluator::new(Ctx {
                        h_factor: 2.0,
                        ..dir
                    })
                    .eval(e)
                    .ok()
                    .and_then(|coarse| {
                        let coarse = as_column(&coarse);
                        let v = value.as_ref().ok()?;
                        (v.shape() == coarse.shape()).then(|| (v - coarse).amax())
                    })
                    .unwrap_or(0.0)
                } else {
                    0.0
                };
                value.map(|v| (v, own))
            }
            Body::Applied(j) => eval_jac(j, c, jsize)
                .and_then(|j| times(&j, &vcol))
                .map(|v| (v, 0.0)),
            Body::Quadratic(j) => eval_jac(j, c, jsize)
                .and_then(|j| times(&vcol.transpose(), &times(&j, &vcol)?))
                .map(|v| (v, 0.0)),
            Body::Matrix(j) => match &sym_j {
                // The vec form against the Jacobian of the linear map, entry by entry.
                Some(sj) => {
                    let got = eval_jac(j, c, jsize);
                    // Rounding: terms that cancel (J = K − K) leave noise of their own size.
                    let noise = magnitude(j, c).unwrap_or(0.0) * 1e-10 + abs_floor;
                    let r = match got {
                        Ok(m) => compare(&m, sj, sj.norm() * 1e-10 + noise),
                        Err(e) if e.depends_on_values() => return Err(trouble("the Jacobian", e)),
                        Err(_) => (f64::INFINITY, 0.0),
                    };
                    lines.push(LineResult {
                        index,
                        rel_error: r.0,
                        passed: r.0 <= r.1.max(1e-8),
                    });
                    continue;
                }
                None => eval_jac(j, c, jsize)
                    .and_then(|j| times(&j, &vcol))
                    .map(|v| (v, 0.0)),
            },
        };
        let (rel_error, passed) = match got {
            Ok((value, own)) => {
                let (r, t) = compare(&value, want, want_err + own);
                (r, r <= t)
            }
            Err(e) if e.depends_on_values() => {
                return Err(trouble(&format!("line {index}"), e));
            }
            Err(_) => (f64::INFINITY, false),
        };
        lines.push(LineResult {
            index,
            rel_error,
            passed,
        });
    }
    Ok((matrix, lines))
}

fn rows_of(m: &M) -> Vec<Vec<f64>> {
    rows(m)
}
