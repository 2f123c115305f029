//! The numeric checks: the symbolic gradient against central finite differences, and every dy
//! step of a derivation against the directional derivative, with tolerances from error estimates.

use super::eval::{fd_step, rms, Ctx, EvalError, Evaluator, FD_STEP};
use super::rng::{derive_seed, Rng};
use super::sample::{sample_counted, MAX_TRIES};
use super::{Sizes, Values};
use crate::expr::{Expr, Problem};
use nalgebra::DMatrix;
use serde::Serialize;

type M = DMatrix<f64>;

mod symmetric;
pub use symmetric::{run_symmetric_check, SymmetricCheck};

/// Variables with at most this many entries are checked entry by entry, larger ones along random directions.
pub(crate) const ENTRYWISE_MAX: usize = 400;
/// Random directions of the directional gradient check.
const DIRECTIONS: usize = 8;
/// Variables with at most this many entries get both gradients in the report.
const SHOW_MAX: usize = 36;
/// Samples (after rejection) tried when finite differences cannot decide.
const MAX_ATTEMPTS: u64 = 8;
/// Extra samples tried when the gradient vanishes at the sample.
const VANISHING_RETRIES: usize = 2;
/// Relative tolerance floor.
const TOL_FLOOR: f64 = 1e-6;
/// Safety factor on the estimated finite-difference error.
const SAFETY: f64 = 10.0;
/// Above this estimated relative error of the finite differences the sample cannot decide.
const ILL: f64 = 1e-3;
/// Rounding error of one evaluation of f, in units of eps·|f|.
const ROUNDING_ULPS: f64 = 8.0;
/// Relative size of the perturbation of every value that probes the rounding noise of the
/// symbolic side (an inverse of an ill-conditioned power can lose every digit).
const NOISE_PROBE: f64 = 1e-9;
/// Finite-difference errors below this (relative to the natural scale |f|/|X|) count as accurate.
const ABS_FLOOR: f64 = 1e-8;

/// The result of [`run_check`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckReport {
    /// The sizes used.
    pub sizes: Sizes,
    pub seed: u64,
    /// f at the sample the checks used.
    pub value: Option<f64>,
    pub gradient: Option<GradientCheck>,
    /// One entry per dy step, in order.
    pub steps: Vec<StepCheck>,
    /// The gradient check passed and every step agreed with dy.
    pub passed: bool,
    /// No sample allowed a reliable check (f undefined at every sample tried, or too
    /// ill-conditioned for finite differences to decide): neither passed nor failed.
    pub undecidable: bool,
    /// Why the checks could not run or what failed beyond numbers, in plain English.
    pub message: Option<String>,
    /// Random samples drawn, including the ones rejected.
    pub samples_tried: usize,
    /// For a variable declared symmetric: the checks of sym(G) and of the entry form
    /// ([`CheckReport::with_symmetric`]); in JSON only for such a variable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub symmetric: Option<SymmetricCheck>,
}

/// What a check concluded, with the reason when it is not a plain pass: the one verdict the
/// command and the page show ([`CheckReport::verdict`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", content = "reason", rename_all = "snake_case")]
pub enum Verdict {
    /// The gradient agreed with finite differences and every dy line with dy.
    Passed,
    /// The gradient or a dy line is wrong, or cannot be evaluated at all.
    Failed(String),
    /// No sample allowed a reliable check: neither passed nor failed.
    Undecided(String),
}

impl Verdict {
    /// `"passed"`, `"failed"` or `"undecided"`.
    pub fn name(&self) -> &'static str {
        match self {
            Verdict::Passed => "passed",
            Verdict::Failed(_) => "failed",
            Verdict::Undecided(_) => "undecided",
        }
    }

    /// Why the check failed or could not decide; `None` for a pass.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Verdict::Passed => None,
            Verdict::Failed(r) | Verdict::Undecided(r) => Some(r),
        }
    }
}

