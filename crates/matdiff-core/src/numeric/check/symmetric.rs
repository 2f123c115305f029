//! The numeric checks of the two answers of a symmetric variable (issue 13 §3): sym(G) against
//! finite differences along random symmetric directions (and orthogonal to antisymmetric ones),
//! the entry form against moving X_ij and X_ji together (X_ii alone).

use super::{
    compare, norm, nudge, rows, trouble, Checker, Ctx, EvalError, Evaluator, Fd, GradientCheck,
    Trouble, M, MAX_ATTEMPTS, SHOW_MAX,
};
use crate::expr::{Expr, Problem};
use crate::numeric::rng::{derive_seed, Rng};
use crate::numeric::sample::sample_counted;
use crate::numeric::{Sizes, Values};
use serde::Serialize;

/// Random symmetric directions at most (a basis of the symmetric 6×6 matrices); variables with
/// more than [`ENTRYWISE_MAX`](super::ENTRYWISE_MAX) entries get [`LARGE_DIRECTIONS`].
const SYMMETRIC_DIRECTIONS: usize = 21;
/// Random symmetric directions, and pairs of the entry form, for large variables (as many as
/// the gradient check's directions).
const LARGE_DIRECTIONS: usize = super::DIRECTIONS;
/// Random antisymmetric directions at most, along which sym(G) must be orthogonal.
const ANTISYMMETRIC_DIRECTIONS: usize = 8;

/// The checks of sym(G) and of G + Gᵀ − diag(G) for a variable declared symmetric.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SymmetricCheck {
    /// sym(G): ⟨sym(G), V⟩ against the directional derivative along random symmetric V, and
    /// ⟨sym(G), W⟩ = 0 for random antisymmetric W (sym(G) is symmetric).
    pub symmetric: Option<GradientCheck>,
    /// G + Gᵀ − diag(G): entry (i, j) against the derivative of f when X_ij and X_ji move
    /// together (X_ii alone), for both (i, j) and (j, i).
    pub entries: Option<GradientCheck>,
    /// Both checks ran and passed.
    pub passed: bool,
    /// No sample allowed a reliable check.
    pub undecidable: bool,
    /// Why the checks could not run or what failed beyond numbers.
    pub message: Option<String>,
}

impl SymmetricCheck {
    /// Why the check did not pass, in one sentence; `None` when it passed.
    pub fn failure(&self) -> Option<String> {
        if self.passed {
            return None;
        }
        Some(match (&self.symmetric, &self.entries, &self.message) {
            (Some(s), _, _) if !s.passed => {
                "sym(G) differs from finite differences along symmetric directions".to_string()
            }
            (_, Some(e), _) if !e.passed => {
                "G + G^T - diag(G) differs from finite differences of the independent entries"
                    .to_string()
            }
            (_, _, Some(m)) => m.clone(),
            _ => "the checks of the symmetric forms did not pass".to_string(),
        })
    }
}

/// One comparison: the symbolic side is ⟨F, weight⟩, the numeric side the finite difference
/// of f along `direction`.
struct Probe {
    weight: M,
    direction: Direction,
}

/// The symbolic and numeric matrices a check shows in the report, from the form's value and the
/// probes' finite differences (`None`: the check shows none).
type Show<'a> = &'a dyn Fn(&M, &[Fd]) -> Option<(M, M)>;

/// Where a probe's finite difference comes from.
enum Direction {
    Along(M),
    /// The previous probe's (X_ij and X_ji of one pair moved together).
    Previous,
    /// Exactly zero (an antisymmetric direction, outside the symmetric matrices).
    Zero,
}

fn unit(n: usize, i: usize, j: usize) -> M {
    let mut m = M::zeros(n, n);
    m[(i, j)] = 1.0;
    m
}

/// Probes of sym(G): random symmetric directions, and random antisymmetric ones along which
/// the derivative within symmetric matrices is zero.
fn symmetric_probes(n: usize, rng: &mut Rng) -> Vec<Probe> {
    let random = |rng: &mut Rng| M::from_fn(n, n, |_, _| rng.normal());
    let mut out = Vec::new();
    let count = if n * n <= super::ENTRYWISE_MAX {
        SYMMETRIC_DIRECTIONS.min(n * (n + 1) / 2)
    } else {
        LARGE_DIRECTIONS
    };
    for _ in 0..count {
        let a = random(rng);
        let v = (&a + a.transpose()) * 0.5;
        out.push(Probe {
            weight: v.clone(),
            direction: Direction::Along(v),
        });
    }
    for _ in 0..ANTISYMMETRIC_DIRECTIONS.min(n * (n - 1) / 2) {
        let a = random(rng);
        out.push(Probe {
            weight: (&a - a.transpose()) * 0.5,
            direction: Direction::Zero,
        });
    }
    out
}

