//! The exercise set a learner works through and an instructor assigns: the lecture note's three
//! examples first, then graded exercises (Cookbook traces, determinants, inverses, quadratic
//! forms, norms, machine-learning losses, symmetric-matrix gradients), as a static table.

/// How hard an exercise is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Difficulty {
    /// One or two rules.
    Easy,
    /// The product rule and a rearrangement.
    Medium,
    /// Several rules, inverses or functions nested.
    Hard,
}

impl Difficulty {
    pub fn name(self) -> &'static str {
        match self {
            Difficulty::Easy => "easy",
            Difficulty::Medium => "medium",
            Difficulty::Hard => "hard",
        }
    }
}

/// What an exercise asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ask {
    /// ∇f of a scalar f.
    Gradient,
    /// The Hessian H of a scalar f (the page's `order=2` view).
    Hessian,
    /// The Jacobian J of an array-valued f.
    Jacobian,
}

impl Ask {
    pub fn name(self) -> &'static str {
        match self {
            Ask::Gradient => "gradient",
            Ask::Hessian => "Hessian",
            Ask::Jacobian => "Jacobian",
        }
    }
}

/// One exercise: find ∇f (or H, or J, as `ask` says) of `expr` with respect to `wrt`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exercise {
    /// Stable id, kept in the browser's progress (`trace-axb`).
    pub id: &'static str,
    /// The short statement shown.
    pub statement: &'static str,
    pub expr: &'static str,
    pub decls: &'static str,
    pub wrt: &'static str,
    pub difficulty: Difficulty,
    /// The group it belongs to (`lecture note`, `traces`, …).
    pub topic: &'static str,
    /// What is asked: the gradient, the Hessian or the Jacobian.
    pub ask: Ask,
}

use Difficulty::{Easy, Hard, Medium};

const fn ex(
    id: &'static str,
    topic: &'static str,
    difficulty: Difficulty,
    statement: &'static str,
    expr: &'static str,
    decls: &'static str,
    wrt: &'static str,
) -> Exercise {
    Exercise {
        id,
        statement,
        expr,
        decls,
        wrt,
        difficulty,
        topic,
        ask: Ask::Gradient,
    }
}

/// An exercise asking for a Hessian or a Jacobian.
const fn ex2(
    ask: Ask,
    id: &'static str,
    difficulty: Difficulty,
    statement: &'static str,
    expr: &'static str,
    wrt: &'static str,
) -> Exercise {
    let topic = match ask {
        Ask::Hessian => "Hessians",
        _ => "Jacobians",
    };
    Exercise {
        ask,
        ..ex(id, topic, difficulty, statement, expr, "", wrt)
    }
}

