//! "Is my H (or J) right?": a claimed Hessian of a scalar f or Jacobian of an array-valued f,
//! read in f's symbol context and decided numerically against the engine's matrix.
//!
//! The engine's Hessian or Jacobian is used only after its own derivation passed the
//! finite-difference check ([`crate::numeric::run_check2`]); otherwise the verdict is
//! undecided. The claim and the engine's matrix are then evaluated exactly at several random
//! samples of f's domain (respecting the declarations): correct when they agree at every
//! sample compared and one was compared, incorrect when one sample shows a clear difference,
//! undecided otherwise. A claim of the wrong shape gets a shape mistake, or a transposed one
//! when its transpose is right.

use super::{read_claim, ClaimVerdict, Mistake, MistakeKind, AGREE, SAMPLES};
use crate::diagnostic::{Diagnostic, Source};
use crate::expr::{Expr, Func, Problem};
use crate::jacobian::{Analysis2, Derivation2, Order};
use crate::numeric::{self, eval, hessian_at, jacobian_at, Env, Sizes, Values};
use nalgebra::DMatrix;

type M = DMatrix<f64>;

/// Relative difference above which a sample shows the claim wrong (between [`AGREE`] and this,
/// the sample is too ill-conditioned to tell, and is not counted).
const DIFFER: f64 = 1e-3;

/// The answer to "is my H (or J) right?".
#[derive(Clone, Debug, PartialEq)]
pub struct SecondComparison {
    pub verdict: ClaimVerdict,
    /// One sentence: the verdict and why.
    pub message: String,
    /// The mistake found: the shape, or the transpose.
    pub mistake: Option<Mistake>,
}

/// `H` for a Hessian, `J` for a Jacobian.
fn letter(order: Order) -> &'static str {
    match order {
        Order::Hessian => "H",
        Order::Jacobian => "J",
    }
}

fn rel(a: &M, b: &M) -> f64 {
    let scale = a.norm().max(b.norm());
    if scale == 0.0 {
        0.0
    } else {
        (a - b).norm() / scale
    }
}

/// The claim's value at `values`, `0` as zeros of `shape`; `None` when undefined or not finite.
fn claim_value(claim: &Expr, values: &Values, sizes: &Sizes, shape: (usize, usize)) -> Option<M> {
    let m = eval(
        claim,
        &Env {
            values,
            sizes,
            direction: None,
        },
    )
    .ok()?;
    if !m.iter().all(|x| x.is_finite()) {
        return None;
    }
    if m.shape() == (1, 1) && m[(0, 0)] == 0.0 {
        return Some(M::zeros(shape.0, shape.1));
    }
    Some(m)
}

