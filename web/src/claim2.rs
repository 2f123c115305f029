//! "Your H =" / "Your J =": the learner's claimed Hessian or Jacobian decided by the core
//! ([`matdiff_core::compare::compare_second`]) and what the page shows of it. Pure.

use matdiff_core::compare::{compare_second, ClaimVerdict};
use matdiff_core::jacobian::Analysis2;
use matdiff_core::CheckOptions;
use std::collections::BTreeMap;

/// What the field shows under it.
#[derive(Clone, Debug, PartialEq)]
pub struct SecondClaimView {
    /// The status's class and text: `✓ correct`, `✗ not correct`, `? undecided`, or an error.
    pub class: &'static str,
    pub status: String,
    /// Why, and the mistake found.
    pub reason: String,
    pub verdict: Option<ClaimVerdict>,
}

/// Decides `claim` against the Jacobian or Hessian of `analysis`, with the page's sizes for the
/// dimensions it has; `None` for an empty field.
pub fn decide(
    analysis: &Analysis2,
    claim: &str,
    sizes: &BTreeMap<String, usize>,
    seed: u64,
) -> Option<SecondClaimView> {
    if claim.trim().is_empty() {
        return None;
    }
    let options = CheckOptions {
        sizes: crate::second::known_sizes(analysis, sizes),
        seed,
    };
    Some(match compare_second(analysis, claim, &options) {
        Ok(c) => {
            let (class, status) = match c.verdict {
                ClaimVerdict::Correct => ("badge pass", "✓ correct"),
                ClaimVerdict::Incorrect => ("badge fail", "✗ not correct"),
                ClaimVerdict::Undecided => ("badge undecided", "? undecided"),
            };
            let reason = match &c.mistake {
                Some(m) if !c.message.contains(&m.message) => {
                    format!("{}; {}", c.message, m.message)
                }
                _ => c.message.clone(),
            };
            SecondClaimView {
                class,
                status: status.into(),
                reason,
                verdict: Some(c.verdict),
            }
        }
        Err(diags) => SecondClaimView {
            class: "badge undecided",
            status: "cannot read it".into(),
            reason: diags.first().map(|d| d.message.clone()).unwrap_or_default(),
            verdict: None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use matdiff_core::jacobian::Order;
    use matdiff_core::Input;

    fn run(expr: &str, order: Order, claim: &str) -> Option<SecondClaimView> {
        let input = Input {
            expr: expr.into(),
            decls: String::new(),
            wrt: Some("x".into()),
        };
        let a = crate::second::analyze(&input, order);
        // Sizes of another input are ignored.
        let sizes = BTreeMap::from([("k".to_string(), 7)]);
        decide(&a, claim, &sizes, 1)
    }

    /// The Hessian of ||A*x - b||² is 2AᵀA (the core's test checks it against the engine).
    #[test]
    fn a_claimed_hessian_or_jacobian_is_shown_correct_or_not() {
        let v = run("||A*x - b||^2", Order::Hessian, "A'*A").expect("a view");
        assert_eq!(v.status, "✗ not correct");
        let v = run("||A*x - b||^2", Order::Hessian, "2*A'*A").expect("a view");
        assert_eq!(
            (v.status.as_str(), v.verdict),
            ("✓ correct", Some(ClaimVerdict::Correct))
        );
        let v = run("A*x", Order::Jacobian, "A'").expect("a view");
        assert!(v.reason.contains("transpose of J"), "{}", v.reason);
        let v = run("A*x", Order::Jacobian, "A*(").expect("a view");
        assert_eq!(v.status, "cannot read it");
        assert_eq!(run("A*x", Order::Jacobian, " "), None);
    }
}