/// Every exercise, the note's three examples first.
pub const EXERCISES: &[Exercise] = &[
    // The lecture note's examples.
    ex(
        "note-least-squares",
        "lecture note",
        Easy,
        "Least squares: the gradient of the squared residual in x.",
        "||A*x - b||^2",
        "b: vector m",
        "x",
    ),
    ex(
        "note-trace-axb",
        "lecture note",
        Easy,
        "The trace of a product, in the middle factor.",
        "tr(A*X*B)",
        "",
        "X",
    ),
    ex(
        "note-logdet-gram",
        "lecture note",
        Medium,
        "The log-determinant of a Gram matrix.",
        "logdet(X'*X)",
        "",
        "X",
    ),
    // Traces (Matrix Cookbook 100–120).
    ex(
        "trace-x",
        "traces",
        Easy,
        "The trace of X itself.",
        "tr(X)",
        "X: n x n",
        "X",
    ),
    ex(
        "trace-ax",
        "traces",
        Easy,
        "A trace that is linear in X.",
        "tr(A*X)",
        "",
        "X",
    ),
    ex(
        "trace-xa-transposed",
        "traces",
        Easy,
        "A trace with X transposed.",
        "tr(X'*A)",
        "",
        "X",
    ),
    ex(
        "trace-xtx",
        "traces",
        Medium,
        "The trace of a Gram matrix: the squared Frobenius norm.",
        "tr(X'*X)",
        "",
        "X",
    ),
    ex(
        "trace-axbx",
        "traces",
        Medium,
        "X appears twice in a trace.",
        "tr(A*X*B*X)",
        "X: n x n",
        "X",
    ),
    ex(
        "trace-xbxt",
        "traces",
        Medium,
        "A trace with X and its transpose (Cookbook 117).",
        "tr(X*B*X')",
        "",
        "X",
    ),
    ex(
        "trace-x-squared",
        "traces",
        Medium,
        "The trace of a matrix power.",
        "tr(X^2)",
        "",
        "X",
    ),
    ex(
        "trace-x-cubed",
        "traces",
        Hard,
        "The trace of the third power.",
        "tr(X^3)",
        "",
        "X",
    ),
    // Determinants.
    ex(
        "det-x",
        "determinants",
        Easy,
        "The determinant (Cookbook 49).",
        "det(X)",
        "",
        "X",
    ),
    ex(
        "logdet-x",
        "determinants",
        Easy,
        "The log-determinant.",
        "logdet(X)",
        "",
        "X",
    ),
    ex(
        "det-axb",
        "determinants",
        Medium,
        "The determinant of a product (Cookbook 51).",
        "det(A*X*B)",
        "A: n x n, B: n x n, X: n x n",
        "X",
    ),
    ex(
        "logdet-xtax",
        "determinants",
        Hard,
        "The log-determinant of XᵀAX.",
        "logdet(X'*A*X)",
        "A: spd n",
        "X",
    ),
    // Inverses.
    ex(
        "inverse-trace",
        "inverses",
        Medium,
        "A trace with the inverse of X (Cookbook 63).",
        "tr(A*inv(X)*B)",
        "",
        "X",
    ),
    ex(
        "inverse-quadratic",
        "inverses",
        Medium,
        "A quadratic form in the inverse (Cookbook 61).",
        "a'*inv(X)*b",
        "",
        "X",
    ),
    ex(
        "inverse-of-sum",
        "inverses",
        Hard,
        "The trace of the inverse of a shifted matrix.",
        "tr(inv(X + A))",
        "",
        "X",
    ),
    // Quadratic forms.
    ex(
        "quadratic-xax",
        "quadratic forms",
        Easy,
        "The quadratic form (Cookbook 81).",
        "x'*A*x",
        "",
        "x",
    ),
    ex(
        "linear-ax",
        "quadratic forms",
        Easy,
        "A linear form.",
        "a'*x",
        "",
        "x",
    ),
    ex(
        "bilinear-in-x",
        "quadratic forms",
        Easy,
        "A bilinear form, in its matrix (Cookbook 70).",
        "a'*X*b",
        "",
        "X",
    ),
    ex(
        "quadratic-in-matrix",
        "quadratic forms",
        Medium,
        "A quadratic form in the matrix (Cookbook 72).",
        "a'*X'*X*b",
        "",
        "X",
    ),
    ex(
        "quadratic-shifted",
        "quadratic forms",
        Medium,
        "A shifted quadratic form (Cookbook 84).",
        "(x - s)'*A*(x - s)",
        "s: vector n",
        "x",
    ),
    // Norms.
    ex(
        "norm-squared",
        "norms",
        Easy,
        "The squared Euclidean norm.",
        "||x||^2",
        "",
        "x",
    ),
    ex(
        "frobenius-squared",
        "norms",
        Easy,
        "The squared Frobenius norm.",
        "||X||_F^2",
        "",
        "X",
    ),
    ex(
        "norm-plain",
        "norms",
        Medium,
        "The Euclidean norm itself.",
        "||x||",
        "",
        "x",
    ),
    ex(
        "frobenius-residual",
        "norms",
        Medium,
        "A matrix residual in Frobenius norm.",
        "||A*X - B||_F^2",
        "",
        "X",
    ),
    ex(
        "low-rank",
        "norms",
        Hard,
        "A low-rank fit, in one factor.",
        "||M - U*V'||_F^2",
        "",
        "U",
    ),
    // Machine-learning losses.
    ex(
        "ridge",
        "machine learning",
        Medium,
        "Ridge regression: least squares with an L2 penalty.",
        "||A*x - b||^2 + lambda*||x||^2",
        "b: vector m",
        "x",
    ),
    ex(
        "logistic",
        "machine learning",
        Hard,
        "The logistic loss, labels y of ±1.",
        "sum(log(vector(1) + exp(-y .* (X*w))))",
        "",
        "w",
    ),
    ex(
        "softmax-cross-entropy",
        "machine learning",
        Hard,
        "Softmax cross-entropy against a one-hot y.",
        "-y'*log(softmax(W*x))",
        "",
        "W",
    ),
    ex(
        "log-sum-exp",
        "machine learning",
        Medium,
        "Log-sum-exp of a linear map.",
        "logsumexp(A*x)",
        "",
        "x",
    ),
    ex(
        "two-layer",
        "machine learning",
        Hard,
        "A two-layer network's squared error, in the first layer.",
        "||W2*tanh(W1*x) - y||^2",
        "",
        "W1",
    ),
    ex(
        "mean-squared-error",
        "machine learning",
        Medium,
        "Mean squared error of a linear model.",
        "mean((X*w - y).^2)",
        "",
        "w",
    ),
    // Symmetric matrices.
    ex(
        "symmetric-quadratic",
        "symmetric matrices",
        Easy,
        "The quadratic form with S symmetric.",
        "x'*S*x",
        "S: symmetric n",
        "x",
    ),
    ex(
        "symmetric-trace",
        "symmetric matrices",
        Medium,
        "A trace with a symmetric constant.",
        "tr(X'*S*X)",
        "S: symmetric n",
        "X",
    ),
    ex(
        "spd-logdet",
        "symmetric matrices",
        Medium,
        "The log-determinant in a constant spd matrix's congruence.",
        "logdet(X*P*X')",
        "P: spd n, X: n x n",
        "X",
    ),
    ex(
        "gaussian",
        "symmetric matrices",
        Hard,
        "The Gaussian log-likelihood's quadratic part, in the mean.",
        "(x - mu)'*inv(P)*(x - mu)",
        "P: spd n, mu: vector n",
        "mu",
    ),
    // Hessians (the page's order=2 view) and Jacobians.
    ex2(
        Ask::Hessian,
        "hessian-quadratic",
        Easy,
        "The Hessian of the quadratic form (A not symmetric).",
        "x'*A*x",
        "x",
    ),
    ex2(
        Ask::Hessian,
        "hessian-least-squares",
        Easy,
        "The Hessian of the squared residual.",
        "||A*x - b||^2",
        "x",
    ),
    ex2(
        Ask::Hessian,
        "hessian-logsumexp",
        Hard,
        "The Hessian of log-sum-exp, in softmax.",
        "logsumexp(x)",
        "x",
    ),
    ex2(
        Ask::Jacobian,
        "jacobian-linear",
        Easy,
        "The Jacobian of a linear map.",
        "A*x",
        "x",
    ),
    ex2(
        Ask::Jacobian,
        "jacobian-exp",
        Easy,
        "The Jacobian of the entrywise exponential.",
        "exp(x)",
        "x",
    ),
    ex2(
        Ask::Jacobian,
        "jacobian-softmax",
        Hard,
        "The Jacobian of softmax.",
        "softmax(x)",
        "x",
    ),
];