impl CheckReport {
    /// The verdict: passed, failed (a wrong or unevaluable gradient or dy line) or undecided
    /// (no reliable sample), with the reason.
    pub fn verdict(&self) -> Verdict {
        if self.passed {
            return Verdict::Passed;
        }
        if self.undecidable {
            return Verdict::Undecided(
                self.message
                    .clone()
                    .unwrap_or_else(|| "no random sample allowed a reliable check".to_string()),
            );
        }
        let reason = match &self.gradient {
            Some(g) if !g.passed => "the gradient differs from finite differences".to_string(),
            Some(_) if self.message.is_none() && self.steps.iter().all(|s| s.passed) => self
                .symmetric
                .as_ref()
                .and_then(SymmetricCheck::failure)
                .unwrap_or_else(|| "the check did not pass".to_string()),
            Some(_) => match (self.steps.iter().find(|s| !s.passed), &self.message) {
                (_, Some(m)) => m.clone(),
                (Some(s), None) => format!("step {} disagrees with dy", s.index),
                (None, None) => "the check did not pass".to_string(),
            },
            None => self
                .message
                .clone()
                .unwrap_or_else(|| "the gradient was not checked".to_string()),
        };
        Verdict::Failed(reason)
    }
}

/// The symbolic gradient against finite differences.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GradientCheck {
    /// `"entrywise"` (one finite difference per entry) or `"directional"` (along random directions).
    pub method: String,
    /// ‖G_symbolic − G_numeric‖ / max(‖G_symbolic‖, ‖G_numeric‖).
    pub rel_error: f64,
    /// The largest relative error accepted, from the estimated finite-difference error.
    pub tolerance: f64,
    pub passed: bool,
    /// Both gradients, as rows, when the variable has at most 36 entries.
    pub symbolic: Option<Vec<Vec<f64>>>,
    pub numeric: Option<Vec<Vec<f64>>>,
}

/// One dy step against the directional derivative of f along the same dX.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StepCheck {
    /// Position in the list of dy steps given to [`run_check`], from 0.
    pub index: usize,
    /// The step's value at the sample (NaN when it has none).
    pub value: f64,
    /// |value − dy| / max(|value|, |dy|); infinite when the step has no value.
    pub rel_error: f64,
    pub passed: bool,
}

/// A finite-difference estimate with its estimated absolute error.
#[derive(Clone, Copy, Debug)]
struct Fd {
    value: f64,
    err: f64,
}

/// Central differences with steps h and 2h, extrapolated; the error estimate is the gap
/// between the two (a generous bound on truncation and noise) plus the rounding of f.
fn central(g: &mut dyn FnMut(f64) -> Result<f64, EvalError>, h: f64) -> Result<Fd, EvalError> {
    if h == 0.0 {
        return Ok(Fd {
            value: 0.0,
            err: 0.0,
        });
    }
    let (p1, m1, p2, m2) = (g(h)?, g(-h)?, g(2.0 * h)?, g(-2.0 * h)?);
    let c1 = (p1 - m1) / (2.0 * h);
    let c2 = (p2 - m2) / (4.0 * h);
    let fmax = p1.abs().max(m1.abs()).max(p2.abs()).max(m2.abs());
    let err = (c1 - c2).abs() + ROUNDING_ULPS * f64::EPSILON * fmax / h;
    Ok(Fd {
        value: (4.0 * c1 - c2) / 3.0,
        err,
    })
}

/// A problem with one attempt: `Bad` samples are replaced, `Broken` trees are reported.
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

fn rows(m: &M) -> Vec<Vec<f64>> {
    m.row_iter().map(|r| r.iter().copied().collect()).collect()
}

/// Relative error and tolerance of `sym` against `fd` (same length), given the absolute error estimate.
fn compare(sym: &[f64], fd: &[f64], fd_err: f64) -> (f64, f64) {
    let diff = norm(sym.iter().zip(fd).map(|(a, b)| a - b));
    let scale = norm(sym.iter().copied()).max(norm(fd.iter().copied()));
    let scale = if scale > 0.0 { scale } else { 1.0 };
    (diff / scale, TOL_FLOOR.max(SAFETY * fd_err / scale))
}

/// The Euclidean norm, scaled by the largest entry first so that entries near the edge of the
/// floating-point range (1e200 and up: exponentials of exponentials) do not overflow to ∞ when
/// squared; ∞ or NaN entries give ∞ or NaN as they are.
fn norm(values: impl Iterator<Item = f64> + Clone) -> f64 {
    let big = values.clone().fold(0.0_f64, |m, x| m.max(x.abs()));
    if big == 0.0 || !big.is_finite() {
        return big;
    }
    big * values.map(|x| (x / big) * (x / big)).sum::<f64>().sqrt()
}

