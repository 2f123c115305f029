//! The examples gallery: the lecture note's three examples first, then Cookbook and machine-learning classics.

/// One example of the gallery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Example {
    /// Short title shown on the card.
    pub title: &'static str,
    /// The expression, in input syntax.
    pub expr: &'static str,
    /// Declarations (may be empty).
    pub decls: &'static str,
    /// The variable.
    pub wrt: &'static str,
    /// Where it comes from, one line.
    pub source: &'static str,
}

const fn ex(
    title: &'static str,
    expr: &'static str,
    decls: &'static str,
    wrt: &'static str,
    source: &'static str,
) -> Example {
    Example {
        title,
        expr,
        decls,
        wrt,
        source,
    }
}

/// Every example, the note's three first.
pub const EXAMPLES: &[Example] = &[
    ex(
        "Least squares",
        "||A*x - b||^2",
        "b: vector m",
        "x",
        "lecture note, example 1",
    ),
    ex(
        "Trace of a product",
        "tr(A*X*B)",
        "",
        "X",
        "lecture note, example 2 (Cookbook 101)",
    ),
    ex(
        "Log-determinant of a Gram matrix",
        "logdet(X'*X)",
        "",
        "X",
        "lecture note, example 3 (Cookbook 55)",
    ),
    ex(
        "Ridge regression",
        "||A*x - b||^2 + lambda*||x||^2",
        "b: vector m",
        "x",
        "least squares with an L2 penalty",
    ),
    ex("Quadratic form", "x'*A*x", "", "x", "Cookbook 81"),
    ex(
        "Symmetric quadratic form",
        "x'*S*x",
        "S: symmetric n",
        "x",
        "Cookbook 81 with S symmetric",
    ),
    ex(
        "Logistic regression, labels ±1",
        "sum(log(vector(1) + exp(-y .* (X*w))))",
        "",
        "w",
        "logistic loss, labels y of ±1 (PRML 4.3.2; prints with σ)",
    ),
    ex(
        "Logistic regression, labels 0/1",
        "-sum(y .* log(sigmoid(X*w)) + (1 - y) .* log(1 - sigmoid(X*w)))",
        "",
        "w",
        "cross-entropy of σ(Xw), labels y of 0 and 1 (PRML 4.90)",
    ),
    ex(
        "Softmax cross-entropy, logits",
        "-t'*log(softmax(z))",
        "",
        "z",
        "cross-entropy of softmax(z), wrt the logits (DL 6.2.2.3)",
    ),
    ex(
        "Softmax cross-entropy, weights",
        "-t'*log(softmax(W*x))",
        "",
        "W",
        "softmax regression, wrt the weights (PRML 4.109)",
    ),
    ex(
        "Two-layer network",
        "||W2*tanh(W1*x) - y||^2",
        "",
        "W1",
        "squared error of a tanh network, wrt the first layer (DL 6.5)",
    ),
    ex(
        "Layer normalisation",
        "t'*(x - mean(x))/sqrt(mean((x - mean(x)).^2) + 1e-5)",
        "",
        "x",
        "a linear read-out of layer-normalised x (Ba et al. 2016)",
    ),
    ex(
        "Gaussian NLL, mean",
        "(1/2)*logdet(Sigma) + (1/2)*(x - mu)'*inv(Sigma)*(x - mu)",
        "Sigma: spd n, mu: vector n",
        "mu",
        "negative log-density of N(μ, Σ) up to a constant (PRML 2.43)",
    ),
    ex(
        "Gaussian NLL, covariance",
        "(1/2)*logdet(Sigma) + (1/2)*(x - mu)'*inv(Sigma)*(x - mu)",
        "Sigma: spd n",
        "Sigma",
        "the same, wrt Σ (PRML 2.118–2.122)",
    ),
    ex(
        "Gaussian log-likelihood",
        "-(1/2)*logdet(Sigma) - (1/2)*x'*inv(Sigma)*x",
        "Sigma: spd n",
        "Sigma",
        "log-density of N(0, Σ) up to a constant",
    ),
    ex("Trace of XᵀAX", "tr(X'*A*X)", "", "X", "Cookbook 108"),
    ex("Determinant", "det(X)", "", "X", "Cookbook 49"),
    ex(
        "Inverse inside a trace",
        "tr(A*inv(X)*B)",
        "",
        "X",
        "Cookbook 63",
    ),
    ex(
        "Frobenius norm",
        "||X||_F",
        "",
        "X",
        "Cookbook 129 (derived)",
    ),
    ex(
        "Matrix least squares",
        "||X*W - Y||_F^2",
        "",
        "W",
        "multi-output regression",
    ),
    ex(
        "Hadamard product",
        "sum(A .* X .* X)",
        "",
        "X",
        "weighted sum of squares, elementwise",
    ),
    ex(
        "Elementwise exp and log",
        "sum(exp(X)) - sum(log(X))",
        "",
        "X",
        "elementwise functions summed",
    ),
    ex("Cubic trace", "tr(X^3)", "", "X", "Cookbook 89 with n = 3"),
];