/// The verdict on a claimed Hessian or Jacobian expression of f (`d` the engine's derivation of
/// it), the reason, and the shape or transpose mistake when there is one. Never a false
/// verdict: undecided when the engine's matrix is not confirmed or no sample can tell.
pub fn decide_second(
    problem: &Problem,
    d: &Derivation2,
    claim: &Expr,
    sizes: &Sizes,
    seed: u64,
) -> (ClaimVerdict, String, Option<Mistake>) {
    let what = letter(d.order);
    let confirmed = numeric::run_check2(problem, d, sizes, seed);
    if !confirmed.passed {
        let why = confirmed.message.unwrap_or_default();
        return (
            ClaimVerdict::Undecided,
            format!("matdiff's own {what} could not be confirmed numerically here {why}")
                .trim_end()
                .to_string(),
            None,
        );
    }
    // Samples where f (a Jacobian's f, summed to a scalar for the sampler) and the claim are defined.
    let proxy = match d.order {
        Order::Hessian => problem.clone(),
        Order::Jacobian => Problem {
            expr: Expr::call(Func::Sum, problem.expr.clone()),
            ..problem.clone()
        },
    };
    let mut compared = 0u64;
    for k in 0..SAMPLES + 3 {
        if compared == SAMPLES {
            break;
        }
        let s = crate::numeric::derive_seed(seed, 700 + k);
        let Ok(values) = numeric::sample_counted(&proxy, std::slice::from_ref(claim), sizes, s).0
        else {
            continue;
        };
        let engine = match d.order {
            Order::Hessian => hessian_at(problem, d, &values, sizes),
            Order::Jacobian => jacobian_at(problem, d, &values, sizes).map(|(_, j)| j),
        };
        let Ok(engine) = engine else { continue };
        if !engine.iter().all(|x| x.is_finite()) {
            continue;
        }
        let Some(mine) = claim_value(claim, &values, sizes, engine.shape()) else {
            continue;
        };
        let transposed = |mine: &M| {
            mine.shape() == engine.transpose().shape() && rel(&mine.transpose(), &engine) <= AGREE
        };
        if mine.shape() != engine.shape() {
            let (e, m) = (engine.shape(), mine.shape());
            let mistake = if transposed(&mine) {
                Mistake::new(
                    MistakeKind::Transposed,
                    format!("this is the transpose of {what}: yours is {}×{}, {what} is {}×{} at these sizes", m.0, m.1, e.0, e.1),
                )
            } else {
                Mistake::new(
                    MistakeKind::Shape,
                    format!(
                        "yours is {}×{}, {what} is {}×{} at these sizes",
                        m.0, m.1, e.0, e.1
                    ),
                )
            };
            let message = format!("not correct: {}", mistake.message);
            return (ClaimVerdict::Incorrect, message, Some(mistake));
        }
        let r = rel(&mine, &engine);
        if r <= AGREE {
            compared += 1;
        } else if r > DIFFER {
            let mistake = transposed(&mine).then(|| {
                Mistake::new(
                    MistakeKind::Transposed,
                    format!("this is the transpose of {what}"),
                )
            });
            let message = format!(
                "not correct: at a random sample your {what} differs from matdiff's (relative error {r:.1e})"
            );
            return (ClaimVerdict::Incorrect, message, mistake);
        }
    }
    if compared > 0 {
        (ClaimVerdict::Correct, "correct".to_string(), None)
    } else {
        (
            ClaimVerdict::Undecided,
            format!("undecided: no sample allowed a reliable comparison with matdiff's {what}"),
            None,
        )
    }
}