/// Everything one attempt needs: the problem at one sample.
struct Checker<'a> {
    problem: &'a Problem,
    sizes: &'a Sizes,
    values: &'a Values,
    var: &'a str,
    x: &'a M,
    /// |f| at the sample.
    f0: f64,
    /// Every value moved by a relative [`NOISE_PROBE`]: the symbolic side evaluated there
    /// differs from its value at the sample by its rounding noise (and a negligible drift).
    nudged: &'a Values,
}

/// Every value moved by a relative [`NOISE_PROBE`] (symmetric matrices stay symmetric).
fn nudge(values: &Values, rng: &mut Rng) -> Values {
    // `extend`, not `collect`: a collected map sorts its items, a sort compiled for this type only.
    let mut nudged = Values::new();
    nudged.extend(values.iter().map(|(k, m)| {
        let scale = NOISE_PROBE * rms(m).max(1e-300);
        let mut e = M::from_fn(m.nrows(), m.ncols(), |_, _| rng.normal() * scale);
        if m.is_square() && m.nrows() > 1 && *m == m.transpose() {
            e = (&e + e.transpose()) * 0.5;
        }
        (k.clone(), m + e)
    }));
    nudged
}

impl Checker<'_> {
    fn ctx(&self) -> Ctx<'_> {
        Ctx {
            values: self.values,
            sizes: self.sizes,
            direction: None,
            subst: None,
            h_factor: 1.0,
        }
    }

    fn scalar(&self, e: &Expr, ctx: Ctx) -> Result<f64, EvalError> {
        let m = Evaluator::new(ctx).eval(e)?;
        if m.shape() == (1, 1) {
            Ok(m[(0, 0)])
        } else {
            Err(EvalError::Shape(format!(
                "the value is a {}×{} matrix, not a scalar",
                m.nrows(),
                m.ncols()
            )))
        }
    }

    /// f with the variable replaced by `moved`.
    fn f_at(&self, moved: &M) -> Result<f64, EvalError> {
        self.scalar(&self.problem.expr, self.ctx().with_subst(self.var, moved))
    }

    fn fd_along(&self, v: &M) -> Result<Fd, EvalError> {
        central(&mut |t| self.f_at(&(self.x + v * t)), fd_step(self.x, v))
    }

    fn fd_entry(&self, j: usize) -> Result<Fd, EvalError> {
        let h = FD_STEP * rms(self.x).max(0.1);
        central(
            &mut |t| {
                let mut moved = self.x.clone();
                moved[j] += t;
                self.f_at(&moved)
            },
            h,
        )
    }

    /// Errors below this are accurate whatever the size of the derivative.
    fn abs_floor(&self) -> f64 {
        ABS_FLOOR * self.f0.abs().max(1.0) / rms(self.x).max(0.1)
    }

    fn undecidable(&self, err: f64, scale: f64) -> bool {
        err > ILL * scale && err > self.abs_floor()
    }

    /// The gradient check, and whether the gradient vanishes at the sample (a degenerate
    /// sample, e.g. every relu off, where a wrong gradient can agree by coincidence).
    fn gradient(&self, gradient: &Expr, rng: &mut Rng) -> Result<(GradientCheck, bool), Trouble> {
        let g = Evaluator::new(self.ctx())
            .eval(gradient)
            .map_err(|e| trouble("the gradient", e))?;
        // The rounding noise of the symbolic gradient: its change under a tiny nudge of the values.
        let g_nudged = Evaluator::new(Ctx {
            values: self.nudged,
            ..self.ctx()
        })
        .eval(gradient)
        .map_err(|e| trouble("the gradient", e))?;
        let sym_noise = if g_nudged.shape() == g.shape() {
            norm((&g - &g_nudged).iter().copied())
        } else {
            0.0
        };
        let x = self.x;
        let g = if g.shape() == (1, 1) && g[(0, 0)] == 0.0 {
            M::zeros(x.nrows(), x.ncols())
        } else {
            g
        };
        if g.shape() != x.shape() {
            return Err(Trouble::Broken(format!(
                "the gradient is {}×{} but {} is {}×{}: a gradient has the shape of its variable",
                g.nrows(),
                g.ncols(),
                self.var,
                x.nrows(),
                x.ncols()
            )));
        }
        let n = x.len();
        let fd_trouble = |e| trouble("f", e);
        let (method, sym, fds): (&str, Vec<f64>, Vec<Fd>) = if n <= ENTRYWISE_MAX {
            let fds = (0..n)
                .map(|j| self.fd_entry(j))
                .collect::<Result<Vec<_>, _>>()
                .map_err(fd_trouble)?;
            ("entrywise", g.iter().copied().collect(), fds)
        } else {
            let mut sym = Vec::with_capacity(DIRECTIONS);
            let mut fds = Vec::with_capacity(DIRECTIONS);
            for _ in 0..DIRECTIONS {
                let v = M::from_fn(x.nrows(), x.ncols(), |_, _| rng.normal());
                sym.push(g.dot(&v));
                fds.push(self.fd_along(&v).map_err(fd_trouble)?);
            }
            ("directional", sym, fds)
        };
        let fd: Vec<f64> = fds.iter().map(|f| f.value).collect();
        let fd_err = norm(fds.iter().map(|f| f.err));
        // Whether the finite differences are accurate is a question about them alone.
        let fd_norm = norm(fd.iter().copied());
        // Values of f past the range of f64 (`1e308*t`) decide nothing about the gradient (a
        // symbolic gradient that overflows where the finite differences do not still fails).
        if !(fd_norm.is_finite() && fd_err.is_finite()) {
            return Err(Trouble::Bad(
                "f overflows next to the sample: finite differences cannot decide there"
                    .to_string(),
            ));
        }
        if self.undecidable(fd_err, fd_norm) {
            return Err(Trouble::Bad(format!(
                "finite differences of f are too inaccurate at the sample (estimated relative error {:.1e}): \
                 f is ill-conditioned or not smooth there",
                fd_err / fd_norm
            )));
        }
        let g_norm = norm(g.iter().copied());
        if sym_noise > ILL * g_norm && sym_noise > self.abs_floor() {
            return Err(Trouble::Bad(format!(
                "the symbolic gradient cannot be evaluated accurately at the sample (estimated relative \
                 rounding error {:.1e}): the sample is too ill-conditioned",
                sym_noise / g_norm
            )));
        }
        // Directional checks see the noise through the directions (|v| about sqrt(n)).
        let sym_err = if method == "entrywise" {
            sym_noise
        } else {
            sym_noise * (n as f64).sqrt() * (DIRECTIONS as f64).sqrt()
        };
        // As in the step checks, differences below the absolute floor are rounding, not error.
        let (rel_error, tolerance) = compare(&sym, &fd, fd_err + sym_err + self.abs_floor());
        let show = method == "entrywise" && n <= SHOW_MAX;
        let vanishing = fd_norm <= (SAFETY * fd_err).max(self.abs_floor());
        let check = GradientCheck {
            method: method.to_string(),
            rel_error,
            tolerance,
            passed: rel_error <= tolerance,
            symbolic: show.then(|| rows(&g)),
            numeric: show
                .then(|| rows(&M::from_iterator(x.nrows(), x.ncols(), fd.iter().copied()))),
        };
        Ok((check, vanishing))
    }

    /// Checks every step; broken steps fail with a message (the first one is returned).
    ///
    /// `floor` is the relative accuracy accepted for the gradient at this sample: the
    /// directional derivative comes from the same finite differences of the same f, so a
    /// step is not held to a tighter standard (ill-conditioned f, e.g. det(P¹²) at n = 25).
    fn steps(
        &self,
        steps: &[Expr],
        rng: &mut Rng,
        floor: f64,
    ) -> Result<(Vec<StepCheck>, Option<String>), Trouble> {
        if steps.is_empty() {
            return Ok((Vec::new(), None));
        }
        let x = self.x;
        let dx = M::from_fn(x.nrows(), x.ncols(), |_, _| rng.normal());
        let dy = self.fd_along(&dx).map_err(|e| trouble("f", e))?;
        if self.undecidable(dy.err, dy.value.abs()) {
            return Err(Trouble::Bad(format!(
                "the directional derivative of f cannot be estimated accurately at the sample (estimated error {:.1e})",
                dy.err
            )));
        }
        let mut out = Vec::with_capacity(steps.len());
        let mut message = None;
        for (index, step) in steps.iter().enumerate() {
            let ctx = Ctx {
                direction: Some((self.var, &dx)),
                ..self.ctx()
            };
            let value = match self.scalar(step, ctx) {
                Ok(v) => v,
                Err(e) if e.depends_on_values() => {
                    return Err(Trouble::Bad(format!(
                        "step {index} is undefined at the sample: {e}"
                    )));
                }
                Err(e) => {
                    message.get_or_insert_with(|| format!("step {index} cannot be evaluated: {e}"));
                    out.push(StepCheck {
                        index,
                        value: f64::NAN,
                        rel_error: f64::INFINITY,
                        passed: false,
                    });
                    continue;
                }
            };
            // Rounding noise of the step: its change under a tiny nudge of the values.
            let noise = self
                .scalar(
                    step,
                    Ctx {
                        values: self.nudged,
                        ..ctx
                    },
                )
                .map(|v| (v - value).abs())
                .map_err(|e| {
                    Trouble::Bad(format!("step {index} is undefined next to the sample: {e}"))
                })?;
            // A step with d(·) nodes carries its own finite-difference error: compare with step 2h.
            let own_err = noise
                + if step.has_d() {
                    let coarse = self
                        .scalar(
                            step,
                            Ctx {
                                h_factor: 2.0,
                                ..ctx
                            },
                        )
                        .map_err(|e| {
                            Trouble::Bad(format!(
                                "step {index} is undefined next to the sample: {e}"
                            ))
                        })?;
                    (value - coarse).abs()
                } else {
                    0.0
                };
            let scale = value.abs().max(dy.value.abs());
            if self.undecidable(own_err, scale) {
                return Err(Trouble::Bad(format!(
                    "step {index} cannot be evaluated accurately at the sample (estimated error {own_err:.1e})"
                )));
            }
            // The absolute floor keeps rounding noise from failing a step whose terms cancel.
            let (rel_error, tolerance) =
                compare(&[value], &[dy.value], dy.err + own_err + self.abs_floor());
            let tolerance = tolerance.max(floor);
            out.push(StepCheck {
                index,
                value,
                rel_error,
                passed: rel_error <= tolerance,
            });
        }
        Ok((out, message))
    }
}

