//! The Jacobian of a vector- or matrix-valued f and the Hessian of a scalar f on the page: when to
//! show them, their analysis and check through the core, and the check mark of each line. Pure,
//! tested natively; the view is [`crate::components::second`].

use matdiff_core::expr::expr_dim_names;
use matdiff_core::jacobian::{
    analyze_hessian, analyze_jacobian, check2, Analysis2, Derivation2, Order, Side,
};
use matdiff_core::numeric::Check2Report;
use matdiff_core::{CheckOptions, Diagnostic, Input};
use std::collections::BTreeMap;

/// Whether the gradient's analysis refused f only because it is not a scalar (a vector or a
/// matrix: its Jacobian is shown instead, as the command does).
pub fn only_not_scalar(diagnostics: &[Diagnostic]) -> bool {
    matches!(diagnostics, [d] if d.message.ends_with(matdiff_core::lower::NOT_SCALAR))
}

/// The Jacobian or the Hessian analysis of an input.
pub fn analyze(input: &Input, order: Order) -> Analysis2 {
    match order {
        Order::Jacobian => analyze_jacobian(input),
        Order::Hessian => analyze_hessian(input),
    }
}

/// The check with the user's sizes for the dimensions this problem has (the others are the
/// page's for other inputs, kept in the URL).
pub fn run_check(
    a: &Analysis2,
    sizes: &BTreeMap<String, usize>,
    seed: u64,
) -> Result<Check2Report, Diagnostic> {
    let known = known_sizes(a, sizes);
    check2(a, &CheckOptions { sizes: known, seed })
}

/// The user's sizes for the dimensions this problem has (the others are the page's for other
/// inputs, kept in the URL).
pub fn known_sizes(a: &Analysis2, sizes: &BTreeMap<String, usize>) -> BTreeMap<String, usize> {
    let names = a
        .problem
        .as_ref()
        .map(|p| {
            let mut names = p.symbols.dim_names();
            names.extend(expr_dim_names(&p.expr));
            names
        })
        .unwrap_or_default();
    // `extend`, not `collect`: a collected map sorts its items, a sort compiled for this type only.
    let mut known = BTreeMap::new();
    known.extend(
        sizes
            .iter()
            .filter(|(k, _)| names.contains(k))
            .map(|(k, v)| (k.clone(), *v)),
    );
    known
}

/// "Jacobian" or "Hessian".
pub fn order_name(order: Order) -> &'static str {
    match order {
        Order::Jacobian => "Jacobian",
        Order::Hessian => "Hessian",
    }
}

/// The check mark of each line: a Hessian's dy lines and ∇f by its gradient check, each line
/// checked along a random direction by its own result, the Jacobian or Hessian line by the check
/// of the matrix against finite differences; `None` where nothing checked a line.
pub fn line_marks(d: &Derivation2, r: &Check2Report) -> Vec<Option<bool>> {
    let mut dy_steps = r.first.iter().flat_map(|f| f.steps.iter());
    d.lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let own = r.lines.iter().find(|c| c.index == i).map(|c| c.passed);
            match l.side {
                Side::Dy => dy_steps.next().map(|s| s.passed),
                Side::Gradient => r
                    .first
                    .as_ref()
                    .and_then(|f| f.gradient.as_ref())
                    .map(|g| g.passed),
                Side::Jacobian | Side::Hessian => match (own, r.matrix.as_ref()) {
                    (Some(a), Some(m)) => Some(a && m.passed),
                    (a, m) => a.or(m.map(|m| m.passed)),
                },
                _ => own,
            }
        })
        .collect()
}