/// The exercise with this id.
pub fn by_id(id: &str) -> Option<&'static Exercise> {
    EXERCISES.iter().find(|e| e.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{analyze, check, CheckOptions, Input};
    use crate::numeric::Verdict;

    #[test]
    fn there_are_the_note_s_three_examples_and_thirty_more_with_unique_ids() {
        let note = EXERCISES
            .iter()
            .take_while(|e| e.topic == "lecture note")
            .count();
        assert_eq!(note, 3);
        assert!(EXERCISES.len() - note >= 30, "{}", EXERCISES.len());
        assert!(EXERCISES.iter().filter(|e| e.ask != Ask::Gradient).count() >= 4);
        for (i, e) in EXERCISES.iter().enumerate() {
            assert!(EXERCISES[i + 1..].iter().all(|f| f.id != e.id), "{}", e.id);
            assert_eq!(by_id(e.id), Some(e));
        }
    }

    /// Every exercise parses, derives, and its derivation passes the numeric check.
    #[test]
    fn every_exercise_derives_and_passes_its_numeric_check() {
        for e in EXERCISES.iter().filter(|e| e.ask == Ask::Gradient) {
            let a = analyze(&Input {
                expr: e.expr.into(),
                decls: e.decls.into(),
                wrt: Some(e.wrt.into()),
            });
            assert!(a.diagnostics.is_empty(), "{}: {:?}", e.id, a.diagnostics);
            assert_eq!(a.wrt(), Some(e.wrt), "{}", e.id);
            let d = a.derivation.as_ref().expect("a derivation");
            assert!(
                d.steps.len() >= 3,
                "{}: a derivation to practise ({} lines)",
                e.id,
                d.steps.len()
            );
            let r = check(
                &a,
                &CheckOptions {
                    sizes: Default::default(),
                    seed: 1,
                },
            )
            .expect("a check");
            assert_eq!(r.verdict(), Verdict::Passed, "{}: {}", e.id, d.to_text());
        }
    }

    /// The textbook answer of every Hessian and Jacobian exercise, which the claim check
    /// accepts, and a wrong answer it rejects; each answer is also compared here with the
    /// engine's matrix at a random sample.
    #[test]
    fn every_second_order_exercise_has_its_textbook_answer_accepted() {
        use crate::compare::{compare_second, ClaimVerdict};
        use crate::jacobian::{analyze_hessian, analyze_jacobian};
        let answers: &[(&str, &str, &str)] = &[
            ("hessian-quadratic", "A + A'", "2*A"),
            ("hessian-least-squares", "2*A'*A", "A'*A"),
            (
                "hessian-logsumexp",
                "diag(softmax(x)) - softmax(x)*softmax(x)'",
                "diag(softmax(x))",
            ),
            ("jacobian-linear", "A", "A'*A"),
            ("jacobian-exp", "diag(exp(x))", "exp(x)*exp(x)'"),
            (
                "jacobian-softmax",
                "diag(softmax(x)) - softmax(x)*softmax(x)'",
                "diag(softmax(x))",
            ),
        ];
        let second: Vec<_> = EXERCISES
            .iter()
            .filter(|e| e.ask != Ask::Gradient)
            .collect();
        assert_eq!(second.len(), answers.len());
        let options = CheckOptions {
            sizes: Default::default(),
            seed: 5,
        };
        for (id, right, wrong) in answers {
            let e = by_id(id).expect("the exercise");
            let input = Input {
                expr: e.expr.into(),
                decls: e.decls.into(),
                wrt: Some(e.wrt.into()),
            };
            let a = match e.ask {
                Ask::Hessian => analyze_hessian(&input),
                _ => analyze_jacobian(&input),
            };
            assert!(a.diagnostics.is_empty(), "{id}: {:?}", a.diagnostics);
            let c = compare_second(&a, right, &options).expect("read");
            assert_eq!(
                c.verdict,
                ClaimVerdict::Correct,
                "{id}: {right}: {}",
                c.message
            );
            let c = compare_second(&a, wrong, &options).expect("read");
            assert_eq!(
                c.verdict,
                ClaimVerdict::Incorrect,
                "{id}: {wrong}: {}",
                c.message
            );
            // The test's own numeric check of the answer against the engine's matrix.
            let (p, d) = (a.problem.as_ref().unwrap(), a.derivation.as_ref().unwrap());
            let sizes = crate::numeric::resolve_problem_sizes(p, &Default::default()).unwrap();
            // The sampler takes a scalar f: a Jacobian's f summed.
            let scalar = crate::expr::Problem {
                expr: crate::expr::Expr::call(crate::expr::Func::Sum, p.expr.clone()),
                ..p.clone()
            };
            let values = crate::numeric::sample(&scalar, &sizes, 11).expect("a sample");
            let engine = match e.ask {
                Ask::Hessian => crate::numeric::hessian_at(p, d, &values, &sizes).unwrap(),
                _ => {
                    crate::numeric::jacobian_at(p, d, &values, &sizes)
                        .unwrap()
                        .1
                }
            };
            let claim = crate::compare::read_claim(p, right).0.expect("typed").expr;
            let env = crate::numeric::Env {
                values: &values,
                sizes: &sizes,
                direction: None,
            };
            let mine = crate::numeric::eval(&claim, &env).unwrap();
            assert!(
                (&mine - &engine).norm() <= 1e-9 * engine.norm().max(1.0),
                "{id}"
            );
            assert!(engine.norm() > 0.0, "{id}");
            let claim = crate::compare::read_claim(p, wrong).0.expect("typed").expr;
            let theirs = crate::numeric::eval(&claim, &env).unwrap();
            assert!(
                theirs.shape() != engine.shape()
                    || (&theirs - &engine).norm() > 1e-3 * engine.norm(),
                "{id}: {wrong}"
            );
        }
    }
}