/// What one attempt found.
struct Found {
    value: f64,
    gradient: Option<GradientCheck>,
    steps: Vec<StepCheck>,
    message: Option<String>,
    /// The gradient vanishes at the sample.
    vanishing: bool,
}

impl Found {
    fn passed(&self) -> bool {
        self.message.is_none()
            && self.gradient.as_ref().is_some_and(|g| g.passed)
            && self.steps.iter().all(|s| s.passed)
    }
}

fn attempt(
    problem: &Problem,
    steps: &[Expr],
    gradient: &Expr,
    sizes: &Sizes,
    values: &Values,
    seed: u64,
) -> Result<Found, Trouble> {
    let var = problem.wrt.as_str();
    let x = values
        .get(var)
        .ok_or_else(|| Trouble::Broken(format!("no value for the variable {var}")))?;
    let nudged = nudge(values, &mut Rng::new(derive_seed(seed, 91)));
    let probe = Checker {
        problem,
        sizes,
        values,
        var,
        x,
        f0: 0.0,
        nudged: &nudged,
    };
    let f0 = probe.f_at(x).map_err(|e| trouble("f", e))?;
    let checker = Checker { f0, ..probe };
    let mut rng = Rng::new(seed);
    let (gradient, vanishing, grad_message) = match checker.gradient(gradient, &mut rng) {
        Ok((g, vanishing)) => (Some(g), vanishing, None),
        Err(Trouble::Broken(m)) => (None, false, Some(m)),
        Err(bad) => return Err(bad),
    };
    let floor = gradient.as_ref().map_or(TOL_FLOOR, |g| g.tolerance);
    let (steps, step_message) = checker.steps(steps, &mut rng, floor)?;
    Ok(Found {
        value: f0,
        gradient,
        steps,
        message: grad_message.or(step_message),
        vanishing,
    })
}