/// The pairs i ≤ j of the entry form checked: all of them, or a random choice for large X.
fn entry_pairs(n: usize, rng: &mut Rng) -> Vec<(usize, usize)> {
    if n * n <= super::ENTRYWISE_MAX {
        return (0..n).flat_map(|j| (0..=j).map(move |i| (i, j))).collect();
    }
    (0..LARGE_DIRECTIONS)
        .map(|_| {
            let (a, b) = (rng.next_u64() as usize % n, rng.next_u64() as usize % n);
            (a.min(b), a.max(b))
        })
        .collect()
}

impl Checker<'_> {
    /// `e` evaluated at the sample and at the nudged values (zeros of X's shape for `0`).
    fn form_values(&self, e: &Expr, what: &str) -> Result<(M, M), Trouble> {
        let eval = |values: &Values| -> Result<M, EvalError> {
            let m = Evaluator::new(Ctx {
                values,
                ..self.ctx()
            })
            .eval(e)?;
            Ok(if m.shape() == (1, 1) && m[(0, 0)] == 0.0 {
                M::zeros(self.x.nrows(), self.x.ncols())
            } else {
                m
            })
        };
        let f = eval(self.values).map_err(|e| trouble(what, e))?;
        let nudged = eval(self.nudged).map_err(|e| trouble(what, e))?;
        if f.shape() != self.x.shape() || nudged.shape() != f.shape() {
            return Err(Trouble::Broken(format!(
                "{what} is {}×{} but {} is {}×{}: it has the shape of its variable",
                f.nrows(),
                f.ncols(),
                self.var,
                self.x.nrows(),
                self.x.ncols()
            )));
        }
        Ok((f, nudged))
    }

    /// `e` against finite differences of f by `probes`; `show` gives the symbolic and numeric
    /// matrices for the report.
    fn form_check(
        &self,
        e: &Expr,
        what: &str,
        method: &str,
        probes: &[Probe],
        show: Show,
    ) -> Result<GradientCheck, Trouble> {
        let (f, nudged) = self.form_values(e, what)?;
        let mut fds: Vec<Fd> = Vec::with_capacity(probes.len());
        for p in probes {
            let fd = match &p.direction {
                Direction::Along(v) => self.fd_along(v).map_err(|e| trouble("f", e))?,
                Direction::Previous => fds.last().copied().ok_or_else(|| {
                    Trouble::Broken("a probe with no previous direction".to_string())
                })?,
                Direction::Zero => Fd {
                    value: 0.0,
                    err: 0.0,
                },
            };
            fds.push(fd);
        }
        let sym: Vec<f64> = probes.iter().map(|p| f.dot(&p.weight)).collect();
        let noise = norm(probes.iter().map(|p| (&f - &nudged).dot(&p.weight)));
        let fd: Vec<f64> = fds.iter().map(|d| d.value).collect();
        let fd_err = norm(fds.iter().map(|d| d.err));
        let fd_norm = norm(fd.iter().copied());
        if !(fd_norm.is_finite() && fd_err.is_finite()) {
            return Err(Trouble::Bad(
                "f overflows next to the sample: finite differences cannot decide there"
                    .to_string(),
            ));
        }
        if self.undecidable(fd_err, fd_norm) {
            return Err(Trouble::Bad(format!(
                "finite differences of f are too inaccurate at the sample (estimated relative error {:.1e})",
                fd_err / fd_norm
            )));
        }
        let sym_norm = norm(sym.iter().copied());
        if noise > 1e-3 * sym_norm && noise > self.abs_floor() {
            return Err(Trouble::Bad(format!(
                "{what} cannot be evaluated accurately at the sample (estimated relative rounding error {:.1e})",
                noise / sym_norm
            )));
        }
        let (rel_error, tolerance) = compare(&sym, &fd, fd_err + noise + self.abs_floor());
        let shown = show(&f, &fds);
        Ok(GradientCheck {
            method: method.to_string(),
            rel_error,
            tolerance,
            passed: rel_error <= tolerance,
            symbolic: shown.as_ref().map(|(s, _)| rows(s)),
            numeric: shown.as_ref().map(|(_, n)| rows(n)),
        })
    }
}