/// Compares a claimed Hessian or Jacobian (text) with the one of `analysis`: reads it in f's
/// symbol context and decides it ([`decide_second`]). Errors (bad input, spans into `claim`)
/// when there is no derivation, the claim does not parse or type, or a size is invalid; a
/// symbol f does not have makes it incorrect with a shape mistake.
pub fn compare_second(
    analysis: &Analysis2,
    claim: &str,
    options: &crate::api::CheckOptions,
) -> Result<SecondComparison, Vec<Diagnostic>> {
    let (Some(problem), Some(d)) = (&analysis.problem, &analysis.derivation) else {
        return Err(vec![Diagnostic::new(
            0..0,
            "f has to be derived before a claim can be compared",
        )
        .in_source(Source::Other)]);
    };
    let (read, foreign) = read_claim(problem, claim);
    if let Some(name) = foreign.first() {
        let mistake = Mistake::new(MistakeKind::Shape, format!("{name}: not a symbol of f"));
        return Ok(SecondComparison {
            verdict: ClaimVerdict::Incorrect,
            message: format!("not correct: f has no {name}"),
            mistake: Some(mistake),
        });
    }
    let claim = read?;
    let mut sizes = numeric::resolve_problem_sizes(problem, &options.sizes).map_err(|d| vec![d])?;
    let claim_dims = crate::expr::expr_dim_names(&claim.expr);
    if claim_dims.iter().any(|d| !sizes.contains_key(d)) {
        let mut own = numeric::resolve_sizes_with(&claim.symbols, &claim_dims, &Sizes::new())
            .map_err(|d| vec![d])?;
        own.extend(std::mem::take(&mut sizes));
        sizes = own;
    }
    let (verdict, message, mistake) = decide_second(problem, d, &claim.expr, &sizes, options.seed);
    Ok(SecondComparison {
        verdict,
        message,
        mistake,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{CheckOptions, Input};
    use crate::jacobian::{analyze_hessian, analyze_jacobian};

    fn run(order: Order, expr: &str, decls: &str, claim: &str) -> SecondComparison {
        let input = Input {
            expr: expr.into(),
            decls: decls.into(),
            wrt: Some("x".into()),
        };
        let a = match order {
            Order::Hessian => analyze_hessian(&input),
            Order::Jacobian => analyze_jacobian(&input),
        };
        let options = CheckOptions {
            sizes: Default::default(),
            seed: 3,
        };
        let c = compare_second(&a, claim, &options).expect("read");
        // The test's own numeric check: the claim against the engine's matrix at a sample
        // (a claim of another shape never agrees).
        let (p, d) = (a.problem.as_ref().unwrap(), a.derivation.as_ref().unwrap());
        let sizes = numeric::resolve_problem_sizes(p, &Default::default()).unwrap();
        let scalar = Problem {
            expr: Expr::call(Func::Sum, p.expr.clone()),
            ..p.clone()
        };
        let values = numeric::sample(&scalar, &sizes, 17).expect("a sample");
        let engine = match order {
            Order::Hessian => hessian_at(p, d, &values, &sizes).unwrap(),
            Order::Jacobian => jacobian_at(p, d, &values, &sizes).unwrap().1,
        };
        let agrees = read_claim(p, claim)
            .0
            .ok()
            .and_then(|cl| claim_value(&cl.expr, &values, &sizes, engine.shape()))
            .is_some_and(|m| m.shape() == engine.shape() && rel(&m, &engine) <= 1e-9);
        assert_eq!(
            agrees,
            c.verdict == ClaimVerdict::Correct,
            "{expr}: {claim}"
        );
        c
    }

    /// Right, wrong, transposed and misshapen claims (the right and wrong ones are also
    /// checked against the engine in `exercises`' test).
    #[test]
    fn claims_get_their_verdict_and_mistake() {
        let c = run(Order::Hessian, "x'*A*x", "", "A' + A");
        assert_eq!(c.verdict, ClaimVerdict::Correct, "{}", c.message);
        let c = run(Order::Hessian, "x'*A*x", "", "2*A");
        assert_eq!((c.verdict, c.mistake), (ClaimVerdict::Incorrect, None));
        let c = run(Order::Hessian, "x'*A*x", "", "(A + A')*x");
        assert_eq!(c.verdict, ClaimVerdict::Incorrect);
        assert_eq!(c.mistake.map(|m| m.kind), Some(MistakeKind::Shape));
        assert!(c.message.contains("H is"), "{}", c.message);
        // A's m×n Jacobian of A*x, written as its transpose.
        let c = run(Order::Jacobian, "A*x", "A: 4 x 3", "A'");
        assert_eq!(c.mistake.map(|m| m.kind), Some(MistakeKind::Transposed));
        // Square: the transpose has the right shape and the wrong entries.
        let c = run(Order::Jacobian, "A*x", "A: 3 x 3", "A'");
        assert_eq!(c.verdict, ClaimVerdict::Incorrect);
        assert_eq!(c.mistake.map(|m| m.kind), Some(MistakeKind::Transposed));
        let c = run(Order::Jacobian, "A*x", "A: 3 x 3", "A");
        assert_eq!(c.verdict, ClaimVerdict::Correct, "{}", c.message);
        let c = run(Order::Jacobian, "exp(x)", "", "diag(exp(x)) + Q");
        assert_eq!(c.mistake.map(|m| m.kind), Some(MistakeKind::Shape));
        assert_eq!(c.verdict, ClaimVerdict::Incorrect);
    }
}