/// Checks a derivation numerically at random values.
///
/// `dy_steps` are the right-hand sides of the dy lines (they may contain `d(·)`, evaluated
/// along a random dX); `gradient` is the symbolic gradient (`0` stands for zeros of the
/// variable's shape). Samples where f is undefined, at a kink, or too ill-conditioned for
/// finite differences to decide are replaced; if none will do, the report says so and is
/// not passed. Deterministic for a given seed.
pub fn run_check(
    problem: &Problem,
    dy_steps: &[Expr],
    gradient: &Expr,
    sizes: &Sizes,
    seed: u64,
) -> CheckReport {
    let mut report = CheckReport {
        sizes: sizes.clone(),
        seed,
        value: None,
        gradient: None,
        steps: Vec::new(),
        passed: false,
        undecidable: false,
        message: None,
        samples_tried: 0,
        symmetric: None,
    };
    if problem.symbols.get(&problem.wrt).is_none() {
        report.message = Some(format!("the variable {} is not a symbol of f", problem.wrt));
        return report;
    }
    let mut last_reason = String::new();
    // A pass where the gradient vanishes proves little: look for a sample where it does not.
    let mut vanishing_left = VANISHING_RETRIES;
    let mut fallback: Option<Found> = None;
    let fill = |report: &mut CheckReport, found: Found| {
        report.value = Some(found.value);
        report.passed = found.passed();
        report.gradient = found.gradient;
        report.steps = found.steps;
        report.message = found.message;
    };
    for k in 0..MAX_ATTEMPTS {
        let s = if k == 0 {
            seed
        } else {
            derive_seed(seed, 1000 + k)
        };
        let (values, tried) = sample_counted(problem, dy_steps, sizes, s);
        report.samples_tried += tried;
        let values = match values {
            Ok(v) => v,
            Err(e) => {
                match fallback {
                    Some(found) => fill(&mut report, found),
                    None => {
                        // Undefined (or at a kink) at every sample: f is undefined there, not wrong.
                        report.undecidable = e.tries == MAX_TRIES
                            && e.last.as_ref().is_none_or(EvalError::depends_on_values);
                        report.message = Some(e.message);
                    }
                }
                return report;
            }
        };
        match attempt(
            problem,
            dy_steps,
            gradient,
            sizes,
            &values,
            derive_seed(s, 77),
        ) {
            Ok(found) if found.vanishing && found.passed() && vanishing_left > 0 => {
                vanishing_left -= 1;
                fallback = Some(found);
            }
            Ok(found) => {
                let vanishing = found.vanishing && found.passed();
                fill(&mut report, found);
                if vanishing {
                    note_vanishing(&mut report);
                }
                return report;
            }
            Err(Trouble::Broken(m)) => {
                report.message = Some(m);
                return report;
            }
            Err(Trouble::Bad(m)) => last_reason = m,
        }
    }
    if let Some(found) = fallback {
        fill(&mut report, found);
        note_vanishing(&mut report);
        return report;
    }
    report.undecidable = true;
    report.message = Some(format!(
        "no sample allowed a reliable check ({} random samples tried); the last problem: {last_reason}",
        report.samples_tried
    ));
    report
}