/// The example with this expression and these declarations, if any (the gallery highlights the
/// loaded one, and no longer once its declarations are edited).
pub fn find(expr: &str, decls: &str) -> Option<usize> {
    EXAMPLES
        .iter()
        .position(|e| e.expr == expr && e.decls.trim() == decls.trim())
}

#[cfg(test)]
mod tests {
    use super::*;
    use matdiff_core::{analyze, check, CheckOptions, Input};

    #[test]
    fn an_example_is_found_by_its_expression_and_its_declarations() {
        let i = EXAMPLES
            .iter()
            .position(|e| !e.decls.is_empty())
            .expect("an example with declarations");
        let e = EXAMPLES[i];
        assert_eq!(find(e.expr, e.decls), Some(i));
        assert_eq!(find(e.expr, &format!(" {} ", e.decls)), Some(i));
        assert_eq!(find(e.expr, ""), None, "its declarations edited away");
        assert_eq!(find("tr(A*X*B)", ""), Some(1));
    }

    #[test]
    fn every_example_derives_and_passes_its_check() {
        let mut failures = Vec::new();
        for e in EXAMPLES {
            let a = analyze(&Input {
                expr: e.expr.into(),
                decls: e.decls.into(),
                wrt: Some(e.wrt.into()),
            });
            let Some(d) = &a.derivation else {
                failures.push(format!("{}: no derivation: {:?}", e.expr, a.diagnostics));
                continue;
            };
            for seed in [1, 2] {
                match check(
                    &a,
                    &CheckOptions {
                        sizes: Default::default(),
                        seed,
                    },
                ) {
                    Ok(r) if r.passed => {}
                    Ok(r) => failures.push(format!(
                        "{} (seed {seed}): check failed: {:?} {:?}",
                        e.expr, r.message, r.gradient
                    )),
                    Err(err) => {
                        failures.push(format!("{}: check refused: {}", e.expr, err.message))
                    }
                }
            }
            assert_eq!(d.wrt, e.wrt);
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn the_notes_examples_come_first_with_the_notes_gradients() {
        let want = ["2*A'*(A*x - b)", "A'*B'", "2*X*inv(X'*X)"];
        for (e, want) in EXAMPLES.iter().zip(want) {
            let a = analyze(&Input {
                expr: e.expr.into(),
                decls: e.decls.into(),
                wrt: Some(e.wrt.into()),
            });
            let d = a.derivation.expect("derivation");
            assert_eq!(d.gradient_text, want, "{}", e.expr);
        }
    }

    /// The machine-learning examples of issue 12 print their textbook gradients (their checks
    /// are in `every_example_derives_and_passes_its_check`).
    #[test]
    fn machine_learning_examples_print_textbook_gradients() {
        let want = [
            ("Softmax cross-entropy, logits", "-t + sum(t)*softmax(z)"),
            (
                "Softmax cross-entropy, weights",
                "(-t + sum(t)*softmax(W*x))*x'",
            ),
            (
                "Two-layer network",
                "2*((W2'*(W2*tanh(W1*x) - y)) .* (vector(1) - tanh(W1*x).^2))*x'",
            ),
            ("Gaussian NLL, mean", "-inv(Sigma)*(x - mu)"),
            (
                "Gaussian NLL, covariance",
                "(inv(Sigma) - inv(Sigma)*(x - mu)*(x - mu)'*inv(Sigma)) / 2",
            ),
        ];
        for (title, grad) in want {
            let e = EXAMPLES
                .iter()
                .find(|e| e.title == title)
                .unwrap_or_else(|| panic!("no example {title}"));
            let a = analyze(&Input {
                expr: e.expr.into(),
                decls: e.decls.into(),
                wrt: Some(e.wrt.into()),
            });
            let d = a.derivation.expect("derivation");
            assert_eq!(d.gradient_text, grad, "{title}");
        }
    }

    #[test]
    fn examples_are_distinct_and_found_by_expression() {
        assert!(EXAMPLES.len() >= 15);
        for (i, e) in EXAMPLES.iter().enumerate() {
            assert_eq!(find(e.expr, e.decls), Some(i));
        }
        assert_eq!(find("not an example", ""), None);
    }
}