/// The verdict in words: `"passed"`, or `"failed: why"`, `"undecided: why"`.
pub fn verdict_text(r: &Check2Report) -> String {
    let v = r.verdict();
    match v.reason() {
        Some(why) => format!("{}: {why}", v.name()),
        None => v.name().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(expr: &str, wrt: &str) -> Input {
        Input {
            expr: expr.into(),
            decls: String::new(),
            wrt: Some(wrt.into()),
        }
    }

    fn checked(expr: &str, wrt: &str, order: Order) -> (Analysis2, Check2Report) {
        let a = analyze(&input(expr, wrt), order);
        assert!(a.diagnostics.is_empty(), "{expr}: {:?}", a.diagnostics);
        let r = run_check(&a, &BTreeMap::new(), 7).expect("a check");
        (a, r)
    }

    #[test]
    fn only_a_refusal_for_not_being_a_scalar_falls_back_to_the_jacobian() {
        for (expr, array) in [
            ("A*X*B", true),
            ("inv(X)", true),
            ("softmax(W*x)", true),
            ("tr(A*X*B)", false),
            ("x + X", false),
            ("A*X*", false),
        ] {
            let a = matdiff_core::analyze(&input(expr, if expr.contains('x') { "x" } else { "X" }));
            assert_eq!(
                only_not_scalar(&a.diagnostics),
                array,
                "{expr}: {:?}",
                a.diagnostics
            );
        }
    }

    #[test]
    fn jacobians_and_hessians_pass_their_checks_with_every_checked_line_marked() {
        // The matrices are shown up to 144 entries (X is 4×4 by default: inv(X) has 256).
        for (expr, wrt, order, tex, shown) in [
            ("A*X*B", "X", Order::Jacobian, r"\otimes", true),
            ("inv(X)", "X", Order::Jacobian, r"\otimes", false),
            ("softmax(W*x)", "W", Order::Jacobian, "", true),
            (
                "x'*A*x",
                "x",
                Order::Hessian,
                r"\mathbf{A} + \mathbf{A}^\top",
                true,
            ),
            ("logdet(X)", "X", Order::Hessian, r"\otimes", false),
        ] {
            let (a, r) = checked(expr, wrt, order);
            let d = a.derivation.as_ref().expect("a derivation");
            assert_eq!(d.order, order);
            assert!(r.passed, "{expr}: {}", verdict_text(&r));
            assert_eq!(verdict_text(&r), "passed");
            let marks = line_marks(d, &r);
            assert_eq!(marks.len(), d.lines.len());
            assert!(!marks.contains(&Some(false)), "{expr}: {marks:?}");
            // The matrix line and (for a Hessian) the dy lines carry a mark.
            for (l, m) in d.lines.iter().zip(&marks) {
                if matches!(
                    l.side,
                    Side::Dy | Side::Gradient | Side::Jacobian | Side::Hessian
                ) {
                    assert_eq!(*m, Some(true), "{expr}: {:?} {}", l.side, l.latex);
                }
            }
            let m = r.matrix.as_ref().expect("the matrix check");
            assert!(m.passed && m.rel_error <= m.tolerance, "{expr}");
            assert_eq!(m.symbolic.is_some() && m.numeric.is_some(), shown, "{expr}");
            let all: String = d.lines.iter().map(|l| l.latex.as_str()).collect();
            assert!(all.contains(tex), "{expr}: {all}");
        }
    }

    #[test]
    fn a_wrong_line_gets_a_failing_mark() {
        let (a, mut r) = checked("x'*A*x", "x", Order::Hessian);
        let d = a.derivation.as_ref().expect("a derivation");
        let m = r.matrix.as_mut().expect("the matrix check");
        m.passed = false;
        r.passed = false;
        let h = d.lines.iter().position(|l| l.side == Side::Hessian);
        let marks = line_marks(d, &r);
        assert_eq!(marks[h.expect("an H line")], Some(false));
        assert!(
            verdict_text(&r).starts_with("failed: "),
            "{}",
            verdict_text(&r)
        );
    }

    #[test]
    fn the_users_sizes_apply_to_this_problems_dimensions_only() {
        let a = analyze(&input("A*x", "x"), Order::Jacobian);
        let sizes = [("m".to_string(), 2), ("zz".to_string(), 5)].into();
        let r = run_check(&a, &sizes, 7).expect("a check");
        assert_eq!(r.sizes.get("m"), Some(&2));
        assert!(!r.sizes.contains_key("zz"));
        assert!(r.passed);
    }
}