/// Says why a pass whose gradient vanished at every sample tried shows a large relative error.
fn note_vanishing(report: &mut CheckReport) {
    report.message.get_or_insert_with(|| {
        "the gradient vanishes at every sample tried: both sides are zero to within the accuracy \
         of finite differences, so their relative error compares rounding noise"
            .to_string()
    });
}

/// f and the gradient at given values (for `matdiff grad --at`). A gradient `0` means zeros
/// of the variable's shape; a gradient of another shape than the variable is an error.
pub fn evaluate_at(
    problem: &Problem,
    gradient: &Expr,
    values: &Values,
    sizes: &Sizes,
) -> Result<(f64, DMatrix<f64>), EvalError> {
    let ctx = Ctx {
        values,
        sizes,
        direction: None,
        subst: None,
        h_factor: 1.0,
    };
    let f = Evaluator::new(ctx).eval(&problem.expr)?;
    if f.shape() != (1, 1) {
        return Err(EvalError::Shape(format!(
            "f is a {}×{} matrix, not a scalar",
            f.nrows(),
            f.ncols()
        )));
    }
    let var = problem.wrt.as_str();
    let x = ctx.lookup(var)?;
    let g = Evaluator::new(ctx).eval(gradient)?;
    let g = if g.shape() == (1, 1) && g[(0, 0)] == 0.0 {
        M::zeros(x.nrows(), x.ncols())
    } else {
        g
    };
    if g.shape() != x.shape() {
        return Err(EvalError::Shape(format!(
            "the gradient is {}×{} but {var} is {}×{}",
            g.nrows(),
            g.ncols(),
            x.nrows(),
            x.ncols()
        )));
    }
    Ok((f[(0, 0)], g))
}

#[cfg(test)]
mod tests;
