//! "Your ∇f =": the learner's claim decided by the core ([`matdiff_core::api::compare_text`])
//! and what the page shows of it: the verdict, the mistakes, both forms side by side. Pure.

use matdiff_core::api::{compare_text, ClaimVerdict, Comparison};
use matdiff_core::{Analysis, CheckOptions, Input};
use std::collections::BTreeMap;
use std::rc::Rc;

/// How long typing in the field must pause before the claim is decided.
pub const CLAIM_DELAY_MS: i32 = 150;

/// One line of the diagnosis, with the term it names in LaTeX (a missing or extra term).
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub message: String,
    pub term_latex: Option<String>,
}

/// What the field shows under it.
#[derive(Clone, Debug, PartialEq)]
pub struct ClaimView {
    /// The status's class and text: `✓ correct`, `✗ not correct`, `? undecided`, or an error.
    pub class: &'static str,
    pub status: String,
    /// Why: the verdict's sentence (for a pasted identity, with its f as read).
    pub reason: String,
    pub lines: Vec<Line>,
    /// The claim and matdiff's ∇f side by side, `C = G` in LaTeX (a correct claim written otherwise).
    pub both: Option<String>,
}

impl ClaimView {
    /// While the claim typed last waits to be decided.
    pub fn pending() -> Rc<ClaimView> {
        Rc::new(ClaimView {
            class: "badge pending",
            status: "checking…".into(),
            reason: String::new(),
            lines: Vec::new(),
            both: None,
        })
    }
}

/// Decides `claim` against the derivation's f (or a pasted identity's own f); `None` for an
/// empty field.
pub fn decide(
    input: &Input,
    analysis: &Analysis,
    claim: &str,
    sizes: &BTreeMap<String, usize>,
    seed: u64,
) -> Option<ClaimView> {
    if claim.trim().is_empty() {
        return None;
    }
    let options = CheckOptions {
        sizes: sizes.clone(),
        seed,
    };
    let (result, identity_f) = compare_text(input, analysis, claim, &options);
    Some(match result {
        Ok(c) => view(&c, identity_f),
        Err(diags) => ClaimView {
            class: "badge undecided",
            status: "cannot read it".into(),
            reason: diags.first().map(|d| d.message.clone()).unwrap_or_default(),
            lines: Vec::new(),
            both: None,
        },
    })
}

/// What the page shows of a comparison.
pub fn view(c: &Comparison, identity_f: Option<String>) -> ClaimView {
    let (class, status) = match c.verdict {
        ClaimVerdict::Correct => ("badge pass", "✓ correct"),
        ClaimVerdict::Incorrect => ("badge fail", "✗ not correct"),
        ClaimVerdict::Undecided => ("badge undecided", "? undecided"),
    };
    let both = (c.verdict == ClaimVerdict::Correct && c.written_differently)
        .then(|| {
            c.gradient_latex
                .as_ref()
                .map(|g| format!(r"{} \;=\; {g}", c.claim_latex))
        })
        .flatten();
    ClaimView {
        class,
        status: status.into(),
        reason: match identity_f {
            Some(f) => format!("for f = {f}: {}", c.message),
            None => c.message.clone(),
        },
        lines: c
            .diagnosis
            .iter()
            .map(|m| Line {
                message: m.message.clone(),
                term_latex: m.term_latex.clone(),
            })
            .collect(),
        both,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use matdiff_core::analyze;

    fn run(expr: &str, wrt: Option<&str>, claim: &str) -> Option<ClaimView> {
        let input = Input {
            expr: expr.into(),
            decls: String::new(),
            wrt: wrt.map(str::to_string),
        };
        decide(&input, &analyze(&input), claim, &BTreeMap::new(), 1)
    }

    #[test]
    fn the_note_examples_wrong_transposed_right() {
        let v = run("tr(A*X*B)", None, "B*A").expect("a view");
        assert_eq!(v.status, "✗ not correct");
        assert!(v.lines[0].message.contains("transpose"), "{:?}", v.lines);
        let v = run("tr(A*X*B)", None, "(B*A)'").expect("a view");
        assert_eq!(v.status, "✓ correct");
        let both = v.both.expect("side by side");
        assert!(
            both.ends_with(r"\;=\; \mathbf{A}^\top \mathbf{B}^\top"),
            "{both}"
        );
        assert!(both.starts_with(r"(\mathbf{B} \mathbf{A})^\top"), "{both}");
        let v = run("||A*x - b||^2", Some("x"), "2*A'*A*x").expect("a view");
        assert!(v.lines[0].message.contains("missing"), "{:?}", v.lines);
        assert!(v.lines[0]
            .term_latex
            .as_deref()
            .is_some_and(|t| t.contains(r"\mathbf{b}")));
        let v = run("logdet(X'*X)", None, "2*X*inv(X'*X)").expect("a view");
        assert_eq!((v.status.as_str(), v.both), ("✓ correct", None));
    }

    #[test]
    fn an_identity_checks_its_own_f_and_an_empty_field_nothing() {
        let v = run("tr(X)", None, "f = x'*A*x, ∇f = (A + A')*x").expect("a view");
        assert_eq!(v.status, "✓ correct");
        assert!(
            v.reason.starts_with("for f = x'*A*x: correct"),
            "{}",
            v.reason
        );
        let v = run("tr(X)", None, "f = x'*A*x, ∇f = 2*A*x").expect("a view");
        assert!(
            v.lines[0].message.contains("correct if A is symmetric"),
            "{:?}",
            v.lines
        );
        assert_eq!(run("tr(X)", None, "  "), None);
        let v = run("tr(A*X*B)", None, "A'*(").expect("a view");
        assert_eq!(v.status, "cannot read it");
    }
}