/// Both checks at one sample.
fn attempt(
    problem: &Problem,
    forms: (&Expr, &Expr),
    sizes: &Sizes,
    values: &Values,
    seed: u64,
) -> Result<(GradientCheck, GradientCheck), Trouble> {
    let var = problem.wrt.as_str();
    let x = values
        .get(var)
        .ok_or_else(|| Trouble::Broken(format!("no value for the variable {var}")))?;
    if !x.is_square() {
        return Err(Trouble::Broken(format!("{var} is not a square matrix")));
    }
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
    let n = x.nrows();
    let mut rng = Rng::new(seed);
    let symmetric = checker.form_check(
        forms.0,
        "sym(G)",
        "symmetric directions",
        &symmetric_probes(n, &mut rng),
        &|_, _| None,
    )?;
    let pairs = entry_pairs(n, &mut rng);
    let mut probes = Vec::with_capacity(2 * pairs.len());
    for &(i, j) in &pairs {
        let direction = if i == j {
            unit(n, i, i)
        } else {
            unit(n, i, j) + unit(n, j, i)
        };
        probes.push(Probe {
            weight: unit(n, i, j),
            direction: Direction::Along(direction),
        });
        if i != j {
            probes.push(Probe {
                weight: unit(n, j, i),
                direction: Direction::Previous,
            });
        }
    }
    let all_pairs = n * n <= super::ENTRYWISE_MAX;
    let method = if all_pairs {
        "independent entries"
    } else {
        "independent entries (a random choice)"
    };
    let entries =
        checker.form_check(forms.1, "G + G^T - diag(G)", method, &probes, &|f, fds| {
            (all_pairs && n * n <= SHOW_MAX).then(|| {
                let mut numeric = M::zeros(n, n);
                for (p, fd) in probes.iter().zip(fds) {
                    numeric += &p.weight * fd.value;
                }
                (f.clone(), numeric)
            })
        })?;
    Ok((symmetric, entries))
}

/// Checks sym(G) (`forms.0`) and G + Gᵀ − diag(G) (`forms.1`) of a problem whose variable is
/// a symmetric matrix, at random samples as [`super::run_check`] draws them (`dy_steps` are the
/// derivation's lines, whose functions constrain the samples). Deterministic for a given seed.
pub fn run_symmetric_check(
    problem: &Problem,
    dy_steps: &[Expr],
    forms: (&Expr, &Expr),
    sizes: &Sizes,
    seed: u64,
) -> SymmetricCheck {
    let mut out = SymmetricCheck {
        symmetric: None,
        entries: None,
        passed: false,
        undecidable: false,
        message: None,
    };
    let mut last_reason = String::new();
    for k in 0..MAX_ATTEMPTS {
        let s = if k == 0 {
            seed
        } else {
            derive_seed(seed, 1000 + k)
        };
        let values = match sample_counted(problem, dy_steps, sizes, s).0 {
            Ok(v) => v,
            Err(e) => {
                out.undecidable = e.last.as_ref().is_none_or(EvalError::depends_on_values);
                out.message = Some(e.message);
                return out;
            }
        };
        match attempt(problem, forms, sizes, &values, derive_seed(s, 78)) {
            Ok((symmetric, entries)) => {
                out.passed = symmetric.passed && entries.passed;
                out.symmetric = Some(symmetric);
                out.entries = Some(entries);
                return out;
            }
            Err(Trouble::Broken(m)) => {
                out.message = Some(m);
                return out;
            }
            Err(Trouble::Bad(m)) => last_reason = m,
        }
    }
    out.undecidable = true;
    out.message = Some(format!(
        "no sample allowed a reliable check of the symmetric forms; the last problem: {last_reason}"
    ));
    out
}

impl super::CheckReport {
    /// The report with the checks of the symmetric forms added: a report that passed passes
    /// only if they pass too, and is undecided if they could not decide.
    #[must_use]
    pub fn with_symmetric(mut self, check: SymmetricCheck) -> super::CheckReport {
        if self.passed && !check.passed {
            self.passed = false;
            if check.undecidable {
                self.undecidable = true;
                self.message.clone_from(&check.message);
            }
        }
        self.symmetric = Some(check);
        self
    }
}
